"""Relations and events on sentences of every kind of news (issue 22): datelines and sources are no
events, BELONGS_TO from titles, appositions and verbs, events as incidents with participants.

Sentences written for the issue and for these tests; none is gold text.
"""

from __future__ import annotations

import pytest

from kg.ner.dateline import find_datelines, outlet_spans, reporter_spans
from kg.relations.belongs_to import role_chain, titles
from kg.resources import load_words
from kg.types import Document
from tests.fixtures_recorded import replay_the_model  # noqa: F401  (pipeline: recorded, no HanLP)


def _build(pipeline, text: str, date: str = ""):
    result = pipeline.build_documents([Document(id="t", path="t", text=text, date=date)])
    names = {e.id: e for e in result.entities}
    return result, names


def _rels(result, names, relation: str) -> set[tuple]:
    return {(names[r.source_id].name, names[r.target_id].name, r.properties.get("role", r.properties.get("date")))
            for r in result.relations if r.relation == relation}


def _events(result, names) -> list[tuple[str, str, str, str]]:
    """(event, place, date, trigger) of every EVENT_AT edge."""
    return [(names[r.source_id].name, names[r.target_id].name, r.properties.get("date", ""),
             r.properties.get("trigger", "")) for r in result.relations if r.relation == "EVENT_AT"]


# -- datelines and sources ---------------------------------------------------------------------------

@pytest.mark.parametrize("text, source, place, date", [
    ("荆楚网武汉5月6日电（记者李明）5月5日晚，武昌区一小区发生火灾。", "荆楚网", "武汉", "5月6日"),
    ("台海网8月8日讯（海峡都市报记者吴臻）6日上午", "台海网", "", "8月8日"),
    ("央广网哈尔滨9月1日消息（记者庞淼）", "央广网", "哈尔滨", "9月1日"),
    ("厦门网-厦门日报讯（记者应洁）11月30日", "厦门日报", "", ""),
    ("据@楚天都市报消息，消防员张强赶到现场。", "楚天都市报", "", ""),
    ("新华社北京１月２１日电（记者汪金福、赵忠生）", "新华社", "北京", "１月２１日"),
])
def test_datelines_of_any_outlet(text, source, place, date):
    (line,) = find_datelines(text)
    assert (line.source, line.place, line.date) == (source, place, date)


def test_a_headline_glued_before_the_dateline_is_no_part_of_the_outlet():
    assert find_datelines("男子抢劫金店被抓获晋江新闻网讯（记者林峰）") == []  # no outlet mid-word
    text = "这个网站讯息很多"
    assert find_datelines(text) == [] and outlet_spans(text) == []


def test_reporters_belong_to_the_outlet_written_before_them():
    text = "本版采写／新京报记者　王瑞锋　摄影／新京报记者　尹亚飞"
    assert [(text[a:b], s) for a, b, s in reporter_spans(text)] == [("王瑞锋", "新京报"), ("尹亚飞", "新京报")]


def test_the_dateline_is_no_event_and_the_fire_keeps_its_own_day(pipeline):
    text = "荆楚网武汉5月6日电（记者李明）5月5日晚，武昌区一小区发生火灾。据@楚天都市报消息，消防员张强赶到现场。"
    result, names = _build(pipeline, text, "2021-05-06")
    events = _events(result, names)
    assert events and all(place != "武汉市" and date == "5月5日晚" and trigger == "火灾"
                          for _, place, date, trigger in events)
    assert not any(event.startswith(("荆楚网", "（记者")) for event, *_ in events)
    assert ("李明", "荆楚网", "记者") in _rels(result, names, "BELONGS_TO")
    orgs = {e.name for e in result.entities if e.type == "ORG"}
    assert {"荆楚网", "楚天都市报"} <= orgs
    fire = next(e for e in result.entities if e.type == "EVENT")
    assert fire.attrs["iso"] == "2021-05-05"  # read against the dateline's day, not dated by it


def test_beijing_time_is_a_clock_not_a_place(pipeline):
    result, names = _build(pipeline, "北京时间3月2日，日本东京发生6.1级地震。")
    assert {(place, date, trigger) for _, place, date, trigger in _events(result, names)} == {("东京", "3月2日", "地震")}


