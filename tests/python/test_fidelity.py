"""Nothing a user logs comes back altered: random and edge doubles logged from Python come
back with the same bits embedded, through rtrack's REST client, and through the unchanged
mlflow client against `rtrack server`; a model served without a signature sees its records'
columns in the order they were sent."""

import math
import random
import struct

import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression

import rtrack
from test_server_mlflow import Server, mlflow_script
from test_serving import ModelServer

EDGE_DOUBLES = [
    0.41706338163050843,
    0.9333333333333333,
    1 / 3,
    0.1 + 0.2,
    -0.0,
    0.0,
    5e-324,  # the smallest subnormal
    2.225073858507201e-308,  # the largest subnormal
    2.2250738585072014e-308,  # the smallest normal
    1.7976931348623157e308,
    -1.7976931348623157e308,
    2.220446049250313e-16,
    9007199254740993.0,
    123456789.12345679,
    math.pi,
    math.nan,
    math.inf,
    -math.inf,
]


def doubles():
    """The edge doubles and pseudo-random bit patterns, the same ones every run."""
    generator = random.Random(20261207)
    randoms = [struct.unpack("<d", generator.getrandbits(64).to_bytes(8, "little"))[0] for _ in range(200)]
    return EDGE_DOUBLES + randoms


def bits(value):
    return "nan" if math.isnan(value) else struct.pack("<d", value).hex()


def assert_same(logged, got, path):
    assert len(logged) == len(got), path
    for index, (a, b) in enumerate(zip(logged, got)):
        assert bits(a) == bits(b), f"{path}: value {index} logged {a!r} came back {b!r}"


def log_and_read(values):
    """Log each value as its own metric and all as one series; read both back."""
    with rtrack.start_run() as run:
        for index, value in enumerate(values):
            rtrack.log_metric(f"v{index:03}", value, step=0)
            rtrack.log_metric("series", value, step=index)
    client = rtrack.Client()
    history = [m.value for m in client.get_metric_history(run.info.run_id, "series")]
    metrics = client.get_run(run.info.run_id).data.metrics
    latest = [metrics[f"v{index:03}"] for index in range(len(values))]
    return history, latest


def test_doubles_round_trip_embedded(store):
    values = doubles()
    history, latest = log_and_read(values)
    assert_same(values, history, "embedded history")
    assert_same(values, latest, "embedded latest values")


@pytest.fixture
def server(tmp_path):
    started = Server(tmp_path / "served")
    yield started
    started.stop()


def test_doubles_round_trip_through_rtracks_rest_client(server):
    rtrack.set_tracking_uri(server.url)
    try:
        values = doubles()
        history, latest = log_and_read(values)
    finally:
        rtrack.set_tracking_uri(None)
    assert_same(values, history, "REST client history")
    assert_same(values, latest, "REST client latest values")


def test_doubles_round_trip_through_the_mlflow_client(server):
    values = doubles()
    # The values travel into the script as repr() text, which Python reads back exactly.
    out = mlflow_script(
        server.url,
        f"""
values = {[repr(v) if math.isfinite(v) else f"float('{v}')" for v in values]!r}
values = [eval(v) for v in values]
with mlflow.start_run() as run:
    for index, value in enumerate(values):
        mlflow.log_metric(f"v{{index:03}}", value, step=0)
        mlflow.log_metric("series", value, step=index)
client = MlflowClient()
out["history"] = [m.value for m in client.get_metric_history(run.info.run_id, "series")]
metrics = client.get_run(run.info.run_id).data.metrics
out["latest"] = [metrics[f"v{{index:03}}"] for index in range(len(values))]
""",
    )
    assert_same(values, out["history"], "mlflow client history")
    assert_same(values, out["latest"], "mlflow client latest values")


def test_served_records_keep_their_column_order(store, tmp_path):
    # Columns out of alphabetical order: scikit-learn checks the names in the order of fit.
    frame = pd.DataFrame({"zeta": [1.0, 2.0, 3.0, 4.0], "alpha": [0.0, 1.0, 0.0, 1.0]})
    model = LinearRegression().fit(frame, 2 * frame["zeta"] + frame["alpha"])
    with rtrack.start_run() as run:
        rtrack.sklearn.log_model(model, "model")  # no signature, no input example
    # The store is named by MLflow's variable, as an MLflow user's shell would.
    served = ModelServer(store, f"runs:/{run.info.run_id}/model", store_variable="MLFLOW_TRACKING_URI")
    try:
        status, answer = served.post({"dataframe_records": [{"zeta": 5.0, "alpha": 1.0}]})
    finally:
        served.stop()
    assert status == 200, answer
    assert answer["predictions"] == pytest.approx([11.0])


