"""The whole build on the real seeds with the shipped model: provenance, linking, relations."""

import csv
import json

import pytest

from kg.graph import read_node_link
from kg.text.read import read_document
from tests.fixtures_build import SEEDS


def _entity(result, name, type_=None):
    hits = [e for e in result.entities if (e.name == name or name in e.aliases) and (type_ is None or e.type == type_)]
    assert hits, f"no entity {name}"
    return hits[0]


def _rels(result, relation):
    names = {e.id: e.name for e in result.entities}
    return {(names.get(r.source_id), names.get(r.target_id, r.target_id), r.properties.get("role"))
            for r in result.relations if r.relation == relation}


def test_every_mention_points_at_its_text_in_the_original(seeds_result):
    texts = {d.id: read_document(SEEDS / d.id).text for d in seeds_result.documents}
    assert len(seeds_result.mentions) > 300
    for m in seeds_result.mentions:
        assert texts[m.doc_id][m.start:m.end] == m.text
        assert m.text.replace("\n", "").replace(" ", "") != "" and m.norm


def test_short_forms_resolve_by_article_context(seeds_result):
    bureau = _entity(seeds_result, "白城市公安局", "ORG")
    assert {"市公安局", "白城公安"} <= set(bureau.aliases)
    assert _entity(seeds_result, "株洲市公安局", "ORG").id != bureau.id  # 市公安局 in Zhuzhou's article
    # 株洲 in an article that names 株洲市 is the city, not 株洲县 (a county of the same short name)
    assert "株洲" in _entity(seeds_result, "株洲市", "LOC").aliases
    assert not [e for e in seeds_result.entities if e.name == "株洲县"]


def test_person_variants_are_one_node(seeds_result):
    li = _entity(seeds_result, "李峻葵", "PERSON")
    assert "李峻" in li.aliases
    assert sum(1 for e in seeds_result.entities if e.type == "PERSON" and e.name in ("李峻", "李峻葵")) == 1


def test_shortened_unit_names_are_one_node(seeds_result):
    # 深圳中院突击队 and 深圳中院抗疫突击队 leave words out of 深圳中院沙埔头社区抗疫突击队
    team = _entity(seeds_result, "深圳中院沙埔头社区抗疫突击队", "ORG")
    assert {"深圳中院突击队", "深圳中院抗疫突击队"} <= set(team.aliases)
    assert sum(1 for e in seeds_result.entities if e.type == "ORG" and e.name.endswith("突击队")) == 1
    # the same for a facility: 银川南检查站 is 京藏高速银川南出口疫情防控检查站
    post = _entity(seeds_result, "银川南出口疫情防控检查站", "LOC")
    assert "银川南检查站" in post.aliases
    assert not [e for e in seeds_result.entities if e.name == "银川南检查站"]
    # 派出所党支部 right after 仓前派出所 is that station's party branch
    assert "派出所党支部" in _entity(seeds_result, "仓前派出所党支部", "ORG").aliases
    assert ("仓前派出所党支部", "仓前派出所", None) in _rels(seeds_result, "PART_OF")
    # 公安局党委书记 in the article of 杭锦后旗公安局 is that bureau's party committee
    assert "公安局党委" in _entity(seeds_result, "杭锦后旗公安局党委", "ORG").aliases
    # …but a station's name is no shortening of another station under the same sub-bureau
    stations = [e for e in seeds_result.entities if e.type == "ORG" and e.name.startswith("芦淞公安分局")]
    assert len(stations) >= 3


def test_anonymised_people_are_flagged(seeds_result):
    assert _entity(seeds_result, "白某", "PERSON").attrs.get("anonymized") is True


