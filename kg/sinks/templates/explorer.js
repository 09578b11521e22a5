(function () {
  "use strict";
  var timings = { script: performance.now() };
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var byId = {}, edgeById = {}, adj = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; adj[n.id] = []; });
  data.edges.forEach(function (e) { edgeById[e.id] = e; adj[e.from].push(e); if (e.to !== e.from) { adj[e.to].push(e); } });
  var DOC = "DOCUMENT", MENTIONED = "MENTIONED_IN";
  var state = { docs: false, isolated: false, types: {}, relations: {}, inferred: "all", doc: "", from: "", to: "",
                undated: true };
  var forced = {}, forcedEdges = {};  // revealed by expand or search, whatever the filters say
  var visibleNodes = {}, visibleEdges = {};

  function inRange(iso) {
    if (!state.from && !state.to) { return true; }
    if (!iso) { return state.undated; }
    var lo = (iso + "-01-01").slice(0, 10), hi = (iso + "-12-31").slice(0, 10);
    return (!state.from || hi >= state.from) && (!state.to || lo <= state.to);
  }
  function nodeBase(n) {
    if (forced[n.id]) { return true; }
    if (n.kgType === DOC) { if (!state.docs) { return false; } }
    else if (state.types[n.kgType] === false) { return false; }
    if (state.doc) { return n.kgType === DOC ? n.kgName === state.doc : n.kgDocs.indexOf(state.doc) >= 0; }
    return true;
  }
  function edgeBase(e) {
    if (forcedEdges[e.id]) { return true; }
    if (e.kgRelation === MENTIONED) { if (!state.docs) { return false; } }
    else if (state.relations[e.kgRelation] === false) { return false; }
    if (state.inferred === "stated" && e.kgInferred) { return false; }
    if (state.inferred === "inferred" && !e.kgInferred) { return false; }
    if (state.doc && e.kgDoc !== state.doc) { return false; }
    return inRange(e.kgIso);
  }
  // Which nodes and edges are drawn: an entity shows when one of its facts does (or when asked for).
  function compute() {
    var cand = {}, has = {};
    data.nodes.forEach(function (n) { if (nodeBase(n)) { cand[n.id] = true; } });
    visibleEdges = {};
    data.edges.forEach(function (e) {
      if (cand[e.from] && cand[e.to] && edgeBase(e)) { visibleEdges[e.id] = true; has[e.from] = has[e.to] = true; }
    });
    visibleNodes = {};
    data.nodes.forEach(function (n) {
      if (cand[n.id] && (has[n.id] || forced[n.id] || state.isolated || n.kgType === DOC)) { visibleNodes[n.id] = true; }
    });
  }
  compute();
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return visibleNodes[n.id] === true; } });
  var edgeView = new vis.DataView(edges, { filter: function (e) { return visibleEdges[e.id] === true; } });
  timings.data = performance.now();
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, { nodes: nodeView, edges: edgeView }, data.options);
  timings.network = performance.now();
  // window.kg: what the tests and the benchmark read (counts, search, panel, ready time).
  var kg = { network: network, nodes: nodes, edges: edges, ready: false, readyAt: null, timings: timings,
             expected: { nodes: data.nodes.length, edges: data.edges.length }, highlighted: [], selected: null };
  window.kg = kg;

  function drawn() {
    return { nodes: network.body.nodeIndices.length, edges: network.body.edgeIndices.length };
  }
  kg.drawn = drawn;
  function stats() {
    var d = drawn();
    document.getElementById("kg-stats").textContent = "节点 " + d.nodes + " / " + data.nodes.length
      + " · 边 " + d.edges + " / " + data.edges.length;
  }

  var settled = !data.physics;
  function markReady() {
    if (settled && !kg.ready) {
      kg.ready = true;
      kg.readyAt = timings.ready = performance.now();
      document.body.setAttribute("data-ready", "1");
      fitLabels();
      if (data.focus.length) {  // every node named like the focus shows, facts or not
        data.focus.forEach(function (id) { forced[id] = true; });
        refresh();
        if (data.focus.length === 1) { kg.select(data.focus[0]); }
        else { network.selectNodes(data.focus); showPanel(data.focus[0]); }  // same-name nodes: none faded
      }
      stats();
    }
  }
  network.on("stabilizationIterationsDone", function () {
    network.setOptions({ physics: { enabled: false } });
    settled = true;
  });
  network.on("afterDrawing", markReady);
  // Big graphs: labels grow with mentions up to a cap that follows the zoom, so the biggest hubs'
  // labels stay about 24 px on screen at any zoom and the others appear as you zoom in
  // (vis-network's own scaling.label.maxVisible does not cap the drawn size).
  var labelMax = null, zoomTimer = null;
  function fitLabels() {
    if (data.physics) { return; }
    var want = Math.max(20, Math.min(160, 10 * Math.round(2.4 / network.getScale())));
    if (want !== labelMax) {
      labelMax = want;
      network.setOptions({ nodes: { scaling: { label: { max: want } } } });
      network.body.emitter.emit("_dataUpdated");  // vis re-applies value scaling on data updates only
    }
  }
  kg.fitLabels = fitLabels;
  network.on("zoom", function () { clearTimeout(zoomTimer); zoomTimer = setTimeout(fitLabels, 120); });
  network.on("animationFinished", fitLabels);
  if (data.physics && network.physics && network.physics.stabilized) { settled = true; }
  function relayout() {  // small graphs: let physics place what was just shown, then stop again
    if (data.physics && kg.ready) { network.setOptions({ physics: { enabled: true } }); network.stabilize(150); }
  }

  // ---- highlight: the selected node and its drawn neighbours keep their colours, the rest fade
  var dimmedNodes = [], dimmedEdges = [];
  function clearHighlight() {
    if (dimmedNodes.length) { nodes.update(dimmedNodes.map(function (id) { return { id: id, group: byId[id].kgType }; })); }
    if (dimmedEdges.length) { edges.update(dimmedEdges.map(function (id) { return { id: id, color: edgeById[id].color }; })); }
    dimmedNodes = []; dimmedEdges = []; kg.highlighted = [];
  }
  function highlight(id) {
    clearHighlight();
    if (!id || !visibleNodes[id]) { return; }
    var keep = {}, near = {};
    keep[id] = true;
    adj[id].forEach(function (e) { if (visibleEdges[e.id]) { keep[e.from] = keep[e.to] = true; near[e.id] = true; } });
    Object.keys(visibleNodes).forEach(function (n) { if (!keep[n]) { dimmedNodes.push(n); } });
    Object.keys(visibleEdges).forEach(function (e) { if (!near[e]) { dimmedEdges.push(e); } });
    nodes.update(dimmedNodes.map(function (n) { return { id: n, group: "dim:" + byId[n].kgType }; }));
    edges.update(dimmedEdges.map(function (e) { return { id: e, color: "#ececec" }; }));
    kg.highlighted = Object.keys(keep).sort();
  }
  kg.dimmed = function () { return dimmedNodes.length; };

  // ---- filters
  function refresh() {
    compute();
    clearHighlight();
    nodeView.refresh();
    edgeView.refresh();
    if (kg.selected && visibleNodes[kg.selected]) { highlight(kg.selected); }
    stats();
    drawTimeline();
    relayout();
  }
  kg.refresh = refresh;
  kg.filter = function () {
    document.querySelectorAll("input.kg-type").forEach(function (c) { state.types[c.value] = c.checked; });
    document.querySelectorAll("input.kg-relation").forEach(function (c) { state.relations[c.value] = c.checked; });
    state.docs = document.getElementById("kg-docs").checked;
    state.isolated = document.getElementById("kg-isolated").checked;
    state.inferred = document.getElementById("kg-inferred").value;
    state.doc = document.getElementById("kg-doc").value;
    state.from = document.getElementById("kg-from").value;
    state.to = document.getElementById("kg-to").value;
    state.undated = document.getElementById("kg-undated").checked;
    refresh();
  };
  document.querySelectorAll("aside input, aside select").forEach(function (c) { c.addEventListener("change", kg.filter); });
  document.getElementById("kg-reset").addEventListener("click", function () {
    document.querySelectorAll("input.kg-type, input.kg-relation, #kg-undated").forEach(function (c) { c.checked = true; });
    document.querySelectorAll("#kg-docs, #kg-isolated").forEach(function (c) { c.checked = false; });
    document.querySelectorAll("aside select, aside input[type=date]").forEach(function (c) { c.value = c.options ? c.options[0].value : ""; });
    forced = {}; forcedEdges = {};
    kg.filter();
  });

  // ---- the side panel: built with createElement/textContent only
  var panel = document.getElementById("kg-panel");
  function el(tag, cls, text) {
    var x = document.createElement(tag);
    if (cls) { x.className = cls; }
    if (text !== undefined && text !== null) { x.textContent = String(text); }
    return x;
  }
  function link(id) {
    var b = el("button", "kg-link", byId[id] ? byId[id].kgName : id);
    b.addEventListener("click", function () { kg.select(id, true); });
    return b;
  }
  function copyButton(text) {
    var b = el("button", "kg-copy", "复制 copy");
    b.addEventListener("click", function () {
      var done = function () { b.textContent = "已复制 copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
      } else { fallbackCopy(text); done(); }
    });
    return b;
  }
  function fallbackCopy(text) {
    var t = el("textarea", null, text);
    document.body.appendChild(t); t.select();
    try { document.execCommand("copy"); } catch (err) { /* the sentence stays selectable by hand */ }
    t.remove();
  }
  function hiddenNeighbours(id) {
    var out = {};
    adj[id].forEach(function (e) { var o = e.from === id ? e.to : e.from; if (!visibleNodes[o] || !visibleEdges[e.id]) { out[o] = true; } });
    delete out[id];
    return Object.keys(out);
  }
  kg.hiddenNeighbours = hiddenNeighbours;
  function showPanel(id) {
    var n = byId[id];
    panel.textContent = "";
    panel.hidden = false;
    var close = el("button", null, "✕");
    close.id = "kg-close";
    close.addEventListener("click", function () { kg.select(null); });
    panel.appendChild(close);
    panel.appendChild(el("h2", null, n.kgName));
    panel.appendChild(el("div", "kg-type", data.typeNames[n.kgType] || n.kgType));
    if (n.kgAliases.length) { panel.appendChild(el("div", null, "别名 aliases: " + n.kgAliases.join("、"))); }
    if (n.kgDesc && n.kgDesc !== n.kgName) { panel.appendChild(el("div", null, "描述 description: " + n.kgDesc)); }
    if (n.kgIso) { panel.appendChild(el("div", null, "日期 date: " + n.kgIso)); }
    if (n.kgPath) { panel.appendChild(el("div", "kg-meta", "路径 path: " + n.kgPath)); }
    if (n.kgType !== DOC) { panel.appendChild(el("div", "kg-meta", "提及 " + n.kgMentions + " 次 mentions")); }
    var hidden = hiddenNeighbours(id);
    if (hidden.length) {
      var ex = el("button", null, "展开 expand: " + hidden.length + " 个隐藏的邻居 hidden neighbours");
      ex.id = "kg-expand";
      ex.addEventListener("click", function () { kg.expand(id); });
      panel.appendChild(ex);
    }
    var facts = adj[id].filter(function (e) { return e.kgRelation !== MENTIONED; });
    var mentions = adj[id].filter(function (e) { return e.kgRelation === MENTIONED; });
    panel.appendChild(el("h3", null, "关系 relations (" + facts.length + ")"));
    if (!facts.length) { panel.appendChild(el("div", "kg-meta", "没有 none")); }
    facts.forEach(function (e) {
      var box = el("div", "kg-rel"), line = el("div");
      var out = e.from === id, other = out ? e.to : e.from;
      line.appendChild(el("span", null, (out ? "→ " : "← ") + (data.relationNames[e.kgRelation] || e.kgRelation)
        + (e.kgRole ? " · " + e.kgRole : "") + " "));
      line.appendChild(link(other));
      if (e.kgDate || e.kgIso) { line.appendChild(el("span", "kg-meta", " · " + (e.kgDate || e.kgIso))); }
      if (e.kgInferred) { line.appendChild(el("span", "kg-tag", " 推断 inferred")); }
      box.appendChild(line);
      if (e.kgEvidence) {
        box.appendChild(el("blockquote", "kg-evidence", e.kgEvidence));
        var meta = el("div", "kg-meta", e.kgDoc + " · 句 " + e.kgSent);
        meta.appendChild(copyButton(e.kgEvidence));
        box.appendChild(meta);
      }
      panel.appendChild(box);
    });
    if (n.kgType === DOC) {
      panel.appendChild(el("h3", null, "提及的实体 entities (" + mentions.length + ")"));
      mentions.forEach(function (e) {
        var row = el("div");
        row.appendChild(link(e.from));
        row.appendChild(el("span", "kg-meta", " " + (data.typeNames[byId[e.from].kgType] || "") + (e.kgCount ? " × " + e.kgCount : "")));
        panel.appendChild(row);
      });
    } else {
      panel.appendChild(el("h3", null, "文档 documents (" + n.kgDocs.length + ")"));
      n.kgDocs.forEach(function (d) {
        var row = el("div"), docId = "doc:" + d;
        row.appendChild(byId[docId] ? link(docId) : el("span", null, d));
        panel.appendChild(row);
      });
      if (n.kgSentences.length) {
        panel.appendChild(el("h3", null, "提及的句子 sentences"));
        n.kgSentences.forEach(function (s) {
          var box = el("div", "kg-rel");
          box.appendChild(el("blockquote", "kg-evidence", s[2]));
          var meta = el("div", "kg-meta", s[0] + " · 句 " + s[1]);
          meta.appendChild(copyButton(s[2]));
          box.appendChild(meta);
          panel.appendChild(box);
        });
      }
    }
  }

  // ---- select, expand
  kg.select = function (id, move) {
    kg.selected = id || null;
    if (!id) { clearHighlight(); network.unselectAll(); panel.hidden = true; return; }
    if (!visibleNodes[id]) { forced[id] = true; refresh(); }
    network.selectNodes([id]);
    if (move) { network.focus(id, { scale: Math.max(network.getScale(), 1.0), animation: { duration: 300 } }); }
    highlight(id);
    showPanel(id);
  };
  kg.expand = function (id) {
    var shown = hiddenNeighbours(id);
    forced[id] = true;
    adj[id].forEach(function (e) { forcedEdges[e.id] = true; forced[e.from] = forced[e.to] = true; });
    refresh();
    kg.select(id);
    return shown;
  };
  network.on("click", function (p) {
    if (p.nodes.length) { kg.select(p.nodes[0]); } else if (!p.edges.length) { kg.select(null); }
  });
  network.on("doubleClick", function (p) { if (p.nodes.length) { kg.expand(p.nodes[0]); } });

  // ---- search: exact name/alias first, then substring, over every node (hidden ones are revealed);
  // Enter or ▼ steps to the next hit, Shift+Enter or ▲ to the previous one.
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
  var hits = [], hitAt = -1, lastQuery = null;
  var status = document.getElementById("kg-status");
  kg.search = function (query) {
    var q = String(query || "").trim().toLowerCase();
    lastQuery = q; hits = []; hitAt = -1;
    if (!q) { kg.select(null); status.textContent = ""; return []; }
    var exact = [], partial = [];
    data.nodes.forEach(function (n) {
      var all = [n.kgName].concat(n.kgAliases || []).map(function (s) { return String(s).toLowerCase(); });
      if (all.indexOf(q) >= 0) { exact.push(n.id); }
      else if (all.some(function (s) { return s.indexOf(q) >= 0; })) { partial.push(n.id); }
    });
    hits = exact.concat(partial);
    if (!hits.length) { kg.select(null); status.textContent = "没有匹配"; return []; }
    kg.step(1);
    return hits.slice();
  };
  kg.step = function (dir) {
    if (!hits.length) { return null; }
    hitAt = (hitAt + dir + hits.length) % hits.length;
    kg.select(hits[hitAt], true);
    status.textContent = "第 " + (hitAt + 1) + " / " + hits.length + " 个";
    return hits[hitAt];
  };
  var box = document.getElementById("kg-search");
  box.addEventListener("focus", fillNames, { once: true });
  box.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    var q = box.value.trim().toLowerCase();
    if (q && q === lastQuery && hits.length) { kg.step(ev.shiftKey ? -1 : 1); } else { kg.search(box.value); }
  });
  box.addEventListener("change", function () { if (box.value.trim().toLowerCase() !== lastQuery) { kg.search(box.value); } });
  document.getElementById("kg-next").addEventListener("click", function () { kg.step(1); });
  document.getElementById("kg-prev").addEventListener("click", function () { kg.step(-1); });

  // ---- timeline of dated events (an event's own date, else the date of its EVENT_AT fact)
  var SVGNS = "http://www.w3.org/2000/svg";
  var events = [];
  data.nodes.forEach(function (n) {
    if (n.kgType !== "EVENT") { return; }
    var iso = n.kgIso;
    adj[n.id].forEach(function (e) { if (!iso && e.kgRelation === "EVENT_AT" && e.kgIso) { iso = e.kgIso; } });
    if (iso) { events.push({ id: n.id, iso: iso, label: n.label, t: Date.UTC(+iso.slice(0, 4), (+iso.slice(5, 7) || 1) - 1, +iso.slice(8, 10) || 1) }); }
  });
  events.sort(function (a, b) { return a.t - b.t || (a.label < b.label ? -1 : 1); });
  kg.timelineEvents = events.length;
  function svg(tag, attrs, text) {
    var x = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) { x.setAttribute(k, attrs[k]); });
    if (text !== undefined) { x.textContent = String(text); }
    return x;
  }
  function drawTimeline() {
    var s = document.getElementById("kg-timeline");
    document.getElementById("kg-timeline-count").textContent = events.length ? events.length + " 个带日期的事件 dated events" : "没有带日期的事件 no dated events";
    s.textContent = "";
    if (!events.length) { s.setAttribute("height", "0"); return; }
    var w = s.clientWidth || container.clientWidth || 1000, h = 150, left = 30, right = 30, axis = h - 24, lanes = 5;
    var t0 = events[0].t, t1 = events[events.length - 1].t, day = 86400000;
    if (t1 - t0 < 2 * day) { t0 -= day; t1 += day; }
    var span = t1 - t0;
    var x = function (t) { return left + (w - left - right) * (t - t0) / span; };
    // ticks: years, months or days, whichever gives a handful
    var ticks = [], d0 = new Date(t0), unit = span > 3 * 365 * day ? "y" : span > 90 * day ? "m" : "d";
    var c = unit === "y" ? Date.UTC(d0.getUTCFullYear(), 0, 1) : unit === "m" ? Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth(), 1) : Date.UTC(d0.getUTCFullYear(), d0.getUTCMonth(), d0.getUTCDate());
    var stepDays = unit === "d" ? Math.max(1, Math.ceil(span / day / 10)) : 1;
    while (c <= t1 && ticks.length < 400) {
      if (c >= t0) { ticks.push(c); }
      var dc = new Date(c);
      c = unit === "y" ? Date.UTC(dc.getUTCFullYear() + 1, 0, 1) : unit === "m" ? Date.UTC(dc.getUTCFullYear(), dc.getUTCMonth() + 1, 1) : c + stepDays * day;
    }
    var every = Math.max(1, Math.ceil(ticks.length / 12)), tickMarks = [];
    ticks.forEach(function (t, i) {
      var iso = new Date(t).toISOString();
      if (!(i % every)) { tickMarks.push([t, unit === "y" ? iso.slice(0, 4) : unit === "m" ? iso.slice(0, 7) : iso.slice(0, 10)]); }
    });
    var taken = [], placed = [], used = 1;  // per lane, the [from, to] pixels its labels cover
    for (var i = 0; i < lanes; i++) { taken.push([]); }
    events.forEach(function (ev) {
      var px = x(ev.t), width = 16 + 13 * ev.label.length, flip = px + width > w - 4;
      var a = flip ? px - width : px - 6, b = flip ? px + 6 : px + width, lane = -1;
      for (var k = 0; k < lanes && lane < 0; k++) {
        if (taken[k].every(function (r) { return b < r[0] || a > r[1]; })) { lane = k; }
      }
      if (lane >= 0) { taken[lane].push([a, b]); used = Math.max(used, lane + 1); }
      placed.push({ ev: ev, px: px, lane: lane, flip: flip });
    });
    h = 48 + 22 * used;
    axis = h - 24;
    s.textContent = "";
    s.appendChild(svg("line", { x1: left, x2: w - right, y1: axis, y2: axis, stroke: "#999" }));
    tickMarks.forEach(function (tk) {
      s.appendChild(svg("line", { x1: x(tk[0]), x2: x(tk[0]), y1: axis, y2: axis + 4, stroke: "#999" }));
      s.appendChild(svg("text", { x: x(tk[0]), y: axis + 17, "text-anchor": "middle", fill: "#666" }, tk[1]));
    });
    placed.forEach(function (p) {
      var ev = p.ev, px = p.px;
      var g = svg("g", { "class": "kg-item" + (visibleNodes[ev.id] ? "" : " kg-faded") });
      var y = axis - 14 - 22 * (p.lane < 0 ? 0 : p.lane);
      g.appendChild(svg("line", { x1: px, x2: px, y1: y, y2: axis, stroke: "#b07aa1", "stroke-width": 1 }));
      g.appendChild(svg("circle", { cx: px, cy: y, r: 5, fill: "#b07aa1" }));
      if (p.lane >= 0) {
        g.appendChild(svg("text", { x: p.flip ? px - 8 : px + 8, y: y + 4, fill: "#333",
                                    "text-anchor": p.flip ? "end" : "start" }, ev.label));
      }
      g.appendChild(svg("title", {}, ev.iso + " " + byId[ev.id].kgName));
      g.addEventListener("click", function () { kg.select(ev.id, true); });
      s.appendChild(g);
    });
    s.setAttribute("height", String(h));
  }
  window.addEventListener("resize", drawTimeline);
  document.getElementById("kg-timeline-box").addEventListener("toggle", drawTimeline);
  drawTimeline();
  stats();
})();
