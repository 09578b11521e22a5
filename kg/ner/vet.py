"""Checks on the statistical model's spans before they join the rule spans.

The model is the first source of names: a span is kept unless there is positive evidence that
it is wrong, and trimmed where the grammar of names knows the boundary better. Evidence used:
- impossible shapes: one character (中, 美: abbreviations, not names; but a surname alone
  after 老/小 or before a title, 老吴, 江主席, is a person), whitespace inside, a
  bracket left open (杜葵(柯达公司…), a person name holding digits or Latin letters;
- common words: a PERSON that the lexicon knows only as a word (向前, 盛赞), a LOC or ORG that
  People's Daily writes as a plain word and never as a name (大陆, 两岸, 十五大); generic
  unit words alone (公司, 派出所, 公安机关);
- an organisation that has no organisation's shape (see `_org_span`);
- implausible places: two characters that no gazetteer or lexicon knows (微博);
- a title read into a person's name (劳模吴 → 吴, a surname alone);
- the wrong type: a "person" that is a known place (邵东, 俄罗斯), an "organisation" named like a
  place (银川南检查站) become LOCs.
Boundaries: leading and trailing punctuation goes (“深圳中院 → 深圳中院); a unit name over-running
into a title stops at its unit suffix (…交巡警大队民警 → …交巡警大队); a byline's reporter loses
the verb after the name (记者温宪报道 → 温宪), a photo credit its 摄. Bylines themselves are left
to the rule layer.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from kg.link.names import is_local_unit, leading_place
from kg.link.places import Gazetteer
from kg.ner.gazetteer import TYPES, _rows, fold_bit
from kg.ner.lexicon import (
    FIRMS,
    GENERIC_ORGS,
    GENERIC_PARTS,
    LOC_SUFFIXES,
    LODGINGS,
    NATIONAL_UNITS,
    ORG_HEADS,
    PLACE_ORGS,
    ROLE_RE,
    STOP_CHARS,
    SURNAMES,
    UNIT_SUFFIXES,
    alternation,
    word_class,
)
from kg.ner.segmenter import NAME_TAGS, between, boundaries, is_common_word, tag
from kg.text.clean import is_cjk

# 工业区内一棉花厂, 新村的一家纸品厂: "a factory in/of" a place, no unit's name
UNNAMED_UNIT = re.compile(r"[内里的]一[家个所座间]?")
ORG_END = re.compile(alternation((*UNIT_SUFFIXES, *PLACE_ORGS)))
ORG_HEAD = re.compile("(?:" + "|".join(map(re.escape, ORG_HEADS)) + ")$")
# what a department inside an organisation is called (…国际部, …管理学院, …教研室)
SUB_UNITS = word_class("sub_unit")
BRACKETS = {"(": ")", "（": "）", "《": "》", "“": "”", "「": "」", "[": "]", "【": "】"}
CLOSERS = {v: k for k, v in BRACKETS.items()}
NUMERALS = set("〇零一二三四五六七八九十百千")
NAME_DOTS = "·—-•・‧"
OWN_LEVELS = frozenset("省市县区")  # 省人民医院: the province the article is about (kg.link.names.RELATIVE_HEADS)
INSTITUTIONS = word_class("institution")  # what joins the parts of a foreign name in Chinese text (埃尔南·巴尔加斯, 汤姆-克鲁斯)


@dataclass(frozen=True)
class Words:
    """What the model's lexicon (its training material: People's Daily and MSRA) knows about strings.

    `plain`: written as plain words in People's Daily and never as a name of any type (大陆, 十五大,
    武警). The lexicon's bit 1 marks People's Daily/CLUENER entries, the others MSRA's, whose
    convention tags 地球 or 东北 as places: a word there that no name entry shares is not a name.
    `orgs`: seen as an organisation's name (新华社, 国务院, 联合国); `settled`: seen so in both halves
    (folds) of MSRA, not once (央行, 欧盟; not 联盟). `pairs`: every two-character entry."""

    plain: frozenset[str] = frozenset()
    orgs: frozenset[str] = frozenset()
    settled: frozenset[str] = frozenset()
    pairs: frozenset[str] = frozenset()

    @classmethod
    def load(cls, path: Path) -> Words:
        word, org = TYPES.index("WORD"), TYPES.index("ORG")
        plain, orgs, settled, pairs = set(), set(), set(), set()
        for s, masks in _rows(path):
            if len(s) == 2:
                pairs.add(s)
            if masks[word] & 1 and not any(m & 1 for k, m in enumerate(masks) if k != word):
                plain.add(s)
            if masks[org]:
                orgs.add(s)
            if masks[org] & (fold_bit(0) | fold_bit(1)) == fold_bit(0) | fold_bit(1):
                settled.add(s)
        return cls(frozenset(plain), frozenset(orgs), frozenset(settled), frozenset(pairs))


def _is_name_char(c: str) -> bool:
    return is_cjk(c) or c.isalnum()


def _close_brackets(s: str, i: int, j: int) -> tuple[int, int]:
    """Cut a span at a bracket it opens or closes without its partner: 杜葵(柯达公司 → 杜葵."""
    for k in range(i, j):
        c = s[k]
        if c in BRACKETS and BRACKETS[c] not in s[k:j]:
            return i, k
        if c in CLOSERS and CLOSERS[c] not in s[i:k]:
            return k + 1, j
    return i, j


def _trim(text: str, i: int, j: int) -> tuple[int, int]:
    while i < j and not _is_name_char(text[i]):  # “深圳中院… : quotes and brackets are not part of a name
        i += 1
    while j > i and not _is_name_char(text[j - 1]):
        j -= 1
    a, b = _close_brackets(text, i, j)
    if (a, b) != (i, j):
        return _trim(text, a, b)
    return i, j


def _addressed(text: str, i: int, j: int) -> bool:
    """A surname alone that names someone: 老吴, 小冯, 江主席, 王大夫 (as People's Daily tags it)."""
    return j - i == 1 and text[i] in SURNAMES and (text[i - 1:i] in ("老", "小") or bool(ROLE_RE.match(text, j)))


def _person_end(text: str, i: int, j: int) -> int:
    """A reporter's name before 报道 (记者温宪报道) and a photographer's before 摄 lose the verb."""
    if j - i >= 3 and text[j - 1] == "报" and text[j:j + 1] == "道":
        return j - 1
    if j - i >= 3 and text[j - 1] == "摄" and (j == len(text) or not is_cjk(text[j])):
        return j - 1
    return j


def _brand(text: str, i: int, j: int, words: Words) -> int | None:
    """Where a firm named by a brand starts (苹果公司, 腾讯公司, 光大银行), or None: the name is one
    dictionary word, or its stem before 公司/集团/银行 is on the sentence's words and no common word
    (两家公司, 该银行 are not); a word People's Daily writes plain opening it is a verb (加盟腾讯公司)."""
    s = text[i:j]
    firm = next((f for f in FIRMS if s.endswith(f)), "")
    if not firm or len(s) - len(firm) < 2:
        return None
    if tag(s):
        return i
    bounds = boundaries(text)
    stem_end = max(between(text, i + 1, j - len(firm)), default=j - len(firm))  # …黑龙江|分公司
    first = next((k for k in sorted(bounds) if i < k < stem_end - 1), None)
    if first is not None and text[i:first] in words.plain:
        i = first
    ok = i in bounds and stem_end in bounds and not is_common_word(text[i:stem_end])
    return i if ok else None


def _org_span(text: str, i: int, j: int, gaz: Gazetteer, words: Words) -> tuple[int, int] | None:
    """The model's organisation span, trimmed to its unit name, or None where it names no organisation.

    Kept: a name the lexicon knows as an organisation (新华社); a unit chain the grammar of police
    units accepts (a place then a unit suffix, or two unit suffixes: 盘龙分局小坝派出所); a longer name
    that opens with a place (中国人民解放军, 美国国防部) or ends with an organisation's head word and
    does not need a place to identify it (中国航空运动协会). Dropped: generic words (公司, 武警), short
    unknown strings (审管办: an abbreviation the text alone does not resolve), a local unit word
    after a bare name part (法警支队), which the rule layer reads when a place is there."""
    s = text[i:j]
    m = ROLE_RE.search(s)
    ends = [e.end() for e in ORG_END.finditer(s, 0, m.start() if m else len(s))]
    if ends and ends[-1] < len(s) and s not in words.orgs and (m and m.start() == ends[-1] or (
            s[ends[-1]] in STOP_CHARS or not s.endswith(SUB_UNITS) or s.endswith("团队"))):
        j = i + ends[-1]  # …分局辅警司正中, …公安局值班, …公安局在疫情防控服务站: the unit ends at its
        s = text[i:j]  # suffix, unless a department of it follows (人民日报国际部, 清华大学经济管理学院)
    # an abbreviation (jieba's j) that MSRA tags as an organisation throughout is a name People's Daily
    # merely writes plain (央行, 欧盟, 美联储), not a common word; a numbered meeting (十五大) is none
    abbreviation = tag(s) == "j" and s in words.settled and not any(c.isdigit() or c in NUMERALS for c in s)
    if len(s) < 2 or s in words.plain and tag(s) not in ("nt", "nz") and not abbreviation or s in GENERIC_ORGS or (
            ORG_END.fullmatch(s) and s not in NATIONAL_UNITS):
        return None  # 武警, 公司, 派出所 alone: no unit is named (国民党, 三星: plain in People's Daily, names in jieba's)
    if s in words.orgs or len(ends) >= 2:
        return i, j
    placed = leading_place(s, gaz) is not None
    if ends:
        if placed or not is_local_unit(s):
            return i, j
        if s[0] in OWN_LEVELS and s.endswith(INSTITUTIONS) and len(s) >= 4 and i + 1 in boundaries(text):
            return i, j  # 省|人民医院: the hospital of the article's own province (not 县|农业局: a department)
        start = _brand(text, i, j, words)
        return None if start is None else (start, j)
    if s.startswith(tuple(GENERIC_PARTS)):
        return None  # 临时党支部, 有关部门
    if len(s) >= 4 and (placed or ORG_HEAD.search(s)):
        return i, j
    # no suffix to go by: the model's name stands where the dictionary names it too (央行, 银监会, 曼联;
    # not an abbreviation the text alone does not resolve, 审管办), on the sentence's words, and not a place
    bounds = boundaries(text)
    named = tag(s) in NAME_TAGS and any(is_cjk(c) for c in s) and not gaz.lookup(s) and s not in gaz.world
    return (i, j) if named and i in bounds and j in bounds else None


def vet_model_spans(text: str, spans: list[tuple[int, int, str]], kind: str, gaz: Gazetteer,
                    common_words: Collection[str] = frozenset(), words: Words | None = None
                    ) -> list[tuple[int, int, str]]:
    """`common_words`: words never seen as a person; `words`: what the lexicon knows (see `Words`)."""
    words = words or Words()
    out = []
    for i0, j0, t in spans:
        i, j = _trim(text, i0, j0)
        s = text[i:j]
        if len(s) < 2 and not (t == "PERSON" and _addressed(text, i, j)) or any(c.isspace() for c in s):
            continue
        if t == "ORG" and (i, j) != (i0, j0) and gaz.world.kind(s) in ("country", "region"):
            out.append((i, j, "LOC"))  # 智利《信使报》 cut at its bracket: what is left is a country
        elif t == "ORG" and s.endswith((*LOC_SUFFIXES, *LODGINGS)) and not ORG_END.search(s):
            out.append((i, j, "LOC"))  # 银川南检查站, 芙蓉宾馆: a place's name, whatever the model's label
        elif t == "LOC" and s.endswith(FIRMS) and len(s) >= 4:
            out.append((i, j, "ORG"))  # 五金电工批发商店: a firm
        elif t == "ORG" and (k := UNNAMED_UNIT.search(s)) and k.start() >= 2:
            if s[:k.start()].endswith(LOC_SUFFIXES):
                out.append((i, i + k.start(), "LOC"))  # 胪厦工业区|内一棉花厂: a place, then a unit it does not name
        elif t == "ORG" and s[0] in STOP_CHARS and s not in words.orgs and i + 1 in boundaries(text):
            continue  # 驻|车管所: a function word opens no organisation's name (住房|公积金…, 全国|人大…: no function word)
        elif t == "ORG":
            kept = _org_span(text, i, j, gaz, words)
            if kept:
                out.append((*kept, t))
        elif t == "LOC":
            known = bool(gaz.lookup(s)) or s in gaz.world
            if s in PLACE_ORGS or s in GENERIC_ORGS:
                continue  # 公安(边防): the police, not 公安县
            if s in words.plain and not known:
                continue  # 大陆, 两岸, 东北: words, not names of places
            if len(s) == 2 and not known and words.pairs and s not in words.pairs:
                continue  # a two-character "place" no gazetteer or lexicon holds: mostly a misread (微博, 北路)
            out.append((i, j, t))
        elif t == "PERSON":
            if kind == "byline":
                continue
            if gaz.lookup(s) or gaz.world.kind(s) in ("country", "region"):  # 邵东, 俄罗斯: places first
                out.append((i, j, "LOC"))
                continue
            role = ROLE_RE.match(text, i, j)
            if role:  # 劳模吴贱安 read as 劳模吴: the title is no part of the name
                i = role.end()
                if j - i < 2 and not _addressed(text, i, j):
                    continue
            j = _person_end(text, i, j)
            if j - i == 3 and text[i - 1:i] in ("老", "小") and text[i + 1:j] in common_words:
                j = i + 1  # 小王文明纠章: 小王, then the word 文明
            s = text[i:j]
            if not all(is_cjk(c) or c in NAME_DOTS for c in s) or not (is_cjk(s[0]) and is_cjk(s[-1])) or \
                    s in common_words:
                continue  # no Latin letters or digits; 索尔-坎贝尔, 约瑟夫•马洛德•威廉: a foreign name's dot written otherwise
            if len(s) == 3 and i not in boundaries(text) and is_common_word(s[1:]):
                continue  # 酬|谢围观: a "surname" cut from a word, then a word (围观) for the given name
            out.append((i, j, t))  # runs of names (孙岩白阳) were split by the component (kg.ner.names)
        else:
            out.append((i, j, t))
    return out
