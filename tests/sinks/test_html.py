"""kg.sinks.html: offline, escaped, searchable page; browser checks run in headless Chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.errors import KgError
from kg.graph import to_networkx
from kg.sinks.html import PHYSICS_MAX_NODES, fact_graph, neighbourhood, render_html, short_label
from kg.types import BuildResult, Document, Entity, Evidence, Mention, Relation, Sentence, document_node_id
from tests.fixtures_browser import ARTIFACTS

IMG = '<img src=x onerror="window.__xss=(window.__xss||0)+1;alert(1)">'
SCRIPT = "</script><script>window.__xss=(window.__xss||0)+1;alert(2)</script>"
SVG = "<svg onload=alert(3)>"
HREF = '<a href="javascript:alert(4)">href</a>'
ROLE = "<b onmouseover=alert(5)>民警</b>"


def _sentence(doc: str, index: int, text: str, start: int) -> Sentence:
    return Sentence(doc_id=doc, index=index, text=text, offsets=list(range(start, start + len(text))))


def _entity(eid: str, name: str, typ: str, doc: str, sent: Sentence, aliases=()) -> Entity:
    at = sent.text.find(name)
    at = max(at, 0)
    m = Mention(doc_id=doc, sentence=sent.index, start=sent.start + at, end=sent.start + at + len(name),
                text=name, type=typ if typ != "EVENT" else "LOC", entity_id=eid, sent_start=at)
    return Entity(id=eid, name=name, type=typ, aliases=list(aliases), mentions=[m])


def make_result(inject: bool = False) -> BuildResult:
    """A small build in the shape the pipeline produces: 洮南 traffic police, two documents."""
    d1, d2 = "001_taonan.txt", "002_baicheng.txt"
    s0 = _sentence(d1, 0, "洮南市公安局交巡警大队民警周佰发在洮南高速公路口疫情防控服务站执勤。", 0)
    s1 = _sentence(d1, 1, "2020年3月19日，周佰发劝返外地车辆12台。", 40)
    s2 = _sentence(d2, 0, "白城市公安局召开会议，洮南市公安局负责人参加。", 0)
    t1 = "".join(s.text for s in (s0, s1))
    res = BuildResult(documents=[Document(id=d1, path=f"seeds/{d1}", text=t1), Document(id=d2, path=f"seeds/{d2}",
                                                                                        text=s2.text)],
                      sentences=[s0, s1, s2])
    ents = [
        _entity("per-zhou", "周佰发", "PERSON", d1, s0),
        _entity("org-jxj", "洮南市公安局交巡警大队", "ORG", d1, s0, aliases=["交巡警大队"]),
        _entity("org-tn", "洮南市公安局", "ORG", d1, s0, aliases=["洮南公安"]),
        _entity("loc-tn", "洮南市", "LOC", d1, s0),
        _entity("date-0319", "2020年3月19日", "DATE", d1, s1),
        _entity("evt-zq", "洮南高速公路口疫情防控服务站执勤", "EVENT", d1, s0),
        _entity("org-bc", "白城市公安局", "ORG", d2, s2, aliases=["白城公安"]),
    ]
    ents[0].mentions.append(Mention(doc_id=d1, sentence=1, start=52, end=55, text="周佰发", type="PERSON",
                                    entity_id="per-zhou"))
    ents[-2].attrs["iso"] = "2020-03-19"

    def ev(s: Sentence) -> Evidence:
        return Evidence(doc_id=s.doc_id, sentence=s.index, start=s.start, end=s.end, text=s.text)

    rels = [
        Relation("per-zhou", "BELONGS_TO", "org-jxj", {"role": "民警"}, ev(s0)),
        Relation("org-jxj", "PART_OF", "org-tn", {}, ev(s0)),
        Relation("org-tn", "LOCATED_IN", "loc-tn", {}, ev(s0)),
        Relation("evt-zq", "EVENT_AT", "loc-tn", {"date": "2020年3月19日", "iso_date": "2020-03-19"}, ev(s1)),
        Relation("org-bc", "LOCATED_IN", "loc-tn", {"inferred": True}, None),
    ]
    if inject:
        s3 = _sentence(d2, 1, f"{IMG}与{SCRIPT}在{SVG}见面{HREF}", 30)
        res.sentences.append(s3)
        ents += [_entity("per-x", IMG, "PERSON", d2, s3, aliases=[SVG, HREF]),
                 _entity("org-x", SCRIPT, "ORG", d2, s3)]
        rels += [Relation("per-x", "BELONGS_TO", "org-x", {"role": ROLE}, ev(s3)),
                 Relation("per-x", "BELONGS_TO", "org-tn", {"role": HREF}, ev(s3))]
    res.entities = ents
    res.mentions = [m for e in ents for m in e.mentions]
    docs_of = {e.id: {m.doc_id for m in e.mentions} for e in ents}
    for e in ents:
        for d in sorted(docs_of[e.id]):
            rels.append(Relation(e.id, "MENTIONED_IN", document_node_id(d), {"count": len(e.mentions)}, None))
    res.relations = rels
    return res


def big_result(n_nodes: int, seed: int = 1) -> BuildResult:
    """A synthetic build: documents as hubs, entities mentioned in 1-2 of them, some relations."""
    import random

    rnd = random.Random(seed)
    n_docs = max(1, n_nodes // 50)
    res = BuildResult(documents=[Document(id=f"{i:04d}.txt", path=f"x/{i:04d}.txt", text="") for i in range(n_docs)])
    types = ["PERSON", "ORG", "LOC", "DATE", "EVENT"]
    for i in range(n_nodes - n_docs):
        res.entities.append(Entity(id=f"e{i}", name=f"实体{i}号", type=types[i % 5], attrs={"mention_count": 1 + i % 7}))
    for e in res.entities:
        for d in rnd.sample(range(n_docs), min(n_docs, rnd.choice([1, 1, 1, 2]))):
            res.relations.append(Relation(e.id, "MENTIONED_IN", document_node_id(f"{d:04d}.txt")))
    for _ in range(len(res.entities) // 2):
        a, b = rnd.sample(res.entities, 2)
        res.relations.append(Relation(a.id, rnd.choice(["BELONGS_TO", "PART_OF", "LOCATED_IN"]), b.id,
                                      {"role": "民警"} if a.type == "PERSON" else {}))
    return res


def page_data(html: str) -> dict:
    m = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.S)
    assert m, "no data block"
    return json.loads(m.group(1))


# ---------------------------------------------------------------- page content (no browser)

def test_page_is_self_contained(tmp_path):
    html = render_html(make_result(), tmp_path / "g.html").read_text(encoding="utf-8")
    assert not re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"@import|url\(\s*['\"]?(https?:)?//", html, re.I)
    for remote in ("cdnjs", "jsdelivr", "bootstrap", "tom-select"):
        assert remote not in html
    assert "vis.Network" in html and len(html) > 400_000  # vis-network itself is inline


def test_counts_styles_and_labels(tmp_path):
    res = make_result()
    g = to_networkx(res)
    data = page_data(render_html(res, tmp_path / "g.html").read_text(encoding="utf-8"))
    assert len(data["nodes"]) == g.number_of_nodes() and len(data["edges"]) == g.number_of_edges()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["per-zhou"]["shape"] == "dot" and nodes["org-jxj"]["shape"] == "square"
    assert nodes[document_node_id("001_taonan.txt")]["kgType"] == "DOCUMENT"
    assert nodes["per-zhou"]["value"] > nodes["loc-tn"]["value"]  # two mentions against one
    assert "交巡警大队" in nodes["org-jxj"]["kgAliases"]
    assert any("执勤" in s[2] and s[0] == "001_taonan.txt" for s in nodes["per-zhou"]["kgSentences"])
    assert nodes["per-zhou"]["kgDocs"] == ["001_taonan.txt"]
    edge = next(e for e in data["edges"] if e["from"] == "per-zhou" and e["kgRelation"] == "BELONGS_TO")
    assert edge["label"] == "隶属 · 民警" and edge["kgRole"] == "民警"
    assert "隶属 BELONGS_TO" in edge["title"] and "周佰发" in edge["title"] and "001_taonan.txt" in edge["title"]
    assert "疫情防控服务站" in edge["kgEvidence"]
    assert data["relationNames"]["BELONGS_TO"] == "隶属 BELONGS_TO" and data["typeNames"]["ORG"] == "机构 ORG"
    inferred = next(e for e in data["edges"] if e["from"] == "org-bc" and e["kgRelation"] == "LOCATED_IN")
    assert inferred["kgInferred"] is True and edge["kgInferred"] is False
    assert next(e for e in data["edges"] if e["kgRelation"] == "EVENT_AT")["kgIso"] == "2020-03-19"
    assert not any("label" in e for e in data["edges"] if e["kgRelation"] == "MENTIONED_IN")
    assert data["physics"] is True


def test_short_labels_cut_clean():
    assert short_label("周佰发") == "周佰发"
    assert short_label("（新华社记者王新庆摄）国务院召开常务会议") == "国务院召开常务会议"  # the aside goes
    assert short_label("国务院召开第65次常务会议，讨论并原则通过修订草案") == "国务院召开第65次常务会议…"  # at the comma
    cut = short_label("连续丰收后更要谨防出现松懈情绪关键是稳定党在农村的各项政策")
    assert len(cut) <= 14 and cut.endswith("…")


def test_same_name_nodes_are_told_apart(tmp_path):
    res = make_result()
    s = res.sentences[2]
    twin = _entity("per-zhou-2", "周佰发", "PERSON", "002_baicheng.txt", s)
    res.entities.append(twin)
    res.relations.append(Relation("per-zhou-2", "BELONGS_TO", "org-bc", {"role": "民警"}, None))
    data = page_data(render_html(res, tmp_path / "t.html").read_text(encoding="utf-8"))
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["per-zhou"] != labels["per-zhou-2"]
    assert labels["per-zhou"].startswith("周佰发") and "白城市公安局" in labels["per-zhou-2"]


@pytest.mark.browser
def test_browser_focus_on_a_shared_name_shows_each(tmp_path, open_page):
    res = make_result()
    res.entities.append(_entity("per-zhou-2", "周佰发", "PERSON", "002_baicheng.txt", res.sentences[2]))
    res.entities.append(_entity("per-zhou-3", "周佰发", "PERSON", "002_baicheng.txt", res.sentences[2]))
    view = open_page(render_html(res, tmp_path / "f.html", focus="周佰发", hops=1))
    shown = view.page.evaluate("kg.network.body.nodeIndices")
    assert {"per-zhou", "per-zhou-2", "per-zhou-3"} <= set(shown)  # no facts, still drawn: they are the focus
    assert sorted(view.page.evaluate("kg.network.getSelectedNodes()")) == ["per-zhou", "per-zhou-2", "per-zhou-3"]
    labels = view.page.evaluate("['per-zhou', 'per-zhou-2', 'per-zhou-3'].map(function (i) {"
                                " return kg.nodes.get(i).label; })")
    assert len(set(labels)) == 3 and view.page.evaluate("kg.dimmed()") == 0


def test_injection_is_escaped_in_source(tmp_path):
    res = make_result(inject=True)
    html = render_html(res, tmp_path / "g.html", focus=IMG, hops=1).read_text(encoding="utf-8")
    for raw in (IMG, SCRIPT, SVG, ROLE, HREF, "<img", "<svg onload", "<b ", "<a href"):
        assert raw not in html
    assert html.count("</script") == 3  # vis-network, the data block, the page script: none closed early
    assert "&lt;img src=x onerror=" in html  # the heading, escaped
    names = {n["kgName"] for n in page_data(html)["nodes"]}
    assert IMG in names and SCRIPT in names  # the JSON round-trips the exact text


def test_focus_neighbourhood(tmp_path):
    g = to_networkx(make_result())
    one = neighbourhood(g, "周佰发", 1)
    assert set(one) == {"per-zhou", "org-jxj", document_node_id("001_taonan.txt")}  # the doc: hidden in the page
    two = neighbourhood(g, "周佰发", 2)
    # the same document also mentions 洮南市 and 2020年3月19日, but no fact leads there in two hops
    assert {n for n in two if not n.startswith("doc:")} == {"per-zhou", "org-jxj", "org-tn"}
    two = neighbourhood(g, "交巡警大队", 1)  # alias
    assert {"per-zhou", "org-jxj", "org-tn"} <= set(two)
    assert {n for n in neighbourhood(g, "周佰发", 0) if not n.startswith("doc:")} == {"per-zhou"}
    data = page_data(render_html(make_result(), tmp_path / "f.html", focus="洮南公安", hops=2)
                     .read_text(encoding="utf-8"))
    assert {"org-tn", "org-jxj", "per-zhou", "loc-tn"} <= {n["id"] for n in data["nodes"]}


def test_focus_unknown_name_is_a_clear_error(tmp_path):
    with pytest.raises(KgError, match="no entity has this name or alias.*洮南市公安局"):
        render_html(make_result(), tmp_path / "x.html", focus="洮南市公安")
    assert not (tmp_path / "x.html").exists()


def test_big_graph_gets_fixed_layout(tmp_path):
    res = big_result(PHYSICS_MAX_NODES + 100)
    data = page_data(render_html(res, tmp_path / "b.html").read_text(encoding="utf-8"))
    assert data["physics"] is False and data["options"]["physics"]["enabled"] is False
    assert all(isinstance(n.get("x"), float) and isinstance(n.get("y"), float) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) > 0.95 * len(data["nodes"])  # spread out


def test_render_from_output_folder(tmp_path):
    from kg.sinks.tables import read_tables, write_tables

    write_tables(make_result(), tmp_path / "out")
    res = read_tables(tmp_path / "out")
    data = page_data(render_html(res, tmp_path / "r.html").read_text(encoding="utf-8"))
    g = to_networkx(res)
    assert len(data["nodes"]) == g.number_of_nodes() and len(data["edges"]) == g.number_of_edges()
    zhou = next(n for n in data["nodes"] if n["id"] == "per-zhou")
    assert any("执勤" in s[2] for s in zhou["kgSentences"])  # evidence sentences survive the round trip


# ---------------------------------------------------------------- in headless Chromium

def _drawn(view) -> dict:
    return view.page.evaluate("kg.drawn()")


def _facts_only(g) -> dict:
    """What the page draws by default: fact edges and the entities they connect."""
    f = fact_graph(g)
    return {"nodes": sum(1 for n in f if f.degree(n)), "edges": f.number_of_edges()}


def _click_node(view, node_id: str) -> None:
    """A real mouse click on a node's position on the canvas."""
    page = view.page
    page.evaluate(f"kg.network.moveTo({{position: kg.network.getPositions([{json.dumps(node_id)}])"
                  f"[{json.dumps(node_id)}], scale: 1.2}})")
    page.wait_for_timeout(200)
    box = page.locator("#mynetwork").bounding_box()
    xy = page.evaluate(f"kg.network.canvasToDOM(kg.network.getPositions([{json.dumps(node_id)}])"
                       f"[{json.dumps(node_id)}])")
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])


