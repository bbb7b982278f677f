// rtrack web UI: a single page that reads the server's JSON (MLflow's REST API and the
// ui-api endpoints) and draws experiments, runs, charts, artifacts, comparisons and the
// model registry. Every stored string reaches the page as text (textContent), never as
// markup, and every URL is relative so the UI also works behind a path-prefixing proxy.
"use strict";

const app = document.getElementById("app");
const MLFLOW = "api/2.0/mlflow/";

// ---------------------------------------------------------------- DOM and fetch helpers

/** An element with properties and children; strings become text nodes, never HTML. */
function h(tag, props, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else if (name === "checked" || name === "value" || name === "disabled" || name === "selected") element[name] = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Like Element.append, but skipping null and false (so optional parts can be inline). */
function add(parent, ...children) {
  return append(parent, children);
}

function clear(element) {
  while (element.firstChild) element.removeChild(element.firstChild);
  return element;
}

class ApiError extends Error {}

/** GET a JSON endpoint; a failure carries the server's own message. */
async function getJSON(path, params) {
  const response = await fetch(params ? `${path}?${query(params)}` : path, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON: use the status below */ }
  if (!response.ok) throw new ApiError((body && body.message) || `${response.status} ${response.statusText}`);
  return body;
}

/** A query string from an object; arrays repeat the key, empty values are left out. */
function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  return search.toString();
}

function artifactUrl(runId, path, download) {
  return `ui-api/artifact?${query({ run_id: runId, path, download: download ? "1" : "" })}`;
}

function errorBox(error) {
  return h("div", { class: "error", role: "alert" }, error instanceof Error ? error.message : String(error));
}

// ---------------------------------------------------------------- formatting

/** A metric or param value with sensible precision: 5 significant digits, exponents for
 * very large or small magnitudes; non-finite values as the store names them. */
function formatNumber(value) {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e6 || magnitude < 1e-4)) return value.toExponential(3);
  return String(Number(value.toPrecision(5)));
}

function formatTime(ms) {
  if (!ms) return "";
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function formatDuration(start, end) {
  if (!start || !end) return "";
  const seconds = (end - start) / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${Math.round(seconds % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1 << 20) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

function timeAgo(ms) {
  if (!ms) return "";
  const seconds = (Date.now() - ms) / 1000;
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86400)} d ago`;
}

/** The JSON mapping's "NaN"/"Infinity" strings as numbers (charts draw them as gaps). */
function chartValue(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A key as the search grammar wants it: backquoted unless it is a plain name. */
function grammarKey(group, key) {
  return /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(key) ? `${group}.${key}` : `${group}.\`${key.replace(/`/g, "")}\``;
}

function statusBadge(status) {
  return h("span", { class: `status ${status}` }, status);
}

function keyValueTable(entries, emptyText) {
  if (!entries.length) return h("p", { class: "muted" }, emptyText);
  return h("table", { class: "data kv" }, h("tbody", {}, entries.map(([key, value]) =>
    h("tr", {}, h("td", { title: key }, key), h("td", { class: typeof value === "number" ? "num" : "", title: String(value) },
      typeof value === "number" || typeof value === "string" && /^(NaN|-?Infinity)$/.test(value) ? formatNumber(value) : value)))));
}

/** MLflow's `[{key, value, ...}]` lists (params, tags, latest metrics) as an object. */
function pairsToObject(list) {
  const out = {};
  for (const item of list || []) out[item.key] = item.value;
  return out;
}

// ---------------------------------------------------------------- routing

const routes = [
  [/^\/?$/, experimentsPage],
  [/^\/experiments\/([^/]+)$/, experimentPage],
  [/^\/runs\/([^/]+)$/, runPage],
  [/^\/compare$/, comparePage],
  [/^\/models$/, modelsPage],
  [/^\/models\/([^/]+)\/versions\/(\d+)$/, versionPage],
  [/^\/models\/([^/]+)$/, modelPage],
];

let renderCount = 0;

