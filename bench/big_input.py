"""Benchmark of one big input file: throughput (chars/s) and peak memory (RSS) of `kg build`.

    python bench/big_input.py [--mb 50] [--seed seeds/004_86ef6dde4bcc3cb5.txt] [--encoding utf-8]
                              [--model] [--part-chars N]

The file is a seed repeated (blank line between copies) up to --mb megabytes, written in a temp
folder. By default the NER model is replaced by a stub tagger that finds nothing, so the figures
are those of reading, cleaning, segmentation, rules, linking, relations and writing: the part of
the pipeline whose memory grows with the input. --model adds the shipped NER model on one
torch thread (about 57k chars/s alone: 50 MB then takes many minutes). --part-chars 0 processes the whole
document at once (the behaviour before big files were split), for comparison.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def make_file(path: Path, seed: Path, mb: float, encoding: str) -> int:
    """Write the seed repeatedly (never the whole text in memory); return its size in bytes."""
    unit = (seed.read_text(encoding="utf-8").strip("\n") + "\n\n").encode(encoding)
    if encoding in ("utf-16", "utf-32"):  # one BOM at the start, not one per copy
        bom_len = 2 if encoding == "utf-16" else 4
        first, unit = unit, unit[bom_len:]
    else:
        first = unit
    target = int(mb * 2**20)
    with open(path, "wb") as fh:
        fh.write(first)
        size = len(first)
        while size < target:
            fh.write(unit)
            size += len(unit)
    return size


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--seed", default=str(ROOT / "seeds" / "004_86ef6dde4bcc3cb5.txt"))
    ap.add_argument("--encoding", default="utf-8")
    ap.add_argument("--model", action="store_true", help="use the shipped NER model, not the stub")
    ap.add_argument("--part-chars", type=int, default=None, help="0: whole document at once")
    args = ap.parse_args()

    from kg.ner.engine import NoEntities
    from kg.pipeline import BuildConfig, Pipeline
    from kg.sinks.tables import write_tables

    config = BuildConfig()
    if args.part_chars is not None:
        config.part_chars = args.part_chars or 1 << 62
    pipeline = Pipeline(config) if args.model else Pipeline(config, tagger=NoEntities())
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"big.{args.encoding}.txt"
        size = make_file(src, Path(args.seed), args.mb, args.encoding)
        if args.model:
            import torch

            torch.set_num_threads(1)  # as bench/ner_f1.py: on a busy machine more threads are far slower
            pipeline.tagger.tag(["预热一下模型。"], batch_size=1)  # load it before the baseline
        base = peak_mb()
        from tqdm import tqdm

        t0, c0 = time.perf_counter(), time.process_time()
        result = pipeline.build([src], progress=lambda total: tqdm(total=total, unit="B", unit_scale=True,
                                                                   desc="building", mininterval=2))
        t1, c1 = time.perf_counter(), time.process_time()
        write_tables(result, Path(tmp) / "out")
        t2 = time.perf_counter()
        peak = peak_mb()
        chars = sum(len(d.text) for d in result.documents)
        print(f"input: {size / 2**20:.1f} MB {args.encoding}, {chars:,} chars, "
              f"{'model' if args.model else 'stub tagger'}, part_chars={config.part_chars if config.part_chars < 1 << 62 else 'whole'}")
        print(f"build: {t1 - t0:.1f} s, {chars / (t1 - t0):,.0f} chars/s; CPU {c1 - c0:.1f} s, "
              f"{chars / (c1 - c0):,.0f} chars per CPU-second (the figure a busy machine does not skew); "
              f"write: {t2 - t1:.1f} s")
        print(f"result: {len(result.sentences):,} sentences, {len(result.mentions):,} mentions, "
              f"{len(result.entities):,} entities, {len(result.relations):,} relations")
        print(f"peak RSS: {peak:,.0f} MB (before the build: {base:,.0f} MB; build + write added {peak - base:,.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
