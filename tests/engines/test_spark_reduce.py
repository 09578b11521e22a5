"""The streamed reduce on Spark (`kg.engines.fold`'s SQL, transpiled): the local build's bytes.

The store is mapped once with the local pipeline (the map is the slow part), re-built after one
document changed (so an older shard still holds that document's superseded rows), then reduced by
Spark in local[2] bound to 127.0.0.1 and compared with the DuckDB reduce and the in-memory one."""

from __future__ import annotations

import hashlib
import shutil

import pytest

from kg.link.linker import entity_id
from kg.reduce import corpus_steps, reduce_documents
from kg.relations.people import AliasTable
from kg.sinks.tables import write_tables
from kg.store import Store, pipeline_version
from kg.stream import write_tables_from_store
from kg.text.read import find_inputs, read_document
from tests.engines.test_scale import OUTPUTS, PD20

pytest.importorskip("pyspark")
pytestmark = pytest.mark.slow
TABLES = [*OUTPUTS[:-1], "manifest.json"]
ADDED = "\n北京市公安局民警张三在天安门广场执勤。\n"


def _bytes(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in TABLES}


@pytest.fixture(scope="module")
def rebuilt(pipeline, tmp_path_factory):
    """The store of PD20 in shards of 5, then one document changed and mapped again: (store, live, changed id)."""
    folder = tmp_path_factory.mktemp("spark-reduce") / "store"
    docs = [read_document(f.path, doc_id=f.doc_id) for f in find_inputs([PD20])[0] if f.path.suffix == ".txt"]
    batch, pipeline.config.batch_docs = pipeline.config.batch_docs, 5
    try:
        pipeline.map_to_store(docs, Store(folder, pipeline_version(pipeline.config.model)))
        changed = docs[7]
        changed.text += ADDED
        changed.sha256 = hashlib.sha256(changed.text.encode()).hexdigest()
        stored = pipeline.map_to_store(docs, Store(folder, pipeline_version(pipeline.config.model)))
    finally:
        pipeline.config.batch_docs = batch
    assert stored.reused == 19
    return Store(folder, pipeline_version(pipeline.config.model)), stored.live, changed.id


@pytest.fixture(scope="module")
def spark():
    from kg.engines.spark import spark_session

    session = spark_session("local[2]")  # a local master: bound to 127.0.0.1, no UI
    yield session
    session.stop()


def test_spark_reduce_equals_the_duckdb_and_the_in_memory_reduce(rebuilt, spark, tmp_path):
    import pyarrow.parquet as pq

    from kg.engines.spark_reduce import write_tables_with_spark

    store, live, changed = rebuilt
    holders = [p.stem for p in (store.folder / "documents").glob("*.parquet")
               if changed in pq.read_table(p, columns=["doc"]).column("doc").to_pylist()]
    assert len(holders) == 2  # the changed document's old rows are still in the store, superseded
    counts = write_tables_with_spark(spark, store, live, tmp_path / "spark")
    assert counts == write_tables_from_store(store, live, tmp_path / "duckdb")
    assert counts["documents"] == 20 and counts["entities"] > 100
    write_tables(reduce_documents(store.read(live)), tmp_path / "memory")
    spark_bytes = _bytes(tmp_path / "spark")
    assert spark_bytes == _bytes(tmp_path / "duckdb")
    assert {n: b for n, b in spark_bytes.items() if n != "manifest.json"} == \
        {n: (tmp_path / "memory" / n).read_bytes() for n in OUTPUTS[:-1]}  # (that manifest also lists graph.json)
    assert ADDED.strip().encode() in spark_bytes["sentences.csv"]
    assert not (tmp_path / "spark" / "graph.json").exists()


