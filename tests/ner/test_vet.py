"""Model-first vetting, world places, bylines and datelines, national titles.

Texts are People's Daily sentences of January 1998 from days that are neither the silver split
(10th, 20th, 30th) nor a gold document's, or short invented ones.
"""

from pathlib import Path

import pytest

from kg.link.names import addressed_person, split_places, suffixed_place
from kg.ner.dateline import find_datelines, reporter_spans
from kg.ner.rules import RuleTagger
from kg.ner.vet import vet_model_spans
from kg.pipeline import Pipeline
from tests.fixtures_recorded import replay_the_model  # noqa: F401  (pipeline: recorded, no HanLP)


@pytest.fixture(scope="module")
def rules():
    return RuleTagger()


def vet(rules, text, spans):
    return [(text[i:j], t) for i, j, t in vet_model_spans(text, spans, "body", rules.gazetteer, rules.common_words,
                                                          rules.words)]


def at(text, *named):
    """Model-style spans for the given (substring, type) pairs, each at its first occurrence."""
    return [(text.index(s), text.index(s) + len(s), t) for s, t in named]


def test_world_places_come_from_cldr(rules):
    world = rules.gazetteer.world
    assert world.kind("美国") == "country" and world.kind("俄罗斯") == "country"
    assert world.kind("欧洲") == "region" and world.kind("东南亚") == "region"
    assert world.kind("纽约") == "city" and world.kind("莫斯科") == "city"
    assert "联合国" not in world and "欧盟" not in world  # organisations, not places
    assert "上海" not in world  # China's own places are the gazetteer's


def test_model_names_without_police_shape_are_kept(rules):
    # 19980109-01-006: national bodies, agencies and foreign names are the model's to find
    text = "新华社北京１月８日电国务院总理李鹏今天下午在人民大会堂会见日本建设大臣瓦力。"
    named = [("新华社", "ORG"), ("北京", "LOC"), ("国务院", "ORG"), ("李鹏", "PERSON"), ("人民大会堂", "LOC"),
             ("日本", "LOC"), ("瓦力", "PERSON")]
    assert vet(rules, text, at(text, *named)) == named


def test_model_spans_dropped_only_on_evidence(rules):
    text = "中美两国在大陆和两岸问题上，审管办与公司都表示支持。"
    spans = at(text, ("中", "LOC"), ("大陆", "LOC"), ("两岸", "LOC"), ("审管办", "ORG"), ("公司", "ORG"))
    assert vet(rules, text, spans) == []  # one character; plain words; an unknown abbreviation; a generic word


def test_model_spans_trimmed_where_the_grammar_knows_the_end(rules):
    text = "本报南宁１月１２日电记者罗昌爱报道：南宁市公安局治安支队民警说，"  # after 19980113-05-005
    spans = at(text, ("罗昌爱报", "PERSON"), ("南宁市公安局治安支队民警", "ORG"))
    assert vet(rules, text, spans) == [("罗昌爱", "PERSON"), ("南宁市公安局治安支队", "ORG")]
    # a place's name labelled as an organisation, a firm labelled as a place (19980104-04-003)
    text = "在金星宾馆门口，检查组走访了五金批发商店。"
    assert vet(rules, text, at(text, ("金星宾馆", "ORG"), ("五金批发商店", "LOC"))) == [("金星宾馆", "LOC"), ("五金批发商店", "ORG")]


def test_a_surname_alone_is_a_person_only_when_addressed(rules):
    # 19980109-02-003: 老张 … 小张
    text = "老张说，这是他的儿子，叫张河燕。小张显然比他爹活分。"
    spans = [(1, 2, "PERSON"), (text.index("小张") + 1, text.index("小张") + 2, "PERSON"), *at(text, ("张河燕", "PERSON"))]
    assert vet(rules, text, spans) == [("张", "PERSON"), ("张", "PERSON"), ("张河燕", "PERSON")]
    assert vet(rules, "中美关系", [(0, 1, "PERSON")]) == []
    assert addressed_person("张", {"张河燕", "李明"}) == "张河燕"
    assert addressed_person("张", {"张河燕", "张明"}) is None


