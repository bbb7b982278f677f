// Query strings, links and hash routes (src/server/ui/assets/urls.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ROUTES, artifactUrl, experimentHref, hashFor, matchRoute, modelHref, navSection, parseHash, query, runHref, versionHref,
} from "../../src/server/ui/assets/urls.js";

test("a query string leaves out empty values and repeats array keys", () => {
  assert.equal(query({ a: "1", b: "", c: null, d: undefined, e: 0 }), "a=1&e=0");
  assert.equal(query({ order_by: ["x ASC", "y DESC"] }), "order_by=x+ASC&order_by=y+DESC");
  assert.equal(query({ filter: "metrics.rmse < 0.5 and params.model = 'ridge'" }),
    "filter=metrics.rmse+%3C+0.5+and+params.model+%3D+%27ridge%27");
  assert.equal(query({}), "");
});

test("artifact URLs are relative and escape the path", () => {
  assert.equal(artifactUrl("abc", "plots/a b&c.png"), "ui-api/artifact?run_id=abc&path=plots%2Fa+b%26c.png");
  assert.equal(artifactUrl("abc", "model/MLmodel", true), "ui-api/artifact?run_id=abc&path=model%2FMLmodel&download=1");
});

test("a hash splits into its path and query parameters", () => {
  const { path, params } = parseHash("#/experiments/3?filter=metrics.a+%3E+1&page=tok");
  assert.equal(path, "/experiments/3");
  assert.equal(params.get("filter"), "metrics.a > 1");
  assert.equal(params.get("page"), "tok");
  assert.equal(parseHash("").path, "");
  assert.equal(parseHash("#/compare").params.toString(), "");
  assert.equal(parseHash("/models").path, "/models", "the # is optional");
});

test("each route names its page and captures its arguments", () => {
  const cases = [
    ["", "experiments", []],
    ["/", "experiments", []],
    ["/experiments/12", "experiment", ["12"]],
    ["/runs/0a1b", "run", ["0a1b"]],
    ["/compare", "compare", []],
    ["/models", "models", []],
    ["/models/House%20Prices", "model", ["House%20Prices"]],
    ["/models/House/versions/3", "version", ["House", "3"]],
  ];
  for (const [path, name, args] of cases) assert.deepEqual(matchRoute(path), { name, args }, path);
  for (const path of ["/nowhere", "/experiments/", "/experiments/1/2", "/models/a/versions/x", "//"]) {
    assert.equal(matchRoute(path), null, path);
  }
  assert.deepEqual(ROUTES.map(([name]) => name).sort(),
    ["compare", "experiment", "experiments", "model", "models", "run", "version"]);
});

test("links round-trip through the router, whatever the name holds", () => {
  const name = "a/b?c=d #1 'é'";
  const route = (href) => {
    const { path } = parseHash(href);
    const match = matchRoute(path);
    return { name: match.name, args: match.args.map(decodeURIComponent) };
  };
  assert.deepEqual(route(modelHref(name)), { name: "model", args: [name] });
  assert.deepEqual(route(versionHref(name, 2)), { name: "version", args: [name, "2"] });
  assert.deepEqual(route(experimentHref("7")), { name: "experiment", args: ["7"] });
  assert.deepEqual(route(runHref("0123abcd")), { name: "run", args: ["0123abcd"] });
  assert.equal(runHref("0123abcd"), "#/runs/0123abcd");
});

test("the top bar's section follows the path", () => {
  assert.equal(navSection("/models"), "models");
  assert.equal(navSection("/models/x/versions/1"), "models");
  assert.equal(navSection("/runs/x"), "experiments");
  assert.equal(navSection(""), "experiments");
});

test("a navigation's hash has a query only when some parameter is set", () => {
  assert.equal(hashFor("/experiments/1", { filter: "", order: "", page: "" }), "/experiments/1");
  assert.equal(hashFor("/experiments/1", { filter: "", order: "attributes.run_name ASC", page: "" }),
    "/experiments/1?order=attributes.run_name+ASC");
  assert.equal(hashFor("/compare", { runs: "a,b" }), "/compare?runs=a%2Cb");
  assert.equal(hashFor("/models"), "/models");
  const { params } = parseHash(`#${hashFor("/compare", { runs: "a,b" })}`);
  assert.equal(params.get("runs"), "a,b");
});
