"""CSV files for `neo4j-admin database import full`: the bulk path for graphs too big for `kg load`.

The files hold exactly the graph `kg.sinks.neo4j.load_graph` builds (same labels, relationship
types, ids and properties), so a later `kg load` of the same output on the imported database
creates nothing; run it once anyway, since the import does not create the constraints and the
full-text index. Next to the CSVs, `import.sh` holds the command:

    neo4j-admin database import full neo4j --overwrite-destination --multiline-fields=true \\
        --array-delimiter=';' --nodes=documents.csv ... --relationships=rel_PART_OF_Entity.csv ...

    >>> write_import_csv(read_tables("out"), Path("out/export-neo4j-import"))  # doctest: +SKIP
"""

from __future__ import annotations

import shlex
from pathlib import Path

from kg.atomic import atomic_open
from kg.sinks.neo4j import graph_rows
from kg.types import BuildResult

ARRAY_DELIMITERS = (";", "|", "¦", "¤")
_TYPES = {bool: "boolean", int: "long", float: "double", list: "string[]", str: ""}


def _column_types(rows: list[dict]) -> dict[str, str]:
    """Property name → neo4j-admin header type, in first-seen order."""
    types: dict[str, str] = {}
    for r in rows:
        for k, v in r.items():
            if v is not None:
                types.setdefault(k, _TYPES[type(v)])
    return types


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


def _write(path: Path, id_columns: list[str], fixed: list[list], props: list[dict], delimiter: str) -> Path:
    types = _column_types(props)
    header = id_columns + [f"{k}:{t}" if t else k for k, t in types.items()]
    with atomic_open(path, newline="") as fh:
        fh.write(",".join(header) + "\n")
        for ids, p in zip(fixed, props, strict=True):
            fh.write(",".join([_field(v, delimiter) for v in ids] +
                              [_field(p.get(k), delimiter) for k in types]) + "\n")
    return path


def _delimiter(rows) -> str:
    values = [a for p in rows for v in p.values() if isinstance(v, list) for a in v]
    for d in ARRAY_DELIMITERS:
        if not any(d in a for a in values):
            return d
    raise ValueError("every array delimiter candidate occurs inside a name or alias")


def admin_import_args(files: list[Path], database: str = "neo4j") -> list[str]:
    """The `neo4j-admin` arguments that import `files` (as returned by `write_import_csv`)."""
    delimiter = (files[0].parent / "array-delimiter.txt").read_text(encoding="utf-8").strip()
    # The database name goes first: --nodes and --relationships take any number of files.
    args = ["database", "import", "full", database, "--overwrite-destination", "--multiline-fields=true",
            f"--array-delimiter={delimiter}", f"--report-file={files[0].parent / 'import.report'}"]
    for f in files:
        if f.suffix == ".csv":
            args.append(("--relationships=" if f.name.startswith("rel_") else "--nodes=") + str(f))
    return args


def write_import_csv(result: BuildResult, out_dir: Path) -> list[Path]:
    """Write node and relationship CSVs (with headers) plus import.sh into `out_dir`."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rows = graph_rows(result)
    entities = [(label, e) for label, es in sorted(rows.entities.items()) for e in es]
    entity_props = [{**e["props"], "aliases": e["aliases"], "documents": e["documents"],
                     "mention_count": e["mention_count"]} for _, e in entities]
    delimiter = _delimiter(entity_props)
    files = [
        _write(out / "documents.csv", ["id:ID(Document)", ":LABEL"],
               [[d["id"], "Document"] for d in rows.documents], [d["props"] for d in rows.documents], delimiter),
        _write(out / "sentences.csv", ["id:ID(Sentence)", ":LABEL"],
               [[s["id"], "Sentence"] for s in rows.sentences], [s["props"] for s in rows.sentences], delimiter),
        _write(out / "entities.csv", ["id:ID(Entity)", ":LABEL"],
               [[e["id"], delimiter.join(["Entity", label] if label else ["Entity"])] for label, e in entities],
               entity_props, delimiter),
        _write(out / "rel_IN_Document.csv", [":START_ID(Sentence)", ":END_ID(Document)", ":TYPE"],
               [[s["id"], s["document"], "IN"] for s in rows.sentences], [{} for _ in rows.sentences], delimiter),
        _write(out / "rel_MENTIONED_IN_Sentence.csv", [":START_ID(Entity)", ":END_ID(Sentence)", ":TYPE"],
               [[m["entity"], m["sentence"], "MENTIONED_IN"] for m in rows.mentions],
               [{"start": m["start"], **m["props"]} for m in rows.mentions], delimiter),
    ]
    for (rel, target), rel_rows in sorted(rows.relations.items()):
        files.append(_write(out / f"rel_{rel}_{target}.csv", [":START_ID(Entity)", f":END_ID({target})", ":TYPE"],
                            [[r["source"], r["target"], rel] for r in rel_rows],
                            [{"role": r["role"], **r["props"]} for r in rel_rows], delimiter))
    with atomic_open(out / "array-delimiter.txt") as fh:
        fh.write(delimiter + "\n")
    args = admin_import_args(files)
    rel_args = [a.replace(str(out) + "/", "") for a in args]
    with atomic_open(out / "import.sh") as fh:
        fh.write("#!/bin/sh\n# Bulk import into an empty or stopped Neo4j 5 database (run where neo4j-admin is),\n"
                 "# then `kg load` the same output once to add constraints and the full-text index.\n"
                 'cd "$(dirname "$0")" && exec neo4j-admin ' + " ".join(shlex.quote(a) for a in rel_args) + "\n")
    return [*files, out / "import.sh"]
