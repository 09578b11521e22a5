"""The fold of a build's per-document results, written once as SQL over the store's tables: the only reduce.

One definition, two engines: DuckDB runs it as written for every local build (`kg.stream`: over the
results of `kg.build` as Arrow tables in memory, or out of core over the store's Parquet shards), and
Spark runs the same text transpiled by sqlglot (`spark_sql`) for clusters (`kg.engines.spark_reduce`).
Each engine only names its inputs:

    <table>_shards  every row of a store table (`kg.store.TABLES`), with its shard's name as `shard`
    wanted (doc)    the build's documents
    renamed (old, new, name)  the ids the corpus-level steps merged (`kg.stream.rename_table`)

The rules: per document, the newest shard of this pipeline version; per entity id, name, type and
attributes of the smallest document's row, aliases the sorted union of aliases and names less the
name, documents from every row and from the MENTIONED_IN relations, which also give the mention
count; per relation key, the copy with the smallest evidence rank (stated before inferred, evidence
document, sentence, start, properties); an entity's parent edges likewise, per parent and relation.
The output queries (`OUTPUTS`) come sorted; `write_folded` writes them with the row functions of
`kg.schema` and the one table writer of `kg.sinks.tables`, so every engine writes the same bytes,
`bom` and `lang` included. `RESULT` and `folded_result` give the build as records (the API, graph.json).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path

from kg.schema import (
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    MENTION_COLUMNS,
    RELATION_COLUMNS,
    SENTENCE_COLUMNS,
    document_row,
    entity_row,
    mention_row,
    relation_row,
    sentence_row,
)
from kg.sinks.tables import table_writer
from kg.text.parts import OffsetRuns
from kg.types import RELATION_TYPES, BuildResult, Document, Entity, Evidence, Mention, Relation, Sentence

_KIND = "CASE " + " ".join(f"WHEN relation = '{k}' THEN {i}" for i, k in enumerate(RELATION_TYPES)) + \
    f" ELSE {len(RELATION_TYPES)} END"


def views(version: str) -> list[tuple[str, str, bool]]:
    """(name, query, materialize) in order: the live rows renamed, then the fold. `materialize`: an
    engine keeps it (a table, a cached frame): it is read by several later queries, or it is a
    group-by that would otherwise hold its hash table while the next ones build theirs."""
    v = "'" + version.replace("'", "''") + "'"
    live = [(f"live_{t}", f"SELECT t.* FROM {t}_shards t JOIN newest n ON t.doc = n.doc AND t.shard = n.shard", False)
            for t in ("documents", "sentences", "mentions", "entities", "relations")]
    return [
        ("newest", "SELECT doc, max(shard) AS shard FROM documents_shards"
                   f" WHERE version = {v} AND doc IN (SELECT doc FROM wanted) GROUP BY doc", True),
        *live,
        # a renamed entity's own name stays an alias; an alias table's name replaces it
        ("entity_rows", "SELECT e.doc, coalesce(r.new, e.id) AS id, coalesce(r.name, e.name) AS name, e.type,"
                        " CASE WHEN r.old IS NULL THEN e.aliases ELSE list_concat(e.aliases, [e.name]) END AS aliases,"
                        " e.attrs, e.parents FROM live_entities e LEFT JOIN renamed r ON r.old = e.id", False),
        ("relation_rows", "SELECT coalesce(s.new, r.source_id) AS source_id, r.relation,"
                          " coalesce(t.new, r.target_id) AS target_id, r.properties, r.evidence FROM live_relations r"
                          " LEFT JOIN renamed s ON s.old = r.source_id LEFT JOIN renamed t ON t.old = r.target_id",
         False),
        ("entity_heads", "SELECT id, head.name AS name, head.type AS type, head.attrs AS attrs, anonymized FROM ("
                         "SELECT id, min({'doc': doc, 'name': name, 'type': type, 'attrs': attrs}) AS head,"
                         " bool_or(coalesce(json_extract_string(attrs, '$.anonymized') = 'true', false)) AS anonymized"
                         " FROM entity_rows GROUP BY id)", True),
        ("entity_aliases", "SELECT n.id, list_sort(array_agg(n.alias)) AS aliases FROM (SELECT DISTINCT id, alias FROM ("
                           "SELECT id, unnest(aliases) AS alias FROM entity_rows UNION ALL SELECT id, name FROM entity_rows"
                           ")) n JOIN entity_heads h ON h.id = n.id WHERE n.alias <> h.name GROUP BY n.id", True),
        ("entity_documents", "SELECT id, list_sort(array_agg(d)) AS documents FROM (SELECT DISTINCT id, d FROM ("
                             "SELECT id, unnest(CAST(json_extract(attrs, '$.documents') AS VARCHAR[])) AS d"
                             " FROM entity_rows UNION ALL SELECT source_id, substr(target_id, 5) FROM relation_rows"
                             " WHERE relation = 'MENTIONED_IN')) GROUP BY id", True),
        ("entity_mentions", "SELECT source_id AS id,"
                            " sum(CAST(json_extract_string(properties, '$.count') AS BIGINT)) AS mention_count"
                            " FROM relation_rows WHERE relation = 'MENTIONED_IN' GROUP BY source_id", True),
        ("folded_entities", "SELECT h.id, h.name, h.type, h.attrs, h.anonymized, a.aliases, d.documents,"
                            " m.mention_count, m.id IS NOT NULL AS is_mentioned FROM entity_heads h"
                            " LEFT JOIN entity_aliases a ON a.id = h.id LEFT JOIN entity_documents d ON d.id = h.id"
                            " LEFT JOIN entity_mentions m ON m.id = h.id", True),
        ("folded_relations", "SELECT kind, source_id, relation, target_id, role, best.properties AS properties,"
                             " best.evidence AS evidence FROM (SELECT kind, source_id, relation, target_id, role,"
                             " min({'inferred': inferred, 'ev_doc': ev_doc, 'ev_sentence': ev_sentence,"
                             " 'ev_start': ev_start, 'properties': properties, 'evidence': evidence}) AS best FROM ("
                             f"SELECT {_KIND} AS kind, source_id, relation, target_id,"
                             " coalesce(json_extract_string(properties, '$.role'), '') AS role,"
                             " coalesce(json_extract_string(properties, '$.inferred') = 'true', false) AS inferred,"
                             " coalesce(json_extract_string(evidence, '$[0]'), '') AS ev_doc,"
                             " coalesce(CAST(json_extract_string(evidence, '$[1]') AS BIGINT), -1) AS ev_sentence,"
                             " coalesce(CAST(json_extract_string(evidence, '$[2]') AS BIGINT), -1) AS ev_start,"
                             " properties, evidence FROM relation_rows)"
                             " GROUP BY kind, source_id, relation, target_id, role)", True),
    ]


# The tables, each one sorted query over the views (the in-memory reduce's row order).
OUTPUTS = {
    "documents": "SELECT doc, path, encoding, sha256, date, source_format, replaced, length(text) AS chars"
                 " FROM live_documents ORDER BY doc",
    "sentences": "SELECT doc, sentence, text, article, kind,"
                 " CASE WHEN array_length(offsets) > 0 THEN offsets[1] END AS first,"
                 " CASE WHEN array_length(offsets) > 0 THEN offsets[array_length(offsets)] END AS last"
                 " FROM live_sentences ORDER BY doc, sentence",
    "mentions": "SELECT m.doc, m.sentence, m.start, m.\"end\", m.text, m.type, m.norm, m.source, m.article,"
                " coalesce(r.new, m.entity_id) AS entity_id FROM live_mentions m LEFT JOIN renamed r"
                " ON r.old = m.entity_id ORDER BY doc, sentence, start, \"end\", type, source, norm, entity_id",
    "entities": "SELECT * FROM folded_entities ORDER BY id",
    "relations": "SELECT r.*, s.name AS source_name, t.name AS target_name FROM folded_relations r"
                 " LEFT JOIN folded_entities s ON s.id = r.source_id LEFT JOIN folded_entities t ON t.id = r.target_id"
                 " ORDER BY kind, source_id, target_id, role, relation",
}


# The build as records (`kg.stream.read_result`, for the API and graph.json): the rows of `OUTPUTS`, in
# their order, with what the tables leave out: document texts, sentence offsets, each mention's norm and
# place in its sentence, every attribute of an entity's head row, and its edges to what contains it
# (`Entity.parents`: per parent and relation, the copy with the smallest rank, as a relation's).
_PARENTS = (
    "SELECT id, list({'parent': parent, 'relation': relation, 'evidence': best.evidence, 'inferred': best.inferred}"
    " ORDER BY relation, parent) AS parents FROM (SELECT id, parent, relation,"
    " min({'inferred': inferred, 'ev_doc': ev_doc, 'ev_sentence': ev_sentence, 'ev_start': ev_start,"
    " 'evidence': evidence}) AS best FROM (SELECT e.id, coalesce(r.new, p->>'$[0]') AS parent,"
    " p->>'$[1]' AS relation, coalesce(p->>'$[3]' = 'true', false) AS inferred,"
    " coalesce(p->>'$[2][0]', '') AS ev_doc, coalesce(CAST(p->>'$[2][1]' AS BIGINT), -1) AS ev_sentence,"
    " coalesce(CAST(p->>'$[2][2]' AS BIGINT), -1) AS ev_start, CAST(p->'$[2]' AS VARCHAR) AS evidence"
    " FROM entity_rows e, unnest(CAST(json_extract(e.parents, '$[*]') AS JSON[])) AS u(p)"
    " LEFT JOIN renamed r ON r.old = p->>'$[0]')"
    " GROUP BY id, parent, relation) GROUP BY id")
RESULT = {
    "documents": "SELECT doc, path, encoding, sha256, date, source_format, replaced, text FROM live_documents"
                 " ORDER BY doc",
    "sentences": "SELECT doc, sentence, text, offsets, article, kind FROM live_sentences ORDER BY doc, sentence",
    "mentions": OUTPUTS["mentions"].replace("m.article,", "m.article, m.sent_start,"),
    "entities": f"SELECT f.*, p.parents FROM folded_entities f LEFT JOIN ({_PARENTS}) p ON p.id = f.id ORDER BY f.id",
    "relations": "SELECT source_id, relation, target_id, properties, evidence FROM folded_relations"
                 " ORDER BY kind, source_id, target_id, role, relation",
}


@cache
def spark_sql(query: str) -> str:
    """The same query in Spark's dialect (sqlglot: 1-based lists, JSON paths, list functions)."""
    import sqlglot
    from sqlglot.errors import ErrorLevel

    return sqlglot.transpile(query, read="duckdb", write="spark", unsupported_level=ErrorLevel.RAISE)[0]


