"""Every table kg writes, each once: its columns and the function that makes one of its rows.

Three families, so that a writer only writes and a new column is added in one place:

- **The output folder** (`kg build`): documents, sentences, mentions, entities, relations, as CSV
  cells (lists `|`-joined by `join_list`, true as `true`). Written by `kg.sinks.tables.write_tables`
  (a build in memory) and `kg.engines.fold.write_folded` (the store streamed by DuckDB, Spark), so
  every engine writes the same bytes; read back by `kg.sinks.tables.read_tables`.
- **Readable tables** (`kg export` CSV, XLSX and Parquet; `KnowledgeGraph` DataFrames): a relation
  row names both ends (name and type, not just ids), the role, the date and the sentence stating
  the fact, so a spreadsheet reader needs no join. Values keep their Python types; the column
  dicts give each column's kind ("str": "" when absent, "int": None when absent, "bool", "float",
  "list" of str), so every writer renders them alike (CSV joins lists with `|`, Parquet keeps them).
- **The store** (`kg.store`): one document's result as rows of five Parquet tables, and back
  (`store_rows`, `store_result`); `doc` names the document each row came from.
- **Neo4j rows** (`kg load`, the bulk-import files): `{id, props}` node rows and `{source, target,
  role, props}` relationship rows, from a build in memory or read from an output folder
  (`kg.sinks.neo4j_rows`); property values are what Neo4j can store (`neo4j_props`).

    >>> rows = export_relation_rows(result)
    >>> rows[0]["head"], rows[0]["relation"], rows[0]["tail"]
    ('周佰发', 'BELONGS_TO', '洮南市公安局交巡警大队')
    >>> list(EXPORT_RELATION_COLUMNS)[:3]
    ['head', 'head_type', 'relation']
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict

from kg.text.parts import OffsetRuns
from kg.types import (
    RELATION_TYPES,
    BuildResult,
    DocResult,
    Document,
    Entity,
    Evidence,
    Mention,
    Relation,
    Sentence,
    document_node_id,
)

# ---- the output folder ----------------------------------------------------------------------------

DOCUMENT_COLUMNS = ["id", "path", "encoding", "sha256", "chars", "source_format", "date", "replaced"]
SENTENCE_COLUMNS = ["document", "sentence", "start", "end", "article", "kind", "text"]
MENTION_COLUMNS = ["document", "sentence", "start", "end", "text", "norm", "type", "source", "entity_id", "article"]
ENTITY_COLUMNS = ["id", "name", "type", "aliases", "mention_count", "documents", "anonymized", "iso", "description"]
RELATION_COLUMNS = ["source_id", "relation", "target_id", "properties", "source_name", "target_name", "role",
                    "date", "document", "sentence", "start", "end", "evidence", "inferred"]
TABLES = {"documents.csv": DOCUMENT_COLUMNS, "sentences.csv": SENTENCE_COLUMNS, "mentions.csv": MENTION_COLUMNS,
          "entities.csv": ENTITY_COLUMNS, "relations.csv": RELATION_COLUMNS}


def join_list(items) -> str:
    """`|`-join, escaping `\\` and `|` inside items (`kg.sinks.tables.split_list` reads it back)."""
    return "|".join(str(a).replace("\\", "\\\\").replace("|", "\\|") for a in items)


def document_row(d: Document, chars: int | None = None) -> dict:
    """`chars`: the text's length, where the text itself is not at hand (the fold)."""
    return {"id": d.id, "path": d.path, "encoding": d.encoding, "sha256": d.sha256,
            "chars": len(d.text) if chars is None else chars,
            "source_format": d.source_format or "text", "date": d.date or "", "replaced": d.replaced or 0}


def sentence_row(s: Sentence) -> dict:
    return {"document": s.doc_id, "sentence": s.index, "start": s.start, "end": s.end, "article": s.article,
            "kind": s.kind, "text": s.text}


def mention_row(m: Mention) -> dict:
    return {"document": m.doc_id, "sentence": m.sentence, "start": m.start, "end": m.end, "text": m.text,
            "norm": m.norm, "type": m.type, "source": m.source, "entity_id": m.entity_id, "article": m.article}


