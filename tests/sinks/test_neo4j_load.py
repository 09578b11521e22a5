"""The loader against a real Neo4j: schema, idempotence, incremental loads, full-text, injection, CLI."""

from __future__ import annotations

import neo4j
import pytest

from kg.cli import main
from kg.cypher import run_query
from kg.sinks.neo4j import load_graph
from kg.sinks.tables import read_tables, write_tables
from kg.types import BuildResult, Document, Entity, Evidence, Mention, Relation, Sentence
from tests.fixtures_neo4j import dump_graph, seed_facts_result

pytestmark = pytest.mark.neo4j


def _load(server, result, **kw) -> dict:
    return load_graph(result, uri=server.uri, user=server.user, password=server.password, **kw)


def _query(server, cypher: str, **params) -> list[dict]:
    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        return [r.data() for r in driver.execute_query(cypher, params).records]


def test_load_twice_same_graph_and_nothing_written(neo4j_clean, seed_facts):
    first = _load(neo4j_clean, seed_facts, batch_size=3)
    graph = dump_graph(neo4j_clean)
    second = _load(neo4j_clean, seed_facts, batch_size=3)
    assert first["nodes_created"] == first["nodes"] > 0
    assert first["relationships_created"] == first["relationships"] > 0
    assert (second["nodes"], second["relationships"]) == (first["nodes"], first["relationships"])
    assert second["nodes_created"] == second["relationships_created"] == 0
    assert second["properties_set"] == second["labels_added"] == 0
    assert dump_graph(neo4j_clean) == graph


def test_schema_labels_and_provenance(neo4j_clean, seed_facts):
    report = _load(neo4j_clean, seed_facts)
    n_docs, n_sents = len(seed_facts.documents), len(seed_facts.sentences)
    assert report["nodes"] == len(seed_facts.entities) + n_docs + n_sents
    constraints = {r["p"][0] + ":" + r["l"][0] for r in _query(
        neo4j_clean, "SHOW CONSTRAINTS YIELD labelsOrTypes AS l, properties AS p, type "
                     "WHERE type = 'UNIQUENESS' RETURN l, p")}
    assert constraints == {"id:Entity", "id:Document", "id:Sentence"}
    labels = {r["label"] for r in _query(neo4j_clean, "CALL db.labels() YIELD label RETURN label")}
    assert labels == {"Entity", "Person", "Org", "Loc", "Date", "Event", "Document", "Sentence"}
    types = {r["t"] for r in _query(neo4j_clean, "CALL db.relationshipTypes() YIELD relationshipType AS t "
                                                 "RETURN t")}
    assert types == {"BELONGS_TO", "PART_OF", "LOCATED_IN", "EVENT_AT", "MENTIONED_IN", "IN"}
    fact = _query(neo4j_clean, "MATCH (:Person {name: '周佰发'})-[b:BELONGS_TO]->(u) "
                               "MATCH (s:Sentence {id: b.sentence_id})-[:IN]->(d:Document) "
                               "RETURN u.name AS unit, b.role AS role, b.evidence AS evidence, s.text AS sentence, "
                               "d.name AS doc, b.start AS start, b.end AS end")
    assert fact == [{"unit": "洮南市公安局交巡警大队", "role": "民警",
                     "evidence": "洮南市公安局交巡警大队民警周佰发还有50天退休。",
                     "sentence": "洮南市公安局交巡警大队民警周佰发还有50天退休。",
                     "doc": "000_99624c91e82d4847.txt", "start": fact[0]["start"], "end": fact[0]["end"]}]
    text = seed_facts.documents[0].text
    assert text[fact[0]["start"]:fact[0]["end"]] == fact[0]["evidence"]
    mention = _query(neo4j_clean, "MATCH (:Person {name: '周佰发'})-[m:MENTIONED_IN]->(:Sentence) "
                                  "RETURN m.start AS start, m.end AS end")
    assert [text[m["start"]:m["end"]] for m in mention] == ["周佰发"]


