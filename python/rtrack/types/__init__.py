"""MLflow's ``mlflow.types`` names: the column and tensor specs of model signatures.

>>> from rtrack.types import ColSpec, Schema
>>> Schema([ColSpec("double", "x")]).input_names()
['x']
"""

from __future__ import annotations

from .._core import ColSpec, Schema, TensorSpec
from . import schema

__all__ = ["ColSpec", "Schema", "TensorSpec", "schema"]
