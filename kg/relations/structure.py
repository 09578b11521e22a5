"""PART_OF and LOCATED_IN: from how names are built (stated) and from the gazetteer (inferred).

Stated edges come from nested names the text wrote (福州市公安局仓山分局 → PART_OF 福州市公安局;
洮北区东风乡 → LOCATED_IN 洮北区). Inferred edges carry `inferred: true` and a `basis`:
`gazetteer` for a place's direct administrative parent where the document names both (洮北区 → 白城市;
a city in passing, 漳州人, goes in its province only where one sentence names both),
`context` for a sub-bureau named alone in an article about one city's bureau (芦淞公安分局 → 株洲市公安局),
`list` for a station listed right after its sub-bureau (荷塘公安分局值班室、茨菇塘派出所), and for
places listed after a street or town (联盟街道万宏国际、王旗营小区万福里和时光俊园: each item is in
联盟街道, and 万福里, glued to 王旗营小区, is in that compound); `adjacent` for a place written right
after a higher one (肃北县马鬃山镇, 福建晋江), by the levels of `Gazetteer.rank`; `name` for a unit whose
name, completed from its article or after its parent's, carries a place (市公安局 → 西宁市公安局 → 西宁市;
武警湖南总队衡阳市支队 → 衡阳市). `context` also puts a police unit named alone in the one unit of the
next kind up its article names (口岸派出所 → 绥芬河市公安局, 历城大队 → the 交警支队).
"""

from __future__ import annotations

import re
from collections import Counter

from kg.link.names import POLICE_KINDS
from kg.link.places import Gazetteer
from kg.ner.lexicon import BEAT_SUFFIXES
from kg.ner.lists import COMPOUNDS, LIST_HEADS, SEPARATORS
from kg.relations.index import BuildIndex
from kg.resources import load_rows, load_words
from kg.types import BuildResult, Entity, Mention, Relation

POLICE_TOP = "公安局"
READERSHIP = ("报", "网")  # a newspaper's or a news site's title (厦门日报) names a readership, not a place
# units a name completed from its article does not tie to the place it opens with: sub-units and
# branches (PART_OF only), a unit's party organs (支队党委) and a place's own government
INNER_UNITS = load_words("inner_units")
STATIONS = ("派出所", "警务站", "警务室", "中队")
# what may sit between a sub-bureau and a station listed after it: the bureau's office, then a separator
LISTED_AFTER = re.compile(r"[\u4e00-\u9fff]{0,4}?[、和及与]")


def structure(result: BuildResult, gaz: Gazetteer, idx: BuildIndex) -> list[Relation]:
    rels: list[Relation] = []
    has_parent: set[tuple[str, str]] = set()
    for e in result.entities:
        for parent_id, relation, ev, inferred in e.parents:
            props = {"inferred": True, "basis": "name"} if inferred else {}
            rels.append(Relation(e.id, relation, parent_id, props, ev))
            has_parent.add((e.id, relation))
    for doc in result.documents:
        doc_entities = idx.entities_in.get(doc.id, [])
        rels += _gazetteer_edges(doc.id, doc_entities, gaz, has_parent, idx)
        rels += _sub_bureaus(doc.id, doc_entities, has_parent, idx, gaz)
        rels += _listed_stations(doc.id, doc_entities, has_parent, idx)
        rels += _lone_units(doc.id, doc_entities, has_parent, idx, gaz)
        rels += _adjacent_places(doc.id, has_parent, idx, gaz)
        rels += _listed_places(doc.id, has_parent, idx, gaz)
    return rels


def _first_sentence(e: Entity, doc_id: str, idx: BuildIndex | None = None) -> int:
    """The first sentence of `doc_id` that mentions `e` (or names it inside a longer name)."""
    found = [m.sentence for m in e.mentions if m.doc_id == doc_id]
    if found:
        return min(found)
    if idx is not None:
        for s in idx.sentences_of(doc_id):
            if e.name in s.text:
                return s.index
    return 0


def _sentences(e: Entity, doc_id: str) -> set[int]:
    return {m.sentence for m in e.mentions if m.doc_id == doc_id}


