"""`kg eval` on the dev gold, and proof that the rules hold no names from the documents."""

import ast
import json
import re
from pathlib import Path

from kg.eval import evaluate, format_report
from kg.ner.lexicon import ORG_SUFFIXES
from kg.pipeline import Pipeline
from kg.resources import load_rows
from tests.fixtures_build import ROOT, SEEDS

GOLD = ROOT / "tests" / "data" / "gold"


def test_eval_meets_the_targets_on_the_dev_gold():
    report = evaluate(GOLD, seeds_dir=SEEDS, pattern="0*.json")  # the three seeds
    t = report["total"]
    assert t["entities"]["ALL"]["f1"] >= 0.95
    assert t["entities"]["PERSON"]["f1"] >= 0.95
    assert t["over_merged"] == 0 and t["duplicates"] == 0
    assert t["relations"]["BELONGS_TO"]["f1"] >= 0.90
    assert t["relations"]["PART_OF"]["f1"] >= 0.90
    assert t["relations"]["LOCATED_IN"]["f1"] >= 0.90
    assert t["relations"]["EVENT_AT"]["f1"] >= 0.75
    text = format_report(report)
    assert "ALL DOCUMENTS (micro)" in text and "rel EVENT_AT" in text
    # what was missed or wrong is listed by name; the one disagreement kept on purpose (README) shows
    doc = next(d for d in report["documents"] if d["doc"].startswith("002_"))
    assert "仓前派出所党支部 -PART_OF-> 仓前派出所" in doc["false_relations"]
    assert "false relations: " in text


def test_eval_finds_the_peoples_daily_articles_in_the_docs_folder():
    """The ten dev articles' texts sit in tests/data/docs beside the gold (issue 14's targets, with margin)."""
    report = evaluate(GOLD, pattern="pd_*.json")
    assert len(report["documents"]) == 10
    t = report["total"]
    assert t["entities"]["ALL"]["f1"] >= 0.86  # 0.882 when written; issue 14's target 0.88
    assert t["relations"]["ALL"]["f1"] >= 0.70 and t["relations"]["BELONGS_TO"]["f1"] >= 0.85
    assert t["relations"]["EVENT_AT"]["f1"] >= 0.45
    assert t["over_merged"] == 0
    doc = next(d for d in report["documents"] if d["doc"] == "pd_19980112-03-007.txt")
    assert not any(e.endswith("报") for e in doc["false_entities"])  # 记者X报道 gives X, not X报


def test_eval_scores_the_modern_articles():
    """Fifteen modern articles of many outlets (issue 22), texts in tests/data/docs beside the others."""
    report = evaluate(GOLD, pattern="modern_*.json")
    assert len(report["documents"]) == 15
    assert report["total"]["entities"]["ALL"]["f1"] >= 0.78  # 0.810 when written (0.753 before issue 22)
    assert report["total"]["entities"]["PERSON"]["f1"] >= 0.90


def test_eval_names_a_missing_document(tmp_path: Path):
    import shutil

    import pytest

    from kg.errors import KgError

    shutil.copy(GOLD / "pd_19980112-03-007.txt.json", tmp_path)
    with pytest.raises(KgError, match="pd_19980112-03-007.txt"):
        evaluate(tmp_path)
    (tmp_path / "texts").mkdir()
    shutil.copy(ROOT / "tests" / "data" / "docs" / "pd_19980112-03-007.txt", tmp_path / "texts")
    assert evaluate(tmp_path, docs_dir=tmp_path / "texts")["documents"][0]["doc"] == "pd_19980112-03-007.txt"


