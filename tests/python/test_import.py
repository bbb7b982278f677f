"""What importing rtrack costs in modules (not in time: timings belong to the benchmark)."""

import json

import rtrack
from helpers import run_python


def test_import_loads_no_numpy_or_pandas(tmp_path):
    out = run_python(
        """
        import json, sys
        import rtrack
        heavy = sorted(m for m in ("numpy", "pandas", "PIL", "yaml") if m in sys.modules)
        print(json.dumps(heavy))
        """,
        cwd=tmp_path,
    ).stdout
    assert json.loads(out) == []
    # Importing touched no store: nothing appears in the working directory.
    assert list(tmp_path.iterdir()) == []


def test_import_loads_no_typing(tmp_path):
    # The annotations are read by type checkers only; typing would add milliseconds.
    out = run_python(
        """
        import json, sys
        before = set(sys.modules)
        import rtrack
        print(json.dumps("typing" in set(sys.modules) - before))
        """,
        cwd=tmp_path,
    ).stdout
    assert json.loads(out) is False


def test_logging_scalars_loads_no_numpy_or_pandas(tmp_path):
    out = run_python(
        f"""
        import json, sys
        import rtrack
        rtrack.set_tracking_uri({str(tmp_path / "s")!r})
        with rtrack.start_run() as run:
            rtrack.log_param("p", 1)
            rtrack.log_metric("m", 1.0)
            rtrack.log_metrics({{"a": 2.0}})
            rtrack.set_tag("t", "v")
            rtrack.log_text("x", "x.txt")
            rtrack.log_dict({{"a": 1}}, "a.yaml")
        rtrack.get_run(run.info.run_id)
        rtrack.get_metric_history(run.info.run_id, "m")
        print(json.dumps(sorted(m for m in ("numpy", "pandas") if m in sys.modules)))
        """,
    ).stdout
    assert json.loads(out) == []


def test_public_names():
    expected = {
        "set_tracking_uri",
        "get_tracking_uri",
        "set_experiment",
        "create_experiment",
        "get_experiment",
        "get_experiment_by_name",
        "search_experiments",
        "rename_experiment",
        "delete_experiment",
        "restore_experiment",
        "start_run",
        "end_run",
        "active_run",
        "last_active_run",
        "log_param",
        "log_params",
        "log_metric",
        "log_metrics",
        "log_metric_series",
        "get_metric_series",
        "set_tag",
        "set_tags",
        "delete_tag",
        "flush",
        "log_artifact",
        "log_artifacts",
        "log_text",
        "log_dict",
        "log_image",
        "log_table",
        "get_artifact_uri",
        "get_run",
        "get_metric_history",
        "search_runs",
        "list_artifacts",
        "delete_run",
        "restore_run",
        "Client",
        "RtrackError",
        "NotFoundError",
        "InvalidValueError",
        "AlreadyExistsError",
        "Experiment",
        "Run",
        "RunInfo",
        "RunData",
        "Metric",
        "Param",
        "RunTag",
        "FileInfo",
        "ActiveRun",
        "ViewType",
        "RunStatus",
        "MetricSeries",
        "PagedList",
    }
    assert expected <= set(rtrack.__all__)
    for name in expected:
        assert getattr(rtrack, name) is not None
    assert isinstance(rtrack.__version__, str) and rtrack.__version__.count(".") == 2


def test_types_ship_with_the_package():
    from pathlib import Path

    package = Path(rtrack.__file__).parent
    assert (package / "py.typed").exists()
    # The Python modules carry their annotations inline; only the compiled module has a stub.
    assert sorted(p.name for p in package.glob("*.pyi")) == ["_core.pyi"]
