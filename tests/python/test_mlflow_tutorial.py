"""An MLflow tutorial script, run two ways: with ``import rtrack as mlflow`` on an embedded
store, and unchanged on the real ``mlflow`` client against ``rtrack server``. It covers the
tracking URI, experiments, params, metrics with steps, tags, artifacts with and without
``artifact_path``, autolog, ``log_model`` with a signature and an input example, register,
stage and alias, load by alias; the test then serves the model by alias and queries it.
Every value read back must equal what was logged, bit for bit."""

import json
import math
import struct

import pytest

from helpers import clean_env, run_python
from test_server_mlflow import Server
from test_serving import ModelServer

TUTORIAL = """
import json, os, sys, tempfile
import numpy as np
import pandas as pd
from sklearn.datasets import make_regression
from sklearn.linear_model import ElasticNet, Ridge

mlflow.set_tracking_uri(sys.argv[1])
experiment_id = mlflow.create_experiment("wine-tutorial")
mlflow.set_experiment("wine-tutorial")

X, y = make_regression(n_samples=60, n_features=4, noise=0.3, random_state=7)
frame = pd.DataFrame(X, columns=["zeta", "alpha", "mid", "beta"])  # not in sorted order
alpha, l1_ratio = 0.41706338163050843, 0.9333333333333333
logged = {"params": {"alpha": alpha, "l1_ratio": l1_ratio}, "tags": {"team": "ml", "course": "tutorial"}}

with mlflow.start_run(run_name="enet") as run:
    mlflow.log_params(logged["params"])
    mlflow.set_tags(logged["tags"])
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio).fit(frame, y)
    predicted = model.predict(frame)
    rmse = float(np.sqrt(np.mean((predicted - y) ** 2)))
    losses = [rmse * (1 + 1 / (step + 1)) for step in range(6)]
    for step, loss in enumerate(losses):
        mlflow.log_metric("loss", loss, step=step)
    mlflow.log_metrics({"rmse": rmse, "third": 1 / 3, "negative_zero": -0.0})
    folder = tempfile.mkdtemp()
    notes = os.path.join(folder, "notes.txt")
    with open(notes, "w") as f:
        f.write("trained on a synthetic wine set")
    plots = os.path.join(folder, "plots")
    os.makedirs(plots)
    with open(os.path.join(plots, "residuals.csv"), "w") as f:
        f.write("residual\\n0.5\\n")
    mlflow.log_artifact(notes)
    mlflow.log_artifact(notes, artifact_path="docs")
    mlflow.log_artifacts(plots)
    mlflow.log_artifacts(plots, artifact_path="figures")
    mlflow.log_dict({"alpha": alpha}, "config.json")
    signature = mlflow.models.infer_signature(frame, predicted)
    info = mlflow.sklearn.log_model(model, name="model", signature=signature, input_example=frame.iloc[:3])
run_id = run.info.run_id

version = mlflow.register_model(info.model_uri, "WineTutorial")
client = mlflow.MlflowClient()
client.transition_model_version_stage("WineTutorial", version.version, "Staging")
client.set_registered_model_alias("WineTutorial", "champion", version.version)
loaded = mlflow.pyfunc.load_model("models:/WineTutorial@champion")

mlflow.sklearn.autolog()
with mlflow.start_run(run_name="autologged") as auto_run:
    Ridge(alpha=0.5).fit(frame, y)
mlflow.sklearn.autolog(disable=True)

stored = client.get_run(run_id)
artifacts = sorted(f.path for f in client.list_artifacts(run_id))
nested = sorted(f.path for f in client.list_artifacts(run_id, "docs") + client.list_artifacts(run_id, "figures"))
found = mlflow.search_runs(
    experiment_ids=[experiment_id], filter_string="metrics.rmse < 1000 and params.alpha = '%r'" % alpha,
    output_format="list",
)
out = {
    "logged_metrics": {"rmse": rmse, "third": 1 / 3, "negative_zero": -0.0},
    "losses": losses,
    "params": stored.data.params,
    "metrics": stored.data.metrics,
    "tags": {k: v for k, v in stored.data.tags.items() if not k.startswith("mlflow.")},
    "history": [m.value for m in client.get_metric_history(run_id, "loss")],
    "steps": [m.step for m in client.get_metric_history(run_id, "loss")],
    "artifacts": artifacts,
    "nested": nested,
    "found": [r.info.run_id for r in found],
    "run_id": run_id,
    "stage": client.get_model_version("WineTutorial", version.version).current_stage,
    "alias_version": str(client.get_model_version_by_alias("WineTutorial", "champion").version),
    # The same three rows as the loaded and served model get (BLAS may round a longer batch
    # differently).
    "predicted": model.predict(frame.iloc[:3]).tolist(),
    "loaded": loaded.predict(frame.iloc[:3]).tolist(),
    "autolog_params": client.get_run(auto_run.info.run_id).data.params.get("alpha"),
    "autolog_metrics": sorted(client.get_run(auto_run.info.run_id).data.metrics),
    "request": {"dataframe_split": {"columns": list(frame.columns), "data": frame.iloc[:3].values.tolist()}},
}
print("RESULT " + json.dumps(out))
"""


