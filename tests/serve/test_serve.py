"""kg serve: the index, the JSON API and the CLI, on the seeds' build and on a small build of our own.

Servers listen on 127.0.0.1 on a free port, started and stopped by each fixture.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.serve.app import BackgroundServer, create_app
from kg.serve.index import INDEX_NAME, ensure_index, iso_bounds
from kg.sinks.tables import TABLES, read_tables, write_tables
from kg.types import BuildResult, Document, Entity, Evidence, Mention, Relation, Sentence, document_node_id


def get(url: str, path: str, **params) -> dict:
    q = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
    with urllib.request.urlopen(f"{url}{path}{'?' + q if q else ''}", timeout=30) as r:
        return json.loads(r.read().decode("utf-8"))


def status_of(url: str, path: str, method: str = "GET") -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url + path, method=method), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as err:
        return err.code


def copy_build(src: Path, dst: Path) -> Path:
    """The tables of a build folder (not its store), so each test's index is its own."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in [*TABLES, "manifest.json", "graph.json"]:
        if (src / name).exists():
            shutil.copy2(src / name, dst / name)
    return dst


# ---------------------------------------------------------------- a small build of our own

TEXT_A = "王强是东风派出所民警。东风派出所隶属长河区公安分局。长河区公安分局位于长河市。"
TEXT_B = "李明是西山派出所所长。西山派出所隶属长河区公安分局。公元前2300年，大禹在长河治水。"


def _sentences(doc: str, text: str) -> list[Sentence]:
    out, start = [], 0
    for i, part in enumerate(p + "。" for p in text.split("。") if p):
        out.append(Sentence(doc_id=doc, index=i, text=part, offsets=list(range(start, start + len(part)))))
        start += len(part)
    return out


def small_result(folder: Path) -> BuildResult:
    """Two documents on disk; a diamond (two shortest paths 王强 → 长河区公安分局 → ...), a BC-dated
    event, an inferred edge, an island (周平) with no path to the rest."""
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for name, text in (("a.txt", TEXT_A), ("b.txt", TEXT_B)):
        (folder / name).write_text(text, encoding="utf-8")
        import hashlib

        docs.append(Document(id=name, path=str(folder / name), text=text,
                             sha256=hashlib.sha256(text.encode("utf-8")).hexdigest()))
    sents = _sentences("a.txt", TEXT_A) + _sentences("b.txt", TEXT_B)
    by = {(s.doc_id, s.index): s for s in sents}
    ents: dict[str, Entity] = {}

    def ent(eid, name, typ, aliases=(), iso=""):
        ents[eid] = Entity(id=eid, name=name, type=typ, aliases=list(aliases), attrs={"iso": iso} if iso else {})

    def mention(eid, doc, si, surface):
        s = by[(doc, si)]
        at = s.text.index(surface)
        ents[eid].mentions.append(Mention(doc_id=doc, sentence=si, start=s.start + at, end=s.start + at + len(surface),
                                          text=surface, type=ents[eid].type if ents[eid].type != "EVENT" else "LOC",
                                          entity_id=eid))

    ent("p-wang", "王强", "PERSON")
    ent("p-li", "李明", "PERSON")
    ent("p-zhou", "周平", "PERSON")
    ent("o-df", "东风派出所", "ORG", aliases=["东风所"])
    ent("o-xs", "西山派出所", "ORG")
    ent("o-ch", "长河区公安分局", "ORG", aliases=["长河分局"])
    ent("l-ch", "长河市", "LOC")
    ent("e-dy", "大禹在长河治水", "EVENT")
    for eid, doc, si, surface in [("p-wang", "a.txt", 0, "王强"), ("o-df", "a.txt", 0, "东风派出所"),
                                  ("o-df", "a.txt", 1, "东风派出所"), ("o-ch", "a.txt", 1, "长河区公安分局"),
                                  ("o-ch", "a.txt", 2, "长河区公安分局"), ("l-ch", "a.txt", 2, "长河市"),
                                  ("p-li", "b.txt", 0, "李明"), ("o-xs", "b.txt", 0, "西山派出所"),
                                  ("o-xs", "b.txt", 1, "西山派出所"), ("o-ch", "b.txt", 1, "长河区公安分局"),
                                  ("e-dy", "b.txt", 2, "大禹在长河治水")]:
        mention(eid, doc, si, surface)

    def ev(doc, si):
        s = by[(doc, si)]
        return Evidence(doc_id=doc, sentence=si, start=s.start, end=s.end, text=s.text)

    rels = [Relation("p-wang", "BELONGS_TO", "o-df", {"role": "民警"}, ev("a.txt", 0)),
            Relation("o-df", "PART_OF", "o-ch", {}, ev("a.txt", 1)),
            Relation("o-ch", "LOCATED_IN", "l-ch", {}, ev("a.txt", 2)),
            Relation("p-li", "BELONGS_TO", "o-xs", {"role": "所长"}, ev("b.txt", 0)),
            Relation("o-xs", "PART_OF", "o-ch", {}, ev("b.txt", 1)),
            Relation("p-wang", "BELONGS_TO", "o-xs", {"inferred": True}, None),
            Relation("e-dy", "EVENT_AT", "l-ch", {"date": "公元前2300年", "iso_date": "-2300"}, ev("b.txt", 2))]
    for e in ents.values():
        for d in sorted({m.doc_id for m in e.mentions}):
            rels.append(Relation(e.id, "MENTIONED_IN", document_node_id(d), {"count": 1}, None))
    res = BuildResult(documents=docs, sentences=sents, entities=list(ents.values()),
                      mentions=[m for e in ents.values() for m in e.mentions], relations=rels)
    return res


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve-small")
    out = root / "out"
    write_tables(small_result(root / "docs"), out)
    with BackgroundServer(out) as url:
        yield url, out, root