/** Draw the page the hash names. A newer navigation makes older, slower loads give up. */
async function render() {
  const hash = location.hash.replace(/^#/, "");
  const [path, search] = hash.split("?");
  const params = new URLSearchParams(search || "");
  const ticket = ++renderCount;
  for (const link of document.querySelectorAll("[data-nav]")) {
    const section = path.startsWith("/models") ? "models" : "experiments";
    link.classList.toggle("active", link.dataset.nav === section);
  }
  const view = h("div", {});
  const current = () => ticket === renderCount;
  for (const [pattern, page] of routes) {
    const match = path.match(pattern);
    if (!match) continue;
    clear(app).append(view);
    try {
      await page(view, match.slice(1).map(decodeURIComponent), params, current);
    } catch (error) {
      if (current()) add(view, errorBox(error));
    }
    return;
  }
  clear(app).append(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the experiments")));
}

function navigate(path, params) {
  const search = params ? query(params) : "";
  location.hash = search ? `${path}?${search}` : path;
}

// ---------------------------------------------------------------- experiments

async function experimentsPage(view, _match, _params, current) {
  document.title = "Experiments · rtrack";
  const { experiments } = await getJSON("ui-api/experiments");
  if (!current()) return;
  const filter = h("input", { type: "search", placeholder: "Filter experiments by name", "aria-label": "Filter experiments" });
  const body = h("tbody", {});
  const draw = () => {
    const needle = filter.value.trim().toLowerCase();
    clear(body);
    const shown = experiments.filter((e) => e.name.toLowerCase().includes(needle));
    for (const e of shown) {
      body.append(h("tr", {},
        h("td", {}, h("a", { href: `#/experiments/${encodeURIComponent(e.experiment_id)}`, class: "experiment-link" }, e.name)),
        h("td", { class: "num" }, String(e.run_count)),
        h("td", { title: formatTime(e.last_activity) }, timeAgo(e.last_activity)),
        h("td", {}, formatTime(e.creation_time)),
        h("td", { class: "mono" }, e.experiment_id)));
    }
    if (!shown.length) body.append(h("tr", {}, h("td", { colspan: 5, class: "empty" }, "No experiments match.")));
  };
  filter.addEventListener("input", draw);
  draw();
  add(view, 
    h("h1", {}, "Experiments"),
    h("div", { class: "toolbar" }, filter, h("span", { class: "muted" }, `${experiments.length} experiments`)),
    h("div", { class: "table-wrap" }, h("table", { class: "data", id: "experiments" },
      h("thead", {}, h("tr", {}, ["Name", "Runs", "Last activity", "Created", "ID"].map((t) => h("th", {}, t)))), body)));
}

// ---------------------------------------------------------------- runs table

/** Page tokens seen per experiment, so "Previous" can step back. */
const pageHistory = new Map();

async function experimentPage(view, [experimentId], params, current) {
  const filter = params.get("filter") || "";
  const order = params.get("order") || "";
  const page = params.get("page") || "";
  const [{ experiment }, table] = await Promise.all([
    getJSON(`${MLFLOW}experiments/get`, { experiment_id: experimentId }),
    getJSON("ui-api/runs", { experiment_id: experimentId, filter, order_by: order, page_token: page, max_results: 100 })
      .catch((error) => ({ error })),
  ]);
  if (!current()) return;
  document.title = `${experiment.name} · rtrack`;
  const state = { filter, order, page };
  const go = (changes) => navigate(`/experiments/${encodeURIComponent(experimentId)}`, { ...state, ...changes });

  const filterInput = h("input", { type: "text", class: "filter", value: filter, spellcheck: "false",
    placeholder: "metrics.rmse < 0.5 and params.model = 'ridge'", "aria-label": "Run filter" });
  const search = () => { pageHistory.delete(experimentId); go({ filter: filterInput.value.trim(), page: "" }); };
  filterInput.addEventListener("keydown", (event) => { if (event.key === "Enter") search(); });
  const selected = new Set();
  const compareButton = h("button", { class: "primary", disabled: true, onclick: () => navigate("/compare", { runs: [...selected].join(",") }) }, "Compare");
  const updateSelection = () => {
    compareButton.disabled = selected.size < 2;
    compareButton.textContent = selected.size ? `Compare ${selected.size} runs` : "Compare";
  };

  add(view, 
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Experiments"), " / "),
    h("h1", {}, experiment.name),
    experimentHeader(experiment),
    h("div", { class: "toolbar" }, filterInput,
      h("button", { onclick: search }, "Search"),
      filter ? h("button", { onclick: () => { filterInput.value = ""; search(); } }, "Clear") : null,
      h("button", { onclick: render, title: "Load this page again" }, "Refresh"),
      compareButton));
  if (table.error) {
    add(view, errorBox(table.error));
    return;
  }

  const fixed = [
    { label: "Run name", sort: "attributes.run_name", cell: (r) => [
      r.parent_run_id ? h("span", { class: "muted", title: `nested in run ${r.parent_run_id}` }, "↳ ") : null,
      h("a", { href: `#/runs/${r.run_id}`, class: "run-link" }, r.run_name || r.run_id)] },
    { label: "Status", sort: "attributes.status", cell: (r) => statusBadge(r.status) },
    { label: "Start time", sort: "attributes.start_time", cell: (r) => formatTime(r.start_time) },
    { label: "Duration", sort: "attributes.duration", cell: (r) => formatDuration(r.start_time, r.end_time), num: true },
    { label: "User", sort: "attributes.user_id", cell: (r) => r.user_id },
    { label: "Source", sort: "tags.`mlflow.source.name`", cell: (r) => (r.source || "").split(/[\\/]/).pop() },
  ];
  const columns = [
    ...fixed,
    ...table.param_keys.map((key) => ({ label: key, group: "Param", sort: grammarKey("params", key), cell: (r) => r.params[key] ?? "" })),
    ...table.metric_keys.map((key) => ({ label: key, group: "Metric", sort: grammarKey("metrics", key), num: true,
      cell: (r) => formatNumber(r.metrics[key]) })),
  ];
  const [orderKey, orderDirection] = order ? [order.replace(/\s+(ASC|DESC)$/i, ""), /DESC$/i.test(order) ? "DESC" : "ASC"] : ["", ""];
  const header = h("tr", {}, h("th", {}, h("input", { type: "checkbox", "aria-label": "Select all runs on this page",
    onchange: (event) => {
      for (const box of view.querySelectorAll("input.select-run")) {
        box.checked = event.target.checked;
        box.dispatchEvent(new Event("change"));
      }
    } })),
  columns.map((column) => {
    const arrow = column.sort === orderKey ? (orderDirection === "DESC" ? " ↓" : " ↑") : "";
    return h("th", { class: "sortable", title: `Sort by ${column.sort}`,
      onclick: () => go({ order: `${column.sort} ${column.sort === orderKey && orderDirection === "ASC" ? "DESC" : "ASC"}`, page: "" }) },
    column.group ? h("span", { class: "group" }, column.group) : null, column.label + arrow);
  }));
  const rows = table.runs.map((run) => h("tr", { "data-run-id": run.run_id },
    h("td", {}, h("input", { type: "checkbox", class: "select-run", "aria-label": `Select ${run.run_name}`, onchange: (event) => {
      if (event.target.checked) selected.add(run.run_id); else selected.delete(run.run_id);
      updateSelection();
    } })),
    columns.map((column) => {
      const content = column.cell(run);
      return h("td", { class: column.num ? "num" : "", title: typeof content === "string" ? content : null }, content);
    })));
  if (!rows.length) rows.push(h("tr", {}, h("td", { colspan: columns.length + 1, class: "empty" }, filter ? "No runs match the filter." : "No runs yet.")));
  add(view, h("div", { class: "table-wrap" }, h("table", { class: "data", id: "runs" }, h("thead", {}, header), h("tbody", {}, rows))));

  const history = pageHistory.get(experimentId) || [];
  const position = history.indexOf(page);
  const total = table.total !== undefined ? `${table.total.toLocaleString()} runs` : "";
  add(view, h("div", { class: "pager" },
    h("button", { disabled: !page, onclick: () => go({ page: position > 0 ? history[position - 1] : "" }) }, "‹ Previous"),
    h("button", { disabled: !table.next_page_token, onclick: () => {
      const seen = history.slice(0, Math.max(position, 0) + 1);
      if (!seen.includes(page)) seen.push(page);
      seen.push(table.next_page_token);
      pageHistory.set(experimentId, seen);
      go({ page: table.next_page_token });
    } }, "Next ›"),
    h("span", {}, `${table.runs.length} shown`, total ? ` of ${total}` : "")));
}

/** The experiment's id, artifact location, description and tags, in one muted line. */
function experimentHeader(experiment) {
  const tags = pairsToObject(experiment.tags);
  const description = tags["mlflow.note.content"];
  const shown = Object.entries(tags).filter(([key]) => !key.startsWith("mlflow.")).sort();
  return h("div", { class: "experiment-meta" },
    description ? h("p", { class: "description" }, description) : null,
    h("p", { class: "muted" }, `ID ${experiment.experiment_id} · artifacts at ${experiment.artifact_location}`, " ",
      shown.map(([key, value]) => h("span", { class: "tag" }, `${key}: ${value}`))));
}

// ---------------------------------------------------------------- run page

async function runPage(view, [runId], params, current) {
  const { run } = await getJSON(`${MLFLOW}runs/get`, { run_id: runId });
  if (!current()) return;
  const info = run.info;
  const runParams = pairsToObject(run.data.params);
  const tags = pairsToObject(run.data.tags);
  const metrics = pairsToObject(run.data.metrics);
  const { experiment } = await getJSON(`${MLFLOW}experiments/get`, { experiment_id: info.experiment_id });
  if (!current()) return;
  document.title = `${info.run_name} · rtrack`;
  const description = tags["mlflow.note.content"];
  const visibleTags = Object.entries(tags).filter(([key]) => key !== "mlflow.note.content").sort();
  add(view, 
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Experiments"), " / ",
      h("a", { href: `#/experiments/${encodeURIComponent(info.experiment_id)}` }, experiment.name), " / "),
    h("h1", {}, info.run_name || info.run_id, " ", statusBadge(info.status)),
    description ? h("div", { class: "panel description", id: "description" }, description) : null,
    h("div", { class: "grid2" },
      h("div", { class: "panel" }, h("h2", {}, "Info"), keyValueTable([
        ["Run ID", info.run_id], ["Experiment", experiment.name], ["Status", info.status], ["User", info.user_id],
        ["Start time", formatTime(info.start_time)], ["End time", formatTime(info.end_time)],
        ["Duration", formatDuration(info.start_time, info.end_time)], ["Source", tags["mlflow.source.name"] || ""],
        ["Parent run", tags["mlflow.parentRunId"] ? h("a", { href: `#/runs/${tags["mlflow.parentRunId"]}` }, tags["mlflow.parentRunId"]) : ""],
        ["Artifact URI", info.artifact_uri], ["Lifecycle", info.lifecycle_stage],
      ], "")),
      h("div", { class: "panel", id: "params" }, h("h2", {}, "Parameters"), keyValueTable(Object.entries(runParams).sort(), "No parameters.")),
      h("div", { class: "panel", id: "metrics" }, h("h2", {}, "Metrics (latest)"), keyValueTable(Object.entries(metrics).sort(), "No metrics.")),
      h("div", { class: "panel", id: "tags" }, h("h2", {}, "Tags"), keyValueTable(visibleTags, "No tags."))));

  const metricKeys = Object.keys(metrics).sort();
  if (metricKeys.length) {
    const chartsSection = h("section", { id: "charts" });
    add(view, h("h2", {}, "Metric charts"), chartsSection);
    metricCharts(chartsSection, [{ run_id: info.run_id, run_name: info.run_name, start_time: info.start_time }], metricKeys,
      { live: info.status === "RUNNING" });
  }
  const browser = h("section", { id: "artifacts", class: "panel" });
  add(view, h("h2", {}, "Artifacts"), browser);
  artifactBrowser(browser, info.run_id);
  if (info.status === "RUNNING") watchRun(info.run_id, metricKeys.join(","), current);
}

/** While a run is still logging, look every few seconds whether it has new metrics or has
 * ended, and draw the page again when it has (the charts refresh their own points). */
function watchRun(runId, shownKeys, current) {
  const timer = setInterval(async () => {
    if (!current()) { clearInterval(timer); return; }
    try {
      const { run } = await getJSON(`${MLFLOW}runs/get`, { run_id: runId });
      const keys = (run.data.metrics || []).map((m) => m.key).sort().join(",");
      if (current() && (keys !== shownKeys || run.info.status !== "RUNNING")) {
        clearInterval(timer);
        render();
      }
    } catch (_) { /* try again at the next tick */ }
  }, 3000);
}

// ---------------------------------------------------------------- charts

const X_MODES = { step: "Step", time: "Wall time", relative: "Relative time (s)" };

/** Charts of `keys` for `runs`: one per metric, or the chosen metrics overlaid in one, with
 * the x-axis as step, wall time or time since the run started. Zooming asks the server for
 * the points inside the new range, so long histories show full detail when zoomed in. */
function metricCharts(container, runs, keys, { live = false } = {}) {
  const settings = { x: "step", overlay: new Set() };
  const xSelect = h("select", { "aria-label": "X axis", class: "x-axis" },
    Object.entries(X_MODES).map(([value, label]) => h("option", { value }, label)));
  const overlayBoxes = keys.map((key) => h("label", { class: "inline" },
    h("input", { type: "checkbox", class: "overlay-key", value: key, onchange: (event) => {
      if (event.target.checked) settings.overlay.add(key); else settings.overlay.delete(key);
      draw();
    } }), key));
  const grid = h("div", { class: "charts" });
  append(container, [h("div", { class: "toolbar" }, h("label", { class: "inline" }, "X axis ", xSelect),
    keys.length > 1 ? [h("span", { class: "muted" }, "Overlay:"), overlayBoxes] : null,
    live ? h("span", { class: "muted live-note" }, "Running: charts refresh every 3 s") : null), grid]);
  xSelect.addEventListener("change", () => { settings.x = xSelect.value; draw(); });

  function draw() {
    clear(grid);
    const groups = [];
    if (settings.overlay.size > 1) groups.push([...settings.overlay]);
    for (const key of keys) if (settings.overlay.size <= 1 || !settings.overlay.has(key)) groups.push([key]);
    for (const group of groups) {
      const box = h("div", { class: "chart-box" });
      const plot = h("div", { class: "chart", "data-keys": group.join(",") });
      const note = h("div", { class: "note" });
      box.append(plot, note);
      grid.append(box);
      drawChart(plot, note, runs, group, settings.x, live);
    }
  }
  draw();
}

/** One plotly chart of several (run, metric) histories, refetched on zoom and, for a run
 * still logging, every few seconds while the chart is on screen and not zoomed. */
async function drawChart(plot, note, runs, keys, xMode, live) {
  const width = plot.clientWidth || 600;
  const load = async (range) => {
    const requests = [];
    for (const run of runs) for (const key of keys) {
      const bounds = range ? toServerRange(range, xMode, run) : {};
      requests.push(getJSON("ui-api/metric-history", {
        run_id: run.run_id, key, x: xMode === "step" ? "step" : "time", max_points: Math.max(200, Math.min(4000, width * 2)), ...bounds,
      }).then((data) => ({ run, key, data })).catch(() => null));
    }
    return (await Promise.all(requests)).filter(Boolean);
  };
  const traces = (series) => series.map(({ run, key, data }) => ({
    type: "scatter",
    mode: data.values.length < 60 ? "lines+markers" : "lines",
    name: runs.length > 1 ? (keys.length > 1 ? `${run.run_name} · ${key}` : run.run_name) : key,
    x: xValues(data, xMode, run),
    y: data.values.map(chartValue),
  }));
  const describe = (series) => {
    const thinned = series.filter((s) => s.data.thinned);
    const total = series.reduce((sum, s) => sum + s.data.total_points, 0);
    note.textContent = thinned.length
      ? `${total.toLocaleString()} points; showing each bucket's min and max, zoom in for detail`
      : `${total.toLocaleString()} points`;
  };
  const series = await load(null);
  if (series.every((s) => s.data.total_points <= 1)) {
    // Single values are in the tables (and the compare view's bars); a line of one dot says nothing.
    plot.parentElement.remove();
    return;
  }
  if (!window.Plotly) { note.textContent = "plotly.js did not load"; return; }
  const layout = {
    title: { text: keys.join(", "), font: { size: 13 } },
    margin: { l: 55, r: 15, t: 32, b: 40 },
    xaxis: { title: { text: X_MODES[xMode] }, type: xMode === "time" ? "date" : "linear" },
    yaxis: { automargin: true },
    showlegend: runs.length > 1 || keys.length > 1,
    legend: { orientation: "h", y: -0.25 },
    hovermode: "x unified",
  };
  await Plotly.newPlot(plot, traces(series), layout, { responsive: true, displaylogo: false });
  describe(series);
  let busy = false;
  let zoomed = false;
  if (live) {
    const timer = setInterval(async () => {
      if (!plot.isConnected) { clearInterval(timer); return; }
      if (busy || zoomed) return;
      busy = true;
      try {
        const latest = await load(null);
        await Plotly.react(plot, traces(latest), plot.layout);
        describe(latest);
      } finally {
        busy = false;
      }
    }, 3000);
  }
  plot.on("plotly_relayout", async (event) => {
    if (busy) return;
    let range = null;
    if (event["xaxis.range[0]"] !== undefined) range = [event["xaxis.range[0]"], event["xaxis.range[1]"]];
    else if (Array.isArray(event["xaxis.range"])) range = event["xaxis.range"];
    else if (!event["xaxis.autorange"]) return;
    busy = true;
    zoomed = Boolean(range);
    try {
      const detail = await load(range);
      const update = traces(detail);
      await Plotly.react(plot, update, { ...plot.layout, xaxis: { ...plot.layout.xaxis, autorange: !range, range: range || undefined } });
      describe(detail);
    } finally {
      busy = false;
    }
  });
}

function xValues(data, xMode, run) {
  if (xMode === "step") return data.steps;
  if (xMode === "time") return data.timestamps.map((t) => new Date(t));
  return data.timestamps.map((t) => (t - run.start_time) / 1000);
}

/** A zoomed x range as the server's x_min/x_max: steps, or epoch milliseconds. */
function toServerRange([low, high], xMode, run) {
  if (xMode === "step") return { x_min: Math.floor(Number(low)), x_max: Math.ceil(Number(high)) };
  if (xMode === "relative") return { x_min: run.start_time + Number(low) * 1000, x_max: run.start_time + Number(high) * 1000 };
  const toMs = (value) => typeof value === "number" ? value : Date.parse(String(value).replace(" ", "T"));
  return { x_min: toMs(low), x_max: toMs(high) };
}

// ---------------------------------------------------------------- artifacts

const TEXT_FILES = /\.(txt|log|md|py|yaml|yml|toml|ini|cfg|sh|rs|sql|ipynb|r|js|css)$|(^|\/)(MLmodel|requirements\.txt|conda\.yaml|python_env\.yaml)$/i;
const PREVIEW_LIMIT = 5 << 20;

/** A folder tree (loaded a level at a time) beside a preview of the chosen file. */
function artifactBrowser(container, runId) {
  const tree = h("div", { class: "tree" });
  const preview = h("div", { class: "preview" }, h("p", { class: "muted" }, "Choose a file to preview it."));
  append(container, [h("div", { class: "artifacts" }, tree, preview)]);
  let selectedLabel = null;

  async function listInto(parent, path) {
    const data = await getJSON(`${MLFLOW}artifacts/list`, { run_id: runId, path });
    const files = (data.files || []).sort((a, b) => (b.is_dir - a.is_dir) || a.path.localeCompare(b.path));
    const list = h("ul", {});
    for (const file of files) {
      const name = file.path.split("/").pop();
      const label = h("span", { class: file.is_dir ? "dir" : "file", "data-path": file.path, title: file.path }, name);
      const item = h("li", {}, label);
      if (file.is_dir) {
        let loaded = null;
        label.addEventListener("click", async () => {
          label.classList.toggle("open");
          if (loaded) { loaded.hidden = !label.classList.contains("open"); return; }
          loaded = await listInto(item, file.path);
        });
      } else {
        label.addEventListener("click", () => {
          if (selectedLabel) selectedLabel.classList.remove("selected");
          selectedLabel = label;
          label.classList.add("selected");
          showPreview(preview, runId, file);
        });
      }
      list.append(item);
    }
    if (!files.length && !path) list.append(h("li", { class: "muted" }, "No artifacts."));
    parent.append(list);
    return list;
  }
  listInto(tree, "").catch((error) => tree.append(errorBox(error)));
}

async function showPreview(preview, runId, file) {
  const name = file.path.split("/").pop();
  const size = file.file_size;
  clear(preview).append(h("div", { class: "meta" }, h("strong", {}, file.path),
    size !== undefined ? h("span", { class: "muted" }, formatSize(size)) : null,
    h("a", { href: artifactUrl(runId, file.path, true), download: name, class: "download" }, "Download")));
  const extension = (name.includes(".") ? name.split(".").pop() : "").toLowerCase();
  const body = h("div", {});
  preview.append(body);
  if (size > PREVIEW_LIMIT && !/^(png|jpe?g|gif|webp|svg)$/.test(extension)) {
    body.append(h("p", { class: "muted" }, "Too large to preview; download it instead."));
    return;
  }
  try {
    if (/^(png|jpe?g|gif|webp|svg)$/.test(extension)) {
      body.append(h("img", { src: artifactUrl(runId, file.path), alt: file.path }));
    } else if (extension === "html" || extension === "htm") {
      // Scripts may run (a Plotly figure needs them), but in a sandboxed frame without
      // same-origin rights; the server also sends a sandboxing CSP with the file.
      body.append(h("iframe", { src: artifactUrl(runId, file.path), sandbox: "allow-scripts", title: file.path, class: "html-artifact" }));
    } else if (extension === "json") {
      const text = await fetchText(runId, file.path);
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* show as stored */ }
      body.append(h("pre", {}, shown));
    } else if (extension === "csv" || extension === "tsv") {
      body.append(csvTable(await fetchText(runId, file.path), extension === "tsv" ? "\t" : ","));
    } else if (TEXT_FILES.test(file.path)) {
      body.append(h("pre", {}, await fetchText(runId, file.path)));
    } else {
      body.append(h("p", { class: "muted" }, "No preview for this kind of file."));
    }
  } catch (error) {
    body.append(errorBox(error));
  }
}