def _gazetteer_edges(doc_id, entities, gaz, has_parent, idx) -> list[Relation]:
    out = []
    places = {e.name: e for e in entities if e.type == "LOC" and gaz.by_name.get(e.name)}
    # the document's own city: the city it names most, in more than one sentence and more than any other
    counts = sorted(((len(_sentences(e, doc_id)), e.id) for e in places.values() if gaz.level(e.name) == 2), reverse=True)
    main_city = counts[0][1] if counts and counts[0][0] > 1 and (len(counts) == 1 or counts[0][0] > counts[1][0]) \
        else None
    for name, e in places.items():
        if (e.id, "LOCATED_IN") in has_parent:
            continue
        # the direct parent only: a chain that skips a level the text never names (邵东县 → 湖南省,
        # without 邵阳市) is outside knowledge, not what the article says
        parent = next(iter(gaz.ancestors(gaz.by_name[name][0])), None)
        if parent in places and gaz.level(name) == 2 and e.id != main_city \
                and not _sentences(e, doc_id) & _sentences(places[parent], doc_id):
            continue  # a city named in passing (到洛阳出差, 漳州人) is not placed in a province named elsewhere
        if parent in places:
            out.append(Relation(e.id, "LOCATED_IN", places[parent].id, {"inferred": True, "basis": "gazetteer"},
                                idx.evidence(doc_id, _first_sentence(e, doc_id, idx))))
            has_parent.add((e.id, "LOCATED_IN"))
    # a unit whose full name opens with a place the document names, completed from the article (市公安局
    # → 西宁市公安局, 市政府 → 西宁市政府): the name carries the place, as 西宁市公安局 written out would
    by_name = {e.name: e for e in entities if e.type == "LOC" and gaz.rank(e.name) <= 4}
    longest = max(map(len, by_name), default=0)

    def opening_place(name: str) -> str | None:  # the longest place `name` opens with, with more after it
        return next((name[:k] for k in range(min(len(name) - 2, longest), 1, -1) if name[:k] in by_name), None)

    for e in entities:
        if e.type != "ORG" or (e.id, "LOCATED_IN") in has_parent or (e.id, "PART_OF") in has_parent \
                or e.name.endswith(READERSHIP + INNER_UNITS):
            continue
        lead = opening_place(e.name)
        if lead is not None:
            out.append(Relation(e.id, "LOCATED_IN", by_name[lead].id, {"inferred": True, "basis": "name"},
                                idx.evidence(doc_id, _first_sentence(e, doc_id, idx))))
            has_parent.add((e.id, "LOCATED_IN"))
    # a sub-unit that carries a place of its own after its parent's name (武警湖南总队 | 衡阳市支队) is in
    # that place, as the unit that carries a place name is
    for e in entities:
        if e.type != "ORG" or (e.id, "LOCATED_IN") in has_parent:
            continue
        for parent_id, relation, *_ in e.parents:
            parent = idx.entity.get(parent_id)
            if relation != "PART_OF" or parent is None or not e.name.startswith(parent.name):
                continue
            lead = opening_place(e.name[len(parent.name):])
            if lead is not None and lead not in parent.name:
                out.append(Relation(e.id, "LOCATED_IN", by_name[lead].id, {"inferred": True, "basis": "name"},
                                    idx.evidence(doc_id, _first_sentence(e, doc_id, idx))))
                has_parent.add((e.id, "LOCATED_IN"))
                break
    # units named after a county-level place the document names (盘龙分局 → 盘龙区, 石峰警方 → 石峰区)
    # (each unit looks its own prefixes up: the document's places are not scanned once per unit)
    by_short: dict[str, list[tuple[int, str]]] = {}
    for order, name in enumerate(places):
        if len(name) > 2 and gaz.level(name) == 3:
            by_short.setdefault(name[:-1], []).append((order, name))
    lengths = sorted({len(k) for k in by_short})
    for e in entities:
        if e.type != "ORG" or (e.id, "LOCATED_IN") in has_parent or (e.id, "PART_OF") in has_parent:
            continue
        # …also after the kind of police that opens the name (消防 | 固阳中队)
        kind = next((w for w in POLICE_KINDS if e.name.startswith(w)), "")
        head = e.name[len(kind):]
        found = [(order, name) for k in lengths for order, name in by_short.get(head[:k], ())
                 if not head.startswith(name) and len(head) > k]
        if found:
            place = places[min(found)[1]]  # the first in the document's order, as a scan would find
            out.append(Relation(e.id, "LOCATED_IN", place.id, {},
                                idx.evidence(doc_id, _first_sentence(e, doc_id, idx))))
            has_parent.add((e.id, "LOCATED_IN"))
    # …and after a community the document names (沙埔头指挥部 → 沙埔头社区)
    communities = {e.name[: -len(b)]: e for e in entities if e.type == "LOC"
                   for b in BEAT_SUFFIXES if e.name.endswith(b) and len(e.name) - len(b) >= 2}
    order = {stem: k for k, stem in enumerate(communities)}
    stem_lengths = sorted({len(stem) for stem in communities})
    for e in entities:
        if e.type != "ORG" or (e.id, "LOCATED_IN") in has_parent or (e.id, "PART_OF") in has_parent:
            continue
        stems = sorted((order[e.name[:k]], e.name[:k]) for k in stem_lengths if e.name[:k] in communities
                       and not e.name.startswith(communities[e.name[:k]].name))
        place = communities[stems[0][1]] if stems else None
        if place is not None:
            out.append(Relation(e.id, "LOCATED_IN", place.id, {},
                                idx.evidence(doc_id, _first_sentence(e, doc_id, idx))))
            has_parent.add((e.id, "LOCATED_IN"))
    return out


