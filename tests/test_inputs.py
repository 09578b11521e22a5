"""Bad and unusual input, end to end: encodings, non-text files, missing paths, unwritable output,
mixed folders, --strict, and big files in bounded memory.

Bad files are real files in tests/data/inputs/ (a real PDF, a PNG named .txt, random bytes, ...);
re-encoded and big inputs are made from the seeds in tmp_path at test time.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import InputError
from kg.pipeline import BuildConfig, Pipeline
from kg.text.read import read_document
from tests.fixtures_build import ROOT, SEEDS, NoEntities

INPUTS = ROOT / "tests" / "data" / "inputs"
SEED = "004_86ef6dde4bcc3cb5.txt"
KG = [sys.executable, "-c", "import sys; from kg.cli import main; sys.exit(main())"]

BAD = {  # file in tests/data/inputs → words its message must contain
    "empty.txt": "empty file",
    "blank.txt": "no text",
    "junk.bin": "binary",
    "noise.dat": "not text",
    "scan.pdf": "PDF",  # no text layer (report.pdf has one: kg.sources reads it)
    "photo.txt": "PNG",
}



def _graph(result):
    """What a build says, in comparable form: entities, mentions with offsets, relations."""
    ents = sorted((e.id, e.name, e.type, tuple(sorted(e.aliases))) for e in result.entities)
    ments = sorted((m.doc_id, m.sentence, m.start, m.end, m.text, m.type, m.entity_id) for m in result.mentions)
    rels = sorted((*r.key, r.evidence.start if r.evidence else -1) for r in result.relations)
    return ents, ments, rels


def _run_kg(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*KG, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


# -- encodings ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def utf8_result(pipeline):
    return pipeline.build([SEEDS / SEED])


@pytest.mark.parametrize("encoding, detected", [("gb18030", "gb18030"), ("gbk", "gb18030"),
                                                ("utf-16", "utf-16"), ("utf-32", "utf-32"),
                                                ("utf-8-sig", "utf-8-sig")])
def test_reencoded_seed_builds_the_same_graph(pipeline, utf8_result, tmp_path, encoding, detected):
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    path = tmp_path / SEED  # same name, so the same document id
    path.write_bytes(text.encode(encoding))
    assert path.read_bytes() != (SEEDS / SEED).read_bytes()
    result = pipeline.build([path])
    doc = result.documents[0]
    assert doc.encoding == detected and doc.text == text  # a BOM is not part of the text: offsets agree
    assert len(result.mentions) > 50
    assert _graph(result) == _graph(utf8_result)


# -- files that are not text ----------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(BAD))
def test_non_text_file_is_refused_naming_the_file(name):
    with pytest.raises(InputError) as err:
        read_document(INPUTS / name)
    msg = str(err.value)
    assert msg.startswith(str(INPUTS / name) + ": ") and BAD[name] in msg
    assert "\n" not in msg


def test_missing_path_is_a_one_line_error(tmp_path):
    run = _run_kg("build", str(tmp_path / "no-such-folder"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert run.returncode == 1
    assert run.stderr.strip() == f"kg: error: {tmp_path / 'no-such-folder'}: no such file or folder"
    assert not (tmp_path / "out").exists()
    debug = _run_kg("--debug", "build", str(tmp_path / "nope"), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert debug.returncode != 0 and "Traceback" in debug.stderr and "InputError" in debug.stderr


def _unwritable_cases(tmp_path: Path) -> list[Path]:
    (tmp_path / "a-file").write_text("not a folder")
    cases = [tmp_path / "a-file", tmp_path / "a-file" / "out"]
    if os.geteuid() != 0:
        ro = tmp_path / "read-only"
        ro.mkdir(mode=0o500)
        cases.append(ro / "out")
    elif Path("/proc/self").exists():
        cases.append(Path("/proc/kg-out"))  # root writes anywhere but /proc
    return cases


def test_unwritable_output_folder_is_a_one_line_error_before_any_work(tmp_path):
    for out in _unwritable_cases(tmp_path):
        run = _run_kg("build", str(SEEDS / SEED), "--out", str(out), cwd=tmp_path)
        assert run.returncode == 1, out
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"kg: error: {out}: cannot write output"), run.stderr
        assert "Traceback" not in run.stderr


def test_write_failure_midway_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    """A disk that fills up while writing: an OSError naming the file, exit 1, no traceback."""
    import errno

    import kg.sinks.tables as tables

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "out" / "relations.csv"))

    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: NoEntities())
    monkeypatch.setattr(tables, "relation_row", full)
    assert main(["build", str(SEEDS / SEED), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert err.strip() == f"kg: error: {tmp_path / 'out' / 'relations.csv'}: No space left on device"
    # nothing half-written, no leftovers (store/ holds finished documents' results, which the next build reuses)
    assert [p.name for p in (tmp_path / "out").iterdir() if p.name != "store"] == []


# -- folders mixing good and bad files ----------------------------------------------------------------

@pytest.fixture
def mixed(tmp_path) -> Path:
    """Three seeds (UTF-8, GB18030, UTF-16) and every bad file, in one folder with a subfolder."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text((SEEDS / SEED).read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "b.txt").write_text((SEEDS / "001_f7a5ec10d2a4ddd0.txt").read_text(encoding="utf-8"), encoding="gb18030")
    (folder / "sub" / "c.txt").write_text((SEEDS / "003_8b43777099b8a4b0.txt").read_text(encoding="utf-8"),
                                          encoding="utf-16")
    for name in BAD:
        (folder / ("sub" if name.endswith(".bin") else ".") / name).write_bytes((INPUTS / name).read_bytes())
    return folder


