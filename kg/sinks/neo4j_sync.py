"""`kg load OUT`: make a Neo4j database mirror an output folder, sending only what changed.

Rows are streamed from the folder (`kg.sinks.neo4j_rows`), keyed and digested, and compared with
the folder's ledger of that database (`kg.sinks.neo4j_ledger`). New and changed rows go through the
batched `MERGE` loader, written so that the node or relationship ends up exactly as the row says
(`SET x = row` when it differs: a property or alias the output dropped is dropped); rows the output
no longer has are deleted (a removed document's node, sentences, mentions and the entities and
facts only it gave). A database whose marker does not match the ledger, or `full=True`, gets every
row. Unchanged output sends nothing and writes nothing.

    >>> sync_graph(StreamedRows("out"), Path("out"), uri="bolt://127.0.0.1:7687", user="neo4j",
    ...            password="secret")                                     # doctest: +SKIP
    {'mode': 'incremental', 'sent': 12, 'unchanged': 3051, 'deleted': 7, ...}
"""

from __future__ import annotations

import queue
import sqlite3
import threading
import time
from collections.abc import Iterator
from itertools import groupby
from pathlib import Path

from kg.config import NEO4J
from kg.cypher import (
    AWAIT_INDEXES,
    COUNTS_QUERY,
    MARKER_WRITE,
    MARKERS_QUERY,
    MENTION_COUNT_QUERY,
    OTHER_MARKERS_DELETE,
    mirror_delete_query,
    mirror_query,
)
from kg.errors import KgError
from kg.schema import neo4j_entity_props
from kg.sinks.neo4j import (
    CLIENT_GRACE,
    CONNECT_TIMEOUT,
    COUNTERS,
    QUERY_TIMEOUT,
    _write_batch,
    client_timeout,
    create_schema,
    neo4j_error,
    open_driver,
    quiet_driver_log,
)
from kg.sinks.neo4j_ledger import Ledger, LedgerState, row_key
from kg.sinks.neo4j_rows import GraphSource


def _param(kind: str, row: dict) -> dict:
    """The query parameter of a row: its match keys and `all`, every property it must end with."""
    if kind == "D":
        return {"id": row["id"], "all": {"id": row["id"], **row["props"]}}
    if kind == "S":
        return {"id": row["id"], "document": row["document"], "all": {"id": row["id"], **row["props"]}}
    if kind == "E":
        return {"id": row["id"], "all": {"id": row["id"], **{k: v for k, v in neo4j_entity_props(row).items()
                                                             if v is not None}}}
    if kind == "R":
        return {"source": row["source"], "target": row["target"], "role": row["role"],
                "all": {"role": row["role"], **row["props"]}}
    return {"entity": row["entity"], "sentence": row["sentence"], "start": row["start"],
            "all": {"start": row["start"], **row["props"]}}


def source_rows(source: GraphSource) -> Iterator[tuple[str, object, dict]]:
    """(kind, part, row) in the order a load needs: the ends of an edge before the edge."""
    yield from (("D", None, d) for d in source.documents())
    yield from (("S", None, s) for s in source.sentences())
    yield from (("E", label, e) for label, e in source.entities())
    yield from (("R", group, r) for group, r in source.relations())
    yield from (("M", None, m) for m in source.mentions())


class _Writer:
    """Batches written by one thread, in order, while the caller reads and digests the next rows."""

    def __init__(self, write) -> None:
        self._write, self._queue, self.error = write, queue.Queue(maxsize=2), None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            if self.error is None:
                try:
                    self._write(*item)
                except BaseException as err:  # handed to the caller
                    self.error = err

    def put(self, query: str, params: list) -> None:
        if self.error is not None:
            raise self.error
        self._queue.put((query, params))

    def __enter__(self) -> _Writer:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._queue.put(None)
        self._thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error


def _target(uri: str, database: str | None) -> str:
    return f"{uri} {database or '(default)'}"


def sync_graph(source: GraphSource, out_dir: Path, *, uri: str, user: str, password: str | None,
               database: str | None = None, batch_size: int = NEO4J.batch_size, full: bool = False,
               max_retry_time: float = 30.0, connect_timeout: float = CONNECT_TIMEOUT,
               query_timeout: float = QUERY_TIMEOUT, force: bool = False) -> dict:
    """Mirror `source` (the rows of output folder `out_dir`) into Neo4j; the report of what was sent.
    `force`: load into a database that holds another folder's load (see `Ledger.open`), taking it over.
    A read waits at most `query_timeout` + `CLIENT_GRACE` seconds (`client_timeout`): a frozen server
    fails the load with one line instead of blocking it."""
    with client_timeout(query_timeout + CLIENT_GRACE), quiet_driver_log():
        return _sync_graph(source, out_dir, uri=uri, user=user, password=password, database=database,
                           batch_size=batch_size, full=full, max_retry_time=max_retry_time,
                           connect_timeout=connect_timeout, query_timeout=query_timeout, force=force)


