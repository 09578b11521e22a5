"""The recorded model output that stage tests replay (tests/fixtures_recorded.py) is faithful and strict:
it is what the shipped model says today, a text not recorded fails, a recording of another model is refused."""

from __future__ import annotations

import json

import pytest

from kg.types import Document
from tests.fixtures_recorded import RECORDING, RecordedTagger, Unrecorded, opted_in, read_recording


def test_the_recording_is_what_the_model_says(pipeline):
    """All recorded texts in one call of the real model (other batches than when recorded) give the same spans."""
    _, recorded = read_recording()
    texts = sorted(recorded)
    assert len(texts) > 50
    assert [[tuple(s) for s in spans] for spans in pipeline.tagger.tag(texts)] == [recorded[t] for t in texts]


def test_a_text_not_recorded_fails_loudly(replayed_pipeline):
    with pytest.raises(Unrecorded, match="python -m tests.fixtures_recorded"):
        replayed_pipeline.build_documents([Document(id="t", path="t", text="这句话从未录过：张三去了北京。")])


def test_a_recording_of_other_model_files_is_refused(tmp_path):
    lines = RECORDING.read_text(encoding="utf-8").splitlines()
    lines[0] = json.dumps({"model": "0" * 64})
    other = tmp_path / "other.jsonl"
    other.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(Unrecorded, match="other model files"):
        RecordedTagger.load(other)
    with pytest.raises(Unrecorded, match="no recording"):
        RecordedTagger.load(tmp_path / "missing.jsonl")


def test_the_modules_that_replay_are_found_for_re_recording():
    assert {p.name for p in opted_in()} >= {"test_relations.py", "test_scenes.py", "test_structure.py", "test_vet.py"}
