"""BELONGS_TO: person → unit, with the role the text gives.

Chinese news names an officer as UNIT + ROLE + NAME (洮南市公安局交巡警大队民警周佰发), sometimes with
an age or party status between (永宁县公安局交警大队52岁的民警白振才). When the unit is not in the
phrase, the role says which kind to look for in the article (所长 → the 派出所 last named; 民警 →
the police unit the article is about); 同事 borrows the unit of the colleague just named; a
government role (副市长) points at that city's government when the document names it.
National bodies are units too (国务院总理李鹏 → 国务院, 总理; 中共中央政治局委员、中央书记处书记罗干 → both).
A head of state's or government's title after a country (美国总统克林顿) ties the person to that
country (BELONGS_TO the LOC, role 总统): the text names no government body, and the country is
what an analyst asks about ("who are the US's officials?"). Reporters a dateline or byline ties
to a named agency (新华社记者X, 新华社…电（记者X、Y）) belong to it, role 记者; so do 本报记者 and 记者X
of an article whose dateline names its outlet (包头晚报讯…本报记者X).

Titles are data (`kg/resources/titles.tsv`: CLUENER's job titles and the statutory court posts) beside
the police roles of `kg.ner.lexicon.ROLES`. A title the lexicon does not know ties a person only to a
unit the text states: right before it (中国人民银行行长易纲, 该院刑事审判庭审判员刘芳), in an apposition
(王伟，腾讯公司副总裁，), or through a verb of taking a post (王伟加盟腾讯公司，出任副总裁; 担任X公司董事长;
辞去…: `former`). 前/原 before the unit marks a former post (前央视主持人王伟: `former: true`).
该院, 该局, 该公司, 本所 … before a title point back at the latest unit of that kind the article named
(`kg/resources/anaphors.tsv`); a statutory post names the kind of unit it serves in (审判员 → a court,
检察官 → a procuratorate, 消防员 → a fire brigade: `kg/resources/unit_titles.tsv`). Titles joined by 兼
belong to the unit before each (副局长兼交警支队支队长); nouns may stand between unit and title
(医院急诊科护士长X), and a noun ending like fifty known titles is one (分局法制宣传员X).

Linear in a document's length: each person looks at its own sentence, the last few units of the article
(by kind, kept as they come) and the last colleague with a unit, never back over the whole document.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from functools import lru_cache

from kg.ner.dateline import find_datelines, reporter_spans
from kg.ner.lexicon import COUNTRY_TITLES, GOV_ROLES, ROLE_RE, ROLE_UNIT, ROLES, word_class
from kg.ner.segmenter import tag, words
from kg.relations.index import BuildIndex
from kg.resources import alternatives, load_rows, load_words
from kg.types import BuildResult, Mention, Relation

ROLE_ALT = ROLE_RE.pattern
# a government title before the unit of the person's other title: 副市长、市公安局局长董留民
GOV_BEFORE_UNIT = re.compile("(" + "|".join(sorted(GOV_ROLES, key=len, reverse=True)) + ")[、兼]$")
# what may stand between a unit and its member's title: an age, 的, 党员, 退休(的), 老 (kg/resources/pattern_words.tsv)
GAP = re.compile(f"^(?:[0-9]+岁的?|{alternatives('title_gap')}|、)*$")
POLICE = word_class("police_unit")
NOT_MEMBERS = {"记者", "通讯员"}  # a reporter is tied to the agency a byline names (see _reporters)
EARLIER_TITLE = re.compile(rf"({ROLE_ALT})[、，兼]$")  # 济南市公安局副局长兼交警支队支队长X
# statutory posts → the unit they sit in, when the text names none right before them (审判员 → a court,
# 检察官 → a procuratorate, 消防员 → a fire brigade), from kg/resources/unit_titles.tsv
LEGAL_UNITS = {row[0]: tuple(row[1].split("|")) for row in load_rows("unit_titles")}
# 该院, 该局, 本所 …: the latest unit named before whose name ends so (kg/resources/anaphors.tsv); a
# division of it may follow before the title (该院刑事审判庭审判员刘芳 → the court)
ANAPHORS = {row[0]: tuple(row[1].split("|")) for row in load_rows("anaphors")}
ANAPHOR_BEFORE_TITLE = re.compile("(" + "|".join(sorted(ANAPHORS, key=len, reverse=True)) +
                                  r")(?:[\u4e00-\u9fff]{2,6}?(?:" + alternatives("division_word")
                                  + "))?的?$")
ANAPHOR_ENDS = frozenset(e for ends in ANAPHORS.values() for e in ends)
# taking (or leaving) a post: 出任/担任 [UNIT] TITLE; joining a unit: 加盟/加入 UNIT
LEAVES = word_class("leaves_post", "verbs")
TAKES_POST = re.compile("(?:" + "|".join((*word_class("takes_post", "verbs"), *LEAVES)) + ")")
JOINS = re.compile("(?:" + "|".join(word_class("joins", "verbs")) + ")")
FORMER = ("前", "原")
POLICE_ROLES = frozenset(ROLES)  # the roles the article's police unit may stand in for (民警X, 所长X)


@lru_cache(maxsize=1)
def titles() -> frozenset[str]:
    """Job titles: the lexicon's roles and `kg/resources/titles.tsv` (loaded once)."""
    return frozenset(ROLES) | frozenset(load_words("titles")) | frozenset(LEGAL_UNITS)


