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

from kg.relations.people import AliasTable, merge_people
from kg.types import BuildResult, DocResult


def _people_across_documents(result: BuildResult) -> None:
    result.relations = merge_people(result, result.relations)


CORPUS_STEPS: tuple[Callable[[BuildResult], None], ...] = (_people_across_documents,)


def corpus_steps(aliases: AliasTable | None = None) -> tuple[Callable[[BuildResult], None], ...]:
    """The corpus-level steps, in order: who is who across documents (`kg.relations.people`), with
    the user's alias table, if any (without one: `CORPUS_STEPS`, which the fold runs name by name)."""
    if aliases is None:
        return CORPUS_STEPS

    def people_across_documents(result: BuildResult) -> None:
        result.relations = merge_people(result, result.relations, aliases)

    return (people_across_documents,)


def reduce_documents(docs: Iterable[DocResult], problems: Iterable[str] = (),
                     steps: Iterable[Callable[[BuildResult], None]] = CORPUS_STEPS) -> BuildResult:
    """Merge per-document results (any order) into one build: the fold on an in-memory DuckDB."""
    from kg.stream import reduce_results

    return reduce_results(docs, problems, tuple(steps))
