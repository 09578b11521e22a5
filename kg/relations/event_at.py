"""EVENT_AT and INVOLVED_IN: what happened where, when, and who took part.

A sentence that dates something and places it (3月19日，洮南市团结广场有人拒不配合疫情防控工作…)
becomes an EVENT node, described by the sentence's own words, linked to the most specific
places it names (a place inside another one named in the same sentence wins), with the date's
surface text and ISO form where the year is known. Undated sentences make an event only when
a verb of happening sits next to the place (回到…老家, 在武汉蔓延).

One node per incident: a later sentence of the same article that gives the same date (the date
node, so 当晚 and 5月5日晚 agree when the text fixes them) or, undated, the same place adds its places
and people to the first sentence's event instead of making another. The event's `trigger` is what
happened (火灾, 抢劫, 交通事故: `kg/resources/event_triggers.tsv`, else the verb of happening), on the
node and on its EVENT_AT edges.

The scene is not the dateline's place (荆楚网武汉5月6日电), the clock of 北京时间, a source (据@X报消息),
a unit's place (福州市 in 福州市公安局) nor where a person is from (江西吉安人).

Participants: each person named in the event's sentences → INVOLVED_IN → the event, with `role` the
title or party written right before the name (犯罪嫌疑人刘某, 民警王军, 受害人X: the titles of
BELONGS_TO and `kg/resources/participant_roles.tsv`), and each unit that opens a clause
(集美交警大队立即启动…), role "". Reporters are no participants.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.link.names import SCENE_END
from kg.link.places import Gazetteer
from kg.ner import segmenter
from kg.ner.dateline import find_datelines, time_zone_spans
from kg.ner.dates import DAYPART, core_date
from kg.ner.lexicon import BEAT_SUFFIXES, ROLE_RE, alternation, word_class
from kg.ner.lists import SEPARATORS as LIST_SEPARATORS
from kg.relations.belongs_to import NOT_MEMBERS, POLICE, titles
from kg.relations.index import BuildIndex
from kg.resources import load_words
from kg.text.clean import is_cjk
from kg.types import BuildResult, Entity, Mention, Relation, Sentence

EVENT_VERBS = re.compile("|".join(word_class("event_verb", "verbs")))
ORIGIN = re.compile(r"来自于?$|(?<![自打])从$")  # 来自浙江, 从涿州(来到…): where people came from
# a place before a title (长沙副市长) says whose office, not where something happened
DESCRIBES = ROLE_RE
RESIDENT = re.compile("村民|居民|市民|人(?!民)")  # 南史辛庄村村民赵文军…来到…派出所: a visitor's home
SCENE = re.compile(r"(?:在|于|行经|途经|行至|驶至|驶入|位于)$")  # 在北京市开幕: the scene of what happened
VISIT = re.compile(r"(?:来到|到|赶到|前往|赶往|走进|深入)$")  # 来到北京市月坛派出所: the unit's place is where
FACILITIES = ("检查站", "服务站", "收费站", "卡点", "出口")
FACILITY_WORDS = re.compile("卡口|卡点|检查站|服务站|收费站|执勤点")
NATIVE = re.compile(r"籍|人(?![民员士口群流])")  # 江西吉安人, 湖北籍: where someone is from, not a scene
CREDIT = re.compile(r"^[（(][^）)]{0,40}[）)]")  # （记者李明） after a dateline
CLAUSE_OPEN = re.compile(r"(?:^|[，,；;：:。])$")
CASE_NAME = re.compile(r"[“\"《][^”\"》]{1,30}(?:案|案件|事件)[”\"》]")
HEADER_END = re.compile(r"(?:信息|消息|讯|电)?[：:]")
HEARD_FROM = re.compile(r"从[^，,。；;：:从]{2,30}?(?:获悉|了解到|得知|获知|证实)")
TRIP_END = re.compile(r"(?:开往|驶往|飞往|发往|通往|由)$")
TRIP_START = re.compile(r"(?:开往|驶往|飞往|发往)")
HEADED_FOR = re.compile(r"(?:前往|去往|驶向)$")  # 一辆前往神农架的大客车: where a vehicle was going, if 的 follows
FROM_TO = re.compile(r"从[^，,。；;：:从]{1,12}?(?:乘|坐|搭乘|开车|驾车)[^，,。；;：:从]{0,8}?(?:到|至|抵达)$")  # 从南昌乘飞机到重庆: a trip's end
AT_UNIT = re.compile(r"\S{0,3}?(?:内|里)?(?:发生|突发)")  # 拉丁酒吧发生, …分公司停车场内发生: at the unit's premises
INSIDE = re.compile(r"[^，,。；;：:、]{0,4}?[内里][，,]")  # 某医院急诊科内，十几名…: the clause is set there
# a school, a hospital, a prison, a factory: a unit whose grounds are a place (`word_classes.tsv` premises)
PREMISES = tuple(word_class("premises"))
# …and its own people, written after it (某学院陆续有101名学生…, 某监狱超过600名囚犯…): what befell them befell there
MEMBERS = re.compile(rf"(?!的)[^，,。；;：:、]{{0,16}}?(?:{alternation(word_class('member'))})")
# 由22日的5米多变为2米多, 次日的监测结果: a date qualifying a noun dates a state or a finding, not what happened
# (去年夏天的一个晚上, 5日的凌晨, 春节的前两天, 某年的3月上旬, 某年的最后一天: the date goes on, though
# 的5米多 is a number, no date; 今天的会见, 当天的判决: the noun is the incident, `word_classes.tsv` event_noun);
# 1992年度的 qualifies like 1992年的
ATTRIBUTE = re.compile(rf"(?:(?<=年)度)?的(?!时候|[一那这][个天]|第|{DAYPART}|[晚夜早]|最?[前后]|[底初]|[上中下]旬"
                       rf"|[0-9０-９一二三四五六七八九十〇]+[月日号]|{alternation(word_class('event_noun'))})")
BESIDE = re.compile(r"(?:[东南西北]侧|附近|一带|门前|门口|周边|旁边|对面)")  # X西侧: a spot by a named place
# …but not in a clause that sells the loot there, nor one that flees to it (逃到, 作案后窜至): where the loot or
# the culprit went (`verbs.tsv` sells, flees)
SELLS = re.compile(alternation(word_class("sells", "verbs")))
FLEES = re.compile(rf"(?:{alternation(word_class('flees', 'verbs'))}|后[^，,。；;：:]*?窜[至到入])[^，,。；;：:]*$")
CLAUSE_MARKS = "，,。；;：:"
QUOTES = (("“", "”"), ("「", "」"))
SAME_DAY = re.compile("当日|当天|当晚|同日|同一天")
TALLY = re.compile(r"(?:截至|截止到?|到)$")  # 截至22日上午10时，…回收完毕: a count's or a state's day, not an incident's
# 记者22日从…获悉, 23日，记者再次探访…: the day a reporter heard or went, not the day of what happened
REPORTER_BEFORE = re.compile(r"记者$")
REPORTER_AFTER = re.compile(r"[，,]?(?:本报)?记者|[，,]?从[^，,。；;：:从]{2,30}?(?:获悉|了解到|得知|获知)")
# 据中国消防在线消息，…: the source's words, not a scene (据国家地震台网测定, 据民政部统计)
SOURCE = re.compile(r"据[^，,。；;：:据]{2,24}?(?:消息|报道|统计|测定|通报)")
MAX_DESCRIPTION = 60
MAX_PLACES = 3
NEAR = 20  # characters between a date and the place it dates


def _description(text: str, date_surface: str | None) -> str:
    t = text
    if date_surface and t.startswith(date_surface):
        t = t[len(date_surface):]
    t = re.sub(r"^(?:许|左右|前后)", "", t)  # 6日11时30分许: the date's own tail
    t = t.lstrip("，,、 ").rstrip("。！？")
    return t if len(t) <= MAX_DESCRIPTION else t[:MAX_DESCRIPTION] + "…"


def _ancestors(e: Entity, idx: BuildIndex, gaz: Gazetteer, located_in: dict[str, set[str]]) -> set[str]:
    out, todo = set(), [e]
    while todo:
        cur = todo.pop()
        parents = {pid for pid, rel, _, _ in cur.parents if rel == "LOCATED_IN"}
        for pid in sorted(parents | located_in.get(cur.id, set())):
            if pid not in out and pid in idx.entity:
                out.add(pid)
                todo.append(idx.entity[pid])
        for p in gaz.by_name.get(cur.name, [])[:1]:
            for name in gaz.ancestors(p):
                out |= idx.loc_ids.get(name, set())
    return out


def _listed_after(text: str, m: Mention, marked: list[Mention]) -> bool:
    """`m` continues a list that opens with a marked place (在万宏国际、王旗营小区和时光俊园)."""
    for n in marked:
        gap = text[n.sent_start + len(n.norm): m.sent_start]
        if n.sent_start < m.sent_start and all(c in LIST_SEPARATORS or is_cjk(c) for c in gap) and len(gap) <= 12 \
                and not re.search(r"[，。；]", gap):
            return True
    return False


def _the_facility(idx: BuildIndex, sent: Sentence, facilities: dict[tuple[str, int], set[str]]) -> list[Entity]:
    """The one checkpoint or service station of the article (`facilities`: per document and article),
    if this sentence or the one before refers to one without naming it."""
    before = idx.sentence.get((sent.doc_id, sent.index - 1))
    said = sent.text + (before.text if before is not None and before.article == sent.article else "")
    found = facilities.get((sent.doc_id, sent.article), set())
    return [idx.entity[e] for e in found] if len(found) == 1 and FACILITY_WORDS.search(said) else []


def event_at(result: BuildResult, gaz: Gazetteer, known: Sequence[Relation] = (),
             idx: BuildIndex | None = None) -> list[Relation]:
    """`known`: relations found so far; their LOCATED_IN edges tell which named place holds another;
    `idx`: the build's index, if the caller has one."""
    idx = idx if idx is not None else BuildIndex(result)
    beats: dict[str, list[Entity]] = {}  # per document, the communities a team may be named after
    for doc in result.documents:
        beats[doc.id] = [e for e in idx.entities_in.get(doc.id, []) if e.type == "LOC" and e.name.endswith(BEAT_SUFFIXES)]
    located_in: dict[str, set[str]] = {}
    for r in known:
        if r.relation == "LOCATED_IN":
            located_in.setdefault(r.source_id, set()).add(r.target_id)
    facilities: dict[tuple[str, int], set[str]] = {}
    for (doc_id, index), ms in idx.in_sentence.items():
        article = idx.sentence[(doc_id, index)].article
        for m in ms:
            if m.type == "LOC" and m.norm.endswith(FACILITIES):
                facilities.setdefault((doc_id, article), set()).add(m.entity_id)
    rels: list[Relation] = []
    events: list[Entity] = []
    incidents: dict[tuple[str, int], list[Entity]] = {}  # per document and article, its events so far
    told: dict[str, _Told] = {}  # per event id, what its sentences said so far
    for (doc_id, index), ms in sorted(idx.in_sentence.items()):
        sent = idx.sentence[(doc_id, index)]
        if sent.kind not in ("body",):
            continue
        # a dateline (新华社北京1月21日电) says where and when the story was filed: no event; its date only
        # dates what the sentence tells happened "today" where no other date is given
        # (据@楚天都市报消息 is a source too; 北京时间 names a clock, not a place)
        lines = [(d.start, d.end) for d in find_datelines(sent.text)]
        filed = [m for m in ms if m.type == "DATE" and any(a <= m.sent_start < b for a, b in lines)]
        clocks = time_zone_spans(sent.text)
        ms = [m for m in ms if not any(a <= m.sent_start < b for a, b in lines)
              and not (m.type == "LOC" and any(a <= m.sent_start < b for a, b in clocks))]
        lines += clocks
        # 本报1月4日第四版…刊登: the day a paper printed something, not the day of an incident
        printed = [m for m in ms if m.type == "DATE" and _printed(sent.text, m, ms, idx)]
        filed += printed
        dates = [m for m in ms if m.type == "DATE" and m not in printed]
        # a date closing a header before a colon (东方网…11月12日信息：昨日中午…) dates the report
        headed = [m for m in dates[:1] if len(dates) > 1 and HEADER_END.match(sent.text, m.sent_start + len(m.norm))]
        filed += headed
        dates = [m for m in dates if m not in headed]
        dates = [m for m in dates if not TALLY.search(sent.text, 0, m.sent_start)
                 and not ATTRIBUTE.match(sent.text, m.sent_start + len(m.norm))
                 and not REPORTER_BEFORE.search(sent.text, 0, m.sent_start)
                 and not REPORTER_AFTER.match(sent.text, m.sent_start + len(m.norm))]
        orgs = [(m.sent_start, m.sent_start + len(m.norm)) for m in ms if m.type == "ORG"]
        # …nor a place written right before a unit (深圳|福田警方: whose police), nor one inside the
        # name of a case (“合肥市少女毁容案”)
        cases = [(c.start(), c.end()) for c in CASE_NAME.finditer(sent.text)]
        # …nor where a reporter heard it (记者从攀枝花仁和区…了解到), nor a trip's ends (由广东开往贵州)
        cases += [(c.start(), c.end()) for c in HEARD_FROM.finditer(sent.text)]
        cases += [(c.start(), c.end()) for c in SOURCE.finditer(sent.text)]
        # places inside a unit's name (福州市 in 福州市公安局) say who acted, not where, unless someone
        # went to that unit (来到北京市月坛派出所, 送到澄城县人民医院); nor do places people came from (来自浙江、山西等省)
        visited = [(a, b) for a, b in orgs if VISIT.search(sent.text, 0, a)]
        # …or the unit is the scene: premises where something broke out or befell its people (在某中学,
        # 某中学74名学生出现食物中毒症状, 某酒吧发生火灾)
        # (not where the clause names a place of its own: 在南马路，某公司职工…; nor by a country in its name)
        at_premises = [m for m in ms if m.type == "ORG" and _premises_scene(sent.text, m)
                       and not _clause_place(sent.text, m, ms)]
        premises = [(m.sent_start, m.sent_start + len(m.norm)) for m in at_premises]
        visited += premises
        locs = [m for m in ms if m.type == "LOC" and (m.source != "name" or any(a <= m.sent_start < b for a, b in visited))
                and not any(a <= m.sent_start < b for a, b in orgs if (a, b) not in visited)
                and not ORIGIN.search(sent.text[:m.sent_start]) and not TRIP_END.search(sent.text, 0, m.sent_start)
                and not FROM_TO.search(sent.text, 0, m.sent_start)
                and not TRIP_START.match(sent.text, _run_end(m, ms))
                and not (HEADED_FOR.search(sent.text, 0, m.sent_start) and sent.text.startswith("的", _run_end(m, ms)))
                and not DESCRIBES.match(sent.text, m.sent_start + len(m.norm))
                and not NATIVE.match(sent.text, _run_end(m, ms))
                and not any(_run_end(m, ms) == a for a, b in orgs if (a, b) not in visited
                            and sent.text[a:b].endswith((*POLICE, "警方")))
                and not any(a <= m.sent_start < b for a, b in cases)
                and not (any(a <= m.sent_start < b for a, b in premises) and gaz.world.kind(m.norm) == "country")]
        if any(m.source == "name" for m in locs):  # someone went to a unit: where they live is not where
            locs = [m for m in locs if not RESIDENT.match(sent.text, m.sent_start + len(m.norm))]
        ms_locs = locs
        targets: list[Entity] = []
        if not locs and dates and EVENT_VERBS.search(sent.text):
            # …except a team named for the community it was sent to (3月14日接到通知奔赴抗疫前线，
            # 深圳中院沙埔头社区抗疫突击队…): with no other place, the event is where the team went
            units = [m.norm for m in ms if m.type == "ORG"]
            targets = [e for e in beats.get(doc_id, []) if any(e.name in u for u in units)]
        elif dates:
            # the place an event happened is named right by its date (3月19日，洮南市团结广场…)
            # (or by a later date of the sentence: 11月12日信息：昨日中午…，荆州市公安县甘家厂乡发生…; the
            # event keeps the sentence's first date)
            near = [m for m in locs if _near(m, dates)]
            # …and every place listed on from one of those (万宏国际、王旗营小区万福里和时光俊园)
            for m in sorted(locs, key=lambda m: m.sent_start):
                if m not in near and any(0 <= m.sent_start - (n.sent_start + len(n.norm)) <= 1 and
                                         sent.text[n.sent_start + len(n.norm): m.sent_start] in ("", *LIST_SEPARATORS)
                                         for n in near):
                    near.append(m)
            # a place the sentence marks as the scene (在北京市开幕) outranks places that only name
            # the event or its people (龙潭庙会 … 在北京市)
            marked = [m for m in near if SCENE.search(sent.text, 0, m.sent_start)]
            locs = [m for m in near if m in marked or _listed_after(sent.text, m, marked)] if marked else near
            if not locs:  # 12月6日上午，4个外地人以…为由，在重庆沙坪坝三峡广场寻求资助: the scene, farther on
                # (行至包固一级公路与固察路交叉路口时: a scene by its head, kg.ner.rules)
                # (行经兴山县峡口镇: the run a marker opens, its head split off a longer name)
                scene = [m for m in ms if m.type == "LOC" and (m in ms_locs or m.source == "name")
                         and (SCENE.search(sent.text, 0, m.sent_start) or SCENE_END.search(m.norm))]
                locs = [m for m in ms_locs if m in scene or _glued_on(m, scene, ms)]
                # (对芙蓉宾馆西侧的美容美发店进行了清理: a spot the sentence places by its side)
                locs = locs or [m for m in ms_locs if m.source != "name" and BESIDE.match(sent.text, _run_end(m, ms))
                                and not _getting_away(sent.text, m)][:1]
        else:
            # a verb by the place (a visited unit's place, undated, is where people go in general:
            # 到海南省琼山市公安局办事的群众…)
            locs = [m for m in locs if m.source != "name" and EVENT_VERBS.search(
                sent.text[max(0, m.sent_start - 6): m.sent_start + len(m.norm) + 6])]
        for m in locs:
            e = idx.entity[m.entity_id]
            if e not in targets:
                targets.append(e)
        if not targets and dates:
            # no place but the one a unit is named after, the unit opening the sentence's story right
            # after its date (8月31日，哈尔滨市公安局民警…; 2月8日，桃江县公安局…派出所民警在工作中发现…):
            # the unit acted at home, so its place is the scene
            targets = _acting_unit_place(sent.text, dates[0], ms, idx)
        if not targets and dates:
            # no place at all, but premises the sentence makes the scene by its date (昨天，某中学21名学生
            # 吃完午餐后…): the school is where it happened, and its name holds no place to point at
            targets = [idx.entity[m.entity_id] for m in at_premises if _near(m, dates)
                       and not any(n.type == "LOC" and m.sent_start <= n.sent_start < m.sent_start + len(m.norm)
                                   and gaz.world.kind(n.norm) != "country" for n in ms)][:1]
        if not targets and dates and EVENT_VERBS.search(sent.text):
            # no place by the date, but "the checkpoint" (杨少帅讲起了同事张凯在卡口上的一个故事。
            # 11月10日14时，正在开展防疫工作的张凯…) where the article names exactly one
            targets = _the_facility(idx, sent, facilities)
        if not targets:
            continue
        anc = set().union(*(_ancestors(e, idx, gaz, located_in) for e in targets))
        anc |= _glued_outer(ms, targets, anc)  # 日本东京: the country written right before its city
        targets = [e for e in targets if e.id not in anc][:MAX_PLACES]
        date = dates[0] if dates else (filed[0] if filed else None)
        date_entity = idx.entity.get(date.entity_id) if date else None
        opening = max((b for a, b in lines if a == 0 or b <= (dates[0].sent_start if dates else len(sent.text))),
                      default=0)
        rest = sent.text[opening:]
        rest = rest[CREDIT.match(rest).end():] if opening and CREDIT.match(rest) else rest  # （记者李明）
        desc = _description(rest.lstrip("，, "), date.norm if date else None)
        trigger = _trigger(sent.text)
        ev = idx.evidence(doc_id, index)
        props: dict = {}
        if date:
            # the date node's name: 今天 joined to the 1月21日 the text fixes is cited as 1月21日
            props["date"] = date_entity.name if date_entity is not None else date.norm
            if date_entity is not None and date_entity.attrs.get("iso"):
                props["iso_date"] = date_entity.attrs["iso"]
        if trigger:
            props["trigger"] = trigger
        key = (doc_id, sent.article)
        day = core_date(date_entity.name if date_entity is not None else date.norm) if date else None
        event = _same_incident(incidents.get(key, []), told, date.entity_id if date else None, day,
                               {t.id for t in targets})
        same_day = SAME_DAY.match(date.norm) if date else None
        if event is None and same_day:
            # 当日20时左右: the day of the incident the article just told (12月26日20时左右), at another place
            # of it (the crossing of the road it named): that incident, at the date the text fixed
            last = next((e for e in reversed(incidents.get(key, [])) if e.attrs.get("date")), None)
            if last is not None and str(last.attrs.get("iso", ""))[:10] == str(props.get("iso_date", ""))[:10]:
                event = last
                props["date"] = last.attrs["date"]
                props.pop("iso_date", None)
                if last.attrs.get("iso"):
                    props["iso_date"] = last.attrs["iso"]
        # matched by its day and a place, at another time of it (7点左右 … 7点21分 接到报警): no second edge
        retimed = event is not None and date is not None and date.entity_id not in told[event.id].dates
        if event is None:
            eid = "event-" + hashlib.sha1(f"{doc_id}\x1f{index}\x1f{sent.text}".encode()).hexdigest()[:16]
            event = Entity(id=eid, name=desc, type="EVENT",
                           attrs={"description": desc, "documents": [doc_id], "mention_count": 1})
            told[eid] = _Told()
            if date:
                event.attrs["date"] = props["date"]
                if "iso_date" in props:
                    event.attrs["iso"] = props["iso_date"]
            if trigger:
                event.attrs["trigger"] = trigger
            events.append(event)
            incidents.setdefault(key, []).append(event)
        elif trigger and "trigger" not in event.attrs:
            event.attrs["trigger"] = trigger
        so_far = told[event.id]
        if date:
            so_far.dates.add(date.entity_id)
            if day:
                so_far.days.add(day)
        for t in targets:
            if t.id not in so_far.places or date and not retimed:
                rels.append(Relation(event.id, "EVENT_AT", t.id, dict(props), ev))
            so_far.places.add(t.id)
        for who, role in _participants(sent.text, ms, lines):
            if who.entity_id not in so_far.people:
                so_far.people.add(who.entity_id)
                rels.append(Relation(who.entity_id, "INVOLVED_IN", event.id, {"role": role}, ev))
    result.entities.extend(events)
    return rels


