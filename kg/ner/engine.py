"""The NER stage's interface: a Tagger turns cleaned sentences into typed character spans.

Any object with this `tag` method can replace the HanLP engine (tests, other libraries).
"""

from __future__ import annotations

from typing import Protocol


class Tagger(Protocol):
    def tag(self, texts: list[str], batch_size: int = 64) -> list[list[tuple[int, int, str]]]:
        """For each text, spans (start, end, type) in that text's coordinates, type in PERSON/ORG/LOC/DATE."""
        ...


class NoEntities:
    """A tagger that finds nothing: the pipeline without the model (benchmarks, tests about files,
    reading, memory and speed, where the model's cost is the same per character whatever the text)."""

    def tag(self, texts: list[str], batch_size: int = 64) -> list[list[tuple[int, int, str]]]:
        return [[] for _ in texts]


def load_tagger(model: str) -> Tagger:
    """A HanLP tagger for a shipped model path, a model directory, or a HanLP pretrained identifier."""
    from kg.ner.hanlp_engine import HanLPTagger

    return HanLPTagger(model)
