"""The tables of the seeds and of 20 People's Daily articles, byte for byte as pinned.

A refactor (config, stages, engines) must leave every byte as it was; a change to what the
pipeline finds changes them on purpose: bump the version of the stage(s) it changes in
kg/stages.py (the store re-maps by it), re-take them with `python -m tests.test_golden_tables`
(which refuses new tables under the old versions), look at `git diff tests/data/golden` and
commit the new tables with the change. `stages.txt` holds the versions the tables were taken with.
"""

from __future__ import annotations

import os
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
    changed = [f"{name}/{table}" for name, tables in built.items() for table, data in tables.items()
               if not (GOLDEN / name / table).is_file() or (GOLDEN / name / table).read_bytes() != data]
    if changed and same_versions:
        sys.exit(f"{', '.join(changed)} changed, but no stage's version did: bump the version of the stage(s) "
                 "whose results changed in kg/stages.py (stored results are re-mapped by it), then re-take")
    for name, tables in built.items():
        (GOLDEN / name).mkdir(parents=True, exist_ok=True)
        for table, data in tables.items():
            (GOLDEN / name / table).write_bytes(data)
            print(f"{GOLDEN / name / table}: {len(data)} bytes{' (changed)' if f'{name}/{table}' in changed else ''}")
    (GOLDEN / "stages.txt").write_text(versions(), encoding="utf-8")
