"""The static page past a few thousand entities (an overview that points to `kg serve`), and the
dates its timeline places (issue 24). No browser: the page's data block is read."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg import cli
from kg.graph import to_networkx
from kg.sinks.html import OVERVIEW_MIN_ENTITIES, OVERVIEW_NODES, calendar_date, fact_graph, render_html
from kg.sinks.tables import read_tables, write_tables
from kg.types import BuildResult, Document, Entity, Evidence, Relation, document_node_id
from tests.sinks.test_html import big_result, make_result, page_data

SEEDS_TABLES = Path(__file__).parents[1] / "data" / "seeds_tables"
N = OVERVIEW_MIN_ENTITIES + 300  # documents come on top: n // 50 of them


def test_big_graph_is_an_overview_of_its_hubs(tmp_path):
    res = big_result(N)
    facts = fact_graph(to_networkx(res))
    hub = max(facts, key=lambda n: (facts.degree(n), -list(facts).index(n)))
    with pytest.warns(UserWarning, match=r"overview.*kg serve OUT"):
        html = render_html(res, tmp_path / "g.html").read_text(encoding="utf-8")
    data = page_data(html)
    ids = {n["id"] for n in data["nodes"]}
    assert 100 < len(ids) <= OVERVIEW_NODES
    assert hub in ids
    assert not any(n["kgType"] == "DOCUMENT" for n in data["nodes"])
    assert all(e["from"] in ids and e["to"] in ids for e in data["edges"]) and data["edges"]
    assert 'id="kg-notice"' in html and "kg serve OUT" in html and f"{N - N // 50:,} 个实体" in html
    # every hub's biggest neighbour is on the page: the hubs' neighbourhoods, not a random sample
    assert max(facts.neighbors(hub), key=facts.degree) in ids


def test_small_graph_has_no_notice(tmp_path, recwarn):
    html = render_html(make_result(), tmp_path / "g.html").read_text(encoding="utf-8")
    assert "kg-notice" not in html and not recwarn.list


def test_kg_render_says_to_use_kg_serve(tmp_path):
    out = tmp_path / "out"
    write_tables(big_result(N), out)
    r = CliRunner(mix_stderr=False).invoke(cli.cli, ["render", str(out), "-o", str(tmp_path / "g.html")])
    assert r.exit_code == 0, r.output + r.stderr
    assert f"kg serve {out}" in r.stderr and "overview" in r.stderr
    assert f"kg serve {out}" in (tmp_path / "g.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("surface, sentence, expected", [
    ("2300年", "公元前2300年，大禹在此治水。", False),
    ("2800年", "这座古城至今有2800年历史。", False),
    ("2800年", "距今2800年，先民已在此定居。", False),
    ("1200年", "这座桥已有1200年，仍在通车。", False),
    ("2019年", "2019年，该市新建公园三座。", True),
    ("2020年3月19日", "公元2020年3月19日，张三到北京。", True),
    ("3月19日", "3月19日，张三到北京。", True),
])
def test_calendar_date(surface, sentence, expected):
    assert calendar_date(surface, sentence) is expected


def _event_build(date: str, sentence: str, iso: str = "", doc_date: str = "2020-03-25") -> BuildResult:
    doc = Document(id="a.txt", path="a.txt", text=sentence, date=doc_date)
    ev = Evidence(doc_id="a.txt", sentence=0, start=0, end=len(sentence), text=sentence)
    props = {"date": date, **({"iso_date": iso} if iso else {})}
    event = Entity(id="event-1", name="治水", type="EVENT", attrs={"description": "治水", **({"iso": iso} if iso else {})})
    place = Entity(id="loc-1", name="此地", type="LOC")
    return BuildResult(documents=[doc], entities=[event, place], relations=[
        Relation("event-1", "EVENT_AT", "loc-1", props, ev),
        Relation("event-1", "MENTIONED_IN", document_node_id("a.txt")),
        Relation("loc-1", "MENTIONED_IN", document_node_id("a.txt"))])


def _dates(res: BuildResult, tmp_path) -> tuple[str, str]:
    data = page_data(render_html(res, tmp_path / "g.html").read_text(encoding="utf-8"))
    node = next(n for n in data["nodes"] if n["id"] == "event-1")
    edge = next(e for e in data["edges"] if e["kgRelation"] == "EVENT_AT")
    return node["kgIso"], edge["kgIso"]


def test_year_less_date_read_against_the_documents_date(tmp_path):
    assert _dates(_event_build("3月19日", "3月19日，张三在此开会。"), tmp_path) == ("", "2020-03-19")
    # across new year: 12月30日 written on 2021-01-05 is 2020-12-30
    assert _dates(_event_build("12月30日", "12月30日，张三在此开会。", doc_date="2021-01-05"), tmp_path)[1] == "2020-12-30"
    # no document date: nothing to read it against
    assert _dates(_event_build("3月19日", "3月19日，张三在此开会。", doc_date=""), tmp_path) == ("", "")


def test_bc_years_and_lengths_of_time_are_not_placed(tmp_path):
    assert _dates(_event_build("2300年", "公元前2300年，大禹在此治水。", iso="2300"), tmp_path) == ("", "")
    assert _dates(_event_build("2800年", "这座古城至今有2800年历史，在此治水。", iso="2800"), tmp_path) == ("", "")
    assert _dates(_event_build("2019年", "2019年，大禹在此治水。", iso="2019"), tmp_path) == ("2019", "2019")


def test_seeds_events_placed_by_their_documents_dates(tmp_path):
    """The seeds' tables with a date given to each document: an event dated 3月21日 is placed on
    that day of the document's year, not at the document's own date."""
    res = read_tables(SEEDS_TABLES)
    res.documents = [dataclasses.replace(d, date="2020-05-20") for d in res.documents]
    data = page_data(render_html(res, tmp_path / "g.html").read_text(encoding="utf-8"))
    at = {e["kgDate"]: e["kgIso"] for e in data["edges"] if e["kgRelation"] == "EVENT_AT" and e["kgDate"]}
    assert at["3月21日"] == "2020-03-21" and at["自3月19日起"] == "2020-03-19" and at["从3月14日"] == "2020-03-14"
