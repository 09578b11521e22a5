"""The fold run on DuckDB: a build's per-document results merged by `kg.engines.fold`'s SQL, whatever its size.

One reduce for every local build: the results of `kg.build` and of a small build are Arrow tables
in the store's layout (`kg.store.arrow_tables`) read by an in-memory DuckDB (`reduce_results`); a
build with a store reads its Parquet shards (`store/<table>/*.parquet`, `reduce_store`, and
`write_tables_from_store`, which streams the tables to the files without holding the build: group-bys
and sorts spill to a database in a temporary folder, so memory stays bounded whatever the corpus).
The corpus-level step (who is who across documents) runs one name at a time from a sorted query
(`rename_table`), holding in memory only the PART_OF / LOCATED_IN chains of units and places; its
renaming is a join inside the fold. Spark runs the same SQL (`kg.engines.spark_reduce`), so every
engine writes the same bytes.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import Any

from kg.atomic import staged_folder
from kg.corpus import CORPUS_STEPS
from kg.engines.fold import folded_result, views, write_folded
from kg.errors import InputError
from kg.integrity import check_build
from kg.relations.people import chains_of, person_ids
from kg.sinks.tables import MANIFEST, seal
from kg.store import TABLES, Store, arrow_tables
from kg.text.script import simplified
from kg.types import BuildResult, DocResult, Entity, Mention

MEMORY_LIMIT = "256MB"  # DuckDB's working memory (KG_DUCKDB_MEMORY to change it); past it, group-bys and sorts spill
THREAD_MEMORY = 128 * 2**20  # about this much of the working memory per DuckDB thread (each holds its own buffers)
BATCH_ROWS = 20_000  # rows handed from DuckDB to the table writer (and renames to DuckDB) at a time
ENTITY_PARTS = ("entity_heads", "entity_aliases", "entity_documents", "entity_mentions")  # read only by folded_entities


def _database(path: Path) -> Any:
    """A DuckDB database in `path`'s folder, spilling past its working memory."""
    import duckdb

    db = duckdb.connect(str(path / "fold.duckdb"))
    db.execute(f"SET memory_limit = '{os.environ.get('KG_DUCKDB_MEMORY') or MEMORY_LIMIT}'")
    size, unit = db.execute("SELECT current_setting('memory_limit')").fetchall()[0][0].split()  # '244.1 MiB'
    limit = float(size) * 1024 ** ("bytes", "KiB", "MiB", "GiB", "TiB").index(unit)
    cores = db.execute("SELECT current_setting('threads')").fetchall()[0][0]  # DuckDB's default: the cores
    db.execute(f"SET threads = {max(1, min(cores, round(limit / THREAD_MEMORY)))}")
    db.execute(f"SET temp_directory = '{path / 'spill'}'")
    db.execute("SET enable_progress_bar = false")
    db.execute("SET preserve_insertion_order = false")  # every output query has its ORDER BY
    return db


_MEMORY: dict[int, Any] = {}  # process id → its in-memory database (a forked child starts its own)
_LOCK = threading.Lock()


@contextmanager
def _memory_database() -> Iterator[Any]:
    """A connection of this process's in-memory DuckDB, in a schema of its own, dropped after: the
    fold of a small build (`kg.build` of a sentence) pays neither a database's start (≈ 15 ms) nor
    its threads' each time, and builds in several threads do not see each other's tables."""
    import duckdb

    with _LOCK:
        root = _MEMORY.get(os.getpid())
        if root is None:
            _MEMORY.clear()
            root = _MEMORY[os.getpid()] = duckdb.connect(":memory:")
            root.execute("SET preserve_insertion_order = false")  # every output query has its ORDER BY
        db = root.cursor()
    schema = f"fold_{uuid.uuid4().hex}"
    try:
        db.execute("SET enable_progress_bar = false")
        db.execute(f"CREATE SCHEMA {schema}")
        db.execute(f"SET schema = '{schema}'")
        yield db
    finally:
        db.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        db.close()


