"""The page template and per-type styles for `kg.sinks.html`.

pyvis's own template loads Bootstrap from a CDN whatever `cdn_resources` says, prints its heading
raw, and switches tooltips to `innerHTML` as soon as any title contains "href". This template
keeps pyvis's data model and its bundled vis-network, and replaces the page: everything inline,
every text autoescaped or passed as JSON (`tojson` escapes `<`, `>`, `&`, `'`), and the page's
own script writes text with `textContent` only. vis-network shows string titles as `innerText`.
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

TEMPLATE = r"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ heading }}</title>
<style>{{ vis_css }}</style>
<style>
  html, body { margin: 0; height: 100%; font-family: {{ font_face }}; font-size: 14px; color: #222; }
  body { display: flex; flex-direction: column; }
  header { display: flex; gap: 12px; align-items: center; padding: 6px 12px; border-bottom: 1px solid #ddd;
           background: #fafafa; flex-wrap: wrap; }
  header h1 { font-size: 16px; margin: 0; font-weight: 600; white-space: pre-wrap; }
  #kg-search { width: 280px; padding: 3px 6px; font: inherit; }
  #kg-status, #kg-stats { color: #555; }
  main { flex: 1; display: flex; min-height: 0; }
  aside { width: 200px; padding: 8px 10px; border-right: 1px solid #ddd; overflow-y: auto; background: #fff; }
  aside h2 { font-size: 13px; margin: 8px 0 4px; color: #444; }
  aside label { display: flex; align-items: center; gap: 6px; margin: 3px 0; cursor: pointer; white-space: nowrap; }
  aside svg { width: 16px; height: 16px; flex: none; }
  .kg-line { display: inline-block; width: 16px; height: 3px; flex: none; }
  .kg-count { color: #888; font-size: 12px; }
  #mynetwork { flex: 1; min-width: 0; position: relative; background: #fff; }
  div.vis-tooltip { white-space: pre-wrap; max-width: 460px; font-family: {{ font_face }}; font-size: 12px;
                    line-height: 1.45; }
</style>
<script>{{ vis_js }}</script>
</head>
<body>
<header>
  <h1 id="kg-heading">{{ heading }}</h1>
  <input id="kg-search" type="search" list="kg-names" placeholder="搜索名称或别名 search name or alias" autocomplete="off">
  <datalist id="kg-names"></datalist>
  <span id="kg-status"></span>
  <span id="kg-stats"></span>
</header>
<main>
<aside>
  <h2>类型 Types</h2>
  {% for t in types %}
  <label><input type="checkbox" class="kg-type" value="{{ t.type }}" checked>
    <svg viewBox="0 0 16 16" fill="{{ t.colour }}">{{ t.svg }}</svg>{{ t.label }}
    <span class="kg-count">{{ t.count }}</span></label>
  {% endfor %}
  <h2>关系 Relations</h2>
  {% for r in relations %}
  <label><input type="checkbox" class="kg-relation" value="{{ r.relation }}" checked>
    <span class="kg-line" style="background: {{ r.colour }}"></span>{{ r.relation }}
    <span class="kg-count">{{ r.count }}</span></label>
  {% endfor %}
</aside>
<div id="mynetwork"></div>
</main>
<script id="kg-data" type="application/json">{{ data|tojson }}</script>
<script>
(function () {
  "use strict";
  var timings = { script: performance.now() };
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var typeOf = {};
  data.nodes.forEach(function (n) { typeOf[n.id] = n.kgType; });
  var shownTypes = {}, shownRelations = {};
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return shownTypes[n.kgType] !== false; } });
  var edgeView = new vis.DataView(edges, { filter: function (e) {
    return shownRelations[e.kgRelation] !== false && shownTypes[typeOf[e.from]] !== false
      && shownTypes[typeOf[e.to]] !== false;
  } });
  timings.data = performance.now();
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  timings.network = performance.now();
  // window.kg: what the tests and the benchmark read (counts, search, ready time).
  var kg = { network: network, nodes: nodes, edges: edges, ready: false, readyAt: null, timings: timings,
             expected: { nodes: data.nodes.length, edges: data.edges.length } };
  window.kg = kg;

  function drawn() {
    return { nodes: network.body.nodeIndices.length, edges: network.body.edgeIndices.length };
  }
  kg.drawn = drawn;

  function stats() {
    var d = drawn();
    document.getElementById("kg-stats").textContent = "节点 " + d.nodes + " · 边 " + d.edges;
  }

  var settled = !data.physics;
  function markReady() {
    if (settled && !kg.ready) {
      kg.ready = true;
      kg.readyAt = timings.ready = performance.now();
      document.body.setAttribute("data-ready", "1");
      if (data.focus.length) { network.selectNodes(data.focus); }
      stats();
    }
  }
  network.on("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
    settled = true;
  });
  network.on("afterDrawing", markReady);
  if (data.physics && network.physics && network.physics.stabilized) { settled = true; }

  // Search: exact name/alias first, then substring; case-insensitive. The name list for the
  // search box's suggestions is built on first focus, not at load (10,000 options cost ~100 ms).
  var names = document.getElementById("kg-names");
  function fillNames() {
    var seen = {};
    data.nodes.forEach(function (n) {
      [n.kgName].concat(n.kgAliases || []).forEach(function (s) {
        if (s && !seen[s]) {
          seen[s] = true;
          var o = document.createElement("option");
          o.value = s;
          names.appendChild(o);
        }
      });
    });
  }
  kg.search = function (query) {
    var q = String(query || "").trim().toLowerCase();
    var status = document.getElementById("kg-status");
    if (!q) { network.unselectAll(); status.textContent = ""; return []; }
    var exact = [], partial = [];
    nodeView.get().forEach(function (n) {
      var all = [n.kgName].concat(n.kgAliases || []).map(function (s) { return String(s).toLowerCase(); });
      if (all.indexOf(q) >= 0) { exact.push(n.id); }
      else if (all.some(function (s) { return s.indexOf(q) >= 0; })) { partial.push(n.id); }
    });
    var hits = exact.concat(partial);
    network.selectNodes(hits);
    if (hits.length) { network.focus(hits[0], { scale: 1.2, animation: { duration: 300 } }); }
    status.textContent = hits.length ? "找到 " + hits.length + " 个" : "没有匹配";
    return hits;
  };
  var box = document.getElementById("kg-search");
  box.addEventListener("focus", fillNames, { once: true });
  box.addEventListener("keydown", function (ev) { if (ev.key === "Enter") { kg.search(box.value); } });
  box.addEventListener("change", function () { kg.search(box.value); });

  // Filters by type and relation.
  kg.filter = function () {
    document.querySelectorAll("input.kg-type").forEach(function (c) { shownTypes[c.value] = c.checked; });
    document.querySelectorAll("input.kg-relation").forEach(function (c) { shownRelations[c.value] = c.checked; });
    nodeView.refresh();
    edgeView.refresh();
    stats();
  };
  document.querySelectorAll("input.kg-type, input.kg-relation").forEach(function (c) {
    c.addEventListener("change", kg.filter);
  });
  stats();
})();
</script>
</body>
</html>
"""
