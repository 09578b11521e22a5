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
to a named agency (新华社记者X, 新华社…电（记者X、Y）) belong to it, role 记者.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from kg.ner.dateline import reporter_spans
from kg.ner.lexicon import COUNTRY_TITLES, GOV_ROLES, ROLE_UNIT, ROLES
from kg.relations.index import BuildIndex
from kg.types import BuildResult, Mention, Relation

ROLE_ALT = "|".join(map(re.escape, sorted(ROLES, key=len, reverse=True)))
ROLE_CHAIN = re.compile(rf"((?:(?:{ROLE_ALT})、)*(?:{ROLE_ALT}))$")
# a government title before the unit of the person's other title: 副市长、市公安局局长董留民
GOV_BEFORE_UNIT = re.compile("(" + "|".join(sorted(GOV_ROLES, key=len, reverse=True)) + ")、$")
GAP = re.compile(r"^(?:[0-9]+岁的?|的|党员|退休的?|老|、)*$")
POLICE = ("公安局", "分局", "派出所", "大队", "支队", "中队", "公安厅")
NOT_MEMBERS = {"记者", "通讯员"}  # a reporter is tied to the agency a byline names (see _reporters)
EARLIER_TITLE = re.compile(rf"({ROLE_ALT})[、，]$")


def belongs_to(result: BuildResult, idx: BuildIndex) -> list[Relation]:
    rels: dict[tuple[str, str], Relation] = {}
    unit_of: dict[str, str] = {}
    for doc in result.documents:
        seen_orgs: list[Mention] = []  # ORG mentions so far in the current article, in order
        article = None
        for sent in idx.sentences_of(doc.id):
            if sent.article != article:
                article, seen_orgs = sent.article, []
            ms = idx.in_sentence[(doc.id, sent.index)]
            for person, agency in _reporters(idx, doc.id, sent.text, ms):
                rels.setdefault((person, agency), Relation(person, "BELONGS_TO", agency, {"role": "记者"},
                                                           idx.evidence(doc.id, sent.index)))
            if sent.kind == "byline":
                continue
            for k, p in enumerate(ms):
                if p.type == "ORG" and p.source != "name":
                    seen_orgs.append(p)
                if p.type != "PERSON":
                    continue
                m = ROLE_CHAIN.search(sent.text[: p.sent_start])
                if not m:
                    unit = _credited_unit(sent.text, p, ms[:k])
                    if unit:  # （河南偃师市公安局焦宏）: a closing credit names the writer's unit
                        rels.setdefault((p.entity_id, unit), Relation(p.entity_id, "BELONGS_TO", unit, {"role": ""},
                                                                      idx.evidence(doc.id, sent.index)))
                    continue
                for unit, role in _titles_before(sent.text, m.start(1), ms[:k]):  # 政治局委员、书记处书记X
                    rels.setdefault((p.entity_id, unit), Relation(p.entity_id, "BELONGS_TO", unit, {"role": role},
                                                                  idx.evidence(doc.id, sent.index)))
                roles = m.group(1).split("、")
                if set(roles) <= NOT_MEMBERS:
                    continue
                before = [o for o in ms[:k] if o.type == "ORG" and o.sent_start + len(o.norm) <= m.start(1)]
                adjacent = before[-1] if before and _gap_ok(sent.text, before[-1], m.start(1), ms) else None
                recent = _recent_police(idx, doc.id, sent.index, seen_orgs)
                # 公安局党委书记、局长X: a later title of the chain looks first at the units the
                # adjacent one belongs to (局长 of 公安局, whose 党委 it named first)
                stated = [replace(adjacent, entity_id=u.id) for u in idx.part_of_chain(adjacent.entity_id)] \
                    if adjacent is not None else []
                gov = GOV_BEFORE_UNIT.search(sent.text[: adjacent.sent_start]) if adjacent is not None else None
                if gov:
                    roles = [*roles, gov.group(1)]
                for n, role in enumerate(roles):
                    if n > 0 and adjacent is None and role not in GOV_ROLES and role not in ROLE_UNIT:
                        continue  # a second title (临时党支部书记) names a unit we cannot see
                    unit = _unit_for(role, adjacent, before, stated + seen_orgs[::-1], idx, doc.id, p, unit_of, recent)
                    if unit is None and n == 0 and role in COUNTRY_TITLES:
                        unit = _country_before(sent.text, m.start(1), ms[:k])  # 美国总统克林顿
                    if unit is None:
                        continue
                    person = p.entity_id
                    if (person, unit) not in rels:
                        rels[(person, unit)] = Relation(person, "BELONGS_TO", unit, {"role": role},
                                                        idx.evidence(doc.id, sent.index))
                    unit_of.setdefault(person, unit)
                    adjacent = None  # a second role in the chain is not the adjacent unit's
    return list(rels.values())