def _live(db: Any, live: Iterable[str] | None, version: str) -> None:
    """`wanted` (the documents `live`; None: every document of the shards) and the live views
    (`live_<table>`) over `<table>_shards`."""
    import pyarrow as pa

    if live is None:
        db.execute("CREATE TABLE wanted AS SELECT DISTINCT doc FROM documents_shards")
    else:
        db.register("wanted_arrow", pa.table({"doc": pa.array(sorted(set(live)), pa.string())}))
        db.execute("CREATE TABLE wanted AS SELECT doc FROM wanted_arrow")
        db.unregister("wanted_arrow")
    for name, query, keep in views(version)[:6]:  # newest and the live rows, before any renaming
        db.execute(f"CREATE {'TABLE' if keep else 'VIEW'} {name} AS {query}")


@contextmanager
def connect(store: Store, live: Iterable[str], tmp: Path) -> Iterator[Any]:
    """A DuckDB database in `tmp` with `kg.engines.fold`'s inputs: `<table>_shards` over the store's shards,
    `wanted` (the documents `live`), and its live views (`live_<table>`; `renamed` is the caller's)."""
    db = _database(tmp)
    try:
        for table in TABLES:
            files = str(store.folder / table / "*.parquet").replace("'", "''")
            db.execute(f"CREATE VIEW {table}_shards AS SELECT * EXCLUDE (filename),"
                       r" regexp_extract(filename, '([^/]+)\.parquet$', 1) AS shard"
                       f" FROM read_parquet('{files}', filename = true, union_by_name = true)")
        _live(db, live, store.version)
        yield db
    finally:
        db.close()


@contextmanager
def connect_results(results: Iterable[DocResult]) -> Iterator[Any]:
    """`connect` for results in memory: an in-memory DuckDB whose `<table>_shards` are the Arrow
    tables of `results` (one shard, named ""), every one of them wanted. A document id given twice
    is an InputError naming both paths."""
    import pyarrow as pa

    results = list(results)
    seen: dict[str, str] = {}
    for r in results:
        if r.document.id in seen:
            raise InputError(f"document id {r.document.id!r} given twice: {seen[r.document.id]} and {r.document.path}")
        seen[r.document.id] = r.document.path
    tables = arrow_tables(results, "")
    del results
    with _memory_database() as db:
        for table, rows in tables.items():
            db.register(f"{table}_shards", rows.append_column("shard", pa.repeat("", rows.num_rows)))
        _live(db, None, "")
        yield db


def _rows(db: Any, query: str) -> Iterator[dict]:
    """The rows of `query` as dicts, a batch at a time (DuckDB streams them: never all in memory)."""
    reader = db.sql(query).to_arrow_reader(BATCH_ROWS)
    for batch in reader:
        yield from batch.to_pylist()


def people_renamed(store: Store, live: Iterable[str], steps: tuple = CORPUS_STEPS,
                   keep_all: bool = False) -> dict[str, str]:
    """Old → new id of each entity the corpus-level steps merged across documents (see `rename_table`)."""
    with tempfile.TemporaryDirectory() as tmp, connect(store, live, Path(tmp)) as db:
        rename_table(db, store.version, steps, keep_all)
        return dict(db.execute("SELECT old, new FROM renamed").fetchall())


