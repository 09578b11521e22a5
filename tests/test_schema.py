"""`kg.schema` is the one place a table's columns are said: on a real build (the seeds), each
column list is the header of every writer's output (the output folder from memory and folded from
the store, `kg export` CSV, XLSX and Parquet, the DataFrames, the Neo4j bulk-import files), and
each row function makes exactly its table's columns."""

from __future__ import annotations

import csv

import pytest

from kg import schema
from kg.api import KnowledgeGraph
from kg.sinks.export import export, tables
from kg.sinks.tables import write_tables
from kg.store import Store, pipeline_version
from kg.stream import write_tables_from_store
from kg.text.read import find_inputs, read_document
from tests.fixtures_build import SEEDS


def _header(path) -> list[str]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        return next(csv.reader(fh))


@pytest.fixture(scope="module")
def folded(pipeline, tmp_path_factory):
    """The seeds mapped into a store, folded by DuckDB (`kg.engines.fold`) into an output folder."""
    folder = tmp_path_factory.mktemp("folded")
    docs = [read_document(f.path, doc_id=f.doc_id) for f in find_inputs([SEEDS])[0]]
    store = Store(folder / "store", pipeline_version(pipeline.config.model))
    stored = pipeline.map_to_store(docs, store)
    write_tables_from_store(store, stored.live, folder / "out")
    return folder / "out"


def test_the_output_folder_has_the_schema_columns_in_memory_and_folded(seeds_result, seeds_out, folded, tmp_path):
    write_tables(seeds_result, tmp_path / "zh", lang="zh")
    for name, columns in schema.TABLES.items():
        assert _header(seeds_out / name) == columns, name
        assert _header(folded / name) == columns, name
        assert len(_header(tmp_path / "zh" / name)) == len(columns), name  # the same columns, in Chinese
        assert (folded / name).read_bytes() == (seeds_out / name).read_bytes(), name


def test_build_row_functions_make_exactly_their_columns(seeds_result):
    r = seeds_result
    names = {e.id: e.name for e in r.entities}
    made = {"documents.csv": schema.document_row(r.documents[0]), "sentences.csv": schema.sentence_row(r.sentences[0]),
            "mentions.csv": schema.mention_row(r.mentions[0]), "entities.csv": schema.entity_row(r.entities[0]),
            "relations.csv": schema.relation_row(r.relations[0], names)}
    for name, row in made.items():
        assert list(row) == schema.TABLES[name], name


def test_export_files_have_the_schema_columns(seeds_result, tmp_path):
    import openpyxl
    import pyarrow.parquet as pq

    want = {"relations": list(schema.EXPORT_RELATION_COLUMNS),
            "entities": [*schema.EXPORT_ENTITY_COLUMNS, *schema.PLACE_COLUMNS],
            "mentions": list(schema.EXPORT_MENTION_COLUMNS), "documents": list(schema.EXPORT_DOCUMENT_COLUMNS)}
    parts = tables(seeds_result)
    assert {sheet for _, sheet, _, _ in parts} >= set(want)
    for stem, sheet, columns, rows in parts:
        expected = want.get(sheet, want["relations"])  # relations_<TYPE>: the relations' columns
        assert list(columns) == expected and all(list(row) == expected for row in rows), stem
    for path in export(seeds_result, tmp_path / "csv", "csv"):
        assert _header(path) == want.get(path.stem, want["relations"]), path.name
    for path in export(seeds_result, tmp_path / "parquet", "parquet"):
        assert pq.read_schema(path).names == want.get(path.stem, want["relations"]), path.name
    book = openpyxl.load_workbook(export(seeds_result, tmp_path / "xlsx", "xlsx")[0], read_only=True)
    for sheet in ("relations", "entities", "mentions", "documents"):
        assert [c.value for c in next(book[sheet].iter_rows(max_row=1))] == want[sheet], sheet


def test_dataframes_have_the_schema_columns(seeds_result):
    g = KnowledgeGraph(seeds_result)
    assert list(g.entities_df().columns) == list(schema.EXPORT_ENTITY_COLUMNS)
    assert list(g.relations_df().columns) == [*schema.EXPORT_RELATION_COLUMNS, "start", "end"]
    mentions = g.mentions_df()
    assert list(mentions.columns) == schema.FRAME_MENTION_COLUMNS
    assert len(mentions) == len(seeds_result.mentions) and mentions["entity"].ne("").any()


def test_neo4j_node_rows_read_from_the_folder_have_the_schema_types(seeds_out):
    """The bulk-import headers of a folder come from `NEO4J_NODE_SCHEMAS`: every property a
    streamed node row holds is one of them, of its type."""
    from kg.sinks.neo4j_rows import StreamedRows

    rows = StreamedRows(seeds_out)
    tables_rows = {"documents": [d["props"] for d in rows.documents()],
                   "sentences": [s["props"] for s in rows.sentences()],
                   "entities": [schema.neo4j_entity_props(e) for _, e in rows.entities()],
                   "mentions": [{"start": m["start"], **m["props"]} for m in rows.mentions()]}
    for table, props in tables_rows.items():
        types = schema.NEO4J_NODE_SCHEMAS[table]
        assert props, table
        for p in props:
            assert all(isinstance(v, types[k]) for k, v in p.items() if v is not None), (table, p)
