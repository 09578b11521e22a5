"""Datelines: where and when a dispatch was filed (新华社北京１月９日电, 本报北京１月１０日讯,
（新华社北京12月31日电）, 据新华社华盛顿１月８日电).

The date of the dateline is the day the article speaks from: its 今天 is that day. The dateline
itself reports no event.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kg.ner.dates import NUM

DATELINE_RE = re.compile(
    # an agency is two characters and 社; a headline may run into it once line breaks are gone
    rf"据?(?:[\u4e00-\u9fff]{{2}}社|本报|本刊)(?:记者)?"
    rf"(?P<place>[\u4e00-\u9fff·]{{2,10}}?)(?P<date>{NUM}{{1,2}}月{NUM}{{1,3}}日)(?:电|讯)(?![话视脑报影力子])"
)


class Dateline(NamedTuple):
    start: int
    end: int
    place: str
    month: int
    day: int
    date: str  # the date as written (１月９日)


def find_dateline(text: str) -> Dateline | None:
    """The first dateline in `text`, or None. Month and day are read by the date parser's numerals."""
    from kg.ner.dates import month_day

    for m in DATELINE_RE.finditer(text):
        md = month_day(m.group("date"))
        if md:
            return Dateline(m.start(), m.end(), m.group("place"), md[0], md[1], m.group("date"))
    return None
