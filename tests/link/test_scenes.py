"""Scenes of incidents are places (kg.ner.rules._scenes, kg/resources/scene_heads.tsv) and the events'
places (kg.relations.event_at). Sentences written for these tests, not taken from any gold document."""

from __future__ import annotations

import pytest

from kg.link.names import nested_parts, split_places
from kg.types import Document
from tests.fixtures_recorded import replay_the_model  # noqa: F401  (pipeline: recorded, no HanLP)


def _build(pipeline, text: str, date: str = ""):
    result = pipeline.build_documents([Document(id="t", path="t", text=text, date=date)])
    return result, {e.id: e for e in result.entities}


def _events(result, names) -> list[tuple[str, str]]:
    return [(names[r.target_id].name, r.properties.get("date", "")) for r in result.relations
            if r.relation == "EVENT_AT"]


def _locs(pipeline, text: str) -> list[str]:
    return [text[a:b] for a, b, t in pipeline.rules.tag(text) if t == "LOC"]


@pytest.mark.parametrize("text, scene, road", [
    ("昨晚9时许，一辆货车行至人民路与建设大道交叉路口时侧翻。", "人民路与建设大道交叉路口", "人民路"),
    ("6月3日凌晨，沪宁高速120公里处发生一起追尾事故。", "沪宁高速120公里处", "沪宁高速"),
    ("5月2日，在青年路铁路立交桥下发生一起车祸。", "青年路铁路立交桥", "青年路"),
    ("3日上午，在京沪高速山东段发生一起事故。", "京沪高速山东段", "京沪高速"),
    ("他站在文化路路口等车。", "文化路路口", None),  # the road's own crossing: one place, no road apart
])
def test_a_scene_is_one_place_after_the_road_it_is_on(pipeline, text, scene, road):
    assert scene in _locs(pipeline, text)
    assert split_places(scene, pipeline.rules.gazetteer) == ([road] if road else []) + [scene]


@pytest.mark.parametrize("scene, parts", [
    ("新桥街道路口", ["新桥街道路口"]),  # a subdistrict (新桥|街道): no street 新桥街 cut out of it
    ("南外环与高速路引线十字路口", ["南外环与高速路引线十字路口"]),  # two roads joined: no one road 南外环与高速
])
def test_a_scene_road_ends_where_a_word_does_and_joins_no_two_roads(pipeline, scene, parts):
    assert split_places(scene, pipeline.rules.gazetteer) == parts


def test_a_place_written_twice_in_an_address_is_no_road_inside_a_scene(pipeline):
    """上海上海市…: the short name then the full one are two parts in a row, so the address still splits."""
    text = "收件地址：上海上海市徐汇区漕溪北路。"
    result, _ = _build(pipeline, text)
    assert {m.text for m in result.mentions if m.type == "LOC"} >= {"上海市", "徐汇区", "漕溪北路"}
    assert nested_parts(["上海", "上海市", "徐汇区"]) == [False, False, False]
    assert nested_parts(["青年路", "青年路铁路立交桥"]) == [True, False]


def test_the_road_of_a_scene_is_a_place_the_scene_is_in(pipeline):
    result, names = _build(pipeline, "5月2日，在青年路铁路立交桥下发生一起车祸。", "2021-05-03")
    located = {(names[r.source_id].name, names[r.target_id].name) for r in result.relations
               if r.relation == "LOCATED_IN"}
    assert ("青年路铁路立交桥", "青年路") in located
    assert {m.norm for m in result.mentions if m.type == "LOC"} >= {"青年路", "青年路铁路立交桥"}


def test_both_roads_of_a_crossing_are_places(pipeline):
    result, names = _build(pipeline, "昨晚9时许，一辆货车行至人民路与建设大道交叉路口时侧翻。", "2021-04-02")
    assert {m.norm for m in result.mentions if m.type == "LOC"} >= {"人民路", "建设大道", "人民路与建设大道交叉路口"}
    located = {(names[r.source_id].name, names[r.target_id].name) for r in result.relations
               if r.relation == "LOCATED_IN"}
    assert ("人民路与建设大道交叉路口", "人民路") in located


