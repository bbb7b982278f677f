"""scikit-learn models in MLflow's format: ``log_model``, ``save_model``, ``load_model``, and
``autolog`` which logs every ``fit``.

>>> with rtrack.start_run():                                                    # doctest: +SKIP
...     model = Ridge(alpha=0.5).fit(X, y)
...     info = rtrack.sklearn.log_model(model, "model", input_example=X.head(3),
...                                     registered_model_name="HousePrices")
>>> rtrack.sklearn.load_model("models:/HousePrices@production").predict(X)    # doctest: +SKIP

The model is pickled here (pickling is Python's job); the folder layout, ``MLmodel``, the
signature and the environment files are written by Rust. MLflow loads these models too.
"""

import os
import pickle
import sys

from . import _core

FLAVOR_NAME = "sklearn"
#: How the estimator is stored inside the model folder.
MODEL_FILE = "model.pkl"
SERIALIZATION_FORMATS = ("pickle", "cloudpickle")


class ModelInfo:
    """What ``log_model`` logged (MLflow's ``ModelInfo``)."""

    def __init__(self, fields, model_uri, registered_model_version=None):
        self.artifact_path = fields.get("artifact_path")
        self.flavors = fields.get("flavors", {})
        self.model_uri = model_uri
        self.model_uuid = fields.get("model_uuid")
        self.run_id = fields.get("run_id")
        self.signature = fields.get("signature")
        self.utc_time_created = fields.get("utc_time_created")
        self.saved_input_example_info = fields.get("saved_input_example_info")
        self.registered_model_version = registered_model_version

    def __repr__(self):
        return f"<ModelInfo {self.model_uri}>"


def save_model(
    sk_model, path, serialization_format="pickle", signature=None, input_example=None, pip_requirements=None
):
    """Save ``sk_model`` as a model folder at ``path`` (which must not hold anything yet).

    >>> rtrack.sklearn.save_model(model, "house_model", input_example=X.head(3))   # doctest: +SKIP
    """
    return _save(sk_model, os.fspath(path), serialization_format, signature, input_example, pip_requirements)


def _save(
    sk_model, path, serialization_format, signature, input_example, pip_requirements, run_id=None, artifact_path=None
):
    if serialization_format not in SERIALIZATION_FORMATS:
        raise _core.InvalidValueError(
            f"Unknown serialization_format '{serialization_format}': expected one of {', '.join(SERIALIZATION_FORMATS)}"
        )
    if os.path.exists(path) and (not os.path.isdir(path) or os.listdir(path)):
        raise _core.AlreadyExistsError(f"Path '{path}' already exists and is not empty")
    if signature is None and input_example is not None:
        from .models import infer_signature

        signature = infer_signature(input_example, _predictions(sk_model, input_example))
    example = None if input_example is None else _example(input_example)
    os.makedirs(path, exist_ok=True)
    pickler = pickle
    if serialization_format == "cloudpickle":
        import cloudpickle as pickler  # type: ignore[import-untyped]
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
    sk_model,
    artifact_path=None,
    *,
    name=None,
    signature=None,
    input_example=None,
    registered_model_name=None,
    serialization_format="pickle",
    pip_requirements=None,
):
    """Save ``sk_model`` into the active run's artifacts under ``artifact_path`` (or ``name``;
    default ``"model"``), inferring the signature from ``input_example`` when none is given,
    and register it as a new version of ``registered_model_name`` if given.

    >>> info = rtrack.sklearn.log_model(model, "model", input_example=X.head(3))   # doctest: +SKIP
    >>> info.model_uri                                                             # doctest: +SKIP
    'runs:/0a1b.../model'
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
    model_uri = f"runs:/{run_id}/{artifact_path}"
    version = None
    if registered_model_name:
        version = rtrack.register_model(model_uri, registered_model_name).version
    return ModelInfo(fields, model_uri, version)


def load_model(model_uri, dst_path=None):
    """The scikit-learn estimator saved at ``model_uri`` (``runs:/``, ``models:/``, a folder)."""
    from . import pyfunc

    path, metadata = pyfunc.local_model(model_uri, dst_path)
    return load_pickled(path, metadata.flavors)


def load_pickled(path, flavors):
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


def _predictions(sk_model, example):
    try:
        return sk_model.predict(example)
    except Exception:  # the example may not suit predict (e.g. a transformer): no outputs then
        return None


def _example(data):
    """An input example as ("table", columns) or ("array", nested lists) for Rust to write."""
    from .models import _kind

    kind = _kind(data)
    if kind == "frame":
        return ("table", {str(c): data[c].tolist() for c in data.columns})
    if kind == "series":
        return ("table", {str(data.name if data.name is not None else 0): data.tolist()})
    if isinstance(data, dict):
        return (
            "table",
            {str(k): (list(v) if hasattr(v, "__len__") and not isinstance(v, str) else [v]) for k, v in data.items()},
        )
    import numpy as np

    return ("array", np.asarray(data).tolist())


def _version(distribution):
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _requirements(serialization_format):
    names = ["scikit-learn", "numpy", "pandas"]
    if serialization_format == "cloudpickle":
        names.append("cloudpickle")
    return [f"{name}=={_version(name)}" if _version(name) else name for name in names]


from ._autolog import autolog  # noqa: E402  (after the functions it logs with)

__all__ = ["FLAVOR_NAME", "ModelInfo", "autolog", "load_model", "log_model", "save_model"]
