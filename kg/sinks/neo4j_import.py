"""CSV files for `neo4j-admin database import full`: the bulk path for graphs too big for `kg load`.

The files hold exactly the graph `kg.sinks.neo4j.load_graph` builds (same labels, relationship
types, ids and properties). They are written a row at a time; `kg export --format neo4j-import`
streams them from the output folder's tables (`StreamedRows`), adds a `KgLoad` marker node and
writes the matching ledger into the folder, so a `kg load` of the same output on the imported
database sends nothing (it still adds the constraints and the full-text index, which the import
does not make), and later loads send only what changed. Next to the CSVs, `import.sh` holds the command:

    neo4j-admin database import full neo4j --overwrite-destination --multiline-fields=true \\
        --array-delimiter=';' --nodes=documents.csv ... --relationships=rel_PART_OF_Entity.csv ...

    >>> export_for_import("out", Path("out/export-neo4j-import"))  # doctest: +SKIP
"""

from __future__ import annotations

import shlex
import uuid
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from pathlib import Path

from kg.atomic import atomic_open
from kg.cypher import MARKER_LABEL
from kg.errors import KgError
from kg.schema import neo4j_entity_props
from kg.sinks.neo4j_ledger import Ledger, LedgerState, row_key
from kg.sinks.neo4j_rows import (
    ARRAY_DELIMITERS,
    SPARE_DELIMITERS,
    GraphSource,
    MemoryRows,
    StreamedRows,
)
from kg.types import BuildResult

__all__ = ["ARRAY_DELIMITERS", "admin_import_args", "export_for_import", "write_import_csv"]
_TYPES = {bool: "boolean", int: "long", float: "double", list: "string[]", str: ""}
Record = Callable[[str, object, dict], None]  # (kind, part, row) of each row written: the ledger's


def _field(v, delimiter: str) -> str:
    if v is None:
        return ""  # an empty unquoted field: no property
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, list):
        v = delimiter.join(v)
    return '"' + str(v).replace('"', '""') + '"'


class _File:
    """One import CSV: its header from the column types, then a row at a time."""

    def __init__(self, stack: ExitStack, path: Path, id_columns: list[str], schema: dict[str, type],
                 delimiter: str) -> None:
        self.path, self.keys, self.delimiter = path, list(schema), delimiter
        self.fh = stack.enter_context(atomic_open(path, newline=""))
        self.fh.write(",".join(id_columns + [f"{k}:{_TYPES[t]}" if _TYPES[t] else k
                                             for k, t in schema.items()]) + "\n")

    def write(self, ids: list, props: dict) -> None:
        d = self.delimiter
        self.fh.write(",".join([_field(v, d) for v in ids] + [_field(props.get(k), d) for k in self.keys]) + "\n")


def _delimiter(chars: Iterable[str]) -> str:
    """The first of `ARRAY_DELIMITERS`, then of the private-use characters, that no list value holds."""
    chars = set(chars)
    for d in ARRAY_DELIMITERS + SPARE_DELIMITERS:
        if d not in chars:
            return d
    raise KgError("every array delimiter candidate (;|¦¤ and the 6,400 private-use characters) occurs inside "
                  "a name or alias; neo4j-admin cannot import the lists: use kg load")


def _delimiter_arg(d: str) -> str:
    """How neo4j-admin's --array-delimiter takes `d`: as itself, or a private-use one as U+XXXX."""
    return d if d in ARRAY_DELIMITERS else f"U+{ord(d):04X}"


def admin_import_args(files: list[Path], database: str = "neo4j") -> list[str]:
    """The `neo4j-admin` arguments that import `files` (as returned by `write_import_csv`)."""
    delimiter = (files[0].parent / "array-delimiter.txt").read_text(encoding="utf-8").strip()
    # The database name goes first: --nodes and --relationships take any number of files.
    args = ["database", "import", "full", database, "--overwrite-destination", "--multiline-fields=true",
            f"--array-delimiter={_delimiter_arg(delimiter)}", f"--report-file={files[0].parent / 'import.report'}"]
    for f in files:
        if f.suffix == ".csv":
            args.append(("--relationships=" if f.name.startswith("rel_") else "--nodes=") + str(f))
    return args


