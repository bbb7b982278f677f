// Metric history charts (plotly.js): one per metric or chosen metrics overlaid, x as step,
// wall time or time since the run started, refetched on zoom and, for a run still logging,
// every few seconds.

import { getJSON } from "./api.js";
import {
  X_MODES, chartGroups, historyLayout, historyQuery, historyTraces, pointsNote, relayoutRange, zoomedLayout,
} from "./chart-data.js";
import { append, clear, h } from "./dom.js";

/** Charts of `keys` for `runs`: one per metric, or the chosen metrics overlaid in one, with
 * the x-axis as step, wall time or time since the run started. Zooming asks the server for
 * the points inside the new range, so long histories show full detail when zoomed in. */
export function metricCharts(container, runs, keys, { live = false } = {}) {
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
    for (const group of chartGroups(keys, settings.overlay)) {
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
      requests.push(getJSON("ui-api/metric-history", historyQuery(run, key, xMode, width, range))
        .then((data) => ({ run, key, data })).catch(() => null));
    }
    return (await Promise.all(requests)).filter(Boolean);
  };
  const traces = (series) => historyTraces(series, runs, keys, xMode);
  const describe = (series) => {
    note.textContent = pointsNote(series);
  };
  const series = await load(null);
  if (series.every((s) => s.data.total_points <= 1)) {
    // Single values are in the tables (and the compare view's bars); a line of one dot says nothing.
    plot.parentElement.remove();
    return;
  }
  if (!window.Plotly) { note.textContent = "plotly.js did not load"; return; }
  await Plotly.newPlot(plot, traces(series), historyLayout(runs, keys, xMode), { responsive: true, displaylogo: false });
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
    const range = relayoutRange(event);
    if (range === undefined) return;
    busy = true;
    zoomed = Boolean(range);
    try {
      const detail = await load(range);
      await Plotly.react(plot, traces(detail), zoomedLayout(plot.layout, range));
      describe(detail);
    } finally {
      busy = false;
    }
  });
}
