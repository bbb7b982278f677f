// What the charts draw, built from the server's JSON: x values and zoom ranges, traces,
// layouts, the parallel-coordinates trace. Pure: no DOM, no network, no plotly.js.

export const X_MODES = { step: "Step", time: "Wall time", relative: "Relative time (s)" };

/** The JSON mapping's "NaN"/"Infinity" strings as numbers (charts draw them as gaps). */
export function chartValue(value) {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

/** A param as a chart value: a number when it reads as one, else its text (null if unset). */
export function numberOrText(value) {
  if (value === undefined) return null;
  const number = Number(value);
  return value !== "" && Number.isFinite(number) ? number : value;
}

/** The charts to draw: the overlaid metrics in one (when more than one is chosen), then
 * every other metric alone. */
export function chartGroups(keys, overlay) {
  const groups = [];
  if (overlay.size > 1) groups.push([...overlay]);
  for (const key of keys) if (overlay.size <= 1 || !overlay.has(key)) groups.push([key]);
  return groups;
}

/** The query for one metric's history in a chart `width` pixels wide, within a zoomed x
 * `range` (null for all of it). */
export function historyQuery(run, key, xMode, width, range) {
  const bounds = range ? toServerRange(range, xMode, run) : {};
  return {
    run_id: run.run_id, key, x: xMode === "step" ? "step" : "time", max_points: Math.max(200, Math.min(4000, width * 2)), ...bounds,
  };
}

export function xValues(data, xMode, run) {
  if (xMode === "step") return data.steps;
  if (xMode === "time") return data.timestamps.map((t) => new Date(t));
  return data.timestamps.map((t) => (t - run.start_time) / 1000);
}

/** A zoomed x range as the server's x_min/x_max: steps, or epoch milliseconds. */
export function toServerRange([low, high], xMode, run) {
  if (xMode === "step") return { x_min: Math.floor(Number(low)), x_max: Math.ceil(Number(high)) };
  if (xMode === "relative") return { x_min: run.start_time + Number(low) * 1000, x_max: run.start_time + Number(high) * 1000 };
  const toMs = (value) => typeof value === "number" ? value : Date.parse(String(value).replace(" ", "T"));
  return { x_min: toMs(low), x_max: toMs(high) };
}

/** Scatter traces of loaded histories (`[{ run, key, data }]`) in a chart of `runs` and
 * `keys`, named by what tells them apart. */
export function historyTraces(series, runs, keys, xMode) {
  return series.map(({ run, key, data }) => ({
    type: "scatter",
    mode: data.values.length < 60 ? "lines+markers" : "lines",
    name: runs.length > 1 ? (keys.length > 1 ? `${run.run_name} · ${key}` : run.run_name) : key,
    x: xValues(data, xMode, run),
    y: data.values.map(chartValue),
  }));
}

/** The line under a chart: how many points its histories hold, and whether they are thinned. */
export function pointsNote(series) {
  const thinned = series.filter((s) => s.data.thinned);
  const total = series.reduce((sum, s) => sum + s.data.total_points, 0);
  return thinned.length
    ? `${total.toLocaleString()} points; showing each bucket's min and max, zoom in for detail`
    : `${total.toLocaleString()} points`;
}

export function historyLayout(runs, keys, xMode) {
  return {
    title: { text: keys.join(", "), font: { size: 13 } },
    margin: { l: 55, r: 15, t: 32, b: 40 },
    xaxis: { title: { text: X_MODES[xMode] }, type: xMode === "time" ? "date" : "linear" },
    yaxis: { automargin: true },
    showlegend: runs.length > 1 || keys.length > 1,
    legend: { orientation: "h", y: -0.25 },
    hovermode: "x unified",
  };
}

/** The x range a plotly_relayout event zooms to: `[low, high]`, null when it resets the
 * axis, undefined when it does not change the x-axis. */
export function relayoutRange(event) {
  if (event["xaxis.range[0]"] !== undefined) return [event["xaxis.range[0]"], event["xaxis.range[1]"]];
  if (Array.isArray(event["xaxis.range"])) return event["xaxis.range"];
  if (!event["xaxis.autorange"]) return undefined;
  return null;
}

/** A layout showing x `range`, or the whole axis for null. */
export function zoomedLayout(layout, range) {
  return { ...layout, xaxis: { ...layout.xaxis, autorange: !range, range: range || undefined } };
}

/** A parcoords trace: numeric columns as ranges, text columns as labelled categories,
 * lines coloured by the last metric. */
export function parallelTrace(runs, columns, metricKeys) {
  const dimensions = columns.map((column) => {
    const values = runs.map(column.value);
    if (values.every((v) => v === null || typeof v === "number")) {
      return { label: column.label, values: values.map((v) => v ?? NaN) };
    }
    const categories = [...new Set(values.map((v) => String(v ?? "")))];
    return { label: column.label, values: values.map((v) => categories.indexOf(String(v ?? ""))),
      tickvals: categories.map((_, i) => i), ticktext: categories };
  });
  const colorKey = metricKeys[metricKeys.length - 1];
  const line = colorKey ? { color: runs.map((r) => chartValue(r.metrics[colorKey]) ?? 0), colorscale: "Viridis", showscale: true,
    colorbar: { title: { text: colorKey } } } : {};
  return { type: "parcoords", dimensions, line };
}
