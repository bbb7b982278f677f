"""Model signatures, saving and loading scikit-learn models in MLflow's format, every model
URI form, and both directions with MLflow itself (pip-installed by scripts/setup.sh)."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression, Ridge

import rtrack
from helpers import artifact_dir, run_python
from rtrack.models import ColSpec, ModelSignature, Schema, TensorSpec, infer_signature


@pytest.fixture
def houses():
    rng = np.random.default_rng(7)
    X = pd.DataFrame({"rooms": rng.integers(1, 6, 40), "area": rng.uniform(30, 150, 40)})
    y = 50 * X["rooms"] + 2.0 * X["area"] + rng.normal(0, 5, 40)
    return X, y


def test_signatures_are_inferred_from_frames_arrays_and_dicts():
    frame = pd.DataFrame({"rooms": [1, 2], "area": [30.5, 40.0], "city": ["a", None], "ok": [True, False]})
    sig = infer_signature(frame, np.array([1.0, 2.0]))
    assert [(c.name, c.type, c.required) for c in sig.inputs] == [
        ("rooms", "long", True),
        ("area", "double", True),
        ("city", "string", False),
        ("ok", "boolean", True),
    ]
    assert sig.inputs.input_names() == ["rooms", "area", "city", "ok"]
    assert sig.outputs.to_json() == '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
    assert sig.to_dict()["inputs"].startswith('[{"type": "long", "name": "rooms", "required": true}')

    array = infer_signature(np.zeros((3, 4), dtype=np.float32))
    assert array.inputs.is_tensor_spec()
    assert (array.inputs[0].type, array.inputs[0].shape) == ("float32", [-1, 4])

    columns = infer_signature({"x": [1.5, 2.5], "name": ["a", "b"]})
    assert [(c.name, c.type) for c in columns.inputs] == [("x", "double"), ("name", "string")]
    tensors = infer_signature({"image": np.zeros((2, 8, 8), dtype=np.uint8)})
    assert tensors.inputs[0].name == "image" and tensors.inputs[0].shape == [-1, 8, 8]

    built = ModelSignature(Schema([ColSpec("double", "x")]), Schema([TensorSpec(np.dtype("float64"), (-1,))]))
    assert ModelSignature.from_dict(built.to_dict()) == built
    with pytest.raises(rtrack.InvalidValueError, match="decimal"):
        ColSpec("decimal", "x")
    with pytest.raises(rtrack.InvalidValueError, match="'when'"):
        infer_signature(pd.DataFrame({"when": [object()]}))


def test_save_load_and_predict_checks_the_signature(tmp_path, houses):
    X, y = houses
    model = Ridge(alpha=1.0).fit(X, y)
    info = rtrack.sklearn.save_model(model, tmp_path / "m", input_example=X.head(3))
    assert info["signature"].inputs.input_names() == ["rooms", "area"]
    folder = tmp_path / "m"
    assert {"MLmodel", "model.pkl", "input_example.json", "requirements.txt", "python_env.yaml", "conda.yaml"} <= {
        p.name for p in folder.iterdir()
    }
    assert json.loads((folder / "input_example.json").read_text())["columns"] == ["rooms", "area"]
    text = (folder / "MLmodel").read_text()
    assert 'inputs: \'[{"type": "long", "name": "rooms", "required": true}' in text
    assert "loader_module: mlflow.sklearn" in text

    loaded = rtrack.pyfunc.load_model(str(folder))
    np.testing.assert_allclose(loaded.predict(X), model.predict(X))
    # Columns in another order, extra columns, int32 widened: all fine.
    shuffled = X[["area", "rooms"]].assign(extra=1).astype({"rooms": "int32"})
    np.testing.assert_allclose(loaded.predict(shuffled), model.predict(X))
    with pytest.raises(rtrack.InvalidValueError, match=r"missing inputs \['area'\]"):
        loaded.predict(X[["rooms"]])
    with pytest.raises(rtrack.InvalidValueError, match="column 'rooms'.*float64"):
        loaded.predict(X.astype({"rooms": "float64"}))
    np.testing.assert_allclose(rtrack.sklearn.load_model(folder).predict(X), model.predict(X))
    with pytest.raises(rtrack.AlreadyExistsError):
        rtrack.sklearn.save_model(model, folder)
    with pytest.raises(rtrack.NotFoundError, match="MLmodel"):
        rtrack.pyfunc.load_model(str(tmp_path))


def test_array_models_get_tensor_signatures(tmp_path):
    X = np.random.default_rng(1).normal(size=(30, 3))
    y = (X[:, 0] > 0).astype(int)
    model = LogisticRegression().fit(X, y)
    rtrack.sklearn.save_model(model, tmp_path / "m", input_example=X[:2])
    loaded = rtrack.pyfunc.load_model(str(tmp_path / "m"))
    assert loaded.metadata.get_input_schema().is_tensor_spec()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    with pytest.raises(rtrack.InvalidValueError, match="shape"):
        loaded.predict(X[:, :2])


def test_every_model_uri_form_loads(store, houses):
    X, y = houses
    model = Ridge().fit(X, y)
    with rtrack.start_run() as run:
        info = rtrack.sklearn.log_model(model, "model", input_example=X.head(3), registered_model_name="HousePrices")
    assert info.model_uri == f"runs:/{run.info.run_id}/model"
    assert info.registered_model_version == "1"
    assert (artifact_dir(run.info.run_id) / "model" / "MLmodel").is_file()
    client = rtrack.Client()
    client.set_registered_model_alias("HousePrices", "production", 1)
    client.transition_model_version_stage("HousePrices", 1, "Production")
    expected = model.predict(X)
    for uri in [
        info.model_uri,
        "models:/HousePrices/1",
        "models:/HousePrices@production",
        "models:/HousePrices/Production",
        "models:/HousePrices/latest",
        str(artifact_dir(run.info.run_id) / "model"),
    ]:
        loaded = rtrack.pyfunc.load_model(uri)
        np.testing.assert_allclose(loaded.predict(X), expected, err_msg=uri)
        assert loaded.metadata.run_id == run.info.run_id
    for uri, error in [
        ("models:/HousePrices@staging", rtrack.NotFoundError),
        ("models:/HousePrices/7", rtrack.NotFoundError),
        ("runs:/", rtrack.InvalidValueError),
        (f"runs:/{run.info.run_id}/nothing", rtrack.NotFoundError),
    ]:
        with pytest.raises(error):
            rtrack.pyfunc.load_model(uri)


def test_mlflow_loads_a_model_rtrack_saved(tmp_path, houses):
    pytest.importorskip("mlflow")
    X, y = houses
    model = Ridge(alpha=0.3).fit(X, y)
    rtrack.sklearn.save_model(model, tmp_path / "m", input_example=X.head(3))
    X.to_csv(tmp_path / "X.csv", index=False)
    done = run_python(
        f"""
        import json, warnings
        warnings.simplefilter("ignore")
        import mlflow.pyfunc, mlflow.sklearn, pandas as pd
        X = pd.read_csv({str(tmp_path / "X.csv")!r})
        py = mlflow.pyfunc.load_model({str(tmp_path / "m")!r})
        sk = mlflow.sklearn.load_model({str(tmp_path / "m")!r})
        names = [c.name for c in py.metadata.get_input_schema().inputs]
        try:
            py.predict(X[["area"]])
            refused = False
        except Exception as error:
            refused = "rooms" in str(error)
        print("RESULT " + json.dumps({{"py": py.predict(X).tolist(), "sk": sk.predict(X).tolist(),
                                      "names": names, "refused": refused}}))
        """,
        timeout=300,
    )
    result = json.loads(done.stdout.split("RESULT ", 1)[1])
    np.testing.assert_allclose(result["py"], model.predict(X))
    np.testing.assert_allclose(result["sk"], model.predict(X))
    assert result["names"] == ["rooms", "area"]
    assert result["refused"]


def test_rtrack_loads_a_model_mlflow_saved(tmp_path, houses):
    pytest.importorskip("mlflow")
    X, y = houses
    X.to_csv(tmp_path / "X.csv", index=False)
    pd.Series(y).to_csv(tmp_path / "y.csv", index=False)
    run_python(
        f"""
        import warnings
        warnings.simplefilter("ignore")
        import mlflow.sklearn, pandas as pd
        from mlflow.models import infer_signature
        from sklearn.linear_model import Ridge
        X = pd.read_csv({str(tmp_path / "X.csv")!r})
        y = pd.read_csv({str(tmp_path / "y.csv")!r}).iloc[:, 0]
        model = Ridge(alpha=0.3).fit(X, y)
        mlflow.sklearn.save_model(model, {str(tmp_path / "m")!r}, signature=infer_signature(X, model.predict(X)),
                                  input_example=X.head(2))
        mlflow.sklearn.save_model(model, {str(tmp_path / "cloud")!r}, serialization_format="cloudpickle")
        """,
        timeout=300,
    )
    model = Ridge(alpha=0.3).fit(X, y)
    loaded = rtrack.pyfunc.load_model(str(tmp_path / "m"))
    assert loaded.metadata.flavors["sklearn"]["serialization_format"] == "skops"  # MLflow 3's default
    assert [(c.name, c.type) for c in loaded.metadata.signature.inputs] == [("rooms", "long"), ("area", "double")]
    np.testing.assert_allclose(loaded.predict(X), model.predict(X))
    np.testing.assert_allclose(rtrack.sklearn.load_model(tmp_path / "m").predict(X), model.predict(X))
    with pytest.raises(rtrack.InvalidValueError, match="rooms"):
        loaded.predict(X[["area"]])
    cloud = rtrack.pyfunc.load_model(str(tmp_path / "cloud"))
    assert cloud.metadata.signature is None
    np.testing.assert_allclose(cloud.predict(X), model.predict(X))
