"""The reduce: per-document results merged into one build, the same for any input order.

Each document is linked on its own (`Pipeline.map_document`), so an entity that several documents
name (a place, a unit) comes back once per document, with the same id. Merging them is a fold
keyed by entity id in which every rule is free of input order:

- aliases and documents: the sorted union; mentions: all of them, sorted by position;
- other attributes (iso, description, ...) and the name: from the copy of the smallest document id;
- an edge or relation met in several documents is kept once, the one with the smallest
  (stated before inferred, document, sentence, start): its cited evidence does not depend on order.

Rows come out sorted (documents by id, sentences and mentions by position, entities by id,
relations by type and ids); then the corpus-level steps of `CORPUS_STEPS` run, in order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from kg.errors import InputError
from kg.integrity import check_build
from kg.relations.people import AliasTable, merge_people
from kg.types import RELATION_TYPES, BuildResult, DocResult, Document, Entity, Mention, Relation, Sentence

# attributes the fold computes itself; every other attribute is taken from the smallest document's copy
_FOLDED = ("documents", "anonymized")


def corpus_steps(aliases: AliasTable | None = None) -> tuple[Callable[[BuildResult], None], ...]:
    """The corpus-level steps, in order: who is who across documents (`kg.relations.people`), with
    the user's alias table, if any."""

    def people_across_documents(result: BuildResult) -> None:
        result.relations = merge_people(result, result.relations, aliases)

    return (people_across_documents,)


CORPUS_STEPS = corpus_steps()


def mention_order(m: Mention) -> tuple:
    return (m.doc_id, m.sentence, m.start, m.end, m.type, m.source, m.norm, m.entity_id)


def relation_order(r: Relation) -> tuple:
    return (RELATION_TYPES.index(r.relation) if r.relation in RELATION_TYPES else len(RELATION_TYPES),
            r.source_id, r.target_id, str(r.properties.get("role", "")))


def evidence_rank(r: Relation) -> tuple:
    """Which of several copies of one relation is kept: stated before inferred, then the earliest evidence."""
    ev = r.evidence
    where = (ev.doc_id, ev.sentence, ev.start) if ev is not None else ("", -1, -1)
    return (bool(r.properties.get("inferred")), *where, json.dumps(r.properties, ensure_ascii=False, sort_keys=True))


def _edge_rank(edge: tuple) -> tuple:
    _parent, _relation, ev, inferred = edge
    return (bool(inferred), ev.doc_id, ev.sentence, ev.start)


@dataclass
class Reducer:
    """Folds DocResults in any order; `result()` gives the build."""

    documents: dict[str, Document] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: dict[str, Entity] = field(default_factory=dict)
    relations: dict[tuple, Relation] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    steps: tuple[Callable[[BuildResult], None], ...] = CORPUS_STEPS  # run by `result()` unless it is given others
    _source: dict[str, str] = field(default_factory=dict)  # entity id → document id its attributes come from

    def add(self, doc: DocResult) -> None:
        doc_id = doc.document.id
        if doc_id in self.documents:
            raise InputError(f"document id {doc_id!r} given twice: {self.documents[doc_id].path} and {doc.document.path}")
        self.documents[doc_id] = doc.document
        self.sentences += doc.sentences
        self.mentions += doc.mentions
        for e in doc.entities:
            self._add_entity(e, doc_id)
        for r in doc.relations:
            self._add_relation(r)

    def _add_entity(self, e: Entity, doc_id: str) -> None:
        have = self.entities.get(e.id)
        if have is None:
            self.entities[e.id] = e
            self._source[e.id] = doc_id
            return
        have.aliases = sorted({*have.aliases, *e.aliases, e.name, have.name})  # the name it may lose below
        have.mentions += e.mentions
        docs = sorted({*have.attrs.get("documents", []), *e.attrs.get("documents", [])})
        if docs:
            have.attrs["documents"] = docs
        if e.attrs.get("anonymized"):
            have.attrs["anonymized"] = True
        edges = {(p[0], p[1]): p for p in have.parents}
        for p in e.parents:
            if (p[0], p[1]) not in edges or _edge_rank(p) < _edge_rank(edges[p[0], p[1]]):
                edges[p[0], p[1]] = p
        if edges:
            have.parents = [edges[k] for k in sorted(edges, key=lambda k: (k[1], k[0]))]
        if doc_id < self._source[e.id]:  # attributes and name of the smallest document's copy
            self._source[e.id] = doc_id
            have.name = e.name
            for k in [k for k in have.attrs if k not in _FOLDED]:
                del have.attrs[k]
            have.attrs.update({k: v for k, v in e.attrs.items() if k not in _FOLDED})

    def _add_relation(self, r: Relation) -> None:
        have = self.relations.get(r.key)
        if have is None or evidence_rank(r) < evidence_rank(have):
            self.relations[r.key] = r

    def result(self, steps: Iterable[Callable[[BuildResult], None]] | None = None) -> BuildResult:
        """The merged build, sorted, after the corpus-level steps."""
        out = BuildResult(documents=[self.documents[k] for k in sorted(self.documents)],
                          sentences=sorted(self.sentences, key=lambda s: (s.doc_id, s.index)),
                          mentions=sorted(self.mentions, key=mention_order),
                          entities=[self.entities[k] for k in sorted(self.entities)],
                          relations=sorted(self.relations.values(), key=evidence_rank),
                          problems=sorted(self.problems))
        for step in self.steps if steps is None else steps:
            step(out)
        tidy(out)
        check_build(out)  # ids resolve after the steps renamed some: a bug names its document here
        return out


def tidy(result: BuildResult) -> None:
    """Sorted rows and aliases, one relation per key: what makes the tables the same bytes every time."""
    for e in result.entities:
        e.aliases = sorted(set(e.aliases) - {e.name})
        if list(e.attrs) != sorted(e.attrs):
            e.attrs = dict(sorted(e.attrs.items()))  # graph.json writes them in this order
        e.mentions.sort(key=mention_order)
    result.entities.sort(key=lambda e: e.id)
    kept: dict[tuple, Relation] = {}
    for r in sorted(result.relations, key=evidence_rank):
        kept.setdefault(r.key, r)
    result.relations = sorted(kept.values(), key=relation_order)
    for r in result.relations:
        if list(r.properties) != sorted(r.properties):
            r.properties = dict(sorted(r.properties.items()))


def reduce_documents(docs: Iterable[DocResult], problems: Iterable[str] = (),
                     steps: Iterable[Callable[[BuildResult], None]] = CORPUS_STEPS) -> BuildResult:
    """Merge per-document results (any order) into one build."""
    red = Reducer(steps=tuple(steps))
    for d in docs:
        red.add(d)
    red.problems += problems
    return red.result()
