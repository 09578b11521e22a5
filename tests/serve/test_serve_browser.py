"""kg serve in headless Chromium on the seeds: search, open, expand, path, edge → source, time brush, URL.

The page runs under its own Content-Security-Policy (no eval), so the tests poll with
`page.evaluate` rather than `wait_for_function`. Requests anywhere but the test's server are
aborted and recorded.
"""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from kg.serve.app import BackgroundServer
from kg.sinks.tables import read_tables, write_tables
from tests.fixtures_browser import ARTIFACTS, launch
from tests.serve.test_serve import copy_build, get, small_result

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def chromium(playwright_sync, tmp_path_factory):
    """A context of its own, online: the session's shared one is offline, which blocks the test server too."""
    ctx = launch(playwright_sync, tmp_path_factory.mktemp("chromium-serve"), accept_downloads=True)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="module")
def seeds_url(seeds_out, tmp_path_factory):
    out = copy_build(seeds_out, tmp_path_factory.mktemp("serve-browser") / "out")
    with BackgroundServer(out) as url:
        yield url


class View:
    def __init__(self, page, url):
        self.page, self.url = page, url
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def until(self, expr: str, timeout: float = 20.0):
        end = time.monotonic() + timeout
        while True:
            value = self.page.evaluate(expr)
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {expr}; errors: {self.errors}")
            self.page.wait_for_timeout(50)

    def settled(self, loads: int | None = None):
        cond = "window.kg.busy === 0" + (f" && window.kg.loads >= {loads}" if loads is not None else "")
        self.until(cond)

    def loads(self) -> int:
        return self.page.evaluate("kg.loads")

    def nodes(self) -> set[str]:
        return set(self.page.evaluate("kg.nodes.getIds()"))

    def edges(self) -> list[dict]:
        return self.page.evaluate("kg.edges.getIds().map(function (i) { return kg.edgeInfo[i]; })")

    def clean(self) -> bool:
        return self.blocked == [] and self.errors == [] and self.dialogs == []


@pytest.fixture
def open_view(chromium):
    pages = []

    def _open(url: str, path: str = "/") -> View:
        page = chromium.new_page()
        pages.append(page)
        view = View(page, url)

        def route(r):
            if r.request.url.startswith(url + "/"):
                r.continue_()
            else:
                view.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda e: view.errors.append(str(e)))
        page.on("console", lambda m: view.errors.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda d: (view.dialogs.append(d.message), d.dismiss()))
        page.goto(url + path)
        view.until("window.kg && window.kg.ready")
        return view

    yield _open
    for p in pages:
        p.close()


def _search_and_open(view: View, name: str) -> str:
    loads = view.loads()
    view.page.fill("#kg-search", name)
    view.page.wait_for_selector("#kg-hits li")
    first = view.page.locator("#kg-hits li").first
    assert name in first.text_content()
    entity = first.get_attribute("data-id")
    first.click()
    view.settled(loads + 1)
    return entity


def test_search_open_expand(open_view, seeds_url):
    view = open_view(seeds_url)
    zhou = _search_and_open(view, "周佰发")
    assert zhou in view.nodes() and len(view.nodes()) >= 2
    view.until("document.querySelector('#kg-panel h2') && document.querySelector('#kg-panel h2').textContent === '周佰发'")
    # step to the neighbour through the panel, then expand it: its neighbours join the view
    before = view.nodes()
    view.page.locator("#kg-panel .kg-link", has_text="洮南市公安局交巡警大队").first.click()
    view.until("document.querySelector('#kg-panel h2').textContent === '洮南市公安局交巡警大队'")
    loads = view.loads()
    view.page.locator("#kg-panel button", has_text="展开").click()
    view.settled(loads + 1)
    after = view.nodes()
    assert before < after
    view_state = parse_qs(urlsplit(view.page.url).fragment)
    assert view_state["focus"] == [f"{zhou},{view_state['sel'][0]}"]  # both expanded entities are in the URL
    ARTIFACTS.mkdir(exist_ok=True)
    view.page.wait_for_timeout(1500)
    view.page.screenshot(path=str(ARTIFACTS / "serve-seeds.png"))
    assert view.clean(), (view.blocked, view.errors, view.dialogs)


