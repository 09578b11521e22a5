"""`kg load OUT` against a real Neo4j: the first load sends everything, a rebuild sends only what
changed and deletes what vanished, the database then equals a clean full load, an unchanged output
sends nothing, a wiped or foreign database gets a full load, and a bulk import is trusted."""

from __future__ import annotations

import re
import shutil

import neo4j
import pytest

from kg.cli import main
from kg.sinks.neo4j_import import admin_import_args
from kg.sinks.neo4j_ledger import LEDGER_FILE
from tests.fixtures_build import SEEDS
from tests.fixtures_neo4j import dump_graph, wipe_neo4j
from tests.neo4j_server import Neo4jServer

pytestmark = pytest.mark.neo4j

KEPT, CHANGED, REMOVED = "001_f7a5ec10d2a4ddd0.txt", "004_86ef6dde4bcc3cb5.txt", "003_8b43777099b8a4b0.txt"
ADDED = "\n\n3月20日,洮南市公安局交巡警大队民警李明在团结广场执勤。\n"


def _build(inputs, out, capsys) -> None:
    assert main(["build", str(inputs), "--out", str(out), "--threads", "1", "--workers", "1"]) == 0
    capsys.readouterr()


def _load(server, out, capsys, *extra) -> dict:
    """`kg load OUT`; its report line as a dict (mode, why, and the numbers)."""
    args = ["load", str(out), "--uri", server.uri, "--password", server.password, "--batch-size", "50", *extra]
    assert main(args) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    m = re.match(r"neo4j: (\w+) load \((.*?)\): (.*)$", line)
    assert m, line
    report = {"mode": m.group(1), "why": m.group(2)}
    report.update((k, float(v)) for k, v in (kv.split("=") for kv in m.group(3).split(", ")))
    return report


def _graph(server) -> tuple[list, list]:
    """The graph without the KgLoad marker (its generation counts loads)."""
    nodes, rels = dump_graph(server)
    return [n for n in nodes if n[0] != ["KgLoad"]], rels


def _query(server, cypher: str) -> list[dict]:
    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        return [r.data() for r in driver.execute_query(cypher).records]


