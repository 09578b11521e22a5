"""Cleaning and segmentation on the damage the seeds really show."""

from kg.text.clean import clean
from kg.text.read import read_document
from kg.text.segment import segment
from kg.types import Document
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


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(s.kind, s.text) for s in segment(Document(id="t", path="t", text=text))]


def test_a_short_paragraph_that_speaks_of_a_reporter_is_no_byline():
    """CLUENER lines: 记者 in a clause (向记者投诉称，) or a reporter's note after a sentence; the names
    of a byline paragraph are read by rules alone, so a body read as a byline loses its people."""
    assert _kinds("鄱阳县彩民张捷（化名）日前向记者投诉称，他电话委托彩票投注站老板帮忙买彩票，")[0][0] == "body"
    assert _kinds("早报讯（记者孟梅实习生夏冬梅）央行有关负责人近日表示，要加快制定“放贷人条例”，")[0][0] == "body"
    assert [k for k, _ in _kinds("工作证号等信息并及时与机场有关部门和中国驻法使馆联系。（记者：钟欣）")] == ["body", "body"]


def test_bylines_of_papers_and_news_sites_are_bylines():
    for line in ("本报记者 王莹 本报通讯员 陈宇航", "本期策划：张晓龙 董巧霞", "文/刘琼 邱宇松 赵祥 供图/株洲市公安局",
                 "本报见习记者刘帅本报记者刘红杰", "早报记者朱楠实习生王昭", "商为智实习生陈文波",
                 "民警帮助群众购买药品。 李秀峰摄"):
        assert _kinds(line)[0][0] == "byline", line


def test_page_with_several_articles_gets_several_article_numbers():
    doc = read_document(SEEDS / "002_2f746a77c42e5b51.txt")
    arts = {s.article for s in segment(doc)}
    assert len(arts) >= 4  # Fuzhou, Shenzhen court, Kunming, Yinchuan …