@pytest.mark.browser
def test_browser_facts_first_search_filter_offline(tmp_path, open_page):
    res = make_result()
    g = to_networkx(res)
    view = open_page(render_html(res, tmp_path / "graph.html"))
    facts = _facts_only(g)
    assert _drawn(view) == facts == {"nodes": 6, "edges": 5}  # documents and 2020年3月19日 (no fact) hidden
    assert view.page.evaluate("kg.network.body.nodeIndices.filter(function (i) { return i.indexOf('doc:') === 0; })") == []
    view.page.check("#kg-docs")  # the one switch: documents and MENTIONED_IN
    assert _drawn(view) == {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    view.page.uncheck("#kg-docs")
    assert _drawn(view) == facts
    assert view.page.evaluate("kg.search('交巡警大队')") == ["org-jxj"]
    assert view.page.evaluate("kg.search('周佰')") == ["per-zhou"]
    assert view.page.evaluate("kg.search('没有这个人')") == []
    assert view.page.text_content("#kg-status") == "没有匹配"
    view.page.fill("#kg-search", "洮南公安")
    view.page.press("#kg-search", "Enter")
    assert view.page.evaluate("kg.network.getSelectedNodes()") == ["org-tn"]
    view.page.uncheck("input.kg-type[value=PERSON]")
    assert _drawn(view) == {"nodes": facts["nodes"] - 1, "edges": facts["edges"] - 1}
    view.page.check("input.kg-type[value=PERSON]")
    view.page.select_option("#kg-inferred", "stated")
    assert _drawn(view)["edges"] == facts["edges"] - 1  # 白城市公安局 LOCATED_IN 洮南市 is inferred
    view.page.select_option("#kg-inferred", "inferred")
    assert _drawn(view) == {"nodes": 2, "edges": 1}
    view.page.select_option("#kg-inferred", "all")
    view.page.select_option("#kg-doc", "002_baicheng.txt")
    assert _drawn(view) == {"nodes": 0, "edges": 0}  # its only fact is inferred: no sentence of 002 states it
    view.page.select_option("#kg-doc", "001_taonan.txt")
    assert _drawn(view) == {"nodes": 5, "edges": 4}
    assert view.blocked == [] and view.errors == [] and view.dialogs == []


@pytest.mark.browser
def test_browser_click_shows_evidence_and_highlights(tmp_path, open_page):
    view = open_page(render_html(make_result(), tmp_path / "graph.html"))
    page = view.page
    assert page.is_hidden("#kg-panel")
    _click_node(view, "per-zhou")
    page.wait_for_selector("#kg-panel", state="visible")
    panel = page.text_content("#kg-panel")
    assert "周佰发" in panel and "人物 PERSON" in panel and "隶属 BELONGS_TO · 民警" in panel
    assert "洮南市公安局交巡警大队民警周佰发在洮南高速公路口疫情防控服务站执勤。" in panel  # the evidence sentence
    assert "001_taonan.txt" in panel and page.locator("#kg-panel button.kg-copy").count() >= 1
    assert page.evaluate("kg.highlighted") == ["org-jxj", "per-zhou"]  # itself and its drawn neighbour
    assert page.evaluate("kg.dimmed()") == _facts_only(to_networkx(make_result()))["nodes"] - 2
    page.locator("#kg-panel button.kg-link", has_text="洮南市公安局交巡警大队").click()  # to the neighbour
    assert page.evaluate("kg.network.getSelectedNodes()") == ["org-jxj"]
    assert "交巡警大队" in page.text_content("#kg-panel")  # its alias
    assert sorted(page.evaluate("kg.highlighted")) == ["org-jxj", "org-tn", "per-zhou"]
    page.mouse.click(page.locator("#mynetwork").bounding_box()["x"] + 5, page.locator("#mynetwork").bounding_box()["y"] + 5)
    assert page.evaluate("kg.dimmed()") == 0 and page.is_hidden("#kg-panel")
    assert view.errors == [] and view.dialogs == []


@pytest.mark.browser
def test_browser_expand_hidden_neighbours(tmp_path, open_page):
    res = make_result()
    view = open_page(render_html(res, tmp_path / "graph.html"))
    page = view.page
    before = _drawn(view)
    page.evaluate("kg.select('per-zhou')")
    assert page.evaluate("kg.hiddenNeighbours('per-zhou')") == [document_node_id("001_taonan.txt")]
    page.click("#kg-expand")
    assert _drawn(view) == {"nodes": before["nodes"] + 1, "edges": before["edges"] + 1}
    assert document_node_id("001_taonan.txt") in page.evaluate("kg.highlighted")
    page.evaluate(f"kg.expand({json.dumps(document_node_id('001_taonan.txt'))})")  # the document's entities
    assert _drawn(view)["nodes"] == before["nodes"] + 2  # + 2020年3月19日, which has no fact
    assert view.errors == []


@pytest.mark.browser
def test_browser_date_filter_and_timeline(tmp_path, open_page):
    view = open_page(render_html(make_result(), tmp_path / "graph.html"))
    page = view.page
    before = _drawn(view)
    assert page.evaluate("kg.timelineEvents") == 1
    assert page.locator("#kg-timeline .kg-item").count() == 1
    page.fill("#kg-from", "2021-01-01")
    page.dispatch_event("#kg-from", "change")
    after = _drawn(view)
    assert after["edges"] == before["edges"] - 1  # the dated EVENT_AT (2020-03-19) is out of range
    page.fill("#kg-from", "2020-03-01")
    page.fill("#kg-to", "2020-03-31")
    page.uncheck("#kg-undated")
    assert _drawn(view) == {"nodes": 2, "edges": 1}  # only the dated fact
    page.click("#kg-reset")
    assert _drawn(view) == before
    assert view.errors == []


@pytest.mark.browser
def test_browser_search_steps_through_hits(tmp_path, open_page):
    view = open_page(render_html(make_result(), tmp_path / "graph.html"))
    page = view.page
    hits = page.evaluate("kg.search('洮南')")
    assert len(hits) >= 4 and page.evaluate("kg.network.getSelectedNodes()") == [hits[0]]
    assert page.text_content("#kg-status") == f"第 1 / {len(hits)} 个"
    page.fill("#kg-search", "洮南")
    page.press("#kg-search", "Enter")  # same query: on to the next hit
    assert page.evaluate("kg.network.getSelectedNodes()") == [hits[1]]
    page.click("#kg-next")
    assert page.evaluate("kg.network.getSelectedNodes()") == [hits[2]]
    assert page.text_content("#kg-status") == f"第 3 / {len(hits)} 个"
    page.click("#kg-prev")
    page.click("#kg-prev")
    page.click("#kg-prev")  # wraps round to the last
    assert page.evaluate("kg.network.getSelectedNodes()") == [hits[-1]]
    before = _drawn(view)["nodes"]
    assert page.evaluate("kg.search('2020年3月19日')") == ["date-0319"]  # hidden (no fact): revealed
    assert _drawn(view)["nodes"] == before + 1 and "2020年3月19日" in page.text_content("#kg-panel")
    assert view.errors == []


@pytest.mark.browser
def test_browser_injection_runs_nothing(tmp_path, open_page):
    res = make_result(inject=True)
    view = open_page(render_html(res, tmp_path / "x.html"))
    page = view.page
    g = to_networkx(res)
    assert _drawn(view) == _facts_only(g)
    assert page.evaluate(f"kg.search({json.dumps(SVG)})") == ["per-x"]  # alias search, literal text
    # hover the injected node so vis-network builds its tooltip
    box = page.locator("#mynetwork").bounding_box()
    page.evaluate("kg.network.moveTo({position: kg.network.getPositions(['per-x'])['per-x'], scale: 1.5})")
    page.wait_for_timeout(300)
    xy = page.evaluate("kg.network.canvasToDOM(kg.network.getPositions(['per-x'])['per-x'])")
    page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5000)
    tip = page.evaluate("(() => { const t = document.querySelector('div.vis-tooltip');"
                        " return {text: t.innerText, children: t.querySelectorAll(':not(br)').length}; })()")
    assert IMG in tip["text"] and tip["children"] == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert page.evaluate("document.querySelectorAll('img, svg:not(aside svg):not(#kg-timeline), iframe, a, b').length") == 0
    page.evaluate("kg.select('per-x')")  # the side panel: names, aliases, roles and evidence, all as text
    panel = page.text_content("#kg-panel")
    assert IMG in panel and SVG in panel and HREF in panel and ROLE in panel and SCRIPT in panel
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss") is None
    assert view.dialogs == [] and view.errors == [] and view.blocked == []
    focused = open_page(render_html(res, tmp_path / "f.html", focus=IMG, hops=1))
    assert IMG in focused.page.text_content("#kg-heading")
    assert focused.page.evaluate("kg.network.getSelectedNodes()") == ["per-x"]
    assert focused.page.evaluate("window.__xss") is None and focused.dialogs == []


