"""The `rtrack` console script of the Python package: help on every level, MLflow's server
options (and the locations it refuses), and the experiments, runs and artifacts commands on
the tracking URI of the environment, their JSON read back."""

import json
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

import rtrack
from helpers import clean_env

RTRACK = Path(sys.executable).with_name("rtrack")


def cli(*args, cwd=None, timeout=120, **env):
    """Run `rtrack <args>` with no tracking settings inherited but `env`."""
    return subprocess.run(
        [str(RTRACK), *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=clean_env(**env),
        timeout=timeout,
    )


def ok(*args, **env):
    done = cli(*args, **env)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["server", "--help"], "--default-artifact-root"),
        (["server", "-h"], "--serve-artifacts"),
        (["ui", "--help"], "--artifacts-only"),
        (["experiments", "--help"], "restore"),
        (["runs", "describe", "--help"], "--run-id"),
        (["artifacts", "download", "-h"], "--dst-path"),
    ],
)
def test_help_on_every_level(args, mentions, tmp_path):
    done = cli(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"usage: rtrack {args[0]}"), done.stdout
    assert mentions in done.stdout
    # Asking for help opens no store.
    assert list(tmp_path.iterdir()) == []


def test_server_help_lists_mlflow_options():
    text = ok("server", "--help")
    for option in [
        "--backend-store-uri",
        "--artifacts-destination",
        "--no-serve-artifacts",
        "--static-prefix",
        "--workers N, -w N",
        "--host HOST, -h HOST",
        "--gunicorn-opts",
    ]:
        assert option in text, option


@pytest.mark.parametrize(
    ("option", "uri", "scheme"),
    [
        ("--artifacts-destination", "s3://bucket", "s3"),
        ("--artifacts-destination", "gs://bucket/artifacts", "gs"),
        ("--default-artifact-root", "wasbs://c@account.blob.core.windows.net/a", "wasbs"),
        ("--backend-store-uri", "postgresql://user@db:5432/mlflow", "postgresql"),
    ],
)
def test_locations_this_build_cannot_serve_are_refused_at_start(option, uri, scheme, tmp_path):
    # A server that accepted the location would keep running: the timeout fails the test.
    done = cli("server", option, uri, "--port", "0", cwd=tmp_path, timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"scheme '{scheme}'" in done.stderr
    assert "file:" in done.stderr, "the error says what is supported"
    assert "listening" not in done.stdout
    # Nothing was made: no store, no local folder named like the bucket.
    assert list(tmp_path.iterdir()) == []


def test_server_with_mlflow_options_serves_under_a_prefix(tmp_path):
    process = subprocess.Popen(
        [
            str(RTRACK),
            "server",
            "--backend-store-uri",
            str(tmp_path / "store"),
            "--port",
            "0",
            "--static-prefix",
            "/mlflow",
            "--workers",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    try:
        first_line = process.stdout.readline()
        assert "listening on http://" in first_line, first_line + process.stderr.read()
        url = first_line.split("listening on ")[1].split()[0]
        assert url.endswith("/mlflow")
        with urllib.request.urlopen(f"{url}/health", timeout=10) as response:
            assert response.read() == b"OK"
        found = json.loads(ok("experiments", "search", "--output", "json", "--tracking-uri", url))
        assert [e["name"] for e in found] == ["Default"]
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, out + err
    assert "--workers 2" in err


def test_experiments_runs_and_artifacts_on_the_tracking_uri(tmp_path):
    store = tmp_path / "store"
    env = {"RTRACK_TRACKING_URI": store}
    created = json.loads(ok("experiments", "create", "-n", "wine", "--output", "json", **env))
    assert created["experiment_id"] == "1"
    assert ok("experiments", "rename", "-x", "1", "--new-name", "wine-quality", **env).strip() == (
        "Experiment with id 1 has been renamed to 'wine-quality'."
    )

    rtrack.set_tracking_uri(str(store))
    try:
        rtrack.set_experiment("wine-quality")
        with rtrack.start_run(run_name="enet") as run:
            rtrack.log_param("alpha", 0.5)
            rtrack.log_metric("rmse", 0.71)
        run_id = run.info.run_id
    finally:
        rtrack.set_tracking_uri(None)

    # MLflow's variable works as well as rtrack's.
    mlflow_env = {"MLFLOW_TRACKING_URI": store}
    listed = json.loads(ok("runs", "list", "--experiment-id", "1", "--output", "json", **mlflow_env))
    assert [r["info"]["run_id"] for r in listed] == [run_id]
    described = json.loads(ok("runs", "describe", "--run-id", run_id, **env))
    assert described["info"]["run_name"] == "enet"
    assert described["data"]["params"] == {"alpha": "0.5"}
    assert described["data"]["metrics"] == {"rmse": 0.71}

    local = tmp_path / "notes.txt"
    local.write_text("from the command line")
    ok("artifacts", "log-artifact", "--local-file", local, "--run-id", run_id, "--artifact-path", "docs", **env)
    files = json.loads(ok("artifacts", "list", "-r", run_id, "-a", "docs", "--output", "json", **env))
    assert files == [{"path": "docs/notes.txt", "is_dir": False, "file_size": 21}]
    copied = ok("artifacts", "download", "-u", f"runs:/{run_id}/docs/notes.txt", "-d", tmp_path / "dl", **env)
    assert Path(copied.strip()).read_text() == "from the command line"

    ok("runs", "delete", "--run-id", run_id, **env)
    deleted = json.loads(ok("runs", "list", "--experiment-id", "1", "-v", "deleted_only", "--output", "json", **env))
    assert [r["info"]["lifecycle_stage"] for r in deleted] == ["deleted"]
    ok("experiments", "delete", "-x", "1", **env)
    active = json.loads(ok("experiments", "search", "--output", "json", **env))
    assert [e["name"] for e in active] == ["Default"]

    done = cli("experiments", "restore", "-x", "7", **env)
    assert done.returncode == 1 and "7" in done.stderr
