"""The tables of the seeds and of 20 People's Daily articles, byte for byte as pinned.

A refactor (config, stages, engines) must leave every byte as it was; a change to what the
pipeline finds changes them on purpose: look at the diff (`git diff tests/data/golden`), then
re-take them with `python -m tests.test_golden_tables` and commit the new tables with the change.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from kg.sinks.tables import write_tables

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
TABLES = ("documents.csv", "sentences.csv", "mentions.csv", "entities.csv", "relations.csv")
# inputs as relative paths (documents.csv holds them), built from the checkout's root
SETS = {"seeds": ["seeds"],
        "pd20": sorted(f"tests/data/pd20/{p.name}" for p in (ROOT / "tests/data/pd20").glob("*.txt"))}


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


if __name__ == "__main__":  # re-take the pinned tables
    import tempfile

    from kg.pipeline import Pipeline

    pipe = Pipeline()
    for set_name in sys.argv[1:] or sorted(SETS):
        target = GOLDEN / set_name
        target.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory() as tmp:
            for table, data in build_tables(pipe, set_name, Path(tmp)).items():
                (target / table).write_bytes(data)
                print(f"{target / table}: {len(data)} bytes")
