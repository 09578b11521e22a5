"""Atomic outputs: a write that fails or is killed halfway leaves the previous output intact, and
the next run removes the leftovers and converges to what a clean run writes.

Results come from the real seeds through a stub tagger (rules only): what is tested is how files
are written, which does not involve the model.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg.atomic import atomic_open, check_writable, remove_leftovers
from kg.errors import KgError
from kg.sinks.tables import read_tables, write_tables
from tests.fixtures_build import ROOT, SEEDS

OLD, NEW = "000_99624c91e82d4847.txt", "004_86ef6dde4bcc3cb5.txt"

# Writes the NEW seed's tables over OUT, but hangs while writing relations.csv (after documents,
# sentences, mentions and entities are written): the parent kills it there with SIGKILL.
HANGING_WRITER = """
import sys, time
from pathlib import Path
import kg.sinks.tables as tables
from kg.ner.engine import NoEntities
from kg.pipeline import BuildConfig, Pipeline

out, seed, marker = map(Path, sys.argv[1:4])
result = Pipeline(BuildConfig(), tagger=NoEntities()).build([seed])
real_row = tables.relation_row

def hanging_row(r, names):
    marker.write_text("writing relations.csv")
    time.sleep(600)
    return real_row(r, names)

tables.relation_row = hanging_row
tables.write_tables(result, out)
"""



@pytest.fixture(scope="module")
def old_result(stub_pipeline):
    return stub_pipeline.build([SEEDS / OLD])


@pytest.fixture(scope="module")
def new_result(stub_pipeline):
    return stub_pipeline.build([SEEDS / NEW])


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def test_atomic_open_failure_keeps_the_old_file_and_no_temp(tmp_path):
    target = tmp_path / "t.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write("new, half")
        raise RuntimeError("killed")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_atomic_open_gives_normal_permissions(tmp_path):
    """mkstemp makes 0600 files; an output must be readable like any file the user creates."""
    with atomic_open(tmp_path / "new.csv") as fh:
        fh.write("x\n")
    plain = tmp_path / "plain.csv"
    plain.write_text("x\n")
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == plain.stat().st_mode & 0o777
    os.chmod(tmp_path / "new.csv", 0o640)
    with atomic_open(tmp_path / "new.csv") as fh:
        fh.write("y\n")
    assert (tmp_path / "new.csv").stat().st_mode & 0o777 == 0o640  # a replaced file keeps its mode


def test_write_failing_midway_leaves_previous_output_intact(old_result, new_result, tmp_path, monkeypatch):
    import kg.sinks.tables as tables

    out = tmp_path / "out"
    write_tables(old_result, out)
    before = _snapshot(out)
    assert set(before) == {"documents.csv", "sentences.csv", "mentions.csv", "entities.csv", "relations.csv",
                           "graph.json", "manifest.json"}

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tables, "relation_row", broken)  # after four tables are written
    with pytest.raises(OSError):
        write_tables(new_result, out)
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no temp files, no staging folder


def test_killed_midway_leaves_previous_output_then_rerun_converges(old_result, new_result, tmp_path):
    out = tmp_path / "out"
    write_tables(old_result, out)
    before = _snapshot(out)
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", HANGING_WRITER, str(out), str(SEEDS / NEW), str(marker)],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert proc.poll() is None, "the writer died before it got to relations.csv"
            assert time.monotonic() < deadline, "the writer never got to relations.csv"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert _snapshot(out) == before  # the four tables it had finished are not in place
    leftovers = [p for p in out.iterdir() if p.name not in before]
    assert leftovers and all(p.name.startswith(".") for p in leftovers)  # hidden: readers never see them
    staged = {f.name for p in leftovers if p.is_dir() for f in p.iterdir()}
    assert {"documents.csv", "sentences.csv", "mentions.csv", "entities.csv"} <= staged
    assert read_tables(out).documents[0].id == OLD

    write_tables(new_result, out)  # the re-run
    clean = tmp_path / "clean"
    write_tables(new_result, clean)
    assert _snapshot(out) == _snapshot(clean)
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in clean.iterdir())
    assert read_tables(out).documents[0].id == NEW


def test_leftovers_of_live_processes_are_kept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    (tmp_path / f".entities.csv.{dead_pid}.abc123.tmp").write_text("half")
    (tmp_path / f".kg-staging-{dead_pid}-xyz").mkdir()
    (tmp_path / f".entities.csv.{os.getpid()}.def456.tmp").write_text("being written")
    (tmp_path / ".hidden-user-file.tmp").write_text("mine")
    removed = remove_leftovers(tmp_path)
    assert {p.name for p in removed} == {f".entities.csv.{dead_pid}.abc123.tmp", f".kg-staging-{dead_pid}-xyz"}
    assert {p.name for p in tmp_path.iterdir()} == {f".entities.csv.{os.getpid()}.def456.tmp",
                                                   ".hidden-user-file.tmp"}


def test_check_writable_names_the_folder_and_creates_nothing(tmp_path):
    check_writable(tmp_path / "new" / "deeper")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "f").write_text("")
    for bad in (tmp_path / "f", tmp_path / "f" / "out"):
        with pytest.raises(KgError, match=f"^{bad}: cannot write output: "):
            check_writable(bad)
