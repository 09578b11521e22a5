"""Interactive, offline HTML explorer of the graph (pyvis data model, vis-network inlined, own page).

Facts first: documents and MENTIONED_IN links are in the page but hidden until the "文档" switch
is on, and entities with no visible fact are hidden with them, so 300 articles show their facts,
not a hairball of documents. Clicking a node opens a side panel (type, aliases, documents, every
relation with its evidence sentence and a copy button, links to the neighbours), dims everything
but its neighbours, and offers to expand its hidden neighbours. Filters: type, relation, one
document, a date range, stated vs inferred. Search steps through its hits. Dated events are drawn
on a timeline under the graph. Past `PHYSICS_MAX_NODES` nodes, positions come from
`kg.sinks.html_layout`, computed on the facts (documents and unconnected entities get their own
area), and physics stays off, so 5,000 nodes open in seconds (in-browser physics takes minutes
there, pyvis #204). Past `OVERVIEW_MIN_ENTITIES` entities the page is an overview (the biggest
hubs and their fact neighbours, `overview`) that says to use `kg serve` for the whole corpus: a
page holding every node of thousands of articles takes seconds per click (issue 24).

The timeline places a fact at its ISO date; a date written without its year (3月19日) is read
against its document's date; a BC year (公元前2300年) or a length of time (至今有2800年历史) is
no calendar date and is not placed (`kg/resources/date_cues.tsv`).

    >>> render_html(result, "graph.html", focus="周佰发", hops=2)
    PosixPath('graph.html')
"""

from __future__ import annotations

import math
import re
import unicodedata
import warnings
from collections.abc import Callable
from functools import cache
from pathlib import Path

import networkx as nx
import pyvis
from jinja2 import Environment, PackageLoader
from markupsafe import Markup
from pyvis.network import Network
from pyvis.node import Node

from kg.atomic import atomic_open
from kg.errors import KgError
from kg.graph import to_networkx
from kg.ner.dates import DateBase, DateResolver, parse_iso_day
from kg.resources import load_rows
from kg.sinks.html_assets import (
    FONT_FACE,
    LEGEND_SHAPE,
    OTHER_STYLE,
    RELATION_COLOUR,
    TYPE_STYLE,
)
from kg.sinks.html_layout import layout
from kg.sinks.labels import RELATION_ZH, TYPE_ZH, bilingual_relation, bilingual_type
from kg.types import BuildResult, document_node_id

OVERVIEW_MIN_ENTITIES = 3000  # above this many entities (documents aside) the page is an overview
OVERVIEW_NODES = 300  # entities an overview shows
OVERVIEW_PER_HUB = 15  # a hub and its biggest neighbours: the budget spreads over 20 hubs, not one
PHYSICS_MAX_NODES = 150  # above this: precomputed layout, physics off (in-browser physics gets slow)
MAX_EVIDENCE = 5  # mention sentences per node in the side panel
MAX_CHARS = 400  # per evidence sentence in the page (the panel; copy gives this text)
MAX_TITLE = 160  # per evidence sentence in an edge tooltip
MAX_LABEL = 14  # characters of a node label on the canvas
DOC = "DOCUMENT"
MENTIONED_IN = "MENTIONED_IN"
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
_ASIDE = re.compile(r"[（(][^（）()]{0,40}[）)]")  # （新华社记者某某摄）: a bracketed aside, not the event
_CLAUSE = re.compile(r"[，。；：！？、,;:!?\s]")
_ISO = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
_YEAR_FIRST = re.compile(r"^(?:自|从|截至|截止到?)?\d{4}年")  # a date written from its year
_BARE_YEAR = re.compile(r"^\d{4}年$")
# autoescape on whatever the file name (select_autoescape would leave a .j2 or .js include raw)
_PAGES = Environment(loader=PackageLoader("kg.sinks", "templates"), autoescape=True)


