"""`kg build --out DIR`: map into DIR/store (here, in worker processes, or on Spark), reduce, write the tables.

Up to `GRAPH_DOCS` documents (or with graph="yes") the reduce runs in memory and graph.json is
written with the tables; past that, the tables are written straight from the store's shards by
one SQL fold (`kg.engines.fold`), on DuckDB (`kg.stream`, out of core) or, with the Spark engine,
on Spark (`kg.engines.spark_reduce`), in memory that hardly grows with the corpus.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.config import GRAPH_DOCS, BuildConfig
from kg.reduce import Reducer, corpus_steps
from kg.sinks.tables import write_tables
from kg.stages import stage_versions
from kg.store import Store, Stored, pipeline_version
from kg.stream import write_tables_from_store
from kg.types import BuildResult


@dataclass
class FolderBuild:
    stored: Stored  # documents built, reused from the store, files skipped
    counts: dict[str, int]  # rows written: entities, relations, mentions
    result: BuildResult | None  # the build in memory, when it was reduced in memory


def build_folder(files: list[Path], config: BuildConfig, out_dir: Path, engine: str = "local", master: str = "local[2]",
                 rebuild: bool = False, graph: str = "auto", progress: Callable[[int], Any] | None = None,
                 bom: bool = False, lang: str = "en") -> FolderBuild:
    store = Store(out_dir / "store", pipeline_version(config.model, f"doc_date={config.doc_date}",
                                                      stage_versions(config.stages)))
    steps = corpus_steps(config.aliases)
    if rebuild:
        store.prune(())
    in_memory = graph == "yes" or (graph == "auto" and len(files) <= GRAPH_DOCS)
    keep = Reducer(steps=steps) if in_memory else None  # results folded as they come: no read-back of the shards
    if engine == "spark" and keep is None:  # one session for the map and the Spark SQL reduce
        from kg.engines.spark import map_paths_with_spark, spark_session
        from kg.engines.spark_reduce import write_tables_with_spark

        spark = spark_session(master)
        try:
            stored = map_paths_with_spark(files, config, store, master=master, spark=spark)
            counts = write_tables_with_spark(spark, store, stored.live, out_dir, steps,
                                             keep_all=config.aliases is not None, bom=bom,
                                             lang=lang) if stored.live else {}
        finally:
            spark.stop()
        return FolderBuild(stored, counts, None)
    if engine == "spark":
        from kg.engines.spark import map_paths_with_spark

        stored = map_paths_with_spark(files, config, store, master=master, keep=keep)
    else:
        from kg.pipeline import Pipeline

        stored = Pipeline(config).map_paths(files, store, progress=progress, keep=keep)
    if not stored.live:
        return FolderBuild(stored, {}, None)
    if keep is None:
        counts = write_tables_from_store(store, stored.live, out_dir, steps, keep_all=config.aliases is not None,
                                         bom=bom, lang=lang)
        return FolderBuild(stored, counts, None)
    for done in store.read([d for d in stored.live if d not in keep.documents]):  # reused from the store
        keep.add(done)
    keep.problems += stored.problems
    result = keep.result()
    write_tables(result, out_dir, bom=bom, lang=lang)
    counts = {"entities": len(result.entities), "relations": len(result.relations), "mentions": len(result.mentions)}
    return FolderBuild(stored, counts, result)
