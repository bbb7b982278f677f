// Query strings, the links between pages and the hash routes they name. Pure: no DOM, no
// network. Every URL is relative, so the UI also works behind a path-prefixing proxy.

/** A query string from an object; arrays repeat the key, empty values are left out. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === "") continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, item);
  }
  return search.toString();
}

export function artifactUrl(runId, path, download) {
  return `ui-api/artifact?${query({ run_id: runId, path, download: download ? "1" : "" })}`;
}

/** The pages by name, each with the pattern of the hash paths it draws; the first match
 * wins, and the captured parts (still URI-encoded) are the page's arguments. */
export const ROUTES = [
  ["experiments", /^\/?$/],
  ["experiment", /^\/experiments\/([^/]+)$/],
  ["run", /^\/runs\/([^/]+)$/],
  ["compare", /^\/compare$/],
  ["models", /^\/models$/],
  ["version", /^\/models\/([^/]+)\/versions\/(\d+)$/],
  ["model", /^\/models\/([^/]+)$/],
];

/** A location hash (`#/path?query`, the `#` optional) as its path and query parameters. */
export function parseHash(hash) {
  const [path, search] = hash.replace(/^#/, "").split("?");
  return { path, params: new URLSearchParams(search || "") };
}

/** The route a hash path names, as `{ name, args }` with the args still encoded; null when
 * none does. */
export function matchRoute(path) {
  for (const [name, pattern] of ROUTES) {
    const match = path.match(pattern);
    if (match) return { name, args: match.slice(1) };
  }
  return null;
}

/** The top bar's section (its `data-nav` link) a path belongs to. */
export function navSection(path) {
  return path.startsWith("/models") ? "models" : "experiments";
}

/** The hash (without `#`) for a path and its query parameters. */
export function hashFor(path, params) {
  const search = params ? query(params) : "";
  return search ? `${path}?${search}` : path;
}

export function experimentHref(experimentId) {
  return `#/experiments/${encodeURIComponent(experimentId)}`;
}

export function runHref(runId) {
  return `#/runs/${runId}`;
}

export function modelHref(name) {
  return `#/models/${encodeURIComponent(name)}`;
}

export function versionHref(name, version) {
  return `#/models/${encodeURIComponent(name)}/versions/${version}`;
}
