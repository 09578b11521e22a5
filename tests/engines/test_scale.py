"""Map, then reduce: the same bytes for any input order, any number of workers, and from the store."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from kg.pipeline import BuildConfig, Pipeline
from kg.sinks.tables import write_tables
from kg.store import Store, pipeline_version
from kg.text.read import find_inputs, read_document
from kg.types import Document
from tests.fixtures_build import ROOT, SEEDS

PD20 = ROOT / "tests" / "data" / "pd20"
OUTPUTS = ("documents.csv", "sentences.csv", "mentions.csv", "entities.csv", "relations.csv", "graph.json")


# one officer named in two documents with one unit: the corpus-level step makes them one person
PEOPLE = [Document(id=f"people/{k}.txt", path=f"people/{k}.txt", text=text) for k, text in
          enumerate(["株洲市公安局民警王立军今天在天元区执勤。\n", "株洲市公安局民警王立军昨天走访了隆兴社区。\n"])]


def _docs():
    files = find_inputs([SEEDS, PD20])[0]
    return [read_document(f.path, doc_id=f.doc_id) for f in files if f.path.suffix == ".txt"] + PEOPLE


def _bytes(result, out: Path) -> dict[str, bytes]:
    write_tables(result, out)
    return {name: (out / name).read_bytes() for name in OUTPUTS}


@pytest.fixture(scope="module")
def in_order(pipeline, tmp_path_factory):
    return _bytes(pipeline.build_documents(_docs()), tmp_path_factory.mktemp("in-order"))


def test_shuffled_and_reversed_input_give_the_same_bytes(pipeline, in_order, tmp_path):
    docs = _docs()
    shuffled = docs[:]
    random.Random(16).shuffle(shuffled)
    assert [d.id for d in shuffled] != [d.id for d in docs]
    assert _bytes(pipeline.build_documents(shuffled), tmp_path / "shuffled") == in_order
    assert _bytes(pipeline.build_documents(docs[::-1]), tmp_path / "reversed") == in_order


def test_places_named_in_several_documents_are_one_node_with_every_document(pipeline):
    result = pipeline.build_documents(_docs())
    ids = [e.id for e in result.entities]
    assert len(ids) == len(set(ids)) and ids == sorted(ids)
    assert all(len(i.split("-", 1)[1]) == 16 for i in ids)  # 64-bit ids
    beijing = next(e for e in result.entities if e.type == "LOC" and e.name == "北京市")
    assert len(beijing.documents) >= 3
    officer = [e for e in result.entities if e.type == "PERSON" and e.name == "王立军"]
    assert [e.documents for e in officer] == [["people/0.txt", "people/1.txt"]]
    assert {m.entity_id for m in result.mentions if m.norm == "王立军"} == {officer[0].id}
    keys = [r.key for r in result.relations]
    assert len(keys) == len(set(keys))


def test_two_workers_give_the_same_bytes_as_one(in_order, tmp_path):
    two = Pipeline(BuildConfig(workers=2, batch_docs=3))
    assert two.tagger is None  # the model is loaded in the workers, not here
    assert _bytes(two.build_documents(_docs()), tmp_path / "two") == in_order


def test_rebuild_maps_only_new_and_changed_documents(pipeline, tmp_path):
    src = tmp_path / "in"
    shutil.copytree(PD20, src)
    (src / "SOURCE.md").unlink()
    store = lambda: Store(tmp_path / "out" / "store", pipeline_version(pipeline.config.model))  # noqa: E731
    first = pipeline.build([src], store=store())
    assert first.reused == 0
    before = _bytes(first, tmp_path / "out")
    again = pipeline.build([src], store=store())
    assert again.reused == 20
    assert _bytes(again, tmp_path / "out") == before
    changed = sorted(src.iterdir())[3]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n北京市公安局民警张三在天安门广场执勤。\n", encoding="utf-8")
    sorted(src.iterdir())[5].unlink()
    third = pipeline.build([src], store=store())
    assert third.reused == 18
    fresh = pipeline.build([src])
    assert _bytes(third, tmp_path / "out") == _bytes(fresh, tmp_path / "fresh")
    assert len(list((tmp_path / "out" / "store" / "documents").glob("*.parquet"))) == 2  # the stale shard is gone


def test_a_document_id_given_twice_is_an_error_naming_both(pipeline, tmp_path):
    from kg.errors import InputError
    from kg.text.read import read_document

    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        shutil.copy(SEEDS / "000_99624c91e82d4847.txt", tmp_path / d)
    with pytest.raises(InputError, match="both would be document '000_99624c91e82d4847.txt'"):
        pipeline.build([tmp_path / "a", tmp_path / "b"])  # two input folders: each file's id is its name there
    one, two = (read_document(tmp_path / d / "000_99624c91e82d4847.txt") for d in ("a", "b"))
    with pytest.raises(InputError, match="given twice.*/a/.*/b/"):
        pipeline.build_documents([one, two])  # Documents given directly: the map's own check


def test_tables_streamed_from_the_store_equal_the_in_memory_reduce(pipeline, in_order, tmp_path):
    """Past memory the tables come straight from the shards (no graph.json): the same bytes."""
    from kg.stream import write_tables_from_store

    store = Store(tmp_path / "store", pipeline_version(pipeline.config.model))
    stored = pipeline.map_to_store(_docs()[::-1], store)
    counts = write_tables_from_store(store, stored.live, tmp_path / "out")
    assert counts["documents"] == len(stored.live) == 27
    for name in OUTPUTS[:-1]:
        assert (tmp_path / "out" / name).read_bytes() == in_order[name], name
    assert not (tmp_path / "out" / "graph.json").exists()


def test_a_build_that_fails_halfway_resumes_from_its_shards(pipeline, tmp_path, monkeypatch):
    """Each batch is in the store once written: the next build maps only what the failed one had not."""
    folder = tmp_path / "store"
    real_write = Store.write
    written: list[int] = []

    def fail_third(self, results):
        if len(written) == 2:
            raise OSError(28, "No space left on device")
        written.append(len(results))
        real_write(self, results)

    monkeypatch.setattr(pipeline.config, "batch_docs", 5)
    monkeypatch.setattr(Store, "write", fail_third)
    with pytest.raises(OSError):
        pipeline.map_to_store(_docs(), Store(folder, pipeline_version(pipeline.config.model)))
    monkeypatch.setattr(Store, "write", real_write)
    again = pipeline.map_to_store(_docs(), Store(folder, pipeline_version(pipeline.config.model)))
    assert again.reused == sum(written) == 10


def test_cli_rebuild_after_a_change_equals_a_fresh_build(tmp_path):
    """`kg build` twice into one folder, a file changed between: the tables of a build from scratch."""
    from kg.cli import main

    src = tmp_path / "in"
    shutil.copytree(PD20, src)
    args = ["build", str(src), "--workers", "1", "--threads", "1"]
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    changed = sorted(src.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\n株洲市公安局民警王立军在天元区执勤。\n", encoding="utf-8")
    assert main([*args, "--out", str(tmp_path / "out")]) == 0
    assert main([*args, "--out", str(tmp_path / "fresh"), "--rebuild"]) == 0
    for name in OUTPUTS:
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name


@pytest.fixture(scope="module")
def mapped(pipeline, tmp_path_factory):
    """The store of the seeds, PD20 and PEOPLE: (store, live)."""
    store = Store(tmp_path_factory.mktemp("mapped") / "store", pipeline_version(pipeline.config.model))
    return store, pipeline.map_to_store(_docs(), store).live


@pytest.mark.parametrize("bom, lang", [(True, "zh"), (False, "zh"), (True, "en")])
def test_streamed_tables_with_bom_and_lang_equal_the_in_memory_ones(mapped, tmp_path, bom, lang):
    """One table writer for every reduce: `--bom` and `--lang zh` hold past memory too."""
    from kg.reduce import reduce_documents
    from kg.stream import write_tables_from_store

    store, live = mapped
    write_tables_from_store(store, live, tmp_path / "stream", bom=bom, lang=lang)
    write_tables(reduce_documents(store.read(live)), tmp_path / "memory", bom=bom, lang=lang)
    for name in OUTPUTS[:-1]:
        streamed = (tmp_path / "stream" / name).read_bytes()
        assert streamed == (tmp_path / "memory" / name).read_bytes(), name
        assert streamed.startswith(b"\xef\xbb\xbf") == bom, name
    header = (tmp_path / "stream" / "relations.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("主体ID,关系,客体ID") == (lang == "zh")


def test_streamed_tables_of_any_order_and_workers_equal_the_in_memory_ones(pipeline, tmp_path):
    """The SQL fold (`kg.engines.fold` on DuckDB) of a store mapped in shuffled order by two workers
    into shards of 4: the `--bom --lang zh` tables, documents.csv included, of the in-memory reduce
    of the input in order."""
    from kg.stream import write_tables_from_store

    docs = _docs()
    random.Random(23).shuffle(docs)
    two = Pipeline(BuildConfig(workers=2, batch_docs=4))
    store = Store(tmp_path / "store", pipeline_version(two.config.model))
    stored = two.map_to_store(docs, store)
    assert len(list((tmp_path / "store" / "documents").glob("*.parquet"))) == 7
    write_tables_from_store(store, stored.live, tmp_path / "stream", bom=True, lang="zh")
    write_tables(pipeline.build_documents(_docs()), tmp_path / "memory", bom=True, lang="zh")
    for name in OUTPUTS[:-1]:
        assert (tmp_path / "stream" / name).read_bytes() == (tmp_path / "memory" / name).read_bytes(), name


def test_cli_graph_no_keeps_bom_lang_and_decode_warnings(tmp_path, capsys):
    """`kg build --graph no` (the streamed reduce) writes what `--graph yes` writes, BOM and Chinese
    headers included, and warns of the same undecoded bytes."""
    from kg.cli import main

    src = tmp_path / "in"
    src.mkdir()
    for f in sorted(PD20.glob("*.txt"))[:3]:
        shutil.copy(f, src)
    (src / "bad.txt").write_bytes("北京市公安局民警张三在天安门广场执勤。".encode() * 3 + b"\xff\xfe"
                                  + "株洲市公安局民警王立军在天元区执勤。".encode())
    warnings = {}
    for graph in ("yes", "no"):
        capsys.readouterr()
        assert main(["build", str(src), "--out", str(tmp_path / graph), "--graph", graph, "--bom", "--lang", "zh",
                     "--workers", "1", "--threads", "1"]) == 0
        warnings[graph] = [line for line in capsys.readouterr().err.splitlines() if "did not decode" in line]
    assert warnings["no"] == warnings["yes"] and len(warnings["no"]) == 1 and "bad.txt: 2 byte(s)" in warnings["no"][0]
    for name in OUTPUTS[:-1]:
        assert (tmp_path / "no" / name).read_bytes() == (tmp_path / "yes" / name).read_bytes(), name
    assert (tmp_path / "no" / "documents.csv").read_bytes().startswith(b"\xef\xbb\xbf")
