"""Interactive, offline HTML view of the graph (pyvis data, vis-network inlined, own page).

Nodes are coloured and shaped by type and sized by mentions (documents by degree); edges carry
"RELATION · role" labels; tooltips hold the evidence sentences and documents as plain text.
The page has a legend that filters by type, relation filters and a name/alias search. Past
`PHYSICS_MAX_NODES` nodes, positions come from `kg.sinks.html_layout` and physics stays off,
so 5,000 nodes open in seconds (in-browser physics takes minutes there, pyvis #204).

    >>> render_html(result, "graph.html", focus="周佰发", hops=2)   # doctest: +SKIP
    PosixPath('graph.html')
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pyvis
from jinja2 import Environment
from markupsafe import Markup
from pyvis.network import Network
from pyvis.node import Node

from kg.atomic import atomic_open
from kg.errors import KgError
from kg.graph import to_networkx
from kg.sinks.html_assets import (
    FONT_FACE,
    LEGEND_SHAPE,
    OTHER_STYLE,
    RELATION_COLOUR,
    TEMPLATE,
    TYPE_STYLE,
)
from kg.sinks.html_layout import layout
from kg.types import BuildResult

PHYSICS_MAX_NODES = 150  # above this: precomputed layout, physics off (in-browser physics gets slow)
MAX_EVIDENCE = 5  # evidence sentences per node tooltip
MAX_CHARS = 160  # per evidence sentence in a tooltip
MAX_LABEL = 18  # characters of a node label on the canvas
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"


def render_html(result: BuildResult, path: str | Path, focus: str | None = None, hops: int = 1) -> Path:
    """Write one self-contained HTML page for `result` (or the `hops`-neighbourhood of `focus`)."""
    g = to_networkx(result)
    heading = f"知识图谱 · {len(result.documents)} 篇文档"
    if focus is not None:
        g = neighbourhood(g, focus, hops)
        heading = f"知识图谱 · {focus} · {hops} 跳"
    net = _network(g, result)
    html = _page(net, g, heading)
    path = Path(path)
    with atomic_open(path) as fh:
        fh.write(html)
    return path


def neighbourhood(g: nx.MultiDiGraph, focus: str, hops: int) -> nx.MultiDiGraph:
    """Subgraph within `hops` (either direction) of every node whose name or alias is `focus`."""
    want = focus.strip().casefold()
    centres = [n for n, d in g.nodes(data=True)
               if want in {str(s).strip().casefold() for s in [d.get("name", n), *d.get("aliases", [])]}]
    if not centres:
        close = sorted({d.get("name", n) for n, d in g.nodes(data=True) if want and want in str(d.get("name", n)).casefold()})
        hint = f"; did you mean: {', '.join(close[:5])}" if close else ""
        raise KgError(f"--focus {focus!r}: no entity has this name or alias{hint}")
    u = g.to_undirected(as_view=True)
    keep: set = set()
    for c in centres:
        keep |= set(nx.single_source_shortest_path_length(u, c, cutoff=max(hops, 0)))
    sub = g.subgraph(keep).copy()
    sub.graph["focus"] = centres  # selected when the page opens
    return sub


def _sentence_index(result: BuildResult) -> dict[tuple[str, int], str]:
    return {(s.doc_id, s.index): s.text for s in result.sentences}


def _clip(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"


def _label(name: str) -> str:
    """Canvas labels stay short (events are named by their sentence); the tooltip has the full name."""
    name = " ".join(name.split())
    return name if len(name) <= MAX_LABEL else name[: MAX_LABEL - 1] + "…"


def _node_title(node: str, d: dict, degree: int, evidence: list[str]) -> str:
    lines = [f"{d.get('name', node)}  [{d.get('type', '')}]"]
    if d.get("aliases"):
        lines.append("别名: " + "、".join(map(str, d["aliases"])))
    if d.get("type") == "DOCUMENT":
        lines.append(f"路径: {d.get('path', '')}")
        lines.append(f"连接 {degree} 个实体")
    else:
        docs = list(d.get("documents", []))
        lines.append(f"提及 {d.get('mentions', 0)} 次 · {len(docs)} 篇文档")
        if docs:
            lines.append("文档: " + ", ".join(docs[:8]) + (" …" if len(docs) > 8 else ""))
    for k in ("iso", "description"):
        if d.get(k):
            lines.append(f"{k}: {d[k]}")
    if evidence:
        lines.append("证据:")
        lines.extend(f"· {e}" for e in evidence)
    return "\n".join(lines)


def _edge_title(src: str, dst: str, d: dict) -> str:
    rel = d.get("relation", "")
    role = d.get("role", "")
    lines = [f"{src} —{rel}{'（' + str(role) + '）' if role else ''}→ {dst}"]
    for k in ("date", "iso_date", "count"):
        if d.get(k):
            lines.append(f"{k}: {d[k]}")
    if d.get("inferred"):
        lines.append("推断 inferred")
    if d.get("document"):
        lines.append(f"文档: {d['document']} · 句 {d.get('sentence', '')}")
    if d.get("evidence"):
        lines.append(f"证据: {_clip(d['evidence'])}")
    return "\n".join(lines)


def _evidence_by_node(result: BuildResult, g: nx.MultiDiGraph) -> dict[str, list[str]]:
    """Up to MAX_EVIDENCE distinct sentences per entity, from its mentions (then its relations)."""
    sentences = _sentence_index(result)
    out: dict[str, list[str]] = {}

    def add(node: str, doc: str, text: str) -> None:
        lst = out.setdefault(node, [])
        line = f"[{doc}] {_clip(text)}"
        if text and len(lst) < MAX_EVIDENCE and line not in lst:
            lst.append(line)

    for e in result.entities:
        if e.id in g:
            for m in e.mentions:
                add(e.id, m.doc_id, sentences.get((m.doc_id, m.sentence), ""))
    for a, b, d in g.edges(data=True):
        if d.get("evidence") and d.get("relation") != "MENTIONED_IN":
            add(a, d.get("document", ""), d["evidence"])
            add(b, d.get("document", ""), d["evidence"])
    return out


def _network(g: nx.MultiDiGraph, result: BuildResult) -> Network:
    """pyvis Network with styled nodes/edges; positions fixed when the graph is big."""
    big = g.number_of_nodes() > PHYSICS_MAX_NODES
    pos = layout(g) if big else {}
    evidence = _evidence_by_node(result, g)
    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    for n, d in g.nodes(data=True):
        typ = str(d.get("type", ""))
        degree = g.degree(n)
        weight = degree if typ == "DOCUMENT" else (d.get("mentions") or degree)
        extra = {"x": round(pos[n][0], 1), "y": round(pos[n][1], 1)} if big else {}
        aliases = [str(a) for a in d.get("aliases", [])]
        # pyvis's add_node/add_edge scan a list per call (quadratic at 5,000 nodes); append what they build.
        node = Node(str(n), TYPE_STYLE.get(typ, OTHER_STYLE)[1], label=_label(str(d.get("name", n))), group=typ,
                    size=round(8 + 5 * math.sqrt(min(weight, 100)), 1),
                    title=_node_title(n, d, degree, evidence.get(n, [])),
                    kgType=typ, kgName=str(d.get("name", n)), kgAliases=aliases, **extra)
        net.nodes.append(node.options)
        net.node_ids.append(node.options["id"])
        net.node_map[node.options["id"]] = node.options
    names = {n: str(d.get("name", n)) for n, d in g.nodes(data=True)}
    for i, (a, b, d) in enumerate(g.edges(data=True)):
        rel = str(d.get("relation", ""))
        label = f"{rel} · {d['role']}" if d.get("role") else rel
        net.edges.append({"id": f"e{i}", "from": str(a), "to": str(b), "arrows": "to", "label": label,
                          "title": _edge_title(names[a], names[b], d), "kgRelation": rel,
                          "color": RELATION_COLOUR.get(rel, "#999999")})
    net.options = _options(big, g.number_of_nodes())
    # colour and shape per type once, as vis-network groups, instead of on 5,000 nodes
    net.options["groups"] = {t: {"color": TYPE_STYLE.get(t, OTHER_STYLE)[0], "shape": TYPE_STYLE.get(t, OTHER_STYLE)[1]}
                             for t in sorted({str(d.get("type", "")) for _, d in g.nodes(data=True)})}
    return net


def _options(big: bool, n_nodes: int) -> dict:
    options = {
        "nodes": {"borderWidth": 1, "font": {"face": FONT_FACE, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"}},
        "edges": {"font": {"face": FONT_FACE, "size": 10, "align": "middle", "color": "#555555",
                           "strokeWidth": 3, "strokeColor": "#ffffff"},
                  "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
                  "smooth": False if big else {"enabled": True, "type": "continuous"}, "width": 1},
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False,
                        "hideEdgesOnDrag": big, "hideEdgesOnZoom": big},
        "layout": {"improvedLayout": n_nodes <= 100, "randomSeed": 7},  # its Kamada-Kawai is slow past 100
    }
    if big:
        options["physics"] = {"enabled": False}
    else:
        options["physics"] = {"enabled": True, "solver": "forceAtlas2Based",
                              "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 110,
                                                   "avoidOverlap": 0.4},
                              "stabilization": {"enabled": True, "iterations": 250, "fit": True}}
    return options


def _page(net: Network, g: nx.MultiDiGraph, heading: str) -> str:
    """Render the page; data goes in as JSON, text is autoescaped, only our constants are Markup."""
    type_counts: dict[str, int] = {}
    for _, d in g.nodes(data=True):
        type_counts[str(d.get("type", ""))] = type_counts.get(str(d.get("type", "")), 0) + 1
    rel_counts: dict[str, int] = {}
    for _, _, d in g.edges(data=True):
        rel_counts[str(d.get("relation", ""))] = rel_counts.get(str(d.get("relation", "")), 0) + 1
    order = list(TYPE_STYLE) + sorted(t for t in type_counts if t not in TYPE_STYLE)
    types = []
    for t in order:
        colour, shape, label = TYPE_STYLE.get(t, (OTHER_STYLE[0], OTHER_STYLE[1], t))
        types.append({"type": t, "colour": colour, "label": label, "count": type_counts.get(t, 0),
                      "svg": Markup(LEGEND_SHAPE[shape])})
    relations = [{"relation": r, "colour": RELATION_COLOUR.get(r, "#999999"), "count": c}
                 for r, c in sorted(rel_counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    physics = bool(net.options["physics"]["enabled"])
    env = Environment(autoescape=True)
    return env.from_string(TEMPLATE).render(
        heading=heading,
        font_face=Markup(FONT_FACE),
        vis_js=Markup((VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=Markup((VIS_DIR / "vis-network.css").read_text(encoding="utf-8")),
        types=types,
        relations=relations,
        data={"nodes": net.nodes, "edges": net.edges, "options": net.options, "physics": physics,
              "focus": [str(n) for n in g.graph.get("focus", [])]},
    )
