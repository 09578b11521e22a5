"""Typed records passed between pipeline stages.

Every stage takes and returns these; sinks only read them. Offsets (`start`, `end`) are
always character offsets into the ORIGINAL decoded text of the document, so that
`document.text[start:end]` is what the source said, line breaks and stray spaces included.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

ENTITY_TYPES = ("PERSON", "ORG", "LOC", "DATE")
NODE_TYPES = (*ENTITY_TYPES, "EVENT")
RELATION_TYPES = ("BELONGS_TO", "PART_OF", "LOCATED_IN", "EVENT_AT", "INVOLVED_IN", "MENTIONED_IN")


@dataclass
class Document:
    """One input file, decoded."""

    id: str  # path relative to the input root ("a/page.txt"), or the name of a file given directly; unique
    path: str
    text: str  # original decoded text; all offsets point here
    encoding: str = "utf-8"
    sha256: str = ""
    replaced: int = 0  # bytes that did not decode and became U+FFFD (reported, see kg.text.read)
    date: str = ""  # ISO yyyy-mm-dd, the document's own date when known (given, a table column, ...)
    source_format: str = "text"  # text | html | csv | jsonl | parquet | docx | pdf | python: offsets are into
    #                              the decoded file for "text", into the extracted text otherwise


@dataclass
class Sentence:
    """A cleaned sentence with a map from each cleaned character to its original offset."""

    doc_id: str
    index: int  # position in the document, 0-based
    text: str  # cleaned text (line-break joins and stray spaces removed)
    offsets: Sequence[int]  # offsets[i] = original offset of text[i] (compact runs after a build)
    article: int = 0
    kind: str = "body"  # body | title | byline | caption

    @property
    def start(self) -> int:
        return self.offsets[0] if self.offsets else 0

    @property
    def end(self) -> int:
        return self.offsets[-1] + 1 if self.offsets else 0

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Original (start, end) of cleaned slice text[i:j]."""
        return self.offsets[i], self.offsets[j - 1] + 1


@dataclass(slots=True)  # no per-object __dict__: millions of these in a big build
class Mention:
    """A tagged span; `text` is exactly `document.text[start:end]`."""

    doc_id: str
    sentence: int
    start: int
    end: int
    text: str  # original[start:end], line breaks and stray spaces included
    type: str  # PERSON | ORG | LOC | DATE
    norm: str = ""  # the cleaned surface form, what the linker reads
    source: str = "model"  # model | rule
    article: int = 0
    sent_start: int = 0  # offset of the mention inside the cleaned sentence text
    entity_id: str = ""  # filled by the linker


@dataclass(slots=True)
class Evidence:
    doc_id: str
    sentence: int
    start: int
    end: int
    text: str  # the cleaned sentence that states the fact


Parent = tuple[str, str, Evidence, bool]  # an entity's edge to what contains it: see `Entity.parents`


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    type: str  # one of NODE_TYPES
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)  # anonymized, iso, description, ...: what the tables write
    # (parent id, PART_OF | LOCATED_IN, evidence, inferred): the containment the linker read in a name (湖南省永兴县),
    # which the structure relations and event places follow; kept out of `attrs`, as no table writes it
    parents: list[Parent] = field(default_factory=list)

    @property
    def documents(self) -> list[str]:
        return sorted({m.doc_id for m in self.mentions} | set(self.attrs.get("documents", [])))


@dataclass(slots=True)
class Relation:
    source_id: str
    relation: str  # one of RELATION_TYPES
    target_id: str
    properties: dict[str, Any] = field(default_factory=dict)  # role, date, iso_date, inferred ...
    evidence: Evidence | None = None

    @property
    def key(self) -> tuple:
        return (self.source_id, self.relation, self.target_id, self.properties.get("role", ""))


@dataclass
class BuildResult:
    """Everything a build produces; what sinks consume."""

    documents: list[Document] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # "file: reason" for skipped inputs
    reused: int = 0  # documents whose stored result was reused, not mapped again (see `kg.store`)


@dataclass
class DocResult:
    """What one document yields on its own (the map step): it knows nothing of other documents.

    Entities are linked within the document only; entities of several documents with the same id are
    one thing and are merged by `kg.reduce`."""

    document: Document
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)


def document_node_id(doc_id: str) -> str:
    """Graph id of a document node (target of MENTIONED_IN)."""
    return f"doc:{doc_id}"