def test_spark_reduce_with_an_alias_table_equals_the_duckdb_and_the_in_memory_reduce(rebuilt, spark, tmp_path):
    """An alias table renames entities of any type, to its canonical names (and keeps a name's people
    apart): the same bytes from Spark, DuckDB and memory."""
    from kg.engines.spark_reduce import write_tables_with_spark

    store, live, _ = rebuilt
    aliases = AliasTable({("LOC", "北京"): "首都", ("ORG", "新华社"): "新华通讯社"}, frozenset({"江泽民"}))
    steps = corpus_steps(aliases)
    write_tables_with_spark(spark, store, live, tmp_path / "spark", steps, keep_all=True)
    write_tables_from_store(store, live, tmp_path / "duckdb", steps, keep_all=True)
    assert _bytes(tmp_path / "spark") == _bytes(tmp_path / "duckdb")
    write_tables(reduce_documents(store.read(live), steps=steps), tmp_path / "memory")
    for name in OUTPUTS[:-1]:
        assert (tmp_path / "spark" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes(), name
    entities = (tmp_path / "spark" / "entities.csv").read_text(encoding="utf-8")
    capital = entity_id("LOC", ("LOC", "首都"))  # 北京市 (alias 北京), one node under the table's id and name
    assert f"\n{capital},首都,LOC," in entities
    assert entities.count(",江泽民,PERSON,") == 2  # one node per document


def test_spark_reduce_with_bom_and_lang_zh_equals_the_duckdb_and_the_in_memory_reduce(rebuilt, spark, tmp_path):
    """One table writer for the three reduces: `--bom --lang zh`, and documents.csv's dates and
    undecoded bytes, the same bytes from Spark, DuckDB and memory."""
    from kg.engines.spark_reduce import write_tables_with_spark

    store, live, _ = rebuilt
    write_tables_with_spark(spark, store, live, tmp_path / "spark", bom=True, lang="zh")
    write_tables_from_store(store, live, tmp_path / "duckdb", bom=True, lang="zh")
    write_tables(reduce_documents(store.read(live)), tmp_path / "memory", bom=True, lang="zh")
    assert _bytes(tmp_path / "spark") == _bytes(tmp_path / "duckdb")
    for name in OUTPUTS[:-1]:
        spark_bytes = (tmp_path / "spark" / name).read_bytes()
        assert spark_bytes == (tmp_path / "memory" / name).read_bytes(), name
        assert spark_bytes.startswith(b"\xef\xbb\xbf"), name
    header = (tmp_path / "spark" / "documents.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "ID,路径,编码,SHA256,字符数,source_format,日期,未解码字节"


def test_spark_reduce_never_publishes_a_folder_its_readers_refuse(spark, tmp_path):
    """A store whose relation points at no entity (a bug's result): refused, naming the document."""
    from kg.engines.spark_reduce import write_tables_with_spark
    from kg.integrity import IntegrityError
    from tests.test_integrity import _broken

    store = Store(tmp_path / "store", "v")
    store.write([_broken()])
    with pytest.raises(IntegrityError, match=r"document 'a\.txt'.*relations\.csv.*loc-0000000000000000"):
        write_tables_with_spark(spark, store, ["a.txt"], tmp_path / "out")
    assert not (tmp_path / "out" / "manifest.json").exists()


def test_cli_spark_build_without_graph_equals_the_local_one(tmp_path, monkeypatch):
    """`kg build --engine spark --graph no --bom --lang zh` (map and Spark SQL reduce in one session)
    after a change: the bytes of `--workers 1 --graph no --bom --lang zh`. Last in this module: it
    stops the shared session."""
    from kg.cli import main

    monkeypatch.setenv("SPARK_LOCAL_IP", "127.0.0.1")
    src = tmp_path / "in"
    shutil.copytree(PD20, src)
    local = ["build", str(src), "--workers", "1", "--threads", "1", "--graph", "no", "--bom", "--lang", "zh",
             "--out", str(tmp_path / "local")]
    assert main(local) == 0
    shutil.copytree(tmp_path / "local" / "store", tmp_path / "spark" / "store")  # Spark maps only the change
    changed = sorted(src.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + ADDED, encoding="utf-8")
    assert main(local) == 0
    assert main(["build", str(src), "--engine", "spark", "--master", "local[2]", "--threads", "1", "--graph", "no",
                 "--bom", "--lang", "zh", "--out", str(tmp_path / "spark")]) == 0
    assert _bytes(tmp_path / "spark") == _bytes(tmp_path / "local")
    assert ADDED.strip().encode() in _bytes(tmp_path / "spark")["sentences.csv"]
    assert not (tmp_path / "spark" / "graph.json").exists()
