"""Aim behind the benchmark's side interface (see ``sides.py``), through its documented SDK:
``Repo.from_path(folder, init=True)`` (what ``aim init`` does), ``Run(repo=, experiment=)``,
``run[key] = value`` for params, ``run.track(value, name=, step=)``, ``run.close()``; reads
with ``Run(hash, repo=, read_only=True).get_metric(name, Context({})).data.numpy()`` and
``repo.query_runs(query)``. Its store is a repo folder: RocksDB databases per run plus an
SQLite file of run properties.

Aim's ``track`` writes into the run's RocksDB before it returns (no background queue), so
like MLflow it has nothing to flush. A closed run becomes visible to Aim's readers once it
is indexed, which ``aim up`` does in a background thread and ``aim storage reindex`` does
on demand, both through ``RepoIndexManager.index``; the bench calls that after each run it
closes, outside any clock, so Aim's figures carry no indexing cost."""

import os
import time

EXPERIMENT = "bench"
# MLflow's filter "metrics.rmse < 0.5 and params.alpha = '0.1'" in Aim's query language.
AIM_QUERIES = {
    "": "",
    "metrics.rmse < 0.5 and params.alpha = '0.1'": "run.metrics['rmse'].last < 0.5 and run.alpha == '0.1'",
}


class AimSide:
    name = "aim"
    log_style = "aim"
    unsupported = {}

    def __init__(self, folder):
        import importlib.metadata

        import aim
        from aim.sdk.index_manager import RepoIndexManager
        from aim.sdk.types import QueryReportMode
        from aim.storage.context import Context

        self.module = aim
        self.version = importlib.metadata.version("aim")
        self.path = os.path.join(folder, "aim-repo")
        self.repo = aim.Repo.from_path(self.path, init=True)
        self._indexer = RepoIndexManager.get_index_manager(self.repo)
        self._context, self._quiet = Context({}), QueryReportMode.DISABLED
        self._run = None

    def _new_run(self):
        # No system-metrics thread and no terminal capture: MLflow does neither by default.
        return self.module.Run(
            repo=self.repo, experiment=EXPERIMENT, system_tracking_interval=None, capture_terminal_logs=False
        )

    def _close(self, run):
        run_hash = run.hash
        run.close()
        self._indexer.index(run_hash)

    def start_run(self):
        self._run = self._new_run()
        return self._run.hash

    def end_run(self):
        if self._run is not None:
            self._close(self._run)
            self._run = None

    def flush(self, resume=True):
        """Aim writes synchronously: every track() is in the run's RocksDB when it returns."""

    def store_bytes(self):
        """Bytes of every file in the repo folder (RocksDB tables and logs, the SQLite file)."""
        total = 0
        for root, _dirs, files in os.walk(self.path):
            for name in files:
                try:
                    total += os.path.getsize(os.path.join(root, name))
                except FileNotFoundError:  # a RocksDB file replaced while walking
                    pass
        return total

    @property
    def track(self):
        """The active run's own ``track``, for the per-call loop."""
        return self._run.track

    def bulk_write(self, run_id, key, steps, timestamps, values, batch=None):
        """Aim has no batch call: ``track()`` per point, timed. Aim stamps its own
        timestamps."""
        track, steps, values = self._run.track, steps.tolist(), values.tolist()
        began = time.perf_counter()
        for i in range(len(values)):
            track(values[i], name=key, step=steps[i])
        return [(len(values), time.perf_counter() - began)]

    def _metric(self, run_hash, key):
        return self.module.Run(run_hash, repo=self.repo, read_only=True).get_metric(key, self._context)

    def count_points(self, run_id, key):
        metric = self._metric(run_id, key)
        return 0 if metric is None else len(metric.data.numpy()[0])

    def history_readers(self):
        """Steps and (values, epochs, timestamps) as numpy arrays, sorted by step."""
        return {
            "get_metric.data.numpy": (
                lambda run_id, key: self._metric(run_id, key).data.numpy(),
                lambda data: len(data[0]),
                lambda data: float(data[1][0][-1]),
            )
        }

    def run_fn(self, param_keys, metric_keys):
        """One whole run: Run(), a ``run[key] = value`` per param, a track() per metric at
        step 0, close()."""
        new_run = self._new_run

        def one_run():
            run = new_run()
            for p, key in enumerate(param_keys):
                run[key] = 0.1 * (p + 1)
            for m, key in enumerate(metric_keys):
                run.track(0.25 * (m + 1), name=key, step=0)
            run_hash = run.hash
            run.close()
            return run_hash

        return one_run

    def run_contents(self, run_hash):
        self._indexer.index(run_hash)
        run = self.module.Run(run_hash, repo=self.repo, read_only=True)
        params = [key for key in run[...] if not key.startswith("__")]
        return len(params), len(run.collect_sequence_info("metric")["metric"])

    def create_finished_run(self, name, params, metrics):
        run = self._new_run()
        run.name = name
        for key, value in params.items():
            run[key] = value
        for key, value in metrics.items():
            run.track(value, name=key, step=0)
        self._close(run)

    def search(self, output_format, filter_string):
        """``repo.query_runs(query)``: as a list, each matching run with its params and its
        metrics' last values (what MLflow's Run objects carry); as pandas, Aim's own
        ``.dataframe()`` of the matches (run properties and params)."""
        runs = self.repo.query_runs(AIM_QUERIES[filter_string], report_mode=self._quiet)
        if output_format == "pandas":
            frame = runs.dataframe()
            return [] if frame is None else frame
        return [
            (found.run.hash, found.run[...], found.run.collect_sequence_info("metric")) for found in runs.iter_runs()
        ]
