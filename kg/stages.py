"""Stages: what maps one document, step by step, each a named, versioned call on a `DocRecord`.

The pipeline is the list of stage names in `kg.config.STAGES` (or `BuildConfig.stages`); each
name is looked up in `REGISTRY`. A stage is an object with

- `name` (its key in the registry and in `Pipeline.stage_names`),
- `version` (a string: the store re-maps every document when any stage's version changes, so
  bump it whenever what the stage yields changes),
- `scope`: "sentences" (it reads and edits `record.spans`, the (start, end, type, source) spans
  of each sentence; a long document comes a part at a time) or "document" (it runs once the
  spans are mentions: `record.result` holds the document's sentences, mentions, entities and
  relations); every sentence stage runs before every document stage,
- `__call__(record)`, editing the record in place; a stage may also have `pipe(records)` to do a
  batch at once (the model tags the sentences of many documents in one call).

A registered stage is a class (or any callable with those three attributes) called with the
`Pipeline` (`Shared`) to make the stage, so it can share the pipeline's gazetteer, rules or model:

    >>> from kg.stages import REGISTRY
    >>> [REGISTRY[n].scope for n in ("segment", "link")]
    ['sentences', 'document']

`Pipeline.add_stage`, `replace_stage` and `remove_stage` edit a pipeline's list by name, as
spaCy's `add_pipe`, `replace_pipe` and `remove_pipe` do (docs/stages.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kg.ner.dateline import find_dateline, outside_clocks, outside_outlets
from kg.ner.lists import complete_place_lists
from kg.ner.merge import merge_mentions, propagate_names
from kg.ner.vet import vet_model_spans
from kg.relations.belongs_to import belongs_to
from kg.relations.event_at import event_at
from kg.relations.index import BuildIndex
from kg.relations.provenance import mentioned_in
from kg.relations.structure import structure
from kg.text.parts import OffsetRuns
from kg.text.script import restore_names
from kg.text.segment import segment
from kg.types import BuildResult, Document, Entity, Mention, Relation, Sentence

if TYPE_CHECKING:
    from kg.config import BuildConfig
    from kg.link.linker import Linker
    from kg.ner.dates import DateTagger
    from kg.ner.engine import Tagger
    from kg.ner.rules import RuleTagger

Span = tuple[int, int, str, str]  # start, end (in the sentence's text), type, source (model, rule, list)
SCOPES = ("sentences", "document")


@dataclass
class DocRecord:
    """One document (or one part of a long one) as the stages see it.

    Sentence stages: `sentences` (of this part) and `spans` (one list per sentence). The pipeline
    then turns the spans into `mentions`, joins the parts, and makes `result`, the one-document
    `BuildResult` the document stages read and extend (entities, relations)."""

    doc: Document
    start: int = 0  # the part of doc.text this record holds
    end: int | None = None  # None: to the end of the text
    before: list[Sentence] = field(default_factory=list)  # the document's sentences of the parts before
    sentences: list[Sentence] = field(default_factory=list)
    spans: list[list[Span]] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    result: BuildResult | None = None  # document stages
    _index: BuildIndex | None = field(default=None, repr=False)

    @property
    def entities(self) -> list[Entity]:
        return self.result.entities

    @property
    def relations(self) -> list[Relation]:
        return self.result.relations

    @property
    def index(self) -> BuildIndex:
        """The document's index for the relation families, made once, when the first one asks."""
        if self._index is None:
            self._index = BuildIndex(self.result)
        return self._index


class Shared(Protocol):
    """What the stages of a pipeline share (`kg.pipeline.Pipeline` is one): read when called, so a
    tagger swapped in after the stages were made is the one they use."""

    config: BuildConfig
    tagger: Tagger | None
    rules: RuleTagger
    dates: DateTagger
    linker: Linker


@runtime_checkable
class Stage(Protocol):
    name: str
    version: str
    scope: str

    def __call__(self, record: DocRecord) -> None: ...


REGISTRY: dict[str, Callable[[Shared], Stage]] = {}


def register_stage(factory: Any) -> Any:
    """Class decorator: `REGISTRY[factory.name] = factory` (its `version` and `scope` checked)."""
    for attr in ("name", "version", "scope"):
        if not isinstance(getattr(factory, attr, None), str):
            raise TypeError(f"a stage needs a str {attr!r}: {factory!r}")
    if factory.scope not in SCOPES:
        raise ValueError(f"stage {factory.name!r}: scope must be one of {SCOPES}, not {factory.scope!r}")
    REGISTRY[factory.name] = factory
    return factory


def stage_versions(names: Iterable[str], custom: dict[str, Stage] | None = None) -> list[tuple[str, str]]:
    """(name, version) of each stage named, from `custom` (stage objects) or the registry."""
    custom = custom or {}
    out = []
    for name in names:
        stage = custom.get(name) or REGISTRY.get(name)
        if stage is None:
            raise KeyError(f"no stage {name!r}; registered: {', '.join(REGISTRY)}")
        out.append((name, stage.version))
    return out


