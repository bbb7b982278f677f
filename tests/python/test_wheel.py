"""The release wheel as a user gets it: built by scripts/build_wheel.sh, installed with pip into
a fresh virtualenv whose PATH has no Rust toolchain, then used from that venv alone: a script
logs and searches runs, and the `rtrack ui` console script serves the UI and MLflow's API.

The wheel is built once per test session into a temporary folder (a wheel found lying around
may be older than the sources). With an up-to-date target/ the build only packs the wheel;
after source changes it recompiles the extension, which takes minutes.
"""

import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_wheel.sh"), str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    assert done.returncode == 0, f"build_wheel.sh failed:\n{done.stdout}\n{done.stderr}"
    wheels = list(out.glob("rtrack-*.whl"))
    assert len(wheels) == 1, wheels
    # One wheel for every CPython from 3.9 on (abi3), with a tag pip accepts on manylinux systems.
    assert "-cp39-abi3-" in wheels[0].name and "manylinux" in wheels[0].name, wheels[0].name
    return wheels[0]


@pytest.fixture(scope="session")
def venv(wheel, tmp_path_factory):
    """A fresh venv with only the wheel installed; returns (its folder, the children's env)."""
    root = tmp_path_factory.mktemp("venv")
    home = root / "home"
    home.mkdir()
    folder = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True, timeout=300)
    bin_dir = folder / "bin"
    path = f"{bin_dir}:/usr/bin:/bin"
    for tool in ("cargo", "rustc", "maturin"):
        assert shutil.which(tool, path=path) is None, f"{tool} is reachable on {path}"
    # Nothing inherited: no RTRACK_* settings, no PYTHONPATH, no pip config or cache of the user.
    env = {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    # --no-index: the wheel has no dependencies, and nothing may be fetched or built.
    done = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--no-index", "--only-binary", ":all:", str(wheel)],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"pip install failed:\n{done.stdout}\n{done.stderr}"
    return folder, env


LOGGING_SCRIPT = """
    import json, sys
    from pathlib import Path

    import rtrack

    # The installed package, not the checkout.
    assert rtrack.__file__.startswith(sys.prefix), (rtrack.__file__, sys.prefix)
    store = sys.argv[1]
    rtrack.set_tracking_uri(store)
    assert rtrack.get_tracking_uri().endswith("store"), rtrack.get_tracking_uri()
    experiment_id = rtrack.set_experiment("wheel-check").experiment_id
    Path("notes.txt").write_text("installed from a wheel\\n")
    with rtrack.start_run(run_name="from-wheel") as run:
        rtrack.log_params({"alpha": 0.5, "model": "enet"})
        for step in range(5):
            rtrack.log_metric("loss", 1 / (step + 1), step=step)
        rtrack.log_artifact("notes.txt")
        rtrack.log_dict({"alpha": 0.5}, "config.json")
    run_id = run.info.run_id

    runs = rtrack.search_runs(
        experiment_names=["wheel-check"],
        filter_string="metrics.loss < 0.5 and params.model = 'enet'",
        output_format="list",
    )
    assert [r.info.run_id for r in runs] == [run_id], runs
    found = runs[0]
    assert found.info.run_name == "from-wheel" and found.info.status == "FINISHED", found.info
    assert found.data.params == {"alpha": "0.5", "model": "enet"}, found.data.params
    assert found.data.metrics == {"loss": 0.2}, found.data.metrics
    client = rtrack.Client()
    history = [(m.step, m.value) for m in client.get_metric_history(run_id, "loss")]
    assert history == [(step, 1 / (step + 1)) for step in range(5)], history
    assert sorted(f.path for f in rtrack.list_artifacts(run_id)) == ["config.json", "notes.txt"]
    copied = Path(client.download_artifacts(run_id, "notes.txt"))
    assert copied.read_text() == "installed from a wheel\\n"
    assert json.loads(Path(client.download_artifacts(run_id, "config.json")).read_text()) == {"alpha": 0.5}
    print(json.dumps({"run_id": run_id, "experiment_id": experiment_id}))
"""


@pytest.fixture(scope="session")
def logged(venv, tmp_path_factory):
    """What the logging script logged from the wheel's venv: (store folder, its output)."""
    folder, env = venv
    work = tmp_path_factory.mktemp("work")
    store = work / "store"
    done = subprocess.run(
        [str(folder / "bin" / "python"), "-c", textwrap.dedent(LOGGING_SCRIPT), str(store)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, f"logging script failed:\n{done.stdout}\n{done.stderr}"
    return store, json.loads(done.stdout.strip().splitlines()[-1])


def test_the_wheel_installs_without_rust_and_logs(logged):
    store, out = logged
    assert (store / "rtrack.db").is_file()
    assert out["run_id"] and out["experiment_id"]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url, data=None):
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


def test_the_wheels_console_script_serves_the_ui_and_the_api(venv, logged, tmp_path):
    folder, env = venv
    store, out = logged
    port = free_port()
    log = tmp_path / "ui.log"
    with open(log, "w") as sink:
        process = subprocess.Popen(
            [str(folder / "bin" / "rtrack"), "ui", "--backend-store-uri", str(store), "--port", str(port)],
            cwd=tmp_path,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, f"rtrack ui exited ({process.returncode}):\n{log.read_text()}"
            try:
                if get(f"{base}/health") == (200, "OK"):
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"rtrack ui did not answer in 60 s:\n{log.read_text()}"
            time.sleep(0.1)

        status, page = get(f"{base}/")
        assert status == 200 and "<title>rtrack</title>" in page, page[:500]
        # The page's stylesheet and scripts (the app, plotly.js) come from the wheel's binary.
        assets = re.findall(r'(?:src|href)="(static/[^"]+)"', page)
        kinds = {asset.split("?")[0].rsplit(".", 1)[-1] for asset in assets}
        assert {"js", "css"} <= kinds, assets
        for asset in assets:
            status, text = get(f"{base}/{asset}")
            assert status == 200 and len(text) > 500, (asset, text[:200])

        status, body = get(f"{base}/api/2.0/mlflow/experiments/search?max_results=10")
        experiments = {e["name"]: e["experiment_id"] for e in json.loads(body)["experiments"]}
        assert experiments.get("wheel-check") == out["experiment_id"], experiments

        query = {"experiment_ids": [out["experiment_id"]], "filter": "params.alpha = '0.5'"}
        status, body = get(f"{base}/api/2.0/mlflow/runs/search", data=json.dumps(query).encode())
        runs = json.loads(body)["runs"]
        assert [r["info"]["run_id"] for r in runs] == [out["run_id"]], runs
        assert {m["key"]: m["value"] for m in runs[0]["data"]["metrics"]} == {"loss": 0.2}

        status, body = get(f"{base}/api/2.0/mlflow/artifacts/list?run_id={out['run_id']}")
        assert sorted(f["path"] for f in json.loads(body)["files"]) == ["config.json", "notes.txt"]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    assert process.returncode == 0, log.read_text()
    assert "rtrack UI stopped" in log.read_text()