def write_import_csv(source: BuildResult | GraphSource, out_dir: Path, marker: tuple[str, int] | None = None,
                     record: Record | None = None) -> list[Path]:
    """Write node and relationship CSVs (with headers) plus import.sh into `out_dir`, a row at a time.

    `source`: a BuildResult, or the rows streamed from an output folder (`StreamedRows`). `marker`:
    (ledger id, generation) of a `KgLoad` node to import with the graph, so that a later `kg load`
    trusts the ledger `record` was given every row for (see `kg.sinks.neo4j_ledger`)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = MemoryRows(source) if isinstance(source, BuildResult) else source
    note = record or (lambda kind, part, row: None)
    delimiter = _delimiter(rows.array_chars)
    with ExitStack() as stack:
        def new(name: str, id_columns: list[str], schema: dict[str, type]) -> _File:
            return _File(stack, out / name, id_columns, schema, delimiter)

        documents = new("documents.csv", ["id:ID(Document)", ":LABEL"], rows.schema("documents"))
        for d in rows.documents():
            documents.write([d["id"], "Document"], d["props"])
            note("D", None, d)
        sentences = new("sentences.csv", ["id:ID(Sentence)", ":LABEL"], rows.schema("sentences"))
        contains = new("rel_IN_Document.csv", [":START_ID(Sentence)", ":END_ID(Document)", ":TYPE"], {})
        for s in rows.sentences():
            sentences.write([s["id"], "Sentence"], s["props"])
            contains.write([s["id"], s["document"], "IN"], {})
            note("S", None, s)
        entities = new("entities.csv", ["id:ID(Entity)", ":LABEL"], rows.schema("entities"))
        for label, e in rows.entities():
            entities.write([e["id"], delimiter.join(["Entity", label] if label else ["Entity"])], neo4j_entity_props(e))
            note("E", label, e)
        mentions = new("rel_MENTIONED_IN_Sentence.csv", [":START_ID(Entity)", ":END_ID(Sentence)", ":TYPE"],
                       rows.schema("mentions"))
        for m in rows.mentions():
            mentions.write([m["entity"], m["sentence"], "MENTIONED_IN"], {"start": m["start"], **m["props"]})
            note("M", None, m)
        facts = {(rel, target): new(f"rel_{rel}_{target}.csv", [":START_ID(Entity)", f":END_ID({target})", ":TYPE"],
                                    rows.schema((rel, target))) for rel, target in rows.groups()}
        for (rel, target), r in rows.relations():
            facts[(rel, target)].write([r["source"], r["target"], rel], {"role": r["role"], **r["props"]})
            note("R", (rel, target), r)
        files = [documents.path, sentences.path, entities.path, contains.path, mentions.path,
                 *(f.path for _, f in sorted(facts.items()))]
        if marker is not None:
            kgload = new("kgload.csv", ["ledger:ID(KgLoad)", ":LABEL"], {"generation": int})
            kgload.write([marker[0], MARKER_LABEL], {"generation": marker[1]})
            files.append(kgload.path)
    with atomic_open(out / "array-delimiter.txt") as fh:
        fh.write(delimiter + "\n")
    args = admin_import_args(files)
    rel_args = [a.replace(str(out) + "/", "") for a in args]
    with atomic_open(out / "import.sh") as fh:
        fh.write("#!/bin/sh\n# Bulk import into an empty or stopped Neo4j 5 database (run where neo4j-admin is),\n"
                 "# then `kg load` the same output once to add constraints and the full-text index.\n"
                 'cd "$(dirname "$0")" && exec neo4j-admin ' + " ".join(shlex.quote(a) for a in rel_args) + "\n")
    return [*files, out / "import.sh"]


def export_for_import(out_dir: str | Path, target: Path) -> list[Path]:
    """The import files of an output folder, streamed from its tables, with a marker node, and the
    matching ledger written into the folder: after the import, `kg load` sends only what changed."""
    rows = StreamedRows(out_dir)  # a damaged folder fails here, before anything is written
    with Ledger(out_dir) as ledger:
        state = LedgerState(uuid.uuid4().hex, 0, False, "bulk import")
        chunk: list[tuple[str, str]] = []

        def record(kind: str, part, row: dict) -> None:
            chunk.append(row_key(kind, part, row))
            if len(chunk) >= 1000:
                ledger.see(chunk)
                chunk.clear()

        files = write_import_csv(rows, target, marker=(state.ledger, 1), record=record)
        ledger.see(chunk)
        ledger.commit(state, 1, f"neo4j-admin import {Path(target).resolve()}")
    return files
