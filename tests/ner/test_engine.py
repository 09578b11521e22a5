"""The HanLP engine: the shipped model on real seed sentences, chunking, offsets, and the
pretrained-identifier resolution and output mapping (checked without downloading anything)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.ner.engine import load_tagger
from kg.ner.hanlp_engine import (
    HanLPTagger,
    chunk_text,
    component_spans,
    map_type,
    mtl_spans,
    owned,
    resolve_model,
)
from kg.ner.models import DEFAULT_MODEL, MODEL_DIR

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture(scope="module")
def tagger():
    return load_tagger(DEFAULT_MODEL)


def seed_line(needle: str) -> str:
    for path in sorted(SEEDS.glob("*.txt")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if needle in line:
                return line.strip()
    raise AssertionError(f"{needle} not in seeds")


def test_shipped_model_is_small_and_has_a_card():
    size = sum(f.stat().st_size for f in MODEL_DIR.iterdir() if f.is_file())
    assert size <= 20 * 2**20
    assert (MODEL_DIR / "MODEL_CARD.md").exists()
    assert json.loads((MODEL_DIR / "config.json").read_text())["classpath"].startswith("kg.ner.hanlp_compat.")


def test_seed_police_unit_and_officer(tagger):
    text = seed_line("洮南市公安局交巡警大队民警周佰发")
    spans = tagger.tag([text])[0]
    orgs = [text[b:e] for b, e, t in spans if t == "ORG"]
    people = [text[b:e] for b, e, t in spans if t == "PERSON"]
    assert any(o.startswith("洮南市公安局") for o in orgs), spans
    assert "周佰发" in people, spans  # the baseline model cut this name to 周佰


def test_seed_sub_bureau(tagger):
    text = seed_line("他是许昌市公安局魏都分局特警大队副大队长罗洋")
    spans = tagger.tag([text])[0]
    found = {(text[b:e], t) for b, e, t in spans}
    assert any(s.startswith("许昌市公安局魏都分局") and t == "ORG" for s, t in found), found
    assert ("罗洋", "PERSON") in found, found


def test_offsets_in_range_and_types(tagger):
    texts = [seed_line("许昌市公安局魏都分局西关派出所"), "新华社北京电", "   "]
    for text, spans in zip(texts, tagger.tag(texts), strict=True):
        for b, e, t in spans:
            assert 0 <= b < e <= len(text) and t in {"PERSON", "ORG", "LOC", "DATE"}
    assert tagger.tag([]) == [] and tagger.tag(["", "  "]) == [[], []]


def test_long_text_is_chunked_and_offsets_map_back(tagger):
    unit = "洮南市公安局交巡警大队民警周佰发在北京执勤。"
    text = unit * 60  # 1,320 characters: many chunks of at most 100
    short = HanLPTagger(DEFAULT_MODEL, max_len=100)
    spans = short.tag([text])[0]
    pieces = chunk_text(text, 100)
    assert len(pieces) >= 14 and all(text[e - 1] == "。" for _, e in pieces)
    per_piece = tagger.tag([text[b:e] for b, e in pieces])
    expected = sorted((b + i, b + j, t) for (b, _), found in zip(pieces, per_piece, strict=True) for i, j, t in found)
    assert spans == expected
    assert sum(1 for b, e, t in spans if t == "ORG" and text[b:e].startswith("洮南市公安局")) >= 50


def test_chunk_text_prefers_punctuation():
    text = "甲" * 30 + "。" + "乙" * 30 + "，" + "丙" * 50
    pieces = chunk_text(text, 40)
    assert pieces[0] == (0, 31)
    assert all(e - b <= 40 for b, e in pieces) and pieces[-1][1] == len(text)
    assert "".join(text[lo:hi] for lo, hi in owned(pieces)) == text  # owned ranges partition the text
    assert all(b <= lo < hi <= e for (b, e), (lo, hi) in zip(pieces, owned(pieces), strict=True))
    hard = chunk_text("无标点" * 50, 64)  # no punctuation: hard cuts, each next piece starts 16 early
    assert hard[:2] == [(0, 64), (48, 112)] and hard[-1][1] == 150
    assert owned(hard)[:2] == [(0, 56), (56, 104)] and owned(hard)[-1][1] == 150


def test_name_across_a_hard_cut_is_kept_whole(tagger):
    # no punctuation anywhere: the 100-character window must cut through the bureau's name
    text = "据悉今年以来该地持续开展专项行动并取得明显成效" * 4
    text = text[:90] + "许昌市公安局魏都分局特警大队" + text[:90]
    whole = {s for s in tagger.tag([text])[0] if s[2] == "ORG"}
    cut = HanLPTagger(DEFAULT_MODEL, max_len=100).tag([text])[0]
    assert (90, 104, "ORG") in whole
    assert (90, 104, "ORG") in cut and not any(b < 100 < e and (b, e) != (90, 104) for b, e, _ in cut)


def test_resolve_pretrained_identifiers_without_download(tmp_path):
    import hanlp.pretrained.mtl as mtl
    import hanlp.pretrained.ner as ner

    assert resolve_model("MSRA_NER_ELECTRA_SMALL_ZH") == (ner.MSRA_NER_ELECTRA_SMALL_ZH, "ner")
    assert resolve_model("CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH") == (
        mtl.CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH, "mtl")
    assert resolve_model("https://x.org/mtl/some_model.zip")[1] == "mtl"
    assert resolve_model(str(MODEL_DIR)) == (str(MODEL_DIR), "ner")
    (tmp_path / "config.json").write_text('{"classpath": "hanlp.components.mtl.multi_task_learning.MultiTaskLearning"}')
    assert resolve_model(str(tmp_path))[1] == "mtl"
    with pytest.raises(ValueError, match="unknown NER model"):
        resolve_model("NO_SUCH_MODEL")
    HanLPTagger("MSRA_NER_ELECTRA_SMALL_ZH")  # constructing does not download


def test_output_mapping():
    assert [map_type(x) for x in ("NR", "ns", "NT", "PERSON", "GPE", "ORGANIZATION", "DATE", "INTEGER")] == [
        "PERSON", "LOC", "ORG", "PERSON", "LOC", "ORG", "DATE", None]
    # single-task component output on characters
    assert component_spans([("江泽民", "NR", 0, 3), ("x", "INTEGER", 3, 4), ("bad", "NS", 5, 99)], 6) == [
        (0, 3, "PERSON")]
    # MTL output: token offsets into its own tokens → character offsets
    text = "国家主席 江泽民在北京"
    tokens = ["国家", "主席", "江泽民", "在", "北京"]
    ents = [("江泽民", "PERSON", 2, 3), ("北京", "LOCATION", 4, 5)]
    assert mtl_spans(text, tokens, ents) == [(5, 8, "PERSON"), (9, 11, "LOC")]


class FakeMTL:
    """Stands in for a downloaded MTL model: splits on spaces, finds 江泽民/北京."""

    def __call__(self, texts, tasks=None):
        assert isinstance(texts, list) and isinstance(texts[0], str) and tasks == ["ner/msra"]
        toks = [t.replace(" ", "").split("|") for t in texts]
        ner = [[(w, {"江泽民": "NR", "北京": "NS"}[w], i, i + 1) for i, w in enumerate(ts) if w in ("江泽民", "北京")]
               for ts in toks]
        return {"tok/fine": toks, "ner/msra": ner}


class FakeNER:
    """Stands in for a single-task component: wants lists of characters."""

    def __call__(self, inputs, batch_size=None):
        assert all(isinstance(x, list) for x in inputs)
        return [[("".join(x[0:2]), "ORGANIZATION", 0, 2)] if len(x) >= 2 else [] for x in inputs]


def test_mtl_and_single_task_paths_with_fake_components():
    t = HanLPTagger("CLOSE_TOK_POS_NER_SRL_DEP_SDP_CON_ELECTRA_SMALL_ZH")
    assert t.kind == "mtl"
    t._component, t._ner_task, t._tok_task = FakeMTL(), "ner/msra", "tok/fine"
    text = "国家|主席|江泽民|在|北京"
    assert t.tag([text, ""]) == [[(text.index("江泽民"), text.index("江泽民") + 3, "PERSON"),
                                  (text.index("北京"), len(text), "LOC")], []]
    s = HanLPTagger("MSRA_NER_ELECTRA_SMALL_ZH", max_len=5)
    s._component = FakeNER()
    assert s.tag(["公安局长。公安局长。x"]) == [[(0, 2, "ORG"), (5, 7, "ORG")]]


def test_a_pretrained_identifier_goes_through_hanlps_own_resource_cache(tmp_path):
    """`kg build --model MSRA_NER_ELECTRA_SMALL_ZH` asks hanlp.load for HanLP's URL. With no network
    here, the shipped model stands in for the published weights at the place in HANLP_HOME where
    HanLP would have unpacked its download: identifier → URL → HanLP cache → load → tag → build
    all run for real; only the weights are ours."""
    import shutil
    import subprocess
    import sys

    import hanlp.pretrained.ner as ner
    from hanlp.utils.io_util import path_from_url, split_if_compressed
    from hanlp_common.constant import HANLP_URL

    home = tmp_path / "hanlp_home"
    unpacked, _ = split_if_compressed(path_from_url(ner.MSRA_NER_ELECTRA_SMALL_ZH, str(home), HANLP_URL, True))
    shutil.copytree(MODEL_DIR, unpacked)
    out = tmp_path / "out"
    seed = Path(__file__).resolve().parents[2] / "seeds" / "000_99624c91e82d4847.txt"
    env = {**__import__("os").environ, "HANLP_HOME": str(home), "HANLP_OFFLINE": "1"}
    run = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(seed), "--model", "MSRA_NER_ELECTRA_SMALL_ZH",
                          "--out", str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    rows = (out / "entities.csv").read_text(encoding="utf-8")
    assert "白城市公安局" in rows and "PERSON" in rows
    # and without the cached copy the same command fails with a clear message, not a traceback
    shutil.rmtree(unpacked)
    run = subprocess.run([sys.executable, "-m", "kg.cli", "build", str(seed), "--model", "MSRA_NER_ELECTRA_SMALL_ZH",
                          "--out", str(tmp_path / "out2")], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "MSRA_NER_ELECTRA_SMALL_ZH" in run.stderr