def test_datelines_and_their_reporters():
    # 19980101-02-007, 19980101-01-003, 19980113-05-005
    text = "新华社贵阳１２月３１日电（记者刘子富）中共中央政治局委员、中央书记处书记温家宝日前在贵州农村考察"
    (d,) = find_datelines(text)
    assert (d.source, d.place, d.date, text[d.start:d.end]) == ("新华社", "贵阳", "１２月３１日", "新华社贵阳１２月３１日电")
    assert [(text[a:b], s) for a, b, s in reporter_spans(text)] == [("刘子富", "新华社")]
    text = "本报北京１２月３１日讯新华社记者陈雁、本报记者何加正报道：在度过了非凡而辉煌的１９９７年"
    assert find_datelines(text)[0].source == "本报"
    assert [(text[a:b], s) for a, b, s in reporter_spans(text)] == [("陈雁", "新华社"), ("何加正", "本报")]
    text = "本报南宁１月１２日电记者罗昌爱报道：自从去年１１月从南宁某住宅区查出一批非法出版物后"
    assert [text[a:b] for a, b, _ in reporter_spans(text)] == ["罗昌爱"]
    assert find_datelines("据新华社莫斯科１２月３０日电（记者张铁柱）")[0].cited
    assert reporter_spans("记者了解到：这一切都使人充满希望。") == []  # no name after 记者
    assert reporter_spans("本报记者王锦鹄毛磊")  # two names run together are split
    assert [n for n in ("本报记者王锦鹄毛磊"[a:b] for a, b, _ in reporter_spans("本报记者王锦鹄毛磊"))] == ["王锦鹄", "毛磊"]


def test_reporters_after_a_colon_and_after_an_intern():
    """CLUENER's modern bylines: （记者：钟欣）, and 实习生 as a reporter's role (（记者孟梅实习生夏冬梅）)."""
    text = "工作证号等信息并及时与机场有关部门和中国驻法使馆联系。（记者：钟欣）"
    assert [text[a:b] for a, b, _ in reporter_spans(text)] == ["钟欣"]
    text = "早报讯（记者孟梅实习生夏冬梅）央行有关负责人近日表示，要加快制定“放贷人条例”，"
    assert [text[a:b] for a, b, _ in reporter_spans(text)] == ["孟梅", "夏冬梅"]
    text = "晨报讯（实习生李泽玲记者金融）当绝大多数中资银行已开始实施房贷新政之时，"
    assert [text[a:b] for a, b, _ in reporter_spans(text)] == ["李泽玲", "金融"]
    assert reporter_spans("一位曾为李贵斌提供咨询的人士告诉记者：“李贵斌是一个有足够‘宽度’的企业家。") == []


def test_a_reporters_name_loses_the_verb(rules):
    text = "本报苏州１月１日电记者龚雯报道：１９９７年１２月３１日子夜"
    assert "龚雯" in [text[a:b] for a, b, _ in rules.persons(text, "body", [])]
    assert "龚雯报" not in [text[a:b] for a, b, _ in rules.persons(text, "body", [])]


def test_compound_places_and_bare_stems():
    from kg.link.places import Gazetteer

    gaz = Gazetteer()
    assert split_places("美国纽约", gaz) == ["美国", "纽约"]
    assert split_places("约旦河西岸", gaz) == ["约旦河西岸"]  # a foreign name opens a compound only before a place
    assert suffixed_place("洋洲", {"洋洲", "洋洲村", "临川市"}) == "洋洲村"
    assert suffixed_place("洋洲片区", {"洋洲片区", "洋洲村"}) == "洋洲村"
    assert suffixed_place("洋洲", {"洋洲", "洋洲村", "洋洲镇"}) is None  # two candidates: no guess


def test_relative_unit_names_do_not_swallow_the_verb(rules):
    text = "他即责成市公安局芙蓉分局治安大队调查，请治安支队配合，环卫、公安部门免收卫生费。"
    orgs = [text[a:b] for a, b, _ in rules.orgs(text)]
    assert "市公安局芙蓉分局治安大队" in orgs
    assert not any(o.startswith(("即", "责成", "请")) for o in orgs)
    assert not any("公安部" in o for o in orgs)  # 公安部门: departments, not the ministry


def test_village_people_are_not_another_village(rules):
    text = "河北省平山县象角村村民和县长韩保深一起站在村边"
    found = [text[a:b] for a, b, _ in rules.locs(text, [])]
    assert "河北省平山县象角村" in found and not any(f.endswith("村村") for f in found)
    assert "和县" not in found  # 和 + 县长: a conjunction and a title, not the county 和县


