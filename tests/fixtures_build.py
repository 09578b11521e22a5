"""Build fixtures: the shipped model on the real seeds, built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.ner.engine import NoEntities
from kg.pipeline import BuildConfig, Pipeline
from kg.sinks.tables import write_tables

__all__ = ["ROOT", "SEEDS", "NoEntities", "pipeline", "stub_pipeline", "seeds_result", "seeds_out"]

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    """The default pipeline (shipped model, rules, linker): loading the model once saves minutes."""
    return Pipeline(BuildConfig())


@pytest.fixture(scope="session")
def seeds_result(pipeline):
    """`kg build seeds/` as a BuildResult."""
    return pipeline.build([SEEDS])


@pytest.fixture(scope="session")
def seeds_out(seeds_result, tmp_path_factory) -> Path:
    """`kg build seeds/ --out DIR`: the output folder."""
    out = tmp_path_factory.mktemp("seeds-out")
    write_tables(seeds_result, out)
    return out


@pytest.fixture(scope="session")
def stub_pipeline() -> Pipeline:
    return Pipeline(BuildConfig(), tagger=NoEntities())
