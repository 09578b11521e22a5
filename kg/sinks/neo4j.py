"""Load a BuildResult into Neo4j: idempotent, batched, every value a query parameter.

The graph in Neo4j:

    (:Entity:Person|Org|Loc|Date|Event {id, name, type, aliases, documents, mention_count, ...})
    (:Document {id: "doc:<doc id>", name: "<doc id>", path, encoding, sha256})   doc id: a/page.txt
    (:Sentence {id: "<doc id>#<index>", document, index, text, start, end, kind, article})
    (:Sentence)-[:IN]->(:Document)
    (:Entity)-[:MENTIONED_IN {count, ...}]->(:Document)          one per entity and document
    (:Entity)-[:MENTIONED_IN {start, end, text, source}]->(:Sentence)   one per mention
    (:Entity)-[:BELONGS_TO|PART_OF|LOCATED_IN|EVENT_AT|INVOLVED_IN {role, date, ..., document, sentence,
              sentence_id, start, end, evidence}]->(:Entity)   the fact and the sentence stating it

The rows are `kg.schema`'s Neo4j rows, the statements `kg.cypher`'s. Labels and relationship
types come only from fixed tables; names and texts only ever travel as parameters. Every write is
a `MERGE` on ids (and on `role` / mention `start` for relationships), and properties are written
only when they differ, so a second load of the same output creates nothing and sets nothing, and a
load cut short by a crash converges when re-run.
Each batch is one managed transaction (`session.execute_write`), which the driver retries on
transient errors and lost connections.

`kg load OUT` does not hold the graph: it streams the folder's rows (`kg.sinks.neo4j_rows`) and
sends only what changed since the last load (`kg.sinks.neo4j_sync`, `kg.sinks.neo4j_ledger`).

    >>> load_graph(result, uri="bolt://127.0.0.1:7687", user="neo4j", password="secret")  # doctest: +SKIP
    {'nodes_created': 41, 'relationships_created': 97, ...}
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

import neo4j
from neo4j import exceptions as nx

from kg.config import NEO4J
from kg.cypher import (
    AWAIT_INDEXES,
    COUNTS_QUERY,
    MENTION_COUNT_QUERY,
    MENTION_QUERY,
    PING,
    SCHEMA,
    SENTENCE_QUERY,
    entity_query,
    node_query,
    relation_query,
)
from kg.errors import Neo4jError
from kg.schema import (
    neo4j_document_row,
    neo4j_document_stub,
    neo4j_entity_row,
    neo4j_fact_row,
    neo4j_mention_row,
    neo4j_mentioned_in_row,
    neo4j_sentence_row,
    sentence_node_id,
)
from kg.types import RELATION_TYPES, BuildResult, Mention, document_node_id

FACT_TYPES = tuple(t for t in RELATION_TYPES if t != "MENTIONED_IN")
PROVENANCE_TYPES = ("MENTIONED_IN", "IN")  # entity → document / sentence; sentence → document
NODE_LABELS = ("Entity", "Document", "Sentence")
CONNECT_TIMEOUT = NEO4J.connect_timeout  # seconds to connect and finish the Bolt handshake (kg.config)
QUERY_TIMEOUT = NEO4J.query_timeout  # seconds one batch's transaction may run on the server
CLIENT_GRACE = 30.0  # seconds a read may wait past the server's query timeout before the client gives up

def create_schema(session) -> None:
    """The constraints and the full-text index (`SCHEMA`), each `IF NOT EXISTS`: safe on every load."""
    for statement in SCHEMA:
        session.execute_write(lambda tx, q=statement: tx.run(q).consume())


@dataclass
class GraphRows:
    """The graph as plain rows, shared by the transactional loader and the bulk-import CSVs."""

    documents: list[dict] = field(default_factory=list)  # {id, props}
    sentences: list[dict] = field(default_factory=list)  # {id, document, props}
    entities: dict[str, list[dict]] = field(default_factory=dict)  # label → [{id, props, aliases, documents}]
    relations: dict[tuple[str, str], list[dict]] = field(default_factory=dict)  # (type, target label) → rows
    mentions: list[dict] = field(default_factory=list)  # {entity, sentence, start, props}
    skipped: list[str] = field(default_factory=list)  # relations whose ends are not in the result


def unified(v):
    """A value of a key whose values have several types: the string form, the same everywhere."""
    return v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)


def _unify_types(rows: list[dict]) -> None:
    """A key whose values have different types across rows becomes a string everywhere."""
    kinds: dict[str, set] = defaultdict(set)
    for r in rows:
        for k, v in r["props"].items():
            kinds[k].add(type(v))
    mixed = {k for k, ts in kinds.items() if len(ts) > 1}
    for r in rows:
        for k in mixed & r["props"].keys():
            r["props"][k] = unified(r["props"][k])


def graph_rows(result: BuildResult) -> GraphRows:
    """Flatten a BuildResult into id-keyed rows; duplicate keys keep the first occurrence."""
    rows = GraphRows()
    docs: dict[str, dict] = {}
    for d in result.documents:
        docs.setdefault(d.id, neo4j_document_row(d))
    sentences: dict[str, dict] = {}
    for s in result.sentences:
        row = neo4j_sentence_row(s)
        sentences.setdefault(row["id"], row)

    def stub_sentence(doc_id: str, index: int) -> str:
        docs.setdefault(doc_id, neo4j_document_stub(doc_id))
        sid = sentence_node_id(doc_id, index)
        sentences.setdefault(sid, {"id": sid, "document": document_node_id(doc_id),
                                   "props": {"document": doc_id, "index": index}})
        return sid

    entity_ids = set()
    mentions: dict[tuple, dict] = {}
    by_entity: dict[str, list[Mention]] = defaultdict(list)
    for m in result.mentions:
        if m.entity_id:
            by_entity[m.entity_id].append(m)
    for e in result.entities:
        if e.id in entity_ids:
            continue
        entity_ids.add(e.id)
        ms = e.mentions or by_entity.get(e.id, [])
        for m in ms:
            sid = stub_sentence(m.doc_id, m.sentence)
            mentions.setdefault((e.id, sid, m.start), neo4j_mention_row(m, e.id))
        for doc_id in e.documents:
            docs.setdefault(doc_id, neo4j_document_stub(doc_id))
        count = len({(m.doc_id, m.start) for m in ms}) or int(e.attrs.get("mention_count", 0) or 0)
        label, row = neo4j_entity_row(e, count)
        rows.entities.setdefault(label, []).append(row)

    doc_ids = {d["id"] for d in docs.values()}
    facts: dict[tuple, tuple[str, str, dict]] = {}
    for r in result.relations:
        rel = r.relation if r.relation in RELATION_TYPES else None
        target = "Document" if r.target_id in doc_ids else "Entity" if r.target_id in entity_ids else None
        if rel is None or target is None or r.source_id not in entity_ids:
            rows.skipped.append(f"{r.source_id} {r.relation} {r.target_id}")
            continue
        if r.evidence is not None:
            stub_sentence(r.evidence.doc_id, r.evidence.sentence)
        facts.setdefault(r.key, (rel, target, neo4j_fact_row(r)))
    # Every entity points at each document that names it, stated by a relation or not.
    for label_rows in rows.entities.values():
        for e in label_rows:
            for doc_id in e["documents"] or []:
                key = (e["id"], "MENTIONED_IN", document_node_id(doc_id), "")
                facts.setdefault(key, ("MENTIONED_IN", "Document", neo4j_mentioned_in_row(e["id"], doc_id)))
    for rel, target, row in facts.values():
        rows.relations.setdefault((rel, target), []).append(row)
    for group in [*rows.relations.values(), [e for es in rows.entities.values() for e in es]]:
        _unify_types(group)
    rows.documents = list(docs.values())
    rows.sentences = list(sentences.values())
    rows.mentions = list(mentions.values())
    return rows


COUNTERS = ("nodes_created", "relationships_created", "properties_set", "labels_added", "nodes_deleted",
            "relationships_deleted")


def _batches(rows: list, size: int):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _write(tx, query: str, rows: list) -> dict:
    counters = tx.run(query, rows=rows).consume().counters
    return {k: getattr(counters, k) for k in COUNTERS}


def _write_batch(session, query: str, rows: list, replays: int = 3, timeout: float = QUERY_TIMEOUT) -> dict:
    """One managed transaction; the driver retries transient errors and lost connections.

    The driver does not retry a commit whose outcome it could not see (IncompleteCommit). Every
    batch is idempotent, so replaying it is safe: it either finds its writes done or does them.
    """
    for attempt in range(replays + 1):
        try:
            return session.execute_write(neo4j.unit_of_work(timeout=timeout)(_write), query, rows)
        except nx.IncompleteCommit:
            if attempt == replays:
                raise
    raise AssertionError("unreachable")


def _one_line(err: BaseException) -> str:
    msg = err.message if isinstance(err, nx.Neo4jError) and err.message else str(err) or type(err).__name__
    return " ".join(str(msg).split())


def neo4j_error(err: Exception, uri: str, user: str, database: str | None,
                connect_timeout: float | None = None) -> Neo4jError:
    """The driver's exception as one line naming the URI and the cause."""
    db = database or "(default)"
    if connect_timeout is not None and "handshake" in _one_line(err).lower():
        return Neo4jError(f"cannot reach Neo4j at {uri}: no Bolt answer within {connect_timeout:g} s "
                          "(not a Neo4j server, or a hung one; --connect-timeout)")
    if isinstance(err, nx.AuthError):
        return Neo4jError(f"Neo4j at {uri} refused user {user!r}: wrong user or password ({_one_line(err)})")
    if isinstance(err, nx.ClientError) and (err.code or "").endswith("DatabaseNotFound"):
        return Neo4jError(f"Neo4j at {uri} has no database {db!r} ({_one_line(err)})")
    if isinstance(err, nx.ServiceUnavailable | nx.SessionExpired):
        return Neo4jError(f"cannot reach Neo4j at {uri}: {_one_line(err)}")
    if isinstance(err, nx.ConfigurationError | ValueError):
        return Neo4jError(f"bad Neo4j URI or settings {uri}: {_one_line(err)}")
    return Neo4jError(f"Neo4j at {uri}, database {db}: {_one_line(err)}")