@lru_cache(maxsize=1)
def title_heads() -> frozenset[str]:
    """The characters fifty or more known titles end with (宣传员, 护士长, 工程师): a noun of the dictionary
    ending so, written between a unit and a name, is a title too (南岗分局法制宣传员李嘉男)."""
    counts: dict[str, int] = {}
    for t in titles():
        counts[t[-1]] = counts.get(t[-1], 0) + 1
    return frozenset(c for c, n in counts.items() if n >= 50)


def _nouns(gap: str, modifiers: tuple[str, ...] = ("n", "vn")) -> list[str] | None:
    """The dictionary words of `gap` when every one is a noun of two or more characters (法制, 急诊科), else
    None; the words before the last may also be of the parts of speech `modifiers` (禁毒|宣传员)."""
    ws = list(words(gap))
    ok = ws and len(ws[-1]) >= 2 and tag(ws[-1]) in ("n", "vn") and all(len(w) >= 2 and tag(w) in modifiers
                                                                        for w in ws[:-1])
    return ws if ok else None


@lru_cache(maxsize=1)
def _title_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(t) for t in titles()}, reverse=True))


def title_ending_at(text: str, end: int) -> int:
    """Length of the longest title that ends at `end` (0 if none): a set lookup per length."""
    known = titles()
    for n in _title_lengths():
        if n <= end and text[end - n:end] in known:
            return n
    return 0


def title_starting_at(text: str, start: int) -> int:
    """Length of the longest title that starts at `start` (0 if none)."""
    known = titles()
    for n in _title_lengths():
        if text[start:start + n] in known and start + n <= len(text):
            return n
    return 0


def role_chain(text: str, end: int) -> tuple[int, list[str]] | None:
    """The titles written right before `end`, joined by 、 (政治局委员、书记处书记): (start, titles in order)."""
    n = title_ending_at(text, end)
    if not n:
        return None
    start, roles = end - n, [text[end - n:end]]
    while start > 0 and text[start - 1] in "、兼" and (k := title_ending_at(text, start - 1)):
        start -= 1 + k
        roles.insert(0, text[start:start + k])
    return start, roles


@dataclass
class _Article:
    """What an article has named so far, kept as it comes so that each lookup is O(1)."""

    last_of_kind: dict[str, Mention] = field(default_factory=dict)  # unit word (派出所, 局 …) → latest unit
    police: list[Mention] = field(default_factory=list)  # police units, in order
    counts: dict[str, int] = field(default_factory=dict)  # police unit → mentions so far
    first: dict[str, int] = field(default_factory=dict)  # police unit → the order it was first named in
    best: str | None = None  # the police unit named most often (ties: the first named)
    last_by_end: dict[str, Mention] = field(default_factory=dict)  # name ending (院, 公司 …) → latest unit

    def antecedent(self, anaphor: str) -> Mention | None:
        """The unit 该院 / 该公司 … points back at: the latest named whose name ends as the anaphor says."""
        found = [m for e in ANAPHORS[anaphor] if (m := self.last_by_end.get(e)) is not None]
        return max(found, key=lambda m: (m.sentence, m.sent_start)) if found else None


