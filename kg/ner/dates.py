"""Dates by rule, resolved to ISO by a maintained parser.

Finding dates is the rule layer's job: the training corpora with dates (People's Daily) and
without (MSRA) disagree, so dates are not the model's. Surface forms are kept whole, as an analyst
would cite them: 4月1日15时, 自3月19日起, 截至2月3日, 3月9日至3月10日, 去年的11月10日14时,
1月29日中午11点多, 2020年1月1日至今, 庚子鼠年春节, 除夕, 十二月三十一日, 今天上午, 当晚十一时, 上月.

Resolving them is JioNLP's time parser (Chinese numerals, relative days, festivals, lunar dates),
given the date the text is written from (`DateBase`): a bare 12月31日 takes the year that puts it
nearest that date (in an article of 1998-01-10 it is 1997-12-31, as a reader would take it);
今天/去年/上月 count from it; 当天/当晚/次日 count from the date the article last named.
ISO keeps the precision the text has: 1998-01-09, 1997-08, 1997, or an interval a/b.
"""

from __future__ import annotations

import calendar
import contextlib
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

NUM = r"[0-9０-９一二三四五六七八九十〇零两]"
YNUM = r"[0-9０-９一二三四五六七八九〇零]"  # digits of a year (１９９７两年 is two years, not a date)
DAY = rf"(?:(?:{YNUM}{{4}}|{YNUM}{{2}})年)?{NUM}{{1,2}}月(?:{NUM}{{1,3}}[日号]|上旬|中旬|下旬|初|底|末)"
DAYPART = r"(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|夜间|深夜|夜里)"
CLOCK = rf"(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚|夜间|深夜|夜里|夜)?(?:{NUM}{{1,3}}[时点](?:{NUM}{{1,3}}分?|半|多)?(?:许|左右)?)"
TIME = rf"(?:{CLOCK}|凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚间|晚|夜间|深夜|夜里)"
DATE = rf"{DAY}(?:{TIME})?"
# days named from the day of writing or from the date just named (当天 = that day)
# …or by its weekday in the week of writing or the one before or after (上周五, 本周二, 下星期一); 天 is
# Sunday only after 星期/礼拜 (上周天气: the week's weather, no day)
DEICTIC_DAY = (r"今天|昨天|前天|今日|昨日|前日|今晨|昨晨|今晚|昨晚|前晚"
               r"|[上本这下]个?(?:周[一二三四五六日]|(?:星期|礼拜)[一二三四五六日天])")
