"""One node per person across documents, when (and only when) name and unit agree.

Two documents naming 张凯 may mean two people; two documents naming 张凯 of the same unit mean
one. So a person's key is (name, first unit) when a BELONGS_TO gives one, else (name, document).
Anonymised people (白某) are never merged across documents.
"""

from __future__ import annotations

from kg.link.linker import entity_id
from kg.types import BuildResult, Entity, Relation


def merge_people(result: BuildResult, rels: list[Relation]) -> list[Relation]:
    unit = {}
    for r in rels:
        if r.relation == "BELONGS_TO":
            unit.setdefault(r.source_id, r.target_id)
    new_id: dict[str, str] = {}
    merged: dict[str, Entity] = {}
    keep: list[Entity] = []
    for e in result.entities:
        if e.type != "PERSON" or e.attrs.get("anonymized") or e.id not in unit:
            keep.append(e)
            continue
        nid = entity_id("PERSON", ("PERSON", e.name, unit[e.id]))
        new_id[e.id] = nid
        if nid in merged:
            target = merged[nid]
            target.mentions.extend(e.mentions)
            for a in e.aliases:
                if a not in target.aliases and a != target.name:
                    target.aliases.append(a)
            continue
        e.id = nid
        merged[nid] = e
        keep.append(e)
    result.entities = keep
    for m in result.mentions:
        m.entity_id = new_id.get(m.entity_id, m.entity_id)
    out, seen = [], set()
    for r in rels:
        r.source_id = new_id.get(r.source_id, r.source_id)
        r.target_id = new_id.get(r.target_id, r.target_id)
        if r.key not in seen:
            seen.add(r.key)
            out.append(r)
    return out