MLFLOW3_MODEL = """
import numpy as np
from sklearn.linear_model import LinearRegression
X = np.array([[1.0, 2.0], [2.0, 1.0], [3.0, 5.0], [4.0, 3.0]])
model = LinearRegression().fit(X, X @ [1.5, -2.0] + 0.25)
with mlflow.start_run():
    info = mlflow.sklearn.log_model(model, name="model", registered_model_name="Mlflow3", input_example=X[:2])
client = MlflowClient()
version = client.get_model_version("Mlflow3", "1")
client.set_registered_model_alias("Mlflow3", "production", "1")
client.transition_model_version_stage("Mlflow3", "1", "Production")
out["source"] = version.source
out["model_id"] = info.model_id
out["expected"] = model.predict(np.array([[0.5, 0.25]])).tolist()
"""


def test_models_registered_by_mlflow_3_load_and_serve(server):
    out = mlflow_script(server.url, MLFLOW3_MODEL)
    assert out["source"] == f"models:/{out['model_id']}"  # what MLflow 3 registers
    rtrack.set_tracking_uri(server.url)
    try:
        for uri in ["models:/Mlflow3@production", "models:/Mlflow3/Production", f"models:/{out['model_id']}"]:
            loaded = rtrack.pyfunc.load_model(uri)
            assert loaded.predict(pd.DataFrame([[0.5, 0.25]])).tolist() == out["expected"], uri
    finally:
        rtrack.set_tracking_uri(None)
    served = ModelServer(server.url, "models:/Mlflow3@production")
    try:
        status, answer = served.post({"dataframe_split": {"data": [[0.5, 0.25]]}})
    finally:
        served.stop()
    assert (status, answer["predictions"]) == (200, out["expected"])


def test_an_input_example_in_split_form_is_accepted(store):
    # MLflow saves such a dict as a JSON object example; rtrack refused it as a ragged table.
    frame = pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": [0.0, 1.0, 0.0]})
    model = LinearRegression().fit(frame, frame["a"] + frame["b"])
    example = {"columns": ["a", "b"], "data": [[1.0, 0.0], [2.0, 1.0]]}
    with rtrack.start_run():
        info = rtrack.sklearn.log_model(model, "model", input_example=example)
    loaded = rtrack.pyfunc.load_model(info.model_uri)
    assert loaded.predict(frame).tolist() == pytest.approx([1.0, 3.0, 3.0])
    folder, _ = rtrack.pyfunc.local_model(info.model_uri)
    assert rtrack._core._read_input_example(folder) == example


def test_models_rtrack_logs_are_mlflow_3_logged_models(server):
    # rtrack logs through the server; the mlflow client finds the model as one of its own.
    frame = pd.DataFrame({"zeta": [1.0, 2.0, 3.0], "alpha": [0.0, 1.0, 0.0]})
    model = LinearRegression().fit(frame, 2 * frame["zeta"] + frame["alpha"])
    rtrack.set_tracking_uri(server.url)
    try:
        with rtrack.start_run() as run:
            run_id = run.info.run_id
            info = rtrack.sklearn.log_model(model, "model", registered_model_name="FromRtrack")
    finally:
        rtrack.set_tracking_uri(None)
    assert info.model_id and info.model_id.startswith("m-")
    out = mlflow_script(
        server.url,
        f"""
import pandas as pd
found = MlflowClient().search_logged_models(experiment_ids=["0"])
out["models"] = [(m.model_id, m.name, m.source_run_id, m.status) for m in found]
loaded = mlflow.pyfunc.load_model("models:/{info.model_id}")
out["predicted"] = loaded.predict(pd.DataFrame({{"zeta": [5.0], "alpha": [1.0]}})).tolist()
""",
    )
    assert out["models"] == [[info.model_id, "model", run_id, "READY"]]
    assert out["predicted"] == pytest.approx([11.0])
    # (mlflow's own client leaves a version's model_id out of what it reads; rtrack's has it.)
    assert rtrack.Client(server.url).get_model_version("FromRtrack", 1).model_id == info.model_id
