"""Each cookbook query against the real server, with exact rows from the seed facts."""

from __future__ import annotations

import neo4j
import pytest

from kg.cypher import QUERIES, run_query
from kg.sinks.neo4j import load_graph

pytestmark = pytest.mark.neo4j

DOC = "000_99624c91e82d4847.txt"


@pytest.fixture
def driver(neo4j_clean, seed_facts):
    load_graph(seed_facts, uri=neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password)
    with neo4j.GraphDatabase.driver(neo4j_clean.uri, auth=(neo4j_clean.user, neo4j_clean.password)) as d:
        yield d


def test_every_query_is_parameterised():
    for q in QUERIES.values():
        for p in q.params:
            assert f"${p}" in q.cypher, q.name


def test_officers_of_unit_with_sub_units(driver):
    assert run_query(driver, "officers_of_unit", unit="白城市公安局") == [
        {"officer": "周佰发", "role": "民警", "unit": "洮南市公安局交巡警大队"},
        {"officer": "王强", "role": "民警", "unit": "洮南市公安局交巡警大队"},
        {"officer": "翟明宇", "role": "民警", "unit": "白城市公安局"},
        {"officer": "秦立恒", "role": "局长", "unit": "白城市公安局园区分局"},
    ]  # ORDER BY compares code points: 洮 (U+6D2E) sorts before 白 (U+767D)
    assert run_query(driver, "officers_of_unit", unit="园区分局") == [  # an alias works too
        {"officer": "秦立恒", "role": "局长", "unit": "白城市公安局园区分局"}]


def test_events_at_place_and_places_inside(driver):
    rows = run_query(driver, "events_at_place", place="白城市")
    assert [(r["event"], r["place"], r["date"], r["document"]) for r in rows] == [
        ("拒不配合疫情防控", "洮南市团结广场", "3月19日", DOC),
        ("开辟绿色通道", "白城东疫情防控服务站", None, DOC),
    ]
    assert rows[0]["evidence"] == "3月19日，洮南市团结广场有人拒不配合疫情防控。"
    assert [r["event"] for r in run_query(driver, "events_at_place", place="洮南市")] == ["拒不配合疫情防控"]


def test_shortest_path_between_two_people(driver):
    assert run_query(driver, "shortest_path", a="周佰发", b="秦立恒") == [{
        "names": ["周佰发", "洮南市公安局交巡警大队", "洮南市公安局", "白城市公安局", "白城市公安局园区分局", "秦立恒"],
        "relations": ["BELONGS_TO", "PART_OF", "PART_OF", "PART_OF", "BELONGS_TO"],
        "hops": 5,
    }]
    assert run_query(driver, "shortest_path", a="周佰发", b="王强")[0]["hops"] == 2


def test_units_with_most_officers(driver):
    assert run_query(driver, "units_with_most_officers", limit=3) == [
        {"unit": "白城市公安局", "officers": 4, "direct": 1},
        {"unit": "洮南市公安局", "officers": 2, "direct": 0},
        {"unit": "洮南市公安局交巡警大队", "officers": 2, "direct": 2},
    ]


def test_mentions_in_document_with_sentences(driver):
    rows = run_query(driver, "mentions_in_document", document="001_f7a5ec10d2a4ddd0.txt")
    sentence = "洮南市公安局交巡警大队民警王强在团结广场执勤。"
    assert rows == [
        {"entity": "洮南市公安局交巡警大队", "type": "ORG", "sentence": 0, "start": 0, "text": sentence},
        {"entity": "王强", "type": "PERSON", "sentence": 0, "start": 13, "text": sentence},
        {"entity": "洮南市团结广场", "type": "LOC", "sentence": 0, "start": 16, "text": sentence},
    ]
    assert len(run_query(driver, "mentions_in_document", document=DOC)) == 11


def test_the_manual_shows_every_query_verbatim():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "neo4j.md").read_text(encoding="utf-8")
    for q in QUERIES.values():
        assert q.cypher in doc, q.name
