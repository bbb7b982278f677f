"""``rtrack.Client``: operations by id (MLflow's ``MlflowClient``), implemented in Rust."""

from __future__ import annotations

from . import _adapters, _core
from ._constants import ViewType

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from typing import Any, TypeVar

    import numpy as np
    import numpy.typing as npt

    from ._adapters import ImageLike, TableLike
    from ._core import Experiment, LoggedModel, Metric, ModelVersion, RegisteredModel, Run, _ExperimentId

    _T = TypeVar("_T")


# The base is spelled list["_T"] so that the class is generic for type checkers while
# the typing module stays unimported at run time; list["_T"] subclasses as plain list.
class ResultList(list["_T"]):
    """Runs, experiments or metric points; in a notebook they show as a table."""

    def _repr_html_(self) -> str | None:
        return _core._results_html(self)


class PagedList(ResultList["_T"]):
    """One page of results; ``token`` fetches the next page (None on the last one)."""

    token: str | None

    def __init__(self, items: Iterable[_T], token: str | None) -> None:
        super().__init__(items)
        self.token = token


class MetricSeries(tuple["npt.NDArray[np.int64]", "npt.NDArray[np.float64]", "npt.NDArray[np.int64]"]):
    """A metric's history as numpy arrays: ``steps, values, timestamps = series``."""

    __slots__ = ()

    def __new__(
        cls,
        steps: npt.NDArray[np.int64],
        values: npt.NDArray[np.float64],
        timestamps: npt.NDArray[np.int64],
    ) -> MetricSeries:
        return super().__new__(cls, (steps, values, timestamps))

    @property
    def steps(self) -> npt.NDArray[np.int64]:
        return self[0]

    @property
    def values(self) -> npt.NDArray[np.float64]:
        return self[1]

    @property
    def timestamps(self) -> npt.NDArray[np.int64]:
        return self[2]

    def __repr__(self) -> str:
        return f"MetricSeries({len(self[1])} points)"