# 今（30）日: today, with its day of the month in brackets
TODAY_NUMBERED = r"今[（(][0-9０-９]{1,2}[）)]日"
ANAPHORIC_DAY = r"当天|当日|当晚|次日|翌日|第[二三四五六七八九十]天"
REL_YEAR = r"去年|今年|前年|明年"  # 明年 alone is an intention (明年一定陪您过生日), not a date
REL_MONTH = r"上个?月|本月|下个?月"
PART_OF_YEAR = r"初|底|末|上半年|下半年|[春夏秋冬](?:天|季)"
DATE_RE = re.compile(
    rf"(?:(?:{REL_YEAR})的?)?(?:自|从|截至|截止到?|截止)?{DATE}(?:(?:至|到|—|-|~){DATE}|至今)?"
    rf"(?:以来|起|开始|后|前|之前|之后|期间)?"
    rf"|(?:(?:[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥])[鼠牛虎兔龙蛇马羊猴鸡狗猪]年)?(?:春节|元宵节|清明节|国庆节|中秋节|元旦)"
    rf"|除夕|大年初[一二三四五六七八九十]|正月初[一二三四五六七八九十]"
    rf"|{YNUM}{{4}}年(?:{NUM}{{1,2}}月份?|{PART_OF_YEAR})?(?:以来)?"
    rf"|(?:{REL_YEAR})的?{NUM}{{1,2}}月份?(?:以来)?"
    rf"|(?:{DEICTIC_DAY}|当晚|次日|翌日|第[二三四五六七八九十]天)(?:{TIME})?|(?:当天|当日){CLOCK}"  # 当天上牌: no day
    rf"|{TODAY_NUMBERED}(?:{TIME})?"
    rf"|(?<![0-9０-９月第初])(?<![0-9０-９]至)[0-9０-９]{{1,2}}日(?!内|以内|之内|左右)(?:{TIME})?"  # 根茨２８日宣布 (not 3号楼; 5至15日拘留: days)
    rf"|(?<![0-9０-９一二三四五六七八九十〇零两月第初])(?:[二三]?十[一二三四五六七八九]?|[二三]十)日(?!内|以内|之内|左右)(?:{TIME})?"  # 十四日凌晨
    rf"|(?:去年|今年|前年)(?!{NUM}{{1,3}}周?岁)(?:年底|年初|{PART_OF_YEAR}|以来)?|(?:{REL_MONTH})(?:以来)?"  # 今年59岁: an age
    # a clock time standing alone (中午12时许, 十一时四十五分): a time of the day just named; not a habit
    # (每天早上9点), not an hour alone (到7时, 第一时间, 一时半会)
    rf"|(?<!每天)(?<!每日)(?<![0-9０-９]){DAYPART}{NUM}{{1,3}}[时点](?:{NUM}{{1,3}}分?|半|多)?(?:许|左右)?"
    rf"|(?<![0-9０-９第小个]){NUM}{{1,3}}[时点]{NUM}{{1,3}}分(?:许|左右)?"
)
UNSURE_DAYS = 120  # a bare month-day further than this from the day of writing could be either year
BARE_DAY_RE = re.compile(r"^[0-9]{1,2}日")
CORE_RE = re.compile(rf"(?:({YNUM}{{4}})年)?({NUM}{{1,2}})月({NUM}{{1,3}})[日号]")
YEAR_WRITTEN = re.compile(rf"{YNUM}{{2,4}}年")
ANAPHORIC_RE = re.compile(rf"^(?:{ANAPHORIC_DAY})")
RELATIVE_RE = re.compile(rf"^(?:{DEICTIC_DAY}|{REL_YEAR}|{REL_MONTH})")
DAY_WORD_RE = re.compile(rf"^(?:{DEICTIC_DAY}|{ANAPHORIC_DAY})$")  # a whole day named by one word
OPEN_ENDS = re.compile(r"^(?:自|从|截至|截止到?)|(?:以来|起|开始|后|前|之前|之后|期间|至今)$")
MONTH_SHIFT = {"上月": -1, "上个月": -1, "本月": 0, "下月": 1, "下个月": 1}  # the parser reads none of these
SAME_AS = {"今晨": "今天早上", "昨晨": "昨天早上", "前晚": "前天晚上", "前日": "前天",
           "翌日": "次日"}  # …nor these: the words it reads for them
# a date standing apart in a file name (19980110-01-003.txt, 2020-03-19_x.txt), not digits of a hash
FILE_DATE_RE = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?![0-9A-Za-z])")


@dataclass(frozen=True)
class DateBase:
    """What a date without its year, or a relative one, is read against."""

    today: date | None = None  # the day the text was written: its dateline, else the document's date
    year: int | None = None  # else the only year the document writes, if it writes one


def core_date(text: str) -> str | None:
    """The bare month-day (with year if written) inside a date expression: 截至3月30日 → 3月30日."""
    m = CORE_RE.search(text)
    return m.group(0) if m else None


def date_from_name(name: str) -> str:
    """The date a file name carries (19980110-01-003.txt, 2020-03-19_x.txt), ISO, or ''."""
    for m in FILE_DATE_RE.finditer(name):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return ""


def parse_iso_day(text: str) -> date | None:
    """`YYYY-MM-DD` → date, None for anything else (a month, a year, an interval, '')."""
    try:
        return date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        return None


def names_its_day(text: str) -> bool:
    """1月21日上午, ２８日, 今天, 当晚: the day is written out or is one word, so the mention is that
    day's node. A time of a relative day (当晚十一时, 今天上午) is not."""
    t = unicodedata.normalize("NFKC", text)
    return bool(CORE_RE.search(t) or BARE_DAY_RE.match(t) or DAY_WORD_RE.match(t))


