"""Charts computed in Rust, returned as ``plotly.graph_objects.Figure``.

>>> fig = rtrack.plots.roc_curve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
>>> [trace.name for trace in fig.data]
['ROC (AUC = 0.750)', 'chance (AUC = 0.5)']
>>> fig.show()  # opens a browser outside a notebook  # doctest: +SKIP
>>> with rtrack.start_run():
...     rtrack.log_figure(fig, "roc.html")

plotly is imported when a chart is made, never by ``import rtrack``.
"""

from __future__ import annotations

from . import _adapters, _core

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import Any, overload

    import plotly.graph_objects as go  # type: ignore[import-untyped]

    from ._adapters import Labels, Numbers


def _figure(figure_json: str) -> go.Figure:
    import json

    import plotly.graph_objects as go

    return go.Figure(json.loads(figure_json))


def confusion_matrix(y_true: Labels, y_pred: Labels) -> go.Figure:
    """Counts of actual (rows, first class on top) against predicted classes, annotated.

    >>> rtrack.plots.confusion_matrix(["cat", "dog", "dog"], ["cat", "dog", "cat"]).data[0].z
    ([1, 0], [1, 1])
    """
    return _figure(_core._plot_confusion_matrix(_adapters.labels(y_true), _adapters.labels(y_pred)))


def roc_curve(y_true: Labels, y_score: Numbers) -> go.Figure:
    """ROC curve with its AUC in the legend and the chance diagonal. ``y_score`` as in
    :func:`rtrack.metrics.classification_report`; a per-class matrix with more than two
    classes gives one curve per class (that class against the rest)."""
    return _figure(_core._plot_roc_curve(_adapters.labels(y_true), _adapters.scores(y_score)))


def precision_recall_curve(y_true: Labels, y_score: Numbers) -> go.Figure:
    """Precision against recall with the average precision in the legend; one curve per class
    for a per-class matrix with more than two classes."""
    return _figure(_core._plot_precision_recall_curve(_adapters.labels(y_true), _adapters.scores(y_score)))


def prediction_scatter(y_true: Numbers, y_pred: Numbers) -> go.Figure:
    """Predicted against actual values, with the line y = x a perfect model would follow."""
    return _figure(_core._plot_prediction_scatter(_adapters.floats(y_true), _adapters.floats(y_pred)))


def error_histogram(y_true: Numbers, y_pred: Numbers) -> go.Figure:
    """Histogram of the residuals (actual minus predicted)."""
    return _figure(_core._plot_error_histogram(_adapters.floats(y_true), _adapters.floats(y_pred)))


def feature_importance(
    importances: Any, names: Sequence[Any] | None = None, max_features: int | None = None
) -> go.Figure:
    """Horizontal bars, largest importance (by magnitude) on top.

    ``importances`` is a sequence of numbers, a pandas Series (its index names the features)
    or a fitted scikit-learn model with ``feature_importances_`` or a single row of ``coef_``
    (named by ``feature_names_in_`` when it was fitted on a DataFrame).

    >>> fig = rtrack.plots.feature_importance(pd.Series({"rooms": 0.2, "area": -0.7, "age": 0.1}))
    >>> fig.data[0].y[-1]                                 # the top bar
    'area'
    """
    if hasattr(importances, "feature_importances_") or hasattr(importances, "coef_"):
        model = importances
        importances = getattr(model, "feature_importances_", None)
        if importances is None:
            importances = _adapters.floats(model.coef_)
            if importances.ndim == 2 and importances.shape[0] == 1:
                importances = importances[0]
        if names is None:
            names = getattr(model, "feature_names_in_", None)
    elif names is None and hasattr(importances, "index"):
        names = importances.index
    values = _adapters.floats(importances)
    if names is None:
        names = [f"feature {i}" for i in range(len(values))]
    return _figure(_core._plot_feature_importance([str(name) for name in names], values, max_features))


if TYPE_CHECKING:

    @overload
    def metric_history(metrics: Mapping[str, Any], run_id: None = None) -> go.Figure: ...

    @overload
    def metric_history(metrics: str | Sequence[str], run_id: str) -> go.Figure: ...


def metric_history(metrics: Any, run_id: str | None = None) -> go.Figure:
    """One line per metric, value against step.

    ``metrics`` maps each key to its values (steps 0, 1, 2 ...), to ``(steps, values)``, or to
    what :func:`rtrack.get_metric_series` returns. With ``run_id``, ``metrics`` is a key or a
    list of keys, read from that run.

    >>> with rtrack.start_run() as run:
    ...     for step in range(3):
    ...         rtrack.log_metrics({"loss": 1 / (step + 1), "val_loss": 1.2 / (step + 1)}, step=step)
    >>> fig = rtrack.plots.metric_history(["loss", "val_loss"], run_id=run.info.run_id)
    >>> [trace.name for trace in fig.data]
    ['loss', 'val_loss']
    """
    if run_id is not None:
        keys = [metrics] if isinstance(metrics, str) else list(metrics)
        metrics = {key: _core._get_metric_series(run_id, key) for key in keys}
    series = []
    for key, history in dict(metrics).items():
        if isinstance(history, tuple) and len(history) in (2, 3):
            steps, values = history[0], history[1]
        else:
            values = _adapters.floats(history)
            steps = list(range(len(values)))
        series.append((str(key), steps, _adapters.floats(values)))
    return _figure(_core._plot_metric_history(series))


def parallel_coordinates(runs: Any, columns: Sequence[str] | None = None, color_by: str | None = None) -> go.Figure:
    """One line per run across an axis per column, coloured by ``color_by`` (default: the
    last column).

    ``runs`` is a dict of columns or a DataFrame such as :func:`rtrack.search_runs` returns;
    ``columns`` picks and orders them. Without ``columns``, a DataFrame contributes its
    ``params.*`` and ``metrics.*`` columns that hold numbers (params are stored as text and
    read as numbers here); a run lacking a value leaves a gap.

    >>> runs = {"alpha": [0.1, 0.5, 1.0], "l1_ratio": [0.1, 0.5, 0.9], "rmse": [0.65, 0.72, 0.68]}
    >>> [axis.label for axis in rtrack.plots.parallel_coordinates(runs).data[0].dimensions]
    ['alpha', 'l1_ratio', 'rmse']
    """
    if hasattr(runs, "columns") and hasattr(runs, "to_dict"):
        chosen = columns
        if chosen is None:
            chosen = [c for c in runs.columns if str(c).startswith(("params.", "metrics."))] or list(runs.columns)
        data = {str(c): runs[c] for c in chosen}
    else:
        data = dict(runs)
        if columns is not None:
            data = {str(c): data[c] for c in columns}
    import numpy as np

    numeric = []
    for name, values in data.items():
        try:
            numeric.append((name, np.asarray(values, dtype=np.float64)))
        except (TypeError, ValueError):
            if columns is not None:
                raise _core.InvalidValueError(
                    f"parallel_coordinates: column '{name}' holds values that are not numbers"
                ) from None
    return _figure(_core._plot_parallel_coordinates(numeric, color_by))
