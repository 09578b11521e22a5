"""What `kg load` has put into a Neo4j database: every row's key and a digest of its content.

The ledger is a SQLite file in the output folder (`neo4j-ledger.sqlite`). It can hold several
ledgers, one per database loaded (or bulk-imported) from this folder, each with an id and a
generation. The database holds a marker node `(:KgLoad {ledger, generation})`, and a ledger is
trusted only when the database's marker names it at its generation: a wiped, restored or foreign
database gets a full load. A load records the keys it is about to write in `pending` (committed
before the write), sets the marker, and only then commits the new rows, all in one transaction;
so a load cut short leaves the old rows plus the pending keys, and the next load re-sends every
row that differs from either and deletes every key it no longer has.

    >>> with Ledger(Path("out")) as ledger:                         # doctest: +SKIP
    ...     state = ledger.open({"1f0…": 3}, target="bolt://127.0.0.1:7687 neo4j")
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError

LEDGER_FILE = "neo4j-ledger.sqlite"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta (ledger TEXT PRIMARY KEY, generation INTEGER NOT NULL, target TEXT)",
    "CREATE TABLE IF NOT EXISTS rows (ledger TEXT, key TEXT, digest TEXT, PRIMARY KEY (ledger, key)) WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS pending (ledger TEXT, key TEXT, digest TEXT, PRIMARY KEY (ledger, key))"
    " WITHOUT ROWID",
)


def row_key(kind: str, part, row: dict) -> tuple[str, str]:
    """(key, digest) of a row. `kind`: D document, S sentence, E entity, R relationship, M mention;
    `part`: an entity's label, a relationship's (type, target label)."""
    if kind in ("D", "S", "E"):
        key = [kind, row["id"]]
    elif kind == "R":
        key = [kind, *part, row["source"], row["target"], row["role"]]
    else:
        key = [kind, row["entity"], row["sentence"], row["start"]]
    content = json.dumps([part, row], ensure_ascii=False, sort_keys=True, default=str)
    return (json.dumps(key, ensure_ascii=False, separators=(",", ":")),
            hashlib.blake2b(content.encode(), digest_size=16).hexdigest())


@dataclass
class LedgerState:
    ledger: str
    generation: int  # the generation the database holds now (0: none)
    trusted: bool
    reason: str  # why the ledger is or is not trusted, for the report


class Ledger:
    """The ledger file of one output folder; use as a context manager."""

    def __init__(self, out_dir: str | Path) -> None:
        self.path = Path(out_dir) / LEDGER_FILE
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)  # transactions are explicit
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: a commit survives a crash of this process
            for statement in _SCHEMA:
                self.db.execute(statement)
        except sqlite3.Error as err:  # a read-only folder, a damaged file
            raise KgError(f"{self.path}: cannot use the Neo4j load ledger ({err}); a folder kg can write, "
                          "or delete a damaged ledger (the next load is then a full one)") from err
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY, digest TEXT) WITHOUT ROWID")

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.db.close()

    def open(self, markers: dict[str, int], target: str, force: bool = False) -> LedgerState:
        """The ledger to use against a database holding `markers` (ledger id → generation).

        A database holding another folder's marker is refused (KgError) unless `force`: two folders'
        entities share ids, so loading both into one database mixes them, and an incremental load of
        either would delete nodes the other still uses. `force`: load anyway (the caller makes it a
        full load, which deletes nothing, and removes the other markers)."""
        known = dict(self.db.execute("SELECT ledger, generation FROM meta").fetchall())
        foreign = sorted(lid for lid in markers if lid not in known)
        if foreign and not force:
            raise KgError(f"{target}: the database holds the load of another output folder (ledger {foreign[0]}, "
                          f"generation {markers[foreign[0]]}; or of this folder before {self.path.name} was removed): "
                          "loading this folder too would mix two builds, and a later load of either would delete "
                          "what the other still uses; use another --database, empty this one, or pass --force "
                          "(a full load that deletes nothing; the other folder's marker is removed)")
        mine = sorted((lid for lid in markers if lid in known), key=lambda lid: lid != self._target_ledger(target))
        self.db.execute("DELETE FROM seen")
        if not mine:
            why = "no marker of this folder's ledger in the database" if markers or known else "first load"
            return LedgerState(uuid.uuid4().hex, 0, False, why)
        lid = mine[0]
        if known[lid] != markers[lid]:
            return LedgerState(lid, max(known[lid], markers[lid] or 0), False,
                               f"the database is at generation {markers[lid]}, the ledger at {known[lid]}")
        return LedgerState(lid, known[lid], True, "ledger matches the database")

    def _target_ledger(self, target: str) -> str | None:
        row = self.db.execute("SELECT ledger FROM meta WHERE target = ?", (target,)).fetchone()
        return row[0] if row else None

    def see(self, keyed: list[tuple[str, str]]) -> None:
        """Record the (key, digest) rows of the output being loaded."""
        self.db.executemany("INSERT OR REPLACE INTO seen VALUES (?, ?)", keyed)

    def changed(self, state: LedgerState, keyed: list[tuple[str, str]]) -> set[str]:
        """The keys among `keyed` whose row the database may not hold as it is now."""
        if not state.trusted:
            return {k for k, _ in keyed}
        out = set()
        for i in range(0, len(keyed), 500):
            chunk = keyed[i:i + 500]
            marks = ",".join("?" * len(chunk))
            keys = [k for k, _ in chunk]
            old = dict(self.db.execute(f"SELECT key, digest FROM rows WHERE ledger = ? AND key IN ({marks})",
                                       [state.ledger, *keys]))
            pend = dict(self.db.execute(f"SELECT key, digest FROM pending WHERE ledger = ? AND key IN ({marks})",
                                        [state.ledger, *keys]))
            out |= {k for k, d in chunk if old.get(k) != d or pend.get(k, d) != d}
        return out

    def pend(self, state: LedgerState, keyed: Iterable[tuple[str, str]]) -> None:
        """Commit the keys about to be written, before writing them (a load cut short then knows them)."""
        self.db.executemany("INSERT OR REPLACE INTO pending VALUES (?, ?, ?)",
                            [(state.ledger, k, d) for k, d in keyed])

    def vanished(self, state: LedgerState) -> Iterator[list]:
        """Keys the ledger (or a cut-short load) holds that the output being loaded has not."""
        if not state.trusted:
            return
        rows = self.db.execute(
            "SELECT key FROM rows WHERE ledger = ?1 AND key NOT IN (SELECT key FROM seen) UNION "
            "SELECT key FROM pending WHERE ledger = ?1 AND key NOT IN (SELECT key FROM seen)", (state.ledger,))
        for (k,) in rows:
            yield json.loads(k)

    def commit(self, state: LedgerState, generation: int, target: str) -> None:
        """The output just loaded becomes the ledger's rows, at `generation`, in one transaction."""
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        try:
            stale = [lid for (lid,) in db.execute("SELECT ledger FROM meta WHERE target = ? AND ledger <> ?",
                                                  (target, state.ledger))]
            for lid in [state.ledger, *stale]:
                db.execute("DELETE FROM rows WHERE ledger = ?", (lid,))
                db.execute("DELETE FROM pending WHERE ledger = ?", (lid,))
                db.execute("DELETE FROM meta WHERE ledger = ?", (lid,))
            db.execute("INSERT INTO rows SELECT ?, key, digest FROM seen", (state.ledger,))
            db.execute("INSERT INTO meta VALUES (?, ?, ?)", (state.ledger, generation, target))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
