"""The store is reused exactly when a document's result cannot have changed.

A document's stored result is keyed by the document as read (`kg.store.document_key`: id, path and
row, encoding, format, date, text) and the pipeline version (`kg.store.pipeline_version`: the
stages' names and versions, the resources under kg/, the model). Each test builds a folder, changes one thing, and
builds again: a change that can change the result re-maps; a sink's code cannot, and does not.
The model is stubbed (`NoEntities`): dates and places still come from the rules.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kg.engines.folder import build_folder
from kg.pipeline import BuildConfig
from kg.sinks.tables import read_tables
from kg.sources import Columns
from kg.store import pipeline_version
from tests.fixtures_build import NoEntities

TEXT = "今天上午，民警周佰发在团结广场执勤。"
KG = Path(__file__).resolve().parent.parent / "kg"


@pytest.fixture(autouse=True)
def stub_model(monkeypatch):
    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: NoEntities())


def _build(src: Path, out: Path, **config) -> tuple[int, dict]:
    """(documents reused from the store, the documents.csv row of the first document) of `kg build src --out out`."""
    built = build_folder(sorted(p for p in src.iterdir() if p.is_file()), BuildConfig(**config), out)
    first = built.result.documents[0]
    return built.stored.reused, {"date": first.date, "path": first.path, "encoding": first.encoding,
                                 "text": first.text}


def _iso_dates(out: Path) -> set[str]:
    return {e.attrs.get("iso") for e in read_tables(out).entities if e.type == "DATE"}


def test_a_row_date_edited_in_a_table_re_maps(tmp_path):
    """The issue's case: the CSV row's date changes, so 今天 is another day."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text(f"id,text,date\nr1,{TEXT},2020-03-19\n", encoding="utf-8")
    assert _build(src, tmp_path / "out")[0] == 0
    assert _iso_dates(tmp_path / "out") == {"2020-03-19"}
    assert _build(src, tmp_path / "out")[0] == 1  # nothing changed: reused
    (src / "a.csv").write_text(f"id,text,date\nr1,{TEXT},2021-07-01\n", encoding="utf-8")
    assert _build(src, tmp_path / "out") == (0, {"date": "2021-07-01", "path": str(src / "a.csv") + "#0",
                                                 "encoding": "utf-8", "text": TEXT})
    assert _iso_dates(tmp_path / "out") == {"2021-07-01"}


@pytest.mark.parametrize("change", ["date_column", "text_column", "encoding", "doc_date"])
def test_a_reading_option_that_changes_the_document_re_maps(tmp_path, change):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text(f"id,text,body,date,published\nr1,{TEXT},民警李四在广场执勤。,2020-03-19,2020-04-01\n",
                               encoding="utf-8")
    before = {"date_column": {"columns": Columns(date="date")}, "text_column": {"columns": Columns(text="text")},
              "encoding": {"encoding": "utf-8"}, "doc_date": {"columns": Columns(date="none_such"), "doc_date": ""}}
    after = {"date_column": {"columns": Columns(date="published")}, "text_column": {"columns": Columns(text="body")},
             "encoding": {"encoding": "gb18030"}, "doc_date": {"columns": Columns(date="none_such"),
                                                               "doc_date": "2020-05-05"}}
    if change == "doc_date":
        (src / "a.csv").write_text(f"id,text\nr1,{TEXT}\n", encoding="utf-8")
        before[change]["columns"] = after[change]["columns"] = Columns()
    reused, first = _build(src, tmp_path / "out", **before[change])
    assert reused == 0
    assert _build(src, tmp_path / "out", **before[change])[0] == 1
    reused, second = _build(src, tmp_path / "out", **after[change])
    assert reused == 0 and second != first
    assert read_tables(tmp_path / "out").documents[0].encoding == second["encoding"]


def test_the_same_file_under_another_path_re_maps(tmp_path):
    """A document's id is its path under the folder given: two folders can give one id to two files,
    whose documents.csv rows differ by path."""
    for name in ("in", "moved"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.txt").write_text(TEXT + "\n", encoding="utf-8")
    assert _build(tmp_path / "in", tmp_path / "out")[0] == 0
    reused, first = _build(tmp_path / "moved", tmp_path / "out")
    assert reused == 0 and first["path"] == str(tmp_path / "moved" / "a.txt")
    assert read_tables(tmp_path / "out").documents[0].path == str(tmp_path / "moved" / "a.txt")


@pytest.fixture
def package(tmp_path) -> Path:
    """A copy of the kg package (without the model) to edit."""
    copy = tmp_path / "kg"
    shutil.copytree(KG, copy, ignore=shutil.ignore_patterns("__pycache__", "model"))
    return copy


@pytest.mark.parametrize("edit, re_maps", [
    ("sinks/html.py", False), ("sinks/tables.py", False), ("cli.py", False), ("reduce.py", False),
    # a stage's code: its version says when its results change, not every edit of a comment
    ("ner/rules.py", False), ("link/linker.py", False), ("relations/structure.py", False), ("pipeline.py", False),
    ("resources/places.tsv", True), ("resources/new_words.tsv", True),  # a word list, edited or new
    ("sinks/templates/explorer.js", False),  # an output's template
])
def test_the_version_covers_the_stages_and_resources_not_the_code(package, tmp_path, edit, re_maps):
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\0" * 64)
    before = pipeline_version(str(model), package=package)
    assert pipeline_version(str(model), package=package) == before
    path = package / edit
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    assert (pipeline_version(str(model), package=package) != before) == re_maps


def test_the_version_covers_the_model(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "weights.bin").write_bytes(b"\0" * 64)
    before = pipeline_version(str(model))
    (model / "weights.bin").write_bytes(b"\1" * 64)
    assert pipeline_version(str(model)) != before
    assert pipeline_version("another/pretrained-name") != pipeline_version("some/pretrained-name")


def test_the_version_covers_each_stage_name_version_and_order(tmp_path):
    """A stage added, dropped, moved or given a new version is another pipeline: every document re-maps."""
    from kg.config import STAGES
    from kg.stages import stage_versions

    model = str(tmp_path)
    default = stage_versions(STAGES)
    before = pipeline_version(model, stages=default)
    assert pipeline_version(model) == before  # the default stages when none are given
    bumped = [(n, v + ".1" if n == "rules" else v) for n, v in default]
    dropped = [s for s in default if s[0] != "lists"]
    moved = [default[1], default[0], *default[2:]]
    added = [*default, ("my_stage", "1")]
    assert len({before, *(pipeline_version(model, stages=s) for s in (bumped, dropped, moved, added))}) == 5


def test_the_version_covers_the_store_layout(tmp_path, monkeypatch):
    """Shards of another layout (before `Entity.parents` had its own column) are mapped again, never misread."""
    import kg.store

    before = pipeline_version(str(tmp_path))
    monkeypatch.setattr(kg.store, "STORE_FORMAT", "1")
    assert pipeline_version(str(tmp_path)) != before
