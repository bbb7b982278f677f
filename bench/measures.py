"""The measures, written once and run on either side (see ``sides.py``). Each returns a
dict of raw figures (seconds, bytes, counts) and checks that the work really happened:
the points are all there, the reads return every point, the searches agree."""

import time

from common import SEARCH_FILTER, database_bytes, points, search_corpus, summary, timed, timer_overhead_ns


def log_metric(side, n, warmup=20):
    """Per-call latency of ``log_metric(key, value, step=i)`` inside an active run, each
    call timed on its own; then the time ``flush()`` takes to make them all durable (MLflow
    has nothing to flush: its calls return after the write)."""
    run_id = side.start_run()
    log = side.module.log_metric
    for i in range(warmup):
        log("warmup", 0.5, step=i)
    side.flush()
    base = database_bytes(side.db)
    values = points(n, seed=1)[2].tolist()
    pc = time.perf_counter_ns
    durations = [0] * n
    loop_start = pc()
    for i in range(n):
        t0 = pc()
        log("loss", values[i], step=i)
        durations[i] = pc() - t0
    loop_ns = pc() - loop_start
    flush_start = time.perf_counter()
    side.flush()
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
        "bytes_per_point": (database_bytes(side.db) - base) / n,
        "timer_overhead_ns": timer_overhead_ns(),
    }


def run_overhead(side, runs, n_params, n_metrics, warmup=3):
    """Wall time of one whole run: start_run, ``n_params`` log_param, ``n_metrics``
    log_metric, end_run (rtrack's end_run makes the metrics durable)."""
    module = side.module
    param_keys = [f"param_{p}" for p in range(n_params)]
    metric_keys = [f"metric_{m}" for m in range(n_metrics)]

    def one_run():
        run = module.start_run()
        for p, key in enumerate(param_keys):
            module.log_param(key, 0.1 * (p + 1))
        for m, key in enumerate(metric_keys):
            module.log_metric(key, 0.25 * (m + 1))
        module.end_run()
        return run

    durations, last = timed(one_run, runs, warmup)
    stored = module.get_run(last.info.run_id).data
    assert len(stored.params) == n_params and len(stored.metrics) == n_metrics, f"{side.name}: run incomplete"
    return {"runs": runs, "params": n_params, "metrics": n_metrics, **_stats(durations)}


def ingest(side, n, reps, batch=None, seed=3):
    """Durable bulk ingest of ``n`` points per repetition, each to a new key of one run.
    The first repetition also gives bytes on disk per point: database size after a WAL
    checkpoint, minus its size before the points, divided by ``n``."""
    run_id = side.start_run()
    side.flush()
    steps, timestamps, values = points(n, seed)
    rates, per_call_rates, bytes_per_point = [], [], None
    for rep in range(reps):
        before = database_bytes(side.db) if rep == 0 else None
        key = f"ingest_{rep}"
        segments = side.bulk_write(run_id, key, steps, timestamps, values, batch=batch)
        total_s = sum(seconds for _, seconds in segments)
        rates.append(n / total_s)
        per_call_rates.extend(count / seconds for count, seconds in segments)
        if rep == 0:
            bytes_per_point = (database_bytes(side.db) - before) / n
        stored = side.count_points(run_id, key)
        assert stored == n, f"{side.name}: {stored} of {n} ingested points stored"
    side.end_run()
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
    histories are written with the side's bulk call (MLflow: log_batch)."""
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
    and a filtered subset, as a list of Run objects and as a pandas DataFrame."""
    began = time.perf_counter()
    for name, params, metrics in search_corpus(runs):
        side.create_finished_run(name, params, metrics)
    results = {"runs": runs, "setup_s": time.perf_counter() - began}
    for label, filter_string in (("all", ""), ("filtered", SEARCH_FILTER)):
        for output_format in ("list", "pandas"):
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
