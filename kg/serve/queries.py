"""What `kg serve` answers, as plain functions over a read-only SQLite connection (`kg.serve.index`).

Every answer is bounded (a limit on rows, on path search work), so a hub with 50,000 neighbours or
a corpus of 150,000 articles costs the page what it shows, not what exists. Filters apply on the
server to every edge an answer contains: node types (of the far end), relations, stated/inferred,
one document, and a date range (dated edges outside it go; undated ones stay unless `undated` is off).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from kg.serve.index import iso_bounds

EDGE_COLUMNS = ('eid, src, dst, relation, role, date, iso, inferred, doc, sentence, start, "end", evidence, '
                'properties')
NODE_COLUMNS = "rid, id, name, type, aliases, mentions, degree, community, iso, description, documents"
CHUNK = 500  # ids per IN (...) list: well under SQLite's variable limit
MAX_DOC_CHARS = 200_000  # a longer document is served as a window around what is highlighted


class QueryError(ValueError):
    """A request the server cannot answer (bad parameter, unknown id): a 400/404, never a traceback."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Filters:
    types: tuple[str, ...] = ()  # node types allowed at an edge's far end; () = all
    relations: tuple[str, ...] = ()  # () = all fact relations
    inferred: str = "all"  # all | stated | inferred
    doc: str = ""  # only edges stated in this document
    lo: int | None = None  # date keys (kg.serve.index.date_key)
    hi: int | None = None
    undated: bool = True  # keep undated edges when a date range is set

    @classmethod
    def from_params(cls, params) -> Filters:
        def items(name: str) -> tuple[str, ...]:
            return tuple(sorted({v for v in str(params.get(name, "") or "").split(",") if v}))

        inferred = params.get("inferred", "all") or "all"
        if inferred not in ("all", "stated", "inferred"):
            raise QueryError(f"inferred: {inferred[:40]!r} is not all, stated or inferred")
        lo = hi = None
        if params.get("from"):
            b = iso_bounds(params["from"])
            if b is None:
                raise QueryError(f"from: {params['from'][:40]!r} is not an ISO date")
            lo = b[0]
        if params.get("to"):
            b = iso_bounds(params["to"])
            if b is None:
                raise QueryError(f"to: {params['to'][:40]!r} is not an ISO date")
            hi = b[1]
        return cls(types=items("types"), relations=items("relations"), inferred=inferred,
                   doc=str(params.get("doc", "") or ""), lo=lo, hi=hi,
                   undated=str(params.get("undated", "1")) not in ("0", "false", "no"))

    def edge_sql(self, alias: str = "e") -> tuple[str, list]:
        """WHERE conditions on the edge itself (not its ends' types) and their parameters."""
        conds, args = [], []
        if self.relations:
            conds.append(f"{alias}.relation IN ({','.join('?' * len(self.relations))})")
            args += list(self.relations)
        if self.inferred != "all":
            conds.append(f"{alias}.inferred = ?")
            args.append(1 if self.inferred == "inferred" else 0)
        if self.doc:
            conds.append(f"{alias}.doc = ?")
            args.append(self.doc)
        if self.lo is not None or self.hi is not None:
            lo = self.lo if self.lo is not None else -10**12
            hi = self.hi if self.hi is not None else 10**12
            dated = f"({alias}.dlo IS NOT NULL AND {alias}.dhi >= ? AND {alias}.dlo <= ?)"
            conds.append(f"({dated} OR {alias}.dlo IS NULL)" if self.undated else dated)
            args += [lo, hi]
        return (" AND ".join(conds) or "1"), args

    def type_sql(self, alias: str = "n") -> tuple[str, list]:
        if not self.types:
            return "1", []
        return f"{alias}.type IN ({','.join('?' * len(self.types))})", list(self.types)


@dataclass
class Graph:
    """Nodes and edges as the page draws them."""

    nodes: dict[int, dict] = field(default_factory=dict)
    edges: dict[int, dict] = field(default_factory=dict)
    truncated: dict[str, int] = field(default_factory=dict)  # node id -> edges left out

    def as_json(self) -> dict:
        return {"nodes": list(self.nodes.values()), "edges": list(self.edges.values()), "truncated": self.truncated}


def node_json(row: sqlite3.Row) -> dict:
    return {"id": row["id"], "name": row["name"], "type": row["type"], "aliases": json.loads(row["aliases"] or "[]"),
            "mentions": row["mentions"], "degree": row["degree"], "community": row["community"],
            "iso": row["iso"] or "", "description": row["description"] or "", "documents": row["documents"]}