@pytest.mark.browser
def test_browser_screenshot(tmp_path, open_page):
    """The artifacts to look at: Chinese labels drawn, legend visible, a node's panel open."""
    view = open_page(render_html(make_result(), tmp_path / "graph.html"))
    view.page.evaluate("kg.network.fit()")
    view.page.wait_for_timeout(200)
    ARTIFACTS.mkdir(exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / "graph.png"))
    assert view.page.is_visible("aside >> text=人物 PERSON")
    assert (ARTIFACTS / "graph.png").stat().st_size > 20_000
    _click_node(view, "per-zhou")
    view.page.wait_for_timeout(300)
    view.page.screenshot(path=str(ARTIFACTS / "graph-panel.png"))


@pytest.mark.browser
@pytest.mark.slow
def test_browser_big_graph(tmp_path, open_page):
    res = big_result(1500)
    g = to_networkx(res)
    view = open_page(render_html(res, tmp_path / "big.html"))
    assert _drawn(view) == _facts_only(g)
    view.page.check("#kg-docs")
    assert _drawn(view) == {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    assert view.page.evaluate("kg.readyAt") < 5000
    assert view.page.evaluate("kg.search('实体42号')")[0] == "e42"


def _seeds_out(request):
    try:
        return request.getfixturevalue("seeds_out")
    except pytest.FixtureLookupError:
        pytest.skip("seeds_out fixture not available (tests/conftest.py re-exports tests.fixtures_build)")


@pytest.mark.browser
@pytest.mark.slow
def test_browser_seeds_output(request, tmp_path, open_page):
    """`kg render` on the seeds' output folder opens offline, facts first; a screenshot with a panel open."""
    from kg.sinks.tables import read_tables

    res = read_tables(_seeds_out(request))
    g = to_networkx(res)
    view = open_page(render_html(res, tmp_path / "seeds.html"))
    assert _drawn(view) == _facts_only(g) != {"nodes": 0, "edges": 0}
    view.page.check("#kg-docs")
    assert _drawn(view) == {"nodes": g.number_of_nodes(), "edges": g.number_of_edges()}
    view.page.uncheck("#kg-docs")
    view.page.evaluate("kg.network.fit()")
    ARTIFACTS.mkdir(exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / "seeds.png"))
    person = next(n for n, d in g.nodes(data=True) if d["type"] == "PERSON"
                  and any(r == "BELONGS_TO" for *_, r in g.out_edges(n, data="relation")))
    assert view.page.evaluate(f"kg.search({json.dumps(g.nodes[person]['name'])})")
    view.page.wait_for_timeout(400)
    assert "隶属 BELONGS_TO" in view.page.text_content("#kg-panel")
    view.page.screenshot(path=str(ARTIFACTS / "seeds-panel.png"))
    assert view.blocked == [] and view.dialogs == [] and view.errors == []


