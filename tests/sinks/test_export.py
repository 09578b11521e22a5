"""`kg export`: every format reads back equal to what was written, Chinese, quotes and line breaks included."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest

from kg.cli import main
from kg.errors import KgError
from kg.graph import to_networkx
from kg.schema import export_relation_rows
from kg.sinks.export import (
    FORMATS,
    csv_cell,
    export,
    read_graphml,
    read_node_link,
    safe_sheet_names,
    tables,
)
from kg.sinks.tables import write_tables
from kg.types import (
    RELATION_TYPES,
    BuildResult,
    Document,
    Entity,
    Evidence,
    Mention,
    Relation,
    document_node_id,
)

DOC = "000_洮南.txt"
S0 = '4月1日15时，洮南市公安局交巡警大队民警周佰发说："别急，\n我们送你们回去。"'
S1 = "=1+1，洮南市公安局交巡警大队隶属洮南市公安局"


def sample_result() -> BuildResult:
    """A small build: one officer with a role, one without, a unit tree, a place chain, an event."""
    text = S0 + "\n" + S1
    doc = Document(id=DOC, path=f"seeds/{DOC}", text=text, sha256="ab" * 32)

    def mention(name: str, type_: str, sentence: int = 0) -> Mention:
        src, offset = (S0, 0) if sentence == 0 else (S1, len(S0) + 1)
        start = offset + src.index(name)
        return Mention(DOC, sentence, start, start + len(name), name, type_, norm=name, entity_id="")

    ents = [
        Entity("p:周佰发", "周佰发", "PERSON", mentions=[mention("周佰发", "PERSON")]),
        Entity("p:白某", "白某", "PERSON", attrs={"anonymized": True, "mention_count": 1, "documents": [DOC]}),
        Entity("o:交巡警大队", "洮南市公安局交巡警大队", "ORG", aliases=["交巡警大队", '名字,带"引号"'],
               mentions=[mention("洮南市公安局交巡警大队", "ORG"), mention("洮南市公安局交巡警大队", "ORG", 1)]),
        Entity("o:洮南市公安局", "洮南市公安局", "ORG", aliases=["洮南公安"],
               mentions=[mention("洮南市公安局", "ORG", 1)]),
        Entity("l:洮南市", "洮南市", "LOC", mentions=[mention("洮南市", "LOC")]),
        Entity("l:白城市", "白城市", "LOC", attrs={"documents": [DOC]}),
        Entity("d:4月1日", "4月1日", "DATE", attrs={"iso": "2020-04-01", "documents": [DOC]}),
        Entity("e:送回", "送群众回家", "EVENT", attrs={"description": "民警护送,\n群众回家", "documents": [DOC]}),
    ]
    for e in ents:
        for m in e.mentions:
            m.entity_id = e.id
    ev0 = Evidence(DOC, 0, 0, len(S0), S0)
    ev1 = Evidence(DOC, 1, len(S0) + 1, len(S0) + 1 + len(S1), S1)
    rels = [
        Relation("p:周佰发", "MENTIONED_IN", document_node_id(DOC), {"count": 1}, ev0),
        Relation("p:周佰发", "BELONGS_TO", "o:交巡警大队", {"role": "民警"}, ev0),
        Relation("p:白某", "BELONGS_TO", "o:交巡警大队", {"role": ""}, ev0),
        Relation("o:交巡警大队", "PART_OF", "o:洮南市公安局", {}, ev1),
        Relation("o:洮南市公安局", "LOCATED_IN", "l:洮南市", {"inferred": True, "source": "name"}, ev1),
        Relation("l:洮南市", "LOCATED_IN", "l:白城市", {"inferred": True, "source": "gazetteer"}, None),
        Relation("e:送回", "EVENT_AT", "l:洮南市", {"date": "4月1日15时", "iso_date": "2020-04-01"}, ev0),
    ]
    return BuildResult(documents=[doc], mentions=[m for e in ents for m in e.mentions],
                       entities=ents, relations=rels)


@pytest.fixture
def result() -> BuildResult:
    return sample_result()


# ---- reading back, one reader per format, typed by the table's column kinds ------------------------

def _from_text(value: str, kind: str):
    """The typed value a CSV/XLSX text cell stands for (the inverse of `csv_cell`)."""
    if kind == "list":
        return [x for x in value.split("|") if x]
    if kind == "bool":
        return value == "true"
    if kind == "int":
        return int(value) if value else None
    if kind == "float":
        return float(value) if value else None
    return value


def read_csv_table(path, columns):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == list(columns)
        return [{c: _from_text(v, k) for (c, k), v in zip(columns.items(), row, strict=True)} for row in reader]


def read_xlsx_sheet(ws, columns):
    rows = ws.iter_rows(values_only=True)
    assert list(next(rows)) == list(columns)
    out = []
    for row in rows:
        rec = {}
        row = list(row) + [None] * (len(columns) - len(row))  # read-only rows stop at their last value
        for (c, k), v in zip(columns.items(), row, strict=True):
            if k in ("str", "list"):
                v = _from_text(v or "", k)
            elif k == "bool":
                assert isinstance(v, bool)
            rec[c] = v
        out.append(rec)
    return out


def assert_round_trip(result: BuildResult, out, fmt: str, files) -> None:
    """What `export` wrote for `fmt` reads back equal, with the format's own reader."""
    parts = tables(result)
    if fmt == "csv":
        assert [f.name for f in files] == [f"{stem}.csv" for stem, *_ in parts]
        for (_stem, _sheet, columns, rows), path in zip(parts, files, strict=True):
            assert read_csv_table(path, columns) == rows, path.name
    elif fmt == "xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(files[0], read_only=True)
        assert wb.sheetnames == [sheet for _, sheet, _, _ in parts]
        for _stem, sheet, columns, rows in parts:
            assert read_xlsx_sheet(wb[sheet], columns) == rows, sheet
        wb.close()
    elif fmt == "parquet":
        import pyarrow.parquet as pq

        assert [f.name for f in files] == [f"{stem}.parquet" for stem, *_ in parts]
        for (_stem, _sheet, columns, rows), path in zip(parts, files, strict=True):
            table = pq.read_table(path)
            assert table.column_names == list(columns)
            assert table.to_pylist() == rows, path.name
    elif fmt in ("graphml", "node-link"):
        g = read_graphml(files[0]) if fmt == "graphml" else read_node_link(files[0])
        want = to_networkx(result)
        if fmt == "graphml":  # what GraphML adds for Gephi: labels, and codes on places
            for _, d in g.nodes(data=True):
                assert d.pop("label") == d["name"]
                for k in ("adcode", "longitude", "latitude"):
                    d.pop(k, None)
            for _, _, d in g.edges(data=True):
                assert d.pop("label") == d["relation"]
        assert dict(g.nodes(data=True)) == dict(want.nodes(data=True))
        assert sorted(g.edges(keys=True, data=True), key=repr) == sorted(want.edges(keys=True, data=True), key=repr)
    elif fmt == "gexf":
        g = nx.read_gexf(files[0])
        want = to_networkx(result)
        assert {n: d["label"] for n, d in g.nodes(data=True)} == {n: d["name"] for n, d in want.nodes(data=True)}
        assert {n: d["type"] for n, d in g.nodes(data=True)} == {n: d["type"] for n, d in want.nodes(data=True)}
        assert g.number_of_edges() == want.number_of_edges()
    else:
        raise AssertionError(fmt)


