"""trackio behind the benchmark's side interface (see ``sides.py``), through its documented
verbs: ``trackio.init(project, name=, config=)``, ``trackio.log(dict, step=)``,
``trackio.finish()``, and ``trackio.Api().runs(project)`` to list runs. It keeps one SQLite
file per project in ``TRACKIO_DIR``, which points into the fresh folder.

trackio's ``log`` queues the point for a background thread that writes every 0.5 s, and
its only way to make queued points durable is ``finish()``: where rtrack's figure includes
its ``flush()``, trackio's includes ``finish()``; a mid-run flush (outside any clock)
finishes the run and resumes it by name."""

import os
import time

# No system-metrics threads (MLflow logs none by default), no notebook dashboard.
_INIT_OPTIONS = {"auto_log_cpu": False, "auto_log_gpu": False, "embed": False}
PROJECT = "bench"


class TrackioSide:
    name = "trackio"
    log_style = "dict"
    # What MLflow's search_runs does that trackio has no call for.
    unsupported = {
        "filtered": "trackio has no run filter or query API (its Api lists a project's runs and configs)",
        "pandas": "trackio has no call returning runs as a DataFrame",
    }

    def __init__(self, folder):
        # trackio reads its data folder once, at import.
        os.environ["TRACKIO_DIR"] = os.path.join(folder, "trackio")
        import trackio
        from trackio.sqlite_storage import SQLiteStorage

        self.module = trackio
        self.version = trackio.__version__
        self._storage = SQLiteStorage
        self.db = str(SQLiteStorage.get_project_db_path(PROJECT))
        self._run_name = None
        self._active = False
        # Creates the project's database and its tables (not timed), as MLflow's side does
        # when it sets its experiment.
        SQLiteStorage.init_db(PROJECT)

    def start_run(self, name=None):
        run = self.module.init(project=PROJECT, name=name, **_INIT_OPTIONS)
        self._run_name, self._active = run.name, True
        return run.name

    def end_run(self):
        if self._active:
            self.module.finish()
            self._active = False

    def flush(self, resume=True):
        """``finish()``, then (unless the caller ends the run here) resume the same run
        (``resume="allow"``: a run that has logged nothing yet is not stored, so it starts
        again under its name)."""
        self.end_run()
        if resume:
            self.module.init(project=PROJECT, name=self._run_name, resume="allow", **_INIT_OPTIONS)
            self._active = True

    def store_bytes(self):
        from common import database_bytes

        return database_bytes(self.db)

    def bulk_write(self, run_id, key, steps, timestamps, values, batch=None):
        """trackio has no batch call: ``log()`` per point, then ``finish()`` to make them
        durable (its background thread writes them in batches), all timed; the resume
        that lets the run go on is not. trackio stamps its own timestamps."""
        log, steps, values = self.module.log, steps.tolist(), values.tolist()
        began = time.perf_counter()
        for i in range(len(values)):
            log({key: values[i]}, step=steps[i])
        self.end_run()
        seconds = time.perf_counter() - began
        self.flush(resume=True)
        return [(len(values), seconds)]

    def count_points(self, run_id, key):
        return len(self._storage.get_metric_values(PROJECT, run_id, key))

    def history_readers(self):
        """trackio's Api has no metric reader; ``trackio get metric`` (its CLI) and its
        dashboard read a history through ``SQLiteStorage.get_metric_values``, called
        here in-process (without the CLI's interpreter start)."""
        storage = self._storage
        return {
            "get_metric_values": (
                lambda run_id, key: storage.get_metric_values(PROJECT, run_id, key),
                len,
                lambda rows: rows[-1]["value"],
            )
        }

    def run_fn(self, param_keys, metric_keys):
        """One whole run: init with the params as its config (trackio has no log_param),
        a log() per metric at step 0, finish()."""
        trackio = self.module

        def one_run():
            run = trackio.init(
                project=PROJECT, config={key: 0.1 * (p + 1) for p, key in enumerate(param_keys)}, **_INIT_OPTIONS
            )
            for m, key in enumerate(metric_keys):
                trackio.log({key: 0.25 * (m + 1)}, step=0)
            trackio.finish()
            return run.name

        return one_run

    def run_contents(self, run_name):
        config = next(run.config for run in self.module.Api().runs(PROJECT) if run.name == run_name)
        params = [key for key in config if not key.startswith("_")]
        return len(params), len(self._storage.get_all_metrics_for_run(PROJECT, run_name))

    def create_finished_run(self, name, params, metrics):
        self.module.init(project=PROJECT, name=name, config=params, **_INIT_OPTIONS)
        self.module.log(metrics, step=0)
        self.module.finish()

    def search(self, output_format, filter_string):
        """All runs of the project with their configs (the params): what trackio's Api
        returns. It carries no metric values, so it does less than MLflow's Run objects."""
        return [(run.name, run.config) for run in self.module.Api().runs(PROJECT)]
