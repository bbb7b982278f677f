"""Module-level verbs that need a Python object on the way in or out (DataFrames, numpy
arrays, images) or that are a Client call on the current tracking URI."""

from . import _adapters, _core
from ._client import Client, MetricSeries, ResultList
from ._constants import ViewType

# The most a single page request asks the store for.
_PAGE = 50_000


def create_experiment(name, artifact_location=None, tags=None):
    """Create an experiment and return its id."""
    return Client().create_experiment(name, artifact_location, tags)


def get_experiment(experiment_id):
    return Client().get_experiment(experiment_id)


def get_experiment_by_name(name):
    """The experiment with this name, or None."""
    return Client().get_experiment_by_name(name)


def rename_experiment(experiment_id, new_name):
    Client().rename_experiment(experiment_id, new_name)


def delete_experiment(experiment_id):
    """Move an experiment and its runs to the bin (restorable)."""
    Client().delete_experiment(experiment_id)


def restore_experiment(experiment_id):
    Client().restore_experiment(experiment_id)


def delete_run(run_id):
    Client().delete_run(run_id)


def restore_run(run_id):
    Client().restore_run(run_id)


def search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=None, filter_string=None, order_by=None):
    """Every experiment matching the filter (all pages), e.g. ``filter_string="name LIKE 'wine%'"``."""
    client, found, token = Client(), [], None
    while max_results is None or len(found) < max_results:
        want = _PAGE if max_results is None else min(_PAGE, max_results - len(found))
        page, token = client._search_experiments_page(view_type, want, filter_string, order_by, token)
        found.extend(page)
        if token is None:
            break
    return found


def search_runs(
    experiment_ids=None,
    filter_string="",
    run_view_type=ViewType.ACTIVE_ONLY,
    max_results=100_000,
    order_by=None,
    output_format="pandas",
    search_all_experiments=False,
    experiment_names=None,
):
    """Runs matching an MLflow filter, as a pandas DataFrame (MLflow's columns) or a list.

    >>> rtrack.search_runs(filter_string="metrics.rmse < 0.7", order_by=["metrics.rmse"])  # doctest: +SKIP
    """
    if output_format not in ("pandas", "list"):
        raise _core.InvalidValueError(f"Invalid output_format '{output_format}': use 'pandas' or 'list'")
    client = Client()
    if isinstance(experiment_ids, (str, int)):
        experiment_ids = [experiment_ids]
    ids = list(experiment_ids or [])
    for name in experiment_names or []:
        experiment = client.get_experiment_by_name(name)
        if experiment is None:
            raise _core.NotFoundError(f"No experiment named '{name}'")
        ids.append(experiment.experiment_id)
    if not ids:
        if search_all_experiments:
            ids = [e.experiment_id for e in search_experiments(view_type=ViewType.ALL)]
        else:
            ids = [_core._current_experiment_id()]
    if output_format == "pandas":
        arrow_text = _adapters.arrow_text_columns() is not None
        columns = client._search_runs_columns(ids, filter_string, run_view_type, max_results, order_by, arrow_text)
        return _adapters.runs_frame(columns)
    runs, token = [], None
    while len(runs) < max_results:
        want = min(_PAGE, max_results - len(runs))
        page, token = client._search_runs_page(ids, filter_string, run_view_type, want, order_by, token)
        runs.extend(page)
        if token is None:
            break
    return ResultList(runs)


def get_metric_history(run_id, key):
    """Every point of a metric, ordered by step then timestamp (a table in a notebook)."""
    return ResultList(_core.get_metric_history(run_id, key))


def get_metric_series(run_id, key):
    """A metric's whole history as numpy arrays: ``steps, values, timestamps``."""
    return MetricSeries(*_core._get_metric_series(run_id, key))


def log_image(image, artifact_file):
    """Store a numpy array (H, W[, C]) or a PIL image as a PNG artifact of the active run."""
    _core._log_image_pixels(*_adapters.image_pixels(image), artifact_file)


def log_table(data, artifact_file):
    """Store a dict of columns or a DataFrame as a JSON table (``columns`` + ``data``)."""
    _adapters.check_table_file(artifact_file)
    _core._log_table_columns(_adapters.table_columns(data), artifact_file)


# Formats plotly's kaleido engine renders; anything else is the core's (.html, .json).
_IMAGE_FORMATS = ("png", "jpg", "jpeg", "webp", "svg", "pdf")


def log_figure(figure, artifact_file):
    """Store a Plotly figure in the active run: ``.html`` as a self-contained interactive page
    (plotly.js inlined, no network needed), ``.json`` as Plotly's JSON, ``.png`` (or another
    image format) through plotly's kaleido engine, when it is installed.

    >>> rtrack.log_figure(rtrack.plots.confusion_matrix(y_test, y_pred), "confusion.html")  # doctest: +SKIP
    """
    name = str(artifact_file)
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in _IMAGE_FORMATS:
        _core._log_figure_image(_adapters.figure_image(figure, suffix), name)
    else:
        _core._log_figure_json(_adapters.figure_json(figure), name)
