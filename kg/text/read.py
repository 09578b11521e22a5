"""Find input files and decode them, refusing what is not text with a message naming the file.

Document ids are the path relative to the input root a file was found under (`a/page.txt`), or
the file's name when it was given directly: unique within a build (a clash is an error naming
both files), stable across rebuilds, and the same contents in two places are two documents.

Decoding, in order: a BOM; strict UTF-8; UTF-8 with a few damaged bytes (a file cut
mid-character, a stray 0xFF: the bad bytes become U+FFFD and the count is reported, the file is
not lost); GB18030 (the superset of GBK/GB2312) when the bytes decode cleanly, since short GBK
texts are too short for statistics (on 256 bytes or more, a confident Big5, Shift-JIS or EUC-KR
guess from charset-normalizer wins, since those bytes decode cleanly as GB18030 too); last,
charset-normalizer's guess. `encoding=` forces one.
Binary junk and PDFs are refused, not guessed at.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from charset_normalizer import from_bytes

from kg.config import MAX_BYTES
from kg.errors import InputError
from kg.ner.dates import date_from_name
from kg.types import Document

BOMS = [(codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")]
MAGIC = {b"%PDF-": "a PDF", b"PK\x03\x04": "a ZIP/Office file", b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
         b"GIF8": "a GIF image", b"\x7fELF": "an executable", b"\x1f\x8b": "a gzip archive"}
DETECT_SAMPLE = 1 << 20  # bytes charset-normalizer looks at in a big file
STATISTICS_MIN_BYTES = 256  # below this a statistical guess is not trusted over a clean GB18030 decode
OTHER_CJK = {"big5", "cp950", "big5hkscs", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949", "johab"}
DAMAGED_UTF8_RATIO = 10  # valid multi-byte UTF-8 characters per bad byte for "UTF-8, a little damaged"


@dataclass(frozen=True)
class InputFile:
    """A file to build and the document id it gets."""

    path: Path
    doc_id: str


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    replaced: int = 0  # bytes that did not decode and became U+FFFD


def display(path: str | Path) -> str:
    """A path as printable text: bytes that are not UTF-8 (surrogate-escaped) as \\xNN escapes."""
    s = os.fspath(path)
    return s.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def find_inputs(paths: Iterable[str | Path | InputFile], exclude: str | Path | None = None
                ) -> tuple[list[InputFile], list[str]]:
    """(files with their document ids, "path: reason" for entries skipped) under `paths`.

    Folders are walked in sorted order; hidden entries and anything under `exclude` (the output
    folder) are left out; unreadable folders, symlink loops, FIFOs and other non-files, symlinked
    folders and symlinks to files outside the folder are listed as skipped. The same file reached
    twice is one input. Two files with one id: InputError.
    """
    excluded = Path(exclude).resolve() if exclude is not None else None
    files: list[InputFile] = []
    skipped: list[str] = []
    for p in paths:
        if isinstance(p, InputFile):
            files.append(p)
            continue
        p = Path(p)
        if p.is_dir():
            files += _walk(p, excluded, skipped)
        elif p.is_file():
            files.append(InputFile(p, display(p.name)))
        elif p.is_symlink() or p.exists():
            skipped.append(f"{display(p)}: {_not_a_file(p)}")
        else:
            raise InputError(f"{display(p)}: no such file or folder")
    seen: dict[str, InputFile] = {}
    real_seen: set[str] = set()
    unique: list[InputFile] = []
    for f in files:
        real = os.path.realpath(f.path)
        if real in real_seen:
            continue  # one file named twice (a folder and a file in it): one document
        real_seen.add(real)
        if f.doc_id in seen:
            raise InputError(f"{display(seen[f.doc_id].path)} and {display(f.path)}: both would be document "
                             f"{f.doc_id!r}; build them from a common parent folder so their ids differ")
        seen[f.doc_id] = f
        unique.append(f)
    return unique, skipped


def _walk(root: Path, excluded: Path | None, skipped: list[str]) -> list[InputFile]:
    """The files under `root`, depth first in sorted order. Iterative, not os.walk, which recurses
    (before Python 3.12) and so fails on a folder 1,000 levels deep. Symlinked folders are not
    followed, nor symlinked files that point outside `root` (`in/passwd.txt -> /etc/passwd`)."""
    out: list[InputFile] = []
    inside = os.path.realpath(root)
    stack = [root]
    while stack:
        here = stack.pop()
        if excluded is not None and (here.resolve() == excluded or excluded in here.resolve().parents):
            continue
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as err:
            skipped.append(f"{display(err.filename or here)}: cannot read folder: {err.strerror or err}")
            continue
        folders: list[Path] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            f = here / entry.name
            try:
                folder = entry.is_dir()
            except OSError:  # a symlink loop: reported as a file below
                folder = False
            if folder:
                if entry.is_symlink():
                    skipped.append(f"{display(f)}: a symlink to a folder, not followed")
                else:
                    folders.append(f)
                continue
            try:
                mode = f.stat().st_mode
            except OSError as err:
                skipped.append(f"{display(f)}: {_not_a_file(f, err)}")
                continue
            if not stat.S_ISREG(mode):
                skipped.append(f"{display(f)}: {_not_a_file(f)}")
                continue
            if entry.is_symlink() and os.path.commonpath([inside, os.path.realpath(f)]) != inside:
                skipped.append(f"{display(f)}: a symlink to a file outside {display(root)}, not followed")
                continue
            out.append(InputFile(f, display(f.relative_to(root).as_posix())))
        stack.extend(reversed(folders))
    return out


def _not_a_file(p: Path, err: OSError | None = None) -> str:
    if err is not None:
        if err.errno == 40:  # ELOOP
            return "a symlink loop, not a file"
        if p.is_symlink():
            return "a broken symlink"
        return f"cannot read: {err.strerror or err}"
    try:
        mode = p.stat().st_mode
    except OSError as e:
        return _not_a_file(p, e)
    for test, what in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device"),
                       (stat.S_ISBLK, "a device")):
        if test(mode):
            return f"{what}, not a regular file"
    return "not a regular file"


def _replaced(data: bytes, encoding: str) -> Decoded:
    text = data.decode(encoding, errors="replace")
    real = data.decode(encoding, errors="ignore").count("\ufffd")  # U+FFFD the file itself holds
    return Decoded(text, encoding, text.count("\ufffd") - real)


def _damaged_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with a few bad bytes: far more good multi-byte characters than bad bytes."""
    d = _replaced(data, "utf-8")
    good = sum(1 for ch in d.text if ord(ch) > 0x7F and ch != "\ufffd")
    return d if good >= DAMAGED_UTF8_RATIO * d.replaced else None