def test_iso_bounds_sort_bc_years_and_ranges():
    assert iso_bounds("2020-01-26") == (20200126, 20200126)
    assert iso_bounds("2020-03") == (20200301, 20200331)
    assert iso_bounds("2020-01-26/2020-02-03") == (20200126, 20200203)
    lo, hi = iso_bounds("-2300")
    assert lo < hi < iso_bounds("-2299")[0] < iso_bounds("0800")[0] < iso_bounds("2020")[0]
    assert iso_bounds("至今") is None and iso_bounds("") is None


def test_search_exact_first_aliases_and_types(small):
    url, _, _ = small
    hits = get(url, "/api/search", q="派出所")["hits"]
    assert {h["id"] for h in hits} == {"o-df", "o-xs"}
    top = get(url, "/api/search", q="长河区公安分局")["hits"][0]
    assert top["id"] == "o-ch" and top["exact"] and top["matched"] == "长河区公安分局"
    hit = get(url, "/api/search", q="东风所")["hits"][0]
    assert hit["id"] == "o-df" and hit["exact"] and hit["matched"] == "东风所"
    assert hit["mentions"] == 2 and hit["degree"] == 2 and hit["type"] == "ORG"
    # an exact name ranks before names that start with it, which rank before names that contain it
    assert [h["id"] for h in get(url, "/api/search", q="长河市")["hits"]] == ["l-ch"]
    hits = [h["id"] for h in get(url, "/api/search", q="长河")["hits"]]
    assert set(hits) == {"o-ch", "l-ch", "e-dy"} and hits[-1] == "e-dy"
    assert [h["id"] for h in get(url, "/api/search", q="长河", types="LOC")["hits"]] == ["l-ch"]
    assert get(url, "/api/search", q="不存在的名字")["hits"] == []
    # inside a name, three characters or more (the trigram index) and fewer (a scan)
    assert [h["id"] for h in get(url, "/api/search", q="区公安")["hits"]] == ["o-ch"]
    assert [h["id"] for h in get(url, "/api/search", q="禹在")["hits"]] == ["e-dy"]
    for odd in ['"派出', "所%", "_", "%", "'", "OR 1=1 --"]:  # taken literally, never as a pattern
        assert get(url, "/api/search", q=odd)["hits"] == []


