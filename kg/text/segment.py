"""Split a page into blocks, articles and sentences, each cleaned and mapped to original offsets.

A page extraction is blocks separated by blank lines. A block is:
- furniture (`第3版`, `第(205)期`): dropped;
- a byline (`本报记者 王莹`, `●程威龙 朱梦琦`, `文/刘琼 邱宇松`) or photo caption (`… 李欣哲摄`):
  cleaned with spaces kept, since spaces separate the names;
- a heading: a short single line that does not end a sentence;
- body text, which may continue across a blank line when the block ends mid-sentence.
A new article starts at the run of headings just before a byline, so that several articles on
one page (seed 002) get their own context for resolving `市公安局` and friends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.resources import load_rows
from kg.text.clean import Cleaned, clean
from kg.text.script import simplified
from kg.types import Document, Sentence

BLANK_LINE = re.compile(r"\n[ \t\r\u3000]*\n")
FURNITURE = re.compile(r"^\s*(第\s*[（(]?\s*\d+\s*[)）]?\s*[版期]|\d{1,3}|[-—]\s*\d+\s*[-—]|警界)\s*$")
_MARKS = {"-": "", "：": r"\s*[:：]", "／": r"\s*[/／]"}
_ROLES = sorted(load_rows("byline_roles"), key=lambda r: -len(r[0]))  # longest first: 本报记者 before 记者
BYLINE = re.compile("|".join(re.escape(role) + _MARKS[mark] for role, mark in _ROLES) + r"|^\s*[●□■]\s*\S")
# a byline is names and roles: a clause mark says the block is a sentence that speaks of a reporter
# (彩民张捷（化名）日前向记者投诉称，) or one that ends on the reporter's note (…联系。（记者：钟欣）); an ASCII
# ? or ! in a byline is mostly a character the page lost (每经记者何?发自北京), so it says nothing
CLAUSE_MARKS = re.compile(r"[，,；;。！？]")
CAPTION_CREDIT = re.compile(r"[\s　]\S{2,4}\s*摄\s*$")
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+")
SENTENCE_END = "。！？!?…"
CLOSERS = "”’」』）)\"'"
MAX_SENTENCE = 300  # longer runs are split at commas: the NER model was trained on short sentences


@dataclass
class Block:
    kind: str  # body | heading | byline | furniture
    cleaned: Cleaned
    lines: int


def _blocks(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for m in BLANK_LINE.finditer(text):
        spans.append((pos, m.start()))
        pos = m.end()
    spans.append((pos, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


def _headlines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A block whose first lines are a headline run straight on by a dateline or a paragraph written on
    one line (包固公路发生…事故 / 包头晚报讯（记者贾荣）12月26日…): the headline lines apart, so no sentence
    glues title and story. Hard-wrapped text (lines of one width, seed pages) is left whole."""
    from kg.ner.dateline import DATELINE_RE

    lines, pos = [], start
    for ln in text[start:end].split("\n"):
        lines.append((pos, pos + len(ln)))
        pos += len(ln) + 1
    for k in range(1, len(lines)):
        a, b = lines[k]
        line = simplified(text[a:b]).strip()
        if DATELINE_RE.match(line) or len(line) > 40:
            heads = [text[x:y].strip() for x, y in lines[:k]]
            if all(0 < len(h) <= 40 and not any(c in h for c in SENTENCE_END + "，,；;") for h in heads):
                return [*lines[:k], (a, end)]
            break
    return [(start, end)]