def decode(data: bytes, name: str, encoding: str | None = None) -> Decoded:
    """The text of `data` (see the module docstring for the order), or InputError.

        >>> decode("洮南市公安局".encode("gb18030"), "a.txt")
        Decoded(text='洮南市公安局', encoding='gb18030', replaced=0)
    """
    for magic, what in MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name}: is {what}, not text; extract its text first")
    if encoding:
        try:
            codecs.lookup(encoding)
        except LookupError as err:
            raise InputError(f"{name}: unknown encoding {encoding!r} (--encoding)") from err
        if encoding.lower().replace("_", "-") in ("utf-8", "utf8") and data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        return _replaced(data, encoding)
    for bom, enc in BOMS:
        if data.startswith(bom):
            d = _replaced(data, enc)  # a stray byte or an odd last byte of UTF-16: U+FFFD, counted
            if d.replaced > max(2, len(d.text) // 200):  # random bytes after FF FE: ~3% lone surrogates
                raise InputError(f"{name}: starts with a {enc} byte-order mark but {d.replaced} of its bytes "
                                 "do not decode (binary data?)")
            return d
    nuls = data.count(b"\x00")
    if nuls:
        stray = _stray_nuls(data, nuls)
        if stray is None:
            raise InputError(f"{name}: binary data (NUL bytes), not text")
        return stray
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    try:
        gb = Decoded(data.decode("gb18030"), "gb18030")
    except UnicodeDecodeError:
        gb = None
    if gb is not None:
        # Big5, Shift-JIS and EUC-KR bytes decode cleanly as GB18030 too, into nonsense; on enough
        # bytes charset-normalizer tells them apart (on 10 characters it cannot: it says cp949)
        other = _detect(_sample(data)) if len(data) >= STATISTICS_MIN_BYTES else None
        if other in OTHER_CJK:
            try:
                return Decoded(data.decode(other), other)
            except UnicodeDecodeError:
                pass
        return gb
    sample = _sample(data)
    guess = _detect(sample)
    if guess is None and sample is not data:
        guess = _detect(data)
    if guess is None:
        raise InputError(f"{name}: not text in any known encoding (binary data?)")
    return _replaced(data, guess)


def _stray_nuls(data: bytes, nuls: int) -> Decoded | None:
    """UTF-8 text with a few NUL bytes in it (a damaged cell, a scraper's glitch): each NUL becomes
    U+FFFD, counted as a replaced byte. UTF-16 without a BOM and binary data have NULs far more
    often (every ASCII character or line break), and the rest of them is not UTF-8."""
    if nuls > max(1, len(data) // 1000) or 20 * nuls > len(data):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return Decoded(text.replace("\x00", "\ufffd"), "utf-8", nuls)


def _sample(data: bytes) -> bytes:
    """What charset-normalizer looks at: a big file's first MB (seconds, not minutes, for 50 MB)."""
    if len(data) <= DETECT_SAMPLE:
        return data
    sample = data[:DETECT_SAMPLE]
    return sample[:sample.rfind(b"\n") + 1] or sample  # no multi-byte character cut in two


def _detect(data: bytes) -> str | None:
    """charset-normalizer's best guess; the GB family is read as GB18030, its superset."""
    best = from_bytes(data).best()
    if best is None:
        return None
    return "gb18030" if best.encoding in ("gbk", "gb2312", "gb18030", "hz") else best.encoding


def looks_binary(text: str, replaced: int = 0, legacy: bool = False) -> bool:
    """Control characters (and bytes that did not decode: `replaced`, in the whole text) in more
    than 2% of the first 8,192 characters. Private-use characters count only for a `legacy`
    (non-Unicode) decoding, where binary bytes land in GB18030's user-defined areas; a Unicode
    file that holds them, or U+FFFD, means them."""
    sample = text[:8192]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\t\n\r\f")
              or (legacy and 0xE000 <= ord(ch) <= 0xF8FF))
    bad += replaced * len(sample) // max(len(text), 1)  # the sample's share of the file's replaced bytes
    return bad > max(8, len(sample) // 50)


def file_bytes(path: Path, max_bytes: int) -> bytes:
    """A file's bytes; InputError (naming it) if it is missing, unreadable, empty or over `max_bytes`."""
    name = display(path)
    try:
        size = path.stat().st_size
        if size == 0:
            raise InputError(f"{name}: empty file")
        if size > max_bytes:
            raise InputError(f"{name}: {size} bytes is over the {max_bytes}-byte limit (--max-bytes)")
        return path.read_bytes()
    except OSError as err:
        raise InputError(f"{name}: cannot read: {err.strerror or err}") from err


def read_document(path: str | Path, max_bytes: int = MAX_BYTES, doc_id: str | None = None,
                  encoding: str | None = None) -> Document:
    """Decode one file; InputError (naming it) if it is missing, empty, too big, binary or not text.

    `doc_id` defaults to the file's name. `Document.replaced` counts bytes that became U+FFFD.
    """
    path = Path(path)
    name = display(path)
    data = file_bytes(path, max_bytes)
    d = decode(data, name, encoding)
    if not d.text.strip():
        raise InputError(f"{name}: no text (only whitespace)")
    if looks_binary(d.text, d.replaced, legacy=not d.encoding.startswith("utf")):
        raise InputError(f"{name}: binary data, not text (decoded as {d.encoding} to control characters)")
    return Document(id=doc_id or display(path.name), path=name, text=d.text, encoding=d.encoding,
                    sha256=hashlib.sha256(data).hexdigest(), replaced=d.replaced,
                    date=date_from_name(path.name))