KINDS = frozenset({*ROLE_UNIT.values(), *(k for kinds in LEGAL_UNITS.values() for k in kinds)})


def belongs_to(result: BuildResult, idx: BuildIndex) -> list[Relation]:
    rels: dict[tuple[str, str], Relation] = {}
    unit_of: dict[str, str] = {}

    def add(person: str, unit: str, role: str, doc_id: str, index: int, former: bool = False) -> None:
        if (person, unit) not in rels:
            props = {"role": role, "former": True} if former else {"role": role}
            rels[(person, unit)] = Relation(person, "BELONGS_TO", unit, props, idx.evidence(doc_id, index))

    for doc in result.documents:
        orgs_by_name = {}
        govs: dict[str, list[str]] = {}
        for e in idx.entities_in.get(doc.id, []):
            if e.type == "ORG":
                orgs_by_name.setdefault(e.name, e.id)
                for suffix in set(GOV_ROLES.values()):
                    if e.name.endswith(suffix):
                        govs.setdefault(suffix, []).append(e.id)
        colleagues: OrderedDict[str, None] = OrderedDict()  # people with a unit, the latest mentioned last
        art = _Article()
        article, outlet = None, None
        for sent in idx.sentences_of(doc.id):
            if sent.article != article:
                article, art, outlet = sent.article, _Article(), None
            ms = idx.in_sentence[(doc.id, sent.index)]
            if outlet is None:  # 包头晚报讯: the outlet the article's 本报 and 记者X are of
                line = next((d for d in find_datelines(sent.text) if d.source != "本报" and not d.cited), None)
                outlet = orgs_by_name.get(line.source) if line is not None else None
            for person, agency in _reporters(sent.text, ms, orgs_by_name, outlet):
                add(person, agency, "记者", doc.id, sent.index)
            if sent.kind == "byline":
                _remember(ms, unit_of, colleagues)
                continue
            for k, p in enumerate(ms):
                if p.type == "ORG" and p.source != "name":
                    _see(art, p, idx)
                if p.type != "PERSON":
                    continue
                _person(sent.text, k, p, ms, art, idx, doc.id, sent.index, unit_of, colleagues, govs, add)
                if outlet and _own_reporter(sent.text, p, ms[:k]):  # 本报记者王芳赶到现场
                    add(p.entity_id, outlet, "记者", doc.id, sent.index)
                _remember([p], unit_of, colleagues)
            for person, unit, role, former in _posts(sent.text, ms):  # 王伟加盟腾讯公司，出任副总裁
                add(person, unit, role, doc.id, sent.index, former)
                unit_of.setdefault(person, unit)
    return list(rels.values())


def _own_reporter(text: str, p: Mention, before: list[Mention]) -> bool:
    """记者X or 本报记者X in the body: a reporter of the article's own outlet (no other outlet named)."""
    prefix = text[:p.sent_start]
    for lead in ("本报记者", "本报见习记者", "记者", "见习记者"):
        if prefix.endswith(lead):
            at = len(prefix) - len(lead)
            return lead.startswith("本报") or not any(o.type == "ORG" and o.sent_start + len(o.norm) == at
                                                     for o in before)
    return False


def _remember(ms: list[Mention], unit_of: dict[str, str], colleagues: OrderedDict) -> None:
    """The people of `ms` who have a unit become the latest colleagues (同事 borrows their unit)."""
    for m in ms:
        if m.type == "PERSON" and m.entity_id in unit_of:
            colleagues[m.entity_id] = None
            colleagues.move_to_end(m.entity_id)