def test_the_issue_sentence_end_to_end(pipeline: Pipeline, tmp_path: Path):
    """The issue's example: the model's national names survive; titles tie people to bodies and countries;
    the dateline is no event."""
    doc = tmp_path / "news.txt"
    doc.write_text("中国和美国的关系，新华社北京１月９日电，国务院总理李鹏会见美国总统克林顿。联合国秘书长安南在纽约表示。\n"
                   "新华社北京１月８日电（记者于海生）日本建设大臣瓦力访问北京。\n", encoding="utf-8")
    r = pipeline.build([doc])
    by_type = {(e.name, e.type) for e in r.entities}
    for name, t in (("中国", "LOC"), ("美国", "LOC"), ("新华社", "ORG"), ("国务院", "ORG"), ("李鹏", "PERSON"),
                    ("克林顿", "PERSON"), ("联合国", "ORG"), ("纽约", "LOC"), ("于海生", "PERSON")):
        assert (name, t) in by_type, name
    names = {e.id: e.name for e in r.entities}
    rels = {(names.get(x.source_id), x.relation, names.get(x.target_id), x.properties.get("role")) for x in r.relations}
    assert ("李鹏", "BELONGS_TO", "国务院", "总理") in rels
    assert ("克林顿", "BELONGS_TO", "美国", "总统") in rels
    assert ("安南", "BELONGS_TO", "联合国", "秘书长") in rels
    assert ("于海生", "BELONGS_TO", "新华社", "记者") in rels
    assert not any(x.relation == "EVENT_AT" and x.properties.get("date") in ("１月９日", "１月８日") for x in r.relations)
    # one node per country and agency across documents
    other = tmp_path / "more.txt"
    other.write_text("新华社华盛顿１月９日电美国总统克林顿说，中国是重要的国家。\n", encoding="utf-8")
    r2 = pipeline.build([doc, other])
    assert sum(e.name == "美国" and e.type == "LOC" for e in r2.entities) == 1
    assert sum(e.name == "新华社" for e in r2.entities) == 1


def test_the_head_of_a_named_unit_names_the_unit(rules):
    # invented: the unit is named only through its head's title
    orgs = lambda t: [t[a:b] for a, b, _ in rules.orgs(t)]  # noqa: E731
    assert orgs("事故处理完后，他交待城南大队长加强巡逻。") == ["城南大队"]
    assert orgs("他把大队长和东山中队长叫来") == ["东山中队"]
    assert orgs("该大队长说") == [] and orgs("刑警大队长王某") == []  # a title alone names no unit
    assert orgs("副局长兼交警支队支队长李某") == ["交警支队"]


def test_short_unit_names_alias_the_full_one():
    from kg.link.names import UnitNames, expand_org
    from kg.link.places import Gazetteer

    gaz = Gazetteer()
    units = UnitNames({"中共江西省委", "武警江西总队赣州市支队", "赣州市公安局交警支队", "红旗区城东派出所"}, gaz)
    assert units.fuller("江西省委") == "中共江西省委"
    assert units.fuller("赣州市支队") == "武警江西总队赣州市支队"
    assert units.fuller("赣州交警") == "赣州市公安局交警支队"
    assert units.fuller("城东派出所") == "红旗区城东派出所"
    assert units.fuller("城西派出所") is None
    from kg.link.names import Context

    assert expand_org("交警支队", Context(city="赣州市"), gaz, "赣州市公安局") == "赣州市公安局交警支队"


def test_a_closing_credit_and_titles_tie_people_to_units(pipeline: Pipeline, tmp_path: Path):
    """Invented lines: a bracketed credit gives no title, a worker's title follows the unit."""
    doc = tmp_path / "credit.txt"
    doc.write_text("民警救起落水少年。\n（河南新安县公安局郑明远）\n新安县工商局职工韩立新也在现场。\n", encoding="utf-8")
    r = pipeline.build([doc])
    names = {e.id: e.name for e in r.entities}
    rels = {(names.get(x.source_id), names.get(x.target_id), x.properties.get("role")) for x in r.relations
            if x.relation == "BELONGS_TO"}
    assert ("郑明远", "新安县公安局", "") in rels
    assert ("韩立新", "新安县工商局", "职工") in rels


