"""PART_OF and LOCATED_IN by evidence that holds in news of any kind (issue 22): places written one
after another nest by their levels, a county renamed a city is still found, a unit completed from its
article carries its place, a unit named alone sits in the one unit above it that the article names.

Sentences written for these tests (and the issue's own example); none is gold text.
"""

from __future__ import annotations

import pytest

from kg.link.places import Gazetteer
from kg.types import Document
from tests.fixtures_recorded import replay_the_model  # noqa: F401  (pipeline: recorded, no HanLP)


def _edges(pipeline, text: str, relation: str) -> set[tuple[str, str]]:
    result = pipeline.build_documents([Document(id="t", path="t", text=text)])
    names = {e.id: e.name for e in result.entities}
    return {(names[r.source_id], names[r.target_id]) for r in result.relations if r.relation == relation}


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer()


@pytest.mark.parametrize("name, rank", [
    ("湖南省", 1), ("长沙市", 2), ("晋江", 3), ("肃北县", 3), ("马鬃山镇", 4), ("南苑街道", 4), ("石门村", 5),
    ("红树林旅游区", 6), ("滨江小区", 6), ("黄兴路", 6), ("一家超市", 6), ("日本", 1), ("欧洲", 0),
])
def test_rank_of_a_place_from_the_gazetteer_or_its_suffix(gaz, name, rank):
    assert gaz.rank(name) == rank


def test_a_county_renamed_a_city_is_the_same_place(gaz):
    (new,) = gaz.lookup("宁乡市")  # 宁乡县 in the table, a city since 2017
    assert new.name == "宁乡市" and gaz.ancestors(new) == gaz.ancestors(gaz.lookup("宁乡县")[0]) == ["长沙市", "湖南省"]
    assert gaz.full_name("宁乡") == "宁乡县"  # the short form keeps its one place
    assert "宁乡市" not in {m.group() for m in gaz.pattern.finditer("宁乡市公安局")}  # known where met only


@pytest.mark.parametrize("short, full, parent", [
    ("肃北县", "肃北蒙古族自治县", "酒泉市"), ("龙胜县", "龙胜各族自治县", "桂林市"), ("延边州", "延边朝鲜族自治州", "吉林省"),
])
def test_an_autonomous_division_written_without_its_peoples(gaz, short, full, parent):
    (place,) = gaz.lookup(short)
    assert place.adcode == gaz.by_name[full][0].adcode and gaz.ancestors(place)[0] == parent


def test_an_abbreviated_autonomous_county_nests_in_its_city(pipeline):
    edges = _edges(pipeline, "酒泉市肃北县公安局近日破获一起盗窃案。", "LOCATED_IN")
    assert {("肃北县", "酒泉市"), ("肃北县公安局", "肃北县")} <= edges


@pytest.mark.parametrize("text, edge", [
    ("6月9日凌晨，犯罪嫌疑人刘某在肃北县马鬃山镇一家超市持刀抢劫，民警王军将其抓获。", ("马鬃山镇", "肃北县")),
    ("来自福建晋江的男子陈某在昆明被抓。", ("晋江市", "福建省")),  # the text skips 泉州, the writer did not
    ("有人在重庆沙坪坝三峡广场寻求资助。", ("三峡广场", "沙坪坝区")),
])
def test_a_place_written_after_a_higher_one_is_in_it(pipeline, text, edge):
    assert edge in _edges(pipeline, text, "LOCATED_IN")


def test_places_glued_on_against_the_gazetteer_do_not_nest(pipeline):
    assert ("晋江市", "广东省") not in _edges(pipeline, "广东晋江两地警方联手破案。", "LOCATED_IN")


@pytest.mark.parametrize("text, first, second, inner", [
    ("警方在凤凰镇白鹭公园、龙门镇滨河公园设卡。", "凤凰镇", "龙门镇", ("白鹭公园", "滨河公园")),
    ("游客来到清溪镇鹿湖景区和塘厦镇观音山景区。", "清溪镇", "塘厦镇", ("鹿湖景区", "观音山景区")),
])
def test_a_town_listed_after_a_town_is_beside_it(pipeline, text, first, second, inner):
    edges = _edges(pipeline, text, "LOCATED_IN")
    assert {(inner[0], first), (inner[1], second)} <= edges
    assert (second, first) not in edges


def test_a_unit_completed_from_its_article_carries_its_place(pipeline):
    assert ("株洲市公安局", "株洲市") in _edges(pipeline, "株洲市召开禁毒大会。市公安局局长李明出席。", "LOCATED_IN")


def test_a_renamed_county_gives_the_unit_and_its_province(pipeline):
    edges = _edges(pipeline, "2015年被湖南宁乡市公安局列为逃犯。", "LOCATED_IN")
    assert {("宁乡市公安局", "宁乡市"), ("宁乡市", "湖南省")} <= edges


def test_a_station_named_alone_is_in_the_one_bureau_of_its_article(pipeline):
    text = "满洲里市公安局近日表彰先进。东湖派出所民警王强获评优秀。"
    assert ("东湖派出所", "满洲里市公安局") in _edges(pipeline, text, "PART_OF")


def test_a_station_beside_a_sub_bureau_is_put_nowhere(pipeline):
    # a city's stations sit in several sub-bureaus: the one the article names need not be this one's
    edges = _edges(pipeline, "福州市公安局鼓楼分局召开会议。东湖派出所民警王强发言。", "PART_OF")
    assert not any(child == "东湖派出所" for child, _ in edges)


def test_a_brigade_named_alone_is_in_the_one_detachment_of_its_article(pipeline):
    edges = _edges(pipeline, "郑州市公安局交警支队召开大会，金水大队民警李强发言。", "PART_OF")
    assert ("金水大队", "郑州市公安局交警支队") in edges


def test_a_brigade_beside_two_detachments_is_put_nowhere(pipeline):
    text = "郑州市公安局交警支队和郑州市公安局特警支队召开大会，金水大队民警李强发言。"
    assert not any(child == "金水大队" for child, _ in _edges(pipeline, text, "PART_OF"))


@pytest.mark.parametrize("text, edge", [
    ("武警福建总队莆田市支队官兵赶赴莆田市城厢区救灾。", ("武警福建总队莆田市支队", "莆田市")),  # after its parent's name
    ("仙游县一工厂起火，消防仙游中队接警后赶到现场。", ("消防仙游中队", "仙游县")),  # after the kind of police
])
def test_a_unit_carrying_a_place_inside_its_name_is_in_it(pipeline, text, edge):
    assert edge in _edges(pipeline, text, "LOCATED_IN")


def test_a_city_named_in_passing_is_not_put_in_a_province_named_elsewhere(pipeline):
    text = "福建省公安厅近日部署冬季治安整治行动。今年以来全省破获刑事案件3万起。嫌疑人王某是漳州人，曾在外地打工。"
    assert ("漳州市", "福建省") not in _edges(pipeline, text, "LOCATED_IN")


@pytest.mark.parametrize("text", [
    "湖南省公安厅近日部署冬季治安整治行动。株洲市公安局积极响应。株洲市民警李明说，株洲将加强巡逻。",  # the article's city
    "会议在湖南省召开，来自株洲的代表发言。",  # named in one sentence
])
def test_a_city_is_put_in_its_province_where_the_text_ties_them(pipeline, text):
    assert ("株洲市", "湖南省") in _edges(pipeline, text, "LOCATED_IN")
