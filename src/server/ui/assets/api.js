// Reading the server: MLflow's REST API and the ui-api endpoints, as JSON or, for
// artifacts, as text. A failure carries the server's own message.

import { artifactUrl, query } from "./urls.js";

export const MLFLOW = "api/2.0/mlflow/";

export class ApiError extends Error {}

/** GET a JSON endpoint; a failure carries the server's own message. */
export async function getJSON(path, params) {
  const response = await fetch(params ? `${path}?${query(params)}` : path, { headers: { Accept: "application/json" } });
  let body = null;
  try { body = await response.json(); } catch (_) { /* not JSON: use the status below */ }
  if (!response.ok) throw new ApiError((body && body.message) || `${response.status} ${response.statusText}`);
  return body;
}

/** An artifact's content as text. */
export async function fetchText(runId, path) {
  const response = await fetch(artifactUrl(runId, path));
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).message || message; } catch (_) { /* keep the status */ }
    throw new ApiError(message);
  }
  return response.text();
}
