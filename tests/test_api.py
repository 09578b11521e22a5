"""`import kg`: build, read, and the KnowledgeGraph they return, as a notebook user calls them."""

from __future__ import annotations

import filecmp
import json
import os
import subprocess
import sys

import networkx as nx
import pandas as pd
import pytest

import kg
from kg.cli import main
from kg.errors import InputError
from kg.types import BuildResult
from tests.fixtures_build import ROOT, SEEDS

SENTENCE = "洮南市公安局交巡警大队民警周佰发在团结广场执勤。"


@pytest.fixture(scope="module")
def seeds_graph(pipeline):
    """`kg.build(["seeds"])` (the session's model, loaded once)."""
    return kg.build([SEEDS], pipeline=pipeline)


def test_import_kg_is_quick_and_loads_no_model():
    code = "import sys, kg; print(sorted(m for m in ('torch', 'hanlp', 'pandas', 'networkx') if m in sys.modules))"
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stderr
    assert callable(kg.build) and callable(kg.read) and kg.__all__


def test_build_a_pair_gives_entities_with_offsets(pipeline):
    g = kg.build([("a", SENTENCE)], pipeline=pipeline)
    ents = [(s.text, s.start, s.end, s.label) for s in g.docs["a"].ents]
    assert ("洮南市公安局交巡警大队", 0, 11, "ORG") in ents and ("周佰发", 13, 16, "PERSON") in ents
    assert ("团结广场", 17, 21, "LOC") in ents
    ids = set(g.entities_df()["id"])
    for span in g.docs["a"].ents:
        assert SENTENCE[span.start:span.end] == span.text and span.entity_id in ids and span.entity
    assert [s.start for s in g.docs["a"].ents] == sorted(s.start for s in g.docs["a"].ents)
    assert g.documents[0].source_format == "python" and g.docs["a"].text == SENTENCE
    assert repr(g) == "<KnowledgeGraph: 1 document, 5 entities, 7 relations, 4 mentions>"


def test_build_the_seeds_as_the_issue_says(seeds_graph, seeds_result):
    assert seeds_graph == kg.KnowledgeGraph(seeds_result)  # the API builds what the pipeline builds
    r = repr(seeds_graph)
    assert r.startswith("<KnowledgeGraph: 5 documents, ") and len(r) < 100
    g = seeds_graph.to_networkx()
    assert isinstance(g, nx.MultiDiGraph)
    assert g.number_of_nodes() == len(seeds_graph.entities) + 5 and g.number_of_edges() == len(seeds_graph.relations)
    rel = seeds_graph.relations_df()
    assert len(rel) == len(seeds_graph.relations)
    assert {"head", "relation", "tail", "role", "evidence", "document", "start", "end"} <= set(rel.columns)
    zhou = rel[(rel["head"] == "周佰发") & (rel["relation"] == "BELONGS_TO")]
    assert list(zhou["tail"]) == ["洮南市公安局交巡警大队"]
    text = (SEEDS / zhou.document.iloc[0]).read_text(encoding="utf-8")
    assert "周佰发" in text[zhou.start.iloc[0]:zhou.end.iloc[0]]  # the evidence sentence's offsets
    ents = seeds_graph.entities_df()
    assert len(ents) == len(seeds_graph.entities) and isinstance(ents.aliases.iloc[0], list)
    ments = seeds_graph.mentions_df()
    assert len(ments) == len(seeds_graph.mentions) and set(ments.entity_id) <= set(ents.id)
    assert len(seeds_graph.docs) == 5 and all(d.ents for d in seeds_graph.docs.values())


def test_read_equals_the_build_that_wrote_it(seeds_graph, tmp_path):
    seeds_graph.save(tmp_path / "out")
    back = kg.read(tmp_path / "out")
    assert back == seeds_graph and repr(back) == repr(seeds_graph)
    spans = {d: [(s.text, s.start, s.end, s.label, s.entity_id) for s in doc.ents] for d, doc in back.docs.items()}
    assert spans == {d: [(s.text, s.start, s.end, s.label, s.entity_id) for s in doc.ents]
                     for d, doc in seeds_graph.docs.items()}
    back.entities[0].name += "x"  # equality is by content, so it can fail
    assert back != seeds_graph and back != kg.KnowledgeGraph(BuildResult())


def test_cli_build_writes_what_save_writes(pipeline, seeds_graph, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: pipeline.tagger)  # the real model, loaded once
    assert main(["build", str(SEEDS), "--out", str(tmp_path / "cli"), "--threads", "1"]) == 0
    assert "built 5 documents" in capsys.readouterr().out
    seeds_graph.save(tmp_path / "api")
    names = ["documents.csv", "sentences.csv", "mentions.csv", "entities.csv", "relations.csv", "graph.json"]
    match, mismatch, errors = filecmp.cmpfiles(tmp_path / "cli", tmp_path / "api", names, shallow=False)
    assert match == names, (mismatch, errors)