async function fetchText(runId, path) {
  const response = await fetch(artifactUrl(runId, path));
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).message || message; } catch (_) { /* keep the status */ }
    throw new ApiError(message);
  }
  return response.text();
}

/** CSV as a table: quoted fields, doubled quotes, the first 1,000 rows. */
function csvTable(text, separator) {
  const rows = [];
  let row = [], field = "", quoted = false;
  for (let i = 0; i < text.length && rows.length <= 1000; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) { row.push(field); field = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field); rows.push(row); row = []; field = "";
    } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  const [head, ...rest] = rows;
  return h("div", { class: "table-wrap" }, h("table", { class: "data csv" },
    h("thead", {}, h("tr", {}, (head || []).map((cell) => h("th", {}, cell)))),
    h("tbody", {}, rest.slice(0, 1000).map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell)))))));
}

// ---------------------------------------------------------------- compare

async function comparePage(view, _match, params, current) {
  const ids = (params.get("runs") || "").split(",").filter(Boolean);
  if (ids.length < 2) throw new ApiError("Choose at least two runs to compare (select them in an experiment's runs table).");
  const runs = (await Promise.all(ids.map((id) => getJSON(`${MLFLOW}runs/get`, { run_id: id })))).map(({ run }) => ({
    run_id: run.info.run_id, run_name: run.info.run_name || run.info.run_id, info: run.info,
    params: pairsToObject(run.data.params), metrics: pairsToObject(run.data.metrics),
  }));
  if (!current()) return;
  document.title = `Compare ${runs.length} runs · rtrack`;
  const paramKeys = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metricKeys = [...new Set(runs.flatMap((r) => Object.keys(r.metrics)))].sort();
  const differs = (values) => new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1;
  const row = (label, values, numeric) => h("tr", { class: differs(values) ? "diff" : "" },
    h("th", { scope: "row" }, label),
    values.map((v) => h("td", { class: numeric ? "num" : "" }, numeric ? formatNumber(v) : v ?? "")));
  const experimentId = runs[0].info.experiment_id;
  add(view, 
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Experiments"), " / ",
      h("a", { href: `#/experiments/${encodeURIComponent(experimentId)}` }, "Runs"), " / "),
    h("h1", {}, `Comparing ${runs.length} runs`),
    h("p", { class: "muted" }, "Rows whose values differ between runs are highlighted."),
    h("div", { class: "table-wrap" }, h("table", { class: "data", id: "compare-table" },
      h("thead", {}, h("tr", {}, h("th", {}, ""), runs.map((r) => h("th", {}, h("a", { href: `#/runs/${r.run_id}` }, r.run_name))))),
      h("tbody", {},
        row("Status", runs.map((r) => r.info.status)),
        row("Start time", runs.map((r) => formatTime(r.info.start_time))),
        row("Duration", runs.map((r) => formatDuration(r.info.start_time, r.info.end_time))),
        paramKeys.length ? h("tr", {}, h("th", { colspan: runs.length + 1, class: "muted" }, "Parameters")) : null,
        paramKeys.map((key) => row(key, runs.map((r) => r.params[key]))),
        metricKeys.length ? h("tr", {}, h("th", { colspan: runs.length + 1, class: "muted" }, "Metrics")) : null,
        metricKeys.map((key) => row(key, runs.map((r) => r.metrics[key]), true))))));
  if (!window.Plotly) return;

  if (metricKeys.length) {
    const overlay = h("section", { id: "compare-history" });
    add(view, h("h2", {}, "Metric histories"), overlay);
    metricCharts(overlay, runs.map((r) => ({ run_id: r.run_id, run_name: r.run_name, start_time: r.info.start_time })), metricKeys);
  }

  // Every column that is a number in every run that has it: parallel coordinates and scatter.
  const columns = [
    ...paramKeys.map((key) => ({ label: `param: ${key}`, value: (r) => numberOrText(r.params[key]) })),
    ...metricKeys.map((key) => ({ label: `metric: ${key}`, value: (r) => chartValue(r.metrics[key]) })),
  ];
  const parallel = h("div", { class: "chart tall", id: "parallel-coordinates" });
  add(view, h("h2", {}, "Parallel coordinates"), h("div", { class: "chart-box" }, parallel));
  Plotly.newPlot(parallel, [parallelTrace(runs, columns, metricKeys)], {
    margin: { l: 70, r: 70, t: 50, b: 20 },
  }, { responsive: true, displaylogo: false });

  const xSelect = h("select", { "aria-label": "Scatter x" }, columns.map((c, i) => h("option", { value: i }, c.label)));
  const ySelect = h("select", { "aria-label": "Scatter y" }, columns.map((c, i) => h("option", { value: i, selected: i === columns.length - 1 }, c.label)));
  const scatter = h("div", { class: "chart", id: "scatter" });
  const drawScatter = () => {
    const [x, y] = [columns[xSelect.value], columns[ySelect.value]];
    Plotly.react(scatter, [{ type: "scatter", mode: "markers+text", x: runs.map(x.value), y: runs.map(y.value),
      text: runs.map((r) => r.run_name), textposition: "top center", marker: { size: 11 } }],
    { margin: { l: 60, r: 20, t: 20, b: 50 }, xaxis: { title: { text: x.label } }, yaxis: { title: { text: y.label } } },
    { responsive: true, displaylogo: false });
  };
  xSelect.addEventListener("change", drawScatter);
  ySelect.addEventListener("change", drawScatter);
  add(view, h("h2", {}, "Scatter"), h("div", { class: "toolbar" }, "x ", xSelect, " y ", ySelect), h("div", { class: "chart-box" }, scatter));
  if (columns.length) drawScatter();

  if (metricKeys.length) {
    const bars = h("div", { class: "charts", id: "metric-bars" });
    add(view, h("h2", {}, "Metrics by run"), bars);
    for (const key of metricKeys) {
      const plot = h("div", { class: "chart" });
      bars.append(h("div", { class: "chart-box" }, plot));
      Plotly.newPlot(plot, [{ type: "bar", x: runs.map((r) => r.run_name), y: runs.map((r) => chartValue(r.metrics[key])),
        text: runs.map((r) => formatNumber(r.metrics[key])), textposition: "auto" }],
      { title: { text: key, font: { size: 13 } }, margin: { l: 55, r: 15, t: 32, b: 60 } }, { responsive: true, displaylogo: false });
    }
  }
}

