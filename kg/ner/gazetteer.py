"""Lexicon features for the NER model: which known names and words cover each character.

On Chinese NER the strongest cheap signal after character bigrams is a lexicon (the idea behind
Lattice-LSTM and SoftLexicon): in `王丙乾程思远王光英` nothing but knowing the names tells where one
ends. Each character gets a 12-bit mask: for PER, LOC, ORG and plain WORD entries, whether it
Begins, is in the Middle of, or Ends a lexicon match (2 to MAX_LEN characters).

Entries come only from training material (MSRA train, People's Daily train split, CLUENER
names), never from a test split. Each entry remembers its sources as a bit mask so that, while
training, a MSRA sentence sees only entries that some *other* part of the data also contains
(two folds by sentence hash): otherwise every training entity would be flagged and the model
would learn to trust the flags more than they deserve on unseen names.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import ahocorasick

TYPES = ("PER", "LOC", "ORG", "WORD")
MAX_LEN = 16
N_BITS = 3 * len(TYPES)  # B, M, E per type
EXTERNAL = 1  # source bit: People's Daily / CLUENER (never hidden)
FILE = "lexicon.tsv"


def fold(chars: Sequence[str]) -> int:
    """The MSRA fold (0 or 1) of a training sentence: stable across runs and processes."""
    return zlib.crc32("".join(chars).encode("utf-8")) % 2


def fold_bit(k: int) -> int:
    return 2 << k  # 2 for fold 0, 4 for fold 1


class NameLexicon:
    """string → per-type source masks (0 where the string is not of that type)."""

    def __init__(self, entries: dict[str, list[int]] | None = None) -> None:
        self.entries: dict[str, list[int]] = entries if entries is not None else {}
        self._names: dict[str, frozenset[str]] = {}  # per type, filled on first use
        self._automaton: ahocorasick.Automaton | None = None  # every entry, built on first use

    def add(self, text: str, typ: str, source: int) -> None:
        if not 2 <= len(text) <= MAX_LEN:
            return
        masks = self.entries.setdefault(text, [0] * len(TYPES))
        masks[TYPES.index(typ)] |= source
        self._names.clear()
        self._automaton = None

    def names(self, typ: str) -> frozenset[str]:
        """Every entry of one type (prediction time: all sources are visible); computed once."""
        if typ not in self._names:
            t = TYPES.index(typ)
            self._names[typ] = frozenset(s for s, masks in self.entries.items() if masks[t])
        return self._names[typ]

    def __len__(self) -> int:
        return len(self.entries)

    def features(self, chars: Sequence[str], hide_fold: int | None = None) -> list[int]:
        """Per character, the 12-bit B/M/E mask of every entry covering it.

        `hide_fold` (training only): ignore entries known only from that MSRA fold. The entries
        in the text are found in one pass (Aho-Corasick), not by looking up each of its substrings.
        """
        hidden = fold_bit(hide_fold) if hide_fold is not None else 0
        out = [0] * len(chars)
        if self._automaton is None:
            self._automaton = self._build()
        if self._automaton is None:
            return out
        for last, (size, masks) in self._automaton.iter("".join(chars)):
            first = last - size + 1
            for t, m in enumerate(masks):
                if m & ~hidden:
                    out[first] |= 1 << (3 * t)
                    for k in range(first + 1, last):
                        out[k] |= 1 << (3 * t + 1)
                    out[last] |= 1 << (3 * t + 2)
        return out

    def _build(self) -> ahocorasick.Automaton | None:
        automaton = ahocorasick.Automaton()
        for s, masks in self.entries.items():
            if 2 <= len(s) <= MAX_LEN:
                automaton.add_word(s, (len(s), tuple(masks)))
        if not len(automaton):
            return None
        automaton.make_automaton()
        return automaton

    def save(self, path: Path) -> None:
        lines = ("\t".join([s, *map(str, m)]) for s, m in sorted(self.entries.items()))
        Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> NameLexicon:
        return cls(dict(_rows(path)))


def _rows(path: Path) -> Iterator[tuple[str, list[int]]]:
    """(string, per-type masks) of a saved lexicon, line by line."""
    with open(path, encoding="utf-8") as f:
        for line in f:
            s, *masks = line.rstrip("\n").split("\t")
            if s and len(masks) == len(TYPES):
                yield s, [int(m) for m in masks]


def common_words(path: Path) -> frozenset[str]:
    """Entries of a saved lexicon seen as plain words and never as a person (向前, 文明, 金色).

    A two-character "name" that the model finds in `疫情在前，民警向前` is a surname character
    followed by an ordinary word's second half; knowing the word is what tells them apart.
    Read line by line, keeping only those strings: the whole lexicon is not held for this."""
    word, per = TYPES.index("WORD"), TYPES.index("PER")
    return frozenset(s for s, masks in _rows(path) if masks[word] and not masks[per])


def build(msra_train: Iterable[tuple[list[str], set[tuple[int, int, str]]]],
          external: Iterable[tuple[str, str]]) -> NameLexicon:
    """From MSRA training sentences (chars, gold spans) and (text, type) pairs of other corpora."""
    g = NameLexicon()
    for text, typ in external:
        g.add(text, typ, EXTERNAL)
    for chars, spans in msra_train:
        bit = fold_bit(fold(chars))
        for b, e, typ in spans:
            g.add("".join(chars[b:e]), typ, bit)
    return g
