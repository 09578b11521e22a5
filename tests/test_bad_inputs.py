"""Issue 15's defects on the input side, each reproduced end to end: document identity, short GBK
texts, damaged UTF-8, odd file names and folder entries, the output lock, Ctrl-C, a full disk.

The model is stubbed (rules only): what is tested is reading, naming and writing, not tagging.
"""

from __future__ import annotations

import csv
import errno
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.cli import main
from kg.errors import InputError
from kg.sinks.neo4j import graph_rows
from kg.text.read import decode, find_inputs, read_document
from kg.types import Document
from tests.fixtures_build import ROOT, SEEDS, NoEntities

SEED_A, SEED_B = "000_99624c91e82d4847.txt", "002_2f746a77c42e5b51.txt"
KG = [sys.executable, "-c", "import sys; from kg.cli import main; sys.exit(main())"]


@pytest.fixture(autouse=True)
def stub_model(monkeypatch):
    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: NoEntities())


def _rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


# -- 1. document identity ---------------------------------------------------------------------------

def test_same_file_name_in_two_folders_is_two_documents(tmp_path, capsys):
    """The issue's repro: in/a/page.txt and in/b/page.txt crashed with IndexError after the tagging."""
    (tmp_path / "in" / "a").mkdir(parents=True)
    (tmp_path / "in" / "b").mkdir()
    (tmp_path / "in" / "a" / "page.txt").write_bytes((SEEDS / SEED_A).read_bytes())
    (tmp_path / "in" / "b" / "page.txt").write_bytes((SEEDS / SEED_B).read_bytes())
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "in"), "--out", str(out)]) == 0, capsys.readouterr().err
    assert [r["id"] for r in _rows(out / "documents.csv")] == ["a/page.txt", "b/page.txt"]
    texts = {"a/page.txt": read_document(SEEDS / SEED_A).text, "b/page.txt": read_document(SEEDS / SEED_B).text}
    mentions = _rows(out / "mentions.csv")
    assert {m["document"] for m in mentions} == set(texts)
    for m in mentions:  # every offset points into its own document
        assert texts[m["document"]][int(m["start"]):int(m["end"])] == m["text"]


def test_same_contents_in_two_places_are_two_documents_with_their_own_sentences(stub_pipeline, tmp_path):
    for folder in ("x", "y"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.txt").write_bytes((SEEDS / SEED_A).read_bytes())
    result = stub_pipeline.build([tmp_path])
    assert [d.id for d in result.documents] == ["x/page.txt", "y/page.txt"]
    per_doc = {d: sum(m.doc_id == d for m in result.mentions) for d in ("x/page.txt", "y/page.txt")}
    assert per_doc["x/page.txt"] == per_doc["y/page.txt"] > 0
    rows = graph_rows(result)  # Neo4j sentence ids: derived from document ids, so none collide
    assert len(rows.sentences) == len(result.sentences) == 2 * sum(s.doc_id == "x/page.txt" for s in result.sentences)
    assert len({r["id"] for r in rows.documents}) == 2


def test_a_file_given_directly_is_named_by_its_name_and_a_clash_names_both(tmp_path, capsys):
    for folder, seed in (("a", SEED_A), ("b", SEED_B)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "page.txt").write_bytes((SEEDS / seed).read_bytes())
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "a" / "page.txt"), "--out", str(out)]) == 0
    assert [r["id"] for r in _rows(out / "documents.csv")] == ["page.txt"]
    capsys.readouterr()
    before = _snapshot(out)
    assert main(["build", str(tmp_path / "a" / "page.txt"), str(tmp_path / "b" / "page.txt"), "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert str(tmp_path / "a" / "page.txt") in err and str(tmp_path / "b" / "page.txt") in err and "'page.txt'" in err
    assert _snapshot(out) == before  # nothing written


def test_the_same_file_reached_twice_is_one_document(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes((SEEDS / SEED_A).read_bytes())
    files, skipped = find_inputs([tmp_path / "in", tmp_path / "in" / "a.txt"])
    assert [f.doc_id for f in files] == ["a.txt"] and skipped == []


# -- 3. short GBK texts ---------------------------------------------------------------------------------

def _snippets(n: int, count: int = 10) -> list[str]:
    """Runs of `n` Chinese characters from the seeds, spread over the text."""
    text = "".join(ch for ch in (SEEDS / SEED_A).read_text(encoding="utf-8") if "\u4e00" <= ch <= "\u9fff")
    step = (len(text) - n) // count
    return [text[i * step:i * step + n] for i in range(count)]


@pytest.mark.parametrize("n", [4, 8, 16, 64])
@pytest.mark.parametrize("encoding", ["gbk", "gb18030"])
def test_short_gbk_snippets_decode_right(n, encoding):
    for s in [*_snippets(n), "白城市公安局民警周佰发"]:
        d = decode(s.encode(encoding), "x.txt")
        assert (d.text, d.encoding, d.replaced) == (s, "gb18030", 0)


def test_short_gbk_file_builds_with_its_names(tmp_path, capsys):
    (tmp_path / "gbk.txt").write_bytes("白城市公安局民警周佰发".encode("gbk"))
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "gbk.txt"), "--out", str(out)]) == 0
    assert _rows(out / "documents.csv")[0]["encoding"] == "gb18030"
    assert "白城市公安局" in {m["text"] for m in _rows(out / "mentions.csv")}