def test_incremental_document_adds_without_duplicates(neo4j_clean):
    _load(neo4j_clean, seed_facts_result(("000_99624c91e82d4847.txt",)))
    _load(neo4j_clean, seed_facts_result(("001_f7a5ec10d2a4ddd0.txt",)))
    again = _load(neo4j_clean, seed_facts_result(("001_f7a5ec10d2a4ddd0.txt",)))
    incremental = dump_graph(neo4j_clean)
    assert again["nodes_created"] == again["relationships_created"] == again["properties_set"] == 0
    from tests.fixtures_neo4j import wipe_neo4j

    wipe_neo4j(neo4j_clean)
    _load(neo4j_clean, seed_facts_result())
    assert incremental == dump_graph(neo4j_clean)
    unit = _query(neo4j_clean, "MATCH (u:Org {name: '洮南市公安局交巡警大队'}) "
                               "RETURN u.documents AS docs, u.mention_count AS n")
    assert unit == [{"docs": ["000_99624c91e82d4847.txt", "001_f7a5ec10d2a4ddd0.txt"], "n": 2}]


def test_fulltext_cjk_finds_names_and_aliases(neo4j_clean, seed_facts):
    _load(neo4j_clean, seed_facts)
    with neo4j.GraphDatabase.driver(neo4j_clean.uri, auth=(neo4j_clean.user, neo4j_clean.password)) as driver:
        names = [r["name"] for r in run_query(driver, "search", text="白城", limit=20)]
        assert "白城市公安局" in names and "白城市公安局园区分局" in names and "白城市" in names
        assert "洮南市公安局" not in names
        assert [r["name"] for r in run_query(driver, "search", text="园区分局")][0] == "白城市公安局园区分局"
        assert run_query(driver, "search", text="团结广场")[0]["name"] == "洮南市团结广场"
        assert run_query(driver, "search", text='") OR name:*') == []  # operators are escaped


INJECTIONS = ["O'Brien \"张三\"", "`白城`市公安局", "x'}) DETACH DELETE n //", "}) DETACH DELETE n //",
              "\\'; MATCH (n) DETACH DELETE n; //"]


def test_injection_names_are_only_parameters(neo4j_clean, seed_facts):
    _load(neo4j_clean, seed_facts)
    before = _query(neo4j_clean, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    doc = Document(id="evil `}) DETACH DELETE n //.txt", path="evil'\".txt", text=" ".join(INJECTIONS))
    sent = Sentence(doc_id=doc.id, index=0, text=doc.text, offsets=list(range(len(doc.text))))
    ents, mentions, at = [], [], 0
    for i, name in enumerate(INJECTIONS):
        m = Mention(doc.id, 0, at, at + len(name), name, "PERSON", entity_id=f"p-{i}`}}) DETACH DELETE n //")
        ents.append(Entity(id=m.entity_id, name=name, type="PERSON", aliases=[name + "'"], mentions=[m],
                           attrs={"description": name}))
        mentions.append(m)
        at += len(name) + 1
    rels = [Relation(ents[0].id, "BELONGS_TO", ents[1].id, {"role": INJECTIONS[2], "date": INJECTIONS[3]},
                     Evidence(doc.id, 0, 0, len(doc.text), doc.text)),
            Relation(ents[1].id, "DETACH DELETE n //", ents[2].id, {})]  # not a whitelisted type: skipped
    report = _load(neo4j_clean, BuildResult([doc], [sent], mentions, ents, rels))
    assert report["skipped_relations"] == 1
    after = _query(neo4j_clean, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    assert after == before + len(INJECTIONS) + 2  # the entities, one document, one sentence
    stored = _query(neo4j_clean, "MATCH (p:Person) WHERE p.id STARTS WITH 'p-' RETURN p.name AS name ORDER BY p.id")
    assert [r["name"] for r in stored] == INJECTIONS
    role = _query(neo4j_clean, "MATCH (:Person {name: $n})-[b:BELONGS_TO]->() RETURN b.role AS role",
                  n=INJECTIONS[0])
    assert role == [{"role": INJECTIONS[2]}]


def test_cli_load_reads_output_folder(neo4j_clean, seed_facts, tmp_path, capsys, monkeypatch):
    write_tables(seed_facts, tmp_path / "out")
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password)
    args = ["load", str(tmp_path / "out"), "--uri", neo4j_clean.uri, "--batch-size", "5"]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert main(args) == 0
    second = capsys.readouterr().out
    assert "nodes_created=0" in second and "relationships_created=0" in second and "properties_set=0" in second
    direct = _load(neo4j_clean, read_tables(tmp_path / "out"))
    assert f"nodes={direct['nodes']}," in first and f"relationships={direct['relationships']}," in first
