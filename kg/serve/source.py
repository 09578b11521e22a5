"""A document's text with a sentence and a mention placed in it, by document id only.

Build folders do not store texts. The original file (its path as documents.csv recorded it,
never a path from a request) is read again when it still exists, its sha256 matches and its
format is one whose text is the whole file or is extracted deterministically (text, HTML, Word,
PDF); offsets then point straight into it. Otherwise the text is rebuilt from sentences.csv, whose
sentences carry their original start and end, and the highlights are placed sentence by sentence.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from kg.config import MAX_BYTES
from kg.errors import KgError
from kg.serve.queries import MAX_DOC_CHARS, QueryError

REREAD_FORMATS = ("text", "html", "docx", "pdf")
MAX_FILE_BYTES = MAX_BYTES  # as a build reads it


def _original(row: sqlite3.Row, out_dir: Path) -> str | None:
    """The document's text from its file, if the file is still the one the build read."""
    if row["source_format"] not in REREAD_FORMATS or not row["path"] or not row["sha256"]:
        return None
    recorded = Path(row["path"])
    for cand in ([recorded] if recorded.is_absolute() else [recorded, out_dir.parent / recorded]):
        try:
            if not cand.is_file() or cand.stat().st_size > MAX_FILE_BYTES:
                continue
            data = cand.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() != row["sha256"]:
            continue
        from kg.sources import read_documents

        try:
            docs = read_documents(cand, doc_id=row["id"], encoding=row["encoding"] or None)
        except (KgError, OSError, ValueError):
            return None
        return docs[0].text if len(docs) == 1 else None
    return None


def document(con: sqlite3.Connection, out_dir: Path, doc_id: str, sentence: int | None = None,
             start: int | None = None, end: int | None = None, entities: tuple[str, ...] = ()) -> dict:
    """{text, offset, source, sentences, highlight: {sentence, mentions}}: positions are into `text`;
    `offset` is where `text` starts in the original (non-zero for a window of a long document).
    Highlighted: the sentence, the mention [start, end), and the mentions of `entities` in the sentence."""
    row = con.execute("SELECT id, path, encoding, sha256, source_format FROM documents WHERE id = ?",
                      (doc_id,)).fetchone()
    if row is None:
        raise QueryError(f"no document {doc_id[:80]!r}", 404)
    sents = con.execute('SELECT idx, start, "end", kind, text FROM sentences WHERE doc = ? ORDER BY idx',
                        (doc_id,)).fetchall()
    text = _original(row, out_dir)
    hl: dict = {"mentions": []}
    target = next((s for s in sents if s["idx"] == sentence), None) if sentence is not None else None
    wanted: list[tuple[int, int]] = [(start, end)] if start is not None and end is not None and start < end else []
    if target is not None and entities:
        marks = ",".join("?" * len(entities))
        wanted += [tuple(r) for r in con.execute(
            f'SELECT m.start, m."end" FROM mentions m JOIN entities e ON e.rid = m.rid WHERE m.doc = ? '
            f"AND m.sentence = ? AND e.id IN ({marks}) ORDER BY m.start", [doc_id, target["idx"], *entities])]
    if text is not None:
        source = "file"
        spans = [(s["idx"], s["start"], s["end"]) for s in sents]
        if target is not None:
            hl["sentence"] = [target["start"], target["end"]]
        hl["mentions"] = [[a, b] for a, b in dict.fromkeys(wanted) if 0 <= a < b <= len(text)]
    else:
        source = "sentences"
        parts, spans, pos, prev_end = [], [], 0, None
        for s in sents:
            if prev_end is not None:
                gap = "\n" if s["start"] - prev_end > 1 or s["kind"] != "body" else ""
                parts.append(gap)
                pos += len(gap)
            spans.append((s["idx"], pos, pos + len(s["text"])))
            if target is not None and s["idx"] == target["idx"]:
                hl["sentence"] = [pos, pos + len(s["text"])]
            for a, b in dict.fromkeys(wanted):
                at = _place(s["text"], s["start"], s["end"], a, b)
                if at is not None:
                    hl["mentions"].append([pos + at[0], pos + at[1]])
            parts.append(s["text"])
            pos += len(s["text"])
            prev_end = s["end"]
        text = "".join(parts)
    offset = 0
    if len(text) > MAX_DOC_CHARS:  # a window around the highlight
        centre = (hl.get("sentence") or (hl["mentions"] or [[0]])[0])[0]
        offset = max(0, min(centre - MAX_DOC_CHARS // 2, len(text) - MAX_DOC_CHARS))
        text = text[offset:offset + MAX_DOC_CHARS]
        if "sentence" in hl:
            hl["sentence"] = [hl["sentence"][0] - offset, hl["sentence"][1] - offset]
        hl["mentions"] = [[a - offset, b - offset] for a, b in hl["mentions"]]
        spans = [(i, a - offset, b - offset) for i, a, b in spans if b > offset and a < offset + MAX_DOC_CHARS]
    return {"document": doc_id, "source": source, "offset": offset, "text": text,
            "sentences": [[i, a, b] for i, a, b in spans], "highlight": hl}


def _place(sent_text: str, s_start: int, s_end: int, start: int, end: int) -> tuple[int, int] | None:
    """Where original [start, end) falls in a cleaned sentence: exact when cleaning removed nothing,
    else the span of the same length nearest to the proportional position."""
    if not s_start <= start < end <= s_end:
        return None
    if s_end - s_start == len(sent_text):
        return start - s_start, end - s_start
    width = end - start
    guess = round((start - s_start) * len(sent_text) / max(s_end - s_start, 1))
    return max(0, min(guess, len(sent_text) - width)), max(0, min(guess, len(sent_text) - width)) + width
