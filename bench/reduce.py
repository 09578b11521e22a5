"""Benchmark of the reduce alone: DuckDB (`kg.stream`, the SQL of `kg/engines/fold.py`) against the
SQLite sort it replaced, on the same store, with time and peak memory.

    python bench/reduce.py --build OUT [--replicate 1,10] [--engines duckdb,duckdb:256MB,sqlite,spark] [--keep DIR]

OUT is a `kg build --graph no` output folder of the 3,148 People's Daily articles of 1998-01
(`../shared/eval/pd_silver.py articles CORPUS DIR --days all`, then `kg build DIR --out OUT --graph no`;
done here into the work folder when --build is not given). Its store is used as is (1x) and
replicated with new ids (`bench/scale.py`'s `make_replicas`: people, dates and events new per copy,
places and units shared). Each reduce and write runs in its own process: printed are wall time and
peak RSS of its process tree (`bench/scale.py`'s `reduce_only`, the child of its replica runs too);
the tables of all engines must be the same bytes (checked).
`duckdb:256MB` runs DuckDB with that working memory (KG_DUCKDB_MEMORY); `sqlite` runs kg/stream.py as it was before the fold became SQL (taken from git: the parent of the
commit that dropped SQLite from it); `spark` runs the same SQL on Spark in local[2]. No figure is
asserted: the machine's load changes them.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scale import CORPUS, OUTPUTS, SHARED, make_replicas, reduce_command, run_tree  # noqa: E402


def sqlite_checkout(work: Path) -> Path:
    """kg/ as it was with the SQLite reduce, extracted from git into `work`/sqlite-kg."""
    target = work / "sqlite-kg"
    if not target.exists():
        gone = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%H", "-G", "import sqlite3", "--",
                               "kg/stream.py"], check=True, capture_output=True, text=True).stdout.strip()
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", f"{gone}^", "kg"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=None, help="a `kg build --graph no` output folder (with store/)")
    ap.add_argument("--replicate", default="1,10", help="replication factors of the store")
    ap.add_argument("--engines", default="duckdb,sqlite", help="duckdb, sqlite and/or spark")
    ap.add_argument("--keep", type=Path, default=None, help="work folder to keep (default: a temp folder)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="kg-reduce-"))
    work.mkdir(parents=True, exist_ok=True)
    build = args.build
    if build is None:
        build, articles = work / "build", work / "articles"
        if not articles.exists():
            subprocess.run([sys.executable, str(SHARED / "eval" / "pd_silver.py"), "articles", str(CORPUS),
                            str(articles), "--days", "all"], check=True, stdout=subprocess.DEVNULL)
        if not (build / "store").exists():
            subprocess.run([sys.executable, "-m", "kg.cli", "build", str(articles), "--out", str(build), "--graph", "no",
                            "--workers", "2", "--threads", "1"], check=True, cwd=ROOT)
    import pyarrow.parquet as pq

    shard = min((build / "store" / "documents").glob("*.parquet"))
    (build / "store" / "VERSION").write_text(pq.read_table(shard, columns=["version"]).column(0)[0].as_py())
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    engines = [e for e in args.engines.split(",") if e]
    for times in [int(x) for x in args.replicate.split(",") if x]:
        folder = work / f"x{times}"
        if not (folder / "store").exists():
            if times == 1:
                folder.mkdir(parents=True, exist_ok=True)
                (folder / "store").symlink_to(build / "store")
            else:
                made = time.perf_counter()
                n = make_replicas(build, folder, times)
                print(f"{times}x: {n:,} articles, store made in {time.perf_counter() - made:.0f} s")
        docs = len(known(folder))
        for engine in engines:
            env = {"PYTHONPATH": os.pathsep.join([str(sqlite_checkout(work)), path]) if engine == "sqlite" else path,
                   "SPARK_LOCAL_IP": "127.0.0.1", "KG_DUCKDB_MEMORY": engine.partition(":")[2]}
            wall, peak, out, cpu = run_tree(reduce_command(folder, engine), env=env)
            print(f"{times:>3}x {docs:>8,} articles  {engine:>6}: reduce+write {wall:7.1f} s, {cpu:6.1f} CPU-s"
                  f" (children), peak RSS {peak:6.0f} MB  rows {out.strip()}")
        first = folder / f"out-{engines[0].replace(':', '-')}"
        for engine in engines[1:]:
            same = all((folder / f"out-{engine.replace(':', '-')}" / n).read_bytes() == (first / n).read_bytes()
                       for n in OUTPUTS)
            print(f"     {engine}: tables {'identical to' if same else 'DIFFER from'} {engines[0]}'s")
    return 0


def known(folder: Path) -> dict:
    from kg.store import Store

    return Store(folder / "store", (folder / "store" / "VERSION").read_text().strip()).known()


if __name__ == "__main__":
    sys.exit(main())
