"""Who is who across documents: one node per person where the evidence allows, and an alias table.

The linker makes one PERSON node per name per document. Across documents a name is one person
unless what the people are tied to says otherwise: their *local* units (a unit with a place: 白城市
公安局园区分局, in 白城市). Two same-name people conflict when both have local units and no unit of
one lies on the other's PART_OF chain (a 派出所 of 长春 and a 分局 of 白城; two 派出所 of one city).
A unit of the other's chain agrees (园区分局 and its 白城市公安局); national bodies (国务院) have no
place and so never split anyone. Per name, people with local units are grouped greedily (every
member agreeing with every other), in an order taken from their content, not from the input; people
with no such evidence join the group when there is only one, else stay together as one more node.
Partly anonymised people (白某, 熊女士) are never merged.

A user's alias table (CSV: form, canonical name, type) overrides both: every entity of that type
named or aliased `form` becomes `canonical`, one node across documents; an empty canonical name
keeps everyone of that name apart (one node per document).

`merge_people` works on a whole linked build and is order-independent: ids are hashes of content
keys, and duplicates keep the evidence that comes first in (document, sentence) order.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.link.linker import entity_id
from kg.text.script import simplified
from kg.types import ENTITY_TYPES, BuildResult, Entity, Relation


@dataclass(frozen=True)
class AliasTable:
    """The user's word on identity, read from a CSV of (form, canonical name, type) rows."""

    canonical: dict[tuple[str, str], str] = field(default_factory=dict)  # (type, form) → canonical name
    apart: frozenset[str] = frozenset()  # person names never merged across documents

    def lookup(self, e: Entity) -> str | None:
        for form in (e.name, *e.aliases):
            if (e.type, form) in self.canonical:
                return self.canonical[(e.type, form)]
        return None


def read_aliases(path: str | Path) -> AliasTable:
    """Rows `form,canonical,type` (a header row of those words is skipped). An error names the file
    and line: a row without three fields, or a type other than PERSON, ORG, LOC, DATE."""
    canonical: dict[tuple[str, str], str] = {}
    apart: set[str] = set()
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = list(csv.reader(fh))
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: cannot read the alias table: {err}") from err
    for n, row in enumerate(rows, 1):
        cells = [c.strip() for c in row]
        if not any(cells) or (n == 1 and [c.lower() for c in cells[:3]] == ["form", "canonical", "type"]):
            continue
        if len(cells) < 3 or not cells[0]:
            raise InputError(f"{path}: line {n}: expected form,canonical,type; got {','.join(row)!r}")
        form, name, kind = cells[0], cells[1], cells[2].upper()
        if kind not in ENTITY_TYPES:
            raise InputError(f"{path}: line {n}: type {cells[2]!r} is not one of {', '.join(ENTITY_TYPES)}")
        if name:
            canonical[(kind, form)] = name
        elif kind == "PERSON":
            apart.add(form)
        else:
            raise InputError(f"{path}: line {n}: an empty canonical name (keep apart) is for PERSON rows only")
    return AliasTable(canonical, frozenset(apart))


def merge_people(result: BuildResult, rels: list[Relation], aliases: AliasTable | None = None) -> list[Relation]:
    """Merge entities of the whole build as the module docstring says; rename their ids in
    `result.entities`, `result.mentions` and the relations (returned, duplicates dropped)."""
    aliases = aliases or AliasTable()
    new_id: dict[str, str] = {}
    new_name: dict[str, str] = {}
    people: dict[str, list[Entity]] = defaultdict(list)
    for e in result.entities:
        if (name := aliases.lookup(e)) is not None:
            new_id[e.id] = entity_id(e.type, (e.type, name))
            new_name[e.id] = name
        elif e.type == "PERSON" and not e.attrs.get("anonymized") and e.name not in aliases.apart:
            people[simplified(e.name)].append(e)  # 張偉 of a Traditional article is 张伟
    chains = _chains(rels)
    units = _local_units(rels, chains, {e.id for e in result.entities if e.type == "LOC"})
    for name, group in people.items():
        new_id.update(person_ids(name, group, units, chains))
    result.entities = _merge_entities(result.entities, new_id, new_name)
    for m in result.mentions:
        m.entity_id = new_id.get(m.entity_id, m.entity_id)
    return _rename_relations(rels, new_id)


def person_ids(name: str, group: list[Entity], units: dict[str, frozenset[str]], chains: dict[str, set[str]]
               ) -> dict[str, str]:
    """Old → new id of the people of one (simplified) name, given their local units (person id →
    units) and the units' chains (`chains_of`): the merge of one name, for readers that go name by name."""
    return {e.id: entity_id("PERSON", ("PERSON", name, *key))
            for key, members in _clusters(group, units, chains) for e in members}