function numberOrText(value) {
  if (value === undefined) return null;
  const number = Number(value);
  return value !== "" && Number.isFinite(number) ? number : value;
}

/** A parcoords trace: numeric columns as ranges, text columns as labelled categories,
 * lines coloured by the last metric. */
function parallelTrace(runs, columns, metricKeys) {
  const dimensions = columns.map((column) => {
    const values = runs.map(column.value);
    if (values.every((v) => v === null || typeof v === "number")) {
      return { label: column.label, values: values.map((v) => v ?? NaN) };
    }
    const categories = [...new Set(values.map((v) => String(v ?? "")))];
    return { label: column.label, values: values.map((v) => categories.indexOf(String(v ?? ""))),
      tickvals: categories.map((_, i) => i), ticktext: categories };
  });
  const colorKey = metricKeys[metricKeys.length - 1];
  const line = colorKey ? { color: runs.map((r) => chartValue(r.metrics[colorKey]) ?? 0), colorscale: "Viridis", showscale: true,
    colorbar: { title: { text: colorKey } } } : {};
  return { type: "parcoords", dimensions, line };
}

// ---------------------------------------------------------------- registry

async function modelsPage(view, _match, _params, current) {
  document.title = "Models · rtrack";
  const data = await getJSON(`${MLFLOW}registered-models/search`, { max_results: 1000 });
  if (!current()) return;
  const models = data.registered_models || [];
  add(view, h("h1", {}, "Registered models"));
  if (!models.length) {
    add(view, h("p", { class: "muted" }, "No registered models yet. Register one with rtrack.register_model(uri, name)."));
    return;
  }
  add(view, h("div", { class: "table-wrap" }, h("table", { class: "data", id: "models" },
    h("thead", {}, h("tr", {}, ["Name", "Latest version", "Aliases", "Tags", "Last modified"].map((t) => h("th", {}, t)))),
    h("tbody", {}, models.map((model) => {
      const latest = (model.latest_versions || []).reduce((a, v) => Math.max(a, Number(v.version)), 0);
      return h("tr", {},
        h("td", {}, h("a", { href: `#/models/${encodeURIComponent(model.name)}`, class: "model-link" }, model.name)),
        h("td", {}, latest ? h("a", { href: `#/models/${encodeURIComponent(model.name)}/versions/${latest}` }, `Version ${latest}`) : ""),
        h("td", {}, (model.aliases || []).map((a) => h("span", { class: "tag alias" }, `@${a.alias} → v${a.version}`))),
        h("td", {}, (model.tags || []).map((t) => h("span", { class: "tag" }, `${t.key}: ${t.value}`))),
        h("td", {}, formatTime(Number(model.last_updated_timestamp))));
    })))));
}