def write_renamed(store: Store, live: Iterable[str], path: Path, steps: tuple = CORPUS_STEPS,
                  keep_all: bool = False) -> int:
    """The table of `rename_table` as a Parquet file (old, new, name), for readers elsewhere (Spark's
    executors read it beside the store); its row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, connect(store, live, Path(tmp)) as db:
        rename_table(db, store.version, steps, keep_all)
        target = str(path).replace("'", "''")
        db.execute(f"COPY (SELECT old, new, name FROM renamed ORDER BY old) TO '{target}' (FORMAT parquet)")
        return db.execute("SELECT count(*) FROM renamed").fetchone()[0]


def rename_table(db: Any, version: str, steps: tuple = CORPUS_STEPS, keep_all: bool = False) -> None:
    """Table `renamed (old, new, name)` in `db` (a `connect` database of pipeline `version`): the entities
    the corpus-level steps merged across documents, and the name they gave (an alias table's canonical
    name; NULL: the fold names it).

    The default steps (`CORPUS_STEPS`: who is who, `kg.relations.people`) run name by name from a query
    sorted by name: held in memory are only the PART_OF / LOCATED_IN edges and the places (they grow
    with the units and places of the corpus, not with its articles) and the people of one name at a
    time; the renames go to DuckDB a batch at a time. Other steps (an alias table can merge entities of any type), or `keep_all`, run on the fold's
    own build of the entities and their BELONGS_TO, PART_OF, LOCATED_IN relations, in memory."""
    import pyarrow as pa

    db.execute("CREATE TABLE renamed (old VARCHAR PRIMARY KEY, new VARCHAR, name VARCHAR)")
    if not steps:
        return
    if keep_all or tuple(steps) != CORPUS_STEPS:
        _insert_renamed(db, _renamed_in_memory(db, version, steps))
    else:
        up: dict[str, set[str]] = {}
        for r in _rows(db, "SELECT source_id, target_id FROM live_relations WHERE relation IN ('PART_OF', 'LOCATED_IN')"):
            up.setdefault(sys.intern(r["source_id"]), set()).add(sys.intern(r["target_id"]))
        chains = chains_of(up)
        places = {r["id"] for r in _rows(db, "SELECT DISTINCT id FROM live_entities WHERE type = 'LOC'")}
        names = [r["name"] for r in _rows(db, "SELECT DISTINCT name FROM live_entities WHERE type = 'PERSON'")]
        db.register("simple_arrow", pa.table({"name": pa.array(names, pa.string()),
                                              "simple": pa.array([simplified(n) for n in names], pa.string())}))
        writer = db.cursor()  # the renames go in while `people` streams on `db`, a batch at a time
        writer.execute(f"SET schema = '{db.execute('SELECT current_schema()').fetchall()[0][0]}'")
        people = _rows(db, (  # one row per person id: the name of its first document's copy (as the fold names it)
            "WITH p AS (SELECT e.id, e.doc, s.simple AS name,"
            " coalesce(json_extract_string(e.attrs, '$.anonymized') = 'true', false) AS anonymized"
            " FROM live_entities e JOIN simple_arrow s ON s.name = e.name WHERE e.type = 'PERSON'),"
            " g AS (SELECT id, min({'doc': doc, 'name': name}).name AS name, list_sort(list_distinct(list(doc))) AS docs"
            " FROM p GROUP BY id HAVING NOT bool_or(anonymized)),"
            " m AS (SELECT source_id AS person, list(DISTINCT target_id) AS units FROM live_relations"
            " WHERE relation = 'BELONGS_TO' GROUP BY source_id)"
            " SELECT g.name, g.id, g.docs, m.units FROM g LEFT JOIN m ON m.person = g.id ORDER BY g.name, g.id"))
        try:
            rows: list[tuple[str, str, None]] = []
            for name, group in groupby(people, key=lambda row: row["name"]):
                group = list(group)
                local = {row["id"]: frozenset(u for u in row["units"] or () if chains.get(u, set()) & places)
                         for row in group}
                new = person_ids(name, [Entity(id=row["id"], name=name, type="PERSON", attrs={"documents": row["docs"]})
                                        for row in group], {k: v for k, v in local.items() if v}, chains)
                rows += [(k, v, None) for k, v in new.items() if k != v]
                if len(rows) >= BATCH_ROWS:
                    _insert_renamed(writer, rows)
                    rows = []
            _insert_renamed(writer, rows)
        finally:
            writer.close()
        db.unregister("simple_arrow")


def _insert_renamed(db: Any, rows: list[tuple[str, str, str | None]]) -> None:
    """Append (old, new, name) rows to the table `renamed`."""
    import pyarrow as pa

    if not rows:
        return
    columns = list(zip(*rows, strict=True))
    db.register("renamed_arrow", pa.table({c: pa.array(list(v), pa.string())
                                           for c, v in zip(("old", "new", "name"), columns, strict=True)}))
    db.execute("INSERT INTO renamed SELECT old, new, name FROM renamed_arrow")
    db.unregister("renamed_arrow")


def _fold(db: Any, version: str, spill: bool = False) -> None:
    """The fold's views after the live rows (`kg.engines.fold.views`), over the `renamed` table as it is.
    `spill` (a database on disk whose tables only `OUTPUTS` will read): each kept table is checkpointed
    to the file, so its blocks can leave memory, and the parts of `folded_entities` are dropped once it
    is made, so their memory is back before the relations' group-by."""
    for name, query, keep in views(version)[6:]:
        db.execute(f"CREATE OR REPLACE {'TABLE' if keep else 'VIEW'} {name} AS {query}")
        if spill and keep:
            db.execute("FORCE CHECKPOINT")  # FORCE waits for another reader
        if spill and name == "folded_entities":
            for part in ENTITY_PARTS:
                db.execute(f"DROP TABLE {part}")


