"""MLflow's ``mlflow.types.schema`` names (``Schema``, ``ColSpec``, ``TensorSpec``).

>>> from rtrack.types.schema import TensorSpec
>>> TensorSpec is rtrack.models.TensorSpec
True
"""

from __future__ import annotations

from .._core import ColSpec, Schema, TensorSpec

__all__ = ["ColSpec", "Schema", "TensorSpec"]
