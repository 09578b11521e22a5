"""The one reduce, one SQL text (`kg.engines.fold`): DuckDB runs it for every local build (results in
memory as Arrow tables, or the store's Parquet shards), Spark the same text transpiled by sqlglot.
Here: its rules on copies of one entity and one relation that differ; a property over document order,
sharding and input (Arrow or Parquet) on real documents (the seeds, PD20, the copies), where the tables
and the build's records must be those of the documents in order; and the Spark text of every query.
More byte equality on real builds (workers, `--graph no`, Spark) is in tests/engines/test_scale.py and
tests/engines/test_spark_reduce.py."""

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
from kg.stream import reduce_store, write_tables_from_store
from kg.types import BuildResult, Document, Evidence, Relation
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


def test_the_fold_keeps_its_rules_on_copies_that_differ(copies, tmp_path):
    """Name and attributes from the smallest document's copy (a.txt, mapped second), aliases the
    sorted union less the name, documents the union, the relation's copy stated before inferred
    (b.txt's, not a.txt's), in the tables (`--bom --lang zh`) and in the build's records; the same
    bytes whether DuckDB reads the results in memory or from the store's shards."""
    store = Store(tmp_path / "store", "v")
    store.write(copies[:2])
    store.write(copies[2:])
    counts = write_tables_from_store(store, [d.document.id for d in copies], tmp_path / "sql", bom=True, lang="zh")
    result = reduce_documents(copy.deepcopy(copies))
    write_tables(result, tmp_path / "memory", bom=True, lang="zh")
    for name in FILES[:-1]:
        assert (tmp_path / "sql" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes(), name
    place = next(e for e in result.entities if e.name == "北京市")
    assert place.attrs["description"] == "the smallest document's" and place.documents == ["a.txt", "b.txt", "c.txt"]
    assert [m.doc_id for m in place.mentions] == ["a.txt", "b.txt", "c.txt"]
    assert result.documents[0].text == TEXT  # the API's `Doc.text`: the texts go through the fold
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


def _records(result: BuildResult) -> list:
    """Everything of a build's records, tables or not (texts, offsets, norms, attributes, parent edges)."""
    def ev(e):
        return None if e is None else [e.doc_id, e.sentence, e.start, e.end, e.text]

    return [[vars(d) for d in result.documents],
            [[s.doc_id, s.index, s.text, list(s.offsets), s.article, s.kind] for s in result.sentences],
            [[m.doc_id, m.sentence, m.start, m.end, m.text, m.type, m.norm, m.source, m.article, m.sent_start,
              m.entity_id] for m in result.mentions],
            [[e.id, e.name, e.type, e.aliases, e.attrs, [[p, r, ev(x), i] for p, r, x, i in e.parents],
              [(m.doc_id, m.sentence, m.start, m.end) for m in e.mentions]] for e in result.entities],
            [[r.source_id, r.relation, r.target_id, r.properties, ev(r.evidence)] for r in result.relations]]


@pytest.fixture(scope="module")
def real(pipeline, copies, tmp_path_factory):
    """The seeds, PD20, two documents naming one officer and the three `copies`, each mapped on its
    own (the map's output, before any reduce), and the tables and records of their fold in order."""
    mapped = [pipeline.map_document(d) for d in _docs()] + copy.deepcopy(copies)
    out = tmp_path_factory.mktemp("in-order")
    result = reduce_documents(copy.deepcopy(mapped))
    write_tables(result, out, bom=True, lang="zh")
    return mapped, {name: (out / name).read_bytes() for name in FILES}, _records(result)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), cuts=st.lists(st.integers(1, 32), max_size=5))
def test_the_fold_gives_the_same_build_for_any_order_sharding_and_input(real, tmp_path_factory, seed, cuts):
    """The fold of the mapped documents in any order (in memory, as Arrow tables), and of a store they
    were written to in that order, cut into any shards (the Parquet shards: the records of a small
    build, and the tables streamed past memory), give the tables of the documents in order, byte for
    byte (`--bom --lang zh`, documents.csv and graph.json included), and the same records. The order
    is a seeded shuffle: each order equally likely (hypothesis's own permutations stay near the identity)."""
    mapped, expected, records = real
    order = list(range(len(mapped)))
    random.Random(seed).shuffle(order)
    cuts = sorted({c for c in cuts if c < len(mapped)})
    tmp = tmp_path_factory.mktemp("order")
    in_memory = reduce_documents([copy.deepcopy(mapped[i]) for i in order])
    write_tables(in_memory, tmp / "memory", bom=True, lang="zh")
    store = Store(tmp / "store", "v")
    for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True):
        store.write([copy.deepcopy(mapped[i]) for i in order[a:b]])
    live = [mapped[i].document.id for i in order]
    from_store = reduce_store(store, live)
    write_tables(from_store, tmp / "store-records", bom=True, lang="zh")
    write_tables_from_store(store, live, tmp / "sql", bom=True, lang="zh")
    for name, want in expected.items():
        assert (tmp / "memory" / name).read_bytes() == want, name
        assert (tmp / "store-records" / name).read_bytes() == want, name
        if name != "graph.json":  # (streamed: no graph.json)
            assert (tmp / "sql" / name).read_bytes() == want, name
    assert _records(in_memory) == records
    assert _records(from_store) == records


@pytest.mark.parametrize("query", [q for _, q, _ in views("v")] + list(OUTPUTS.values()))
def test_every_query_has_a_spark_text(query):
    """sqlglot raises on what it cannot say in Spark's dialect; lists are 0-based there."""
    import sqlglot

    text = spark_sql(query)
    assert sqlglot.parse_one(text, read="spark") is not None
    assert "offsets[1]" not in text and "list_" not in text.lower() and "json_extract" not in text.lower()