def test_path_between_two_entities(open_view, seeds_url):
    view = open_view(seeds_url)
    view.page.fill("#kg-path-from", "周佰发")
    view.page.fill("#kg-path-to", "白城市")
    loads = view.loads()
    view.page.click("#kg-path-go")
    view.settled(loads + 1)
    path = view.page.evaluate("kg.lastPath")
    assert path["paths"] and path["hops"] >= 2
    first = path["paths"][0]
    names = {n["id"]: n["name"] for n in path["nodes"]}
    assert names[first[0]] == "周佰发" and names[first[-1]] == "白城市"
    assert set(first) <= view.nodes()
    assert {e["id"] for e in path["edges"]} <= {e["id"] for e in view.edges()}
    assert "路径" in view.page.text_content("#kg-status")
    rows = view.page.locator("#kg-panel .kg-path-row")  # the paths listed, each a chain of links
    assert rows.count() == len(path["paths"]) and rows.first.text_content().startswith("周佰发")
    again = open_view(seeds_url, "/" + view.page.url.split("/", 3)[3])  # the path is in the URL
    again.settled(1)
    assert again.page.evaluate("kg.lastPath.paths") == path["paths"] and again.nodes() == view.nodes()
    assert view.clean()


def test_edge_opens_source_with_highlighted_sentence(open_view, seeds_url):
    view = open_view(seeds_url)
    zhou = _search_and_open(view, "周佰发")
    view.page.wait_for_timeout(1200)  # the layout settles
    edge = next(e for e in view.edges() if zhou in (e["from"], e["to"]))
    # click the edge where it is drawn: the middle of its curve on the canvas, the layout held still
    xy = view.page.evaluate("""(e) => { kg.network.stopSimulation();
        var mid = kg.network.body.edges[e.id].edgeType.getPoint(0.5);
        var d = kg.network.canvasToDOM(mid); var r = document.getElementById('kg-graph').getBoundingClientRect();
        return [r.left + d.x, r.top + d.y]; }""", edge)
    view.page.mouse.click(xy[0], xy[1])
    view.until("document.querySelector('#kg-panel h2') && document.querySelector('#kg-panel h2').textContent.indexOf('BELONGS_TO') >= 0")
    view.page.locator("#kg-panel button", has_text="原文").click()
    view.until("!document.getElementById('kg-source').hidden && document.querySelector('#kg-source-text mark.kg-sent')")
    sentence = view.page.evaluate("Array.prototype.map.call(document.querySelectorAll('#kg-source-text mark.kg-sent'),"
                                  " function (m) { return m.textContent; }).join('')")
    assert sentence.replace("\n", "") == edge["evidence"]
    mentions = view.page.evaluate("Array.prototype.map.call(document.querySelectorAll('#kg-source-text mark.kg-mention'),"
                                  " function (m) { return m.textContent; })")
    assert "周佰发" in mentions
    assert len(view.page.text_content("#kg-source-text")) > 10 * len(sentence)  # the whole document, not the sentence
    # a mention in the node's panel opens its document with that mention highlighted
    view.page.locator("#kg-panel .kg-link", has_text="周佰发").first.click()
    view.until("document.querySelector('#kg-panel h2').textContent === '周佰发'")
    view.page.evaluate("document.getElementById('kg-source-text').textContent = ''")
    view.page.locator("#kg-panel .kg-mention-link").first.click()
    view.until("document.querySelector('#kg-source-text mark.kg-mention')")
    assert view.page.text_content("#kg-source-text mark.kg-mention") == "周佰发"
    assert view.clean()


