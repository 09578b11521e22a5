"""The map step on Apache Spark: `kg build … --engine spark --master local[2]|spark://HOST:PORT|yarn`.

Documents are read on the driver and sent to the cluster as a DataFrame; `mapInPandas` maps them
in batches (one model call each) on the Python workers, each loading the model once and keeping
it (Spark reuses its Python workers). Results come back to the driver as they are made, are
written to the same Parquet store as a local build (`kg.store`), and are reduced by the one SQL
fold (`kg.engines.fold`): on DuckDB on the driver (`kg.stream`) when the build is small enough for
graph.json, else by Spark SQL over the store (`kg.engines.spark_reduce`, in the map's session):
either way a Spark build's tables are the local build's, byte for byte.

On a cluster, `kg` must be installed on the workers (the same version: the store checks it).
A local master binds the driver to 127.0.0.1 and the UI is off: nothing listens beyond loopback.
"""

from __future__ import annotations

import os
import pickle
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from kg.config import SPARK_DRIVER_MEMORY, BuildConfig
from kg.corpus import corpus_steps
from kg.errors import KgError
from kg.store import Store, Stored
from kg.types import BuildResult, DocResult, Document

DOC_COLUMNS = ("id", "path", "text", "encoding", "sha256", "date")
# the Python worker's pipelines by config, loaded on first use (a worker maps many batches)
_PIPELINES: dict[str, Any] = {}


def spark_session(master: str, app: str = "kg"):
    """A SparkSession for `master`; local masters stay on loopback, with no UI."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as err:
        raise KgError("--engine spark needs pyspark: pip install 'kg[spark]'") from err
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)  # the workers run this interpreter (this venv)
    builder = (SparkSession.builder.master(master).appName(app)
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.python.worker.reuse", "true")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true"))
    if master.startswith("local"):
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (builder.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                   # one machine: a few shuffle partitions, not a cluster's 200 (the reduce reads each on the driver)
                   .config("spark.sql.shuffle.partitions", "8")
                   .config("spark.driver.memory", os.environ.get("KG_SPARK_DRIVER_MEMORY", SPARK_DRIVER_MEMORY)))
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas")
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _map_partition(config: BuildConfig):
    """The `mapInPandas` function: pandas frames of documents in, pickled DocResults out."""

    def run(frames: Iterable[Any]) -> Iterator[Any]:
        import pandas as pd

        from kg.engines.local import batches
        from kg.pipeline import Pipeline

        key = repr(config)
        if key not in _PIPELINES:
            import torch

            torch.set_num_threads(config.threads or 1)
            _PIPELINES[key] = Pipeline(replace(config, workers=1, threads=config.threads or 1))
        pipeline = _PIPELINES[key]
        for frame in frames:
            docs = [Document(**{c: row[c] for c in DOC_COLUMNS}) for row in frame.to_dict("records")]
            for batch in batches(docs, config.batch_docs, config.part_chars):
                done = pipeline.map_documents(batch)
                yield pd.DataFrame({"id": [d.document.id for d in done],
                                    "result": [pickle.dumps(d, protocol=pickle.HIGHEST_PROTOCOL) for d in done]})

    return run


def map_with_spark(docs: list[Document], config: BuildConfig, master: str, spark: Any = None) -> Iterator[DocResult]:
    """DocResults of `docs`, mapped on Spark, as the driver receives them. `spark`: a session to use
    (and leave running, for the reduce); without one, a session of `master` is started and stopped."""
    if not docs:
        return
    import pandas as pd
    from pyspark.sql.types import StringType, StructField, StructType

    own = spark is None
    spark = spark_session(master) if own else spark
    try:
        schema = StructType([StructField(c, StringType(), False) for c in DOC_COLUMNS])
        frame = pd.DataFrame([{c: getattr(d, c) for c in DOC_COLUMNS} for d in docs], columns=list(DOC_COLUMNS))
        cores = spark.sparkContext.defaultParallelism
        parts = min(len(docs), max(cores, min(len(docs) // max(config.batch_docs, 1), cores * 4)))
        df = spark.createDataFrame(frame, schema).repartition(parts)
        out = df.mapInPandas(_map_partition(config), "id string, result binary")
        for row in out.toLocalIterator():
            yield pickle.loads(row["result"])
    finally:
        if own:
            spark.stop()


def map_paths_with_spark(paths: Iterable[str | Path], config: BuildConfig, store: Store, master: str = "local[2]",
                         spark: Any = None) -> Stored:
    """`Pipeline.map_paths` on Spark: read on the driver, map what the store lacks, write its shards.
    `spark`: see `map_with_spark`."""
    from kg.sources import reading, unique
    from kg.text.read import find_inputs

    docs: list[Document] = []
    stored = Stored()
    inputs, skipped = find_inputs(paths)
    with reading(config, inputs, skipped) as reader:
        stored.problems = reader.problems
        for doc in unique(reader.documents(inputs), config.doc_date):
            reader.finished(doc.id)  # read on the driver; no progress bar to keep per document
            stored.live.append(doc.id)
            if store.has(doc):
                stored.reused += 1
            else:
                docs.append(doc)

    shard: list[DocResult] = []
    for done in map_with_spark(docs, config, master, spark):
        shard.append(done)
        if len(shard) >= config.batch_docs:
            store.write(shard)
            shard = []
    store.write(shard)
    store.prune(stored.live)
    return stored


def build_with_spark(paths: Iterable[str | Path], config: BuildConfig, store: Store, master: str = "local[2]") -> BuildResult:
    """`Pipeline.build` with the map on Spark, reduced from the store (on DuckDB, `kg.stream.reduce_store`)."""
    from kg.stream import reduce_store

    stored = map_paths_with_spark(paths, config, store, master)
    result = reduce_store(store, stored.live, corpus_steps(config.aliases), problems=stored.problems)
    result.reused = stored.reused
    return result
