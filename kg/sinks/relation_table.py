"""Readable relation and entity rows, built once and shared by every table format.

A relation row names both ends (name and type, not just ids), the role, the date and the sentence
that states the fact, so a spreadsheet reader needs no join. Values keep their Python types
(`str`, `int | None`, `bool`, `list[str]`); each writer renders them its own way (CSV joins lists
with `|`, Parquet keeps them as lists). `COLUMNS` gives every column's kind, so writers and
readers agree on types without guessing.

    >>> rows = relation_rows(result)
    >>> rows[0]["head"], rows[0]["relation"], rows[0]["tail"]
    ('周佰发', 'BELONGS_TO', '洮南市公安局交巡警大队')
"""

from __future__ import annotations

import json

from kg.types import RELATION_TYPES, BuildResult, Relation, document_node_id

# Column kinds: "str" (never None, "" when absent), "int" (None when absent), "bool", "list" (of str).
RELATION_COLUMNS: dict[str, str] = {
    "head": "str", "head_type": "str", "relation": "str", "role": "str", "tail": "str", "tail_type": "str",
    "date": "str", "iso_date": "str", "document": "str", "sentence": "int", "evidence": "str",
    "inferred": "bool", "properties": "str", "head_id": "str", "tail_id": "str",
}
ENTITY_COLUMNS: dict[str, str] = {
    "name": "str", "type": "str", "aliases": "list", "mention_count": "int", "documents": "list",
    "iso": "str", "description": "str", "anonymized": "bool", "id": "str",
}
# Properties with a column of their own; the rest go, as JSON, into `properties`.
_SHOWN = {"role", "date", "iso_date", "inferred"}


def _str(v) -> str:
    return "" if v is None else str(v)


def _nodes(result: BuildResult) -> dict[str, tuple[str, str]]:
    """id → (name, type) for every node a relation can point at, documents included."""
    nodes = {document_node_id(d.id): (d.id, "DOCUMENT") for d in result.documents}
    nodes.update({e.id: (e.name, e.type) for e in result.entities})
    return nodes


def _end(node_id: str, nodes: dict[str, tuple[str, str]]) -> tuple[str, str]:
    if node_id in nodes:
        return nodes[node_id]
    if node_id.startswith(document_node_id("")):  # a document the output folder did not list
        return node_id[len(document_node_id("")):], "DOCUMENT"
    return node_id, ""


def relation_row(r: Relation, nodes: dict[str, tuple[str, str]]) -> dict:
    (head, head_type), (tail, tail_type) = _end(r.source_id, nodes), _end(r.target_id, nodes)
    ev, p = r.evidence, r.properties
    rest = {k: v for k, v in p.items() if k not in _SHOWN}
    return {
        "head": head, "head_type": head_type, "relation": r.relation, "role": _str(p.get("role")),
        "tail": tail, "tail_type": tail_type, "date": _str(p.get("date")), "iso_date": _str(p.get("iso_date")),
        "document": ev.doc_id if ev else "", "sentence": ev.sentence if ev else None,
        "evidence": ev.text if ev else "", "inferred": bool(p.get("inferred")),
        "properties": json.dumps(rest, ensure_ascii=False, sort_keys=True) if rest else "",
        "head_id": r.source_id, "tail_id": r.target_id,
    }


def relation_rows(result: BuildResult) -> list[dict]:
    """All relations, grouped by type in `RELATION_TYPES` order (stable within a type)."""
    nodes = _nodes(result)
    order = {t: i for i, t in enumerate(RELATION_TYPES)}
    rels = sorted(result.relations, key=lambda r: order.get(r.relation, len(order)))
    return [relation_row(r, nodes) for r in rels]


def relation_types(result: BuildResult) -> list[str]:
    """Every known relation type (so the file set is stable), then any others the build made."""
    extra = sorted({r.relation for r in result.relations} - set(RELATION_TYPES))
    return [*RELATION_TYPES, *extra]


def by_relation(rows: list[dict], types: list[str]) -> dict[str, list[dict]]:
    groups: dict[str, list[dict]] = {t: [] for t in types}
    for row in rows:
        groups.setdefault(row["relation"], []).append(row)
    return groups


def entity_rows(result: BuildResult) -> list[dict]:
    return [{
        "name": e.name, "type": e.type, "aliases": list(e.aliases),
        "mention_count": len(e.mentions) or int(e.attrs.get("mention_count", 0)), "documents": e.documents,
        "iso": _str(e.attrs.get("iso")), "description": _str(e.attrs.get("description")),
        "anonymized": bool(e.attrs.get("anonymized")), "id": e.id,
    } for e in result.entities]
