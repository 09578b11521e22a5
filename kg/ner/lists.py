"""Places listed after a street or town: 联盟街道万宏国际、王旗营小区万福里和时光俊园有关区域.

Residential compounds are often named without a suffix (万宏国际, 时光俊园, 万福里): neither the
model nor a suffix rule finds them. In a list that opens right after a sub-county place and holds
at least one compound that was found (王旗营小区), the other items are places too, and so is a
name glued on after a compound (王旗营小区 + 万福里, a lane inside it). Where they sit is
`kg.relations.structure`'s business; this module only tags them.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from kg.ner import segmenter
from kg.ner.lexicon import GENERIC_PARTS, STOP_CHARS, word_class
from kg.text.clean import is_cjk

LIST_HEADS = ("街道", "镇", "乡", "社区")  # a sub-county place a list of compounds may follow
COMPOUNDS = word_class("compound")
SEPARATORS = "、和及与"
# what ends the last item: 时光俊园 | 有关区域, 万宏国际 | 等小区
ITEM_END = re.compile("|".join(word_class("item_end")))
MAX_ITEM = 6
# dictionary parts of speech no name is made of: a verb or a numeral (长行村 | 发生一起山火 is what happened there)
NOT_NAME_TAGS = ("v", "m")

Span4 = tuple[int, int, str, str]


def _item(text: str, pos: int, taken: list[bool], common_words: Collection[str]) -> tuple[int, int] | None:
    """The unnamed list item starting at pos: 2-6 name characters up to a separator or an end word."""
    k = pos
    while k < len(text) and k - pos <= MAX_ITEM and is_cjk(text[k]) and not taken[k] \
            and text[k] not in SEPARATORS and not ITEM_END.match(text, k):
        k += 1
    s = text[pos:k]
    closed = k == len(text) or not is_cjk(text[k]) or text[k] in SEPARATORS or ITEM_END.match(text, k)
    if not closed or not 2 <= len(s) <= MAX_ITEM or s[0] in STOP_CHARS or s in common_words \
            or any(g in s for g in GENERIC_PARTS) or _verb_phrase(text, pos, k):
        return None
    return pos, k


def _verb_phrase(text: str, i: int, j: int) -> bool:
    """text[i:j] ends inside a word of the sentence, or holds a verb or a numeral of two or more
    characters (发生一起山火): what the sentence says happened, not a name."""
    if j not in segmenter.boundaries(text):
        return True
    return any(len(w) >= 2 and segmenter.tag(w).startswith(NOT_NAME_TAGS) for w in segmenter.words(text[i:j]))


def complete_place_lists(text: str, spans: list[Span4], common_words: Collection[str] = frozenset()
                         ) -> list[Span4]:
    """`spans` (merged, non-overlapping) plus the unnamed items of place lists, source `list`."""
    taken = [False] * len(text)
    for i, j, _, _ in spans:
        for k in range(i, j):
            taken[k] = True
    locs = {i: j for i, j, t, _ in spans if t == "LOC"}
    new: list[Span4] = []
    for i, j, t, _ in spans:
        if t != "LOC" or not text[i:j].endswith(LIST_HEADS):
            continue
        pos, items, compounds = j, [], 0
        while pos < len(text):
            if pos in locs:
                end = locs[pos]
                compound = text[pos:end].endswith(COMPOUNDS)
                compounds += compound
                glued = _item(text, end, taken, common_words) if compound else None
                pos = end
                if glued is not None:  # a name glued on after a compound: 王旗营小区万福里
                    items.append(glued)
                    pos = glued[1]
            elif item := _item(text, pos, taken, common_words):
                items.append(item)
                pos = item[1]
            else:
                break
            if pos + 1 < len(text) and text[pos] in SEPARATORS:
                pos += 1
            else:
                break
        if compounds and items:
            new += [(a, b, "LOC", "list") for a, b in items]
    return sorted(spans + new) if new else spans