def check_order(stages: list[Stage]) -> None:
    """Every sentence stage before every document stage; names unique."""
    names = [s.name for s in stages]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValueError(f"stage(s) named twice: {', '.join(twice)}")
    scopes = [s.scope for s in stages]
    if "document" in scopes and "sentences" in scopes[scopes.index("document"):]:
        late = [s.name for s in stages[scopes.index("document"):] if s.scope == "sentences"]
        raise ValueError(f"sentence stage(s) {', '.join(late)} after a document stage: sentence stages come first")


class _Base:
    version = "1"
    scope = "sentences"
    name = ""

    def __init__(self, pipeline: Shared) -> None:
        self.pipeline = pipeline

    def __repr__(self) -> str:
        return f"<stage {self.name} v{self.version} ({self.scope})>"


def _model_spans(spans: list[Span]) -> list[tuple[int, int, str]]:
    return [(i, j, t) for i, j, t, source in spans if source == "model"]


def _others(spans: list[Span]) -> list[Span]:
    return [s for s in spans if s[3] != "model"]


# -- sentence stages --------------------------------------------------------------------------------
@register_stage
class Segment(_Base):
    """The record's part of the text as sentences (`kg.text.segment`), with no spans yet.

    Sentences are numbered and offset as parts of the whole document."""

    name = "segment"
    version = "2"  # a block with a clause mark is no byline (…日前向记者投诉称，); 实习生 opens a byline

    def __call__(self, record: DocRecord) -> None:
        doc = record.doc
        start, end = record.start, len(doc.text) if record.end is None else record.end
        whole = start == 0 and end == len(doc.text)
        part = doc if whole else Document(id=doc.id, path=doc.path, text=doc.text[start:end],
                                          encoding=doc.encoding, sha256=doc.sha256)
        sentences = segment(part)
        before = record.before
        article = before[-1].article + _opens_article(sentences) if before else 0
        for sent in sentences:
            sent.index += len(before)
            sent.article += article
            sent.offsets = OffsetRuns(sent.offsets, base=start)  # one int pair per run, not per char
        record.sentences = sentences
        record.spans = [[] for _ in sentences]


@register_stage
class Model(_Base):
    """The NER model's spans, source "model"; its dates are left out (dates are the rule layer's)."""

    name = "model"

    def __call__(self, record: DocRecord) -> None:
        self.pipe([record])

    def pipe(self, records: list[DocRecord]) -> None:
        """The sentences of all `records` in one model call (`config.batch_size` sentences a batch)."""
        texts = [s.text for r in records for s in r.sentences]
        found = self.pipeline.tagger.tag(texts, batch_size=self.pipeline.config.batch_size)
        at = 0
        for r in records:
            for k in range(len(r.sentences)):
                r.spans[k] += [(i, j, t, "model") for i, j, t in found[at + k] if t != "DATE"]
            at += len(r.sentences)


@register_stage
class Vet(_Base):
    """The model's spans checked against the gazetteer and the lexicon (`kg.ner.vet`)."""

    name = "vet"
    version = "6"  # a place, then a unit it does not name (…工业区|内一棉花厂): the place

    def __call__(self, record: DocRecord) -> None:
        rules = self.pipeline.rules
        for k, sent in enumerate(record.sentences):
            kept = vet_model_spans(sent.text, _model_spans(record.spans[k]), sent.kind, rules.gazetteer,
                                   rules.common_words, rules.words)
            record.spans[k] = [(i, j, t, "model") for i, j, t in kept] + _others(record.spans[k])


@register_stage
class Outlets(_Base):
    """央广网哈尔滨9月1日消息: the outlet a dateline names is no part of a model span (`kg.ner.dateline`)."""

    name = "outlets"
    version = "3"  # reporters after 记者： and 实习生 (（记者：钟欣）, 实习生夏冬梅)

    def __call__(self, record: DocRecord) -> None:
        for k, sent in enumerate(record.sentences):
            kept = outside_outlets(sent.text, _model_spans(record.spans[k]))
            record.spans[k] = [(i, j, t, "model") for i, j, t in kept] + _others(record.spans[k])


@register_stage
class Rules(_Base):
    """The rule layer's names (`kg.ner.rules`), which read the model's spans; source "rule"."""

    name = "rules"
    version = "9"  # no street of a set phrase or a verb and its way (走下坡路, 走|上坡路); issue 22 (modern news): streets in place context (在|中山路, 百花路、长乐路, 西靠|青云路); no 责令中队 of 责令中队长; no road of 事故|路段; 工业区 a place's suffix

    def __call__(self, record: DocRecord) -> None:
        for k, sent in enumerate(record.sentences):
            found = self.pipeline.rules.tag(sent.text, sent.kind, _model_spans(record.spans[k]))
            record.spans[k] += [(i, j, t, "rule") for i, j, t in found]