def edge_json(row: sqlite3.Row, ids: dict[int, str]) -> dict:
    return {"id": row["eid"], "from": ids[row["src"]], "to": ids[row["dst"]], "relation": row["relation"],
            "role": row["role"] or "", "date": row["date"] or "", "iso": row["iso"] or "",
            "inferred": bool(row["inferred"]), "document": row["doc"] or "", "sentence": row["sentence"],
            "start": row["start"], "end": row["end"], "evidence": row["evidence"] or ""}


def _rid(con: sqlite3.Connection, entity_id: str) -> int:
    row = con.execute("SELECT rid FROM entities WHERE id = ?", (entity_id,)).fetchone()
    if row is None:
        raise QueryError(f"no entity {entity_id[:80]!r}", 404)
    return row[0]


def _nodes(con: sqlite3.Connection, rids) -> dict[int, dict]:
    out: dict[int, dict] = {}
    rids = list(rids)
    for i in range(0, len(rids), CHUNK):
        part = rids[i:i + CHUNK]
        for row in con.execute(f"SELECT {NODE_COLUMNS} FROM entities WHERE rid IN ({','.join('?' * len(part))})",
                               part):
            out[row["rid"]] = node_json(row)
    return out


def meta(con: sqlite3.Connection, out_dir: Path) -> dict:
    """Counts, the types and relations present, the dated range and its histogram, the documents."""
    types = dict(con.execute("SELECT type, count(*) FROM entities GROUP BY type ORDER BY count(*) DESC").fetchall())
    rels = dict(con.execute("SELECT relation, count(*) FROM edges GROUP BY relation ORDER BY count(*) DESC"))
    n_docs = con.execute("SELECT count(*) FROM documents").fetchone()[0]
    docs = [r[0] for r in con.execute("SELECT id FROM documents ORDER BY id LIMIT 2000")]
    buckets = timeline(con)
    communities = con.execute("SELECT count(DISTINCT community) FROM entities WHERE community >= 0").fetchone()[0]
    return {"folder": out_dir.name, "entities": sum(types.values()), "edges": sum(rels.values()),
            "documents": n_docs, "document_ids": docs, "types": types, "relations": rels,
            "dated": buckets, "communities": communities}


def _iso(y: int, m: int = 0, d: int = 0) -> str:
    ys = f"{y:04d}" if y >= 0 else f"-{-y:04d}"
    return ys + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if d else "")


