"""build(): read → (clean → segment → tag → link → relate each document) → reduce. Read top to bottom.

Map, then reduce: every document is processed on its own (`map_document` → `DocResult`, knowing
nothing of other documents), in this process or in `config.workers` processes; then `kg.reduce`
merges the results by entity id, the same for any input order, and runs the corpus-level steps.

Each stage is a plain object or function taking and returning `kg.types` records; swap one by
passing a different object in `Pipeline` (as spaCy swaps components). Defaults live in `BuildConfig`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.integrity import check_document
from kg.link.linker import Linker
from kg.ner.dateline import outside_clocks, outside_outlets
from kg.ner.dates import DateTagger
from kg.ner.engine import Tagger, load_tagger
from kg.ner.lists import complete_place_lists
from kg.ner.merge import merge_mentions, propagate_names
from kg.ner.models import DEFAULT_MODEL
from kg.ner.rules import RuleTagger
from kg.ner.vet import vet_model_spans
from kg.reduce import Reducer, corpus_steps, reduce_documents
from kg.relations import document_relations
from kg.relations.people import AliasTable
from kg.sources import DEFAULT_COLUMNS, Columns, FileReader
from kg.store import Store, Stored
from kg.text.parts import OffsetRuns, split_parts
from kg.text.read import InputFile, find_inputs
from kg.text.script import restore_names
from kg.text.segment import segment
from kg.types import BuildResult, DocResult, Document, Mention, Sentence


@dataclass
class BuildConfig:
    model: str = DEFAULT_MODEL  # a shipped-model path, a HanLP pretrained identifier, or a model dir
    strict: bool = False  # any bad input file is an error instead of a skipped file
    max_bytes: int = 200 * 1024 * 1024  # larger files are refused, not read into memory
    batch_size: int = 64  # sentences per NER call
    part_chars: int = 200_000  # longer documents are processed in parts, in bounded memory
    threads: int | None = None  # torch CPU threads for the model; None: torch's default here, 1 in a worker
    workers: int = 1  # processes that map documents; 1 maps them here (>1: spawned, so a script needs `if __name__`)
    batch_docs: int = 32  # documents whose sentences share one model call
    encoding: str | None = None  # force this input encoding instead of detecting it
    columns: Columns = DEFAULT_COLUMNS  # tables of articles (.csv/.jsonl/.parquet): text, id and date columns
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
        self._given_tagger = self.tagger  # a tagger passed in goes to the workers; else each loads the model
        if self.tagger is None and self.config.workers <= 1:
            if self.config.threads:
                import torch  # only the model needs torch; a stub tagger does not

                torch.set_num_threads(self.config.threads)  # oversubscribed cores make the LSTM crawl
            self.tagger = load_tagger(self.config.model)

    def map_document(self, doc: Document) -> DocResult:
        """One document on its own: its sentences, mentions, entities and relations (the map step)."""
        return self.map_documents([doc])[0]

    def map_documents(self, docs: list[Document], on_part: Callable[[int], None] | None = None) -> list[DocResult]:
        """`map_document` for each of `docs`; the sentences of the short ones go to the model in one call
        (a batch of 64 sentences from many documents instead of 13 from one: a third less model time)."""
        tagged: dict[int, tuple[list[Sentence], list[Mention]]] = {}
        short = [k for k, d in enumerate(docs) if len(d.text) <= self.config.part_chars]
        segmented = [self._segment_part(docs[k], 0, len(docs[k].text), []) for k in short]
        spans = self.tagger.tag([s.text for sents in segmented for s in sents], batch_size=self.config.batch_size)
        at = 0
        for k, sents in zip(short, segmented, strict=True):
            tagged[k] = sents, self._mentions(docs[k], sents, spans[at: at + len(sents)])
            at += len(sents)
            if on_part is not None:
                on_part(len(docs[k].text))
        out = []
        for k, doc in enumerate(docs):
            sentences, mentions = tagged[k] if k in tagged else self.process_document(doc, on_part)
            out.append(self.link_document(doc, sentences, mentions))
        return out

    def link_document(self, doc: Document, sentences: list[Sentence], mentions: list[Mention]) -> DocResult:
        """Entities and relations of one tagged document, linked as if it were the whole corpus."""
        alone = BuildResult(documents=[doc], sentences=sentences, mentions=mentions)
        alone.entities = self.linker.link(alone.documents, alone.sentences, alone.mentions)
        alone.relations = document_relations(alone, self.linker.gazetteer)
        restore_names(alone)  # Traditional documents: names back in their own script (after all lookups)
        done = DocResult(doc, alone.sentences, alone.mentions, alone.entities, alone.relations)
        check_document(done)  # ids resolve: a bug stops here, naming the document, not in a reader later
        return done

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
            part_sentences = self._segment_part(doc, start, end, sentences)
            spans = self.tagger.tag([s.text for s in part_sentences], batch_size=self.config.batch_size)
            sentences += part_sentences
            mentions += self._mentions(doc, part_sentences, spans)
            if on_part is not None:
                on_part(end - start)
        return sentences, mentions

    def _segment_part(self, doc: Document, start: int, end: int, before: list[Sentence]) -> list[Sentence]:
        """Sentences of doc.text[start:end], numbered and offset as parts of `doc`."""
        whole = start == 0 and end == len(doc.text)
        part = doc if whole else Document(id=doc.id, path=doc.path, text=doc.text[start:end],
                                          encoding=doc.encoding, sha256=doc.sha256)
        sentences = segment(part)
        article = before[-1].article + _opens_article(sentences) if before else 0
        for sent in sentences:
            sent.index += len(before)
            sent.article += article
            sent.offsets = OffsetRuns(sent.offsets, base=start)  # one int pair per run, not per char
        return sentences

    def _mentions(self, doc: Document, sentences: list[Sentence], model_spans: list) -> list[Mention]:
        """The model's spans vetted, the rule layer's and dates added, merged: the mentions of `sentences`."""
        mentions: list[Mention] = []
        per_sentence = []
        for sent, spans in zip(sentences, model_spans, strict=True):
            spans = [s for s in spans if s[2] != "DATE"]  # dates are the rule layer's (see kg.ner.dates)
            spans = vet_model_spans(sent.text, spans, sent.kind, self.rules.gazetteer, self.rules.common_words,
                                    self.rules.words)
            spans = outside_outlets(sent.text, spans)  # 央广网哈尔滨9月1日消息: the outlet is no part of a name
            found = [(i, j, t, "model") for i, j, t in spans]
            found += [(i, j, t, "rule") for i, j, t in self.rules.tag(sent.text, sent.kind, spans)]
            found += [(i, j, t, "rule") for i, j, t in self.dates.tag(sent.text)]
            merged = outside_clocks(sent.text, merge_mentions(sent.text, found))  # 北京时间: a clock, no place
            per_sentence.append(complete_place_lists(sent.text, merged, self.rules.common_words))
        per_sentence = [outside_clocks(sent.text, spans)  # (a place named elsewhere is none in its clock either)
                        for sent, spans in zip(sentences, propagate_names(sentences, per_sentence), strict=True)]
        for sent, spans in zip(sentences, per_sentence, strict=True):
            for i, j, t, source in spans:
                a, b = sent.span(i, j)
                mentions.append(Mention(doc_id=doc.id, sentence=sent.index, start=a, end=b,
                                        text=doc.text[a:b], norm=sent.text[i:j], type=t, source=source, article=sent.article,
                                        sent_start=i))
        return mentions

    def build_documents(self, docs: Iterable[Document], store: Store | None = None,
                        on_done: Callable[[DocResult], None] | None = None,
                        on_part: Callable[[int], None] | None = None) -> BuildResult:
        """Map every document on its own (in `config.workers` processes), then reduce by entity id.

        The result is the same for any order of `docs` and any number of workers (see `kg.reduce`).
        With a `store`, results go through it (`map_to_store`) and the reduce reads its shards.
        `on_done(doc_result)` is called as each document is mapped (or found in the store: then the
        result is empty); `on_part(chars)` as each part of a document mapped in this process is tagged."""
        if store is not None:
            stored = self.map_to_store(docs, store, on_done, on_part)
            result = reduce_documents(store.read(stored.live), steps=corpus_steps(self.config.aliases))
            result.reused = stored.reused
            return result
        red = Reducer(steps=corpus_steps(self.config.aliases))
        for done in self.map_all(_unique(docs, self.config.doc_date), on_part):
            red.add(done)
            if on_done is not None:
                on_done(done)
        return red.result()

    def map_to_store(self, docs: Iterable[Document], store: Store,
                     on_done: Callable[[DocResult], None] | None = None,
                     on_part: Callable[[int], None] | None = None, keep: Reducer | None = None) -> Stored:
        """Map the documents `store` lacks (new content or pipeline version), each batch of results
        written to its shards as it is made: memory holds a batch, not the corpus. `keep`: a reduce
        that each written batch is also folded into (a small build need not read its shards back)."""
        stored = Stored()

        def fresh(docs: Iterable[Document]) -> Iterator[Document]:
            for d in _unique(docs, self.config.doc_date):
                stored.live.append(d.id)  # (the store's pipeline version holds config.doc_date)
                if not store.has(d):
                    yield d
                    continue
                stored.reused += 1
                if on_done is not None:
                    on_done(DocResult(d))

        def write(shard: list[DocResult]) -> None:
            store.write(shard)
            for done in shard if keep is not None else ():
                keep.add(done)  # after the write: the fold changes the first copy of each entity

        shard: list[DocResult] = []
        for done in self.map_all(fresh(docs), on_part):
            shard.append(done)
            if len(shard) >= self.config.batch_docs:
                write(shard)
                shard = []
            if on_done is not None:
                on_done(done)
        write(shard)
        store.prune(stored.live)
        return stored

    def map_all(self, docs: Iterable[Document], on_part: Callable[[int], None] | None = None) -> Iterator[DocResult]:
        """DocResults of `docs`, in batches (`config.batch_docs`), here or in worker processes."""
        if self.config.workers > 1:
            from kg.engines.local import map_in_processes

            yield from map_in_processes(docs, self.config, self._given_tagger)
            return
        for batch in batches(docs, self.config.batch_docs, self.config.part_chars):
            yield from self.map_documents(batch, on_part)

    def build(self, paths: Iterable[str | Path | InputFile], progress: Callable[[int], Any] | None = None,
              store: Store | None = None) -> BuildResult:
        """Build every readable file under `paths`; unreadable ones go to `result.problems`.

        `progress(total_bytes)` makes a bar (e.g. `lambda n: tqdm(total=n, unit="B")`): anything
        with `update(n)` and `close()`; it advances per part of each document, so a single 50 MB
        file moves it too. With `config.strict`, every file is read once before any is processed,
        so a bad file fails the build before minutes of tagging, and nothing is half-done.
        `store`: see `build_documents`.
        """
        with self._reading(paths, progress) as (docs, problems, hooks):
            result = self.build_documents(docs, store, **hooks)
        result.problems = problems
        return result

    def map_paths(self, paths: Iterable[str | Path | InputFile], store: Store,
                  progress: Callable[[int], Any] | None = None, keep: Reducer | None = None) -> Stored:
        """`build` up to the store: map what it lacks; reduce later (`kg.reduce`, `kg.stream`)."""
        with self._reading(paths, progress) as (docs, problems, hooks):
            stored = self.map_to_store(docs, store, keep=keep, **hooks)
        stored.problems = problems
        return stored

    @contextmanager
    def _reading(self, paths: Iterable[str | Path | InputFile], progress: Callable[[int], Any] | None):
        """(documents read lazily, problems, progress hooks) for `build_documents`/`map_to_store`.

        Files are read by `kg.sources` (text, HTML, tables of articles, Word, PDF); a file's id is its
        path under the folder given (`kg.text.read.find_inputs`)."""
        inputs, skipped = find_inputs(paths)
        reader = FileReader(self.config.columns, self.config.max_bytes, self.config.strict, problems=list(skipped),
                            encoding=self.config.encoding)
        reader.check(inputs)
        reader.start(progress, inputs)
        try:
            yield reader.documents(inputs), reader.problems, {
                "on_part": reader.advance, "on_done": lambda d: reader.finished(d.document.id)}
        finally:
            reader.close()


def _unique(docs: Iterable[Document], doc_date: str = "") -> Iterator[Document]:
    """`docs`, or an error naming both files when two have one id; `doc_date` for those with no date."""
    seen: dict[str, str] = {}
    for d in docs:
        d.date = d.date or doc_date
        if d.id in seen:
            raise InputError(f"document id {d.id!r} given twice: {seen[d.id]} and {d.path}")
        seen[d.id] = d.path
        yield d


def batches(docs: Iterable[Document], size: int, chars: int) -> Iterator[list[Document]]:
    """Runs of at most `size` documents and about `chars` characters: what one model call tags."""
    batch: list[Document] = []
    total = 0
    for doc in docs:
        if batch and (len(batch) >= size or total + len(doc.text) > chars):
            yield batch
            batch, total = [], 0
        batch.append(doc)
        total += len(doc.text)
    if batch:
        yield batch


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
