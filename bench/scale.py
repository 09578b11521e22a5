"""Benchmark of `kg build` at corpus scale: chars/s and peak memory, per engine and per worker count.

    python bench/scale.py [--articles DIR | --corpus ../shared/corpora/pku-peoples-daily-1998/199801.txt.xz]
                          [--limit N] [--runs 1,2,spark] [--replicate 10,50] [--keep DIR]

The input is the 3,148 People's Daily articles of 1998-01 (`../shared/eval/pd_silver.py articles
CORPUS DIR --days all` writes them; done here into a temp folder unless --articles is given).
Each run is a `kg build` in its own process: `--workers 1`, `--workers 2`, and `--engine spark
--master local[2]`; printed are wall time, chars/s and the peak RSS of the whole process tree
(workers, Spark's JVM and Python workers included; sampled every 0.1 s). The outputs of all runs
must be the same bytes (checked). Then the store of the 2-worker run is replicated 10x and 50x
(new document ids; people, dates and events get new ids per copy, places and units are shared as
in a real corpus) and the reduce and write alone (`kg.stream.write_tables_from_store`, what
`kg build` does past 10,000 documents) is timed, with its peak RSS; and the same with Spark SQL in
local[2] (`kg.engines.spark_reduce`, what `kg build --engine spark` does then; `--no-reduce-spark` skips it). No figure is asserted:
the machine's load changes them (the goals: ≥ 40k chars/s with 2 workers, ≤ 1.5 GB at 50k
articles and flat beyond).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # a reduce child's PYTHONPATH may put an older kg first: keep its order
    sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "pku-peoples-daily-1998" / "199801.txt.xz"
OUTPUTS = ("documents.csv", "sentences.csv", "mentions.csv", "entities.csv", "relations.csv")


def cpu_children() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def run_tree(cmd: list[str], env: dict | None = None) -> tuple[float, float, str, float]:
    """(wall seconds, peak RSS of the process and all its descendants in MB, stdout, CPU seconds of them all)."""
    import psutil

    cpu = cpu_children()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    top = psutil.Process(proc.pid)
    peak = 0
    seen: dict[int, float] = {}  # CPU seconds of each process of the tree when last sampled
    while proc.poll() is None:
        try:
            tree = [top, *top.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            for p in tree:
                t = p.cpu_times()
                seen[p.pid] = t.user + t.system
        except psutil.Error:
            pass
        time.sleep(0.1)
    out, err = proc.communicate()
    if proc.returncode:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    # the children's rusage misses a grandchild nobody waits for (Spark's JVM): the sampled tree holds it
    return time.perf_counter() - start, peak / 2**20, out, max(cpu_children() - cpu, sum(seen.values()))


def chars_of(out: Path) -> int:
    with open(out / "documents.csv", encoding="utf-8") as fh:
        return sum(int(r["chars"]) for r in csv.DictReader(fh))


def replicate(rows: dict, k: int) -> dict:
    """Copy k of one document's store rows: new document id; its people, dates and events new ids."""

    def doc(d: str) -> str:
        return f"r{k:02d}/{d}"

    def eid(i: str) -> str:
        if i.startswith("doc:"):
            return "doc:" + doc(i[4:])
        kind = i.split("-", 1)[0]
        if kind in ("person", "date", "event"):
            return f"{kind}-{hashlib.sha1(f'{k}:{i}'.encode()).hexdigest()[:16]}"
        return i

    for table in rows.values():
        for r in table:
            r["doc"] = doc(r["doc"])
    for m in rows["mentions"]:
        m["entity_id"] = eid(m["entity_id"])
    for e in rows["entities"]:
        e["id"] = eid(e["id"])
        attrs = json.loads(e["attrs"])
        if "documents" in attrs:
            attrs["documents"] = [doc(d) for d in attrs["documents"]]
        e["attrs"] = json.dumps(attrs, ensure_ascii=False, sort_keys=True)
        e["parents"] = json.dumps([[eid(p), rel, [doc(ev[0]), *ev[1:]], inf] for p, rel, ev, inf in json.loads(e["parents"])],
                                  ensure_ascii=False)
    for r in rows["relations"]:
        r["source_id"], r["target_id"] = eid(r["source_id"]), eid(r["target_id"])
        ev = json.loads(r["evidence"])
        r["evidence"] = json.dumps(ev if ev is None else [doc(ev[0]), *ev[1:]], ensure_ascii=False)
    return rows


def make_replicas(src: Path, dst: Path, times: int) -> int:
    from kg.schema import store_result
    from kg.store import Store

    with open(src / "store" / "VERSION") as fh:
        version = fh.read().strip()
    source = Store(src / "store", version)
    target = Store(dst / "store", version)
    live = sorted(source.known())
    n = 0
    for k in range(times):
        batch = []
        for rows in source.rows(live):
            batch.append(store_result(replicate(rows, k)))
            if len(batch) == 64:
                target.write(batch)
                n += len(batch)
                batch = []
        target.write(batch)
        n += len(batch)
    (dst / "store" / "VERSION").write_text(version)
    return n


