"""Helpers shared by both sides of the benchmark: the data both libraries log, timing
statistics and the size of a SQLite database on disk."""

import random
import statistics
import subprocess
import sys
import time

# A timestamp in 2024, in milliseconds, where every generated history starts.
BASE_TIMESTAMP_MS = 1_700_000_000_000


def points(n, seed):
    """``(steps, timestamps, values)`` as numpy arrays: steps 0..n-1, timestamps that
    advance by an irregular 1..40 ms like a real training loop's, random float values.
    Both libraries get exactly these arrays, so neither gets easier data to store."""
    import numpy as np

    rng = np.random.default_rng(seed)
    steps = np.arange(n, dtype=np.int64)
    timestamps = BASE_TIMESTAMP_MS + np.cumsum(rng.integers(1, 41, size=n, dtype=np.int64))
    values = rng.random(n)
    return steps, timestamps, values


def search_corpus(n_runs, seed=7):
    """Params and metrics of the runs `search_runs` searches, one dict pair per run."""
    rng = random.Random(seed)
    runs = []
    for i in range(n_runs):
        params = {
            "alpha": ("0.1", "0.5", "1.0")[i % 3],
            "l1_ratio": rng.choice(("0.1", "0.3", "0.7", "0.9")),
            "solver": rng.choice(("cd", "lars")),
        }
        metrics = {"rmse": rng.random(), "r2": rng.random(), "mae": rng.random() / 2}
        runs.append((f"run-{i:05d}", params, metrics))
    return runs


SEARCH_FILTER = "metrics.rmse < 0.5 and params.alpha = '0.1'"


def summary(seconds):
    """Median, p99, min and count of a list of durations in seconds."""
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return {"median": statistics.median(ordered), "p99": p99, "min": ordered[0], "n": len(ordered)}


def timed(fn, reps, warmup=1):
    """Call ``fn`` ``warmup`` times untimed, then ``reps`` times timed; the durations and
    the last result (so the caller can check it did the work). Freeing a result is not
    part of the call that made it, so it happens outside the timed stretch."""
    result = None
    for _ in range(warmup):
        result = fn()
    durations = []
    for _ in range(reps):
        start = time.perf_counter()
        fresh = fn()
        durations.append(time.perf_counter() - start)
        # The previous result is freed here, outside the clock.
        result = fresh
    return durations, result


def timer_overhead_ns(samples=20_000):
    """Median cost of one ``perf_counter_ns()`` pair: what every individually timed call
    carries on top of its own cost."""
    pc = time.perf_counter_ns
    costs = []
    for _ in range(samples):
        t0 = pc()
        t1 = pc()
        costs.append(t1 - t0)
    return statistics.median(costs)


_SIZE_SCRIPT = """
import os, sqlite3, sys
path = sys.argv[1]
conn = sqlite3.connect(path)
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
conn.close()
wal = path + "-wal"
print(os.path.getsize(path) + (os.path.getsize(wal) if os.path.exists(wal) else 0))
"""


def database_bytes(path):
    """Bytes the database takes on disk after a WAL checkpoint: the main file plus
    whatever WAL is left (nothing when the checkpoint could truncate it).

    The checkpoint runs in a child process on purpose: Python's sqlite3 module carries its
    own copy of SQLite, and closing a connection from a second SQLite copy in the process
    that has the database open drops that process's POSIX locks, after which the WAL can
    be checkpointed and deleted under the open connections (sqlite.org/howtocorrupt.html,
    2.2.1) and their later writes are lost."""
    done = subprocess.run([sys.executable, "-c", _SIZE_SCRIPT, path], capture_output=True, text=True, check=True)
    return int(done.stdout)
