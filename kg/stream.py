"""The reduce for corpora past memory: the CSV tables written straight from the store's shards.

`kg.reduce` holds the whole build. Here the fold by entity id is a sort on disk: every entity
and relation row of the store goes into a temporary SQLite database, and rows come back ordered
by id (relations by type, ids, role, then evidence rank), so each entity is folded from its
consecutive rows with the rules of `kg.reduce` and written at once; each entity's mention count
and documents come from its MENTIONED_IN relations. The corpus-level step (who is who across
documents) runs one name at a time from a table on disk (`rename_table`), holding in memory only
the PART_OF / LOCATED_IN chains of units and places; its renaming is applied inside SQLite.
Documents, sentences and mentions go from the shards to the CSV files in document order, a shard
or two in memory at a time. The tables are byte for byte those
of `write_tables(reduce_documents(...))`; graph.json is not written (the whole graph in memory).
"""

from __future__ import annotations

import json
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, groupby
from pathlib import Path

from kg.atomic import staged_folder
from kg.reduce import CORPUS_STEPS, Reducer, evidence_rank, mention_order
from kg.relations.people import chains_of, person_ids
from kg.sinks.tables import (
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    MANIFEST,
    MENTION_COLUMNS,
    RELATION_COLUMNS,
    SENTENCE_COLUMNS,
    document_row,
    entity_row,
    mention_row,
    relation_row,
    seal,
    sentence_row,
    table_writer,
)
from kg.store import Store
from kg.text.script import simplified
from kg.types import RELATION_TYPES, DocResult, Document, Entity, Evidence, Mention, Relation, Sentence


@contextmanager
def _renaming(store: Store, live: Iterable[str], steps: tuple, keep_all: bool) -> Iterator[sqlite3.Connection]:
    """A temporary database holding `rename_table`'s table, closed and removed afterwards."""
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(Path(tmp) / "people.db")
        try:
            rename_table(db, store, live, steps, keep_all)
            yield db
        finally:
            db.close()


def people_renamed(store: Store, live: Iterable[str], steps: tuple = CORPUS_STEPS,
                   keep_all: bool = False) -> dict[str, str]:
    """Old → new id of each entity the corpus-level steps merged across documents (see `rename_table`)."""
    with _renaming(store, live, steps, keep_all) as db:
        return dict(db.execute("SELECT old, new FROM renamed"))


