// The compare view: the chosen runs side by side with differing rows highlighted, their
// metric histories overlaid, parallel coordinates, a scatter of any two columns and a bar
// chart per metric.

import { ApiError, MLFLOW, getJSON } from "../api.js";
import { chartValue, numberOrText, parallelTrace } from "../chart-data.js";
import { metricCharts } from "../charts.js";
import { add, h } from "../dom.js";
import { formatDuration, formatNumber, formatTime } from "../format.js";
import { compareRun, differs, unionKeys } from "../mlflow.js";
import { experimentHref, runHref } from "../urls.js";

export async function comparePage(view, _match, params, current) {
  const ids = (params.get("runs") || "").split(",").filter(Boolean);
  if (ids.length < 2) throw new ApiError("Choose at least two runs to compare (select them in an experiment's runs table).");
  const runs = (await Promise.all(ids.map((id) => getJSON(`${MLFLOW}runs/get`, { run_id: id })))).map(({ run }) => compareRun(run));
  if (!current()) return;
  document.title = `Compare ${runs.length} runs · rtrack`;
  const paramKeys = unionKeys(runs.map((r) => r.params));
  const metricKeys = unionKeys(runs.map((r) => r.metrics));
  const row = (label, values, numeric) => h("tr", { class: differs(values) ? "diff" : "" },
    h("th", { scope: "row" }, label),
    values.map((v) => h("td", { class: numeric ? "num" : "" }, numeric ? formatNumber(v) : v ?? "")));
  const experimentId = runs[0].info.experiment_id;
  add(view,
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, "Experiments"), " / ",
      h("a", { href: experimentHref(experimentId) }, "Runs"), " / "),
    h("h1", {}, `Comparing ${runs.length} runs`),
    h("p", { class: "muted" }, "Rows whose values differ between runs are highlighted."),
    h("div", { class: "table-wrap" }, h("table", { class: "data", id: "compare-table" },
      h("thead", {}, h("tr", {}, h("th", {}, ""), runs.map((r) => h("th", {}, h("a", { href: runHref(r.run_id) }, r.run_name))))),
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