class Client(_core.Client):
    """Every tracking operation by id (MLflow's ``MlflowClient``), on the store at
    ``tracking_uri`` (default: the current tracking URI).

    >>> client = rtrack.Client()
    >>> run = client.create_run(experiment_id="0")
    >>> client.log_metric(run.info.run_id, "loss", 0.5, step=1)
    >>> client.set_terminated(run.info.run_id)
    >>> client.get_run(run.info.run_id).data.metrics
    {'loss': 0.5}
    """

    def search_runs(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str = "",
        run_view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = 1000,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Run]:
        """One page of runs matching an MLflow filter, as ``Run`` objects; pass ``page.token``
        back for the next page.

        >>> client = rtrack.Client()
        >>> for _ in range(3):
        ...     _ = client.create_run("0")
        >>> page = client.search_runs("0", max_results=2)
        >>> len(page), len(client.search_runs("0", max_results=2, page_token=page.token))
        (2, 1)
        """
        runs, token = self._search_runs_page(
            experiment_ids, filter_string, run_view_type, max_results, order_by, page_token
        )
        return PagedList(runs, token)

    def search_experiments(
        self,
        view_type: int = ViewType.ACTIVE_ONLY,
        max_results: int = 1000,
        filter_string: str | None = None,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[Experiment]:
        """One page of experiments matching a filter such as ``name LIKE 'wine%'``; pass
        ``page.token`` back for the next page."""
        experiments, token = self._search_experiments_page(view_type, max_results, filter_string, order_by, page_token)
        return PagedList(experiments, token)

    def search_registered_models(
        self,
        filter_string: str | None = None,
        max_results: int = 100,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[RegisteredModel]:
        """One page of registered models matching a filter on ``name`` or ``tags.<key>``;
        ``page.token`` fetches the next page.

        >>> client = rtrack.Client()
        >>> for name in ["house-prices", "house-rents", "wine"]:
        ...     _ = client.create_registered_model(name)
        >>> [m.name for m in client.search_registered_models("name LIKE 'house%'", order_by=["name DESC"])]
        ['house-rents', 'house-prices']
        """
        models, token = self._search_registered_models_page(filter_string, max_results, order_by, page_token)
        return PagedList(models, token)

    def search_model_versions(
        self,
        filter_string: str | None = None,
        max_results: int = 10000,
        order_by: list[str] | None = None,
        page_token: str | None = None,
    ) -> PagedList[ModelVersion]:
        """One page of model versions matching a filter on ``name``, ``version_number``,
        ``run_id``, ``source_path`` or ``tags.<key>``; newest change first unless ``order_by``
        says otherwise.

        >>> client = rtrack.Client()
        >>> _ = client.create_registered_model("HousePrices")
        >>> for _ in range(4):
        ...     _ = client.create_model_version("HousePrices", source="/models/house")
        >>> [v.version for v in client.search_model_versions("name = 'HousePrices' AND version_number > 2")]
        ['4', '3']
        """
        versions, token = self._search_model_versions_page(filter_string, max_results, order_by, page_token)
        return PagedList(versions, token)

    def search_logged_models(
        self,
        experiment_ids: _ExperimentId | Sequence[_ExperimentId],
        filter_string: str | None = None,
        max_results: int | None = None,
        order_by: Sequence[str | dict[str, Any]] | None = None,
        page_token: str | None = None,
        datasets: Sequence[dict[str, str]] | None = None,
    ) -> PagedList[LoggedModel]:
        """One page of the logged models of some experiments. ``order_by`` takes clauses
        (``"metrics.rmse ASC"``) or MLflow's dicts (``{"field_name": "metrics.rmse", "ascending": True}``).
        ``datasets`` (MLflow's ``[{"dataset_name": ..., "dataset_digest": ...}]``, the digest
        optional) keeps models with metrics on one of them, and metric conditions count only those.

        >>> client = rtrack.Client()
        >>> for name, rmse in [("enet", 0.65), ("ridge", 0.72)]:
        ...     model = client.create_logged_model("0", name=name)
        ...     client.log_model_metric(model.model_id, "rmse", rmse)
        ...     _ = client.finalize_logged_model(model.model_id, "READY")
        >>> [m.name for m in client.search_logged_models(["0"], "metrics.rmse < 0.7 AND status = 'READY'")]
        ['enet']
        """
        clauses = [_order_clause(o) for o in order_by] if order_by else None
        on = [(d.get("dataset_name", ""), d.get("dataset_digest")) for d in datasets] if datasets else None
        models, token = self._search_logged_models_page(
            experiment_ids, filter_string, 100 if max_results is None else max_results, clauses, page_token, on
        )
        return PagedList(models, token)

    def get_metric_history(self, run_id: str, key: str) -> ResultList[Metric]:
        """Every point of a metric, ordered by step then timestamp (a table in a notebook)."""
        return ResultList(super().get_metric_history(run_id, key))

    def get_metric_series(self, run_id: str, key: str) -> MetricSeries:
        """The whole history of a metric as numpy arrays (steps, values, timestamps)."""
        return MetricSeries(*self._get_metric_series(run_id, key))

    def log_image(self, run_id: str, image: ImageLike, artifact_file: str) -> None:
        """Store a numpy array (H, W[, 1|2|3|4]; uint8, or float in [0, 1]) or a PIL image as a
        PNG artifact."""
        self._log_image_pixels(run_id, *_adapters.image_pixels(image), artifact_file)

    def log_table(self, run_id: str, data: TableLike, artifact_file: str) -> None:
        """Store a dict of columns or a DataFrame as a JSON table artifact (``.json`` only)."""
        _adapters.check_table_file(artifact_file)
        self._log_table_columns(run_id, _adapters.table_columns(data), artifact_file)


def _order_clause(order: str | dict[str, Any]) -> str:
    """An order_by clause from a string, or from MLflow's ``{"field_name", "ascending"}`` dict."""
    if isinstance(order, dict):
        return f"{order['field_name']} {'ASC' if order.get('ascending', True) else 'DESC'}"
    return order
