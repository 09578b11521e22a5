"""Places listed after a street or town (kg.ner.lists), on sentences of the seeds and near misses."""

from kg.ner.lists import complete_place_lists

LOCKDOWN = "3月8日，云南省昆明市盘龙区联盟街道万宏国际、王旗营小区万福里和时光俊园有关区域实施封闭管理"


def _found(text, spans):
    return [text[i:j] for i, j, _, src in complete_place_lists(text, spans, {"居民"}) if src == "list"]


def _at(text, name, t="LOC", src="rule"):
    i = text.index(name)
    return (i, i + len(name), t, src)


def test_unnamed_items_of_a_list_after_a_street_are_places():
    spans = [_at(LOCKDOWN, "3月8日", "DATE"), _at(LOCKDOWN, "云南省昆明市盘龙区联盟街道"), _at(LOCKDOWN, "王旗营小区")]
    assert _found(LOCKDOWN, spans) == ["万宏国际", "万福里", "时光俊园"]


def test_a_list_needs_a_found_compound_and_a_street_before_it():
    text = "云南省昆明市盘龙区联盟街道开展排查、走访和宣传工作"
    assert _found(text, [_at(text, "云南省昆明市盘龙区联盟街道")]) == []  # no compound among the items
    text = "王旗营小区万福里和时光俊园有关区域实施封闭管理"
    assert _found(text, [_at(text, "王旗营小区")]) == []  # no street or town heads the list
    text = "联盟街道王旗营小区居民和社区干部"
    assert _found(text, [_at(text, "联盟街道"), _at(text, "王旗营小区")]) == []  # 居民 is a common word


def test_what_happened_after_a_village_is_no_list_item():
    text = "城关镇新华村发生一起车祸"  # a verb phrase glued on after the village names no lane inside it
    assert _found(text, [_at(text, "城关镇"), _at(text, "新华村")]) == []
    text = "城关镇新华村东巷和北巷附近实行交通管制"  # a name glued on after the village still is one
    assert _found(text, [_at(text, "城关镇"), _at(text, "新华村")]) == ["东巷", "北巷"]
