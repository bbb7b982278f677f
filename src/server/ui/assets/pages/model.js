// One registered model: its description, aliases, tags and versions, newest first.

import { MLFLOW, getJSON } from "../api.js";
import { add, h, keyValueTable } from "../dom.js";
import { formatTime } from "../format.js";
import { aliasesOf, versionsFilter } from "../mlflow.js";
import { runHref, versionHref } from "../urls.js";

export async function modelPage(view, [name], _params, current) {
  const [{ registered_model: model }, versions] = await Promise.all([
    getJSON(`${MLFLOW}registered-models/get`, { name }),
    getJSON(`${MLFLOW}model-versions/search`, { filter: versionsFilter(name), max_results: 1000 }),
  ]);
  if (!current()) return;
  document.title = `${name} · rtrack`;
  const list = (versions.model_versions || []).sort((a, b) => Number(b.version) - Number(a.version));
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
        h("td", {}, h("a", { href: versionHref(name, v.version), class: "version-link" }, `Version ${v.version}`)),
        h("td", {}, aliasesOf(model, v.version).map((a) => h("span", { class: "tag alias" }, `@${a}`))),
        h("td", {}, v.current_stage || "None"),
        h("td", {}, v.run_id ? h("a", { href: runHref(v.run_id), class: "source-run" }, v.run_id.slice(0, 12)) : ""),
        h("td", {}, formatTime(Number(v.creation_timestamp))),
        h("td", {}, v.status || ""),
        h("td", {}, (v.tags || []).map((t) => h("span", { class: "tag" }, `${t.key}: ${t.value}`)))))))));
}
