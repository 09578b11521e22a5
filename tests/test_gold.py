"""`kg eval` with bad gold: one line naming the file and the problem, before any model loads; a gold
`doc` with path components is refused instead of reading a file outside the seeds folder."""

from __future__ import annotations

import json

import pytest

from kg.cli import main
from kg.gold import GoldError, load_gold
from tests.fixtures_build import ROOT

GOLD = ROOT / "tests" / "data" / "gold" / "000_99624c91e82d4847.txt.json"

BAD = {  # file contents → words the error holds
    "not json": (b"{\"doc\": ", "not valid JSON"),
    "gbk": (json.dumps({"doc": "白城.txt", "entities": []}, ensure_ascii=False).encode("gbk"), "not UTF-8"),
    "a list": (b"[]", "is a JSON object"),
    "no doc": (b'{"entities": []}', '"doc" must name'),
    "doc escapes": (b'{"doc": "../../../../../etc/passwd", "entities": []}', "is not a plain file name"),
    "absolute doc": (b'{"doc": "/etc/passwd", "entities": []}', "is not a plain file name"),
    "windows doc": (b'{"doc": "..\\\\..\\\\x.txt", "entities": []}', "is not a plain file name"),
    "entities not a list": (b'{"doc": "a.txt", "entities": {}}', '"entities" must be a list'),
    "entity without name": (b'{"doc": "a.txt", "entities": [{"type": "ORG"}]}', "entities[0]: needs a string"),
    "aliases not a list": (b'{"doc": "a.txt", "entities": [{"name": "x", "type": "ORG", "aliases": "y"}]}',
                           "entities[0]: \"aliases\" must be a list"),
    "unknown relation": (b'{"doc": "a.txt", "entities": [], "relations": [{"type": "LIKES", "head": "a", '
                         b'"tail": "b"}]}', "relations[0]: type 'LIKES' is not one of"),
    "relation without tail": (b'{"doc": "a.txt", "entities": [], "relations": [{"type": "PART_OF", "head": "a"}]}',
                              "relations[0]: needs string 'head' and 'tail'"),
}


def test_the_shipped_gold_is_valid():
    assert load_gold(GOLD)["doc"] == "000_99624c91e82d4847.txt"


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_gold_is_one_line_before_the_model_loads(case, tmp_path, monkeypatch, capsys):
    def no_model(model):
        raise AssertionError("the model was loaded before the gold was checked")

    monkeypatch.setattr("kg.pipeline.load_tagger", no_model)
    data, words = BAD[case]
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_bytes(GOLD.read_bytes())
    (gold / "b.json").write_bytes(data)
    with pytest.raises(GoldError):
        load_gold(gold / "b.json")
    assert main(["eval", "--gold", str(gold), "--seeds", str(ROOT / "seeds")]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"kg: error: {gold / 'b.json'}") and words in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
