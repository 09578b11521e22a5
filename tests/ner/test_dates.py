"""Dates: found by rule, resolved to ISO against the day the article is written from."""

from __future__ import annotations

from datetime import date

import pytest

from kg.link.linker import Linker
from kg.ner.dateline import find_dateline
from kg.ner.dates import ArticleDates, DateBase, DateResolver, DateTagger, date_from_name, month_day
from kg.text.segment import segment
from kg.types import Document, Mention

JAN = DateBase(today=date(2003, 1, 15))


@pytest.fixture(scope="module")
def resolver() -> DateResolver:
    return DateResolver()


@pytest.mark.parametrize("text, iso", [
    ("十二月三十一日", "2002-12-31"),  # a December date in a January article is last year's
    ("１月９日", "2003-01-09"),  # full-width digits
    ("一月十四日上午", "2003-01-14"),
    ("今天", "2003-01-15"), ("昨天晚上", "2003-01-14"), ("前天", "2003-01-13"), ("今晨", "2003-01-15"),
    ("去年", "2002"), ("今年以来", "2003"), ("上月", "2002-12"), ("本月", "2003-01"),
    ("去年11月10日14时", "2002-11-10"), ("自3月2日起", "2003-03-02"), ("2月1日至2月4日", "2003-02-01/2003-02-04"),
    ("５日晚", "2003-01-05"), ("28日", "2003-01-28"),  # a bare day: the nearest month's
    ("1999年8月份", "1999-08"), ("一九九九年以来", "1999"), ("2001年5月6日", "2001-05-06"),
    # a weekday of the week of writing or the one before (2003-01-15 is a Wednesday); today with its day
    ("上周五", "2003-01-10"), ("本周一", "2003-01-13"), ("上星期二晚上", "2003-01-07"), ("今（15）日上午", "2003-01-15"),
])
def test_resolved_against_the_article_day(resolver, text, iso):
    assert resolver.to_iso(text, JAN) == iso


def test_same_day_words_count_from_the_date_last_named(resolver):
    assert resolver.to_iso("当晚", JAN, previous=date(2002, 12, 3)) == "2002-12-03"
    assert resolver.to_iso("次日", JAN, previous=date(2002, 12, 3)) == "2002-12-04"
    assert resolver.to_iso("当晚", JAN) == "2003-01-15"  # nothing named before: the article's day
    assert resolver.to_iso("第二天4时", JAN, previous=date(2002, 12, 3)) == "2002-12-04"
    assert resolver.to_iso("第五天", JAN, previous=date(2002, 12, 3)) is None  # the fifth day of what began when?


def test_a_far_month_day_takes_the_year_the_article_named(resolver):
    late_jan = DateBase(today=date(2003, 1, 25))
    assert resolver.to_iso("七月十六日", late_jan) == "2003-07-16"  # nearest, but only just
    dates = ArticleDates(late_jan, resolver)
    assert [dates.to_iso(t) for t in ("二〇〇二年第三季度", "七月十六日", "1月20日")] == [
        "2002-07-01/2002-09-30", "2002-07-16", "2003-01-20"]


def test_nothing_is_guessed_without_a_day_or_year(resolver):
    for text in ("今天", "3月19日", "上月", "当晚"):
        assert resolver.to_iso(text) is None
    assert resolver.to_iso("3月19日", DateBase(year=2005)) == "2005-03-19"  # the one year the text writes
    assert resolver.to_iso("12月31日", DateBase(year=2005)) == "2005-12-31"


def test_tagger_finds_relative_and_chinese_numeral_dates():
    text = ("今天上午，市里召开会议。十二月三十一日当晚十一时，他回到家。上月以来雨水偏多。开业当天，他明年再来。"
            "市长１２日表示，3号楼5日内完工，每月15日发放。２００１年初开工，前年冬天停工。")
    found = [text[i:j] for i, j, _ in DateTagger().tag(text)]
    assert found == ["今天上午", "十二月三十一日", "当晚十一时", "上月以来", "１２日", "２００１年初", "前年冬天"]


def test_tagger_finds_weekdays_of_the_week_of_writing():
    text = "工厂30名工人上周五吃了盒饭后腹痛，比赛原定本周二举行。今（12）日上午，厂区恢复生产。他每周五值班。"
    found = [text[i:j] for i, j, _ in DateTagger().tag(text)]
    assert found == ["上周五", "本周二", "今（12）日上午"]  # 每周五: a habit, no day


def test_tian_is_sunday_only_after_xingqi_or_libai():
    text = "站长在例会上回顾上周天气，又说上星期天下了大雨。"
    found = [text[i:j] for i, j, _ in DateTagger().tag(text)]
    assert found == ["上星期天"]  # 上周天气: the week's weather, no day


def test_file_names_carry_dates():
    assert date_from_name("20030115-02-011.txt") == "2003-01-15"
    assert date_from_name("2021-06-30_report.txt") == "2021-06-30"
    assert date_from_name("000_99624c91e82d4847.txt") == ""
    assert date_from_name("scan_20211399.txt") == ""  # no month 13
    assert date_from_name("003_8b4c20200315e7.txt") == ""  # digits inside a hash are no date