def _reporters(idx: BuildIndex, doc_id: str, text: str, ms: list[Mention]) -> list[tuple[str, str]]:
    """(person, agency) for each reporter a dateline or byline ties to a named agency or paper:
    新华社记者盖金东, 新华社北京1月21日电（记者汪金福、赵忠生）. 本报 ("this paper") names no paper."""
    out = []
    for a, b, source in reporter_spans(text):
        if not source or source == "本报":
            continue
        person = next((m.entity_id for m in ms if m.type == "PERSON" and m.sent_start == a
                       and m.sent_start + len(m.norm) == b), None)
        agency = next((e.id for e in idx.entities_in.get(doc_id, []) if e.type == "ORG" and e.name == source), None)
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
    """Only an age, 的, party status or the unit's own jurisdiction (隆兴社区) between unit and role."""
    a = org.sent_start + len(org.norm)
    gap = list(text[a:role_start])
    for m in ms:
        if m.type == "LOC" and a <= m.sent_start < role_start:
            for i in range(m.sent_start - a, min(m.sent_start - a + len(m.norm), len(gap))):
                gap[i] = ""
    return bool(GAP.match("".join(gap)))


def _recent_police(idx: BuildIndex, doc_id: str, index: int, seen_orgs: list[Mention]) -> str | None:
    """A police unit named in this or the two sentences before: who `民警X` most likely serves in."""
    for o in reversed(seen_orgs):
        if index - o.sentence <= 2 and idx.entity[o.entity_id].name.endswith(POLICE):
            return o.entity_id
    return None


def _unit_for(role, adjacent, before, candidates, idx: BuildIndex, doc_id, person, unit_of, recent) -> str | None:
    """`before`: the sentence's units before the role; `candidates`: units that could be meant, most
    likely first (the adjacent unit's own parents, then the article's units, latest first)."""
    if role in GOV_ROLES:
        suffix = GOV_ROLES[role]
        govs = [e for e in idx.entities_in.get(doc_id, []) if e.type == "ORG" and e.name.endswith(suffix)]
        return govs[0].id if len(govs) == 1 else None
    if adjacent is not None:
        return adjacent.entity_id
    kind = ROLE_UNIT.get(role)
    if kind:
        for o in [*reversed(before), *candidates]:
            if idx.entity[o.entity_id].name.endswith(kind):
                return o.entity_id
        return None
    if role == "同事":
        colleagues = [unit_of[m.entity_id] for m in _people_before(idx, doc_id, person) if m.entity_id in unit_of]
        return colleagues[-1] if colleagues else None
    # 民警, 辅警 …: the police unit just named, else the one the article is about
    if recent:
        return recent
    police = Counter(o.entity_id for o in reversed(candidates) if idx.entity[o.entity_id].name.endswith(POLICE))
    return police.most_common(1)[0][0] if police else None


def _people_before(idx: BuildIndex, doc_id: str, person: Mention) -> list[Mention]:
    out = []
    for s in idx.sentences_of(doc_id):
        if s.index > person.sentence:
            break
        for m in idx.in_sentence[(doc_id, s.index)]:
            if m.type == "PERSON" and m is not person and m.entity_id != person.entity_id and \
                    (m.sentence, m.sent_start) < (person.sentence, person.sent_start):
                out.append(m)
    return out

