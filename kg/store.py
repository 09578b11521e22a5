"""The per-document results of a build, as Parquet shards in the output folder.

Each batch of mapped documents is written as soon as it is made (one shard = one file per table
under `store/<table>/`), so the map step holds one batch at a time, whatever the corpus size; the
tables are then reduced from the shards. A re-build maps only the documents whose key or the pipeline
version changed, and reduces again. The key (`document_key`) is everything of the document as read:
its id, path and row, encoding, format, date and text, so any reading option (--encoding,
--text-column, --date-column, a row's date, --doc-date) that changes what a document is re-maps it.
The version (`pipeline_version`) is what maps it: kg's version, the stages' names and versions
(`kg.stages`), the model's files, the resources under kg/, cpca's data.

The tables' columns and rows (`doc` = the document the row came from) are `kg.schema.STORE_COLUMNS`,
`store_rows` and `store_result`.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from kg.atomic import remove_leftovers
from kg.resources import user_files
from kg.schema import STORE_COLUMNS, store_result, store_rows
from kg.types import DocResult, Document

TABLES = ("documents", "sentences", "mentions", "entities", "relations")
# The shards' layout, in the version: a store written in another layout is mapped again, never misread.
# 2: an entity's parents in their own column (`Entity.parents`), no longer a `_parents` key of its attrs.
STORE_FORMAT = "2"


# Parts of the package whose data files never change what a document maps to: the outputs' templates
# and the explorer's assets. Every other data file under kg/ (word lists, the shipped model) is in the version.
NOT_MAP = frozenset({"sinks", "serve"})
CODE = (".py", ".pyc", ".pyo")


def map_files(package: Path | None = None) -> list[Path]:
    """The data files under kg/ whose bytes decide a document's result (resources, the shipped model),
    sorted; the code is in the version through the stages' versions instead."""
    package = package or Path(__file__).parent
    return sorted(f for f in package.rglob("*") if f.is_file() and "__pycache__" not in f.parts
                  and f.relative_to(package).parts[0] not in NOT_MAP and f.suffix not in CODE)