def _see(art: _Article, o: Mention, idx: BuildIndex) -> None:
    """Keep what later roles ask of the article's units: the latest of each kind, the police units."""
    name = idx.entity[o.entity_id].name
    for kind in KINDS:
        if name.endswith(kind):
            art.last_of_kind[kind] = o
    for end in ANAPHOR_ENDS:
        if name.endswith(end):
            art.last_by_end[end] = o
    if name.endswith(POLICE):
        art.police.append(o)
        n = art.counts[o.entity_id] = art.counts.get(o.entity_id, 0) + 1
        art.first.setdefault(o.entity_id, len(art.first))
        if art.best is None or (-n, art.first[o.entity_id]) < (-art.counts[art.best], art.first[art.best]):
            art.best = o.entity_id


def _person(text, k, p, ms, art, idx, doc_id, index, unit_of, colleagues, govs, add) -> None:
    """The units the titles around one person name tie them to."""
    chain = role_chain(text, p.sent_start)
    if chain is None:
        unit = _credited_unit(text, p, ms[:k])
        if unit:  # （河南偃师市公安局焦宏）: a closing credit names the writer's unit
            add(p.entity_id, unit, "", doc_id, index)
            return
        for unit, role in _titles_after(text, p, ms[:k], ms[k + 1:]):  # 王伟，腾讯公司副总裁；赵五局长
            add(p.entity_id, unit, role, doc_id, index)
            unit_of.setdefault(p.entity_id, unit)
        unit = next((o for o in reversed(ms[:k]) if o.type == "ORG"), None)
        gap = text[unit.sent_start + len(unit.norm):p.sent_start] if unit is not None else ""
        if 2 <= len(gap) <= 8 and (ws := _nouns(gap, ("n", "vn", "v"))) and ws[-1][-1] in title_heads():
            add(p.entity_id, unit.entity_id, gap, doc_id, index)  # 南岗分局法制宣传员李嘉男
            unit_of.setdefault(p.entity_id, unit.entity_id)
        return
    role_start, roles = chain
    for unit, role in _titles_before(text, role_start, ms[:k]):  # 政治局委员、书记处书记X
        add(p.entity_id, unit, role, doc_id, index)
    if set(roles) <= NOT_MEMBERS:
        return
    before = [o for o in ms[:k] if o.type == "ORG" and o.sent_start + len(o.norm) <= role_start]
    adjacent = before[-1] if before and _gap_ok(text, before[-1], role_start, ms) else None
    if adjacent is None and (ana := ANAPHOR_BEFORE_TITLE.search(text, 0, role_start)):
        found = art.antecedent(ana.group(1))  # 该院刑事审判庭审判员刘芳: the court named before
        adjacent = replace(found, sent_start=ana.start(), sentence=index) if found is not None else None
    former = adjacent is not None and text[max(0, adjacent.sent_start - 1):adjacent.sent_start] in FORMER
    recent = _recent_police(art, index)
    # 公安局党委书记、局长X: a later title of the chain looks first at the units the
    # adjacent one belongs to (局长 of 公安局, whose 党委 it named first)
    stated = [replace(adjacent, entity_id=u.id) for u in idx.part_of_chain(adjacent.entity_id)] \
        if adjacent is not None else []
    gov = GOV_BEFORE_UNIT.search(text[: adjacent.sent_start]) if adjacent is not None else None
    if gov:
        roles = [*roles, gov.group(1)]
    for n, role in enumerate(roles):
        if n > 0 and adjacent is None and role not in GOV_ROLES and role not in ROLE_UNIT:
            continue  # a second title (临时党支部书记) names a unit we cannot see
        unit = _unit_for(role, adjacent, before, stated, art, idx, p, unit_of, colleagues, recent, govs)
        if unit is None and n == 0 and role in COUNTRY_TITLES:
            unit = _country_before(text, role_start, ms[:k])  # 美国总统克林顿
        if unit is None:
            continue
        add(p.entity_id, unit, role, doc_id, index, former)
        unit_of.setdefault(p.entity_id, unit)
        adjacent = None  # a second role in the chain is not the adjacent unit's