def _acting_unit_place(text: str, date: Mention, ms: list[Mention], idx: BuildIndex) -> list[Entity]:
    """The place a unit's name opens with, where that unit's staff follow the date (and a comma) at once
    (8月31日，哈尔滨市公安局民警…) or where something broke out at the unit (1月31日晚，长乐市拉丁酒吧发生
    特大火灾), not the unit's own acts (…党委向…发出号召, …环保局通报)."""
    end = date.sent_start + len(date.norm)
    end += len(text[end:end + 1]) if text[end:end + 1] in "，," else 0
    units = [m for m in ms if m.type == "ORG" and m.sent_start == end  # …and its staff acted (民警, 干警)
             and (ROLE_RE.match(text, m.sent_start + len(m.norm)) or AT_UNIT.match(text, m.sent_start + len(m.norm)))]
    return [idx.entity[m.entity_id] for m in ms if m.type == "LOC" and units and m.sent_start == end
            and m.sent_start + len(m.norm) < units[0].sent_start + len(units[0].norm)][:1]


def _near(m: Mention, dates: list[Mention]) -> bool:
    """`m` is written within NEAR characters of one of `dates`, before or after it."""
    return any(abs(m.sent_start - (d.sent_start + len(d.norm))) <= NEAR or
               abs(d.sent_start - (m.sent_start + len(m.norm))) <= NEAR for d in dates)


