"""Charts computed in Rust, returned as ``plotly.graph_objects.Figure``.

>>> fig = rtrack.plots.roc_curve(y_test, model.predict_proba(X_test))
>>> rtrack.log_figure(fig, "roc.html")
"""

from collections.abc import Mapping, Sequence
from typing import Any

import numpy.typing as npt
import plotly.graph_objects as go  # type: ignore[import-untyped]

_Labels = npt.ArrayLike | Sequence[int] | Sequence[str] | Any
_Numbers = npt.ArrayLike | Sequence[float]

def confusion_matrix(y_true: _Labels, y_pred: _Labels) -> go.Figure:
    """Counts of actual (rows) against predicted classes, annotated."""

def roc_curve(y_true: _Labels, y_score: _Numbers) -> go.Figure:
    """ROC curve(s) with AUC in the legend and the chance diagonal."""

def precision_recall_curve(y_true: _Labels, y_score: _Numbers) -> go.Figure:
    """Precision-recall curve(s) with average precision in the legend."""

def prediction_scatter(y_true: _Numbers, y_pred: _Numbers) -> go.Figure:
    """Predicted against actual, with the line y = x."""

def error_histogram(y_true: _Numbers, y_pred: _Numbers) -> go.Figure:
    """Histogram of residuals (actual minus predicted)."""

def feature_importance(
    importances: Any, names: Sequence[Any] | None = None, max_features: int | None = None
) -> go.Figure:
    """Horizontal bars, largest magnitude on top; numbers, a Series or a fitted model."""

def metric_history(metrics: Mapping[str, Any] | str | Sequence[str], run_id: str | None = None) -> go.Figure:
    """One line per metric; with ``run_id``, ``metrics`` names keys of that run."""

def parallel_coordinates(runs: Any, columns: Sequence[str] | None = None, color_by: str | None = None) -> go.Figure:
    """One line per run across an axis per column (a DataFrame from search_runs, or a dict)."""
