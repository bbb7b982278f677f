"""rtrack beside MLflow, trackio and Aim, in one run on this machine; prints a table and
writes it to bench/out/results.json. Run it through scripts/bench.sh, which installs them
(MLflow into .venv with rtrack, trackio and Aim each into its own venv under bench/.venvs).

    python bench/bench.py [--quick] [--keep]

Every measure runs for every library, each in a fresh process (of that library's own
interpreter) and a fresh temporary folder (MLflow on its own SQLite store, trackio on its
SQLite project file, Aim on a new repo folder, rtrack on a new store folder), MLflow,
trackio and Aim first and rtrack right after, so all see the same machine load. The slow
cases run fewer repetitions; every figure is per call, per run or per point, so the counts
do not bias the comparison (the counts are printed under the table)."""

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

from table import LIBS, Figures, behind, build_rows, render

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
VENVS = os.path.join(HERE, ".venvs")

# Why a library sits out a measure (a string in the plan instead of its parameters).
HTTP_ONLY = "the HTTP rows time the mlflow client against a server speaking MLflow's REST API"
RTRACK_ONLY = "rtrack's own variant; the row compares it with each library's bulk figure"

# measure id -> (measure, {library: parameters, or why it does not run it}).
FULL_PLAN = {
    # trackio queues like rtrack, so it logs as many points; Aim writes each call like MLflow.
    "log_metric": (
        "log_metric",
        {"mlflow": {"n": 1000}, "trackio": {"n": 200_000}, "aim": {"n": 5000}, "rtrack": {"n": 200_000}},
    ),
    # rtrack's fast measures repeat enough to last about as long as the others' (~1-3 s), so
    # a passing hiccup of the machine weighs on all alike.
    "run_3p2m": (
        "run_overhead",
        {
            "mlflow": {"runs": 50, "n_params": 3, "n_metrics": 2},
            "trackio": {"runs": 50, "n_params": 3, "n_metrics": 2},
            "aim": {"runs": 40, "n_params": 3, "n_metrics": 2},
            "rtrack": {"runs": 8000, "n_params": 3, "n_metrics": 2},
        },
    ),
    "run_6p3m": (
        "run_overhead",
        {
            "mlflow": {"runs": 40, "n_params": 6, "n_metrics": 3},
            "trackio": {"runs": 40, "n_params": 6, "n_metrics": 3},
            "aim": {"runs": 40, "n_params": 6, "n_metrics": 3},
            "rtrack": {"runs": 8000, "n_params": 6, "n_metrics": 3},
        },
    ),
    "ingest": (
        "ingest",
        {
            "mlflow": {"n": 200_000, "reps": 1},
            "trackio": {"n": 200_000, "reps": 3},
            "aim": {"n": 200_000, "reps": 1},
            "rtrack": {"n": 200_000, "reps": 7},
        },
    ),
    "ingest_1000": (
        "ingest",
        {
            "mlflow": RTRACK_ONLY,
            "trackio": RTRACK_ONLY,
            "aim": RTRACK_ONLY,
            "rtrack": {"n": 200_000, "reps": 5, "batch": 1000},
        },
    ),
    "history": (
        "history",
        {
            "mlflow": {"sizes": [20_000, 100_000], "reps": {"20000": 7, "100000": 5}},
            "trackio": {"sizes": [20_000, 100_000], "reps": {"20000": 7, "100000": 5}},
            "aim": {"sizes": [20_000, 100_000], "reps": {"20000": 7, "100000": 5}},
            "rtrack": {"sizes": [20_000, 100_000], "reps": {"20000": 30, "100000": 20}},
        },
    ),
    "search": (
        "search",
        {
            "mlflow": {"runs": 1000, "reps": 9},
            "trackio": {"runs": 1000, "reps": 9},
            "aim": {"runs": 1000, "reps": 5},
            "rtrack": {"runs": 1000, "reps": 300},
        },
    ),
    "over_http": (
        "over_http",
        {
            "mlflow": {"n_calls": 300, "n_batches": 10},
            "trackio": HTTP_ONLY,
            "aim": HTTP_ONLY,
            "rtrack": {"n_calls": 300, "n_batches": 10, "n_rtrack_points": 100_000},
        },
    ),
}
IMPORT_REPS = 7

