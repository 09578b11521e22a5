"""Readers that turn ../shared/corpora into HanLP's `char<TAB>BIO` files.

Label inventory: PERSON/LOC/ORG only, written as PER/LOC/ORG. MSRA has no date labels, so a
date class learned from People's Daily would be contradicted by every MSRA date left as O; dates
are instead found by the rule layer (kg/ner/dates.py). People's Daily `t` tokens therefore stay O.

Characters are normalised one-for-one (`normalize_text`: full-width ASCII to half-width, any
whitespace to `_`), both here and at prediction time, so offsets never move and the model never
sees two spellings of the same digit.
"""

from __future__ import annotations

import json
import lzma
import random
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

Sentence = tuple[list[str], list[str]]  # characters, BIO tags

PD_LABELS = {"nr": "PER", "ns": "LOC", "nt": "ORG"}
PD_TEST_DAYS = frozenset({10, 20, 30})  # People's Daily held-out split: every article of these days
MSRA_DEV_SIZE = 3000
SEED = 13


def normalize_char(c: str) -> str:
    """Full-width ASCII to half-width and whitespace to `_`; always exactly one character out."""
    o = ord(c)
    if 0xFF01 <= o <= 0xFF5E:
        return chr(o - 0xFEE0)
    if c.isspace():
        return "_"
    return c


def normalize_text(text: str) -> list[str]:
    return [normalize_char(c) for c in text]


# ---------------------------------------------------------------- MSRA


def read_bio(lines: Iterable[str]) -> Iterator[Sentence]:
    """Sentences of a `char<TAB>tag` file (blank line between sentences)."""
    chars: list[str] = []
    tags: list[str] = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip():
            if chars:
                yield chars, tags
            chars, tags = [], []
            continue
        c, _, t = line.rpartition("\t")
        if not c:  # the character itself was whitespace and got stripped by the writer
            c = " "
        chars.append(normalize_char(c[0]))
        tags.append(t.strip() or "O")
    if chars:
        yield chars, tags


def read_msra(root: Path) -> tuple[list[Sentence], list[Sentence], list[Sentence]]:
    """(train, dev, test): dev is a fixed random 3,000 of the 45,000 train sentences."""
    with lzma.open(root / "msra_train_bio.xz", "rt", encoding="utf-8") as f:
        train = list(read_bio(f))
    with open(root / "msra_test_bio", encoding="utf-8") as f:
        test = list(read_bio(f))
    idx = list(range(len(train)))
    random.Random(SEED).shuffle(idx)
    dev_idx = set(idx[:MSRA_DEV_SIZE])
    dev = [s for i, s in enumerate(train) if i in dev_idx]
    train = [s for i, s in enumerate(train) if i not in dev_idx]
    return train, dev, test


# ---------------------------------------------------------------- People's Daily 1998-01

_TOKEN = re.compile(r"^(\[)?(.+)/([A-Za-z]+)(?:\](\w+))?$")


def pd_paragraph(line: str) -> tuple[str, Sentence] | None:
    """One `word/POS` paragraph line → (paragraph id, (chars, BIO)).

    Bracketed compounds with an entity tag (`[中央/n 电视台/n]nt`) become one entity and hide
    their inner tags; other brackets (nz, i, l) are read token by token. Consecutive `nr`
    tokens (surname + given name) merge into one PER.
    """
    tokens = line.split()
    if not tokens:
        return None
    pid = tokens[0].rsplit("/", 1)[0]
    words: list[tuple[str, str]] = []  # (word, label) with label in PER/LOC/ORG/O
    bracket: list[tuple[str, str]] | None = None
    for tok in tokens[1:]:
        m = _TOKEN.match(tok)
        if not m:
            words.append((tok, "O"))
            continue
        opening, word, pos, outer = m.groups()
        if opening:
            bracket = []
        label = PD_LABELS.get(pos, "O")
        if bracket is not None:
            bracket.append((word, label))
            if outer is not None:
                if outer in PD_LABELS:
                    words.append(("".join(w for w, _ in bracket), PD_LABELS[outer]))
                else:
                    words.extend(bracket)
                bracket = None
        else:
            words.append((word, label))
    if bracket:  # unclosed bracket: keep the words
        words.extend(bracket)
    # merge consecutive PER tokens (江/nr 泽民/nr)
    merged: list[tuple[str, str]] = []
    for word, label in words:
        if label == "PER" and merged and merged[-1][1] == "PER":
            merged[-1] = (merged[-1][0] + word, "PER")
        else:
            merged.append((word, label))
    chars: list[str] = []
    tags: list[str] = []
    for word, label in merged:
        for k, c in enumerate(word):
            chars.append(normalize_char(c))
            tags.append("O" if label == "O" else ("B-" if k == 0 else "I-") + label)
    return pid, (chars, tags)


