"""build(): read → clean → segment → tag → link → relate. Read this file top to bottom.

Each stage is a plain object or function taking and returning `kg.types` records; swap one by
passing a different object in `Pipeline` (as spaCy swaps components). Defaults live in `BuildConfig`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.link.linker import Linker
from kg.ner.dates import DateTagger
from kg.ner.engine import Tagger, load_tagger
from kg.ner.merge import merge_mentions, propagate_names
from kg.ner.models import DEFAULT_MODEL
from kg.ner.rules import RuleTagger
from kg.ner.vet import vet_model_spans
from kg.relations import extract_relations
from kg.text.read import iter_input_files, read_document
from kg.text.segment import segment
from kg.types import BuildResult, Document, Mention, Sentence


@dataclass
class BuildConfig:
    model: str = DEFAULT_MODEL  # a shipped-model path, a HanLP pretrained identifier, or a model dir
    strict: bool = False  # any bad input file is an error instead of a skipped file
    max_bytes: int = 200 * 1024 * 1024  # larger files are refused, not read into memory
    batch_size: int = 64  # sentences per NER call


@dataclass
class Pipeline:
    """The stages, in order. Construct once, call `build` on any number of paths."""

    config: BuildConfig = field(default_factory=BuildConfig)
    tagger: Tagger | None = None
    dates: DateTagger = field(default_factory=DateTagger)
    rules: RuleTagger = field(default_factory=RuleTagger)
    linker: Linker | None = None

    def __post_init__(self) -> None:
        if self.linker is None:
            self.linker = Linker(self.rules.gazetteer)  # one gazetteer for tagging and linking
        if self.tagger is None:
            self.tagger = load_tagger(self.config.model)

    def process_document(self, doc: Document) -> tuple[list[Sentence], list[Mention]]:
        """Clean and segment one document, then tag its sentences."""
        sentences = segment(doc)
        texts = [s.text for s in sentences]
        model_spans = self.tagger.tag(texts, batch_size=self.config.batch_size)
        mentions: list[Mention] = []
        per_sentence = []
        for sent, spans in zip(sentences, model_spans, strict=True):
            spans = [s for s in spans if s[2] != "DATE"]  # dates are the rule layer's (see kg.ner.dates)
            spans = vet_model_spans(sent.text, spans, sent.kind, self.rules.gazetteer)
            found = [(i, j, t, "model") for i, j, t in spans]
            found += [(i, j, t, "rule") for i, j, t in self.rules.tag(sent.text, sent.kind, spans)]
            found += [(i, j, t, "rule") for i, j, t in self.dates.tag(sent.text)]
            per_sentence.append(merge_mentions(sent.text, found))
        per_sentence = propagate_names(sentences, per_sentence)
        for sent, spans in zip(sentences, per_sentence, strict=True):
            for i, j, t, source in spans:
                start, end = sent.span(i, j)
                mentions.append(Mention(doc_id=doc.id, sentence=sent.index, start=start, end=end,
                                        text=doc.text[start:end], norm=sent.text[i:j], type=t, source=source, article=sent.article,
                                        sent_start=i))
        return sentences, mentions

    def build(self, paths: Iterable[str | Path], progress: Callable[[Iterable], Iterable] = iter) -> BuildResult:
        result = BuildResult()
        for path in progress(list(iter_input_files(paths))):
            try:
                doc = read_document(path, max_bytes=self.config.max_bytes)
            except InputError as err:
                if self.config.strict:
                    raise
                result.problems.append(str(err))
                continue
            sentences, mentions = self.process_document(doc)
            result.documents.append(doc)
            result.sentences.extend(sentences)
            result.mentions.extend(mentions)
        result.entities = self.linker.link(result.documents, result.sentences, result.mentions)
        result.relations = extract_relations(result, self.linker.gazetteer)
        return result


def build(paths: Iterable[str | Path], config: BuildConfig | None = None) -> BuildResult:
    """Build a knowledge graph from files or folders with the default stages."""
    return Pipeline(config or BuildConfig()).build(paths)
