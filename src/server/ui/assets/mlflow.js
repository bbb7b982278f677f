// MLflow's shapes as the pages use them: key/value lists, the search grammar's keys and
// order clauses, page tokens, registry aliases, model signatures and input examples.
// Pure: no DOM, no network.

/** MLflow's `[{key, value, ...}]` lists (params, tags, latest metrics) as an object. */
export function pairsToObject(list) {
  const out = {};
  for (const item of list || []) out[item.key] = item.value;
  return out;
}

/** A key as the search grammar wants it: backquoted unless it is a plain name. */
export function grammarKey(group, key) {
  return /^[A-Za-z_][A-Za-z0-9_.\-/]*$/.test(key) ? `${group}.${key}` : `${group}.\`${key.replace(/`/g, "")}\``;
}

/** An `order_by` clause as its key and direction ("ASC" unless it says DESC); both empty
 * for no clause. */
export function parseOrder(order) {
  return order ? [order.replace(/\s+(ASC|DESC)$/i, ""), /DESC$/i.test(order) ? "DESC" : "ASC"] : ["", ""];
}

/** The clause a click on a column's header asks for: ascending, or descending when the
 * table is already sorted up by that column. */
export function nextOrder(sort, orderKey, orderDirection) {
  return `${sort} ${sort === orderKey && orderDirection === "ASC" ? "DESC" : "ASC"}`;
}

/** The arrow a column's header shows when the table is sorted by it. */
export function sortArrow(sort, orderKey, orderDirection) {
  return sort === orderKey ? (orderDirection === "DESC" ? " ↓" : " ↑") : "";
}

/** The file name of a run's `mlflow.source.name`, Windows or POSIX. */
export function sourceName(source) {
  return (source || "").split(/[\\/]/).pop();
}

/** The token of the page before `page`, from the tokens seen so far ("" for the first). */
export function previousPage(history, page) {
  const position = history.indexOf(page);
  return position > 0 ? history[position - 1] : "";
}

/** The tokens seen once the page after `page` (token `next`) is opened. */
export function pagesAfterNext(history, page, next) {
  const position = history.indexOf(page);
  const seen = history.slice(0, Math.max(position, 0) + 1);
  if (!seen.includes(page)) seen.push(page);
  seen.push(next);
  return seen;
}

/** An experiment's description (its `mlflow.note.content` tag) and its own tags, sorted,
 * without MLflow's. */
export function experimentNotes(tagList) {
  const tags = pairsToObject(tagList);
  return {
    description: tags["mlflow.note.content"],
    tags: Object.entries(tags).filter(([key]) => !key.startsWith("mlflow.")).sort(),
  };
}

/** A run from `runs/get` as the compare view holds it. */
export function compareRun(run) {
  return {
    run_id: run.info.run_id, run_name: run.info.run_name || run.info.run_id, info: run.info,
    params: pairsToObject(run.data.params), metrics: pairsToObject(run.data.metrics),
  };
}

/** Every key that any of the objects has, sorted. */
export function unionKeys(objects) {
  return [...new Set(objects.flatMap((o) => Object.keys(o)))].sort();
}

/** Whether the values are not all the same (a missing value is one more value). */
export function differs(values) {
  return new Set(values.map((v) => JSON.stringify(v ?? null))).size > 1;
}

/** The `model-versions/search` filter for one model's versions, its name quoted. */
export function versionsFilter(name) {
  return `name='${name.replace(/'/g, "\\'")}'`;
}

/** The highest version number among a registered model's latest versions (0 for none). */
export function latestVersion(model) {
  return (model.latest_versions || []).reduce((a, v) => Math.max(a, Number(v.version)), 0);
}

/** The aliases of a registered model that point at `version`. */
export function aliasesOf(model, version) {
  return (model.aliases || []).filter((a) => String(a.version) === String(version)).map((a) => a.alias);
}

/** A signature column's type: a tensor's dtype and shape, or the column type. */
export function signatureType(column) {
  return column.type === "tensor" && column["tensor-spec"]
    ? `tensor ${column["tensor-spec"].dtype} ${JSON.stringify(column["tensor-spec"].shape)}` : column.type ?? "";
}

/** A saved input example: `{ columns, data }` for a split-oriented table, or `{ text }`,
 * indented when it is JSON, as stored when it is not. */
export function inputExample(text) {
  let parsed = null;
  try { parsed = JSON.parse(text); } catch (_) { /* shown as text */ }
  if (parsed && Array.isArray(parsed.columns) && Array.isArray(parsed.data)) {
    return { columns: parsed.columns, data: parsed.data };
  }
  return { text: parsed ? JSON.stringify(parsed, null, 2) : text };
}
