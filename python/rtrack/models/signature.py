"""MLflow's ``mlflow.models.signature`` names, so ``mlflow.models.signature.ModelSignature``
works in a script that starts with ``import rtrack as mlflow``.

>>> from rtrack.models.signature import ModelSignature, infer_signature
>>> ModelSignature is rtrack.models.ModelSignature
True
"""

from __future__ import annotations

from . import ModelSignature, infer_signature

__all__ = ["ModelSignature", "infer_signature"]
