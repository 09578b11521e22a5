"""China's administrative divisions (province → prefecture → county) from cpca's adcode table.

Real, maintained data rather than hand lists: each name has a 12-digit adcode whose prefix
encodes its parents (2 digits province, 4 prefecture, 6 county), so the hierarchy is derived,
not typed in. Short forms (白城 for 白城市, 山西 for 山西省) are indexed too.

Places outside China (`World`: 美国, 纽约, 欧洲, 东南亚) come from the Unicode CLDR's Chinese
names of territories, world regions and time-zone cities, as shipped by Babel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

import ahocorasick

from kg.ner.lexicon import word_class
from kg.resources import load_rows, load_words

SUFFIXES = word_class("admin_suffix")  # tried in this order
# County names that are also everyday words (城区 = "the urban districts")
COMMON_WORDS = frozenset({"城区", "郊区", "矿区", "东区", "西区"})
AUTONOMOUS = (("自治县", "县"), ("自治旗", "旗"), ("自治州", "州"))
RENAMED_SUFFIXES = "县市区"  # the county-level names one place has borne (宁乡县, 宁乡市)
MUNICIPALITIES = ("11", "12", "31", "50")  # Beijing, Tianjin, Shanghai, Chongqing: city == province


# CLDR territory codes that name an organisation or nothing real, not a place
NOT_PLACES = frozenset({"EU", "EZ", "UN", "ZZ", "XA", "XB", "QO", "001"})  # 001: 世界, "the world"


class World:
    """Chinese names of countries, world regions and major cities outside China (CLDR via Babel).

    `kind(name)` is "country", "region" or "city" (None for an unknown name). Names the Chinese
    gazetteer holds (上海, 香港, 乌鲁木齐 are time-zone cities too) are left to it."""

    def __init__(self, china: Container[str] = frozenset()) -> None:
        from babel import Locale

        zh = Locale.parse("zh_Hans_CN")
        kinds: dict[str, str] = {}
        for zone in zh.time_zones.values():
            city = zone.get("city")
            if city and city != zh.time_zones.get("Etc/Unknown", {}).get("city"):
                kinds[city] = "city"
        for code, name in zh.territories.items():
            if code not in NOT_PLACES and not code.startswith("Q") and "伪" not in name and "未知" not in name:
                kinds[name] = "region" if code.isdigit() else "country"
        self.kinds = {n: k for n, k in kinds.items() if n not in china and len(n) >= 2 and "（" not in n}

    def kind(self, name: str) -> str | None:
        return self.kinds.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.kinds


@dataclass(frozen=True)
class NameMatch:
    """One name found in a text, read like a `re.Match`."""

    string: str
    a: int
    b: int

    def start(self) -> int:
        return self.a

    def end(self) -> int:
        return self.b

    def group(self) -> str:
        return self.string[self.a:self.b]


class NameFinder:
    """Where any of a set of names occurs in a text: leftmost, longest there, not overlapping (what
    an alternation of the names, longest first, finds), by Aho-Corasick: one pass over the text
    however many names (a regex alternation tries each name at each position)."""

    def __init__(self, names: Iterable[str]) -> None:
        self._automaton = ahocorasick.Automaton()
        for name in names:
            if name:
                self._automaton.add_word(name, len(name))
        self._empty = not len(self._automaton)
        if not self._empty:
            self._automaton.make_automaton()

    def finditer(self, text: str) -> Iterator[NameMatch]:
        if self._empty:
            return
        for last, n in self._automaton.iter_long(text):
            yield NameMatch(text, last + 1 - n, last + 1)


@dataclass(frozen=True)
class Place:
    name: str
    adcode: str
    level: int  # 1 province, 2 prefecture city, 3 county/district

    @property
    def parent_code(self) -> str | None:
        if self.level == 3:
            return self.adcode[:4] + "0" * 8
        if self.level == 2:
            return self.adcode[:2] + "0" * 10
        return None


def short_form(name: str) -> str | None:
    for suf in SUFFIXES:
        if name.endswith(suf) and len(name) - len(suf) >= 2:
            return name[: -len(suf)]
    return None


class Gazetteer:
    """Lookup of administrative names, full and short, with parents."""

    def __init__(self) -> None:
        text = resources.files("cpca").joinpath("resources/adcodes.csv").read_text(encoding="utf-8")
        self.by_code: dict[str, Place] = {}
        self.by_name: dict[str, list[Place]] = {}
        for row in csv.DictReader(io.StringIO(text)):
            code, name = row["adcode"], row["name"]
            if code.endswith("0" * 10):
                level = 1
            elif code.endswith("0" * 8):
                level = 2
            else:
                level = 3
            if name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            p = Place(name, code, level)
            self.by_code[code] = p
            self.by_name.setdefault(name, []).append(p)
        self.short: dict[str, list[Place]] = {}
        for name, places in self.by_name.items():
            s = short_form(name)
            if s and s not in self.by_name:
                self.short.setdefault(s, []).extend(places)
        # a county that became a city or a district keeps its code and its stem (宁乡县 is 宁乡市 since
        # 2017, 琼山市 is 琼山区 since 2002): the other name finds the same place, under its own name
        self.renamed: set[str] = set()
        for name, places in list(self.by_name.items()):
            stem, suffix = name[:-1], name[-1:]
            if len(stem) < 2 or suffix not in RENAMED_SUFFIXES or any(p.level != 3 for p in places):
                continue
            for other in RENAMED_SUFFIXES.replace(suffix, ""):
                alt = stem + other
                if alt not in self.by_name:
                    self.by_name[alt] = [Place(alt, p.adcode, 3) for p in places]
                    self.renamed.add(alt)

        # an autonomous division is written without its peoples (肃北蒙古族自治县 → 肃北县, short 肃北)
        peoples = sorted(load_words("ethnic_groups"), key=len, reverse=True)
        for name, places in list(self.by_name.items()):
            for suffix, plain in AUTONOMOUS:
                if not name.endswith(suffix):
                    continue
                stem = name[: -len(suffix)]
                while people := next((p for p in peoples if stem.endswith(p) and len(stem) - len(p) >= 2), None):
                    stem = stem[: -len(people)]
                if "族" in stem:
                    continue
                alt = stem + plain
                if alt not in self.by_name:
                    self.by_name[alt] = [Place(alt, p.adcode, p.level) for p in places]
                    self.renamed.add(alt)
                if stem not in self.by_name and stem not in self.short:
                    self.short[stem] = list(places)

    @cached_property
    def pattern(self) -> NameFinder:
        """Every full name; names that are also common words (城区 in 城区5个分局, 郊区, 矿区) count
        only after their parent (阳泉市城区, see split_places); a county's other names (宁乡市 for 宁乡县)
        are known where met, not searched for."""
        return NameFinder(n for n in self.by_name if n not in COMMON_WORDS and n not in self.renamed)

    @cached_property
    def short_pattern(self) -> NameFinder:
        """Every short form (白城, 山西)."""
        return NameFinder(self.short)

    @cached_property
    def world(self) -> World:
        """Places outside China, loaded on first use."""
        china = set(self.by_name) | set(self.short)
        return World(china | {n[:-len(suf)] for n in self.by_name for suf in ("特别行政区",) if n.endswith(suf)})

    def lookup(self, name: str) -> list[Place]:
        return self.by_name.get(name) or self.short.get(name) or []

    def full_name(self, name: str, context: set[str] | None = None) -> str | None:
        """Full name of a full or short name; ambiguous short names resolved by places in `context`."""
        cands = self.lookup(name)
        if not cands:
            return None
        if len(cands) > 1:  # 吉林: the province unless the context names the city's parents
            context = context or set()
            # a candidate the context names itself wins (株洲 beside 株洲市 is the city, not 株洲县
            # inside it), of two it names the higher (长沙 beside 长沙市 and 长沙县 is the city); then
            # the one whose parents the context names; then the higher level
            cands = sorted(cands, key=lambda p: (p.name not in context, p.level if p.name in context else 0,
                                                 -sum(a in context for a in self.ancestors(p)), p.level))
        return cands[0].name

    def resolve(self, name: str, context: set[str] | None = None) -> str | None:
        """The full name a place mention stands for, or None where a short form is only a county's
        (天河, 商城) and the context names none of that county's parents: a mountain or a word as likely."""
        if name in self.by_name:
            return self.full_name(name, context)
        cands = self.short.get(name, [])
        if cands and all(p.level >= 3 for p in cands) and \
                not any(a in (context or set()) for p in cands for a in self.ancestors(p)):
            return None
        return self.full_name(name, context)

    def parent(self, p: Place) -> Place | None:
        code = p.parent_code
        while code:
            par = self.by_code.get(code)
            if par is not None:
                return par
            if code.endswith("0" * 10):
                return None
            code = code[:2] + "0" * 10
        return None

    def ancestors(self, p: Place) -> list[str]:
        out, cur = [], self.parent(p)
        while cur is not None:
            out.append(cur.name)
            cur = self.parent(cur)
        return out

    def level(self, name: str) -> int:
        cands = self.lookup(name)
        return cands[0].level if cands else 0

    def rank(self, name: str) -> int:
        """How high a place sits: 1 province, 2 prefecture, 3 county, 4 township, 5 village, 6 anything
        below or beside the divisions (a road, a venue, a compound); 0 a world region. The gazetteer's
        level where it knows the name, else the level its suffix names (`place_levels.tsv`): 肃北县 is a
        county and 马鬃山镇 a township though neither is in the table, 旅游区 and 超市 are no division."""
        if level := self.level(name):
            return level
        kind = self.world.kind(name)
        if kind is not None:
            return {"region": 0, "country": 1}.get(kind, 2)
        for suffix, level in _SUFFIX_LEVELS:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                return level
        return 6


# longest suffix first, so 旅游区 is read before 区
_SUFFIX_LEVELS = sorted(((s, int(n)) for s, n in load_rows("place_levels")), key=lambda r: -len(r[0]))