def test_neighbours_fact_edges_only_with_filters(small):
    url, _, _ = small
    g = get(url, "/api/neighbours", ids="o-ch")
    rels = sorted(e["relation"] for e in g["edges"])
    assert rels == ["LOCATED_IN", "PART_OF", "PART_OF"]  # no MENTIONED_IN, no documents as nodes
    assert {n["id"] for n in g["nodes"]} == {"o-ch", "o-df", "o-xs", "l-ch"}
    e = next(e for e in g["edges"] if e["from"] == "o-df")
    assert e["document"] == "a.txt" and e["evidence"] == "东风派出所隶属长河区公安分局。"
    assert TEXT_A[e["start"]:e["end"]] == e["evidence"]
    assert [e["relation"] for e in get(url, "/api/neighbours", ids="o-ch", relations="LOCATED_IN")["edges"]] == \
        ["LOCATED_IN"]
    assert {n["id"] for n in get(url, "/api/neighbours", ids="o-ch", types="LOC")["nodes"]} == {"o-ch", "l-ch"}
    assert get(url, "/api/neighbours", ids="o-ch", doc="b.txt")["edges"][0]["from"] == "o-xs"
    wang = get(url, "/api/neighbours", ids="p-wang")
    assert len(wang["edges"]) == 2
    assert [e["to"] for e in get(url, "/api/neighbours", ids="p-wang", inferred="inferred")["edges"]] == ["o-xs"]
    assert [e["to"] for e in get(url, "/api/neighbours", ids="p-wang", inferred="stated")["edges"]] == ["o-df"]
    # expand step by step: two centres give the union
    both = get(url, "/api/neighbours", ids="p-wang,o-df")
    assert {n["id"] for n in both["nodes"]} == {"p-wang", "o-df", "o-xs", "o-ch"}
    # a hub cut at `limit` says how many edges were left out
    cut = get(url, "/api/neighbours", ids="o-ch", limit=1)
    assert len(cut["edges"]) == 1 and cut["truncated"] == {"o-ch": 2}


def test_date_range_filter_places_bc_years(small):
    url, _, _ = small
    meta = get(url, "/api/meta")
    assert meta["dated"][0][2] == "-2300-01-01" and sum(b[1] for b in meta["dated"]) == 1
    near = get(url, "/api/neighbours", ids="l-ch", **{"from": "-2400", "to": "-2200"})
    assert {e["relation"] for e in near["edges"]} == {"EVENT_AT", "LOCATED_IN"}  # undated edges stay
    far = get(url, "/api/neighbours", ids="l-ch", **{"from": "1900", "to": "2020"})
    assert {e["relation"] for e in far["edges"]} == {"LOCATED_IN"}
    only = get(url, "/api/neighbours", ids="l-ch", undated="0", **{"from": "-2400", "to": "-2200"})
    assert [e["relation"] for e in only["edges"]] == ["EVENT_AT"]


def test_shortest_paths_all_of_them_and_none(small):
    url, _, _ = small
    p = get(url, "/api/path", from_id="p-wang", to_id="l-ch")
    assert p["hops"] == 3
    assert sorted(p["paths"]) == [["p-wang", "o-df", "o-ch", "l-ch"], ["p-wang", "o-xs", "o-ch", "l-ch"]]
    edges = {e["id"]: e for e in p["edges"]}
    for nodes, eids in zip(p["paths"], p["path_edges"], strict=True):
        for (a, b), eid in zip(zip(nodes, nodes[1:], strict=False), eids, strict=True):
            assert {edges[eid]["from"], edges[eid]["to"]} == {a, b}
    stated = get(url, "/api/path", from_id="p-wang", to_id="l-ch", inferred="stated")
    assert stated["paths"] == [["p-wang", "o-df", "o-ch", "l-ch"]]
    assert get(url, "/api/path", from_id="p-wang", to_id="p-li")["paths"] == [["p-wang", "o-xs", "p-li"]]
    assert get(url, "/api/path", from_id="p-wang", to_id="p-zhou")["paths"] == []
    assert get(url, "/api/path", from_id="p-wang", to_id="l-ch", relations="BELONGS_TO,LOCATED_IN")["paths"] == []
    assert get(url, "/api/path", from_id="p-wang", to_id="p-li", types="PERSON,LOC")["paths"] == []  # not via units
    assert get(url, "/api/path", from_id="p-wang", to_id="l-ch", max_hops=2)["paths"] == []


