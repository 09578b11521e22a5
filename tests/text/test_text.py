"""Cleaning and segmentation on the damage the seeds really show."""

from kg.text.clean import clean
from kg.text.read import read_document
from kg.text.segment import segment
from tests.fixtures_build import SEEDS


def test_line_break_inside_word_is_joined_and_mapped_back():
    raw = "坚守70个疫情防控服\n务站，检查车辆"
    c = clean(raw)
    assert c.text == "坚守70个疫情防控服务站，检查车辆"
    i = c.text.index("服务站")
    assert raw[c.offsets[i]:c.offsets[i + 2] + 1] == "服\n务站"


def test_stray_spaces_between_chinese_are_dropped_but_latin_spaces_kept():
    assert clean("该 局党委班子成员纷纷深入一线").text == "该局党委班子成员纷纷深入一线"
    assert clean("App 下载 Hello world").text == "App下载Hello world"


def test_width_folding_and_punctuation_one_char_for_one():
    c = clean("１２月３１日,党员先行;共计 16 万元")
    assert c.text == "12月31日，党员先行；共计16万元"
    assert len(c.offsets) == len(c.text)


def test_byline_keeps_spaces_between_names():
    assert clean("●程威龙 朱梦琦", keep_spaces=True).text == "程威龙 朱梦琦"


def test_segment_marks_bylines_headings_and_drops_page_furniture():
    doc = read_document(SEEDS / "000_99624c91e82d4847.txt")
    sents = segment(doc)
    texts = [s.text for s in sents]
    assert "第3版" not in texts
    assert any(s.kind == "byline" and "程威龙" in s.text for s in sents)
    assert any(s.text.startswith("3月19日，洮南市团结广场有人拒不配合疫情防控工作") for s in sents)
    for s in sents:  # every cleaned character maps to an original one, in order
        assert s.offsets == sorted(s.offsets)
        assert all(doc.text[o].strip() for o in s.offsets if s.text[s.offsets.index(o)] != " ")


def test_page_with_several_articles_gets_several_article_numbers():
    doc = read_document(SEEDS / "002_2f746a77c42e5b51.txt")
    arts = {s.article for s in segment(doc)}
    assert len(arts) >= 4  # Fuzhou, Shenzhen court, Kunming, Yinchuan …
