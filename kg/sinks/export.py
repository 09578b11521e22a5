"""`kg export`: relation tables for spreadsheets and graph files for Gephi, Cytoscape and networkx.

Each format is written into one folder, all files or none (`kg.atomic.staged_folder`):

    csv        relations.csv (all), relations_<TYPE>.csv (one per relation type), entities.csv,
               mentions.csv, documents.csv; UTF-8, or UTF-8 with BOM (`bom=True`) so that Excel
               shows Chinese intact
    xlsx       relations.xlsx: sheets `relations`, one per relation type, `entities`, `mentions`,
               `documents`; a list over Excel's 32,767 characters per cell (a city named in 3,000
               documents) is cut at an item boundary, its last item `… (+N more)`, with a note
    parquet    the same tables as csv, as .parquet (lists stay lists)
    graphml    graph.graphml: `kg.graph.to_networkx`, lists and dicts as JSON strings
               (GraphML holds scalars only); `read_graphml` decodes them again. Every node has a
               `label` (its name: what Gephi shows) and a `type`; every edge a `label` (its relation)
    gexf       graph.gexf: the same graph as GEXF 1.2, Gephi's own format

`lang="zh"` writes the table headers, sheet names and relation and type names in Chinese
(`kg.sinks.labels`). Places that name exactly one division of cpca's table carry its `adcode`,
`longitude` and `latitude` (`kg.sinks.geo`).
    node-link  graph.json: networkx node-link JSON; an edge attribute named like a link key
               (an inferred edge's `source`) is written as `relation_source`; `read_node_link`
               restores it

The tables' columns and rows are `kg.schema`'s readable tables (`EXPORT_RELATION_COLUMNS`, ...).

    >>> export(result, Path("out/export-xlsx"), "xlsx")
    [PosixPath('out/export-xlsx/relations.xlsx')]
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import networkx as nx

from kg.atomic import atomic_open, staged_folder
from kg.errors import KgError
from kg.graph import read_node_link as kg_read_node_link
from kg.graph import to_networkx, write_node_link
from kg.schema import (
    EXPORT_DOCUMENT_COLUMNS,
    EXPORT_ENTITY_COLUMNS,
    EXPORT_MENTION_COLUMNS,
    EXPORT_RELATION_COLUMNS,
    PLACE_COLUMNS,
    by_relation,
    export_document_row,
    export_mention_rows,
    export_place_rows,
    export_relation_rows,
    relation_types,
)
from kg.sinks.geo import place_codes
from kg.sinks.labels import header as zh_header
from kg.sinks.labels import value as label_value
from kg.types import BuildResult

TRANSLATED = {"relation", "type", "head_type", "tail_type"}  # columns whose values `lang` translates
SHEET_ZH = {"relations": "关系", "entities": "实体", "mentions": "提及", "documents": "文档"}

FORMATS = ("csv", "xlsx", "parquet", "graphml", "gexf", "node-link")
LIST_SEP = "|"  # how CSV and XLSX cells hold lists (aliases, documents), as in the build's entities.csv
JSON_ATTRIBUTES = "kg_json_attributes"  # graph attribute naming the GraphML keys stored as JSON
RENAMED_ATTRIBUTES = "kg_renamed_attributes"  # graph attribute: node-link names → own names
NODE_LINK_NODE_RENAMES = {"id": "entity_id"}  # node-link's own keys → what such attributes become
NODE_LINK_EDGE_RENAMES = {"source": "relation_source", "target": "relation_target", "key": "relation_key"}
XLSX_MAX_CELL = 32767  # Excel refuses longer cells


def export(result: BuildResult, out_dir: Path, fmt: str, bom: bool = False, lang: str = "en",
           notes: list[str] | None = None) -> list[Path]:
    """Write `result` into `out_dir` in format `fmt`; return the files written (other files are kept).

    `notes` gets a line for each value a format could not hold whole (an XLSX cell over 32,767 characters)."""
    writers: dict[str, Callable[[BuildResult, Path], list[Path]]] = {
        "csv": lambda res, out: write_csv_tables(res, out, bom=bom, lang=lang),
        "xlsx": lambda res, out: write_xlsx(res, out, lang=lang, notes=notes),
        "parquet": lambda res, out: write_parquet(res, out, lang=lang),
        "graphml": write_graphml_file, "gexf": write_gexf_file,
        "node-link": write_node_link_file,
    }
    if fmt not in writers:
        raise KgError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    # all or nothing: a failure halfway (disk full, a bad value) leaves the previous export as it was
    with staged_folder(out_dir) as stage:
        files = writers[fmt](result, stage)
    return [Path(out_dir) / f.name for f in files]


# ---- tables ---------------------------------------------------------------------------------------

def tables(result: BuildResult, lang: str = "en") -> list[tuple[str, str, dict[str, str], list[dict]]]:
    """(file stem, sheet name, columns, rows): all relations, each relation type, entities, mentions,
    documents; in `lang` ("zh": Chinese headers, sheet names, relation and type names)."""
    rows = export_relation_rows(result)
    out = [("relations", "relations", EXPORT_RELATION_COLUMNS, rows)]
    for rel, group in by_relation(rows, relation_types(result)).items():
        out.append((f"relations_{_safe_stem(rel)}", rel, EXPORT_RELATION_COLUMNS, group))
    out.append(("entities", "entities", {**EXPORT_ENTITY_COLUMNS, **PLACE_COLUMNS}, export_place_rows(result)))
    out.append(("mentions", "mentions", EXPORT_MENTION_COLUMNS, export_mention_rows(result)))
    out.append(("documents", "documents", EXPORT_DOCUMENT_COLUMNS, list(map(export_document_row, result.documents))))
    if lang == "en":
        return out
    return [(stem, SHEET_ZH.get(sheet) or label_value(sheet, lang), {zh_header(c, lang): k for c, k in columns.items()},
             [{zh_header(c, lang): label_value(v, lang) if c in TRANSLATED else v for c, v in row.items()} for row in rows])
            for stem, sheet, columns, rows in out]


def _safe_stem(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", name) or "_"


def csv_cell(value, kind: str) -> str:
    """How a CSV cell holds a typed value: lists `|`-joined, true as `true`, false and None as ''."""
    if kind == "list":
        return LIST_SEP.join(value)
    if kind == "bool":
        return "true" if value else ""
    return "" if value is None else str(value)


def write_csv_tables(result: BuildResult, out: Path, bom: bool = False, lang: str = "en") -> list[Path]:
    encoding = "utf-8-sig" if bom else "utf-8"
    paths = []
    for stem, _sheet, columns, rows in tables(result, lang):
        path = out / f"{stem}.csv"
        with atomic_open(path, encoding=encoding, newline="") as fh:
            w = csv.writer(fh)  # quotes cells holding commas, quotes and line breaks; \r\n rows, as Excel wants
            w.writerow(columns)
            for row in rows:
                w.writerow([csv_cell(row[c], kind) for c, kind in columns.items()])
        paths.append(path)
    return paths


def safe_sheet_names(names: list[str]) -> list[str]:
    """Excel sheet names: no []:*?/\\, at most 31 characters, not blank, unique ignoring case."""
    out: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31] or "sheet"
        cand, n = base, 1
        while cand.lower() in seen or cand.lower() == "history":  # "History" is reserved by Excel
            n += 1
            cand = f"{base[:31 - len(str(n)) - 1]}~{n}"
        seen.add(cand.lower())
        out.append(cand)
    return out


def xlsx_list_cell(items: list[str], limit: int = XLSX_MAX_CELL) -> tuple[str, int]:
    """(cell, items left out): `items` `|`-joined, cut at an item boundary to fit an Excel cell, the
    last item then saying how many more there are (the CSV and Parquet exports have them all)."""
    text = LIST_SEP.join(items)
    if len(text) <= limit:
        return text, 0
    kept, size = 0, 0
    while True:
        more = f"… (+{len(items) - kept} more)"
        nxt = size + len(items[kept]) + (1 if kept else 0) if kept < len(items) else limit + 1
        if nxt + len(LIST_SEP) + len(more) > limit:
            return LIST_SEP.join([*items[:kept], more]), len(items) - kept
        kept, size = kept + 1, nxt


def write_xlsx(result: BuildResult, out: Path, lang: str = "en", notes: list[str] | None = None) -> list[Path]:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)
    parts = tables(result, lang)
    for (_stem, _sheet, columns, rows), name in zip(parts, safe_sheet_names([p[1] for p in parts]), strict=True):
        ws = wb.create_sheet(name)
        for i, col in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = 60 if col in ("evidence", zh_header("evidence", lang)) else 18
        ws.freeze_panes = "A2"
        header = []
        for col in columns:
            cell = WriteOnlyCell(ws, value=col)
            cell.font = bold
            header.append(cell)
        ws.append(header)
        for n, row in enumerate(rows, 2):
            cells = []
            for col, kind in columns.items():
                v = row[col]
                if kind == "list":
                    v, cut = xlsx_list_cell([ILLEGAL_CHARACTERS_RE.sub("", x) for x in v])
                    if cut and notes is not None:
                        notes.append(f"relations.xlsx sheet {name!r} row {n} column {col!r}: over Excel's "
                                     f"{XLSX_MAX_CELL:,} characters; the last {cut} item(s) left out "
                                     "(the csv and parquet exports have them)")
                if isinstance(v, str):
                    # \r\n as \n: what XML reads back anyway, and the same whether openpyxl writes with lxml or not
                    v = ILLEGAL_CHARACTERS_RE.sub("", v.replace("\r\n", "\n"))
                    if len(v) > XLSX_MAX_CELL:
                        v = v[:XLSX_MAX_CELL]
                        if notes is not None:
                            notes.append(f"relations.xlsx sheet {name!r} row {n} column {col!r}: cut at Excel's "
                                         f"{XLSX_MAX_CELL:,} characters (the csv and parquet exports have it whole)")
                    cell = WriteOnlyCell(ws, value=v or None)
                    if v:
                        cell.data_type = "s"  # text, never a formula: a sentence starting with "=" stays one
                    cells.append(cell)
                else:
                    cells.append(v)
            ws.append(cells)
        if rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"
    path = out / "relations.xlsx"
    with atomic_open(path, "wb") as fh:
        wb.save(fh)
    return [path]


def parquet_schema(columns: dict[str, str]):
    import pyarrow as pa

    kinds = {"str": pa.string(), "int": pa.int64(), "bool": pa.bool_(), "float": pa.float64(),
             "list": pa.list_(pa.string())}
    return pa.schema([(c, kinds[k]) for c, k in columns.items()])


def write_parquet(result: BuildResult, out: Path, lang: str = "en") -> list[Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    paths = []
    for stem, _sheet, columns, rows in tables(result, lang):
        path = out / f"{stem}.parquet"
        table = pa.Table.from_pylist(rows, schema=parquet_schema(columns))
        with atomic_open(path, "wb") as fh:
            pq.write_table(table, fh)
        paths.append(path)
    return paths


# ---- graphs ---------------------------------------------------------------------------------------

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_id(node: str) -> str:
    """A node id XML can hold: what it cannot (control characters, lone surrogates) as \\xNN escapes."""
    return _XML_ILLEGAL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), node)


def _scalar_attrs(items: list[dict]) -> set[str]:
    """Make every attribute a GraphML scalar of one type, in place; return the keys stored as JSON."""
    kinds: dict[str, set[type]] = {}
    for attrs in items:
        for k, v in list(attrs.items()):
            if v is None:
                del attrs[k]  # GraphML has no null: absent means absent
            else:
                kinds.setdefault(k, set()).add(type(v))
    as_json = {k for k, ts in kinds.items() if ts & {list, tuple, dict, set}}
    as_str = {k for k, ts in kinds.items() if k not in as_json and (len(ts) > 1 or not ts <= {str, int, float, bool})}
    for attrs in items:
        for k, v in attrs.items():
            if k in as_json:
                v = json.dumps(sorted(v) if isinstance(v, set) else v, ensure_ascii=False)
            elif k in as_str:
                v = str(v)
            attrs[k] = _XML_ILLEGAL.sub("", v) if isinstance(v, str) else v
    return as_json


def graphml_graph(result: BuildResult) -> nx.MultiDiGraph:
    """`to_networkx(result)` with only scalar attributes, one type per key, as GraphML requires;
    `label` on every node (its name) and edge (its relation), adcode and coordinates on places."""
    g = to_networkx(result)
    codes = place_codes(d.get("name", "") for _, d in g.nodes(data=True) if d.get("type") == "LOC")
    for n, d in g.nodes(data=True):
        d["label"] = str(d.get("name", n))
        d.setdefault("type", "")
        code = codes.get(d["label"]) if d["type"] == "LOC" else None
        if code:
            d.update(adcode=code.adcode, longitude=code.longitude, latitude=code.latitude)
    for _, _, d in g.edges(data=True):
        d["label"] = str(d.get("relation", ""))
    bad = {n: _xml_id(n) for n in g.nodes if isinstance(n, str) and _XML_ILLEGAL.search(n)}
    if bad:  # a control character in a file name is in its document's node id: escaped, so ids stay unique
        nx.relabel_nodes(g, bad, copy=False)
    node_json = _scalar_attrs([d for _, d in g.nodes(data=True)])
    edge_json = _scalar_attrs([d for _, _, d in g.edges(data=True)])
    g.graph[JSON_ATTRIBUTES] = json.dumps({"node": sorted(node_json), "edge": sorted(edge_json)})
    return g


def write_graphml_file(result: BuildResult, out: Path) -> list[Path]:
    path = out / "graph.graphml"
    with atomic_open(path, "wb") as fh:  # the stdlib writer: the same file whether lxml is installed or not
        nx.write_graphml_xml(graphml_graph(result), fh)
    return [path]


def write_gexf_file(result: BuildResult, out: Path) -> list[Path]:
    path = out / "graph.gexf"
    with atomic_open(path, "wb") as fh:
        nx.write_gexf(graphml_graph(result), fh)
    return [path]


def read_graphml(path: str | Path) -> nx.MultiDiGraph:
    """Read an exported graph.graphml back, with list and dict attributes decoded from JSON.

    >>> export(result, Path("out/export-graphml"), "graphml")
    [PosixPath('out/export-graphml/graph.graphml')]
    >>> g = read_graphml("out/export-graphml/graph.graphml")
    >>> g.nodes["org-bc"]["aliases"]
    ['白城公安']
    """
    g = nx.read_graphml(path, edge_key_type=str, force_multigraph=True)
    keys = json.loads(g.graph.pop(JSON_ATTRIBUTES, "{}") or "{}")
    for k in keys.get("node", []):
        for _, d in g.nodes(data=True):
            if k in d:
                d[k] = json.loads(d[k])
    for k in keys.get("edge", []):
        for _, _, d in g.edges(data=True):
            if k in d:
                d[k] = json.loads(d[k])
    return g


def node_link_graph(result: BuildResult) -> nx.MultiDiGraph:
    """`to_networkx(result)` with attributes that node-link JSON would overwrite renamed.

    A link's `source`, `target` and `key` are its ends and key, so an inferred edge's
    `source: "gazetteer"` would silently vanish; it is written as `relation_source` instead
    (a node's `id` as `entity_id`), and the renames are recorded for `read_node_link`.
    """
    g = to_networkx(result)
    renamed: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    for scope, items, names in (("node", [d for _, d in g.nodes(data=True)], NODE_LINK_NODE_RENAMES),
                                ("edge", [d for _, _, d in g.edges(data=True)], NODE_LINK_EDGE_RENAMES)):
        for attrs in items:
            for old, new in names.items():
                if old in attrs:
                    attrs[new] = attrs.pop(old)
                    renamed[scope][new] = old
    g.graph[RENAMED_ATTRIBUTES] = renamed
    return g


def write_node_link_file(result: BuildResult, out: Path) -> list[Path]:
    path = out / "graph.json"
    write_node_link(node_link_graph(result), path)
    return [path]


def read_node_link(path: str | Path) -> nx.MultiDiGraph:
    """Read an exported graph.json back, with renamed attributes under their own names again."""
    g = kg_read_node_link(path)
    renamed = g.graph.pop(RENAMED_ATTRIBUTES, {})
    for new, old in renamed.get("node", {}).items():
        for _, d in g.nodes(data=True):
            if new in d:
                d[old] = d.pop(new)
    for new, old in renamed.get("edge", {}).items():
        for _, _, d in g.edges(data=True):
            if new in d:
                d[old] = d.pop(new)
    return g