def _chains(rels: list[Relation]) -> dict[str, set[str]]:
    up: dict[str, set[str]] = defaultdict(set)
    for r in rels:
        if r.relation in ("PART_OF", "LOCATED_IN"):
            up[r.source_id].add(r.target_id)
    return chains_of(up)


def chains_of(up: dict[str, set[str]]) -> dict[str, set[str]]:
    """Every node's PART_OF / LOCATED_IN ancestors, itself included, from node → parents."""
    out: dict[str, set[str]] = {}

    def chain(x: str) -> set[str]:
        if x not in out:
            out[x] = {x}
            for p in sorted(up.get(x, ())):
                out[x] |= chain(p)
        return out[x]

    for x in sorted(up):
        chain(x)
    return defaultdict(set, out)


def _local_units(rels: list[Relation], chains: dict[str, set[str]], places: set[str]) -> dict[str, frozenset[str]]:
    """Person id → the units it belongs to that lie in some place (a unit's chain reaches a LOC)."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in rels:
        if r.relation == "BELONGS_TO" and (chains.get(r.target_id, set()) & places):
            out[r.source_id].add(r.target_id)
    return {k: frozenset(v) for k, v in out.items()}


def _agree(a: frozenset[str], b: frozenset[str], chains: dict[str, set[str]]) -> bool:
    return any(u in chains.get(v, {v}) or v in chains.get(u, {u}) for u in a for v in b)


def _clusters(group: list[Entity], units: dict[str, frozenset[str]], chains: dict[str, set[str]]
              ) -> list[tuple[tuple[str, ...], list[Entity]]]:
    """Same-name people → (id key suffix, members). One group: suffix (); several: the least unit id
    of each group with evidence, () for the people with none."""
    order = sorted(group, key=lambda e: (sorted(units.get(e.id, ())), e.documents, e.id))
    placed: list[tuple[set[str], list[Entity]]] = []  # (units of the group, members)
    loose: list[Entity] = []
    for e in order:
        mine = units.get(e.id)
        if not mine:
            loose.append(e)
            continue
        for us, members in placed:
            if all(_agree(mine, units[m.id], chains) for m in members):
                us |= mine
                members.append(e)
                break
        else:
            placed.append((set(mine), [e]))
    if len(placed) <= 1:
        return [((), [m for _, ms in placed for m in ms] + loose)]
    out = [((min(us),), members) for us, members in placed]
    return out + ([((), loose)] if loose else [])


def _merge_entities(entities: list[Entity], new_id: dict[str, str], new_name: dict[str, str]) -> list[Entity]:
    """Entities sharing a new id become one: mentions, aliases and documents pooled, the member that
    comes first by content (documents, old id) giving the rest."""
    groups: dict[str, list[Entity]] = defaultdict(list)
    for e in entities:
        groups[new_id.get(e.id, e.id)].append(e)
    out, done = [], set()
    for e in entities:
        nid = new_id.get(e.id, e.id)
        if nid in done:
            continue
        done.add(nid)
        members = sorted(groups[nid], key=lambda m: (m.documents, m.id))
        head = members[0]
        name = new_name.get(head.id, head.name)
        forms = [f for m in members for f in (m.name, *m.aliases)]
        mentions = [x for m in members for x in m.mentions]
        docs = sorted({d for m in members for d in m.attrs.get("documents", [])})
        attrs = dict(head.attrs)
        for m in members[1:]:
            for k, v in m.attrs.items():
                attrs.setdefault(k, v)
        if docs:
            attrs["documents"] = docs
        head.parents = next((m.parents for m in members if m.parents), [])
        head.id, head.name = nid, name
        head.aliases = _unique(f for f in forms if f != name)
        head.mentions = sorted(mentions, key=lambda x: (x.doc_id, x.sentence, x.start, x.end))
        head.attrs = attrs
        out.append(head)
    return out


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _rename_relations(rels: list[Relation], new_id: dict[str, str]) -> list[Relation]:
    """Relations with ids renamed; of duplicates, the one whose evidence comes first stays, in the
    place of the first."""
    best: dict[tuple, Relation] = {}
    order: list[tuple] = []
    for r in rels:
        r.source_id = new_id.get(r.source_id, r.source_id)
        r.target_id = new_id.get(r.target_id, r.target_id)
        if r.key not in best:
            best[r.key] = r
            order.append(r.key)
        elif _evidence_key(r) < _evidence_key(best[r.key]):
            best[r.key] = r
    return [best[k] for k in order]


def _evidence_key(r: Relation) -> tuple:
    ev = r.evidence
    return (ev.doc_id, ev.sentence, ev.start) if ev is not None else ("",)
