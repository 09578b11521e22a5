"""kg.config: one default per option, read by the CLI and the API alike."""

from __future__ import annotations

import inspect

import kg
from kg.cli import build as build_command
from kg.config import MAX_BYTES, NEO4J, BuildConfig, neo4j_config


def test_neo4j_settings_come_from_the_argument_then_the_environment_then_the_default(monkeypatch):
    for var in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD", "NEO4J_DATABASE", "NEO4J_CONNECT_TIMEOUT"):
        monkeypatch.delenv(var, raising=False)
    assert neo4j_config(uri=None, user=None, password=None, database=None) == NEO4J
    monkeypatch.setenv("NEO4J_URI", "bolt://db.example:7687")
    monkeypatch.setenv("NEO4J_PASSWORD", "from-env")
    monkeypatch.setenv("NEO4J_CONNECT_TIMEOUT", "2.5")
    got = neo4j_config(uri=None, user="alice", password=None, database=None, connect_timeout=None)
    assert (got.uri, got.user, got.password, got.database) == ("bolt://db.example:7687", "alice", "from-env", None)
    assert got.connect_timeout == 2.5 and got.query_timeout == NEO4J.query_timeout
    assert neo4j_config(uri="bolt://given:1").uri == "bolt://given:1"


def test_the_cli_and_the_api_share_the_build_defaults():
    options = {p.name: p.default for p in build_command.params}
    assert options["max_bytes"] == MAX_BYTES == BuildConfig().max_bytes
    assert inspect.signature(kg.build).parameters["max_bytes"].default == MAX_BYTES