def test_our_own_dateline(pipeline):
    text = "新华社广州6月3日电（记者王建国）6月2日晚，番禺区一家化工厂发生爆炸，消防员赶到现场。"
    result, names = _build(pipeline, text, "2020-06-03")
    events = _events(result, names)
    assert events and {place for _, place, *_ in events} == {"番禺区"}
    assert {date for _, _, date, _ in events} == {"6月2日晚"}
    assert ("王建国", "新华社", "记者") in _rels(result, names, "BELONGS_TO")


def test_where_a_person_is_from_is_no_scene(pipeline):
    text = "11月30日下午，驾驶人张某(男，49岁，湖北人)驾驶货车在集美区坂头路段碰撞一辆小轿车。"
    result, names = _build(pipeline, text)
    assert "湖北省" not in {place for _, place, *_ in _events(result, names)}


# -- BELONGS_TO ------------------------------------------------------------------------------------

def test_titles_come_from_data():
    t = titles()
    assert {"行长", "副总裁", "主持人", "审判员", "检察官"} <= t
    assert not t & {"俄罗斯总统", "画院院长", "县委"}  # a place's or a unit's office is no title
    assert role_chain("中央政治局委员、书记处书记", 13) == (4, ["委员", "书记处书记"]) or role_chain(
        "中央政治局委员、书记处书记", 13)[1][-1].endswith("书记")


def test_a_bank_governor_and_a_company_post(pipeline):
    text = "前央视主持人王伟加盟腾讯公司，出任副总裁；中国人民银行行长易纲出席会议。"
    result, names = _build(pipeline, text)
    rels = _rels(result, names, "BELONGS_TO")
    assert ("易纲", "中国人民银行", "行长") in rels
    assert ("王伟", "腾讯公司", "副总裁") in rels  # needs 腾讯公司 as ORG (the names branch)


@pytest.mark.parametrize("text, person, unit, role", [
    ("张伟，中国人民银行副行长，在会上发言。", "张伟", "中国人民银行", "副行长"),
    ("李强担任中国人民银行副行长。", "李强", "中国人民银行", "副行长"),
    ("朝阳区人民法院开庭审理此案，审判员张丽担任审判长。", "张丽", "朝阳区人民法院", "审判员"),
    ("海淀区人民检察院检察官李伟出庭支持公诉。", "李伟", "海淀区人民检察院", "检察官"),
    ("北京市第一中级人民法院刑事审判庭审判员刘芳主审此案。", "刘芳", "北京市第一中级人民法院", "审判员"),
])
def test_appositions_verbs_and_court_titles(pipeline, text, person, unit, role):
    result, names = _build(pipeline, text)
    assert (person, unit, role) in _rels(result, names, "BELONGS_TO")


def test_a_title_without_a_unit_ties_to_nothing(pipeline):
    result, names = _build(pipeline, "检察官陈刚出庭支持公诉，主持人王伟到场。")
    assert not _rels(result, names, "BELONGS_TO")


def test_the_articles_outlet_is_that_of_its_reporters(pipeline):
    text = "包头晚报讯（记者贾荣）12月26日晚，一辆轿车在固阳县追尾货车。本报记者王芳赶到现场。"
    result, names = _build(pipeline, text)
    rels = _rels(result, names, "BELONGS_TO")
    assert {("贾荣", "包头晚报", "记者"), ("王芳", "包头晚报", "记者")} <= rels


# -- events: incidents and participants --------------------------------------------------------------

def test_word_lists_name_their_source():
    assert {"抢劫", "火灾", "地震"} <= set(load_words("event_triggers"))
    assert {"犯罪嫌疑人", "受害人"} <= set(load_words("participant_roles"))


def test_an_incident_with_its_participants(pipeline):
    text = "6月9日凌晨，犯罪嫌疑人刘某在肃北县马鬃山镇一家超市持刀抢劫，民警王军将其抓获。"
    result, names = _build(pipeline, text)
    events = _events(result, names)
    assert {(date, trigger) for _, _, date, trigger in events} == {("6月9日凌晨", "抢劫")}
    assert {place for _, place, *_ in events} <= {"马鬃山镇", "县马鬃山镇"}
    involved = {(a, role) for a, _, role in _rels(result, names, "INVOLVED_IN")}
    assert ("王军", "民警") in involved
    assert ("刘某", "犯罪嫌疑人") in involved  # needs 刘某 as a person (the names branch)


