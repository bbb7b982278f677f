"""Module-level verbs that need a Python object on the way in or out (DataFrames, numpy
arrays, images) or that are a Client call on the current tracking URI."""

from __future__ import annotations

from . import _adapters, _core
from ._client import Client, MetricSeries, ResultList
from ._constants import ViewType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, Literal, overload

    import pandas as pd

    from ._adapters import ImageLike, TableLike
    from ._core import Experiment, Metric, Run, _ExperimentId


def create_experiment(name: str, artifact_location: str | None = None, tags: Mapping[str, Any] | None = None) -> str:
    """Create an experiment and return its id; a taken name raises :class:`AlreadyExistsError`.

    >>> rtrack.create_experiment("wine-quality", tags={"team": "ml"})
    '1'
    """
    return Client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id: _ExperimentId) -> Experiment:
    return Client().get_experiment(experiment_id)


def get_experiment_by_name(name: str) -> Experiment | None:
    """The experiment with this name, or None."""
    return Client().get_experiment_by_name(name)


def rename_experiment(experiment_id: _ExperimentId, new_name: str) -> None:
    Client().rename_experiment(experiment_id, new_name)


def delete_experiment(experiment_id: _ExperimentId) -> None:
    """Move an experiment and its runs to the bin (restorable). The default experiment stays."""
    Client().delete_experiment(experiment_id)


def restore_experiment(experiment_id: _ExperimentId) -> None:
    Client().restore_experiment(experiment_id)


def delete_run(run_id: str) -> None:
    Client().delete_run(run_id)


def restore_run(run_id: str) -> None:
    Client().restore_run(run_id)


def search_experiments(
    view_type: int = ViewType.ACTIVE_ONLY,
    max_results: int | None = None,
    filter_string: str | None = None,
    order_by: list[str] | None = None,
) -> list[Experiment]:
    """Every experiment matching the filter (all pages).

    >>> for name in ["wine-red", "wine-white", "houses"]:
    ...     _ = rtrack.create_experiment(name)
    >>> [e.name for e in rtrack.search_experiments(filter_string="name LIKE 'wine%'", order_by=["name"])]
    ['wine-red', 'wine-white']
    """
    return Client()._search_all_experiments(view_type, max_results, filter_string, order_by)


if TYPE_CHECKING:

    @overload
    def search_runs(
        experiment_ids: _ExperimentId | Sequence[_ExperimentId] | None = None,
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = 100_000,
        order_by: list[str] | None = None,
        output_format: Literal["pandas"] = "pandas",
        search_all_experiments: bool = False,
        experiment_names: list[str] | None = None,
    ) -> pd.DataFrame: ...

    @overload
    def search_runs(
        experiment_ids: _ExperimentId | Sequence[_ExperimentId] | None = None,
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = 100_000,
        order_by: list[str] | None = None,
        *,
        output_format: Literal["list"],
        search_all_experiments: bool = False,
        experiment_names: list[str] | None = None,
    ) -> ResultList[Run]: ...


def search_runs(
    experiment_ids: _ExperimentId | Sequence[_ExperimentId] | None = None,
    filter_string: str = "",
    run_view_type: int = ViewType.ACTIVE_ONLY,
    max_results: int = 100_000,
    order_by: list[str] | None = None,
    output_format: str = "pandas",
    search_all_experiments: bool = False,
    experiment_names: list[str] | None = None,
) -> pd.DataFrame | ResultList[Run]:
    """Runs matching an MLflow filter, as a pandas DataFrame with MLflow's columns (``run_id``,
    ``status``, ``metrics.<k>``, ``params.<k>``, ``tags.<k>`` ...) or, with
    ``output_format="list"``, a list of runs. Without ids or names, the active experiment is
    searched.

    >>> for alpha, rmse in [(0.1, 0.65), (0.5, 0.72), (1.0, 0.68)]:
    ...     with rtrack.start_run():
    ...         rtrack.log_params({"model": "enet", "alpha": alpha})
    ...         rtrack.log_metric("rmse", rmse)
    >>> runs = rtrack.search_runs(filter_string="metrics.rmse < 0.7 AND params.model = 'enet'",
    ...                           order_by=["metrics.rmse ASC"])
    >>> runs[["params.alpha", "metrics.rmse"]]
      params.alpha  metrics.rmse
    0          0.1          0.65
    1          1.0          0.68
    """
    if output_format not in ("pandas", "list"):
        raise _core.InvalidValueError(f"Invalid output_format '{output_format}': use 'pandas' or 'list'")
    client = Client()
    ids = client._experiments_to_search(experiment_ids or [], experiment_names or [], search_all_experiments)
    if output_format == "pandas":
        arrow_text = _adapters.arrow_text_columns() is not None
        columns = client._search_runs_columns(ids, filter_string, run_view_type, max_results, order_by, arrow_text)
        return _adapters.runs_frame(columns)
    return ResultList(client._search_all_runs(ids, filter_string, run_view_type, max_results, order_by))


