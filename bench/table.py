"""The benchmark's table: one row per figure, a column per library, and for each other
library its cost over rtrack's. A cell that could not be measured reads "n/a" with a
numbered footnote saying why; a figure measured another way than MLflow's carries one too."""

import statistics
import sys

COMPARATORS = ("mlflow", "trackio", "aim")
LIBS = COMPARATORS + ("rtrack",)
LABELS = {"mlflow": "mlflow", "trackio": "trackio", "aim": "aim", "rtrack": "rtrack"}


def fmt_time(s):
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.2f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_rate(r):
    return f"{r / 1e6:.2f}M pts/s" if r >= 1e6 else f"{r / 1e3:.1f}k pts/s"


FORMATS = {"time": fmt_time, "rate": fmt_rate, "bytes": lambda b: f"{b:.1f} B/pt"}


def ratio(kind, other, rtrack):
    """The other library's cost over rtrack's: time or bytes, and for a rate (points/s)
    the inverse, so above 1 always means rtrack is better."""
    if other is None or not rtrack:
        return None
    return rtrack / other if kind == "rate" else other / rtrack


def row(measure, kind, values, goal=None, notes=None):
    """``values``: library -> figure (None where not measured); ``notes``: library -> why
    a cell is n/a, or how its figure differs. ``goal`` is the ratio over MLflow that
    issue 3 asks for."""
    ratios = {lib: ratio(kind, values.get(lib), values["rtrack"]) for lib in COMPARATORS}
    verdict = None if goal is None or ratios["mlflow"] is None else ("PASS" if ratios["mlflow"] >= goal else "MISS")
    return {
        "measure": measure,
        "kind": kind,
        "values": {lib: values.get(lib) for lib in LIBS},
        "ratios": ratios,
        "goal": goal,
        "verdict": verdict,
        "notes": {lib: note for lib, note in (notes or {}).items() if note},
    }


class Figures:
    """Access to the workers' raw figures: ``get(measure_id, lib)`` is that worker's
    figures or None, ``why(measure_id, lib)`` the reason it did not run."""

    def __init__(self, raw, reasons):
        self.raw, self.reasons = raw, reasons

    def get(self, measure_id, lib):
        result = self.raw.get(measure_id, {}).get(lib)
        return None if result is None else result["figures"]

    def why(self, measure_id, lib):
        return self.reasons.get(measure_id, {}).get(lib)


def _pick(figures, measure_id, key, libs=LIBS):
    """(values, n/a reasons) of one figure across the libraries."""
    values, notes = {}, {}
    for lib in libs:
        got = figures.get(measure_id, lib)
        if got is None:
            values[lib], notes[lib] = None, figures.why(measure_id, lib)
        else:
            values[lib] = key(got) if callable(key) else got[key]
    return values, notes


