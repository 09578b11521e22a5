"""Precomputed node positions for graphs too big for in-browser physics.

vis-network's physics needs minutes to settle a few thousand nodes (pyvis #204), and networkx's
`spring_layout` needs SciPy past 500 nodes and still loops in Python per node. This is a
Fruchterman-Reingold layout in plain numpy, linear per iteration: repulsion is exact for small
cores and estimated from a random sample of nodes for big ones; leaves (degree-1 nodes, most
of a knowledge graph) are left out of the simulation and placed on a ring around their anchor.
Components are laid out one by one and packed in rows.

    >>> pos = layout(nx.path_graph(3))
    >>> sorted(pos)
    [0, 1, 2]
"""

from __future__ import annotations

import math

import networkx as nx
import numpy as np

EDGE_PX = 110.0  # target edge length on screen, in vis-network canvas units
EXACT_MAX = 700  # cores up to this size get exact all-pairs repulsion
SAMPLE = 160  # repulsion sample size for bigger cores


def layout(g: nx.Graph, seed: int = 7, iterations: int = 60) -> dict:
    """Positions {node: (x, y)} in canvas units for any (multi, di) graph; deterministic for a seed.

    The graph is rebuilt with its nodes and edges in sorted order: a subgraph view iterates its node
    set in hash order, which differs between processes (PYTHONHASHSEED), and the layout follows it."""
    nodes = sorted(g.nodes, key=str)
    u = nx.Graph()
    u.add_nodes_from(nodes)
    u.add_edges_from(sorted({tuple(sorted((a, b), key=str)) for a, b in g.edges() if a != b}, key=lambda e: (str(e[0]), str(e[1]))))
    rng = np.random.default_rng(seed)
    boxes = [_component(u, sorted(comp, key=str), rng, iterations)
             for comp in sorted(nx.connected_components(u), key=len, reverse=True)]
    return _pack(boxes)


def _component(u: nx.Graph, comp: list, rng: np.random.Generator, iterations: int) -> dict:
    """Lay out one connected component of `u` (degrees in `u` are degrees in the component)."""
    if len(comp) == 1:
        return {comp[0]: (0.0, 0.0)}
    deg = u.degree
    leaves: dict = {}
    if len(comp) > 2:
        for n in comp:
            if deg[n] == 1:
                anchor = next(iter(u[n]))
                if deg[anchor] > 1:
                    leaves.setdefault(anchor, []).append(n)
    placed = {n for ls in leaves.values() for n in ls}
    core = [n for n in comp if n not in placed]
    index = {v: i for i, v in enumerate(core)}
    edges = np.array([(index[a], index[b]) for a, b in u.edges(core) if a in index and b in index],
                     dtype=np.int64).reshape(-1, 2)
    mass = np.array([1.0 + len(leaves.get(n, ())) for n in core])
    pos = _fruchterman_reingold(edges, mass, rng, iterations)
    out = {n: (float(x), float(y)) for n, (x, y) in zip(core, pos, strict=True)}
    for anchor, ls in leaves.items():
        ax, ay = out[anchor]
        r = 0.8 + 0.12 * math.sqrt(len(ls))
        phase = rng.random() * 2 * math.pi
        for i, n in enumerate(ls):
            a = phase + 2 * math.pi * i / len(ls)
            ring = r * (1.0 + 0.35 * (i % 3))
            out[n] = (ax + ring * math.cos(a), ay + ring * math.sin(a))
    return out


def _fruchterman_reingold(edges: np.ndarray, mass: np.ndarray, rng: np.random.Generator,
                          iterations: int) -> np.ndarray:
    """Unit edge length; heavier nodes (anchors of many leaves) push harder, so their rings fit."""
    n = len(mass)
    if n == 1:
        return np.zeros((1, 2))
    side = math.sqrt(mass.sum()) * 1.5
    pos = rng.random((n, 2)) * side
    temp = side / 8
    total = mass.sum()
    push = mass ** 0.5
    for it in range(iterations):
        if n <= EXACT_MAX:
            other, weight = pos, mass
        else:
            pick = rng.choice(n, SAMPLE, replace=False)
            other, weight = pos[pick], mass[pick] * (total / mass[pick].sum())
        dx = pos[:, 0, None] - other[None, :, 0]
        dy = pos[:, 1, None] - other[None, :, 1]
        w = dx * dx
        w += dy * dy
        np.maximum(w, 1e-4, out=w)
        np.divide(weight[None, :], w, out=w)
        disp = np.stack([(dx * w).sum(axis=1), (dy * w).sum(axis=1)], axis=1) * push[:, None]
        if len(edges):
            e = pos[edges[:, 0]] - pos[edges[:, 1]]
            f = e * np.sqrt((e * e).sum(axis=1))[:, None]
            for k in (0, 1):  # pull both ends together along each edge
                disp[:, k] += np.bincount(edges[:, 1], f[:, k], n) - np.bincount(edges[:, 0], f[:, k], n)
        disp -= (pos - pos.mean(axis=0)) * 0.02  # mild gravity keeps sampled noise from scattering nodes
        length = np.sqrt((disp * disp).sum(axis=1))
        np.maximum(length, 1e-9, out=length)
        pos += disp * (np.minimum(length, temp) / length)[:, None]
        temp = max(temp * 0.92, 0.02) if it < iterations - 10 else 0.02
    return pos


def _pack(boxes: list[dict]) -> dict:
    """Shelf-pack components (biggest first) into rows about as wide as the whole drawing is tall."""
    if not boxes:
        return {}
    rects = []
    for pos in boxes:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        rects.append((min(xs), min(ys), max(xs) - min(xs) + 2.0, max(ys) - min(ys) + 2.0))
    width = max(max(r[2] for r in rects), math.sqrt(sum(r[2] * r[3] for r in rects)) * 1.2)
    x = y = row_h = 0.0
    out: dict = {}
    for pos, (x0, y0, w, h) in zip(boxes, rects, strict=True):
        if x > 0 and x + w > width:
            x, y, row_h = 0.0, y + row_h, 0.0
        for n, (px, py) in pos.items():
            out[n] = ((px - x0 + x) * EDGE_PX, (py - y0 + y) * EDGE_PX)
        x += w
        row_h = max(row_h, h)
    return out