# -- 4. one bad byte does not lose the file -----------------------------------------------------------------

def test_utf8_cut_mid_character_is_kept_with_a_replacement(tmp_path):
    data = (SEEDS / SEED_A).read_bytes()
    text = data.decode("utf-8")
    cuts = [i for i in range(len(data) // 2, len(data)) if 0x80 <= data[i] < 0xC0][:30]  # inside a character
    assert len(cuts) == 30
    for cut in cuts:
        (tmp_path / "cut.txt").write_bytes(data[:cut])
        doc = read_document(tmp_path / "cut.txt")
        whole = len(data[:cut].decode("utf-8", errors="ignore"))
        assert doc.encoding == "utf-8" and doc.replaced == 1
        assert doc.text == text[:whole] + "\ufffd"


def test_stray_byte_is_a_warning_naming_the_file_and_count(tmp_path, capsys):
    data = (SEEDS / SEED_A).read_bytes()
    i = data.index("。".encode()) + 3
    j = data.index("。".encode(), i + 300) + 3  # between characters: only the inserted bytes are bad
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "stray.txt").write_bytes(data[:i] + b"\xff" + data[i:j] + b"\xfe\xff" + data[j:])
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "in"), "--out", str(out)]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [f"kg: warning: {tmp_path / 'in' / 'stray.txt'}: 3 byte(s) did not decode as utf-8; "
                   "replaced by U+FFFD"]
    assert [r["id"] for r in _rows(out / "documents.csv")] == ["stray.txt"]


def test_encoding_option_forces_one(tmp_path, capsys):
    s = "白城市公安局民警周佰發在洮北區東風鄉檢查站值班。"  # Traditional: Big5 has no 发, 区, 乡
    (tmp_path / "big5.txt").write_bytes(s.encode("big5"))
    out = tmp_path / "out"
    assert main(["build", str(tmp_path / "big5.txt"), "--out", str(out), "--encoding", "big5"]) == 0
    assert _rows(out / "documents.csv")[0]["encoding"] == "big5"
    assert read_document(tmp_path / "big5.txt", encoding="big5").text == s
    capsys.readouterr()
    assert main(["build", str(tmp_path / "big5.txt"), "--out", str(out), "--encoding", "no-such-codec"]) == 1
    assert "unknown encoding 'no-such-codec'" in capsys.readouterr().err


# -- 5. names and folder entries ------------------------------------------------------------------------------

def test_non_utf8_file_name_builds_and_is_written_escaped(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"\xb0\xd7\xb3\xc7.txt")  # 白城 in GBK: not UTF-8, a surrogate-escaped str
    (folder / name).write_bytes((SEEDS / SEED_A).read_bytes())
    out = tmp_path / "out"
    assert main(["build", str(folder), "--out", str(out)]) == 0, capsys.readouterr().err
    # the bytes that are not UTF-8 as \xNN (d7 b3 happens to be UTF-8 for ׳)
    assert [r["id"] for r in _rows(out / "documents.csv")] == ["\\xb0\u05f3\\xc7.txt"]