@dataclass
class DateResolver:
    """Date expressions → ISO. Holds JioNLP's parser, loaded on first use (it takes a third of a second)."""

    _parser: Any = field(default=None, repr=False)

    def parser(self):
        if self._parser is None:
            with contextlib.redirect_stdout(io.StringIO()):  # jionlp and jiojio greet on stdout on import
                from jionlp.gadget.time_parser import TimeParser
            self._parser = TimeParser()
        return self._parser

    def to_iso(self, text: str, base: DateBase | None = None, previous: date | None = None,
               year_named: int | None = None) -> str | None:
        """ISO form of a date expression, or None when the text and `base` do not fix it.

        `previous`: the date the article last named, which 当天/当晚/次日 count from; `year_named`:
        the year it last named (一九九七年第三季度 … 七月十六日), which a bare month-day far from the
        day of writing belongs to."""
        base = base or DateBase()
        t = re.sub(r"月份", "月", unicodedata.normalize("NFKC", text))
        if not RELATIVE_RE.match(t) and not ANAPHORIC_RE.match(t):
            t = OPEN_ENDS.sub("", t) or t  # 自3月19日起, 1月24日以来: the day they count from
            t = OPEN_ENDS.sub("", t) or t
        t = t.removesuffix("以来") if RELATIVE_RE.match(t) else t
        t = re.sub(r"^(去年|今年|前年|明年)的", r"\1", t)
        t = next((w + t[len(k):] for k, w in SAME_AS.items() if t.startswith(k)), t)  # 昨晨6点 → 昨天早上6点
        t = re.sub(r"^今\(([0-9]{1,2})\)日", r"\1日", t)  # 今（30）日上午 → 30日上午: the day it writes
        if t in MONTH_SHIFT:
            if base.today is None:
                return None
            k = base.today.year * 12 + base.today.month - 1 + MONTH_SHIFT[t]
            return f"{k // 12:04d}-{k % 12 + 1:02d}"
        if ANAPHORIC_RE.match(t):
            if re.match(r"第[三四五六七八九十]天", t):
                return None  # 冰暴第九天: the ninth day of something begun we know not when
            ref = previous or base.today
            return self._parse(t, ref) if ref else None
        if RELATIVE_RE.match(t):
            return self._parse(t, base.today) if base.today else None
        if YEAR_WRITTEN.search(t):
            return self._parse(t, base.today or date(2000, 1, 1))
        if BARE_DAY_RE.match(t):  # ２８日: the month that puts it nearest the day of writing
            if base.today is None:
                return None
            found = [r for k in (-1, 0, 1) if (r := self._span(t, _add_months(base.today, k)))]
            return _iso(*min(found, key=lambda r: (abs((r[0].date() - base.today).days), r[0]))) if found else None
        ref = base.today or (date(base.year, 7, 1) if base.year else None)
        if ref is None:
            return None
        # no year written: the year that puts it nearest the day of writing (or in the year known)
        found = [r for y in (ref.year - 1, ref.year, ref.year + 1) if (r := self._span(t, _with_year(ref, y)))]
        if not found:
            return None
        start, end, blur = min(found, key=lambda r: (base.today is None and r[0].year != ref.year,
                                                     abs((r[0].date() - ref).days), r[0]))
        if base.today is not None and year_named is not None and abs((start.date() - ref).days) > UNSURE_DAYS:
            start, end, blur = next((r for r in found if r[0].year == year_named), (start, end, blur))
        return _iso(start, end, blur)

    def _parse(self, t: str, ref: date) -> str | None:
        span = self._span(t, ref)
        return _iso(*span) if span else None

    def _span(self, t: str, ref: date) -> tuple[datetime, datetime, bool] | None:
        try:
            r = self.parser()(t, time_base={"year": ref.year, "month": ref.month, "day": ref.day})
        except Exception:  # the parser raises bare ValueErrors (and worse) on what it cannot read
            return None
        if r.get("type") not in ("time_point", "time_span") or len(r.get("time", [])) != 2:
            return None
        a, b = r["time"]
        try:
            start = datetime.fromisoformat(a)
            end = start if b == "inf" else datetime.fromisoformat(b)
        except (TypeError, ValueError):
            return None
        return start, end, r.get("definition") == "blur"