def test_a_second_title_is_no_name(rules):
    text = "领导在慰问交警劳模郑大勇（右一）时说"
    assert [text[a:b] for a, b, _ in rules.persons(text, "body", [])] == ["郑大勇"]
    assert vet(rules, text, at(text, ("劳模郑", "PERSON"))) == []  # the title read into the model's name


def test_a_road_is_a_place_not_a_city_and_a_suffix():
    from kg.link.places import Gazetteer

    gaz = Gazetteer()
    assert split_places("南京市中山北路", gaz) == ["南京市", "中山北路"]
    assert split_places("中山北路", gaz) == ["中山北路"]
    assert split_places("广东省中山市", gaz) == ["广东省", "中山市"]  # the city itself still splits off


def test_a_short_form_is_the_higher_of_two_places_the_article_names():
    from kg.link.places import Gazetteer

    gaz = Gazetteer()
    assert gaz.full_name("长沙", {"长沙市", "长沙县"}) == "长沙市"
    assert gaz.full_name("株洲", {"株洲市"}) == "株洲市"
    assert gaz.resolve("天河", set()) is None  # a county's short form alone: a word as likely (一条天河)
    assert gaz.resolve("天河", {"广州市"}) == "天河区"


def test_words_around_names_are_not_names(rules):
    # 19980104-02-004 style: 街头 is a street-side; 驻 opens no unit
    text = "在湖南省长沙市街头执勤"
    assert not any(s.endswith("街") for s in (text[a:b] for a, b, _ in rules.locs(text, [])))
    text = "驻车管所的纪检员说，他们已整改。"
    assert vet(rules, text, at(text, ("驻车管所", "ORG"))) == []


def test_a_function_character_opens_no_unit_only_when_it_is_a_word(rules):
    # 全 and 住 are function characters, but here the first characters of the words 全国 and 住房
    text = "全国人大教育委员会和住房公积金管理中心昨天都发布了通知。"
    spans = at(text, ("全国人大教育委员会", "ORG"), ("住房公积金管理中心", "ORG"))
    assert vet(rules, text, spans) == [("全国人大教育委员会", "ORG"), ("住房公积金管理中心", "ORG")]


def _event_places(pipeline: Pipeline, tmp_path: Path, text: str) -> set[str]:
    """Names of the places the events of a one-line document are at."""
    doc = tmp_path / "doc.txt"
    doc.write_text(text + "\n", encoding="utf-8")
    r = pipeline.build([doc])
    names = {e.id: e.name for e in r.entities}
    return {names[x.target_id] for x in r.relations if x.relation == "EVENT_AT"}


def test_events_at_a_visited_unit_not_where_people_came_from(pipeline: Pipeline, tmp_path: Path):
    text = "9月25日上午，郑明远带着儿子从涿州来到新安县公安局城关派出所，感谢救人的民警。"
    assert _event_places(pipeline, tmp_path, text) == {"新安县"}


def test_phrases_before_a_company_or_university_name_nothing(rules):
    orgs = lambda t: [t[a:b] for a, b, _ in rules.orgs(t)]  # noqa: E731
    assert orgs("目前已有两家航空公司和许多公司表示支持，他的子女都考上大学。") == []
    assert sorted(orgs("另外，泰丰、永泰保险公司为职工投了保。")) == ["永泰保险公司", "泰丰"]  # a name before it


def test_a_department_keeps_its_organisations_name(rules):
    # a unit's name that goes on into a department stays whole; one that goes on into a verb is cut
    text = "据人民日报国际部和清华大学经济管理学院的研究，南宁市公安局值班民警说"
    spans = at(text, ("人民日报国际部", "ORG"), ("清华大学经济管理学院", "ORG"), ("南宁市公安局值班", "ORG"))
    assert vet(rules, text, spans) == [("人民日报国际部", "ORG"), ("清华大学经济管理学院", "ORG"),
                                       ("南宁市公安局", "ORG")]
    text = "他是南宁市公安局城北分局辅警司马林"  # a title, then a name that opens like a department (司)
    assert vet(rules, text, at(text, ("南宁市公安局城北分局辅警司", "ORG"))) == [("南宁市公安局城北分局", "ORG")]


def test_a_visitors_home_is_not_where_the_visit_was(pipeline: Pipeline, tmp_path: Path):
    text = "9月26日上午，洛宁县城关镇东街村村民郑明远来到新安县公安局城关派出所，送来一面锦旗。"
    assert _event_places(pipeline, tmp_path, text) == {"新安县"}


