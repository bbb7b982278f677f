"""``rtrack.Client``: operations by id (MLflow's ``MlflowClient``), implemented in Rust."""

from . import _adapters, _core
from ._constants import ViewType


class ResultList(list):
    """Runs, experiments or metric points; in a notebook they show as a table."""

    def _repr_html_(self):
        return _core._results_html(self)


class PagedList(ResultList):
    """One page of results; ``token`` fetches the next page (None on the last one)."""

    def __init__(self, items, token):
        super().__init__(items)
        self.token = token


class MetricSeries(tuple):
    """A metric's history as numpy arrays: ``steps, values, timestamps = series``."""

    __slots__ = ()

    def __new__(cls, steps, values, timestamps):
        return super().__new__(cls, (steps, values, timestamps))

    @property
    def steps(self):
        return self[0]

    @property
    def values(self):
        return self[1]

    @property
    def timestamps(self):
        return self[2]

    def __repr__(self):
        return f"MetricSeries({len(self[1])} points)"


class Client(_core.Client):
    """Every tracking operation by id, on the store at ``tracking_uri`` (default: the
    current tracking URI).

    >>> client = rtrack.Client()                       # doctest: +SKIP
    >>> run = client.create_run(experiment_id="0")     # doctest: +SKIP
    >>> client.log_metric(run.info.run_id, "loss", 0.5, step=1)  # doctest: +SKIP
    """

    def search_runs(
        self,
        experiment_ids,
        filter_string="",
        run_view_type=ViewType.ACTIVE_ONLY,
        max_results=1000,
        order_by=None,
        page_token=None,
    ):
        """One page of runs matching an MLflow filter, as ``Run`` objects."""
        runs, token = self._search_runs_page(
            experiment_ids, filter_string, run_view_type, max_results, order_by, page_token
        )
        return PagedList(runs, token)

    def search_experiments(
        self, view_type=ViewType.ACTIVE_ONLY, max_results=1000, filter_string=None, order_by=None, page_token=None
    ):
        """One page of experiments matching a filter such as ``name LIKE 'wine%'``."""
        experiments, token = self._search_experiments_page(view_type, max_results, filter_string, order_by, page_token)
        return PagedList(experiments, token)

    def search_registered_models(self, filter_string=None, max_results=100, order_by=None, page_token=None):
        """One page of registered models matching a filter such as ``name LIKE 'house%'``."""
        models, token = self._search_registered_models_page(filter_string, max_results, order_by, page_token)
        return PagedList(models, token)

    def search_model_versions(self, filter_string=None, max_results=10000, order_by=None, page_token=None):
        """One page of model versions matching a filter such as ``name = 'HousePrices'``."""
        versions, token = self._search_model_versions_page(filter_string, max_results, order_by, page_token)
        return PagedList(versions, token)

    def search_logged_models(
        self, experiment_ids, filter_string=None, max_results=None, order_by=None, page_token=None
    ):
        """One page of the logged models of some experiments. ``order_by`` takes clauses
        (``"metrics.rmse ASC"``) or MLflow's dicts (``{"field_name": "metrics.rmse", "ascending": True}``)."""
        clauses = [_order_clause(o) for o in order_by] if order_by else None
        models, token = self._search_logged_models_page(
            experiment_ids, filter_string, 100 if max_results is None else max_results, clauses, page_token
        )
        return PagedList(models, token)

    def get_metric_history(self, run_id, key):
        """Every point of a metric, ordered by step then timestamp."""
        return ResultList(super().get_metric_history(run_id, key))

    def get_metric_series(self, run_id, key):
        """The whole history of a metric as numpy arrays (steps, values, timestamps)."""
        return MetricSeries(*self._get_metric_series(run_id, key))

    def log_image(self, run_id, image, artifact_file):
        """Store a numpy array or PIL image as a PNG artifact."""
        self._log_image_pixels(run_id, *_adapters.image_pixels(image), artifact_file)

    def log_table(self, run_id, data, artifact_file):
        """Store a dict of columns or a DataFrame as a JSON table artifact."""
        _adapters.check_table_file(artifact_file)
        self._log_table_columns(run_id, _adapters.table_columns(data), artifact_file)


def _order_clause(order):
    """An order_by clause from a string, or from MLflow's ``{"field_name", "ascending"}`` dict."""
    if isinstance(order, dict):
        return f"{order['field_name']} {'ASC' if order.get('ascending', True) else 'DESC'}"
    return order
