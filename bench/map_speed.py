"""Benchmark of the map alone: characters per CPU-second on one core, model included, and the stages' shares.

    python bench/map_speed.py [--corpus ../shared/corpora/pku-peoples-daily-1998/199801.txt.xz] [--every 10] [--runs 3]

Issue 22's bar: the map stays at about 22k chars per CPU-second on one core (model included). The
input is every `--every`-th of the 3,148 People's Daily articles of 1998-01 (written by
`../shared/eval/pd_silver.py articles CORPUS DIR --days all`); the model is loaded and warmed up
first, torch runs on one thread, and each run maps the articles in this process
(`Pipeline.map_all`: every stage, no store, no reduce). Printed: chars per CPU-second of each run,
then jieba's words alone over the same texts (its cache cleared), then the stages by CPU time
(one more run, timed per stage). CPU time, not wall time: the machine's load changes the wall.
No figure is asserted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpora" / "pku-peoples-daily-1998" / "199801.txt.xz"


def articles(corpus: Path, every: int) -> list[tuple[str, str]]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, str(SHARED / "eval" / "pd_silver.py"), "articles", str(corpus), tmp,
                        "--days", "all"], check=True, capture_output=True)
        files = sorted(Path(tmp).glob("*.txt"))[::every]
        return [(f.stem, f.read_text(encoding="utf-8")) for f in files]


class Timed:
    """A stage whose calls add their CPU time to `spent[name]` (everything else: the stage's own)."""

    def __init__(self, stage, spent: dict[str, float]) -> None:
        self._stage, self._spent = stage, spent

    def __getattr__(self, name: str):
        if name == "pipe" and hasattr(self._stage, "pipe"):
            return lambda records: self._timed(self._stage.pipe, records)
        return getattr(self._stage, name)

    def __call__(self, record) -> None:
        self._timed(self._stage, record)

    def _timed(self, call, arg) -> None:
        start = time.process_time()
        call(arg)
        self._spent[self._stage.name] += time.process_time() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--every", type=int, default=10)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import torch

    from kg.config import BuildConfig
    from kg.ner import segmenter
    from kg.pipeline import Pipeline
    from kg.sources import pair_document

    torch.set_num_threads(1)
    texts = articles(args.corpus, args.every)
    chars = sum(len(t) for _, t in texts)
    pipe = Pipeline(BuildConfig(workers=1, threads=1))
    list(pipe.map_all([pair_document("warm-up", texts[0][1])]))  # the model and word lists loaded
    print(f"{len(texts)} articles, {chars:,} chars")
    for run in range(args.runs):
        for cached in (segmenter.words, segmenter.boundaries):
            cached.cache_clear()
        start = time.process_time()
        for _ in pipe.map_all(pair_document(i, t) for i, t in texts):
            pass
        cpu = time.process_time() - start
        print(f"map, run {run + 1}: {cpu:.1f} CPU-s, {chars / cpu:,.0f} chars per CPU-s")

    segmenter.words.cache_clear()
    start = time.process_time()
    for _, t in texts:
        for line in t.splitlines():
            segmenter.words(line)
    cpu = time.process_time() - start
    print(f"jieba's words alone: {chars / cpu:,.0f} chars per CPU-s")

    spent: dict[str, float] = defaultdict(float)
    pipe.stages = {name: Timed(stage, spent) for name, stage in pipe.stages.items()}
    for _ in pipe.map_all(pair_document(i, t) for i, t in texts):
        pass
    total = sum(spent.values()) or 1.0
    for name, cpu in sorted(spent.items(), key=lambda kv: -kv[1]):
        print(f"  {name:<14} {cpu:6.2f} CPU-s  {cpu / total:5.1%}")


if __name__ == "__main__":
    main()
