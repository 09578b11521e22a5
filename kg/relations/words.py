"""Word lists of the relation families, read once from `kg/resources/*.tsv`.

Each file opens with a `# source: …` line naming where its words come from, then a header row;
the first column is the word. A missing or malformed file is a one-line error naming it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kg.errors import KgError

RESOURCES = Path(__file__).resolve().parents[1] / "resources"


@cache
def words(name: str) -> tuple[tuple[str, ...], ...]:
    """The rows of `kg/resources/<name>` (comment and header lines skipped), each a tuple of columns."""
    path = RESOURCES / name
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise KgError(f"{path}: cannot read the word list ({getattr(e, 'strerror', None) or e})") from e
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


def first_column(name: str) -> frozenset[str]:
    return frozenset(r[0] for r in words(name))
