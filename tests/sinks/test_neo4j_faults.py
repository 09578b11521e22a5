"""Neo4j faults against the real server: clear one-line errors, retries, and convergence after a crash."""

from __future__ import annotations

import logging
import socket
import threading
import time

import neo4j
import pytest

from kg.cli import main
from kg.errors import Neo4jError
from kg.sinks.neo4j import load_graph
from kg.sinks.neo4j_rows import StreamedRows
from kg.sinks.neo4j_sync import sync_graph
from kg.sinks.tables import write_tables
from tests.fixtures_neo4j import dump_graph, synthetic_result, wipe_neo4j
from tests.neo4j_server import free_port

pytestmark = pytest.mark.neo4j


@pytest.fixture
def out_dir(seed_facts, tmp_path):
    write_tables(seed_facts, tmp_path / "out")
    return tmp_path / "out"


def _cli_error(capsys, args: list[str]) -> str:
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    return err


def test_server_down_is_one_line(out_dir, capsys):
    uri = f"bolt://127.0.0.1:{free_port()}"  # nothing listens there
    err = _cli_error(capsys, ["load", str(out_dir), "--uri", uri, "--password", "x"])
    assert err.startswith("kg: error: cannot reach Neo4j at " + uri)
    with pytest.raises(Neo4jError):  # --debug shows the traceback instead
        main(["--debug", "load", str(out_dir), "--uri", uri, "--password", "x"])


def test_wrong_password_is_one_line(neo4j_server, out_dir, capsys):
    err = _cli_error(capsys, ["load", str(out_dir), "--uri", neo4j_server.uri, "--password", "wrong-password"])
    assert f"Neo4j at {neo4j_server.uri} refused user 'neo4j': wrong user or password" in err


def test_wrong_database_is_one_line(neo4j_server, out_dir, capsys):
    err = _cli_error(capsys, ["load", str(out_dir), "--uri", neo4j_server.uri, "--password",
                              neo4j_server.password, "--database", "nosuchdb"])
    assert f"Neo4j at {neo4j_server.uri} has no database 'nosuchdb'" in err


def test_bad_uri_is_one_line(out_dir, capsys):
    err = _cli_error(capsys, ["load", str(out_dir), "--uri", "http://127.0.0.1:1", "--password", "x"])
    assert "http://127.0.0.1:1" in err


def _counts(server) -> tuple[int, int]:
    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        rec = driver.execute_query("MATCH (n) WITH count(n) AS n "
                                   "OPTIONAL MATCH ()-[r]->() RETURN n, count(r) AS r").records[0]
    return rec["n"], rec["r"]


def _load(server, result, **kw) -> dict:
    return load_graph(result, uri=server.uri, user=server.user, password=server.password, **kw)


def test_killed_mid_load_then_rerun_converges(neo4j_clean):
    result = synthetic_result(1500)
    clean = _load(neo4j_clean, result, batch_size=1000)
    clean_graph = dump_graph(neo4j_clean)
    wipe_neo4j(neo4j_clean)

    failure: list[BaseException] = []

    def loader() -> None:
        try:
            _load(neo4j_clean, result, batch_size=100, max_retry_time=1.0)
        except BaseException as err:  # noqa: BLE001  (handed to the test thread)
            failure.append(err)

    thread = threading.Thread(target=loader)
    thread.start()
    deadline = time.monotonic() + 120
    while _counts(neo4j_clean)[0] < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    neo4j_clean.kill()  # SIGKILL in the middle of the entity batches
    thread.join(120)
    assert failure and isinstance(failure[0], Neo4jError), "the load should have failed"
    assert neo4j_clean.uri in str(failure[0]) and "\n" not in str(failure[0])

    neo4j_clean.start()  # same store, same port: recovery replays committed batches only
    partial = _counts(neo4j_clean)
    assert partial[0] < clean["nodes"] and partial[1] < clean["relationships"]
    again = _load(neo4j_clean, result, batch_size=1000)
    assert (again["nodes"], again["relationships"]) == (clean["nodes"], clean["relationships"])
    assert dump_graph(neo4j_clean) == clean_graph


