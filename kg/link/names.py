"""How Chinese unit and place names are built, taken apart, and completed from context.

`split_units("福州市公安局仓山分局三义街派出所")` → ["福州市公安局", "福州市公安局仓山分局", "福州市公安局仓山分局三义街派出所"]:
each prefix closed by a unit suffix is itself a unit, and the chain gives PART_OF.
`split_places("洮北区东风乡")` → ["洮北区", "东风乡"]: components of a compound place, which give
LOCATED_IN, with a facility named after a place and a direction kept whole (白城东疫情防控服务站).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from kg.link.places import Gazetteer
from kg.ner.lexicon import (
    ANON_SUFFIXES,
    AREA_WORDS,
    DIRECTIONS,
    INTERNAL_UNITS,
    LOC_SUFFIX_RE,
    UNIT_SUFFIX_RE,
    UNIT_SUFFIXES,
    word_class,
)
from kg.ner.segmenter import boundaries, words
from kg.resources import alternatives, load_words

RELATIVE_HEADS = ("市", "县", "区", "省", "州", "局", "本", "该", "我", "各")  # 市委, 本局: the article's own
# a branch of a city's police named by its kind alone (交警支队, 治安大队): the bureau's, in its article
POLICE_KINDS = word_class("police_kind")
POLICE_BRANCH = re.compile(f"(?:{'|'.join(POLICE_KINDS)})(?:{alternatives('branch_head')})")
# a direction and a road or street word: what follows a road's name (中山北路, 解放东街, 人民南大街)
ROAD_AFTER = re.compile(f"[{''.join(sorted(DIRECTIONS))}中]大?(?:{alternatives('road_word')})")
SCENE_END = re.compile("(?:" + "|".join(map(re.escape, sorted(load_words("scene_heads"), key=len, reverse=True)))
                       + r")$|[0-9０-９](?:公里|千米)处$")
_NUMBERED = alternatives("numbered_road")
NUMBERED_ROAD = re.compile(f"(?:{_NUMBERED})[0-9０-９]+线?|[0-9０-９]+(?:{_NUMBERED})")
GENERIC_ROADS = frozenset(word_class("generic_road", "pattern_words"))
# a highway's grade, which a shorter mention of it leaves out (包固一级公路, 包固公路)
ROAD_GRADE = re.compile("[一二三]级(?=公路$)")
# what joins the two roads of a crossing (A与B交叉路口)
CROSSING_JOINS = frozenset(word_class("crossing_join", "pattern_words"))
# the road a scene is on, named first (勤俭东路|铁路立交桥, 京港澳高速|17.5公里处): a stem and a road word
_ROAD_WORDS = "|".join(sorted(
    {*word_class("generic_road", "pattern_words"), *word_class("road_suffix", "pattern_words")}, key=len, reverse=True))
_SCENE_ROADS = tuple(re.compile(f"[\u4e00-\u9fff]{{{k}}}(?:{_ROAD_WORDS})") for k in range(2, 9))
FACILITY_HEADS = word_class("facility_head")  # 白城东 + 服务站, 许昌北 + 站


@dataclass
class Context:
    """What `市`, `省` and `局` refer to in one article."""

    city: str | None = None  # full name, e.g. 白城市
    province: str | None = None
    places: frozenset[str] = frozenset()  # full names of places mentioned in the article


def split_units(name: str) -> list[str]:
    """Prefixes of `name` that end with a unit suffix, shortest first, ending with `name` itself."""
    cuts = []
    for m in UNIT_SUFFIX_RE.finditer(name):
        if m.end() < len(name) and (name[m.end()] == "长" or m.group() == "大学"):
            continue  # 大队长 is a title; a university's hospital is named as one
        cuts.append(m.end())
    prefixes = [name[:c] for c in cuts if c < len(name)]
    # a prefix that is only a suffix word (党委 in 局党委) is not a unit of its own
    prefixes = [p for p in prefixes if not UNIT_SUFFIX_RE.fullmatch(p)]
    return [*prefixes, name]


def is_local_unit(name: str) -> bool:
    """A unit name that needs its place to identify it (市中区大队, 人民医院, 支队党委), as opposed to the
    name of one national body, agency or party (新华社, 国务院, 联合国, 公安部)."""
    return name != "公安部" and (name.endswith(UNIT_SUFFIXES) or name.startswith(RELATIVE_HEADS))


def leading_place(name: str, gaz: Gazetteer, short_level: int = 2) -> tuple[str, str] | None:
    """(surface, full name) of the administrative place `name` starts with, longest first; a country,
    region or city outside China (`gaz.world`) counts too.

    Short forms count only up to `short_level` (cities): county short forms (公安 for 公安县,
    东风 for 东风区) are too often ordinary words.
    """
    for n in range(min(len(name), 9), 1, -1):
        w = name[:n]
        if w in gaz.by_name or w in gaz.world:
            return w, w
        for p in gaz.short.get(w, []):
            if p.level <= short_level:
                return w, p.name
    return None


def strip_higher_places(name: str, gaz: Gazetteer) -> str:
    """福建省福州市公安局 → 福州市公安局: drop leading places while another place follows."""
    while True:
        lead = leading_place(name, gaz)
        if not lead:
            return name
        rest = name[len(lead[0]):]
        if leading_place(rest, gaz) and len(rest) > 2:
            name = rest
        else:
            return name


def split_places(name: str, gaz: Gazetteer) -> list[str]:
    """Components of a compound place name, outermost first. A scene (kg.ner.rules: a road or place and
    a facility head, 勤俭东路铁路立交桥, 包固一级公路与固察路交叉路口) is one place after the administrative
    places written in full before it (通州区 | …路口), after the road it is on where its name opens with
    one (勤俭东路 | 勤俭东路铁路立交桥: the scene's name holds the road's, see `nested_parts`)."""
    if SCENE_END.search(name):
        road = NUMBERED_ROAD.match(name)
        if road and road.end() < len(name) and name[road.end()] not in "与和":
            return [road.group(), *split_places(name[road.end():], gaz)]  # 国道324线 | 集美坂头路段
        parts, rest = [], name
        while (lead := leading_place(rest, gaz, short_level=0)) and len(rest) > len(lead[0]) and lead[0] == lead[1]:
            parts.append(lead[0])
            rest = rest[len(lead[0]):]
        road = scene_road(rest)
        head = SCENE_END.search(rest)
        if road and head and road.end() < head.start() \
                and road.group() not in GENERIC_ROADS and not gaz.lookup(road.group()):
            # the road, then the scene on it (nested: the scene's name holds it); a head right after the
            # road (九江路路口, 香山路段) names the road's own crossing or stretch, one place
            parts.append(road.group())
        return [*parts, rest]
    parts: list[str] = []
    i, buf_start = 0, 0
    while i < len(name):
        lead = leading_place(name[i:], gaz) if i == buf_start else None
        if lead and (LOC_SUFFIX_RE.fullmatch(name, i + len(lead[0])) or ROAD_AFTER.match(name, i + len(lead[0]))):
            lead = None  # 东风 + 乡, 中山 + 北路: a name part before a suffix, not a place of its own
        if lead and lead[0] in gaz.world and not leading_place(name[i + len(lead[0]):], gaz):
            lead = None  # 约旦 | 河西岸, 巴西 | 利亚: a foreign name opens a compound only before another place
        if lead:
            parts.append(name[i:i + len(lead[0])])
            i += len(lead[0])
            buf_start = i
            continue
        m = LOC_SUFFIX_RE.match(name, i)
        if m and i > buf_start:
            parts.append(name[buf_start:m.end()])
            i = m.end()
            buf_start = i
            continue
        i += 1
    if buf_start < len(name):
        parts.append(name[buf_start:])
    # a bare road word before a facility (高速公路 + 白城东疫情防控服务站) names no place of its own
    while len(parts) > 1 and parts[0] in GENERIC_ROADS:
        parts = parts[1:]
    # a facility named by place + direction (白城 + 东疫情防控服务站, 白城 + 西) stays one name
    out: list[str] = []
    for p in parts:
        if out and p[:1] in DIRECTIONS and gaz.lookup(out[-1]) and (p[1:].startswith(FACILITY_HEADS) or len(p) == 1):
            out.append(out.pop() + p)
            continue
        if out and LOC_SUFFIX_RE.fullmatch(p) and not gaz.lookup(out[-1]):
            out.append(out.pop() + p)  # 明珠花园 + 小区
            continue
        out.append(p)
    return [p for p in out if p]


def expand_org(form: str, ctx: Context, gaz: Gazetteer, recent_bureau: str | None,
               recent_station: str | None = None) -> str:
    """Complete a short unit name from its article: 市公安局 → 白城市公安局, 局党委 → 洮南市公安局党委,
    派出所党支部 → 仓前派出所党支部 (the station last named)."""
    if form.startswith("派出所") and len(form) > 3 and recent_station:
        return recent_station + form[3:]
    if form.startswith("市") and ctx.city and not form.startswith(AREA_WORDS):
        rest = form[1:]
        if rest.startswith("局"):
            rest = "公安" + rest
        return ctx.city + rest
    if form.startswith(("县", "区")) and form[1:2] == "局" and recent_bureau:
        return recent_bureau + form[2:]
    if form.startswith("省") and ctx.province:
        rest = form[1:]
        if rest == "厅" or rest.startswith("厅"):
            rest = "公安" + rest
        return ctx.province + rest
    if (form in INTERNAL_UNITS or POLICE_BRANCH.fullmatch(form)) and recent_bureau:  # 交警支队 of the bureau
        return recent_bureau + form
    if form.startswith("局") and recent_bureau:
        return recent_bureau + form[1:]
    if form.startswith("公安局") and len(form) > 3 and recent_bureau:  # 公安局党委书记 in a bureau's article
        return recent_bureau + form[3:]
    m = re.match(r"(.+?)中院(.*)$", form)
    if m and gaz.lookup(m.group(1)):
        return (gaz.full_name(m.group(1), set(ctx.places)) or m.group(1)) + "中级人民法院" + m.group(2)
    if form == "中院" and ctx.city:
        return ctx.city + "中级人民法院"
    return strip_higher_places(form, gaz)


PARTY = "中共"  # 中共湖南省委 and 湖南省委 are one body
AREA_TAILS = ("片区", "地区", "一带", "周边")
NAMED_PLACE_SUFFIXES = word_class("named_place_suffix")


def suffixed_place(name: str, names: set[str]) -> str | None:
    """The place a bare or area-word form stands for, where the document names exactly one place
    that is the same stem with a place suffix: 王旗营 and 沙埔头片区 are 王旗营小区 and 沙埔头社区."""
    stem = name[: -len(tail)] if (tail := next((t for t in AREA_TAILS if name.endswith(t)), "")) else name
    if len(stem) < 2 or LOC_SUFFIX_RE.search(stem[-1:]) and not tail:
        return None
    cands = {stem + s for s in NAMED_PLACE_SUFFIXES if stem + s != name and stem + s in names}  # not every pair
    return cands.pop() if len(cands) == 1 else None


def addressed_person(form: str, names: Iterable[str] | Mapping[str, int]) -> str | None:
    """The one full name a surname used alone stands for in a document: 王 (小王, 王大夫) is 王志勇
    where 王志勇 is the only 王 the document names, or (`names` with mention counts) the 王 named
    more often than all other 王 together; None where there is no such name."""
    sur = form[1:] if len(form) == 2 and form[0] in "老小" else form
    if len(sur) != 1:
        return None
    cands = {n for n in names if len(n) >= 2 and n.startswith(sur) and not n.endswith(ANON_SUFFIXES)}
    if len(cands) > 1 and isinstance(names, Mapping):  # the one named more often than all others together
        top = max(cands, key=lambda n: (names[n], n))
        return top if names[top] > sum(names[n] for n in cands) - names[top] else None
    return cands.pop() if len(cands) == 1 else None


PREFIX_KEY = 9  # UnitNames buckets names by each of their first 2..9 characters (the longest place head)


def _prefix_keys(name: str) -> range:
    return range(2, min(len(name), PREFIX_KEY) + 1)


class UnitNames:
    """A document's unit names, indexed so that `fuller` finds the one unit a short name stands for
    by looking up its tail, its head and its closing word, not by comparing it with every name of
    the document (quadratic in a document's length before: issue 23)."""

    def __init__(self, names: set[str], gaz: Gazetteer) -> None:
        self.names, self.gaz = names, gaz
        self.by_tail: dict[str, set[str]] = {}  # 尚志派出所 → 道里区尚志派出所: a chain prefix or a place + it
        self.police: dict[tuple[str, str], list[str]] = {}  # (head, 交警支队) → names closed by a police branch
        self.single: dict[str, list[str]] = {}  # head → single-unit names, reversed and sorted (by ending)
        for n in names:
            chain = split_units(n)
            heads = {*chain[:-1], *(n[:k] for k in range(2, min(len(n) - 1, PREFIX_KEY) + 1)
                                    if (lead := leading_place(n[:k], gaz)) and lead[0] == n[:k])}
            for head in heads:
                self.by_tail.setdefault(n[len(head):], set()).add(n)
            if (m := POLICE_BRANCH.search(n)) and m.end() == len(n):
                for k in _prefix_keys(n):
                    self.police.setdefault((n[:k], m.group()), []).append(n)
            if len(chain) == 1:
                for k in _prefix_keys(n):
                    self.single.setdefault(n[:k], []).append(n[::-1])
        for group in self.single.values():
            group.sort()
        self.branch_words = {word for _, word in self.police}

    def _single(self, prefix: str, ending: str) -> Iterable[str]:
        """Single-unit names sharing `prefix`'s first nine characters (all names if it is shorter than
        two) that end with `ending`: one bisected range."""
        if len(prefix) < 2:
            yield from (n for n in self.names if n.endswith(ending) and len(split_units(n)) == 1)
            return
        group, key = self.single.get(prefix[:PREFIX_KEY], []), ending[::-1]
        for i in range(bisect.bisect_left(group, key), len(group)):
            if not group[i].startswith(key):
                break
            yield group[i][::-1]

    def fuller(self, name: str) -> str | None:
        """A short name of a unit that the document names in full: 深圳法院 is the one unit of 深圳 with the
        same head word (深圳市中级人民法院), 湖南省委 is 中共湖南省委, 绥北派出所 is 绥北公安边防派出所 (the
        one longer unit of the same name and kind holding its characters in order); None where there is
        none or several."""
        names, gaz = self.names, self.gaz
        if PARTY + name in names:
            return PARTY + name
        tails = self.by_tail.get(name, ()) if len(name) >= 4 else ()
        if len(tails) == 1:  # 衡阳市支队 of 武警湖南总队衡阳市支队, 尚志派出所 of 道里区尚志派出所
            return next(iter(tails))
        lead = leading_place(name, gaz)
        word = name[len(lead[0]):] if lead else ""
        cands: set[str] = set()
        if lead and word in POLICE_KINDS:  # 济南交警: the city's traffic police unit, where the document names it
            for head in (lead[0], lead[1]):
                for branch in self.branch_words:
                    if branch.startswith(word):
                        found = self.police.get((head[:PREFIX_KEY], branch), ()) if len(head) >= 2 else (
                            n for n in names if (m := POLICE_BRANCH.search(n)) and m.end() == len(n)
                            and m.group() == branch)
                        cands.update(n for n in found if n.startswith(head))
        elif lead and len(word) >= 2 and (UNIT_SUFFIX_RE.search(word) or word.endswith("法院")):
            for head in (lead[0], lead[1]):
                for n in self._single(head, word):
                    if n != name and len(n) > len(name) and n.startswith(head):
                        cands.add(n)
                        if len(cands) > 1:
                            return None
        else:
            suffix = UNIT_SUFFIX_RE.search(name)
            if suffix is None or suffix.end() != len(name) or suffix.start() < 2 or len(split_units(name)) > 1:
                return None
            for n in self._single(name[:2], suffix.group()):
                if len(n) > len(name) and _in_order(name, n):
                    cands.add(n)
                    if len(cands) > 1:
                        return None
        return cands.pop() if len(cands) == 1 else None


def _in_order(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def scene_road(scene: str, pos: int = 0) -> re.Match | None:
    """The road named at `pos` of a scene (勤俭东路|铁路立交桥, 京港澳高速|17.5公里处): the shortest stem and
    road word that ends where a word does (新桥街道 is a subdistrict: no 新桥街) and holds no join of
    two roads (南外环与高速路: two roads, no one road's name)."""
    cuts, joins, at = boundaries(scene), [], 0
    for w in words(scene):
        if w in CROSSING_JOINS:
            joins.append(at)
        at += len(w)
    for pattern in _SCENE_ROADS:
        road = pattern.match(scene, pos)
        if road and road.end() in cuts and not any(pos <= j < road.end() for j in joins):
            return road
    return None


def nested_parts(parts: list[str]) -> list[bool]:
    """For each part of `split_places`, whether the next part's name holds it (a road and the scene on
    it) rather than follows it (洮北区 | 东风乡). Only a scene holds a part: a place written twice, short then
    in full (北京 | 北京市, an address's habit), is two parts in a row."""
    return [k + 1 < len(parts) and parts[k + 1].startswith(p) and SCENE_END.search(parts[k + 1]) is not None
            for k, p in enumerate(parts)]


def crossed_road(scene: str) -> tuple[int, str] | None:
    """(offset, name) of the second road of a crossing named by two (包固一级公路与固察路交叉路口 → 固察路):
    a place of its own, which the crossing is no more in than in the first."""
    first, head = scene_road(scene), SCENE_END.search(scene)
    if first is None or head is None or scene[first.end():first.end() + 1] not in CROSSING_JOINS:
        return None
    road = scene_road(scene, first.end() + 1)
    if road is None or road.end() > head.start() or road.group() in GENERIC_ROADS:
        return None
    return road.start(), road.group()