@contextlib.contextmanager
def client_timeout(seconds: float) -> Iterator[None]:
    """Every socket the driver opens inside the block gives up a read after `seconds`, so a server
    that stops answering (SIGSTOP, a hung VM) fails the load instead of blocking it forever: the
    driver has no read timeout of its own, but keeps a socket's default timeout once connected
    (`socket.setdefaulttimeout`, process-wide while the block runs)."""
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


@contextlib.contextmanager
def quiet_driver_log() -> Iterator[None]:
    """Hold back the driver's log while the block runs: a server killed mid-load makes it log every
    retry and dropped connection (WARNING, which Python's last-resort handler prints on stderr) before
    kg's one-line error says what failed. Left alone when someone asked for it: a level or handler on
    the "neo4j" logger (`kg --debug` sets WARNING)."""
    log = logging.getLogger("neo4j")
    if log.level != logging.NOTSET or log.handlers:
        yield
        return
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(logging.NOTSET)


def open_driver(uri: str, user: str, password: str | None, database: str | None = None,
                max_retry_time: float = 30.0, connect_timeout: float = CONNECT_TIMEOUT) -> neo4j.Driver:
    """A connected driver, or Neo4jError if the server, the credentials or the database are wrong.

    `connect_timeout` bounds both the TCP connect and getting a usable connection (the driver's
    acquisition timeout, 60 s by default, is what a port that accepts and never answers runs into).
    """
    try:
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password) if password is not None else None,
                                            max_transaction_retry_time=max_retry_time,
                                            connection_timeout=connect_timeout,
                                            connection_acquisition_timeout=connect_timeout,
                                            notifications_min_severity="OFF")
    except Exception as err:  # the driver validates the URI here
        raise neo4j_error(err, uri, user, database) from err
    try:
        driver.verify_connectivity()
        with driver.session(database=database) as session:
            session.execute_read(lambda tx: tx.run(PING).consume())
    except Exception as err:
        driver.close()
        raise neo4j_error(err, uri, user, database, connect_timeout) from err
    return driver