def test_cli_builds_a_table_with_named_columns(pipeline, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("kg.pipeline.load_tagger", lambda model: pipeline.tagger)
    pd.DataFrame({"link": ["n/1", "n/2"], "content": [SENTENCE, "白城市公安局民警秦立恒在岗。"],
                  "day": ["2020-04-01", "2020-04-02"]}).to_csv(tmp_path / "news.csv", index=False)
    args = ["build", str(tmp_path / "news.csv"), "--out", str(tmp_path / "out"), "--text-column", "content",
            "--id-column", "link", "--date-column", "day"]
    assert main(args) == 0
    back = kg.read(tmp_path / "out")
    assert [(d.id, d.path, d.source_format) for d in back.documents] == [
        ("n/1", f"{tmp_path / 'news.csv'}#0", "csv"), ("n/2", f"{tmp_path / 'news.csv'}#1", "csv")]
    assert {"周佰发", "秦立恒"} <= set(back.entities_df().name)
    assert main(["build", str(tmp_path / "news.csv"), "--out", str(tmp_path / "o2")]) == 1
    err = capsys.readouterr().err
    assert "news.csv: no text column 'text' (columns: link, content, day); name it with --text-column" in err


def test_a_dataframe_with_dates_and_a_pair_in_one_build(pipeline):
    frame = pd.DataFrame({"id": ["d1"], "text": [SENTENCE], "date": [pd.Timestamp("2020-03-19 08:30")]})
    g = kg.build([frame, ("p1", "白城市公安局民警秦立恒在岗。")], pipeline=pipeline)
    assert [(d.id, d.date, d.source_format) for d in g.documents] == [("d1", "2020-03-19", "python"),
                                                                     ("p1", "", "python")]
    assert {"周佰发", "秦立恒"} <= {e.name for e in g.entities}
    custom = kg.build(frame.rename(columns={"text": "body", "id": "key"}), text_column="body", id_column="key",
                      pipeline=pipeline)
    assert [d.id for d in custom.documents] == ["d1"] and custom.entities_df().equals(
        kg.build(frame, pipeline=pipeline).entities_df())


def test_an_id_given_twice_is_an_error_naming_both(pipeline):
    with pytest.raises(InputError, match=r"document id 'a' given twice: a \(doc_id, text\) pair and a \(doc_id, text\) pair"):
        kg.build([("a", SENTENCE), ("a", "另一篇。")], pipeline=pipeline)
    name = "001_f7a5ec10d2a4ddd0.txt"
    with pytest.raises(InputError, match=f"document id '{name}' given twice: {SEEDS / name} and a"):
        kg.build([SEEDS / name, (name, SENTENCE)], pipeline=pipeline)


def test_bad_sources_are_clear_errors_or_listed_problems(pipeline, tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        kg.build([tmp_path / "missing"], pipeline=pipeline)
    with pytest.raises(InputError, match="give a path, a \\(doc_id, text\\) pair or a pandas DataFrame"):
        kg.build([42], pipeline=pipeline)
    (tmp_path / "empty.txt").write_bytes(b"")
    g = kg.build([tmp_path / "empty.txt", ("a", SENTENCE)], pipeline=pipeline)
    assert g.problems == [f"{tmp_path / 'empty.txt'}: empty file"] and [d.id for d in g.documents] == ["a"]
    with pytest.raises(InputError, match="none built \\(--strict\\)"):
        kg.build([tmp_path / "empty.txt", ("a", SENTENCE)], strict=True, pipeline=pipeline)


def test_to_html_writes_one_page(pipeline, tmp_path):
    g = kg.build([("a", SENTENCE)], pipeline=pipeline)
    page = g.to_html(tmp_path / "g.html")
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and ("周佰发" in html or json.dumps("周佰发")[1:-1] in html)


def test_the_readme_python_example_runs(tmp_path):
    """The README's "Python" section is run as written (from a folder of its own, the seeds beside it)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = readme.split("\n## Python\n", 1)[1].split("```python\n", 1)[1].split("```", 1)[0]
    (tmp_path / "seeds").symlink_to(SEEDS)
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=600,
                         env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert run.returncode == 0, run.stderr[-2000:]
    assert "<KnowledgeGraph: 5 documents" in run.stdout and "周佰发 13 16 PERSON person-" in run.stdout
    assert (tmp_path / "out" / "entities.csv").exists() and (tmp_path / "graph.html").exists()


@pytest.mark.neo4j
def test_to_neo4j_loads_the_graph_and_reloads_nothing(pipeline, neo4j_clean, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the ledger of a graph with no folder
    g = kg.build([("a", SENTENCE)], pipeline=pipeline)
    server = neo4j_clean
    first = g.to_neo4j(uri=server.uri, user=server.user, password=server.password)
    assert first["nodes"] == len(g.entities) + 1 + len({m.sentence for m in g.mentions}) + 1  # + document, sentences, marker
    again = g.to_neo4j(uri=server.uri, user=server.user, password=server.password)
    assert again["nodes_created"] == 0 and again["relationships_created"] == 0


# -- issue 26, item 7: the API's arguments ---------------------------------------------------------------

@pytest.mark.parametrize("sources", [None, 123, 1.5, b"bytes"])
def test_build_of_no_sources_or_a_number_is_a_clear_type_error(stub_pipeline, sources):
    with pytest.raises(TypeError, match=f"kg.build needs a path, a \\(doc_id, text\\) pair, a pandas DataFrame "
                                        f"or a list of them, not {type(sources).__name__}"):
        kg.build(sources, pipeline=stub_pipeline)


def test_a_bare_pair_is_one_document_not_two_paths(stub_pipeline, tmp_path):
    g = kg.build(("a", "民警李明在洮北区巡逻。"), pipeline=stub_pipeline)
    assert [(d.id, d.text) for d in g.documents] == [("a", "民警李明在洮北区巡逻。")]
    (tmp_path / "x.txt").write_text(SENTENCE, encoding="utf-8")
    with pytest.raises(InputError, match="y.txt: no such file or folder"):  # two paths, one missing: still paths
        kg.build((tmp_path / "x.txt", "y.txt"), pipeline=stub_pipeline)


@pytest.mark.parametrize("doc_id", [None, 1.5, ("a",)])
def test_a_pair_needs_a_str_id(stub_pipeline, doc_id):
    """`(None, text)` became a document with id "None"."""
    with pytest.raises(InputError, match=f"a \\(doc_id, text\\) pair needs a str doc_id, not {type(doc_id).__name__}"):
        kg.build([(doc_id, SENTENCE)], pipeline=stub_pipeline)


def test_a_lone_surrogate_is_replaced_with_a_warning(stub_pipeline):
    """It raised UnicodeEncodeError (hashing the text as UTF-8)."""
    with pytest.warns(UnicodeWarning, match="document 'a': lone surrogate characters .* replaced by U\\+FFFD"):
        g = kg.build([("a", "民警\ud800李明在洮北区巡逻。")], pipeline=stub_pipeline)
    assert g.documents[0].text == "民警\ufffd李明在洮北区巡逻。" and g.documents[0].replaced == 1
    frame = pd.DataFrame({"text": pd.Series(["民警\udc80李明。", SENTENCE], dtype=object)})  # arrow strings refuse it
    with pytest.warns(UnicodeWarning, match="DataFrame row\\(s\\) 0: lone surrogate"):
        g = kg.build(frame, pipeline=stub_pipeline)
    assert [d.text for d in g.documents] == ["民警\ufffd李明。", SENTENCE]


def test_two_dataframes_without_ids_do_not_clash(stub_pipeline):
    a, b = pd.DataFrame({"text": [SENTENCE]}), pd.DataFrame({"text": ["民警李明在洮北区巡逻。", "另一篇。"]})
    g = kg.build([a, b], pipeline=stub_pipeline)
    assert [d.id for d in g.documents] == ["DataFrame#0", "DataFrame2#0", "DataFrame2#1"]


def test_duplicate_column_names_are_a_clear_error(stub_pipeline):
    """They raised `ValueError: zip() argument 2 is longer than argument 1`."""
    frame = pd.DataFrame([["a", SENTENCE, "b"]], columns=["id", "text", "text"])
    with pytest.raises(InputError, match="DataFrame: column 'text' appears 2 times; rename all but one"):
        kg.build(frame, pipeline=stub_pipeline)


def test_list_and_bytes_cells_of_a_dataframe(stub_pipeline):
    with pytest.raises(InputError, match="DataFrame row 0, column 'text': holds a list"):
        kg.build(pd.DataFrame({"text": [["民警", "李明"]]}), pipeline=stub_pipeline)
    g = kg.build(pd.DataFrame({"text": [SENTENCE.encode("utf-8"), b"\x7fELF\x02\x01\x01\x00"]}), pipeline=stub_pipeline)
    assert [d.text for d in g.documents] == [SENTENCE]
    assert g.problems == ["DataFrame row 1 column 'text': bytes that are not text (is an executable, not text; "
                          "extract its text first); dropped, the rest is built"]


def test_doc_date_is_honoured_with_a_pipeline_and_checked(stub_pipeline):
    g = kg.build([("a", SENTENCE)], pipeline=stub_pipeline, doc_date="2020-03-19")
    assert g.documents[0].date == "2020-03-19"
    for bad in ("garbage", "2020-13-01", "19/03/2020"):
        with pytest.raises(ValueError, match=f"doc_date '{bad}' is not a date as YYYY-MM-DD"):
            kg.build([("a", SENTENCE)], pipeline=stub_pipeline, doc_date=bad)
    with pytest.raises(ValueError, match="workers must be at least 1, not 0"):
        kg.build([("a", SENTENCE)], pipeline=stub_pipeline, workers=0)
