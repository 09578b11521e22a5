"""Reading a gold graph for `kg eval`, refusing a malformed one with one line naming the file.

A gold file is JSON: {"doc": "<file name>", "entities": [{"name", "type", "aliases"?}, ...],
"relations": [{"type", "head"?, "tail", "date"?}, ...]}. `doc` names a file in the seeds folder
and nothing else: a name with path components (`../../etc/passwd`, `/tmp/x`) is refused, so a
gold file cannot make `kg eval` read and score a file outside that folder.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath, PureWindowsPath

from kg.errors import KgError

RELATIONS = ("BELONGS_TO", "PART_OF", "LOCATED_IN", "EVENT_AT")


class GoldError(KgError):
    """A gold file that is not valid JSON or not shaped like a gold graph."""


def load_gold(path: str | Path) -> dict:
    """The gold graph in `path`, validated (see the module docstring); GoldError otherwise."""
    path = Path(path)
    try:
        gold = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as err:
        raise GoldError(f"{path}: not UTF-8 (byte {err.start})") from err
    except ValueError as err:
        raise GoldError(f"{path}: not valid JSON ({err})") from err
    if not isinstance(gold, dict):
        raise GoldError(f"{path}: a gold file is a JSON object with doc, entities, relations")
    doc = gold.get("doc")
    if not isinstance(doc, str) or not doc.strip():
        raise GoldError(f"{path}: \"doc\" must name the document file")
    if len(PurePosixPath(doc).parts) != 1 or len(PureWindowsPath(doc).parts) != 1 or doc in (".", "..") \
            or "\x00" in doc:
        raise GoldError(f"{path}: \"doc\" {doc!r} is not a plain file name (no folders, no ..)")
    entities = gold.get("entities")
    if not isinstance(entities, list):
        raise GoldError(f"{path}: \"entities\" must be a list")
    for i, e in enumerate(entities):
        where = f"{path}: entities[{i}]"
        if not isinstance(e, dict) or not isinstance(e.get("name"), str) or not isinstance(e.get("type"), str):
            raise GoldError(f"{where}: needs a string \"name\" and \"type\"")
        aliases = e.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise GoldError(f"{where}: \"aliases\" must be a list of strings")
    relations = gold.get("relations", [])
    if not isinstance(relations, list):
        raise GoldError(f"{path}: \"relations\" must be a list")
    for i, r in enumerate(relations):
        where = f"{path}: relations[{i}]"
        if not isinstance(r, dict) or not isinstance(r.get("type"), str):
            raise GoldError(f"{where}: needs a string \"type\"")
        if r["type"].upper() not in RELATIONS:
            raise GoldError(f"{where}: type {r['type'][:40]!r} is not one of {', '.join(RELATIONS)}")
        ends = ("tail",) if r["type"].upper() == "EVENT_AT" else ("head", "tail")
        if not all(isinstance(r.get(k), str) for k in ends) or not isinstance(r.get("date", ""), str):
            raise GoldError(f"{where}: needs string {' and '.join(repr(k) for k in ends)}")
    return gold
