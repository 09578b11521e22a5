"""Names silver on modern news: CLUENER2020's dev split, the NER model alone vs the whole pipeline.

    python bench/cluener.py [--dev ../shared/corpora/cluener2020/dev.json] [--limit N] [--threads 1]
                            [--cache FILE] [--errors TYPE]

Each line of dev.json (Sina news sentences, 2,000-odd of 2008-2010) is built as one document.
CLUENER's `name` is PERSON, `address` LOC, `organization`, `government` and `company` ORG; its
other classes (position, scene, book, game, movie) are not scored, and a predicted name equal to
one of their spans is neither right nor wrong (故宫 is a `scene` and a place). Matching is per
line on (type, surface) pairs, each pair once per line (CLUENER's own count). The model's spans
are recorded while the pipeline runs (bench/silver.py's RecordingTagger), so the model runs once.
Prints P/R/F1 per type for both and the build's characters per second; `--errors TYPE` lists the
pipeline's misses and false names of one type (or ALL) against the model's, for reading.

CLUENER annotates what a reader would call a name, and more often than People's Daily (it tags
outlets, clubs and companies), so read the rows against each other, not as an absolute accuracy.
"""

from __future__ import annotations

import argparse
import json
import pickle
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
DEV = ROOT.parent / "shared" / "corpora" / "cluener2020" / "dev.json"
TYPES = {"name": "PERSON", "address": "LOC", "organization": "ORG", "government": "ORG", "company": "ORG"}
SCORED = ("PERSON", "LOC", "ORG")


def read_dev(path: Path, limit: int | None) -> list[tuple[str, set, set]]:
    """(text, gold (type, name) pairs, names of the unscored classes) per line."""
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if limit is not None and len(rows) >= limit:
                break
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                sys.exit(f"cluener.py: {path}:{n}: not JSON ({e})")
            gold, other = set(), set()
            for label, names in obj.get("label", {}).items():
                for name in names:
                    (gold.add((TYPES[label], name)) if label in TYPES else other.add(name))
            rows.append((obj["text"], gold, other))
    return rows


def prf(tp: int, pred: int, gold: int) -> tuple[float, float, float]:
    p, r = tp / pred if pred else 0.0, tp / gold if gold else 0.0
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def score(rows, predicted: list[set]) -> tuple[dict, dict]:
    """Per type (and ALL) P/R/F1, and per type the missed and false names."""
    counts = {t: Counter() for t in (*SCORED, "ALL")}
    errors = {t: {"missed": Counter(), "false": Counter()} for t in (*SCORED, "ALL")}
    for (_, gold, other), pred in zip(rows, predicted, strict=True):
        pred = {(t, s) for t, s in pred if t in SCORED and not (s in other and (t, s) not in gold)}
        for t in SCORED:
            g, p = {x for x in gold if x[0] == t}, {x for x in pred if x[0] == t}
            for key in (t, "ALL"):
                counts[key]["tp"] += len(g & p)
                counts[key]["pred"] += len(p)
                counts[key]["gold"] += len(g)
                errors[key]["missed"].update(s for _, s in g - p)
                errors[key]["false"].update(s for _, s in p - g)
    return {t: prf(c["tp"], c["pred"], c["gold"]) for t, c in counts.items()}, errors


def build(rows, threads: int, cache_file: Path | None) -> tuple[list[set], list[set], float]:
    """The model's and the pipeline's (type, name) pairs per line, and the build's chars/s."""
    from silver import RecordingTagger

    from kg.pipeline import BuildConfig, Pipeline
    from kg.sources import pair_document

    cache = pickle.loads(cache_file.read_bytes()) if cache_file and cache_file.exists() else {}
    pipeline = Pipeline(BuildConfig(threads=threads))
    recorder = RecordingTagger(pipeline.tagger, cache)
    pipeline.tagger = recorder
    docs = [pair_document(f"cluener-{k:05d}", text) for k, (text, _, _) in enumerate(rows)]
    t0 = time.perf_counter()
    result = pipeline.build_documents(docs)
    seconds = time.perf_counter() - t0
    index = {d.id: k for k, d in enumerate(docs)}
    pipe = [set() for _ in rows]
    for m in result.mentions:
        pipe[index[m.doc_id]].add((m.type, m.text))
    model = [set() for _ in rows]
    for s in result.sentences:
        text = docs[index[s.doc_id]].text
        for i, j, t in recorder.cache.get(s.text, []):
            a, b = s.span(i, j)
            model[index[s.doc_id]].add((t, text[a:b]))
    if cache_file:
        cache_file.write_bytes(pickle.dumps(recorder.cache))
    return model, pipe, sum(len(d.text) for d in docs) / seconds


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--limit", type=int, default=None, help="the first N lines only")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cache", type=Path, default=None, help="model spans per sentence, kept between runs")
    ap.add_argument("--errors", choices=(*SCORED, "ALL"), default=None, help="list one type's errors")
    args = ap.parse_args()
    if not args.dev.is_file():
        sys.exit(f"cluener.py: {args.dev} not found (give --dev)")
    rows = read_dev(args.dev, args.limit)
    model, pipe, speed = build(rows, args.threads, args.cache)
    (m_scores, m_err), (p_scores, p_err) = score(rows, model), score(rows, pipe)
    print(f"{'type':7s} | {'model alone P / R / F1':24s} | {'pipeline P / R / F1':24s} | ΔF1")
    for t in (*SCORED, "ALL"):
        a, b = m_scores[t], p_scores[t]
        print(f"{t:7s} | {a[0]:.3f} / {a[1]:.3f} / {a[2]:.3f}    | {b[0]:.3f} / {b[1]:.3f} / {b[2]:.3f}    "
              f"| {b[2] - a[2]:+.3f}")
    print(f"{len(rows)} lines; build {speed:,.0f} chars/s (--threads {args.threads}"
          f"{', model spans from the cache' if args.cache else ''})")
    if args.errors:
        for kind in ("missed", "false"):
            lost = p_err[args.errors][kind] - m_err[args.errors][kind]
            won = m_err[args.errors][kind] - p_err[args.errors][kind]
            print(f"\npipeline {kind}, not the model ({sum(lost.values())}): " + "、".join(lost))
            print(f"model {kind}, not the pipeline ({sum(won.values())}): " + "、".join(won))
    return 0


if __name__ == "__main__":
    sys.exit(main())
