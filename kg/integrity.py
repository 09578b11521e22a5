"""The invariant every build keeps: ids resolve.

Every relation's ends are entities of the build (or, for MENTIONED_IN, its documents), every
mention's entity exists, every edge a linked entity holds points at an entity. It is checked where
it is made: per document by the map (`check_document`, in `Pipeline.link_document`, whichever
engine runs it), and on the written tables before a folder is published (`kg.sinks.tables.seal`:
the readers' own validation, run by every table writer on its staging folder). A violation is a
bug in kg, not in the input: the build stops with the document to report (`IntegrityError`),
instead of publishing a folder that `kg render`, `kg export` and `kg.read` refuse.
"""

from __future__ import annotations

from kg.errors import KgError
from kg.types import BuildResult, DocResult, document_node_id

REPORT = "internal error (a bug in kg; please report it with this document)"


class IntegrityError(KgError):
    """A build that broke its own invariant (a bug in kg); `document`: the document to report."""

    def __init__(self, document: str | None, problem: str) -> None:
        where = f"document {document!r}: " if document else ""
        super().__init__(f"{REPORT}: {where}{problem}")
        self.document = document


def check_document(r: DocResult) -> None:
    """IntegrityError unless every id in one document's result resolves within it."""
    doc = r.document.id
    ids = {e.id for e in r.entities}
    for m in r.mentions:
        if m.entity_id and m.entity_id not in ids:
            raise IntegrityError(doc, f"mention {m.text!r} (sentence {m.sentence}) names entity {m.entity_id!r}, "
                                      "which the document does not have")
    for e in r.entities:
        for parent, relation, *_ in e.parents:
            if parent not in ids:
                raise IntegrityError(doc, f"{e.type} {e.name!r} is {relation} {parent!r}, "
                                          "which the document does not have")
    node = document_node_id(doc)
    for rel in r.relations:
        for end in (rel.source_id, rel.target_id):
            if end not in ids and end != node:
                raise IntegrityError(doc, f"relation {rel.source_id} {rel.relation} {rel.target_id}: "
                                          f"{end!r} is not an entity of the document")


def check_build(result: BuildResult) -> None:
    """`check_document` for a reduced build (the corpus-level steps rename ids): IntegrityError naming
    the document whose row points nowhere."""
    ids = {e.id for e in result.entities}
    docs = {document_node_id(d.id) for d in result.documents}
    for m in result.mentions:
        if m.entity_id and m.entity_id not in ids:
            raise IntegrityError(m.doc_id, f"mention {m.text!r} (sentence {m.sentence}) names entity "
                                           f"{m.entity_id!r}, which the build does not have")
    for rel in result.relations:
        for end in (rel.source_id, rel.target_id):
            if end not in ids and end not in docs:
                raise IntegrityError(rel.evidence.doc_id if rel.evidence else None,
                                     f"relation {rel.source_id} {rel.relation} {rel.target_id}: "
                                     f"{end!r} is not an entity of the build")
