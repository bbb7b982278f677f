from typing import Any, Callable

_patched: list[Any]
_state: Any

def autolog(disable: bool = False, log_models: bool = True, silent: bool = False) -> None:
    """Log every scikit-learn ``fit`` (params, ``training_*`` metrics, the model);
    ``disable=True`` restores the original methods.

    >>> rtrack.sklearn.autolog()
    """

def _restore() -> None: ...
def _logging_fit(original: Callable[..., Any], log_models: bool) -> Callable[..., Any]: ...
def _log_fit(estimator: Any, X: Any, y: Any, sample_weight: Any, log_models: bool) -> None: ...
def _param_text(value: Any) -> str: ...
def _training_metrics(estimator: Any, X: Any, y: Any, sample_weight: Any) -> dict[str, float]: ...