def entity_row(e: Entity) -> dict:
    return {
        "id": e.id, "name": e.name, "type": e.type, "aliases": join_list(e.aliases),
        "mention_count": len(e.mentions) or e.attrs.get("mention_count", 0), "documents": join_list(e.documents),
        "anonymized": "true" if e.attrs.get("anonymized") else "",
        "iso": e.attrs.get("iso", ""), "description": e.attrs.get("description", ""),
    }


def relation_row(r: Relation, names: dict[str, str]) -> dict:
    """`names`: entity id → name, for both ends' names (a target without one is named by its id)."""
    ev = r.evidence
    return {
        "source_id": r.source_id, "relation": r.relation, "target_id": r.target_id,
        "properties": json.dumps(r.properties, ensure_ascii=False, sort_keys=True),
        "source_name": names.get(r.source_id, ""), "target_name": names.get(r.target_id, r.target_id),
        "role": r.properties.get("role", ""), "date": r.properties.get("date", ""),
        "document": ev.doc_id if ev else "", "sentence": ev.sentence if ev else "",
        "start": ev.start if ev else "", "end": ev.end if ev else "", "evidence": ev.text if ev else "",
        "inferred": "true" if r.properties.get("inferred") else "",
    }


# ---- readable tables (kg export, DataFrames) --------------------------------------------------------

EXPORT_RELATION_COLUMNS: dict[str, str] = {
    "head": "str", "head_type": "str", "relation": "str", "role": "str", "tail": "str", "tail_type": "str",
    "date": "str", "iso_date": "str", "document": "str", "sentence": "int", "evidence": "str",
    "inferred": "bool", "properties": "str", "head_id": "str", "tail_id": "str",
}
EXPORT_ENTITY_COLUMNS: dict[str, str] = {
    "name": "str", "type": "str", "aliases": "list", "mention_count": "int", "documents": "list",
    "iso": "str", "description": "str", "anonymized": "bool", "id": "str",
}
PLACE_COLUMNS: dict[str, str] = {"adcode": "str", "longitude": "float", "latitude": "float"}  # export's places
EXPORT_MENTION_COLUMNS: dict[str, str] = {
    "document": "str", "sentence": "int", "start": "int", "end": "int", "text": "str", "norm": "str", "type": "str",
    "source": "str", "entity": "str", "entity_id": "str",
}
EXPORT_DOCUMENT_COLUMNS: dict[str, str] = {"id": "str", "path": "str", "encoding": "str", "sha256": "str",
                                           "chars": "int", "date": "str"}
# `KnowledgeGraph.mentions_df`: the export's columns in the build table's order, plus `article`
FRAME_MENTION_COLUMNS = ["document", "sentence", "start", "end", "text", "norm", "type", "source", "entity_id",
                         "entity", "article"]
# Properties with a column of their own; the rest go, as JSON, into `properties`.
_SHOWN = {"role", "date", "iso_date", "inferred"}


def _str(v) -> str:
    return "" if v is None else str(v)


def _nodes(result: BuildResult) -> dict[str, tuple[str, str]]:
    """id → (name, type) for every node a relation can point at, documents included."""
    nodes = {document_node_id(d.id): (d.id, "DOCUMENT") for d in result.documents}
    nodes.update({e.id: (e.name, e.type) for e in result.entities})
    return nodes


def _end(node_id: str, nodes: dict[str, tuple[str, str]]) -> tuple[str, str]:
    if node_id in nodes:
        return nodes[node_id]
    if node_id.startswith(document_node_id("")):  # a document the output folder did not list
        return node_id[len(document_node_id("")):], "DOCUMENT"
    return node_id, ""


def export_relation_row(r: Relation, nodes: dict[str, tuple[str, str]]) -> dict:
    """`nodes`: id → (name, type) of the ends (see `export_relation_rows`)."""
    (head, head_type), (tail, tail_type) = _end(r.source_id, nodes), _end(r.target_id, nodes)
    ev, p = r.evidence, r.properties
    rest = {k: v for k, v in p.items() if k not in _SHOWN}
    return {
        "head": head, "head_type": head_type, "relation": r.relation, "role": _str(p.get("role")),
        "tail": tail, "tail_type": tail_type, "date": _str(p.get("date")), "iso_date": _str(p.get("iso_date")),
        "document": ev.doc_id if ev else "", "sentence": ev.sentence if ev else None,
        "evidence": ev.text if ev else "", "inferred": bool(p.get("inferred")),
        "properties": json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else "",
        "head_id": r.source_id, "tail_id": r.target_id,
    }


