"""Dates by rule: the training corpora with dates (People's Daily) and without (MSRA) disagree,
so dates are not the model's job. Also normalises to ISO when the year is known.

Surface forms kept whole, as an analyst would cite them: 4月1日15时, 自3月19日起, 截至2月3日,
3月9日至3月10日, 去年的11月10日14时, 1月29日中午11点多, 2020年1月1日至今, 庚子鼠年春节, 除夕.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NUM = r"[0-9一二三四五六七八九十〇零两]"
DAY = rf"(?:(?:{NUM}{{4}}|{NUM}{{2}})年)?{NUM}{{1,2}}月(?:{NUM}{{1,3}}[日号]|上旬|中旬|下旬|初|底|末)"
TIME = (r"(?:(?:凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚|夜间|深夜|夜里|夜)?(?:[0-9]{1,2}[时点](?:[0-9]{1,2}分|半|许|多)?)"
        r"|凌晨|早上|早晨|上午|中午|下午|傍晚|晚上|晚间|晚|夜间|深夜|夜里)")
DATE = rf"{DAY}(?:{TIME})?"
DATE_RE = re.compile(
    rf"(?:(?:去年|今年|前年|明年)的?)?(?:自|从|截至|截止到?|截止)?{DATE}(?:(?:至|到|—|-|~){DATE}|至今)?"
    rf"(?:以来|起|开始|后|前|之前|之后|期间)?"
    rf"|(?:(?:[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥])[鼠牛虎兔龙蛇马羊猴鸡狗猪]年)?(?:春节|元宵节|清明节|国庆节|中秋节|元旦)"
    rf"|除夕|大年初[一二三四五六七八九十]|正月初[一二三四五六七八九十]"
    rf"|{NUM}{{4}}年(?:{NUM}{{1,2}}月)?(?:以来)?"
)
CORE_RE = re.compile(rf"(?:({NUM}{{4}})年)?({NUM}{{1,2}})月({NUM}{{1,3}})[日号]")
CN = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "两": 2}


def _num(s: str) -> int:
    if s.isdigit():
        return int(s)
    if "十" in s:
        a, _, b = s.partition("十")
        return (CN.get(a, 1) if a else 1) * 10 + (CN.get(b, 0) if b else 0)
    return int("".join(str(CN[c]) for c in s))


def core_date(text: str) -> str | None:
    """The bare month-day (with year if written) inside a date expression: 截至3月30日 → 3月30日."""
    m = CORE_RE.search(text)
    return m.group(0) if m else None


def to_iso(text: str, year: int | None = None) -> str | None:
    """ISO date when the year is written or known from context; None otherwise."""
    m = CORE_RE.search(text)
    if not m:
        return None
    y = _num(m.group(1)) if m.group(1) else year
    if y is None:
        return None
    if "去年" in text[: m.start()]:
        y -= 1
    try:
        mo, d = _num(m.group(2)), _num(m.group(3))
    except (KeyError, ValueError):
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


@dataclass
class DateTagger:
    def tag(self, text: str) -> list[tuple[int, int, str]]:
        out = []
        for m in DATE_RE.finditer(text):
            if m.end() - m.start() >= 2:
                out.append((m.start(), m.end(), "DATE"))
        return out
