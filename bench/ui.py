"""The web UI's two scale goals, measured: an experiment of 100,000 runs opens in under a
second, and a 10-million-point history draws quickly. Side by side with MLflow's server
answering the same requests its own UI makes (runs/search for the first page, get-history
for a chart) on a 1,000-run store, since MLflow takes about 0.1 s to log each run.

    .venv/bin/python bench/ui.py            # about 5 minutes on 2 cores
    .venv/bin/python bench/ui.py --quick    # a smoke run with small stores

Prints a table; times are medians of several tries, in milliseconds.
"""

import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

QUICK = "--quick" in sys.argv
RUNS_RTRACK = 2_000 if QUICK else 100_000
RUNS_SIDE_BY_SIDE = 300 if QUICK else 1_000
POINTS_LONG = 200_000 if QUICK else 10_000_000
POINTS_SIDE_BY_SIDE = 20_000 if QUICK else 100_000
BIN = os.path.dirname(sys.executable)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(command, url):
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{command[0]} did not answer within 120 s")


def stop(process):
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def timed_get(url, tries=7):
    """Median wall time of a GET in ms, and the parsed answer."""
    times, body = [], None
    for _ in range(tries):
        started = time.perf_counter()
        with urllib.request.urlopen(url, timeout=120) as response:
            body = response.read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), json.loads(body)


def timed_post(url, payload, tries=7):
    times = []
    data = json.dumps(payload).encode()
    for _ in range(tries):
        request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def fill_rtrack(store, runs, long_points, history_points):
    """Runs with a param and a metric each, plus runs with long histories."""
    import numpy as np

    import rtrack

    rtrack.set_tracking_uri(store)
    many = rtrack.set_experiment("many-runs").experiment_id
    for i in range(runs):
        with rtrack.start_run(run_name=f"trial-{i}"):
            rtrack.log_param("alpha", i % 97)
            rtrack.log_metric("rmse", (i * 7919 % 10007) / 10007)
    rtrack.set_experiment("histories")
    with rtrack.start_run(run_name="long") as long_run:
        rtrack.log_metric_series("signal", np.sin(np.arange(long_points) / 10_000.0))
    with rtrack.start_run(run_name="medium") as medium_run:
        rtrack.log_metric_series("signal", np.sin(np.arange(history_points) / 1_000.0))
    rtrack.flush()
    return many, long_run.info.run_id, medium_run.info.run_id


def fill_mlflow(db, runs, history_points):
    from mlflow.entities import Metric, Param
    from mlflow.tracking import MlflowClient

    client = MlflowClient(f"sqlite:///{db}")
    experiment = client.create_experiment("many-runs")
    for i in range(runs):
        run = client.create_run(experiment, run_name=f"trial-{i}")
        client.log_batch(
            run.info.run_id,
            metrics=[Metric("rmse", (i * 7919 % 10007) / 10007, 0, 0)],
            params=[Param("alpha", str(i % 97))],
        )
        client.set_terminated(run.info.run_id)
    history = client.create_run(experiment, run_name="medium")
    now = int(time.time() * 1000)
    for start in range(0, history_points, 1000):
        batch = [
            Metric("signal", float(i % 1000) / 1000, now, i) for i in range(start, min(start + 1000, history_points))
        ]
        client.log_batch(history.info.run_id, metrics=batch)
    return experiment, history.info.run_id


def browser_open_ms(url, ready_js, tries=3):
    """Time from navigation to the page showing what `ready_js` looks for, in chromium."""
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"]:
        options.add_argument(argument)
    driver = webdriver.Chrome(service=webdriver.ChromeService(shutil.which("chromedriver")), options=options)
    try:
        driver.get(url.split("#")[0])  # warm the cache with the page and plotly.js, as a returning user has it
        time.sleep(1)
        times = []
        for _ in range(tries):
            driver.get("about:blank")
            started = time.perf_counter()
            driver.get(url)
            while not driver.execute_script(ready_js):
                time.sleep(0.01)
            times.append((time.perf_counter() - started) * 1000)
        return statistics.median(times)
    finally:
        driver.quit()