def _classify(text: str, start: int, end: int) -> Block:
    raw = simplified(text[start:end])  # bylines and credits of Traditional text match the patterns too
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    if len(lines) == 1 and FURNITURE.match(raw):
        return Block("furniture", Cleaned(), 1)
    md = MARKDOWN_HEADING.match(raw)
    if md:
        return Block("heading", clean(text, start + md.end(), end).strip(), 1)
    short = len(raw.strip()) <= 40
    if short and (BYLINE.search(raw) and not CLAUSE_MARKS.search(raw) or CAPTION_CREDIT.search(raw)) \
            and not raw.rstrip().endswith("。"):
        return Block("byline", clean(text, start, end, keep_spaces=True).strip(), len(lines))
    cleaned = clean(text, start, end).strip()
    if CAPTION_CREDIT.search(raw):  # a photo caption: keep the credit's space so the name stands apart
        cleaned = clean(text, start, end, keep_spaces=True).strip()
    ends_sentence = cleaned.text[-1:] in SENTENCE_END + CLOSERS + "；;" if cleaned.text else True
    if len(lines) == 1 and len(cleaned) <= 30 and not ends_sentence and "，" not in cleaned.text:
        return Block("heading", cleaned, 1)
    return Block("body", cleaned, len(lines))


def _continues(block: Block) -> bool:
    """A body block that stops mid-sentence (a page column break) runs on into the next block."""
    t = block.cleaned.text
    if block.kind != "body" or not t:
        return False
    if t.count("“") > t.count("”"):
        return True
    return t[-1] not in SENTENCE_END + CLOSERS + "；;：:"


def _split_sentences(c: Cleaned) -> list[Cleaned]:
    out, start, i, t = [], 0, 0, c.text
    while i < len(t):
        if t[i] in SENTENCE_END:
            j = i + 1
            while j < len(t) and (t[j] in SENTENCE_END or t[j] in CLOSERS):
                j += 1
            out.append(c.slice(start, j))
            start = i = j
            continue
        i += 1
    if start < len(t):
        out.append(c.slice(start, len(t)))
    result = []
    for s in out:
        while len(s) > MAX_SENTENCE:
            cut = max(s.text.rfind("，", 0, MAX_SENTENCE), s.text.rfind("；", 0, MAX_SENTENCE))
            cut = cut + 1 if cut > 0 else MAX_SENTENCE
            result.append(s.slice(0, cut))
            s = s.slice(cut, len(s))
        result.append(s)
    return [s.strip() for s in result if s.text.strip()]


def segment(doc: Document) -> list[Sentence]:
    """Sentences of `doc` in reading order, with article numbers and kinds."""
    blocks = [_classify(doc.text, s, e) for b, c in _blocks(doc.text) for s, e in _headlines(doc.text, b, c)]
    blocks = [b for b in blocks if b.kind != "furniture" and b.cleaned.text]
    # article boundaries: the heading run before each byline opens an article
    article_of = [0] * len(blocks)
    starts = set()
    for k, b in enumerate(blocks):
        if b.kind == "byline":
            j = k
            while j > 0 and blocks[j - 1].kind in ("heading", "byline"):
                j -= 1
            if j > 0 and any(x.kind == "body" for x in blocks[:j]):
                starts.add(j)
    art = 0
    for k in range(len(blocks)):
        if k in starts:
            art += 1
        article_of[k] = art
    sentences: list[Sentence] = []
    pending: Cleaned | None = None
    pending_art = 0

    def emit(c: Cleaned, kind: str, article: int) -> None:
        parts = _split_sentences(c) if kind == "body" else [c]
        for p in parts:
            sentences.append(Sentence(doc_id=doc.id, index=len(sentences), text=p.text, offsets=p.offsets,
                                      article=article, kind=kind))

    for k, b in enumerate(blocks):
        if b.kind == "body":
            pending = b.cleaned if pending is None else pending + b.cleaned
            pending_art = article_of[k] if pending is b.cleaned else pending_art
            if not _continues(b):
                emit(pending, "body", pending_art)
                pending = None
            continue
        if pending is not None and b.kind == "heading" and k + 1 < len(blocks) and blocks[k + 1].kind == "body" \
                and len(b.cleaned) > 20:
            pending = pending + b.cleaned  # a long "heading" inside an unfinished sentence is its tail
            continue
        if pending is not None:
            emit(pending, "body", pending_art)
            pending = None
        emit(b.cleaned, b.kind, article_of[k])
    if pending is not None:
        emit(pending, "body", pending_art)
    return sentences
