"""Evaluation metrics computed in Rust, matching scikit-learn's defaults.

>>> y_true, y_pred, y_score = [0, 1, 1, 0], [0, 1, 0, 0], [0.1, 0.9, 0.4, 0.2]
>>> report = rtrack.metrics.classification_report(y_true, y_pred, y_score)
>>> with rtrack.start_run():
...     rtrack.log_metrics(report)

Labels may be integers or strings, in lists, numpy arrays or pandas Series.
"""

from __future__ import annotations

from . import _adapters, _core

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ._adapters import Labels, Numbers


def classification_report(y_true: Labels, y_pred: Labels, y_score: Numbers | None = None) -> dict[str, float]:
    """Accuracy, precision, recall and F1 (and ROC AUC when ``y_score`` is given) as a dict:
    ``accuracy``, ``precision``, ``recall``, ``f1_score`` and ``roc_auc``.

    With two classes, precision, recall and F1 are the positive class's (the larger label:
    ``1`` of ``{0, 1}``); with more, macro averages. ``y_score`` is one score per sample for
    the positive class, or a matrix with one column per class in sorted order (what
    ``predict_proba`` returns); ROC AUC is then one-vs-rest, macro averaged.

    >>> rtrack.metrics.classification_report(["cat", "dog", "dog"], ["cat", "dog", "cat"])
    {'accuracy': 0.666..., 'precision': 1.0, 'recall': 0.5, 'f1_score': 0.666...}
    """
    return _core._classification_report(_adapters.labels(y_true), _adapters.labels(y_pred), _adapters.scores(y_score))


def regression_report(y_true: Numbers, y_pred: Numbers) -> dict[str, float]:
    """Mean absolute error, mean squared error, its root and R² as a dict
    (``mae``, ``mse``, ``rmse``, ``r2``).

    >>> report = rtrack.metrics.regression_report(np.array([1.0, 2.0, 3.0]), np.array([1.5, 2.0, 2.5]))
    >>> {key: round(value, 3) for key, value in report.items()}
    {'mae': 0.333, 'mse': 0.167, 'rmse': 0.408, 'r2': 0.75}
    """
    return _core._regression_report(_adapters.floats(y_true), _adapters.floats(y_pred))
