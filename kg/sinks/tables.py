"""The build's output folder as CSV tables plus a node-link graph.json, and reading it back.

Files (UTF-8, header row; the columns and the row functions are `kg.schema`'s):
    entities.csv   id, name, type, aliases (|-joined, see below), mention_count, documents
                   (|-joined), anonymized, iso, description
    relations.csv  source_id, relation, target_id, properties (JSON), source_name, target_name,
                   role, date, document, sentence, start, end, evidence, inferred
    mentions.csv   document, sentence, start, end, text, type, source, entity_id, article
    sentences.csv  document, sentence, start, end, article, kind, text
    documents.csv  id, path, encoding, sha256, chars, source_format (text: offsets into the decoded file;
                   html, csv, jsonl, parquet, docx, pdf, python: into the text extracted from it),
                   date (ISO, the document's own date or --doc-date; what 今天 is read against),
                   replaced (bytes that did not decode and became U+FFFD)
    graph.json     networkx node-link data of `kg.graph.to_networkx(result)`
    manifest.json  written last: rows and sha256 of every file above

List cells are `|`-joined, with `\\` and `\\|` escaping a backslash and a bar inside an item, so
any alias round-trips while the common case stays the plain `a|b` that ../shared/eval/score.py
splits (a JSON list would break it); the old unescaped form reads the same.

Reading validates everything a reader relies on and fails with one line naming the file, the row
and the problem (`TableError`): the manifest's checksums (truncated files, a mix of two builds),
files present, header columns, row shape, numbers, and ids that resolve.

Offsets are into the original decoded file. Example:

    >>> write_tables(result, "out")          # doctest: +SKIP
    >>> read_tables("out").entities[0].name  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path

from kg.atomic import atomic_open, staged_folder
from kg.errors import KgError
from kg.schema import (
    DOCUMENT_COLUMNS,
    ENTITY_COLUMNS,
    MENTION_COLUMNS,
    RELATION_COLUMNS,
    SENTENCE_COLUMNS,
    TABLES,
    document_row,
    entity_row,
    mention_row,
    relation_row,
    sentence_row,
)
from kg.schema import (
    join_list as join_list,  # re-exported: readers of the tables use it with split_list
)
from kg.sinks.labels import english_row, header, value
from kg.types import (
    NODE_TYPES,
    RELATION_TYPES,
    BuildResult,
    Document,
    Entity,
    Evidence,
    Mention,
    Relation,
    Sentence,
    document_node_id,
)

MANIFEST = "manifest.json"
# Columns a reader cannot do without (older folders lack `norm`; the rest are read with .get).
REQUIRED = {"documents.csv": ["id", "path", "encoding", "sha256"],
            "sentences.csv": ["document", "sentence", "start", "end", "article", "kind", "text"],
            "mentions.csv": ["document", "sentence", "start", "end", "text", "type", "source", "entity_id", "article"],
            "entities.csv": ["id", "name", "type", "aliases"],
            "relations.csv": ["source_id", "relation", "target_id", "properties"]}


class TableError(KgError):
    """A build folder that is incomplete, damaged, or not one build's output; `document`: the
    document of the row at fault, when the row names one."""

    document: str | None = None


def split_list(cell: str | None) -> list[str]:
    """Inverse of `join_list`; an unescaped cell from an older build splits on every `|`."""
    if not cell:
        return []
    items, cur, i = [], [], 0
    while i < len(cell):
        c = cell[i]
        if c == "\\" and i + 1 < len(cell) and cell[i + 1] in "\\|":
            cur.append(cell[i + 1])
            i += 2
            continue
        if c == "|":
            items.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    items.append("".join(cur))
    return [a for a in items if a]


@contextlib.contextmanager
def table_writer(path: Path, columns: list[str], bom: bool = False, lang: str = "en") -> Iterator[Callable[[dict], None]]:
    """A function writing one row (a dict by column) of a build table, its header written: the one
    writer of every reduce (in memory, streamed, Spark), so they write the same bytes. `bom`: UTF-8
    with BOM (Excel on Chinese Windows needs it); `lang="zh"`: Chinese headers and relation/type names
    (`kg.sinks.labels`; `read_tables` reads both). Atomic: the file is in place once the block ends."""
    with atomic_open(path, newline="", encoding="utf-8-sig" if bom else "utf-8") as fh:
        w = csv.writer(fh)
        w.writerow([header(c, lang) for c in columns])
        if lang == "zh":
            yield lambda row: w.writerow([value(row.get(c, ""), lang) if c in ("relation", "type") else row.get(c, "")
                                          for c in columns])
        else:
            yield lambda row: w.writerow([row.get(c, "") for c in columns])


def _write_csv(path: Path, columns: list[str], rows, bom: bool = False, lang: str = "en") -> None:
    with table_writer(path, columns, bom, lang) as write:
        for row in rows:
            write(row)


def write_tables(result: BuildResult, out_dir: str | Path, bom: bool = False, lang: str = "en") -> None:
    """Write every table and graph.json into `out_dir`, all or nothing.

    Everything is written into a hidden staging folder inside `out_dir` first (the slow part), then
    renamed over the previous files: a run that fails or is killed while writing leaves the previous
    output as it was, and its leftovers are removed by the next run (see `kg.atomic.staged_folder`).
    """
    from kg.graph import to_networkx, write_node_link  # graph import kept local: tables need no networkx

    names = {e.id: e.name for e in result.entities}
    with staged_folder(out_dir, last=MANIFEST) as out:
        _write_csv(out / "documents.csv", DOCUMENT_COLUMNS, map(document_row, result.documents), bom, lang)
        _write_csv(out / "sentences.csv", SENTENCE_COLUMNS, map(sentence_row, result.sentences), bom, lang)
        _write_csv(out / "mentions.csv", MENTION_COLUMNS, map(mention_row, result.mentions), bom, lang)
        _write_csv(out / "entities.csv", ENTITY_COLUMNS, (entity_row(e) for e in result.entities), bom, lang)
        _write_csv(out / "relations.csv", RELATION_COLUMNS, (relation_row(r, names) for r in result.relations), bom,
                   lang)
        write_node_link(to_networkx(result), out / "graph.json")
        seal(out, out_dir)


def _file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


FIELD_LIMIT = 2**31 - 1  # bytes: a place named in 100,000 documents lists them all in one field


def csv_reader(fh, **kwargs):
    """`csv.reader` without its 128 KB field limit (a process-wide setting, only ever raised)."""
    if csv.field_size_limit() < FIELD_LIMIT:
        csv.field_size_limit(FIELD_LIMIT)
    return csv.reader(fh, **kwargs)


def _write_manifest(folder: Path) -> None:
    """manifest.json: rows and sha256 of every table, so a reader can tell a whole build's output
    from a truncated file or files of two builds (it is renamed into place last)."""
    files = {}
    for name in [*TABLES, "graph.json"]:
        if name == "graph.json" and not (folder / name).exists():
            continue  # a build streamed from its store writes no graph.json
        entry = {"sha256": _file_sha256(folder / name), "bytes": (folder / name).stat().st_size}
        if name in TABLES:
            with open(folder / name, newline="", encoding="utf-8") as fh:
                entry["rows"] = sum(1 for _ in csv_reader(fh)) - 1
        files[name] = entry
    with atomic_open(folder / MANIFEST) as fh:
        json.dump({"format": "kg build output", "version": 1, "files": files}, fh, indent=1, sort_keys=True)


def seal(stage: Path, target: str | Path) -> None:
    """The last step of every table writer (in memory, streamed, Spark), on its staging folder:
    write manifest.json, then read the folder back with the readers' own validation. A folder a
    reader would refuse is never published: `kg.integrity.IntegrityError` names the document."""
    from kg.integrity import IntegrityError

    _write_manifest(stage)
    try:
        TableReader(stage).check()
    except TableError as err:
        problem = str(err).replace(str(stage), str(target))  # the file the user will look for
        raise IntegrityError(err.document, f"the folder it wrote would not open ({problem}); "
                                           f"nothing was published in {target}") from err


def _fail(path: Path, row: int | None, problem: str, document: str | None = None) -> TableError:
    where = f"{path}, row {row}" if row is not None else str(path)
    err = TableError(f"{where}: {problem}")
    err.document = document or None
    return err


def _not_utf8(path: Path) -> TableError:
    """Where a table stops being UTF-8: the row, and whether the file ends inside a character."""
    data = path.read_bytes()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        row = data[: err.start].count(b"\n")  # line 1 is the header
        cut = " (the file ends inside a character: truncated?)" if err.end >= len(data) else ""
        return _fail(path, row, f"not UTF-8 at byte {err.start} ({err.reason}){cut}")
    return _fail(path, None, "not UTF-8")


def _check_manifest(out: Path) -> None:
    path = out / MANIFEST
    if not path.exists():
        return  # an output folder from before manifests: the tables are still validated below
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        entries = [(name, files[name]["sha256"]) for name in files]
    except (ValueError, KeyError, TypeError, AttributeError) as err:
        raise _fail(path, None, f"not a kg manifest ({type(err).__name__}: {err})") from err
    for name, sha in entries:
        f = out / Path(name).name
        if not f.exists():
            raise _fail(f, None, f"missing, but {MANIFEST} lists it; the folder is incomplete")
        if _file_sha256(f) != sha:
            raise _fail(f, None, f"does not match {MANIFEST} (truncated, edited, or left from another build); "
                                 "rebuild the folder")


def iter_table(path: Path, ints: tuple[str, ...] = ()) -> Iterator[dict]:
    """Rows of a table as dicts, one at a time, validated: present, UTF-8, header columns, row shape, integers."""
    if not path.exists():
        raise _fail(path, None, "missing; is this a complete `kg build` output folder?")
    reader = None
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            reader = csv_reader(fh, strict=True)
            head = next(reader, None)  # a `--lang zh` build's Chinese headers read as the English ones
            if head is not None:
                head = list(english_row(dict.fromkeys(head, "")))
            if head is None:
                raise _fail(path, None, "empty file (no header row)")
            lacking = [c for c in REQUIRED[path.name] if c not in head]
            if lacking:
                raise _fail(path, None, f"header lacks column(s) {', '.join(lacking)} (has: {', '.join(head)})")
            for n, fields in enumerate(reader, 1):
                if len(fields) != len(head):
                    raise _fail(path, n, f"{len(fields)} fields, the header has {len(head)} (truncated or damaged?)")
                row = english_row(dict(zip(head, fields, strict=True)))
                for col in ints:
                    v = row.get(col)
                    if v and not v.lstrip("-").isdigit():
                        raise _fail(path, n, f"column {col}: {v[:40]!r} is not a whole number")
                yield row
    except UnicodeDecodeError:
        raise _not_utf8(path) from None
    except csv.Error as err:
        raise _fail(path, reader.line_num if reader else None, f"not valid CSV ({err})") from err


def _int(v: str, default: int = 0) -> int:
    return int(v) if v not in ("", None) else default


class TableReader:
    """An output folder read back as validated records, a row at a time, in bounded memory.

    Each method reads its table anew; what a later table is checked against (document ids,
    entity ids) is read first when needed. `check()` reads everything once, in `read_tables`'
    order, so a damaged folder fails with the same first problem. Only the ids are held.
    """

    def __init__(self, out_dir: str | Path) -> None:
        out = Path(out_dir)
        if not out.is_dir():
            raise TableError(f"{out}: not a folder; give a `kg build` output folder")
        if not (out / "entities.csv").exists() and not (out / MANIFEST).exists():
            raise TableError(f"{out}: no entities.csv here; is this a `kg build` output folder?")
        _check_manifest(out)
        self.out = out
        self._docs: set[str] | None = None
        self._entities: set[str] | None = None

    @property
    def doc_ids(self) -> set[str]:
        if self._docs is None:
            for _ in self.documents():
                pass
        return self._docs

    @property
    def entity_ids(self) -> set[str]:
        if self._entities is None:
            path, ids = self.out / "entities.csv", set()
            for n, r in enumerate(iter_table(path, ("mention_count",)), 1):
                if not r["id"] or r["id"] in ids:
                    raise _fail(path, n, f"entity id {r['id']!r} is empty or listed twice")
                if r["type"] not in NODE_TYPES:
                    raise _fail(path, n, f"type {r['type'][:40]!r} is not one of {', '.join(NODE_TYPES)}")
                ids.add(r["id"])
            self._entities = ids
        return self._entities

    def check(self) -> None:
        """Read every table once: TableError for the first problem, as `read_tables` would raise."""
        for table in (self.documents, self.sentences, self.mentions, self.entities, self.relations):
            for _ in table():
                pass

    def documents(self) -> Iterator[Document]:
        path, seen = self.out / "documents.csv", set()
        for n, r in enumerate(iter_table(path, ("chars", "replaced")), 1):
            if not r["id"]:
                raise _fail(path, n, "empty document id")
            if r["id"] in seen:
                raise _fail(path, n, f"document {r['id']!r} listed twice")
            seen.add(r["id"])
            yield Document(id=r["id"], path=r["path"], text="", encoding=r["encoding"], sha256=r["sha256"],
                           source_format=r.get("source_format") or "text", date=r.get("date") or "",
                           replaced=_int(r.get("replaced") or ""))
        self._docs = seen

    def sentences(self) -> Iterator[Sentence]:
        path, docs = self.out / "sentences.csv", self.doc_ids
        for n, r in enumerate(iter_table(path, ("sentence", "start", "end", "article")), 1):
            if r["document"] not in docs:
                raise _fail(path, n, f"document {r['document']!r} is not in documents.csv", r["document"])
            start, end = _int(r["start"]), _int(r["end"])
            yield Sentence(doc_id=r["document"], index=_int(r["sentence"]), text=r["text"],
                           offsets=[start, end - 1] if end > start else [], article=_int(r["article"]),
                           kind=r["kind"])

    def mentions(self) -> Iterator[Mention]:
        docs, entity_ids = self.doc_ids, self.entity_ids
        path = self.out / "mentions.csv"
        for n, r in enumerate(iter_table(path, ("sentence", "start", "end", "article")), 1):
            if r["document"] not in docs:
                raise _fail(path, n, f"document {r['document']!r} is not in documents.csv", r["document"])
            if r["entity_id"] and r["entity_id"] not in entity_ids:
                raise _fail(path, n, f"entity {r['entity_id']!r} is not in entities.csv", r["document"])
            yield Mention(doc_id=r["document"], sentence=_int(r["sentence"]), start=_int(r["start"]),
                          end=_int(r["end"]), text=r["text"], norm=r.get("norm", ""), type=r["type"],
                          source=r["source"], entity_id=r["entity_id"], article=_int(r["article"]))

    def entities(self) -> Iterator[Entity]:
        """Entities without their mentions: `attrs` holds the table's mention_count and documents."""
        docs, _ = self.doc_ids, self.entity_ids
        path = self.out / "entities.csv"
        for n, r in enumerate(iter_table(path, ("mention_count",)), 1):
            attrs: dict = {"mention_count": _int(r.get("mention_count", "")),
                           "documents": split_list(r.get("documents", ""))}
            unknown = [d for d in attrs["documents"] if d not in docs]
            if unknown:
                raise _fail(path, n, f"document {unknown[0]!r} is not in documents.csv", unknown[0])
            if r.get("anonymized") == "true":
                attrs["anonymized"] = True
            for k in ("iso", "description"):
                if r.get(k):
                    attrs[k] = r[k]
            yield Entity(id=r["id"], name=r["name"], type=r["type"], aliases=split_list(r["aliases"]), attrs=attrs)

    def relations(self) -> Iterator[Relation]:
        docs, entity_ids = self.doc_ids, self.entity_ids
        doc_nodes = {document_node_id(d) for d in docs}
        path = self.out / "relations.csv"
        for n, r in enumerate(iter_table(path, ("sentence", "start", "end")), 1):
            doc = r.get("document")
            if r["relation"] not in RELATION_TYPES:
                raise _fail(path, n, f"relation {r['relation'][:40]!r} is not one of {', '.join(RELATION_TYPES)}", doc)
            if r["source_id"] not in entity_ids:
                raise _fail(path, n, f"source {r['source_id']!r} is not in entities.csv", doc)
            if r["target_id"] not in entity_ids and r["target_id"] not in doc_nodes:
                raise _fail(path, n, f"target {r['target_id']!r} is neither in entities.csv nor a document", doc)
            try:
                props = json.loads(r["properties"] or "{}")
            except ValueError as err:
                raise _fail(path, n, f"properties is not JSON ({err})") from err
            if not isinstance(props, dict):
                raise _fail(path, n, "properties is not a JSON object")
            ev = None
            if r.get("document"):
                if r["document"] not in docs:
                    raise _fail(path, n, f"document {r['document']!r} is not in documents.csv", doc)
                ev = Evidence(doc_id=r["document"], sentence=_int(r["sentence"]), start=_int(r["start"]),
                              end=_int(r["end"]), text=r.get("evidence", ""))
            yield Relation(source_id=r["source_id"], relation=r["relation"], target_id=r["target_id"],
                           properties=props, evidence=ev)


def read_tables(out_dir: str | Path) -> BuildResult:
    """Read an output folder back into a BuildResult (document texts are not stored, so empty).

    TableError (one line: file, row, problem) for anything missing, damaged or inconsistent.
    """
    reader = TableReader(out_dir)
    res = BuildResult(documents=list(reader.documents()), sentences=list(reader.sentences()))
    by_entity: dict[str, list[Mention]] = {}
    for m in reader.mentions():
        res.mentions.append(m)
        by_entity.setdefault(m.entity_id, []).append(m)
    for e in reader.entities():
        e.mentions = by_entity.get(e.id, [])
        res.entities.append(e)
    res.relations = list(reader.relations())
    return res
