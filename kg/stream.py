"""The reduce for corpora past memory: the CSV tables written straight from the store's shards.

`kg.reduce` holds every sentence and mention of the build. Here only entities and relations are
folded in memory (the same `Reducer`, fed the shards' entity and relation rows); each entity's
mention count and documents come from its MENTIONED_IN relations, which count its mentions per
document. Documents, sentences and mentions go from the shards to the CSV files in document
order, a shard or two in memory at a time, with the ids the corpus-level steps gave. The tables
are byte for byte those of `write_tables(reduce_documents(...))`; graph.json is not written (it
would be the whole graph in memory).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from kg.atomic import atomic_open, staged_folder
from kg.reduce import CORPUS_STEPS, Reducer, evidence_rank, tidy
from kg.sinks.tables import (
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    MENTION_COLUMNS,
    RELATION_COLUMNS,
    SENTENCE_COLUMNS,
    entity_row,
    relation_row,
)
from kg.store import Store
from kg.types import BuildResult, Mention


def reduce_entities(store: Store, live: Iterable[str]) -> tuple[BuildResult, dict[str, str]]:
    """Entities and relations of the build (no sentences or mentions), and the ids the corpus steps changed."""
    red = Reducer()
    for doc in store.read(live, tables=("entities", "relations")):
        red.add(doc)
    result = red.result(steps=())
    # a stand-in mention per person tells which id the corpus steps gave it (they rename mentions too)
    stand_ins = []
    for e in result.entities:
        if e.type == "PERSON":
            m = Mention(doc_id="", sentence=0, start=0, end=0, text="", type="PERSON", norm=e.id, entity_id=e.id)
            e.mentions.append(m)
            stand_ins.append(m)
    result.mentions = stand_ins[:]
    result.relations.sort(key=evidence_rank)  # as `Reducer.result` hands them to the steps
    for step in CORPUS_STEPS:
        step(result)
    renamed = {m.norm: m.entity_id for m in stand_ins if m.norm != m.entity_id}
    result.mentions = []
    for e in result.entities:
        e.mentions = []
    tidy(result)
    counts: Counter = Counter()
    docs: dict[str, set[str]] = defaultdict(set)
    for r in result.relations:
        if r.relation == "MENTIONED_IN":
            counts[r.source_id] += r.properties.get("count", 0)
            docs[r.source_id].add(r.target_id.removeprefix("doc:"))
    for e in result.entities:
        if e.id in counts:
            e.attrs["mention_count"] = counts[e.id]
            e.attrs["documents"] = sorted(docs[e.id] | set(e.attrs.get("documents", [])))
    return result, renamed


def write_tables_from_store(store: Store, live: Iterable[str], out_dir: str | Path) -> dict[str, int]:
    """Every CSV table of the build of documents `live` into `out_dir`, all or nothing; row counts."""
    live = sorted(set(live))
    result, renamed = reduce_entities(store, live)
    names = {e.id: e.name for e in result.entities}
    counts = {"documents": 0, "entities": len(result.entities), "relations": len(result.relations), "mentions": 0}
    with staged_folder(out_dir) as out:
        with atomic_open(out / "entities.csv", newline="") as fh:
            _writer(fh, ENTITY_COLUMNS).writerows(entity_row(e) for e in result.entities)
        with atomic_open(out / "relations.csv", newline="") as fh:
            _writer(fh, RELATION_COLUMNS).writerows(relation_row(r, names) for r in result.relations)
        del result, names
        with atomic_open(out / "documents.csv", newline="") as dfh, \
                atomic_open(out / "sentences.csv", newline="") as sfh, \
                atomic_open(out / "mentions.csv", newline="") as mfh:
            dw, sw, mw = _writer(dfh, DOCUMENT_COLUMNS), _writer(sfh, SENTENCE_COLUMNS), _writer(mfh, MENTION_COLUMNS)
            for rows in store.rows(live, ("documents", "sentences", "mentions"), in_order=True):
                d = rows["documents"][0]
                dw.writerow({"id": d["doc"], "path": d["path"], "encoding": d["encoding"], "sha256": d["sha256"],
                             "chars": len(d["text"])})
                for s in sorted(rows["sentences"], key=lambda s: s["sentence"]):
                    o = s["offsets"]
                    sw.writerow({"document": s["doc"], "sentence": s["sentence"], "start": o[0] if o else 0,
                                 "end": o[-1] + 1 if o else 0, "article": s["article"], "kind": s["kind"],
                                 "text": s["text"]})
                mentions = rows["mentions"]
                for m in mentions:
                    m["entity_id"] = renamed.get(m["entity_id"], m["entity_id"])
                mentions.sort(key=lambda m: (m["doc"], m["sentence"], m["start"], m["end"], m["type"], m["source"],
                                             m["norm"], m["entity_id"]))
                mw.writerows({"document": m["doc"], **{c: m[c] for c in MENTION_COLUMNS if c != "document"}}
                             for m in mentions)
                counts["documents"] += 1
                counts["mentions"] += len(mentions)
    (Path(out_dir) / "graph.json").unlink(missing_ok=True)  # a previous build's, out of step with these tables
    return counts


def _writer(fh, columns: list[str]) -> csv.DictWriter:
    w = csv.DictWriter(fh, fieldnames=columns)
    w.writeheader()
    return w
