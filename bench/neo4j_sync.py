"""`kg load OUT` at scale: a full load, then an incremental reload after 1% of the documents changed.

Starts its own Neo4j 5.26 (tools/neo4j-server, as the tests do), writes a synthetic police-news
output folder (`tests.fixtures_neo4j.synthetic_result` plus sentences and one mention per entity),
and prints:
  - the first `kg load` (everything sent): rows and rows per second;
  - a reload of the unchanged folder: rows sent (0) and seconds (streaming and digesting the tables);
  - a reload after 1% of the documents changed (their text, their entities' descriptions and
    their facts' roles) and 1 in 1,000 removed: rows sent, deleted, seconds;
  - the streamed bulk export (`kg export --format neo4j-import`) of the same folder: seconds.

    python bench/neo4j_sync.py [--people 40000] [--batch-size 5000] [--changed 0.01]
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.sinks.neo4j_import import export_for_import  # noqa: E402
from kg.sinks.neo4j_rows import StreamedRows  # noqa: E402
from kg.sinks.neo4j_sync import sync_graph  # noqa: E402
from kg.sinks.tables import write_tables  # noqa: E402
from kg.types import BuildResult, Mention, Sentence  # noqa: E402
from tests.fixtures_neo4j import synthetic_result  # noqa: E402
from tests.neo4j_server import Neo4jServer  # noqa: E402

SENTENCES = 10  # per document


def with_text(res: BuildResult, changed: set[str], removed: set[str]) -> BuildResult:
    """Sentences for every document and a mention per entity; `changed` documents get new text,
    their entities new descriptions and their facts new roles; `removed` ones are left out."""
    res.documents = [d for d in res.documents if d.id not in removed]
    docs = {d.id for d in res.documents}
    for d in res.documents:
        tag = "（更新）" if d.id in changed else ""
        d.sha256 = hashlib.sha256((d.id + tag).encode()).hexdigest()
        for i in range(SENTENCES):
            text = f"{d.id}第{i}句，民警在辖区执勤。{tag}"
            res.sentences.append(Sentence(doc_id=d.id, index=i, text=text, offsets=[i * 40, i * 40 + len(text) - 1]))
    home = {}
    kept = []
    for n, e in enumerate(res.entities):
        doc = e.attrs["documents"][0]
        if doc not in docs:
            continue
        home[e.id] = doc
        if doc in changed:
            e.attrs["description"] = "更新"
        m = Mention(doc_id=doc, sentence=n % SENTENCES, start=n % 30, end=n % 30 + len(e.name), text=e.name,
                    type=e.type, entity_id=e.id)
        e.mentions = [m]
        res.mentions.append(m)
        kept.append(e)
    res.entities = kept
    res.mentions.sort(key=lambda m: (m.doc_id, m.sentence, m.start))
    res.relations = [r for r in res.relations if r.source_id in home and r.target_id in home]
    for r in res.relations:
        if home[r.source_id] in changed and "role" in r.properties:
            r.properties["role"] += "（调任）"
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--people", type=int, default=40_000, help="graph size: ~2.5 relationships per person")
    ap.add_argument("--batch-size", type=int, default=5_000)
    ap.add_argument("--changed", type=float, default=0.01, help="share of documents changed before the reload")
    args = ap.parse_args()

    docs = [d.id for d in synthetic_result(args.people).documents]
    step = max(1, round(1 / args.changed))
    changed, removed = set(docs[::step]), set(docs[step // 2::1000])
    with tempfile.TemporaryDirectory() as tmp, Neo4jServer(pagecache="512m") as server:
        out = Path(tmp) / "out"
        write_tables(with_text(synthetic_result(args.people), set(), set()), out)
        auth = {"uri": server.uri, "user": server.user, "password": server.password, "batch_size": args.batch_size}
        print(f"neo4j 5.26 on {server.uri}; synthetic folder of {len(docs)} documents ({args.people} people)")

        first = sync_graph(StreamedRows(out), out, **auth)
        rows = first["sent"]
        print(f"first load: {rows:,} rows ({first['nodes']:,} nodes, {first['relationships']:,} relationships) in "
              f"{first['seconds']:.1f} s = {rows / first['seconds']:,.0f} rows/s")
        same = sync_graph(StreamedRows(out), out, **auth)
        print(f"reload, nothing changed: {same['sent']} rows sent, {same['unchanged']:,} unchanged, "
              f"{same['seconds']:.1f} s")

        write_tables(with_text(synthetic_result(args.people), changed, removed), out)
        again = sync_graph(StreamedRows(out), out, **auth)
        print(f"reload after {len(changed)} documents ({len(changed) / len(docs):.1%}) changed and {len(removed)} "
              f"removed: {again['sent']:,} rows sent, {again['deleted']:,} deleted, {again['unchanged']:,} unchanged, "
              f"{again['seconds']:.1f} s ({again['mode']})")

        started = time.perf_counter()
        files = export_for_import(out, Path(tmp) / "import")
        print(f"streamed bulk export (kg export --format neo4j-import): {len(files)} files in "
              f"{time.perf_counter() - started:.1f} s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (tables written in memory included): {peak:,.0f} MB")
    if same["sent"] or again["mode"] != "incremental" or not 0 < again["sent"] < rows / 10:
        sys.exit("the reloads did not send only what changed")


if __name__ == "__main__":
    main()