async function modelPage(view, [name], _params, current) {
  const [{ registered_model: model }, versions] = await Promise.all([
    getJSON(`${MLFLOW}registered-models/get`, { name }),
    getJSON(`${MLFLOW}model-versions/search`, { filter: `name='${name.replace(/'/g, "\\'")}'`, max_results: 1000 }),
  ]);
  if (!current()) return;
  document.title = `${name} · rtrack`;
  const list = (versions.model_versions || []).sort((a, b) => Number(b.version) - Number(a.version));
  const aliasesOf = (version) => (model.aliases || []).filter((a) => String(a.version) === String(version)).map((a) => a.alias);
  add(view, 
    h("div", { class: "crumbs" }, h("a", { href: "#/models" }, "Models"), " / "),
    h("h1", {}, model.name),
    model.description ? h("div", { class: "panel description" }, model.description) : null,
    h("div", { class: "panel" }, h("h2", {}, "Aliases"),
      (model.aliases || []).length
        ? (model.aliases || []).map((a) => h("span", { class: "tag alias" }, `@${a.alias} → version ${a.version}`))
        : h("span", { class: "muted" }, "No aliases."),
      h("h2", {}, "Tags"), keyValueTable((model.tags || []).map((t) => [t.key, t.value]), "No tags.")),
    h("h2", {}, "Versions"),
    h("div", { class: "table-wrap" }, h("table", { class: "data", id: "versions" },
      h("thead", {}, h("tr", {}, ["Version", "Aliases", "Stage", "Source run", "Created", "Status", "Tags"].map((t) => h("th", {}, t)))),
      h("tbody", {}, list.map((v) => h("tr", {},
        h("td", {}, h("a", { href: `#/models/${encodeURIComponent(name)}/versions/${v.version}`, class: "version-link" }, `Version ${v.version}`)),
        h("td", {}, aliasesOf(v.version).map((a) => h("span", { class: "tag alias" }, `@${a}`))),
        h("td", {}, v.current_stage || "None"),
        h("td", {}, v.run_id ? h("a", { href: `#/runs/${v.run_id}`, class: "source-run" }, v.run_id.slice(0, 12)) : ""),
        h("td", {}, formatTime(Number(v.creation_timestamp))),
        h("td", {}, v.status || ""),
        h("td", {}, (v.tags || []).map((t) => h("span", { class: "tag" }, `${t.key}: ${t.value}`)))))))));
}

