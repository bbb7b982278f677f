// One model version: its details and tags, the signature and input example saved with
// it, and its MLmodel file.

import { getJSON } from "../api.js";
import { add, h, keyValueTable } from "../dom.js";
import { formatNumber, formatTime } from "../format.js";
import { inputExample, signatureType } from "../mlflow.js";
import { modelHref, runHref } from "../urls.js";

export async function versionPage(view, [name, version], _params, current) {
  const data = await getJSON("ui-api/model-version", { name, version });
  if (!current()) return;
  const v = data.model_version;
  document.title = `${name} v${version} · rtrack`;
  add(view,
    h("div", { class: "crumbs" }, h("a", { href: "#/models" }, "Models"), " / ",
      h("a", { href: modelHref(name) }, name), " / "),
    h("h1", {}, `${name} · version ${version}`, " ", (v.aliases || []).map((a) => h("span", { class: "tag alias" }, `@${a}`))),
    v.description ? h("div", { class: "panel description" }, v.description) : null,
    h("div", { class: "grid2" },
      h("div", { class: "panel" }, h("h2", {}, "Version"), keyValueTable([
        ["Stage", v.current_stage || "None"], ["Status", v.status || ""], ["Created", formatTime(Number(v.creation_timestamp))],
        ["Last updated", formatTime(Number(v.last_updated_timestamp))],
        ["Source run", v.run_id ? h("a", { href: runHref(v.run_id), class: "source-run" }, v.run_id) : ""],
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
          h("td", { class: "mono" }, signatureType(column)),
          h("td", {}, column.required === false ? "no" : "yes"))))));
    }
  } else {
    signaturePanel.append(h("p", { class: "muted" }, data.mlmodel ? "This model was logged without a signature." : "No MLmodel file found at the version's source."));
  }
  add(view, signaturePanel);
  const example = h("div", { class: "panel", id: "input-example" }, h("h2", {}, "Input example"));
  if (data.input_example) {
    const shown = inputExample(data.input_example);
    if (shown.columns) {
      example.append(h("table", { class: "data" }, h("thead", {}, h("tr", {}, shown.columns.map((c) => h("th", {}, c)))),
        h("tbody", {}, shown.data.map((r) => h("tr", {}, r.map((cell) => h("td", {}, typeof cell === "number" ? formatNumber(cell) : JSON.stringify(cell))))))));
    } else {
      example.append(h("pre", {}, shown.text));
    }
  } else {
    example.append(h("p", { class: "muted" }, "No input example was saved with this model."));
  }
  add(view, example);
  if (data.mlmodel) add(view, h("div", { class: "panel" }, h("h2", {}, "MLmodel"), h("pre", { class: "mono" }, data.mlmodel)));
}