def _document(row: Mapping) -> dict:
    return document_row(Document(id=row["doc"], path=row["path"], text="", encoding=row["encoding"],
                                 sha256=row["sha256"], date=row["date"] or "", source_format=row["source_format"],
                                 replaced=row["replaced"] or 0), chars=row["chars"])


def _sentence(row: Mapping) -> dict:
    offsets = [] if row["first"] is None else [row["first"], row["last"]]
    return sentence_row(Sentence(doc_id=row["doc"], index=row["sentence"], text=row["text"], offsets=offsets,
                                 article=row["article"], kind=row["kind"]))


def _mention(row: Mapping) -> dict:
    return mention_row(Mention(doc_id=row["doc"], sentence=row["sentence"], start=row["start"], end=row["end"],
                               text=row["text"], type=row["type"], norm=row["norm"], source=row["source"],
                               article=row["article"], entity_id=row["entity_id"]))


def _entity(row: Mapping) -> dict:
    """The folded row as the table's: the head's attributes, then the fold's."""
    attrs = json.loads(row["attrs"])
    if row["anonymized"]:
        attrs["anonymized"] = True
    if row["documents"]:
        attrs["documents"] = list(row["documents"])
    if row["is_mentioned"]:
        attrs["mention_count"] = row["mention_count"]
    return entity_row(Entity(id=row["id"], name=row["name"], type=row["type"], aliases=list(row["aliases"] or ()),
                             attrs=attrs))