def test_fifos_symlink_loops_and_unreadable_folders_are_listed(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "in"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.txt").write_bytes((SEEDS / SEED_A).read_bytes())
    (folder / "locked" / "hidden-from-us.txt").write_bytes((SEEDS / SEED_B).read_bytes())
    os.mkfifo(folder / "pipe.txt")
    os.symlink(folder / "loop.txt", folder / "loop.txt")
    real_scandir = os.scandir

    def scandir(path="."):  # what an unreadable folder does to os.walk (root reads every folder)
        if isinstance(path, str | Path) and Path(path) == folder / "locked":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert main(["build", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert f"{folder / 'pipe.txt'}: a FIFO, not a regular file" in err
    assert f"{folder / 'loop.txt'}: a symlink loop, not a file" in err
    assert f"{folder / 'locked'}: cannot read folder: Permission denied" in err
    assert err.splitlines()[0] == "kg: skipped 3 of 4 input files (use --strict to fail):"


def test_control_characters_in_file_names_are_escaped_in_the_summary(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_bytes((SEEDS / SEED_A).read_bytes())
    (folder / "evil\n  forged.txt: fine\n.txt").write_bytes(b"")
    (folder / "\x1b[31mred\x1b[0m.txt").write_bytes(b"")
    assert main(["build", str(folder), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[31mred" in err and "evil\\n  forged" in err
    assert len(err.strip().splitlines()) == 3  # the heading and one line per skipped file


# -- 5. concurrent builds, Ctrl-C, full disks ---------------------------------------------------------------------

def test_second_build_into_a_locked_folder_fails_fast(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(SEEDS / SEED_A), "--out", str(out)]) == 0
    assert not (out / ".kg.lock").exists()  # the lock file goes with the lock
    before = _snapshot(out)
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time; from filelock import FileLock; "
                               "lock = FileLock(sys.argv[1]); lock.acquire(); print('held', flush=True); time.sleep(60)",
                               str(out / ".kg.lock")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        capsys.readouterr()
        assert main(["build", str(SEEDS / SEED_B), "--out", str(out)]) == 1
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"kg: error: {out}: another kg process is writing this output folder")
        assert len(err.splitlines()) == 1
    finally:
        holder.kill()
        holder.wait()
    assert _snapshot(out) == before
    assert main(["build", str(SEEDS / SEED_B), "--out", str(out)]) == 0  # the lock went with its process


class Interrupt:
    def __init__(self, *_a, **_k):
        raise KeyboardInterrupt


@pytest.mark.parametrize("phase", ["kg.stages.segment", "kg.sinks.tables.relation_row",
                                   "kg.sinks.tables._write_manifest", "kg.sinks.html.render_html"])
def test_ctrl_c_at_any_phase_is_a_message_and_130_with_the_output_intact(phase, tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    assert main(["build", str(SEEDS / SEED_A), "--out", str(out)]) == 0
    before = _snapshot(out)
    monkeypatch.setattr(phase, Interrupt)
    capsys.readouterr()
    assert main(["build", str(SEEDS / SEED_B), "--out", str(out), "--html", str(tmp_path / "g.html")]) == 130
    err = capsys.readouterr().err.strip()
    assert err.startswith("kg: interrupted") and len(err.splitlines()) == 1
    if phase != "kg.sinks.html.render_html":  # the tables were complete before the page was drawn
        assert _snapshot(out) == before
    assert not [p for p in out.iterdir() if p.name.startswith(".kg-staging")]


SLOW_BUILD = """
import sys, time
import kg.pipeline

class Slow:
    def tag(self, texts, batch_size=64):
        print("tagging", flush=True)
        time.sleep(60)

kg.pipeline.load_tagger = lambda model: Slow()
from kg.cli import main
sys.exit(main())
"""


def _build_in_a_process(script: str, out: Path) -> subprocess.Popen:
    """`kg build` of one seed into `out`, run by `script` (which stands in for the model) in a child."""
    return subprocess.Popen([sys.executable, "-c", script, "build", str(SEEDS / SEED_A), "--out", str(out)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_sigint_to_a_running_build_exits_130_with_a_message(tmp_path):
    out = tmp_path / "out"
    proc = _build_in_a_process(SLOW_BUILD, out)
    try:
        assert proc.stdout.readline().strip() == "tagging"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130
    assert err.strip().splitlines()[-1].startswith("kg: interrupted") and "Traceback" not in err
    assert not out.exists()


SLOW_EXIT = """
import atexit, sys, time
import kg.pipeline
from kg.ner.engine import NoEntities

def linger():  # what torch's threads and atexit handlers can take on a busy machine
    print("exiting", flush=True)
    time.sleep(60)

atexit.register(linger)
kg.pipeline.load_tagger = lambda model: NoEntities()
from kg.cli import main
sys.exit(main())
"""


def test_sigint_after_the_output_is_complete_exits_130_with_a_message(tmp_path):
    out = tmp_path / "out"
    proc = _build_in_a_process(SLOW_EXIT, out)
    try:
        lines = []
        while not lines or lines[-1] != "exiting":
            lines.append(proc.stdout.readline().strip())
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert lines[0].startswith("built 1 documents") and proc.returncode == 130  # was -2: killed by the signal
    assert err.strip().splitlines()[-1].startswith("kg: interrupted") and "Traceback" not in err
    assert (out / "manifest.json").exists()


def test_disk_full_names_the_file(tmp_path, monkeypatch, capsys):
    import kg.sinks.tables as tables

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")  # as a write() or flush() raises it: no file name

    monkeypatch.setattr(tables, "relation_row", full)
    out = tmp_path / "out"
    assert main(["build", str(SEEDS / SEED_A), "--out", str(out)]) == 1
    assert capsys.readouterr().err.strip() == f"kg: error: {out / 'relations.csv'}: No space left on device"
    # no table half-written; store/ keeps the finished documents' results, which the next build reuses
    assert [p.name for p in out.iterdir()] == ["store"]


def test_neo4j_is_checked_before_tagging(tmp_path, monkeypatch, capsys):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed once the block ends: nothing listens there

    class Never:
        def tag(self, texts, batch_size=64):
            raise AssertionError("tagged before Neo4j was checked")

    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: Never())
    out = tmp_path / "out"
    args = ["build", str(SEEDS / SEED_A), "--out", str(out), "--neo4j", "--uri", f"bolt://127.0.0.1:{port}",
            "--password", "x", "--connect-timeout", "2"]
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"kg: error: cannot reach Neo4j at bolt://127.0.0.1:{port}") and len(err.splitlines()) == 1
    assert not out.exists()


def test_a_port_that_accepts_and_never_answers_fails_in_seconds(tmp_path, capsys):
    import socket
    import threading

    from kg.sinks.tables import write_tables

    out = tmp_path / "out"
    write_tables(_stub_result(), out)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []
    threading.Thread(target=lambda: held.extend(server.accept() for _ in range(3)), daemon=True).start()
    port = server.getsockname()[1]
    started = time.monotonic()
    try:
        code = main(["load", str(out), "--uri", f"bolt://127.0.0.1:{port}", "--password", "x",
                     "--connect-timeout", "1"])
    finally:
        server.close()
    assert code == 1 and time.monotonic() - started < 30  # was 61 s; a generous bound on a busy machine
    err = capsys.readouterr().err.strip()
    assert err == (f"kg: error: cannot reach Neo4j at bolt://127.0.0.1:{port}: no Bolt answer within 1 s "
                   "(not a Neo4j server, or a hung one; --connect-timeout)")


def _stub_result():
    from kg.pipeline import BuildConfig, Pipeline

    return Pipeline(BuildConfig(), tagger=NoEntities()).build([SEEDS / SEED_A])


def test_long_big5_is_not_read_as_gb18030():
    """Big5 bytes decode cleanly as GB18030 (into nonsense); on a paragraph the statistics tell."""
    s = ("白城市公安局民警周佰發在洮北區東風鄉檢查站值班。疫情發生以來，全市公安機關堅決貫徹落實上級決策部署，"
         "全力以赴做好疫情防控工作。民警們放棄休假，堅守崗位，為人民群眾的生命安全和身體健康保駕護航。") * 3
    d = decode(s.encode("big5"), "x.txt")
    assert (d.text, d.encoding) == (s, "big5")


# -- issue 26: hostile and messy input, round two -------------------------------------------------------------

SENTENCE_A, SENTENCE_B = "白城市公安局民警李明在洮北区巡逻。", "洮南市公安局民警王刚在团结广场执勤。"


def _build(folder: Path, out: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["build", str(folder), "--out", str(out), "--workers", "1", *args])
    return code, capsys.readouterr().err


def test_html_dependency_is_declared_and_pinned():
    """Item 1: an older pip does not install lxml's `html_clean` extra, so kg names the package itself."""
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert [d for d in deps if d.replace("-", "_").startswith("lxml_html_clean==")]


@pytest.mark.parametrize("failure", [ImportError("lxml.html.clean module is now a separate project lxml_html_clean"),
                                     RuntimeError("a reader's own bug")])
def test_a_reader_failing_on_one_file_skips_that_file_only(tmp_path, monkeypatch, capsys, failure):
    """Item 1: `kg build p.html a.txt` aborted with an ImportError traceback; a.txt was lost too."""
    def broken(markup):
        raise failure

    monkeypatch.setattr("kg.sources.html_main", broken)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "p.html").write_text(f"<html><body><p>{SENTENCE_A}</p></body></html>", encoding="utf-8")
    (folder / "a.txt").write_text(SENTENCE_B, encoding="utf-8")
    code, err = _build(folder, tmp_path / "out", capsys)
    assert code == 0, err
    assert [r["id"] for r in _rows(tmp_path / "out" / "documents.csv")] == ["a.txt"]
    assert err.splitlines()[0] == "kg: skipped 1 of 2 input files (use --strict to fail):"
    assert f"{folder / 'p.html'}: " in err and str(failure) in err and "Traceback" not in err


def test_one_defect_does_not_lose_a_file(tmp_path, capsys):
    """Item 2: a BOM and a bad byte, an odd last byte of UTF-16, a JSONL line that is not JSON, a NUL
    in a CSV cell and a CSV line with a field too many each lost the whole file; now only the bad part."""
    import codecs

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bom.txt").write_bytes(codecs.BOM_UTF8 + SENTENCE_A.encode() + b"\xff")
    (folder / "u16.txt").write_bytes(codecs.BOM_UTF16_LE + SENTENCE_A.encode("utf-16-le") + b"X")
    (folder / "rows.jsonl").write_text(json.dumps({"text": SENTENCE_A}, ensure_ascii=False) + "\n{bad\n[1, 2]\n"
                                       + json.dumps({"text": SENTENCE_B}, ensure_ascii=False) + "\n", encoding="utf-8")
    (folder / "nul.csv").write_text(f"text\n{SENTENCE_A}\n民警王\x00刚。\n", encoding="utf-8")
    (folder / "wide.csv").write_text(f"id,text\na,{SENTENCE_A}\nb,{SENTENCE_B},extra\nc,{SENTENCE_B}\n",
                                     encoding="utf-8")
    code, err = _build(folder, tmp_path / "out", capsys)
    assert code == 0, err
    docs = {r["id"]: r for r in _rows(tmp_path / "out" / "documents.csv")}
    # a JSONL row keeps its number (row 3 is still #3 with line 2 and 3 damaged), so its id is stable
    assert sorted(docs) == ["a", "bom.txt", "c", "nul.csv#0", "nul.csv#1", "rows.jsonl#0", "rows.jsonl#3", "u16.txt"]
    assert (docs["bom.txt"]["encoding"], docs["u16.txt"]["encoding"]) == ("utf-8-sig", "utf-16")
    assert f"kg: warning: {folder / 'bom.txt'}: 1 byte(s) did not decode as utf-8-sig; replaced by U+FFFD" in err
    assert f"kg: warning: {folder / 'u16.txt'}: 1 byte(s) did not decode as utf-16" in err
    assert "skipped" not in err  # no file was
    assert "kg: 4 part(s) of input files left out or replaced (use --strict to fail):" in err
    assert f"{folder / 'rows.jsonl'} line 2: not JSON" in err and f"{folder / 'rows.jsonl'} line 3: a JSON list" in err
    assert f"{folder / 'wide.csv'} line 3: expected 2 fields, saw 3; dropped" in err
    assert f"{folder / 'nul.csv'}: 1 byte(s) did not decode as utf-8; replaced by U+FFFD" in err
    # --strict: any of these is an error, nothing written
    code, err = _build(folder, tmp_path / "strict", capsys, "--strict")
    assert code == 1 and "rows.jsonl line 2" in err and not (tmp_path / "strict" / "documents.csv").exists()


def test_binary_junk_with_a_bom_or_nuls_is_still_refused():
    import codecs
    import random

    junk = bytes(range(256)) * 8
    noise = random.Random(0).randbytes(4096)
    for data in (codecs.BOM_UTF8 + junk, junk, b"text\n" + b"\x00" * 40 + SENTENCE_A.encode(),
                 codecs.BOM_UTF16_LE + noise, codecs.BOM_UTF8 + noise):
        with pytest.raises(InputError, match="x.txt: .*(binary|do not decode)"):
            decode(data, "x.txt")


def test_duplicate_ids_in_one_csv_stop_the_build(tmp_path, capsys):
    """Item 2: the file was skipped while the README says a duplicate id stops the build; it does."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text(SENTENCE_B, encoding="utf-8")
    (folder / "dup.csv").write_text(f"id,text\nx,{SENTENCE_A}\ny,{SENTENCE_B}\nx,{SENTENCE_B}\n", encoding="utf-8")
    code, err = _build(folder, tmp_path / "out", capsys)
    assert code == 1
    assert err.strip() == (f"kg: error: {folder / 'dup.csv'}: document id 'x' in rows 0 and 2; ids must be unique")
    assert not (tmp_path / "out" / "documents.csv").exists()


def test_typed_table_cells_are_decoded_or_refused_never_written_as_reprs(tmp_path):
    """Item 3: a binary text column was built as b'\\xe7…', a list column as "['…']", silently."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kg.sources import read_documents

    path = tmp_path / "bin.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"],
                             "text": pa.array([SENTENCE_A.encode(), b"\x89PNG\r\n\x1a\n\x00\x00", SENTENCE_B.encode("gbk")],
                                              pa.binary())}), path)
    notes: list[str] = []
    docs = read_documents(path, notes=notes)
    assert [(d.id, d.text) for d in docs] == [("a", SENTENCE_A), ("c", SENTENCE_B)]
    assert notes == [f"{path} row 1 column 'text': bytes that are not text (is a PNG image, not text; extract "
                     "its text first); dropped, the rest is built"]
    path = tmp_path / "list.parquet"
    pq.write_table(pa.table({"text": pa.array([["民警", "李明"]], pa.list_(pa.string()))}), path)
    with pytest.raises(InputError, match=r"list\.parquet row 0, column 'text': holds a ndarray .*not text"):
        read_documents(path)


def test_a_symlink_to_a_file_outside_the_folder_is_refused(tmp_path, capsys):
    """Item 4: `ln -s /etc/passwd in/passwd.txt` made /etc/passwd a document."""
    folder, outside = tmp_path / "in", tmp_path / "private"
    folder.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("民警密码。", encoding="utf-8")
    (folder / "a.txt").write_text(SENTENCE_A, encoding="utf-8")
    os.symlink(outside / "secret.txt", folder / "passwd.txt")
    os.symlink(folder / "a.txt", folder / "same.txt")  # inside the folder: the same file, one document
    files, skipped = find_inputs([folder])
    assert [f.doc_id for f in files] == ["a.txt"]
    assert skipped == [f"{folder / 'passwd.txt'}: a symlink to a file outside {folder}, not followed"]
    code, err = _build(folder, tmp_path / "out", capsys)
    assert code == 0 and "passwd.txt: a symlink to a file outside" in err
    assert "secret" not in (tmp_path / "out" / "documents.csv").read_text(encoding="utf-8")


def test_a_folder_1000_levels_deep_is_walked(tmp_path):
    """Item 8: os.walk recursed (Python 3.11) and raised RecursionError."""
    deep = tmp_path / "in"
    deep.mkdir()
    here = deep
    for _ in range(1000):  # not os.makedirs: it recurses too
        here = here / "d"
        here.mkdir()
    (here / "a.txt").write_text(SENTENCE_A, encoding="utf-8")
    (deep / "b.txt").write_text(SENTENCE_B, encoding="utf-8")
    try:
        files, skipped = find_inputs([deep])
        assert [f.doc_id for f in files] == ["b.txt", "d/" * 1000 + "a.txt"] and skipped == []
    finally:  # pytest's own clean-up (shutil.rmtree) recurses too
        (here / "a.txt").unlink()
        while here != deep:
            here.rmdir()
            here = here.parent


def test_zero_width_characters_do_not_hide_names(stub_pipeline):
    """Item 8: `李\\u200b明` (common on scraped pages) cut the name in two; the span keeps the original text."""
    from kg.text.clean import clean

    text = "白城市公安\u200b局民警李\u200b明在洮\u200c北区巡逻。"
    c = clean(text)
    assert c.text == SENTENCE_A and all(text[o] == ch for o, ch in zip(c.offsets, c.text, strict=True))
    result = stub_pipeline.build_documents([Document(id="z", path="", text=text)])
    names = {e.id: e.name for e in result.entities}
    found = {(m.text, names[m.entity_id]) for m in result.mentions}
    assert {("白城市公安\u200b局", "白城市公安局"), ("李\u200b明", "李明"), ("洮\u200c北区", "洮北区")} <= found
    assert all(text[m.start:m.end] == m.text for m in result.mentions)


def test_bidi_overrides_in_file_names_are_escaped_in_the_summary(tmp_path, capsys):
    """Item 8: a name with U+202E showed reversed in the terminal (`\\u202etxt.exe` reads `exe.txt`)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(SENTENCE_A, encoding="utf-8")
    (folder / "\u202etxt.exe\u2066.txt").write_bytes(b"")
    code, err = _build(folder, tmp_path / "out", capsys)
    assert code == 0 and "\u202e" not in err and "\u2066" not in err
    assert "\\u202etxt.exe\\u2066.txt: empty file" in err


def test_output_names_of_up_to_255_bytes_are_written(tmp_path, capsys):
    """Item 8: the temp file's suffix pushed a 235-255-byte name over the file system's 255."""
    from kg.atomic import atomic_open

    for n in (235, 250, 255):
        name = "图" * ((n - 5) // 3) + "x" * ((n - 5) % 3) + ".html"
        assert len(name.encode()) == n
        with atomic_open(tmp_path / name) as fh:
            fh.write("ok")
        assert (tmp_path / name).read_text() == "ok"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(SENTENCE_A, encoding="utf-8")
    code, err = _build(tmp_path / "in", tmp_path / "out", capsys, "--html", str(tmp_path / name))
    assert code == 0, err
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_a_truncated_pdf_is_one_listed_line_and_no_stray_output(tmp_path):
    """Item 8: pypdf printed "EOF marker not found" (its logger) before kg's own line. In a process of
    its own: under pytest, pytest's log capture would take what a user's terminal gets."""
    path = tmp_path / "cut.pdf"
    path.write_bytes((ROOT / "tests" / "data" / "inputs" / "report.pdf").read_bytes()[:-6])  # no %%EOF
    script = ("import sys; from kg.sources import FileReader; r = FileReader(); "
              "print(list(r.documents([sys.argv[1]])), r.problems)")
    run = subprocess.run([sys.executable, "-c", script, str(path)], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0 and run.stderr == "", run.stderr
    assert run.stdout.strip() == f"[] ['{path}: not a readable PDF: Stream has ended unexpectedly']"


def test_legitimate_replacement_and_private_use_characters_are_text(tmp_path):
    """Item 8: a text quoting U+FFFD, or with private-use characters (a font's glyphs), was refused as binary."""
    text = ("民警李明在洮北区巡逻，遇到乱码\ufffd\ufffd和造字\ue000\ue001。" * 6)
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert doc.text == text and doc.replaced == 0
    path.write_bytes(text.encode("utf-16"))
    assert read_document(path).text == text


def test_an_unexpected_error_is_one_line_without_debug(tmp_path, monkeypatch, capsys):
    """No traceback reaches a user without --debug, whatever fails."""
    def bug(*args, **kwargs):
        raise RuntimeError("something nobody foresaw\nsecond line")

    monkeypatch.setattr("kg.sinks.tables.read_tables", bug)
    (tmp_path / "out").mkdir()
    assert main(["render", str(tmp_path / "out"), "-o", str(tmp_path / "g.html")]) == 1
    err = capsys.readouterr().err
    assert err == "kg: error: RuntimeError: something nobody foresaw (kg --debug shows the traceback)\n"
    with pytest.raises(RuntimeError):
        main(["--debug", "render", str(tmp_path / "out"), "-o", str(tmp_path / "g.html")])
