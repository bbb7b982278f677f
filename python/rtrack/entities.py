"""MLflow's ``mlflow.entities`` names: what rtrack's stores hold and return.

>>> from rtrack.entities import Metric, RunStatus
>>> RunStatus.FINISHED
'FINISHED'
"""

from __future__ import annotations

from ._constants import RunStatus, ViewType
from ._core import (
    Experiment,
    FileInfo,
    LoggedModel,
    LoggedModelMetric,
    Metric,
    ModelVersion,
    Param,
    RegisteredModel,
    Run,
    RunData,
    RunInfo,
    RunTag,
)

__all__ = [
    "Experiment",
    "FileInfo",
    "LoggedModel",
    "LoggedModelMetric",
    "Metric",
    "ModelVersion",
    "Param",
    "RegisteredModel",
    "Run",
    "RunData",
    "RunInfo",
    "RunStatus",
    "RunTag",
    "ViewType",
]
