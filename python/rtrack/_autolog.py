"""``rtrack.sklearn.autolog``: every ``fit`` of a scikit-learn estimator logs its params, its
training metrics (computed by ``rtrack.metrics``, in Rust) and the fitted model."""

from __future__ import annotations

import functools
import threading

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

#: (class, original fit) for every class whose own ``fit`` is patched.
_patched: list[tuple[Any, Callable[..., Any]]] = []
_state = threading.local()


def autolog(disable: bool = False, log_models: bool = True, silent: bool = False) -> None:
    """Log every scikit-learn ``fit``: starts a run if none is active (and ends it), logs
    ``get_params()``, ``training_score`` and ``training_*`` metrics, and the model with its
    signature. ``autolog(disable=True)`` puts the original methods back. Without
    scikit-learn, ``silent=True`` does nothing where ``silent=False`` raises ImportError.

    >>> from sklearn.linear_model import Ridge
    >>> rtrack.sklearn.autolog()
    >>> with rtrack.start_run() as run:
    ...     model = Ridge(alpha=0.5).fit([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 7.0])
    >>> sorted(rtrack.get_run(run.info.run_id).data.metrics)
    ['training_mean_absolute_error', 'training_mean_squared_error', 'training_r2_score',
     'training_root_mean_squared_error', 'training_score']
    >>> [f.path for f in rtrack.list_artifacts(run.info.run_id)]
    ['model']
    >>> rtrack.sklearn.autolog(disable=True)
    """
    _restore()
    if disable:
        return
    try:
        from sklearn.utils import all_estimators  # type: ignore[import-untyped]
    except ImportError:
        if not silent:
            raise
        return
    owners: dict[Any, Callable[..., Any]] = {}
    for _, estimator in all_estimators():
        owner = next((k for k in estimator.__mro__ if "fit" in vars(k)), None)
        if owner is not None and owner.__module__.startswith("sklearn"):
            owners[owner] = vars(owner)["fit"]
    for owner, original in owners.items():
        owner.fit = _logging_fit(original, log_models)
        _patched.append((owner, original))


def _restore() -> None:
    while _patched:
        owner, original = _patched.pop()
        owner.fit = original


def _logging_fit(original: Callable[..., Any], log_models: bool) -> Callable[..., Any]:
    @functools.wraps(original)
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Fits inside a fit (meta-estimators, searches) belong to the outer one.
        if getattr(_state, "fitting", False):
            return original(self, *args, **kwargs)
        import rtrack

        _state.fitting = True
        started = rtrack.active_run() is None
        if started:
            rtrack.start_run()
        try:
            result = original(self, *args, **kwargs)
            X = args[0] if args else kwargs.get("X")
            y = args[1] if len(args) > 1 else kwargs.get("y")
            _log_fit(self, X, y, kwargs.get("sample_weight"), log_models)
        except BaseException:
            if started:
                rtrack.end_run("FAILED")
            raise
        finally:
            _state.fitting = False
        if started:
            rtrack.end_run()
        return result

    fit._rtrack_autolog = True  # type: ignore[attr-defined]  # marks a patched fit
    return fit


def _log_fit(estimator: Any, X: Any, y: Any, sample_weight: Any, log_models: bool) -> None:
    import rtrack

    params = {key: _param_text(value) for key, value in estimator.get_params(deep=True).items()}
    if params:
        rtrack.log_params(params)
    rtrack.set_tags(
        {
            "estimator_name": type(estimator).__name__,
            "estimator_class": f"{type(estimator).__module__}.{type(estimator).__name__}",
        }
    )
    if y is not None and hasattr(estimator, "predict"):
        rtrack.log_metrics(_training_metrics(estimator, X, y, sample_weight))
    if log_models:
        from . import sklearn
        from .models import infer_signature

        example = X[:5] if not hasattr(X, "iloc") else X.iloc[:5]
        signature = infer_signature(X, estimator.predict(example)) if hasattr(estimator, "predict") else None
        sklearn.log_model(estimator, "model", signature=signature)


def _param_text(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 6000 else text[:5997] + "..."


def _training_metrics(estimator: Any, X: Any, y: Any, sample_weight: Any) -> dict[str, float]:
    from sklearn.base import is_classifier, is_regressor  # type: ignore[import-untyped]

    from . import metrics

    predicted = estimator.predict(X)
    found = {}
    if hasattr(estimator, "score"):
        weights = {} if sample_weight is None else {"sample_weight": sample_weight}
        found["training_score"] = float(estimator.score(X, y, **weights))
    if is_classifier(estimator):
        scores = None
        if hasattr(estimator, "predict_proba"):
            probabilities = estimator.predict_proba(X)
            scores = probabilities[:, 1] if probabilities.shape[1] == 2 else probabilities
        report = metrics.classification_report(y, predicted, scores)
        names = {
            "accuracy": "accuracy_score",
            "precision": "precision_score",
            "recall": "recall_score",
            "f1_score": "f1_score",
            "roc_auc": "roc_auc",
        }
    elif is_regressor(estimator):
        report = metrics.regression_report(y, predicted)
        names = {
            "mse": "mean_squared_error",
            "rmse": "root_mean_squared_error",
            "mae": "mean_absolute_error",
            "r2": "r2_score",
        }
    else:
        return found
    found.update({f"training_{names[key]}": float(value) for key, value in report.items() if key in names})
    return found
