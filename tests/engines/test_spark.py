"""`--engine spark`: a Spark build (local[2], loopback only) writes the local build's bytes."""

from __future__ import annotations

import pytest

from kg.pipeline import BuildConfig
from kg.sinks.tables import write_tables
from kg.store import Store, pipeline_version
from tests.engines.test_scale import OUTPUTS, PD20

pytest.importorskip("pyspark")


@pytest.mark.slow
def test_spark_build_of_twenty_articles_equals_the_local_build(pipeline, tmp_path, monkeypatch):
    from kg.engines.spark import build_with_spark

    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    files = sorted(PD20.glob("*.txt"))
    assert len(files) == 20
    config = BuildConfig(batch_docs=4)
    store = Store(tmp_path / "spark" / "store", pipeline_version(config.model))
    spark = build_with_spark(files, config, store, master="local[2]")
    assert spark.reused == 0 and len(spark.documents) == 20
    write_tables(spark, tmp_path / "spark")
    write_tables(pipeline.build(files), tmp_path / "local")
    for name in OUTPUTS:
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "local" / name).read_bytes(), name
    assert len(list((tmp_path / "spark" / "store" / "documents").glob("*.parquet"))) >= 2  # shards as results came
    again = build_with_spark(files, config, Store(store.folder, store.version), master="local[2]")
    assert again.reused == 20  # nothing to map: Spark is not even started
