"""Inputs as people have them: HTML pages, tables of articles, Word and PDF files, Traditional Chinese.

Each is made from real seed text in the test (HTML around the seed's paragraphs, the seeds as rows
of a table, the seed through OpenCC's s2t) and must build into the same entities and relations as
the plain Simplified text.
"""

from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

import opencc
import pandas as pd
import pytest

import kg
import kg.sources
from kg.errors import InputError
from kg.sources import Columns, html_text, read_documents, unique
from kg.text.clean import clean
from kg.text.script import simplified
from tests.fixtures_build import ROOT, SEEDS

INPUTS = ROOT / "tests" / "data" / "inputs"
SEED = "001_f7a5ec10d2a4ddd0.txt"  # bylines, a unit chain, a place hierarchy
NAV = "<nav><ul><li><a href='/'>首页</a></li><li><a href='/n'>新闻中心</a></li></ul></nav>"
FOOTER = "<footer>版权所有 某某公安网 备案号0000</footer>"


def _graph(g: kg.KnowledgeGraph) -> tuple[list, list]:
    """What a build says, offsets aside: entities (id, type) and relations (head, type, tail, role)."""
    return sorted((e.id, e.type) for e in g.entities), sorted(r.key for r in g.relations)


def _page(text: str, title: str = "标题") -> str:
    """A news page around `text`: each blank-line block a <p>, with a script, a menu and a footer."""
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    body = "\n".join(f"<p>{html.escape(b)}</p>" for b in blocks)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title>"
            f"<script>var unit = '某某市公安局'; document.write(unit);</script></head>"
            f"<body>{NAV}<article>{body}</article>{FOOTER}</body></html>")


# -- HTML ---------------------------------------------------------------------------------------------

def test_html_main_text_leaves_out_scripts_menus_and_footers():
    text = html_text(_page("洮南市公安局交巡警大队民警周佰发在团结广场执勤。\n\n第二段，说明情况。"))
    assert text == "洮南市公安局交巡警大队民警周佰发在团结广场执勤。\n\n第二段，说明情况。"


def test_html_date_comes_from_the_markup_only(tmp_path):
    page = _page("民警周佰发在团结广场执勤。\n\n2020年3月5日，第二段。")
    (tmp_path / "a.html").write_text(page, encoding="utf-8")
    (tmp_path / "b.html").write_text(page.replace(
        "<title>", "<meta property='article:published_time' content='2020-03-19T08:00:00+08:00'><title>"),
        encoding="utf-8")
    assert [read_documents(tmp_path / n)[0].date for n in ("a.html", "b.html")] == ["", "2020-03-19"]


def test_html_page_of_a_seed_builds_the_same_graph(pipeline, tmp_path):
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    page = tmp_path / "page.html"
    page.write_bytes(_page(text).encode("gb18030").replace(b"charset='utf-8'", b"charset='gb18030'"))
    built = kg.build([page], pipeline=pipeline)
    plain = kg.build([("page.html", text)], pipeline=pipeline)  # same id: same ids for per-document entities
    doc = built.documents[0]
    assert doc.source_format == "html" and doc.encoding == "gb18030" and "<p>" not in doc.text
    assert "首页" not in doc.text and "document.write" not in doc.text and "版权所有" not in doc.text
    assert len(built.entities) > 10 and _graph(built) == _graph(plain)
    for m in built.mentions:  # offsets are into the extracted text
        assert doc.text[m.start:m.end] == m.text


# -- tables of articles -------------------------------------------------------------------------------

def _articles() -> pd.DataFrame:
    files = sorted(SEEDS.glob("*.txt"))
    return pd.DataFrame({"url": [f.name for f in files], "body": [f.read_text(encoding="utf-8") for f in files],
                         "published": [f"2020-03-{10 + k}" for k in range(len(files))]})