def export_relations(result: BuildResult) -> list[Relation]:
    """The relations in the readable tables' order: by type in `RELATION_TYPES` order, stable within one."""
    order = {t: i for i, t in enumerate(RELATION_TYPES)}
    return sorted(result.relations, key=lambda r: order.get(r.relation, len(order)))


def export_relation_rows(result: BuildResult) -> list[dict]:
    nodes = _nodes(result)
    return [export_relation_row(r, nodes) for r in export_relations(result)]


def relation_types(result: BuildResult) -> list[str]:
    """Every known relation type (so the file set is stable), then any others the build made."""
    extra = sorted({r.relation for r in result.relations} - set(RELATION_TYPES))
    return [*RELATION_TYPES, *extra]


def by_relation(rows: list[dict], types: list[str]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {t: [] for t in types}
    for row in rows:
        groups.setdefault(row["relation"], []).append(row)
    return groups


def export_entity_row(e: Entity) -> dict:
    return {
        "name": e.name, "type": e.type, "aliases": list(e.aliases),
        "mention_count": len(e.mentions) or int(e.attrs.get("mention_count", 0)), "documents": e.documents,
        "iso": _str(e.attrs.get("iso")), "description": _str(e.attrs.get("description")),
        "anonymized": bool(e.attrs.get("anonymized")), "id": e.id,
    }


def export_place_rows(result: BuildResult) -> list[dict]:
    """Entity rows with `PLACE_COLUMNS`: a place naming exactly one division of cpca's table has its
    adcode and coordinates (`kg.sinks.geo`)."""
    from kg.sinks.geo import place_codes

    rows = [export_entity_row(e) for e in result.entities]
    codes = place_codes(r["name"] for r in rows if r["type"] == "LOC")
    for r in rows:
        code = codes.get(r["name"]) if r["type"] == "LOC" else None
        r.update(adcode=code.adcode if code else "", longitude=code.longitude if code else None,
                 latitude=code.latitude if code else None)
    return rows


def export_mention_row(m: Mention, names: dict[str, str]) -> dict:
    """`names`: entity id → name."""
    return {"document": m.doc_id, "sentence": m.sentence, "start": m.start, "end": m.end, "text": m.text,
            "norm": m.norm, "type": m.type, "source": m.source, "entity": names.get(m.entity_id, ""),
            "entity_id": m.entity_id}


def export_mention_rows(result: BuildResult, article: bool = False) -> list[dict]:
    """`article`: with the mention's article too (`FRAME_MENTION_COLUMNS`, the DataFrame's)."""
    names = {e.id: e.name for e in result.entities}
    if article:
        return [{**export_mention_row(m, names), "article": m.article} for m in result.mentions]
    return [export_mention_row(m, names) for m in result.mentions]


def export_document_row(d: Document) -> dict:
    return {"id": d.id, "path": d.path, "encoding": d.encoding, "sha256": d.sha256, "chars": len(d.text) or None,
            "date": str(getattr(d, "date", "") or "")}


# ---- the store (kg.store's Parquet shards) -----------------------------------------------------------

# Each table's columns and their kinds (`kg.store.SCHEMAS` gives each kind its Parquet type); JSON columns are "str".
STORE_COLUMNS: dict[str, dict[str, str]] = {
    "documents": {"doc": "str", "path": "str", "encoding": "str", "sha256": "str", "date": "str", "text": "large_str",
                  "version": "str", "source_format": "str", "replaced": "int", "key": "str"},
    "sentences": {"doc": "str", "sentence": "int", "text": "str", "offsets": "int_list", "article": "int",
                  "kind": "str"},
    "mentions": {"doc": "str", "sentence": "int", "start": "int", "end": "int", "text": "str", "norm": "str",
                 "type": "str", "source": "str", "article": "int", "sent_start": "int", "entity_id": "str"},
    # attrs: JSON; parents: JSON, [parent, relation, evidence, inferred] each
    "entities": {"doc": "str", "id": "str", "name": "str", "type": "str", "aliases": "str_list", "attrs": "str",
                 "parents": "str"},
    # properties: JSON; evidence: JSON, [document, sentence, start, end, text] or null
    "relations": {"doc": "str", "source_id": "str", "relation": "str", "target_id": "str", "properties": "str",
                  "evidence": "str"},
}


def _store_evidence(ev: Evidence | None) -> list | None:
    return None if ev is None else [ev.doc_id, ev.sentence, ev.start, ev.end, ev.text]


def store_rows(r: DocResult, version: str, key: str) -> dict[str, list[dict]]:
    """One document's result as rows of the five tables; `version` and `key` (`kg.store.document_key`)
    go in its documents row."""
    d, doc = r.document, r.document.id
    rows: dict[str, list[dict]] = {
        "documents": [{"doc": doc, "path": d.path, "encoding": d.encoding, "sha256": d.sha256, "date": d.date,
                       "text": d.text, "version": version, "source_format": d.source_format, "replaced": d.replaced,
                       "key": key}],
        "sentences": [{"doc": doc, "sentence": s.index, "text": s.text, "offsets": list(s.offsets),
                       "article": s.article, "kind": s.kind} for s in r.sentences],
        "mentions": [{"doc": doc, "sentence": m.sentence, "start": m.start, "end": m.end, "text": m.text,
                      "norm": m.norm, "type": m.type, "source": m.source, "article": m.article,
                      "sent_start": m.sent_start, "entity_id": m.entity_id} for m in r.mentions],
        "entities": [], "relations": [],
    }
    for e in r.entities:
        parents = [[p, rel, _store_evidence(ev), inferred] for p, rel, ev, inferred in e.parents]
        rows["entities"].append({"doc": doc, "id": e.id, "name": e.name, "type": e.type, "aliases": list(e.aliases),
                                 "attrs": json.dumps(e.attrs, ensure_ascii=False, sort_keys=True),
                                 "parents": json.dumps(parents, ensure_ascii=False)})
    for x in r.relations:
        rows["relations"].append({"doc": doc, "source_id": x.source_id, "relation": x.relation,
                                  "target_id": x.target_id,
                                  "properties": json.dumps(x.properties, ensure_ascii=False, sort_keys=True),
                                  "evidence": json.dumps(_store_evidence(x.evidence), ensure_ascii=False)})
    return rows


def store_result(rows: dict[str, list[dict]]) -> DocResult:
    """The inverse of `store_rows` (entities get their mentions back by id, as the linker gave them).
    Ids, names and sentence texts are shared strings: a fold over many documents holds each once."""
    d = rows["documents"][0]
    doc = Document(id=d["doc"], path=d["path"], text=d.get("text", ""), encoding=d["encoding"], sha256=d["sha256"],
                   date=d["date"], source_format=d.get("source_format") or "text", replaced=d.get("replaced") or 0)
    one = sys.intern
    sentences = [Sentence(doc_id=s["doc"], index=s["sentence"], text=s["text"], offsets=OffsetRuns(s["offsets"]),
                          article=s["article"], kind=s["kind"]) for s in rows["sentences"]]
    mentions = [Mention(doc_id=m["doc"], sentence=m["sentence"], start=m["start"], end=m["end"], text=m["text"],
                        type=m["type"], norm=m["norm"], source=m["source"], article=m["article"],
                        sent_start=m["sent_start"], entity_id=m["entity_id"]) for m in rows["mentions"]]
    by_id: dict[str, list[Mention]] = defaultdict(list)
    for m in mentions:
        by_id[m.entity_id].append(m)
    texts: dict[str, str] = {}  # the document's sentence texts, one object each

    def evidence(v: list | None) -> Evidence | None:
        return None if v is None else Evidence(one(v[0]), v[1], v[2], v[3], texts.setdefault(v[4], v[4]))

    entities = []
    for e in rows["entities"]:
        attrs = json.loads(e["attrs"])
        if "documents" in attrs:
            attrs["documents"] = [one(x) for x in attrs["documents"]]
        parents = [(one(p), one(rel), evidence(ev), inferred) for p, rel, ev, inferred in json.loads(e["parents"])]
        entities.append(Entity(id=one(e["id"]), name=one(e["name"]), type=one(e["type"]),
                               aliases=[one(a) for a in e["aliases"]], mentions=by_id.get(e["id"], []), attrs=attrs,
                               parents=parents))
    relations = [Relation(one(r["source_id"]), one(r["relation"]), one(r["target_id"]), json.loads(r["properties"]),
                          evidence(json.loads(r["evidence"]))) for r in rows["relations"]]
    return DocResult(doc, sentences, mentions, entities, relations)


# ---- Neo4j rows ---------------------------------------------------------------------------------------

TYPE_LABELS = {"PERSON": "Person", "ORG": "Org", "LOC": "Loc", "DATE": "Date", "EVENT": "Event"}
# Node property types of rows read from an output folder (its columns are fixed).
NEO4J_NODE_SCHEMAS: dict[str, dict[str, type]] = {
    "documents": {"name": str, "path": str, "encoding": str, "sha256": str},
    "sentences": {"document": str, "index": int, "text": str, "start": int, "end": int, "kind": str, "article": int},
    "entities": {"name": str, "type": str, "anonymized": bool, "iso": str, "description": str, "aliases": list,
                 "documents": list, "mention_count": int},
    "mentions": {"start": int, "end": int, "text": str, "source": str},
}


def sentence_node_id(doc_id: str, index: int) -> str:
    return f"{doc_id}#{index}"


def _scalar(v):
    """A value Neo4j can store as a property, or None to leave it out."""
    if v is None or v == "" or v == []:
        return None
    if isinstance(v, bool | int | float | str):
        return v
    if isinstance(v, list | tuple) and all(isinstance(a, str) for a in v):
        return list(v)
    return json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)


