"""The notebooks in notebooks/, executed top to bottom by a real Jupyter kernel (nbclient and
ipykernel), with their outputs checked: what the reader of each notebook would see."""

import json
import os
import re
import sys
import textwrap
import urllib.request
from pathlib import Path

import pytest

import rtrack
from helpers import clean_env, run_python

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_the_python3_kernel_is_this_interpreter():
    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec("python3").argv
    assert argv[0] == sys.executable, f"kernel python3 runs {argv[0]}; scripts/setup.sh registers this venv's"


def execute(name, folder, check_while_running=None):
    """Run a notebook in ``folder`` (its working directory) and return it with outputs.
    ``check_while_running(notebook)`` runs after the last cell, before the kernel stops."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    client = nbclient.NotebookClient(
        notebook, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(folder)}}
    )
    with client.setup_kernel():
        for index, cell in enumerate(notebook.cells):
            client.execute_cell(cell, index)
        if check_while_running is not None:
            check_while_running(notebook)
    return notebook


def cell_after(notebook, source_start):
    """The one code cell whose source starts with ``source_start``."""
    found = [cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.startswith(source_start)]
    assert len(found) == 1, source_start
    return found[0]


def html_of(cell):
    return "".join(output.get("data", {}).get("text/html", "") for output in cell.outputs)


def text_of(cell):
    parts = [output.get("text", "") for output in cell.outputs if output.output_type == "stream"]
    parts += [output.get("data", {}).get("text/plain", "") for output in cell.outputs if "data" in output]
    return "".join(parts)


def test_the_tracking_tour(tmp_path, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("RTRACK_TRACKING_URI", str(store))
    answered = {}

    def ui_answers(notebook):
        ui = cell_after(notebook, "%rtrack ui")
        url = re.search(r"at (http://127\.0\.0\.1:\d+)", text_of(ui)).group(1)
        assert f'src="{url}"' in html_of(ui), "the UI is shown under the cell"
        with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
            answered["health"] = response.read().decode()

    notebook = execute("tracking_tour.ipynb", tmp_path, ui_answers)
    assert answered["health"] == "OK", "the server in the kernel answered over HTTP"

    first = cell_after(notebook, "import numpy")
    assert str(store) in text_of(first)

    # The live chart's last drawing holds every epoch of both metrics.
    live = html_of(cell_after(notebook, "import time"))
    assert "<svg" in live and "train_rmse" in live and "val_rmse" in live
    assert live.count("(60 points)") == 2, live[-1500:]

    run_view = html_of(cell_after(notebook, "rtrack.get_run("))
    assert "Run enet-baseline" in run_view and "elastic-net" in run_view and "<td>alpha</td>" in run_view

    # %%rtrack run: the cell's value is shown, the run holds the cell and its wall time.
    ridge_cell = cell_after(notebook, "%%rtrack run")
    shown_rmse = float(text_of(ridge_cell))
    assert 0.3 < shown_rmse < 0.8

    dashboard = html_of(cell_after(notebook, "%rtrack summary"))
    for name in [
        "wine-quality",
        "wine-quality-classification",
        "enet-baseline",
        "alpha-sweep",
        "enet-alpha-0.01",
        "enet-alpha-0.5",
        "ridge-closed-form",
        "logistic-lr-0.5",
        "val_rmse",
        "rmse",
        "r2",
        "accuracy",
        "log_loss",
    ]:
        assert name in dashboard, name
    assert 'title="best rmse"' in dashboard and 'title="best accuracy"' in dashboard
    assert dashboard.count("<svg") >= 6, "sparklines of the histories"

    search = html_of(cell_after(notebook, "best = rtrack.search_runs("))
    assert "ridge-closed-form" in search and "<th>rmse</th>" in search
    history = html_of(cell_after(notebook, "rtrack.get_metric_history("))
    assert "val_rmse" in history and "60 points" in history

    # What the notebook stored, read back from this process.
    client = rtrack.Client(str(store))
    experiment_ids = [experiment.experiment_id for experiment in client.search_experiments()]
    runs = {run.info.run_name: run for run in client.search_runs(experiment_ids, max_results=100)}
    ridge = runs["ridge-closed-form"]
    assert ridge.info.status == "FINISHED"
    assert abs(ridge.data.metrics["rmse"] - shown_rmse) < 1e-4
    assert "cell_wall_time_s" in ridge.data.metrics
    assert "np.linalg.solve" in Path(client.download_artifacts(ridge.info.run_id, "cell.py", tmp_path)).read_text()
    parents = {runs[f"enet-alpha-{alpha}"].data.tags["mlflow.parentRunId"] for alpha in (0.01, 0.1, 0.5)}
    assert parents == {runs["alpha-sweep"].info.run_id}
    baseline = runs["enet-baseline"]
    assert {f.path for f in client.list_artifacts(baseline.info.run_id)} == {"model", "notes.md"}
    assert baseline.data.tags["model"] == "elastic-net"


# Colab's own module, as far as rtrack uses it: each call is recorded (one JSON line in
# calls.jsonl beside the module) and proxyPort answers with a proxy URL, as Colab does.
FAKE_COLAB_OUTPUT = textwrap.dedent(
    """
    import json
    import re
    from pathlib import Path

    CALLS = Path(__file__).with_name("calls.jsonl")


    def _record(name, *args, **kwargs):
        with CALLS.open("a") as calls:
            calls.write(json.dumps({"name": name, "args": list(args), "kwargs": kwargs}) + "\\n")


    def eval_js(script, ignore_result=False, timeout_sec=None):
        _record("eval_js", script)
        port = re.search(r"proxyPort\\((\\d+)\\)", script)
        return f"https://{port.group(1)}-proxy.colab.example/" if port else None


    def serve_kernel_port_as_iframe(port, path="/", height="400", cache_in_notebook=False):
        _record("serve_kernel_port_as_iframe", port, path=path, height=height)
    """
)


@pytest.fixture
def on_colab(tmp_path, monkeypatch):
    """Kernels started by the test can import ``google.colab.output`` (a stand-in for the
    third-party module); returns a function that reads the calls made to it so far."""
    site = tmp_path / "colab-site"
    package = site / "google" / "colab"  # "google" stays a namespace package, as on Colab
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "output.py").write_text(FAKE_COLAB_OUTPUT)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])))
    calls = package / "calls.jsonl"
    return lambda: [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []


def everything_shown_by(cell):
    """Every output of a cell, all formats, as one string."""
    return json.dumps(cell.outputs)


def plotly_page(client, run, name, folder):
    """The figure stored as artifact ``name``: checked to be a self-contained plotly page."""
    folder.mkdir(parents=True, exist_ok=True)
    page = Path(client.download_artifacts(run.info.run_id, name, folder)).read_text(encoding="utf-8")
    assert "plotly.js v" in page and "Plotly.newPlot" in page, f"{name}: plotly.js inlined"
    assert not re.search(r"<script[^>]*\bsrc\s*=", page), f"{name} loads a script from elsewhere"
    return json.loads(re.search(r'id="figure-json">(.*?)</script>', page, re.S).group(1))


def runs_by_name(client, experiment_name):
    experiment = client.get_experiment_by_name(experiment_name)
    assert experiment is not None, experiment_name
    return {run.info.run_name: run for run in client.search_runs([experiment.experiment_id], max_results=100)}


def test_the_turbine_notebook_runs_on_colab(tmp_path, monkeypatch, on_colab):
    store = tmp_path / "store"
    monkeypatch.setenv("RTRACK_TRACKING_URI", str(store))
    answered = {}

    def ui_answers_through_the_proxy(notebook):
        calls = on_colab()
        assert [call["name"] for call in calls] == ["eval_js", "serve_kernel_port_as_iframe"], calls
        port = calls[1]["args"][0]
        assert calls[0]["args"] == [f"google.colab.kernel.proxyPort({port})"]
        answered["port"] = port
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=10) as response:
            answered["health"] = response.read().decode()

    notebook = execute("turbine_colab.ipynb", tmp_path, ui_answers_through_the_proxy)
    assert text_of(cell_after(notebook, "# On Colab")).strip() == "On Colab.", "rtrack is installed: no pip"

    # %rtrack ui: served through Colab's proxy (the only Colab calls made), no raw iframe.
    assert answered["health"] == "OK", "the server in the kernel answered over HTTP"
    ui = cell_after(notebook, "%rtrack ui")
    assert f"at port {answered['port']} of this kernel" in text_of(ui)
    assert f"Open it in a tab: https://{answered['port']}-proxy.colab.example/" in text_of(ui)
    for unreachable in ["<iframe", "127.0.0.1", "localhost"]:
        assert unreachable not in everything_shown_by(ui), unreachable

    # start_run(live=...): inline SVG only, every stage drawn, nothing Colab would strip.
    live_cell = cell_after(notebook, "boosting = ")
    live = html_of(live_cell)
    assert "<svg" in live and live.count("(12 points)") == 2, live[-1500:]
    shown = everything_shown_by(live_cell)
    for forbidden in ["<iframe", "localhost", "127.0.0.1", "<script"]:
        assert forbidden not in shown, forbidden
    inline_figure = cell_after(notebook, "rtrack.plots.prediction_scatter(")
    assert any("application/vnd.plotly.v1+json" in output.get("data", {}) for output in inline_figure.outputs)

    dashboard = html_of(cell_after(notebook, "%rtrack summary"))
    for name in [
        "turbine-failure-within-7-days",
        "turbine-days-to-failure",
        "logistic-baseline",
        "gradient-boosting",
        "ridge-baseline",
        "random-forest",
        "roc_auc",
        "f1_score",
        "val_log_loss",
        "rmse",
        "r2",
    ]:
        assert name in dashboard, name
    assert 'title="best roc_auc"' in dashboard and 'title="best rmse"' in dashboard

    # What the notebook stored, read back from this process.
    client = rtrack.Client(str(store))
    classifiers = runs_by_name(client, "turbine-failure-within-7-days")
    assert set(classifiers) == {"logistic-baseline", "gradient-boosting"}
    for run in classifiers.values():
        assert run.info.status == "FINISHED"
        metrics = run.data.metrics
        assert {"accuracy", "precision", "recall", "f1_score", "roc_auc"} <= set(metrics)
        confusion = plotly_page(client, run, "confusion_matrix.html", tmp_path / run.info.run_id)["data"][0]
        counts = confusion["z"]
        assert confusion["type"] == "heatmap" and sum(map(sum, counts)) == 375, "every test reading counted"
        assert abs((counts[0][0] + counts[1][1]) / 375 - metrics["accuracy"]) < 1e-9
        roc = plotly_page(client, run, "roc_curve.html", tmp_path / run.info.run_id)["data"]
        assert roc[0]["type"] == "scatter" and roc[0]["name"] == f"ROC (AUC = {metrics['roc_auc']:.3f})"
    boosting = classifiers["gradient-boosting"]
    assert boosting.data.params["learning_rate"] == "0.1" and boosting.data.params["stages"] == "12"
    assert boosting.data.metrics["roc_auc"] > 0.85
    assert len(client.get_metric_history(boosting.info.run_id, "val_log_loss")) == 12

    regressors = runs_by_name(client, "turbine-days-to-failure")
    assert set(regressors) == {"ridge-baseline", "random-forest"}
    for run in regressors.values():
        assert {"mae", "mse", "rmse", "r2"} <= set(run.data.metrics)
        scatter = plotly_page(client, run, "prediction_scatter.html", tmp_path / run.info.run_id)["data"]
        assert scatter[0]["type"] == "scatter" and len(scatter[0]["x"]) == 375
        errors = plotly_page(client, run, "error_distribution.html", tmp_path / run.info.run_id)["data"]
        assert errors[0]["type"] == "histogram" and len(errors[0]["x"]) == 375
    forest = regressors["random-forest"]
    assert forest.data.params["n_estimators"] == "60"
    importance = plotly_page(client, forest, "feature_importance.html", tmp_path / "importance")["data"][0]
    assert importance["type"] == "bar" and "vibration_mm_s" in importance["y"]


# Runs the turbine notebook's first cell in an IPython shell where rtrack cannot be imported,
# as on a fresh Colab runtime, with a `%pip` that records what it was asked to install.
_FIRST_CELL_WITHOUT_RTRACK = """
import sys
from IPython.core.interactiveshell import InteractiveShell

