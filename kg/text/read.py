"""Find input files and decode them, refusing what is not text with a message naming the file.

Encodings are detected by charset-normalizer (BOMs first: UTF-8-SIG, UTF-16/32), because
scrapers hand us GB18030/GBK as often as UTF-8. Binary junk and PDFs are refused, not guessed at.
"""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from kg.errors import InputError
from kg.ner.dates import date_from_name
from kg.types import Document

BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
MAGIC = {b"%PDF-": "a PDF", b"PK\x03\x04": "a ZIP/Office file", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
         b"GIF8": "a GIF image", b"\x7fELF": "an executable", b"\x1f\x8b": "a gzip archive"}
DETECT_SAMPLE = 1 << 20  # bytes charset-normalizer looks at in a big file


def iter_input_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files named, and files under folders named (sorted, hidden files skipped)."""
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(p).parts):
                    yield f
        elif p.is_file():
            yield p
        else:
            raise InputError(f"{p}: no such file or folder")


def decode(data: bytes, name: str) -> tuple[str, str]:
    """(text, encoding) or InputError."""
    for magic, what in MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: is {what}, not text; extract its text first")
    for bom, enc in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as err:
                raise InputError(f"{name}: starts with a {enc} byte-order mark but does not decode: {err}") from err
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if len(data) > DETECT_SAMPLE:  # detect on a sample (seconds, not minutes, for 50 MB), then verify
        sample = data[:DETECT_SAMPLE]
        sample = sample[:sample.rfind(b"\n") + 1] or sample  # no multi-byte character cut in two
        encoding = _detect(sample)
        if encoding:
            try:
                return data.decode(encoding, errors="strict"), encoding
            except UnicodeDecodeError:
                pass  # the sample misled us: ask about the whole file
    encoding = _detect(data)
    if encoding is None:
        raise InputError(f"{name}: not text in any known encoding (binary data?)")
    try:
        return data.decode(encoding, errors="strict"), encoding
    except UnicodeDecodeError as err:
        raise InputError(f"{name}: looks like {encoding} but does not decode: {err}") from err


def _detect(data: bytes) -> str | None:
    """charset-normalizer's best guess; the GB family is read as GB18030, its superset."""
    best = from_bytes(data).best()
    if best is None:
        return None
    return "gb18030" if best.encoding in ("gbk", "gb2312", "gb18030", "hz") else best.encoding


def looks_binary(text: str) -> bool:
    sample = text[:8192]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f") or 0xE000 <= ord(ch) <= 0xF8FF
              or ch == "\ufffd")
    return bad > max(8, len(sample) // 50)


def read_document(path: str | Path, max_bytes: int = 200 * 1024 * 1024, doc_id: str | None = None) -> Document:
    """Decode one file; InputError (naming it) if it is missing, empty, too big, binary or not text."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size == 0:
            raise InputError(f"{path}: empty file")
        if size > max_bytes:
            raise InputError(f"{path}: {size} bytes is over the {max_bytes}-byte limit (--max-bytes)")
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror or err}") from err
    text, encoding = decode(data, str(path))
    if not text.strip():
        raise InputError(f"{path}: no text (only whitespace)")
    if looks_binary(text):
        raise InputError(f"{path}: binary data, not text (decoded as {encoding} to control characters)")
    return Document(id=doc_id or path.name, path=str(path), text=text, encoding=encoding,
                    sha256=hashlib.sha256(data).hexdigest(), date=date_from_name(path.name))