def test_a_place_after_a_title_is_no_given_name(rules):
    # 19980120-06-012 style: 主席国英国 is the presiding country, 职工向新疆… a direction
    for text in ("访问法国和现任欧盟轮值主席国英国。", "电力系统职工向新疆１６００万人送电"):
        assert rules.persons(text, "body", []) == []


def test_dotted_and_transliterated_names_are_people(rules):
    text = "国务委员司马义·艾买提会见了伊朗外长维拉亚提。"
    assert vet(rules, text, at(text, ("司马义·艾买提", "PERSON"), ("伊朗", "LOC"), ("维拉亚提", "PERSON"))) == [
        ("司马义·艾买提", "PERSON"), ("伊朗", "LOC"), ("维拉亚提", "PERSON")]


def test_settled_abbreviations_are_organisations(rules):
    # abbreviations MSRA tags as organisations throughout, though People's Daily writes them plain
    text = "央行和美联储同日降息，欧盟表示欢迎。"
    spans = at(text, ("央行", "ORG"), ("美联储", "ORG"), ("欧盟", "ORG"))
    assert vet(rules, text, spans) == [("央行", "ORG"), ("美联储", "ORG"), ("欧盟", "ORG")]
    # a numbered meeting, a kind of force and a head word alone name no organisation
    text = "十五大以后，武警和联盟的代表都来了。"
    assert vet(rules, text, at(text, ("十五大", "ORG"), ("武警", "ORG"), ("联盟", "ORG"))) == []


def test_another_time_of_the_days_incident_is_the_same_incident(pipeline: Pipeline, tmp_path: Path):
    # the fire at 9时许 and the alarm at 9时20分: two dates, one incident, one EVENT_AT edge per place
    doc = tmp_path / "doc.txt"
    doc.write_text("5月6日9时许，德清县新市镇一家商店发生火灾。消防部门于5月6日9时20分在德清县新市镇接到报警。\n",
                   encoding="utf-8")
    r = pipeline.build([doc])
    dates = {e.name for e in r.entities if e.type == "DATE"}
    assert {"5月6日9时许", "5月6日9时20分"} <= dates
    assert len([e for e in r.entities if e.type == "EVENT"]) == 1
    edges = [(x.target_id, x.relation) for x in r.relations if x.relation == "EVENT_AT"]
    assert len(edges) == len(set(edges))


def test_an_organisation_cut_at_its_bracket_down_to_a_country_is_the_country(rules):
    text = "巴西《环球报》昨天报道了这一消息。"
    assert vet(rules, text, at(text, ("巴西《环球报》", "ORG"))) == [("巴西", "LOC")]


def test_a_person_cut_from_a_word_with_a_word_for_a_name_is_dropped(rules):
    text = "他拒绝收酬谢围观群众，谢东明却收下了。"
    spans = at(text, ("谢围观", "PERSON"), ("谢东明", "PERSON"))
    # 酬谢|围观: the "surname" ends the word 酬谢 and the "given name" is the word 围观
    assert vet(rules, text, spans) == [("谢东明", "PERSON")]


def test_a_hospital_of_the_articles_own_province_is_kept(rules):
    text = "两名伤者被送往省人民医院，省高级人民法院派人到场。"
    spans = at(text, ("省人民医院", "ORG"), ("省高级人民法院", "ORG"))
    # a hospital is named by what it is; a court or department needs its place's name (GUIDELINES)
    assert vet(rules, text, spans) == [("省人民医院", "ORG")]


def test_a_unit_a_place_holds_but_does_not_name_is_the_place(rules):
    # the model's "organisation" runs from a place into "a factory in it": the place stays, no unit is named
    text = "3日凌晨，江口开发区内一纸箱厂突发火灾。"
    assert vet(rules, text, at(text, ("江口开发区内一纸箱厂", "ORG"))) == [("江口开发区", "LOC")]
    text = "昨天，新塘工业区的一家玩具厂发生火灾。"
    assert vet(rules, text, at(text, ("新塘工业区的一家玩具厂", "ORG"))) == [("新塘工业区", "LOC")]
    text = "他在第一汽车制造厂工作。"  # 一 inside a name: kept
    assert vet(rules, text, at(text, ("第一汽车制造厂", "ORG"))) == [("第一汽车制造厂", "ORG")]
