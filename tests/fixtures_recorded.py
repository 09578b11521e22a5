"""The shipped model's output, recorded once and replayed, so stage tests on fixed texts do not load HanLP.

`RecordedTagger` is a `kg.ner.engine.Tagger` that answers from tests/data/recorded_tagger.jsonl: per
sentence text, the spans the shipped model gave it. A text not recorded raises `Unrecorded` (a test
must not pass on a model that found nothing), and a recording made with other model files than the
shipped ones is refused. A test asks for `replayed_pipeline`, or a whole module's `pipeline` is the
replayed one when it imports the fixture `replay_the_model` (named `pipeline`):

    from tests.fixtures_recorded import replay_the_model  # noqa: F401  (pipeline: recorded model output)

Re-record after changing the model or adding a test with a new text (runs the opted-in modules with
the real model and writes every text they ask):

    python -m tests.fixtures_recorded

`KG_RECORD_TAGGER=add pytest tests/x/test_y.py` adds the texts of one run to the recording instead.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg.ner.engine import load_tagger
from kg.ner.models import DEFAULT_MODEL, MODEL_DIR
from kg.pipeline import BuildConfig, Pipeline

__all__ = ["replayed_pipeline"]  # what tests/conftest.py re-exports (replay_the_model is imported by name)

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "tests" / "data" / "recorded_tagger.jsonl"
MODE = os.environ.get("KG_RECORD_TAGGER", "")  # "" replay; "fresh" record anew; "add" add to the recording
HOW = "re-record with `python -m tests.fixtures_recorded` (see tests/fixtures_recorded.py)"

Span = tuple[int, int, str]


class Unrecorded(LookupError):
    """A text the recording does not hold, or a recording of other model files."""


def model_digest(model_dir: Path = MODEL_DIR) -> str:
    """sha256 over the model folder's file names and bytes: which model a recording is of."""
    h = hashlib.sha256()
    for f in sorted(p for p in model_dir.rglob("*") if p.is_file()):
        h.update(f.relative_to(model_dir).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def read_recording(path: Path = RECORDING) -> tuple[str, dict[str, list[Span]]]:
    """(model digest, {text: spans}); ("", {}) when there is no recording yet."""
    if not path.exists():
        return "", {}
    lines = path.read_text(encoding="utf-8").splitlines()
    head = json.loads(lines[0])
    spans = {}
    for line in lines[1:]:
        row = json.loads(line)
        spans[row["text"]] = [(i, j, t) for i, j, t in row["spans"]]
    return head["model"], spans


def write_recording(digest: str, spans: dict[str, list[Span]], path: Path = RECORDING) -> None:
    """One JSON line per text, sorted by text, so a re-recording's diff shows what the model changed."""
    head = {"model": digest, "note": "the shipped model's spans per sentence text; " + HOW}
    rows = [json.dumps({"text": t, "spans": [list(s) for s in spans[t]]}, ensure_ascii=False) for t in sorted(spans)]
    path.write_text("\n".join([json.dumps(head, ensure_ascii=False), *rows]) + "\n", encoding="utf-8")


class RecordedTagger:
    """Replays recorded spans; a text not recorded raises `Unrecorded`, never an empty answer."""

    def __init__(self, spans: dict[str, list[Span]]) -> None:
        self.spans = spans

    @classmethod
    def load(cls, path: Path = RECORDING) -> RecordedTagger:
        digest, spans = read_recording(path)
        if not spans:
            raise Unrecorded(f"no recording at {path}; {HOW}")
        if digest != model_digest():
            raise Unrecorded(f"{path} was recorded with other model files than {MODEL_DIR}; {HOW}")
        return cls(spans)

    def tag(self, texts: list[str], batch_size: int = 64) -> list[list[Span]]:
        missing = [t for t in texts if t not in self.spans]
        if missing:
            raise Unrecorded(f"{len(missing)} text(s) not in the recording, e.g. {missing[0]!r}; {HOW}")
        return [list(self.spans[t]) for t in texts]


class RecordingTagger:
    """The real model, keeping each text's spans; the same text answered twice differently is an error
    (replay could not be faithful)."""

    def __init__(self, spans: dict[str, list[Span]]) -> None:
        self.model = load_tagger(DEFAULT_MODEL)
        self.spans = spans

    def tag(self, texts: list[str], batch_size: int = 64) -> list[list[Span]]:
        found = self.model.tag(texts, batch_size=batch_size)
        for text, spans in zip(texts, found, strict=True):
            spans = [tuple(s) for s in spans]
            if self.spans.setdefault(text, spans) != spans and MODE == "fresh":
                raise AssertionError(f"the model tagged {text!r} two ways: {self.spans[text]} and {spans}")
            self.spans[text] = spans
        return found


@pytest.fixture(scope="session")
def replayed_pipeline():
    """The default pipeline with the model's recorded output instead of HanLP (or, when
    KG_RECORD_TAGGER is set, with HanLP, writing what it answered to the recording at the end)."""
    if not MODE:
        yield Pipeline(BuildConfig(), tagger=RecordedTagger.load())
        return
    recorder = RecordingTagger({} if MODE == "fresh" else read_recording()[1])
    yield Pipeline(BuildConfig(), tagger=recorder)
    write_recording(model_digest(), recorder.spans)


@pytest.fixture(scope="session", name="pipeline")
def replay_the_model(replayed_pipeline):
    """Imported into a test module, it is that module's `pipeline` (instead of the real model's)."""
    return replayed_pipeline


def opted_in(tests: Path = ROOT / "tests") -> list[Path]:
    """The test modules that replay the recording."""
    return sorted(p for p in tests.rglob("test_*.py") if "fixtures_recorded import replay_the_model" in p.read_text("utf-8"))


def main() -> int:
    """Record anew: run the opted-in modules with the real model (KG_RECORD_TAGGER=fresh)."""
    modules = [str(p.relative_to(ROOT)) for p in opted_in()]
    env = {**os.environ, "KG_RECORD_TAGGER": "fresh", "PYTHONPATH": str(ROOT)}
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *modules], cwd=ROOT, env=env)
    print(f"recorded {len(read_recording()[1])} texts from {len(modules)} modules into {RECORDING.relative_to(ROOT)}")
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main())
