"""Evaluation metrics computed in Rust, matching scikit-learn's defaults.

>>> report = rtrack.metrics.classification_report(y_test, model.predict(X_test), model.predict_proba(X_test))
>>> rtrack.log_metrics(report)
"""

from collections.abc import Sequence
from typing import Any

import numpy.typing as npt

# Class labels (all integers or all strings) as a list, numpy array or pandas Series.
_Labels = npt.ArrayLike | Sequence[int] | Sequence[str] | Any
_Numbers = npt.ArrayLike | Sequence[float]

def classification_report(y_true: _Labels, y_pred: _Labels, y_score: _Numbers | None = None) -> dict[str, float]:
    """``accuracy``, ``precision``, ``recall``, ``f1_score`` (and ``roc_auc`` given scores).

    Two classes: the positive class's numbers (the larger label); more: macro averages.
    ``y_score``: one score per sample, or one column per class in sorted order.
    """

def regression_report(y_true: _Numbers, y_pred: _Numbers) -> dict[str, float]:
    """``mae``, ``mse``, ``rmse`` and ``r2``."""
