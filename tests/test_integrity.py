"""Every folder a build writes is one its readers accept: ids resolve, whatever the documents.

The invariant (`kg.integrity`) is checked where it is made: the map checks each document, the
reduce checks the build, and every table writer (in memory, streamed from the store, Spark) reads
its staging folder back with the readers' validation before publishing it. These tests break it on
purpose to see each writer refuse, generate documents to see the build keep it, and build a few
hundred real People's Daily articles (when ../shared is there) to see render, export and read open it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg.cli import main
from kg.integrity import IntegrityError, check_document
from kg.sinks.tables import MANIFEST, read_tables, write_tables
from kg.store import Store
from kg.stream import write_tables_from_store
from kg.types import BuildResult, DocResult, Document, Entity, Evidence, Relation
from tests.fixtures_build import ROOT

SHARED = Path(os.environ.get("KG_SHARED") or ROOT.parent / "shared")  # ../shared, or where KG_SHARED says
PD_CORPUS = SHARED / "corpora" / "pku-peoples-daily-1998" / "199801.txt.xz"


def _dangling(result) -> list[str]:
    """Ids that a relation or mention names and the build does not have (independent of kg.integrity)."""
    ids = {e.id for e in result.entities} | {f"doc:{d.id}" for d in result.documents}
    ends = [end for r in result.relations for end in (r.source_id, r.target_id)]
    return sorted({x for x in ends + [m.entity_id for m in result.mentions if m.entity_id] if x not in ids})


def test_a_place_named_only_inside_a_unit_name_is_an_entity(pipeline, tmp_path):
    """A bank branch named after a county (金溪县 inside 中国人民银行江西金溪县支行) and a station after a
    city (唐山 inside 唐山南站) are LOCATED_IN places no mention of their own names: those places are
    entities of the document, so the folder opens."""
    docs = [Document(id="bank.txt", path="bank.txt", text="中国人民银行江西金溪县支行的周小琴说。\n"),
            Document(id="station.txt", path="station.txt", text="本报讯唐山南站在改革用工制度上大胆尝试。\n")]
    result = pipeline.build_documents(docs)
    assert _dangling(result) == []
    by_name = {e.name: e for e in result.entities}
    names = {e.id: e.name for e in result.entities}
    assert ("中国人民银行江西金溪县支行", "LOCATED_IN", "金溪县") in {
        (names[r.source_id], r.relation, names.get(r.target_id)) for r in result.relations}
    assert by_name["金溪县"].documents == ["bank.txt"] and by_name["唐山市"].documents == ["station.txt"]
    write_tables(result, tmp_path)
    assert {e.name for e in kg.read(tmp_path).entities} >= {"金溪县", "唐山市", "周小琴"}


def _broken(doc_id: str = "a.txt") -> DocResult:
    """A document whose LOCATED_IN points at an entity it does not have (what the linker once made)."""
    doc = Document(id=doc_id, path=doc_id, text="中国人民银行江西金溪县支行的周小琴说。\n")
    result = kg.build([(doc_id, doc.text)]).result
    done = DocResult(doc, result.sentences, result.mentions, result.entities, result.relations)
    org = next(e for e in done.entities if e.type == "ORG")
    done.relations.append(Relation(org.id, "LOCATED_IN", "loc-0000000000000000", {}, done.relations[0].evidence))
    return done


def test_the_map_stops_at_a_document_that_breaks_the_invariant():
    with pytest.raises(IntegrityError, match=r"bug in kg.*document 'a\.txt'.*loc-0000000000000000"):
        check_document(_broken())


@pytest.mark.parametrize("writer", ["memory", "stream"])
def test_no_writer_publishes_a_folder_its_readers_refuse(writer, tmp_path):
    """The in-memory and streamed writers refuse a build whose relation points nowhere, naming the
    document; the previous folder stays as it was (the Spark writer: tests/engines/test_spark_reduce.py)."""
    out = tmp_path / "out"
    good = kg.build([("old.txt", "福州市公安局民警张三说。\n")])
    good.save(out)
    before = {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()}
    broken = _broken()
    with pytest.raises(IntegrityError, match=r"document 'a\.txt'.*relations\.csv.*loc-0000000000000000") as err:
        if writer == "memory":
            from kg.types import BuildResult

            write_tables(BuildResult([broken.document], broken.sentences, broken.mentions, broken.entities,
                                     broken.relations), out)
        else:
            store = Store(tmp_path / "store", "v")
            store.write([broken])
            write_tables_from_store(store, ["a.txt"], out)
    assert err.value.document == "a.txt" and str(out) in str(err.value) and ".kg-staging" not in str(err.value)
    assert {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()} == before
    assert [f.name for f in out.iterdir() if f.name.startswith(".")] == []


PLACES = ["江西", "金溪县", "唐山", "福州市", "仓山区", "白城", "洮北区", "河南省", "驻马店", "北京市", "株洲市", "天元区"]
UNITS = ["公安局", "分局", "派出所", "支行", "分行", "南站", "东检查站", "人民医院", "交警大队", "街道办事处"]
BANKS = ["中国人民银行", "工商银行", "农行", "中国人寿保险有限公司", ""]
PEOPLE = ["周小琴", "李峻", "王志勇", "陈广华", "张三", "熊女士", "小王"]
TAILS = ["说。", "参加了会议。", "在团结广场执勤。", "介绍了情况。", "今天上午到社区走访。"]


@st.composite
def sentences(draw) -> str:
    """A sentence made of place, unit and person fragments, in the shapes news writes them."""
    places = "".join(draw(st.lists(st.sampled_from(PLACES), min_size=0, max_size=3)))
    unit = draw(st.sampled_from(BANKS)) + places + draw(st.sampled_from(UNITS))
    people = "、".join(draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=2)))
    shape = draw(st.integers(0, 3))
    if shape == 0:
        return f"{unit}的{people}{draw(st.sampled_from(TAILS))}"
    if shape == 1:
        return f"（{unit}{people}）"
    if shape == 2:
        return f"本报讯{unit}{draw(st.sampled_from(TAILS))}"
    return f"{people}在{places or '北京'}{draw(st.sampled_from(UNITS))}{draw(st.sampled_from(TAILS))}"


documents = st.lists(st.lists(sentences(), min_size=1, max_size=4).map("\n".join), min_size=1, max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_generated_documents_give_a_folder_every_reader_opens(pipeline, texts):
    docs = [Document(id=f"{k}.txt", path=f"{k}.txt", text=t + "\n") for k, t in enumerate(texts)]
    result = pipeline.build_documents(docs)
    assert _dangling(result) == []
    with tempfile.TemporaryDirectory() as out:
        write_tables(result, out)
        back = read_tables(out)
    assert len(back.relations) == len(result.relations) and len(back.entities) == len(result.entities)


@pytest.fixture(scope="module")
def pd_articles(tmp_path_factory) -> Path:
    """Three days of People's Daily 1998-01 (about 300 articles), one file each."""
    if not PD_CORPUS.exists():
        pytest.skip("needs ../shared (People's Daily 1998 corpus)")
    folder = tmp_path_factory.mktemp("pd") / "articles"
    subprocess.run([sys.executable, str(SHARED / "eval" / "pd_silver.py"), "articles", str(PD_CORPUS), str(folder),
                    "--days", "6,7,12"], check=True, capture_output=True)
    return folder


