"""Word boundaries and dictionary parts of speech: the lexical evidence the rule layer needs.

A name made by a rule (a stem + 村/乡/路/局 …) or found in a gazetteer must sit on the words of
the sentence: 乡村 is one word, so its 村 makes no village (助力乡村, 全面推进乡村); 保山 inside
确保山更绿 starts in the middle of 确保. The words are jieba's (maintained, on PyPI), cut on its
dictionary alone (no HMM for unknown words): an unknown name then falls apart into single
characters, which cross no boundary, so only what the dictionary knows as a word can veto a span.
Cut that way jieba reads about 330k chars/s, against 40k for its tagger with HMM (bench/: the
map runs at about 20k). Parts of speech come from the same dictionary, one lookup per word
(长治 is `n` there, the common noun of 长治久安; 肃北 is `ns`, a place).
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from functools import cache, lru_cache

# jieba's tags for names: places, people, organisations, other proper nouns, abbreviations (央行)
NAME_TAGS = frozenset({"ns", "nr", "nrt", "nrfg", "nt", "nz", "j"})


@cache
def _jieba():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)  # it announces its prefix dictionary on stderr
    jieba.dt.initialize()
    return jieba.dt, jieba.posseg.dt.word_tag_tab


def load() -> None:
    """Load jieba's dictionary now (about a second, once per process) rather than on the first sentence."""
    _jieba()


@lru_cache(maxsize=4096)
def words(text: str) -> tuple[str, ...]:
    """The dictionary words of `text` in order (unknown runs as single characters)."""
    return tuple(_jieba()[0].cut(text, HMM=False))


@lru_cache(maxsize=4096)
def boundaries(text: str) -> frozenset[int]:
    """Offsets in `text` where a word starts or ends (0 and len(text) included)."""
    out, pos = {0}, 0
    for w in words(text):
        pos += len(w)
        out.add(pos)
    return frozenset(out)


@lru_cache(maxsize=4096)
def _ordered(text: str) -> tuple[int, ...]:
    return tuple(sorted(boundaries(text)))


def before(text: str, k: int) -> int:
    """The last word boundary before offset k (0 if none)."""
    b = _ordered(text)
    n = bisect_left(b, k)
    return b[n - 1] if n else 0


def after(text: str, k: int) -> int:
    """The first word boundary after offset k (len(text) if none)."""
    b = _ordered(text)
    n = bisect_right(b, k)
    return b[n] if n < len(b) else len(text)


def between(text: str, i: int, j: int) -> tuple[int, ...]:
    """The word boundaries from i to j, both included, in order."""
    b = _ordered(text)
    return b[bisect_left(b, i):bisect_right(b, j)]


def tag(word: str) -> str:
    """The dictionary's part of speech of `word` ('' when it is not one dictionary word)."""
    return _jieba()[1].get(word, "")


def is_common_word(word: str) -> bool:
    """A dictionary word of two or more characters that is not a name (乡村, 助力, 长治 as in 长治久安)."""
    t = tag(word)
    return len(word) >= 2 and bool(t) and t not in NAME_TAGS
