/* kg serve: the page. Text from the server is written with textContent only; the URL hash holds the view. */
(function () {
  "use strict";
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                 "#9c755f", "#17becf", "#bcbd22", "#8c564b"];
  var MAX_LABEL = 14;
  var kg = window.kg = { ready: false, busy: 0, loads: 0 };
  var meta = null;
  var state = { focus: [], sel: "", types: [], relations: [], inferred: "all", doc: "", from: "", to: "",
                undated: true, size: "degree", colour: "type", path: [] };
  var nodes = new vis.DataSet([]), edges = new vis.DataSet([]);
  var info = {}, edgeInfo = {}, pathEdges = {}, pathNodes = {};
  var network = null;

  function $(id) { return document.getElementById(id); }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }
  function status(text) { $("kg-status").textContent = text; }
  function short(s) { s = String(s); return s.length <= MAX_LABEL ? s : s.slice(0, MAX_LABEL - 1) + "…"; }
  function typeName(t) { return (meta.type_style[t] || {}).label || t; }
  function relName(r) { return (meta.relation_style[r] || {}).label || r; }

  function get(path, params) {
    var q = new URLSearchParams();
    Object.keys(params || {}).forEach(function (k) {
      var v = params[k];
      if (v !== undefined && v !== null && v !== "") { q.set(k, v); }
    });
    kg.busy += 1;
    return fetch(path + (q.toString() ? "?" + q.toString() : ""), { headers: { Accept: "application/json" } })
      .then(function (r) {
        return r.json().then(function (body) {
          if (!r.ok) { throw new Error(body.error || r.statusText); }
          return body;
        });
      })
      .finally(function () { kg.busy -= 1; });
  }
  function filterParams() {
    return { types: state.types.join(","), relations: state.relations.join(","),
             inferred: state.inferred === "all" ? "" : state.inferred, doc: state.doc,
             from: state.from, to: state.to, undated: state.undated ? "" : "0" };
  }

  /* ---------- URL ---------- */
  function writeHash() {
    var q = new URLSearchParams();
    if (state.focus.length) { q.set("focus", state.focus.join(",")); }
    if (state.sel) { q.set("sel", state.sel); }
    if (state.path.length === 2) { q.set("path", state.path.join(",")); }
    var f = filterParams();
    Object.keys(f).forEach(function (k) { if (f[k]) { q.set(k, f[k]); } });
    if (state.size !== "degree") { q.set("size", state.size); }
    if (state.colour !== "type") { q.set("colour", state.colour); }
    history.replaceState(null, "", "#" + q.toString().replace(/%2C/g, ","));
  }
  function readHash() {
    var q = new URLSearchParams(location.hash.slice(1));
    function list(k) { return (q.get(k) || "").split(",").filter(Boolean); }
    state.focus = list("focus");
    state.sel = q.get("sel") || "";
    state.path = list("path").slice(0, 2);
    state.types = list("types");
    state.relations = list("relations");
    state.inferred = q.get("inferred") || "all";
    state.doc = q.get("doc") || "";
    state.from = q.get("from") || "";
    state.to = q.get("to") || "";
    state.undated = q.get("undated") !== "0";
    state.size = q.get("size") === "mentions" ? "mentions" : "degree";
    state.colour = q.get("colour") === "community" ? "community" : "type";
  }

  /* ---------- graph ---------- */
  function nodeColour(n) {
    if (state.colour === "community") {
      return n.community >= 0 && n.community < PALETTE.length ? PALETTE[n.community] : "#bab0ac";
    }
    return (meta.type_style[n.type] || { colour: "#bab0ac" }).colour;
  }
  function visNode(n) {
    var style = meta.type_style[n.type] || { shape: "dot" };
    var colour = nodeColour(n);
    var focus = state.focus.indexOf(n.id) >= 0 || pathNodes[n.id];
    return { id: n.id, label: short(n.name), shape: style.shape, value: Math.max(1, state.size === "mentions" ? n.mentions : n.degree),
             title: n.name + "\n" + typeName(n.type) + " · 度 " + n.degree + " · 提及 " + n.mentions +
                    (n.community >= 0 ? " · 社区 " + n.community : ""),
             color: { background: colour, border: focus ? "#111" : colour, highlight: { background: colour, border: "#111" } },
             borderWidth: focus ? 3 : 1 };
  }
  function visEdge(e) {
    var colour = (meta.relation_style[e.relation] || { colour: "#999" }).colour;
    var onPath = pathEdges[e.id];
    return { id: e.id, from: e.from, to: e.to, arrows: "to", label: kg.crowded ? undefined : e.role || undefined,
             title: relName(e.relation) + (e.role ? " · " + e.role : "") + (e.iso ? " · " + e.iso : "") +
                    (e.inferred ? " · 推断 inferred" : "") + (e.evidence ? "\n" + e.evidence.slice(0, 160) : ""),
             color: { color: onPath ? "#ff7f0e" : colour, highlight: onPath ? "#ff7f0e" : colour, hover: colour },
             width: onPath ? 4 : 1.5, selectionWidth: 1.5,
             dashes: !!e.inferred, font: { size: 10, color: "#555", strokeWidth: 2 } };
  }
  function show(result) {
    var keepN = {}, keepE = {};
    kg.crowded = result.edges.length > 60;  /* past this, role labels on edges only overprint */
    result.nodes.forEach(function (n) { info[n.id] = n; keepN[n.id] = true; });
    result.edges.forEach(function (e) { edgeInfo[e.id] = e; keepE[e.id] = true; });
    nodes.remove(nodes.getIds().filter(function (id) { return !keepN[id]; }));
    edges.remove(edges.getIds().filter(function (id) { return !keepE[id]; }));
    nodes.update(result.nodes.map(visNode));
    edges.update(result.edges.map(visEdge));
    kg.visibleEdges = edges.getIds();
    kg.visibleNodes = nodes.getIds();
    var more = Object.keys(result.truncated || {}).map(function (id) {
      return (info[id] ? info[id].name : id) + " +" + result.truncated[id];
    });
    status(nodes.length + " 节点 · " + edges.length + " 边" + (more.length ? " · 未显示 " + more.join(", ") : ""));
  }
  function restyle() {
    nodes.update(nodes.getIds().map(function (id) { return visNode(info[id]); }));
    edges.update(edges.getIds().map(function (id) { return visEdge(edgeInfo[id]); }));
  }
  function merge(a, b) {
    var seenN = {}, seenE = {}, out = { nodes: [], edges: [], truncated: Object.assign({}, a.truncated, b.truncated) };
    a.nodes.concat(b.nodes).forEach(function (n) { if (!seenN[n.id]) { seenN[n.id] = 1; out.nodes.push(n); } });
    a.edges.concat(b.edges).forEach(function (e) { if (!seenE[e.id]) { seenE[e.id] = 1; out.edges.push(e); } });
    return out;
  }

  function load() {
    writeHash();
    var empty = { nodes: [], edges: [], truncated: {} };
    var jobs = [];
    pathEdges = {}; pathNodes = {};
    if (state.focus.length) {
      jobs.push(get("/api/neighbours", Object.assign({ ids: state.focus.join(",") }, filterParams())));
    }
    if (state.path.length === 2) {
      jobs.push(get("/api/path", Object.assign({ from_id: state.path[0], to_id: state.path[1] }, filterParams()))
        .then(function (p) {
          p.edges.forEach(function (e) { pathEdges[e.id] = true; });
          p.nodes.forEach(function (n) { pathNodes[n.id] = true; });
          kg.lastPath = p;
          if (!p.paths.length) { status("没有路径 no path" + (p.gave_up ? " (" + p.gave_up + ")" : "")); }
          return p;
        }));
    }
    return Promise.all(jobs).then(function (results) {
      var all = results.reduce(merge, empty);
      show(all);
      kg.loads += 1;
      if (state.sel && info[state.sel]) { network.selectNodes([state.sel]); showNode(state.sel); }
      else if (state.path.length === 2 && kg.lastPath) { showPaths(kg.lastPath); }
      network.fit({ animation: false });
      if (network.getScale() > 1.3) { network.moveTo({ scale: 1.3 }); }  /* a few nodes: not blown up */
      if (state.path.length === 2 && kg.lastPath && kg.lastPath.paths.length) {
        status(nodes.length + " 节点 · " + edges.length + " 边 · 路径 " + kg.lastPath.hops + " 跳 × " +
               kg.lastPath.paths.length);
      }
    }).catch(function (err) { status("错误 " + err.message); });
  }
  function open(id) {
    state.focus = [id]; state.sel = id; state.path = [];
    return load();
  }
  function expand(id) {
    if (state.focus.indexOf(id) < 0) { state.focus.push(id); }
    state.sel = id;
    return load();
  }

  /* ---------- side panel ---------- */
  function panel() { var p = $("kg-panel"); p.textContent = ""; return p; }
  function button(text, fn) { var b = el("button", text); b.type = "button"; b.addEventListener("click", fn); return b; }
  function tag(type) {
    var t = el("span", typeName(type), "kg-tag");
    t.style.background = (meta.type_style[type] || { colour: "#999" }).colour;
    return t;
  }
  function nodeLink(id, name) {
    var a = el("span", name, "kg-link");
    a.addEventListener("click", function () { state.sel = id; network.selectNodes([id]); showNode(id); writeHash(); });
    return a;
  }
  function showNode(id) {
    return get("/api/node/" + encodeURIComponent(id), { mentions: 30 }).then(function (n) {
      var p = panel();
      var h = el("h2", n.name); p.appendChild(h);
      p.appendChild(tag(n.type));
      p.appendChild(el("div", "度 degree " + n.degree + " · 提及 mentions " + n.mentions + " · 文档 documents " +
                       n.documents + (n.community >= 0 ? " · 社区 community " + n.community : ""), "kg-meta"));
      if (n.aliases.length) { p.appendChild(el("div", "别名 aliases: " + n.aliases.join("、"))); }
      if (n.iso) { p.appendChild(el("div", "日期 " + n.iso)); }
      var bar = el("div");
      bar.appendChild(button("展开 expand", function () { expand(id); }));
      bar.appendChild(button("设为起点 from", function () { setPathEnd(0, n); }));
      bar.appendChild(button("设为终点 to", function () { setPathEnd(1, n); }));
      p.appendChild(bar);
      var mine = edges.getIds().map(function (e) { return edgeInfo[e]; })
        .filter(function (e) { return e.from === id || e.to === id; });
      p.appendChild(el("h3", "关系 facts (" + mine.length + ")"));
      var ul = el("ul");
      mine.forEach(function (e) {
        var other = e.from === id ? e.to : e.from;
        var li = el("li");
        li.appendChild(el("span", (e.from === id ? "→ " : "← ") + relName(e.relation) + (e.role ? " · " + e.role : "") + " "));
        li.appendChild(nodeLink(other, info[other] ? info[other].name : other));
        if (e.evidence) {
          var ev = el("div", e.evidence, "kg-evidence");
          ev.addEventListener("click", function () { showEdge(e.id); openSource(e.document, e.sentence, null, null, [e.from, e.to]); });
          li.appendChild(ev);
        } else if (e.inferred) { li.appendChild(el("div", "推断 inferred (no sentence)", "kg-meta")); }
        ul.appendChild(li);
      });
      p.appendChild(ul);
      p.appendChild(el("h3", "提及 mentions (" + n.mention_list.length + (n.mentions > n.mention_list.length ? " / " + n.mentions : "") + ")"));
      var ml = el("ul");
      n.mention_list.forEach(function (m) {
        var li = el("li");
        li.appendChild(el("span", m.document + " #" + m.sentence + " [" + m.start + "," + m.end + ")", "kg-meta"));
        var ev = el("div", m.sentence_text || m.text, "kg-evidence kg-mention-link");
        ev.addEventListener("click", function () { openSource(m.document, m.sentence, m.start, m.end, []); });
        li.appendChild(ev);
        ml.appendChild(li);
      });
      p.appendChild(ml);
    }).catch(function (err) { status("错误 " + err.message); });
  }
  function showPaths(p) {
    var panelEl = panel();
    panelEl.appendChild(el("h2", "路径 paths"));
    if (!p.paths.length) { panelEl.appendChild(el("p", "没有路径 no path" + (p.gave_up ? " (" + p.gave_up + ")" : ""), "kg-hint")); return; }
    panelEl.appendChild(el("div", p.paths.length + " 条最短路径 shortest, " + p.hops + " 跳 hops", "kg-meta"));
    var byId = {};
    p.edges.forEach(function (e) { byId[e.id] = e; });
    p.paths.forEach(function (nodesOnPath, i) {
      var div = el("div", null, "kg-path-row");
      nodesOnPath.forEach(function (id, j) {
        if (j) {
          var e = byId[p.path_edges[i][j - 1]];
          var forward = e.from === nodesOnPath[j - 1];
          var step = el("span", forward ? " —" + relName(e.relation) + "→ " : " ←" + relName(e.relation) + "— ", "kg-link kg-meta");
          step.addEventListener("click", function () { showEdge(e.id); });
          div.appendChild(step);
        }
        div.appendChild(nodeLink(id, info[id] ? info[id].name : id));
      });
      panelEl.appendChild(div);
    });
  }
  function showEdge(eid) {
    var e = edgeInfo[eid];
    if (!e) { return; }
    var p = panel();
    p.appendChild(el("h2", relName(e.relation)));
    var line = el("div");
    line.appendChild(nodeLink(e.from, info[e.from] ? info[e.from].name : e.from));
    line.appendChild(el("span", " → "));
    line.appendChild(nodeLink(e.to, info[e.to] ? info[e.to].name : e.to));
    p.appendChild(line);
    if (e.role) { p.appendChild(el("div", "职务 role: " + e.role)); }
    if (e.date || e.iso) { p.appendChild(el("div", "日期 date: " + e.date + (e.iso ? " (" + e.iso + ")" : ""))); }
    p.appendChild(el("div", e.inferred ? "推断 inferred" : "明示 stated", "kg-meta"));
    if (e.document) {
      p.appendChild(el("div", "文档 " + e.document + " · 句 " + e.sentence + " · [" + e.start + ", " + e.end + ")", "kg-meta"));
      var ev = el("div", e.evidence, "kg-evidence");
      ev.addEventListener("click", function () { openSource(e.document, e.sentence, null, null, [e.from, e.to]); });
      p.appendChild(ev);
      p.appendChild(button("查看原文 source", function () { openSource(e.document, e.sentence, null, null, [e.from, e.to]); }));
    }
  }

  /* ---------- source text ---------- */
  function openSource(doc, sentence, start, end, entityIds) {
    var params = { sentence: sentence, start: start, end: end, entities: (entityIds || []).join(",") };
    return get("/api/document/" + encodeURIComponent(doc), params).then(function (d) {
      $("kg-source").hidden = false;
      $("kg-source-title").textContent = d.document;
      $("kg-source-note").textContent = d.source === "file" ? "原文件 original file" : "由句子重建 rebuilt from sentences.csv";
      var box = $("kg-source-text");
      box.textContent = "";
      var marks = [];
      if (d.highlight.sentence) { marks.push({ a: d.highlight.sentence[0], b: d.highlight.sentence[1], cls: "kg-sent" }); }
      (d.highlight.mentions || []).forEach(function (m) { marks.push({ a: m[0], b: m[1], cls: "kg-mention" }); });
      var cuts = [0, d.text.length];
      marks.forEach(function (m) { cuts.push(m.a, m.b); });
      cuts = cuts.filter(function (c, i, all) { return c >= 0 && c <= d.text.length && all.indexOf(c) === i; })
        .sort(function (x, y) { return x - y; });
      var first = null;
      for (var i = 0; i + 1 < cuts.length; i++) {
        var a = cuts[i], b = cuts[i + 1];
        var inS = marks.some(function (m) { return m.cls === "kg-sent" && m.a <= a && b <= m.b; });
        var inM = marks.some(function (m) { return m.cls === "kg-mention" && m.a <= a && b <= m.b; });
        var piece = d.text.slice(a, b);
        var node = document.createTextNode(piece);
        if (inM || inS) {
          var outer = el("mark", null, inM ? "kg-mention" : "kg-sent");
          outer.appendChild(node);
          if (inM && inS) { var wrap = el("mark", null, "kg-sent"); wrap.appendChild(outer); outer = wrap; }
          node = outer;
          if (!first) { first = outer; }
        }
        box.appendChild(node);
      }
      if (first) { first.scrollIntoView({ block: "center" }); }
      kg.source = d;
    }).catch(function (err) { status("错误 " + err.message); });
  }

  /* ---------- search and path ---------- */
  var searchTimer = null, hitsFor = null;
  function renderHits(hits, onPick) {
    var ul = $("kg-hits");
    ul.textContent = "";
    hits.forEach(function (h, i) {
      var li = el("li");
      li.dataset.id = h.id;
      li.appendChild(el("span", h.name));
      if (!h.exact && h.matched && h.matched !== h.name) { li.appendChild(el("span", " (" + h.matched + ")", "kg-meta")); }
      li.appendChild(el("span", " " + typeName(h.type) + " · 提及 " + h.mentions + " · 度 " + h.degree, "kg-meta"));
      if (i === 0) { li.classList.add("kg-active"); }
      li.addEventListener("mousedown", function (ev) { ev.preventDefault(); ul.hidden = true; onPick(h); });
      ul.appendChild(li);
    });
    ul.hidden = !hits.length;
    kg.hits = hits;
  }
  function search(q, onPick) {
    return get("/api/search", { q: q, limit: 20 }).then(function (r) { renderHits(r.hits, onPick); return r.hits; });
  }
  function setPathEnd(which, n) {
    var input = $(which === 0 ? "kg-path-from" : "kg-path-to");
    input.value = n.name;
    input.dataset.id = n.id;
  }
  function resolve(input) {
    if (input.dataset.id && input.dataset.name === input.value) { return Promise.resolve(input.dataset.id); }
    return get("/api/search", { q: input.value, limit: 1 }).then(function (r) {
      if (!r.hits.length) { throw new Error("找不到 " + input.value); }
      input.dataset.id = r.hits[0].id; input.dataset.name = input.value;
      return r.hits[0].id;
    });
  }
  function findPath() {
    var a = $("kg-path-from"), b = $("kg-path-to");
    ["kg-path-from", "kg-path-to"].forEach(function (k) { var i = $(k); if (i.dataset.id && !i.dataset.name) { i.dataset.name = i.value; } });
    return Promise.all([resolve(a), resolve(b)]).then(function (ids) {
      state.path = ids; state.sel = "";
      return load();
    }).catch(function (err) { status("错误 " + err.message); });
  }

  /* ---------- timeline ---------- */
  var buckets = [], brushFrom = null;
  function bucketBounds(i) { return [buckets[i][2], buckets[i][3]]; }
  function isoKey(iso) {  /* sortable number of an ISO date, BC years included */
    var neg = iso.charAt(0) === "-", p = (neg ? iso.slice(1) : iso).split("-");
    var y = (neg ? -1 : 1) * +p[0];
    return y * 10000 + (+p[1] || 1) * 100 + (+p[2] || 1);
  }
  function drawTimeline() {
    var svg = $("kg-timeline"), NS = "http://www.w3.org/2000/svg";
    svg.textContent = "";
    buckets = kg.axis || meta.dated;
    var w = svg.clientWidth || 800, h = 56, n = buckets.length;
    if (!n) {
      var t = document.createElementNS(NS, "text");
      t.setAttribute("x", 4); t.setAttribute("y", 30); t.textContent = "没有带标准日期的事实 no ISO-dated facts";
      svg.appendChild(t); return;
    }
    var max = Math.max.apply(null, buckets.map(function (b) { return b[1]; }));
    var bw = w / n;
    var sel = selectedRange();
    buckets.forEach(function (b, i) {
      var r = document.createElementNS(NS, "rect");
      var bh = Math.max(2, (h - 16) * b[1] / max);
      r.setAttribute("x", i * bw + 1); r.setAttribute("width", Math.max(1, bw - 2));
      r.setAttribute("y", h - 14 - bh); r.setAttribute("height", bh);
      r.setAttribute("class", "kg-bar" + (sel && (i < sel[0] || i > sel[1]) ? " kg-out" : ""));
      var title = document.createElementNS(NS, "title"); title.textContent = b[0] + " (" + b[2] + " — " + b[3] + "): " + b[1];
      r.appendChild(title); svg.appendChild(r);
    });
    var every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(w / 70))));
    buckets.forEach(function (b, i) {
      if (i % every) { return; }
      var t = document.createElementNS(NS, "text");
      t.setAttribute("x", i * bw + 2); t.setAttribute("y", h - 2); t.textContent = b[0];
      svg.appendChild(t);
    });
    if (sel) {
      var r = document.createElementNS(NS, "rect");
      r.setAttribute("x", sel[0] * bw); r.setAttribute("width", (sel[1] - sel[0] + 1) * bw);
      r.setAttribute("y", 0); r.setAttribute("height", h - 12); r.setAttribute("class", "kg-brush");
      svg.appendChild(r);
    }
    $("kg-range").textContent = state.from || state.to ? (state.from || "…") + " — " + (state.to || "…") :
      "拖动选择时间范围 drag to select a range";
  }
  function selectedRange() {
    if (!state.from && !state.to) { return null; }
    var lo = 0, hi = buckets.length - 1;
    buckets.forEach(function (b, i) {
      if (state.from && isoKey(b[3]) < isoKey(state.from) && i >= lo) { lo = i + 1; }
      if (state.to && isoKey(b[2]) > isoKey(state.to) && i <= hi) { hi = Math.min(hi, i - 1); }
    });
    return [lo, Math.max(lo, hi)];
  }
  function bucketAt(ev) {
    var svg = $("kg-timeline"), rect = svg.getBoundingClientRect();
    var i = Math.floor((ev.clientX - rect.left) / (rect.width / buckets.length));
    return Math.max(0, Math.min(buckets.length - 1, i));
  }
  function setRange(i, j) {
    var a = Math.min(i, j), b = Math.max(i, j);
    state.from = bucketBounds(a)[0];
    state.to = bucketBounds(b)[1];
    drawTimeline();
  }

  /* ---------- filters ---------- */
  function buildFilters() {
    Object.keys(meta.types).forEach(function (t) {
      var l = el("label"), c = el("input");
      c.type = "checkbox"; c.value = t; c.checked = !state.types.length || state.types.indexOf(t) >= 0;
      c.className = "kg-type";
      l.appendChild(c); l.appendChild(el("span", " " + typeName(t) + " " + meta.types[t]));
      $("kg-types").appendChild(l);
    });
    Object.keys(meta.relations).forEach(function (r) {
      var l = el("label"), c = el("input");
      c.type = "checkbox"; c.value = r; c.checked = !state.relations.length || state.relations.indexOf(r) >= 0;
      c.className = "kg-relation";
      l.appendChild(c);
      var s = el("span", " " + relName(r) + " " + meta.relations[r]);
      s.style.color = meta.relation_style[r].colour;
      l.appendChild(s);
      $("kg-relations").appendChild(l);
    });
    meta.document_ids.forEach(function (d) { var o = el("option", d); o.value = d; $("kg-doc").appendChild(o); });
    function collect(cls, all) {
      var on = Array.prototype.filter.call(document.querySelectorAll("." + cls), function (c) { return c.checked; })
        .map(function (c) { return c.value; });
      return on.length === all ? [] : on;
    }
    document.querySelectorAll(".kg-type, .kg-relation").forEach(function (c) {
      c.addEventListener("change", function () {
        state.types = collect("kg-type", Object.keys(meta.types).length);
        state.relations = collect("kg-relation", Object.keys(meta.relations).length);
        load();
      });
    });
    $("kg-inferred").value = state.inferred;
    $("kg-doc").value = state.doc;
    $("kg-undated").checked = state.undated;
    $("kg-size").value = state.size;
    $("kg-colour").value = state.colour;
    $("kg-inferred").addEventListener("change", function (e) { state.inferred = e.target.value; load(); });
    $("kg-doc").addEventListener("change", function (e) { state.doc = e.target.value; load(); });
    $("kg-undated").addEventListener("change", function (e) { state.undated = e.target.checked; load(); });
    $("kg-size").addEventListener("change", function (e) { state.size = e.target.value; restyle(); writeHash(); });
    $("kg-colour").addEventListener("change", function (e) { state.colour = e.target.value; restyle(); writeHash(); });
  }

  /* ---------- export ---------- */
  function csvCell(v) {
    var s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@\t\r]/.test(s)) { s = "'" + s; }  // not a formula when opened in a spreadsheet
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  function exportCsv() {
    var rows = [["source_id", "source_name", "relation", "target_id", "target_name", "role", "date", "iso_date",
                 "inferred", "document", "sentence", "start", "end", "evidence"]];
    edges.getIds().forEach(function (id) {
      var e = edgeInfo[id];
      rows.push([e.from, info[e.from].name, e.relation, e.to, info[e.to].name, e.role, e.date, e.iso,
                 e.inferred ? "true" : "", e.document, e.sentence, e.start, e.end, e.evidence]);
    });
    var text = "\ufeff" + rows.map(function (r) { return r.map(csvCell).join(","); }).join("\r\n") + "\r\n";
    kg.lastCsv = text;
    download(new Blob([text], { type: "text/csv;charset=utf-8" }), "kg-selection.csv");
  }
  function download(blob, name) {
    var a = el("a"); a.href = URL.createObjectURL(blob); a.download = name;
    document.body.appendChild(a); a.click(); a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 1000);
  }
  function exportPng() {
    var canvas = document.querySelector("#kg-graph canvas");
    canvas.toBlob(function (b) { download(b, "kg-view.png"); });
  }

  /* ---------- start ---------- */
  function start() {
    readHash();
    get("/api/meta").then(function (m) {
      meta = m;
      $("kg-title").textContent = "kg serve · " + m.folder + " · " + m.entities + " 实体 · " + m.edges + " 事实 · " +
        m.documents + " 文档";
      buildFilters();
      network = new vis.Network($("kg-graph"), { nodes: nodes, edges: edges }, {
        nodes: { font: { size: 13, face: getComputedStyle(document.body).fontFamily }, scaling: { min: 8, max: 40,
                 label: { enabled: true, min: 11, max: 20 } } },
        edges: { smooth: { type: "continuous" }, arrows: { to: { scaleFactor: 0.5 } } },
        physics: { solver: "forceAtlas2Based", forceAtlas2Based: { gravitationalConstant: -60, springLength: 110 },
                   stabilization: { iterations: 200, fit: true } },
        interaction: { hover: true, tooltipDelay: 150 } });
      network.on("click", function (p) {
        if (p.nodes.length) { state.sel = p.nodes[0]; showNode(p.nodes[0]); writeHash(); }
        else if (p.edges.length) { showEdge(p.edges[0]); }
      });
      network.on("doubleClick", function (p) { if (p.nodes.length) { expand(p.nodes[0]); } });
      kg.network = network; kg.nodes = nodes; kg.edges = edges; kg.state = state; kg.info = info; kg.edgeInfo = edgeInfo;
      kg.open = open; kg.expand = expand; kg.openSource = openSource; kg.showEdge = showEdge; kg.exportCsv = exportCsv;
      drawTimeline();
      window.addEventListener("resize", drawTimeline);
      var svg = $("kg-timeline");
      svg.addEventListener("mousedown", function (ev) { if (buckets.length) { brushFrom = bucketAt(ev); setRange(brushFrom, brushFrom); } });
      svg.addEventListener("mousemove", function (ev) { if (brushFrom !== null) { setRange(brushFrom, bucketAt(ev)); } });
      window.addEventListener("mouseup", function () { if (brushFrom !== null) { brushFrom = null; load(); } });
      $("kg-zoom").addEventListener("click", function () {
        if (!state.from && !state.to) { return; }
        get("/api/timeline", { from: state.from, to: state.to }).then(function (t) {
          if (t.dated.length) { kg.axis = t.dated; drawTimeline(); }
        });
      });
      $("kg-zoom-out").addEventListener("click", function () { kg.axis = null; drawTimeline(); });
      $("kg-range-clear").addEventListener("click", function () { state.from = ""; state.to = ""; drawTimeline(); load(); });

      var box = $("kg-search");
      box.addEventListener("input", function () {
        clearTimeout(searchTimer);
        searchTimer = setTimeout(function () { hitsFor = box; search(box.value, function (h) { open(h.id); }); }, 150);
      });
      box.addEventListener("keydown", function (ev) {
        if (ev.key === "Enter") {
          clearTimeout(searchTimer);
          search(box.value, function (h) { open(h.id); }).then(function (hits) {
            if (hits.length) { $("kg-hits").hidden = true; open(hits[0].id); }
          });
        } else if (ev.key === "Escape") { $("kg-hits").hidden = true; }
      });
      box.addEventListener("blur", function () { setTimeout(function () { if (hitsFor === box) { $("kg-hits").hidden = true; } }, 200); });
      ["kg-path-from", "kg-path-to"].forEach(function (k) {
        $(k).addEventListener("input", function () { delete $(k).dataset.id; });
        $(k).addEventListener("keydown", function (ev) { if (ev.key === "Enter") { findPath(); } });
      });
      $("kg-path-go").addEventListener("click", findPath);
      $("kg-export-csv").addEventListener("click", exportCsv);
      $("kg-export-png").addEventListener("click", exportPng);
      $("kg-clear").addEventListener("click", function () { state.focus = []; state.path = []; state.sel = ""; panel(); load(); });
      $("kg-source-close").addEventListener("click", function () { $("kg-source").hidden = true; });
      window.addEventListener("hashchange", function () { readHash(); drawTimeline(); load(); });
      return load();
    }).then(function () { kg.ready = true; }).catch(function (err) { status("错误 " + err.message); kg.ready = true; });
  }
  start();
})();
