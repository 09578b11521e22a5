"""`kg build --out DIR`: map into DIR/store (here, in worker processes, or on Spark), reduce, write the tables.

Every build is reduced by one SQL fold (`kg.engines.fold`) over the store's shards. Up to `GRAPH_DOCS`
documents (or with graph="yes") DuckDB folds them into the build as records (`kg.stream.reduce_store`),
which write the tables and graph.json; past that, the tables are written straight from the fold's
sorted rows, on DuckDB (`kg.stream.write_tables_from_store`, out of core) or, with the Spark engine,
on Spark (`kg.engines.spark_reduce`), in memory that hardly grows with the corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.config import GRAPH_DOCS, BuildConfig
from kg.corpus import corpus_steps
from kg.sinks.tables import write_tables
from kg.stages import stage_versions
from kg.store import Store, Stored, pipeline_version
from kg.stream import reduce_store, write_tables_from_store
from kg.types import BuildResult


@dataclass
class FolderBuild:
    stored: Stored  # documents built, reused from the store, files skipped
    counts: dict[str, int]  # rows written: entities, relations, mentions
    result: BuildResult | None  # the build as records, when it was small enough for graph.json


def build_folder(files: list[Path], config: BuildConfig, out_dir: Path, engine: str = "local", master: str = "local[2]",
                 rebuild: bool = False, graph: str = "auto", progress: Callable[[int], Any] | None = None,
                 bom: bool = False, lang: str = "en") -> FolderBuild:
    store = Store(out_dir / "store", pipeline_version(config.model, f"doc_date={config.doc_date}",
                                                      stage_versions(config.stages)))
    steps = corpus_steps(config.aliases)
    if rebuild:
        store.prune(())
    in_memory = graph == "yes" or (graph == "auto" and len(files) <= GRAPH_DOCS)
    keep_all = config.aliases is not None
    if engine == "spark" and not in_memory:  # one session for the map and the Spark SQL reduce
        from kg.engines.spark import map_paths_with_spark, spark_session
        from kg.engines.spark_reduce import write_tables_with_spark

        spark = spark_session(master)
        try:
            stored = map_paths_with_spark(files, config, store, master=master, spark=spark)
            counts = write_tables_with_spark(spark, store, stored.live, out_dir, steps, keep_all=keep_all, bom=bom,
                                             lang=lang) if stored.live else {}
        finally:
            spark.stop()
        return FolderBuild(stored, counts, None)
    if engine == "spark":
        from kg.engines.spark import map_paths_with_spark

        stored = map_paths_with_spark(files, config, store, master=master)
    else:
        from kg.pipeline import Pipeline

        stored = Pipeline(config).map_paths(files, store, progress=progress)
    if not stored.live:
        return FolderBuild(stored, {}, None)
    if not in_memory:
        counts = write_tables_from_store(store, stored.live, out_dir, steps, keep_all=keep_all, bom=bom, lang=lang)
        return FolderBuild(stored, counts, None)
    result = reduce_store(store, stored.live, steps, keep_all=keep_all, problems=stored.problems)
    write_tables(result, out_dir, bom=bom, lang=lang)
    counts = {"entities": len(result.entities), "relations": len(result.relations), "mentions": len(result.mentions)}
    return FolderBuild(stored, counts, result)
