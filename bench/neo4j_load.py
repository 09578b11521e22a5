"""Neo4j load speed: batched `UNWIND … MERGE` (kg load) against a per-row MERGE loop, then a reload.

Starts its own Neo4j 5.26 (tools/neo4j-server, as the tests do) on a temporary store, warms its JVM
up with a small load of each kind, builds a
synthetic police-news graph of >= 100k relationships, and prints:
  - the batched load (`kg.sinks.neo4j.load_graph`), whole call timed: relationships per second;
  - the per-row loop some peers use (one auto-commit `MERGE` statement per relationship, with the
    same uniqueness constraints), timed on a sample and extrapolated to the full graph;
  - the ratio, and a reload of the unchanged graph: its time and its writes (should all be 0);
  - the bulk path for big graphs: `kg export --format neo4j-import` CSVs through
    `neo4j-admin database import full` into a new store (JVM start included), relationships per second.

    python bench/neo4j_load.py [--people 40000] [--batch-size 10000] [--sample 3000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import neo4j  # noqa: E402

from kg.sinks.neo4j import SCHEMA, graph_rows, load_graph  # noqa: E402
from kg.sinks.neo4j_import import admin_import_args, write_import_csv  # noqa: E402
from tests.fixtures_neo4j import synthetic_result, wipe_neo4j  # noqa: E402
from tests.neo4j_server import Neo4jServer  # noqa: E402

PER_ROW = ("MERGE (a:Entity {id: $source}) MERGE (b:%s {id: $target}) "
           "MERGE (a)-[r:%s {role: $role}]->(b) SET r += $props")


def per_row_loop(server, rows: list[tuple[str, str, dict]]) -> float:
    """One auto-commit MERGE per relationship, as a naive loader does; returns seconds."""
    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver, \
            driver.session() as session:
        for statement in SCHEMA:
            session.run(statement).consume()
        started = time.perf_counter()
        for rel, target, row in rows:
            session.run(PER_ROW % (target, rel), source=row["source"], target=row["target"], role=row["role"],
                        props=row["props"]).consume()
        return time.perf_counter() - started


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=40_000, help="graph size: ~2.5 relationships per person")
    ap.add_argument("--batch-size", type=int, default=10_000)
    ap.add_argument("--sample", type=int, default=3_000, help="relationships for the per-row loop")
    args = ap.parse_args()

    result = synthetic_result(args.people)
    rows = graph_rows(result)
    all_rels = [(rel, target, r) for (rel, target), rs in sorted(rows.relations.items()) for r in rs]
    print(f"synthetic graph: {len(result.entities)} entities, {len(result.documents)} documents, "
          f"{len(all_rels)} relationships")
    try:
        from neo4j._codec.packstream import v1 as packstream

        rust = packstream._rust_pack is not None
    except (ImportError, AttributeError):
        rust = False
    print(f"driver {neo4j.__version__}, packstream in {'Rust (neo4j-rust-ext)' if rust else 'pure Python'}")
    with Neo4jServer(pagecache="512m") as server:
        print(f"neo4j 5.26 on {server.uri}")
        auth = {"uri": server.uri, "user": server.user, "password": server.password}

        # Warm the JVM up (JIT) with a small load of each kind, as any long-running server is.
        load_graph(synthetic_result(max(500, args.people // 10), seed=1), batch_size=args.batch_size, **auth)
        wipe_neo4j(server, schema=True)
        per_row_loop(server, [(rel, target, dict(r, source=r["source"] + "-w", target=r["target"] + "-w"))
                              for rel, target, r in all_rels[:300]])
        wipe_neo4j(server, schema=True)

        # The per-row loop, on a sample spread over every relationship type.
        sample = all_rels[:: max(1, len(all_rels) // args.sample)][: args.sample]
        per_row_s = per_row_loop(server, sample)
        per_row_rate = len(sample) / per_row_s
        wipe_neo4j(server, schema=True)

        first = load_graph(result, batch_size=args.batch_size, **auth)
        batched_rate = first["relationships_created"] / first["seconds"]
        again = load_graph(result, batch_size=args.batch_size, **auth)

    extrapolated = len(all_rels) / per_row_rate
    writes = {k: again[k] for k in ("nodes_created", "relationships_created", "properties_set", "labels_added")}
    print(f"batched load (batch {args.batch_size}): {first['relationships_created']} relationships, "
          f"{first['nodes_created']} nodes in {first['seconds']:.1f} s = {batched_rate:,.0f} relationships/s")
    print(f"per-row MERGE loop: {len(sample)} relationships (sample) in {per_row_s:.1f} s = "
          f"{per_row_rate:,.0f} relationships/s; the full {len(all_rels)} would take ~{extrapolated:,.0f} s "
          f"(extrapolated from the sample)")
    print(f"ratio batched / per-row: {batched_rate / per_row_rate:,.0f}x")
    print(f"reload of unchanged data: {again['seconds']:.1f} s, writes {writes} "
          f"({again['nodes']} nodes, {again['relationships']} relationships unchanged)")
    with tempfile.TemporaryDirectory() as tmp:
        files = write_import_csv(result, Path(tmp) / "csv")
        store = Neo4jServer(Path(tmp) / "store")
        started = time.perf_counter()
        done = store.admin(*admin_import_args(files))
        bulk_s = time.perf_counter() - started
    if done.returncode != 0 or "IMPORT DONE" not in done.stdout:
        sys.exit("neo4j-admin import failed:\n" + done.stdout[-2000:] + done.stderr[-2000:])
    print(f"bulk path (neo4j-admin database import full, new store): {len(all_rels)} relationships in "
          f"{bulk_s:.1f} s = {len(all_rels) / bulk_s:,.0f} relationships/s")
    if any(writes.values()):
        sys.exit("reload wrote to the graph: the loader is not idempotent")


if __name__ == "__main__":
    main()