def _sub_bureaus(doc_id, entities, has_parent, idx, gaz) -> list[Relation]:
    """A 分局 named alone belongs to the city bureau its own article is about (if that article names
    one); a 分局 named only as the head of longer names (芦淞公安分局云庆派出所) is in those names'
    articles."""
    by_article: dict[int, Counter] = {}
    for e in entities:
        if e.type == "ORG" and e.name.endswith(POLICE_TOP) and gaz.level(e.name[: -len(POLICE_TOP)]) == 2:
            for m in e.mentions:
                if m.doc_id == doc_id:
                    by_article.setdefault(m.article, Counter())[e.id] += 1
    children: dict[str, list[Entity]] = {}
    for e in entities:
        for parent_id, relation, *_ in e.parents:
            if relation == "PART_OF":
                children.setdefault(parent_id, []).append(e)
    out = []
    for e in entities:
        if e.type != "ORG" or not e.name.endswith("分局") or (e.id, "PART_OF") in has_parent:
            continue
        named = [m for m in e.mentions if m.doc_id == doc_id] or [
            m for c in children.get(e.id, []) for m in c.mentions if m.doc_id == doc_id]
        counts = Counter()
        for art in {m.article for m in named}:
            counts.update(by_article.get(art, Counter()))
        if counts:
            out.append(Relation(e.id, "PART_OF", counts.most_common(1)[0][0], {"inferred": True, "basis": "context"},
                                idx.evidence(doc_id, _first_sentence(e, doc_id, idx))))
            has_parent.add((e.id, "PART_OF"))
    return out


# a station, detachment or brigade named alone, and the kinds of unit it sits in, nearest first
UNIT_PARENTS = {unit: tuple(parents.split()) for unit, parents in load_rows("unit_parents")}


def _lone_units(doc_id, entities, has_parent, idx, gaz: Gazetteer) -> list[Relation]:
    """A police unit named alone, with no place or parent in its name (口岸派出所, 历城大队, 刑侦支队),
    is in the one unit of the next kind up that its article names (绥芬河市公安局; the 交警支队): of
    two such units, or none, nothing is said. A station is put under the bureau only where the article
    names no sub-bureau: a city's stations sit in its several sub-bureaus, and the one sub-bureau an
    article is about need not be a station's (鼓山派出所 beside 仓山分局 is another district's)."""
    def is_parent(e: Entity, kind: str) -> bool:
        if not e.name.endswith(kind) or e.name == kind:
            return False
        if kind == POLICE_TOP:  # a place's bureau (琼山市公安局), not a sub-bureau
            return not e.name.endswith("分" + kind) and gaz.rank(e.name[: -len(kind)]) <= 3
        return any(p.name.endswith(POLICE_TOP) for p in idx.part_of_chain(e.id)[1:]) or kind == "分局"

    articles: dict[str, set[int]] = {}
    for e in entities:
        if e.type == "ORG":
            articles[e.id] = {m.article for m in e.mentions if m.doc_id == doc_id}
    # the units of each kind above, by the articles that name them (one pass, not one per lone unit)
    above: dict[str, dict[int, set[str]]] = {}
    for parent_kind in {k for kinds in UNIT_PARENTS.values() for k in kinds}:
        for p in entities:
            if p.type == "ORG" and is_parent(p, parent_kind):
                for art in articles[p.id]:
                    above.setdefault(parent_kind, {}).setdefault(art, set()).add(p.id)
    out = []
    for e in entities:
        kind = next((k for k in UNIT_PARENTS if e.name.endswith(k)), None)
        if e.type != "ORG" or kind is None or len(e.name) - len(kind) < 2 or not articles.get(e.id) \
                or (e.id, "PART_OF") in has_parent or (e.id, "LOCATED_IN") in has_parent:
            continue
        for parent_kind in UNIT_PARENTS[kind]:
            by_article = above.get(parent_kind, {})
            cands = {pid for art in articles[e.id] for pid in by_article.get(art, ())} - {e.id}
            if cands:
                if len(cands) == 1 and parent_kind == UNIT_PARENTS[kind][-1]:
                    out.append(Relation(e.id, "PART_OF", cands.pop(), {"inferred": True, "basis": "context"},
                                        idx.evidence(doc_id, _first_sentence(e, doc_id, idx))))
                    has_parent.add((e.id, "PART_OF"))
                break
    return out