def _titles_after(text: str, p: Mention, before: list[Mention], after: list[Mention]) -> list[tuple[str, str]]:
    """Titles written after the name: an apposition (王伟，腾讯公司副总裁，; 王伟（腾讯公司副总裁）) or a
    unit, the name and its title (市公安局李明局长)."""
    end = p.sent_start + len(p.norm)
    out = []
    if text[end:end + 1] in ("，", "（", "(", ","):
        unit = next((o for o in after if o.type == "ORG" and o.sent_start == end + 1), None)
        if unit is not None:
            t = unit.sent_start + len(unit.norm)
            n = title_starting_at(text, t)
            if n and text[t + n:t + n + 1] in ("，", "）", ")", "。", "；", ",", ""):
                out.append((unit.entity_id, text[t:t + n]))
    n = title_starting_at(text, end)
    if n and not out:
        units = [o for o in before if o.type == "ORG" and o.sent_start + len(o.norm) == p.sent_start]
        if units:
            out.append((units[-1].entity_id, text[end:end + n]))
    return out


def _posts(text: str, ms: list[Mention]) -> list[tuple[str, str, str, bool]]:
    """(person, unit, title, former) for each post a verb gives (王伟加盟腾讯公司，出任副总裁; 担任腾讯公司
    副总裁; 辞去X公司董事长职务): the subject is the last person named before the verb in the clause run,
    the unit the one right after the verb, else the one the person joined, else the last one between."""
    out = []
    joined: dict[str, Mention] = {}
    for m in JOINS.finditer(text):
        subject = _subject(text, m.start(), ms)
        unit = next((o for o in ms if o.type == "ORG" and o.sent_start == m.end()), None)
        if subject is not None and unit is not None:
            joined[subject.entity_id] = unit
            t = unit.sent_start + len(unit.norm)
            if not TAKES_POST.match(text, t) and not (text[t:t + 1] == "，" and TAKES_POST.match(text, t + 1)):
                out.append((subject.entity_id, unit.entity_id, "", False))  # the post, if any, is taken below
    for m in TAKES_POST.finditer(text):
        subject = _subject(text, m.start(), ms)
        if subject is None:
            continue
        at = m.end()
        unit = next((o for o in ms if o.type == "ORG" and o.sent_start == at), None)
        if unit is not None:
            at = unit.sent_start + len(unit.norm)
        n = title_starting_at(text, at)
        if not n:
            continue
        if unit is None:
            unit = joined.get(subject.entity_id) or next(
                (o for o in reversed(ms) if o.type == "ORG" and subject.sent_start < o.sent_start < m.start()), None)
        if unit is not None:
            out.append((subject.entity_id, unit.entity_id, text[at:at + n], m.group() in LEAVES))
    return out


def _subject(text: str, verb: int, ms: list[Mention]) -> Mention | None:
    """The person a verb at `verb` is said of: the last one named before it, with no sentence break
    (。；) and no other person between."""
    people = [m for m in ms if m.type == "PERSON" and m.sent_start + len(m.norm) <= verb]
    if not people:
        return None
    p = people[-1]
    between = text[p.sent_start + len(p.norm):verb]
    return p if not re.search(r"[。；;！？]", between) and len(between) <= 40 else None


def _reporters(text: str, ms: list[Mention], orgs: dict[str, str], outlet: str | None) -> list[tuple[str, str]]:
    """(person, agency) for each reporter a dateline or byline ties to a named agency or paper:
    新华社记者盖金东, 新华社北京1月21日电（记者汪金福、赵忠生）. 本报 ("this paper") and a bare 记者X name
    the article's own outlet, when its dateline names one (`outlet`)."""
    out = []
    for a, b, source in reporter_spans(text):
        person = next((m.entity_id for m in ms if m.type == "PERSON" and m.sent_start == a
                       and m.sent_start + len(m.norm) <= b), None)  # (公培佳|北京报道: the name less the place)
        agency = outlet if source in ("", "本报") else orgs.get(source)
        if person and agency:
            out.append((person, agency))
    return out


