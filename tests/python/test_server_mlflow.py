"""`rtrack server` with the real MLflow client (from PyPI) as the client: the everyday
workflow through the server, the same store read directly by rtrack and the other way
round, MLflow's error codes, and a clean stop on Ctrl-C."""

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import rtrack
from helpers import clean_env, run_python

pytest.importorskip("mlflow", reason="the server tests need the mlflow client (scripts/setup.sh installs it)")

RTRACK = Path(sys.executable).with_name("rtrack")


class Server:
    """`rtrack server` started through the console script, on a free port."""

    def __init__(self, store, *extra):
        self.process = subprocess.Popen(
            [str(RTRACK), "server", "--backend-store-uri", str(store), "--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(),
        )
        first_line = self.process.stdout.readline()
        assert "listening on http://" in first_line, first_line + self.process.stderr.read()
        self.url = first_line.split("listening on ")[1].split()[0]

    def stop(self):
        """Ctrl-C, as a user would; returns (exit code, everything printed)."""
        self.process.send_signal(signal.SIGINT)
        out, err = self.process.communicate(timeout=30)
        return self.process.returncode, out + err


@pytest.fixture
def server(tmp_path):
    started = Server(tmp_path / "store")
    yield started
    if started.process.poll() is None:
        started.stop()


def mlflow_script(url, body):
    """Run `body` with the mlflow client pointed at `url`; returns what it printed as JSON."""
    script = (
        "import json, os, mlflow\n"
        "from mlflow import MlflowClient\n"
        "from mlflow.exceptions import MlflowException\n"
        f"mlflow.set_tracking_uri({url!r})\n"
        "out = {}\n" + body + "\nprint('RESULT ' + json.dumps(out))\n"
    )
    done = run_python(script, env=clean_env(MLFLOW_ENABLE_ASYNC_LOGGING="false"), timeout=180)
    line = [row for row in done.stdout.splitlines() if row.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


WORKFLOW = """
exp = mlflow.set_experiment("from-mlflow")
out["artifact_location"] = exp.artifact_location
client = MlflowClient()
with mlflow.start_run(run_name="baseline") as run:
    run_id = run.info.run_id
    mlflow.log_param("alpha", 0.5)
    mlflow.log_params({"l1_ratio": 0.1, "solver": "cd"})
    mlflow.log_metric("rmse", 0.71, step=1)
    mlflow.log_metrics({"mae": 0.3, "diverged": float("nan")})
    mlflow.set_tag("team", "ml")
    mlflow.set_tags({"stage": "dev"})
    from mlflow.entities import Metric
    client.log_batch(run_id, metrics=[Metric("loss", 1.0 / (i + 1), 1700000000000 + i, i) for i in range(1000)])
    mlflow.log_text("hello from mlflow", "notes/readme.txt")
    mlflow.log_dict({"layers": [64, 32]}, "config.json")
    local = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"weights-{run_id}.bin")
    with open(local, "wb") as f:
        f.write(b"\\x00\\x01" * 500)
    mlflow.log_artifact(local, artifact_path="model")
with mlflow.start_run(run_name="second"):
    mlflow.log_param("alpha", 0.9)
    mlflow.log_metric("rmse", 0.55)
out["run_id"] = run_id
got = mlflow.get_run(run_id)
out["status"] = got.info.status
out["params"] = got.data.params
out["metrics"] = {k: (None if v != v else v) for k, v in got.data.metrics.items()}
out["tags"] = {k: v for k, v in got.data.tags.items() if not k.startswith("mlflow.source")}
history = client.get_metric_history(run_id, "loss")
out["history"] = [len(history), history[0].step, history[-1].step, history[-1].value]
frame = mlflow.search_runs(filter_string="metrics.rmse < 1", order_by=["metrics.rmse ASC"])
out["search"] = list(frame["tags.mlflow.runName"])
out["search_filtered"] = [r.info.run_name for r in client.search_runs([exp.experiment_id], "params.alpha = '0.5'")]
out["artifacts"] = sorted((f.path, f.is_dir) for f in client.list_artifacts(run_id))
path = mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="notes/readme.txt")
out["downloaded"] = open(path).read()
out["config"] = mlflow.artifacts.load_dict(got.info.artifact_uri + "/config.json")
try:
    client.get_run("0" * 32)
except MlflowException as e:
    out["missing_run"] = e.error_code
try:
    with mlflow.start_run(run_id=run_id):
        mlflow.log_param("alpha", 0.6)
except MlflowException as e:
    out["changed_param"] = [e.error_code, "alpha" in str(e)]
try:
    mlflow.search_runs(filter_string="params.alpha = 'x' OR 1=1")
except MlflowException as e:
    out["bad_filter"] = e.error_code
client.delete_run(run_id)
out["deleted"] = client.get_run(run_id).info.lifecycle_stage
client.restore_run(run_id)
client.delete_experiment(exp.experiment_id)
out["experiment_deleted"] = client.get_experiment(exp.experiment_id).lifecycle_stage
client.restore_experiment(exp.experiment_id)
"""


def test_the_mlflow_client_logs_and_reads_through_rtrack_server(server, tmp_path):
    out = mlflow_script(server.url, WORKFLOW)
    assert out["artifact_location"].startswith("mlflow-artifacts:/")
    assert out["status"] == "FINISHED"
    assert out["params"] == {"alpha": "0.5", "l1_ratio": "0.1", "solver": "cd"}
    assert out["metrics"] == {"rmse": 0.71, "mae": 0.3, "diverged": None, "loss": 0.001}
    assert out["tags"]["team"] == "ml" and out["tags"]["mlflow.runName"] == "baseline"
    assert out["history"] == [1000, 0, 999, 0.001]
    assert out["search"] == ["second", "baseline"]
    assert out["search_filtered"] == ["baseline"]
    assert out["artifacts"] == [["config.json", False], ["model", True], ["notes", True]]
    assert out["downloaded"] == "hello from mlflow"
    assert out["config"] == {"layers": [64, 32]}
    assert out["missing_run"] == "RESOURCE_DOES_NOT_EXIST"
    assert out["changed_param"] == ["INVALID_PARAMETER_VALUE", True]
    assert out["bad_filter"] == "INVALID_PARAMETER_VALUE"
    assert out["deleted"] == "deleted"
    assert out["experiment_deleted"] == "deleted"

    # Stopped with Ctrl-C: a clean exit, and the store holds everything when rtrack opens it.
    code, printed = server.stop()
    assert code == 0, printed
    assert "stopped" in printed
    rtrack.set_tracking_uri(str(tmp_path / "store"))
    try:
        run = rtrack.get_run(out["run_id"])
        assert run.data.params["solver"] == "cd"
        assert len(rtrack.get_metric_history(out["run_id"], "loss")) == 1000
        assert {f.path for f in rtrack.Client().list_artifacts(out["run_id"])} == {"config.json", "model", "notes"}
        readme = (
            tmp_path
            / "store"
            / "artifacts"
            / run.info.experiment_id
            / out["run_id"]
            / "artifacts"
            / "notes"
            / "readme.txt"
        )
        assert readme.read_text() == "hello from mlflow"
    finally:
        rtrack.set_tracking_uri(None)


def test_the_mlflow_client_reads_what_rtrack_logged(tmp_path):
    store = tmp_path / "store"
    rtrack.set_tracking_uri(str(store))
    try:
        rtrack.set_experiment("from-rtrack")
        with rtrack.start_run(run_name="local") as run:
            rtrack.log_params({"alpha": 0.25})
            rtrack.log_metric_series("loss", [0.9, 0.5, 0.25])
            rtrack.log_text("written locally", "notes.txt")
        run_id = run.info.run_id
    finally:
        rtrack.set_tracking_uri(None)
    server = Server(store)
    try:
        out = mlflow_script(
            server.url,
            f"""
run = mlflow.get_run({run_id!r})
out["name"] = run.info.run_name
out["params"] = run.data.params
out["loss"] = [m.value for m in MlflowClient().get_metric_history({run_id!r}, "loss")]
out["found"] = [r.info.run_id for r in MlflowClient().search_runs(
    [mlflow.get_experiment_by_name("from-rtrack").experiment_id], "metrics.loss < 0.3")]
out["notes"] = mlflow.artifacts.load_text(run.info.artifact_uri + "/notes.txt")
""",
        )
    finally:
        server.stop()
    assert out == {
        "name": "local",
        "params": {"alpha": "0.25"},
        "loss": [0.9, 0.5, 0.25],
        "found": [run_id],
        "notes": "written locally",
    }


def test_the_command_line_explains_itself():
    done = subprocess.run([str(RTRACK), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "--backend-store-uri" in done.stdout
    done = subprocess.run([str(RTRACK), "--version"], capture_output=True, text=True)
    assert done.stdout.strip() == f"rtrack {rtrack.__version__}"
    done = subprocess.run([str(RTRACK), "server", "--port", "high"], capture_output=True, text=True)
    assert done.returncode == 2 and "invalid port 'high'" in done.stderr


def test_rtrack_itself_logs_through_the_server(server, tmp_path):
    """The fluent API and Client on `http://...`: the same verbs as on a local store,
    with metrics batched over HTTP and artifacts through the proxied routes."""
    import numpy as np

    rtrack.set_tracking_uri(server.url)
    try:
        experiment = rtrack.set_experiment("over-http")
        with rtrack.start_run(run_name="remote", tags={"team": "ml"}) as run:
            rtrack.log_params({"alpha": 0.5, "solver": "cd"})
            for step in range(300):
                rtrack.log_metric("loss", 1.0 / (step + 1), step=step)
            rtrack.log_metric_series("curve", np.linspace(0.0, 1.0, 5000))
            rtrack.log_dict({"layers": [64, 32]}, "config.yaml")
            rtrack.log_text("hello over http", "notes/readme.txt")
            with pytest.raises(rtrack.InvalidValueError, match="alpha"):
                rtrack.log_param("alpha", 0.9)
        run_id = run.info.run_id
        got = rtrack.get_run(run_id)
        assert got.info.status == "FINISHED"
        assert got.info.artifact_uri.startswith("mlflow-artifacts:/")
        assert got.data.params == {"alpha": "0.5", "solver": "cd"}
        assert got.data.metrics["loss"] == pytest.approx(1.0 / 300)
        assert len(rtrack.get_metric_history(run_id, "loss")) == 300
        steps, values, _ = rtrack.get_metric_series(run_id, "curve")
        assert len(values) == 5000 and values[-1] == 1.0 and steps[-1] == 4999
        frame = rtrack.search_runs(experiment_ids=[experiment.experiment_id], filter_string="params.solver = 'cd'")
        assert list(frame["run_id"]) == [run_id]
        assert frame["tags.team"][0] == "ml"
        client = rtrack.Client()
        assert [f.path for f in client.list_artifacts(run_id)] == ["config.yaml", "notes"]
        local = client.download_artifacts(run_id, "notes/readme.txt", str(tmp_path))
        assert open(local).read() == "hello over http"
        with pytest.raises(rtrack.NotFoundError):
            rtrack.get_run("0" * 32)
    finally:
        rtrack.set_tracking_uri(None)

    code, printed = server.stop()
    assert code == 0, printed
    rtrack.set_tracking_uri(str(tmp_path / "store"))
    try:
        assert len(rtrack.get_metric_history(run_id, "curve")) == 5000
    finally:
        rtrack.set_tracking_uri(None)


def test_the_environment_variable_points_rtrack_at_a_server(server):
    done = run_python(
        """
        import rtrack
        rtrack.set_experiment("from-env")
        with rtrack.start_run() as run:
            for i in range(50):
                rtrack.log_metric("m", float(i), step=i)
        # No flush here: the queued points must still reach the server at exit.
        print(run.info.run_id)
        """,
        env=clean_env(RTRACK_TRACKING_URI=server.url),
    )
    run_id = done.stdout.strip().splitlines()[-1]
    rtrack.set_tracking_uri(server.url)
    try:
        assert [m.value for m in rtrack.get_metric_history(run_id, "m")] == [float(i) for i in range(50)]
    finally:
        rtrack.set_tracking_uri(None)


REGISTRY = """
import numpy as np
from sklearn.linear_model import Ridge
mlflow.set_experiment("models")
X = np.random.default_rng(0).random((30, 3)); y = X @ np.array([1.0, 2.0, 3.0])
client = MlflowClient()
with mlflow.start_run() as run:
    info = mlflow.sklearn.log_model(Ridge(alpha=0.1).fit(X, y), name="model", input_example=X[:2])
out["model_uri"] = info.model_uri
out["artifact_uri"] = client.get_logged_model(info.model_id).artifact_location
out["status"] = str(client.get_logged_model(info.model_id).status)
loaded = mlflow.pyfunc.load_model(info.model_uri)
out["predicted"] = [round(float(v), 6) for v in loaded.predict(X[:2])]
out["expected"] = [round(float(v), 6) for v in Ridge(alpha=0.1).fit(X, y).predict(X[:2])]
out["found_models"] = [m.model_id for m in client.search_logged_models(experiment_ids=[run.info.experiment_id])]
out["model_id"] = info.model_id

v1 = mlflow.register_model(info.model_uri, "HousePrices")
v2 = client.create_model_version("HousePrices", source=f"runs:/{run.info.run_id}/model", run_id=run.info.run_id)
out["versions"] = [v1.version, v2.version]
client.set_registered_model_alias("HousePrices", "production", v2.version)
out["by_alias"] = client.get_model_version_by_alias("HousePrices", "production").version
client.set_registered_model_alias("HousePrices", "production", v1.version)   # rollback
out["rolled_back"] = client.get_model_version_by_alias("HousePrices", "production").version
by_alias = mlflow.pyfunc.load_model("models:/HousePrices@production")
out["alias_load"] = [round(float(v), 6) for v in by_alias.predict(X[:2])]
out["search"] = sorted(v.version for v in client.search_model_versions("name='HousePrices'"))
client.transition_model_version_stage("HousePrices", v2.version, "Staging")
out["latest_staging"] = [v.version for v in client.get_latest_versions("HousePrices", stages=["Staging"])]
client.set_model_version_tag("HousePrices", v1.version, "validated", "yes")
out["tags"] = client.get_model_version("HousePrices", v1.version).tags
client.delete_registered_model_alias("HousePrices", "production")
try:
    client.get_model_version_by_alias("HousePrices", "production")
except MlflowException as e:
    out["alias_gone"] = e.error_code
try:
    client.create_registered_model("HousePrices")
except MlflowException as e:
    out["duplicate"] = e.error_code
out["models"] = [m.name for m in client.search_registered_models()]
"""


def test_models_and_the_registry_through_the_server(server):
    out = mlflow_script(server.url, REGISTRY)
    assert out["model_uri"] == f"models:/{out['model_id']}"
    assert out["artifact_uri"].startswith("mlflow-artifacts:/") and out["model_id"] in out["artifact_uri"]
    assert "READY" in out["status"]
    assert out["predicted"] == out["expected"]
    assert out["found_models"] == [out["model_id"]]
    assert out["versions"] == ["1", "2"]
    assert out["by_alias"] == "2"
    assert out["rolled_back"] == "1"
    assert out["alias_load"] == out["expected"]
    assert out["search"] == ["1", "2"]
    assert out["latest_staging"] == ["2"]
    assert out["tags"] == {"validated": "yes"}
    assert out["alias_gone"] == "RESOURCE_DOES_NOT_EXIST"
    assert out["duplicate"] == "RESOURCE_ALREADY_EXISTS"
    assert out["models"] == ["HousePrices"]


def test_rtrack_client_registry_through_the_server(server):
    rtrack.set_tracking_uri(server.url)
    try:
        rtrack.set_experiment("registry-remote")
        with rtrack.start_run() as run:
            rtrack.log_text("weights", "model/weights.txt")
        version = rtrack.register_model(f"runs:/{run.info.run_id}/model", "Remote")
        client = rtrack.Client()
        client.set_registered_model_alias("Remote", "production", version.version)
        assert client.get_model_version_by_alias("Remote", "production").run_id == run.info.run_id
        assert [m.name for m in client.search_registered_models()] == ["Remote"]
        with pytest.raises(rtrack.AlreadyExistsError):
            client.create_registered_model("Remote")
    finally:
        rtrack.set_tracking_uri(None)
