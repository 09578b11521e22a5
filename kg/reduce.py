"""The reduce: per-document results merged into one build, the same for any input order.

Each document is linked on its own (`Pipeline.map_document`), so an entity that several documents
name (a place, a unit) comes back once per document, with the same id. Merging them is one fold,
written once as SQL (`kg.engines.fold`: its rules are there), keyed by entity id and free of input
order, run by DuckDB for every local build (`kg.stream`: the results in memory as Arrow tables, or
the store's Parquet shards) and by Spark (`kg.engines.spark_reduce`). Before the fold, the
corpus-level steps of `CORPUS_STEPS` (who is who across documents) decide which ids become one
(`kg.stream.rename_table`); the fold renames them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kg.corpus import CORPUS_STEPS, corpus_steps
from kg.stream import reduce_results
from kg.types import BuildResult, DocResult

__all__ = ["CORPUS_STEPS", "corpus_steps", "reduce_documents"]


def reduce_documents(docs: Iterable[DocResult], problems: Iterable[str] = (),
                     steps: Iterable[Callable[[BuildResult], None]] = CORPUS_STEPS) -> BuildResult:
    """Merge per-document results (any order) into one build: the fold on an in-memory DuckDB."""
    return reduce_results(docs, problems, tuple(steps))