# ---- the readable rows -------------------------------------------------------------------------------

def test_relation_rows_name_both_ends(result):
    rows = export_relation_rows(result)
    assert [r["relation"] for r in rows] == sorted((r["relation"] for r in rows), key=RELATION_TYPES.index)
    officer = next(r for r in rows if r["head"] == "周佰发" and r["relation"] == "BELONGS_TO")
    assert officer == {
        "head": "周佰发", "head_type": "PERSON", "relation": "BELONGS_TO", "role": "民警",
        "tail": "洮南市公安局交巡警大队", "tail_type": "ORG", "date": "", "iso_date": "", "document": DOC,
        "sentence": 0, "evidence": S0, "inferred": False, "properties": "", "head_id": "p:周佰发",
        "tail_id": "o:交巡警大队",
    }
    doc = next(r for r in rows if r["relation"] == "MENTIONED_IN")
    assert (doc["tail"], doc["tail_type"], json.loads(doc["properties"])) == (DOC, "DOCUMENT", {"count": 1})
    event = next(r for r in rows if r["relation"] == "EVENT_AT")
    assert (event["head_type"], event["date"], event["iso_date"]) == ("EVENT", "4月1日15时", "2020-04-01")
    place = next(r for r in rows if r["head"] == "洮南市" and r["relation"] == "LOCATED_IN")
    assert (place["inferred"], place["sentence"], place["document"], place["evidence"]) == (True, None, "", "")


