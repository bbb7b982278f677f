"""Load any model saved in MLflow's format and predict with it: ``rtrack.pyfunc.load_model``.

>>> from sklearn.linear_model import LinearRegression
>>> X = pd.DataFrame({"rooms": [2, 3, 4], "area": [50.0, 70.0, 95.0]})
>>> with rtrack.start_run():
...     info = rtrack.sklearn.log_model(LinearRegression().fit(X, [200.0, 290.0, 380.0]), "model",
...                                     input_example=X, registered_model_name="HousePrices")
>>> rtrack.Client().set_registered_model_alias("HousePrices", "production", info.registered_model_version)
>>> model = rtrack.pyfunc.load_model("models:/HousePrices@production")
>>> model.predict(pd.DataFrame({"area": [70.0], "rooms": [3]})).round(1)   # columns are matched by name
array([290.])

URIs (``runs:/``, ``models:/<name>/<version>``, ``@alias``, ``/<Stage>``, folders) are
resolved in Rust through the current store; ``predict`` checks its input against the
signature in Rust and raises ``InvalidValueError`` naming the offending column.
"""

from __future__ import annotations

from . import _core

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from typing import Any

    from ._core import ModelSignature, Schema

#: python_function loader modules whose models are pickles rtrack can read itself.
_SKLEARN_LOADERS = ("mlflow.sklearn", "rtrack.sklearn")


class ModelMetadata:
    """What ``MLmodel`` says about a model (MLflow's ``Model``)."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self._fields = fields
        self.flavors: dict[str, Any] = fields.get("flavors", {})
        self.signature: ModelSignature | None = fields.get("signature")
        self.run_id: str | None = fields.get("run_id")
        self.artifact_path: str | None = fields.get("artifact_path")
        self.model_uuid: str | None = fields.get("model_uuid")
        self.utc_time_created: str | None = fields.get("utc_time_created")
        self.saved_input_example_info: dict[str, Any] | None = fields.get("saved_input_example_info")

    def get_input_schema(self) -> Schema | None:
        """The signature's inputs, or None without a signature."""
        return None if self.signature is None else self.signature.inputs

    def get_output_schema(self) -> Schema | None:
        """The signature's outputs, or None without a signature (or without outputs)."""
        return None if self.signature is None else self.signature.outputs

    def __repr__(self) -> str:
        return f"<ModelMetadata flavors={sorted(self.flavors)} run_id={self.run_id!r}>"


class PyFuncModel:
    """A loaded model with one verb, ``predict``, that checks input against the signature."""

    def __init__(self, model_impl: Any, metadata: ModelMetadata, path: str) -> None:
        self._impl = model_impl
        self.metadata = metadata
        self.path = path

    def predict(self, data: Any, params: dict[str, Any] | None = None) -> Any:
        """Predict on a DataFrame, numpy array, dict of columns or list of rows; input that does
        not fit the signature raises ``InvalidValueError`` naming the column."""
        return self._impl.predict(enforce(data, self.metadata.signature))

    def get_raw_model(self) -> Any:
        """The underlying model object (e.g. the scikit-learn estimator)."""
        return self._impl

    unwrap_python_model = get_raw_model

    def __repr__(self) -> str:
        return f"<PyFuncModel {type(self._impl).__name__} from {self.path}>"


def load_model(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> PyFuncModel:
    """Load the model at ``model_uri`` as a ``PyFuncModel``: ``runs:/<run_id>/<path>``,
    ``models:/<name>/<version>``, ``models:/<name>@<alias>``, ``models:/<name>/<Stage>`` or a
    folder.

    >>> from sklearn.linear_model import LinearRegression
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> with rtrack.start_run() as run:
    ...     _ = rtrack.sklearn.log_model(LinearRegression().fit(X, [1.0, 3.0, 5.0]), "model", input_example=X)
    >>> rtrack.pyfunc.load_model(f"runs:/{run.info.run_id}/model").predict(np.array([[3.0]])).round(1)
    array([7.])
    """
    path, metadata = local_model(model_uri, dst_path)
    settings = metadata.flavors.get("python_function")
    if settings is None:
        raise _core.InvalidValueError(f"The model at '{model_uri}' has no python_function flavor")
    loader = settings.get("loader_module")
    if loader not in _SKLEARN_LOADERS:
        raise _core.InvalidValueError(
            f"rtrack cannot load python_function models of loader_module '{loader}' yet "
            f"(it loads {', '.join(_SKLEARN_LOADERS)})"
        )
    from . import sklearn

    return PyFuncModel(sklearn.load_pickled(path, metadata.flavors), metadata, str(path))


def local_model(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> tuple[str, ModelMetadata]:
    """The model's local folder (downloaded into ``dst_path`` if remote) and its metadata."""
    import tempfile

    scratch = dst_path or tempfile.mkdtemp(prefix="rtrack-model-")
    path = _core._resolve_model(str(model_uri), scratch)
    return path, ModelMetadata(_core._read_model(path))


def enforce(data: Any, signature: ModelSignature | None) -> Any:
    """``data`` made to fit ``signature``: columns selected and ordered, safe casts applied.
    The checks are Rust's; this only applies what they decide."""
    if signature is None:
        return data
    schema = signature.inputs
    if schema.is_tensor_spec():
        import numpy as np

        array = data.to_numpy() if hasattr(data, "to_numpy") else np.asarray(data)
        cast = _core._plan_tensor(
            schema, array.dtype.name if array.dtype.kind != "U" else array.dtype.str, list(array.shape)
        )
        return array if cast is None else array.astype(cast)
    frame = _as_frame(data, schema)
    plan = _core._plan_frame(schema, [(str(c), str(frame[c].dtype)) for c in frame.columns])
    frame = frame[[name for name, _ in plan]]
    casts = {name: dtype for name, dtype in plan if dtype is not None}
    return frame.astype(casts) if casts else frame


def _as_frame(data: Any, schema: Schema) -> Any:
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame()
    if isinstance(data, dict):
        scalars = all(not hasattr(v, "__len__") or isinstance(v, str) for v in data.values())
        return pd.DataFrame([data]) if scalars else pd.DataFrame(data)
    import numpy as np

    array = np.asarray(data)
    if array.ndim == 1:
        array = array.reshape(-1, 1) if len(schema) == 1 else array.reshape(1, -1)
    names = schema.input_names()
    if array.ndim != 2 or array.shape[1] != len(names):
        raise _core.InvalidValueError(
            f"Model expects {len(schema)} input columns {names}, got an array of shape {array.shape}"
        )
    return pd.DataFrame(array, columns=names)


def _predict_columns(
    model: PyFuncModel, names: list[str], dtypes: list[str | None], columns: list[list[Any]], named: bool
) -> list[Any]:
    """Serving: a table Rust has checked, as a DataFrame (or matrix), through ``predict``."""
    import numpy as np
    import pandas as pd

    signature = model.metadata.signature
    data: Any
    if signature is not None and signature.inputs.is_tensor_spec():
        data = np.array(list(zip(*columns)) if columns else [])
    else:
        data = pd.DataFrame(
            {name: pd.Series(values, dtype=dtype) for name, values, dtype in zip(names, columns, dtypes)}
        )
        if not named and signature is None:
            data = data.to_numpy()
    predictions = model.predict(data)
    rows: list[Any]
    if hasattr(predictions, "to_dict") and hasattr(predictions, "columns"):
        rows = predictions.to_dict(orient="records")
    else:
        rows = predictions.tolist() if hasattr(predictions, "tolist") else list(predictions)
    return rows


__all__ = ["ModelMetadata", "PyFuncModel", "load_model"]
