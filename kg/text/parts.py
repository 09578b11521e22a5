"""Big documents in bounded memory: cut them into parts at blank lines, keep offsets as runs.

`segment` keeps, for every cleaned character, its original offset in a Python list (about 36
bytes a character). For a news page that is nothing; for a 50 MB scrape it is gigabytes. So a
big document is processed part by part (`split_parts`: cuts at a blank line after a finished
sentence, where segmentation would break a block anyway), and each sentence's offset list is
replaced by `OffsetRuns`, which stores one (cleaned index, original offset) pair per run of
consecutive original characters: a handful per sentence, whatever its length.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable, Iterator, Sequence

from kg.text.segment import BLANK_LINE, CLOSERS, SENTENCE_END

SAFE_END = SENTENCE_END + CLOSERS + "；;：:"  # a block ending here does not run on into the next
LINE_AFTER_END = re.compile(f"[{re.escape(SENTENCE_END + CLOSERS)}][ \t\u3000]*\r?\n")


class OffsetRuns(Sequence):
    """A read-only `list[int]` of offsets, stored as runs of consecutive values.

    `_runs` is one flat array: `i0, o0, i1, o1, ...`, where cleaned index `ik` starts a run whose
    original offsets are `ok, ok+1, ...`. A sentence is one run per line break or dropped space,
    so this is about 100 bytes a sentence instead of about 36 bytes a character.
    """

    __slots__ = ("_runs", "_len")

    def __init__(self, offsets: Iterable[int] = (), base: int = 0) -> None:
        flat: list[int] = []
        n, prev = 0, None
        for n, o in enumerate(offsets, 1):
            if prev is None or o != prev + 1:
                flat += (n - 1, o + base)
            prev = o
        self._runs, self._len = array("q", flat), n if prev is not None else 0

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._len))]
        if i < 0:
            i += self._len
        if not 0 <= i < self._len:
            raise IndexError("offset index out of range")
        runs = self._runs
        k = len(runs) - 2
        while runs[k] > i:  # runs are few; the last run that starts at or before i
            k -= 2
        return runs[k + 1] + (i - runs[k])

    def __iter__(self) -> Iterator[int]:
        runs = self._runs
        for k in range(0, len(runs), 2):
            stop = runs[k + 2] if k + 2 < len(runs) else self._len
            yield from range(runs[k + 1], runs[k + 1] + stop - runs[k])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(other) == self._len and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    __hash__ = None  # compares like a list, so unhashable like one

    def __repr__(self) -> str:
        return f"OffsetRuns({self.runs} runs, {self._len} offsets)"

    @property
    def runs(self) -> int:
        return len(self._runs) // 2


def split_parts(text: str, part_chars: int) -> list[tuple[int, int]]:
    """(start, end) spans covering `text`, each about `part_chars` long, cut where a block ends.

    Preference: a blank line after a finished sentence; then any blank line; then a line break
    after a sentence end; then a sentence end; last, a hard cut (a file with no breaks at all).
    A text no longer than 1.5 × `part_chars` is one part, so ordinary documents are unchanged.
    """
    spans, pos, n = [], 0, len(text)
    while n - pos > part_chars * 3 // 2:
        lo, hi = pos + part_chars, min(n, pos + 2 * part_chars)
        cut = _cut(text, lo, hi)
        if cut >= n:
            break
        spans.append((pos, cut))
        pos = cut
    spans.append((pos, n))
    return spans


def _cut(text: str, lo: int, hi: int) -> int:
    first_blank = None
    for m in BLANK_LINE.finditer(text, lo, hi):
        before = text[max(0, m.start() - 64):m.start()].rstrip()
        if before and before[-1] in SAFE_END:
            return m.end()
        first_blank = first_blank or m.end()
    if first_blank:
        return first_blank
    m = LINE_AFTER_END.search(text, lo, hi)
    if m:
        return m.end()
    for k in range(lo, hi):
        if text[k] in SENTENCE_END:
            return k + 1
    return lo
