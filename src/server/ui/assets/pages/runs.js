// An experiment's runs table: filtered and sorted by the server (the search grammar),
// paged by page token, with a column per param and metric, and runs chosen to compare.

import { MLFLOW, getJSON } from "../api.js";
import { add, errorBox, h, statusBadge } from "../dom.js";
import { formatDuration, formatNumber, formatTime } from "../format.js";
import {
  experimentNotes, grammarKey, nextOrder, pagesAfterNext, parseOrder, previousPage, sortArrow, sourceName,
} from "../mlflow.js";
import { navigate, render } from "../router.js";
import { runHref } from "../urls.js";

/** Page tokens seen per experiment, so "Previous" can step back. */
const pageHistory = new Map();

export async function experimentPage(view, [experimentId], params, current) {
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
      h("a", { href: runHref(r.run_id), class: "run-link" }, r.run_name || r.run_id)] },
    { label: "Status", sort: "attributes.status", cell: (r) => statusBadge(r.status) },
    { label: "Start time", sort: "attributes.start_time", cell: (r) => formatTime(r.start_time) },
    { label: "Duration", sort: "attributes.duration", cell: (r) => formatDuration(r.start_time, r.end_time), num: true },
    { label: "User", sort: "attributes.user_id", cell: (r) => r.user_id },
    { label: "Source", sort: "tags.`mlflow.source.name`", cell: (r) => sourceName(r.source) },
  ];
  const columns = [
    ...fixed,
    ...table.param_keys.map((key) => ({ label: key, group: "Param", sort: grammarKey("params", key), cell: (r) => r.params[key] ?? "" })),
    ...table.metric_keys.map((key) => ({ label: key, group: "Metric", sort: grammarKey("metrics", key), num: true,
      cell: (r) => formatNumber(r.metrics[key]) })),
  ];
  const [orderKey, orderDirection] = parseOrder(order);
  const header = h("tr", {}, h("th", {}, h("input", { type: "checkbox", "aria-label": "Select all runs on this page",
    onchange: (event) => {
      for (const box of view.querySelectorAll("input.select-run")) {
        box.checked = event.target.checked;
        box.dispatchEvent(new Event("change"));
      }
    } })),
  columns.map((column) => h("th", { class: "sortable", title: `Sort by ${column.sort}`,
    onclick: () => go({ order: nextOrder(column.sort, orderKey, orderDirection), page: "" }) },
  column.group ? h("span", { class: "group" }, column.group) : null, column.label + sortArrow(column.sort, orderKey, orderDirection))));
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
  const total = table.total !== undefined ? `${table.total.toLocaleString()} runs` : "";
  add(view, h("div", { class: "pager" },
    h("button", { disabled: !page, onclick: () => go({ page: previousPage(history, page) }) }, "‹ Previous"),
    h("button", { disabled: !table.next_page_token, onclick: () => {
      pageHistory.set(experimentId, pagesAfterNext(history, page, table.next_page_token));
      go({ page: table.next_page_token });
    } }, "Next ›"),
    h("span", {}, `${table.runs.length} shown`, total ? ` of ${total}` : "")));
}

/** The experiment's id, artifact location, description and tags, in one muted line. */
function experimentHeader(experiment) {
  const { description, tags } = experimentNotes(experiment.tags);
  return h("div", { class: "experiment-meta" },
    description ? h("p", { class: "description" }, description) : null,
    h("p", { class: "muted" }, `ID ${experiment.experiment_id} · artifacts at ${experiment.artifact_location}`, " ",
      tags.map(([key, value]) => h("span", { class: "tag" }, `${key}: ${value}`))));
}