def render_html(result: BuildResult, path: str | Path, focus: str | None = None, hops: int = 1,
                serve_dir: str | Path | None = None, note: Callable[[str], None] | None = None) -> Path:
    """Write one self-contained HTML page for `result` (or the `hops`-neighbourhood of `focus`).

    Past `OVERVIEW_MIN_ENTITIES` entities the page is an overview; `note` (default: a warning) is
    told so, with the `kg serve` command for `serve_dir` (the build's output folder)."""
    g = to_networkx(result)
    heading = f"知识图谱 · {len(result.documents)} 篇文档"
    if focus is not None:
        g = neighbourhood(g, focus, hops)
        heading = f"知识图谱 · {focus} · {hops} 跳"
    notice = ""
    n_entities = sum(1 for _, d in g.nodes(data=True) if d.get("type") != DOC)
    if n_entities > OVERVIEW_MIN_ENTITIES:
        g = overview(g)
        n_hubs = len(g.graph["hubs"])
        shown = g.number_of_nodes()
        command = f"kg serve {serve_dir if serve_dir is not None else 'OUT'}"
        heading += f" · 概览 overview {shown:,} / {n_entities:,}"
        notice = (f"概览：{n_entities:,} 个实体太多，本页只画度数最高的 {n_hubs} 个中心及其关系邻居"
                  f"（{shown:,} 个实体，不含文档）。浏览整个语料请运行 {command} · "
                  f"Overview: {n_entities:,} entities are too many for one page; this one shows the "
                  f"{n_hubs} biggest hubs and their fact neighbours ({shown:,} entities, no documents). "
                  f"To explore the whole corpus run {command}")
        (note or _warn)(f"{Path(path)} is an overview: {shown:,} of {n_entities:,} entities (the {n_hubs} "
                        f"biggest hubs and their fact neighbours; more than {OVERVIEW_MIN_ENTITIES:,} "
                        f"entities make a page too slow to use); to explore the whole corpus run {command}")
    doc_dates = {document_node_id(d.id): str(getattr(d, "date", "") or "") for d in result.documents}
    net = _network(g, result, doc_dates)
    html = _page(net, g, heading, doc_dates, notice)
    path = Path(path)
    with atomic_open(path) as fh:
        fh.write(html)
    return path


def fact_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """`g` without document nodes and MENTIONED_IN edges: what a statement in the text connects."""
    keep = [n for n, d in g.nodes(data=True) if d.get("type") != DOC]
    sub = nx.MultiDiGraph(g.subgraph(keep))
    sub.remove_edges_from([(a, b, k) for a, b, k, d in sub.edges(keys=True, data=True)
                           if d.get("relation") == MENTIONED_IN])
    return sub


def _warn(message: str) -> None:
    warnings.warn(message, stacklevel=3)


def overview(g: nx.MultiDiGraph, max_nodes: int = OVERVIEW_NODES, per_hub: int = OVERVIEW_PER_HUB) -> nx.MultiDiGraph:
    """The entities of the biggest hubs (most fact edges) with their biggest fact neighbours, at most
    `per_hub` per hub and `max_nodes` in all, and the fact edges between them; no documents (a
    corpus's documents alone would be thousands). `graph["hubs"]`: the hubs, biggest first."""
    facts = fact_graph(g)
    order = {n: i for i, n in enumerate(g)}
    degree = dict(facts.degree())
    rank = sorted((n for n in facts if degree[n] > 0), key=lambda n: (-degree[n], order[n]))
    keep: dict = {}  # insertion-ordered set
    hubs = []
    for hub in rank:
        if len(keep) >= max_nodes:
            break
        hubs.append(hub)
        keep[hub] = None
        near = {b for b in facts.successors(hub)} | {a for a in facts.predecessors(hub)}
        for n in sorted(near - keep.keys() - {hub}, key=lambda n: (-degree[n], order[n]))[:per_hub - 1]:
            if len(keep) >= max_nodes:
                break
            keep[n] = None
    sub = g.__class__()  # in g's order, as `neighbourhood` does
    sub.graph.update(g.graph)
    sub.add_nodes_from((n, d) for n, d in g.nodes(data=True) if n in keep)
    sub.add_edges_from((a, b, k, d) for a, b, k, d in g.edges(keys=True, data=True)
                       if a in keep and b in keep and d.get("relation") != MENTIONED_IN)
    sub.graph["focus"] = [n for n in g.graph.get("focus", []) if n in keep]
    sub.graph["hubs"] = hubs
    return sub