@pytest.mark.slow
def test_a_build_of_real_articles_opens_in_render_export_and_read(pd_articles, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["build", str(pd_articles), "--out", str(out), "--workers", "1", "--threads", "1"]) == 0
    assert len(list(pd_articles.iterdir())) > 250
    graph = kg.read(out)
    assert _dangling(graph.result) == [] and len(graph.documents) == len(list(pd_articles.iterdir()))
    assert main(["render", str(out), "-o", str(tmp_path / "graph.html")]) == 0
    assert main(["export", str(out), "--format", "xlsx", "-o", str(tmp_path / "xlsx")]) == 0
    assert (tmp_path / "graph.html").stat().st_size > 0 and (tmp_path / "xlsx").is_dir()
    assert (out / MANIFEST).exists()


def test_documents_keep_their_date_and_kg_read_restores_it(pipeline, tmp_path):
    """documents.csv holds each document's date (what 今天 was read against) and its undecoded bytes;
    kg.read gives them back, so a page rendered from the folder is the build's own."""
    docs = [Document(id="a.txt", path="a.txt", text="今天上午，民警周佰发在团结广场执勤。\n", date="2020-03-19"),
            Document(id="b.txt", path="b.txt", text="福州市公安局民警张三说。\n", replaced=3)]
    result = pipeline.build_documents(docs)
    write_tables(result, tmp_path / "out")
    back = {d.id: d for d in kg.read(tmp_path / "out").result.documents}
    assert (back["a.txt"].date, back["b.txt"].date) == ("2020-03-19", "")
    assert (back["a.txt"].replaced, back["b.txt"].replaced) == (0, 3)
    assert kg.read(tmp_path / "out").docs["a.txt"].date == "2020-03-19"