def test_source_text_from_file_and_from_sentences(small):
    url, out, root = small
    edge = next(e for e in get(url, "/api/neighbours", ids="e-dy")["edges"])
    d = get(url, f"/api/document/{edge['document']}", sentence=edge["sentence"], entities="e-dy,l-ch")
    assert d["source"] == "file" and d["text"] == TEXT_B
    a, b = d["highlight"]["sentence"]
    assert d["text"][a:b] == edge["evidence"] == "公元前2300年，大禹在长河治水。"
    assert [d["text"][a:b] for a, b in d["highlight"]["mentions"]] == ["大禹在长河治水"]
    m = get(url, "/api/node/p-li")["mention_list"][0]
    d = get(url, "/api/document/b.txt", sentence=m["sentence"], start=m["start"], end=m["end"])
    a, b = d["highlight"]["mentions"][0]
    assert d["text"][a:b] == "李明"
    # the file changed since the build: the text comes from sentences.csv, highlights still right
    (root / "docs" / "b.txt").write_text(TEXT_B + "（更正）", encoding="utf-8")
    d = get(url, "/api/document/b.txt", sentence=m["sentence"], start=m["start"], end=m["end"])
    assert d["source"] == "sentences" and "更正" not in d["text"]
    a, b = d["highlight"]["mentions"][0]
    assert d["text"][a:b] == "李明"


def test_read_only_and_no_paths_from_requests(small):
    url, out, _ = small
    secret = out.parent / "secret.txt"
    secret.write_text("TOP-SECRET", encoding="utf-8")
    for path in ["/api/document/..%2Fsecret.txt", "/api/document/%2Fetc%2Fpasswd", f"/api/document/{secret}",
                 "/static/..%2Fapp.py", "/static/%2E%2E/index.py"]:
        assert status_of(url, path) == 404, path
    assert status_of(url, "/api/meta", "POST") == 405
    assert status_of(url, "/api/node/nope") == 404
    assert status_of(url, "/api/neighbours?ids=o-ch&from=yesterday") == 400
    assert status_of(url, "/api/neighbours?ids=o-ch&limit=-1") == 400
    with urllib.request.urlopen(url + "/") as r:
        assert "default-src 'self'" in r.headers["Content-Security-Policy"]
        page = r.read().decode("utf-8")
    assert "http://" not in page and "https://" not in page  # nothing from a CDN


def test_index_built_once_rebuilt_for_a_new_build(tmp_path):
    out = tmp_path / "out"
    write_tables(small_result(tmp_path / "docs"), out)
    db = ensure_index(out)
    assert db == out / INDEX_NAME
    stamp = db.stat().st_mtime_ns
    create_app(out)
    assert db.stat().st_mtime_ns == stamp  # reused
    res = read_tables(out)
    res.entities = [e for e in res.entities if e.id != "p-zhou"]
    write_tables(res, out)
    ensure_index(out)
    con = sqlite3.connect(db)
    assert con.execute("SELECT count(*) FROM entities WHERE id = 'p-zhou'").fetchone()[0] == 0
    comm = dict(con.execute("SELECT id, community FROM entities"))
    assert comm["p-wang"] >= 0 and comm["o-ch"] >= 0


def test_communities_never_join_unconnected_entities(small):
    url, _, _ = small
    node = {i: get(url, f"/api/node/{i}") for i in ("p-wang", "o-ch", "p-zhou")}
    assert node["p-zhou"]["community"] == -1  # no fact edge: no community
    assert node["p-wang"]["community"] >= 0
    assert get(url, "/api/meta")["communities"] >= 1


def test_cli_serve_warns_off_loopback(monkeypatch, tmp_path):
    from kg import cli

    calls = []
    monkeypatch.setattr("kg.serve.app.run", lambda out, host, port, echo: calls.append((host, port)))
    out = tmp_path / "out"
    write_tables(small_result(tmp_path / "docs"), out)
    r = CliRunner(mix_stderr=False).invoke(cli.cli, ["serve", str(out), "--host", "0.0.0.0", "--port", "9001"])
    assert r.exit_code == 0 and "warning" in r.stderr and calls == [("0.0.0.0", 9001)]
    r = CliRunner(mix_stderr=False).invoke(cli.cli, ["serve", str(out)])
    assert r.exit_code == 0 and "warning" not in r.stderr and calls[-1] == ("127.0.0.1", 8765)


# ---------------------------------------------------------------- the seeds