def neighbourhood(g: nx.MultiDiGraph, focus: str, hops: int) -> nx.MultiDiGraph:
    """Entities within `hops` fact edges (either direction) of every node named or aliased `focus`.

    Paths never pass through a document (two people in one article are not neighbours); the
    documents of the kept entities come along, hidden in the page until switched on.
    """
    want = focus.strip().casefold()
    centres = [n for n, d in g.nodes(data=True)
               if want in {str(s).strip().casefold() for s in [d.get("name", n), *d.get("aliases", [])]}]
    if not centres:
        close = sorted({d.get("name", n) for n, d in g.nodes(data=True) if want and want in str(d.get("name", n)).casefold()})
        hint = f"; did you mean: {', '.join(close[:5])}" if close else ""
        raise KgError(f"--focus {focus!r}: no entity has this name or alias{hint}")
    facts = fact_graph(g).to_undirected(as_view=True)
    keep: set = set()
    for c in centres:
        if c in facts:
            keep |= set(nx.single_source_shortest_path_length(facts, c, cutoff=max(hops, 0)))
        else:
            keep.add(c)  # a document given by name: itself
    docs = {b for a in keep for _, b, d in g.out_edges(a, data=True) if d.get("relation") == MENTIONED_IN}
    want = keep | docs
    # in g's order: a subgraph view of a small part iterates the node set, so the page changed run to run
    sub = g.__class__()
    sub.graph.update(g.graph)
    sub.add_nodes_from((n, d) for n, d in g.nodes(data=True) if n in want)
    sub.add_edges_from((a, b, k, d) for a, b, k, d in g.edges(keys=True, data=True) if a in want and b in want)
    sub.graph["focus"] = centres  # selected when the page opens
    return sub


def short_label(text: str, limit: int = MAX_LABEL) -> str:
    """A canvas label: bracketed asides dropped, cut at the first clause end that fits, else at `limit`."""
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    bare = _ASIDE.sub("", text).strip() or text
    if len(bare) <= limit:
        return bare
    cuts = [m.start() for m in _CLAUSE.finditer(bare, 0, limit + 1) if m.start() >= 4]
    return bare[:cuts[0]] + "…" if cuts else bare[:limit - 1] + "…"


def _clip(text: str, limit: int = MAX_CHARS) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _iso(value) -> str:
    m = _ISO.match(str(value or ""))
    return m.group(0) if m else ""


@cache
def _date_cues() -> dict[tuple[str, str], tuple[str, ...]]:
    """(side, meaning) → cues of `kg/resources/date_cues.tsv`, longest first."""
    out: dict[tuple[str, str], list[str]] = {}
    for cue, side, meaning, *_ in load_rows("date_cues"):
        out.setdefault((side, meaning), []).append(cue)
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


def calendar_date(surface: str, sentence: str) -> bool:
    """False when the date `surface`, where `sentence` writes it, is a BC year (公元前2300年) or a
    length of time (至今有2800年历史, 距今2800年): a four-digit year that is no year of the calendar."""
    surface = unicodedata.normalize("NFKC", str(surface or ""))
    sentence = unicodedata.normalize("NFKC", str(sentence or ""))
    at = sentence.find(surface) if surface else -1
    if at < 0 or not _YEAR_FIRST.match(surface):
        return True
    before, after = sentence[:at], sentence[at + len(surface):]
    cues = _date_cues()
    if before.endswith(cues.get(("before", "bc"), ())):
        return False
    return not (_BARE_YEAR.match(surface) and (before.endswith(cues.get(("before", "span"), ()))
                                                or after.startswith(cues.get(("after", "span"), ()))))