def test_a_graded_highway_is_the_one_named_without_its_grade(pipeline):
    text = "宁安公路发生车祸。5月3日20时许，在宁安一级公路长乐段发生一起交通事故。"
    result, _ = _build(pipeline, text)
    roads = [e for e in result.entities if e.type == "LOC" and e.name.startswith("宁安") and "段" not in e.name]
    assert len(roads) == 1, [e.name for e in roads]


@pytest.mark.parametrize("text", [
    "他走到这条路口时停了下来。",
    "全市各路口都有交警值守。",
    "这段路上车很多。",
    "加快通村公路建设，让乡村更美丽。",
])
def test_no_scene_without_a_name(pipeline, text):
    assert not any(x.endswith(("路口", "段", "公路")) and len(x) > 4 for x in _locs(pipeline, text))


@pytest.mark.parametrize("text", ["目前，事故路段交通已经恢复正常。", "在施工路段，车辆请减速慢行。"])
def test_a_plain_word_before_a_stretch_names_no_road(pipeline, text):
    assert _locs(pipeline, text) == []


def test_a_scene_farther_on_is_where_it_happened(pipeline):
    text = "昨晚9时许，一辆满载砂石、从外地开来的大货车由东向西行驶，行至人民路与建设大道交叉路口时侧翻。"
    result, names = _build(pipeline, text, "2021-04-02")
    assert [p for p, _ in _events(result, names)] == ["人民路与建设大道交叉路口"]


def test_the_same_day_is_the_incident_told_just_before(pipeline):
    text = ("5月3日20时许，在宁安一级公路长乐段发生一起交通事故。"
            "当日20时许，一辆轿车行至宁安一级公路与江东路交叉路口时，撞上了停在路边的货车。")
    result, names = _build(pipeline, text)
    events = _events(result, names)
    assert ("宁安一级公路与江东路交叉路口", "5月3日20时许") in events
    assert len({r.source_id for r in result.relations if r.relation == "EVENT_AT"}) == 1


def test_a_police_units_place_and_a_case_name_are_no_scene(pipeline):
    text = "4月2日上午，杭州西湖警方在文三路与学院路交叉口抓获一名嫌疑人。"
    result, names = _build(pipeline, text, "2021-04-05")
    assert [p for p, _ in _events(result, names)] == ["文三路与学院路交叉口"]
    text = "今年3月10日，“杭州市保姆纵火案”在西湖区法院公开宣判。"
    result, names = _build(pipeline, text, "2021-04-05")
    assert "杭州市" not in [p for p, _ in _events(result, names)]


def test_a_stretch_of_a_numbered_road_is_on_that_road(pipeline):
    result, names = _build(pipeline, "3月5日上午，在国道205线南安官桥路段发生一起交通事故。", "2021-03-06")
    assert [p for p, _ in _events(result, names)] == ["南安官桥路段"]
    assert ("南安官桥路段", "国道205线") in {(names[r.source_id].name, names[r.target_id].name)
                                        for r in result.relations if r.relation == "LOCATED_IN"}


def test_where_a_reporter_heard_it_and_a_trips_ends_are_no_scene(pipeline):
    text = "记者5日10时许从湖南省株洲市醴陵市宣传部门了解到，5日6时左右，一辆大客车侧翻。"
    result, names = _build(pipeline, text, "2021-03-06")
    assert _events(result, names) == []
    text = "8日凌晨，一辆由广东开往贵州的大客车在高速公路上与一辆货车追尾。"
    result, names = _build(pipeline, text, "2021-03-09")
    assert _events(result, names) == []


@pytest.mark.parametrize("text, iso", [
    ("昨晨6点过，城南镇一家小吃店突发大火。", "2021-04-17"),
    ("前晚7时30分许，城南镇发生一起车祸。", "2021-04-16"),
    ("十四日凌晨，城南镇发生火灾。", "2021-04-14"),
])
def test_days_written_as_one_word_or_in_chinese_numerals(pipeline, text, iso):
    result, _ = _build(pipeline, text, "2021-04-18")
    assert iso in {str(r.properties.get("iso_date", ""))[:10] for r in result.relations if r.relation == "EVENT_AT"}