def test_mixed_folder_builds_good_files_and_lists_bad_ones(pipeline, mixed, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: pipeline.tagger)  # the real model, loaded once
    out = tmp_path / "out"
    assert main(["build", str(mixed), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    with open(out / "documents.csv", encoding="utf-8") as fh:
        docs = {r["id"]: r["encoding"] for r in csv.DictReader(fh)}
    assert docs == {"a.txt": "utf-8", "b.txt": "gb18030", "sub/c.txt": "utf-16"}  # ids: paths under the root
    lines = captured.err.strip().splitlines()
    assert lines[0] == f"kg: skipped {len(BAD)} of {len(BAD) + 3} input files (use --strict to fail):"
    listed = {Path(line.strip().split(": ")[0]).name for line in lines[1:]}
    assert listed == set(BAD)
    assert "built 3 documents" in captured.out
    texts = {p.relative_to(mixed).as_posix(): read_document(p).text for p in mixed.rglob("*.txt")
             if p.relative_to(mixed).as_posix() in docs}
    with open(out / "mentions.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["document"] for r in rows} == set(docs)
    for r in rows:  # offsets point into each file's decoded text, whatever its encoding
        assert texts[r["document"]][int(r["start"]):int(r["end"])] == r["text"]


def test_strict_makes_any_bad_file_an_error_and_writes_nothing(mixed, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(mixed), "--out", str(out), "--strict"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"kg: error: {len(BAD)} bad input file(s), none built (--strict): ")
    assert all(name in err for name in BAD) and len(err.splitlines()) == 1
    assert not out.exists()


def test_only_bad_files_is_an_error(tmp_path, capsys):
    assert main(["build", str(INPUTS / "empty.txt"), str(INPUTS / "scan.pdf"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kg: error: no readable input: ") and "empty.txt: empty file" in err
    assert not (tmp_path / "o").exists()


def test_output_folder_inside_the_input_folder_is_not_read_back(tmp_path, monkeypatch, capsys):
    """`kg build data/ --out data/out` twice: the second run must not take the first run's tables as input."""
    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: NoEntities())
    (tmp_path / "a.txt").write_bytes((SEEDS / SEED).read_bytes())
    for _ in range(2):
        assert main(["build", str(tmp_path), "--out", str(tmp_path / "out")]) == 0
    assert "skipped" not in capsys.readouterr().err
    with open(tmp_path / "out" / "documents.csv", encoding="utf-8") as fh:
        assert [r["id"] for r in csv.DictReader(fh)] == ["a.txt"]


def test_file_over_max_bytes_is_refused_not_read(tmp_path, capsys):
    args = ["build", str(SEEDS / SEED), "--out", str(tmp_path / "o"), "--max-bytes", "1000"]
    assert main([*args, "--strict"]) == 1
    err = capsys.readouterr().err
    size = (SEEDS / SEED).stat().st_size
    assert f"{SEEDS / SEED}: {size} bytes is over the 1000-byte limit (--max-bytes)" in err
    assert not (tmp_path / "o").exists()


# -- big files ----------------------------------------------------------------------------------

def _big_file(path: Path, chars: int, seeds: tuple[str, ...] = (SEED,)) -> Path:
    """Seeds repeated (blank line between copies) to about `chars` characters."""
    unit = "".join((SEEDS / s).read_text(encoding="utf-8").strip("\n") + "\n\n" for s in seeds)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(unit * (chars // len(unit) + 1), encoding="utf-8")
    return path


def _check_offsets(doc, sentences, mentions) -> None:
    """Every mention's cleaned form sits in its sentence at sent_start and maps back to its original span."""
    by_index = {s.index: s for s in sentences}
    assert [s.index for s in sentences] == list(range(len(sentences)))
    for m in mentions:
        s = by_index[m.sentence]
        assert s.text[m.sent_start:m.sent_start + len(m.norm)] == m.norm
        assert s.span(m.sent_start, m.sent_start + len(m.norm)) == (m.start, m.end)
        assert doc.text[m.start:m.end] == m.text


def test_big_document_in_parts_equals_whole(stub_pipeline, tmp_path):
    """Splitting a document into parts changes no sentence, offset or mention (stub tagger: rules only)."""
    doc = read_document(_big_file(tmp_path / "big.txt", 60_000, ("000_99624c91e82d4847.txt", SEED)))
    whole = Pipeline(BuildConfig(part_chars=10**9), tagger=NoEntities(), rules=stub_pipeline.rules,
                     linker=stub_pipeline.linker)
    parts = Pipeline(BuildConfig(part_chars=7_000), tagger=NoEntities(), rules=stub_pipeline.rules,
                     linker=stub_pipeline.linker)
    s1, m1 = whole.process_document(doc)
    s2, m2 = parts.process_document(doc, on_part=(calls := []).append)
    assert len(calls) >= 8 and sum(calls) == len(doc.text)
    assert [(s.text, list(s.offsets), s.kind, s.article) for s in s1] == \
           [(s.text, list(s.offsets), s.kind, s.article) for s in s2]
    key = [(m.sentence, m.start, m.end, m.norm, m.type, m.sent_start) for m in m1]
    assert key == [(m.sentence, m.start, m.end, m.norm, m.type, m.sent_start) for m in m2] and len(key) > 100
    _check_offsets(doc, s2, m2)


def test_big_file_is_processed_in_bounded_memory(stub_pipeline, tmp_path):
    """Working memory beyond what the result keeps stays about one part's worth, not the file's.

    Stub tagger: the memory of reading, cleaning and segmenting does not depend on the model.
    Measured on this 200k-char file: done whole, the per-character offset lists of every block
    are alive at once, about 38 bytes a character over the result; in 20k-char parts, about 4.
    """
    doc = read_document(_big_file(tmp_path / "big.txt", 200_000))
    pipeline = Pipeline(BuildConfig(part_chars=20_000), tagger=NoEntities(), rules=stub_pipeline.rules,
                        linker=stub_pipeline.linker)
    tracemalloc.start()
    try:
        sentences, mentions = pipeline.process_document(doc)
        kept, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    excess = peak - kept
    assert excess < 12 * len(doc.text), f"{excess / 2**20:.1f} MB over the result for {len(doc.text)} chars"
    assert kept < 40 * len(doc.text)  # compact offsets: the result is not 36 bytes a character
    assert max(s.offsets.runs for s in sentences) < 20
    _check_offsets(doc, sentences, mentions)


def test_progress_advances_per_part_in_bytes(stub_pipeline, tmp_path):
    """One big file moves the bar many times; the bar's total is the input's bytes (stub tagger)."""
    big = _big_file(tmp_path / "in" / "big.txt", 100_000)
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    events = []

    class Bar:
        def __init__(self, total):
            events.append(("total", total))

        def update(self, n):
            events.append(("update", n))

        def close(self):
            events.append(("close", 0))

    pipeline = Pipeline(BuildConfig(part_chars=10_000), tagger=NoEntities(), rules=stub_pipeline.rules,
                        linker=stub_pipeline.linker)
    result = pipeline.build([tmp_path / "in"], progress=Bar)
    assert events[0] == ("total", big.stat().st_size) and events[-1] == ("close", 0)
    updates = [n for kind, n in events if kind == "update"]
    assert len(updates) >= 9 and all(n > 0 for n in updates) and sum(updates) == big.stat().st_size
    assert len(result.documents) == 1 and result.problems == [f"{tmp_path / 'in' / 'empty.txt'}: empty file"]