def test_datelines():
    line = find_dateline("新华社广州２月３日电（记者某某）今天上午")
    assert line is not None and (line.start, line.place, line.month, line.day) == (0, "广州", 2, 3)
    assert find_dateline("……会议闭幕。（中新社成都十二月三十日电）").place == "成都"
    assert find_dateline("本报杭州5月6日讯记者")[3:5] == (5, 6)
    assert find_dateline("他在5月6日电话中说") is None
    line = find_dateline("市长看望环卫工人向全市职工致以问候中新社成都１月２日电（记者）")  # headline run in
    assert line is not None and (line.start, line.end) == (17, 27)
    assert month_day("十二月三十一日") == (12, 31)


def _link(text: str, doc_id: str, doc_date: str = "") -> dict[str, tuple[str, str]]:
    """Date mention text → (entity id, ISO) of the entity it links to, for one document."""
    doc = Document(doc_id, doc_id, text, date=doc_date)
    sents = segment(doc)
    mentions = []
    for s in sents:
        for i, j, t in DateTagger().tag(s.text):
            a, b = s.span(i, j)
            mentions.append(Mention(doc.id, s.index, a, b, text[a:b], t, norm=s.text[i:j], source="rule",
                                    article=s.article, sent_start=i))
    entities = Linker().link([doc], sents, mentions)
    by_id = {e.id: e for e in entities}
    return {m.norm: (m.entity_id, by_id[m.entity_id].attrs.get("iso", "")) for m in mentions}


def test_dateline_is_the_article_day_and_today_joins_its_date():
    text = "新华社广州１月３日电今天，市政府召开会议。去年十二月三十日，全市普降大雪。当晚十时，雪停。"
    found = _link(text, "a.txt", "2003-01-04")
    assert {k: v[1] for k, v in found.items()} == {
        "1月3日": "2003-01-03", "今天": "2003-01-03", "去年十二月三十日": "2002-12-30", "当晚十时": "2002-12-30"}
    assert found["今天"][0] == found["1月3日"][0]  # one day, one node
    assert found["当晚十时"][0] != found["去年十二月三十日"][0]  # a time of that day stays its own


def test_document_date_without_a_dateline():
    assert _link("昨天，全市普降大雪。", "c.txt", "2003-01-04")["昨天"][1] == "2003-01-03"
    assert _link("昨天，全市普降大雪。", "c.txt")["昨天"][1] == ""


def test_two_times_of_one_day_are_two_dates():
    text = "5月6日9时许，城东一仓库起火。5月6日下午，火被扑灭。5月6日，区里通报了此事。"
    found = _link(text, "d.txt", "2019-05-07")
    assert found["5月6日9时许"][0] != found["5月6日下午"][0]  # two times, two nodes (the surface text)
    assert found["5月6日"][0] == found["5月6日9时许"][0]  # the day alone joins the first time named


@pytest.mark.parametrize("text, dates", [
    ("被撞的老人今年72岁，家住附近小区。", []),  # an age, not a year
    ("去年１９岁的他考上了大学，今年３月参军。", ["今年３月"]),
    ("违法人员被分别处以3至10日行政拘留。", []),  # a count of days
    ("两人于6月3日至10日被拘留。", ["6月3日", "10日"]),
])
def test_ages_and_day_counts_are_no_dates(text, dates):
    assert [text[i:j] for i, j, _ in DateTagger().tag(text)] == dates


def test_today_needs_a_day_of_writing():
    text = "昨天上午，记者在现场看到，今年新修的路面已经塌陷。昨日凌晨3时许，路面再次下沉。"
    anchored = [text[i:j] for i, j, _ in DateTagger().tag(text)]
    assert anchored == ["昨天上午", "今年", "昨日凌晨3时许"]
    # with no document date and no dateline only the expression that writes its own clock is a date
    assert [text[i:j] for i, j, _ in DateTagger().tag(text, anchored=False)] == ["昨日凌晨3时许"]


def test_the_dates_stage_reads_the_document_date_and_dateline():
    from kg.pipeline import Pipeline
    from kg.stages import Dates, DocRecord

    pipeline = Pipeline.__new__(Pipeline)
    pipeline.dates = DateTagger()
    stage = Dates(pipeline)

    def found(text: str, day: str = "") -> list[str]:
        doc = Document("x.txt", "x.txt", text, date=day)
        sents = segment(doc)
        record = DocRecord(doc, sentences=sents, spans=[[] for _ in sents])
        stage(record)
        return [s.text[i:j] for s, spans in zip(sents, record.spans, strict=True) for i, j, *_ in spans]

    assert found("昨天，一辆货车在高速上侧翻。") == []
    assert found("昨天，一辆货车在高速上侧翻。", "2021-03-04") == ["昨天"]
    assert found("新华社广州3月4日电 昨天，一辆货车在高速上侧翻。") == ["3月4日", "昨天"]


@pytest.mark.parametrize("text, dates", [
    ("火势很快得到控制。下午３时许，明火被扑灭。", ["下午３时许"]),
    ("九时二十分，救援人员赶到。", ["九时二十分"]),
    ("他每天早上7点出门，一直干到9点。", []),  # a habit; an hour alone
    ("民警第一时间赶到现场。", []),
])
def test_a_clock_time_standing_alone_is_a_date(text, dates):
    assert [text[i:j] for i, j, _ in DateTagger().tag(text)] == dates
