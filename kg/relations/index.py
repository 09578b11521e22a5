"""Lookups over a linked build that several relation families need."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.types import BuildResult, Entity, Evidence, Mention, Sentence


@dataclass
class BuildIndex:
    result: BuildResult
    entity: dict[str, Entity] = field(default_factory=dict)
    sentence: dict[tuple[str, int], Sentence] = field(default_factory=dict)
    in_sentence: dict[tuple[str, int], list[Mention]] = field(default_factory=lambda: defaultdict(list))
    by_document: dict[str, list[Sentence]] = field(default_factory=lambda: defaultdict(list))
    entities_in: dict[str, list[Entity]] = field(default_factory=lambda: defaultdict(list))
    loc_ids: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def __post_init__(self) -> None:
        self.entity = {e.id: e for e in self.result.entities}
        self.sentence = {(s.doc_id, s.index): s for s in self.result.sentences}
        for key in sorted(self.sentence):
            self.by_document[key[0]].append(self.sentence[key])
        for e in self.result.entities:
            for doc_id in e.documents:
                self.entities_in[doc_id].append(e)
            if e.type == "LOC":
                self.loc_ids[e.name].add(e.id)
        for m in sorted(self.result.mentions, key=lambda m: (m.doc_id, m.sentence, m.sent_start)):
            if m.entity_id in self.entity:
                self.in_sentence[(m.doc_id, m.sentence)].append(m)

    def evidence(self, doc_id: str, index: int) -> Evidence:
        s = self.sentence[(doc_id, index)]
        return Evidence(doc_id, index, s.start, s.end, s.text)

    def sentences_of(self, doc_id: str) -> list[Sentence]:
        return self.by_document.get(doc_id, [])

    def part_of_chain(self, entity_id: str) -> list[Entity]:
        """The entity and the units it is PART_OF, innermost first (派出所, 分局, 公安局)."""
        out: list[Entity] = []
        e = self.entity.get(entity_id)
        while e is not None and e not in out:
            out.append(e)
            parents = [pid for pid, rel, *_ in e.parents if rel == "PART_OF"]
            e = self.entity.get(parents[0]) if parents else None
        return out