# ---- every format round-trips --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip(result, tmp_path, fmt):
    files = export(result, tmp_path / fmt, fmt)
    assert files and all(f.exists() for f in files)
    assert not [p for p in (tmp_path / fmt).iterdir() if p.name.endswith(".tmp")]  # atomic: no temp left
    assert_round_trip(result, tmp_path / fmt, fmt, files)


@pytest.mark.parametrize("bom", [False, True])
def test_csv_bom_and_tables(result, tmp_path, bom):
    files = export(result, tmp_path, "csv", bom=bom)
    names = [f.name for f in files]
    assert names == ["relations.csv", *(f"relations_{t}.csv" for t in RELATION_TYPES), "entities.csv",
                     "mentions.csv", "documents.csv"]
    raw = (tmp_path / "relations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    assert "周佰发".encode() in raw and b"\r\n" in raw  # UTF-8, Excel's row ends
    with open(tmp_path / "relations_BELONGS_TO.csv", encoding="utf-8-sig", newline="") as fh:
        belongs = list(csv.DictReader(fh))
    assert [(r["head"], r["role"], r["tail"]) for r in belongs] == [
        ("周佰发", "民警", "洮南市公安局交巡警大队"), ("白某", "", "洮南市公安局交巡警大队")]
    assert belongs[0]["evidence"] == S0  # the quote, the comma and the line break survive
    with open(tmp_path / "entities.csv", encoding="utf-8-sig", newline="") as fh:
        ents = {r["name"]: r for r in csv.DictReader(fh)}
    assert ents["洮南市公安局交巡警大队"]["aliases"] == '交巡警大队|名字,带"引号"'
    assert ents["白某"]["anonymized"] == "true" and ents["4月1日"]["iso"] == "2020-04-01"
    assert csv_cell(["a", "b"], "list") == "a|b" and csv_cell(None, "int") == ""


def test_xlsx_sheets_and_text_cells(result, tmp_path):
    from openpyxl import load_workbook

    (path,) = export(result, tmp_path, "xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["relations", *RELATION_TYPES, "entities", "mentions", "documents"]
    mentions = list(wb["mentions"].iter_rows(values_only=True))
    assert mentions[0][:5] == ("document", "sentence", "start", "end", "text")
    assert ("周佰发", "PERSON", "周佰发") in {(r[4], r[6], r[8]) for r in mentions[1:]}  # text, type, entity
    docs = list(wb["documents"].iter_rows(values_only=True))
    assert docs[1][:2] == (DOC, f"seeds/{DOC}") and len(docs) == 2
    ws = wb["PART_OF"]
    assert ws.freeze_panes == "A2"
    evidence = ws.cell(row=2, column=list(tables(result)[0][2]).index("evidence") + 1)
    assert evidence.value == S1 and evidence.data_type == "s"  # "=1+1，…" is text, not a formula


def test_graphml_holds_scalars_only(result, tmp_path):
    (path,) = export(result, tmp_path, "graphml")
    raw = nx.read_graphml(path, edge_key_type=str, force_multigraph=True)  # what Gephi/Cytoscape see
    node = raw.nodes["o:交巡警大队"]
    assert node["aliases"] == '["交巡警大队", "名字,带\\"引号\\""]' and node["name"] == "洮南市公安局交巡警大队"
    for _, d in raw.nodes(data=True):
        assert all(isinstance(v, str | int | float | bool) for v in d.values())
    assert read_graphml(path).nodes["o:交巡警大队"]["aliases"] == ["交巡警大队", '名字,带"引号"']


def test_graphml_label_and_type_on_every_node(result, tmp_path):
    """Gephi shows a node's `label`: every node has one (its name), and its type, read by plain networkx."""
    (path,) = export(result, tmp_path, "graphml")
    g = nx.read_graphml(path)
    assert g.number_of_nodes() == to_networkx(result).number_of_nodes()
    for n, d in g.nodes(data=True):
        assert d["label"] and d["label"] == d["name"] and d["type"], n
    assert g.nodes["p:周佰发"]["label"] == "周佰发" and g.nodes[document_node_id(DOC)]["type"] == "DOCUMENT"
    assert all(d["label"] == d["relation"] for *_, d in g.edges(data=True))
    place = g.nodes["l:洮南市"]  # cpca's table: adcode and coordinates
    assert place["adcode"] == "220881000000" and 122 < place["longitude"] < 123 and 45 < place["latitude"] < 46
    (gexf,) = export(result, tmp_path / "gexf", "gexf")
    assert nx.read_gexf(gexf).nodes["l:白城市"]["label"] == "白城市"


def test_places_carry_adcode_and_coordinates(result, tmp_path):
    export(result, tmp_path, "csv")
    with open(tmp_path / "entities.csv", encoding="utf-8", newline="") as fh:
        ents = {r["name"]: r for r in csv.DictReader(fh)}
    assert ents["白城市"]["adcode"] == "220800000000" and float(ents["白城市"]["longitude"]) > 120
    assert ents["周佰发"]["adcode"] == "" and ents["周佰发"]["longitude"] == ""  # not a place


def test_lang_zh_headers_and_relation_names(result, tmp_path):
    from openpyxl import load_workbook

    export(result, tmp_path / "csv", "csv", lang="zh", bom=True)
    with open(tmp_path / "csv" / "relations.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:7] == ["主体", "主体类型", "关系", "职务", "客体", "客体类型", "日期"]
    officer = next(r for r in rows if r["主体"] == "周佰发" and r["职务"] == "民警")
    assert (officer["关系"], officer["主体类型"], officer["客体类型"]) == ("隶属", "人物", "机构")
    (path,) = export(result, tmp_path / "xlsx", "xlsx", lang="zh")
    wb = load_workbook(path)
    assert wb.sheetnames == ["关系", "隶属", "下属于", "位于", "发生于", "参与", "提及于", "实体", "提及", "文档"]
    assert [c.value for c in wb["实体"][1]][:3] == ["名称", "类型", "别名"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_build_tables_bom_and_lang_read_back(result, tmp_path, lang):
    """`kg build --bom --lang zh`: the build's own CSVs for Excel, still read back by render/load."""
    from kg.sinks.tables import read_tables

    write_tables(result, tmp_path / "plain")
    write_tables(result, tmp_path / "out", bom=True, lang=lang)
    raw = (tmp_path / "out" / "relations.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert ("隶属".encode() in raw and "主体ID".encode() in raw) == (lang == "zh")
    assert (b"BELONGS_TO" in raw) == (lang == "en")
    mine, plain = read_tables(tmp_path / "out"), read_tables(tmp_path / "plain")
    assert mine.entities == plain.entities and mine.relations == plain.relations
    assert mine.mentions == plain.mentions and mine.documents == plain.documents


def test_graphml_mixed_and_missing_values(tmp_path):
    res = sample_result()
    res.relations[1].properties.update(note=None, rank=3)
    res.relations[2].properties.update(rank="三")  # one key, two types: written as text throughout
    (path,) = export(res, tmp_path, "graphml")
    ranks = sorted(d["rank"] for _, _, d in read_graphml(path).edges(data=True) if "rank" in d)
    assert ranks == ["3", "三"]
    assert not any("note" in d for _, _, d in read_graphml(path).edges(data=True))


def test_empty_build_exports(tmp_path):
    for fmt in FORMATS:
        files = export(BuildResult(), tmp_path / fmt, fmt)
        assert_round_trip(BuildResult(), tmp_path / fmt, fmt, files)


def test_safe_sheet_names():
    names = safe_sheet_names(["a/b:c", "x" * 40, "X" * 40, "History", "", "'q'"])
    assert names[0] == "a_b_c"
    assert len(names[1]) == 31 and len(names[2]) == 31 and names[1].lower() != names[2].lower()
    assert names[3] != "History" and names[4] == "sheet" and names[5] == "q"


def test_unknown_format(result, tmp_path):
    with pytest.raises(KgError, match="unknown export format"):
        export(result, tmp_path, "docx")


def test_cli_export_from_output_folder(result, tmp_path, capsys):
    write_tables(result, tmp_path / "out")
    assert main(["export", str(tmp_path / "out"), "--format", "csv", "--bom"]) == 0
    target = tmp_path / "out" / "export-csv"
    assert (target / "relations.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert str(target / "entities.csv") in capsys.readouterr().out
    assert main(["export", str(tmp_path / "out"), "--format", "xlsx", "-o", str(tmp_path / "x")]) == 0
    assert (tmp_path / "x" / "relations.xlsx").exists()
    assert main(["export", str(tmp_path / "out"), "--format", "csv", "--lang", "zh", "-o", str(tmp_path / "z")]) == 0
    assert "隶属".encode() in (tmp_path / "z" / "relations.csv").read_bytes()


def test_node_link_keeps_edge_source(result, tmp_path):
    """node-link JSON names a link's ends `source`/`target`: an inferred edge's `source` must not vanish."""
    (path,) = export(result, tmp_path, "node-link")
    data = json.loads(path.read_text(encoding="utf-8"))
    link = next(x for x in data["links"] if x["source"] == "l:洮南市" and x["relation"] == "LOCATED_IN")
    assert (link["target"], link["relation_source"]) == ("l:白城市", "gazetteer")
    g = nx.node_link_graph(data, directed=True, multigraph=True, edges="links")  # plain networkx reads it too
    assert g.nodes["o:交巡警大队"]["aliases"] == ["交巡警大队", '名字,带"引号"']
    assert read_node_link(path).edges["l:洮南市", "l:白城市", "LOCATED_IN:0"]["source"] == "gazetteer"


@pytest.mark.parametrize("fmt", ["xlsx", "graphml"])
def test_xml_formats_drop_what_xml_cannot_hold(tmp_path, fmt):
    """XLSX and GraphML are XML: control characters are dropped and \\r\\n reads back as \\n, not a crash."""
    res = sample_result()
    res.relations[1].evidence.text = "回车\r\n换行\x01控制"
    (path,) = export(res, tmp_path, fmt)
    if fmt == "xlsx":
        from openpyxl import load_workbook

        ws = load_workbook(path)["BELONGS_TO"]
        texts = [c.value for c in ws["K"]]
    else:
        texts = [d.get("evidence") for _, _, d in read_graphml(path).edges(data=True)]
    # the control character goes; \r\n stays (XLSX, openpyxl 3.1.5) or reads back as \n (GraphML)
    assert "回车\n换行控制" in [str(t).replace("\r\n", "\n") for t in texts]


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_export_seeds(seeds_out, tmp_path, fmt, capsys):
    """`kg export` writes every format from the real seeds' output folder, and it reads back equal."""
    from kg.sinks.tables import read_tables

    assert main(["export", str(seeds_out), "--format", fmt, "-o", str(tmp_path), "--bom"]) == 0
    files = [Path(line) for line in capsys.readouterr().out.splitlines()]
    result = read_tables(seeds_out)
    assert result.entities and result.relations
    assert_round_trip(result, tmp_path, fmt, files)


def test_failed_export_leaves_previous_files(result, tmp_path, monkeypatch):
    """All or nothing: an export that fails halfway changes none of the previous export's files."""
    import kg.sinks.export as export_mod

    export(result, tmp_path, "csv")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    calls = []

    def failing_cell(value, kind):
        calls.append(1)
        if len(calls) > 200:  # after relations.csv and some per-type files are complete
            raise OSError("disk full")
        return csv_cell(value, kind)

    monkeypatch.setattr(export_mod, "csv_cell", failing_cell)
    res = sample_result()
    res.entities[0].name = "周佰发（改）"
    with pytest.raises(OSError, match="disk full"):
        export(res, tmp_path, "csv", bom=True)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


# ---- issue 26, item 5: hostile names never make an invalid export -------------------------------------

def _renamed_document(res: BuildResult, new: str) -> BuildResult:
    """`res` with its one document (and everything pointing at it) renamed to `new`."""
    old = res.documents[0].id
    res.documents[0].id = new
    for m in res.mentions:
        m.doc_id = new
    for r in res.relations:
        r.target_id = document_node_id(new) if r.target_id == document_node_id(old) else r.target_id
        if r.evidence is not None:
            r.evidence.doc_id = new
    for e in res.entities:
        if "documents" in e.attrs:
            e.attrs["documents"] = [new if d == old else d for d in e.attrs["documents"]]
    return res


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_control_characters_in_file_names_and_names_make_valid_xml(tmp_path, fmt):
    """A file named with control characters put them in a document node id: GraphML/GEXF no XML parser reads."""
    import xml.etree.ElementTree as ET

    res = _renamed_document(sample_result(), "a\x01b\x1b[31m.txt")
    res.entities[0].name = "周\x07佰发"
    (path,) = export(res, tmp_path, fmt)
    ET.parse(path)  # well-formed XML
    g = read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert document_node_id("a\\x01b\\x1b[31m.txt") in g.nodes  # escaped, so still one id per document
    assert "周佰发" in {d.get("label") for _, d in g.nodes(data=True)}


def test_neo4j_import_with_every_usual_array_delimiter_in_a_name(tmp_path):
    """`kg export --format neo4j-import` raised ValueError when an alias held ; | ¦ and ¤."""
    from kg.sinks.neo4j_import import write_import_csv

    res = sample_result()
    res.entities[2].aliases = ["甲;乙|丙¦丁¤戊", "交巡警大队"]
    files = write_import_csv(res, tmp_path)
    assert (tmp_path / "array-delimiter.txt").read_text(encoding="utf-8") == "\ue000\n"
    assert "--array-delimiter=U+E000" in (tmp_path / "import.sh").read_text(encoding="utf-8")
    with open(next(f for f in files if f.name == "entities.csv"), encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert ["甲;乙|丙¦丁¤戊", "交巡警大队"] in [r["aliases:string[]"].split("\ue000") for r in rows]


def test_xlsx_cells_over_excels_limit_are_cut_at_an_item_and_said(tmp_path, capsys):
    """A city named in 3,000 documents: the cell was cut at 32,767 characters mid-item, silently."""
    from openpyxl import load_workbook

    res = sample_result()
    docs = [f"新闻/2020/第{i:05d}篇报道.txt" for i in range(3000)]
    res.entities[5].attrs["documents"] = docs
    res.documents += [Document(id=d, path=d, text="", sha256="cd" * 32) for d in docs]
    notes: list[str] = []
    (path,) = export(res, tmp_path / "x", "xlsx", notes=notes)
    ws = load_workbook(path)["entities"]
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2, values_only=True) if r[header.index("name")] == "白城市")
    cell = row[header.index("documents")]
    kept, more = cell.split("|")[:-1], cell.split("|")[-1]
    assert len(cell) <= 32767 and kept == docs[:len(kept)] and more == f"… (+{3000 - len(kept)} more)"
    assert notes == [f"relations.xlsx sheet 'entities' row {row_number(ws, '白城市')} column 'documents': over "
                     f"Excel's 32,767 characters; the last {3000 - len(kept)} item(s) left out (the csv and "
                     "parquet exports have them)"]
    out = tmp_path / "build"
    write_tables(res, out)
    assert main(["export", str(out), "--format", "xlsx", "-o", str(tmp_path / "cli")]) == 0
    assert "kg: warning: relations.xlsx sheet 'entities' row" in capsys.readouterr().err


def row_number(ws, name: str) -> int:
    return next(i for i, r in enumerate(ws.iter_rows(values_only=True), 1) if name in r)
