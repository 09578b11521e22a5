"""The streamed reduce on Spark: `kg.engines.fold`'s SQL, transpiled by sqlglot, over the store's shards.

What `kg.stream.write_tables_from_store` runs on DuckDB, run by Spark SQL so a cluster's executors
hold the fold. Spark only names the fold's inputs: each table of the store (`store/<table>/*.parquet`)
with its shard's name, the build's documents, and the corpus-level identity (`kg.stream.write_renamed`:
old → new id, and an alias table's name, as a Parquet file beside the shards, where executors read).
The fold's views follow, in Spark's dialect; the driver writes each sorted output query
(`toLocalIterator`: one partition at a time) with the row functions and the table writer of
`kg.engines.fold.write_folded`, so the bytes are the local build's, `bom` and `lang` included.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kg.atomic import staged_folder
from kg.corpus import CORPUS_STEPS
from kg.engines.fold import spark_sql, views, write_folded
from kg.sinks.tables import MANIFEST, seal
from kg.store import TABLES, Store
from kg.stream import write_renamed


def register_inputs(spark: Any, store: Store, live: list[str], renamed: Path) -> None:
    """The fold's inputs as temporary views: `<table>_shards` (with `shard`), `wanted`, `renamed`."""
    from pyspark.sql import functions as F

    for table in TABLES:
        df = spark.read.parquet(str(store.folder / table / "*.parquet"))
        df.withColumn("shard", F.regexp_extract(F.col("_metadata.file_path"), r"([^/]+)\.parquet$", 1)) \
            .createOrReplaceTempView(f"{table}_shards")
    spark.createDataFrame([(d,) for d in live], "doc string").createOrReplaceTempView("wanted")
    spark.read.parquet(str(renamed)).createOrReplaceTempView("renamed")


def write_tables_with_spark(spark: Any, store: Store, live: Iterable[str], out_dir: str | Path,
                            steps: tuple = CORPUS_STEPS, keep_all: bool = False, bom: bool = False,
                            lang: str = "en") -> dict[str, int]:
    """`kg.stream.write_tables_from_store` with the fold on Spark: every CSV table of the documents
    `live` into `out_dir`, all or nothing (no graph.json); row counts."""
    live = sorted(set(live))
    renamed = store.folder / "renamed" / "renamed.parquet"  # beside the shards: where the executors read
    write_renamed(store, live, renamed, steps, keep_all)
    register_inputs(spark, store, live, renamed)
    kept = []
    try:
        for name, query, keep in views(store.version):
            df = spark.sql(spark_sql(query))
            if keep:
                kept.append(df.cache())
            df.createOrReplaceTempView(name)
        with staged_folder(out_dir, last=MANIFEST) as out:
            counts = write_folded(lambda query: (row.asDict() for row in spark.sql(spark_sql(query)).toLocalIterator()),
                                  out, bom, lang)
            (out / "graph.json").unlink(missing_ok=True)
            seal(out, out_dir)
    finally:
        for df in kept:
            df.unpersist()
    (Path(out_dir) / "graph.json").unlink(missing_ok=True)  # a previous build's, out of step with these tables
    return counts
