"""Relations, one module per family; `document_relations` runs them in dependency order."""

from __future__ import annotations

from kg.link.places import Gazetteer
from kg.relations.belongs_to import belongs_to
from kg.relations.event_at import event_at
from kg.relations.index import BuildIndex
from kg.relations.provenance import mentioned_in
from kg.relations.structure import structure
from kg.types import BuildResult, Relation


def document_relations(result: BuildResult, gazetteer: Gazetteer) -> list[Relation]:
    """The relations of one linked document (the map step). May add EVENT entities (hence the order).

    People are merged across documents later, by the reduce (`kg.reduce`)."""
    idx = BuildIndex(result)  # shared by the families that read the linked build as it is
    rels = structure(result, gazetteer, idx)
    rels += belongs_to(result, idx)
    rels += event_at(result, gazetteer, rels, idx)
    rels += mentioned_in(result.entities)
    return rels

