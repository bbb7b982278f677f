"""Load any model saved in MLflow's format and predict with it.

>>> model = rtrack.pyfunc.load_model("models:/HousePrices@production")
>>> model.predict(df)
"""

import os
from typing import Any

from ._core import ModelSignature, Schema

__all__ = ["ModelMetadata", "PyFuncModel", "load_model"]

_SKLEARN_LOADERS: tuple[str, ...]

class ModelMetadata:
    """What ``MLmodel`` says about a model (MLflow's ``Model``)."""

    flavors: dict[str, Any]
    signature: ModelSignature | None
    run_id: str | None
    artifact_path: str | None
    model_uuid: str | None
    utc_time_created: str | None
    saved_input_example_info: dict[str, Any] | None
    def __init__(self, fields: dict[str, Any]) -> None: ...
    def get_input_schema(self) -> Schema | None: ...
    def get_output_schema(self) -> Schema | None: ...

class PyFuncModel:
    """A loaded model whose ``predict`` checks its input against the signature."""

    metadata: ModelMetadata
    path: str
    def __init__(self, model_impl: Any, metadata: ModelMetadata, path: str) -> None: ...
    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Predict on a DataFrame, numpy array, dict of columns or list of rows; input that does
        not fit the signature raises ``InvalidValueError`` naming the column."""
    def get_raw_model(self) -> Any: ...
    def unwrap_python_model(self) -> Any: ...

def load_model(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> PyFuncModel:
    """Load ``runs:/<run_id>/<path>``, ``models:/<name>/<version>``, ``models:/<name>@<alias>``,
    ``models:/<name>/<Stage>`` or a folder.

    >>> rtrack.pyfunc.load_model("models:/HousePrices@production").predict(X)
    """

def local_model(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> tuple[str, ModelMetadata]: ...
def enforce(data: Any, signature: ModelSignature | None) -> Any: ...
def _as_frame(data: Any, schema: Schema) -> Any: ...
def _predict_columns(
    model: PyFuncModel, names: list[str], dtypes: list[str | None], columns: list[list[Any]], named: bool
) -> list[Any]: ...