def _premises_scene(text: str, m: Mention) -> bool:
    """The unit `m` names premises (a school, a factory) the sentence marks as where it happened: a
    scene word before it (在), an outbreak after it (发生, 突发), its own people after it (74名学生), or
    the sentence set inside it (某医院急诊科内，…). Not a name quoted (“某中学”: a title, a slogan), nor
    a span that opens with a verb (窜至上述公司: the model took the motion into the name)."""
    end = m.sent_start + len(m.norm)
    if not m.norm.endswith(PREMISES) or _quoted(text, m.sent_start) or _verb_opened(m.norm):
        return False
    return bool(SCENE.search(text, 0, m.sent_start) or AT_UNIT.match(text, end)
                or MEMBERS.match(text, end) or INSIDE.match(text, end))


def _quoted(text: str, i: int) -> bool:
    """Offset `i` of `text` lies inside a quotation (“…” or 「…」) opened before it."""
    return any(text.count(a, 0, i) > text.count(b, 0, i) for a, b in QUOTES)


def _verb_opened(name: str) -> bool:
    """`name` opens with a verb and a preposition or a pronoun (窜至上述公司, 逃至该厂): a verb phrase, not
    a unit's name (希望小学 opens with a verb too, but a noun follows)."""
    words = segmenter.words(name)
    return len(words) > 2 and segmenter.tag(words[0]) in ("v", "zg") and segmenter.tag(words[1])[:1] in ("p", "r")


