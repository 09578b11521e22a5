"""Word lists as data (kg/resources): a pattern built of a class of pattern_words.tsv tries its words in file order."""

from kg.link.linker import time_of_day
from kg.ner.rules import SHORT_UNITS
from kg.resources import alternatives, load_rows


def test_every_word_list_names_its_source():
    from kg.resources import DIR

    for path in DIR.glob("*.tsv"):
        assert path.read_text(encoding="utf-8").startswith("# source:"), path.name
        assert load_rows(path.stem), path.name


def test_alternatives_keep_the_file_order_that_matching_tries():
    parts = alternatives("day_part").split("|")
    assert parts.index("晚上") < parts.index("晚")  # 晚上 is tried before 晚, so the time keeps it
    assert time_of_day("1998年3月5日晚上8时许") == "晚上8时"
    assert time_of_day("1998年3月5日晚8时") == "晚8时"
    assert time_of_day("1998年3月5日") == ""


def test_short_units_built_from_the_data_match_whole_units():
    text = "市公安局政治部、县委和省公安厅，市中级人民法院"
    assert [m.group() for m in SHORT_UNITS.finditer(text)] == ["市公安局政治部", "县委", "省公安厅", "市中级人民法院"]