def _write_table(frame: pd.DataFrame, path: Path) -> Path:
    if path.suffix == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix == ".jsonl":
        frame.to_json(path, orient="records", lines=True, force_ascii=False)
    else:
        frame.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_table_of_the_seeds_builds_the_same_graph(pipeline, seeds_result, tmp_path, suffix):
    path = _write_table(_articles(), tmp_path / f"articles{suffix}")
    dated = read_documents(path, columns=Columns(text="body", id="url", date="published"))
    assert [d.date for d in dated] == ["2020-03-10", "2020-03-11", "2020-03-12", "2020-03-13", "2020-03-14"]
    # without the date column (a document's date resolves its relative dates: the file build has none)
    built = kg.build([path], text_column="body", id_column="url", pipeline=pipeline)
    files = kg.KnowledgeGraph(seeds_result)
    assert [d.id for d in built.documents] == [d.id for d in files.documents]  # ids from the id column
    assert {d.source_format for d in built.documents} == {suffix[1:]}
    assert built.documents[2].path == f"{path}#2"
    # the same text, so the same offsets too: every table but documents.csv's path/format is the same
    assert built.entities_df().equals(files.entities_df())
    assert built.relations_df().equals(files.relations_df())
    assert built.mentions_df().equals(files.mentions_df())


