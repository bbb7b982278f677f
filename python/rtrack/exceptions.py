"""MLflow's ``mlflow.exceptions`` names. ``MlflowException`` is rtrack's base error, so an
``except mlflow.exceptions.MlflowException`` in a script catches what rtrack raises.

>>> from rtrack.exceptions import MlflowException
>>> issubclass(rtrack.NotFoundError, MlflowException)
True
"""

from __future__ import annotations

from ._core import AlreadyExistsError, InvalidValueError, NotFoundError, RtrackError

MlflowException = RtrackError

__all__ = ["AlreadyExistsError", "InvalidValueError", "MlflowException", "NotFoundError", "RtrackError"]
