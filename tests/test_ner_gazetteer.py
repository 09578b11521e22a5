"""Lexicon features of the NER model (kg.ner.gazetteer)."""

from __future__ import annotations

from kg.ner.gazetteer import EXTERNAL, Gazetteer, build, fold, fold_bit

B, M, E = 0, 1, 2


def bit(typ: int, pos: int) -> int:
    return 1 << (3 * typ + pos)


def test_features_mark_begin_middle_end_per_type():
    g = Gazetteer()
    g.add("王光英", "PER", EXTERNAL)
    g.add("北京市", "LOC", EXTERNAL)
    g.add("北京", "WORD", EXTERNAL)
    g.add("王", "PER", EXTERNAL)  # single characters are not entries
    f = g.features(list("王光英在北京市"))
    assert f[0] == bit(0, B) and f[1] == bit(0, M) and f[2] == bit(0, E)
    assert f[3] == 0
    assert f[4] == bit(1, B) | bit(3, B)
    assert f[5] == bit(1, M) | bit(3, E)
    assert f[6] == bit(1, E)


def test_training_hides_entries_known_only_from_the_sentence_fold():
    sent = list("程思远出席会议")
    k = fold(sent)
    g = build([(sent, {(0, 3, "PER")})], [("会议", "WORD")])
    assert g.entries["程思远"][0] == fold_bit(k)
    shown = g.features(sent)
    hidden = g.features(sent, hide_fold=k)
    assert shown[0] == bit(0, B) and hidden[0] == 0
    assert hidden[5] == shown[5] == bit(3, B)  # external entries are never hidden
    assert g.features(sent, hide_fold=1 - k)[0] == bit(0, B)


def test_save_and_load_round_trip(tmp_path):
    g = build([(list("李峻葵在白城"), {(0, 3, "PER"), (4, 6, "LOC")})], [("白城", "LOC"), ("公安局", "WORD")])
    g.save(tmp_path / "lexicon.tsv")
    assert Gazetteer.load(tmp_path / "lexicon.tsv").entries == g.entries