def build_rows(imports, import_reasons, figures):
    rows = []
    values = {lib: statistics.median(imports[lib]) if imports.get(lib) else None for lib in LIBS}
    rows.append(row("import (fresh interpreter, median)", "time", values, 30, import_reasons))

    lm_notes = {
        "trackio": "trackio: log({key: value}, step=i); it queues the point for a thread that writes every 0.5 s",
        "aim": "Aim: run.track(value, name=key, step=i); it writes to the run's RocksDB before returning",
    }
    v, n = _pick(figures, "log_metric", "median_s")
    rows.append(row("log_metric, median call", "time", v, 5000, {**_present(lm_notes, v), **n}))
    v, n = _pick(figures, "log_metric", "p99_s")
    rows.append(row("log_metric, p99 call", "time", v, None, {**_present(lm_notes, v), **n}))
    v, n = _pick(figures, "log_metric", "durable_per_point_s")
    durable_notes = {
        "trackio": "trackio: the loop + finish(), its only way to write what it queued",
        "rtrack": _flush_note(figures),
    }
    rows.append(
        row("log_metric, durable cost/point (loop + flush) / n", "time", v, None, {**_present(durable_notes, v), **n})
    )

    bulk_notes = {
        "trackio": "trackio has no batch call: log() per point, then finish()",
        "aim": "Aim has no batch call: track() per point",
    }
    v, n = _pick(figures, "ingest", "points_per_s")
    rows.append(
        row(
            "bulk ingest (log_batch x1000 / log_metric_series+flush)", "rate", v, 1000, {**_present(bulk_notes, v), **n}
        )
    )
    v1000 = dict(v)
    chunked = figures.get("ingest_1000", "rtrack")
    v1000["rtrack"] = None if chunked is None else chunked["points_per_s"]
    rows.append(row("bulk ingest, rtrack in 1,000-point calls (others: row above)", "rate", v1000, None, n))

    for run_id, label in (("run_3p2m", "3 params, 2 metrics"), ("run_6p3m", "6 params, 3 metrics")):
        run_notes = {
            "trackio": "trackio: init(config=params), a log() per metric, finish()",
            "aim": "Aim: Run(), run[key] = value per param, a track() per metric, close() (indexing not counted)",
        }
        v, n = _pick(figures, run_id, "median_s")
        rows.append(row(f"run: start, {label}, end", "time", v, 150, {**_present(run_notes, v), **n}))

    rows += _history_rows(figures)
    rows += _search_rows(figures)
    rows += _http_rows(figures)

    v, n = _pick(figures, "ingest", "bytes_per_point")
    points = (figures.get("ingest", "rtrack") or {}).get("points", 0)
    bytes_notes = {"aim": "Aim: every file of its repo folder (RocksDB tables, WAL and LOG files; an SQLite file)"}
    rows.append(
        row(f"bytes/point on disk ({points // 1000}k pts, bulk)", "bytes", v, 8, {**_present(bytes_notes, v), **n})
    )
    v, n = _pick(figures, "log_metric", "bytes_per_point")
    rows.append(row("bytes/point on disk (log_metric one by one)", "bytes", v, None, {**_present(bytes_notes, v), **n}))
    return rows


def _present(notes, values):
    return {lib: note for lib, note in notes.items() if values.get(lib) is not None}


def _flush_note(figures):
    lm = figures.get("log_metric", "rtrack")
    if lm is None:
        return None
    return f"rtrack: flush after {lm['calls']:,} calls took {fmt_time(lm['flush_s'])}"


def _history_rows(figures):
    rows = []
    rtrack = figures.get("history", "rtrack")
    if rtrack is None:
        return rows
    sizes = sorted({int(key.split("/")[1]) for key in rtrack})
    reader_notes = {
        "trackio": "trackio: SQLiteStorage.get_metric_values, the reader behind `trackio get metric`",
        "aim": "Aim: Run(hash, read_only=True).get_metric(key, Context({})).data.numpy()",
    }
    for n in sizes:
        for reader in ("get_metric_history", "get_metric_series"):

            def only_reader(found, n=n):
                # The comparators have one reader each; rtrack's is picked by name.
                return next(value["median_s"] for key, value in found.items() if key.endswith(f"/{n}"))

            v, notes = _pick(figures, "history", only_reader, COMPARATORS)
            v["rtrack"] = rtrack[f"{reader}/{n}"]["median_s"]
            rows.append(
                row(
                    f"history read {n // 1000}k pts (rtrack {reader})",
                    "time",
                    v,
                    150,
                    {**_present(reader_notes, v), **notes},
                )
            )
    return rows