def get_metric_history(run_id: str, key: str) -> ResultList[Metric]:
    """Every point of a metric, ordered by step then timestamp (a table in a notebook)."""
    return ResultList(_core.get_metric_history(run_id, key))


def get_metric_series(run_id: str, key: str) -> MetricSeries:
    """A metric's whole history as numpy arrays: ``steps, values, timestamps`` (int64 steps,
    float64 values, int64 timestamps).

    >>> with rtrack.start_run() as run:
    ...     rtrack.log_metric_series("loss", [0.9, 0.5, 0.3])
    >>> steps, values, timestamps = rtrack.get_metric_series(run.info.run_id, "loss")
    >>> steps, values
    (array([0, 1, 2]), array([0.9, 0.5, 0.3]))
    """
    return MetricSeries(*_core._get_metric_series(run_id, key))


def log_image(image: ImageLike, artifact_file: str) -> None:
    """Store a numpy array (H, W[, 1|2|3|4]; uint8, or float in [0, 1]) or a PIL image as a PNG
    artifact of the active run.

    >>> with rtrack.start_run() as run:
    ...     rtrack.log_image(np.linspace(0, 1, 64).reshape(8, 8), "gradient.png")
    >>> [f.path for f in rtrack.list_artifacts(run.info.run_id)]
    ['gradient.png']
    """
    _core._log_image_pixels(*_adapters.image_pixels(image), artifact_file)


def log_table(data: TableLike, artifact_file: str) -> None:
    """Store a dict of columns or a DataFrame as a JSON table (``columns`` + ``data``);
    ``.json`` only.

    >>> with rtrack.start_run() as run:
    ...     rtrack.log_table(pd.DataFrame({"wine": ["red", "white"], "rmse": [0.65, 0.72]}), "scores.json")
    >>> rtrack.list_artifacts(run.info.run_id)[0].path
    'scores.json'
    """
    _adapters.check_table_file(artifact_file)
    _core._log_table_columns(_adapters.table_columns(data), artifact_file)


# Formats plotly's kaleido engine renders; anything else is the core's (.html, .json).
_IMAGE_FORMATS = ("png", "jpg", "jpeg", "webp", "svg", "pdf")


def log_figure(figure: Any, artifact_file: str) -> None:
    """Store a Plotly figure in the active run: ``.html`` as a self-contained interactive page
    (plotly.js inlined, no network needed), ``.json`` as Plotly's JSON, ``.png``, ``.jpg``,
    ``.svg``, ``.pdf`` or ``.webp`` through plotly's kaleido engine (an :class:`RtrackError`
    when kaleido is not installed).

    >>> with rtrack.start_run() as run:
    ...     rtrack.log_figure(rtrack.plots.confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0]), "confusion.html")
    >>> [f.path for f in rtrack.list_artifacts(run.info.run_id)]
    ['confusion.html']
    """
    name = str(artifact_file)
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in _IMAGE_FORMATS:
        _core._log_figure_image(_adapters.figure_image(figure, suffix), name)
    else:
        _core._log_figure_json(_adapters.figure_json(figure), name)


# ----- MLflow's module-level verbs that are one Client call on the current tracking URI -----


def _active_experiment_id() -> str:
    return _core._current_experiment_id()


