"""Word lists shipped as data (issue 25: word lists as data, not string literals).

Each `NAME.tsv` opens with a `# source: …` line saying where its words come from, then a header
line, then one entry a line (tab-separated columns where there are more; `#` lines are comments).
Loaded once per process; a missing or malformed file is a one-line error naming it.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from kg.errors import KgError

DIR = Path(__file__).resolve().parent


@cache
def load_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of `kg/resources/NAME.tsv` (source, comment and header lines skipped), each a tuple of columns."""
    path = DIR / f"{name}.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise KgError(f"{path}: cannot read the word list ({getattr(e, 'strerror', None) or e})") from e
    if not lines or not lines[0].startswith("# source:"):
        raise KgError(f"{path}: a word list opens with a '# source: …' line")
    rows, header = [], None
    for n, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = tuple(c.strip() for c in line.split("\t"))
        if header is None:
            header = cols
            continue
        if not cols[0]:
            raise KgError(f"{path}, line {n}: no word in the first column")
        rows.append(cols)
    if header is None:
        raise KgError(f"{path}: no header row")
    return tuple(rows)


def load_words(name: str) -> tuple[str, ...]:
    """The first column of `kg/resources/NAME.tsv`, in file order."""
    return tuple(row[0] for row in load_rows(name))


def alternatives(cls: str, name: str = "pattern_words") -> str:
    """A regex alternation of the words of `kg/resources/NAME.tsv` whose second column is `cls`, in file
    order: the order a regex tries them in, so a pattern built of it matches as its literal did."""
    return "|".join(re.escape(row[0]) for row in load_rows(name) if row[1:2] == (cls,))
