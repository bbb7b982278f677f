// What the charts draw (src/server/ui/assets/chart-data.js).
import assert from "node:assert/strict";
import { test } from "node:test";

import {
  X_MODES, chartGroups, chartValue, historyLayout, historyQuery, historyTraces, numberOrText, parallelTrace, pointsNote,
  relayoutRange, toServerRange, xValues, zoomedLayout,
} from "../../src/server/ui/assets/chart-data.js";

const run = { run_id: "r1", run_name: "ridge", start_time: 1_700_000_000_000 };

test("non-finite values are gaps in a chart", () => {
  assert.equal(chartValue(0.5), 0.5);
  assert.equal(chartValue(0), 0);
  for (const gap of ["NaN", "Infinity", "-Infinity", NaN, Infinity, null, undefined, "0.5"]) assert.equal(chartValue(gap), null);
});

test("params read as numbers when they are numbers", () => {
  assert.equal(numberOrText("0.1"), 0.1);
  assert.equal(numberOrText("1e3"), 1000);
  assert.equal(numberOrText("ridge"), "ridge");
  assert.equal(numberOrText(""), "");
  assert.equal(numberOrText("Infinity"), "Infinity");
  assert.equal(numberOrText(undefined), null);
});

test("overlaid metrics share one chart, the others have one each", () => {
  const keys = ["acc", "loss", "val_loss"];
  assert.deepEqual(chartGroups(keys, new Set()), [["acc"], ["loss"], ["val_loss"]]);
  assert.deepEqual(chartGroups(keys, new Set(["loss"])), [["acc"], ["loss"], ["val_loss"]], "one chosen metric is not an overlay");
  assert.deepEqual(chartGroups(keys, new Set(["val_loss", "loss"])), [["val_loss", "loss"], ["acc"]]);
});

test("x values are steps, dates or seconds since the run started", () => {
  const data = { steps: [0, 1], timestamps: [run.start_time + 500, run.start_time + 2500] };
  assert.deepEqual(xValues(data, "step", run), [0, 1]);
  assert.deepEqual(xValues(data, "time", run), [new Date(run.start_time + 500), new Date(run.start_time + 2500)]);
  assert.deepEqual(xValues(data, "relative", run), [0.5, 2.5]);
  assert.deepEqual(Object.keys(X_MODES), ["step", "time", "relative"]);
});

test("a zoomed range becomes the server's bounds in steps or epoch milliseconds", () => {
  assert.deepEqual(toServerRange([10.4, 20.2], "step", run), { x_min: 10, x_max: 21 });
  assert.deepEqual(toServerRange([1.5, 3], "relative", run), { x_min: run.start_time + 1500, x_max: run.start_time + 3000 });
  assert.deepEqual(toServerRange([1000, 2000], "time", run), { x_min: 1000, x_max: 2000 });
  const low = new Date(2024, 0, 2, 3, 4, 5, 600);
  const high = new Date(2024, 0, 2, 3, 4, 6);
  assert.deepEqual(toServerRange(["2024-01-02 03:04:05.6", "2024-01-02 03:04:06"], "time", run),
    { x_min: low.getTime(), x_max: high.getTime() }, "plotly's local date strings");
});

test("history queries ask for about two points a pixel, within bounds", () => {
  assert.deepEqual(historyQuery(run, "loss", "step", 600, null), { run_id: "r1", key: "loss", x: "step", max_points: 1200 });
  assert.equal(historyQuery(run, "loss", "time", 50, null).max_points, 200);
  assert.equal(historyQuery(run, "loss", "time", 3000, null).max_points, 4000);
  assert.deepEqual(historyQuery(run, "loss", "relative", 600, [1, 2]),
    { run_id: "r1", key: "loss", x: "time", max_points: 1200, x_min: run.start_time + 1000, x_max: run.start_time + 2000 });
});

