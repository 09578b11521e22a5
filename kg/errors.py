"""Errors the CLI reports as one line (no traceback unless --debug)."""

from __future__ import annotations

import re

# control characters, line separators, and the bidi controls that reorder what a terminal shows
# (a file name `\u202etxt.exe` displays as `exe.txt`)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class KgError(Exception):
    """A problem the user can act on; the message names the file/URI and the cause."""


class InputError(KgError):
    """An input file that cannot be read as text (missing, empty, binary, PDF, too big, undecodable)."""


class Neo4jError(KgError):
    """Neo4j unreachable, auth refused, unknown database, or a failed load."""


class ModelError(KgError):
    """An NER model that cannot be loaded: unknown name, download refused, broken folder."""


def printable(text: str) -> str:
    """`text` safe for one terminal line: control characters (newlines, ANSI escapes, bidi overrides) and
    surrogate-escaped bytes of non-UTF-8 file names shown as escapes, so a file name cannot forge
    lines or colours in a summary."""
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
