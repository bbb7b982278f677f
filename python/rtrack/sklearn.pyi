"""scikit-learn models in MLflow's format, and autologging of ``fit``.

>>> info = rtrack.sklearn.log_model(model, "model", input_example=X.head(3), registered_model_name="HousePrices")
>>> rtrack.sklearn.load_model("models:/HousePrices@production").predict(X)
"""

import os
from collections.abc import Sequence
from typing import Any

from ._autolog import autolog as autolog
from ._core import ModelSignature

__all__ = ["FLAVOR_NAME", "ModelInfo", "autolog", "load_model", "log_model", "save_model"]

FLAVOR_NAME: str
MODEL_FILE: str
SERIALIZATION_FORMATS: tuple[str, ...]

class ModelInfo:
    """What ``log_model`` logged (MLflow's ``ModelInfo``)."""

    artifact_path: str | None
    flavors: dict[str, Any]
    model_uri: str
    model_uuid: str | None
    run_id: str | None
    signature: ModelSignature | None
    utc_time_created: str | None
    saved_input_example_info: dict[str, Any] | None
    registered_model_version: str | None
    def __init__(self, fields: dict[str, Any], model_uri: str, registered_model_version: str | None = None) -> None: ...

def save_model(
    sk_model: Any,
    path: str | os.PathLike[str],
    serialization_format: str = "pickle",
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Save ``sk_model`` as a model folder at ``path`` (MLflow can load it too)."""

def log_model(
    sk_model: Any,
    artifact_path: str | None = None,
    *,
    name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    registered_model_name: str | None = None,
    serialization_format: str = "pickle",
    pip_requirements: Sequence[str] | None = None,
) -> ModelInfo:
    """Log ``sk_model`` to the active run (signature inferred from ``input_example`` if none),
    registering it when ``registered_model_name`` is given."""

def load_model(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> Any:
    """The estimator saved at ``model_uri`` (``runs:/``, ``models:/``, a folder)."""

def load_pickled(path: str | os.PathLike[str], flavors: dict[str, Any]) -> Any: ...
def _save(
    sk_model: Any,
    path: str,
    serialization_format: str,
    signature: ModelSignature | None,
    input_example: Any,
    pip_requirements: Sequence[str] | None,
    run_id: str | None = None,
    artifact_path: str | None = None,
) -> dict[str, Any]: ...
def _predictions(sk_model: Any, example: Any) -> Any: ...
def _example(data: Any) -> tuple[str, Any]: ...
def _version(distribution: str) -> str | None: ...
def _requirements(serialization_format: str) -> list[str]: ...
