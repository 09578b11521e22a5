"""build(): read → clean → segment → tag → link → relate. Read this file top to bottom.

Each stage is a plain object or function taking and returning `kg.types` records; swap one by
passing a different object in `Pipeline` (as spaCy swaps components). Defaults live in `BuildConfig`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError
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
from kg.text.parts import OffsetRuns, split_parts
from kg.text.read import iter_input_files, read_document
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
            spans = vet_model_spans(sent.text, spans, sent.kind, self.rules.gazetteer, self.rules.common_words)
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

    def build(self, paths: Iterable[str | Path], progress: Callable[[int], Any] | None = None) -> BuildResult:
        """Build every readable file under `paths`; unreadable ones go to `result.problems`.

        `progress(total_bytes)` makes a bar (e.g. `lambda n: tqdm(total=n, unit="B")`): anything
        with `update(n)` and `close()`; it advances per part of each document, so a single 50 MB
        file moves it too. With `config.strict`, every file is read once before any is processed,
        so a bad file fails the build before minutes of tagging, and nothing is half-done.
        """
        files = list(iter_input_files(paths))
        if self.config.strict:
            bad = []
            for path in files:
                try:
                    read_document(path, max_bytes=self.config.max_bytes)
                except InputError as err:
                    bad.append(str(err))
            if bad:
                raise InputError(f"{len(bad)} bad input file(s), none built (--strict): " + "; ".join(bad))
        bar = progress(sum(_size(f) for f in files)) if progress is not None else None
        result = BuildResult()
        try:
            for path in files:
                size = _size(path)
                try:
                    doc = read_document(path, max_bytes=self.config.max_bytes)
                except InputError as err:
                    if self.config.strict:
                        raise  # changed on disk since the check above
                    result.problems.append(str(err))
                    if bar is not None and size:
                        bar.update(size)
                    continue
                doc.date = doc.date or self.config.doc_date
                done = _BytesDone(bar, size, len(doc.text))
                sentences, mentions = self.process_document(doc, on_part=done.add)
                done.finish()
                result.documents.append(doc)
                result.sentences.extend(sentences)
                result.mentions.extend(mentions)
        finally:
            if bar is not None:
                bar.close()
        result.entities = self.linker.link(result.documents, result.sentences, result.mentions)
        result.relations = extract_relations(result, self.linker.gazetteer, self.config.aliases)
        return result


def _opens_article(sentences: list[Sentence]) -> int:
    """1 if a part starts with a headline run ending in a byline (a new article), as segment() rules."""
    for s in sentences:
        if s.kind == "body":
            return 0
        if s.kind == "byline":
            return 1
    return 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


@dataclass
class _BytesDone:
    """Turns characters processed into bytes of the file, for a bar whose total is in bytes."""

    bar: Any
    size: int
    chars: int
    sent: int = 0
    seen: int = 0

    def add(self, chars: int) -> None:
        self.seen += chars
        now = self.size * self.seen // max(self.chars, 1)
        if self.bar is not None and now > self.sent:
            self.bar.update(now - self.sent)
            self.sent = now

    def finish(self) -> None:
        if self.bar is not None and self.size > self.sent:
            self.bar.update(self.size - self.sent)
        self.sent = self.size


def build(paths: Iterable[str | Path], config: BuildConfig | None = None) -> BuildResult:
    """Build a knowledge graph from files or folders with the default stages."""
    return Pipeline(config or BuildConfig()).build(paths)