def _clause(text: str, m: Mention) -> tuple[int, int]:
    """The clause of `text` around `m`, between clause marks (commas, full stops, colons)."""
    a = max(text.rfind(c, 0, m.sent_start) for c in CLAUSE_MARKS) + 1
    ends = [k for c in CLAUSE_MARKS if (k := text.find(c, m.sent_start + len(m.norm))) >= 0]
    return a, min(ends, default=len(text))


def _clause_place(text: str, m: Mention, ms: list[Mention]) -> bool:
    """The clause of the unit `m` names a place outside every unit (一辆货车在某路上撞伤了某公司职工…): that
    place, not the unit's, is the scene. A place glued on before the unit (山西|新绛县某中学) is part of
    its name."""
    a, b = _clause(text, m)
    units = [(n.sent_start, n.sent_start + len(n.norm)) for n in ms if n.type == "ORG"]
    return any(n.type == "LOC" and a <= n.sent_start < b and not any(u <= n.sent_start < v for u, v in units)
               and not (n.sent_start < m.sent_start <= _run_end(n, ms)) for n in ms)


def _getting_away(text: str, m: Mention) -> bool:
    """The clause of the spot `m` sells loot, or flees before `m` (逃到, 作案后窜至): where the loot or the
    culprit went, not the scene."""
    a, b = _clause(text, m)
    return bool(SELLS.search(text, a, b) or FLEES.search(text[a:m.sent_start]))


