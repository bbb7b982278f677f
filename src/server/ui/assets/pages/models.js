// The model registry's list: every registered model with its latest version, aliases
// and tags.

import { MLFLOW, getJSON } from "../api.js";
import { add, h } from "../dom.js";
import { formatTime } from "../format.js";
import { latestVersion } from "../mlflow.js";
import { modelHref, versionHref } from "../urls.js";

export async function modelsPage(view, _match, _params, current) {
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
      const latest = latestVersion(model);
      return h("tr", {},
        h("td", {}, h("a", { href: modelHref(model.name), class: "model-link" }, model.name)),
        h("td", {}, latest ? h("a", { href: versionHref(model.name, latest) }, `Version ${latest}`) : ""),
        h("td", {}, (model.aliases || []).map((a) => h("span", { class: "tag alias" }, `@${a.alias} → v${a.version}`))),
        h("td", {}, (model.tags || []).map((t) => h("span", { class: "tag" }, `${t.key}: ${t.value}`))),
        h("td", {}, formatTime(Number(model.last_updated_timestamp))));
    })))));
}