def test_one_node_per_incident(pipeline):
    text = ("3月5日上午，朝阳区建国路一家商场发生火灾。3月5日上午，消防员李明在建国路救出三名群众。"
            "3月6日，记者在现场看到商场已经停业。")
    result, names = _build(pipeline, text)
    fires = {e for e, place, date, _ in _events(result, names) if date == "3月5日上午"}
    assert len(fires) == 1
    assert ("李明", "消防员") in {(a, role) for a, _, role in _rels(result, names, "INVOLVED_IN")} or \
        "李明" in {a for a, *_ in _rels(result, names, "INVOLVED_IN")}


# -- anaphora, statutory posts, title chains (issue 22) ---------------------------------------------

@pytest.mark.parametrize("text, person, unit, role", [
    # 该院 / 该公司 / 该局 point back at the latest unit of that kind named before
    ("西城区人民法院受理了此案。该院刑事审判庭审判员赵敏主审此案。", "赵敏", "西城区人民法院", "审判员"),
    ("记者走进杭州市明远电子有限公司。该公司总经理孙涛说，订单已排到明年。", "孙涛", "杭州市明远电子有限公司", "总经理"),
    ("伤者被送往宁波市第二人民医院。该院副院长吴静说，伤者已脱离危险。", "吴静", "宁波市第二人民医院", "副院长"),
    # a fire fighter serves in the fire brigade the document names
    ("南京市消防支队接警后出动。消防员周凯第一个冲进火场。", "周凯", "南京市消防支队", "消防员"),
    # titles joined by 兼: one title for each unit
    ("洛阳市公安局副局长兼交警支队支队长郑宏赶到现场。", "郑宏", "洛阳市公安局", "副局长"),
    # a division or a field between the unit and the title; a noun ending like a title is one
    ("杭州市公安局西湖分局禁毒宣传员陆琪为同学们讲解。", "陆琪", "杭州市公安局西湖分局", "禁毒宣传员"),
])
def test_units_by_anaphora_posts_and_title_chains(pipeline, text, person, unit, role):
    result, names = _build(pipeline, text)
    assert (person, unit, role) in _rels(result, names, "BELONGS_TO")


def test_an_anaphor_with_nothing_named_before_ties_to_nothing(pipeline):
    result, names = _build(pipeline, "该院刑事审判庭审判员刘芳主审此案，消防员张强赶到现场。")
    assert not _rels(result, names, "BELONGS_TO")
    # the latest court, not the first: 该院 follows the text
    text = "东城区人民法院一审判决后，被告上诉至北京市第二中级人民法院。该院审判员钱立主审此案。"
    result, names = _build(pipeline, text)
    assert ("钱立", "北京市第二中级人民法院", "审判员") in _rels(result, names, "BELONGS_TO")


def test_a_dictionary_unit_before_a_title_and_a_person(pipeline):
    result, names = _build(pipeline, "前央视主持人王伟加盟腾讯公司；证监会主席刘明出席。")
    rels = _rels(result, names, "BELONGS_TO")
    assert ("王伟", "央视", "主持人") in rels and ("刘明", "证监会", "主席") in rels
    result, names = _build(pipeline, "新华社北京1月9日电记者冯林报道：东北财经大学经济学教授陈东作报告。")
    assert "日电" not in {e.name for e in result.entities} and "经济学" not in {e.name for e in result.entities}


# -- premises as the scene (issue 22) ---------------------------------------------------------------

def test_a_school_whose_pupils_fell_ill_is_the_scene(pipeline):
    # the place the school is named after, the gold's way (an event's place is a LOC)
    text = "5日上午，江门市实验中学30名学生陆续出现呕吐症状，被送往医院治疗。"
    result, names = _build(pipeline, text, "2021-03-06")
    assert {(place, date) for _, place, date, _ in _events(result, names)} == {("江门市", "5日上午")}


def test_a_clause_set_inside_premises_is_there(pipeline):
    text = "6日晚，惠州市中心医院急诊科内，二十多名工人正在输液。"
    result, names = _build(pipeline, text, "2021-03-07")
    assert {(place, date) for _, place, date, _ in _events(result, names)} == {("惠州市", "6日晚")}


def test_premises_named_after_no_place_are_the_scene_themselves(pipeline):
    text = "昨天，育英中学12名学生吃完午饭后出现腹痛。"
    result, names = _build(pipeline, text, "2021-03-06")
    assert {(place, date) for _, place, date, _ in _events(result, names)} == {("育英中学", "昨天")}


def test_a_units_own_act_does_not_make_its_place_a_scene(pipeline):
    text = "8日，江门市实验中学发布了新学期的招生简章。"
    result, names = _build(pipeline, text, "2021-03-09")
    assert _events(result, names) == []


