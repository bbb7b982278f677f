// The experiments list: every active experiment with its run count and last activity,
// filtered by name as you type.

import { getJSON } from "../api.js";
import { add, clear, h } from "../dom.js";
import { formatTime, timeAgo } from "../format.js";
import { experimentHref } from "../urls.js";

export async function experimentsPage(view, _match, _params, current) {
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
        h("td", {}, h("a", { href: experimentHref(e.experiment_id), class: "experiment-link" }, e.name)),
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