def reduce_only(folder: Path, engine: str = "duckdb") -> None:
    """The child process of every reduce benchmark (this script's replicas, `bench/reduce.py`): reduce
    and write the tables of folder/store into folder/out-ENGINE and print the row counts. `spark`:
    the fold's SQL on Spark local[2] (`kg.engines.spark_reduce`); any other name (`duckdb`,
    `duckdb:256MB`, `sqlite`) labels a run of `kg.stream.write_tables_from_store` of the kg on the
    path: the DuckDB fold, or an older kg that `bench/reduce.py` puts first (its SQLite sort)."""
    from kg.store import Store

    store = Store(folder / "store", (folder / "store" / "VERSION").read_text().strip())
    out = folder / f"out-{engine.replace(':', '-')}"
    if engine == "spark":
        from kg.engines.spark import spark_session
        from kg.engines.spark_reduce import write_tables_with_spark

        spark = spark_session("local[2]")
        try:
            counts = write_tables_with_spark(spark, store, store.known(), out)
        finally:
            spark.stop()
    else:
        from kg.stream import write_tables_from_store

        counts = write_tables_from_store(store, store.known(), out)
    print(json.dumps(counts))


def reduce_command(folder: Path, engine: str = "duckdb") -> list[str]:
    """The command of a `reduce_only` child: kg from PYTHONPATH (-P: not from the current folder)."""
    return [sys.executable, "-P", "-m", "bench.scale", "--reduce-only", str(folder), "--reduce-engine", engine]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=Path, default=None, help="folder of article .txt files")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--runs", default="1,2,spark", help="worker counts and/or 'spark'")
    ap.add_argument("--replicate", default="10,50", help="replication factors for the reduce ('' for none)")
    ap.add_argument("--keep", type=Path, default=None, help="work folder to keep (default: a temp folder)")
    ap.add_argument("--reduce-spark", action=argparse.BooleanOptionalAction, default=True,
                    help="also time the Spark SQL reduce of each replica (local[2])")
    ap.add_argument("--reduce-only", type=Path, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--reduce-engine", default="duckdb", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.reduce_only:
        reduce_only(args.reduce_only, args.reduce_engine)
        return 0

    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    articles = args.articles
    if articles is None:
        articles = work / "articles"
        if not articles.exists():
            subprocess.run([sys.executable, str(SHARED / "eval" / "pd_silver.py"), "articles", str(args.corpus),
                            str(articles), "--days", "all"], check=True, stdout=subprocess.DEVNULL)
    files = sorted(articles.glob("*.txt"))
    if args.limit:
        files = files[: args.limit]
    src = work / "input"
    if not src.exists():
        src.mkdir()
        for f in files:
            os.link(f, src / f.name) if f.stat().st_dev == src.stat().st_dev else (src / f.name).write_bytes(f.read_bytes())
    print(f"input: {len(files)} articles in {src}")
    kg = [sys.executable, "-m", "kg.cli", "build", str(src)]
    outs: dict[str, Path] = {}
    for run in [r for r in args.runs.split(",") if r]:
        out = work / f"out-{run}"
        extra = ["--engine", "spark", "--master", "local[2]", "--workers", "1"] if run == "spark" else \
            ["--workers", run, "--threads", "1"]
        wall, peak, _, cpu = run_tree([*kg, "--out", str(out), "--rebuild", *extra],
                                      env={"SPARK_LOCAL_IP": "127.0.0.1"})
        chars = chars_of(out)
        label = "spark local[2]" if run == "spark" else f"{run} worker(s)"
        cpu_note = "" if run == "spark" else f"; {cpu:.0f} CPU-s, {chars / max(cpu, 1e-9):,.0f} chars per CPU-s"
        print(f"{label:>16}: {wall:7.1f} s  {chars / wall:9,.0f} chars/s  peak RSS {peak:7.0f} MB  "
              f"({chars:,} chars{cpu_note})")
        outs[run] = out
    first = next(iter(outs.values()), None)
    for run, out in outs.items():
        same = all((out / n).read_bytes() == (first / n).read_bytes() for n in OUTPUTS)
        print(f"  {run}: tables {'identical to' if same else 'DIFFER from'} {first.name}'s")
    if not args.replicate or first is None:
        return 0
    import pyarrow.parquet as pq

    shard = min((first / "store" / "documents").glob("*.parquet"))  # the version the build wrote (its settings too)
    (first / "store" / "VERSION").write_text(pq.read_table(shard, columns=["version"]).column(0)[0].as_py())
    for times in [int(x) for x in args.replicate.split(",")]:
        folder = work / f"x{times}"
        made = time.perf_counter()
        n = make_replicas(first, folder, times)
        made = time.perf_counter() - made
        wall, peak, out, cpu = run_tree(reduce_command(folder))
        print(f"{times:>4}x: {n:,} articles (store made in {made:.0f} s): reduce+write {wall:.1f} s, "
              f"{cpu:.1f} CPU-s, peak RSS {peak:.0f} MB, rows {out.strip()}")
        if args.reduce_spark:
            wall, peak, out, cpu = run_tree(reduce_command(folder, "spark"), env={"SPARK_LOCAL_IP": "127.0.0.1"})
            same = all((folder / "out-spark" / n).read_bytes() == (folder / "out-duckdb" / n).read_bytes()
                       for n in OUTPUTS)
            print(f"{'':>6}Spark SQL reduce+write (local[2]): {wall:.1f} s, {cpu:.1f} CPU-s (JVM included), "
                  f"peak RSS {peak:.0f} MB (JVM included), "
                  f"tables {'identical' if same else 'DIFFERENT'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
