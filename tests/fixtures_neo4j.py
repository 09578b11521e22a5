"""Neo4j fixtures: one real server per test session, wiped for each test that asks for it.

The server is tools/neo4j-server (Neo4j 5.26 Community from Maven Central), started by
`tests.neo4j_server.Neo4jServer`; tests marked `neo4j` are skipped only when Java or Maven is missing.
"""

from __future__ import annotations

import shutil

import pytest

from tests.neo4j_server import JAR, Neo4jServer

__all__ = ["neo4j_server", "neo4j_clean", "wipe_neo4j"]


def _quote(name: str) -> str:
    """A schema name as a Cypher identifier (names cannot be parameters)."""
    return "`" + name.replace("`", "``") + "`"


def wipe_neo4j(server) -> None:
    """Delete every node, constraint and index (but the built-in lookup indexes)."""
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password),
                                    notifications_min_severity="OFF") as driver:
        driver.execute_query("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        for (name,) in driver.execute_query("SHOW CONSTRAINTS YIELD name RETURN name").records:
            driver.execute_query(f"DROP CONSTRAINT {_quote(name)} IF EXISTS")
        for (name,) in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP' "
                                            "RETURN name").records:
            driver.execute_query(f"DROP INDEX {_quote(name)} IF EXISTS")


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory):
    """A running server with `.uri`, `.user`, `.password`; `kill()`/`start()` restart it on the same store."""
    if not JAR.exists() and (shutil.which("java") is None or shutil.which("mvn") is None):
        pytest.skip("Neo4j tests need Java 17+ and Maven (make system-deps)")
    server = Neo4jServer(tmp_path_factory.mktemp("neo4j-store"))
    server.start()
    yield server
    server.close()


@pytest.fixture
def neo4j_clean(neo4j_server):
    """The session server, emptied (and restarted if an earlier test killed it)."""
    if neo4j_server.proc is None or neo4j_server.proc.poll() is not None:
        neo4j_server.start()
    wipe_neo4j(neo4j_server)
    return neo4j_server
