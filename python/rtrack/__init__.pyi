"""Type stubs for rtrack: experiment tracking with a Rust core.

>>> import rtrack
>>> rtrack.set_experiment("wine-quality")
>>> with rtrack.start_run(run_name="enet") as run:
...     rtrack.log_params({"alpha": 0.5})
...     rtrack.log_metric("rmse", 0.71, step=1)
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeVar, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from PIL import Image

from . import _core, metrics as metrics, models as models, plots as plots, pyfunc as pyfunc, sklearn as sklearn
from ._core import (
    ActiveRun as ActiveRun,
    AlreadyExistsError as AlreadyExistsError,
    Experiment as Experiment,
    FileInfo as FileInfo,
    InvalidValueError as InvalidValueError,
    LoggedModel as LoggedModel,
    LoggedModelMetric as LoggedModelMetric,
    Metric as Metric,
    ModelVersion as ModelVersion,
    NotFoundError as NotFoundError,
    Param as Param,
    RegisteredModel as RegisteredModel,
    RtrackError as RtrackError,
    Run as Run,
    RunData as RunData,
    RunInfo as RunInfo,
    RunTag as RunTag,
    Summary as Summary,
    __version__ as __version__,
    active_run as active_run,
    delete_tag as delete_tag,
    end_run as end_run,
    flush as flush,
    get_artifact_uri as get_artifact_uri,
    get_run as get_run,
    get_tracking_uri as get_tracking_uri,
    last_active_run as last_active_run,
    list_artifacts as list_artifacts,
    log_artifact as log_artifact,
    log_artifacts as log_artifacts,
    log_dict as log_dict,
    log_metric as log_metric,
    log_metric_series as log_metric_series,
    log_metrics as log_metrics,
    log_param as log_param,
    log_params as log_params,
    log_text as log_text,
    register_model as register_model,
    set_experiment as set_experiment,
    set_tag as set_tag,
    set_tags as set_tags,
    set_tracking_uri as set_tracking_uri,
    start_run as start_run,
    summary as summary,
)

__all__ = [
    "ActiveRun",
    "AlreadyExistsError",
    "Client",
    "Experiment",
    "FileInfo",
    "InvalidValueError",
    "LoggedModel",
    "LoggedModelMetric",
    "Live",
    "Metric",
    "MetricSeries",
    "ModelVersion",
    "NotFoundError",
    "PagedList",
    "Param",
    "RegisteredModel",
    "RtrackError",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "ResultList",
    "Summary",
    "ViewType",
    "active_run",
    "autolog",
    "create_experiment",
    "delete_experiment",
    "delete_run",
    "delete_tag",
    "end_run",
    "flush",
    "get_artifact_uri",
    "get_experiment",
    "get_experiment_by_name",
    "get_metric_history",
    "get_metric_series",
    "get_run",
    "get_tracking_uri",
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
    "search_runs",
    "set_experiment",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "sklearn",
    "start_run",
    "summary",
]

_T = TypeVar("_T")
_ExperimentId = str | int
_Uri = str | os.PathLike[str]
_Path = str | os.PathLike[str]
# Arrays (any numeric dtype, 1-d) or plain sequences of numbers.
_Numbers = npt.ArrayLike | Sequence[float]
_Integers = npt.ArrayLike | Sequence[int]
_Image = npt.NDArray[Any] | Image.Image
_Table = Mapping[str, Sequence[Any]] | pd.DataFrame

# ----- constants -----

class ViewType:
    """Which lifecycle stages a search includes."""

    ACTIVE_ONLY: ClassVar[int]
    DELETED_ONLY: ClassVar[int]
    ALL: ClassVar[int]

class RunStatus:
    """The states of a run."""

    RUNNING: ClassVar[str]
    SCHEDULED: ClassVar[str]
    FINISHED: ClassVar[str]
    FAILED: ClassVar[str]
    KILLED: ClassVar[str]

# ----- results -----

class ResultList(list[_T]):
    """Runs, experiments or metric points; in a notebook they show as a table."""

    def _repr_html_(self) -> str | None: ...

class PagedList(ResultList[_T]):
    """One page of results; ``token`` fetches the next page (None on the last one)."""

    token: str | None
    def __init__(self, items: Iterable[_T], token: str | None) -> None: ...

class MetricSeries(tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]):
    """A metric's history as numpy arrays: ``steps, values, timestamps = series``."""

    def __new__(
        cls,
        steps: npt.NDArray[np.int64],
        values: npt.NDArray[np.float64],
        timestamps: npt.NDArray[np.int64],
    ) -> MetricSeries: ...
    @property
    def steps(self) -> npt.NDArray[np.int64]: ...
    @property
    def values(self) -> npt.NDArray[np.float64]: ...
    @property
    def timestamps(self) -> npt.NDArray[np.int64]: ...

