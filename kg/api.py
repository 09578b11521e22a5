"""The Python API: `kg.build(sources)` and `kg.read(out_dir)`, both giving a `KnowledgeGraph`.

A source is a path (a file or a folder: text, HTML, CSV/JSONL/Parquet tables of articles, Word,
PDF; see `kg.sources`), a `(doc_id, text)` pair, or a pandas DataFrame with a text column (and
optionally id and date columns). The result holds what the CLI writes, as pandas tables, as a
networkx graph, and per document as spans with character offsets, in the manner of spaCy's
`doc.ents`:

    >>> import kg
    >>> g = kg.build([("a", "洮南市公安局交巡警大队民警周佰发在团结广场执勤。")])   # doctest: +SKIP
    >>> g                                                                      # doctest: +SKIP
    <KnowledgeGraph: 1 document, 5 entities, 7 relations, 4 mentions>
    >>> [(s.text, s.start, s.end, s.label) for s in g.docs["a"].ents]          # doctest: +SKIP
    [('洮南市公安局交巡警大队', 0, 11, 'ORG'), ('洮南市', 0, 3, 'LOC'), ('周佰发', 13, 16, 'PERSON'), ('团结广场', 17, 21, 'LOC')]
    >>> g.relations_df()[["head", "relation", "tail"]]                         # doctest: +SKIP
    >>> g.save("out/"); kg.read("out/") == g                                   # doctest: +SKIP
    True
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from kg.config import MAX_BYTES, NEO4J, BuildConfig, Columns, neo4j_config
from kg.errors import InputError
from kg.sources import frame_documents, pair_document, reading, unique
from kg.types import BuildResult, Document

Source = Any  # str | os.PathLike | tuple[str, str] | pandas.DataFrame | Document
_FILE_NAME = re.compile(r"[^\s]{1,250}\.(?:txt|csv|jsonl|parquet|html?|docx|pdf)", re.IGNORECASE)


@dataclass(frozen=True)
class Span:
    """One entity mention: `text == doc.text[start:end]` in the original (or extracted) text."""

    text: str
    start: int
    end: int
    label: str  # PERSON | ORG | LOC | DATE
    entity_id: str  # the node in the graph; `entity` is its name
    entity: str = ""
    sentence: int = 0

    def __repr__(self) -> str:
        return f"Span({self.text!r}, {self.start}, {self.end}, {self.label!r}, entity={self.entity!r})"


@dataclass
class Doc:
    """One document of a build and its entity mentions (`ents`, in text order).

    `text` is the decoded or extracted text the offsets point into; empty for a graph loaded with
    `kg.read` (output folders do not store texts).
    """

    id: str
    path: str
    text: str
    ents: list[Span] = field(default_factory=list)
    date: str = ""
    source_format: str = "text"

    def __repr__(self) -> str:
        return f"<Doc {self.id!r}: {len(self.ents)} ents>"


class KnowledgeGraph:
    """A built (or read back) knowledge graph. `result` is the underlying `kg.types.BuildResult`.

    Two graphs are equal when their documents, entities, relations and mentions tables are.

        >>> kg.KnowledgeGraph(result)
        <KnowledgeGraph: 2 documents, 7 entities, 12 relations, 8 mentions>
    """

    def __init__(self, result: BuildResult, folder: str | Path | None = None) -> None:
        self.result = result
        self.folder = Path(folder) if folder is not None else None  # read from or saved to: its Neo4j ledger's

    # -- what it holds --------------------------------------------------------------------------
    @property
    def entities(self):
        return self.result.entities

    @property
    def relations(self):
        return self.result.relations

    @property
    def mentions(self):
        return self.result.mentions

    @property
    def documents(self):
        return self.result.documents

    @property
    def problems(self) -> list[str]:
        """Inputs that were skipped, one "file: reason" line each."""
        return self.result.problems

    @cached_property
    def docs(self) -> Mapping[str, Doc]:
        """Document id → `Doc` with its entity spans, in input order."""
        names = {e.id: e.name for e in self.result.entities}
        docs = {d.id: Doc(d.id, d.path, d.text, date=d.date, source_format=d.source_format)
                for d in self.result.documents}
        for m in sorted(self.result.mentions, key=lambda m: (m.start, -m.end)):
            if m.doc_id in docs:
                docs[m.doc_id].ents.append(Span(m.text, m.start, m.end, m.type, m.entity_id,
                                                names.get(m.entity_id, ""), m.sentence))
        return docs

    def __repr__(self) -> str:
        r, n = self.result, len(self.result.documents)
        return (f"<KnowledgeGraph: {n} document{'s' if n != 1 else ''}, {len(r.entities)} entities, "
                f"{len(r.relations)} relations, {len(r.mentions)} mentions>")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KnowledgeGraph):
            return NotImplemented
        return [d.id for d in self.documents] == [d.id for d in other.documents] and all(
            a.equals(b) for a, b in ((self.entities_df(), other.entities_df()),
                                     (self.relations_df(), other.relations_df()),
                                     (self.mentions_df(), other.mentions_df())))

    __hash__ = None  # mutable, compared by content

    # -- tables and graphs ----------------------------------------------------------------------
    def entities_df(self):
        """One row per entity: name, type, aliases (list), mention_count, documents (list), iso, ..., id."""
        import pandas as pd

        from kg.schema import EXPORT_ENTITY_COLUMNS, export_entity_row

        return pd.DataFrame([export_entity_row(e) for e in self.result.entities], columns=list(EXPORT_ENTITY_COLUMNS))

    def relations_df(self):
        """One row per relation, both ends named: head, relation, role, tail, date, evidence, start, end, ids."""
        import pandas as pd

        from kg.schema import EXPORT_RELATION_COLUMNS, export_relation_rows, export_relations

        frame = pd.DataFrame(export_relation_rows(self.result), columns=list(EXPORT_RELATION_COLUMNS))
        spans = [(r.evidence.start, r.evidence.end) if r.evidence else (None, None)
                 for r in export_relations(self.result)]
        frame["sentence"] = pd.array(frame["sentence"], dtype="Int64")
        frame["start"] = pd.array([s for s, _ in spans], dtype="Int64")
        frame["end"] = pd.array([e for _, e in spans], dtype="Int64")
        return frame

    def mentions_df(self):
        """One row per mention: document, sentence, start, end, text, norm, type, source, entity_id, entity."""
        import pandas as pd

        from kg.schema import FRAME_MENTION_COLUMNS, export_mention_rows

        return pd.DataFrame(export_mention_rows(self.result, article=True), columns=FRAME_MENTION_COLUMNS)

    def to_networkx(self):
        """A networkx MultiDiGraph: entity and document nodes, one edge per relation (see `kg.graph`)."""
        from kg.graph import to_networkx

        return to_networkx(self.result)

    # -- writers ------------------------------------------------------------------------------
    def save(self, out_dir: str | Path, bom: bool = False, lang: str = "en") -> Path:
        """Write the CLI's output folder (entities.csv, relations.csv, ..., graph.json), atomically;
        `bom` for Excel, `lang="zh"` for Chinese headers and relation/type names."""
        from kg.sinks.tables import write_tables

        write_tables(self.result, out_dir, bom=bom, lang=lang)
        self.folder = Path(out_dir)
        return Path(out_dir)

    def to_html(self, path: str | Path, focus: str | None = None, hops: int = 1) -> Path:
        """One self-contained interactive HTML page (or the `hops`-neighbourhood of a name `focus`)."""
        from kg.sinks.html import render_html

        return render_html(self.result, path, focus=focus, hops=hops, serve_dir=self.folder)

    def to_neo4j(self, uri: str | None = None, user: str | None = None, password: str | None = None,
                 database: str | None = None, batch_size: int = NEO4J.batch_size, ledger: str | Path | None = None,
                 force: bool = False) -> dict:
        """Make Neo4j mirror this graph with `kg load`'s writer (`kg.sinks.neo4j_sync`): the first
        load sends everything, a later one only what changed, and deletes what the graph no longer
        has; a database holding another folder's load is refused unless `force`. The ledger lives
        in `ledger`, else the folder the graph was read from or saved to, else in the user's cache
        (one per database). Defaults from NEO4J_URI/USER/PASSWORD/DATABASE."""
        from kg.sinks.neo4j_rows import MemoryRows
        from kg.sinks.neo4j_sync import sync_graph

        to = neo4j_config(uri=uri or None, user=user or None, password=password, database=database or None)
        folder = Path(ledger) if ledger is not None else self.folder or _ledger_home(to.uri, to.database)
        folder.mkdir(parents=True, exist_ok=True)
        return sync_graph(MemoryRows(self.result), folder, uri=to.uri, user=to.user, password=to.password,
                          database=to.database, batch_size=batch_size, force=force)


def _ledger_home(uri: str, database: str | None) -> Path:
    """Where `to_neo4j` keeps the ledger of a graph that has no folder: one per database."""
    import hashlib

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    digest = hashlib.sha256(f"{uri} {database or ''}".encode()).hexdigest()[:16]
    return cache / "kg" / "neo4j-ledgers" / digest


def build(sources: Source | Iterable[Source], *, text_column: str = "text", id_column: str | None = None,
          date_column: str | None = None, model: str | None = None, strict: bool = False,
          max_bytes: int = MAX_BYTES, threads: int | None = None, encoding: str | None = None,
          doc_date: str = "", aliases: str | Path | None = None, workers: int = 1, progress: Callable[[int], Any] | None = None, pipeline: Any = None) -> KnowledgeGraph:
    """Build a knowledge graph from files, folders, `(doc_id, text)` pairs and DataFrames.

    `text_column`/`id_column`/`date_column` name the columns of tables (files and DataFrames);
    id and date default to columns named `id` and `date` where present. Files that cannot be read
    are skipped and listed in `.problems` (with `strict=True`, any is an error before anything is
    built). A file's id is its path under the folder given (`a/page.txt`), or its name when given
    itself; a document id given twice is an error naming both. `model`, `threads`, `encoding`
    (force one; default: detect), `doc_date` (YYYY-MM-DD, for documents with no date of their own)
    and `aliases` (a form,canonical,type CSV: see the README's alias table), `workers` (processes
    that map documents; a script using more than 1 needs `if __name__ == "__main__"`) as in
    `kg build`; pass `pipeline` (a `kg.pipeline.Pipeline`) to reuse a loaded model across builds.

        >>> kg.build(["seeds/"])                                               # doctest: +SKIP
        >>> kg.build(df, text_column="content", id_column="url", date_column="published")  # doctest: +SKIP
    """
    from kg.pipeline import Pipeline
    from kg.text.read import InputFile, find_inputs

    doc_date = _check_args(doc_date, max_bytes, workers, threads)
    columns = Columns(text_column, id_column, date_column)
    from kg.relations.people import read_aliases

    config = BuildConfig(strict=strict, max_bytes=max_bytes, threads=threads, encoding=encoding, columns=columns,
                         doc_date=doc_date, workers=workers,
                         aliases=read_aliases(aliases) if aliases and pipeline is None else None)
    if model:
        config.model = model
    srcs = _as_list(sources)
    paths = [s for s in srcs if isinstance(s, str | os.PathLike | InputFile)]
    # a missing path or two files with one id fail here, before the model loads
    files, skipped = find_inputs(paths) if paths else ([], [])
    groups: list[list[InputFile] | list[Document]] = [files] if files else []
    notes: list[str] = []  # rows of DataFrames left out
    frames = 0
    for src in srcs:
        if not isinstance(src, str | os.PathLike | InputFile):
            frames += _is_frame(src)  # ids DataFrame#0, DataFrame2#0, …: two frames' rows do not clash
            name = "DataFrame" if frames <= 1 else f"DataFrame{frames}"
            groups.append(_documents(src, columns, name, notes))  # a DataFrame's bad column fails before tagging too
    given = (d for group in groups for d in group if isinstance(d, Document))
    for _ in unique(given):  # pairs and rows that clash fail now; files as they are read
        pass
    if pipeline is None:
        pipeline = Pipeline(config)
    with reading(config, files, [*skipped, *notes], progress) as reader:  # `pipeline=` reads as these arguments say

        def stream() -> Iterator[Document]:
            for group in groups:
                yield from reader.documents(group) if group and isinstance(group[0], InputFile) else group

        # dated here too, not only in the pipeline: `pipeline=` has its own doc_date
        result = pipeline.build_documents(unique(stream(), doc_date), on_part=reader.advance,
                                          on_done=lambda d: reader.finished(d.document.id))
        result.problems = sorted(reader.problems)
    return KnowledgeGraph(result)


def read(out_dir: str | Path) -> KnowledgeGraph:
    """Load a `kg build` / `KnowledgeGraph.save` output folder back (document texts are not stored).

        >>> path = kg.KnowledgeGraph(result).save("out/")
        >>> g = kg.read("out/")
        >>> g.relations_df()[["head", "relation", "tail"]].iloc[0].tolist()
        ['周佰发', 'BELONGS_TO', '洮南市公安局交巡警大队']
        >>> g == kg.KnowledgeGraph(result)
        True
    """
    from kg.sinks.tables import read_tables

    return KnowledgeGraph(read_tables(out_dir), folder=out_dir)


def _check_args(doc_date: Any, max_bytes: Any, workers: Any, threads: Any) -> str:
    """`doc_date` as YYYY-MM-DD; a ValueError or TypeError naming the argument for a bad value."""
    import datetime

    if doc_date is None:
        doc_date = ""
    if isinstance(doc_date, datetime.date):
        doc_date = doc_date.isoformat()[:10]
    if not isinstance(doc_date, str):
        raise TypeError(f"doc_date must be a YYYY-MM-DD str or a datetime.date, not {type(doc_date).__name__}")
    if doc_date:
        try:
            datetime.datetime.strptime(doc_date, "%Y-%m-%d")
        except ValueError:
            raise ValueError(f"doc_date {doc_date!r} is not a date as YYYY-MM-DD") from None
    for name, value, least in (("max_bytes", max_bytes, 1), ("workers", workers, 1), ("threads", threads, 1)):
        if value is None and name == "threads":
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            raise TypeError(f"{name} must be an int, not {type(value).__name__}")
        if value < least:
            raise ValueError(f"{name} must be at least {least}, not {value}")
    return doc_date


def _as_list(sources: Any) -> list:
    """`sources` as a list of sources. A bare `(doc_id, text)` pair is one source, not two paths: a
    2-tuple whose second item is a str that is neither an existing path nor a file name (`b.txt`)."""
    if sources is None or isinstance(sources, bytes | int | float):
        raise TypeError(f"kg.build needs a path, a (doc_id, text) pair, a pandas DataFrame or a list of them, "
                        f"not {type(sources).__name__}")
    if isinstance(sources, str | os.PathLike | Document) or _is_frame(sources):
        return [sources]
    if isinstance(sources, tuple) and len(sources) == 2 and isinstance(sources[1], str) and not _names_a_file(
            sources[1]):
        return [sources]
    try:
        return list(sources)
    except TypeError:
        raise TypeError(f"kg.build needs a path, a (doc_id, text) pair, a pandas DataFrame or a list of them, "
                        f"not {type(sources).__name__}") from None


def _names_a_file(item: Any) -> bool:
    """An existing path, or a str that reads as a file name (`b.txt`): not the text of a pair."""
    if not isinstance(item, str | os.PathLike):
        return False
    if isinstance(item, str) and _FILE_NAME.fullmatch(item):
        return True
    try:
        return os.path.exists(item)
    except (OSError, ValueError):  # a text too long to be a path, or holding a NUL
        return False


def _is_frame(obj: Any) -> bool:
    return hasattr(obj, "columns") and hasattr(obj, "itertuples")


def _documents(src: Any, columns: Columns, name: str = "DataFrame", notes: list[str] | None = None) -> list[Document]:
    if isinstance(src, Document):
        return [src]
    if _is_frame(src):
        return frame_documents(src, columns, name=name, notes=notes)
    if isinstance(src, tuple) and len(src) == 2:
        return [pair_document(*src)]
    raise InputError(f"cannot build from {type(src).__name__} {str(src)[:40]!r}: give a path, a (doc_id, text) "
                     "pair or a pandas DataFrame")
