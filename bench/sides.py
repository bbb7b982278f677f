"""The libraries behind one small interface, so every measure in ``measures.py`` runs the
same steps on each. Each side opens its own store in a fresh folder: MLflow its SQLite
store (``sqlite:///<folder>/mlflow.db``), rtrack a store folder; trackio and Aim are in
``side_trackio.py`` and ``side_aim.py``.

Hot loops call the library's own functions (``side.module.log_metric``) rather than a
method here, so no wrapper cost lands on any side."""

import os
import sqlite3
import time

from common import database_bytes
from side_aim import AimSide
from side_trackio import TrackioSide

# Points MLflow accepts in one log_batch call.
MLFLOW_BATCH_LIMIT = 1000


class MlflowSide:
    name = "mlflow"

    def __init__(self, folder):
        import mlflow
        from mlflow.entities import Metric, Param
        from mlflow.tracking import MlflowClient

        self.module = mlflow
        self.version = mlflow.__version__
        self._Metric, self._Param = Metric, Param
        self.db = os.path.join(folder, "mlflow.db")
        self.uri = f"sqlite:///{self.db}"
        mlflow.set_tracking_uri(self.uri)
        # Creates the database and runs MLflow's migrations (not timed).
        self.experiment_id = mlflow.set_experiment("bench").experiment_id
        self.client = MlflowClient(self.uri)

    def start_run(self):
        return self.module.start_run().info.run_id

    def end_run(self):
        self.module.end_run()

    def flush(self, resume=True):
        """MLflow writes synchronously: every call is durable when it returns."""

    def store_bytes(self):
        return database_bytes(self.db)

    def run_fn(self, param_keys, metric_keys):
        return _fluent_run(self.module, param_keys, metric_keys)

    def run_contents(self, run):
        return _fluent_run_contents(self.module, run)

    def bulk_write(self, run_id, key, steps, timestamps, values, batch=MLFLOW_BATCH_LIMIT):
        """Log the points with ``log_batch`` in calls of ``batch`` points; one
        ``(points, seconds)`` per call. The Metric objects are built before the clock
        starts, so only the call itself is timed."""
        batch = min(batch or MLFLOW_BATCH_LIMIT, MLFLOW_BATCH_LIMIT)
        Metric = self._Metric
        steps, timestamps, values = steps.tolist(), timestamps.tolist(), values.tolist()
        segments = []
        for start in range(0, len(values), batch):
            metrics = [
                Metric(key, values[i], timestamps[i], steps[i]) for i in range(start, min(start + batch, len(values)))
            ]
            began = time.perf_counter()
            self.client.log_batch(run_id, metrics=metrics)
            segments.append((len(metrics), time.perf_counter() - began))
        return segments

    def count_points(self, run_id, key):
        # Straight from the database: reading 200k points through MLflow takes ~10 s.
        conn = sqlite3.connect(self.db)
        try:
            return conn.execute(
                "SELECT COUNT(*) FROM metrics WHERE run_uuid = ? AND key = ?", (run_id, key)
            ).fetchone()[0]
        finally:
            conn.close()

    def history_readers(self):
        """name -> (read(run_id, key), number of points in what it returned, last value)."""
        client = self.client
        return {
            "get_metric_history": (
                lambda run_id, key: client.get_metric_history(run_id, key),
                len,
                lambda history: history[-1].value,
            )
        }

    def create_finished_run(self, name, params, metrics):
        run_id = self.client.create_run(self.experiment_id, run_name=name).info.run_id
        now = int(time.time() * 1000)
        self.client.log_batch(
            run_id,
            metrics=[self._Metric(k, v, now, 0) for k, v in metrics.items()],
            params=[self._Param(k, v) for k, v in params.items()],
        )
        self.client.set_terminated(run_id)

    def search(self, output_format, filter_string):
        if output_format == "list":
            return self.client.search_runs([self.experiment_id], filter_string, max_results=1000)
        return self.module.search_runs(experiment_ids=[self.experiment_id], filter_string=filter_string)


class RtrackSide:
    name = "rtrack"

    def __init__(self, folder):
        import rtrack

        self.module = rtrack
        self.version = rtrack.__version__
        store = os.path.join(folder, "store")
        rtrack.set_tracking_uri(store)
        self.db = os.path.join(store, "rtrack.db")
        self.experiment_id = rtrack.set_experiment("bench").experiment_id
        self.client = rtrack.Client()

    def start_run(self):
        return self.module.start_run().info.run_id

    def end_run(self):
        self.module.end_run()

    def flush(self, resume=True):
        self.module.flush()

    def store_bytes(self):
        return database_bytes(self.db)

    def run_fn(self, param_keys, metric_keys):
        return _fluent_run(self.module, param_keys, metric_keys)

    def run_contents(self, run):
        return _fluent_run_contents(self.module, run)

    def bulk_write(self, run_id, key, steps, timestamps, values, batch=None):
        """``log_metric_series`` on the active run (in slices of ``batch`` points when
        given), then ``flush()``; one ``(points, seconds)`` for the whole, durable write."""
        log, n = self.module.log_metric_series, len(values)
        began = time.perf_counter()
        if batch is None:
            log(key, values, steps=steps, timestamps=timestamps)
        else:
            for start in range(0, n, batch):
                end = start + batch
                log(key, values[start:end], steps=steps[start:end], timestamps=timestamps[start:end])
        self.module.flush()
        return [(n, time.perf_counter() - began)]

    def count_points(self, run_id, key):
        return len(self.module.get_metric_series(run_id, key).values)

    def history_readers(self):
        rtrack = self.module
        return {
            "get_metric_history": (
                lambda run_id, key: rtrack.get_metric_history(run_id, key),
                len,
                lambda history: history[-1].value,
            ),
            "get_metric_series": (
                lambda run_id, key: rtrack.get_metric_series(run_id, key),
                lambda series: len(series.values),
                lambda series: float(series.values[-1]),
            ),
        }

    def create_finished_run(self, name, params, metrics):
        rtrack = self.module
        run_id = self.client.create_run(self.experiment_id, run_name=name).info.run_id
        now = int(time.time() * 1000)
        self.client.log_batch(
            run_id,
            metrics=[rtrack.Metric(k, v, now, 0) for k, v in metrics.items()],
            params=[rtrack.Param(k, v) for k, v in params.items()],
        )
        self.client.set_terminated(run_id)

    def search(self, output_format, filter_string):
        if output_format == "list":
            return self.client.search_runs([self.experiment_id], filter_string, max_results=1000)
        return self.module.search_runs(experiment_ids=[self.experiment_id], filter_string=filter_string)


def _fluent_run(module, param_keys, metric_keys):
    """One whole run through MLflow's fluent verbs (rtrack has the same ones): start_run,
    a log_param per key, a log_metric per key, end_run (rtrack's end_run makes the
    metrics durable)."""

    def one_run():
        run = module.start_run()
        for p, key in enumerate(param_keys):
            module.log_param(key, 0.1 * (p + 1))
        for m, key in enumerate(metric_keys):
            module.log_metric(key, 0.25 * (m + 1))
        module.end_run()
        return run

    return one_run


def _fluent_run_contents(module, run):
    data = module.get_run(run.info.run_id).data
    return len(data.params), len(data.metrics)


SIDES = {"mlflow": MlflowSide, "trackio": TrackioSide, "aim": AimSide, "rtrack": RtrackSide}
