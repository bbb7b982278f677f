"""The package's types: its inline annotations pass mypy --strict, the compiled module's stub
matches the module (mypy's stubtest), and the installed package types a typical script."""

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytest.importorskip("mypy")

REPO = Path(__file__).resolve().parents[2]


def _mypy(*args, cwd):
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


def test_the_package_type_checks(tmp_path):
    # pyproject.toml's [tool.mypy] names the files (python/rtrack) and asks for --strict.
    done = _mypy("mypy", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found" in done.stdout, done.stdout


def test_core_stub_matches_the_compiled_module(tmp_path):
    # The installed rtrack._core against python/rtrack/_core.pyi as installed beside it.
    done = _mypy("mypy.stubtest", "--ignore-disjoint-bases", "rtrack._core", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_installed_package_types_a_script(tmp_path):
    (tmp_path / "use.py").write_text(
        textwrap.dedent(
            """
        from pathlib import Path

        import numpy as np

        import rtrack
        from rtrack import Client, Metric, Param, RunTag

        rtrack.set_tracking_uri(Path("store"))
        experiment_id: str = rtrack.set_experiment("wine").experiment_id
        with rtrack.start_run(run_name="a", tags={"k": 1}) as run:
            alpha: float = rtrack.log_param("alpha", 0.5)
            rtrack.log_metric("loss", 0.1, step=1)
            rtrack.log_metric_series("s", np.arange(3.0))
            run_id: str = run.info.run_id
        runs: list[rtrack.Run] = rtrack.search_runs(output_format="list")
        values: np.ndarray = rtrack.get_metric_series(run_id, "s").values
        page = Client().search_runs([experiment_id], max_results=10)
        token: str | None = page.token
        Client().log_batch(run_id, metrics=[Metric("m", 1.0, 0, 0)], params=[Param("p", "1")], tags=[RunTag("t", "x")])
        end: int | None = rtrack.get_run(run_id).info.end_time
        wrong: int = rtrack.get_run(run_id).info.run_name
        version: str = rtrack.register_model(f"runs:/{run_id}/model", "wine").version
        aliases: dict[str, str] = Client().get_registered_model("wine").aliases
        latest: list[rtrack.ModelVersion] = Client().get_latest_versions("wine", stages=["Production"])
        found: rtrack.PagedList[rtrack.ModelVersion] = Client().search_model_versions("name = 'wine'")
        logged: rtrack.LoggedModel = Client().create_logged_model(experiment_id, params={"alpha": 0.5})
        models = Client().search_logged_models([experiment_id], order_by=[{"field_name": "name", "ascending": True}])
        metric_value: float = models[0].metrics[0].value
        signature = rtrack.models.infer_signature(np.zeros((2, 3)))
        names: list[str] = signature.inputs.input_names()
        loaded = rtrack.pyfunc.load_model("models:/wine@production")
        uri: str = rtrack.sklearn.log_model(object(), "model", registered_model_name="wine").model_uri
        rtrack.autolog(disable=True)
        """
        )
    )
    done = _mypy("mypy", "--strict", "--no-incremental", "use.py", cwd=tmp_path)
    # Exactly the one deliberate mistake is found.
    assert "use.py:22: error: Incompatible types in assignment" in done.stdout, done.stdout
    assert "Found 1 error" in done.stdout, done.stdout