def _search_rows(figures):
    rows = []
    rtrack = figures.get("search", "rtrack")
    if rtrack is None:
        return rows
    list_notes = {
        "trackio": "trackio: Api().runs(project) with each run's config (no metric values)",
        "aim": "Aim: repo.query_runs(query), each run's params and metrics' last values",
    }
    pandas_notes = {"aim": "Aim: repo.query_runs(query).dataframe() (run properties and params)"}
    for label in ("all", "filtered"):
        for output_format in ("list", "pandas"):
            key = f"{label}/{output_format}"
            values, notes = {"rtrack": rtrack[key]["median_s"]}, {}
            for lib in COMPARATORS:
                got = figures.get("search", lib)
                if got is None:
                    values[lib], notes[lib] = None, figures.why("search", lib)
                elif "unsupported" in got[key]:
                    values[lib], notes[lib] = None, got[key]["unsupported"]
                else:
                    if got[key]["rows"] != rtrack[key]["rows"]:
                        found = f"{got[key]['rows']} runs in {lib}, {rtrack[key]['rows']} in rtrack"
                        sys.exit(f"bench: search {key} found {found}")
                    values[lib] = got[key]["median_s"]
                    notes[lib] = (list_notes if output_format == "list" else pandas_notes).get(lib)
            rows.append(
                row(
                    f"search_runs {rtrack['runs']:,} runs, {label} ({rtrack[key]['rows']} rows), {output_format}",
                    "time",
                    values,
                    40,
                    notes,
                )
            )
    return rows


def _http_rows(figures):
    rtrack = figures.get("over_http", "rtrack")
    if rtrack is None:
        return []
    mlflow = figures.get("over_http", "mlflow") or {}
    why = {lib: figures.why("over_http", lib) for lib in COMPARATORS if figures.get("over_http", lib) is None}
    cases = (
        (
            "mlflow client log_metric over HTTP (to mlflow server / to rtrack server)",
            "time",
            "log_metric",
            "log_metric",
        ),
        ("mlflow client log_batch x1000 over HTTP (mlflow / rtrack server)", "rate", "log_batch", "log_batch"),
        (
            "rtrack client over HTTP: log_metric+flush (vs mlflow log_batch to mlflow server)",
            "rate",
            "log_batch",
            "flushed",
        ),
        (
            "rtrack client over HTTP: log_metric_series (vs mlflow log_batch to mlflow server)",
            "rate",
            "log_batch",
            "series",
        ),
    )
    pick = {
        "log_metric": lambda f: f["log_metric"]["median"],
        "log_batch": lambda f: f["log_batch_points_per_s"],
        "flushed": lambda f: f["log_metric_flushed_points_per_s"],
        "series": lambda f: f["log_metric_series_points_per_s"],
    }
    rows = []
    for measure, kind, mlflow_key, rtrack_key in cases:
        values = {"mlflow": pick[mlflow_key](mlflow) if mlflow else None, "rtrack": pick[rtrack_key](rtrack)}
        rows.append(row(measure, kind, values, None, why))
    return rows


def render(rows):
    """The table as text, and its footnotes (one per distinct note, numbered)."""
    footnotes = []

    def mark(note):
        if note not in footnotes:
            footnotes.append(note)
        return f" [{footnotes.index(note) + 1}]"

    header = ["measure"] + [LABELS[lib] for lib in LIBS] + [f"{LABELS[lib]}/rtrack" for lib in COMPARATORS] + ["goal"]
    lines = []
    for r in rows:
        fmt = FORMATS[r["kind"]]
        cells = [r["measure"]]
        for lib in LIBS:
            value, note = r["values"][lib], r["notes"].get(lib)
            text = "n/a" if value is None else fmt(value)
            cells.append(text + (mark(note) if note else ""))
        for lib in COMPARATORS:
            x = r["ratios"][lib]
            cells.append("-" if x is None else (f"{x:,.0f}x" if x >= 100 else f"{x:.1f}x"))
        cells.append("(info)" if r["goal"] is None else f">= {r['goal']:,}x {r['verdict'] or ''}".rstrip())
        lines.append(cells)
    widths = [max(len(x[i]) for x in lines + [header]) for i in range(len(header))]
    out = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for line in lines:
        out.append(
            "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))) + " |"
        )
    notes = [f"[{i + 1}] {note}" for i, note in enumerate(footnotes)]
    return "\n".join(out), notes


def behind(rows):
    """The rows where another library's figure beats rtrack's, with the ratio."""
    return [(r["measure"], lib, x) for r in rows for lib, x in r["ratios"].items() if x is not None and x < 1]
