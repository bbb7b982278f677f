"""MLflow's ``mlflow.tracking`` names: the client, and the tracking URI's getter and setter.

>>> from rtrack.tracking import MlflowClient
>>> MlflowClient is rtrack.Client
True
"""

from __future__ import annotations

from ._client import Client
from ._core import get_tracking_uri, set_tracking_uri

MlflowClient = Client

__all__ = ["MlflowClient", "get_tracking_uri", "set_tracking_uri"]