def main():
    folder = tempfile.mkdtemp(prefix="rtrack-ui-bench-")
    rows = []
    try:
        store = os.path.join(folder, "rtrack-store")
        started = time.perf_counter()
        many, long_run, medium_run = fill_rtrack(store, RUNS_RTRACK, POINTS_LONG, POINTS_SIDE_BY_SIDE)
        print(
            f"filled rtrack: {RUNS_RTRACK:,} runs and a {POINTS_LONG:,}-point history"
            f" in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        small_store = os.path.join(folder, "rtrack-small")
        fill_rtrack(small_store, RUNS_SIDE_BY_SIDE, 10, POINTS_SIDE_BY_SIDE)
        started = time.perf_counter()
        db = os.path.join(folder, "mlflow.db")
        ml_experiment, ml_history = fill_mlflow(db, RUNS_SIDE_BY_SIDE, POINTS_SIDE_BY_SIDE)
        print(f"filled mlflow: {RUNS_SIDE_BY_SIDE:,} runs in {time.perf_counter() - started:.0f} s", flush=True)

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = start([os.path.join(BIN, "rtrack"), "ui", "--backend-store-uri", store, "--port", str(port)], url)
        try:

            def page(**q):
                return f"{url}/ui-api/runs?{urllib.parse.urlencode({'experiment_id': many, **q})}"

            rows.append((f"runs table, first page of {RUNS_RTRACK:,} runs (HTTP)", timed_get(page())[0], None))
            rows.append(("  sorted by a metric", timed_get(page(order_by="metrics.rmse DESC"))[0], None))
            rows.append(("  filtered (metrics.rmse < 0.01)", timed_get(page(filter="metrics.rmse < 0.01"))[0], None))
            ms, chart = timed_get(f"{url}/ui-api/metric-history?run_id={long_run}&key=signal&max_points=2800")
            rows.append((f"chart of {POINTS_LONG:,} points -> {len(chart['values'])} (HTTP)", ms, None))
            ready_table = "return document.querySelectorAll('#runs a.run-link').length >= 100"
            rows.append(
                (
                    f"browser: open the {RUNS_RTRACK:,}-run experiment",
                    browser_open_ms(f"{url}/#/experiments/{many}", ready_table),
                    None,
                )
            )
            ready_chart = "return !!document.querySelector('#charts .js-plotly-plot .scatterlayer .trace')"
            rows.append(
                (
                    f"browser: run page with the {POINTS_LONG:,}-point chart",
                    browser_open_ms(f"{url}/#/runs/{long_run}", ready_chart),
                    None,
                )
            )
        finally:
            stop(server)

        # Side by side on equal stores: the requests each UI makes. One server at a time: a
        # freshly started MLflow server keeps a core busy for a while, which would slow
        # whatever is measured beside it.
        import rtrack

        rtrack.set_tracking_uri(small_store)
        small_many = rtrack.get_experiment_by_name("many-runs").experiment_id
        small_medium = rtrack.search_runs(
            experiment_names=["histories"], filter_string="attributes.run_name = 'medium'", output_format="list"
        )[0].info.run_id
        small_port = free_port()
        small_url = f"http://127.0.0.1:{small_port}"
        small = start(
            [os.path.join(BIN, "rtrack"), "ui", "--backend-store-uri", small_store, "--port", str(small_port)],
            small_url,
        )
        try:
            ours_page = timed_get(f"{small_url}/ui-api/runs?experiment_id={small_many}&max_results=100")[0]
            ours_chart = timed_get(
                f"{small_url}/ui-api/metric-history?run_id={small_medium}&key=signal&max_points=2800"
            )[0]
        finally:
            stop(small)
        ml_port = free_port()
        ml_url = f"http://127.0.0.1:{ml_port}"
        mlflow = start(
            [
                os.path.join(BIN, "mlflow"),
                "server",
                "--backend-store-uri",
                f"sqlite:///{db}",
                "--host",
                "127.0.0.1",
                "--port",
                str(ml_port),
                "--workers",
                "1",
            ],
            ml_url,
        )
        try:
            time.sleep(5)  # let it settle, so its own start-up does not slow its answers either
            theirs_page = timed_post(
                f"{ml_url}/ajax-api/2.0/mlflow/runs/search",
                {"experiment_ids": [ml_experiment], "max_results": 100, "order_by": ["attributes.start_time DESC"]},
            )
            theirs_chart = timed_get(
                f"{ml_url}/ajax-api/2.0/mlflow/metrics/get-history?run_id={ml_history}&metric_key=signal&max_results=25000",
                tries=3,
            )[0]
        finally:
            stop(mlflow)
        rows.append(
            (
                f"first page of {RUNS_SIDE_BY_SIDE:,} runs: rtrack ui-api/runs vs MLflow runs/search",
                ours_page,
                theirs_page,
            )
        )
        rows.append(
            (
                f"chart of {POINTS_SIDE_BY_SIDE:,} points: rtrack (thinned) vs MLflow get-history (first 25,000)",
                ours_chart,
                theirs_chart,
            )
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print()
    print(f"{'measure':<92} {'rtrack ms':>10} {'MLflow ms':>10} {'ratio':>7}")
    for name, ours, theirs in rows:
        ratio = f"{theirs / ours:.1f}x" if theirs else ""
        print(f"{name:<92} {ours:>10.1f} {'-' if theirs is None else f'{theirs:.1f}':>10} {ratio:>7}")


if __name__ == "__main__":
    main()