def _key_iso(k: int) -> str:
    y, md = divmod(k, 10000)
    return _iso(y, md // 100 or 1, md % 100 or 1)


def timeline(con: sqlite3.Connection, lo: int | None = None, hi: int | None = None,
             max_buckets: int = 300) -> list[list]:
    """Dated edges counted on a linear axis, [label, count, from, to] per bucket, empty ones included:
    days (a span under 92 days), months (under 3 years) or runs of years (at most `max_buckets`).

    Without bounds the axis covers the middle 98% of the dated edges, and the rest go into an
    "earlier" and a "later" bucket, so that one 公元前2300年 or a misread year does not squash the
    years that hold the news; with bounds (a zoom), exactly [lo, hi]."""
    import datetime as dt

    where = "dlo IS NOT NULL"
    n, first, last = con.execute(f"SELECT count(*), min(dlo), max(dlo) FROM edges WHERE {where}").fetchone()
    if not n:
        return []
    if lo is None and hi is None:
        def at(q: float) -> int:
            return con.execute(f"SELECT dlo FROM edges WHERE {where} ORDER BY dlo LIMIT 1 OFFSET ?",
                               (min(n - 1, int(q * n)),)).fetchone()[0]
        lo, hi = (at(0.01), at(0.99)) if n >= 100 else (first, last)
    lo = max(lo if lo is not None else first, first)
    hi = min(hi if hi is not None else last, last)
    if lo > hi:
        return []
    counts = dict(con.execute(f"SELECT dlo, count(*) FROM edges WHERE {where} AND dlo BETWEEN ? AND ? GROUP BY dlo",
                              (lo, hi)).fetchall())
    y0, y1 = lo // 10000, hi // 10000
    out: list[list] = []
    if y0 >= 1 and y1 <= 9999 and y1 - y0 < 3:
        first_day, last_day = _date(lo), _date(hi)
        if (last_day - first_day).days < 92:
            day = first_day
            while day <= last_day:
                k = day.year * 10000 + day.month * 100 + day.day
                out.append([day.isoformat(), counts.get(k, 0), day.isoformat(), day.isoformat()])
                day += dt.timedelta(days=1)
        else:
            month: dict[int, int] = {}
            for k, c in counts.items():
                month[k // 100] = month.get(k // 100, 0) + c
            y, m = first_day.year, first_day.month
            while (y, m) <= (last_day.year, last_day.month):
                out.append([_iso(y, m), month.get(y * 100 + m, 0), _iso(y, m, 1), _iso(y, m, 31)])
                y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        step = max(1, -(-(y1 - y0 + 1) // max_buckets))
        years: dict[int, int] = {}
        for k, c in counts.items():
            years[(k // 10000 - y0) // step] = years.get((k // 10000 - y0) // step, 0) + c
        for i in range((y1 - y0) // step + 1):
            a, z = y0 + i * step, y0 + i * step + step - 1
            out.append([_iso(a) if step == 1 else f"{_iso(a)}…{_iso(z)}", years.get(i, 0), _iso(a, 1, 1),
                        _iso(z, 12, 31)])
    lo_key, hi_key = iso_bounds(out[0][2])[0], iso_bounds(out[-1][3])[1]
    before = con.execute(f"SELECT count(*) FROM edges WHERE {where} AND dlo < ?", (lo_key,)).fetchone()[0]
    after = con.execute(f"SELECT count(*) FROM edges WHERE {where} AND dlo > ?", (hi_key,)).fetchone()[0]
    if before:
        out.insert(0, ["更早 earlier", before, _key_iso(first), _key_iso(_day(lo_key, -1))])
    if after:
        out.append(["更晚 later", after, _key_iso(_day(hi_key, 1)), _key_iso(last)])
    return out


def _date(key: int):
    """The datetime.date of a date key (years 1-9999), a 31st of a short month read as its last day."""
    import calendar
    import datetime as dt

    y, md = divmod(key, 10000)
    m, d = divmod(md, 100)
    m = min(max(m, 1), 12)
    return dt.date(y, m, max(1, min(d, calendar.monthrange(y, m)[1])))


def _day(key: int, step: int) -> int:
    """The date key a day before (-1) or after (1) `key` (a 31st of a short month counts as its end)."""
    import datetime as dt

    y, md = divmod(key, 10000)
    m, d = divmod(md, 100)
    if not 1 <= y <= 9998:
        return key + step
    day = _date(key) + dt.timedelta(days=step)
    return day.year * 10000 + day.month * 100 + day.day


def search(con: sqlite3.Connection, q: str, limit: int = 20, types: tuple[str, ...] = ()) -> list[dict]:
    """Entities whose name or an alias contains `q`: exact hits, then prefixes, then the rest; by mentions."""
    q = (q or "").strip()
    if not q:
        return []
    key = q.casefold()
    like = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    tcond = f"AND e.type IN ({','.join('?' * len(types))})" if types else ""
    if len(key) >= 3:  # substrings from the trigram index
        contains = "SELECT rowid FROM names_fts WHERE names_fts MATCH ? LIMIT ?"
        needle = '"' + key.replace('"', '""') + '"'
    elif len(key) == 2:  # from the table of two-character substrings
        contains = "SELECT nid FROM bigrams WHERE gram = ? LIMIT ?"
        needle = key
    else:  # one character: a scan, stopped at the first matches
        contains = "SELECT rowid FROM names WHERE key LIKE ? ESCAPE '\\' LIMIT ?"
        needle = f"%{like}%"
    sql = (f"SELECT {', '.join('e.' + c.strip() for c in NODE_COLUMNS.split(','))}, min(rank) AS rank, "
           "min(matched) AS matched FROM ("
           "  SELECT rid, 0 AS rank, name AS matched FROM names WHERE key = ?"
           "  UNION ALL SELECT * FROM (SELECT rid, 1, name FROM names WHERE key > ? AND key < ? LIMIT ?)"
           f"  UNION ALL SELECT n.rid, 2, n.name FROM names n WHERE n.rowid IN ({contains})"
           f") h JOIN entities e ON e.rid = h.rid WHERE 1 {tcond} "
           "GROUP BY e.rid ORDER BY rank, e.mentions DESC, e.degree DESC, e.name LIMIT ?")
    budget = max(limit * 50, 1000)  # rows per kind of hit: bounded work for a common prefix or substring
    args = [key, key, key + "\U0010ffff", budget, needle, budget, *types, limit]
    hits = []
    for row in con.execute(sql, args):
        hit = node_json(row)
        hit["exact"] = row["rank"] == 0
        hit["matched"] = row["matched"]
        hits.append(hit)
    return hits


def node(con: sqlite3.Connection, entity_id: str, mentions: int = 50) -> dict:
    """One entity with its first `mentions` mentions (document, sentence, offsets, the sentence)."""
    rid = _rid(con, entity_id)
    out = _nodes(con, [rid])[rid]
    rows = con.execute(
        "SELECT m.doc, m.sentence, m.start, m.\"end\", m.text, s.text AS sentence_text FROM mentions m "
        "LEFT JOIN sentences s ON s.doc = m.doc AND s.idx = m.sentence WHERE m.rid = ? "
        "ORDER BY m.rowid LIMIT ?", (rid, mentions))  # table order: by document, then offset
    out["mention_list"] = [{"document": r["doc"], "sentence": r["sentence"], "start": r["start"], "end": r["end"],
                            "text": r["text"], "sentence_text": r["sentence_text"] or ""} for r in rows]
    return out


def neighbours(con: sqlite3.Connection, entity_ids: list[str], filters: Filters, limit: int = 200) -> Graph:
    """The given entities and their fact edges (either direction) that pass `filters`, `limit` per entity:
    stated before inferred, then the far end's mentions."""
    g = Graph()
    econd, eargs = filters.edge_sql("e")
    tcond, targs = filters.type_sql("n")
    centre = {}
    for eid in entity_ids:
        centre[_rid(con, eid)] = eid
    g.nodes.update(_nodes(con, centre))
    rows = []
    cols = ", ".join("e." + c.strip() for c in EDGE_COLUMNS.split(","))
    for rid, eid in centre.items():
        # each side in index order (stated first, then the far end's mentions), cut at `limit`
        sql = (f"SELECT * FROM (SELECT {cols}, e.dmen AS far FROM edges e JOIN entities n ON n.rid = e.dst "
               f"WHERE e.src = ? AND {econd} AND {tcond} ORDER BY e.inferred, e.dmen DESC LIMIT ?) "
               f"UNION ALL SELECT * FROM (SELECT {cols}, e.smen AS far FROM edges e JOIN entities n ON n.rid = e.src "
               f"WHERE e.dst = ? AND {econd} AND {tcond} ORDER BY e.inferred, e.smen DESC LIMIT ?) "
               "ORDER BY inferred, far DESC, eid LIMIT ?")
        got = con.execute(sql, [rid, *eargs, *targs, limit + 1, rid, *eargs, *targs, limit + 1, limit + 1]).fetchall()
        if len(got) > limit:
            if filters == Filters():  # no filter: every fact edge counts, which is the degree
                total = g.nodes[rid]["degree"]
            else:
                join_s = "JOIN entities n ON n.rid = e.dst" if filters.types else ""
                join_d = "JOIN entities n ON n.rid = e.src" if filters.types else ""
                total = con.execute(
                    f"SELECT (SELECT count(*) FROM edges e {join_s} WHERE e.src = ? AND {econd} AND {tcond}) + "
                    f"(SELECT count(*) FROM edges e {join_d} WHERE e.dst = ? AND {econd} AND {tcond})",
                    [rid, *eargs, *targs, rid, *eargs, *targs]).fetchone()[0]
            g.truncated[eid] = total - limit
            got = got[:limit]
        rows += got
    ends = {r["src"] for r in rows} | {r["dst"] for r in rows}
    g.nodes.update(_nodes(con, ends - set(g.nodes)))
    ids = {rid: n["id"] for rid, n in g.nodes.items()}
    for r in rows:
        g.edges[r["eid"]] = edge_json(r, ids)
    return g


def paths(con: sqlite3.Connection, source: str, target: str, filters: Filters, max_hops: int = 6,
          k: int = 5, graph=None) -> dict:
    """Up to `k` shortest paths between two entities over fact edges that pass `filters` (either
    direction; `kg.serve.paths.FactGraph`), with their nodes and edges as the page draws them."""
    from kg.serve.paths import FactGraph

    a, b = _rid(con, source), _rid(con, target)
    graph = graph if graph is not None else FactGraph(con)
    found, why = graph.shortest(a, b, filters, max_hops=max_hops, k=k)
    out = Graph()
    out.nodes.update(_nodes(con, {n for ns, _ in found for n in ns}))
    ids = {rid: n["id"] for rid, n in out.nodes.items()}
    eids = sorted({e for _, es in found for e in es})
    for i in range(0, len(eids), CHUNK):
        part = eids[i:i + CHUNK]
        for row in con.execute(f"SELECT {EDGE_COLUMNS} FROM edges WHERE eid IN ({','.join('?' * len(part))})", part):
            out.edges[row["eid"]] = edge_json(row, ids)
    extra = {"gave_up": why} if why else {}
    return {"paths": [[ids[n] for n in ns] for ns, _ in found], "path_edges": [es for _, es in found],
            "hops": len(found[0][1]) if found else None, **extra, **out.as_json()}


def edge(con: sqlite3.Connection, eid: int) -> dict:
    row = con.execute(f"SELECT {EDGE_COLUMNS} FROM edges WHERE eid = ?", (eid,)).fetchone()
    if row is None:
        raise QueryError(f"no edge {eid}", 404)
    nodes_ = _nodes(con, [row["src"], row["dst"]])
    out = edge_json(row, {r: n["id"] for r, n in nodes_.items()})
    out["properties"] = json.loads(row["properties"] or "{}")
    out["nodes"] = list(nodes_.values())
    return out