def test_a_scene_with_a_plain_word_before_its_head_and_a_part_after_it(pipeline):
    # the model's span runs on past the head (…立交桥桥洞); the scene is the bridge, 桥洞内 says where at it
    text = "5月2日晚上8点左右，市区解放东路铁路立交桥桥洞内发生一起事故。"
    result, names = _build(pipeline, text, "2021-05-03")
    assert [p for p, _ in _events(result, names)] == ["解放东路铁路立交桥"]
    text = "昨天下午，市区中山北路铁路立交桥桥洞内有一辆货车被卡住。"
    result, names = _build(pipeline, text, "2021-05-03")
    assert [p for p, _ in _events(result, names)] == ["中山北路铁路立交桥"]


def test_a_tally_and_a_reporters_day_date_no_incident(pipeline):
    text = "截至6日上午10时，城南镇受灾群众已全部转移。"
    result, names = _build(pipeline, text, "2021-05-07")
    assert _events(result, names) == []
    text = "7日，记者再次来到城南镇，河面上依旧漂着油污。"
    result, names = _build(pipeline, text, "2021-05-08")
    assert _events(result, names) == []
    text = "据中国地震台网消息，5月7日，云南省漾濞县发生5.1级地震。"
    result, names = _build(pipeline, text, "2021-05-08")
    assert "中国" not in [p for p, _ in _events(result, names)]


def test_a_units_staff_acting_on_a_day_place_the_event_at_the_units_place(pipeline):
    text = "9月2日，长沙市公安局民警走进校园，向学生讲解防范电信诈骗知识。"
    result, names = _build(pipeline, text, "2021-09-03")
    assert [p for p, _ in _events(result, names)] == ["长沙市"]
    text = "9月2日，长沙市公安局党委向全市公安机关发出号召。"  # the unit's own act: no scene
    result, names = _build(pipeline, text, "2021-09-03")
    assert _events(result, names) == []


def test_the_end_of_a_trip_is_no_scene(pipeline):
    text = "据交代，3人5月1日从南宁乘火车到昆明，先后到过多个景点。"
    result, names = _build(pipeline, text, "2021-05-08")
    assert "昆明市" not in [p for p, _ in _events(result, names)]


def test_an_undated_visit_to_a_unit_is_no_event(pipeline):
    # where people go in general (到…公安局办事的群众), not an incident; a dated visit stays one
    text = "到湖南省岳阳市公安局办事的群众惊喜地发现，办证窗口排队的人少了。"
    result, names = _build(pipeline, text, "1998-01-20")
    assert _events(result, names) == []


@pytest.mark.parametrize("text", [
    "昨日上午8时15分，一列由西安开往兰州的旅客列车在山区线路上运行，行至平凉市崆峒区时机车突然着火。",
    "昨日上午8时15分，一辆满载乘客、由西安开往兰州的长途客车由东向西行驶，途经平凉市崆峒区时突然起火。",
])
def test_a_scene_marked_by_a_verb_of_passing(pipeline, text):
    result, names = _build(pipeline, text, "2021-10-02")
    assert [p for p, _ in _events(result, names)] == ["崆峒区"]


def test_a_unit_someone_was_taken_to_places_the_event(pipeline):
    # 送到…医院: the hospital's place is where it happened, as for a police station someone went to
    text = "7月9日晚，两名伤者被送到洛阳市中心医院抢救。"
    result, names = _build(pipeline, text, "2021-07-10")
    assert [p for p, _ in _events(result, names)] == ["洛阳市"]


def test_where_a_vehicle_was_headed_is_no_scene(pipeline):
    # 一辆前往X的客车: the bus's destination, near the date; the scene is where it passed, farther on
    text = "5月2日上午，一辆前往九寨沟的成都籍旅游大巴在行经阿坝州茂县叠溪镇时翻下山坡。"
    result, names = _build(pipeline, text, "2021-05-03")
    places = [p for p, _ in _events(result, names)]
    assert places and "九寨沟" not in places and all(p in "阿坝州茂县叠溪镇" for p in places)
