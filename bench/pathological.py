"""Seconds per 1,000 characters of `kg build` on pathological text shapes, next to ordinary text.

    python bench/pathological.py [--chars 20000] [--model]

Each shape is generated at two sizes (--chars/4 and --chars) so that growth faster than linear
shows as a rising figure: a unit chain (白城市 + 公安局×n, once cubic), a place chain, a run of
names without separators, one line with no sentence end, a long list, repeated dates, a byline
run, a unit and a colleague (长春市公安局召开会议，同事X参加。) repeated, units and places
(公安局仓山公安局白城市白城市) repeated, a city's stations each named once (once quadratic);
"ordinary" is the seeds, concatenated to the same size. By default the NER model is a stub that
finds nothing (it costs the same per character whatever the shape, see bench/big_input.py);
--model uses the shipped one. The goal is every shape within 3x of ordinary text.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _seeds() -> str:
    return "\n\n".join(p.read_text(encoding="utf-8").strip() for p in sorted((ROOT / "seeds").glob("*.txt")))


POOL = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"  # characters that make distinct names


def _fill(unit: str, chars: int, head: str = "", tail: str = "。\n") -> str:
    return head + unit * max(1, (chars - len(head) - len(tail)) // len(unit)) + tail


SHAPES = {
    "ordinary (seeds)": lambda n: (_seeds() * (n // len(_seeds()) + 1))[:n],
    "unit chain 白城市+公安局×n": lambda n: _fill("公安局", n, head="白城市"),
    "unit chain, varied": lambda n: _fill("仓山分局三义街派出所", n, head="福州市公安局"),
    "place chain 洮北区×n": lambda n: _fill("洮北区东风乡", n, head="吉林省白城市"),
    "name run 周佰发李峻葵…": lambda n: _fill("周佰发李峻葵王丙乾程思远", n, head="民警"),
    "one line, no sentence end": lambda n: (re.sub(r"[。！？\n]", "，", _seeds()) * (n // len(_seeds()) + 1))[:n],
    "list 、×n": lambda n: _fill("王旗营小区、万宏国际、", n, head="联盟街道"),
    "dates 3月19日×n": lambda n: _fill("2020年3月19日", n, head="自"),
    "byline run": lambda n: _fill("记者周佰发 通讯员李峻葵 ", n, head="（", tail="）\n"),
    # 同事X borrows the unit of the colleague named last (once a rescan of the document per 同事)
    "同事 after a unit ×n": lambda n: _fill("长春市公安局召开会议，同事周佰发参加。民警李峻葵讲话。", n, tail="\n"),
    # found by tests/link/test_linear_time.py's generated repetitions (issue 23)
    "units and places ×n": lambda n: _fill("公安局仓山公安局白城市白城市", n),
    # a city's stations, each named once: every short name was compared with every name (issue 23)
    "distinct units 白城市甲乙丙派出所…": lambda n: "".join(
        f"白城市{POOL[i % 22]}{POOL[i // 22 % 22]}{POOL[i // 484 % 22]}派出所民警周佰发执勤。" for i in range(n // 20)) + "\n",
}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=20000)
    ap.add_argument("--model", action="store_true", help="the shipped NER model instead of the stub")
    args = ap.parse_args()
    from kg.ner.engine import NoEntities
    from kg.pipeline import BuildConfig, Pipeline

    pipeline = Pipeline(BuildConfig(threads=1), tagger=None if args.model else NoEntities())
    sizes = (args.chars // 4, args.chars)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm.txt"
        warm.write_text(_seeds()[:2000], encoding="utf-8")
        pipeline.build([warm])  # gazetteer, regexes and lexicon loaded before timing
        for name, make in SHAPES.items():
            figures = []
            for n in sizes:
                path = Path(tmp) / f"{len(rows)}-{n}.txt"
                text = make(n)
                path.write_text(text, encoding="utf-8")
                started = time.process_time()
                pipeline.build([path])
                figures.append((time.process_time() - started) / len(text) * 1000)
            rows.append((name, *figures))
    base = rows[0][2]
    print(f"CPU seconds per 1,000 characters ({'shipped model' if args.model else 'stub tagger'}); "
          f"sizes {sizes[0]:,} and {sizes[1]:,} characters")
    print(f"{'shape':32s} {'small':>9s} {'large':>9s} {'x ordinary':>11s}")
    for name, small, large in rows:
        print(f"{name:32s} {small:9.4f} {large:9.4f} {large / base:11.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
