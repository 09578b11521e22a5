"""The Neo4j rows of a graph, as streams: from a BuildResult in memory, or read from an output folder.

`StreamedRows(out)` gives what `graph_rows(read_tables(out))` gives (same ids, labels, properties),
reading the tables a row at a time, so a store of millions of articles is loaded or exported in
bounded memory (what is held: the document and entity ids the tables are checked against, and one
document's mention keys). Two decisions are whole-table ones and are made by a first pass:
a relation property whose values have several types in a (type, target) group is a string in every
row of the group (`_unify_types`), and bulk-import headers need every column's type. Node
properties come from fixed table columns, so their types are fixed (`kg.schema.NEO4J_NODE_SCHEMAS`).

Entity → document MENTIONED_IN rows that no relation row states (an entity's `documents` lists a
document it has no mention in) are found by a merge of entities.csv and relations.csv, both
written sorted by entity id; a folder that is not sorted holds those pairs in memory instead.

    >>> rows = StreamedRows("out")                                   # doctest: +SKIP
    >>> sum(1 for _ in rows.relations())                             # doctest: +SKIP
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from kg.schema import (
    NEO4J_NODE_SCHEMAS,
    neo4j_document_row,
    neo4j_entity_props,
    neo4j_entity_row,
    neo4j_fact_row,
    neo4j_mention_row,
    neo4j_mentioned_in_row,
    neo4j_sentence_row,
)
from kg.sinks.neo4j import GraphRows, graph_rows, unified
from kg.sinks.tables import TableReader
from kg.types import BuildResult, document_node_id

ARRAY_DELIMITERS = (";", "|", "¦", "¤")
# when a name holds all four: private-use characters, one of which no name holds (kg.sinks.neo4j_import)
SPARE_DELIMITERS = tuple(chr(c) for c in range(0xE000, 0xF900))
_CANDIDATES = frozenset(ARRAY_DELIMITERS + SPARE_DELIMITERS)
Group = tuple[str, str]  # (relationship type, target label)

class GraphSource(Protocol):
    """Rows for the loaders and the bulk-import files, each table an iterator read anew."""

    array_chars: set[str]  # the delimiter candidates that occur inside list values (aliases, documents)

    def documents(self) -> Iterator[dict]: ...
    def sentences(self) -> Iterator[dict]: ...
    def entities(self) -> Iterator[tuple[str, dict]]: ...  # (type label, row)
    def relations(self) -> Iterator[tuple[Group, dict]]: ...
    def mentions(self) -> Iterator[dict]: ...
    def schema(self, table: str | Group) -> dict[str, type]: ...  # property → type, for file headers
    def groups(self) -> list[Group]: ...


def _types(props) -> dict[str, type]:
    out: dict[str, type] = {}
    for p in props:
        for k, v in p.items():
            if v is not None:
                out.setdefault(k, type(v))
    return out


def _chars(values) -> set[str]:
    return {c for a in values for c in _CANDIDATES.intersection(a)}


class MemoryRows:
    """`graph_rows(result)` as a GraphSource."""

    def __init__(self, result: BuildResult | GraphRows) -> None:
        self.rows = graph_rows(result) if isinstance(result, BuildResult) else result
        self.skipped = self.rows.skipped
        self.array_chars = _chars(a for es in self.rows.entities.values() for e in es
                                  for v in neo4j_entity_props(e).values() if isinstance(v, list) for a in v)

    def documents(self) -> Iterator[dict]:
        return iter(self.rows.documents)

    def sentences(self) -> Iterator[dict]:
        return iter(self.rows.sentences)

    def entities(self) -> Iterator[tuple[str, dict]]:
        return ((label, e) for label, es in sorted(self.rows.entities.items()) for e in es)

    def relations(self) -> Iterator[tuple[Group, dict]]:
        return ((group, r) for group, rs in sorted(self.rows.relations.items()) for r in rs)

    def mentions(self) -> Iterator[dict]:
        return iter(self.rows.mentions)

    def groups(self) -> list[Group]:
        return sorted(self.rows.relations)

    def schema(self, table: str | Group) -> dict[str, type]:
        if table == "documents":
            return _types(d["props"] for d in self.rows.documents)
        if table == "sentences":
            return _types(s["props"] for s in self.rows.sentences)
        if table == "entities":
            return _types(neo4j_entity_props(e) for _, e in self.entities())
        if table == "mentions":
            return _types({"start": m["start"], **m["props"]} for m in self.rows.mentions)
        return _types({"role": r["role"], **r["props"]} for r in self.rows.relations.get(table, []))


class StreamedRows:
    """The rows of an output folder, read from its tables a row at a time (see the module's doc).

    Construction reads every table once: it validates the folder (TableError, as `read_tables`),
    and decides the relation properties' types and the array delimiter candidates."""

    def __init__(self, out_dir: str | Path) -> None:
        self.reader = TableReader(out_dir)
        self.skipped: list[str] = []
        self._kinds: dict[Group, dict[str, set]] = defaultdict(lambda: defaultdict(set))
        self._covered: set[tuple[str, str]] | None = None  # only for a folder not sorted by entity id
        self._scan()

    def _scan(self) -> None:
        r = self.reader
        for table in (r.documents, r.sentences, r.mentions):
            for _ in table():
                pass
        chars: set[str] = set()
        last, entities_sorted, self._listed = "", True, False
        for e in r.entities():
            chars |= _chars([*e.aliases, *e.attrs.get("documents", [])])
            self._listed |= bool(e.documents)
            entities_sorted &= e.id > last
            last = e.id
        self.array_chars = chars
        last_source, covered_sorted = "", True
        for group, row in self._facts():
            kinds = self._kinds[group]
            for k, v in row["props"].items():
                kinds[k].add(type(v))
            if group == ("MENTIONED_IN", "Document") and not row["role"]:
                covered_sorted &= row["source"] >= last_source
                last_source = row["source"]
        self._mixed = {g: {k for k, ts in kinds.items() if len(ts) > 1} for g, kinds in self._kinds.items()}
        if not (entities_sorted and covered_sorted):
            self._covered = {(row["source"], row["target"]) for _, row in self._mentioned()}

    def _facts(self) -> Iterator[tuple[Group, dict]]:
        """Relation rows, a key's first row only (the tables hold each key once, in key order)."""
        last = None
        for r in self.reader.relations():
            if r.key == last:
                continue
            last = r.key
            yield (r.relation, "Document" if r.target_id.startswith("doc:") else "Entity"), neo4j_fact_row(r)

    def _mentioned(self) -> Iterator[tuple[Group, dict]]:
        return ((g, row) for g, row in self._facts() if g == ("MENTIONED_IN", "Document") and not row["role"])

    def documents(self) -> Iterator[dict]:
        return (neo4j_document_row(d) for d in self.reader.documents())

    def sentences(self) -> Iterator[dict]:
        return (neo4j_sentence_row(s) for s in self.reader.sentences())

    def entities(self) -> Iterator[tuple[str, dict]]:
        for e in self.reader.entities():
            yield neo4j_entity_row(e, int(e.attrs.get("mention_count", 0) or 0))

    def mentions(self) -> Iterator[dict]:
        seen: set[tuple] = set()
        doc = None
        for m in self.reader.mentions():
            if not m.entity_id:
                continue
            if m.doc_id != doc:  # mentions.csv is in document order: one document's keys at a time
                seen, doc = set(), m.doc_id
            key = (m.entity_id, m.sentence, m.start)
            if key not in seen:
                seen.add(key)
                yield neo4j_mention_row(m, m.entity_id)

    def relations(self) -> Iterator[tuple[Group, dict]]:
        for group, row in self._facts():
            for k in self._mixed.get(group, set()) & row["props"].keys():
                row["props"][k] = unified(row["props"][k])
            yield group, row
        yield from self._unstated()

    def _unstated(self) -> Iterator[tuple[Group, dict]]:
        """Entity → document for each document an entity lists that no MENTIONED_IN row states."""
        group = ("MENTIONED_IN", "Document")
        stated = self._mentioned() if self._covered is None else iter(())
        pending = next(stated, None)
        for e in self.reader.entities():
            covered = set()
            while pending is not None and pending[1]["source"] <= e.id:
                if pending[1]["source"] == e.id:
                    covered.add(pending[1]["target"])
                pending = next(stated, None)
            for doc_id in e.documents:
                target = document_node_id(doc_id)
                if target not in covered and (self._covered is None or (e.id, target) not in self._covered):
                    yield group, neo4j_mentioned_in_row(e.id, doc_id)

    def schema(self, table: str | Group) -> dict[str, type]:
        if isinstance(table, str):
            return NEO4J_NODE_SCHEMAS[table]
        kinds = self._kinds.get(table, {})
        return {"role": str, **{k: str if len(ts) > 1 else next(iter(ts)) for k, ts in kinds.items()}}

    def groups(self) -> list[Group]:
        """The (type, target) relation groups present, in a fixed order."""
        return sorted(set(self._kinds) | ({("MENTIONED_IN", "Document")} if self._listed else set()))
