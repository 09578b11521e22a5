"""The fold as one SQL text (`kg.engines.fold`): DuckDB runs it for local builds of any size, Spark
the same text transpiled by sqlglot. Here: its rules on copies of one entity and one relation that
differ, against the in-memory fold (`kg.reduce`); a property over document order and sharding on
real documents (the seeds, PD20, the copies), where both folds must give the bytes of the in-memory fold in
order; and the Spark text of every query. More byte equality on real builds (workers, `--graph no`,
Spark) is in tests/engines/test_scale.py and tests/engines/test_spark_reduce.py."""

from __future__ import annotations

import copy
import csv
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.engines.fold import OUTPUTS, spark_sql, views
from kg.reduce import reduce_documents
from kg.sinks.tables import split_list, write_tables
from kg.store import Store
from kg.stream import write_tables_from_store
from kg.types import Document, Evidence, Relation
from tests.engines.test_scale import OUTPUTS as FILES
from tests.engines.test_scale import _docs

TEXT = "北京市公安局民警张三在天安门广场执勤。\n"


@pytest.fixture(scope="module")
def copies(pipeline):
    """Three documents naming 北京市 and 北京市公安局, whose copies of the place differ (name, aliases
    with a bar and a character past the BMP, description) as do their copies of the unit's
    LOCATED_IN (evidence; a.txt's inferred)."""
    docs = [pipeline.map_document(Document(id=f"{k}.txt", path=f"{k}.txt", text=TEXT)) for k in "cab"]
    for d in docs:
        place = next(e for e in d.entities if e.name == "北京市")
        unit = next(e for e in d.entities if e.name == "北京市公安局")
        if d.document.id == "a.txt":
            place.attrs["description"] = "the smallest document's"
        if d.document.id == "b.txt":
            place.aliases = [*place.aliases, "京|城", "𠀀京"]
            place.attrs["description"] = "another document's"
        if d.document.id == "c.txt":
            place.name = "北京"  # not the smallest document's: an alias of the folded node
        first = next(r for r in d.relations if r.relation == "LOCATED_IN" and r.source_id == unit.id)
        ev = first.evidence
        d.relations.remove(first)
        props = {**first.properties, **({"inferred": True} if d.document.id == "a.txt" else {})}
        d.relations.append(Relation(unit.id, "LOCATED_IN", first.target_id, props,
                                    Evidence(d.document.id, ev.sentence, ev.start, ev.end, ev.text)))
    return docs


def test_the_sql_fold_keeps_the_rules_of_the_in_memory_one(copies, tmp_path):
    """Name and attributes from the smallest document's copy (a.txt, mapped second), aliases the
    sorted union less the name, documents the union, the relation's copy stated before inferred
    (b.txt's, not a.txt's): the same bytes as the in-memory fold, `--bom --lang zh` included."""
    store = Store(tmp_path / "store", "v")
    store.write(copies[:2])
    store.write(copies[2:])
    counts = write_tables_from_store(store, [d.document.id for d in copies], tmp_path / "sql", bom=True, lang="zh")
    write_tables(reduce_documents(copy.deepcopy(copies)), tmp_path / "memory", bom=True, lang="zh")  # it folds in place
    for name in FILES[:-1]:
        assert (tmp_path / "sql" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes(), name
    assert counts["documents"] == 3
    with open(tmp_path / "sql" / "entities.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    place = next(r for r in rows if r["名称"] == "北京市")
    unit = next(r for r in rows if r["名称"] == "北京市公安局")
    aliases = split_list(place["别名"])
    assert {"京|城", "𠀀京", "北京"} <= set(aliases) and aliases == sorted(aliases) and "北京市" not in aliases
    assert place["描述"] == "the smallest document's" and place["所在文档"] == "a.txt|b.txt|c.txt"
    with open(tmp_path / "sql" / "relations.csv", encoding="utf-8-sig") as fh:
        located = [r for r in csv.DictReader(fh) if r["主体ID"] == unit["ID"] and r["客体ID"] == place["ID"]]
    assert [(r["文档"], r["推断"]) for r in located] == [("b.txt", "")]


@pytest.fixture(scope="module")
def real(pipeline, copies, tmp_path_factory):
    """The seeds, PD20, two documents naming one officer and the three `copies`, each mapped on its
    own (the map's output, before any reduce), and the tables of the in-memory fold of them in order."""
    mapped = [pipeline.map_document(d) for d in _docs()] + copy.deepcopy(copies)
    out = tmp_path_factory.mktemp("in-order")
    write_tables(reduce_documents(copy.deepcopy(mapped)), out, bom=True, lang="zh")
    return mapped, {name: (out / name).read_bytes() for name in FILES[:-1]}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 32), max_size=5))
def test_both_folds_give_the_same_tables_for_any_order_and_sharding(real, tmp_path_factory, seed, cuts):
    """One reduce, two engines: the in-memory fold (API, graph.json, the explorer) of the mapped
    documents in any order, and the SQL fold (DuckDB here; Spark runs the same text) of a store they
    were written to in that order, cut into any shards, give the tables of the in-memory fold in
    order, byte for byte (`--bom --lang zh`, documents.csv included). The order is a seeded shuffle:
    each order equally likely (hypothesis's own permutations stay near the identity)."""
    mapped, expected = real
    order = list(range(len(mapped)))
    random.Random(seed).shuffle(order)
    cuts = sorted({c for c in cuts if c < len(mapped)})
    docs = [copy.deepcopy(mapped[i]) for i in order]
    tmp = tmp_path_factory.mktemp("order")
    write_tables(reduce_documents(docs), tmp / "memory", bom=True, lang="zh")
    store = Store(tmp / "store", "v")
    for a, b in zip([0, *cuts], [*cuts, len(docs)], strict=True):
        store.write([copy.deepcopy(mapped[i]) for i in order[a:b]])
    write_tables_from_store(store, [mapped[i].document.id for i in order], tmp / "sql", bom=True, lang="zh")
    for name, want in expected.items():
        assert (tmp / "memory" / name).read_bytes() == want, name
        assert (tmp / "sql" / name).read_bytes() == want, name


@pytest.mark.parametrize("query", [q for _, q, _ in views("v")] + list(OUTPUTS.values()))
def test_every_query_has_a_spark_text(query):
    """sqlglot raises on what it cannot say in Spark's dialect; lists are 0-based there."""
    import sqlglot

    text = spark_sql(query)
    assert sqlglot.parse_one(text, read="spark") is not None
    assert "offsets[1]" not in text and "list_" not in text.lower() and "json_extract" not in text.lower()
