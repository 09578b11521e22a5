"""`kg train` end to end on a tiny corpus in the MSRA format: both stages run with HanLP's training
API, and the installed folder loads with hanlp.load and tags text (the real recipe takes hours)."""

from __future__ import annotations

import lzma
import random

import pytest

from kg.ner import corpora as corpora_mod
from kg.ner.hanlp_engine import HanLPTagger
from kg.ner.train import MODEL_FILES, train_model

NAMES = ["李明", "王芳", "张伟", "刘洋", "陈静", "杨帆", "赵磊", "黄丽"]
PLACES = ["白城", "洮南", "许昌", "福州", "长春", "吉林"]
UNITS = ["公安局", "交警大队", "派出所"]


def _sentence(rng: random.Random) -> list[tuple[str, str]]:
    name, place, unit = rng.choice(NAMES), rng.choice(PLACES), rng.choice(UNITS)
    parts = [(name, "PER"), ("在", "O"), (place + "市" + unit, "ORG"), ("工作，家住", "O"), (place, "LOC"), ("。", "O")]
    return [(c, "O" if t == "O" else ("B-" if i == 0 else "I-") + t) for w, t in parts for i, c in enumerate(w)]


@pytest.fixture
def tiny_corpora(tmp_path, monkeypatch):
    rng = random.Random(3)
    root = tmp_path / "corpora" / "msra-ner"
    root.mkdir(parents=True)

    def block(n: int) -> str:
        return "".join("".join(f"{c}\t{t}\n" for c, t in _sentence(rng)) + "\n" for _ in range(n))

    with lzma.open(root / "msra_train_bio.xz", "wt", encoding="utf-8") as f:
        f.write(block(120))
    (root / "msra_test_bio").write_text(block(20), encoding="utf-8")
    monkeypatch.setattr(corpora_mod, "MSRA_DEV_SIZE", 20)
    return tmp_path / "corpora"


def test_train_all_stages_and_load(tiny_corpora, tmp_path):
    out = tmp_path / "model"
    scores = train_model(tiny_corpora, out, epochs=2, work=tmp_path / "work", batch_size=10, warmup=2,
                         stage2_overrides={"epochs": 2}, stage3_overrides={"epochs": 1})
    assert all((out / name).is_file() for name in MODEL_FILES)
    assert 0.0 <= scores["msra_test_f1"] <= 1.0
    card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "lexicon" in card and "stage 2" in card and "stage 3: 1 epochs" in card
    assert "network alone" in card  # the card also scores the network without name-run splitting
    lexicon = (out / "lexicon.tsv").read_text(encoding="utf-8")
    assert "李明\t" in lexicon or "王芳\t" in lexicon
    spans = HanLPTagger(str(out)).tag(["李明在白城市公安局工作。"])
    assert isinstance(spans, list) and len(spans) == 1
    assert all(0 <= b < e <= 12 and t in {"PERSON", "LOC", "ORG", "DATE"} for b, e, t in spans[0])


def test_resume_at_stage_3_keeps_the_earlier_stages_figures(tiny_corpora, tmp_path):
    first = tmp_path / "first"
    train_model(tiny_corpora, first, epochs=1, work=tmp_path / "work", batch_size=10,
                stage2_overrides={"epochs": 1}, stage3_overrides={"epochs": 1})
    again = tmp_path / "again"
    train_model(tiny_corpora, again, work=tmp_path / "work", init_from=first, from_stage=3, batch_size=10,
                stage3_overrides={"epochs": 2})
    card = (again / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "stage 1: 1 epochs" in card and "stage 2: 1 epochs" in card and "stage 3: 2 epochs" in card
    with pytest.raises(ValueError, match="init_from"):
        train_model(tiny_corpora, again, work=tmp_path / "work", from_stage=3)
