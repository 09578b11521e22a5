"""Word lists shipped as data (issue 25: word lists as data, not string literals).

Each `NAME.tsv` opens with a `# source: …` line saying where its words come from, then a header
line, then one entry a line (tab-separated columns where there are more). Loaded once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kg.errors import KgError

DIR = Path(__file__).resolve().parent


@cache
def load_words(name: str) -> tuple[str, ...]:
    """The first column of `kg/resources/NAME.tsv`, in file order, without its source and header lines."""
    path = DIR / f"{name}.tsv"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise KgError(f"{path}: cannot read the word list ({e})") from e
    if not lines or not lines[0].startswith("# source:"):
        raise KgError(f"{path}: a word list opens with a '# source: …' line")
    return tuple(line.split("\t")[0].strip() for line in lines[2:] if line.strip() and not line.startswith("#"))
