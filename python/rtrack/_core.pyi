"""The Rust extension module behind rtrack (conversion only; see ``rtrack`` for the API)."""

import os
from collections.abc import Iterable, Mapping, Sequence
from types import TracebackType
from typing import Any, ClassVar, TypeVar, final

import numpy as np
import numpy.typing as npt
from typing_extensions import Self

from ._live import Live

__all__ = [
    "ColSpec",
    "ModelSignature",
    "Schema",
    "TensorSpec",
    "_infer_signature",
    "_model_file",
    "_plan_frame",
    "_plan_tensor",
    "_read_input_example",
    "_log_model_output",
    "_read_model",
    "_resolve_model",
    "_write_model_dir",
    "ActiveRun",
    "AlreadyExistsError",
    "Client",
    "Experiment",
    "FileInfo",
    "InvalidValueError",
    "LoggedModel",
    "LoggedModelMetric",
    "Metric",
    "ModelVersion",
    "NotFoundError",
    "Param",
    "RegisteredModel",
    "RtrackError",
    "Run",
    "RunData",
    "RunInfo",
    "RunTag",
    "Summary",
    "_LiveChart",
    "_UiServer",
    "__version__",
    "_classification_report",
    "_cli",
    "_current_experiment_id",
    "_end_all_runs",
    "_get_metric_series",
    "_log_figure_image",
    "_log_figure_json",
    "_log_image_pixels",
    "_log_table_columns",
    "_plot_confusion_matrix",
    "_plot_error_histogram",
    "_plot_feature_importance",
    "_plot_metric_history",
    "_plot_parallel_coordinates",
    "_plot_precision_recall_curve",
    "_plot_prediction_scatter",
    "_plot_roc_curve",
    "_regression_report",
    "_results_html",
    "_set_source",
    "active_run",
    "delete_tag",
    "end_run",
    "flush",
    "get_artifact_uri",
    "get_metric_history",
    "get_run",
    "get_tracking_uri",
    "is_tracking_uri_set",
    "last_active_run",
    "list_artifacts",
    "log_artifact",
    "log_artifacts",
    "log_dict",
    "log_metric",
    "log_metric_series",
    "log_metrics",
    "log_param",
    "log_params",
    "log_text",
    "register_model",
    "runs_to_columns",
    "set_experiment",
    "set_tag",
    "set_tags",
    "set_tracking_uri",
    "start_run",
    "summary",
]

__version__: str

_T = TypeVar("_T")
_ExperimentId = str | int
# A model version number: 3 or "3".
_Version = int | str
_Uri = str | os.PathLike[str]
_Path = str | os.PathLike[str]
_Numbers = npt.ArrayLike | Sequence[float]
_Integers = npt.ArrayLike | Sequence[int]
# One of the RunStatus names: RUNNING, SCHEDULED, FINISHED, FAILED, KILLED.
_Status = str

# ----- errors -----

class RtrackError(Exception):
    """Base class of every error rtrack raises. ``error_code`` is MLflow's REST code."""

    error_code: ClassVar[str]

class NotFoundError(RtrackError):
    """A run, experiment, metric or artifact does not exist (``RESOURCE_DOES_NOT_EXIST``)."""

class InvalidValueError(RtrackError):
    """A value given to rtrack is not acceptable (``INVALID_PARAMETER_VALUE``)."""

class AlreadyExistsError(RtrackError):
    """Something with that name or id exists already (``RESOURCE_ALREADY_EXISTS``)."""

# ----- entities (read-only views) -----