@pytest.mark.browser
@pytest.mark.slow
def test_browser_focus_follows_facts_only(request, tmp_path, open_page):
    """`--focus 周佰发 --hops 2` on the seeds: every entity drawn is within 2 fact edges of 周佰发."""
    from kg.sinks.tables import read_tables

    res = read_tables(_seeds_out(request))
    g = to_networkx(res)
    facts = fact_graph(g).to_undirected()
    centres = [n for n, d in g.nodes(data=True) if d["name"] == "周佰发"]
    assert centres, "周佰发 is in the seeds"
    near = set().union(*(nx_reach(facts, c, 2) for c in centres))
    view = open_page(render_html(res, tmp_path / "zhou.html", focus="周佰发", hops=2))
    entities = view.page.evaluate("Object.keys(kg.network.body.nodes).filter(function (i) {"
                                  " return kg.network.body.nodeIndices.indexOf(i) >= 0; })")
    assert set(entities) <= near and set(centres) <= set(entities)
    data = page_data((tmp_path / "zhou.html").read_text(encoding="utf-8"))
    in_page = {n["id"] for n in data["nodes"] if n["kgType"] != "DOCUMENT"}
    assert in_page <= near  # nothing reached through a document, even hidden
    view.page.check("#kg-docs")  # the documents are there, behind the switch
    assert any(i.startswith("doc:") for i in view.page.evaluate("kg.network.body.nodeIndices"))
    view.page.uncheck("#kg-docs")
    view.page.evaluate("kg.network.fit()")
    ARTIFACTS.mkdir(exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / "seeds-focus.png"))
    assert view.errors == []


