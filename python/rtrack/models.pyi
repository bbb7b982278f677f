"""Model signatures: what a model takes and returns, in MLflow's format.

>>> sig = rtrack.models.infer_signature(X_train, model.predict(X_train))
>>> [(c.name, c.type) for c in sig.inputs]
[('rooms', 'long'), ('area', 'double')]
"""

import os
from typing import Any

from ._core import ColSpec as ColSpec, ModelSignature as ModelSignature, Schema as Schema, TensorSpec as TensorSpec
from .pyfunc import PyFuncModel

__all__ = ["ColSpec", "ModelSignature", "Schema", "TensorSpec", "infer_signature", "load"]

def infer_signature(model_input: Any, model_output: Any = None, params: Any = None) -> ModelSignature:
    """The signature of a model taking ``model_input`` (DataFrame, numpy array or dict) and
    returning ``model_output``.

    >>> rtrack.models.infer_signature(pd.DataFrame({"x": [1.0]})).inputs.input_names()
    ['x']
    """

def load(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> PyFuncModel:
    """Load a model as a ``PyFuncModel`` (``rtrack.pyfunc.load_model``)."""

def describe(data: Any) -> tuple[Any, ...]: ...
def _kind(data: Any) -> str | None: ...
def _column(name: str | None, values: Any) -> tuple[str | None, str, str | None, bool]: ...
