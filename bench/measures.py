"""The measures, written once and run on either side (see ``sides.py``). Each returns a
dict of raw figures (seconds, bytes, counts) and checks that the work really happened:
the points are all there, the reads return every point, the searches agree."""

import time

from common import SEARCH_FILTER, points, search_corpus, summary, timed, timer_overhead_ns


def log_metric(side, n, warmup=20):
    """Per-call latency of one logged point inside an active run, each call timed on its
    own; then the time the side's flush takes to make them all durable (MLflow and Aim
    have nothing to flush: their calls return after the write; trackio's flush is
    ``finish()``, its only way to write what it queued)."""
    run_id = side.start_run()
    values = points(n, seed=1)[2].tolist()
    _log_loop(side, "warmup", [0.5] * warmup)
    side.flush()
    base = side.store_bytes()
    loop_ns, durations = _log_loop(side, "loss", values)
    flush_start = time.perf_counter()
    side.flush(resume=False)
    flush_s = time.perf_counter() - flush_start
    side.end_run()
    stored = side.count_points(run_id, "loss")
    assert stored == n, f"{side.name}: {stored} of {n} logged points stored"
    stats = summary([d / 1e9 for d in durations])
    return {
        "calls": n,
        "median_s": stats["median"],
        "p99_s": stats["p99"],
        "loop_s": loop_ns / 1e9,
        "flush_s": flush_s,
        "durable_per_point_s": (loop_ns / 1e9 + flush_s) / n,
        "bytes_per_point": (side.store_bytes() - base) / n,
        "timer_overhead_ns": timer_overhead_ns(),
    }


def _log_loop(side, key, values):
    """Log ``values`` at steps 0..n-1 one call at a time, each call timed on its own with
    the library's own function and its own calling convention written out (no wrapper):
    MLflow and rtrack ``log_metric(key, value, step=i)``, trackio ``log({key: value},
    step=i)``, Aim ``run.track(value, name=key, step=i)``. The whole loop's time and each
    call's, in nanoseconds."""
    pc = time.perf_counter_ns
    n = len(values)
    durations = [0] * n
    style = getattr(side, "log_style", "mlflow")
    loop_start = pc()
    if style == "mlflow":
        log = side.module.log_metric
        for i in range(n):
            t0 = pc()
            log(key, values[i], step=i)
            durations[i] = pc() - t0
    elif style == "dict":
        log = side.module.log
        for i in range(n):
            t0 = pc()
            log({key: values[i]}, step=i)
            durations[i] = pc() - t0
    else:
        track = side.track
        for i in range(n):
            t0 = pc()
            track(values[i], name=key, step=i)
            durations[i] = pc() - t0
    return pc() - loop_start, durations


def run_overhead(side, runs, n_params, n_metrics, warmup=3):
    """Wall time of one whole run: start, ``n_params`` params, ``n_metrics`` metrics, end
    (rtrack's end_run makes the metrics durable; trackio's finish() writes what it queued).
    Each side's run is in ``side.run_fn``."""
    param_keys = [f"param_{p}" for p in range(n_params)]
    metric_keys = [f"metric_{m}" for m in range(n_metrics)]
    durations, last = timed(side.run_fn(param_keys, metric_keys), runs, warmup)
    stored = side.run_contents(last)
    assert stored == (n_params, n_metrics), f"{side.name}: run incomplete, {stored} params/metrics stored"
    return {"runs": runs, "params": n_params, "metrics": n_metrics, **_stats(durations)}


def ingest(side, n, reps, batch=None, seed=3):
    """Durable bulk ingest of ``n`` points per repetition, each to a new key of one run.
    Bytes on disk per point: the store's size once the run has ended, minus its size
    before the first repetition, divided by all the points written. Every key is read
    back once the run has ended (Aim's readers see a run once it is closed)."""
    run_id = side.start_run()
    side.flush()
    steps, timestamps, values = points(n, seed)
    rates, per_call_rates, keys = [], [], []
    before = side.store_bytes()
    for rep in range(reps):
        key = f"ingest_{rep}"
        segments = side.bulk_write(run_id, key, steps, timestamps, values, batch=batch)
        total_s = sum(seconds for _, seconds in segments)
        rates.append(n / total_s)
        per_call_rates.extend(count / seconds for count, seconds in segments)
        keys.append(key)
    side.end_run()
    bytes_per_point = (side.store_bytes() - before) / (n * reps)
    for key in keys:
        stored = side.count_points(run_id, key)
        assert stored == n, f"{side.name}: {stored} of {n} ingested points stored"
    rates.sort()
    per_call_rates.sort()
    return {
        "points": n,
        "reps": reps,
        "batch": batch,
        "calls_per_rep": len(segments),
        "points_per_s": rates[len(rates) // 2],
        "per_call_points_per_s_median": per_call_rates[len(per_call_rates) // 2],
        "bytes_per_point": bytes_per_point,
    }


def history(side, sizes, reps):
    """Read back whole histories of each size with every reader the side has. The
    histories are written with the side's bulk call (MLflow: log_batch; trackio and Aim,
    which have none, a call per point)."""
    run_id = side.start_run()
    written = {}
    for n in sizes:
        steps, timestamps, values = points(n, seed=n)
        side.bulk_write(run_id, f"history_{n}", steps, timestamps, values)
        written[n] = float(values[-1])
    side.end_run()
    results = {}
    for n in sizes:
        for reader, (read, count, last_value) in side.history_readers().items():
            durations, result = timed(lambda read=read, n=n: read(run_id, f"history_{n}"), reps[str(n)])
            assert count(result) == n, f"{side.name} {reader}: {count(result)} of {n} points"
            assert last_value(result) == written[n], f"{side.name} {reader}: wrong last point"
            results[f"{reader}/{n}"] = _stats(durations)
    return results


def search(side, runs, reps):
    """``search_runs`` over ``runs`` finished runs (3 params, 3 metrics each): all of them
    and a filtered subset, as a list of Run objects and as a pandas DataFrame. A case the
    side has no call for is recorded with the reason (``side.unsupported``)."""
    began = time.perf_counter()
    for name, params, metrics in search_corpus(runs):
        side.create_finished_run(name, params, metrics)
    results = {"runs": runs, "setup_s": time.perf_counter() - began}
    unsupported = getattr(side, "unsupported", {})
    for label, filter_string in (("all", ""), ("filtered", SEARCH_FILTER)):
        for output_format in ("list", "pandas"):
            reason = unsupported.get(label) or unsupported.get(output_format)
            if reason:
                results[f"{label}/{output_format}"] = {"unsupported": reason}
                continue
            durations, found = timed(lambda fmt=output_format, where=filter_string: side.search(fmt, where), reps)
            results[f"{label}/{output_format}"] = {**_stats(durations), "rows": len(found)}
    return results


def _stats(durations):
    stats = summary(durations)
    return {"median_s": stats["median"], "p99_s": stats["p99"], "min_s": stats["min"], "reps": stats["n"]}


from over_http import over_http  # noqa: E402

MEASURES = {
    "log_metric": log_metric,
    "run_overhead": run_overhead,
    "ingest": ingest,
    "history": history,
    "search": search,
    "over_http": over_http,
}