@dataclass
class ArticleDates:
    """An article's dates in reading order: each is read against the article's day and what the
    article named before it (the date 当晚 means, the year a far 七月十六日 belongs to)."""

    base: DateBase
    resolver: DateResolver
    last_day: date | None = None
    last_year: int | None = None

    def to_iso(self, text: str) -> str | None:
        iso = self.resolver.to_iso(text, self.base, self.last_day, self.last_year)
        if iso:
            self.last_day = parse_iso_day(iso) or self.last_day
            t = unicodedata.normalize("NFKC", text)
            if YEAR_WRITTEN.search(t) or re.match(REL_YEAR, t):
                self.last_year = int(iso[:4])
        return iso


def _add_months(d: date, k: int) -> date:
    """The first of the month `k` months from `d`'s (the parser reads only its year and month here)."""
    n = d.year * 12 + d.month - 1 + k
    return date(n // 12, n % 12 + 1, 1)


def _with_year(d: date, year: int) -> date:
    return d.replace(year=year, day=min(d.day, calendar.monthrange(year, d.month)[1]))


def _iso(start: datetime, end: datetime, blur: bool) -> str:
    """The ISO form at the precision the span has: a day, a month, a year, else an interval."""
    s, e = start.date(), end.date()
    if e < s:
        return s.isoformat()
    if s == e:
        return s.isoformat()
    whole_month = s.day == 1 and e == date(s.year, s.month, calendar.monthrange(s.year, s.month)[1])
    if whole_month or (blur and (s.year, s.month) == (e.year, e.month)):
        return f"{s.year:04d}-{s.month:02d}"  # 1997年8月; 11月底 (a blur of days within it)
    if ((s.month, s.day, e.month, e.day) == (1, 1, 12, 31) or blur) and s.year == e.year:
        return f"{s.year:04d}"
    return f"{s.isoformat()}/{e.isoformat()}"


def month_day(text: str, resolver: DateResolver | None = None) -> tuple[int, int] | None:
    """(month, day) of a written month-day (１月９日, 十二月三十一日), or None."""
    iso = parse_iso_day((resolver or DateResolver()).to_iso(text, DateBase(year=2000)) or "")  # 2000: has 2月29日
    return (iso.month, iso.day) if iso else None


def to_iso(text: str, year: int | None = None) -> str | None:
    """ISO date when the year is written or known from context; None otherwise (no dateline, no
    relative days: see `DateResolver` for those)."""
    return DateResolver().to_iso(text, DateBase(year=year))


CLOCK_RE = re.compile(rf"{NUM}[时点]")
MONTH_WRITTEN = re.compile(rf"{NUM}月")


def counts_from_writing(text: str) -> bool:
    """今天, 昨天上午, 今年, 去年夏天, 上月: the expression names its day, month or year only from the
    day of writing (no day, month or clock of its own). 昨日凌晨4点40分 and 今年5月10日 write theirs."""
    t = unicodedata.normalize("NFKC", text)
    return bool(RELATIVE_RE.match(t)) and not (CLOCK_RE.search(t) or MONTH_WRITTEN.search(t))


@dataclass
class DateTagger:
    def tag(self, text: str, anchored: bool = True) -> list[tuple[int, int, str]]:
        """Date spans of `text`. `anchored`: the document has a day of writing (its date or a
        dateline). Without one, 今天 / 昨天上午 / 今年 name no day a reader can find, so they are no
        DATE (GUIDELINES: explicit dates)."""
        out = []
        for m in DATE_RE.finditer(text):
            if m.end() - m.start() >= 2 and (anchored or not counts_from_writing(m.group())):
                out.append((m.start(), m.end(), "DATE"))
        return out
