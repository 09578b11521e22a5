"""HanLP as the NER engine: a shipped/local model directory or any HanLP pretrained identifier.

`HanLPTagger(model).tag(texts)` returns, per text, `(start, end, type)` spans in that text's own
character coordinates (end exclusive) with type in PERSON/ORG/LOC/DATE. HanLP is imported and
the model loaded on the first `tag` call, so building a pipeline stays cheap until it is used.

Single-task NER components want a list of characters (a plain string would be read as one
token); multi-task (MTL) models want the string and report entities in token offsets of their
own tokenizer, which `mtl_spans` maps back to characters. Texts longer than `max_len` are cut
into chunks (at sentence or clause punctuation when possible; overlapping where a hard cut is
unavoidable) whose offsets are shifted back.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from kg.errors import ModelError

Span = tuple[int, int, str]

# Whatever the model emits → the project's types. Unlisted labels (MISC, INTEGER, ...) are dropped.
TYPE_MAP = {
    "PER": "PERSON", "PERSON": "PERSON", "NR": "PERSON", "NRF": "PERSON", "NAME": "PERSON",
    "LOC": "LOC", "LOCATION": "LOC", "NS": "LOC", "GPE": "LOC", "ADDRESS": "LOC",
    "ORG": "ORG", "ORGANIZATION": "ORG", "NT": "ORG", "COMPANY": "ORG", "GOVERNMENT": "ORG",
    "DATE": "DATE", "T": "DATE",
}

_BREAK_STRONG = "。！？!?；;\n"
_BREAK_WEAK = "，,、：:）)」』”"


def map_type(label: str) -> str | None:
    return TYPE_MAP.get(str(label).upper())


def resolve_model(model: str) -> tuple[str, str]:
    """(location for hanlp.load, kind) with kind "mtl" or "ner", without downloading anything.

    Accepts a local model directory, a constant name from hanlp.pretrained.ner/mtl, a value of
    hanlp.pretrained.ALL, or a URL.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        cfg = path / "config.json"
        classpath = json.loads(cfg.read_text(encoding="utf-8")).get("classpath", "") if cfg.exists() else ""
        return str(path), "mtl" if "MultiTaskLearning" in classpath else "ner"
    import hanlp.pretrained.mtl as mtl
    import hanlp.pretrained.ner as ner

    for module, kind in ((mtl, "mtl"), (ner, "ner")):
        url = getattr(module, model, None)
        if isinstance(url, str) and model.isupper():
            return url, kind
    if re.match(r"^(https?|file)://", model) or model.endswith(".zip"):
        return model, "mtl" if "/mtl/" in model else "ner"
    raise ValueError(
        f"unknown NER model {model!r}: give a model directory, a URL, or a name from "
        "hanlp.pretrained.ner / hanlp.pretrained.mtl (e.g. MSRA_NER_ELECTRA_SMALL_ZH)")


