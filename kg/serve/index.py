"""The SQLite index `kg serve` reads: built once per build folder, then opened read-only.

A build folder's tables are CSV, which answer no query without a full scan. The first `kg serve`
of a folder reads them once through `kg.sinks.tables.TableReader` (validated, a row at a time) into
OUT/serve.sqlite (or a cache file when OUT is not writable) with indexes on names, edge ends,
mentions and sentences, the fact graph's degrees and its Louvain communities. The file records the
manifest it was built from; a rebuilt folder gets a new index, an unchanged one reuses it. Pages
and queries then touch only the rows they show, so memory stays flat as the corpus grows.

Fact edges are every relation but MENTIONED_IN (a document is not a fact's end); each keeps its
evidence (document, sentence, offsets) and its date as an integer key (`date_key`) so that BC
years and ranges sort and filter right.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import re
import sqlite3
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import networkx as nx

from kg.sinks.tables import MANIFEST, TABLES, TableReader

INDEX_NAME = "serve.sqlite"
SCHEMA_VERSION = "3"
MENTIONED_IN = "MENTIONED_IN"
_ISO = re.compile(r"^(-?\d{1,4})(?:-(\d{2})(?:-(\d{2}))?)?$")

SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE documents (id TEXT PRIMARY KEY, path TEXT, encoding TEXT, sha256 TEXT, source_format TEXT);
CREATE TABLE entities (rid INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, type TEXT, aliases TEXT,
                       mentions INTEGER, degree INTEGER DEFAULT 0, community INTEGER DEFAULT -1,
                       iso TEXT, description TEXT, documents INTEGER);
CREATE TABLE names (key TEXT, name TEXT, rid INTEGER, alias INTEGER);
CREATE TABLE bigrams (gram TEXT, nid INTEGER, PRIMARY KEY (gram, nid)) WITHOUT ROWID;
CREATE TABLE edges (eid INTEGER PRIMARY KEY, src INTEGER, dst INTEGER, relation TEXT, role TEXT, date TEXT,
                    iso TEXT, dlo INTEGER, dhi INTEGER, inferred INTEGER, doc TEXT, sentence INTEGER,
                    start INTEGER, "end" INTEGER, evidence TEXT, properties TEXT,
                    smen INTEGER DEFAULT 0, dmen INTEGER DEFAULT 0);
CREATE TABLE mentions (rid INTEGER, doc TEXT, sentence INTEGER, start INTEGER, "end" INTEGER, text TEXT);
CREATE TABLE sentences (doc TEXT, idx INTEGER, start INTEGER, "end" INTEGER, kind TEXT, text TEXT,
                        PRIMARY KEY (doc, idx)) WITHOUT ROWID;
"""
INDEXES = """
CREATE INDEX names_key ON names (key);
CREATE VIRTUAL TABLE names_fts USING fts5 (key, tokenize = 'trigram', content = 'names');
INSERT INTO names_fts (names_fts) VALUES ('rebuild');
CREATE INDEX edges_src ON edges (src, inferred, dmen DESC);
CREATE INDEX edges_dst ON edges (dst, inferred, smen DESC);
CREATE INDEX edges_doc ON edges (doc);
CREATE INDEX edges_date ON edges (dlo);
CREATE INDEX mentions_rid ON mentions (rid);
CREATE INDEX mentions_doc ON mentions (doc, start);
CREATE INDEX entities_mentions ON entities (mentions DESC);
"""


def date_key(y: int, m: int = 1, d: int = 1) -> int:
    """yyyymmdd as one integer that sorts right for BC years too (-2300 → -22999899 < -2299 ...)."""
    return y * 10000 + m * 100 + d


def iso_bounds(iso: str) -> tuple[int, int] | None:
    """(first, last) date keys of an ISO date, month, year or `a/b` range; None if it is none of these."""
    parts = [p.strip() for p in str(iso or "").strip().split("/")]
    matches = [_ISO.match(p) for p in parts]
    if len(parts) > 2 or not all(matches):
        return None

    def key(m: re.Match, last: bool) -> int:
        y, mo, d = int(m.group(1)), m.group(2), m.group(3)
        if d:
            return date_key(y, int(mo), int(d))
        if mo:
            return date_key(y, int(mo), 31 if last else 1)
        return date_key(y, 12, 31) if last else date_key(y, 1, 1)

    lo, hi = key(matches[0], False), key(matches[-1], True)
    return min(lo, hi), max(lo, hi)


def fingerprint(out: Path) -> str:
    """What the index was built from: the manifest's bytes, else every table's size and mtime."""
    h = hashlib.sha256(SCHEMA_VERSION.encode())
    if (out / MANIFEST).exists():
        h.update((out / MANIFEST).read_bytes())
    else:
        for name in TABLES:
            st = (out / name).stat()
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


def index_path(out: Path) -> Path:
    """OUT/serve.sqlite, or a per-folder file in the temp dir when OUT is not writable."""
    if os.access(out, os.W_OK):
        return out / INDEX_NAME
    tag = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"kg-serve-{tag}.sqlite"


def _current(path: Path, fp: str) -> bool:
    if not path.exists():
        return False
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return False
    return bool(row) and row[0] == fp


