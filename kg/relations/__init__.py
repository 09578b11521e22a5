"""Relations, one module per family; `extract_relations` runs them in dependency order."""

from __future__ import annotations

from kg.link.places import Gazetteer
from kg.relations.belongs_to import belongs_to
from kg.relations.event_at import event_at
from kg.relations.index import BuildIndex
from kg.relations.people import AliasTable, merge_people
from kg.relations.provenance import mentioned_in
from kg.relations.structure import structure
from kg.types import BuildResult, Relation


def extract_relations(result: BuildResult, gazetteer: Gazetteer, aliases: AliasTable | None = None) -> list[Relation]:
    """All relations of a linked build. May add EVENT entities and merge people (hence the order);
    `aliases`: the user's alias table, which overrides the evidence on who is who."""
    idx = BuildIndex(result)  # shared by the families that read the linked build as it is
    rels = structure(result, gazetteer, idx)
    rels += belongs_to(result, idx)
    rels = merge_people(result, rels, aliases)  # changes person ids: event_at indexes the build anew
    rels += event_at(result, gazetteer, rels)
    rels += mentioned_in(result.entities)
    return rels
