"""rtrack and MLflow side by side, in one run on this machine; prints a table and writes
it to bench/out/results.json. Run it through scripts/bench.sh, which installs both.

    python bench/bench.py [--quick] [--keep]

Every measure runs for both libraries, each in a fresh process and a fresh temporary
folder (MLflow on its own SQLite store, rtrack on a new store folder), MLflow first and
rtrack right after, so both see the same machine load. MLflow's slow cases run fewer
repetitions; every figure is per call, per run or per point, so the counts do not bias
the comparison (the counts are printed under the table)."""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")

# measure id -> (measure, MLflow's parameters, rtrack's parameters); None skips a side.
FULL_PLAN = {
    "log_metric": ("log_metric", {"n": 1000}, {"n": 200_000}),
    # rtrack's fast measures repeat enough to last about as long as MLflow's (~1 s), so a
    # passing hiccup of the machine weighs on both alike.
    "run_3p2m": (
        "run_overhead",
        {"runs": 50, "n_params": 3, "n_metrics": 2},
        {"runs": 8000, "n_params": 3, "n_metrics": 2},
    ),
    "run_6p3m": (
        "run_overhead",
        {"runs": 40, "n_params": 6, "n_metrics": 3},
        {"runs": 8000, "n_params": 6, "n_metrics": 3},
    ),
    "ingest": ("ingest", {"n": 200_000, "reps": 1}, {"n": 200_000, "reps": 7}),
    "ingest_1000": ("ingest", None, {"n": 200_000, "reps": 5, "batch": 1000}),
    "history": (
        "history",
        {"sizes": [20_000, 100_000], "reps": {"20000": 7, "100000": 5}},
        {"sizes": [20_000, 100_000], "reps": {"20000": 30, "100000": 20}},
    ),
    "search": ("search", {"runs": 1000, "reps": 9}, {"runs": 1000, "reps": 300}),
    "over_http": (
        "over_http",
        {"n_calls": 300, "n_batches": 10},
        {"n_calls": 300, "n_batches": 10, "n_rtrack_points": 100_000},
    ),
}
IMPORT_REPS = 7

# A smoke run of the whole pipeline in about a minute; its figures are not the benchmark.
QUICK_PLAN = {
    "log_metric": ("log_metric", {"n": 50}, {"n": 20_000}),
    "run_3p2m": (
        "run_overhead",
        {"runs": 5, "n_params": 3, "n_metrics": 2},
        {"runs": 50, "n_params": 3, "n_metrics": 2},
    ),
    "run_6p3m": (
        "run_overhead",
        {"runs": 5, "n_params": 6, "n_metrics": 3},
        {"runs": 50, "n_params": 6, "n_metrics": 3},
    ),
    "ingest": ("ingest", {"n": 10_000, "reps": 1}, {"n": 10_000, "reps": 3}),
    "ingest_1000": ("ingest", None, {"n": 10_000, "reps": 3, "batch": 1000}),
    "history": (
        "history",
        {"sizes": [2_000, 10_000], "reps": {"2000": 2, "10000": 2}},
        {"sizes": [2_000, 10_000], "reps": {"2000": 5, "10000": 5}},
    ),
    "search": ("search", {"runs": 100, "reps": 2}, {"runs": 100, "reps": 5}),
    "over_http": (
        "over_http",
        {"n_calls": 20, "n_batches": 2},
        {"n_calls": 20, "n_batches": 2, "n_rtrack_points": 5_000},
    ),
}
QUICK_IMPORT_REPS = 2