def ensure_index(out_dir: str | Path, progress=None, in_process: bool = False) -> Path:
    """The index of `out_dir`, built (validated, all or nothing) if missing or from another build.

    The build runs in a child process unless `in_process`: reading a big folder and the community
    detection take memory (≈ 1 GB for 157,000 articles) that a long-running server would keep."""
    out = Path(out_dir)
    TableReader(out)  # TableError (one line) now for a folder that is not a whole build's output
    fp = fingerprint(out)
    path = index_path(out)
    if _current(path, fp):
        return path
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        if in_process:
            _build(TableReader(out), Path(tmp), fp, progress or (lambda msg: None))
        else:
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(1, mp_context=ctx) as pool:
                pool.submit(_build_file, str(out), tmp, fp, progress is not None).result()
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _build_file(out: str, tmp: str, fp: str, verbose: bool) -> None:
    """`_build` in a child process; progress goes to its stdout."""
    _build(TableReader(out), Path(tmp), fp, (lambda step: print(f"indexing {out}: {step}", flush=True))
           if verbose else (lambda step: None))


def _build(reader: TableReader, path: Path, fp: str, progress) -> None:
    path.unlink(missing_ok=True)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode = OFF")
    con.execute("PRAGMA synchronous = OFF")
    con.executescript(SCHEMA)
    progress("documents, sentences")
    con.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?)",
                    ((d.id, d.path, d.encoding, d.sha256, d.source_format) for d in reader.documents()))
    con.executemany("INSERT INTO sentences VALUES (?, ?, ?, ?, ?, ?)",
                    ((s.doc_id, s.index, s.start, s.end, s.kind, s.text) for s in reader.sentences()))
    progress("entities")
    rid: dict[str, int] = {}
    rows, names = [], []
    for n, e in enumerate(reader.entities(), 1):
        rid[e.id] = n
        rows.append((n, e.id, e.name, e.type, json.dumps(e.aliases, ensure_ascii=False),
                     int(e.attrs.get("mention_count") or 0), str(e.attrs.get("iso", "")),
                     str(e.attrs.get("description", "")), len(e.attrs.get("documents", []))))
        names.append((e.name.casefold(), e.name, n, 0))
        names.extend((a.casefold(), a, n, 1) for a in dict.fromkeys(e.aliases) if a != e.name)
    con.executemany("INSERT INTO entities (rid, id, name, type, aliases, mentions, iso, description, documents) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    con.executemany("INSERT INTO names VALUES (?, ?, ?, ?)", names)
    del rows, names
    progress("mentions")
    con.executemany("INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?)",
                    ((rid[m.entity_id], m.doc_id, m.sentence, m.start, m.end, m.text)
                     for m in reader.mentions() if m.entity_id in rid))
    progress("relations")
    g = nx.Graph()
    degree: dict[int, int] = {}

    def edges():
        for r in reader.relations():
            if r.relation == MENTIONED_IN or r.target_id not in rid:
                continue
            a, b = rid[r.source_id], rid[r.target_id]
            p = r.properties
            iso = str(p.get("iso_date") or "")
            lo, hi = iso_bounds(iso) or (None, None)
            ev = r.evidence
            degree[a] = degree.get(a, 0) + 1
            degree[b] = degree.get(b, 0) + 1
            if a != b:
                g.add_edge(a, b)
            yield (a, b, r.relation, str(p.get("role", "")), str(p.get("date", "")), iso, lo, hi,
                   1 if p.get("inferred") else 0, ev.doc_id if ev else None, ev.sentence if ev else None,
                   ev.start if ev else None, ev.end if ev else None, ev.text if ev else "",
                   json.dumps(p, ensure_ascii=False, sort_keys=True))

    con.executemany("INSERT INTO edges (src, dst, relation, role, date, iso, dlo, dhi, inferred, doc, sentence, "
                    "start, \"end\", evidence, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    edges())
    con.executemany("UPDATE entities SET degree = ? WHERE rid = ?", ((d, r) for r, d in degree.items()))
    # the far end's mentions on each edge: a neighbourhood's first rows come straight from an index
    con.execute("UPDATE edges SET smen = (SELECT mentions FROM entities WHERE rid = src), "
                "dmen = (SELECT mentions FROM entities WHERE rid = dst)")
    progress("names")
    # two-character substrings (of a name's first 32 characters), where the trigram index cannot help
    con.execute("INSERT OR IGNORE INTO bigrams SELECT DISTINCT substr(names.key, k.i, 2), names.rowid FROM names, "
                "(WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 32) SELECT i FROM k) AS k "
                "WHERE k.i < length(names.key)")
    progress("communities")
    con.executemany("UPDATE entities SET community = ? WHERE rid = ?", _communities(g))

    progress("indexes")
    con.executescript(INDEXES)
    con.executemany("INSERT INTO meta VALUES (?, ?)", [("fingerprint", fp), ("schema", SCHEMA_VERSION)])
    con.commit()
    con.execute("ANALYZE")
    con.close()


def _communities(g: nx.Graph) -> list[tuple[int, int]]:
    """Louvain communities of the fact graph, numbered by size (0 = largest); seeded, so stable."""
    if g.number_of_edges() == 0:
        return []
    parts = nx.community.louvain_communities(g, seed=7)
    parts.sort(key=lambda c: (-len(c), min(c)))
    return [(i, n) for i, c in enumerate(parts) for n in c]
