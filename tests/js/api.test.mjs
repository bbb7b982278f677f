// Reading the server (src/server/ui/assets/api.js), against a stand-in for fetch.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";

import { ApiError, MLFLOW, fetchText, getJSON } from "../../src/server/ui/assets/api.js";

const realFetch = globalThis.fetch;
afterEach(() => { globalThis.fetch = realFetch; });

/** Make fetch answer `body` with `status`, and record what it was asked. */
function answer(status, body, statusText = "") {
  const calls = [];
  globalThis.fetch = async (url, options) => {
    calls.push({ url, options });
    return new Response(body, { status, statusText });
  };
  return calls;
}

test("a GET names its parameters in the query and asks for JSON", async () => {
  const calls = answer(200, '{"run": {"info": {}}}');
  assert.deepEqual(await getJSON(`${MLFLOW}runs/get`, { run_id: "abc", skip: "" }), { run: { info: {} } });
  assert.equal(calls[0].url, "api/2.0/mlflow/runs/get?run_id=abc");
  assert.equal(calls[0].options.headers.Accept, "application/json");
  await getJSON("ui-api/experiments");
  assert.equal(calls[1].url, "ui-api/experiments");
});

test("a failure carries the server's message, or else its status", async () => {
  answer(404, '{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run \'x\' not found"}', "Not Found");
  await assert.rejects(getJSON("api/2.0/mlflow/runs/get", { run_id: "x" }),
    (error) => error instanceof ApiError && error.message === "Run 'x' not found");
  answer(502, "<html>bad gateway</html>", "Bad Gateway");
  await assert.rejects(getJSON("ui-api/experiments"), { message: "502 Bad Gateway" });
});

test("artifacts are read as text, a failure with the server's message", async () => {
  const calls = answer(200, "a,b\n1,2\n");
  assert.equal(await fetchText("r1", "data/x.csv"), "a,b\n1,2\n");
  assert.equal(calls[0].url, "ui-api/artifact?run_id=r1&path=data%2Fx.csv");
  answer(404, '{"message": "No such file"}', "Not Found");
  await assert.rejects(fetchText("r1", "gone.txt"), (error) => error instanceof ApiError && error.message === "No such file");
  answer(500, "oops", "Internal Server Error");
  await assert.rejects(fetchText("r1", "x.txt"), { message: "500 Internal Server Error" });
});
