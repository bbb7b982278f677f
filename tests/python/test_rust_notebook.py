"""The Rust notebook (notebooks/wine_quality_rust.ipynb) executed by a real evcxr_jupyter
kernel through nbclient, its outputs checked, and what it logged read back from Python.

scripts/test.sh installs evcxr_jupyter and registers its kernel in .venv; the kernel builds
rtrack for the notebook's `:dep` into target/evcxr, so only the first run pays for that build.
"""

import os
import re
import time
from pathlib import Path

import pytest

import rtrack

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "wine_quality_rust.ipynb"
# A fixed build folder for the kernel: rtrack and its dependencies compile once, later
# sessions reuse them (cargo sees nothing changed).
EVCXR_BUILD = REPO / "target" / "evcxr"


def rust_kernel_installed():
    try:
        KernelSpecManager().get_kernel_spec("rust")
        return True
    except NoSuchKernel:
        return False


pytestmark = pytest.mark.skipif(
    not rust_kernel_installed(), reason="the evcxr_jupyter kernel 'rust' is not installed (scripts/test.sh installs it)"
)


def code_cell(notebook, source_start):
    found = [
        cell for cell in notebook.cells if cell.cell_type == "code" and cell.source.lstrip().startswith(source_start)
    ]
    assert len(found) == 1, source_start
    return found[0]


def html_of(cell):
    return "".join(output.get("data", {}).get("text/html", "") for output in cell.outputs)


def text_of(cell):
    return "".join(output.get("text", "") for output in cell.outputs if output.output_type == "stream")


@pytest.fixture(scope="module")
def executed(tmp_path_factory, pytestconfig):
    store = tmp_path_factory.mktemp("rust-notebook") / "store"
    saved = {name: os.environ.get(name) for name in ("RTRACK_TRACKING_URI", "EVCXR_TMPDIR", "RUST_SRC_PATH")}
    os.environ["RTRACK_TRACKING_URI"] = str(store)
    os.environ["EVCXR_TMPDIR"] = str(EVCXR_BUILD)
    # With standard-library sources from another Rust release (Debian's rust-src is 1.63),
    # evcxr's rust-analyzer panics while inferring variable types and the kernel runs no cell
    # again; with none, evcxr asks the compiler for the types instead.
    os.environ.pop("RUST_SRC_PATH", None)
    EVCXR_BUILD.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    # The first `:dep` compiles rtrack with linfa and plotly (minutes on 2 cores, cold).
    client = nbclient.NotebookClient(
        notebook,
        kernel_name="rust",
        timeout=1200,
        startup_timeout=120,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    started = time.monotonic()
    try:
        client.execute()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    print(f"\nRust notebook executed in {time.monotonic() - started:.1f} s")
    return notebook, store


def test_every_cell_ran_without_an_error(executed):
    notebook, _ = executed
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
            assert "Error" not in text_of(cell), text_of(cell)


def test_the_outputs_show_runs_dashboard_and_an_offline_chart(executed):
    notebook, store = executed
    assert f"tracking to {store}" in text_of(code_cell(notebook, "use rtrack::"))

    trained = text_of(code_cell(notebook, "let mut run_ids"))
    assert len(re.findall(r"^enet-[\d.]+-[\d.]+: rmse \d\.\d{4}  r2 -?\d\.\d{4}$", trained, re.M)) == 3, trained

    table = html_of(code_cell(notebook, "let best: Page<Run>"))
    assert 'class="rtrack-view rtrack-runs"' in table and "3 runs" in table, table[:500]
    assert all(name in table for name in ("enet-0.001-0.1", "enet-0.01-0.5", "enet-0.1-0.9"))

    dashboard = html_of(code_cell(notebook, "rtrack::display::Summary"))
    assert "wine-quality-rust" in dashboard and "rmse" in dashboard

    chart = html_of(code_cell(notebook, "let best_index"))
    assert "Plotly.newPlot" in chart and '"type":"scatter"' in chart
    assert chart.count("plotly.js v") == 1, "the first figure of the session carries plotly.js, once"
    assert "<script src" not in chart, "nothing loads from a CDN"
    histogram = html_of(code_cell(notebook, "Figure::new(&rtrack::plots::error_histogram"))
    assert "Plotly.newPlot" in histogram and '"type":"histogram"' in histogram
    assert "plotly.js v" not in histogram and len(histogram) < 100_000, "later figures reuse the session's plotly.js"

    classifier = code_cell(notebook, "{\n    use rtrack::linfa::{linfa_logistic")
    high = r"(0\.9\d\d|1\.000)"
    assert re.search(rf"^accuracy {high}  f1 {high}  roc_auc {high}$", text_of(classifier), re.M), text_of(classifier)
    matrix = html_of(classifier)
    assert '"type":"heatmap"' in matrix and "plotly.js v" not in matrix

    registered = text_of(code_cell(notebook, "let model_uri"))
    assert "models:/WineQualityRust@production is version 1 (elastic_net), predictions equal: true" in registered


def test_python_reads_what_the_rust_notebook_logged(executed):
    notebook, store = executed
    client = rtrack.Client(str(store))
    experiment = client.get_experiment_by_name("wine-quality-rust")
    runs = client.search_runs([experiment.experiment_id], order_by=["metrics.rmse ASC"])
    assert len(runs) == 3
    printed = dict(
        re.findall(r"^(enet-[\d.]+-[\d.]+): rmse (\d\.\d{4})", text_of(code_cell(notebook, "let mut run_ids")), re.M)
    )
    for run in runs:
        assert run.info.status == "FINISHED"
        assert f"{run.data.metrics['rmse']:.4f}" == printed[run.info.run_name]
        assert {"mae", "r2", "rmse"} <= set(run.data.metrics)
        assert set(run.data.params) == {"penalty", "l1_ratio"}
        assert [f.path for f in client.list_artifacts(run.info.run_id, "model")] == [
            "model/MLmodel",
            "model/model.json",
        ]
        assert [f.path for f in client.list_artifacts(run.info.run_id, "plots")] == ["plots/predictions.html"]
    best = runs[0]
    residuals = client.get_metric_history(best.info.run_id, "residual")
    assert len(residuals) == 319 and [m.step for m in residuals[:3]] == [0, 1, 2]

    iris = client.get_experiment_by_name("iris-rust")
    (softmax,) = client.search_runs([iris.experiment_id])
    assert {"accuracy", "precision", "recall", "f1_score", "roc_auc"} <= set(softmax.data.metrics)
    assert softmax.data.metrics["accuracy"] > 0.9

    version = client.get_model_version_by_alias("WineQualityRust", "production")
    assert str(version.version) == "1" and version.run_id == best.info.run_id
    mlmodel = (Path(best.info.artifact_uri.removeprefix("file://")) / "model" / "MLmodel").read_text()
    assert "rust_linfa:" in mlmodel and "model_kind: elastic_net" in mlmodel