def test_officers_belong_to_the_most_specific_unit_with_role(seeds_result):
    rels = _rels(seeds_result, "BELONGS_TO")
    assert ("周佰发", "洮南市公安局交巡警大队", "民警") in rels
    assert ("秦立恒", "白城市公安局园区分局", "局长") in rels
    assert ("王凯", "许昌市公安局无人机战队", "民警") in rels  # a 战队 is a unit too
    # 公安局党委书记、局长刘瑞平: the second title is the head of the unit whose 党委 came first,
    # not of another 局 the article names later (杭锦后旗市场监督管理局)
    assert ("刘瑞平", "杭锦后旗公安局党委", "书记") in rels and ("刘瑞平", "杭锦后旗公安局", "局长") in rels
    assert not [r for r in rels if r[0] == "刘瑞平" and "市场监督" in r[1]]
    # 副市长、市公安局局长董留民: the government title before the unit is his too
    assert ("董留民", "许昌市公安局", "局长") in rels and ("董留民", "许昌市政府", "副市长") in rels
    assert ("司正中", "许昌市公安局东城分局", "辅警") in rels  # 辅警司正中。
    # 深圳中院办公室四级调研员、临时党支部书记潘建华: the branch is the task force's the article is about
    assert ("潘建华", "深圳市中级人民法院办公室", "四级调研员") in rels
    assert [r[1] for r in rels if r[0] == "潘建华" and r[2] == "临时党支部书记"] == ["深圳市中级人民法院沙埔头社区抗疫突击队"]


def test_units_nest_and_places_nest(seeds_result):
    part = _rels(seeds_result, "PART_OF")
    assert ("白城市公安局园区分局", "白城市公安局", None) in part
    assert ("福州市公安局仓山分局三义街派出所", "福州市公安局仓山分局", None) in part
    # 芦淞公安分局 is only ever the head of longer names; it still belongs to the article's city bureau
    assert ("芦淞公安分局", "株洲市公安局", None) in part
    # 来到荷塘公安分局值班室、茨菇塘派出所: a station listed right after its sub-bureau
    assert ("茨菇塘派出所", "荷塘公安分局", None) in part
    loc = _rels(seeds_result, "LOCATED_IN")
    assert ("东风乡", "洮北区", None) in loc and ("洮北区", "白城市", None) in loc
    # a unit named after its street and community: 福田区南园街道沙埔头社区抗疫突击队
    assert ("南园街道", "福田区", None) in loc and ("沙埔头社区", "南园街道", None) in loc
    # the innermost place of 福田区南园街道沙埔头社区 is tagged wherever it is named alone, and a unit
    # named after that community (沙埔头指挥部) is found and placed in it
    community = _entity(seeds_result, "沙埔头社区", "LOC")
    assert len([m for m in community.mentions if m.source != "name"]) >= 3
    assert ("沙埔头指挥部", "沙埔头社区", None) in loc
    # a facility named by place + direction, and a company branch named after its city
    assert ("白城东疫情防控服务站", "白城市", None) in loc
    assert ("中国人寿保险有限公司白城分公司", "白城市", None) in loc
    # the gazetteer adds a place's direct parent where the text names both (醴陵市 → 株洲市), but no
    # edge that skips a level the text never names (老家邵东 … 湖南省: 邵阳市 is not named)
    assert ("醴陵市", "株洲市", None) in loc
    assert not any(s in ("邵东县", "邵东") for s, _, _ in loc)
    inferred = [r for r in seeds_result.relations if r.relation == "LOCATED_IN" and r.properties.get("inferred")]
    assert inferred and all(r.properties["basis"] in ("gazetteer", "name", "list", "adjacent") for r in inferred)


def test_listed_checkpoints_and_community_beats_are_places(seeds_result):
    # 深入白城西、白城南等7个任务卡点 (a list of city + direction) and 隆兴社区民警吴艳 (a beat and its officer)
    for name in ("白城西", "白城南", "隆兴社区"):
        assert _entity(seeds_result, name, "LOC").name == name
    assert not any(e.type == "LOC" and e.name in ("西", "南") for e in seeds_result.entities)


def test_compounds_listed_after_a_street_are_places_in_it(seeds_result):
    # 盘龙区联盟街道万宏国际、王旗营小区万福里和时光俊园有关区域实施封闭管理
    loc = _rels(seeds_result, "LOCATED_IN")
    for name in ("万宏国际", "王旗营小区", "时光俊园"):
        assert (name, "联盟街道", None) in loc
    assert ("万福里", "王旗营小区", None) in loc
    # a station named by city + direction, on the highway named before it (京港澳高速公路许昌北站)
    assert ("许昌北站", "京港澳高速公路", None) in loc
    names = {e.id: e for e in seeds_result.entities}
    closed = {names[r.target_id].name for r in seeds_result.relations
              if r.relation == "EVENT_AT" and "封闭管理" in names[r.source_id].name}
    assert {"万宏国际", "时光俊园"} <= closed and "联盟街道" not in closed  # the street holds the places listed


