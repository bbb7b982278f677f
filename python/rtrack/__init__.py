"""rtrack: experiment tracking with a Rust core, at home in notebooks.

>>> import rtrack
>>> rtrack.set_experiment("wine-quality")
<Experiment: experiment_id='1', name="wine-quality", lifecycle_stage='active'>
>>> with rtrack.start_run(run_name="enet") as run:
...     rtrack.log_params({"alpha": 0.5})
...     rtrack.log_metric("rmse", 0.71, step=1)
>>> rtrack.get_run(run.info.run_id).data.metrics
{'rmse': 0.71}

Everything here is implemented in Rust (``rtrack._core``); this package only adapts
Python objects (numpy arrays, DataFrames, PIL images) and registers exit handling.
Importing it loads no numpy or pandas (nor the typing module: the annotations are only read
by type checkers).
"""

from __future__ import annotations

import atexit as _atexit
import sys as _sys

from . import _core, entities, exceptions, metrics, models, plots, pyfunc, sklearn, tracking, types
from ._client import Client, MetricSeries, PagedList, ResultList
from ._constants import RunStatus, ViewType
from ._core import (
    ActiveRun,
    AlreadyExistsError,
    Experiment,
    FileInfo,
    InvalidValueError,
    LoggedModel,
    LoggedModelMetric,
    Metric,
    ModelVersion,
    NotFoundError,
    Param,
    RegisteredModel,
    RtrackError,
    Run,
    RunData,
    RunInfo,
    RunTag,
    Summary,
    __version__ as __version__,
    active_run,
    delete_tag,
    end_run,
    flush,
    get_artifact_uri,
    get_run,
    get_tracking_uri,
    is_tracking_uri_set,
    last_active_run,
    list_artifacts,
    log_artifact,
    log_artifacts,
    log_dict,
    log_metric,
    log_metric_series,
    log_metrics,
    log_param,
    log_params,
    log_text,
    register_model,
    set_experiment,
    set_tag,
    set_tags,
    set_tracking_uri,
    start_run,
    summary,
)
from ._fluent import (
    create_experiment,
    delete_experiment,
    delete_run,
    flush_async_logging,
    get_experiment,
    get_experiment_by_name,
    get_logged_model,
    get_metric_history,
    get_metric_series,
    get_parent_run,
    get_registry_uri,
    log_figure,
    log_image,
    log_table,
    rename_experiment,
    restore_experiment,
    restore_run,
    search_experiments,
    search_logged_models,
    search_model_versions,
    search_registered_models,
    search_runs,
    set_experiment_tag,
    set_experiment_tags,
    set_registry_uri,
)
from ._live import Live, live
from ._source import detect_source as _detect_source

_core._set_source(*_detect_source())


def _end_runs_at_exit() -> None:
    """Runs still open when the interpreter exits end, and queued metrics are written. A
    script stopped by an uncaught exception (Python then sets ``sys.last_value``) leaves them
    FAILED, as a ``with`` block would; in IPython a failed cell says nothing about the run."""
    failed = getattr(_sys, "last_value", None) is not None and "IPython" not in _sys.modules
    _core._end_all_runs("FAILED" if failed else "FINISHED")


_atexit.register(_end_runs_at_exit)


def autolog(disable: bool = False, log_models: bool = True, silent: bool = True) -> None:
    """Log every ``fit`` of the installed libraries rtrack knows (scikit-learn): params,
    ``training_*`` metrics and the model, each ``fit`` in a run of its own when no run is
    active. ``autolog(disable=True)`` stops it.

    >>> from sklearn.linear_model import LinearRegression
    >>> rtrack.autolog()
    >>> model = LinearRegression().fit([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0])
    >>> run = rtrack.last_active_run()            # the run the fit started and ended
    >>> run.data.params["fit_intercept"], run.data.metrics["training_r2_score"]
    ('True', 1.0)
    >>> rtrack.autolog(disable=True)
    """
    sklearn.autolog(disable=disable, log_models=log_models, silent=silent)


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext rtrack``: register the ``%rtrack`` magics (``%rtrack summary``,
    ``%%rtrack run`` and ``%rtrack ui``)."""
    from . import _magics

    _magics.load(ipython)


# MLflow's names for the client and the base error, for scripts that start with
# `import rtrack as mlflow`.
MlflowClient = Client
MlflowException = RtrackError

__all__ = [
    "ActiveRun",
    "AlreadyExistsError",
    "Client",
    "Experiment",
    "FileInfo",
    "InvalidValueError",
    "Live",
    "LoggedModel",
    "LoggedModelMetric",
    "Metric",
    "MetricSeries",
    "MlflowClient",
    "MlflowException",
    "ModelVersion",
    "NotFoundError",
    "PagedList",
    "Param",
    "RegisteredModel",
    "ResultList",
    "RtrackError",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "Summary",
    "ViewType",
    "active_run",
    "autolog",
    "create_experiment",
    "delete_experiment",
    "delete_run",
    "delete_tag",
    "end_run",
    "entities",
    "exceptions",
    "flush",
    "flush_async_logging",
    "get_artifact_uri",
    "get_experiment",
    "get_experiment_by_name",
    "get_logged_model",
    "get_metric_history",
    "get_metric_series",
    "get_parent_run",
    "get_registry_uri",
    "get_run",
    "get_tracking_uri",
    "is_tracking_uri_set",
    "last_active_run",
    "list_artifacts",
    "live",
    "load_ipython_extension",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_figure",
    "log_image",
    "log_metric",
    "log_metric_series",
    "log_metrics",
    "log_param",
    "log_params",
    "log_table",
    "log_text",
    "metrics",
    "models",
    "plots",
    "pyfunc",
    "register_model",
    "rename_experiment",
    "restore_experiment",
    "restore_run",
    "search_experiments",
    "search_logged_models",
    "search_model_versions",
    "search_registered_models",
    "search_runs",
    "set_experiment",
    "set_experiment_tag",
    "set_experiment_tags",
    "set_registry_uri",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "sklearn",
    "start_run",
    "summary",
    "tracking",
    "types",
]
