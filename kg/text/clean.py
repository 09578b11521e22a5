"""Undo PDF/OCR damage while keeping, for every cleaned character, its original offset.

What OCR does to Chinese newspaper text, and what we undo:
- a line break inside a word (`疫情防控服\n务站`): dropped, the halves join;
- stray spaces between Chinese characters (`该 局党委`): dropped;
- zero-width characters (`李\u200b明`, from scraped pages): dropped;
- full-width Latin letters and digits (`２０２０`): mapped to ASCII, one char for one char;
- half-width punctuation beside Chinese (`防控疫情,党员先行`): mapped to its full-width twin,
  which is what the NER training corpora use.
- Traditional Chinese (`廣州市公安局`): the Simplified view, one char for one char (`kg.text.script`),
  since the model, rules and gazetteer are Simplified; mentions keep the original text.
Spaces that separate names in bylines (`●程威龙 朱梦琦`) carry meaning: `keep_spaces=True`
turns each whitespace run into one space instead of dropping it.

The map is a list `offsets` with `offsets[i]` = original index of cleaned char `i`, so a
cleaned span i:j maps back to `original[offsets[i]:offsets[j-1]+1]`.

    >>> original = "疫情防控服\\n务站 民警,周佰发"
    >>> c = clean(original)
    >>> c.text
    '疫情防控服务站民警，周佰发'
    >>> i = c.text.index("周佰发"); original[c.offsets[i]:c.offsets[i + 2] + 1]
    '周佰发'
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.text.script import is_cjk, simplified

HALF_TO_FULL_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
WHITESPACE = set(" \t\r\n\u3000\u00a0\u2002\u2003\u2009\ufeff")
DECORATIONS = set("●□■▲△★☆◆◇▼")  # bullets OCR keeps from layout; never part of a name
# zero-width space, non-joiner, joiner, word joiner, soft hyphen: invisible, common in scraped pages
# (`李\u200b明`), and they would cut a name in two; dropped with nothing in their place
INVISIBLE = set("\u200b\u200c\u200d\u2060\u00ad")


def is_cjk_punct(ch: str) -> bool:
    o = ord(ch)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFF0F or 0xFF1A <= o <= 0xFF20 or ch in "“”‘’…—·『』「」《》"


def is_wide(ch: str) -> bool:
    """Characters beside which a space is never meaningful."""
    return is_cjk(ch) or is_cjk_punct(ch)


def fold_width(ch: str) -> str:
    """Full-width ASCII letters/digits to ASCII; everything else unchanged (one char for one char)."""
    o = ord(ch)
    if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return chr(o - 0xFEE0)
    return ch


@dataclass
class Cleaned:
    text: str = ""
    offsets: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.text)

    def __add__(self, other: Cleaned) -> Cleaned:
        return Cleaned(self.text + other.text, self.offsets + other.offsets)

    def slice(self, i: int, j: int) -> Cleaned:
        return Cleaned(self.text[i:j], self.offsets[i:j])

    def strip(self) -> Cleaned:
        i, j = 0, len(self.text)
        while i < j and self.text[i] in WHITESPACE:
            i += 1
        while j > i and self.text[j - 1] in WHITESPACE:
            j -= 1
        return self.slice(i, j)


def clean(original: str, start: int = 0, end: int | None = None, keep_spaces: bool = False) -> Cleaned:
    """Clean `original[start:end]`; offsets are into `original`."""
    end = len(original) if end is None else end
    view = simplified(original[start:end])  # Traditional → Simplified, same length: offsets unchanged
    chars: list[str] = []
    offs: list[int] = []
    i = start
    while i < end:
        ch = original[i]
        if ch in INVISIBLE:
            i += 1
            continue
        if ch in WHITESPACE or ch in DECORATIONS:
            j = i
            while j < end and (original[j] in WHITESPACE or original[j] in DECORATIONS or original[j] in INVISIBLE):
                j += 1
            prev = chars[-1] if chars else ""
            nxt = original[j] if j < end else ""
            if prev and nxt:
                wide = is_wide(prev) or is_wide(nxt)
                if keep_spaces and not (is_cjk_punct(prev) or is_cjk_punct(nxt)):
                    chars.append(" ")
                    offs.append(i)
                elif not wide:
                    chars.append(" ")
                    offs.append(i)
            i = j
            continue
        ch = fold_width(view[i - start])
        if ch in HALF_TO_FULL_PUNCT:
            prev = chars[-1] if chars else ""
            nxt = original[i + 1] if i + 1 < end else ""
            if (prev and is_wide(prev)) or (nxt and is_wide(nxt)):
                ch = HALF_TO_FULL_PUNCT[ch]
        chars.append(ch)
        offs.append(i)
        i += 1
    return Cleaned("".join(chars), offs)
