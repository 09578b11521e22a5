"""The tables of the seeds and of 20 People's Daily articles, byte for byte as pinned.

A refactor (config, stages, engines) must leave every byte as it was; a change to what the
pipeline finds changes them on purpose: bump the version of the stage(s) it changes in
kg/stages.py (the store re-maps by it), re-take them with `python -m tests.test_golden_tables`
(which refuses new tables under the old versions), look at `git diff tests/data/golden` and
commit the new tables with the change. `stages.txt` holds the versions the tables were taken with.

A third set, 300 People's Daily articles (the first 300 of 1998-01 as `../shared/eval/pd_silver.py
articles` writes them), is pinned by the sha256 of each table (`pd300.sha256`), not the tables: it
needs ../shared (CI has it; a user's clone skips it).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.config import STAGES
from kg.sinks.tables import write_tables
from kg.stages import stage_versions

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
TABLES = ("documents.csv", "sentences.csv", "mentions.csv", "entities.csv", "relations.csv")
# inputs as relative paths (documents.csv holds them), built from the checkout's root
SETS = {"seeds": ["seeds"],
        "pd20": sorted(f"tests/data/pd20/{p.name}" for p in (ROOT / "tests/data/pd20").glob("*.txt"))}
SHARED = ROOT.parent / "shared"
PD_CORPUS = SHARED / "corpora" / "pku-peoples-daily-1998" / "199801.txt.xz"
PD_SILVER = SHARED / "eval" / "pd_silver.py"
PD300 = GOLDEN / "pd300.sha256"


def versions() -> str:
    return "".join(f"{name} {version}\n" for name, version in stage_versions(STAGES))


def build_tables(pipeline, name: str, out: Path) -> dict[str, bytes]:
    """The five tables of `SETS[name]` built by `pipeline` into `out`."""
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        write_tables(pipeline.build(SETS[name]), out)
    finally:
        os.chdir(here)
    return {t: (out / t).read_bytes() for t in TABLES}


@pytest.mark.parametrize("name", sorted(SETS))
def test_the_tables_are_the_pinned_ones(pipeline, name, tmp_path):
    built = build_tables(pipeline, name, tmp_path)
    for table, data in built.items():
        pinned = (GOLDEN / name / table).read_bytes()
        assert data == pinned, (f"{name}/{table} differs from tests/data/golden/{name}/{table}; "
                                "re-take on purpose with python -m tests.test_golden_tables")


def pd300_articles(where: Path) -> Path:
    """`where/pd300/`: the first 300 articles of People's Daily 1998-01, one file each."""
    folder = where / "pd300"
    subprocess.run([sys.executable, str(PD_SILVER), "articles", str(PD_CORPUS), str(folder), "--days", "all"],
                   check=True, capture_output=True)
    for extra in sorted(folder.glob("*.txt"))[300:]:
        extra.unlink()
    return folder


def pd300_digests(pipeline, where: Path) -> str:
    """One line per table of the 300 articles' build: name, sha256, bytes."""
    folder = pd300_articles(where)
    here = os.getcwd()
    os.chdir(folder.parent)  # documents.csv holds the paths as given: pd300/<article>.txt
    try:
        write_tables(pipeline.build(sorted(f"pd300/{p.name}" for p in folder.glob("*.txt"))), where / "out")
    finally:
        os.chdir(here)
    return "".join(f"{t} {hashlib.sha256(b := (where / 'out' / t).read_bytes()).hexdigest()} {len(b)}\n"
                   for t in TABLES)


@pytest.mark.skipif(not PD_CORPUS.is_file(), reason="needs ../shared (the People's Daily corpus)")
def test_the_300_articles_tables_are_the_pinned_ones(pipeline, tmp_path):
    assert pd300_digests(pipeline, tmp_path) == PD300.read_text(encoding="utf-8"), (
        "the tables of 300 People's Daily articles differ from tests/data/golden/pd300.sha256; "
        "re-take on purpose with python -m tests.test_golden_tables")


def test_the_tables_were_taken_with_these_stage_versions():
    """A stage's new version comes with tables re-taken (and re-taken tables with a new version)."""
    assert (GOLDEN / "stages.txt").read_text(encoding="utf-8") == versions()


if __name__ == "__main__":  # re-take the pinned tables
    import tempfile

    from kg.pipeline import Pipeline

    pipe = Pipeline()
    same_versions = (GOLDEN / "stages.txt").is_file() and (GOLDEN / "stages.txt").read_text(encoding="utf-8") == versions()
    with tempfile.TemporaryDirectory() as tmp:
        built = {name: build_tables(pipe, name, Path(tmp) / name) for name in sys.argv[1:] or sorted(SETS)}
        digests = pd300_digests(pipe, Path(tmp)) if PD_CORPUS.is_file() and not sys.argv[1:] else None
    changed = [f"{name}/{table}" for name, tables in built.items() for table, data in tables.items()
               if not (GOLDEN / name / table).is_file() or (GOLDEN / name / table).read_bytes() != data]
    if digests is not None and PD300.is_file() and PD300.read_text(encoding="utf-8") != digests:
        changed.append(PD300.name)
    if changed and same_versions:
        sys.exit(f"{', '.join(changed)} changed, but no stage's version did: bump the version of the stage(s) "
                 "whose results changed in kg/stages.py (stored results are re-mapped by it), then re-take")
    for name, tables in built.items():
        (GOLDEN / name).mkdir(parents=True, exist_ok=True)
        for table, data in tables.items():
            (GOLDEN / name / table).write_bytes(data)
            print(f"{GOLDEN / name / table}: {len(data)} bytes{' (changed)' if f'{name}/{table}' in changed else ''}")
    if digests is not None:
        PD300.write_text(digests, encoding="utf-8")
        print(f"{PD300}{' (changed)' if PD300.name in changed else ''}")
    elif not sys.argv[1:]:
        print(f"{PD300}: not re-taken (no ../shared)")
    (GOLDEN / "stages.txt").write_text(versions(), encoding="utf-8")