def _credited_unit(text: str, person: Mention, before: list[Mention]) -> str | None:
    """The unit of a closing credit in brackets, unit and name only: （河南偃师市公安局焦宏）."""
    end = person.sent_start + len(person.norm)
    orgs = [o for o in before if o.type == "ORG" and o.sent_start + len(o.norm) == person.sent_start]
    if not orgs or text[end:end + 1] not in ("）", ")"):
        return None
    opening = max(text.rfind("（", 0, orgs[-1].sent_start), text.rfind("(", 0, orgs[-1].sent_start))
    between = text[opening + 1: orgs[-1].sent_start] if opening >= 0 else "x"
    places = [o for o in before if o.type == "LOC" and o.sent_start > opening]
    rest = between
    for o in places:  # a place may stand before the unit (河南)
        rest = rest.replace(o.norm, "", 1)
    return orgs[-1].entity_id if opening >= 0 and not rest else None


def _titles_before(text: str, role_start: int, before: list[Mention]) -> list[tuple[str, str]]:
    """Titles listed before the one next to the name, each right after its unit:
    中共中央政治局委员、中央书记处书记罗干 → (中共中央政治局, 委员) besides (中央书记处, 书记)."""
    out = []
    orgs = [o for o in before if o.type == "ORG"]
    end = role_start
    while orgs:
        unit = orgs.pop()
        if unit.sent_start + len(unit.norm) != end:
            break
        m = EARLIER_TITLE.search(text, 0, unit.sent_start)
        if not m:
            break
        prev = next((o for o in orgs if o.sent_start + len(o.norm) == m.start(1)), None)
        if prev is None:
            break
        out.append((prev.entity_id, m.group(1)))
        end = m.start(1)
    return out


def _country_before(text: str, role_start: int, before: list[Mention]) -> str | None:
    """The country whose office a title right after it names (美国总统克林顿): the place written right
    before the title (only titles of national offices get here, see COUNTRY_TITLES)."""
    locs = [o for o in before if o.type == "LOC" and o.sent_start + len(o.norm) == role_start]
    return locs[-1].entity_id if locs and locs[-1].source != "name" else None


def _gap_ok(text: str, org: Mention, role_start: int, ms: list[Mention]) -> bool:
    """Only an age, 的, party status, the unit's own jurisdiction (隆兴社区) or nouns between unit and role."""
    a = org.sent_start + len(org.norm)
    if 2 <= role_start - a <= 6 and _nouns(text[a:role_start]):
        return True  # 医院急诊科护士长X, 派出所社区民警X: a division or a field before the title
    gap = list(text[a:role_start])
    for m in ms:
        if m.type == "LOC" and a <= m.sent_start < role_start:
            for i in range(m.sent_start - a, min(m.sent_start - a + len(m.norm), len(gap))):
                gap[i] = ""
    return bool(GAP.match("".join(gap)))


def _recent_police(art: _Article, index: int) -> str | None:
    """A police unit named in this or the two sentences before: who `民警X` most likely serves in."""
    if art.police and index - art.police[-1].sentence <= 2:
        return art.police[-1].entity_id
    return None


def _unit_for(role, adjacent, before, stated, art: _Article, idx: BuildIndex, person, unit_of, colleagues,
              recent, govs) -> str | None:
    """`before`: the sentence's units before the role; `stated`: the adjacent unit's own parents; `art`:
    the article's units so far (the latest of each kind, the police units by count)."""
    if role in GOV_ROLES:
        found = govs.get(GOV_ROLES[role], [])
        return found[0] if len(found) == 1 else None
    if adjacent is not None:
        return adjacent.entity_id
    kinds = (ROLE_UNIT[role],) if role in ROLE_UNIT else LEGAL_UNITS.get(role, ())
    for kind in kinds:  # the most specific first: a 审判员's 庭, else the court
        for o in [*reversed(before), *stated]:
            if idx.entity[o.entity_id].name.endswith(kind):
                return o.entity_id
        found = art.last_of_kind.get(kind)
        if found is not None:
            return found.entity_id
    if kinds:
        return None
    if role not in POLICE_ROLES:
        return None  # a title from the titles list (主持人, 副总裁) ties only to a unit the text states
    if role == "同事":
        mate = next((c for c in reversed(colleagues) if c != person.entity_id), None)
        return unit_of[mate] if mate is not None else None
    # 民警, 辅警 …: the police unit just named, else the one the article is about
    return recent or art.best