test("traces are named by what tells them apart, markers only on short lines", () => {
  const data = (n) => ({ steps: [...Array(n).keys()], timestamps: [], values: Array(n).fill(1) });
  const other = { ...run, run_id: "r2", run_name: "lasso" };
  const one = historyTraces([{ run, key: "loss", data: data(3) }], [run], ["loss"], "step");
  assert.equal(one[0].name, "loss");
  assert.equal(one[0].mode, "lines+markers");
  assert.deepEqual(one[0].x, [0, 1, 2]);
  const runs = historyTraces([{ run, key: "loss", data: data(60) }, { run: other, key: "loss", data: data(60) }], [run, other], ["loss"], "step");
  assert.deepEqual(runs.map((t) => t.name), ["ridge", "lasso"]);
  assert.equal(runs[0].mode, "lines");
  const both = historyTraces([{ run: other, key: "acc", data: data(1) }], [run, other], ["loss", "acc"], "step");
  assert.equal(both[0].name, "lasso · acc");
  const gaps = historyTraces([{ run, key: "loss", data: { steps: [0, 1], values: [1, "NaN"] } }], [run], ["loss"], "step");
  assert.deepEqual(gaps[0].y, [1, null]);
});

test("the note under a chart counts its points and says when they are thinned", () => {
  const series = (thinned) => [{ data: { total_points: 1_000_000, thinned } }, { data: { total_points: 5, thinned: false } }];
  assert.equal(pointsNote(series(false)), `${(1_000_005).toLocaleString()} points`);
  assert.match(pointsNote(series(true)), /points; showing each bucket's min and max, zoom in for detail$/);
});

test("the layout titles the chart by its metrics and shows a legend only for several lines", () => {
  const layout = historyLayout([run], ["loss"], "time");
  assert.equal(layout.title.text, "loss");
  assert.equal(layout.xaxis.type, "date");
  assert.equal(layout.xaxis.title.text, "Wall time");
  assert.equal(layout.showlegend, false);
  assert.equal(historyLayout([run], ["loss", "acc"], "step").showlegend, true);
  assert.equal(historyLayout([run, run], ["loss"], "relative").xaxis.type, "linear");
});

test("relayout events zoom to a range, reset the axis, or are not about x", () => {
  assert.deepEqual(relayoutRange({ "xaxis.range[0]": 3, "xaxis.range[1]": 9 }), [3, 9]);
  assert.deepEqual(relayoutRange({ "xaxis.range": [654300, 654340] }), [654300, 654340]);
  assert.equal(relayoutRange({ "xaxis.autorange": true }), null);
  assert.equal(relayoutRange({ "yaxis.range[0]": 1, "yaxis.range[1]": 2 }), undefined);
  assert.equal(relayoutRange({ width: 500 }), undefined);
  const layout = { title: "t", xaxis: { type: "linear", title: "Step" } };
  assert.deepEqual(zoomedLayout(layout, [1, 2]), { title: "t", xaxis: { type: "linear", title: "Step", autorange: false, range: [1, 2] } });
  assert.deepEqual(zoomedLayout(layout, null), { title: "t", xaxis: { type: "linear", title: "Step", autorange: true, range: undefined } });
  assert.deepEqual(layout.xaxis, { type: "linear", title: "Step" }, "the layout given is not changed");
});

test("parallel coordinates: numbers as ranges, text as categories, coloured by the last metric", () => {
  const runs = [
    { params: { alpha: "0.1", model: "ridge" }, metrics: { rmse: 0.5, r2: "NaN" } },
    { params: { alpha: "1", model: "lasso" }, metrics: { rmse: 0.7, r2: 0.9 } },
    { params: { model: "ridge" }, metrics: {} },
  ];
  const columns = [
    { label: "param: alpha", value: (r) => numberOrText(r.params.alpha) },
    { label: "param: model", value: (r) => numberOrText(r.params.model) },
    { label: "metric: rmse", value: (r) => chartValue(r.metrics.rmse) },
  ];
  const trace = parallelTrace(runs, columns, ["rmse", "r2"]);
  assert.equal(trace.type, "parcoords");
  assert.deepEqual(trace.dimensions[0], { label: "param: alpha", values: [0.1, 1, NaN] });
  assert.deepEqual(trace.dimensions[1], { label: "param: model", values: [0, 1, 0], tickvals: [0, 1], ticktext: ["ridge", "lasso"] });
  assert.deepEqual(trace.dimensions[2].values, [0.5, 0.7, NaN]);
  assert.deepEqual(trace.line.color, [0, 0.9, 0], "by r2, gaps as 0");
  assert.equal(trace.line.colorbar.title.text, "r2");
  assert.deepEqual(parallelTrace(runs, columns, []).line, {});
});