class _FactDates:
    """The ISO date a fact is placed at: its own, else its written date read against its document's
    date (3月19日 in an article of 2020-03-25 is 2020-03-19), else the document's date; none for a
    date that is no calendar date. JioNLP's parser is loaded only when a year-less date needs it."""

    def __init__(self, doc_dates: dict[str, str]):
        self.doc_dates = doc_dates
        self.resolver: DateResolver | None = None
        self.read: dict[tuple[str, str], str] = {}

    def __call__(self, d: dict, doc: str) -> str:
        doc_date = self.doc_dates.get(document_node_id(doc), "") if doc else ""
        surface = str(d.get("date", "") or "")
        if surface and not calendar_date(surface, str(d.get("evidence", "") or "")):
            return ""
        iso = _iso(d.get("iso_date"))
        if iso or not surface or not (day := parse_iso_day(doc_date)):
            return iso or doc_date
        if (surface, doc_date) not in self.read:
            self.resolver = self.resolver or DateResolver()
            self.read[surface, doc_date] = _iso(self.resolver.to_iso(surface, DateBase(today=day)))
        return self.read[surface, doc_date] or doc_date


def _mention_sentences(result: BuildResult, g: nx.MultiDiGraph) -> dict[str, list[list]]:
    """Up to MAX_EVIDENCE [document, sentence, text] per entity, from its mentions."""
    sentences = {(s.doc_id, s.index): s.text for s in result.sentences}
    out: dict[str, list[list]] = {}
    for e in result.entities:
        if e.id not in g:
            continue
        lst = out.setdefault(e.id, [])
        for m in e.mentions:
            text = sentences.get((m.doc_id, m.sentence), "")
            item = [m.doc_id, m.sentence, _clip(text)]
            if text and item not in lst:
                lst.append(item)
            if len(lst) >= MAX_EVIDENCE:
                break
    return out


def _labels(g: nx.MultiDiGraph) -> dict[str, str]:
    """Short labels; same-name entities get a context (what they belong to, else their document)."""
    base = {}
    for n, d in g.nodes(data=True):
        text = d.get("description") if d.get("type") == "EVENT" and d.get("description") else d.get("name", n)
        base[n] = short_label(str(text))
    seen: dict[tuple[str, str], list[str]] = {}
    for n, d in g.nodes(data=True):
        seen.setdefault((base[n], str(d.get("type", ""))), []).append(n)
    for group in seen.values():
        if len(group) < 2:
            continue
        for n in group:
            ctx = next((g.nodes[b].get("name", b) for _, b, r in g.out_edges(n, data="relation")
                        if r != MENTIONED_IN), None)
            if ctx is None:
                docs = g.nodes[n].get("documents") or [""]
                ctx = Path(str(docs[0])).stem
            base[n] = f"{base[n]}（{short_label(str(ctx), 18)}）"
    counts: dict[str, int] = {}
    for n in g:  # still the same (one document, no fact): number them
        counts[base[n]] = counts.get(base[n], 0) + 1
    seen_n: dict[str, int] = {}
    for n in g:
        if counts[base[n]] > 1:
            seen_n[base[n]] = seen_n.get(base[n], 0) + 1
            base[n] = f"{base[n]} #{seen_n[base[n]]}"
    return base


def _positions(g: nx.MultiDiGraph) -> dict:
    """Facts laid out first; documents and entities with no fact get their own area below them."""
    facts = fact_graph(g)
    core = [n for n in facts if facts.degree(n) > 0]
    pos = layout(facts.subgraph(core)) if core else {}
    rest = [n for n in g if n not in pos]
    if rest:
        below = max((y for _, y in pos.values()), default=0.0) + 300.0
        for n, (x, y) in layout(g.subgraph(rest)).items():
            pos[n] = (x, y + below)
    return pos