@pytest.fixture(scope="module")
def seeds_served(seeds_out, tmp_path_factory):
    out = copy_build(seeds_out, tmp_path_factory.mktemp("serve-seeds") / "out")
    with BackgroundServer(out) as url:
        yield url


@pytest.mark.slow
def test_seeds_search_open_path_and_source(seeds_served):
    url = seeds_served
    meta = get(url, "/api/meta")
    assert meta["documents"] == 5 and "MENTIONED_IN" not in meta["relations"] and meta["communities"] > 1
    hit = get(url, "/api/search", q="周佰发")["hits"][0]
    assert hit["name"] == "周佰发" and hit["exact"] and hit["type"] == "PERSON"
    g = get(url, "/api/neighbours", ids=hit["id"])
    edge = next(e for e in g["edges"] if e["relation"] == "BELONGS_TO")
    assert edge["role"] == "民警" and "周佰发" in edge["evidence"]
    city = get(url, "/api/search", q="白城市", types="LOC")["hits"][0]
    p = get(url, "/api/path", from_id=hit["id"], to_id=city["id"])
    assert p["paths"] and p["paths"][0][0] == hit["id"] and p["paths"][0][-1] == city["id"] and p["hops"] >= 2
    names = {n["id"]: n["name"] for n in p["nodes"]}
    assert "洮南市公安局交巡警大队" in [names[i] for i in p["paths"][0]]
    d = get(url, f"/api/document/{edge['document']}", sentence=edge["sentence"], entities=f"{edge['from']},{edge['to']}")
    a, b = d["highlight"]["sentence"]
    assert d["text"][a:b].replace("\n", "") == edge["evidence"]
    assert {d["text"][a:b] for a, b in d["highlight"]["mentions"]} >= {"周佰发"}


def test_timeline_axis_leaves_outliers_aside_and_zooms():
    from kg.serve.queries import timeline

    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE edges (dlo INTEGER)")
    con.executemany("INSERT INTO edges VALUES (?)", [(19980100 + 1 + i % 31,) for i in range(300)])
    con.executemany("INSERT INTO edges VALUES (?)", [(iso_bounds("-2300")[0],), (iso_bounds("2800")[0],)])
    axis = timeline(con)
    assert sum(b[1] for b in axis) == 302
    assert axis[0][1:] == [1, "-2300-01-01", "1997-12-31"] and axis[-1][1:3] == [1, "1998-02-01"]
    days = axis[1:-1]
    assert [b[0] for b in days] == [f"1998-01-{d:02d}" for d in range(1, 32)]  # one bar per day, not per millennium
    zoom = timeline(con, *iso_bounds("1998-01-05/1998-01-07"))
    assert [b[0] for b in zoom[1:-1]] == ["1998-01-05", "1998-01-06", "1998-01-07"]
    assert zoom[0][3] == "1998-01-04" and sum(b[1] for b in zoom) == 302


def test_damaged_folder_is_one_line_error_and_no_index(tmp_path):
    from kg.sinks.tables import TableError

    out = tmp_path / "out"
    write_tables(small_result(tmp_path / "docs"), out)
    (out / "manifest.json").unlink()
    rel = (out / "relations.csv").read_text(encoding="utf-8")
    (out / "relations.csv").write_text(rel.replace("o-ch", "o-missing"), encoding="utf-8")
    with pytest.raises(TableError, match=r"relations\.csv, row \d+: .*o-missing"):
        ensure_index(out)
    assert not (out / INDEX_NAME).exists() and not list(out.glob(".serve.sqlite*"))


def test_chinese_headers_and_bom_build(tmp_path):
    """A `kg build --bom --lang zh` folder (Excel-ready, Chinese headers and names) serves the same."""
    out = tmp_path / "out"
    write_tables(small_result(tmp_path / "docs"), out, bom=True, lang="zh")
    assert (out / "relations.csv").read_text(encoding="utf-8-sig").startswith("主体ID,关系")
    with BackgroundServer(out) as url:
        assert get(url, "/api/search", q="东风所")["hits"][0]["id"] == "o-df"
        assert sorted(e["relation"] for e in get(url, "/api/neighbours", ids="o-ch")["edges"]) == \
            ["LOCATED_IN", "PART_OF", "PART_OF"]
        assert get(url, "/api/path", from_id="p-wang", to_id="l-ch")["hops"] == 3
