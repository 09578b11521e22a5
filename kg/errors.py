"""Errors the CLI reports as one line (no traceback unless --debug)."""

from __future__ import annotations


class KgError(Exception):
    """A problem the user can act on; the message names the file/URI and the cause."""


class InputError(KgError):
    """An input file that cannot be read as text (missing, empty, binary, PDF, too big, undecodable)."""


class Neo4jError(KgError):
    """Neo4j unreachable, auth refused, unknown database, or a failed load."""


class ModelError(KgError):
    """An NER model that cannot be loaded: unknown name, download refused, broken folder."""