async function versionPage(view, [name, version], _params, current) {
  const data = await getJSON("ui-api/model-version", { name, version });
  if (!current()) return;
  const v = data.model_version;
  document.title = `${name} v${version} · rtrack`;
  add(view, 
    h("div", { class: "crumbs" }, h("a", { href: "#/models" }, "Models"), " / ",
      h("a", { href: `#/models/${encodeURIComponent(name)}` }, name), " / "),
    h("h1", {}, `${name} · version ${version}`, " ", (v.aliases || []).map((a) => h("span", { class: "tag alias" }, `@${a}`))),
    v.description ? h("div", { class: "panel description" }, v.description) : null,
    h("div", { class: "grid2" },
      h("div", { class: "panel" }, h("h2", {}, "Version"), keyValueTable([
        ["Stage", v.current_stage || "None"], ["Status", v.status || ""], ["Created", formatTime(Number(v.creation_timestamp))],
        ["Last updated", formatTime(Number(v.last_updated_timestamp))],
        ["Source run", v.run_id ? h("a", { href: `#/runs/${v.run_id}`, class: "source-run" }, v.run_id) : ""],
        ["Source", v.source],
      ], "")),
      h("div", { class: "panel" }, h("h2", {}, "Tags"), keyValueTable((v.tags || []).map((t) => [t.key, t.value]), "No tags."))));
  const signature = data.signature;
  const signaturePanel = h("div", { class: "panel", id: "signature" }, h("h2", {}, "Signature"));
  if (signature && (signature.inputs || signature.outputs)) {
    for (const [title, spec] of [["Inputs", signature.inputs], ["Outputs", signature.outputs], ["Params", signature.params]]) {
      if (!Array.isArray(spec)) continue;
      signaturePanel.append(h("h2", {}, title), h("table", { class: "data" },
        h("thead", {}, h("tr", {}, ["Name", "Type", "Required"].map((t) => h("th", {}, t)))),
        h("tbody", {}, spec.map((column) => h("tr", {},
          h("td", {}, column.name ?? "(unnamed)"),
          h("td", { class: "mono" }, column.type === "tensor" && column["tensor-spec"]
            ? `tensor ${column["tensor-spec"].dtype} ${JSON.stringify(column["tensor-spec"].shape)}` : column.type ?? ""),
          h("td", {}, column.required === false ? "no" : "yes"))))));
    }
  } else {
    signaturePanel.append(h("p", { class: "muted" }, data.mlmodel ? "This model was logged without a signature." : "No MLmodel file found at the version's source."));
  }
  add(view, signaturePanel);
  const example = h("div", { class: "panel", id: "input-example" }, h("h2", {}, "Input example"));
  if (data.input_example) {
    let parsed = null;
    try { parsed = JSON.parse(data.input_example); } catch (_) { /* shown as text */ }
    if (parsed && Array.isArray(parsed.columns) && Array.isArray(parsed.data)) {
      example.append(h("table", { class: "data" }, h("thead", {}, h("tr", {}, parsed.columns.map((c) => h("th", {}, c)))),
        h("tbody", {}, parsed.data.map((r) => h("tr", {}, r.map((cell) => h("td", {}, typeof cell === "number" ? formatNumber(cell) : JSON.stringify(cell))))))));
    } else {
      example.append(h("pre", {}, parsed ? JSON.stringify(parsed, null, 2) : data.input_example));
    }
  } else {
    example.append(h("p", { class: "muted" }, "No input example was saved with this model."));
  }
  add(view, example);
  if (data.mlmodel) add(view, h("div", { class: "panel" }, h("h2", {}, "MLmodel"), h("pre", { class: "mono" }, data.mlmodel)));
}

window.addEventListener("hashchange", render);
render();