class CuttingProxy:
    """A loopback TCP proxy to the server that can drop every open connection at once."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.cuts = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            self.conns += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket) -> None:
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        self.cuts += 1
        conns, self.conns = self.conns, []
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass

    def close(self) -> None:
        self.listener.close()
        self.cut()


def test_dropped_connections_are_retried_by_the_driver(neo4j_clean):
    """Connections cut mid-transaction or mid-commit: the driver retries, the loader replays unknown commits."""
    result = synthetic_result(1500)
    proxy = CuttingProxy(neo4j_clean.port)
    report: dict = {}
    thread = threading.Thread(target=lambda: report.update(load_graph(
        result, uri=f"bolt://127.0.0.1:{proxy.port}", user=neo4j_clean.user, password=neo4j_clean.password,
        batch_size=100)))
    thread.start()
    try:
        for threshold in (200, 800, 1500):  # cut the connection three times during the load
            deadline = time.monotonic() + 60
            while _counts(neo4j_clean)[0] < threshold and thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.02)
            if thread.is_alive():
                proxy.cut()
        thread.join(120)
    finally:
        proxy.close()
    assert report, "the load should have succeeded through the driver's retries"
    assert proxy.cuts >= 2  # the load was cut in the middle and still completed
    again = _load(neo4j_clean, result, batch_size=1000)
    assert again["nodes_created"] == again["relationships_created"] == again["properties_set"] == 0
    assert (again["nodes"], again["relationships"]) == (report["nodes"], report["relationships"])


LUCENE_TRAPS = ["OR", "NOT", "a AND", "AND OR NOT", "白城 OR", "(白城", "白城\\", '"白城', "白城~", "*", "?白城",
                "title:白城", "白城^2", "[白城 TO 公安]", "白城" * 600, "a b " * 400, "", "   "]


def test_search_input_never_breaks_lucene(neo4j_clean, seed_facts):
    """Lucene operators, syntax and long input are searched as text: no parse error, no TooManyClauses."""
    from kg.cypher import run_query

    load_graph(seed_facts, uri=neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password)
    with neo4j.GraphDatabase.driver(neo4j_clean.uri, auth=(neo4j_clean.user, neo4j_clean.password)) as driver:
        for text in LUCENE_TRAPS:
            rows = run_query(driver, "search", text=text)  # raised ClientError on main for most of these
            assert isinstance(rows, list), text
        for text in ("白城 OR", "(白城", "白城" * 600):
            assert "白城市公安局" in {r["name"] for r in run_query(driver, "search", text=text)}, text


def test_timeouts_are_options_and_a_load_within_them_works(neo4j_clean, out_dir, capsys):
    s = neo4j_clean
    assert main(["load", str(out_dir), "--uri", s.uri, "--user", s.user, "--password", s.password,
                 "--connect-timeout", "3", "--query-timeout", "120"]) == 0
    assert "nodes=" in capsys.readouterr().out


def test_killed_mid_load_prints_no_driver_log(neo4j_clean, tmp_path, capfd, caplog):
    """`kg load`'s writer against a server killed mid-load: the driver's retry and connection
    warnings (a dozen lines on stderr before kg's one-line error) are held back. (Under pytest the
    records go to caplog; in `kg`, with no handler, Python's last resort prints them on stderr.)"""
    out = tmp_path / "big"
    write_tables(synthetic_result(1500), out)
    failure: list[BaseException] = []

    def loader() -> None:
        try:
            sync_graph(StreamedRows(out), out, uri=neo4j_clean.uri, user=neo4j_clean.user,
                       password=neo4j_clean.password, batch_size=100, max_retry_time=3.0)
        except BaseException as err:  # noqa: BLE001  (handed to the test thread)
            failure.append(err)

    capfd.readouterr()
    caplog.clear()
    thread = threading.Thread(target=loader)
    thread.start()
    deadline = time.monotonic() + 120
    while _counts(neo4j_clean)[0] < 300 and time.monotonic() < deadline:
        time.sleep(0.05)
    neo4j_clean.kill()
    thread.join(120)
    assert failure and isinstance(failure[0], Neo4jError), "the load should have failed"
    driver_log = [r.getMessage() for r in caplog.records if r.name.startswith("neo4j") and r.levelno >= logging.WARNING]
    assert not driver_log, driver_log
    assert not capfd.readouterr().err.strip()