def _glued_outer(ms: list[Mention], targets: list[Entity], anc: set[str]) -> set[str]:
    """Places written straight before another target (日本东京, 美国纽约): the outer place of a compound
    the gazetteer does not chain (a country and its city), unless that target holds the first one
    (…杨家渭村台州大东鞋厂: the city a factory is named after, not a place inside the village)."""
    ids = {t.id for t in targets} - anc
    starts = {m.sent_start: m for m in ms if m.type == "LOC" and m.entity_id in ids}
    return {m.entity_id for m in ms if m.type == "LOC" and m.entity_id in ids
            and (n := starts.get(m.sent_start + len(m.norm))) is not None and n.entity_id != m.entity_id}


@dataclass
class _Told:
    """What an event's sentences said so far (ids of date nodes, days, places, people): a later
    sentence that shares a date, or a day and a place, tells more of the same incident."""

    dates: set[str] = field(default_factory=set)
    days: set[str] = field(default_factory=set)
    places: set[str] = field(default_factory=set)
    people: set[str] = field(default_factory=set)


def _same_incident(earlier: list[Entity], told: dict[str, _Told], date: str | None, day: str | None,
                   places: set[str]) -> Entity | None:
    """The article's earlier event this sentence tells more of: the same date node, another time of
    its day at a place it already has, or, undated, a place it already has."""
    for e in reversed(earlier):
        so_far = told[e.id]
        if date is not None and date in so_far.dates:
            return e
        if date is not None and day and day in so_far.days and places & so_far.places:
            return e
        if date is None and places & so_far.places:
            return e
    return None