def _relation(row: Mapping) -> dict:
    ev = json.loads(row["evidence"]) if row["evidence"] is not None else None
    r = Relation(row["source_id"], row["relation"], row["target_id"], json.loads(row["properties"]),
                 None if ev is None else Evidence(*ev))
    names = {k: v for k, v in ((r.source_id, row["source_name"]), (r.target_id, row["target_name"])) if v is not None}
    return relation_row(r, names)


TABLES = {  # output query → (file, columns, row function)
    "documents": ("documents.csv", DOCUMENT_COLUMNS, _document),
    "sentences": ("sentences.csv", SENTENCE_COLUMNS, _sentence),
    "mentions": ("mentions.csv", MENTION_COLUMNS, _mention),
    "entities": ("entities.csv", ENTITY_COLUMNS, _entity),
    "relations": ("relations.csv", RELATION_COLUMNS, _relation),
}


def write_folded(rows: Callable[[str], Iterable[Mapping]], out: Path, bom: bool = False,
                 lang: str = "en") -> dict[str, int]:
    """Every CSV table into the folder `out` from `rows(query)` (an engine running an `OUTPUTS`
    query, rows as mappings by column, in order); row counts of documents, entities, relations, mentions."""
    counts = {"documents": 0, "entities": 0, "relations": 0, "mentions": 0}
    for table, (name, columns, row_of) in TABLES.items():
        with table_writer(out / name, columns, bom, lang) as write:
            n = 0
            for row in rows(OUTPUTS[table]):
                write(row_of(row))
                n += 1
        if table in counts:
            counts[table] = n
    return counts