def test_events_have_place_date_and_evidence(seeds_result):
    names = {e.id: e for e in seeds_result.entities}
    events = [r for r in seeds_result.relations if r.relation == "EVENT_AT"]
    square = [r for r in events if "团结广场" in (names[r.target_id].name, *names[r.target_id].aliases)]
    assert square and square[0].properties["date"] == "3月19日"
    assert "殴打防疫人员" in names[square[0].source_id].name
    # undated, but the places follow a verb of going there (送教服务队深入白城西、白城南等7个任务卡点)
    assert {"白城西", "白城南"} <= {names[r.target_id].name for r in events if "送教" in names[r.source_id].name}
    # a dated sentence whose only place is in the name of the team sent there
    posted = [r for r in events if names[r.target_id].name == "沙埔头社区"]
    assert posted and "3月14日" in posted[0].properties["date"] and "奔赴" in names[posted[0].source_id].name
    # no place by the date, but "the checkpoint" the sentence before spoke of: the article's only one
    rescue = [r for r in events if "张凯" in names[r.source_id].name]
    assert [names[r.target_id].name for r in rescue] == ["银川南出口疫情防控检查站"]
    assert rescue[0].properties["date"] == "去年的11月10日14时"
    assert all(r.evidence and r.evidence.text for r in seeds_result.relations)


def test_ids_are_stable_and_documents_add_without_duplicates(pipeline, seeds_result):
    one = pipeline.build([SEEDS / "000_99624c91e82d4847.txt"])
    again = pipeline.build([SEEDS / "000_99624c91e82d4847.txt"])
    assert {e.id for e in one.entities} == {e.id for e in again.entities}
    all_ids = {e.id for e in seeds_result.entities}
    org_ids = {e.id for e in one.entities if e.type in ("ORG", "LOC")}
    assert org_ids <= all_ids  # the same bureau in a bigger build is the same node
    assert len(all_ids) == len(seeds_result.entities)


def test_output_folder_has_the_column_contract(seeds_out):
    with open(seeds_out / "entities.csv", encoding="utf-8") as fh:
        assert csv.DictReader(fh).fieldnames[:4] == ["id", "name", "type", "aliases"]
    with open(seeds_out / "relations.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(json.loads(r["properties"]) is not None for r in rows)
    assert {"MENTIONED_IN", "BELONGS_TO", "PART_OF", "LOCATED_IN", "EVENT_AT"} <= {r["relation"] for r in rows}
    g = read_node_link(seeds_out / "graph.json")
    assert g.number_of_nodes() >= 200 and g.number_of_edges() == len(rows)


@pytest.mark.parametrize("name", ["000_99624c91e82d4847.txt"])
def test_cli_build_single_file(tmp_path, name):
    from kg.cli import main

    assert main(["build", str(SEEDS / name), "--out", str(tmp_path / "o")]) == 0
    assert (tmp_path / "o" / "mentions.csv").exists()


def test_output_does_not_depend_on_the_hash_seed(tmp_path):
    """Set order must never leak into results: two processes with different hash seeds agree byte for byte."""
    import os
    import subprocess
    import sys

    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"o{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "kg.cli", "build", str(SEEDS / "002_2f746a77c42e5b51.txt"),
                        "--out", str(out)], check=True, env=env, capture_output=True)
        outs.append(out)
    for name in ("entities.csv", "relations.csv", "mentions.csv"):
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_cli_build_with_one_thread_gives_the_same_tables(tmp_path):
    """--threads changes speed, never results: the single-thread build of a seed equals the default one."""
    import torch

    from kg.cli import main

    before = torch.get_num_threads()
    try:
        assert main(["build", str(SEEDS / "004_86ef6dde4bcc3cb5.txt"), "--out", str(tmp_path / "a"),
                     "--threads", "1"]) == 0
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    assert main(["build", str(SEEDS / "004_86ef6dde4bcc3cb5.txt"), "--out", str(tmp_path / "b")]) == 0
    for name in ("entities.csv", "relations.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_places_people_came_from_are_not_where_the_event_was(pipeline, tmp_path):
    doc = tmp_path / "fair.txt"
    doc.write_text("1月27日，第十五届龙潭庙会在北京市开幕，来自浙江、山西等省的民间花会博得阵阵喝彩。\n", encoding="utf-8")
    result = pipeline.build([doc])
    names = {e.id: e.name for e in result.entities}
    assert {names[r.target_id] for r in result.relations if r.relation == "EVENT_AT"} == {"北京市"}
