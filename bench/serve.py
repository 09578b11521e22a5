"""Benchmark `kg serve`: p50/p95 latency of search, open, expand and path, and the server's memory.

The server runs as its own process (`kg serve`, loopback, a free port); the client times each
request end to end. Queries are drawn at random (seeded) from the folder's entities: search by a
whole name and by its first two characters, open (node + neighbourhood), expand (two centres),
shortest paths between two entities with fact edges, and the expand again with filters (types,
stated only, a date range). Reported: the index build (first start),
p50/p95 per kind, the server's RSS after the queries and its peak (VmHWM). Target: p95 < 300 ms.

    python bench/serve.py [OUT] [--replicate N] [--queries 100] [--keep] [--in-place]

Without OUT a synthetic build is made (`--entities`). `--replicate N` writes N copies of OUT's
tables with new ids for documents and for every entity but places (places are shared between
copies, as in a real corpus, and so are the facts between two places), the way bench/scale.py
replicates a store. A "hub" query opens one of the 20 entities with most facts.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.sinks.tables import TABLES, csv_reader, join_list, split_list, write_tables  # noqa: E402
from kg.types import (  # noqa: E402
    BuildResult,
    Document,
    Entity,
    Evidence,
    Mention,
    Relation,
    Sentence,
    document_node_id,
)

TARGET_MS = 300.0


def synthetic(folder: Path, n_entities: int, seed: int = 1) -> Path:
    """A build of `n_entities` entities, one document per 10, with preferential-attachment facts."""
    rnd = random.Random(seed)
    n_docs = max(1, n_entities // 10)
    res = BuildResult()
    for d in range(n_docs):
        text = "".join(f"第{d}篇第{i}句，某人在某地工作。" for i in range(12))
        res.documents.append(Document(id=f"d{d:06d}.txt", path="", text=text))
        res.sentences += [Sentence(doc_id=f"d{d:06d}.txt", index=i, text=text[i * 14:(i + 1) * 14],
                                   offsets=[i * 14, (i + 1) * 14 - 1]) for i in range(12)]
    types = ["PERSON", "ORG", "LOC", "DATE", "EVENT"]
    surname = "张王李赵刘陈杨黄周吴"
    ends: list[str] = []
    for i in range(n_entities):
        doc = f"d{i // 10:06d}.txt"
        e = Entity(id=f"e{i}", name=f"{surname[i % 10]}{'某' * (i % 3)}{i}", type=types[i % 5])
        e.mentions.append(Mention(doc_id=doc, sentence=i % 12, start=(i % 12) * 14, end=(i % 12) * 14 + 2,
                                  text="某人", type="PERSON" if e.type == "EVENT" else e.type, entity_id=e.id))
        res.entities.append(e)
        res.relations.append(Relation(e.id, "MENTIONED_IN", document_node_id(doc), {"count": 1}))
        if i:
            for _ in range(2):
                other = rnd.choice(ends) if ends and rnd.random() < 0.7 else f"e{rnd.randrange(i)}"
                s = i % 12
                props = {"iso_date": f"{1990 + rnd.randrange(30)}-{1 + rnd.randrange(12):02d}-01"} if i % 7 == 0 else {}
                res.relations.append(Relation(e.id, rnd.choice(["BELONGS_TO", "PART_OF", "LOCATED_IN"]), other, props,
                                              Evidence(doc, s, s * 14, s * 14 + 14, "某人在某地工作。")))
                ends += [e.id, other]
    res.mentions = [m for e in res.entities for m in e.mentions]
    write_tables(res, folder)
    return folder


def replicate(src: Path, dst: Path, copies: int) -> Path:
    """`copies` copies of a build folder's tables; places shared (with their facts between places
    once), every other id suffixed per copy."""
    dst.mkdir(parents=True, exist_ok=True)
    places = set()
    with open(src / "entities.csv", newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["type"] == "LOC":
                places.add(row["id"])

    def ent(eid: str, k: int) -> str:
        if not eid or eid in places:
            return eid
        if eid.startswith("doc:"):
            return f"{eid}~{k}"
        return f"{eid}~{k}"

    rules = {
        "documents.csv": lambda r, k: {**r, "id": f"{r['id']}~{k}"},
        "sentences.csv": lambda r, k: {**r, "document": f"{r['document']}~{k}"},
        "mentions.csv": lambda r, k: {**r, "document": f"{r['document']}~{k}", "entity_id": ent(r["entity_id"], k)},
        "entities.csv": lambda r, k: None if k and r["id"] in places else {
            **r, "id": ent(r["id"], k),
            "documents": join_list(f"{d}~{k}" for d in split_list(r["documents"]))},
        # a fact between two shared places is one row, as the reduce merges it (one relation per key)
        "relations.csv": lambda r, k: None if k and r["source_id"] in places and r["target_id"] in places else {
            **r, "source_id": ent(r["source_id"], k), "target_id": ent(r["target_id"], k),
            "document": f"{r['document']}~{k}" if r["document"] else ""},
    }
    for name in TABLES:
        with open(src / name, newline="", encoding="utf-8") as fh, \
                open(dst / name, "w", newline="", encoding="utf-8") as out:
            head = next(csv_reader(fh))
            w = csv.DictWriter(out, fieldnames=head)
            w.writeheader()
            for k in range(copies):
                fh.seek(0)
                rows = csv_reader(fh)
                next(rows)
                for fields in rows:
                    row = rules[name](dict(zip(head, fields, strict=True)), k)
                    if row is not None:
                        w.writerow(row)
    return dst


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(base: str, path: str, **params) -> tuple[float, dict]:
    q = urllib.parse.urlencode(params)
    t = time.perf_counter()
    with urllib.request.urlopen(f"{base}{path}?{q}", timeout=120) as r:
        body = json.loads(r.read())
    return (time.perf_counter() - t) * 1000, body


def _rss(pid: int) -> tuple[int, int]:
    vals = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        k, _, v = line.partition(":")
        if k in ("VmRSS", "VmHWM"):
            vals[k] = int(v.split()[0]) // 1024
    return vals.get("VmRSS", 0), vals.get("VmHWM", 0)


def bench(out: Path, n_queries: int, seed: int = 7) -> dict:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", "from kg.cli import main; main()", "serve", str(out),
                             "--port", str(port)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                _, meta = _get(base, "/api/meta")
                break
            except OSError:
                if proc.poll() is not None:
                    raise SystemExit(proc.stdout.read().decode()) from None
                time.sleep(0.2)
        start_s = time.perf_counter() - t0
        rnd = random.Random(seed)
        db = out / "serve.sqlite"
        import sqlite3

        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        ids = [r for r in con.execute("SELECT id, name FROM entities WHERE degree > 0")]
        con.close()
        picks = [rnd.choice(ids) for _ in range(n_queries)]
        times: dict[str, list[float]] = {"search": [], "open": [], "open hub": [], "expand": [], "filtered": [],
                                         "path": []}
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        hubs = [r[0] for r in con.execute("SELECT id FROM entities ORDER BY degree DESC LIMIT 20")]
        con.close()
        found = 0
        for i, (eid, name) in enumerate(picks):
            ms, _ = _get(base, "/api/search", q=name if i % 2 else name[:2])
            times["search"].append(ms)
            a, _ = _get(base, f"/api/node/{urllib.parse.quote(eid)}")
            b, g = _get(base, "/api/neighbours", ids=eid)
            times["open"].append(a + b)
            hub = hubs[i % len(hubs)]
            a, _ = _get(base, f"/api/node/{urllib.parse.quote(hub)}")
            b, _ = _get(base, "/api/neighbours", ids=hub)
            times["open hub"].append(a + b)
            nb = next((n["id"] for n in g["nodes"] if n["id"] != eid), eid)
            ms, _ = _get(base, "/api/neighbours", ids=f"{eid},{nb}")
            times["expand"].append(ms)
            ms, _ = _get(base, "/api/neighbours", ids=f"{eid},{nb}", types="PERSON,ORG,LOC", inferred="stated",
                         **{"from": "1990-01-01", "to": "1999-12-31"})
            times["filtered"].append(ms)
            other = rnd.choice(ids)[0]
            ms, p = _get(base, "/api/path", from_id=eid, to_id=other)
            times["path"].append(ms)
            found += bool(p["paths"])
        rss, hwm = _rss(proc.pid)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    stats = {k: {"p50": statistics.median(v), "p95": statistics.quantiles(v, n=20)[-1] if len(v) > 1 else v[0],
                 "max": max(v)} for k, v in times.items()}
    return {"folder": str(out), "entities": meta["entities"], "edges": meta["edges"], "documents": meta["documents"],
            "first_start_s": start_s, "index_mb": (out / "serve.sqlite").stat().st_size / 2**20,
            "rss_mb": rss, "peak_rss_mb": hwm, "paths_found": f"{found}/{n_queries}", "ms": stats}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", type=Path, help="a kg build output folder (default: a synthetic one)")
    ap.add_argument("--entities", type=int, default=20_000, help="synthetic build size")
    ap.add_argument("--replicate", type=int, default=1, help="copies of OUT's tables (places shared)")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--keep", action="store_true", help="keep the working folder (and its index)")
    ap.add_argument("--in-place", action="store_true", help="index OUT itself (OUT/serve.sqlite), not a copy")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="kg-bench-serve-"))
    try:
        if args.out is None:
            src = synthetic(work / "synthetic", args.entities)
        elif args.in_place:
            src = args.out
        else:
            src = work / "tables"  # a copy: the index is written beside the tables, not into OUT
            src.mkdir()
            for name in [*TABLES, "manifest.json", "graph.json"]:
                if (args.out / name).exists():
                    shutil.copy2(args.out / name, src / name)
        if args.replicate > 1:
            t = time.perf_counter()
            src = replicate(src, work / f"x{args.replicate}", args.replicate)
            print(f"replicated {args.replicate}x in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        result = bench(src, args.queries)
        print(json.dumps(result, indent=1, ensure_ascii=False))
        worst = max(v["p95"] for v in result["ms"].values())
        print(f"worst p95 {worst:.0f} ms (target < {TARGET_MS:.0f} ms): {'ok' if worst < TARGET_MS else 'SLOW'}",
              file=sys.stderr)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