def test_table_rows_without_an_id_column_are_file_and_row(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("text,date\n民警周佰发在团结广场执勤。,2020/3/19\n,\n民警李四在岗。,\n", encoding="utf-8")
    docs = read_documents(path)
    assert [(d.id, d.date, d.source_format) for d in docs] == [("t.csv#0", "2020-03-19", "csv"), ("t.csv#2", "", "csv")]


@pytest.mark.parametrize("value, iso", [("2020-03-19", "2020-03-19"), ("2020/3/19 08:30", "2020-03-19"),
                                        ("2020年3月19日", "2020-03-19"), ("2020年3月19日 08:30", "2020-03-19"),
                                        (20200319, "2020-03-19"), (pd.Timestamp("2020-03-19 23:59"), "2020-03-19"),
                                        (None, ""), (float("nan"), ""), (pd.NaT, "")])
def test_date_cells_become_iso_dates(value, iso):
    frame = pd.DataFrame({"text": ["民警。"], "date": [value]})
    assert kg.sources.frame_documents(frame)[0].date == iso


def test_a_table_with_no_text_is_an_error(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("id,text\na,\nb, \n", encoding="utf-8")
    with pytest.raises(InputError, match=r"t\.csv: no rows with text in column 'text'"):
        read_documents(path)


def test_gbk_csv_is_decoded_like_a_text_file(tmp_path):
    path = tmp_path / "gbk.csv"
    path.write_bytes("id,text\na1,洮南市公安局交巡警大队民警周佰发在团结广场执勤。\n".encode("gbk"))
    [doc] = read_documents(path)
    assert doc.id == "a1" and doc.encoding == "gb18030" and doc.text.startswith("洮南市公安局")


@pytest.mark.parametrize("content, words", [
    ("id,text\na,一\na,二\n", ["t.csv", "'a'", "rows 0 and 1"]),
    ("id,body\na,一\n", ["t.csv", "no text column 'text'", "id, body", "--text-column"]),
    ("id,text,date\na,一,not a date\n", ["t.csv row 0", "'date'", "'not a date' is not a date"]),
])
def test_bad_tables_are_one_line_errors_naming_the_file(tmp_path, content, words):
    path = tmp_path / "t.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_documents(path)
    assert all(w in str(err.value) for w in words), str(err.value)
    assert "\n" not in str(err.value)


def test_broken_parquet_is_an_error_naming_it(tmp_path):
    path = tmp_path / "t.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"t\.parquet: not a readable parquet table"):
        read_documents(path)


def test_an_id_given_twice_is_an_error_naming_both(tmp_path):
    path = _write_table(pd.DataFrame({"id": ["a.txt"], "text": ["民警。"]}), tmp_path / "t.jsonl")
    docs = [*read_documents(path), *read_documents(SEEDS / SEED)]
    docs[1].id = "a.txt"
    with pytest.raises(InputError) as err:
        list(unique(docs))
    assert str(err.value) == f"document id 'a.txt' given twice: {path}#0 and {SEEDS / SEED}; ids must be unique"


# -- Word and PDF -------------------------------------------------------------------------------------

def test_docx_paragraphs_are_the_blocks(tmp_path):
    import docx

    text = (SEEDS / SEED).read_text(encoding="utf-8")
    blocks = [re.sub(r"\s+", "", b) for b in re.split(r"\n\s*\n", text) if b.strip()]
    document = docx.Document()
    for b in blocks:
        document.add_paragraph(b)
    document.save(tmp_path / "a.docx")
    [doc] = read_documents(tmp_path / "a.docx")
    assert doc.source_format == "docx" and doc.text == "\n\n".join(blocks)


def test_pdf_text_layer_is_read_and_a_scan_is_refused():
    [doc] = read_documents(INPUTS / "report.pdf")
    assert (doc.id, doc.text, doc.source_format) == ("report.pdf", "Police news, page 3", "pdf")
    with pytest.raises(InputError) as err:
        read_documents(INPUTS / "scan.pdf")
    assert str(err.value) == f"{INPUTS / 'scan.pdf'}: a PDF with no text layer (a scan? OCR it first)"


def test_documents_csv_says_where_offsets_point(pipeline, tmp_path):
    page = tmp_path / "in" / "p.html"
    page.parent.mkdir()
    page.write_text(_page("洮南市公安局交巡警大队民警周佰发在团结广场执勤。"), encoding="utf-8")
    (tmp_path / "in" / "a.txt").write_text("民警周佰发在团结广场执勤。", encoding="utf-8")
    kg.build([tmp_path / "in"], pipeline=pipeline).save(tmp_path / "out")
    with open(tmp_path / "out" / "documents.csv", encoding="utf-8") as fh:
        rows = {r["id"]: r["source_format"] for r in csv.DictReader(fh)}
    assert rows == {"a.txt": "text", "p.html": "html"}
    assert [d.source_format for d in kg.read(tmp_path / "out").documents] == ["text", "html"]


# -- Traditional Chinese ------------------------------------------------------------------------------

S2T = opencc.OpenCC("s2t")


def test_simplified_view_is_one_char_for_one_and_leaves_simplified_text_alone():
    assert simplified("廣州市公安局民警張偉在執勤") == "广州市公安局民警张伟在执勤"
    seed = (SEEDS / SEED).read_text(encoding="utf-8")
    assert simplified(seed) is seed  # Simplified news is not touched
    stray = seed[:100] + "藉口"  # one character OpenCC would change, in Simplified text: left as written
    assert simplified(stray) is stray
    cleaned = clean("廣州市公安\n局 民警張偉")
    assert cleaned.text == "广州市公安局民警张伟"
    assert [("廣州市公安\n局 民警張偉")[o] for o in cleaned.offsets] == list("廣州市公安局民警張偉")


def test_traditional_unit_is_located_in_its_city_as_in_simplified(pipeline):
    text = "廣州市公安局天河區分局民警張偉在天河路執勤。"
    trad = kg.build([("a", text)], pipeline=pipeline)
    simp = kg.build([("a", simplified(text))], pipeline=pipeline)
    assert _graph(trad) == _graph(simp)
    names = {e.id: e for e in trad.entities}
    facts = {(names[r.source_id].name, r.relation, names[r.target_id].name) for r in trad.relations
             if r.target_id in names}
    assert ("廣州市公安局", "LOCATED_IN", "廣州市") in facts
    assert ("張偉", "BELONGS_TO", "廣州市公安局天河區分局") in facts
    person = next(e for e in trad.entities if e.type == "PERSON")
    assert person.name == "張偉" and "张伟" in person.aliases
    assert [(s.text, s.start, s.end) for s in trad.docs["a"].ents if s.label == "PERSON"] == [("張偉", 13, 15)]


def test_traditional_seed_builds_the_same_graph_with_names_in_its_script(pipeline):
    text = (SEEDS / SEED).read_text(encoding="utf-8")
    traditional = S2T.convert(text)
    assert len(traditional) == len(text) and traditional != text
    trad = kg.build([(SEED, traditional)], pipeline=pipeline)
    simp = kg.build([(SEED, text)], pipeline=pipeline)
    assert len(simp.entities) > 10 and _graph(trad) == _graph(simp)
    simp_names = {e.id: e.name for e in simp.entities}
    changed = 0
    for e in trad.entities:
        assert simplified(e.name) == simp_names[e.id] or e.name == simp_names[e.id]
        if e.name != simp_names[e.id]:
            changed += 1
            assert simp_names[e.id] in e.aliases  # the Simplified name stays findable
    assert changed > 5
    for m in trad.mentions:  # mentions are the original text, their offsets into it
        assert traditional[m.start:m.end] == m.text


def test_jsonl_traditional_rows(pipeline, tmp_path):
    """Rows of a table are cleaned like files: a Traditional row is tagged through its Simplified view."""
    path = tmp_path / "t.jsonl"
    rows = [{"id": "x", "text": "廣州市公安局天河區分局民警張偉在天河路執勤。"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    g = kg.build([path], pipeline=pipeline)
    assert {e.name for e in g.entities} >= {"廣州市公安局", "廣州市", "張偉"}
