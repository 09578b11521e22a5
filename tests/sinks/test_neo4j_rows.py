"""Streamed Neo4j rows of an output folder equal the in-memory rows of the same folder (no server)."""

from __future__ import annotations

import csv

from kg.sinks.neo4j_rows import MemoryRows, StreamedRows
from kg.sinks.tables import read_tables, write_tables
from kg.types import Relation


def _canon(source) -> dict:
    """Every row by its key; a key twice is kept twice (as a count), so duplicates show."""
    out: dict = {"documents": {}, "sentences": {}, "entities": {}, "relations": {}, "mentions": {}, "n": {}}
    for d in source.documents():
        out["documents"][d["id"]] = d
    for s in source.sentences():
        out["sentences"][s["id"]] = s
    for label, e in source.entities():
        out["entities"][e["id"]] = (label, e)
    for group, r in source.relations():
        out["relations"][(group, r["source"], r["target"], r["role"])] = r
    for m in source.mentions():
        out["mentions"][(m["entity"], m["sentence"], m["start"])] = m
    out["n"] = {k: sum(1 for _ in getattr(source, k)()) for k in ("documents", "sentences", "entities",
                                                                    "relations", "mentions")}
    out["schemas"] = {g: source.schema(g) for g in source.groups()}
    return out


def test_streamed_rows_equal_graph_rows_on_seeds(seeds_out):
    streamed, memory = _canon(StreamedRows(seeds_out)), _canon(MemoryRows(read_tables(seeds_out)))
    assert streamed == memory
    assert memory["n"]["mentions"] > 300 and memory["n"]["relations"] > 300
    # entities whose documents no MENTIONED_IN row states (events) still point at their documents
    unstated = [k for k, r in memory["relations"].items() if k[0] == ("MENTIONED_IN", "Document") and not r["props"]]
    assert unstated


def test_mixed_property_types_become_strings_in_the_whole_group(seed_facts, tmp_path):
    """`_unify_types` is a whole-group decision: the streamed rows make it from a first pass."""
    ents = {e.name: e.id for e in seed_facts.entities}
    seed_facts.relations += [Relation(ents["王强"], "BELONGS_TO", ents["洮南市公安局"], {"role": "x", "rank": 3}),
                             Relation(ents["周佰发"], "BELONGS_TO", ents["洮南市公安局"], {"role": "y", "rank": "三"})]
    write_tables(seed_facts, tmp_path / "out")
    streamed = _canon(StreamedRows(tmp_path / "out"))
    assert streamed == _canon(MemoryRows(read_tables(tmp_path / "out")))
    ranks = sorted(r["props"]["rank"] for k, r in streamed["relations"].items() if "rank" in r["props"])
    assert ranks == ["3", "三"] and streamed["schemas"][("BELONGS_TO", "Entity")]["rank"] is str


def test_unsorted_folder_gives_the_same_rows(seeds_out, tmp_path):
    """A folder whose entities are not sorted by id (older builds) is read correctly too."""
    out = tmp_path / "out"
    write_tables(read_tables(seeds_out), out)
    (out / "manifest.json").unlink()
    path = out / "entities.csv"
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([rows[0], *reversed(rows[1:])])
    assert _canon(StreamedRows(out)) == _canon(MemoryRows(read_tables(out)))