def _listed_stations(doc_id, entities, has_parent, idx) -> list[Relation]:
    """A station named alone right after exactly one sub-bureau in a list (来到荷塘公安分局值班室、
    茨菇塘派出所) belongs to that sub-bureau."""
    out = []
    for e in entities:
        if e.type != "ORG" or not e.name.endswith(STATIONS) or (e.id, "PART_OF") in has_parent:
            continue
        for m in e.mentions:
            if m.doc_id != doc_id:
                continue
            before = [o for o in idx.in_sentence.get((doc_id, m.sentence), [])
                      if o.type == "ORG" and o.sent_start < m.sent_start]
            if not before:
                continue
            prev = before[-1]
            gap = idx.sentence[(doc_id, m.sentence)].text[prev.sent_start + len(prev.norm): m.sent_start]
            bureau = [p for p in idx.part_of_chain(prev.entity_id) if p.name.endswith("分局")]
            if LISTED_AFTER.fullmatch(gap) and len(bureau) == 1 and bureau[0].id != e.id:
                out.append(Relation(e.id, "PART_OF", bureau[0].id, {"inferred": True, "basis": "list"},
                                    idx.evidence(doc_id, m.sentence)))
                has_parent.add((e.id, "PART_OF"))
                break
    return out


def _adjacent_places(doc_id, has_parent, idx, gaz: Gazetteer) -> list[Relation]:
    """A place written right after a higher one is in it, whether or not a table knows either: 肃北县
    马鬃山镇 (a county, then a township), 沙坪坝三峡广场, 福建晋江 (the text skips 泉州, the writer
    did not). Levels come from the gazetteer or the suffix (`Gazetteer.rank`); two places the gazetteer
    knows must agree with it, and a road or a venue is no parent (a compound's parts are the linker's)."""
    out = []
    for s in idx.sentences_of(doc_id):
        locs = [m for m in idx.in_sentence.get((doc_id, s.index), []) if m.type == "LOC"]
        ending: dict[int, Mention] = {}
        for m in sorted(locs, key=lambda m: -len(m.norm)):  # the innermost part of a compound last
            ending[m.sent_start + len(m.norm)] = m
        starting: dict[int, Mention] = {}
        for m in sorted(locs, key=lambda m: -len(m.norm)):  # the outermost part of a compound last
            starting[m.sent_start] = m
        for pos, child_m in starting.items():
            parent_m = ending.get(pos)
            if parent_m is None or parent_m.entity_id == child_m.entity_id:
                continue
            child, parent = idx.entity[child_m.entity_id], idx.entity[parent_m.entity_id]
            if (child.id, "LOCATED_IN") in has_parent:
                continue
            high, low = gaz.rank(parent.name), gaz.rank(child.name)
            if not high < low or high > 5:
                continue
            known = gaz.lookup(child.name)
            if known and gaz.lookup(parent.name) and not any(parent.name in gaz.ancestors(p) for p in known):
                continue  # the gazetteer says otherwise: not a place inside the other
            out.append(Relation(child.id, "LOCATED_IN", parent.id, {"inferred": True, "basis": "adjacent"},
                                idx.evidence(doc_id, s.index)))
            has_parent.add((child.id, "LOCATED_IN"))
    return out


def _listed_places(doc_id, has_parent, idx, gaz: Gazetteer) -> list[Relation]:
    """Places written one after another: a place glued on after a street or town, and every item
    listed with it, is in that street or town; a place glued on after a compound is in the compound."""
    out = []

    def edge(child: Mention, parent: Mention, index: int) -> None:
        if (child.entity_id, "LOCATED_IN") not in has_parent and child.entity_id != parent.entity_id:
            out.append(Relation(child.entity_id, "LOCATED_IN", parent.entity_id, {"inferred": True, "basis": "list"},
                                idx.evidence(doc_id, index)))
            has_parent.add((child.entity_id, "LOCATED_IN"))

    for s in idx.sentences_of(doc_id):
        locs = [m for m in idx.in_sentence.get((doc_id, s.index), []) if m.type == "LOC"]
        head: Mention | None = None  # the street or town the current list is in
        prev: Mention | None = None
        for m in sorted(locs, key=lambda m: (m.sent_start, -len(m.norm))):
            if prev is not None and m.sent_start < prev.sent_start + len(prev.norm):
                continue  # inside the previous mention
            gap = s.text[prev.sent_start + len(prev.norm): m.sent_start] if prev is not None else None
            if gap == "" and prev.norm.endswith(LIST_HEADS):
                head = prev
                edge(m, prev, s.index)
            elif gap == "" and prev.norm.endswith(COMPOUNDS):
                edge(m, prev, s.index)
            elif head is not None and gap is not None and len(gap) == 1 and gap in SEPARATORS:
                if gaz.rank(idx.entity[m.entity_id].name) <= gaz.rank(idx.entity[head.entity_id].name):
                    head = None  # 演丰镇…、石山镇…: a place as high as the head is beside it, not in it
                else:
                    edge(m, head, s.index)
            else:
                head = None
            prev = m
    return out
