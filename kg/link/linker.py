"""Mentions → entities: one node per real thing, with a stable id.

Rules (documented in the README, "How mentions become entities"):
- Context is the article, not the file: `市公安局` is completed with the article's city (the
  city its text names most), `省厅` with its province, `局党委` with the bureau last named.
- A unit name is a chain (福州市公安局 / 仓山分局 / 三义街派出所); every prefix is a unit, and a short
  form that is the tail of a longer name in the same document (三义街派出所) is that unit.
- Places resolve through the administrative gazetteer (白城 → 白城市); a compound place
  (洮北区东风乡) is split into its parts, the full form kept as an alias of the innermost part.
- People: within a document a name that extends another by one character (李峻 / 李峻葵) is one
  person. Across documents people are merged by evidence afterwards (`kg.relations.people`: one
  node per name unless their local units conflict). Partly anonymised names (白某, 熊女士) are
  flagged and never merged across documents.
- Dates are per document, keyed by their ISO date where the text fixes it (`kg.ner.dates`: 今天 and
  1月21日 are one node), else by their month-day core, so `截至3月30日` and `3月30日` are one date.
- Ids are hashes of the entity's key (type + canonical name, + document where the name alone
  is not unique), so rebuilding gives the same ids and adding a document adds, never duplicates.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kg.link.names import (
    FACILITY_HEADS,
    ROAD_GRADE,
    Context,
    UnitNames,
    addressed_person,
    crossed_road,
    expand_org,
    is_local_unit,
    leading_place,
    nested_parts,
    split_places,
    split_units,
    suffixed_place,
)
from kg.link.places import Gazetteer
from kg.ner.dateline import find_dateline
from kg.ner.dates import ArticleDates, DateBase, DateResolver, core_date, names_its_day, parse_iso_day
from kg.ner.lexicon import (
    ANON_SUFFIXES,
    DIRECTIONS,
    GENERIC_PARTS,
    LOC_SUFFIX_RE,
    LOC_SUFFIXES,
    ORG_SUFFIXES,
    PLACE_ORGS,
    alternation,
    word_class,
)
from kg.resources import alternatives
from kg.types import Document, Entity, Evidence, Mention, Sentence

MAX_CONTEXT_UNIT = 48  # characters in a unit name that completes later short forms (局党委 → …公安局党委)
FESTIVALS = word_class("festival")


YEAR_RE = re.compile(r"(20\d\d|19\d\d)年")
# the unit (place) word closing a name, anchored: `_fuller` takes the longest (中院 is no word of a chain)
UNIT_WORD_RE = re.compile(f"(?:{alternation(ORG_SUFFIXES)})$")
PLACE_WORD_RE = re.compile(f"(?:{LOC_SUFFIX_RE.pattern})$")
BRANCH_RE = re.compile(f"(.{{4,}}?)(?:{alternatives('branch_suffix')})$")
FACILITY_RE = re.compile(f"([\u4e00-\u9fff]{{2,4}}?)[{''.join(sorted(DIRECTIONS))}](?:{'|'.join(FACILITY_HEADS)})")
BRAND_RE = re.compile(alternatives("brand_word"))
SUB_COUNTY_RE = re.compile(f"([\u4e00-\u9fff]{{2,4}}?)(?:{alternatives('sub_county_suffix')})")


def entity_id(kind: str, key: tuple) -> str:
    digest = hashlib.sha1("\x1f".join(key).encode("utf-8")).hexdigest()[:16]  # 64 bits: collisions stay unlikely past 10M entities
    return f"{kind.lower()}-{digest}"


TIME_OF_DAY = re.compile(f"[日号]((?:{alternatives('day_part')})?"
                         r"(?:[0-9０-９零一二三四五六七八九十两]+[时点:：][0-9０-９零一二三四五六七八九十半分]*)?)")


def time_of_day(date: str) -> str:
    """The time of day a date names after its day (下午, 14时21分), '' for a day alone."""
    m = TIME_OF_DAY.search(date)
    return m.group(1) if m else ""


@dataclass
class _Registry:
    """Entities under construction, by key."""

    entities: dict[tuple, Entity] = field(default_factory=dict)
    local_places: dict[tuple[str, str], Entity] = field(default_factory=dict)  # (document, bare name) → first place
    remembered: set[str] = field(default_factory=set)  # ids of the places `remember_local` took: once each

    def get(self, kind: str, key: tuple, name: str) -> Entity:
        e = self.entities.get(key)
        if e is None:
            e = Entity(id=entity_id(kind, key), name=name, type=kind)
            self.entities[key] = e
        return e

    def remember_local(self, e: Entity, doc_id: str, name: str) -> None:
        """The first place a document calls `name`: later bare mentions of `name` there are it."""
        if e.id not in self.remembered:
            self.remembered.add(e.id)
            self.local_places.setdefault((doc_id, name), e)

    @staticmethod
    def alias(e: Entity, form: str) -> None:
        if form and form != e.name and form not in e.aliases:
            e.aliases.append(form)


def _is_subsequence(short: str, long: str) -> bool:
    if long.startswith(short):  # the common case (a chain and its prefix), at C speed
        return True
    it = iter(long)
    return all(c in it for c in short)


@dataclass
class _NameIndex:
    """A document's unit (or place) names by their closing word, each group sorted, so the names
    that start with a prefix are one bisected range: `_fuller` looks at the few that share a head
    instead of scanning every name (quadratic in a document's length before)."""

    groups: dict[str, list[str]] = field(default_factory=dict)  # closing word → names ending with it

    @classmethod
    def of(cls, names: Iterable[str], words: Iterable[str]) -> _NameIndex:
        vocabulary = {w for w in words if len(w) >= 2}
        lengths = sorted({len(w) for w in vocabulary})
        index = cls()
        for m in names:
            for k in lengths:
                if m[-k:] in vocabulary:
                    index.groups.setdefault(m[-k:], []).append(m)
        for group in index.groups.values():
            group.sort()
        return index

    def starting(self, prefix: str, word: str) -> list[str]:
        """The names ending with `word` that start with `prefix`, in sorted order."""
        group = self.groups.get(word, [])
        out = []
        for i in range(bisect.bisect_left(group, prefix), len(group)):
            if not group[i].startswith(prefix):
                break
            out.append(group[i])
        return out


def _fuller_name(name: str, names: set[str] | _NameIndex) -> str | None:
    """The fuller name a unit's shortened name leaves words out of, within one document: 深圳中院突击队
    and 深圳中院抗疫突击队 are 深圳中院沙埔头社区抗疫突击队. Both names share their head (the same parent
    unit before, the same unit word after); taken only when every such fuller name nests in the longest."""
    head = split_units(name)
    if len(head) < 2:
        return None
    return _fuller(name, names, head[-2], UNIT_WORD_RE)


def _fuller_place(name: str, names: set[str] | _NameIndex) -> str | None:
    """The same for facilities: 银川南检查站 is 银川南出口疫情防控检查站 when the document names it."""
    return _fuller(name, names, name[:2], PLACE_WORD_RE)


def _fuller(name: str, names: set[str] | _NameIndex, prefix: str, words: re.Pattern) -> str | None:
    word = words.search(name)
    if word is None or len(word.group()) < 2:
        return None
    index = names if isinstance(names, _NameIndex) else _NameIndex.of(names, [word.group()])
    cands = sorted((m for m in index.starting(prefix, word.group()) if len(m) > len(name)
                    and _is_subsequence(name, m)), key=lambda m: (len(m), m))
    if cands and all(_is_subsequence(c, cands[-1]) for c in cands):
        return cands[-1]
    return None


def _kept(entities: list[Entity], by_id: dict[str, Entity]) -> list[Entity]:
    """The entities a document yields: those it mentions or names in a unit's name, and every place
    or unit their edges point at. A place named only inside another name (金溪县 in 中国人民银行江西
    金溪县支行, 唐山 in 唐山南站) has no mention of its own, yet the branch is LOCATED_IN it: it is
    kept as an entity of the edge's document, so no relation points at an id the build dropped."""
    kept = {e.id for e in entities if e.mentions or e.attrs.get("documents")}
    todo = [e for e in entities if e.id in kept]
    while todo:
        for parent_id, _relation, ev, _inferred in todo.pop().parents:
            if parent_id not in kept:
                parent = by_id[parent_id]
                parent.attrs["documents"] = sorted({*parent.attrs.get("documents", []), ev.doc_id})
                kept.add(parent_id)
                todo.append(parent)
    return [e for e in entities if e.id in kept]


def _edge(child: Entity, parent: Entity, relation: str, ev: Evidence, inferred: bool = False) -> None:
    if child is parent:
        return
    edges = child.parents
    if all(p[0] != parent.id or p[1] != relation for p in edges):
        edges.append((parent.id, relation, ev, inferred))


@dataclass
class Linker:
    gazetteer: Gazetteer = field(default_factory=Gazetteer)
    dates: DateResolver = field(default_factory=DateResolver)

    # -- context ---------------------------------------------------------------------------------
    def contexts(self, sentences: list[Sentence]) -> dict[int, Context]:
        """City and province of each article, from the places its sentences name."""
        gaz = self.gazetteer
        per_article: dict[int, Counter] = defaultdict(Counter)
        for s in sentences:
            for m in gaz.pattern.finditer(s.text):
                per_article[s.article][m.group()] += 1
            for m in gaz.short_pattern.finditer(s.text):
                full = gaz.full_name(m.group())
                if full and gaz.level(full) <= 2:
                    per_article[s.article][full] += 1
        doc_counts: Counter = sum(per_article.values(), Counter())
        out = {}
        for art in {s.article for s in sentences}:
            counts = per_article.get(art) or doc_counts
            out[art] = self._context(counts if any(gaz.level(n) == 2 for n in counts) else doc_counts)
        return out

    def _context(self, counts: Counter) -> Context:
        gaz = self.gazetteer
        cities = [(n, c) for n, c in counts.most_common() if gaz.level(n) == 2]
        provinces = [(n, c) for n, c in counts.most_common() if gaz.level(n) == 1]
        city = cities[0][0] if cities else None
        province = provinces[0][0] if provinces else None
        if city and not province:
            anc = gaz.ancestors(gaz.lookup(city)[0])
            province = anc[-1] if anc else None
        return Context(city=city, province=province, places=frozenset(counts))

    # -- linking ---------------------------------------------------------------------------------
    def link(self, documents: list[Document], sentences: list[Sentence], mentions: list[Mention]
             ) -> list[Entity]:
        reg = _Registry()
        by_doc_sents: dict[str, list[Sentence]] = defaultdict(list)
        for s in sentences:
            by_doc_sents[s.doc_id].append(s)
        by_doc_mentions: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            by_doc_mentions[m.doc_id].append(m)
        derived: list[Mention] = []
        for doc in documents:
            sents = by_doc_sents[doc.id]
            derived += self._link_document(doc, sents, by_doc_mentions[doc.id], reg)
        mentions.extend(derived)
        entities = list(reg.entities.values())
        by_id = {e.id: e for e in entities}
        for m in mentions:
            if m.entity_id in by_id:
                by_id[m.entity_id].mentions.append(m)
        return _kept(entities, by_id)

    def _link_document(self, doc: Document, sents: list[Sentence], mentions: list[Mention], reg: _Registry
                       ) -> list[Mention]:
        gaz = self.gazetteer
        ctx = self.contexts(sents)
        sent_of = {s.index: s for s in sents}
        years = {int(y) for y in YEAR_RE.findall(doc.text)}
        year = years.pop() if len(years) == 1 else None
        article_dates = self._date_bases(doc, sents, year)
        mentions.sort(key=lambda m: (m.sentence, m.sent_start))

        def evidence(m: Mention) -> Evidence:
            s = sent_of[m.sentence]
            return Evidence(doc.id, s.index, s.start, s.end, s.text)

        # pass 1: full unit names of every ORG mention, in reading order (局党委 needs the last bureau)
        recent_bureau: dict[int, str | None] = defaultdict(lambda: None)
        recent_station: dict[int, str | None] = defaultdict(lambda: None)
        last_bureau_doc: str | None = None
        expanded: dict[int, str] = {}
        for k, m in enumerate(mentions):
            if m.type != "ORG":
                continue
            c = ctx.get(m.article) or Context()
            full = expand_org(m.norm, c, gaz, recent_bureau[m.article] or last_bureau_doc, recent_station[m.article])
            expanded[k] = full
            for unit in split_units(full):
                if len(unit) > MAX_CONTEXT_UNIT:
                    break  # no real bureau is this long (公安局×800): completing names with it would chain on
                if unit.endswith("公安局"):
                    recent_bureau[m.article] = last_bureau_doc = unit
                elif unit.endswith("派出所") and len(unit) > 3:
                    recent_station[m.article] = unit
        names = set()
        for full in expanded.values():
            names.update(split_units(full))
        alias_of = self._org_aliases(names)

        places = {p for m in mentions if m.type == "LOC" for p in (m.norm, split_places(m.norm, gaz)[-1])}
        place_index = _NameIndex.of(places, LOC_SUFFIXES)
        place_fuller = {n: f for n in sorted(places)
                        if (f := _fuller_place(n, place_index) or suffixed_place(n, places))}

        # pass 2: entities
        derived: list[Mention] = []
        person_counts = Counter(m.norm for m in mentions if m.type == "PERSON")
        person_forms = sorted(person_counts, key=len, reverse=True)
        day_times: dict[str, dict[str, str]] = {}  # a day's ISO key → its times of day → their node keys
        person_canon = {}
        one_more: dict[str, list[str]] = defaultdict(list)  # 李峻 → [李峻葵]: forms one character longer
        for g in person_forms:
            one_more[g[:-1]].append(g)
        for f in person_forms:
            longer = one_more.get(f, []) if len(f) >= 2 and not f.endswith(ANON_SUFFIXES) else []
            if not longer:
                person_canon[f] = person_canon.get(f, f)
            elif person_counts[longer[0]] >= person_counts[f]:
                person_canon[f] = person_canon.get(longer[0], longer[0])  # 李峻 → 李峻葵: the fuller name
            else:
                person_canon[longer[0]] = person_canon[f] = f  # 李义立(即) is 李义 misread
        full_names = Counter()
        for f in person_forms:
            if len(f) >= 2:
                full_names[person_canon[f]] += person_counts[f]
        for f in person_forms:
            if len(f) == 1 and (full := addressed_person(f, full_names)):
                person_canon[f] = full  # 小王 … 王志勇: the only 王 of the document
        for k, m in enumerate(mentions):
            ev = evidence(m)
            if m.type == "PERSON":
                name = person_canon.get(m.norm, m.norm)
                e = reg.get("PERSON", ("PERSON", doc.id, name), name)
                reg.alias(e, m.norm)
                if name.endswith(ANON_SUFFIXES) or len(name) == 1:  # a surname alone names no one for sure
                    e.attrs["anonymized"] = True
                m.entity_id = e.id
            elif m.type == "ORG":
                full = alias_of.get(expanded[k], expanded[k])
                chain = split_units(full)
                prev = None
                for unit in chain:
                    unit = alias_of.get(unit, unit)
                    e = self._org(unit, doc, reg)
                    if doc.id not in e.attrs.setdefault("documents", []):
                        e.attrs["documents"].append(doc.id)
                    if prev is not None:
                        _edge(e, prev, "PART_OF", ev)
                    prev = e
                reg.alias(prev, m.norm)
                m.entity_id = prev.id
                derived += self._org_places(m, chain, sent_of[m.sentence], ctx.get(m.article) or Context(), doc, reg, ev)
            elif m.type == "LOC":
                e, parts = self._loc(m, sent_of[m.sentence], ctx.get(m.article) or Context(), doc, reg, ev,
                                     place_fuller.get(m.norm))
                m.entity_id = e.id
                derived += parts
            elif m.type == "DATE":
                core = core_date(m.norm)
                fest = next((f for f in FESTIVALS if f in m.norm), None)
                ranged = bool(re.search(r"[日号时晚午点](?:至|到|—|~)|至今", m.norm))
                iso = article_dates.setdefault(m.article, ArticleDates(DateBase(year=year), self.dates)).to_iso(m.norm)
                day = parse_iso_day(iso or "")
                # a date the text fixes is one node however written (今天 = 1月21日, 1997年以来 = 1997年);
                # festivals and times of a relative day (当晚十一时) stay their own
                by_iso = iso and "/" not in iso and not ranged and not fest and (not day or names_its_day(m.norm))
                key = iso if by_iso else m.norm if ranged else (core or fest or m.norm)
                if (by_iso or not ranged and not fest and key == core) and (clock := time_of_day(m.norm)):
                    # two times of one day are two dates (14时21分许, 下午: GUIDELINES, the surface text);
                    # the day alone, and the first time named, share one node (4月1日15时 … 4月1日)
                    times = day_times.setdefault(key, {})
                    key = times.setdefault(clock, key if not times else f"{key} {clock}")
                e = reg.get("DATE", ("DATE", doc.id, key), m.norm)
                if len(m.norm) > len(e.name):
                    reg.alias(e, e.name)
                    e.name = m.norm
                    e.aliases = [a for a in e.aliases if a != m.norm]
                else:
                    reg.alias(e, m.norm)
                if core and not ranged:
                    reg.alias(e, core)
                bare = re.sub(r"^(?:自|从|截至|截止到?)", "", m.norm)
                reg.alias(e, bare)  # 自2020年1月1日至今 is also cited as 2020年1月1日至今
                if iso:
                    e.attrs["iso"] = iso
                m.entity_id = e.id
        return derived

    def _date_bases(self, doc: Document, sents: list[Sentence], year: int | None) -> dict[int, ArticleDates]:
        """The day each article is written from: its dateline (新华社北京１月９日电), its year taken from
        the document's date; else the document's date. `year`: the only year the document writes."""
        doc_day = parse_iso_day(doc.date)
        out: dict[int, DateBase] = {}
        dated: set[int] = set()  # articles whose dateline was found: the first one counts
        for s in sents:
            out.setdefault(s.article, DateBase(doc_day, year))
            if s.article not in dated and (line := find_dateline(s.text)) is not None:
                day = parse_iso_day(self.dates.to_iso(line.date, DateBase(doc_day, year)) or "")
                if day is not None:
                    out[s.article] = DateBase(day, year)
                    dated.add(s.article)
        return {article: ArticleDates(base, self.dates) for article, base in out.items()}

    def _org_aliases(self, names: set[str]) -> dict[str, str]:
        """Short unit names → the longer name they abbreviate in this document.

        Linear in the names' total length: the longer names are found through indexes (by the tail
        left after a chain prefix; by closing word and head), not by comparing every pair.
        """
        gaz = self.gazetteer
        by_tail: dict[str, list[str]] = defaultdict(list)  # 小坝派出所 → names that are a chain prefix + it
        for m in names:
            for p in split_units(m)[:-1]:
                if len(m) - len(p) >= 4:
                    by_tail[m[len(p):]].append(m)
        unit_index = _NameIndex.of(names, ORG_SUFFIXES)
        units = UnitNames(names, gaz)
        out = {}
        for n in sorted(names):  # sorted: the same aliases whatever the hash seed
            stem = n
            lead = leading_place(n, gaz)
            if lead and n[len(lead[0]):] and not n[len(lead[0]):].startswith(PLACE_ORGS):
                stem = n[len(lead[0]):]  # 昆明小坝派出所 → 小坝派出所
            cands = [m for m in by_tail.get(stem, ()) if m != n
                     # a city holds its districts' units; a district does not hold another's (东区治安大队
                     # is not 芙蓉分局治安大队)
                     and (stem == n or lead[0] in m or lead[1] in m or gaz.level(lead[1]) <= 2)
                     and not UNIT_WORD_RE.fullmatch(stem)] if len(stem) >= 4 else []  # 长沙市治安大队: the city's own
            if cands:
                out[n] = max(cands, key=lambda c: (len(c), c))
                continue
            for suffix in PLACE_ORGS:  # 福州公安 → 福州市公安局, when the document names that bureau
                if n.endswith(suffix) and lead and n == lead[0] + suffix:
                    target = lead[1] + "公安局"
                    if target in names:
                        out[n] = target
            if n not in out and (longer := _fuller_name(n, unit_index) or units.fuller(n)):
                out[n] = longer
        return out

    def _org(self, name: str, doc: Document, reg: _Registry) -> Entity:
        lead = leading_place(name, self.gazetteer)
        key = ("ORG", name) if lead or not is_local_unit(name) else ("ORG", doc.id, name)
        return reg.get("ORG", key, name)

    def _org_places(self, m: Mention, chain: list[str], sent: Sentence, ctx: Context, doc: Document, reg: _Registry,
                    ev: Evidence) -> list[Mention]:
        """Places a unit is named after: 福建省福州市公安局 names 福建省 and 福州市 (LOCATED_IN each other);
        after such a place, streets, communities, townships and villages in the name count too."""
        gaz = self.gazetteer
        out: list[Mention] = []
        pos, prev = 0, None
        text = m.norm
        if text.endswith(("报", "网")):
            return out  # a newspaper's or a news site's title (吉林日报, 厦门网) names a readership, not a place
        while True:
            lead = leading_place(text[pos:], gaz, short_level=2)
            if lead and lead[0] in gaz.world and BRAND_RE.search(text):
                lead = None  # a company named after a country (中国人寿…) is a brand, not that country's body
            sub = SUB_COUNTY_RE.match(text, pos) if prev is not None and not lead else None
            if lead and pos + len(lead[0]) < len(text):
                surface, full = lead
                place = reg.get("LOC", ("LOC", full), full)
            elif sub and sub.end() < len(text) and sub.group(1) not in GENERIC_PARTS:
                # below the county, once the name is anchored: 福田区 南园街道 沙埔头社区 …; the same
                # place named bare elsewhere in this document is this place
                surface = sub.group()
                place = reg.local_places.get((doc.id, surface)) or reg.get("LOC", ("LOC", prev.name, surface), surface)
                reg.remember_local(place, doc.id, surface)
            else:
                break
            reg.alias(place, surface)
            if prev is not None:
                _edge(place, prev, "LOCATED_IN", ev)
            i = m.sent_start + pos
            start, end = sent.span(i, i + len(surface))
            out.append(Mention(doc.id, m.sentence, start, end, doc.text[start:end], "LOC", norm=surface,
                               source="name", article=m.article, sent_start=i, entity_id=place.id))
            prev = place
            pos += len(surface)
        if prev is not None:
            top = self._org(chain[0], doc, reg)
            if chain[0].startswith(prev.name) or any(chain[0].startswith(a) for a in prev.aliases):
                _edge(top, prev, "LOCATED_IN", ev)
        elif branch := BRANCH_RE.match(chain[-1]):
            # a company's branch named after its place (中国人寿保险有限公司白城分公司) is in that place
            head = branch.group(1)
            for k in range(max(0, len(head) - 6), len(head) - 1):
                if place := self._article_place(head[k:], ctx, reg):
                    _edge(self._org(chain[-1], doc, reg), place, "LOCATED_IN", ev)
                    break
        return out

    def _loc(self, m: Mention, sent: Sentence, ctx: Context, doc: Document, reg: _Registry, ev: Evidence,
             fuller: str | None = None) -> tuple[Entity, list[Mention]]:
        """The innermost place of a (compound) place mention, plus mentions of the outer parts;
        a shortened name (`fuller` given) is the place of the fuller name, its outer parts left out."""
        gaz = self.gazetteer
        form = m.norm
        if fuller:
            e, _ = self._loc(replace(m, norm=fuller), sent, ctx, doc, reg, ev)
            reg.alias(e, form)
            return e, []
        parts = split_places(form, gaz)
        nested = nested_parts(parts)
        prev: Entity | None = None
        prev_surface = ""
        derived: list[Mention] = []
        pos = 0
        for n, part in enumerate(parts):
            full = gaz.resolve(part, set(ctx.places)) if gaz.lookup(part) else (part if part in gaz.world else None)
            if full:
                e = reg.get("LOC", ("LOC", full), full)
            else:
                scope = prev.name if prev is not None and gaz.lookup(prev.name) else doc.id
                e = reg.get("LOC", ("LOC", scope, part), part)
                if scope == doc.id:
                    # the same bare place named under a parent elsewhere in this document is that place
                    e = reg.local_places.get((doc.id, part)) or reg.local_places.get(
                        (doc.id, ROAD_GRADE.sub("", part))) or e  # (包固一级公路: the 包固公路 named before)
                reg.remember_local(e, doc.id, part)
            reg.alias(e, part)
            if prev is not None:
                _edge(e, prev, "LOCATED_IN", ev)
                if not nested[n - 1]:
                    reg.alias(e, prev_surface + part)
            i = m.sent_start + pos
            if n < len(parts) - 1 and sent.text.startswith(part, i):  # (a fuller name's parts are not in the text)
                start, end = sent.span(i, i + len(part))
                derived.append(Mention(doc.id, m.sentence, start, end, doc.text[start:end], "LOC", norm=part,
                                       source="name", article=m.article, sent_start=i, entity_id=e.id))
            pos += 0 if nested[n] else len(part)  # (a road's scene starts where the road does)
            prev, prev_surface = e, part
        assert prev is not None
        reg.alias(prev, form)
        crossed = crossed_road(parts[-1])
        i = m.sent_start + len(form) - len(parts[-1]) + (crossed[0] if crossed else 0)
        if crossed and form.endswith(parts[-1]) and sent.text.startswith(crossed[1], i):
            road = reg.local_places.get((doc.id, crossed[1])) or reg.get("LOC", ("LOC", doc.id, crossed[1]), crossed[1])
            reg.remember_local(road, doc.id, crossed[1])
            start, end = sent.span(i, i + len(crossed[1]))
            derived.append(Mention(doc.id, m.sentence, start, end, doc.text[start:end], "LOC", norm=crossed[1],
                                   source="name", article=m.article, sent_start=i, entity_id=road.id))
        if (len(parts) > 1 and "".join(p for p, inside in zip(parts, nested, strict=True) if not inside) == form
                and len(parts[-1]) > 2 and PLACE_WORD_RE.search(parts[-1])
                and sent.text.startswith(form, m.sent_start)):
            # the mention is of the innermost place (城关镇 of 湖南省永兴县城关镇), the outer ones derived
            i = m.sent_start + len(form) - len(parts[-1])
            m.start, m.end = sent.span(i, i + len(parts[-1]))
            m.text, m.norm, m.sent_start = doc.text[m.start:m.end], parts[-1], i
        # a facility named by the place and a direction (白城东疫情防控服务站) is in that place
        facility = FACILITY_RE.match(parts[-1])
        if facility and not prev.parents:
            lead = leading_place(facility.group(1), gaz)
            if lead and lead[0] == facility.group(1) and (place := self._article_place(lead[0], ctx, reg)):
                _edge(prev, place, "LOCATED_IN", ev)
        return prev, derived

    def _article_place(self, name: str, ctx: Context, reg: _Registry) -> Entity | None:
        """The administrative place `name` (full or short) stands for, if the article names it."""
        gaz = self.gazetteer
        full = gaz.full_name(name, set(ctx.places)) if gaz.lookup(name) else None
        return reg.get("LOC", ("LOC", full), full) if full in ctx.places else None
