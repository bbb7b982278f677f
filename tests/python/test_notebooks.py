"""The notebooks in notebooks/, executed top to bottom by a real Jupyter kernel (nbclient and
ipykernel), with their outputs checked: what the reader of each notebook would see."""

import re
import sys
import urllib.request
from pathlib import Path

import pytest

import rtrack

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
        "wine-quality", "wine-quality-classification", "enet-baseline", "alpha-sweep", "enet-alpha-0.01",
        "enet-alpha-0.5", "ridge-closed-form", "logistic-lr-0.5", "val_rmse", "rmse", "r2", "accuracy", "log_loss",
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
