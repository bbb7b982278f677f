"""The HTTP measure: the mlflow client logging to `mlflow server` (MLflow side) or to
`rtrack server` (rtrack side), both on a fresh SQLite store on this machine, and on the
rtrack side also rtrack's own client over HTTP. The server runs in its own process; the
worker is the client."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from common import points, summary


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_server(lib, folder):
    port = _free_port()
    bin_dir = os.path.dirname(sys.executable)
    store = os.path.join(folder, "server-store")
    if lib == "mlflow":
        command = [
            os.path.join(bin_dir, "mlflow"),
            "server",
            "--backend-store-uri",
            f"sqlite:///{store}.db",
            "--artifacts-destination",
            os.path.join(folder, "server-artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ]
    else:
        command = [
            os.path.join(bin_dir, "rtrack"),
            "server",
            "--backend-store-uri",
            store,
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ]
    log = open(os.path.join(folder, f"{lib}-server.log"), "w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1) as reply:
                if reply.status == 200:
                    return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{lib} server did not answer /health within 120 s")


def _mlflow_client_figures(url, n_calls, n_batches):
    from mlflow.entities import Metric
    from mlflow.tracking import MlflowClient

    client = MlflowClient(url)
    experiment_id = client.create_experiment("http-bench")
    run_id = client.create_run(experiment_id).info.run_id
    for i in range(5):  # warm the connection pool
        client.log_metric(run_id, "warm", float(i), step=i)
    latencies = []
    for i in range(n_calls):
        t = time.perf_counter()
        client.log_metric(run_id, "latency", float(i), timestamp=1_700_000_000_000 + i, step=i)
        latencies.append(time.perf_counter() - t)
    steps, timestamps, values = points(n_batches * 1000, seed=3)
    batches = [
        [
            Metric("batch", float(v), int(ts), int(s))
            for s, ts, v in zip(
                steps[b * 1000 : (b + 1) * 1000],
                timestamps[b * 1000 : (b + 1) * 1000],
                values[b * 1000 : (b + 1) * 1000],
            )
        ]
        for b in range(n_batches)
    ]
    t = time.perf_counter()
    for batch in batches:
        client.log_batch(run_id, metrics=batch)
    batch_s = time.perf_counter() - t
    client.set_terminated(run_id)
    stored = len(client.get_metric_history(run_id, "batch"))
    assert stored == n_batches * 1000, f"{stored} of {n_batches * 1000} batch points stored"
    return {"log_metric": summary(latencies), "log_batch_points_per_s": n_batches * 1000 / batch_s}


def _rtrack_client_figures(url, n_points):
    import rtrack

    rtrack.set_tracking_uri(url)
    rtrack.set_experiment("rtrack-http-bench")
    steps, timestamps, values = points(n_points, seed=5)
    with rtrack.start_run() as run:
        t = time.perf_counter()
        for s, ts, v in zip(steps.tolist(), timestamps.tolist(), values.tolist()):
            rtrack.log_metric("queued", v, step=s, timestamp=ts)
        rtrack.flush()
        queued_s = time.perf_counter() - t
        t = time.perf_counter()
        rtrack.log_metric_series("series", values, steps=steps, timestamps=timestamps)
        series_s = time.perf_counter() - t
    assert len(rtrack.get_metric_history(run.info.run_id, "queued")) == n_points
    return {
        "log_metric_flushed_points_per_s": n_points / queued_s,
        "log_metric_series_points_per_s": n_points / series_s,
    }


def over_http(side, n_calls, n_batches, n_rtrack_points=0):
    folder = os.getcwd()
    process, url = _start_server(side.name, folder)
    try:
        figures = _mlflow_client_figures(url, n_calls, n_batches)
        if side.name == "rtrack" and n_rtrack_points:
            figures.update(_rtrack_client_figures(url, n_rtrack_points))
    finally:
        process.terminate()
        process.wait(timeout=60)
        shutil.rmtree(os.path.join(folder, "server-artifacts"), ignore_errors=True)
    return figures
