"""Datelines and the reporters they name: 新华社北京１月２１日电（记者汪金福、赵忠生）, 本报长沙１月１０日电,
本报讯, 据新华社华盛顿1月9日电.

A dateline says who filed the story, from where and on which day: it is the document's own date
and source, not an event. `find_datelines` returns where each one is and its parts, for the date
rules (the document's date), the event rules (a dateline is no event) and the byline rules (the
reporters after it belong to the agency it names). A source is the paper itself (本报) or a news
agency (…社); its place is the one or more place characters before the date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from kg.ner.lexicon import OUTLET_SUFFIXES, SURNAMES
from kg.ner.names import split_name_run

_NUM = "0-9０-９一二三四五六七八九十〇零两"
_CJK = "\u4e00-\u9fff"
# an outlet's name: a paper, a site, a broadcaster (包头晚报, 泉州新闻网, 央广网, 海峡都市报, 中国新闻社); a site
# and its paper may be written together (厦门网-厦门日报: the paper is the second)
OUTLET = rf"[{_CJK}A-Za-z]{{1,8}}?(?:{'|'.join(map(re.escape, OUTLET_SUFFIXES))})"  # in file order
# an outlet is a source only at the start of a sentence or clause (a glued-on headline is no part of it)
_OPEN = r"(?:^|(?<=[\s，。！？；：、“”（）()【】\[\]@|/／]))"
AGENCY = rf"本报|[{_CJK}]{{2}}社|{_OPEN}(?:{OUTLET}[-－—])?{OUTLET}"
DATELINE_RE = re.compile(
    rf"(?P<by>据@?)?(?P<source>{AGENCY})(?:记者)?"  # 本报记者北京…电 too
    rf"(?:(?P<place>[{_CJK}·]{{2,10}}?)?(?P<date>(?:[{_NUM}]{{2,4}}年)?[{_NUM}]{{1,2}}月[{_NUM}]{{1,3}}日)(?:专)?(?:[电讯]|消息)"
    r"|讯|(?(by)消息|(?!)))(?![话视脑报影力子息])"  # 电话, 电视, 讯报, 讯息: not a dateline's 电/讯
)
# reporters after a dateline or a source: （记者汪金福、赵忠生）, 记者吴兴华报道, 新华社记者盖金东、本报记者毛磊报道,
# （记者：钟欣）, （记者孟梅实习生夏冬梅）,
# （海峡都市报记者吴臻游庆辉通讯员…）
REPORTERS_RE = re.compile(
    rf"(?P<source>{AGENCY})?(?:(?:见习|特约|驻[{_CJK}]{{1,6}})?记者|实习生)[ \u3000]?[：:]?[ \u3000]?"
    rf"(?P<names>[{_CJK}·]{{2,5}}?(?:[、\s][{_CJK}·]{{2,5}}?)*?)"
    rf"(?=报道|摄|）|\)|[、，,：:\s]*$|[：:]|、?(?:{AGENCY})?记者|通讯员|实习生|文[/／]|[/／])"
)
# 北京时间3月2日: a time zone, not the place of anything
TIME_ZONE_RE = re.compile(r"(?:北京|当地|格林尼治|东京|莫斯科)时间")
_DASH = re.compile("[-－—]")


@dataclass(frozen=True)
class Dateline:
    start: int
    end: int
    source: str  # 本报, 新华社 …
    place: str = ""  # 北京, as written ("" for 本报讯)
    date: str = ""  # １月２１日, as written
    cited: bool = False  # 据新华社…电: another agency's story quoted


def find_datelines(text: str) -> list[Dateline]:
    """Every dateline in `text` (cleaned or original), in order."""
    return [Dateline(m.start(), m.end(), _paper(m.group("source")), m.group("place") or "", m.group("date") or "",
                     bool(m.group("by"))) for m in DATELINE_RE.finditer(text)]


def _paper(source: str) -> str:
    """The outlet a source names: the paper of a site and its paper (厦门网-厦门日报 → 厦门日报)."""
    return _DASH.split(source)[-1]


def outlet_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each outlet a dateline or a reporter's credit names (荆楚网, 据@楚天都市报消息,
    海峡都市报记者X; both of 厦门网-厦门日报): organisations, whatever the model makes of them. 本报 names none."""
    out = set()
    for m in [*DATELINE_RE.finditer(text), *REPORTERS_RE.finditer(text)]:
        source = m.group("source")
        if not source or source == "本报":
            continue
        pos = m.start("source")
        for part in _DASH.split(source):
            out.add((pos, pos + len(part)))
            pos += len(part) + 1
    return sorted(out)


def outside_outlets(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Spans (of the model) cut back where they run into an outlet a dateline names: 央广网哈尔滨 (one
    "place") is the outlet 央广网 and the place 哈尔滨; a span inside the outlet (荆楚) goes."""
    outlets = outlet_spans(text)
    if not outlets:
        return spans
    out = []
    for i, j, t in spans:
        for a, b in outlets:
            if i < b and a < j and (i, j) != (a, b):
                i, j = (b, j) if i >= a else (i, a)  # keep the part outside the outlet
        if j - i >= 2:
            out.append((i, j, t))
    return out


def time_zone_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each 北京时间 / 当地时间: its place names a clock, not where anything happened."""
    return [(m.start(), m.end()) for m in TIME_ZONE_RE.finditer(text)]


def outside_clocks(text: str, spans: list[tuple]) -> list[tuple]:
    """Spans (i, j, type, ...) less the places that only name a clock: 北京 of 北京时间3月2日 is no
    mention of Beijing (the report says what time it was, not where anything happened)."""
    clocks = time_zone_spans(text)
    if not clocks:
        return spans
    return [s for s in spans if s[2] != "LOC" or not any(a <= s[0] and s[1] <= b - 2 for a, b in clocks)]


class DatedLine(NamedTuple):
    start: int
    end: int
    place: str
    month: int
    day: int
    date: str  # the date as written (１月９日)


def find_dateline(text: str) -> DatedLine | None:
    """The first dateline in `text` with a month and day, or None: the day the article speaks from
    (its 今天). Month and day are read by the date parser's numerals."""
    from kg.ner.dates import month_day

    for d in find_datelines(text):
        if d.date and (md := month_day(d.date)):
            return DatedLine(d.start, d.end, d.place, md[0], md[1], d.date)
    return None


def reporter_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, source) of each reporter's name after 记者 in a dateline or byline; source is the
    agency or paper named right before 记者 (新华社记者X) or by the dateline the names follow
    (新华社北京1月21日电（记者X、Y）), "" where none is named."""
    lines = find_datelines(text)
    out = []
    for m in REPORTERS_RE.finditer(text):
        source = _paper(m.group("source") or "")
        if not source:
            before = [d for d in lines if d.end <= m.start() and m.start() - d.end <= 2]
            source = before[-1].source if before else ""
        pos = m.start("names")
        for name in re.split(r"[、\s]", m.group("names")):
            run = split_name_run(name, ()) if len(name) >= 4 else None  # 王锦鹄毛磊: two names
            out += [(pos + a, pos + b, source) for a, b in run or [(0, len(name))]
                    if name and (name[a] in SURNAMES or name[a:a + 2] in SURNAMES or "·" in name[a:b])]
            pos += len(name) + 1
    return out