def _trigger(text: str) -> str:
    """What happened: the first incident word of the sentence (火灾, 抢劫), else its verb of happening."""
    best = None
    for w in _triggers():
        i = text.find(w)
        if i >= 0 and (best is None or (i, -len(w)) < (best[0], -len(best[1]))):
            best = (i, w)
    if best is not None:
        return best[1]
    m = EVENT_VERBS.search(text)
    return m.group() if m else ""


def _triggers() -> frozenset[str]:
    return frozenset(load_words("event_triggers"))


def _participants(text: str, ms: list[Mention], skip: list[tuple[int, int]]) -> list[tuple[Mention, str]]:
    """(mention, role) of the people and acting units of an event's sentence (see the module's doc)."""
    roles = titles() | frozenset(load_words("participant_roles"))
    lengths = sorted({len(r) for r in roles}, reverse=True)
    out = []
    for m in ms:
        if any(a <= m.sent_start < b for a, b in skip):
            continue  # a dateline's reporter
        if m.type == "PERSON":
            role = next((text[m.sent_start - n:m.sent_start] for n in lengths
                         if n <= m.sent_start and text[m.sent_start - n:m.sent_start] in roles), "")
            if role not in NOT_MEMBERS:
                out.append((m, role))
        elif m.type == "ORG" and m.source != "name" and CLAUSE_OPEN.search(text, 0, m.sent_start):
            out.append((m, ""))
    return out


