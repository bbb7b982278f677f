// A run's page: info, params, latest metrics and tags, metric charts, the artifact
// browser; while the run is still logging, it follows what is logged.

import { MLFLOW, getJSON } from "../api.js";
import { artifactBrowser } from "../artifacts.js";
import { metricCharts } from "../charts.js";
import { add, h, keyValueTable, statusBadge } from "../dom.js";
import { formatDuration, formatTime } from "../format.js";
import { pairsToObject } from "../mlflow.js";
import { render } from "../router.js";
import { experimentHref, runHref } from "../urls.js";

export async function runPage(view, [runId], params, current) {
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
      h("a", { href: experimentHref(info.experiment_id) }, experiment.name), " / "),
    h("h1", {}, info.run_name || info.run_id, " ", statusBadge(info.status)),
    description ? h("div", { class: "panel description", id: "description" }, description) : null,
    h("div", { class: "grid2" },
      h("div", { class: "panel" }, h("h2", {}, "Info"), keyValueTable([
        ["Run ID", info.run_id], ["Experiment", experiment.name], ["Status", info.status], ["User", info.user_id],
        ["Start time", formatTime(info.start_time)], ["End time", formatTime(info.end_time)],
        ["Duration", formatDuration(info.start_time, info.end_time)], ["Source", tags["mlflow.source.name"] || ""],
        ["Parent run", tags["mlflow.parentRunId"] ? h("a", { href: runHref(tags["mlflow.parentRunId"]) }, tags["mlflow.parentRunId"]) : ""],
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