def nx_reach(u, centre, hops: int) -> set:
    import networkx as nx

    return set(nx.single_source_shortest_path_length(u, centre, cutoff=hops))


PD_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "pku-peoples-daily-1998" / "199801.txt.xz"
PD_SILVER = Path(__file__).resolve().parents[3] / "shared" / "eval" / "pd_silver.py"


@pytest.mark.browser
@pytest.mark.slow
def test_browser_300_articles(request, tmp_path, open_page):
    """300 People's Daily articles (../shared): facts first instead of a hairball; screenshots to look at."""
    import subprocess
    import sys

    if not (PD_CORPUS.exists() and PD_SILVER.exists()):
        pytest.skip("../shared/corpora/pku-peoples-daily-1998 not here")
    arts = tmp_path / "all"
    subprocess.run([sys.executable, str(PD_SILVER), "articles", str(PD_CORPUS), str(arts), "--days", "10,11,12,13,14"],
                   check=True, capture_output=True)
    files = sorted(arts.glob("*.txt"))[:300]
    assert len(files) == 300
    res = request.getfixturevalue("pipeline").build(files)
    g = to_networkx(res)
    view = open_page(render_html(res, tmp_path / "pd300.html"))
    drawn = _drawn(view)
    assert drawn == _facts_only(g)
    mentioned = sum(1 for *_, r in g.edges(data="relation") if r == "MENTIONED_IN")
    assert mentioned > g.number_of_edges() / 2 and drawn["edges"] == g.number_of_edges() - mentioned
    view.page.evaluate("kg.network.fit()")
    ARTIFACTS.mkdir(exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / "pd300.png"))
    hub = max((n for n in g if g.nodes[n]["type"] != "DOCUMENT"), key=lambda n: _facts_degree(g, n))
    view.page.evaluate(f"kg.select({json.dumps(hub)}, true)")
    view.page.wait_for_timeout(500)
    view.page.screenshot(path=str(ARTIFACTS / "pd300-panel.png"))
    assert view.page.evaluate("kg.dimmed()") > 0 and view.errors == [] and view.blocked == []


