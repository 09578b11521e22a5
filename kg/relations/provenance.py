"""MENTIONED_IN: every entity points at each document that names it."""

from __future__ import annotations

from collections import Counter

from kg.types import Entity, Evidence, Mention, Relation, document_node_id


def mentioned_in(entities: list[Entity]) -> list[Relation]:
    """Provenance: entity → document, with the mention count and the first sentence naming it."""
    out = []
    for e in entities:
        first: dict[str, Mention] = {}
        counts: Counter = Counter()
        for m in e.mentions:
            counts[m.doc_id] += 1
            if m.doc_id not in first or (m.sentence, m.start) < (first[m.doc_id].sentence, first[m.doc_id].start):
                first[m.doc_id] = m
        for doc_id, m in sorted(first.items()):
            out.append(Relation(e.id, "MENTIONED_IN", document_node_id(doc_id), {"count": counts[doc_id]},
                                Evidence(doc_id, m.sentence, m.start, m.end, m.norm or m.text)))
    return out