@register_stage
class Dates(_Base):
    """Dates and times (`kg.ner.dates`); source "rule"."""

    name = "dates"
    version = "6"  # weekdays of the week of writing (上周五), 今（30）日; 天 Sunday only after 星期/礼拜 (no 上周天 of 上周天气)

    def __call__(self, record: DocRecord) -> None:
        anchored = bool(record.doc.date) or any(
            find_dateline(s.text) is not None for s in (*record.before, *record.sentences))
        for k, sent in enumerate(record.sentences):
            record.spans[k] += [(i, j, t, "rule") for i, j, t in self.pipeline.dates.tag(sent.text, anchored)]


@register_stage
class Merge(_Base):
    """Overlapping spans of a sentence resolved to one non-overlapping set (`kg.ner.merge`)."""

    name = "merge"
    version = "3"  # issue 22 (events): a scene beats the model's span that runs past its head

    def __call__(self, record: DocRecord) -> None:
        record.spans = [outside_clocks(s.text, merge_mentions(s.text, spans))  # 北京时间: a clock, no place
                        for s, spans in zip(record.sentences, record.spans, strict=True)]


@register_stage
class Lists(_Base):
    """The unnamed items of place lists (`kg.ner.lists`); source "list"."""

    name = "lists"
    version = "3"  # no verb phrase as a list item (…村 | 发生一起山火)

    def __call__(self, record: DocRecord) -> None:
        words = self.pipeline.rules.common_words
        record.spans = [complete_place_lists(s.text, spans, words)
                        for s, spans in zip(record.sentences, record.spans, strict=True)]


@register_stage
class Propagate(_Base):
    """Every other occurrence in the document (part) of a name found somewhere in it (`kg.ner.merge`)."""

    name = "propagate"
    version = "2"  # issue 22's names, nesting and scenes; word lists as data

    def __call__(self, record: DocRecord) -> None:
        record.spans = [outside_clocks(s.text, spans)  # (a place named elsewhere is none in its clock either)
                        for s, spans in zip(record.sentences, propagate_names(record.sentences, record.spans),
                                            strict=True)]


# -- document stages --------------------------------------------------------------------------------
class _DocumentStage(_Base):
    scope = "document"


@register_stage
class Link(_DocumentStage):
    """Mentions → entities, linked within the document (`kg.link.linker`)."""

    name = "link"
    version = "6"  # a scene's road ends where a word does and joins no two roads (no 新桥街 of 新桥街道路口); 北京|北京市 two parts, not nested; issue 22 (modern news): a scene names the road it is on (勤俭东路|铁路立交桥) and a crossing its second road; 包固一级公路 = 包固公路; 工业区 a place's suffix

    def __call__(self, record: DocRecord) -> None:
        r = record.result
        r.entities = self.pipeline.linker.link(r.documents, r.sentences, r.mentions)


@register_stage
class Structure(_DocumentStage):
    """Units and places within units and places (`kg.relations.structure`)."""

    name = "structure"
    version = "2"  # issue 22's names, nesting and scenes; word lists as data

    def __call__(self, record: DocRecord) -> None:
        record.result.relations += structure(record.result, self.pipeline.linker.gazetteer, record.index)


@register_stage
class BelongsTo(_DocumentStage):
    """People in units (`kg.relations.belongs_to`)."""

    name = "belongs_to"
    version = "3"  # reporters after 记者： and 实习生 (（记者：钟欣）, 实习生夏冬梅)

    def __call__(self, record: DocRecord) -> None:
        record.result.relations += belongs_to(record.result, record.index)


@register_stage
class EventAt(_DocumentStage):
    """Events, where and when (`kg.relations.event_at`); adds EVENT entities."""

    name = "event_at"
    version = "6"  # premises as the scene (a school whose pupils fell ill, a factory on fire): their place, else themselves,
    # never a country, quoted or verb-opened names, or where the clause names a place; a date qualifying a noun
    # (次日的监测结果) dates no incident unless it goes on (的前两天, 的3月上旬) or the noun is an incident (的会见);
    # a spot beside a named place (X西侧) far from the date, unless loot was sold or a culprit fled there

    def __call__(self, record: DocRecord) -> None:
        r = record.result
        r.relations += event_at(r, self.pipeline.linker.gazetteer, r.relations, record.index)


@register_stage
class MentionedIn(_DocumentStage):
    """Each entity MENTIONED_IN its document (`kg.relations.provenance`)."""

    name = "mentioned_in"

    def __call__(self, record: DocRecord) -> None:
        record.result.relations += mentioned_in(record.result.entities)


@register_stage
class RestoreNames(_DocumentStage):
    """Traditional documents: names back in their own script, after every lookup (`kg.text.script`)."""

    name = "restore_names"

    def __call__(self, record: DocRecord) -> None:
        restore_names(record.result)


def _opens_article(sentences: list[Sentence]) -> int:
    """1 if a part starts with a headline run ending in a byline (a new article), as segment() rules."""
    for s in sentences:
        if s.kind == "body":
            return 0
        if s.kind == "byline":
            return 1
    return 0
