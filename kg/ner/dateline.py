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

from kg.ner.lexicon import SURNAMES
from kg.ner.names import split_name_run

_NUM = "0-9０-９一二三四五六七八九十〇零两"
AGENCY = r"本报|[\u4e00-\u9fff]{2}社"  # the paper itself, or a news agency (新华社, 中新社, 美联社)
DATELINE_RE = re.compile(
    rf"(?P<by>据)?(?P<source>{AGENCY})(?:记者)?"  # 本报记者北京…电 too
    rf"(?:(?P<place>[\u4e00-\u9fff·]{{2,10}}?)(?P<date>(?:[{_NUM}]{{2,4}}年)?[{_NUM}]{{1,2}}月[{_NUM}]{{1,3}}日)(?:专)?[电讯]"
    rf"|讯)(?![话视脑报影力子])"  # 电话, 电视, 讯报: not a dateline's 电/讯
)
# reporters after a dateline or a source: （记者汪金福、赵忠生）, 记者吴兴华报道, 新华社记者盖金东、本报记者毛磊报道
REPORTERS_RE = re.compile(
    rf"(?P<source>{AGENCY})?(?:见习|特约|驻[\u4e00-\u9fff]{{1,6}})?记者"
    r"(?P<names>[\u4e00-\u9fff·]{2,5}?(?:[、\s][\u4e00-\u9fff·]{2,5}?)*?)"
    rf"(?=报道|摄|）|\)|[、，,：:\s]*$|[：:]|、(?:{AGENCY})记者)"
)


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
    return [Dateline(m.start(), m.end(), m.group("source"), m.group("place") or "", m.group("date") or "",
                     bool(m.group("by"))) for m in DATELINE_RE.finditer(text)]


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
        source = m.group("source") or ""
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