shell = InteractiveShell.instance()
installs = []
shell.register_magic_function(installs.append, "line", "pip")
sys.modules["rtrack"] = None
assert shell.run_cell(sys.argv[1]).success
print(installs)
"""


def test_the_turbine_notebook_installs_rtrack_only_on_colab_when_it_is_missing(on_colab):
    first_cell = nbformat.read(NOTEBOOKS / "turbine_colab.ipynb", as_version=4).cells[1].source
    assert first_cell.startswith("# On Colab")
    on_colab_out = run_python(_FIRST_CELL_WITHOUT_RTRACK, args=[first_cell]).stdout
    assert on_colab_out.splitlines() == ["On Colab.", "['install --quiet rtrack']"]
    elsewhere = {key: value for key, value in clean_env().items() if key != "PYTHONPATH"}
    elsewhere_out = run_python(_FIRST_CELL_WITHOUT_RTRACK, args=[first_cell], env=elsewhere).stdout
    assert elsewhere_out.splitlines() == ["Not on Colab: nothing to install.", "[]"]


def test_the_house_prices_notebook_registers_the_best_run(tmp_path, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("RTRACK_TRACKING_URI", str(store))
    notebook = execute("house_prices.ipynb", tmp_path)

    client = rtrack.Client(str(store))
    runs = runs_by_name(client, "house-prices")
    names = ["linear-regression", "ridge", "lasso", "k-nearest-neighbours", "random-forest", "gradient-boosting"]
    assert sorted(runs) == sorted(names)
    for run in runs.values():
        assert run.info.status == "FINISHED" and {"rmse", "mae", "r2"} <= set(run.data.metrics)
        assert "estimator" in run.data.params
        assert "model/MLmodel" in [entry.path for entry in client.list_artifacts(run.info.run_id, "model")]
    by_rmse = sorted(runs.values(), key=lambda run: run.data.metrics["rmse"])
    lowest = by_rmse[0]

    # The leaderboard lists the runs by rmse; the best run found is the one with the lowest.
    leaderboard = html_of(cell_after(notebook, "leaderboard = "))
    positions = [leaderboard.index(f">{run.info.run_name}<") for run in by_rmse]
    assert positions == sorted(positions), [run.info.run_name for run in by_rmse]
    found = text_of(cell_after(notebook, "best = "))
    assert f"best run: {lowest.info.run_name} ({lowest.info.run_id})" in found, found

    # Registered as version 1 of HousePrices, with the alias pointing at it.
    production = client.get_model_version_by_alias("HousePrices", "production")
    assert (production.version, production.run_id) == ("1", lowest.info.run_id)
    assert production.source == f"{lowest.info.artifact_uri}/model"
    assert production.tags == {"rmse": str(round(lowest.data.metrics["rmse"], 3))}
    assert client.get_registered_model("HousePrices").aliases == {"production": "1"}
    registered = text_of(cell_after(notebook, "version = rtrack.register_model("))
    assert f"HousePrices version 1 is @production: run {lowest.info.run_id}" in registered

    # Loaded back by the alias (signature included) and served: the same predictions.
    loaded = text_of(cell_after(notebook, "production_model = "))
    assert "same predictions as the model in memory: True" in loaded and "living_m2" in loaded, loaded
    served = text_of(cell_after(notebook, "rtrack_command = "))
    assert "same as loaded: True" in served, served
