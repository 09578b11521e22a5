"""`kg --version` and `kg query` (cookbook and free Cypher) against the real Neo4j the tests start."""

from __future__ import annotations

import csv
import io
import json

import pytest

from kg.cli import main
from kg.cypher import QUERIES
from kg.sinks.neo4j import load_graph


def test_version(capsys):
    from importlib.metadata import version

    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"kg {version('kg')}"


def test_help_names_environment_and_examples(capsys):
    main(["--help"])
    top = capsys.readouterr().out
    for var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE"):
        assert var in top
    for command in ("build", "load", "render", "export", "eval", "train", "query"):
        main([command, "--help"])
        text = capsys.readouterr().out
        assert "Example:" in text and f"kg {command}" in text, command
    main(["load", "--help"])
    assert "env var: NEO4J_URI" in capsys.readouterr().out


def test_query_lists_the_cookbook(capsys):
    assert main(["query"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in QUERIES)


def test_query_unknown_name_is_a_usage_error(capsys):
    assert main(["query", "no_such_query"]) == 2
    assert "officers_of_unit" in capsys.readouterr().err


@pytest.fixture
def server(neo4j_clean, seed_facts, monkeypatch):
    load_graph(seed_facts, uri=neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password)
    monkeypatch.setenv("NEO4J_URI", neo4j_clean.uri)
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password or "")
    monkeypatch.delenv("NEO4J_DATABASE", raising=False)
    return neo4j_clean


OFFICERS = [
    {"officer": "周佰发", "role": "民警", "unit": "洮南市公安局交巡警大队"},
    {"officer": "王强", "role": "民警", "unit": "洮南市公安局交巡警大队"},
    {"officer": "翟明宇", "role": "民警", "unit": "白城市公安局"},
    {"officer": "秦立恒", "role": "局长", "unit": "白城市公安局园区分局"},
]


@pytest.mark.neo4j
def test_query_cookbook_formats(server, capsys):
    """The server comes from NEO4J_* (as the help says); each format carries the same rows."""
    assert main(["query", "officers_of_unit", "--param", "unit=白城市公安局", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == OFFICERS
    assert main(["query", "officers_of_unit", "--param", "unit=白城市公安局", "--format", "csv"]) == 0
    assert list(csv.DictReader(io.StringIO(capsys.readouterr().out))) == OFFICERS
    assert main(["query", "officers_of_unit", "--param", "unit=白城市公安局"]) == 0
    table = capsys.readouterr().out
    assert "秦立恒" in table and "局长" in table and "(4 rows)" in table
    assert main(["query", "units_with_most_officers", "--param", "limit=1", "--format", "json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1  # limit=1 went in as an integer


@pytest.mark.neo4j
def test_query_free_cypher_and_options(server, capsys):
    assert main(["query", "--cypher", "MATCH (p:Person {name: $name}) RETURN p.name AS name",
                 "--param", "name=周佰发", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"name": "周佰发"}]
    assert main(["query", "--cypher", "MATCH (p:Person) WHERE p.name = 'nobody' RETURN p"]) == 0
    assert "(no rows)" in capsys.readouterr().out
    # explicit options win over the environment; a wrong password is a one-line error
    assert main(["query", "search", "--param", "text=公安", "--password", "wrong-password", "--format", "json"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kg: error:") and len(err.strip().splitlines()) == 1


@pytest.mark.neo4j
def test_query_missing_parameter(server, capsys):
    assert main(["query", "shortest_path", "--param", "a=周佰发"]) == 2
    assert "needs b" in capsys.readouterr().err


# -- issue 26, item 6: bad parameters and Cypher errors are one line, no traceback -----------------------

@pytest.mark.parametrize("param, words", [("limit=abc", "limit='abc': expected a whole number, 0 or more"),
                                          ("limit=-1", "limit='-1': expected a whole number, 0 or more"),
                                          ("limit=99999999999999999999", "out of the 64-bit integer range"),
                                          ("n=-99999999999999999999", "out of the 64-bit integer range")])
def test_query_bad_parameter_values_are_usage_errors(capsys, monkeypatch, param, words):
    """They reached the driver (or the server) and came back as tracebacks; now refused before connecting."""
    monkeypatch.setattr("kg.sinks.neo4j.open_driver", lambda *a, **k: pytest.fail("connected"))
    assert main(["query", "units_with_most_officers", "--param", param]) == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


class _Refusing:
    """A driver whose server refuses the statement, as Neo4j does a syntax error."""

    def __init__(self, error):
        self.error = error

    def execute_query(self, *args, **kwargs):
        raise self.error

    def close(self):
        pass


def test_query_cypher_error_is_one_line(capsys, monkeypatch):
    import neo4j.exceptions

    error = neo4j.exceptions.Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Statement.SyntaxError",
        message="Invalid input '': expected a node label (line 1, column 8 (offset: 7))\n\"MATCH (\"\n        ^")
    monkeypatch.setattr("kg.sinks.neo4j.open_driver", lambda *a, **k: _Refusing(error))
    assert main(["query", "--cypher", "MATCH ("]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kg: error: Neo4j at bolt://") and "Invalid input '': expected a node label" in err
    assert len(err.strip().splitlines()) == 1


@pytest.mark.neo4j
def test_query_cypher_errors_from_the_server(server, capsys):
    for args in (["--cypher", "MATCH ("], ["--cypher", "RETURN 1 LIMIT $n", "--param", "n=x"]):
        assert main(["query", *args]) == 1, args
        err = capsys.readouterr().err
        assert err.startswith("kg: error: Neo4j at ") and len(err.strip().splitlines()) == 1, err