# A smoke run of the whole pipeline in a few minutes; its figures are not the benchmark.
QUICK_PLAN = {
    "log_metric": (
        "log_metric",
        {"mlflow": {"n": 50}, "trackio": {"n": 2000}, "aim": {"n": 200}, "rtrack": {"n": 20_000}},
    ),
    "run_3p2m": (
        "run_overhead",
        {
            "mlflow": {"runs": 5, "n_params": 3, "n_metrics": 2},
            "trackio": {"runs": 5, "n_params": 3, "n_metrics": 2},
            "aim": {"runs": 5, "n_params": 3, "n_metrics": 2},
            "rtrack": {"runs": 50, "n_params": 3, "n_metrics": 2},
        },
    ),
    "run_6p3m": (
        "run_overhead",
        {
            "mlflow": {"runs": 5, "n_params": 6, "n_metrics": 3},
            "trackio": {"runs": 5, "n_params": 6, "n_metrics": 3},
            "aim": {"runs": 5, "n_params": 6, "n_metrics": 3},
            "rtrack": {"runs": 50, "n_params": 6, "n_metrics": 3},
        },
    ),
    "ingest": (
        "ingest",
        {
            "mlflow": {"n": 10_000, "reps": 1},
            "trackio": {"n": 10_000, "reps": 1},
            "aim": {"n": 2_000, "reps": 1},
            "rtrack": {"n": 10_000, "reps": 3},
        },
    ),
    "ingest_1000": (
        "ingest",
        {
            "mlflow": RTRACK_ONLY,
            "trackio": RTRACK_ONLY,
            "aim": RTRACK_ONLY,
            "rtrack": {"n": 10_000, "reps": 3, "batch": 1000},
        },
    ),
    "history": (
        "history",
        {
            "mlflow": {"sizes": [2_000, 10_000], "reps": {"2000": 2, "10000": 2}},
            "trackio": {"sizes": [2_000, 10_000], "reps": {"2000": 2, "10000": 2}},
            "aim": {"sizes": [2_000, 10_000], "reps": {"2000": 2, "10000": 2}},
            "rtrack": {"sizes": [2_000, 10_000], "reps": {"2000": 5, "10000": 5}},
        },
    ),
    "search": (
        "search",
        {
            "mlflow": {"runs": 100, "reps": 2},
            "trackio": {"runs": 100, "reps": 2},
            "aim": {"runs": 100, "reps": 2},
            "rtrack": {"runs": 100, "reps": 5},
        },
    ),
    "over_http": (
        "over_http",
        {
            "mlflow": {"n_calls": 20, "n_batches": 2},
            "trackio": HTTP_ONLY,
            "aim": HTTP_ONLY,
            "rtrack": {"n_calls": 20, "n_batches": 2, "n_rtrack_points": 5_000},
        },
    ),
}
QUICK_IMPORT_REPS = 2


def interpreter(lib):
    """(python, None) for a library that can run here, or (None, why not). MLflow and rtrack
    share .venv (this interpreter); trackio and Aim have a venv each (scripts/bench.sh),
    whose install failure, if any, it left in bench/.venvs/LIB.unavailable."""
    if lib in ("mlflow", "rtrack"):
        return sys.executable, None
    python = os.path.join(VENVS, lib, "bin", "python")
    if os.path.exists(python):
        return python, None
    try:
        with open(os.path.join(VENVS, f"{lib}.unavailable")) as f:
            return None, f"{lib} could not be installed: {' '.join(f.read().split())}"
    except OSError:
        return None, f"{lib} is not installed (scripts/bench.sh installs it in bench/.venvs/{lib})"


def child_env(folder=None):
    env = dict(os.environ)
    # No network here; MLflow's usage telemetry would only try and fail in the background,
    # and trackio loads huggingface_hub, which must not look for the Hub either.
    env.update(MLFLOW_DISABLE_TELEMETRY="true", DO_NOT_TRACK="true", HF_HUB_OFFLINE="1", HF_HUB_DISABLE_TELEMETRY="1")
    # numpy's OpenBLAS threads spin after use and would steal one of the two cores from
    # whichever side is measured; no library here needs BLAS.
    env.update(OPENBLAS_NUM_THREADS="1")
    for name in ("MLFLOW_TRACKING_URI", "RTRACK_TRACKING_URI", "TRACKIO_SPACE_ID", "TRACKIO_SERVER_URL"):
        env.pop(name, None)
    # trackio's data folder, read at import: inside the fresh folder (the trackio worker
    # sets it again itself).
    env["TRACKIO_DIR"] = os.path.join(folder or tempfile.gettempdir(), "trackio")
    return env


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def import_times(python, lib, reps, scratch):
    """Seconds for ``import lib`` in a fresh interpreter, timed inside the child with
    perf_counter around the import statement alone; one untimed warm-up first (it
    writes the bytecode caches)."""
    code = f"import time; t = time.perf_counter(); import {lib}; print(time.perf_counter() - t)"
    times = []
    for rep in range(reps + 1):
        done = subprocess.run(
            [python, "-c", code], cwd=scratch, env=child_env(scratch), capture_output=True, text=True, check=True
        )
        if rep > 0:
            times.append(float(done.stdout.strip().splitlines()[-1]))
    return times


def settle():
    """Write back what earlier workers left in the page cache, and pause: the kernel's
    background writeback of one side's store would otherwise run on a core while the
    next worker (another side) is measured."""
    os.sync()
    time.sleep(1)


