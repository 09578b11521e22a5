"""The Neo4j driver's own log (retries, dropped connections) is held back during a load unless
asked for (`kg --debug`, or a level set on the "neo4j" logger); no server needed here."""

from __future__ import annotations

import logging

import pytest

from kg.cli import main
from kg.errors import Neo4jError
from kg.sinks import neo4j_sync
from kg.sinks.neo4j import quiet_driver_log
from kg.sinks.tables import write_tables
from tests.sinks.test_html import make_result

RETRY = "Transaction failed and will be retried in 1.0s (connection lost)"


def _retries(caplog) -> int:
    return sum(RETRY in r.getMessage() for r in caplog.records)


def test_quiet_driver_log_holds_back_and_restores(caplog):
    with quiet_driver_log():
        logging.getLogger("neo4j.pool").warning(RETRY)
    assert _retries(caplog) == 0
    assert logging.getLogger("neo4j").level == logging.NOTSET
    logging.getLogger("neo4j.pool").warning(RETRY)  # outside a load the driver's log is its own
    assert _retries(caplog) == 1


def test_a_level_set_on_the_driver_logger_is_respected(caplog):
    log = logging.getLogger("neo4j")
    log.setLevel(logging.WARNING)
    try:
        with quiet_driver_log():
            logging.getLogger("neo4j.pool").warning(RETRY)
    finally:
        log.setLevel(logging.NOTSET)
    assert _retries(caplog) == 1


@pytest.mark.parametrize("debug, shown", [(False, 0), (True, 1)])
def test_kg_load_shows_driver_log_only_with_debug(tmp_path, monkeypatch, caplog, capsys, debug, shown):
    def dying_sync(*args, **kwargs):  # a load whose server goes away: the driver logs, kg fails
        with quiet_driver_log():
            logging.getLogger("neo4j.pool").warning(RETRY)
            raise Neo4jError("lost Neo4j at bolt://127.0.0.1:1 in the middle of a write")

    monkeypatch.setattr(neo4j_sync, "sync_graph", dying_sync)
    write_tables(make_result(), tmp_path / "out")
    args = ["load", str(tmp_path / "out"), "--uri", "bolt://127.0.0.1:1", "--password", "x"]
    if debug:
        with pytest.raises(Neo4jError):
            main(["--debug", *args])
    else:
        assert main(args) == 1
        assert capsys.readouterr().err.startswith("kg: error: lost Neo4j")
    assert _retries(caplog) == shown
    assert logging.getLogger("neo4j").level == logging.NOTSET  # --debug's level ends with the command
