"""Benchmark of the shipped NER model: per-type P/R/F1 on MSRA test and the People's Daily
held-out split, prediction speed (chars/s) and model size.

    python bench/ner_f1.py [--model DIR] [--corpora ../shared/corpora]

Exits 0 with a message when the corpora are absent (a fresh clone without ../shared).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=None, help="model dir (default: the shipped kg/ner/model)")
    ap.add_argument("--corpora", default=str(ROOT.parent / "shared" / "corpora"))
    args = ap.parse_args()

    import torch

    from kg.ner.models import DEFAULT_MODEL
    from kg.ner.train import evaluate, model_size

    torch.set_num_threads(1)
    model = Path(args.model or DEFAULT_MODEL)
    corpora = Path(args.corpora)
    print(f"model: {model}  size: {model_size(model) / 2**20:.1f} MB")
    if not (corpora / "msra-ner" / "msra_test_bio").exists():
        print(f"ner_f1: corpora not found at {corpora}; nothing to score (skipped)")
        return 0
    from kg.ner.corpora import read_msra, read_pd, write_bio

    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        _, _, msra_test = read_msra(corpora / "msra-ner")
        files["MSRA test"] = Path(tmp) / "msra_test.tsv"
        write_bio(msra_test, files["MSRA test"])
        if (corpora / "pku-peoples-daily-1998" / "199801.txt.xz").exists():
            _, pd_test = read_pd(corpora / "pku-peoples-daily-1998")
            files["People's Daily held-out"] = Path(tmp) / "pd_test.tsv"
            write_bio(pd_test, files["People's Daily held-out"])
        runs = [(name, path, True) for name, path in files.items()]
        runs.append(("MSRA test, network alone (no name-run splitting)", files["MSRA test"], False))
        for name, path, split in runs:
            s = evaluate(model, path, split_names=split)
            print(f"\n{name}  ({s['chars_per_s']:,.0f} chars/s, one CPU thread)")
            print(f"  {'type':5} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6}")
            for t in ("PER", "LOC", "ORG"):
                print(f"  {t:5} {s[f'{t}_p']:6.3f} {s[f'{t}_r']:6.3f} {s[f'{t}_f1']:6.3f} {int(s[f'{t}_n']):6d}")
            print(f"  {'all':5} {s['p']:6.3f} {s['r']:6.3f} {s['f1']:6.3f} {int(s['n']):6d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