def run_worker(python, lib, measure, params, logs, keep):
    settle()
    folder = tempfile.mkdtemp(prefix=f"bench-{lib}-{measure}-")
    out = os.path.join(folder, "result.json")
    log_path = os.path.join(logs, f"{lib}-{measure}-{os.path.basename(folder)}.log")
    began = time.perf_counter()
    with open(log_path, "w") as log_file:
        done = subprocess.run(
            [python, os.path.join(HERE, "worker.py"), lib, measure, json.dumps(params), out],
            cwd=folder,
            env=child_env(folder),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    if done.returncode != 0:
        sys.exit(f"bench: {lib} {measure} failed (exit {done.returncode}); see {log_path}")
    with open(out) as f:
        result = json.load(f)
    if not keep:
        shutil.rmtree(folder, ignore_errors=True)
    log(f"  {lib:<7} {measure:<12} {time.perf_counter() - began:6.1f} s")
    return result


def machine():
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}


def counts_note(plan, imports):
    reps = max((len(times) for times in imports.values() if times), default=0)
    lines = [f"import: {reps} fresh interpreters each, after one untimed warm-up"]
    for measure_id, (_measure, per_lib) in plan.items():
        parts = [f"{lib} {json.dumps(params)}" for lib, params in per_lib.items() if isinstance(params, dict)]
        lines.append(f"{measure_id}: " + "; ".join(parts))
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
    pythons, missing = {}, {}
    for lib in LIBS:
        pythons[lib], why = interpreter(lib)
        if why:
            missing[lib] = why
            log(f"left out: {why}")

    log("import times")
    scratch = tempfile.mkdtemp(prefix="bench-import-")
    imports = {lib: import_times(pythons[lib], lib, import_reps, scratch) for lib in LIBS if lib not in missing}
    shutil.rmtree(scratch, ignore_errors=True)
    raw, reasons = {}, {}
    for measure_id, (measure, per_lib) in plan.items():
        log(measure_id)
        raw[measure_id], reasons[measure_id] = {}, {}
        for lib in LIBS:
            params = per_lib.get(lib)
            if lib in missing or not isinstance(params, dict):
                raw[measure_id][lib], reasons[measure_id][lib] = None, missing.get(lib) or params
                continue
            raw[measure_id][lib] = run_worker(pythons[lib], lib, measure, params, logs, args.keep)

    rows = build_rows(imports, missing, Figures(raw, reasons))
    table, footnotes = render(rows)
    versions = {lib: raw["log_metric"][lib]["version"] for lib in LIBS if raw["log_metric"].get(lib)}
    meta = {
        "quick": args.quick,
        "versions": versions,
        "left_out": missing,
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
        json.dump({"meta": meta, "rows": rows, "footnotes": footnotes, "imports": imports, "raw": raw}, f, indent=1)

    stores = {"mlflow": "its SQLite store", "trackio": "its SQLite project file", "aim": "its repo folder"}
    others = ", ".join(f"{lib} {versions[lib]} ({stores[lib]})" for lib in stores if lib in versions)
    print(
        f"\nrtrack {versions['rtrack']} vs {others}; {meta['machine']['cores']} cores, "
        f"{meta['machine']['cpu']}, Python {meta['machine']['python']}"
    )
    for why in missing.values():
        print(f"left out: {why}")
    print(
        f"load average before/after: {load_before[0]:.2f} / {meta['load_average_after'][0]:.2f}; "
        f"wall time {meta['wall_s'] / 60:.1f} min"
        + ("   ** --quick: sizes too small to mean much **" if args.quick else "")
    )
    print()
    print(table)
    print()
    for note in footnotes:
        print(note)
    print()
    print("x/rtrack = that library's cost / rtrack's cost (time or bytes; for points/s, rtrack's rate /")
    print("its rate), so above 1 means rtrack is better; goals are against MLflow. Times are medians over")
    print("repetitions; per-call figures time each call alone (each carries")
    print(
        f"~{int(meta['timer_overhead_ns'])} ns of timer cost). rtrack's log_metric returns before the disk"
        " by design; its 'durable"
    )
    print("cost/point' row adds the flush that writes them. Every rtrack figure that MLflow's counterpart")
    print("makes durable includes rtrack's flush (bulk ingest, runs via end_run), and trackio's its finish().")
    print("Bytes/point: the store's size once the run has ended (SQLite after PRAGMA wal_checkpoint(TRUNCATE);")
    print("Aim: all files of its repo folder), minus the size before the points, divided by the points.")
    print("Slow cases run fewer repetitions:")
    for line in meta["counts"]:
        print(f"  {line}")
    misses = [r["measure"] for r in rows if r["verdict"] == "MISS"]
    print(f"\n{sum(r['verdict'] == 'PASS' for r in rows)} PASS, {len(misses)} MISS (goals against MLflow).")
    lagging = behind(rows)
    if lagging:
        print("rtrack does not lead:")
        for measure, lib, x in lagging:
            print(f"  {measure}: {lib}/rtrack = {x:.2f}x")
    else:
        print("rtrack leads every measured cell.")
    print("JSON: bench/out/results.json")


if __name__ == "__main__":
    main()