@pytest.fixture
def inputs(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in (KEPT, CHANGED, REMOVED):
        shutil.copy(SEEDS / name, folder / name)
    return folder


def _change(inputs) -> None:
    """One document changed (a sentence added at its end), one removed."""
    with open(inputs / CHANGED, "a", encoding="utf-8") as fh:
        fh.write(ADDED)
    (inputs / REMOVED).unlink()


def test_rebuild_sends_only_changes_and_mirrors_the_output(neo4j_clean, inputs, tmp_path, capsys):
    out = tmp_path / "out"
    _build(inputs, out, capsys)
    first = _load(neo4j_clean, out, capsys)
    assert first["mode"] == "full" and first["why"] == "first load"
    assert first["sent"] > 500 and first["unchanged"] == first["deleted"] == 0
    assert (out / LEDGER_FILE).exists()

    _change(inputs)
    _build(inputs, out, capsys)
    second = _load(neo4j_clean, out, capsys)
    assert second["mode"] == "incremental", second
    assert 0 < second["sent"] < first["sent"] / 5, second
    assert second["unchanged"] > 4 * second["sent"], second
    assert second["deleted"] > 20 and second["nodes_deleted"] > 0, second  # the removed document's rows
    assert _query(neo4j_clean, f"MATCH (d:Document {{name: '{REMOVED}'}}) RETURN d") == []
    assert _query(neo4j_clean, f"MATCH (s:Sentence {{document: '{REMOVED}'}}) RETURN s") == []
    assert _query(neo4j_clean, "MATCH (p:Person {name: '李明'}) RETURN p.documents AS d") == [{"d": [CHANGED]}]
    incremental = _graph(neo4j_clean)

    # a clean full load of the new output gives the same graph
    wipe_neo4j(neo4j_clean)
    clean = _load(neo4j_clean, out, capsys)
    assert clean["mode"] == "full" and "no marker" in clean["why"]
    assert clean["sent"] == second["sent"] + second["unchanged"]
    assert _graph(neo4j_clean) == incremental

    # no change: nothing sent, nothing written
    third = _load(neo4j_clean, out, capsys)
    assert third["mode"] == "incremental"
    assert third["sent"] == third["deleted"] == 0 and third["unchanged"] == clean["sent"]
    assert third["nodes_created"] == third["relationships_created"] == third["properties_set"] == 0
    assert _graph(neo4j_clean) == incremental

    # a marker that does not match the ledger (a restored or foreign database): a full load
    _query(neo4j_clean, "MATCH (m:KgLoad) SET m.generation = 99")
    restored = _load(neo4j_clean, out, capsys)
    assert restored["mode"] == "full" and "generation 99" in restored["why"]
    assert restored["sent"] == clean["sent"] and restored["properties_set"] == 0
    assert _load(neo4j_clean, out, capsys)["mode"] == "incremental"

    # --full sends everything and writes nothing that is already there
    forced = _load(neo4j_clean, out, capsys, "--full")
    assert forced["sent"] == clean["sent"] and forced["properties_set"] == forced["nodes_created"] == 0
    assert _graph(neo4j_clean) == incremental


def test_bulk_import_then_incremental_load_sends_nothing(neo4j_clean, inputs, tmp_path, capsys):
    out = tmp_path / "out"
    _build(inputs, out, capsys)
    _load(neo4j_clean, out, capsys)
    expected = _graph(neo4j_clean)
    (out / LEDGER_FILE).unlink()  # the import gets its own ledger
    assert main(["export", str(out), "--format", "neo4j-import", "-o", str(tmp_path / "import")]) == 0
    files = [p for p in (tmp_path / "import").iterdir() if p.suffix == ".csv"]
    server = Neo4jServer(tmp_path / "imported-store")
    try:
        done = server.admin(*admin_import_args(sorted(files)))
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        server.start()
        assert _graph(server) == expected
        assert _query(server, "SHOW CONSTRAINTS YIELD name RETURN name") == []
        capsys.readouterr()
        after = _load(server, out, capsys)
        assert after["mode"] == "incremental" and after["sent"] == after["deleted"] == 0, after
        assert after["unchanged"] > 500 and after["properties_set"] == 0
        assert len(_query(server, "SHOW CONSTRAINTS YIELD name RETURN name")) == 3
        assert _graph(server) == expected
    finally:
        server.close()


def test_load_cut_short_then_rerun_equals_a_clean_load(neo4j_clean, inputs, tmp_path, capsys, monkeypatch):
    """The connection drops in the middle of an incremental load: the ledger is not committed, and
    the next load re-sends what may differ and ends with the graph of a clean load."""
    import kg.sinks.neo4j_sync as sync

    out = tmp_path / "out"
    _build(inputs, out, capsys)
    _load(neo4j_clean, out, capsys)
    _change(inputs)
    _build(inputs, out, capsys)
    real, calls = sync._write_batch, []

    def dropping(session, query, rows, **kw):
        calls.append(query)
        if len(calls) == 3:
            raise neo4j.exceptions.ServiceUnavailable("connection lost (test)")
        return real(session, query, rows, **kw)

    monkeypatch.setattr(sync, "_write_batch", dropping)
    args = ["load", str(out), "--uri", neo4j_clean.uri, "--password", neo4j_clean.password, "--batch-size", "5"]
    assert main(args) == 1
    assert "cannot reach Neo4j" in capsys.readouterr().err
    monkeypatch.setattr(sync, "_write_batch", real)
    rerun = _load(neo4j_clean, out, capsys)
    assert rerun["mode"] == "incremental" and rerun["sent"] > 0 and rerun["deleted"] > 0, rerun
    after = _graph(neo4j_clean)
    wipe_neo4j(neo4j_clean)
    assert _load(neo4j_clean, out, capsys)["mode"] == "full"
    assert _graph(neo4j_clean) == after


def test_a_second_folder_is_refused_unless_forced(neo4j_clean, inputs, tmp_path, capsys):
    """Two output folders into one database: the second is refused with one line (its load would mix
    two builds, and an incremental load of either would delete the other's nodes); `--force` loads it
    (a full load, nothing deleted) and takes the marker over, and then the first is refused."""
    first, second = tmp_path / "first", tmp_path / "second"
    _build(inputs, first, capsys)
    other = tmp_path / "other-in"
    other.mkdir()
    shutil.copy(SEEDS / KEPT, other / KEPT)
    _build(other, second, capsys)
    _load(neo4j_clean, first, capsys)
    before = _graph(neo4j_clean)
    args = ["load", str(second), "--uri", neo4j_clean.uri, "--password", neo4j_clean.password]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "holds the load of another output folder" in err and "--force" in err
    assert _graph(neo4j_clean) == before  # nothing written
    forced = _load(neo4j_clean, second, capsys, "--force")
    assert forced["mode"] == "full" and forced["deleted"] == 0
    assert len(_query(neo4j_clean, "MATCH (m:KgLoad) RETURN m")) == 1
    assert main(["load", str(first), "--uri", neo4j_clean.uri, "--password", neo4j_clean.password]) == 1
    assert "another output folder" in capsys.readouterr().err


def test_the_api_and_the_cli_leave_the_same_database(neo4j_clean, inputs, tmp_path, capsys, monkeypatch):
    """`KnowledgeGraph.to_neo4j` is `kg load`'s writer: the same database after a first load, and
    after a change it mirrors (what the graph no longer has is deleted) as a clean `kg load` does.
    Before, the API only added (`SET +=`): the removed document's nodes stayed."""
    import kg

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # an in-memory graph's ledger
    out = tmp_path / "out"
    _build(inputs, out, capsys)
    _load(neo4j_clean, out, capsys)
    by_cli = _graph(neo4j_clean)
    wipe_neo4j(neo4j_clean)
    auth = {"uri": neo4j_clean.uri, "user": neo4j_clean.user, "password": neo4j_clean.password}
    graph = kg.KnowledgeGraph(kg.read(out).result)  # no folder: its ledger goes to the cache
    assert graph.to_neo4j(**auth)["mode"] == "full"
    assert _graph(neo4j_clean) == by_cli
    _change(inputs)
    _build(inputs, out, capsys)
    again = kg.KnowledgeGraph(kg.read(out).result).to_neo4j(**auth)
    assert again["mode"] == "incremental" and again["deleted"] > 0
    mirrored = _graph(neo4j_clean)
    assert _query(neo4j_clean, f"MATCH (d:Document {{name: '{REMOVED}'}}) RETURN d") == []
    wipe_neo4j(neo4j_clean)
    _load(neo4j_clean, out, capsys)
    assert _graph(neo4j_clean) == mirrored


def test_a_server_that_freezes_during_a_load_fails_it_instead_of_blocking(inputs, tmp_path, capsys, monkeypatch):
    """SIGSTOP the server once the load has its connection: the load stops with one error naming
    the server once reads have waited the query timeout plus the grace (2 + 1 s here) and the
    driver's retries and its closing of the connections are done, instead of blocking for as long
    as the server is frozen."""
    import os
    import signal
    import time

    from kg.errors import Neo4jError
    from kg.sinks import neo4j_sync
    from kg.sinks.neo4j_rows import StreamedRows

    out = tmp_path / "out"
    _build(inputs, out, capsys)
    server = Neo4jServer(tmp_path / "frozen").start()
    real_schema = neo4j_sync.create_schema

    def schema_then_freeze(session):
        real_schema(session)
        os.kill(server.proc.pid, signal.SIGSTOP)

    monkeypatch.setattr(neo4j_sync, "create_schema", schema_then_freeze)
    monkeypatch.setattr(neo4j_sync, "CLIENT_GRACE", 1.0)
    started = time.monotonic()
    try:
        with pytest.raises(Neo4jError, match=re.escape(server.uri)) as err:
            neo4j_sync.sync_graph(StreamedRows(out), out, uri=server.uri, user=server.user, password=server.password,
                                  query_timeout=2.0, connect_timeout=2.0, max_retry_time=2.0)
        assert "\n" not in str(err.value)
        assert time.monotonic() - started < 300  # (126 s on the busy 2-core machine; before: for ever)
    finally:
        os.kill(server.proc.pid, signal.SIGCONT)
        server.kill()
        server.close()