def _edge_title(src: str, dst: str, d: dict) -> str:
    rel = str(d.get("relation", ""))
    role = d.get("role", "")
    lines = [f"{src} —{bilingual_relation(rel)}{'（' + str(role) + '）' if role else ''}→ {dst}"]
    for k in ("date", "iso_date", "count"):
        if d.get(k):
            lines.append(f"{k}: {d[k]}")
    if d.get("inferred"):
        lines.append("推断 inferred")
    if d.get("document"):
        lines.append(f"文档: {d['document']} · 句 {d.get('sentence', '')}")
    if d.get("evidence"):
        lines.append(f"证据: {_clip(d['evidence'], MAX_TITLE)}")
    return "\n".join(lines)


def _network(g: nx.MultiDiGraph, result: BuildResult, doc_dates: dict[str, str]) -> Network:
    """pyvis Network with styled nodes/edges and the fields the page's panel and filters read."""
    big = g.number_of_nodes() > PHYSICS_MAX_NODES
    pos = _positions(g) if big else {}
    sentences = _mention_sentences(result, g)
    labels = _labels(g)

    def node_iso(n, d: dict) -> str:
        iso = _iso(d.get("iso"))
        if iso and any(e.get("date") and _iso(e.get("iso_date")) == iso and not calendar_date(e["date"], e.get("evidence", ""))
                       for _, _, e in g.out_edges(n, data=True)):
            return ""  # an event's 公元前2300年 (its iso says 2300)
        return iso or doc_dates.get(n, "")

    net = Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    for n, d in g.nodes(data=True):
        typ = str(d.get("type", ""))
        degree = g.degree(n)
        weight = degree if typ == DOC else (d.get("mentions") or degree)
        extra = {"x": round(pos[n][0], 1), "y": round(pos[n][1], 1)} if big else {}
        name = str(d.get("name", n))
        aliases = [str(a) for a in d.get("aliases", [])]
        docs = [str(x) for x in d.get("documents", [])]
        title = f"{name}\n{bilingual_type(typ)}" + (f" · 提及 {d.get('mentions', 0)} 次" if typ != DOC else "")
        # pyvis's add_node/add_edge scan a list per call (quadratic at 5,000 nodes); append what they build.
        node = Node(str(n), TYPE_STYLE.get(typ, OTHER_STYLE)[1], label=labels[n], group=typ,
                    value=round(math.sqrt(min(weight, 100)), 2), title=title,
                    kgType=typ, kgName=name, kgAliases=aliases, kgDocs=docs,
                    kgMentions=int(d.get("mentions") or 0), kgIso=node_iso(n, d),
                    kgDesc=str(d.get("description", "")), kgPath=str(d.get("path", "")) if typ == DOC else "",
                    kgSentences=sentences.get(n, []), **extra)
        net.nodes.append(node.options)
        net.node_ids.append(node.options["id"])
        net.node_map[node.options["id"]] = node.options
    names = {n: str(d.get("name", n)) for n, d in g.nodes(data=True)}
    fact_date = _FactDates(doc_dates)
    for i, (a, b, d) in enumerate(g.edges(data=True)):
        rel = str(d.get("relation", ""))
        role = str(d.get("role", "") or "")
        label = RELATION_ZH.get(rel, rel) + (f" · {role}" if role else "")
        doc = str(d.get("document", "")) or (names[b] if rel == MENTIONED_IN else "")
        when = fact_date(d, doc)
        edge = {"id": f"e{i}", "from": str(a), "to": str(b), "arrows": "to",
                "title": _edge_title(names[a], names[b], d), "kgRelation": rel, "kgRole": role,
                "kgDoc": doc, "kgSent": d.get("sentence", ""), "kgEvidence": _clip(d.get("evidence", "")),
                "kgDate": str(d.get("date", "") or ""), "kgIso": when, "kgInferred": bool(d.get("inferred")),
                "kgCount": d.get("count", ""), "color": RELATION_COLOUR.get(rel, "#999999")}
        if not big and rel != MENTIONED_IN:
            edge["label"] = label  # big graphs: relation names in tooltips and the panel, not on 5,000 edges
        net.edges.append(edge)
    net.options = _options(big, g.number_of_nodes())
    # colour and shape per type once, as vis-network groups (plus a dimmed twin for highlighting)
    groups = {}
    for t in sorted({str(d.get("type", "")) for _, d in g.nodes(data=True)}):
        colour, shape = TYPE_STYLE.get(t, OTHER_STYLE)[:2]
        groups[t] = {"color": colour, "shape": shape}
        groups[f"dim:{t}"] = {"color": {"background": "#ececec", "border": "#d6d6d6"}, "shape": shape,
                              "font": {"color": "#c4c4c4"}}
    net.options["groups"] = groups
    return net