def _facts_degree(g, n) -> int:
    return sum(1 for *_, r in g.edges(n, data="relation") if r != "MENTIONED_IN") + \
        sum(1 for *_, r in g.in_edges(n, data="relation") if r != "MENTIONED_IN")


@pytest.mark.browser
def test_browser_harness_sees_injection(tmp_path, open_page):
    """Control: the same checks do fire on a page that prints a name raw, so a pass above means something."""
    bad = tmp_path / "bad.html"
    bad.write_text(f"<!DOCTYPE html><meta charset=utf-8><h1>{IMG}</h1><p>{SVG}</p>", encoding="utf-8")
    view = open_page(bad, wait_ready="window.__xss >= 1")
    view.page.wait_for_timeout(300)
    assert view.page.evaluate("window.__xss") >= 1
    assert "alert: 1" in view.dialogs and "alert: 3" in view.dialogs


def test_empty_build_renders(tmp_path):
    data = page_data(render_html(BuildResult(), tmp_path / "e.html").read_text(encoding="utf-8"))
    assert data["nodes"] == [] and data["edges"] == []


def test_written_file_is_readable_by_others(tmp_path):
    p = render_html(make_result(), tmp_path / "g.html")
    assert isinstance(p, Path) and p.stat().st_mode & 0o044
