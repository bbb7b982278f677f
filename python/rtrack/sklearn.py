"""scikit-learn models in MLflow's format: ``log_model``, ``save_model``, ``load_model``, and
``autolog`` which logs every ``fit``.

>>> from sklearn.linear_model import Ridge
>>> X = pd.DataFrame({"rooms": [2, 3, 4, 5], "area": [50.0, 70.0, 95.0, 120.0]})
>>> with rtrack.start_run():
...     model = Ridge(alpha=0.5).fit(X, [200.0, 290.0, 380.0, 470.0])
...     info = rtrack.sklearn.log_model(model, "model", input_example=X.head(3),
...                                     registered_model_name="HousePrices")
>>> rtrack.sklearn.load_model("models:/HousePrices/1")
Ridge(alpha=0.5)

The model is pickled here (pickling is Python's job); the folder layout, ``MLmodel``, the
signature and the environment files are written by Rust. MLflow loads these models too.
"""

from __future__ import annotations

import os
import pickle
import sys

from . import _core

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from ._core import ModelSignature

FLAVOR_NAME = "sklearn"
#: How the estimator is stored inside the model folder.
MODEL_FILE = "model.pkl"
SERIALIZATION_FORMATS = ("pickle", "cloudpickle")


class ModelInfo:
    """What ``log_model`` logged (MLflow's ``ModelInfo``)."""

    def __init__(
        self,
        fields: dict[str, Any],
        model_uri: str,
        registered_model_version: str | None = None,
        model_id: str | None = None,
    ) -> None:
        self.artifact_path: str | None = fields.get("artifact_path")
        self.flavors: dict[str, Any] = fields.get("flavors", {})
        self.model_uri = model_uri
        self.model_uuid: str | None = fields.get("model_uuid")
        self.run_id: str | None = fields.get("run_id")
        self.signature: ModelSignature | None = fields.get("signature")
        self.utc_time_created: str | None = fields.get("utc_time_created")
        self.saved_input_example_info: dict[str, Any] | None = fields.get("saved_input_example_info")
        self.registered_model_version = registered_model_version
        # The MLflow 3 logged model the files are recorded as (``models:/<model_id>``).
        self.model_id = model_id

    def __repr__(self) -> str:
        return f"<ModelInfo {self.model_uri}>"