def _options(big: bool, n_nodes: int) -> dict:
    options = {
        "nodes": {"borderWidth": 1, "font": {"face": FONT_FACE, "size": 14, "strokeWidth": 3, "strokeColor": "#ffffff"},
                  # size and label grow with mentions. Big graphs, zoomed out: only the hubs' labels are
                  # big enough to draw (vis skips labels under drawThreshold px), so the overview names
                  # its hubs instead of piling up unreadable text; zoomed in, every label shows
                  "scaling": {"min": 10, "max": 42 if big else 30,
                              "label": {"enabled": True, "min": 12, "max": 160 if big else 20,
                                        "drawThreshold": 6 if big else 4, "maxVisible": 24}}},
        "edges": {"font": {"face": FONT_FACE, "size": 10, "align": "horizontal", "color": "#555555",
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
                              "forceAtlas2Based": {"gravitationalConstant": -80, "springLength": 120,
                                                   "avoidOverlap": 0.6},
                              "stabilization": {"enabled": True, "iterations": 250, "fit": True}}
    return options


def _page(net: Network, g: nx.MultiDiGraph, heading: str, doc_dates: dict[str, str], notice: str = "") -> str:
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
        if t == DOC or not type_counts.get(t):
            continue  # documents have their own switch
        colour, shape, _ = TYPE_STYLE.get(t, (OTHER_STYLE[0], OTHER_STYLE[1], t))
        types.append({"type": t, "colour": colour, "label": bilingual_type(t), "count": type_counts.get(t, 0),
                      "svg": Markup(LEGEND_SHAPE[shape])})
    relations = [{"relation": r, "colour": RELATION_COLOUR.get(r, "#999999"), "count": c,
                  "label": bilingual_relation(r)}
                 for r, c in sorted(rel_counts.items(), key=lambda kv: (-kv[1], kv[0])) if r != MENTIONED_IN]
    documents = sorted((str(d.get("name", n)), doc_dates.get(n, "")) for n, d in g.nodes(data=True)
                       if d.get("type") == DOC)
    physics = bool(net.options["physics"]["enabled"])
    return _PAGES.get_template("explorer.html").render(
        heading=heading,
        notice=notice,
        font_face=Markup(FONT_FACE),
        vis_js=Markup((VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")),
        vis_css=Markup((VIS_DIR / "vis-network.css").read_text(encoding="utf-8")),
        types=types,
        relations=relations,
        n_documents=type_counts.get(DOC, 0),
        n_mentioned=rel_counts.get(MENTIONED_IN, 0),
        doc_shape=Markup(LEGEND_SHAPE[TYPE_STYLE[DOC][1]]), doc_colour=TYPE_STYLE[DOC][0],
        documents=documents,
        data={"nodes": net.nodes, "edges": net.edges, "options": net.options, "physics": physics,
              "focus": [str(n) for n in g.graph.get("focus", [])],
              "typeNames": {t: bilingual_type(t) for t in [*TYPE_ZH, *type_counts]},
              "relationNames": {r: bilingual_relation(r) for r in [*RELATION_ZH, *rel_counts]}},
    )
