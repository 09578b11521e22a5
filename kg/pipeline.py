"""build(): read → clean → segment → tag → link → relate. Read this file top to bottom.

Each stage is a plain object or function taking and returning `kg.types` records; swap one by
passing a different object in `Pipeline` (as spaCy swaps components). Defaults live in `BuildConfig`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.link.linker import Linker
from kg.ner.dates import DateTagger
from kg.ner.engine import Tagger, load_tagger
from kg.ner.lists import complete_place_lists
from kg.ner.merge import merge_mentions, propagate_names
from kg.ner.models import DEFAULT_MODEL
from kg.ner.rules import RuleTagger
from kg.ner.vet import vet_model_spans
from kg.relations import extract_relations
from kg.relations.people import AliasTable
from kg.sources import DEFAULT_COLUMNS, Columns, FileReader
from kg.text.parts import OffsetRuns, split_parts
from kg.text.read import InputFile, find_inputs
from kg.text.script import restore_names
from kg.text.segment import segment
from kg.types import BuildResult, Document, Mention, Sentence


@dataclass
class BuildConfig:
    model: str = DEFAULT_MODEL  # a shipped-model path, a HanLP pretrained identifier, or a model dir
    strict: bool = False  # any bad input file is an error instead of a skipped file
    max_bytes: int = 200 * 1024 * 1024  # larger files are refused, not read into memory
    batch_size: int = 64  # sentences per NER call
    part_chars: int = 200_000  # longer documents are processed in parts, in bounded memory
    threads: int | None = None  # torch CPU threads for the model; None keeps torch's default
    encoding: str | None = None  # force this input encoding instead of detecting it
    doc_date: str = ""  # ISO date of documents whose own date is unknown (--doc-date)
    aliases: AliasTable | None = None  # the user's alias/merge table (--aliases), see kg.relations.people


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
            if self.config.threads:
                import torch  # only the model needs torch; a stub tagger does not

                torch.set_num_threads(self.config.threads)  # oversubscribed cores make the LSTM crawl
            self.tagger = load_tagger(self.config.model)

    def process_document(self, doc: Document, on_part: Callable[[int], None] | None = None
                         ) -> tuple[list[Sentence], list[Mention]]:
        """Clean and segment one document, then tag its sentences.

        A document longer than `config.part_chars` is done part by part (cut at blank lines, see
        `kg.text.parts`), so only one part's per-character offset lists are alive at a time; every
        sentence keeps its offsets as compact `OffsetRuns` into the whole original text.
        `on_part(chars)` is called after each part (the progress bar).
        """
        sentences: list[Sentence] = []
        mentions: list[Mention] = []
        for start, end in split_parts(doc.text, self.config.part_chars):
            part_sentences, part_mentions = self._process_part(doc, start, end, sentences)
            sentences += part_sentences
            mentions += part_mentions
            if on_part is not None:
                on_part(end - start)
        return sentences, mentions

    def _process_part(self, doc: Document, start: int, end: int, before: list[Sentence]
                      ) -> tuple[list[Sentence], list[Mention]]:
        """Sentences and mentions of doc.text[start:end], numbered and offset as parts of `doc`."""
        whole = start == 0 and end == len(doc.text)
        part = doc if whole else Document(id=doc.id, path=doc.path, text=doc.text[start:end],
                                          encoding=doc.encoding, sha256=doc.sha256)
        sentences = segment(part)
        article = before[-1].article + _opens_article(sentences) if before else 0
        for sent in sentences:
            sent.index += len(before)
            sent.article += article
            sent.offsets = OffsetRuns(sent.offsets, base=start)  # one int pair per run, not per char
        texts = [s.text for s in sentences]
        model_spans = self.tagger.tag(texts, batch_size=self.config.batch_size)
        mentions: list[Mention] = []
        per_sentence = []
        for sent, spans in zip(sentences, model_spans, strict=True):
            spans = [s for s in spans if s[2] != "DATE"]  # dates are the rule layer's (see kg.ner.dates)
            spans = vet_model_spans(sent.text, spans, sent.kind, self.rules.gazetteer, self.rules.common_words,
                                    self.rules.words)
            found = [(i, j, t, "model") for i, j, t in spans]
            found += [(i, j, t, "rule") for i, j, t in self.rules.tag(sent.text, sent.kind, spans)]
            found += [(i, j, t, "rule") for i, j, t in self.dates.tag(sent.text)]
            merged = merge_mentions(sent.text, found)
            per_sentence.append(complete_place_lists(sent.text, merged, self.rules.common_words))
        per_sentence = propagate_names(sentences, per_sentence)
        for sent, spans in zip(sentences, per_sentence, strict=True):
            for i, j, t, source in spans:
                a, b = sent.span(i, j)
                mentions.append(Mention(doc_id=doc.id, sentence=sent.index, start=a, end=b,
                                        text=doc.text[a:b], norm=sent.text[i:j], type=t, source=source, article=sent.article,
                                        sent_start=i))
        return sentences, mentions

    def build(self, paths: Iterable[str | Path | InputFile], progress: Callable[[int], Any] | None = None,
              columns: Columns = DEFAULT_COLUMNS) -> BuildResult:
        """Build every readable file under `paths`; unreadable ones go to `result.problems`.

        Files are read by `kg.sources` (text, HTML, tables of articles by `columns`, Word, PDF).
        `progress(total_bytes)` makes a bar (e.g. `lambda n: tqdm(total=n, unit="B")`): anything
        with `update(n)` and `close()`; it advances per part of each document, so a single 50 MB
        file moves it too. With `config.strict`, every file is read once before any is processed,
        so a bad file fails the build before minutes of tagging, and nothing is half-done.
        """
        inputs, skipped = find_inputs(paths)  # document ids: paths relative to their input root
        reader = FileReader(columns, self.config.max_bytes, self.config.strict, problems=list(skipped),
                            encoding=self.config.encoding)
        reader.check(inputs)
        reader.start(progress, inputs)
        try:
            return self.build_documents(reader.documents(inputs), on_part=reader.advance, problems=reader.problems)
        finally:
            reader.close()

    def build_documents(self, docs: Iterable[Document], on_part: Callable[[int], None] | None = None,
                        problems: list[str] | None = None) -> BuildResult:
        """Build Documents already read (see `kg.sources`); `problems` are the inputs skipped on the way."""
        result = BuildResult(problems=problems if problems is not None else [])
        for doc in docs:
            doc.date = doc.date or self.config.doc_date
            sentences, mentions = self.process_document(doc, on_part=on_part)
            result.documents.append(doc)
            result.sentences.extend(sentences)
            result.mentions.extend(mentions)
        result.entities = self.linker.link(result.documents, result.sentences, result.mentions)
        result.relations = extract_relations(result, self.linker.gazetteer, self.config.aliases)
        restore_names(result)  # Traditional documents: names back in their own script (after all lookups)
        return result


def _opens_article(sentences: list[Sentence]) -> int:
    """1 if a part starts with a headline run ending in a byline (a new article), as segment() rules."""
    for s in sentences:
        if s.kind == "body":
            return 0
        if s.kind == "byline":
            return 1
    return 0


def build(paths: Iterable[str | Path], config: BuildConfig | None = None) -> BuildResult:
    """Build a knowledge graph from files or folders with the default stages."""
    return Pipeline(config or BuildConfig()).build(paths)