@final
class Experiment:
    """An experiment: a named group of runs."""

    @property
    def experiment_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def artifact_location(self) -> str:
        """URI of the folder that holds the artifacts of the experiment's runs."""
    @property
    def lifecycle_stage(self) -> str:
        """``"active"`` or ``"deleted"``."""
    @property
    def creation_time(self) -> int:
        """Epoch milliseconds."""
    @property
    def last_update_time(self) -> int: ...
    @property
    def tags(self) -> dict[str, str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def _repr_html_(self) -> str: ...

@final
class RunInfo:
    """What a run is: ids, name, status, times, where its artifacts live."""

    @property
    def run_id(self) -> str: ...
    @property
    def run_uuid(self) -> str:
        """MLflow's older name for ``run_id``."""
    @property
    def run_name(self) -> str: ...
    @property
    def experiment_id(self) -> str: ...
    @property
    def user_id(self) -> str: ...
    @property
    def status(self) -> str:
        """One of the :class:`RunStatus` names."""
    @property
    def start_time(self) -> int:
        """Epoch milliseconds."""
    @property
    def end_time(self) -> int | None:
        """Epoch milliseconds; None while the run is running."""
    @property
    def artifact_uri(self) -> str: ...
    @property
    def lifecycle_stage(self) -> str: ...

@final
class RunData:
    """What a run holds: params, the latest value of each metric, tags."""

    @property
    def params(self) -> dict[str, str]: ...
    @property
    def metrics(self) -> dict[str, float]:
        """The latest value of each metric (highest step, then latest timestamp)."""
    @property
    def tags(self) -> dict[str, str]: ...

@final
class Run:
    """A run as stored: ``run.info`` and ``run.data``."""

    @property
    def info(self) -> RunInfo: ...
    @property
    def data(self) -> RunData: ...
    def _repr_html_(self) -> str: ...

@final
class Metric:
    """One metric point. ``Metric("loss", 0.5, timestamp_ms, step)`` for ``Client.log_batch``.

    >>> client = rtrack.Client()
    >>> run = client.create_run("0")
    >>> client.log_batch(run.info.run_id, metrics=[rtrack.Metric("loss", 0.5, 1_700_000_000_000, 3)])
    >>> client.get_metric_history(run.info.run_id, "loss")
    [<Metric: key="loss", value=0.5, step=3, timestamp=1700000000000>]
    """

    def __new__(cls, key: str, value: float, timestamp: int, step: int) -> Metric: ...
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def step(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Param:
    """A param for ``Client.log_batch``."""

    def __new__(cls, key: str, value: str) -> Param: ...
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str: ...

@final
class RunTag:
    """A tag for ``Client.log_batch``."""

    def __new__(cls, key: str, value: str) -> RunTag: ...
    @property
    def key(self) -> str: ...
    @property
    def value(self) -> str: ...

@final
class FileInfo:
    """An artifact in a listing; ``path`` is relative to the run's artifact root."""

    @property
    def path(self) -> str: ...
    @property
    def is_dir(self) -> bool: ...
    @property
    def file_size(self) -> int | None:
        """Bytes; None for folders."""

# ----- model registry and logged models -----

@final
class ModelVersion:
    """One numbered version of a registered model."""

    @property
    def name(self) -> str: ...
    @property
    def version(self) -> str:
        """The version number, as a string (``"3"``)."""
    @property
    def creation_timestamp(self) -> int: ...
    @property
    def last_updated_timestamp(self) -> int: ...
    @property
    def current_stage(self) -> str:
        """``"None"``, ``"Staging"``, ``"Production"`` or ``"Archived"``."""
    @property
    def description(self) -> str | None: ...
    @property
    def source(self) -> str:
        """Where the model's files are, as a URI."""
    @property
    def run_id(self) -> str | None: ...
    @property
    def run_link(self) -> str | None: ...
    @property
    def status(self) -> str:
        """``"READY"`` once registered."""
    @property
    def status_message(self) -> str | None: ...
    @property
    def tags(self) -> dict[str, str]: ...
    @property
    def aliases(self) -> list[str]:
        """The aliases pointing at this version, sorted."""
    @property
    def model_id(self) -> str | None:
        """The logged model this version was registered from."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class RegisteredModel:
    """A named model in the registry, with its tags and aliases."""

    @property
    def name(self) -> str: ...
    @property
    def creation_timestamp(self) -> int: ...
    @property
    def last_updated_timestamp(self) -> int: ...
    @property
    def description(self) -> str | None: ...
    @property
    def latest_versions(self) -> list[ModelVersion]:
        """The newest version in each stage that has one."""
    @property
    def tags(self) -> dict[str, str]: ...
    @property
    def aliases(self) -> dict[str, str]:
        """Alias -> version number."""
    def __eq__(self, value: object, /) -> bool: ...

@final
class LoggedModelMetric:
    """A metric value recorded for a logged model."""

    @property
    def key(self) -> str: ...
    @property
    def value(self) -> float: ...
    @property
    def timestamp(self) -> int: ...
    @property
    def step(self) -> int: ...
    @property
    def run_id(self) -> str | None: ...
    @property
    def dataset_name(self) -> str | None: ...
    @property
    def dataset_digest(self) -> str | None: ...
    @property
    def model_id(self) -> str: ...

@final
class LoggedModel:
    """A model logged to an experiment (MLflow 3), named by ``models:/<model_id>``."""

    @property
    def model_id(self) -> str:
        """``m-`` and 32 hex digits."""
    @property
    def experiment_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def artifact_location(self) -> str: ...
    @property
    def creation_timestamp(self) -> int: ...
    @property
    def last_updated_timestamp(self) -> int: ...
    @property
    def status(self) -> str:
        """``"PENDING"``, ``"READY"`` or ``"FAILED"``."""
    @property
    def status_message(self) -> str | None: ...
    @property
    def model_type(self) -> str | None: ...
    @property
    def source_run_id(self) -> str | None: ...
    @property
    def tags(self) -> dict[str, str]: ...
    @property
    def params(self) -> dict[str, str]: ...
    @property
    def metrics(self) -> list[LoggedModelMetric]: ...
    @property
    def model_uri(self) -> str: ...
    def __eq__(self, value: object, /) -> bool: ...

def register_model(model_uri: str, name: str, tags: Mapping[str, Any] | None = None) -> ModelVersion:
    """Register the model at ``runs:/<run_id>/<path>`` (or ``models:/...``) as the next
    version of ``name``, creating the registered model if needed.

    >>> from sklearn.linear_model import Ridge
    >>> with rtrack.start_run() as run:
    ...     _ = rtrack.sklearn.log_model(Ridge().fit([[0.0], [1.0]], [0.0, 1.0]), "model")
    >>> rtrack.register_model(f"runs:/{run.info.run_id}/model", "HousePrices")
    <ModelVersion: name="HousePrices", version='1', current_stage='None', aliases=[]>
    """

@final
class ActiveRun:
    """The run handed out by :func:`start_run`. As a context manager it ends the run:
    ``FAILED`` when the block raised (the exception propagates), ``FINISHED`` otherwise.

    >>> with rtrack.start_run() as run:
    ...     print(run.info.status)
    RUNNING
    >>> rtrack.get_run(run.info.run_id).info.status
    'FINISHED'
    >>> try:
    ...     with rtrack.start_run() as failed:
    ...         raise ValueError("the loss diverged")
    ... except ValueError:
    ...     pass
    >>> rtrack.get_run(failed.info.run_id).info.status
    'FAILED'
    """

    def get_run(self) -> Run:
        """The run as stored now."""
    @property
    def info(self) -> RunInfo: ...
    @property
    def data(self) -> RunData: ...
    def __enter__(self) -> ActiveRun: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None = None,
        _exc_value: BaseException | None = None,
        _traceback: TracebackType | None = None,
    ) -> bool: ...
    @property
    def live(self) -> Live | None:
        """The live chart ``start_run(live=...)`` draws under the cell, or None."""
    def _repr_html_(self) -> str:
        """The run as stored now, as HTML."""

# ----- tracking location -----

def set_tracking_uri(uri: _Uri | None = None) -> None:
    """Where runs are stored: a folder path or ``file:`` URI (a store folder holding
    ``rtrack.db`` and ``artifacts/``), or ``sqlite:///path.db`` (artifacts beside it).
    ``None`` goes back to ``RTRACK_TRACKING_URI``, else ``./rtruns``. An unknown scheme
    raises :class:`InvalidValueError`.

    >>> rtrack.set_tracking_uri("sqlite:///mlruns.db")
    >>> rtrack.get_tracking_uri()
    'sqlite:///mlruns.db'
    """

def is_tracking_uri_set() -> bool:
    """Whether a tracking URI was set in code or by the environment (else ``./rtruns``).

    >>> rtrack.is_tracking_uri_set()
    True
    """

def get_tracking_uri() -> str:
    """The tracking URI in force: set in code, else ``RTRACK_TRACKING_URI``, else ``./rtruns``."""

# ----- experiments -----

def set_experiment(experiment_name: str | None = None, experiment_id: _ExperimentId | None = None) -> Experiment:
    """Make an experiment the active one, by name (created if missing) or by id.
    A deleted experiment raises :class:`InvalidValueError`."""

# ----- runs -----

def start_run(
    run_id: str | None = None,
    experiment_id: _ExperimentId | None = None,
    run_name: str | None = None,
    nested: bool = False,
    tags: Mapping[str, Any] | None = None,
    description: str | None = None,
    live: bool | str | Sequence[str] | None = None,
) -> ActiveRun:
    """Start a run (or resume ``run_id``) and make it the active one. A second run while
    one is active needs ``nested=True``; nested runs carry tag ``mlflow.parentRunId``.
    ``description`` is stored as tag ``mlflow.note.content``. ``live=True`` (every metric)
    or ``live=["loss", ...]`` draws the run's metrics under the running cell while it logs,
    as :func:`rtrack.live` does; the chart stops when the run's ``with`` block ends.

    >>> with rtrack.start_run(run_name="baseline", tags={"team": "ml"}, live=["loss"]) as run:
    ...     rtrack.log_metric("loss", 0.3)
    >>> rtrack.get_run(run.info.run_id).data.tags["team"]
    'ml'
    """

def end_run(status: _Status = "FINISHED") -> None:
    """End the active run (no-op when there is none) and make its metrics durable."""

def active_run() -> ActiveRun | None: ...
def last_active_run() -> Run | None:
    """The active run, else the run most recently ended in this process.

    >>> with rtrack.start_run(run_name="baseline"):
    ...     pass
    >>> rtrack.last_active_run().info.run_name
    'baseline'
    """

def get_run(run_id: str) -> Run: ...

# ----- params, metrics, tags (on the active run; one is started if none is) -----

def log_param(key: str, value: _T) -> _T:
    """Store ``str(value)`` and return ``value``. The same value again is fine; a different
    one raises :class:`InvalidValueError` naming the key.

    >>> with rtrack.start_run():
    ...     alpha = rtrack.log_param("alpha", 0.5)
    ...     rtrack.log_param("alpha", 0.7)
    Traceback (most recent call last):
    ...
    rtrack.InvalidValueError: Changing param values is not allowed: param 'alpha' of run '...' was logged as '0.5', ...
    """

def log_params(params: dict[str, Any]) -> None: ...
def log_metric(key: str, value: float, step: int | None = None, timestamp: int | None = None) -> None:
    """Queue a metric point (step 0 and now by default); written in the background.
    NaN and infinities are kept."""

def log_metrics(metrics: dict[str, float], step: int | None = None, timestamp: int | None = None) -> None: ...
def log_metric_series(
    key: str, values: _Numbers, steps: _Integers | None = None, timestamps: _Integers | None = None
) -> None:
    """Store a whole array of points at once (steps 0, 1, 2 ... and now by default).

    >>> with rtrack.start_run() as run:
    ...     rtrack.log_metric_series("loss", np.linspace(1, 0, 10_000))
    >>> rtrack.get_run(run.info.run_id).data.metrics
    {'loss': 0.0}
    """

def get_metric_history(run_id: str, key: str) -> list[Metric]:
    """Every point of a metric, ordered by step then timestamp."""

def set_tag(key: str, value: Any) -> None: ...
def set_tags(tags: dict[str, Any]) -> None: ...
def delete_tag(key: str) -> None: ...
def flush() -> None:
    """Make every queued write durable now."""

# ----- artifacts (of the active run) -----

def log_artifact(local_path: _Path, artifact_path: str | None = None) -> None:
    """Copy a file into the run's artifacts, optionally into folder ``artifact_path``."""

def log_artifacts(local_dir: _Path, artifact_path: str | None = None) -> None:
    """Copy a folder's contents into the run's artifacts."""

def log_text(text: str, artifact_file: str) -> None: ...
def log_dict(dictionary: Any, artifact_file: str) -> None:
    """Store as YAML when ``artifact_file`` ends in ``.yaml``/``.yml``, else as JSON."""

def get_artifact_uri(artifact_path: str | None = None) -> str: ...
def list_artifacts(run_id: str | None = None, path: str | None = None) -> list[FileInfo]:
    """Entries directly under ``path`` (the artifact root when None), of the active run when
    ``run_id`` is None.

    >>> with rtrack.start_run() as run:
    ...     rtrack.log_text("hello", "notes/readme.txt")
    >>> rtrack.list_artifacts(run.info.run_id)
    [<FileInfo: path="notes", is_dir=True, file_size=None>]
    >>> rtrack.list_artifacts(run.info.run_id, "notes")
    [<FileInfo: path="notes/readme.txt", is_dir=False, file_size=5>]
    """

# ----- used by the Python package -----

def _set_source(name: str, kind: str, user: str) -> None: ...
def _end_all_runs(status: _Status = "FINISHED") -> None: ...
def _cli(args: list[str]) -> int: ...
def _current_experiment_id() -> str: ...
def _get_metric_series(
    run_id: str, key: str
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
def _log_image_pixels(pixels: bytes, height: int, width: int, channels: int, artifact_file: str) -> None: ...
def _log_table_columns(columns: Mapping[str, Sequence[Any]], artifact_file: str) -> None: ...
def runs_to_columns(runs: Sequence[Run]) -> dict[str, list[Any]]: ...

# ----- metrics and plots (the package's rtrack.metrics / rtrack.plots adapt the arguments) -----

# Class labels: all integers (or whole floats) or all strings.
_Labels = Sequence[int] | Sequence[float] | Sequence[str]

def _classification_report(y_true: _Labels, y_pred: _Labels, y_score: _Numbers | None = None) -> dict[str, float]: ...
def _regression_report(y_true: _Numbers, y_pred: _Numbers) -> dict[str, float]: ...
def _plot_confusion_matrix(y_true: _Labels, y_pred: _Labels) -> str: ...
def _plot_roc_curve(y_true: _Labels, y_score: _Numbers) -> str: ...
def _plot_precision_recall_curve(y_true: _Labels, y_score: _Numbers) -> str: ...
def _plot_prediction_scatter(y_true: _Numbers, y_pred: _Numbers) -> str: ...
def _plot_error_histogram(y_true: _Numbers, y_pred: _Numbers) -> str: ...
def _plot_feature_importance(names: Sequence[str], importances: _Numbers, max_features: int | None = None) -> str: ...
def _plot_metric_history(series: Iterable[tuple[str, _Integers, _Numbers]]) -> str: ...
def _plot_parallel_coordinates(columns: Iterable[tuple[str, _Numbers]], color_by: str | None = None) -> str: ...
def _log_figure_json(figure_json: str, artifact_file: str) -> None: ...
def _log_figure_image(image: bytes, artifact_file: str) -> None: ...

# ----- notebook views -----

@final
class Summary:
    """The run-summary dashboard; a notebook shows it as HTML (:func:`summary`)."""

    @property
    def experiment_names(self) -> list[str]:
        """Names of the experiments shown, most recently active first."""
    def _repr_html_(self) -> str: ...

def summary(experiment: str | int | Experiment | None = None) -> Summary:
    """The run-summary dashboard of every active experiment, or of one (by name or id):
    each run's status, duration, key params and latest metrics, a sparkline of every metric's
    history, and the best run per metric starred (lowest for losses, errors and times,
    highest otherwise).

    >>> rtrack.set_experiment("wine-quality")
    <Experiment: experiment_id='1', name="wine-quality", lifecycle_stage='active'>
    >>> with rtrack.start_run():
    ...     rtrack.log_metric("rmse", 0.71)
    >>> rtrack.summary("wine-quality")   # the last line of a notebook cell shows it as HTML
    <Summary: 1 experiments, 1 runs>
    """

def _results_html(items: Iterable[Any]) -> str | None: ...

@final
class _LiveChart:
    def __new__(cls, keys: Sequence[str] | None = None) -> _LiveChart: ...
    def refresh(self, run_id: str | None = None) -> bool: ...
    def points(self, key: str) -> int: ...
    def _repr_html_(self) -> str: ...

@final
class _UiServer:
    def __new__(
        cls,
        backend_store_uri: str,
        host: str = "127.0.0.1",
        port: int = 0,
        frame_ancestors: list[str] = ...,
        allowed_hosts: list[str] = ...,
        cors_allowed_origins: list[str] = ...,
    ) -> _UiServer: ...
    @property
    def url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def backend_store_uri(self) -> str: ...
    @property
    def running(self) -> bool: ...
    def stop(self) -> None: ...

# ----- Client -----

class Client:
    """Every tracking operation by id (MLflow's ``MlflowClient``), on the store at
    ``tracking_uri`` (default: the current tracking URI).

    >>> client = rtrack.Client()
    >>> run = client.create_run(experiment_id="0")
    >>> client.log_metric(run.info.run_id, "loss", 0.5, step=1)
    >>> client.set_terminated(run.info.run_id)
    >>> client.get_run(run.info.run_id).data.metrics
    {'loss': 0.5}
    """

    def __new__(cls, tracking_uri: _Uri | None = None) -> Self: ...
    @property
    def tracking_uri(self) -> str: ...

    # experiments
    def create_experiment(
        self, name: str, artifact_location: str | None = None, tags: Mapping[str, Any] | None = None
    ) -> str: ...
    def get_experiment(self, experiment_id: _ExperimentId) -> Experiment: ...
    def get_experiment_by_name(self, name: str) -> Experiment | None: ...
    def rename_experiment(self, experiment_id: _ExperimentId, new_name: str) -> None: ...
    def delete_experiment(self, experiment_id: _ExperimentId) -> None: ...
    def restore_experiment(self, experiment_id: _ExperimentId) -> None: ...
    def set_experiment_tag(self, experiment_id: _ExperimentId, key: str, value: Any) -> None: ...

    # runs
    def create_run(
        self,
        experiment_id: _ExperimentId,
        start_time: int | None = None,
        tags: Mapping[str, Any] | None = None,
        run_name: str | None = None,
    ) -> Run:
        """Create a RUNNING run with the system tags; it does not become the active run."""
    def get_run(self, run_id: str) -> Run: ...
    def set_terminated(self, run_id: str, status: _Status = "FINISHED", end_time: int | None = None) -> None:
        """End a run: status and end time, and its metrics made durable."""
    def update_run(self, run_id: str, status: _Status | None = None, name: str | None = None) -> None: ...
    def delete_run(self, run_id: str) -> None: ...
    def restore_run(self, run_id: str) -> None: ...

    # params, metrics, tags
    def log_param(self, run_id: str, key: str, value: _T) -> _T: ...
    def log_metric(
        self, run_id: str, key: str, value: float, timestamp: int | None = None, step: int | None = None
    ) -> None: ...
    def log_batch(
        self,
        run_id: str,
        metrics: Iterable[Metric] | None = None,
        params: Iterable[Param] | None = None,
        tags: Iterable[RunTag] | None = None,
    ) -> None:
        """Params, tags and metrics in one call; a bad entry refuses the whole batch."""
    def log_metric_series(
        self,
        run_id: str,
        key: str,
        values: _Numbers,
        steps: _Integers | None = None,
        timestamps: _Integers | None = None,
    ) -> None: ...
    def get_metric_history(self, run_id: str, key: str) -> list[Metric]: ...
    def set_tag(self, run_id: str, key: str, value: Any) -> None: ...
    def delete_tag(self, run_id: str, key: str) -> None: ...
    def flush(self) -> None: ...

    # artifacts
    def log_artifact(self, run_id: str, local_path: _Path, artifact_path: str | None = None) -> None: ...
    def log_artifacts(self, run_id: str, local_dir: _Path, artifact_path: str | None = None) -> None: ...
    def log_text(self, run_id: str, text: str, artifact_file: str) -> None: ...
    def log_dict(self, run_id: str, dictionary: Any, artifact_file: str) -> None: ...
    def list_artifacts(self, run_id: str, path: str | None = None) -> list[FileInfo]:
        """Entries directly under ``path``, with paths as MLflow gives them (``notes/readme.txt``)."""
    def download_artifacts(self, run_id: str, path: str, dst_path: _Path | None = None) -> str:
        """Copy an artifact (file or folder) into ``dst_path`` (a new temporary folder when
        None); returns the local path.

        >>> from pathlib import Path
        >>> client = rtrack.Client()
        >>> run = client.create_run("0")
        >>> client.log_text(run.info.run_id, "hello", "notes/readme.txt")
        >>> Path(client.download_artifacts(run.info.run_id, "notes", dst_path=".")).name
        'notes'
        >>> Path("notes/readme.txt").read_text()
        'hello'
        """
    def get_artifact_uri(self, run_id: str, artifact_path: str | None = None) -> str: ...

    # model registry
    def create_registered_model(
        self, name: str, tags: Mapping[str, Any] | None = None, description: str | None = None
    ) -> RegisteredModel:
        """Create a registered model; a taken name raises :class:`AlreadyExistsError`."""
    def get_registered_model(self, name: str) -> RegisteredModel: ...
    def rename_registered_model(self, name: str, new_name: str) -> RegisteredModel:
        """Rename a model; its versions, tags and aliases stay with it."""
    def update_registered_model(self, name: str, description: str | None = None) -> RegisteredModel: ...
    def delete_registered_model(self, name: str) -> None:
        """Delete a model with all its versions."""
    def set_registered_model_tag(self, name: str, key: str, value: Any) -> None: ...
    def delete_registered_model_tag(self, name: str, key: str) -> None: ...
    def create_model_version(
        self,
        name: str,
        source: str,
        run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        run_link: str | None = None,
        description: str | None = None,
        model_id: str | None = None,
    ) -> ModelVersion:
        """Add the next version (1, 2, 3 ...; numbers of deleted versions are not reused)."""
    def get_model_version(self, name: str, version: _Version) -> ModelVersion: ...
    def update_model_version(self, name: str, version: _Version, description: str | None = None) -> ModelVersion: ...
    def delete_model_version(self, name: str, version: _Version) -> None:
        """Delete a version; the aliases pointing at it go too."""
    def set_model_version_tag(self, name: str, version: _Version, key: str, value: Any) -> None: ...
    def delete_model_version_tag(self, name: str, version: _Version, key: str) -> None: ...
    def transition_model_version_stage(
        self, name: str, version: _Version, stage: str, archive_existing_versions: bool = False
    ) -> ModelVersion:
        """Move a version to a legacy stage; ``archive_existing_versions`` archives the
        versions that were in Staging or Production."""
    def get_latest_versions(self, name: str, stages: list[str] | None = None) -> list[ModelVersion]:
        """The newest version in each of ``stages`` (every stage when None)."""
    def set_registered_model_alias(self, name: str, alias: str, version: _Version) -> None:
        """Point an alias at a version; moving it back to an older version is a rollback.

        >>> client = rtrack.Client()
        >>> _ = client.create_registered_model("HousePrices")
        >>> for _ in range(2):
        ...     _ = client.create_model_version("HousePrices", source="/models/house")
        >>> client.set_registered_model_alias("HousePrices", "production", 2)
        >>> client.set_registered_model_alias("HousePrices", "production", 1)   # roll back
        >>> client.get_model_version_by_alias("HousePrices", "production").version
        '1'
        """
    def delete_registered_model_alias(self, name: str, alias: str) -> None: ...
    def get_model_version_by_alias(self, name: str, alias: str) -> ModelVersion:
        """The version an alias points at; ``"latest"`` is the newest version."""

    # logged models
    def create_logged_model(
        self,
        experiment_id: _ExperimentId,
        name: str | None = None,
        source_run_id: str | None = None,
        tags: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        model_type: str | None = None,
    ) -> LoggedModel:
        """Create a logged model, ``PENDING`` until :meth:`finalize_logged_model`."""
    def get_logged_model(self, model_id: str) -> LoggedModel: ...
    def finalize_logged_model(self, model_id: str, status: Any) -> LoggedModel:
        """Set the final status: ``"READY"`` or ``"FAILED"``."""
    def delete_logged_model(self, model_id: str) -> None: ...
    def set_logged_model_tags(self, model_id: str, tags: Mapping[str, Any]) -> None: ...
    def delete_logged_model_tag(self, model_id: str, key: str) -> None: ...
    def log_model_params(self, model_id: str, params: Mapping[str, Any]) -> None:
        """Params are immutable: the same value again is fine, another raises."""
    def log_model_metric(
        self,
        model_id: str,
        key: str,
        value: float,
        step: int = 0,
        timestamp: int | None = None,
        run_id: str | None = None,
        dataset_name: str | None = None,
        dataset_digest: str | None = None,
    ) -> None:
        """Record one metric value for a logged model (``timestamp`` defaults to now)."""

    def _search_registered_models_page(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> tuple[list[RegisteredModel], str | None]: ...
    def _search_model_versions_page(
        self,
        filter_string: str | None = None,
        max_results: int = 10000,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> tuple[list[ModelVersion], str | None]: ...
    def _search_logged_models_page(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: list[str] | None = None,
        page_token: str | None = None,
        datasets: list[tuple[str, str | None]] | None = None,
    ) -> tuple[list[LoggedModel], str | None]: ...
    def _search_experiments_page(
        self,
        view_type: int | str | None = None,
        max_results: int = 1000,
        filter_string: str | None = None,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> tuple[list[Experiment], str | None]: ...
    def _search_runs_page(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str = "",
        run_view_type: int | str | None = None,
        max_results: int = 1000,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> tuple[list[Run], str | None]: ...
    def _search_all_experiments(
        self,
        view_type: int | str | None = None,
        max_results: int | None = None,
        filter_string: str | None = None,
        order_by: list[str] | None = None,
    ) -> list[Experiment]: ...
    def _search_all_runs(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str = "",
        run_view_type: int | str | None = None,
        max_results: int = 100_000,
        order_by: list[str] | None = None,
    ) -> list[Run]: ...
    def _experiments_to_search(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        experiment_names: Sequence[str],
        search_all: bool,
    ) -> list[str]: ...
    def _search_runs_columns(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str = "",
        run_view_type: int | str | None = None,
        max_results: int = 100_000,
        order_by: list[str] | None = None,
        arrow_text: bool = False,
    ) -> dict[str, Any]: ...
    def _get_metric_series(
        self, run_id: str, key: str
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int64]]: ...
    def _log_image_pixels(
        self, run_id: str, pixels: bytes, height: int, width: int, channels: int, artifact_file: str
    ) -> None: ...
    def _log_table_columns(self, run_id: str, columns: Mapping[str, Sequence[Any]], artifact_file: str) -> None: ...

# ----- models: signatures and model folders (rtrack.models, rtrack.pyfunc, rtrack.sklearn) -----

@final
class ColSpec:
    """One column of a model's input or output: name, MLflow type, required."""
    def __new__(cls, type: str, name: str | None = None, required: bool = True) -> ColSpec: ...
    @property
    def name(self) -> str | None: ...
    @property
    def type(self) -> str:
        """``"boolean"``, ``"integer"``, ``"long"``, ``"float"``, ``"double"``, ``"string"``,
        ``"binary"`` or ``"datetime"``."""
    @property
    def required(self) -> bool: ...

@final
class TensorSpec:
    """One tensor: numpy dtype and shape (-1 for a free dimension)."""
    def __new__(cls, type: Any, shape: Sequence[int], name: str | None = None) -> TensorSpec: ...
    @property
    def name(self) -> str | None: ...
    @property
    def type(self) -> str: ...
    @property
    def shape(self) -> list[int]: ...

@final
class Schema:
    """Column specs or tensor specs; iterating gives the specs in order."""
    def __new__(cls, inputs: Iterable[ColSpec] | Iterable[TensorSpec]) -> Schema: ...
    @property
    def inputs(self) -> list[ColSpec] | list[TensorSpec]: ...
    def input_names(self) -> list[str]: ...
    def input_types(self) -> list[str]: ...
    def is_tensor_spec(self) -> bool: ...
    def has_input_names(self) -> bool: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Schema: ...
    def __iter__(self) -> Any: ...
    def __len__(self) -> int: ...
    def __getitem__(self, key: int, /) -> Any: ...

@final
class ModelSignature:
    """What a model takes (``inputs``) and returns (``outputs``)."""
    def __new__(cls, inputs: Schema, outputs: Schema | None = None) -> ModelSignature: ...
    @property
    def inputs(self) -> Schema: ...
    @property
    def outputs(self) -> Schema | None: ...
    def to_dict(self) -> dict[str, Any]: ...
    @staticmethod
    def from_dict(signature: Mapping[str, Any]) -> ModelSignature: ...

def _infer_signature(inputs: tuple[Any, ...], outputs: tuple[Any, ...] | None = None) -> ModelSignature: ...
def _plan_frame(schema: Schema, columns: Sequence[tuple[str, str]]) -> list[tuple[str, str | None]]: ...
def _plan_tensor(schema: Schema, dtype: str, shape: Sequence[int]) -> str | None: ...
def _write_model_dir(
    path: str | os.PathLike[str],
    flavors: Mapping[str, Any],
    signature: ModelSignature | None = None,
    environment: tuple[str, Sequence[str], Sequence[str]] | None = None,
    example: tuple[str, Any] | None = None,
    run_id: str | None = None,
    artifact_path: str | None = None,
) -> dict[str, Any]: ...
def _read_model(path: str | os.PathLike[str]) -> dict[str, Any]: ...
def _resolve_model(uri: str, scratch: str | os.PathLike[str]) -> str: ...
def _model_file(path: str | os.PathLike[str], relative: str) -> str: ...
def _read_input_example(path: str | os.PathLike[str]) -> Any: ...
def _log_model_output(
    run_id: str, artifact_path: str, local_dir: str | os.PathLike[str], model_type: str | None = None
) -> str: ...