def save_model(
    sk_model: Any,
    path: str | os.PathLike[str],
    serialization_format: str = "pickle",
    signature: ModelSignature | None = None,
    input_example: Any = None,
    pip_requirements: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Save ``sk_model`` as a model folder at ``path`` (which must not hold anything yet), in
    MLflow's format (MLflow loads it too), inferring the signature from ``input_example`` when
    none is given. Returns the fields written to ``MLmodel``, as a dict.

    >>> from sklearn.linear_model import Ridge
    >>> X = pd.DataFrame({"rooms": [2, 3, 4], "area": [50.0, 70.0, 95.0]})
    >>> fields = rtrack.sklearn.save_model(Ridge().fit(X, [200.0, 290.0, 380.0]), "house_model", input_example=X)
    >>> sorted(fields["flavors"])
    ['python_function', 'sklearn']
    >>> rtrack.sklearn.load_model("house_model")
    Ridge()
    """
    return _save(sk_model, os.fspath(path), serialization_format, signature, input_example, pip_requirements)


def _save(
    sk_model: Any,
    path: str,
    serialization_format: str,
    signature: ModelSignature | None,
    input_example: Any,
    pip_requirements: Sequence[str] | None,
    run_id: str | None = None,
    artifact_path: str | None = None,
) -> dict[str, Any]:
    if serialization_format not in SERIALIZATION_FORMATS:
        raise _core.InvalidValueError(
            f"Unknown serialization_format '{serialization_format}': expected one of {', '.join(SERIALIZATION_FORMATS)}"
        )
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        raise _core.AlreadyExistsError(f"Path '{path}' already exists and is not empty")
    if signature is None and input_example is not None:
        signature = _signature_of_example(sk_model, input_example)
    example = None if input_example is None else _example(input_example)
    os.makedirs(path, exist_ok=True)
    pickler = pickle
    if serialization_format == "cloudpickle":
        import cloudpickle  # type: ignore[import-untyped]

        pickler = cloudpickle
    with open(os.path.join(path, MODEL_FILE), "wb") as out:
        pickler.dump(sk_model, out)
    python_version = ".".join(str(part) for part in sys.version_info[:3])
    sklearn_version = _version("scikit-learn")
    flavors = {
        "python_function": {
            "loader_module": "mlflow.sklearn",
            "model_path": MODEL_FILE,
            "predict_fn": "predict",
            "python_version": python_version,
            "env": {"conda": "conda.yaml", "virtualenv": "python_env.yaml"},
        },
        FLAVOR_NAME: {
            "pickled_model": MODEL_FILE,
            "sklearn_version": sklearn_version,
            "serialization_format": serialization_format,
            "code": None,
        },
    }
    requirements = list(pip_requirements) if pip_requirements else _requirements(serialization_format)
    environment = (python_version, requirements, [f"pip=={_version('pip')}"] if _version("pip") else [])
    return _core._write_model_dir(path, flavors, signature, environment, example, run_id, artifact_path)


def log_model(
    sk_model: Any,
    artifact_path: str | None = None,
    *,
    name: str | None = None,
    signature: ModelSignature | None = None,
    input_example: Any = None,
    registered_model_name: str | None = None,
    serialization_format: str = "pickle",
    pip_requirements: Sequence[str] | None = None,
) -> ModelInfo:
    """Save ``sk_model`` into the active run's artifacts under ``artifact_path`` (or ``name``;
    default ``"model"``), inferring the signature from ``input_example`` when none is given,
    and register it as a new version of ``registered_model_name`` if given.

    >>> from sklearn.linear_model import Ridge
    >>> X = pd.DataFrame({"rooms": [2, 3, 4], "area": [50.0, 70.0, 95.0]})
    >>> with rtrack.start_run():
    ...     info = rtrack.sklearn.log_model(Ridge().fit(X, [200.0, 290.0, 380.0]), "model", input_example=X)
    >>> info.model_uri
    'runs:/.../model'
    >>> [(column.name, column.type) for column in info.signature.inputs]
    [('rooms', 'long'), ('area', 'double')]
    """
    import tempfile

    import rtrack

    artifact_path = artifact_path or name or "model"
    run = rtrack.active_run() or rtrack.start_run()
    run_id = run.info.run_id
    with tempfile.TemporaryDirectory(prefix="rtrack-model-") as scratch:
        local = os.path.join(scratch, "model")
        fields = _save(
            sk_model, local, serialization_format, signature, input_example, pip_requirements, run_id, artifact_path
        )
        rtrack.log_artifacts(local, artifact_path)
        model_id = _core._log_model_output(run_id, artifact_path, local)
    model_uri = f"runs:/{run_id}/{artifact_path}"
    version = None
    if registered_model_name:
        # Through the logged model, as MLflow 3 registers, so the version names it.
        version = rtrack.register_model(f"models:/{model_id}", registered_model_name).version
    return ModelInfo(fields, model_uri, version, model_id)


def load_model(model_uri: str | os.PathLike[str], dst_path: str | None = None) -> Any:
    """The scikit-learn estimator saved at ``model_uri`` (``runs:/``, ``models:/``, a folder)."""
    from . import pyfunc

    path, metadata = pyfunc.local_model(model_uri, dst_path)
    return load_pickled(path, metadata.flavors)


def load_pickled(path: str | os.PathLike[str], flavors: dict[str, Any]) -> Any:
    """Unpickle the estimator of a model folder (rtrack's or MLflow's)."""
    settings = flavors.get(FLAVOR_NAME)
    settings = settings or {}
    relative = settings.get("pickled_model") or flavors.get("python_function", {}).get("model_path", MODEL_FILE)
    serialization = settings.get("serialization_format", "pickle")
    file = _core._model_file(path, relative)
    if serialization == "skops":
        # MLflow's default format: only the types the model's MLmodel lists are trusted.
        import skops.io  # type: ignore[import-untyped]

        return skops.io.load(file, trusted=settings.get("skops_trusted_types") or [])
    if serialization not in SERIALIZATION_FORMATS:
        raise _core.InvalidValueError(f"Cannot load a scikit-learn model stored as '{serialization}'")
    # cloudpickle writes the pickle format; the standard library reads it.
    with open(file, "rb") as source:
        return pickle.load(source)


def _signature_of_example(sk_model: Any, example: Any) -> ModelSignature | None:
    """The signature the example shows, or None with a warning when it shows none (a dict
    that is not a table, say): the example is saved all the same, as MLflow does."""
    from .models import infer_signature

    try:
        return infer_signature(example, _predictions(sk_model, example))
    except _core.InvalidValueError as error:
        import warnings

        warnings.warn(f"No signature inferred from the input example: {error}", stacklevel=3)
        return None


def _predictions(sk_model: Any, example: Any) -> Any:
    try:
        return sk_model.predict(example)
    except Exception:  # the example may not suit predict (e.g. a transformer): no outputs then
        return None


def _example(data: Any) -> tuple[str, Any]:
    """An input example as ("table", columns), ("array", nested lists) or ("object", a dict
    kept as it is) for Rust to write."""
    from .models import _kind

    kind = _kind(data)
    if kind == "frame":
        return ("table", {str(c): data[c].tolist() for c in data.columns})
    if kind == "series":
        return ("table", {str(data.name if data.name is not None else 0): data.tolist()})
    if isinstance(data, dict) and set(data) in ({"columns", "data"}, {"columns", "data", "index"}):
        # A frame in pandas' split form: MLflow saves it as the JSON object it is.
        return ("object", data)
    if isinstance(data, dict):
        return (
            "table",
            {str(k): (list(v) if hasattr(v, "__len__") and not isinstance(v, str) else [v]) for k, v in data.items()},
        )
    import numpy as np

    return ("array", np.asarray(data).tolist())


def _version(distribution: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _requirements(serialization_format: str) -> list[str]:
    names = ["scikit-learn", "numpy", "pandas"]
    if serialization_format == "cloudpickle":
        names.append("cloudpickle")
    return [f"{name}=={_version(name)}" if _version(name) else name for name in names]


from ._autolog import autolog  # noqa: E402  (after the functions it logs with)

__all__ = ["FLAVOR_NAME", "ModelInfo", "autolog", "load_model", "log_model", "save_model"]