def pipeline_version(model: str, settings: str = "", stages: Iterable[tuple[str, str]] | None = None,
                     package: Path | None = None) -> str:
    """A hash of what maps a document and how it is kept: `STORE_FORMAT`, kg's version, the stages (name
    and version of each, in order; default: `kg.config.STAGES`), the resources under kg/ (`map_files`), the model's files,
    cpca's and hanlp's versions, the user's word lists (`KG_WORDS`) and the build's `settings` that change a document's result.
    Editing a sink, the reduce or a stage's code leaves it, and the store, as they were: a stage
    whose results change says so by a new version. `package`: another copy of kg/ to hash (tests)."""
    if stages is None:
        from kg.config import STAGES
        from kg.stages import stage_versions

        stages = stage_versions(STAGES)
    h = hashlib.sha256()
    h.update(settings.encode() + b"\n")
    h.update(f"store format {STORE_FORMAT}\n".encode())
    for dist in ("kg", "cpca", "hanlp"):
        try:
            h.update(f"{dist}={metadata.version(dist)}\n".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{dist}=none\n".encode())
    h.update("".join(f"stage {name}={version}\n" for name, version in stages).encode())
    package = package or Path(__file__).parent
    files = [(f.relative_to(package).as_posix(), f) for f in map_files(package)]
    files += [(f"KG_WORDS/{f.name}", f) for f in user_files()]  # the user's word lists change results too
    model_dir = Path(model)
    files += [(f.relative_to(model_dir).as_posix(), f) for f in sorted(model_dir.rglob("*"))
              if f.is_file()] if model_dir.is_dir() else []
    h.update(model.encode() + b"\n")
    for name, f in files:
        h.update(name.encode("utf-8", "surrogateescape") + b"\0" + f.read_bytes())
    return h.hexdigest()[:16]


def document_key(doc: Document) -> str:
    """A hash of everything of a document as read that its result depends on: id, path (and row),
    encoding, format, bytes not decoded, date, file hash and text. Another reading of the same file
    (--encoding, --text-column, --date-column, a row's date edited, --doc-date) is another key."""
    h = hashlib.sha256()
    for v in (doc.id, doc.path, doc.encoding, doc.source_format, str(doc.replaced), doc.date, doc.sha256):
        h.update(v.encode("utf-8", "surrogateescape") + b"\0")
    h.update(doc.text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@dataclass
class Stored:
    """What a map into the store did: the build's documents (ids), how many it reused, unreadable files."""

    live: list[str] = field(default_factory=list)
    reused: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class Store:
    """`folder`/<table>/<shard>.parquet; `version` is `pipeline_version(model)`."""

    folder: Path
    version: str
    _known: dict[str, tuple[str, str]] | None = field(default=None, repr=False)  # doc → (sha256, shard)
    _next: int = 0  # number of the next shard written

    def known(self) -> dict[str, tuple[str, str]]:
        """Documents the store holds for this pipeline version: id → (`document_key`, shard name)."""
        if self._known is None:
            self._known = {}
            shards = sorted((self.folder / "documents").glob("*.parquet"))  # oldest first: newer ones win
            self._next = int(shards[-1].stem.split("-")[0]) + 1 if shards else 0
            for shard in shards:
                if "key" not in pq.read_schema(shard).names:
                    continue  # a store from before document keys: mapped again
                t = pq.read_table(shard, columns=["doc", "key", "version"])
                name = shard.stem  # one string per shard, shared by its documents' entries
                for doc, key, version in zip(*(t.column(c).to_pylist() for c in ("doc", "key", "version")),
                                             strict=True):
                    if version == self.version:
                        self._known[doc] = (key, name)
        return self._known

    def has(self, doc: Document) -> bool:
        """The store holds this document's result, for this document as read and this pipeline version."""
        have = self.known().get(doc.id)
        return have is not None and have[0] == document_key(doc)

    def write(self, results: list[DocResult]) -> None:
        """One shard of `results`: each table written to a temp name, then renamed; the documents
        table (the store's index) last, so a shard a crash cut short is never read. Shards are
        numbered: a document in several shards (it changed) is the newest shard's."""
        if not results:
            return
        known = self.known()  # also numbers the shard after the ones on disk
        ids = sorted(r.document.id for r in results)
        digest = hashlib.sha1("\x1f".join([self.version, *ids]).encode()).hexdigest()[:12]
        shard = f"{self._next:08d}-{digest}"
        tables = arrow_tables(results, self.version)
        for table in (*TABLES[1:], TABLES[0]):
            target = self.folder / table / f"{shard}.parquet"
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.{os.getpid()}.w.tmp")  # as kg.atomic names them: cleaned up
            pq.write_table(tables[table], tmp)
            os.replace(tmp, target)
        for r in results:
            known[r.document.id] = (document_key(r.document), shard)
        self._next += 1

    def read(self, live: Iterable[str], tables: tuple[str, ...] = TABLES) -> Iterator[DocResult]:
        """The stored results of the documents `live` (ids), shard by shard; other rows are ignored.
        Only `tables` are read (the others come back empty; documents always, without text unless asked)."""
        for rows in self.rows(live, tables):
            yield store_result(rows)

    def rows(self, live: Iterable[str], tables: tuple[str, ...] = TABLES, in_order: bool = False
             ) -> Iterator[dict[str, list[dict]]]:
        """Each live document's rows of `tables`; `in_order`: by document id, holding only the shards
        not yet finished (shards are runs of documents in reading order: one or two at a time)."""
        want = set(live)
        known = self.known()
        order = sorted(d for d in want if d in known)
        left: dict[str, int] = {}
        for d in order:
            left[known[d][1]] = left.get(known[d][1], 0) + 1
        if not in_order:
            order = sorted(order, key=lambda d: (known[d][1], d))
        loaded: dict[str, dict[str, dict[str, list[dict]]]] = {}
        for doc in order:
            shard = known[doc][1]
            if shard not in loaded:
                loaded[shard] = self._load(shard, want, tables)
            yield loaded[shard].pop(doc)
            left[shard] -= 1
            if not left[shard]:
                del loaded[shard]

    def _load(self, shard: str, want: set[str], tables: tuple[str, ...]) -> dict[str, dict[str, list[dict]]]:
        known = self.known()
        per_doc: dict[str, dict[str, list[dict]]] = defaultdict(lambda: {t: [] for t in TABLES})
        for table in ("documents", *(t for t in tables if t != "documents")):
            columns = None if table != "documents" or table in tables else \
                [c for c in SCHEMAS["documents"].names if c != "text"]
            for row in pq.read_table(self.folder / table / f"{shard}.parquet", columns=columns).to_pylist():
                if row["doc"] in want and known[row["doc"]][1] == shard:
                    per_doc[row["doc"]][table].append(row)
        return per_doc

    def prune(self, live: Iterable[str]) -> None:
        """Delete shards none of whose documents is still `live` (changed, removed, or another version)."""
        keep = {self.known()[d][1] for d in live if d in self.known()}
        for table in TABLES:
            if (self.folder / table).is_dir():
                remove_leftovers(self.folder / table)  # temp files of a build that was killed
            for shard in (self.folder / table).glob("*.parquet"):
                if shard.stem not in keep:
                    shard.unlink()



# The Parquet type of each column kind of `kg.schema.STORE_COLUMNS`.
_ARROW = {"str": pa.string(), "large_str": pa.large_string(), "int": pa.int64(), "int_list": pa.list_(pa.int64()),
          "str_list": pa.list_(pa.string())}
SCHEMAS = {table: pa.schema([(c, _ARROW[kind]) for c, kind in columns.items()])
           for table, columns in STORE_COLUMNS.items()}


def arrow_tables(results: Iterable[DocResult], version: str) -> dict[str, pa.Table]:
    """The store's five tables of `results` (`kg.schema.store_rows`) as Arrow tables: what a shard
    holds, and what the fold reads in memory (`kg.stream.connect_results`)."""
    rows: dict[str, list[dict]] = {t: [] for t in TABLES}
    for r in results:
        for table, part in store_rows(r, version, document_key(r.document)).items():
            rows[table] += part
    return {t: pa.Table.from_pylist(rows[t], schema=SCHEMAS[t]) for t in TABLES}