def test_a_date_qualifying_a_noun_dates_no_incident(pipeline):
    text = "12日，长宁河发生溢油事故。此时长宁河水位已回落，河面宽度也由13日的8米变为3米。"
    result, names = _build(pipeline, text, "2021-03-15")
    assert {date for _, _, date, _ in _events(result, names)} == {"12日"}  # not 13日: a width on that day


def test_a_spot_beside_a_named_place_far_from_the_date(pipeline):
    text = "9日晚，市公安局治安支队、巡警大队和城东派出所的三十多名民警对人民公园东侧的几家歌舞厅进行了突击检查。"
    result, names = _build(pipeline, text, "2021-03-10")
    assert {(place, date) for _, place, date, _ in _events(result, names)} == {("人民公园", "9日晚")}



# -- narrowings from the held-out audit of event_at --------------------------------------------------

@pytest.mark.parametrize("text, place, date", [
    ("春节的前两天，王某在徐州市鼓楼区一家商店内盗窃手机。", "鼓楼区", "春节"),  # the date goes on after 的
    ("2003年的3月上旬，王某在徐州市鼓楼区一家商店内盗窃手机。", "鼓楼区", "2003年"),
    ("张市长和李局长在扬州市迎宾馆参加了今天的会见。", "扬州市", "今天"),  # the noun is the incident
])
def test_a_date_that_goes_on_after_de_still_dates_the_incident(pipeline, text, place, date):
    result, names = _build(pipeline, text, "2021-03-15")
    assert {(p, d) for _, p, d, _ in _events(result, names)} == {(place, date)}


def test_a_year_qualifying_a_noun_dates_no_incident(pipeline):
    result, names = _build(pipeline, "2003年度的全市人口统计在徐州市鼓楼区完成。", "2021-03-15")
    assert _events(result, names) == []


@pytest.mark.parametrize("text, place", [
    ("6日晚，中国药科大学第二食堂内，二十多名学生出现腹痛。", "中国药科大学"),  # no country as its place
    ("5日上午，一辆货车在北环路上撞伤了扬州市自来水公司职工李某。", "北环路"),  # the clause's place wins
])
def test_premises_give_way_to_a_country_or_a_place_of_the_clause(pipeline, text, place):
    result, names = _build(pipeline, text, "2021-03-15")
    assert {p for _, p, _, _ in _events(result, names)} == {place}


def test_quoted_premises_are_no_scene(pipeline):
    result, names = _build(pipeline, "8日，“扬州市育才中学”30名学生参加了演出。", "2021-03-15")
    assert _events(result, names) == []


def test_a_verb_phrase_taken_for_premises_is_no_scene():
    from kg.relations.event_at import _premises_scene
    from kg.types import Mention

    text = "5日凌晨，王某窜至上述公司内，盗走电脑三台。"
    unit = Mention(doc_id="t", sentence=0, start=7, end=13, text="窜至上述公司", type="ORG", norm="窜至上述公司",
                   sent_start=7)
    school = Mention(doc_id="t", sentence=0, start=7, end=11, text="育英中学", type="ORG", norm="育英中学", sent_start=7)
    assert not _premises_scene(text, unit)
    assert _premises_scene("5日凌晨，王某育英中学内，盗走电脑三台。", school)  # the same frame, a name: the scene


@pytest.mark.parametrize("text", [
    "9日晚，犯罪嫌疑人王某携带盗来的三部手机和两台笔记本电脑到人民公园东侧的一个地摊上卖掉。",
    "9日晚，犯罪嫌疑人王某撬开一辆停在路边的轿车车门后逃到人民公园附近的一家旅馆。",
    "9日晚，犯罪嫌疑人王某撬开一辆停在路边的轿车车门后窜至人民公园对面的一家网吧。",
])
def test_a_spot_where_loot_was_sold_or_a_culprit_fled_is_no_scene(pipeline, text):
    result, names = _build(pipeline, text, "2021-03-15")
    assert _events(result, names) == []


def test_a_spot_beside_a_named_place_is_still_the_scene_of_a_theft(pipeline):
    text = "9日晚，犯罪嫌疑人王某撬开一辆停在路边的轿车车门后在人民公园对面的一家网吧盗窃。"
    result, names = _build(pipeline, text, "2021-03-15")
    assert {(p, d) for _, p, d, _ in _events(result, names)} == {("人民公园", "9日晚")}