def test_time_brush_changes_visible_edges(open_view, seeds_url, seeds_out):
    dated = [r for r in read_tables(seeds_out).relations if r.properties.get("iso_date")]
    assert len({r.properties["iso_date"] for r in dated}) >= 2, "the seeds have events on two dates"
    ids = sorted({r.target_id for r in dated})
    view = open_view(seeds_url, "/#focus=" + ",".join(ids))
    view.settled(1)
    shown = {e["id"]: e for e in view.edges()}
    isos = sorted({e["iso"] for e in shown.values() if e["iso"]})
    assert len(isos) >= 2
    buckets = get(seeds_url, "/api/meta")["dated"]
    last = isos[-1]
    i = next(k for k, b in enumerate(buckets) if b[2] <= last <= b[3])
    box = view.page.locator("#kg-timeline").bounding_box()
    width = box["width"] / len(buckets)
    loads = view.loads()
    view.page.mouse.move(box["x"] + (i + 0.5) * width, box["y"] + 20)
    view.page.mouse.down()
    view.page.mouse.move(box["x"] + (len(buckets) - 0.5) * width, box["y"] + 25, steps=5)
    view.page.mouse.up()
    view.settled(loads + 1)
    after = {e["id"]: e for e in view.edges()}
    assert after and set(after) < set(shown)
    assert all(not e["iso"] or e["iso"] >= last for e in after.values())
    assert any(e["iso"] == last for e in after.values())
    assert "from=" in view.page.url and "to=" in view.page.url
    # the brushed range is kept in the URL: a reload shows the same edges
    again = open_view(seeds_url, "/" + view.page.url.split("/", 3)[3])
    again.settled(1)
    assert {e["id"] for e in again.edges()} == set(after)
    assert view.clean() and again.clean()


def test_url_restores_view_and_csv_export(open_view, seeds_url):
    view = open_view(seeds_url)
    _search_and_open(view, "白城市公安局")
    loads = view.loads()
    view.page.locator("#kg-relations input[value='LOCATED_IN']").uncheck()
    view.settled(loads + 1)
    assert all(e["relation"] != "LOCATED_IN" for e in view.edges())
    view.page.select_option("#kg-colour", "community")
    url = view.page.url
    assert "relations=" in url and "colour=community" in url and "sel=" in url
    nodes, edges = view.nodes(), {e["id"] for e in view.edges()}
    with view.page.expect_download() as dl:
        view.page.click("#kg-export-csv")
    text = open(dl.value.path(), encoding="utf-8-sig").read()
    rows = text.strip().splitlines()
    assert rows[0].startswith("source_id,source_name,relation") and len(rows) == 1 + len(edges)
    with view.page.expect_download() as dl:
        view.page.click("#kg-export-png")
    assert open(dl.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"

    again = open_view(seeds_url, "/" + url.split("/", 3)[3])
    again.settled(1)
    assert again.nodes() == nodes and {e["id"] for e in again.edges()} == edges
    assert again.page.locator("#kg-relations input[value='LOCATED_IN']").is_checked() is False
    assert again.page.input_value("#kg-colour") == "community"
    again.until("document.querySelector('#kg-panel h2') && document.querySelector('#kg-panel h2').textContent === '白城市公安局'")
    assert view.clean() and again.clean()


IMG = '<img src=x onerror="window.__xss=1;alert(1)">'


def test_markup_in_names_and_texts_stays_text(open_view, tmp_path):
    res = small_result(tmp_path / "docs")
    for e in res.entities:
        if e.id == "p-wang":
            e.name = IMG
            e.aliases = ["<script>window.__xss=2</script>"]
    for r in res.relations:
        if r.properties.get("role"):
            r.properties["role"] = "<b onmouseover=alert(3)>民警</b>"
    write_tables(res, tmp_path / "out")
    with BackgroundServer(tmp_path / "out") as url:
        view = open_view(url, "/#focus=p-wang&sel=p-wang")
        view.settled(1)
        view.until("document.querySelector('#kg-panel h2')")
        assert view.page.text_content("#kg-panel h2") == IMG
        view.page.fill("#kg-search", "<script>")
        view.page.wait_for_selector("#kg-hits li")
        view.page.locator("#kg-panel .kg-evidence").first.click()
        view.until("document.querySelector('#kg-source-text mark')")
        assert view.page.evaluate("window.__xss") is None
        assert view.page.evaluate("document.querySelectorAll('img, #kg-panel b, #kg-hits script').length") == 0
        assert view.clean(), json.dumps([view.blocked, view.errors, view.dialogs], ensure_ascii=False)
