"""Word lists shipped as data (issue 25: word lists as data, not string literals).

Each `NAME.tsv` opens with a `# source: …` line saying where its words come from, then a header
line, then one entry a line (tab-separated columns where there are more; `#` lines are comments).
Loaded once per process; a missing or malformed file is a one-line error naming it.

A user's own words need no edit of the package: a folder named by the environment variable `KG_WORDS`
holds files of the same names and form, whose rows are added after the shipped ones (a new genre's
titles, scene words, outlets; see docs/word-lists.md). The store's key hashes that folder too.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from kg.errors import KgError

DIR = Path(__file__).resolve().parent
USER_ENV = "KG_WORDS"  # a folder of the user's word lists, added to the shipped ones


def user_dir() -> Path | None:
    """The folder `KG_WORDS` names, if it is set (a missing folder is an error, not silence)."""
    value = os.environ.get(USER_ENV)
    if not value:
        return None
    folder = Path(value)
    if not folder.is_dir():
        raise KgError(f"{folder}: {USER_ENV} names no folder")
    return folder


def user_files() -> list[Path]:
    """The user's word-list files (`KG_WORDS/*.tsv`), sorted; none when it is not set."""
    folder = user_dir()
    return sorted(folder.glob("*.tsv")) if folder else []


@cache
def load_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of `kg/resources/NAME.tsv` (source, comment and header lines skipped), each a tuple of
    columns, then those of the user's `KG_WORDS/NAME.tsv` if there is one (its header must be the same)."""
    header, rows = _read(DIR / f"{name}.tsv")
    folder = user_dir()
    if folder and (folder / f"{name}.tsv").is_file():
        theirs, more = _read(folder / f"{name}.tsv")
        if theirs != header:
            raise KgError(f"{folder / f'{name}.tsv'}: the header must be {chr(9).join(header)!r}, "
                          f"as in kg/resources/{name}.tsv")
        rows += [row for row in more if row not in rows]
    return tuple(rows)


def _read(path: Path) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """(header, rows) of one word-list file."""
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
    return header, rows


def load_words(name: str) -> tuple[str, ...]:
    """The first column of `kg/resources/NAME.tsv`, in file order."""
    return tuple(row[0] for row in load_rows(name))


def alternatives(cls: str, name: str = "pattern_words") -> str:
    """A regex alternation of the words of `kg/resources/NAME.tsv` whose second column is `cls`, in file
    order: the order a regex tries them in, so a pattern built of it matches as its literal did."""
    return "|".join(re.escape(row[0]) for row in load_rows(name) if row[1:2] == (cls,))