# ----- experiments -----

def create_experiment(name: str, artifact_location: str | None = None, tags: Mapping[str, Any] | None = None) -> str:
    """Create an experiment and return its id; a taken name raises :class:`AlreadyExistsError`."""

def get_experiment(experiment_id: _ExperimentId) -> Experiment: ...
def get_experiment_by_name(name: str) -> Experiment | None:
    """The experiment with this name, or None."""

def search_experiments(
    view_type: int = ...,
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[Experiment]:
    """Every experiment matching the filter, e.g. ``filter_string="name LIKE 'wine%'"``."""

def rename_experiment(experiment_id: _ExperimentId, new_name: str) -> None: ...
def delete_experiment(experiment_id: _ExperimentId) -> None:
    """Move an experiment and its runs to the bin (restorable). The default experiment stays."""

def restore_experiment(experiment_id: _ExperimentId) -> None: ...

# ----- runs -----

def delete_run(run_id: str) -> None: ...
def restore_run(run_id: str) -> None: ...

# ----- metrics -----

def get_metric_history(run_id: str, key: str) -> ResultList[Metric]:
    """Every point of a metric, ordered by step then timestamp (a table in a notebook)."""

def get_metric_series(run_id: str, key: str) -> MetricSeries:
    """A metric's whole history as numpy arrays (int64 steps, float64 values, int64 timestamps)."""

# ----- artifacts (of the active run) -----

def log_image(image: _Image, artifact_file: str) -> None:
    """Store a numpy array (H, W[, 1|2|3|4]; uint8, or float in [0, 1]) or a PIL image as PNG."""

def log_figure(figure: Any, artifact_file: str) -> None:
    """Store a Plotly figure: ``.html`` as a self-contained interactive page (plotly.js
    inlined), ``.json`` as Plotly's JSON, ``.png``/``.jpg``/``.svg``/``.pdf``/``.webp``
    through plotly's kaleido engine (an :class:`RtrackError` when kaleido is missing).

    >>> rtrack.log_figure(rtrack.plots.roc_curve(y_test, proba), "roc.html")
    """

def log_table(data: _Table, artifact_file: str) -> None:
    """Store a dict of columns or a DataFrame as JSON (``columns`` + ``data``); ``.json`` only."""

# ----- search -----

@overload
def search_runs(
    experiment_ids: _ExperimentId | Sequence[_ExperimentId] | None = None,
    filter_string: str = "",
    run_view_type: int = ...,
    max_results: int = 100000,
    order_by: list[str] | None = None,
    output_format: Literal["pandas"] = "pandas",
    search_all_experiments: bool = False,
    experiment_names: list[str] | None = None,
) -> pd.DataFrame: ...
@overload
def search_runs(
    experiment_ids: _ExperimentId | Sequence[_ExperimentId] | None = None,
    filter_string: str = "",
    run_view_type: int = ...,
    max_results: int = 100000,
    order_by: list[str] | None = None,
    *,
    output_format: Literal["list"],
    search_all_experiments: bool = False,
    experiment_names: list[str] | None = None,
) -> ResultList[Run]:
    """Runs matching an MLflow filter, as a DataFrame with MLflow's columns (``run_id``,
    ``status``, ``metrics.<k>``, ``params.<k>``, ``tags.<k>`` ...) or a list of runs.
    Without ids or names, the active experiment is searched.

    >>> rtrack.search_runs(filter_string="metrics.rmse < 0.7 AND params.model = 'enet'",
    ...                    order_by=["metrics.rmse ASC"])
    """

# ----- Client -----

class Client(_core.Client):
    """Every tracking operation by id (MLflow's ``MlflowClient``), on the store at
    ``tracking_uri`` (default: the current tracking URI).

    >>> client = rtrack.Client()
    >>> run = client.create_run(experiment_id="0")
    >>> client.log_metric(run.info.run_id, "loss", 0.5, step=1)
    """

    def search_experiments(
        self,
        view_type: int = ...,
        max_results: int = 1000,
        filter_string: str | None = None,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """One page of experiments; pass ``page.token`` back for the next."""
    def search_runs(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str = "",
        run_view_type: int = ...,
        max_results: int = 1000,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        """One page of runs matching an MLflow filter; pass ``page.token`` back for the next."""
    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """One page of registered models (``name``, ``tags.<key>``); ``page.token`` fetches the next.

        >>> client.search_registered_models("name LIKE 'house%'", order_by=["name DESC"])
        """
    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 10000,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """One page of model versions (``name``, ``version_number``, ``run_id``,
        ``source_path``, ``tags.<key>``); newest change first unless ``order_by`` says otherwise.

        >>> client.search_model_versions("name = 'HousePrices' AND version_number > 2")
        """
    def search_logged_models(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str | None = None,
        max_results: int | None = None,
        order_by: Sequence[str | Mapping[str, Any]] | None = None,
        page_token: str | None = None,
    ) -> PagedList[LoggedModel]:
        """One page of the logged models of some experiments; ``order_by`` takes clauses
        (``"metrics.rmse ASC"``) or MLflow's ``{"field_name": ..., "ascending": ...}`` dicts.

        >>> client.search_logged_models(["1"], "metrics.rmse < 0.7 AND status = 'READY'")
        """
    def get_metric_history(self, run_id: str, key: str) -> ResultList[Metric]: ...
    def get_metric_series(self, run_id: str, key: str) -> MetricSeries: ...
    def log_image(self, run_id: str, image: _Image, artifact_file: str) -> None: ...
    def log_table(self, run_id: str, data: _Table, artifact_file: str) -> None: ...

# ----- notebooks -----

class Live:
    """A live chart of the active run's metrics (see :func:`live`)."""

    keys: list[str] | None
    interval: float
    run_id: str | None
    error: Exception | None
    def __init__(
        self, keys: str | Sequence[str] | None = None, interval: float = 0.25, run_id: str | None = None
    ) -> None: ...
    @property
    def active(self) -> bool:
        """True while the chart is being redrawn."""
    def stop(self) -> None:
        """Draw the last points and stop redrawing. Stopping twice is fine."""
    def points(self, key: str) -> int:
        """How many points of ``key`` the chart has read."""
    def __enter__(self) -> Live: ...
    def __exit__(
        self, exc_type: type[BaseException] | None, exc_value: BaseException | None, traceback: Any
    ) -> bool: ...

def live(keys: str | Sequence[str] | None = None, *, interval: float = 0.25, run_id: str | None = None) -> Live:
    """Draw the active run's metrics under the running cell and redraw them as they are
    logged (a few times a second at most); no server or iframe needed, and the last drawing
    stays in the saved notebook. Outside a notebook it does nothing.

    >>> with rtrack.start_run(), rtrack.live(["loss", "val_loss"]):
    ...     for epoch in range(100):
    ...         rtrack.log_metrics({"loss": 1 / (epoch + 1), "val_loss": 1.2 / (epoch + 1)}, step=epoch)
    """

def autolog(disable: bool = False, log_models: bool = True, silent: bool = True) -> None:
    """Log every ``fit`` of the installed libraries rtrack knows (scikit-learn): params,
    ``training_*`` metrics and the model. ``autolog(disable=True)`` stops it.

    >>> rtrack.autolog()
    >>> LinearRegression().fit(X, y)   # logged to a run of its own
    """

def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext rtrack``: register ``%rtrack summary``, ``%%rtrack run`` and ``%rtrack ui``."""
