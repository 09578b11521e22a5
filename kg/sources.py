"""Sources → Documents: text files, HTML pages, tables of articles, Word and PDF files, pairs, DataFrames.

A text file is decoded as it is (`kg.text.read`), and its offsets point into the file. Everything
else is *extracted* first, and offsets point into the extracted text (`Document.source_format`
says which, and so does `documents.csv`):

- `.html`/`.htm`: the page's main text, by trafilatura (menus, scripts, footers left out), one
  block per paragraph with a blank line between blocks, as `kg.text.segment` expects; the page's
  publication date from its markup, where it has one, is `Document.date`;
- `.csv`/`.jsonl`/`.parquet`: a table of documents, one per row (`Columns` names the text, id and
  date columns); rows with no text are skipped; a CSV line with too many fields, a JSONL line that
  is not an object and a row whose bytes are not text are left out, each a `dropped` line in the
  caller's `notes` (one defect does not lose the file); bytes cells are decoded as files are;
- `.docx`: the paragraphs of the body (python-docx); `.pdf`: the text layer of every page (pypdf).

Ids: a file is its id (given by the caller, else its name); a table row keeps the value of the id
column, else it is `<file id>#<row>` (row 0 is the first data row); a `(doc_id, text)` pair keeps
its id. Two documents with one id are an error naming both (`unique`); two rows of one table with
one id stop the build (`DuplicateIdError`), as two files would.

    >>> _ = Path("articles.csv").write_text("body\\n民警周佰发在团结广场执勤。\\n白城市公安局召开会议。\\n", encoding="utf-8")
    >>> [d.id for d in read_documents("articles.csv", columns=Columns(text="body"))]
    ['articles.csv#0', 'articles.csv#1']
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.config import DEFAULT_COLUMNS, MAX_BYTES, Columns
from kg.errors import InputError
from kg.text.read import Decoded, InputFile, decode, display, file_bytes, looks_binary, read_document
from kg.types import Document

TABLES = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
PAGES = {".html": "html", ".htm": "html", ".docx": "docx", ".pdf": "pdf"}
PARTIAL = "the rest is built"  # ends a problem line about part of a file (a row, a line), not all of it
_SURROGATE = re.compile("[\ud800-\udfff]")


class DuplicateIdError(InputError):
    """Two rows of one table with one document id: the build stops (it is not one bad file to skip)."""


def dropped(where: str, what: str) -> str:
    """The problem line for part of an input left out while the rest of it is built."""
    return f"{where}: {what}; dropped, {PARTIAL}"


def read_documents(path: str | Path, doc_id: str | None = None, columns: Columns = DEFAULT_COLUMNS,
                   max_bytes: int = MAX_BYTES, encoding: str | None = None,
                   notes: list[str] | None = None) -> list[Document]:
    """The documents in one file: one for a text, HTML, Word or PDF file, one per row of a table.

    InputError (naming the file) for what cannot be read; a text file goes to `read_document`.
    Rows and lines of a table that cannot be read are left out, each a line in `notes` (`dropped`).
    """
    path = Path(path)
    suffix = path.suffix.lower()
    doc_id = doc_id or path.name
    if suffix in TABLES:
        frame, encoding, rows = _read_table(path, TABLES[suffix], max_bytes, encoding, notes)
        docs = frame_documents(frame, columns, name=doc_id, path=str(path), source_format=TABLES[suffix],
                               encoding=encoding, notes=notes, rows=rows)
        if not docs:
            raise InputError(f"{path}: no rows with text in column {columns.text!r}")
        return docs
    if suffix not in PAGES:
        return [read_document(path, max_bytes=max_bytes, doc_id=doc_id, encoding=encoding)]
    data = file_bytes(path, max_bytes)
    fmt = PAGES[suffix]
    date = ""
    try:
        if fmt == "html":
            decoded = decode(data, display(path), encoding)
            encoding = decoded.encoding
            text, date = html_main(decoded.text)
        else:
            encoding = "utf-8"
            text = docx_text(data, str(path)) if fmt == "docx" else pdf_text(data, str(path))
    except ImportError as err:  # an install without a reader's dependency: this file only is lost
        raise InputError(f"{path}: cannot read {fmt.upper()} files: {err} (reinstall kg's dependencies)") from err
    if not text.strip():
        what = {"html": "no main text found in the page", "docx": "no text in the document",
                "pdf": "a PDF with no text layer (a scan? OCR it first)"}[fmt]
        raise InputError(f"{path}: {what}")
    return [Document(id=doc_id, path=str(path), text=text, encoding=encoding,
                     sha256=hashlib.sha256(data).hexdigest(), date=date, source_format=fmt)]


def html_text(markup: str) -> str:
    """The main text of an HTML page, a blank line between paragraphs (see `html_main`)."""
    return html_main(markup)[0]


def html_main(markup: str) -> tuple[str, str]:
    """(main text, date) of an HTML page, by trafilatura, offline; a blank line between paragraphs.

    `favor_precision`: on a short page trafilatura's fallback would otherwise keep the menu, whose
    links (units, places) would be tagged as if the article named them. The date is the page's own
    publication date from its markup (meta tags, JSON-LD, <time>), never guessed from the text.
    """
    import trafilatura  # lxml and friends load only for HTML input

    page = trafilatura.bare_extraction(markup, include_comments=False, deduplicate=False, favor_precision=True,
                                       with_metadata=True,
                                       date_extraction_params={"extensive_search": False, "original_date": True})
    if page is None:
        return "", ""
    text = "\n\n".join(line for line in (page.text or "").split("\n") if line.strip())
    return text, page.date or ""


def docx_text(data: bytes, name: str) -> str:
    """The body paragraphs of a Word file, a blank line between them."""
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as err:  # python-docx raises zipfile, lxml and its own errors alike
        raise InputError(f"{name}: not a readable Word (.docx) file: {err}") from err
    return "\n\n".join(p.text for p in document.paragraphs if p.text.strip())


def pdf_text(data: bytes, name: str) -> str:
    """The text layer of each page of a PDF, a blank line between pages (no OCR)."""
    import pypdf

    log = logging.getLogger("pypdf")  # its warnings ("EOF marker not found") would go to stderr raw
    level = log.level
    log.setLevel(logging.CRITICAL)
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except Exception as err:  # pypdf's errors for broken, encrypted or truncated files
        raise InputError(f"{name}: not a readable PDF: {_first_line(err)}") from err
    finally:
        log.setLevel(level)
    return "\n\n".join(p.strip() for p in pages if p.strip())


def frame_documents(frame: Any, columns: Columns = DEFAULT_COLUMNS, name: str = "DataFrame", path: str = "",
                    source_format: str = "python", encoding: str = "utf-8", notes: list[str] | None = None,
                    rows: Sequence[int] | None = None) -> list[Document]:
    """One Document per row of a pandas DataFrame that has text (see the module doc for ids).

    A text cell of bytes (a Parquet `binary` column) is decoded as a file is; a row whose bytes are
    not text is left out, a line in `notes`. A cell holding a list or a mapping is an InputError:
    the table is not one of articles. `rows`: the row numbers of the frame's rows (default 0, 1, …),
    kept when some lines of a file were dropped.

    >>> import pandas as pd
    >>> frame_documents(pd.DataFrame({"id": ["a"], "text": ["民警周佰发在团结广场执勤。"]}))[0].id
    'a'
    """
    table = path or name
    names = [str(c) for c in frame.columns]  # columns named by numbers are named by text here
    original = {str(c): c for c in frame.columns}
    text_col = _column(columns.text, names, table, "text")
    id_col = _column(columns.id, names, table, "id")
    date_col = _column(columns.date, names, table, "date")
    wanted = [c for c in dict.fromkeys((text_col, id_col, date_col)) if c]
    twice = [c for c in wanted if names.count(c) > 1]
    if twice:
        raise InputError(f"{table}: column {twice[0]!r} appears {names.count(twice[0])} times; rename all but one")
    docs: list[Document] = []
    seen: dict[str, int] = {}
    surrogates: list[int] = []
    numbers = iter(rows) if rows is not None else None
    for i, values in enumerate(frame[[original[c] for c in wanted]].itertuples(index=False, name=None)):
        row = next(numbers) if numbers is not None else i
        cell = dict(zip(wanted, values, strict=True))
        column = text_col
        try:
            text = _cell(cell[text_col], f"{table} row {row}, column {text_col!r}")
            column = id_col
            given = _cell(cell[id_col], f"{table} row {row}, column {id_col!r}").strip() if id_col else ""
        except _NotText as err:
            if notes is None:
                raise InputError(f"{table} row {row}, column {column!r}: {err}") from None
            notes.append(dropped(f"{table} row {row} column {column!r}", str(err)))
            continue
        if not text.strip():
            continue
        text, replaced = _no_surrogates(text)
        if replaced:
            surrogates.append(row)
        doc_id = _no_surrogates(given)[0] or f"{name}#{row}"
        if doc_id in seen:
            raise DuplicateIdError(f"{table}: document id {doc_id!r} in rows {seen[doc_id]} and {row}; "
                                   "ids must be unique")
        seen[doc_id] = row
        date = _iso_date(cell[date_col], f"{table} row {row}, column {date_col!r}") if date_col else ""
        docs.append(Document(id=doc_id, path=f"{table}#{row}", text=text, encoding=encoding,
                             sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(), date=date,
                             source_format=source_format, replaced=replaced))
    if surrogates:
        _warn_surrogates(f"{table} row(s) {', '.join(map(str, surrogates[:10]))}")
    return docs


def pair_document(doc_id: Any, text: Any) -> Document:
    """A `(doc_id, text)` pair given in Python: the id (a str, or an int written as one) is kept as given."""
    if not isinstance(doc_id, str | int) or isinstance(doc_id, bool):
        raise InputError(f"a (doc_id, text) pair needs a str doc_id, not {type(doc_id).__name__} {doc_id!r}")
    if not isinstance(text, str):
        raise InputError(f"document {doc_id!r}: text must be a str, not {type(text).__name__}")
    doc_id = _no_surrogates(str(doc_id))[0]
    if not doc_id.strip():
        raise InputError("a (doc_id, text) pair needs a non-empty doc_id")
    text, replaced = _no_surrogates(text)
    if replaced:
        _warn_surrogates(f"document {doc_id!r}")
    return Document(id=doc_id, path="", text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    source_format="python", replaced=replaced)


def _no_surrogates(text: str) -> tuple[str, int]:
    """`text` with lone surrogates (half a UTF-16 pair, which UTF-8 cannot hold) as U+FFFD, and their count."""
    return _SURROGATE.subn("\ufffd", text)


def _warn_surrogates(where: str) -> None:
    warnings.warn(f"{where}: lone surrogate characters (not Unicode text) replaced by U+FFFD",
                  UnicodeWarning, stacklevel=5)  # the caller of kg.build


def unique(docs: Iterable[Document], doc_date: str = "") -> Iterator[Document]:
    """`docs` as they come, dated `doc_date` where they have no date of their own; InputError naming
    both where a document id comes twice (the one check of every engine and of the API)."""
    seen: dict[str, str] = {}
    for doc in docs:
        doc.date = doc.date or doc_date
        where = doc.path or "a (doc_id, text) pair"
        if doc.id in seen:
            raise InputError(f"document id {doc.id!r} given twice: {seen[doc.id]} and {where}; ids must be unique")
        seen[doc.id] = where
        yield doc


def _column(wanted: str | None, names: list[str], table: str, role: str) -> str | None:
    if wanted is None:
        return role if role in names else None
    if wanted not in names:
        flag = {"text": "--text-column", "id": "--id-column", "date": "--date-column"}[role]
        raise InputError(f"{table}: no {role} column {wanted!r} (columns: {', '.join(names) or 'none'}); "
                         f"name it with {flag}")
    return wanted


class _NotText(ValueError):
    """A cell whose bytes are not text: its row is left out (the message is the reason only)."""


def _cell(value: Any, where: str = "") -> str:
    """A table cell as text: missing values (None, NaN) are empty, numbers are written plainly,
    bytes are decoded as a file is; a list or a mapping is not text (`_NotText`)."""
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # an id column with gaps is read as floats: 3.0 is id "3"
    if isinstance(value, bytes | bytearray | memoryview):
        data = bytes(value)
        try:
            d = decode(data, where) if data else Decoded("", "utf-8")
        except InputError as err:
            raise _NotText(f"bytes that are not text ({str(err).split(': ', 1)[-1]})") from None
        if looks_binary(d.text, d.replaced, legacy=not d.encoding.startswith("utf")):
            raise _NotText(f"bytes that are not text (binary data, decoded as {d.encoding} to control characters)")
        return d.text
    if isinstance(value, Mapping | Iterable):  # a list column: not one text per row, a table of something else
        raise InputError(f"{where}: holds a {type(value).__name__} ({str(value)[:40]}), not text; "
                         "give one text per row")
    return str(value)


def _iso_date(value: Any, where: str) -> str:
    """yyyy-mm-dd of a date cell: a date, a timestamp, or text pandas reads as one (also 2020年3月19日)."""
    import datetime

    import pandas as pd

    if value is pd.NaT:
        return ""
    if isinstance(value, datetime.date):  # datetime, pandas Timestamp
        return value.strftime("%Y-%m-%d")
    try:
        text = _cell(value, where).strip()  # numbers as text: 20200319 is a date, not nanoseconds since 1970
    except _NotText as err:
        raise InputError(f"{where}: {err}") from None
    if not text:
        return ""
    stamp = pd.to_datetime(text, errors="coerce")
    if pd.isna(stamp):
        stamp = pd.to_datetime(text.split()[0], format="%Y年%m月%d日", errors="coerce")
    if pd.isna(stamp):
        raise InputError(f"{where}: {text!r} is not a date")
    return stamp.strftime("%Y-%m-%d")


def _read_table(path: Path, fmt: str, max_bytes: int, encoding: str | None = None, notes: list[str] | None = None
                ) -> tuple[Any, str, list[int] | None]:
    """(DataFrame, encoding, row numbers or None for 0, 1, …) of a table file; CSV and JSONL are
    decoded as text files are. A CSV line with too many fields and a JSONL line that is not a JSON
    object are left out, each a line in `notes`; a file none of whose lines reads is an InputError."""
    import pandas as pd

    data = file_bytes(path, max_bytes)
    notes = notes if notes is not None else []
    try:
        if fmt == "parquet":
            return pd.read_parquet(io.BytesIO(data)), "utf-8", None
        decoded = decode(data, display(path), encoding)
        text, encoding = decoded.text, decoded.encoding
        if decoded.replaced:
            notes.append(f"{display(path)}: {decoded.replaced} byte(s) did not decode as {encoding}; "
                         f"replaced by U+FFFD, {PARTIAL}")
        if fmt == "csv":
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", pd.errors.ParserWarning)
                frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, on_bad_lines="warn")
            for w in caught:
                for line in str(w.message).splitlines():  # "Skipping line 3: expected 2 fields, saw 3"
                    if line.startswith("Skipping line "):
                        number, _, why = line[len("Skipping line "):].partition(": ")
                        notes.append(dropped(f"{display(path)} line {number}", why))
            return frame, encoding, None
        try:
            return pd.read_json(io.StringIO(text), lines=True, dtype=False), encoding, None
        except (ValueError, TypeError):
            frame, rows = _jsonl_lines(text, display(path), notes)
            return frame, encoding, rows
    except InputError:
        raise
    except Exception as err:  # pandas/pyarrow parse errors: a damaged or mislabelled table
        raise InputError(f"{path}: not a readable {fmt} table: {_first_line(err)}") from err


def _jsonl_lines(text: str, name: str, notes: list[str]) -> tuple[Any, list[int]]:
    """A JSONL table without its bad lines (each noted) and the record numbers of the good ones, so
    that a row keeps its id (`file#row`) whether or not a line before it is damaged."""
    import pandas as pd

    good: list[str] = []
    rows: list[int] = []
    record = 0
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
            why = "" if isinstance(value, dict) else f"a JSON {type(value).__name__}, not an object"
        except ValueError as err:
            why = f"not JSON ({err})"
        if why:
            notes.append(dropped(f"{name} line {number}", why))
        else:
            good.append(line)
            rows.append(record)
        record += 1
    if not good:
        raise InputError(f"{name}: not a readable jsonl table: no line is a JSON object")
    return pd.read_json(io.StringIO("\n".join(good)), lines=True, dtype=False), rows


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


@dataclass
class FileReader:
    """Reads the files of a build into Documents: what cannot be read goes to `problems`.

    With `strict`, `check` reads every file once before anything is built and raises one error
    naming all the bad ones. `start` opens a progress bar whose total is the files' bytes;
    `advance(chars)` (the pipeline's per-part callback) moves it in bytes of the current file.
    """

    columns: Columns = DEFAULT_COLUMNS
    max_bytes: int = MAX_BYTES
    strict: bool = False
    problems: list[str] = field(default_factory=list)  # inputs skipped before reading count too
    encoding: str | None = None  # forced encoding (--encoding); None: detect
    _bar: Any = None
    _pending: dict[str, _BytesDone] = field(default_factory=dict)  # document id → its file's share of the bar

    def read(self, f: Path | InputFile, notes: list[str] | None = None) -> list[Document]:
        """The documents of one input; an `InputFile` carries its id (path under its input root).

        Any failure of a reader is an InputError naming the file (a library's bug or missing part
        loses that file, not the build); parts of a table left out go to `notes`."""
        path, doc_id = (f.path, f.doc_id) if isinstance(f, InputFile) else (Path(f), None)
        try:
            return read_documents(path, doc_id=doc_id, columns=self.columns, max_bytes=self.max_bytes,
                                  encoding=self.encoding, notes=notes)
        except (InputError, RecursionError, MemoryError):
            raise
        except Exception as err:
            raise InputError(f"{display(path)}: cannot be read: {type(err).__name__}: {_first_line(err)}") from err

    def check(self, files: list[Path | InputFile]) -> None:
        if not self.strict:
            return
        bad = list(self.problems)
        for f in files:
            try:
                self.read(f, notes=bad)
            except DuplicateIdError:
                raise
            except InputError as err:
                bad.append(str(err))
        if bad:
            raise InputError(f"{len(bad)} bad input file(s), none built (--strict): " + "; ".join(bad))

    def start(self, progress: Callable[[int], Any] | None, files: list[Path | InputFile]) -> None:
        if progress is not None:
            self._bar = progress(sum(_size(f) for f in files))

    def documents(self, files: Iterable[Path | InputFile]) -> Iterator[Document]:
        for f in files:
            size = _size(f)
            try:
                docs = self.read(f, notes=self.problems)
            except DuplicateIdError:
                raise  # two rows with one id: as for two files, the build stops
            except InputError as err:
                if self.strict:
                    raise  # changed on disk since `check`
                self.problems.append(str(err))
                if self._bar is not None and size:
                    self._bar.update(size)
                continue
            done = _BytesDone(self._bar, size, sum(len(d.text) for d in docs))  # a table's rows share it
            for d in docs:
                self._pending[d.id] = done
            yield from docs

    def advance(self, chars: int) -> None:
        """`chars` of a document were tagged: documents are tagged in reading order, so it is the first
        one read and not yet through (read-ahead for a batch does not move the bar)."""
        for done in self._pending.values():
            if done.seen < done.chars:
                done.add(chars)
                return

    def finished(self, doc_id: str) -> None:
        """A document's result is in: its file's bytes are counted once all of the file's documents are."""
        done = self._pending.pop(doc_id, None)
        if done is not None and all(d is not done for d in self._pending.values()):
            done.finish()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextmanager
def reading(config: Any, files: list[Path | InputFile], problems: Iterable[str] = (),
            progress: Callable[[int], Any] | None = None) -> Iterator[FileReader]:
    """The FileReader of a build (`config`: a `kg.config.BuildConfig`'s reading options), for every
    engine and the API: with `config.strict` every file is read once first (`FileReader.check`);
    `progress` opens a bar over the files' bytes, closed at the end. `problems`: inputs already skipped."""
    reader = FileReader(config.columns, config.max_bytes, config.strict, problems=list(problems),
                        encoding=config.encoding)
    reader.check(files)
    reader.start(progress, files)
    try:
        yield reader
    finally:
        reader.close()


def _size(f: Path | InputFile) -> int:
    try:
        return (f.path if isinstance(f, InputFile) else Path(f)).stat().st_size
    except OSError:
        return 0


@dataclass
class _BytesDone:
    """Turns characters processed into bytes of the file, for a bar whose total is in bytes."""

    bar: Any
    size: int
    chars: int
    sent: int = 0
    seen: int = 0

    def add(self, chars: int) -> None:
        self.seen += chars
        now = self.size * self.seen // max(self.chars, 1)
        if self.bar is not None and now > self.sent:
            self.bar.update(now - self.sent)
            self.sent = now

    def finish(self) -> None:
        if self.bar is not None and self.size > self.sent:
            self.bar.update(self.size - self.sent)
        self.sent = self.size
