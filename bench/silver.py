"""Corpus-scale silver check: the NER model alone vs the whole pipeline, on held-out People's Daily.

    python bench/silver.py [--pd-silver ../shared/eval/pd_silver.py] [--corpus CORPUS]
                           [--work DIR] [--rescore] [--cache FILE] [--threads 1]

Writes the 260 articles of 10, 20 and 30 January 1998 (the split the model never trains on) with
`pd_silver.py articles`, builds them once with `kg`'s pipeline, and scores two mentions tables
with `pd_silver.py score`: the model's own spans (recorded while the pipeline runs, so the model
runs once) and the pipeline's `mentions.csv`. Prints P/R/F1 per type side by side and the build's
characters per second. `--rescore` scores an earlier `--work` folder again without building.
`--cache FILE` keeps the model's spans per sentence between runs (for iterating on the rule
layer: the model is not re-run; chars/s then measures the rest of the pipeline).

The two annotation conventions differ (PD's nt/ns granularity), so read the table as a comparison
of the two rows and of one version with the next, not as an absolute accuracy.
"""

from __future__ import annotations

import argparse
import csv
import pickle
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
ROW = re.compile(r"^(\w+)\s+P=([\d.]+) R=([\d.]+) F1=([\d.]+)")


class RecordingTagger:
    """Wraps the pipeline's tagger: remembers each sentence's model spans (and serves them from a cache)."""

    def __init__(self, inner, cache: dict | None = None):
        self.inner, self.cache, self.seen = inner, cache if cache is not None else {}, []

    def tag(self, texts, batch_size=64):
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if todo:
            for t, spans in zip(todo, self.inner.tag(todo, batch_size=batch_size), strict=True):
                self.cache[t] = spans
        out = [self.cache[t] for t in texts]
        self.seen.extend(zip(texts, out, strict=True))
        return out


def run_score(pd_silver: Path, corpus: Path, out_dir: Path) -> dict[str, tuple[float, float, float]]:
    res = subprocess.run([sys.executable, str(pd_silver), "score", str(corpus), str(out_dir)],
                         capture_output=True, text=True, check=True)
    return {m.group(1): tuple(map(float, m.group(2, 3, 4))) for line in res.stdout.splitlines()
            if (m := ROW.match(line))}


def build(articles: Path, work: Path, threads: int, cache_file: Path | None) -> float:
    """Build the articles into work/pipeline and the model's spans into work/model; chars/s."""
    from kg.pipeline import BuildConfig, Pipeline
    from kg.sinks.tables import write_tables

    cache = pickle.loads(cache_file.read_bytes()) if cache_file and cache_file.exists() else {}
    pipeline = Pipeline(BuildConfig(threads=threads))
    recorder = RecordingTagger(pipeline.tagger, cache)
    pipeline.tagger = recorder
    files = sorted(articles.glob("*.txt"))
    t0 = time.perf_counter()
    result = pipeline.build(files)
    seconds = time.perf_counter() - t0
    chars = sum(len(d.text) for d in result.documents)
    write_tables(result, work / "pipeline")
    # the model alone: its spans on each cleaned sentence, one row per span, for the same scorer
    doc_of = {}
    for s in result.sentences:
        doc_of.setdefault(s.text, s.doc_id)
    (work / "model").mkdir(parents=True, exist_ok=True)
    with open(work / "model" / "mentions.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["document", "text", "type"])
        for s in result.sentences:
            for i, j, t in recorder.cache.get(s.text, []):
                w.writerow([s.doc_id, s.text[i:j], t])
    if cache_file:
        cache_file.write_bytes(pickle.dumps(recorder.cache))
    return chars / seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pd-silver", type=Path, default=SHARED / "eval" / "pd_silver.py")
    ap.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "pku-peoples-daily-1998" / "199801.txt.xz")
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "kg-silver",
                    help="articles and builds go here (default: kg-silver in the temp folder)")
    ap.add_argument("--rescore", action="store_true", help="score an earlier build in --work again")
    ap.add_argument("--cache", type=Path, default=None, help="model spans per sentence, kept between runs")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    for p in (args.pd_silver, args.corpus):
        if not p.exists():
            sys.exit(f"silver.py: {p} not found (give --pd-silver / --corpus)")
    articles = args.work / "articles"
    if not articles.is_dir():
        subprocess.run([sys.executable, str(args.pd_silver), "articles", str(args.corpus), str(articles)], check=True)
    speed = None
    if not args.rescore:
        speed = build(articles, args.work, args.threads, args.cache)
    model = run_score(args.pd_silver, args.corpus, args.work / "model")
    pipe = run_score(args.pd_silver, args.corpus, args.work / "pipeline")
    print(f"{'type':7s} | {'model alone P / R / F1':24s} | {'pipeline P / R / F1':24s} | ΔF1")
    for t in ("PERSON", "LOC", "ORG", "ALL"):
        a, b = model.get(t, (0, 0, 0)), pipe.get(t, (0, 0, 0))
        print(f"{t:7s} | {a[0]:.3f} / {a[1]:.3f} / {a[2]:.3f}    | {b[0]:.3f} / {b[1]:.3f} / {b[2]:.3f}    "
              f"| {b[2] - a[2]:+.3f}")
    n = len(list(articles.glob("*.txt")))
    if speed is not None:
        print(f"{n} articles; build {speed:,.0f} chars/s (--threads {args.threads}"
              f"{', model spans from the cache' if args.cache else ''})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
