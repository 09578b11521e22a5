"""The bulk path: CSVs for `neo4j-admin database import full`, imported into a real Neo4j."""

from __future__ import annotations

import csv

import pytest

from kg.cli import main
from kg.cypher import run_query
from kg.sinks.neo4j import load_graph
from kg.sinks.neo4j_import import admin_import_args, write_import_csv
from kg.sinks.tables import write_tables
from tests.fixtures_neo4j import dump_graph
from tests.neo4j_server import Neo4jServer


def test_headers_and_command(seed_facts, tmp_path, capsys):
    write_tables(seed_facts, tmp_path / "out")
    assert main(["export", str(tmp_path / "out"), "--format", "neo4j-import"]) == 0
    listed = capsys.readouterr().out.split()
    folder = tmp_path / "out" / "export-neo4j-import"
    assert sorted(p.rsplit("/", 1)[-1] for p in listed) == sorted(
        ["documents.csv", "sentences.csv", "entities.csv", "rel_IN_Document.csv", "rel_MENTIONED_IN_Sentence.csv",
         "rel_MENTIONED_IN_Document.csv", "rel_BELONGS_TO_Entity.csv", "rel_PART_OF_Entity.csv",
         "rel_LOCATED_IN_Entity.csv", "rel_EVENT_AT_Entity.csv", "kgload.csv", "import.sh"])
    with open(folder / "entities.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:4] == ["id:ID(Entity)", ":LABEL", "name", "type"]
    assert "aliases:string[]" in rows[0] and "mention_count:long" in rows[0]
    assert ["org-yqfj", "Entity;Org", "白城市公安局园区分局", "ORG"] == next(r[:4] for r in rows if r[0] == "org-yqfj")
    with open(folder / "rel_BELONGS_TO_Entity.csv", encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh))
    assert header[:4] == [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "role"]
    script = (folder / "import.sh").read_text(encoding="utf-8")
    assert "neo4j-admin database import full" in script and "--nodes=entities.csv" in script


@pytest.mark.neo4j
def test_imported_graph_equals_transactional_load(neo4j_clean, seed_facts, tmp_path):
    loaded = load_graph(seed_facts, uri=neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password)
    expected = dump_graph(neo4j_clean)
    files = write_import_csv(seed_facts, tmp_path / "import")
    server = Neo4jServer(tmp_path / "imported-store")
    try:
        done = server.admin(*admin_import_args(files))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        assert "IMPORT DONE" in done.stdout
        server.start()
        assert dump_graph(server) == expected
        # The import made no constraints or index; a load adds them and finds nothing else to write.
        again = load_graph(seed_facts, uri=server.uri, user=server.user, password=server.password)
        assert (again["nodes"], again["relationships"]) == (loaded["nodes"], loaded["relationships"])
        assert again["nodes_created"] == again["relationships_created"] == again["properties_set"] == 0
        import neo4j

        with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
            assert run_query(driver, "search", text="白城")[0]["name"].startswith("白城")
    finally:
        server.close()