def test_render_of_a_folder_equals_build_html(tmp_path):
    """`kg render OUT` draws what `kg build --html` drew: the same bytes (the timeline needs the dates)."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.csv").write_text("id,text,date\n"
                               "r1,今天上午，株洲市公安局民警王立军在天元区执勤。,2020-03-19\n"
                               "r2,昨天，株洲市公安局在隆兴社区召开会议。,2020-03-21\n", encoding="utf-8")
    args = ["build", str(src), "--out", str(tmp_path / "out"), "--workers", "1", "--threads", "1"]
    assert main([*args, "--html", str(tmp_path / "build.html")]) == 0
    assert main(["render", str(tmp_path / "out"), "-o", str(tmp_path / "render.html")]) == 0
    assert (tmp_path / "render.html").read_bytes() == (tmp_path / "build.html").read_bytes()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "node-link", "neo4j-import"])
def test_export_into_the_build_folder_itself_is_refused(seeds_out, tmp_path, capsys, fmt):
    out = tmp_path / "out"
    shutil.copytree(seeds_out, out)
    before = {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()}
    for target in (out, out / ".", tmp_path / "link"):
        if target.name == "link":
            target.symlink_to(out)
        capsys.readouterr()
        assert main(["export", str(out), "--format", fmt, "-o", str(target)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "is the build folder itself" in err and "export-" in err
    assert {f.name: f.read_bytes() for f in out.iterdir() if f.is_file()} == before
    assert main(["export", str(out), "--format", fmt]) == 0  # the default: OUT/export-FORMAT


def _star_build() -> BuildResult:
    """Units in chains of three (facts: components of one size) and many people with no fact: the
    facts are a small part of the graph."""
    doc = Document(id="a.txt", path="a.txt", text="x")
    ev = Evidence("a.txt", 0, 0, 1, "x")
    units = [Entity(id=f"org-{k:02d}", name=f"单位{k}", type="ORG") for k in range(45)]
    people = [Entity(id=f"person-{k:02d}", name=f"人{k}", type="PERSON") for k in range(120)]
    relations = [Relation(u.id, "PART_OF", units[k - 1].id, {}, ev) for k, u in enumerate(units) if k % 3]
    relations += [Relation(p.id, "MENTIONED_IN", "doc:a.txt", {"count": 1}, ev) for p in people]
    return BuildResult(documents=[doc], entities=units + people, relations=relations)


def test_a_rendered_page_does_not_depend_on_the_hash_seed(tmp_path):
    """`kg build --html` and a later `kg render` run in two processes: the layout must not follow set
    order (a subgraph view iterates its node set in hash order)."""
    write_tables(_star_build(), tmp_path / "out")
    pages = []
    for seed in ("1", "2"):
        page = tmp_path / f"{seed}.html"
        subprocess.run([sys.executable, "-m", "kg.cli", "render", str(tmp_path / "out"), "-o", str(page)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}, capture_output=True)
        pages.append(page.read_bytes())
    assert pages[0] == pages[1]