def _data_strings(path: Path) -> list[str]:
    """Every string literal the code can act on: docstrings and comments (examples for readers) excluded."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n.value for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


def test_no_names_from_the_gold_documents_in_code_or_dictionaries():
    """Rules must be general: no person, unit or place of the dev documents is data in kg/."""
    code = "\n".join(s for p in (ROOT / "kg").rglob("*.py") for s in _data_strings(p))
    code += "\n".join(p.read_text(encoding="utf-8", errors="ignore") for p in (ROOT / "kg").rglob("*.txt"))
    # the word lists of kg/resources (their rows; the comments, like docstrings, are examples for readers)
    # (but ethnic_groups: the 56 officially recognised peoples, a closed list no document chose; 俄罗斯族 holds 俄罗斯)
    code += "\n".join("\t".join(row) for p in (ROOT / "kg" / "resources").glob("*.tsv") if p.stem != "ethnic_groups"
                      for row in load_rows(p.stem))
    leaked = []
    for gold_file in GOLD.glob("*.json"):
        for e in json.loads(gold_file.read_text(encoding="utf-8"))["entities"]:
            if e["type"] == "DATE":
                continue
            for form in [e["name"], *e.get("aliases", [])]:
                # 市政府, 省公安厅 are completed from context; 政治部 is a kind of unit, not a name
                generic = form.startswith(("市", "省", "县", "区", "局")) or form in ORG_SUFFIXES
                if (len(form) >= 3 or e["type"] == "PERSON") and not generic:
                    if re.search(re.escape(form), code):
                        leaked.append(form)
    assert leaked == []


def test_an_unseen_article_with_invented_names_is_read_the_same_way(pipeline: Pipeline, tmp_path: Path):
    """Held-out style check: the same kinds of facts from a text none of the rules were tuned on."""
    doc = tmp_path / "unseen.txt"
    doc.write_text(
        "本报讯 5月6日，在浙江省杭州市西湖区北山街道，杭州市公安局西湖分局北山派出所民警\n"
        "郑明远和同事帮助一位老人回家。\n\n"
        "杭州市公安局西湖分局局长韩立新表示，辖区民警将继续做好防疫工作。", encoding="utf-8")
    r = pipeline.build([doc])
    names = {e.id: e.name for e in r.entities}
    rel = {(names.get(x.source_id), x.relation, names.get(x.target_id)) for x in r.relations}
    assert ("郑明远", "BELONGS_TO", "杭州市公安局西湖分局北山派出所") in rel
    assert ("韩立新", "BELONGS_TO", "杭州市公安局西湖分局") in rel
    assert ("杭州市公安局西湖分局北山派出所", "PART_OF", "杭州市公安局西湖分局") in rel
    assert ("北山街道", "LOCATED_IN", "西湖区") in rel
    assert any(x.relation == "EVENT_AT" and names[x.target_id] == "北山街道" and x.properties["date"] == "5月6日"
               for x in r.relations)


_TIED_EVENTS = r'''
import json, sys
from pathlib import Path
from kg.eval import score
gold = {"doc": "a.txt", "entities": [{"name": "东风乡", "type": "LOC"}],
        "relations": [{"head": "执勤", "type": "EVENT_AT", "tail": "东风乡"},
                      {"head": "巡逻", "type": "EVENT_AT", "tail": "东风乡", "date": "4月1日"},
                      {"head": "开道", "type": "EVENT_AT", "tail": "东风乡", "date": "4月1日15时"}]}
out = Path(sys.argv[1])
(out / "entities.csv").write_text("id,name,type,aliases\nloc-1,东风乡,LOC,\nevent-1,开道,EVENT,\n", encoding="utf-8")
(out / "relations.csv").write_text('source_id,relation,target_id,properties\n'
                                   'event-1,EVENT_AT,loc-1,"{""date"": ""4月1日15时""}"\n', encoding="utf-8")
res = score(gold, out)
print(json.dumps([res["relations"]["EVENT_AT"], res["missed_relations"]], ensure_ascii=False))
'''


def test_which_gold_event_a_prediction_matches_does_not_follow_the_hash_seed(tmp_path: Path):
    """An event at a place the gold has three times (undated, the day, the day and hour) matches
    the one of its own date: the missed listing is the same under every PYTHONHASHSEED (it followed
    the set's order before)."""
    import os
    import subprocess
    import sys

    seen = set()
    for seed in range(8):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        seen.add(subprocess.run([sys.executable, "-c", _TIED_EVENTS, str(tmp_path)], env=env, check=True,
                                capture_output=True, text=True).stdout.strip())
    assert seen == {'[{"tp": 1, "pred": 1, "gold": 3}, ["-EVENT_AT-> 东风乡", "-EVENT_AT-> 东风乡 (4月1日)"]]'}
