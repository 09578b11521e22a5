"""The ledger of `kg load` (no server): trusted only at the database's generation, and a load cut
short before its commit leaves enough behind for the next load to re-send and delete correctly."""

from __future__ import annotations

import json

import pytest

from kg.sinks.neo4j_ledger import Ledger, row_key


def _k(name: str) -> str:
    return json.dumps(["E", name])


A = [(_k("a"), "1"), (_k("b"), "1"), (_k("c"), "1")]


def _first_load(folder) -> str:
    with Ledger(folder) as ledger:
        state = ledger.open({}, "db")
        assert not state.trusted
        ledger.see(A)
        assert ledger.changed(state, A) == {k for k, _ in A}
        ledger.commit(state, 1, "db")
        return state.ledger


def test_trusted_only_when_the_marker_matches(tmp_path):
    lid = _first_load(tmp_path)
    with Ledger(tmp_path) as ledger:
        assert ledger.open({lid: 1}, "db").trusted
        assert not ledger.open({}, "db").trusted  # a wiped database
        mismatch = ledger.open({lid: 7}, "db")
        assert not mismatch.trusted and "generation 7" in mismatch.reason and mismatch.ledger == lid
        assert not ledger.open({"someone-else": 1}, "db", force=True).trusted  # a foreign database's marker
        state = ledger.open({lid: 1}, "db")
        ledger.see(A)
        assert ledger.changed(state, A) == set() and list(ledger.vanished(state)) == []


def test_load_cut_short_resends_and_deletes_what_it_may_have_written(tmp_path):
    lid = _first_load(tmp_path)
    b = [(_k("a"), "1"), (_k("b"), "2"), (_k("d"), "2")]  # b changed, c removed, d new
    with Ledger(tmp_path) as ledger:
        state = ledger.open({lid: 1}, "db")
        ledger.see(b)
        changed = ledger.changed(state, b)
        assert changed == {_k("b"), _k("d")}
        assert sorted(ledger.vanished(state)) == [["E", "c"]]
        ledger.pend(state, [x for x in b if x[0] in changed])
        # killed here: the rows were (maybe) written, the marker and the ledger never committed
    with Ledger(tmp_path) as ledger:  # the output went back to A before the next load
        state = ledger.open({lid: 1}, "db")
        assert state.trusted
        ledger.see(A)
        assert ledger.changed(state, A) == {_k("b")}  # the database may hold b's version 2
        assert sorted(ledger.vanished(state)) == [["E", "d"]]  # the cut load may have written d
        ledger.commit(state, 2, "db")
    with Ledger(tmp_path) as ledger:
        state = ledger.open({lid: 2}, "db")
        ledger.see(A)
        assert ledger.changed(state, A) == set() and list(ledger.vanished(state)) == []


def test_a_new_ledger_for_a_target_drops_the_stale_one(tmp_path):
    old = _first_load(tmp_path)
    new = _first_load(tmp_path)  # the database was wiped: a new ledger for the same target
    with Ledger(tmp_path) as ledger:
        assert [lid for (lid,) in ledger.db.execute("SELECT ledger FROM meta")] == [new]
        assert ledger.db.execute("SELECT count(*) FROM rows WHERE ledger = ?", (old,)).fetchone() == (0,)


def test_row_keys_and_digests():
    row = {"id": "org-1", "props": {"name": "某市公安局"}, "aliases": None, "documents": ["a.txt"],
           "mention_count": 2}
    key, digest = row_key("E", "Org", row)
    assert json.loads(key) == ["E", "org-1"]
    assert row_key("E", "Org", {**row, "mention_count": 3})[1] != digest
    assert row_key("E", "Loc", row)[1] != digest  # the label is part of the content
    rel = {"source": "p-1", "target": "org-1", "role": "民警", "props": {}}
    assert json.loads(row_key("R", ("BELONGS_TO", "Entity"), rel)[0]) == ["R", "BELONGS_TO", "Entity", "p-1",
                                                                          "org-1", "民警"]


def test_damaged_ledger_is_one_line_naming_it_before_any_connection(seed_facts, tmp_path, capsys):
    from kg.cli import main
    from kg.sinks.neo4j_ledger import LEDGER_FILE
    from kg.sinks.tables import write_tables

    write_tables(seed_facts, tmp_path / "out")
    (tmp_path / "out" / LEDGER_FILE).write_bytes(b"not a database, " * 100)
    assert main(["load", str(tmp_path / "out"), "--uri", "bolt://127.0.0.1:1", "--password", "x"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"kg: error: {tmp_path / 'out' / LEDGER_FILE}: cannot use the Neo4j load ledger")
    assert len(err.splitlines()) == 1


def test_a_database_holding_another_folders_load_is_refused_unless_forced(tmp_path):
    """Two folders' entities share ids: loading both into one database would let an incremental load
    of one delete nodes the other still uses. The second folder is refused, with what to do."""
    from kg.errors import KgError

    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = _first_load(tmp_path / "a")
    with Ledger(tmp_path / "b") as ledger:
        with pytest.raises(KgError, match=rf"^db: the database holds the load of another output folder \(ledger {a}, "
                                          r"generation 1.*--database.*--force"):
            ledger.open({a: 1}, "db")
        assert not ledger.open({a: 1}, "db", force=True).trusted
    with Ledger(tmp_path / "a") as ledger:
        assert ledger.open({a: 1}, "db").trusted  # its own database: as before
        with pytest.raises(KgError, match="another output folder"):
            ledger.open({a: 1, "b-ledger": 1}, "db")  # and b's too (b forced its way in)
