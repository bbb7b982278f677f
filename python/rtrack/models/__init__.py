"""Model signatures: what a model takes and returns, in MLflow's format.

>>> from rtrack.models import infer_signature
>>> X = pd.DataFrame({"rooms": [3, 4], "area": [72.5, 95.0]})
>>> sig = infer_signature(X, np.array([310.0, 402.5]))
>>> [(c.name, c.type) for c in sig.inputs]
[('rooms', 'long'), ('area', 'double')]
>>> sig.outputs.to_json()
'[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'

Only the shape of the data (column names, dtypes) is read here; inference and every rule
about types live in Rust. ``load`` is ``rtrack.pyfunc.load_model``.
"""

from __future__ import annotations

from .. import _core
from .._core import ColSpec, ModelSignature, Schema, TensorSpec

TYPE_CHECKING = False
if TYPE_CHECKING:
    import os
    from typing import Any

    from ..pyfunc import PyFuncModel


def infer_signature(model_input: Any, model_output: Any = None, params: Any = None) -> ModelSignature:
    """The signature of a model taking ``model_input`` (a DataFrame, numpy array or dict) and
    returning ``model_output``.

    Data frames and dicts give column specs (``double``, ``long``, ``string``, ...); numpy
    arrays give a tensor spec with a free batch dimension.

    >>> rtrack.models.infer_signature(pd.DataFrame({"x": [1.0], "city": ["Lyon"]})).inputs.input_types()
    ['double', 'string']
    >>> spec = rtrack.models.infer_signature(np.zeros((5, 3), dtype=np.float32)).inputs[0]
    >>> spec.type, spec.shape
    ('float32', [-1, 3])
    """
    if params:
        raise _core.InvalidValueError("rtrack signatures do not carry inference params yet")
    output = None if model_output is None else describe(model_output)
    return _core._infer_signature(describe(model_input), output)


def load(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> PyFuncModel:
    """Load a model as a ``PyFuncModel`` (see ``rtrack.pyfunc.load_model``)."""
    from .. import pyfunc

    return pyfunc.load_model(model_uri, dst_path=dst_path)


def describe(data: Any) -> tuple[Any, ...]:
    """The shape of some data as the Rust side reads it (names, numpy dtypes, shapes)."""
    kind = _kind(data)
    if kind == "frame":
        return ("table", [_column(str(name), data[name]) for name in data.columns])
    if kind == "series":
        return ("table", [_column(None if data.name is None else str(data.name), data)])
    if isinstance(data, dict):
        import numpy as np

        if data and all(isinstance(v, np.ndarray) for v in data.values()):
            return ("arrays", [(str(k), v.dtype.name, list(v.shape)) for k, v in data.items()])
        import pandas as pd

        return (
            "table",
            [_column(str(k), pd.Series(v if isinstance(v, (list, tuple)) else [v])) for k, v in data.items()],
        )
    import numpy as np

    array = np.asarray(data)
    return ("array", array.dtype.name if array.dtype.kind != "U" else array.dtype.str, list(array.shape))


def _kind(data: Any) -> str | None:
    """'frame' or 'series' for pandas objects (without importing pandas otherwise)."""
    module = type(data).__module__
    if module.startswith("pandas"):
        name = type(data).__name__
        return {"DataFrame": "frame", "Series": "series"}.get(name)
    return None


def _column(name: str | None, values: Any) -> tuple[str | None, str, str | None, bool]:
    """(name, dtype, what an object column holds, whether a value is missing)."""
    hint = None
    if values.dtype.kind == "O":
        present = values.dropna()
        first = present.iloc[0] if len(present) else None
        if isinstance(first, (bytes, bytearray)):
            hint = "bytes"
        elif hasattr(first, "isoformat"):
            hint = "datetime"
        elif first is not None and not isinstance(first, str):
            raise _core.InvalidValueError(
                f"Column '{name}' holds {type(first).__name__} objects: no MLflow column type fits them"
            )
    return (name, str(values.dtype), hint, bool(values.isna().any()))


from . import signature  # noqa: E402  (it re-exports names defined above)

__all__ = ["ColSpec", "ModelSignature", "Schema", "TensorSpec", "infer_signature", "load", "signature"]
