// MLflow's shapes as the pages use them (src/server/ui/assets/mlflow.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  aliasesOf, compareRun, differs, experimentNotes, grammarKey, inputExample, latestVersion, nextOrder, pagesAfterNext,
  pairsToObject, parseOrder, previousPage, signatureType, sortArrow, sourceName, unionKeys, versionsFilter,
} from "../../src/server/ui/assets/mlflow.js";

test("key/value lists become objects, the last of a repeated key winning", () => {
  assert.deepEqual(pairsToObject([{ key: "alpha", value: "0.1" }, { key: "rmse", value: 0.5, step: 3, timestamp: 1 }]),
    { alpha: "0.1", rmse: 0.5 });
  assert.deepEqual(pairsToObject([{ key: "a", value: "1" }, { key: "a", value: "2" }]), { a: "2" });
  assert.deepEqual(pairsToObject(undefined), {}, "MLflow leaves empty lists out");
  assert.deepEqual(pairsToObject([]), {});
});

test("keys are backquoted for the search grammar unless plain", () => {
  assert.equal(grammarKey("metrics", "rmse"), "metrics.rmse");
  assert.equal(grammarKey("params", "model.alpha-1/x"), "params.model.alpha-1/x");
  assert.equal(grammarKey("metrics", "val loss"), "metrics.`val loss`");
  assert.equal(grammarKey("params", "1st"), "params.`1st`");
  assert.equal(grammarKey("params", "we`ird"), "params.`weird`", "backquotes cannot end the quoting");
});

test("order clauses split into key and direction, and a header click toggles them", () => {
  assert.deepEqual(parseOrder(""), ["", ""]);
  assert.deepEqual(parseOrder("metrics.rmse DESC"), ["metrics.rmse", "DESC"]);
  assert.deepEqual(parseOrder("attributes.run_name asc"), ["attributes.run_name", "ASC"]);
  assert.deepEqual(parseOrder("metrics.`val loss`"), ["metrics.`val loss`", "ASC"]);
  assert.equal(nextOrder("metrics.rmse", "", ""), "metrics.rmse ASC");
  assert.equal(nextOrder("metrics.rmse", "metrics.rmse", "ASC"), "metrics.rmse DESC");
  assert.equal(nextOrder("metrics.rmse", "metrics.rmse", "DESC"), "metrics.rmse ASC");
  assert.equal(nextOrder("metrics.rmse", "params.alpha", "ASC"), "metrics.rmse ASC");
  assert.equal(sortArrow("metrics.rmse", "metrics.rmse", "ASC"), " ↑");
  assert.equal(sortArrow("metrics.rmse", "metrics.rmse", "DESC"), " ↓");
  assert.equal(sortArrow("metrics.rmse", "params.alpha", "DESC"), "");
});

test("a source is shown by its file name, POSIX or Windows", () => {
  assert.equal(sourceName("/home/me/train.py"), "train.py");
  assert.equal(sourceName("C:\\work\\fit.py"), "fit.py");
  assert.equal(sourceName("notebook"), "notebook");
  assert.equal(sourceName(undefined), "");
});

test("page tokens step forward and back", () => {
  let history = [];
  assert.equal(previousPage(history, ""), "");
  history = pagesAfterNext(history, "", "t1");
  assert.deepEqual(history, ["", "t1"]);
  history = pagesAfterNext(history, "t1", "t2");
  assert.deepEqual(history, ["", "t1", "t2"]);
  assert.equal(previousPage(history, "t2"), "t1");
  assert.equal(previousPage(history, "t1"), "");
  assert.deepEqual(pagesAfterNext(history, "t1", "t2b"), ["", "t1", "t2b"], "going on from an earlier page forgets later ones");
  assert.deepEqual(pagesAfterNext([], "t5", "t6"), ["t5", "t6"], "a page opened by its link starts the history");
  assert.equal(previousPage(["t5", "t6"], "t5"), "");
  const before = ["", "t1"];
  pagesAfterNext(before, "t1", "t2");
  assert.deepEqual(before, ["", "t1"], "the history given is not changed");
});

test("an experiment's notes are its description and its own tags, sorted", () => {
  const notes = experimentNotes([
    { key: "team", value: "vision" }, { key: "mlflow.note.content", value: "Baselines" },
    { key: "mlflow.user", value: "me" }, { key: "area", value: "prices" },
  ]);
  assert.equal(notes.description, "Baselines");
  assert.deepEqual(notes.tags, [["area", "prices"], ["team", "vision"]]);
  assert.deepEqual(experimentNotes(undefined), { description: undefined, tags: [] });
});

test("compared runs hold their params and metrics as objects, named by id when unnamed", () => {
  const run = compareRun({
    info: { run_id: "r1", run_name: "", experiment_id: "2" },
    data: { params: [{ key: "alpha", value: "0.1" }], metrics: [{ key: "rmse", value: 0.5 }] },
  });
  assert.equal(run.run_name, "r1");
  assert.deepEqual(run.params, { alpha: "0.1" });
  assert.deepEqual(run.metrics, { rmse: 0.5 });
  assert.equal(run.info.experiment_id, "2");
  assert.deepEqual(unionKeys([{ b: 1, a: 2 }, { c: 3, a: 4 }, {}]), ["a", "b", "c"]);
});

test("a row differs when any value, or its absence, differs", () => {
  assert.equal(differs(["0.1", "0.1"]), false);
  assert.equal(differs(["0.1", "1.0"]), true);
  assert.equal(differs([0.5, undefined]), true);
  assert.equal(differs([undefined, null]), false);
  assert.equal(differs([1, "1"]), true, "a number and its text are told apart");
});

test("a model's versions are searched with its name quoted", () => {
  assert.equal(versionsFilter("HousePrices"), "name='HousePrices'");
  assert.equal(versionsFilter("it's"), "name='it\\'s'");
});

test("the latest version and the aliases of a version come from the registered model", () => {
  const model = {
    latest_versions: [{ version: "2" }, { version: "10" }, { version: "9" }],
    aliases: [{ alias: "production", version: "10" }, { alias: "canary", version: 10 }, { alias: "old", version: "2" }],
  };
  assert.equal(latestVersion(model), 10);
  assert.equal(latestVersion({}), 0);
  assert.deepEqual(aliasesOf(model, 10), ["production", "canary"]);
  assert.deepEqual(aliasesOf(model, "2"), ["old"]);
  assert.deepEqual(aliasesOf({}, "1"), []);
});

test("signature columns show tensor dtypes and shapes", () => {
  assert.equal(signatureType({ type: "double", name: "rooms" }), "double");
  assert.equal(signatureType({ type: "tensor", "tensor-spec": { dtype: "float64", shape: [-1, 3] } }), "tensor float64 [-1,3]");
  assert.equal(signatureType({ type: "tensor" }), "tensor");
  assert.equal(signatureType({}), "");
});

test("input examples are a table when split-oriented, else indented JSON or the stored text", () => {
  assert.deepEqual(inputExample('{"columns": ["rooms", "city"], "data": [[2.0, 0]]}'),
    { columns: ["rooms", "city"], data: [[2, 0]] });
  assert.deepEqual(inputExample('{"inputs": [1, 2]}'), { text: '{\n  "inputs": [\n    1,\n    2\n  ]\n}' });
  assert.deepEqual(inputExample("not json"), { text: "not json" });
  assert.deepEqual(inputExample("0"), { text: "0" }, "a falsy JSON value is shown as stored");
});
