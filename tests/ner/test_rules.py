"""The rule layer's place rules on short texts (the seeds exercise them end to end in test_build)."""

import pytest

from kg.ner.rules import RuleTagger


@pytest.fixture(scope="module")
def rules():
    return RuleTagger()


def locs(rules, text):
    return [text[a:b] for a, b, _ in rules.locs(text, [])]


def test_places_with_a_direction_in_a_list(rules):
    assert locs(rules, "深入白城西、白城南等7个任务卡点开展精准送教") == ["白城西", "白城南"]
    assert "北京西" in locs(rules, "乘客从北京西和上海南等车站出发")
    assert "白城西" not in locs(rules, "白城西部地区降雨")  # no coordinated place: not a checkpoint name


def test_a_community_with_its_officer_is_a_place(rules):
    assert locs(rules, "隆兴社区民警吴艳便忙着在辖区进行摸排防控。") == ["隆兴社区"]
    assert locs(rules, "隆兴社区很安静。") == []  # a bare name + suffix still needs the model's agreement
    assert locs(rules, "这个社区民警很忙") == []


def test_model_spans_lose_quotes_and_brackets(rules):
    from kg.ner.vet import vet_model_spans

    text = "“深圳中院抗疫突击队来了。”（王光英）"
    spans = [(0, 10, "ORG"), (14, 19, "PERSON")]
    assert vet_model_spans(text, spans, "body", rules.gazetteer) == [(1, 10, "ORG"), (15, 18, "PERSON")]


def test_model_person_spans_are_kept_unless_a_common_word(rules):
    """The model is the first source of names: a transliterated name has no Chinese surname and stays."""
    from kg.ner.vet import vet_model_spans

    text = "坚持以习近平为内核，作风成自然"
    spans = [(3, 6, "PERSON"), (10, 12, "PERSON")]
    assert vet_model_spans(text, spans, "body", rules.gazetteer, rules.common_words) == [(3, 6, "PERSON")]
    foreign = "美国总统克林顿会见了希拉克。"
    assert vet_model_spans(foreign, [(4, 7, "PERSON"), (10, 13, "PERSON")], "body", rules.gazetteer,
                           rules.common_words) == [(4, 7, "PERSON"), (10, 13, "PERSON")]


def test_set_phrases_and_common_words_name_no_place(rules):
    assert locs(rules, "巡逻检查于街头巷尾，进一步提高") == []
    assert locs(rules, "成立由治安、特警等部门和城区5个分局主战") == []
    assert locs(rules, "在西城区南街巷口执勤") != []  # a real street still is one


def test_an_area_word_before_a_place_is_not_part_of_its_name(rules):
    assert locs(rules, "在市区滨河花园小区居住的一名群众") == ["滨河花园小区"]


def test_a_common_word_after_a_role_is_no_name(rules):
    from kg.ner.vet import vet_model_spans

    assert {"向前", "文明"} <= rules.common_words and "王刚" not in rules.common_words
    slogan = "疫情在前，民警向前。"
    assert rules.persons(slogan, "body", []) == []
    assert vet_model_spans(slogan, [(7, 9, "PERSON")], "body", rules.gazetteer, rules.common_words) == []
    named = "疫情在前，民警王刚。"
    assert [named[a:b] for a, b, _ in rules.persons(named, "body", [])] == ["王刚"]


def test_stations_named_by_a_city_and_a_direction(rules):
    assert locs(rules, "民警在京港澳高速公路许昌北站开展疫情防控工作") == ["京港澳高速公路许昌北站"]
    assert locs(rules, "旅客从北京西站出发，途经上海南站") == ["北京西站", "上海南站"]
    assert locs(rules, "城南站台人很多") == []  # no city before the direction


def test_a_name_sharing_the_next_companys_suffix_is_a_company(rules):
    def orgs(text):
        return [text[a:b] for a, b, _ in rules.orgs(text)]

    assert sorted(orgs("物资。另外，泰康、中原保险公司为全体民警辅警投了保。")) == ["中原保险公司", "泰康"]
    assert orgs("成立由治安、特警等部门和城区5个分局主战") == []  # departments share no company suffix


def test_a_name_whose_first_given_character_is_also_a_function_word(rules):
    def people(text):
        return [text[a:b] for a, b, _ in rules.persons(text, "body", [])]

    assert people("他是许昌市公安局东城分局辅警司正中。") == ["司正中"]  # 正, as in 正在, closes the clause here
    assert people("民警正在执勤。") == [] and people("民警王在执勤") == []


def test_development_zones_are_places(rules):
    assert locs(rules, "他受命赶赴国家许昌经济技术开发区龙湖街道办事处") == ["许昌经济技术开发区龙湖街道"]


def test_where_a_journey_from_a_known_place_ends_is_a_place(rules):
    assert locs(rules, "车牌号浙BLXXXX的车刚从武汉回到白兔潭，车上有确诊病人") == ["武汉", "白兔潭"]
    assert locs(rules, "他从武汉回到家中，") == ["武汉"]  # a common word
    assert locs(rules, "从湖北返回村里，") == ["湖北"]  # 返回 is no name part before 村
    assert locs(rules, "坐丈夫的车从固原到银川就诊，") == ["固原", "银川"]  # 银川 is known: 就诊 is no name part


@pytest.mark.parametrize("text, streets", [
    ("他骑车经过百花路、长乐东路、新华街，最后到了家。", ["百花路", "长乐东路", "新华街"]),  # listed beside streets
    ("下午三点，老李赶到文昌路买菜。", ["文昌路"]),  # after a word of motion
    ("工地西至青松路，北至长河路。", ["青松路", "长河路"]),  # 西至|青松路: the cue is no part of the name
])
def test_a_street_the_model_missed_where_a_place_is_meant(rules, text, streets):
    assert locs(rules, text) == streets


@pytest.mark.parametrize("text", [
    "他在回家路上摔了一跤。",  # a way home, no street
    "走在人生路上，难免有坎坷。",
    "这条路很宽。",
    "我们在马路上走。",
    "前方道路施工。",
    "这家工厂的效益一直在走下坡路。",  # a set phrase: a way down, no street
    "入冬后，他们的生意在走上坡路。",  # a verb and its way
])
def test_no_street_without_a_name(rules, text):
    assert locs(rules, text) == []


def test_a_one_character_suffix_closing_the_text_is_a_name_not_a_locative(rules):
    assert locs(rules, "他骑车经过百花路、长乐东路") == ["百花路", "长乐东路"]


def test_a_verb_of_telling_before_a_title_is_no_unit(rules):
    orgs = [t for t in rules.tag("局长当场责令中队长写出检查，又叫来城南大队长。") if t[2] == "ORG"]
    text = "局长当场责令中队长写出检查，又叫来城南大队长。"
    assert [text[a:b] for a, b, _ in orgs] == ["城南大队"]


def test_a_verb_of_place_the_model_leaves_out_is_no_part_of_the_street(rules):
    text = "新校区北邻长江路，西靠青云路。"
    i = text.index("青云路")
    found = [text[a:b] for a, b, _ in rules.locs(text, [(i, i + 3, "LOC")])]
    assert "青云路" in found and "靠青云路" not in found
