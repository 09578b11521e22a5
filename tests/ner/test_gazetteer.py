"""Lexicon features of the NER model (kg.ner.gazetteer)."""

from __future__ import annotations

from kg.ner.gazetteer import EXTERNAL, NameLexicon, build, fold, fold_bit

B, M, E = 0, 1, 2


def bit(typ: int, pos: int) -> int:
    return 1 << (3 * typ + pos)


def test_features_mark_begin_middle_end_per_type():
    g = NameLexicon()
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
    assert NameLexicon.load(tmp_path / "lexicon.tsv").entries == g.entries


def test_features_of_the_shipped_lexicon_equal_a_lookup_of_every_substring():
    """The one-pass matcher marks exactly what looking up each 2..MAX_LEN substring would, on the
    seeds with the shipped lexicon, for prediction and for both training folds."""
    from kg.ner.gazetteer import MAX_LEN
    from kg.ner.models import MODEL_DIR
    from tests.fixtures_build import SEEDS

    g = NameLexicon.load(MODEL_DIR / "lexicon.tsv")
    lines = [line for f in sorted(SEEDS.glob("*.txt")) for line in f.read_text(encoding="utf-8").splitlines()]
    for hide in (None, 0, 1):
        hidden = fold_bit(hide) if hide is not None else 0
        for line in lines:
            want = [0] * len(line)
            for i in range(len(line)):
                for j in range(i + 2, min(len(line), i + MAX_LEN) + 1):
                    for t, m in enumerate(g.entries.get(line[i:j], ())):
                        if m & ~hidden:
                            want[i] |= bit(t, B)
                            for k in range(i + 1, j - 1):
                                want[k] |= bit(t, M)
                            want[j - 1] |= bit(t, E)
            assert g.features(list(line), hide) == want, line


def test_place_names_are_found_as_an_alternation_of_them_longest_first_would():
    """kg.link.places.NameFinder: leftmost, longest there, not overlapping, like the regex it replaced."""
    import re

    from kg.link.places import COMMON_WORDS
    from kg.link.places import Gazetteer as Places
    from tests.fixtures_build import SEEDS

    places = Places()
    text = "".join(f.read_text(encoding="utf-8") for f in sorted(SEEDS.glob("*.txt"))) + "吉林省白城市洮北区，白城西"
    for finder, names in ((places.pattern, [n for n in places.by_name if n not in COMMON_WORDS]),
                          (places.short_pattern, list(places.short))):
        regex = re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True))))
        got = [(m.start(), m.end(), m.group()) for m in finder.finditer(text)]
        assert got == [(m.start(), m.end(), m.group()) for m in regex.finditer(text)]
        assert len(got) > 20