def chunk_text(text: str, max_len: int, overlap: int = 32) -> list[tuple[int, int]]:
    """Cut `text` into [start, end) pieces of at most max_len characters, preferring punctuation.

    Where no punctuation allows a cut, the next piece starts `overlap` characters early, so a
    name that straddles the cut is seen whole by one piece (`owned` says which piece keeps what).
    """
    overlap = max(0, min(overlap, max_len // 4))
    pieces: list[tuple[int, int]] = []
    start, n = 0, len(text)
    while n - start > max_len:
        window = text[start:start + max_len]
        cut = max((window.rfind(c) for c in _BREAK_STRONG), default=-1)
        if cut < max_len // 2:
            cut = max(cut, max((window.rfind(c) for c in _BREAK_WEAK), default=-1))
        if cut >= max_len // 4:
            end = start + cut + 1
            pieces.append((start, end))
            start = end
        else:  # hard cut
            end = start + max_len
            pieces.append((start, end))
            start = end - overlap
    if start < n:
        pieces.append((start, n))
    return pieces


def owned(pieces: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Per piece, the [from, to) range of span starts it answers for: overlaps are split midway."""
    bounds = [0]
    for (_, prev_end), (start, _) in zip(pieces, pieces[1:], strict=False):
        bounds.append((start + prev_end) // 2 if start < prev_end else start)
    bounds.append(pieces[-1][1] if pieces else 0)
    return list(zip(bounds, bounds[1:], strict=False))


def component_spans(entities: list[Any], length: int) -> list[Span]:
    """HanLP NER output `(text, label, begin, end)` on characters → project spans."""
    out: list[Span] = []
    for ent in entities or []:
        _, label, b, e = ent[:4]
        t = map_type(label)
        if t and 0 <= b < e <= length:
            out.append((int(b), int(e), t))
    return out


def mtl_spans(text: str, tokens: list[str], entities: list[Any]) -> list[Span]:
    """MTL NER output (token offsets into `tokens`) → character spans in `text`."""
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for tok in tokens:
        i = text.find(tok, pos)
        if i < 0:  # the tokenizer normalised this token; keep it at the current position
            i = pos
        starts.append(i)
        ends.append(min(len(text), i + len(tok)))
        pos = ends[-1]
    out: list[Span] = []
    for ent in entities or []:
        _, label, b, e = ent[:4]
        t = map_type(label)
        if t and 0 <= b < e <= len(tokens):
            out.append((starts[b], ends[e - 1], t))
    return out


class HanLPTagger:
    """A Tagger (kg.ner.engine) backed by one HanLP component; no global state."""

    def __init__(self, model: str, max_len: int = 400) -> None:
        self.model = str(model)
        self.max_len = max_len
        self.location, self.kind = resolve_model(self.model)
        self._component = None
        self._ner_task: str | None = None
        self._tok_task: str | None = None
        self._normalize = False

    def component(self):
        """The loaded HanLP component (loaded on first use), e.g. to change its config."""
        if self._component is None:
            from kg.ner.hanlp_compat import apply

            apply()
            import hanlp

            try:
                comp = hanlp.load(self.location, verbose=False)
            except Exception as err:  # HanLP raises anything from URLError to KeyError on a bad model
                where = "" if self.location == self.model else f" ({self.location})"
                hint = (" HanLP fetches its published models from its file server; without network access "
                        "pass a model folder (--model DIR), or leave --model out for the shipped model."
                        if self.location.startswith(("http:", "https:")) else "")
                raise ModelError(f"cannot load NER model {self.model}{where}: "
                                 f"{type(err).__name__}: {str(err)[:300]}.{hint}") from err
            classpath = str(getattr(comp, "config", {}).get("classpath", ""))
            self._normalize = classpath.startswith("kg.")  # our models saw normalize_text at training
            if self.kind == "mtl":
                names = list(comp.tasks.keys())
                ner = [n for n in names if n.startswith("ner")]
                if not ner:
                    raise ValueError(f"{self.model}: this multi-task model has no ner task ({names})")
                self._ner_task = "ner/msra" if "ner/msra" in ner else ner[0]
                tok = [n for n in names if n.startswith("tok")]
                self._tok_task = "tok/fine" if "tok/fine" in tok else (tok[0] if tok else None)
            self._component = comp
        return self._component

    def tag(self, texts: list[str], batch_size: int = 64) -> list[list[Span]]:
        results: list[list[Span]] = [[] for _ in texts]
        jobs: list[tuple[int, int, str, tuple[int, int]]] = []  # (text index, offset, chunk, owned)
        for k, text in enumerate(texts):
            if not text or not text.strip():
                continue
            pieces = chunk_text(text, self.max_len)
            for (s, e), own in zip(pieces, owned(pieces), strict=True):
                if text[s:e].strip():
                    jobs.append((k, s, text[s:e], own))
        if not jobs:
            return results
        comp = self.component()
        chunks = [c for _, _, c, _ in jobs]
        if self.kind == "mtl":
            doc = comp(chunks, tasks=[self._ner_task])  # the tokenizer task runs as a dependency
            tok_key = next((k for k in (self._tok_task, *doc.keys()) if k and k.startswith("tok") and k in doc), None)
            toks = doc[tok_key] if tok_key else [list(c) for c in chunks]
            found = [mtl_spans(c, t, ents) for c, t, ents in zip(chunks, toks, doc[self._ner_task], strict=True)]
        else:
            if self._normalize:
                from kg.ner.corpora import normalize_text

                inputs = [normalize_text(c) for c in chunks]
            else:
                inputs = [list(c) for c in chunks]
            outputs = comp(inputs, batch_size=batch_size)
            found = [component_spans(o, len(c)) for o, c in zip(outputs, chunks, strict=True)]
        for (k, offset, _, (lo, hi)), spans in zip(jobs, found, strict=True):
            results[k].extend((offset + b, offset + e, t) for b, e, t in spans if lo <= offset + b < hi)
        return [sorted(set(r)) for r in results]