def set_experiment_tag(key: str, value: Any) -> None:
    """Tag the active experiment.

    >>> rtrack.set_experiment_tag("team", "ml")
    >>> rtrack.get_experiment("0").tags["team"]
    'ml'
    """
    Client().set_experiment_tag(_active_experiment_id(), key, value)


def set_experiment_tags(tags: Mapping[str, Any]) -> None:
    """Tag the active experiment with several tags.

    >>> rtrack.set_experiment_tags({"team": "ml", "stage": "dev"})
    >>> sorted(rtrack.get_experiment("0").tags)
    ['stage', 'team']
    """
    client = Client()
    for key, value in tags.items():
        client.set_experiment_tag(_active_experiment_id(), key, value)


def get_parent_run(run_id: str) -> Run | None:
    """The run a nested run was started in, or None for a top-level run.

    >>> with rtrack.start_run() as parent:
    ...     with rtrack.start_run(nested=True) as child:
    ...         pass
    >>> rtrack.get_parent_run(child.info.run_id).info.run_id == parent.info.run_id
    True
    """
    client = Client()
    parent = client.get_run(run_id).data.tags.get("mlflow.parentRunId")
    return client.get_run(parent) if parent else None


def get_registry_uri() -> str:
    """Where the model registry is: with the runs, at the tracking URI.

    >>> rtrack.get_registry_uri() == rtrack.get_tracking_uri()
    True
    """
    return _core.get_tracking_uri()


def set_registry_uri(uri: str | None) -> None:
    """Accepted when it names the tracking store (as MLflow scripts often set both): rtrack
    keeps the registry with the runs, so another registry is refused rather than ignored.

    >>> rtrack.set_registry_uri(rtrack.get_tracking_uri())
    """
    if uri is not None and uri != _core.get_tracking_uri():
        raise _core.InvalidValueError(
            f"Registry URI '{uri}' differs from the tracking URI '{_core.get_tracking_uri()}': "
            "rtrack keeps the model registry in the tracking store"
        )


def search_registered_models(
    filter_string: str | None = None, max_results: int = 100, order_by: list[str] | None = None
) -> list[Any]:
    """Registered models matching a filter (``name LIKE 'House%'``), up to ``max_results``.

    >>> _ = rtrack.Client().create_registered_model("HousePrices")
    >>> [m.name for m in rtrack.search_registered_models("name LIKE 'House%'")]
    ['HousePrices']
    """
    return list(Client().search_registered_models(filter_string, max_results, order_by))


def search_model_versions(
    filter_string: str | None = None, max_results: int = 10_000, order_by: list[str] | None = None
) -> list[Any]:
    """Model versions matching a filter (``name = 'HousePrices'``), up to ``max_results``.

    >>> rtrack.search_model_versions("name = 'nothing-here'")
    []
    """
    return list(Client().search_model_versions(filter_string, max_results, order_by))


def get_logged_model(model_id: str) -> Any:
    """A logged model by id (``models:/<model_id>``).

    >>> model = rtrack.Client().create_logged_model("0", name="enet")
    >>> rtrack.get_logged_model(model.model_id).name
    'enet'
    """
    return Client().get_logged_model(model_id)


def search_logged_models(
    experiment_ids: Sequence[_ExperimentId] | None = None,
    filter_string: str | None = None,
    max_results: int | None = None,
    order_by: Sequence[str | dict[str, Any]] | None = None,
    datasets: Sequence[dict[str, str]] | None = None,
) -> list[Any]:
    """Logged models of some experiments (the active one by default) matching a filter.

    >>> _ = rtrack.Client().create_logged_model("0", name="enet")
    >>> [m.name for m in rtrack.search_logged_models(filter_string="name = 'enet'")]
    ['enet']
    """
    ids = list(experiment_ids) if experiment_ids else [_active_experiment_id()]
    return list(Client().search_logged_models(ids, filter_string, max_results, order_by, datasets=datasets))


def flush_async_logging() -> None:
    """MLflow's name for :func:`rtrack.flush`: queued points become durable now.

    >>> rtrack.flush_async_logging()
    """
    _core.flush()