def check_server(uri: str, user: str, password: str | None, database: str | None = None,
                 connect_timeout: float = CONNECT_TIMEOUT) -> None:
    """Neo4jError unless the server answers, takes the credentials and has the database."""
    open_driver(uri, user, password, database, connect_timeout=connect_timeout).close()


@quiet_driver_log()
def load_graph(result: BuildResult, *, uri: str, user: str, password: str | None,
               database: str | None = None, batch_size: int = NEO4J.batch_size, max_retry_time: float = 30.0,
               connect_timeout: float = CONNECT_TIMEOUT, query_timeout: float = QUERY_TIMEOUT) -> dict:
    """Write `result` into Neo4j and return the write counters plus the graph's totals afterwards.

    `max_retry_time` is how long the driver keeps retrying a batch on transient errors;
    `connect_timeout` how long to wait for a server to answer; `query_timeout` how long one batch
    may run on the server before it is rolled back (and the load fails naming the server).
    """
    rows = graph_rows(result)
    started = time.perf_counter()
    driver = open_driver(uri, user, password, database, max_retry_time, connect_timeout)
    totals = dict.fromkeys(COUNTERS, 0)

    def run(session, query: str, items: list) -> None:
        for batch in _batches(items, batch_size):
            for k, v in _write_batch(session, query, batch, timeout=query_timeout).items():
                totals[k] += v

    try:
        with driver.session(database=database) as session:
            create_schema(session)
            run(session, node_query("Document"), rows.documents)
            run(session, SENTENCE_QUERY, rows.sentences)
            for label, entity_rows in sorted(rows.entities.items()):
                run(session, entity_query(label), entity_rows)
            for (rel, target), rel_rows in sorted(rows.relations.items()):
                run(session, relation_query(rel, target), rel_rows)
            run(session, MENTION_QUERY, rows.mentions)
            run(session, MENTION_COUNT_QUERY, [e["id"] for es in rows.entities.values() for e in es])
            session.execute_write(lambda tx: tx.run(AWAIT_INDEXES, seconds=300).consume())
            record = session.execute_read(lambda tx: tx.run(COUNTS_QUERY).single())
    except Neo4jError:
        raise
    except Exception as err:
        raise neo4j_error(err, uri, user, database) from err
    finally:
        driver.close()
    report = {k: totals[k] for k in ("nodes_created", "relationships_created", "properties_set", "labels_added")}
    report.update(nodes=record["nodes"], relationships=record["relationships"],
                  skipped_relations=len(rows.skipped), seconds=round(time.perf_counter() - started, 2))
    return report