def neo4j_props(d: dict) -> dict:
    """The properties Neo4j stores: no empty values, nested values as JSON."""
    out = {}
    for k, v in d.items():
        v = _scalar(v)
        if v is not None:
            out[k] = v
    return out


def neo4j_document_row(d: Document) -> dict:
    return {"id": document_node_id(d.id), "props": neo4j_props({"name": d.id, "path": d.path, "encoding": d.encoding,
                                                                "sha256": d.sha256})}


def neo4j_document_stub(doc_id: str) -> dict:
    """A document named (by an entity, a mention or evidence) that the build did not list."""
    return {"id": document_node_id(doc_id), "props": {"name": doc_id}}


def neo4j_sentence_row(s: Sentence) -> dict:
    return {"id": sentence_node_id(s.doc_id, s.index), "document": document_node_id(s.doc_id), "props": neo4j_props(
        {"document": s.doc_id, "index": s.index, "text": s.text, "start": s.start, "end": s.end, "kind": s.kind,
         "article": s.article})}


def neo4j_mention_row(m: Mention, entity_id: str) -> dict:
    return {"entity": entity_id, "sentence": sentence_node_id(m.doc_id, m.sentence), "start": m.start,
            "props": neo4j_props({"end": m.end, "text": m.text, "source": m.source})}