def _renamed_in_memory(db: Any, version: str, steps: tuple) -> list[tuple[str, str, str]]:
    """(old id, new id, name) of the entities the corpus-level `steps` renamed, run on the fold (nothing
    renamed yet) of every entity and the BELONGS_TO, PART_OF, LOCATED_IN relations."""
    _fold(db, version)
    result = folded_result(lambda query: _rows(db, query), tables=("entities", "relations"),
                           relations=("BELONGS_TO", "PART_OF", "LOCATED_IN"))
    docs = dict(db.execute("SELECT id, list_sort(list_distinct(list(doc))) FROM live_entities GROUP BY id").fetchall())
    stand_ins = []  # a stand-in mention per entity tells which id the steps gave it (they rename mentions)
    for e in result.entities:
        e.attrs["documents"] = docs[e.id]  # the documents it came from: what orders same-name people
        m = Mention(doc_id="", sentence=0, start=0, end=0, text="", type=e.type, norm=e.id, entity_id=e.id)
        e.mentions = [m]
        stand_ins.append(m)
    result.mentions = stand_ins[:]
    for step in steps:
        step(result)
    return [(m.norm, e.id, e.name) for e in result.entities for m in e.mentions if m.norm != e.id]


def fold(db: Any, version: str, steps: tuple = CORPUS_STEPS, keep_all: bool = False, spill: bool = False) -> None:
    """The whole fold in `db` (a `connect` or `connect_results` database): the renaming of the
    corpus-level `steps` (`rename_table`), then the fold's views; `OUTPUTS` and `RESULT` read them
    (`spill`: `OUTPUTS` only; see `_fold`)."""
    rename_table(db, version, steps, keep_all)
    _fold(db, version, spill)


def _result(db: Any, problems: Iterable[str]) -> BuildResult:
    result = folded_result(lambda query: _rows(db, query))
    result.problems = sorted(problems)
    check_build(result)  # ids resolve after the steps renamed some: a bug names its document here
    return result


def reduce_results(results: Iterable[DocResult], problems: Iterable[str] = (), steps: tuple = CORPUS_STEPS,
                   keep_all: bool = False) -> BuildResult:
    """The build of per-document `results` (any order) held in memory, folded by an in-memory DuckDB."""
    with connect_results(results) as db:
        fold(db, "", steps, keep_all)
        return _result(db, problems)


def reduce_store(store: Store, live: Iterable[str], steps: tuple = CORPUS_STEPS, keep_all: bool = False,
                 problems: Iterable[str] = ()) -> BuildResult:
    """The build of the documents `live` from the store's shards, as records (graph.json, the API)."""
    with tempfile.TemporaryDirectory() as tmp, connect(store, live, Path(tmp)) as db:
        fold(db, store.version, steps, keep_all)
        return _result(db, problems)


def write_tables_from_store(store: Store, live: Iterable[str], out_dir: str | Path, steps: tuple = CORPUS_STEPS,
                            keep_all: bool = False, bom: bool = False, lang: str = "en") -> dict[str, int]:
    """Every CSV table of the build of documents `live` into `out_dir`, all or nothing, streamed from
    the shards (no graph.json: that needs the build in memory); row counts. `steps`, `keep_all`: the
    corpus-level steps and what they read (see `rename_table`); `bom`, `lang`: as
    `kg.sinks.tables.write_tables` writes them."""
    live = sorted(set(live))
    with staged_folder(out_dir, last=MANIFEST) as out, tempfile.TemporaryDirectory(dir=out) as tmp:  # a killed run's: cleaned up
        with connect(store, live, Path(tmp)) as db:
            fold(db, store.version, steps, keep_all, spill=True)
            counts = write_folded(lambda query: _rows(db, query), out, bom, lang)
        (out / "graph.json").unlink(missing_ok=True)
        seal(out, out_dir)
    (Path(out_dir) / "graph.json").unlink(missing_ok=True)  # a previous build's, out of step with these tables
    return counts