def _run_end(m: Mention, ms: list[Mention]) -> int:
    """Where the run of places glued on from `m` ends (江西吉安人: 江西, then 吉安, then 人)."""
    starts = {n.sent_start: n for n in ms if n.type == "LOC"}
    end, seen = m.sent_start + len(m.norm), 0
    while end in starts and seen < 8:
        end, seen = starts[end].sent_start + len(starts[end].norm), seen + 1
    return end


def _glued_on(m: Mention, heads: list[Mention], ms: list[Mention]) -> bool:
    """`m` is written straight after one of `heads`, through places glued on (在重庆沙坪坝三峡广场:
    沙坪坝 and 三峡广场 after 重庆)."""
    ends = {h.sent_start + len(h.norm) for h in heads}
    for n in sorted((x for x in ms if x.type == "LOC"), key=lambda x: x.sent_start):
        if n.sent_start in ends:
            if n is m:
                return True
            ends.add(n.sent_start + len(n.norm))
    return False


def _printed(text: str, date: Mention, ms: list[Mention], idx: BuildIndex) -> bool:
    """A date written right after 本报 or an outlet (本报1月4日, 人民日报1月4日): when it was printed."""
    if text[:date.sent_start].endswith("本报"):
        return True
    return any(m.type == "ORG" and m.sent_start + len(m.norm) == date.sent_start
               and idx.entity[m.entity_id].name.endswith(("报", "网", "社")) for m in ms)
