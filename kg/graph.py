"""The knowledge graph as a networkx MultiDiGraph, and its node-link JSON form.

Nodes: one per entity (`type` PERSON/ORG/LOC/DATE/EVENT) plus one per document (`type` DOCUMENT,
id `doc:<file name>`). Edges: one per relation, keyed by relation type; attributes are the
relation's properties plus its provenance (document, sentence, start, end, evidence).
The graph knows nothing about files beyond node-link JSON; other formats live in `kg.sinks`.

    >>> g = to_networkx(result)                 # result: a BuildResult, e.g. `kg.build(...).result`
    >>> g.nodes["doc:001_taonan.txt"]["type"]
    'DOCUMENT'
"""

from __future__ import annotations

import json
from pathlib import Path

import networkx as nx

from kg.atomic import atomic_open
from kg.types import BuildResult, document_node_id


def to_networkx(result: BuildResult) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for d in result.documents:
        g.add_node(document_node_id(d.id), name=d.id, type="DOCUMENT", aliases=[], mentions=0, documents=[d.id],
                   path=d.path)
    for e in result.entities:
        attrs = {k: v for k, v in e.attrs.items() if k not in ("documents", "mention_count")}
        g.add_node(e.id, name=e.name, type=e.type, aliases=list(e.aliases),
                   mentions=len(e.mentions) or int(e.attrs.get("mention_count", 0)), documents=e.documents, **attrs)
    for r in result.relations:
        if r.source_id not in g or r.target_id not in g:
            continue
        attrs = dict(r.properties)
        if r.evidence is not None:
            ev = r.evidence
            attrs.update(document=ev.doc_id, sentence=ev.sentence, start=ev.start, end=ev.end, evidence=ev.text)
        g.add_edge(r.source_id, r.target_id, key=f"{r.relation}:{g.number_of_edges(r.source_id, r.target_id)}",
                   relation=r.relation, **attrs)
    return g


def write_node_link(g: nx.MultiDiGraph, path: str | Path) -> None:
    data = nx.node_link_data(g, edges="links")
    with atomic_open(path) as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1)


def read_node_link(path: str | Path) -> nx.MultiDiGraph:
    with open(path, encoding="utf-8") as fh:
        return nx.node_link_graph(json.load(fh), directed=True, multigraph=True, edges="links")