def neo4j_entity_row(e: Entity, count: int) -> tuple[str, dict]:
    """(type label, row) of an entity node; `count` its mentions."""
    attrs = {k: v for k, v in e.attrs.items() if k not in ("documents", "mention_count")}
    return TYPE_LABELS.get(e.type, ""), {"id": e.id, "props": neo4j_props({**attrs, "name": e.name, "type": e.type}),
                                         "aliases": list(e.aliases) or None, "documents": e.documents or None,
                                         "mention_count": count}


def neo4j_entity_props(row: dict) -> dict:
    """Every property an entity node (a `neo4j_entity_row`) holds."""
    return {**row["props"], "aliases": row["aliases"], "documents": row["documents"],
            "mention_count": row["mention_count"]}


def neo4j_fact_row(r: Relation) -> dict:
    """A fact's row (props not yet type-unified); its key is (source, relation, target, role)."""
    props = {k: v for k, v in r.properties.items() if k != "role"}
    if r.evidence is not None:
        ev = r.evidence
        props.update(document=ev.doc_id, sentence=ev.sentence, start=ev.start, end=ev.end, evidence=ev.text,
                     sentence_id=sentence_node_id(ev.doc_id, ev.sentence))
    return {"source": r.source_id, "target": r.target_id, "role": str(r.properties.get("role", "") or ""),
            "props": neo4j_props(props)}


def neo4j_mentioned_in_row(entity_id: str, doc_id: str) -> dict:
    """Entity → document for a document the entity's `documents` names but no relation row states."""
    return {"source": entity_id, "role": "", "target": document_node_id(doc_id), "props": {}}
