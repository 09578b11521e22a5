"""The corpus-level steps: what runs on the whole build before the fold (today: who is who across
documents, `kg.relations.people`). They decide which entity ids become one; the fold
(`kg.engines.fold`) renames them. Kept apart from `kg.reduce` so the reduce's engines
(`kg.stream`, `kg.engines.spark_reduce`) can name them without importing the reduce itself.
"""

from __future__ import annotations

from collections.abc import Callable

from kg.relations.people import AliasTable, merge_people
from kg.types import BuildResult


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
