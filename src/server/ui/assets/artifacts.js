// The run page's artifact browser: a folder tree loaded a level at a time, beside a
// preview of the chosen file (images, sandboxed HTML, JSON, CSV tables, text).

import { MLFLOW, fetchText, getJSON } from "./api.js";
import { append, clear, errorBox, h } from "./dom.js";
import { baseName, parseCsv, prettyJson, previewKind, sortListing } from "./files.js";
import { formatSize } from "./format.js";
import { artifactUrl } from "./urls.js";

/** A folder tree (loaded a level at a time) beside a preview of the chosen file. */
export function artifactBrowser(container, runId) {
  const tree = h("div", { class: "tree" });
  const preview = h("div", { class: "preview" }, h("p", { class: "muted" }, "Choose a file to preview it."));
  append(container, [h("div", { class: "artifacts" }, tree, preview)]);
  let selectedLabel = null;

  async function listInto(parent, path) {
    const data = await getJSON(`${MLFLOW}artifacts/list`, { run_id: runId, path });
    const files = sortListing(data.files || []);
    const list = h("ul", {});
    for (const file of files) {
      const name = baseName(file.path);
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
  const name = baseName(file.path);
  const size = file.file_size;
  clear(preview).append(h("div", { class: "meta" }, h("strong", {}, file.path),
    size !== undefined ? h("span", { class: "muted" }, formatSize(size)) : null,
    h("a", { href: artifactUrl(runId, file.path, true), download: name, class: "download" }, "Download")));
  const body = h("div", {});
  preview.append(body);
  const kind = previewKind(file);
  if (kind === "large") {
    body.append(h("p", { class: "muted" }, "Too large to preview; download it instead."));
    return;
  }
  try {
    if (kind === "image") {
      body.append(h("img", { src: artifactUrl(runId, file.path), alt: file.path }));
    } else if (kind === "html") {
      // Scripts may run (a Plotly figure needs them), but in a sandboxed frame without
      // same-origin rights; the server also sends a sandboxing CSP with the file.
      body.append(h("iframe", { src: artifactUrl(runId, file.path), sandbox: "allow-scripts", title: file.path, class: "html-artifact" }));
    } else if (kind === "json") {
      body.append(h("pre", {}, prettyJson(await fetchText(runId, file.path))));
    } else if (kind === "csv" || kind === "tsv") {
      body.append(csvTable(await fetchText(runId, file.path), kind === "tsv" ? "\t" : ","));
    } else if (kind === "text") {
      body.append(h("pre", {}, await fetchText(runId, file.path)));
    } else {
      body.append(h("p", { class: "muted" }, "No preview for this kind of file."));
    }
  } catch (error) {
    body.append(errorBox(error));
  }
}

/** CSV as a table: quoted fields, doubled quotes, the first 1,000 rows. */
function csvTable(text, separator) {
  const [head, ...rest] = parseCsv(text, separator);
  return h("div", { class: "table-wrap" }, h("table", { class: "data csv" },
    h("thead", {}, h("tr", {}, (head || []).map((cell) => h("th", {}, cell)))),
    h("tbody", {}, rest.slice(0, 1000).map((cells) => h("tr", {}, cells.map((cell) => h("td", {}, cell)))))));
}