def run_tutorial(header, uri, tmp_path):
    done = run_python(
        header + TUTORIAL,
        args=(uri,),
        cwd=tmp_path,
        env=clean_env(MLFLOW_ENABLE_ASYNC_LOGGING="false"),
        timeout=300,
    )
    line = [row for row in done.stdout.splitlines() if row.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


def bits(value):
    return "nan" if math.isnan(value) else struct.pack("<d", value).hex()


def check_read_back(out):
    assert out["params"] == {"alpha": "0.41706338163050843", "l1_ratio": "0.9333333333333333"}
    assert out["tags"] == {"team": "ml", "course": "tutorial"}
    for key, value in out["logged_metrics"].items():
        assert bits(out["metrics"][key]) == bits(value), key
    assert [bits(v) for v in out["history"]] == [bits(v) for v in out["losses"]]
    assert out["steps"] == list(range(6))
    assert bits(out["metrics"]["loss"]) == bits(out["losses"][-1])
    # (MLflow 3 keeps a logged model with its logged model, not among the run's artifacts.)
    for path in ["notes.txt", "residuals.csv", "config.json", "docs", "figures"]:
        assert path in out["artifacts"], out["artifacts"]
    assert out["nested"] == ["docs/notes.txt", "figures/residuals.csv"]
    assert out["found"] == [out["run_id"]]
    assert (out["stage"], out["alias_version"]) == ("Staging", "1")
    # Predictions are computed, not logged: a loader that copies the frame (mlflow's schema
    # enforcement does) may see BLAS round the product differently in the last bit.
    assert out["loaded"] == pytest.approx(out["predicted"], rel=1e-13, abs=0)
    assert out["autolog_params"] == "0.5"
    assert any(key.startswith("training_") for key in out["autolog_metrics"]), out["autolog_metrics"]


def serve_and_query(tracking_uri, out, store_variable):
    served = ModelServer(tracking_uri, "models:/WineTutorial@champion", store_variable=store_variable)
    try:
        status, answer = served.post(out["request"])
    finally:
        served.stop()
    assert status == 200, answer
    # The request's values arrive exactly (see test_fidelity.py); the server's frame is laid out
    # column by column, and BLAS may round a product over another layout in the last bit.
    assert answer["predictions"] == pytest.approx(out["predicted"], rel=1e-13, abs=0)


def test_the_tutorial_with_rtrack_imported_as_mlflow(tmp_path):
    store = str(tmp_path / "store")
    out = run_tutorial("import rtrack as mlflow\n", store, tmp_path)
    check_read_back(out)
    serve_and_query(store, out, "RTRACK_TRACKING_URI")


@pytest.mark.skipif(pytest.importorskip("mlflow") is None, reason="needs the mlflow client")
def test_the_tutorial_on_the_mlflow_client_against_rtrack_server(tmp_path):
    server = Server(tmp_path / "served")
    try:
        out = run_tutorial("import mlflow\n", server.url, tmp_path)
        check_read_back(out)
        serve_and_query(server.url, out, "MLFLOW_TRACKING_URI")
    finally:
        server.stop()