def child_env():
    env = dict(os.environ)
    # No network here; MLflow's usage telemetry would only try and fail in the background.
    env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true")
    # numpy's OpenBLAS threads spin after use and would steal one of the two cores from
    # whichever side is measured; neither library needs BLAS.
    env.update(OPENBLAS_NUM_THREADS="1")
    env.pop("MLFLOW_TRACKING_URI", None)
    env.pop("RTRACK_TRACKING_URI", None)
    return env


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def import_times(lib, reps, scratch):
    """Seconds for ``import lib`` in a fresh interpreter, timed inside the child with
    perf_counter around the import statement alone; one untimed warm-up first (it
    writes the bytecode caches)."""
    code = f"import time; t = time.perf_counter(); import {lib}; print(time.perf_counter() - t)"
    times = []
    for rep in range(reps + 1):
        done = subprocess.run(
            [sys.executable, "-c", code], cwd=scratch, env=child_env(), capture_output=True, text=True, check=True
        )
        if rep > 0:
            times.append(float(done.stdout.strip().splitlines()[-1]))
    return times


def settle():
    """Write back what earlier workers left in the page cache, and pause: the kernel's
    background writeback of one side's database would otherwise run on a core while the
    next worker (the other side) is measured."""
    os.sync()
    time.sleep(1)


