// Run artifacts: how a file is previewed, the order of a folder's listing, CSV parsing.
// Pure: no DOM, no network.

export const TEXT_FILES = /\.(txt|log|md|py|yaml|yml|toml|ini|cfg|sh|rs|sql|ipynb|r|js|css)$|(^|\/)(MLmodel|requirements\.txt|conda\.yaml|python_env\.yaml)$/i;
export const PREVIEW_LIMIT = 5 << 20;
const IMAGE = /^(png|jpe?g|gif|webp|svg)$/;

/** The last part of a slash-separated path. */
export function baseName(path) {
  return path.split("/").pop();
}

/** A file name's extension, lower case; "" for none. */
export function extensionOf(name) {
  return (name.includes(".") ? name.split(".").pop() : "").toLowerCase();
}

/** How an artifact (`{ path, file_size }`) is previewed: "image", "html", "json", "csv",
 * "tsv" or "text"; "large" when it is too big to fetch (images are always shown), "none"
 * when there is no preview for its kind. */
export function previewKind(file) {
  const extension = extensionOf(baseName(file.path));
  if (file.file_size > PREVIEW_LIMIT && !IMAGE.test(extension)) return "large";
  if (IMAGE.test(extension)) return "image";
  if (extension === "html" || extension === "htm") return "html";
  if (extension === "json" || extension === "csv" || extension === "tsv") return extension;
  if (TEXT_FILES.test(file.path)) return "text";
  return "none";
}

/** A folder's listing as the tree shows it: folders first, then by path. Sorts in place. */
export function sortListing(files) {
  return files.sort((a, b) => (b.is_dir - a.is_dir) || a.path.localeCompare(b.path));
}

/** JSON text indented, or as stored when it does not parse. */
export function prettyJson(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch (_) { return text; }
}

/** CSV (or, with "\t", TSV) as rows of fields: quoted fields, doubled quotes, CRLF or LF
 * line ends; parsing stops once more than 1,000 rows are read. */
export function parseCsv(text, separator) {
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
  return rows;
}