def _sync_graph(source: GraphSource, out_dir: Path, *, uri: str, user: str, password: str | None,
                database: str | None, batch_size: int, full: bool, max_retry_time: float,
                connect_timeout: float, query_timeout: float, force: bool) -> dict:
    started = time.perf_counter()
    ledger = Ledger(out_dir)  # an unusable ledger fails here, naming its file, before any connection
    try:
        driver = open_driver(uri, user, password, database, max_retry_time, connect_timeout)
    except BaseException:
        ledger.close()
        raise
    totals = dict.fromkeys(COUNTERS, 0)
    sent = unchanged = deleted = 0

    def write(session, query: str, params: list) -> None:
        for k, v in _write_batch(session, query, params, timeout=query_timeout).items():
            totals[k] += v

    try:
        with driver.session(database=database) as session:
            create_schema(session)
            markers = {r["ledger"]: r["generation"] for r in
                       session.execute_read(lambda tx: [r.data() for r in tx.run(MARKERS_QUERY)])}
            state = ledger.open(markers, _target(uri, database), force=force)
            if force and set(markers) - {state.ledger}:
                state = LedgerState(state.ledger, state.generation, False, "--force over another folder's load")
            if full:
                state = LedgerState(state.ledger, state.generation, state.trusted, "--full")
            ledger.db.execute("CREATE TEMP TABLE IF NOT EXISTS touched (id TEXT PRIMARY KEY) WITHOUT ROWID")
            ledger.db.execute("DELETE FROM touched")

            def flush(chunk: list[tuple[str, object, dict, str, str]]) -> None:
                nonlocal sent, unchanged
                keyed = [(k, d) for *_, k, d in chunk]
                ledger.see(keyed)
                changed = {k for k, _ in keyed} if full else ledger.changed(state, keyed)
                todo = [c for c in chunk if c[3] in changed]
                sent, unchanged = sent + len(todo), unchanged + len(chunk) - len(todo)
                if not todo:
                    return
                if state.trusted:  # an untrusted load cut short is followed by a full one anyway
                    ledger.pend(state, [(k, d) for *_, k, d in todo])
                ledger.db.executemany("INSERT OR IGNORE INTO touched VALUES (?)",
                                      [(row["id"] if kind == "E" else row["entity"],)
                                       for kind, _, row, _, _ in todo if kind in ("E", "M")])
                for (kind, part), run in groupby(todo, key=lambda c: (c[0], c[1])):  # one write per run
                    writer.put(mirror_query(kind, part), [_param(kind, c[2]) for c in run])

            chunk: list = []
            with _Writer(lambda q, p: write(session, q, p)) as writer:
                for kind, part, row in source_rows(source):
                    chunk.append((kind, part, row, *row_key(kind, part, row)))
                    if len(chunk) >= batch_size:
                        flush(chunk)
                        chunk = []
                flush(chunk)
            deleted = _delete_vanished(ledger, state, lambda q, p: write(session, q, p), batch_size)
            touched = ledger.db.execute("SELECT id FROM touched")
            while ids := [i for (i,) in touched.fetchmany(batch_size)]:
                write(session, MENTION_COUNT_QUERY, ids)
            session.execute_write(lambda tx: tx.run(AWAIT_INDEXES,
                                                    seconds=int(query_timeout)).consume())
            generation = state.generation + 1
            session.execute_write(lambda tx: tx.run(MARKER_WRITE, ledger=state.ledger,
                                                    generation=generation).consume())
            if force:  # the database mirrors this folder now: the other folders' markers go
                session.execute_write(lambda tx: tx.run(OTHER_MARKERS_DELETE, ledger=state.ledger).consume())
            ledger.commit(state, generation, _target(uri, database))
            record = session.execute_read(lambda tx: tx.run(COUNTS_QUERY).single())
    except KgError:
        raise
    except sqlite3.Error as err:
        raise KgError(f"{ledger.path}: {err}") from err
    except Exception as err:
        raise neo4j_error(err, uri, user, database) from err
    finally:
        driver.close()
        ledger.close()
    report = {"mode": "incremental" if state.trusted and not full else "full", "why": state.reason,
              "sent": sent, "unchanged": unchanged, "deleted": deleted}
    report.update({k: totals[k] for k in COUNTERS})
    report.update(nodes=record["nodes"], relationships=record["relationships"],
                  seconds=round(time.perf_counter() - started, 2))
    return report


def _delete_vanished(ledger: Ledger, state: LedgerState, write, batch_size: int) -> int:
    """Delete what the ledger holds and the output has not: edges first, then nodes."""
    groups: dict[tuple, list] = {}
    n = 0

    def flush(group: tuple) -> None:
        kind, part = group
        write(mirror_delete_query(kind, part), groups.pop(group))

    for key in sorted(ledger.vanished(state), key=lambda k: "RMSED".index(k[0])):
        kind = key[0]
        if kind in ("D", "S", "E"):
            group, param = (kind, None), {"id": key[1]}
        elif kind == "R":
            group, param = (kind, (key[1], key[2])), {"source": key[3], "target": key[4], "role": key[5]}
        else:
            group, param = (kind, None), {"entity": key[1], "sentence": key[2], "start": key[3]}
            ledger.db.execute("INSERT OR IGNORE INTO touched VALUES (?)", (key[1],))
        groups.setdefault(group, []).append(param)
        n += 1
        if len(groups[group]) >= batch_size:
            flush(group)
    for group in list(groups):
        flush(group)
    return n