def run_worker(lib, measure, params, logs, keep):
    settle()
    folder = tempfile.mkdtemp(prefix=f"bench-{lib}-{measure}-")
    out = os.path.join(folder, "result.json")
    log_path = os.path.join(logs, f"{lib}-{measure}-{os.path.basename(folder)}.log")
    began = time.perf_counter()
    with open(log_path, "w") as log_file:
        done = subprocess.run(
            [sys.executable, os.path.join(HERE, "worker.py"), lib, measure, json.dumps(params), out],
            cwd=folder,
            env=child_env(),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        sys.exit(f"bench: {lib} {measure} failed (exit {done.returncode}); see {log_path}")
    with open(out) as f:
        result = json.load(f)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    log(f"  {lib:<6} {measure:<12} {time.perf_counter() - began:6.1f} s")
    return result


# ----- the table -----


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


def row(measure, kind, mlflow, rtrack, goal=None, note=""):
    """One line of the table. ``ratio`` is MLflow's cost over rtrack's: time or bytes, and
    for a rate (points/s) the inverse, so above 1 always means rtrack is better."""
    ratio = None
    if mlflow is not None and rtrack:
        ratio = rtrack / mlflow if kind == "rate" else mlflow / rtrack
    verdict = None if goal is None or ratio is None else ("PASS" if ratio >= goal else "MISS")
    return {
        "measure": measure,
        "kind": kind,
        "mlflow": mlflow,
        "rtrack": rtrack,
        "ratio": ratio,
        "goal": goal,
        "verdict": verdict,
        "note": note,
    }


def build_rows(imports, raw):
    f = {
        measure: {lib: (result or {}).get("figures") for lib, result in sides.items()} for measure, sides in raw.items()
    }
    lm, ing, hist, search = f["log_metric"], f["ingest"], f["history"], f["search"]
    rows = [
        row(
            "import (fresh interpreter, median)",
            "time",
            statistics.median(imports["mlflow"]),
            statistics.median(imports["rtrack"]),
            30,
        ),
        row("log_metric, median call", "time", lm["mlflow"]["median_s"], lm["rtrack"]["median_s"], 5000),
        row("log_metric, p99 call", "time", lm["mlflow"]["p99_s"], lm["rtrack"]["p99_s"]),
        row(
            "log_metric, durable cost/point (loop + flush) / n",
            "time",
            lm["mlflow"]["durable_per_point_s"],
            lm["rtrack"]["durable_per_point_s"],
            note=f"rtrack flush after {lm['rtrack']['calls']:,} calls: {fmt_time(lm['rtrack']['flush_s'])}",
        ),
        row(
            "bulk ingest (log_batch x1000 / log_metric_series+flush)",
            "rate",
            ing["mlflow"]["points_per_s"],
            ing["rtrack"]["points_per_s"],
            1000,
        ),
        row(
            "bulk ingest, rtrack in 1,000-point calls",
            "rate",
            ing["mlflow"]["points_per_s"],
            f["ingest_1000"]["rtrack"]["points_per_s"],
        ),
        row(
            "run: start, 3 params, 2 metrics, end",
            "time",
            f["run_3p2m"]["mlflow"]["median_s"],
            f["run_3p2m"]["rtrack"]["median_s"],
            150,
        ),
        row(
            "run: start, 6 params, 3 metrics, end",
            "time",
            f["run_6p3m"]["mlflow"]["median_s"],
            f["run_6p3m"]["rtrack"]["median_s"],
            150,
        ),
    ]
    sizes = raw["history"]["rtrack"]["params"]["sizes"]
    for n in sizes:
        mlflow_read = hist["mlflow"][f"get_metric_history/{n}"]["median_s"]
        for reader in ("get_metric_history", "get_metric_series"):
            rows.append(
                row(
                    f"history read {n // 1000}k pts (rtrack {reader})",
                    "time",
                    mlflow_read,
                    hist["rtrack"][f"{reader}/{n}"]["median_s"],
                    150,
                )
            )
    runs = search["rtrack"]["runs"]
    for label in ("all", "filtered"):
        for output_format in ("list", "pandas"):
            key = f"{label}/{output_format}"
            m, r = search["mlflow"][key], search["rtrack"][key]
            if m["rows"] != r["rows"]:
                sys.exit(f"bench: search {key} found {m['rows']} runs in MLflow but {r['rows']} in rtrack")
            rows.append(
                row(
                    f"search_runs {runs:,} runs, {label} ({m['rows']} rows), {output_format}",
                    "time",
                    m["median_s"],
                    r["median_s"],
                    40,
                )
            )
    http = f["over_http"]
    rows += [
        row(
            "mlflow client log_metric over HTTP (to mlflow server / to rtrack server)",
            "time",
            http["mlflow"]["log_metric"]["median"],
            http["rtrack"]["log_metric"]["median"],
        ),
        row(
            "mlflow client log_batch x1000 over HTTP (mlflow / rtrack server)",
            "rate",
            http["mlflow"]["log_batch_points_per_s"],
            http["rtrack"]["log_batch_points_per_s"],
        ),
        row(
            "rtrack client over HTTP: log_metric+flush (vs mlflow log_batch to mlflow server)",
            "rate",
            http["mlflow"]["log_batch_points_per_s"],
            http["rtrack"]["log_metric_flushed_points_per_s"],
        ),
        row(
            "rtrack client over HTTP: log_metric_series (vs mlflow log_batch to mlflow server)",
            "rate",
            http["mlflow"]["log_batch_points_per_s"],
            http["rtrack"]["log_metric_series_points_per_s"],
        ),
    ]
    rows.append(
        row(
            f"bytes/point on disk ({ing['rtrack']['points'] // 1000}k pts, bulk)",
            "bytes",
            ing["mlflow"]["bytes_per_point"],
            ing["rtrack"]["bytes_per_point"],
            8,
        )
    )
    rows.append(
        row(
            "bytes/point on disk (log_metric one by one)",
            "bytes",
            lm["mlflow"]["bytes_per_point"],
            lm["rtrack"]["bytes_per_point"],
        )
    )
    return rows


def render(rows):
    header = ["measure", "mlflow", "rtrack", "ratio (mlflow/rtrack)", "goal"]
    lines = []
    for r in rows:
        fmt = FORMATS[r["kind"]]
        ratio = "-" if r["ratio"] is None else (f"{r['ratio']:,.0f}x" if r["ratio"] >= 100 else f"{r['ratio']:.1f}x")
        goal = "(info)" if r["goal"] is None else f">= {r['goal']:,}x {r['verdict']}"
        lines.append(
            [r["measure"], fmt(r["mlflow"]) if r["mlflow"] is not None else "-", fmt(r["rtrack"]), ratio, goal]
        )
    widths = [max(len(x[i]) for x in lines + [header]) for i in range(len(header))]
    out = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    for line in lines:
        out.append(
            "| " + " | ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(line, widths))) + " |"
        )
    return "\n".join(out)


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def counts_note(plan, imports):
    lines = [f"import: {len(imports['mlflow'])} fresh interpreters each, after one untimed warm-up"]
    for measure_id, (_measure, mlflow, rtrack) in plan.items():
        lines.append(f"{measure_id}: mlflow {json.dumps(mlflow) if mlflow else '-'}; rtrack {json.dumps(rtrack)}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes: check the pipeline, not the numbers")
    parser.add_argument("--keep", action="store_true", help="keep the temporary stores")
    args = parser.parse_args()
    plan, import_reps = (QUICK_PLAN, QUICK_IMPORT_REPS) if args.quick else (FULL_PLAN, IMPORT_REPS)
    logs = os.path.join(OUT, "logs")
    os.makedirs(logs, exist_ok=True)
    started, load_before = time.time(), os.getloadavg()

    log("import times")
    scratch = tempfile.mkdtemp(prefix="bench-import-")
    imports = {}
    for lib in ("mlflow", "rtrack"):
        imports[lib] = import_times(lib, import_reps, scratch)
    shutil.rmtree(scratch, ignore_errors=True)
    raw = {}
    for measure_id, (measure, mlflow_params, rtrack_params) in plan.items():
        log(measure_id)
        raw[measure_id] = {
            "mlflow": run_worker("mlflow", measure, mlflow_params, logs, args.keep) if mlflow_params else None,
            "rtrack": run_worker("rtrack", measure, rtrack_params, logs, args.keep),
        }

    rows = build_rows(imports, raw)
    table = render(rows)
    versions = {lib: raw["log_metric"][lib]["version"] for lib in ("mlflow", "rtrack")}
    meta = {
        "quick": args.quick,
        "versions": versions,
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(started)),
        "wall_s": time.time() - started,
        "timer_overhead_ns": raw["log_metric"]["rtrack"]["figures"]["timer_overhead_ns"],
        "counts": counts_note(plan, imports),
    }
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump({"meta": meta, "rows": rows, "imports": imports, "raw": raw}, f, indent=1)

    print(
        f"\nrtrack {versions['rtrack']} vs MLflow {versions['mlflow']} (its SQLite store), "
        f"{meta['machine']['cores']} cores, {meta['machine']['cpu']}, Python {meta['machine']['python']}"
    )
    print(
        f"load average before/after: {load_before[0]:.2f} / {meta['load_average_after'][0]:.2f}; "
        f"wall time {meta['wall_s'] / 60:.1f} min"
        + ("   ** --quick: sizes too small to mean much **" if args.quick else "")
    )
    print()
    print(table)
    print()
    print("ratio = MLflow's cost / rtrack's cost (time or bytes; for points/s, rtrack's rate / MLflow's),")
    print("so above 1 means rtrack is better. Times are medians over repetitions; per-call figures time")
    print(
        f"each call alone (each carries ~{int(meta['timer_overhead_ns'])} ns of timer cost)."
        " rtrack's log_metric returns before the disk"
    )
    print("by design; its 'durable cost/point' row adds the flush that writes them. Every rtrack figure that")
    print("MLflow's counterpart makes durable includes rtrack's flush (bulk ingest, runs via end_run).")
    print("Bytes/point: database size after PRAGMA wal_checkpoint(TRUNCATE), minus the size before the")
    print("points, divided by the points. MLflow runs fewer repetitions where it is slow:")
    for line in meta["counts"]:
        print(f"  {line}")
    misses = [r["measure"] for r in rows if r["verdict"] == "MISS"]
    print(f"\n{sum(r['verdict'] == 'PASS' for r in rows)} PASS, {len(misses)} MISS. JSON: bench/out/results.json")


if __name__ == "__main__":
    main()