def read_pd_lines(path: Path) -> list[str]:
    """The GBK, CRLF file as text lines (blank lines dropped)."""
    raw = lzma.open(path).read() if str(path).endswith(".xz") else Path(path).read_bytes()
    return [ln for ln in raw.decode("gbk").splitlines() if ln.strip()]


def split_pd(lines: Iterable[str]) -> tuple[list[Sentence], list[Sentence]]:
    """(train, test): test is every paragraph published on a day in PD_TEST_DAYS."""
    train: list[Sentence] = []
    test: list[Sentence] = []
    for line in lines:
        got = pd_paragraph(line)
        if got is None or not got[1][0]:
            continue
        pid, sent = got
        day = int(pid[6:8]) if pid[:8].isdigit() else 0
        (test if day in PD_TEST_DAYS else train).append(sent)
    return train, test


def pd_train_words(lines: Iterable[str], min_count: int = 2) -> list[str]:
    """Words (2+ characters, seen min_count times) of the People's Daily train split, for the
    lexicon features (kg.ner.gazetteer): the corpus's segmentation, not its entity tags."""
    counts: dict[str, int] = {}
    for line in lines:
        tokens = line.split()
        if not tokens or not tokens[0][:8].isdigit() or int(tokens[0][6:8]) in PD_TEST_DAYS:
            continue
        for tok in tokens[1:]:
            m = _TOKEN.match(tok)
            if m and len(m.group(2)) >= 2 and m.group(3) not in PD_LABELS:
                word = "".join(normalize_text(m.group(2)))
                counts[word] = counts.get(word, 0) + 1
    return [w for w, n in counts.items() if n >= min_count]


def read_pd(root: Path) -> tuple[list[Sentence], list[Sentence]]:
    return split_pd(read_pd_lines(root / "199801.txt.xz"))


# ---------------------------------------------------------------- writing


def write_bio(sents: Iterable[Sentence], path: Path) -> int:
    """Write `char<TAB>tag` lines; returns the number of sentences."""
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(path, "w", encoding="utf-8") as f:
        for chars, tags in sents:
            f.write("".join(f"{c}\t{t}\n" for c, t in zip(chars, tags, strict=True)))
            f.write("\n")
            n += 1
    return n


def prepare(corpora: Path, out: Path) -> dict[str, Path]:
    """Convert the corpora into `out/{msra_train,msra_dev,msra_test,pd_train,pd_test}.tsv`."""
    files: dict[str, Path] = {}
    stats: dict[str, int] = {}
    train, dev, test = read_msra(corpora / "msra-ner")
    for name, sents in (("msra_train", train), ("msra_dev", dev), ("msra_test", test)):
        files[name] = out / f"{name}.tsv"
        stats[name] = write_bio(sents, files[name])
    pd_dir = corpora / "pku-peoples-daily-1998"
    if (pd_dir / "199801.txt.xz").exists():
        pd_train, pd_test = read_pd(pd_dir)
        for name, sents in (("pd_train", pd_train), ("pd_test", pd_test)):
            files[name] = out / f"{name}.tsv"
            stats[name] = write_bio(sents, files[name])
    (out / "stats.json").write_text(json.dumps(stats, indent=1))
    return files


def spans(tags: list[str]) -> set[tuple[int, int, str]]:
    """BIO tags → {(start, end_exclusive, type)}; a stray I- starts a new span."""
    out: set[tuple[int, int, str]] = set()
    start, typ = -1, ""
    for i, t in enumerate([*tags, "O"]):
        if t.startswith("B-") or t == "O" or (t.startswith("I-") and t[2:] != typ):
            if start >= 0:
                out.add((start, i, typ))
                start, typ = -1, ""
            if t != "O":
                start, typ = i, t[2:]
    return out
