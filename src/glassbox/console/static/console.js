// Glassbox console: draws a mixin dashboard model (the JSON Grafana gets) with uPlot.
// The server runs the queries (/api/panel/<uid>/<id>); this file lays the panels out on
// Grafana's 24-column grid and draws time series, stat, gauge, bar gauge / bar chart and
// table panels. Each panel's element carries data-state: loading, ok, nodata or error.
"use strict";
(function () {
  const model = JSON.parse(document.getElementById("dashboard").textContent);
  const params = new URLSearchParams(location.search);
  const grid = document.getElementById("grid");
  const ROW_PX = 30;
  const COLORS = ["#7eb26d", "#eab839", "#6ed0e0", "#ef843c", "#e24d42", "#1f78c1",
    "#ba43a9", "#705da0", "#508642", "#cca300"];
  const charts = new Map();

  // -- units -------------------------------------------------------------------------------
  function fmtNumber(v, digits) {
    const a = Math.abs(v);
    if (a >= 1e9) return (v / 1e9).toFixed(digits) + " B";
    if (a >= 1e6) return (v / 1e6).toFixed(digits) + " M";
    if (a >= 1e3) return (v / 1e3).toFixed(digits) + " K";
    if (a === 0) return "0";
    if (a < 0.01) return v.toExponential(1);
    return v.toFixed(a < 10 ? Math.max(digits, 2) : digits);
  }
  function fmt(unit, v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    switch (unit) {
      case "s": {
        const a = Math.abs(v);
        if (a === 0) return "0 s";
        if (a < 1e-3) return (v * 1e6).toFixed(0) + " µs";
        if (a < 1) return (v * 1e3).toFixed(a < 0.01 ? 2 : 0) + " ms";
        if (a < 120) return v.toFixed(2) + " s";
        if (a < 7200) return (v / 60).toFixed(1) + " min";
        return (v / 3600).toFixed(1) + " h";
      }
      case "ms": return fmt("s", v / 1000);
      case "percentunit": return (v * 100).toFixed(Math.abs(v) < 0.1 ? 2 : 1) + "%";
      case "percent": return v.toFixed(1) + "%";
      case "currencyUSD": return "$" + (Math.abs(v) < 1 ? v.toFixed(4) : fmtNumber(v, 2));
      case "reqps": return fmtNumber(v, 2) + " req/s";
      case "ops": return fmtNumber(v, 2) + " ops/s";
      case "bytes": return fmtNumber(v, 1) + "B";
      default: return fmtNumber(v, 2);
    }
  }
  function unitOf(panel) {
    return ((panel.fieldConfig || {}).defaults || {}).unit || "short";
  }
  function thresholdColor(panel, v) {
    const steps = ((((panel.fieldConfig || {}).defaults || {}).thresholds) || {}).steps || [];
    let color = null;
    for (const s of steps) if (s.value === null || s.value === undefined || v >= s.value) color = s.color;
    return color === "green" ? "#73bf69" : color === "red" ? "#f2495c" : color === "yellow" ? "#fade2a" : color;
  }

  // -- state in the URL ----------------------------------------------------------------------
  const range = document.getElementById("range");
  const refresh = document.getElementById("refresh");
  range.value = params.get("from") || (model.time || {}).from || "now-1h";
  if (!range.value) range.value = "now-1h";
  refresh.value = params.has("refresh") ? params.get("refresh") : (model.refresh || "");
  function queryString() {
    const q = new URLSearchParams();
    q.set("from", range.value);
    q.set("to", "now");
    for (const [k, v] of params.entries()) if (k.startsWith("var-")) q.append(k, v);
    return q.toString();
  }
  function saveState() {
    const q = new URLSearchParams(queryString());
    q.delete("to");
    q.set("refresh", refresh.value);
    history.replaceState(null, "", location.pathname + "?" + q.toString() + location.hash);
  }

  // -- variables -------------------------------------------------------------------------------
  async function loadVariables() {
    const box = document.getElementById("variables");
    for (const v of (model.templating || {}).list || []) {
      if (v.type !== "query") continue;
      const label = document.createElement("label");
      label.textContent = (v.label || v.name) + " ";
      const select = document.createElement("select");
      select.name = "var-" + v.name;
      select.dataset.variable = v.name;
      select.innerHTML = '<option value="$__all">All</option>';
      label.appendChild(select);
      box.appendChild(label);
      try {
        const r = await fetch(`/api/variable/${model.uid}/${v.name}?${queryString()}`);
        const body = await r.json();
        for (const value of body.values || []) {
          const o = document.createElement("option");
          o.value = o.textContent = value;
          select.appendChild(o);
        }
      } catch (e) { /* the panels report an unreachable Prometheus */ }
      select.value = params.get("var-" + v.name) || "$__all";
      select.addEventListener("change", () => {
        params.delete("var-" + v.name);
        if (select.value !== "$__all") params.set("var-" + v.name, select.value);
        saveState();
        reloadAll();
      });
    }
  }

  // -- layout ----------------------------------------------------------------------------------
  const panelEls = [];
  for (const p of model.panels || []) {
    const pos = p.gridPos || { x: 0, y: 0, w: 12, h: 8 };
    const el = document.createElement("section");
    el.id = "panel-" + p.id;
    el.style.gridColumn = `${pos.x + 1} / span ${pos.w}`;
    el.style.gridRow = `${pos.y + 1} / span ${pos.h}`;
    if (p.type === "row") {
      el.className = "row-title";
      el.textContent = p.title;
      grid.appendChild(el);
      continue;
    }
    el.className = "panel";
    el.dataset.type = p.type;
    el.dataset.state = "loading";
    el.dataset.title = p.title;
    el.innerHTML = `<h3 title="${(p.description || "").replace(/"/g, "&quot;")}"></h3><div class="body"></div>`;
    el.querySelector("h3").textContent = p.title;
    grid.appendChild(el);
    panelEls.push([p, el]);
  }
  const rows = Math.max(0, ...(model.panels || []).map((p) => (p.gridPos ? p.gridPos.y + p.gridPos.h : 0)));
  grid.style.gridTemplateRows = `repeat(${rows}, ${ROW_PX}px)`;

  function setState(el, state, message) {
    el.dataset.state = state;
    const old = el.querySelector(".notice");
    if (old) old.remove();
    if (message) {
      const n = document.createElement("div");
      n.className = "notice " + state;
      n.textContent = message;
      el.appendChild(n);
    }
  }

  // -- drawing -----------------------------------------------------------------------------------
  function lastValue(s) {
    for (let i = s.values.length - 1; i >= 0; i--) if (s.values[i][1] !== null) return s.values[i][1];
    return null;
  }

  function drawTimeseries(p, el, data) {
    const body = el.querySelector(".body");
    const times = [...new Set(data.series.flatMap((s) => s.values.map((v) => v[0])))].sort((a, b) => a - b);
    const index = new Map(times.map((t, i) => [t, i]));
    const columns = [times];
    const series = [{}];
    data.series.forEach((s, i) => {
      const col = new Array(times.length).fill(null);
      for (const [t, v] of s.values) col[index.get(t)] = v;
      columns.push(col);
      const color = COLORS[i % COLORS.length];
      series.push({ label: s.legend, stroke: color, fill: color + "22", width: 1.5, spanGaps: false,
        value: (u, v) => fmt(unitOf(p), v) });
    });
    const unit = unitOf(p);
    const opts = {
      width: Math.max(body.clientWidth, 200), height: Math.max(body.clientHeight - 4, 80),
      series, legend: { show: data.series.length <= 6 },
      axes: [{ stroke: "#9aa" , grid: { stroke: "#2a2f36" } },
        { stroke: "#9aa", grid: { stroke: "#2a2f36" }, size: 70, values: (u, vals) => vals.map((v) => fmt(unit, v)) }],
      scales: { x: { time: true, min: data.range.start, max: data.range.end } },
      hooks: { draw: [(u) => placeExemplars(u, el, data.exemplars || [])] },
    };
    const old = charts.get(p.id);
    if (old) old.destroy();
    body.innerHTML = "";
    const chart = new uPlot(opts, columns, body);
    const legend = body.querySelector(".u-legend");
    if (legend && legend.offsetHeight) {
      chart.setSize({ width: opts.width, height: Math.max(opts.height - legend.offsetHeight, 60) });
    }
    charts.set(p.id, chart);
  }

  function placeExemplars(u, el, exemplars) {
    const body = el.querySelector(".body");
    body.querySelectorAll("a.exemplar").forEach((a) => a.remove());
    const over = u.over;
    const top = over.offsetTop, left = over.offsetLeft;
    for (const e of exemplars) {
      if (e.v === null) continue;
      let x = u.valToPos(e.t, "x"), y = u.valToPos(e.v, "y");
      if (x < 0 || x > over.clientWidth) continue;
      y = Math.min(Math.max(y, 4), over.clientHeight - 4);
      const a = document.createElement("a");
      a.className = "exemplar";
      a.href = "/traces/" + e.trace_id;
      a.title = `exemplar: trace ${e.trace_id} (${fmt(unitOf(el.panel || {}), e.v)})`;
      a.dataset.trace = e.trace_id;
      a.style.left = left + x - 4 + "px";
      a.style.top = top + y - 4 + "px";
      body.appendChild(a);
    }
  }

  function drawStat(p, el, data) {
    const body = el.querySelector(".body");
    body.innerHTML = "";
    for (const s of data.series.slice(0, 4)) {
      const v = lastValue(s);
      const div = document.createElement("div");
      div.className = "stat-value";
      div.textContent = fmt(unitOf(p), v);
      const color = thresholdColor(p, v);
      if (color) div.style.color = color;
      if (data.series.length > 1) div.title = s.legend;
      body.appendChild(div);
    }
  }

  function drawGauge(p, el, data) {
    const body = el.querySelector(".body");
    const d = (p.fieldConfig || {}).defaults || {};
    const unit = unitOf(p);
    const min = d.min ?? 0, max = d.max ?? (unit === "percentunit" ? 1 : unit === "percent" ? 100 : null);
    body.innerHTML = "";
    for (const s of data.series.slice(0, 4)) {
      const v = lastValue(s);
      const hi = max ?? Math.max(v || 1, 1) * 1.25;
      const frac = Math.min(Math.max(((v ?? min) - min) / (hi - min || 1), 0), 1);
      const angle = Math.PI * (1 - frac);
      const x = 50 + 40 * Math.cos(angle), y = 50 - 40 * Math.sin(angle);
      const color = thresholdColor(p, v) || "#73bf69";
      body.insertAdjacentHTML("beforeend",
        `<svg class="gauge" viewBox="0 0 100 60"><path d="M10 50 A40 40 0 0 1 90 50" stroke="#2a2f36" stroke-width="8" fill="none"/>` +
        `<path d="M10 50 A40 40 0 0 1 ${x.toFixed(2)} ${y.toFixed(2)}" stroke="${color}" stroke-width="8" fill="none"/>` +
        `<text x="50" y="48" text-anchor="middle">${fmt(unit, v)}</text></svg>`);
    }
  }

  function drawBars(p, el, data) {
    const body = el.querySelector(".body");
    const values = data.series.map((s) => [s.legend, lastValue(s)]);
    const max = Math.max(...values.map((v) => v[1] || 0), 1e-12);
    body.innerHTML = "";
    values.forEach(([label, v], i) => {
      const row = document.createElement("div");
      row.className = "bar-row";
      row.innerHTML = `<span class="bar-label"></span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value"></span>`;
      row.querySelector(".bar-label").textContent = label;
      row.querySelector(".bar-value").textContent = fmt(unitOf(p), v);
      const fill = row.querySelector(".bar-fill");
      fill.style.width = ((v || 0) / max) * 100 + "%";
      fill.style.background = thresholdColor(p, v) || COLORS[i % COLORS.length];
      body.appendChild(row);
    });
  }

  function drawTable(p, el, data) {
    const body = el.querySelector(".body");
    const t = data.table || { columns: [], rows: [] };
    const unit = unitOf(p);
    const valueCols = new Set(t.columns.filter((c) => t.rows.some((r) => typeof r[c] === "number")));
    const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join("");
    const rows = t.rows.map((r) => "<tr>" + t.columns.map((c) =>
      valueCols.has(c) ? `<td class="num">${fmt(unit, r[c])}</td>` : `<td>${escapeHtml(r[c] ?? "")}</td>`).join("") + "</tr>").join("");
    body.innerHTML = `<table class="data"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table>`;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  const DRAW = { timeseries: drawTimeseries, graph: drawTimeseries, stat: drawStat, singlestat: drawStat,
    gauge: drawGauge, bargauge: drawBars, barchart: drawBars, table: drawTable };

  async function loadPanel(p, el) {
    el.panel = p;
    const draw = DRAW[p.type];
    if (!draw) { setState(el, "error", `panel type ${p.type} is not supported by the console`); return; }
    let body;
    try {
      const r = await fetch(`/api/panel/${model.uid}/${p.id}?${queryString()}`);
      body = await r.json();
      if (!r.ok) { setState(el, "error", body.error || `HTTP ${r.status}`); return; }
    } catch (e) {
      setState(el, "error", "the console did not answer: " + e); return;
    }
    const hasData = body.series.some((s) => s.values.some((v) => v[1] !== null));
    if (!hasData) {
      const b = el.querySelector(".body");
      const old = charts.get(p.id);
      if (old) { old.destroy(); charts.delete(p.id); }
      b.innerHTML = "";
      setState(el, "nodata", "No data");
      return;
    }
    draw(p, el, body);
    setState(el, "ok");
    el.dataset.series = String(body.series.length);
    el.dataset.exemplars = String((body.exemplars || []).length);
  }

  function reloadAll() {
    return Promise.all(panelEls.map(([p, el]) => loadPanel(p, el)));
  }

  let timer = null;
  function schedule() {
    if (timer) clearInterval(timer);
    const m = /^(\d+)([sm])$/.exec(refresh.value);
    if (m) timer = setInterval(reloadAll, Number(m[1]) * (m[2] === "m" ? 60000 : 1000));
  }
  range.addEventListener("change", () => { saveState(); reloadAll(); });
  refresh.addEventListener("change", () => { saveState(); schedule(); });
  window.addEventListener("resize", () => {
    for (const [p, el] of panelEls) {
      const chart = charts.get(p.id);
      const b = el.querySelector(".body");
      if (chart) chart.setSize({ width: Math.max(b.clientWidth, 200), height: Math.max(b.clientHeight - 4, 80) });
    }
  });

  loadVariables().then(reloadAll).then(() => {
    document.body.dataset.loaded = "true";
    if (location.hash) {
      const target = document.querySelector(location.hash);
      if (target) { target.classList.add("highlight"); target.scrollIntoView({ block: "center" }); }
    }
  });
  schedule();
})();