def _evidence(text: str | None) -> Evidence | None:
    ev = json.loads(text) if text is not None else None
    return None if ev is None else Evidence(*ev)


def folded_result(rows: Callable[[str], Iterable[Mapping]], tables: Iterable[str] = tuple(RESULT),
                  relations: Iterable[str] | None = None) -> BuildResult:
    """The build as records from `rows(query)` (an engine running a `RESULT` query): what `read_tables`
    reads back from the tables, and what they leave out (texts, offsets, attributes, parent edges).
    Only `tables` are read (the others stay empty), and of the relations only the types `relations`, if given."""
    tables = set(tables)
    out = BuildResult()

    def read(table: str) -> Iterable[Mapping]:
        if table not in tables:
            return ()
        if table == "relations" and relations is not None:  # (their order: not kept)
            kinds = ", ".join("'" + k.replace("'", "''") + "'" for k in relations)
            return rows(f"SELECT * FROM ({RESULT[table]}) WHERE relation IN ({kinds})")
        return rows(RESULT[table])

    out.documents = [Document(id=r["doc"], path=r["path"], text=r["text"] or "", encoding=r["encoding"],
                              sha256=r["sha256"], date=r["date"] or "", source_format=r["source_format"] or "text",
                              replaced=r["replaced"] or 0) for r in read("documents")]
    out.sentences = [Sentence(doc_id=r["doc"], index=r["sentence"], text=r["text"], offsets=OffsetRuns(r["offsets"]),
                              article=r["article"], kind=r["kind"]) for r in read("sentences")]
    by_entity: dict[str, list[Mention]] = {}
    for r in read("mentions"):
        m = Mention(doc_id=r["doc"], sentence=r["sentence"], start=r["start"], end=r["end"], text=r["text"],
                    type=r["type"], norm=r["norm"], source=r["source"], article=r["article"],
                    sent_start=r["sent_start"], entity_id=r["entity_id"])
        out.mentions.append(m)
        by_entity.setdefault(m.entity_id, []).append(m)
    for r in read("entities"):
        mentions = by_entity.get(r["id"], [])
        attrs = {k: v for k, v in json.loads(r["attrs"]).items() if k not in ("documents", "anonymized")}
        if r["anonymized"]:
            attrs["anonymized"] = True
        if r["documents"]:
            attrs["documents"] = list(r["documents"])
        if r["is_mentioned"] and not mentions:
            attrs["mention_count"] = r["mention_count"]
        parents = [(p["parent"], p["relation"], _evidence(p["evidence"]), p["inferred"]) for p in r["parents"] or ()]
        out.entities.append(Entity(id=r["id"], name=r["name"], type=r["type"], aliases=list(r["aliases"] or ()),
                                   mentions=mentions, attrs=dict(sorted(attrs.items())), parents=parents))
    out.relations = [Relation(r["source_id"], r["relation"], r["target_id"], json.loads(r["properties"]),
                              _evidence(r["evidence"])) for r in read("relations")]
    return out
