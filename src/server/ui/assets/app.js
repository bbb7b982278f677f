// rtrack web UI: a single page that reads the server's JSON (MLflow's REST API and the
// ui-api endpoints) and draws experiments, runs, charts, artifacts, comparisons and the
// model registry. Every stored string reaches the page as text (textContent), never as
// markup, and every URL is relative so the UI also works behind a path-prefixing proxy.
//
// This is the entry module the page loads; the others it imports are served beside it:
// router.js (hash routes), dom.js (elements), api.js (fetching JSON), charts.js and
// artifacts.js (parts of pages), pages/*.js (one a page), and the pure helpers without
// DOM access that tests/js/ runs under node: format.js, urls.js, mlflow.js, files.js and
// chart-data.js.

import { comparePage } from "./pages/compare.js";
import { experimentsPage } from "./pages/experiments.js";
import { modelPage } from "./pages/model.js";
import { modelsPage } from "./pages/models.js";
import { runPage } from "./pages/run.js";
import { experimentPage } from "./pages/runs.js";
import { versionPage } from "./pages/version.js";
import { startRouter } from "./router.js";

// The page for each of urls.js's ROUTES.
startRouter({
  experiments: experimentsPage,
  experiment: experimentPage,
  run: runPage,
  compare: comparePage,
  models: modelsPage,
  model: modelPage,
  version: versionPage,
});
