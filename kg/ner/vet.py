"""Checks on the statistical model's spans before they join the rule spans.

A small character model truncates and over-runs names (白城市公安机, 交巡警大队民警, 光俊园). What a
unit or place name must look like is known, so spans are trimmed to it or dropped:
- ORG ends at a unit suffix (trim past it: …大队民警 → …大队), else dropped;
- LOC is an administrative name (short forms only for cities and up), ends with a place
  suffix, or is a place + direction (白城西); else dropped;
- every span loses leading and trailing punctuation (“深圳中院 → 深圳中院);
- PERSON starts with a surname and is 2-4 characters without spaces, and is not a common word
  never seen as a name (向前); two names run together (孙岩白阳) are split; bylines are left to the
  rule layer.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from kg.link.places import Gazetteer
from kg.ner.lexicon import DIRECTIONS, LOC_SUFFIXES, ORG_SUFFIXES, PLACE_ORGS, STOP_CHARS, SURNAMES
from kg.text.clean import is_cjk

ORG_END = re.compile("(?:" + "|".join(map(re.escape, sorted({*ORG_SUFFIXES, *PLACE_ORGS, "中院"}, key=len,
                                                               reverse=True))) + ")")
LOC_END = tuple(LOC_SUFFIXES)


def _is_name_char(c: str) -> bool:
    return is_cjk(c) or c.isalnum()


def _surname_len(s: str) -> int:
    return 2 if s[:2] in SURNAMES else (1 if s[:1] in SURNAMES else 0)


def _starts_with_place(s: str, gaz: Gazetteer) -> bool:
    return any(gaz.lookup(s[:n]) for n in range(2, min(len(s), 9)))


def vet_model_spans(text: str, spans: list[tuple[int, int, str]], kind: str, gaz: Gazetteer,
                    common_words: Collection[str] = frozenset()) -> list[tuple[int, int, str]]:
    out = []
    for i, j, t in spans:
        while i < j and not _is_name_char(text[i]):  # “深圳中院… : quotes and brackets are not part of a name
            i += 1
        while j > i and not _is_name_char(text[j - 1]):
            j -= 1
        s = text[i:j]
        if not s.strip() or any(c.isspace() for c in s):
            continue
        if t == "ORG":
            ends = [m.end() for m in ORG_END.finditer(s)]
            if not ends or ends[-1] < 3:
                continue
            s = s[: ends[-1]]
            # the model's own unit names must start at a place or hold another unit (福州市…, 盘龙分局小坝派出所)
            if _starts_with_place(s, gaz) or len(ends) >= 2:
                out.append((i, i + ends[-1], t))
        elif t == "LOC":
            places = gaz.lookup(s)
            if s in gaz.by_name or (places and any(p.level <= 2 for p in places)) or \
                    (s.endswith(LOC_END) and len(s) >= 3 and s[0] not in STOP_CHARS) or \
                    (s[-1] in DIRECTIONS and gaz.lookup(s[:-1])):
                out.append((i, j, t))
        elif t == "PERSON":
            if kind == "byline" or not all(is_cjk(c) for c in s) or s in common_words:
                continue
            if gaz.lookup(s):  # 邵东 is a place before it is a name
                out.append((i, j, "LOC"))
                continue
            n = _surname_len(s)
            if len(s) == 4 and n == 1 and _surname_len(s[2:]) == 1:
                out += [(i, i + 2, t), (i + 2, j, t)]
            elif n and 2 <= len(s) <= 3 + (n == 2):
                out.append((i, j, t))
        else:
            out.append((i, j, t))
    return out
