"""Property-based tests (hypothesis) of the cleaner, the segmenter and the offset map: for any text,
every cleaned character comes from the original character its offset names, and every mention
points at its text in the original, whole or split into parts.
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from kg.pipeline import BuildConfig, Pipeline
from kg.text.clean import DECORATIONS, HALF_TO_FULL_PUNCT, WHITESPACE, clean, fold_width
from kg.text.parts import OffsetRuns, split_parts
from kg.text.script import simplified
from kg.text.segment import segment
from kg.types import Document

# what OCR'd Chinese news is made of, plus anything else unicode has
NEWS_CHARS = ("公安局民警派出所白城市洮南区张王李某年月日报记者" "０１２３４５６７８９ＡＢｃｄ" "0123456789abcXYZ"
              ",;:?!()。，；：？！（）“”《》、…—" " \t\r\n\u3000\u00a0\ufeff" "●□▲■★◆")
news_text = st.text(alphabet=st.one_of(st.sampled_from(NEWS_CHARS), st.characters(blacklist_categories=("Cs",))),
                    max_size=300)
# blank lines and sentence ends in quantity, so that texts have several blocks, sentences and articles
paged_text = st.lists(st.one_of(news_text, st.sampled_from(["\n\n", "。\n\n", "本报记者 王莹\n\n", "第3版\n\n",
                                                            "● 程威龙 朱梦琦\n\n", "# 标题\n\n"])),
                      max_size=12).map("".join)


def comes_from(cleaned: str, original: str) -> bool:
    """A cleaned character is its original, its width-folded, punctuation or Simplified twin, or a kept space."""
    folded = fold_width(original)
    return cleaned in (original, folded, HALF_TO_FULL_PUNCT.get(folded), simplified(original)) or \
        (cleaned == " " and (original in WHITESPACE or original in DECORATIONS))


def check_map(text: str, offsets, original: str, lo: int = 0, hi: int | None = None) -> None:
    hi = len(original) if hi is None else hi
    assert len(offsets) == len(text)
    offs = list(offsets)
    assert all(a < b for a, b in zip(offs, offs[1:], strict=False)), "offsets not strictly increasing"
    assert all(lo <= o < hi for o in offs), "offset out of range"
    for ch, o in zip(text, offs, strict=True):
        assert comes_from(ch, original[o]), (ch, original[o], o)


@settings(max_examples=400, deadline=None)
@given(news_text, st.booleans(), st.data())
def test_clean_offsets_map_each_char_to_its_original(text, keep_spaces, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    c = clean(text, start, end, keep_spaces=keep_spaces)
    check_map(c.text, c.offsets, text, start, end)
    s = c.strip()
    check_map(s.text, s.offsets, text, start, end)


@settings(max_examples=300, deadline=None)
@given(paged_text)
def test_segment_offsets_map_back_and_keep_reading_order(text):
    sentences = segment(Document(id="d", path="d", text=text))
    last = -1
    for k, s in enumerate(sentences):
        assert s.index == k and s.text and s.text[0] not in WHITESPACE and s.text[-1] not in WHITESPACE
        check_map(s.text, s.offsets, text)
        assert s.offsets[0] > last, "sentences overlap or go back"
        last = s.offsets[-1]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=40), st.integers(0, 10**6))
def test_offset_runs_behave_like_the_list(gaps, base):
    offsets, o = [], -1
    for g in gaps:
        o += g + 1
        offsets.append(o)
    runs = OffsetRuns(offsets, base=base)
    expected = [x + base for x in offsets]
    assert list(runs) == expected and len(runs) == len(expected) and runs == expected
    assert all(runs[i] == expected[i] for i in range(-len(expected), len(expected)))
    assert runs[1:-1] == expected[1:-1]
    with pytest.raises(IndexError):
        runs[len(expected)]


@settings(max_examples=200, deadline=None)
@given(paged_text, st.integers(1, 400))
def test_split_parts_cover_the_text_in_order(text, part_chars):
    spans = split_parts(text, part_chars)
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(a < b for a, b in spans) or text == ""
    assert all(spans[k][1] == spans[k + 1][0] for k in range(len(spans) - 1))


class RandomSpans:
    """A stub tagger that tags random spans of random types: the offset map must survive any of them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def tag(self, texts, batch_size=64):
        out = []
        for t in texts:
            spans = []
            for _ in range(self.rng.randint(0, 4)):
                if len(t) < 1:
                    break
                i = self.rng.randrange(len(t))
                j = self.rng.randint(i + 1, min(len(t), i + 12))
                spans.append((i, j, self.rng.choice(["PERSON", "ORG", "LOC", "DATE"])))
            out.append(spans)
        return out


@pytest.fixture(scope="module")
def stub_pipeline() -> Pipeline:
    return Pipeline(BuildConfig(), tagger=RandomSpans(0))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=paged_text, seed=st.integers(0, 2**32), part_chars=st.sampled_from([20, 60, 200, 10**9]))
def test_every_mention_points_at_its_text_in_the_original(stub_pipeline, text, seed, part_chars):
    """The full pipeline (rules, dates, linker's derived mentions) with random model spans, whole
    documents and documents split into small parts."""
    assume(text.strip() and not text.startswith("\ufeff"))  # a leading BOM is the encoding's, not text
    stub_pipeline.tagger = RandomSpans(seed)
    stub_pipeline.config = BuildConfig(part_chars=part_chars)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt"
        path.write_text(text, encoding="utf-8", newline="")
        result = stub_pipeline.build([path])
    if not result.documents:
        return  # refused as binary (control characters) or whitespace only: nothing to map
    doc = result.documents[0]
    text = text.replace("\x00", "\ufffd") if doc.replaced else text  # a stray NUL is a replaced byte (kg.text.read)
    assert doc.text == text
    event(f"split into parts: {len(split_parts(text, part_chars)) > 1}")
    event(f"mentions: {'none' if not result.mentions else 'some'}")
    sentences = {s.index: s for s in result.sentences}
    for s in result.sentences:
        check_map(s.text, s.offsets, text)
    for m in result.mentions:
        assert text[m.start:m.end] == m.text and m.start < m.end
        s = sentences[m.sentence]
        i, j = m.sent_start, m.sent_start + len(m.norm)
        assert s.text[i:j] == m.norm and s.span(i, j) == (m.start, m.end)
        for k in range(i, j):
            assert comes_from(s.text[k], text[s.offsets[k]])
