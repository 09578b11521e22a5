"""Per-type styles for the explorer page of `kg.sinks.html`.

The page itself is `kg/sinks/templates/explorer.html` (with `explorer.css` and `explorer.js`).
pyvis's own template loads Bootstrap from a CDN whatever `cdn_resources` says, prints its heading
raw, and switches tooltips to `innerHTML` as soon as any title contains "href". Ours keeps pyvis's
data model and its bundled vis-network, and replaces the page: everything inline, every text
autoescaped or passed as JSON (`tojson` escapes `<`, `>`, `&`, `'`), and the page's own script
writes text with `textContent` only. vis-network shows string titles as `innerText`.
"""

from __future__ import annotations

# type -> (colour, vis-network shape, legend label)
TYPE_STYLE: dict[str, tuple[str, str, str]] = {
    "PERSON": ("#e15759", "dot", "人物 PERSON"),
    "ORG": ("#4e79a7", "square", "机构 ORG"),
    "LOC": ("#59a14f", "triangle", "地点 LOC"),
    "DATE": ("#f1a340", "diamond", "日期 DATE"),
    "EVENT": ("#b07aa1", "star", "事件 EVENT"),
    "DOCUMENT": ("#8c8c8c", "hexagon", "文档 DOCUMENT"),
}
OTHER_STYLE = ("#bab0ac", "dot", "其他")

RELATION_COLOUR: dict[str, str] = {
    "BELONGS_TO": "#d62728",
    "PART_OF": "#1f77b4",
    "LOCATED_IN": "#2ca02c",
    "EVENT_AT": "#9467bd",
    "INVOLVED_IN": "#ff7f0e",
    "MENTIONED_IN": "#c7c7c7",
}

FONT_FACE = "'Noto Sans CJK SC', 'Noto Sans SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif"

# SVG shapes for the legend, drawn in a 16x16 box.
LEGEND_SHAPE: dict[str, str] = {
    "dot": '<circle cx="8" cy="8" r="6"/>',
    "square": '<rect x="2" y="2" width="12" height="12"/>',
    "triangle": '<polygon points="8,1.5 14.5,14 1.5,14"/>',
    "diamond": '<polygon points="8,1 15,8 8,15 1,8"/>',
    "star": '<polygon points="8,1 10,6 15,6 11,9.5 12.5,15 8,11.5 3.5,15 5,9.5 1,6 6,6"/>',
    "hexagon": '<polygon points="8,1 14.5,4.5 14.5,11.5 8,15 1.5,11.5 1.5,4.5"/>',
}