def write_renamed(store: Store, live: Iterable[str], path: Path, steps: tuple = CORPUS_STEPS,
                  keep_all: bool = False) -> int:
    """The table of `rename_table` as a Parquet file (old, new, name), for readers elsewhere (Spark's
    executors read it beside the store); its row count. Written in slices: never all in memory."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema([("old", pa.string()), ("new", pa.string()), ("name", pa.string())])
    rows = 0
    with _renaming(store, live, steps, keep_all) as db:
        path.parent.mkdir(parents=True, exist_ok=True)
        with pq.ParquetWriter(path, schema) as out:
            cursor = db.execute("SELECT old, new, name FROM renamed ORDER BY old")
            while part := cursor.fetchmany(100_000):
                out.write_table(pa.Table.from_arrays([pa.array(c, pa.string()) for c in zip(*part, strict=True)],
                                                     schema=schema))
                rows += len(part)
            if not rows:
                out.write_table(schema.empty_table())
    return rows


def rename_table(db: sqlite3.Connection, store: Store, live: Iterable[str], steps: tuple = CORPUS_STEPS,
                 keep_all: bool = False) -> None:
    """Table `renamed (old, new, name)` in `db`: the entities the corpus-level steps merged across
    documents, and the name they gave (an alias table's canonical name; NULL: the fold names it).

    The default step (who is who, `kg.relations.people`) runs name by name from tables on disk:
    held in memory are only the PART_OF / LOCATED_IN edges and the places (they grow with the
    units and places of the corpus, not with its articles) and the people of one name at a time.
    Other steps (`keep_all`: an alias table can merge entities of any type) get the whole linked
    build of people, places and their BELONGS_TO, PART_OF, LOCATED_IN relations in memory."""
    db.execute("CREATE TABLE renamed (old TEXT PRIMARY KEY, new TEXT, name TEXT) WITHOUT ROWID")
    if not steps:
        return
    if keep_all:
        db.executemany("INSERT INTO renamed VALUES (?, ?, ?)", _renamed_in_memory(store, live, steps))
        return
    db.execute("CREATE TABLE person (name TEXT, id TEXT, doc TEXT, anonymized INTEGER)")
    db.execute("CREATE TABLE member (person TEXT, unit TEXT)")
    up: dict[str, set[str]] = {}
    places: set[str] = set()
    for rows in store.rows(live, ("entities", "relations")):
        people = []
        for e in rows["entities"]:
            if e["type"] == "LOC":
                places.add(e["id"])
            elif e["type"] == "PERSON":
                people.append((simplified(e["name"]), e["id"], e["doc"], bool(json.loads(e["attrs"]).get("anonymized"))))
        db.executemany("INSERT INTO person VALUES (?, ?, ?, ?)", people)
        members = []
        for r in rows["relations"]:
            if r["relation"] == "BELONGS_TO":
                members.append((r["source_id"], r["target_id"]))
            elif r["relation"] in ("PART_OF", "LOCATED_IN"):
                up.setdefault(sys.intern(r["source_id"]), set()).add(sys.intern(r["target_id"]))
        db.executemany("INSERT INTO member VALUES (?, ?)", members)
    db.execute("CREATE INDEX member_person ON member (person)")
    chains = chains_of(up)
    db.execute("CREATE INDEX person_id ON person (id, doc)")
    rows = db.execute(  # one row per person id: the name of its first document's copy (as the fold names it)
        "SELECT p.name, g.id, g.docs FROM (SELECT id, min(doc) AS first, group_concat(doc, char(31)) AS docs,"
        " max(anonymized) AS anonymized FROM person GROUP BY id) g JOIN person p ON p.id = g.id AND p.doc = g.first"
        " WHERE g.anonymized = 0 ORDER BY p.name, g.id")
    for name, group in groupby(rows, key=lambda row: row[0]):
        people = [Entity(id=eid, name=name, type="PERSON", attrs={"documents": sorted(set(docs.split("\x1f")))})
                  for _, eid, docs in group]
        local: dict[str, set[str]] = {}
        for person, unit in _where_in(db, "SELECT person, unit FROM member WHERE person", [e.id for e in people]):
            if chains.get(unit, set()) & places:
                local.setdefault(person, set()).add(unit)
        new = person_ids(name, people, {k: frozenset(v) for k, v in local.items()}, chains)
        db.executemany("INSERT INTO renamed VALUES (?, ?, NULL)", [(k, v) for k, v in new.items() if k != v])
    db.execute("DROP TABLE person")
    db.execute("DROP TABLE member")


def _renamed_in_memory(store: Store, live: Iterable[str], steps: tuple) -> list[tuple[str, str, str]]:
    """(old id, new id, name) of the entities the corpus-level `steps` renamed, run on every entity
    and the BELONGS_TO, PART_OF, LOCATED_IN relations."""
    red = Reducer()
    for doc in store.read(live, tables=("entities", "relations")):
        for e in doc.entities:  # the documents it came from: what orders same-name people
            e.attrs["documents"] = sorted({*e.attrs.get("documents", []), doc.document.id})
        red.add(DocResult(doc.document, entities=doc.entities,
                          relations=[r for r in doc.relations if r.relation in ("BELONGS_TO", "PART_OF", "LOCATED_IN")]))
    result = red.result(steps=())
    stand_ins = []  # a stand-in mention per entity tells which id the steps gave it (they rename mentions)
    for e in result.entities:
        m = Mention(doc_id="", sentence=0, start=0, end=0, text="", type=e.type, norm=e.id, entity_id=e.id)
        e.mentions.append(m)
        stand_ins.append(m)
    result.mentions = stand_ins[:]
    result.relations.sort(key=evidence_rank)  # as `Reducer.result` hands them to the steps
    for step in steps:
        step(result)
    return [(m.norm, e.id, e.name) for e in result.entities for m in e.mentions if m.norm != e.id]


def _fill(db: sqlite3.Connection, store: Store, live: list[str]) -> None:
    """Every entity and relation row of the store into `db`, ids renamed by the table `renamed`."""
    db.execute("CREATE TABLE ent (id TEXT, doc TEXT, name TEXT, type TEXT, aliases TEXT, attrs TEXT)")
    db.execute("CREATE TABLE rel (kind INTEGER, source TEXT, relation TEXT, target TEXT, role TEXT, inferred INTEGER,"
               " ev_doc TEXT, ev_sentence INTEGER, ev_start INTEGER, props TEXT, evidence TEXT)")
    for rows in store.rows(live, ("entities", "relations")):
        db.executemany("INSERT INTO ent VALUES (?, ?, ?, ?, ?, ?)",
                       [(e["id"], e["doc"], e["name"], e["type"], json.dumps(e["aliases"]),
                         e["attrs"]) for e in rows["entities"]])
        rels = []
        for r in rows["relations"]:
            props, ev = json.loads(r["properties"]), json.loads(r["evidence"])
            rels.append((RELATION_TYPES.index(r["relation"]) if r["relation"] in RELATION_TYPES else len(RELATION_TYPES),
                         r["source_id"], r["relation"], r["target_id"], str(props.get("role", "")),
                         int(bool(props.get("inferred"))), ev[0] if ev else "", ev[1] if ev else -1,
                         ev[2] if ev else -1, json.dumps(props, ensure_ascii=False, sort_keys=True), r["evidence"]))
        db.executemany("INSERT INTO rel VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rels)
    db.execute("UPDATE ent SET id = renamed.new, name = coalesce(renamed.name, ent.name),"  # a renamed form stays an alias
               " aliases = json_insert(ent.aliases, '$[#]', ent.name) FROM renamed WHERE ent.id = renamed.old")
    db.execute("UPDATE rel SET source = renamed.new FROM renamed WHERE rel.source = renamed.old")
    db.execute("UPDATE rel SET target = renamed.new FROM renamed WHERE rel.target = renamed.old")


def _renamed(db: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """The new ids of those of `ids` the corpus-level steps renamed."""
    return dict(_where_in(db, "SELECT old, new FROM renamed WHERE old", sorted(set(ids))))


def _where_in(db: sqlite3.Connection, query: str, values: list[str]) -> Iterator[tuple]:
    """Rows of `query` + ` IN (values)`, asked in slices of 500 (SQLite's limit on parameters)."""
    for i in range(0, len(values), 500):
        chunk = values[i:i + 500]
        yield from db.execute(f"{query} IN ({','.join('?' * len(chunk))})", chunk)


def _entities(db: sqlite3.Connection) -> Iterator[Entity]:
    """Entities folded from their rows (the rules of `kg.reduce`), by id."""
    counts = db.execute("SELECT source, SUM(json_extract(props, '$.count')), group_concat(substr(target, 5), char(31))"
                        " FROM rel WHERE relation = 'MENTIONED_IN' GROUP BY source ORDER BY source")
    mentioned = next(counts, None)
    rows = db.execute("SELECT id, doc, name, type, aliases, attrs FROM ent ORDER BY id, doc")
    group: list[tuple] = []
    for row in chain(rows, [None]):  # read as it goes: never the whole table
        if group and (row is None or row[0] != group[0][0]):
            e = _fold(group)
            while mentioned is not None and mentioned[0] < e.id:
                mentioned = next(counts, None)
            if mentioned is not None and mentioned[0] == e.id:
                e.attrs["mention_count"] = mentioned[1]
                e.attrs["documents"] = sorted(set(mentioned[2].split("\x1f")) | set(e.attrs.get("documents", [])))
            yield e
            group = []
        if row is not None:
            group.append(row)


def _fold(group: list[tuple]) -> Entity:
    eid, _doc, name, kind, _aliases, attrs = group[0]  # the smallest document's copy
    attrs = {k: v for k, v in json.loads(attrs).items() if not k.startswith("_")}
    aliases: set[str] = set()
    documents: set[str] = set()
    for _, _, other_name, _, other_aliases, other_attrs in group:
        aliases.update(json.loads(other_aliases), [other_name])
        extra = json.loads(other_attrs)
        documents.update(extra.get("documents", []))
        if extra.get("anonymized"):
            attrs["anonymized"] = True
    if documents:
        attrs["documents"] = sorted(documents)
    return Entity(id=eid, name=name, type=kind, aliases=sorted(aliases - {name}), attrs=attrs)


def _relations(db: sqlite3.Connection) -> Iterator[tuple[Relation, str, str]]:
    """One relation per key, the smallest evidence rank's, in table order, with source and target names."""
    rows = db.execute(
        "SELECT r.source, r.relation, r.target, r.role, r.props, r.evidence, s.name, t.name FROM rel r"
        " LEFT JOIN names s ON s.id = r.source LEFT JOIN names t ON t.id = r.target"
        " ORDER BY r.kind, r.source, r.target, r.role, r.inferred, r.ev_doc, r.ev_sentence, r.ev_start, r.props")
    last = None
    for source, relation, target, role, props, evidence, source_name, target_name in rows:
        if (source, relation, target, role) == last:
            continue
        last = (source, relation, target, role)
        ev = json.loads(evidence)
        yield (Relation(source, relation, target, json.loads(props), None if ev is None else Evidence(*ev)),
               source_name, target_name)


def _records(rows: dict[str, list[dict]]) -> tuple[Document, list[Sentence], list[Mention]]:
    """One document's stored rows as the records the tables are written from (a sentence keeps
    only its first and last offsets: all its row needs)."""
    d = rows["documents"][0]
    doc = Document(id=d["doc"], path=d["path"], text=d["text"], encoding=d["encoding"], sha256=d["sha256"],
                   date=d["date"] or "", source_format=d.get("source_format") or "text", replaced=d.get("replaced") or 0)
    sentences = [Sentence(doc_id=s["doc"], index=s["sentence"], text=s["text"], offsets=s["offsets"][:1] + s["offsets"][-1:],
                          article=s["article"], kind=s["kind"]) for s in sorted(rows["sentences"], key=lambda s: s["sentence"])]
    mentions = [Mention(doc_id=m["doc"], sentence=m["sentence"], start=m["start"], end=m["end"], text=m["text"],
                        type=m["type"], norm=m["norm"], source=m["source"], article=m["article"],
                        sent_start=m["sent_start"], entity_id=m["entity_id"]) for m in rows["mentions"]]
    return doc, sentences, mentions


def write_tables_from_store(store: Store, live: Iterable[str], out_dir: str | Path, steps: tuple = CORPUS_STEPS,
                            keep_all: bool = False, bom: bool = False, lang: str = "en") -> dict[str, int]:
    """Every CSV table of the build of documents `live` into `out_dir`, all or nothing; row counts.
    `steps`, `keep_all`: the corpus-level steps and what they read (see `rename_table`); `bom`, `lang`:
    as `kg.sinks.tables.write_tables` writes them."""
    live = sorted(set(live))
    counts = {"documents": 0, "entities": 0, "relations": 0, "mentions": 0}
    with staged_folder(out_dir, last=MANIFEST) as out, tempfile.TemporaryDirectory(dir=out) as tmp:  # a killed run's: cleaned up
        db = sqlite3.connect(Path(tmp) / "fold.db")
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA temp_store = FILE")  # sorts spill to disk: memory stays flat
        db.execute("PRAGMA cache_size = -65536")  # 64 MB
        rename_table(db, store, live, steps, keep_all)
        _fill(db, store, live)
        db.execute("CREATE TABLE names (id TEXT PRIMARY KEY, name TEXT)")
        with table_writer(out / "entities.csv", ENTITY_COLUMNS, bom, lang) as write:
            for e in _entities(db):
                write(entity_row(e))
                db.execute("INSERT INTO names VALUES (?, ?)", (e.id, e.name))
                counts["entities"] += 1
        with table_writer(out / "relations.csv", RELATION_COLUMNS, bom, lang) as write:
            for r, source_name, target_name in _relations(db):
                names = {k: v for k, v in ((r.source_id, source_name), (r.target_id, target_name)) if v is not None}
                write(relation_row(r, names))
                counts["relations"] += 1
        with table_writer(out / "documents.csv", DOCUMENT_COLUMNS, bom, lang) as write_document, \
                table_writer(out / "sentences.csv", SENTENCE_COLUMNS, bom, lang) as write_sentence, \
                table_writer(out / "mentions.csv", MENTION_COLUMNS, bom, lang) as write_mention:
            for rows in store.rows(live, ("documents", "sentences", "mentions"), in_order=True):
                doc, sentences, mentions = _records(rows)  # written by the in-memory reduce's row functions
                write_document(document_row(doc))
                for s in sentences:
                    write_sentence(sentence_row(s))
                renamed = _renamed(db, (m.entity_id for m in mentions))
                for m in mentions:
                    m.entity_id = renamed.get(m.entity_id, m.entity_id)
                mentions.sort(key=mention_order)
                for m in mentions:
                    write_mention(mention_row(m))
                counts["documents"] += 1
                counts["mentions"] += len(mentions)
        db.close()
        (out / "graph.json").unlink(missing_ok=True)
        seal(out, out_dir)
    (Path(out_dir) / "graph.json").unlink(missing_ok=True)  # a previous build's, out of step with these tables
    return counts

