"""The ``%rtrack`` magics in a real IPython shell: ``%load_ext rtrack``, ``%rtrack summary``,
``%%rtrack run``, ``%rtrack ui`` and ``rtrack.live`` as a plain call in a cell."""

import json
import re
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

import rtrack
from helpers import artifact_dir, run_python

pytest.importorskip("IPython")


@pytest.fixture
def shell(store):
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "rtrack")
    shell.user_ns["rtrack"] = rtrack
    yield shell
    shell.run_line_magic("rtrack", "ui --stop")


def run_cell(shell, source):
    """Run a cell; returns (result, captured outputs)."""
    from IPython.utils.capture import capture_output

    with capture_output() as captured:
        result = shell.run_cell(source, store_history=False)
    return result, captured


def html_of(captured):
    return "".join(output.data.get("text/html", "") for output in captured.outputs)


def the_run(name):
    runs = rtrack.search_runs(
        search_all_experiments=True, filter_string=f"attributes.run_name = '{name}'", output_format="list"
    )
    assert len(runs) == 1, runs
    return runs[0]


def test_importing_rtrack_loads_no_ipython(tmp_path):
    out = run_python(
        "import sys, rtrack; print('IPython' in sys.modules, 'rtrack._magics' in sys.modules)", cwd=tmp_path
    )
    assert out.stdout.split() == ["False", "False"]


def test_load_ext_registers_the_line_and_cell_magic(shell):
    magics = shell.magics_manager.magics
    assert "rtrack" in magics["line"] and "rtrack" in magics["cell"]


def test_summary_magic_shows_the_dashboard(shell):
    rtrack.set_experiment("wine-quality")
    for name, rmse in [("enet-a", 0.8), ("enet-b", 0.6)]:
        with rtrack.start_run(run_name=name):
            rtrack.log_metric("rmse", rmse)
    rtrack.set_experiment("other")
    with rtrack.start_run(run_name="elsewhere"):
        rtrack.log_metric("accuracy", 0.5)

    result, captured = run_cell(shell, "%rtrack summary")
    assert result.success
    html = html_of(captured)
    for name in ["wine-quality", "other", "enet-a", "enet-b", "elsewhere", "rmse", "accuracy"]:
        assert name in html, name
    assert 'title="best rmse"' in html

    result, captured = run_cell(shell, "%rtrack summary --experiment wine-quality")
    html = html_of(captured)
    assert "enet-b" in html and "elsewhere" not in html

    result, _ = run_cell(shell, "%rtrack summary --experiment nope")
    assert isinstance(result.error_in_exec, rtrack.NotFoundError)


def test_run_cell_magic_runs_the_body_inside_a_run(shell):
    body = 'x = 41\nrtrack.log_param("p", 1)\n%time y = x + 1\ny'
    result, captured = run_cell(shell, f"%%rtrack run --name baseline --experiment tour\n{body}\n")
    assert result.success, result.error_in_exec
    assert result.result == 42, "the last expression is the cell's value"
    assert shell.user_ns["x"] == 41, "the body ran in the user's namespace"
    run = the_run("baseline")
    assert run.info.status == "FINISHED"
    assert rtrack.get_experiment(run.info.experiment_id).name == "tour"
    assert run.data.params == {"p": "1"}
    assert 0 <= run.data.metrics["cell_wall_time_s"] < 60
    assert (artifact_dir(run.info.run_id) / "cell.py").read_text() == body + "\n"
    assert rtrack.active_run() is None


def test_run_cell_magic_marks_a_failing_run_failed_and_reraises(shell):
    result, _ = run_cell(
        shell, '%%rtrack run --name broken\nrtrack.log_metric("loss", 1.0)\nraise ValueError("boom")\n'
    )
    assert isinstance(result.error_in_exec, ValueError) and str(result.error_in_exec) == "boom"
    run = the_run("broken")
    assert run.info.status == "FAILED"
    assert "cell_wall_time_s" in run.data.metrics and run.data.metrics["loss"] == 1.0
    assert "raise ValueError" in (artifact_dir(run.info.run_id) / "cell.py").read_text()
    assert rtrack.active_run() is None


def test_run_cell_magic_nests_under_an_active_run(shell):
    with rtrack.start_run(run_name="sweep") as parent:
        result, _ = run_cell(shell, "%%rtrack run --name inner\npass\n")
        assert result.success
        assert rtrack.active_run().info.run_id == parent.info.run_id, "the outer run stays active"
    inner = the_run("inner")
    assert inner.data.tags["mlflow.parentRunId"] == parent.info.run_id


@pytest.mark.parametrize(
    "source, message",
    [
        ("%rtrack", "%rtrack summary"),
        ("%rtrack launch", "Unknown %rtrack command 'launch'"),
        ("%rtrack run --name x", "is a cell magic"),
        ("%%rtrack summary\npass", "is a line magic"),
        ("%rtrack summary --bogus", "unrecognized arguments: --bogus"),
        ("%rtrack ui --port many", "invalid int value"),
    ],
)
def test_mistakes_are_usage_errors(shell, source, message):
    from IPython.core.error import UsageError

    result, _ = run_cell(shell, source)
    assert isinstance(result.error_in_exec, UsageError), result.error_in_exec
    assert message in str(result.error_in_exec)


def _get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def _headers(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.headers


def test_ui_serves_the_current_store_from_the_kernel_and_stops(shell, store):
    rtrack.set_experiment("served")
    result, captured = run_cell(shell, "%rtrack ui --port 0")
    assert result.success, result.error_in_exec
    url = re.search(r"at (http://127\.0\.0\.1:\d+)", captured.stdout).group(1)
    assert f'src="{url}"' in html_of(captured), "shown inline under the cell"
    assert _get(f"{url}/health") == (200, "OK")
    status, page = _get(f"{url}/")
    assert status == 200 and '<main id="app">' in page and "static/app.js" in page, (
        "the web UI is what the iframe shows"
    )
    query = urllib.parse.urlencode({"experiment_name": "served"})
    status, body = _get(f"{url}/api/2.0/mlflow/experiments/get-by-name?{query}")
    assert status == 200 and json.loads(body)["experiment"]["name"] == "served"
    # Framed by the notebook: its local origins are named, no other site may frame the UI.
    headers = _headers(f"{url}/")
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'self' http://localhost:* http://127.0.0.1:*" in policy, policy
    assert "googleusercontent" not in policy, "Colab's origins only inside Colab"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"

    # A second call reuses the running server.
    result, captured = run_cell(shell, "%rtrack ui")
    assert f"already running at {url}" in captured.stdout
    assert _get(f"{url}/health") == (200, "OK")

    result, captured = run_cell(shell, "%rtrack ui --stop")
    assert f"{url} stopped" in captured.stdout
    with pytest.raises(urllib.error.URLError):
        _get(f"{url}/health")
    _, captured = run_cell(shell, "%rtrack ui --stop")
    assert "not running" in captured.stdout


class _FakeColabOutput:
    """What ``%rtrack ui`` uses of ``google.colab.output``."""

    def __init__(self):
        self.served = []

    def eval_js(self, script):
        port = re.search(r"proxyPort\((\d+)\)", script).group(1)
        return f"https://{port}-abc-colab.googleusercontent.com/"

    def serve_kernel_port_as_iframe(self, port, height):
        self.served.append(port)


def test_in_colab_the_ui_may_be_framed_by_colab_and_reached_through_its_proxy(shell, monkeypatch):
    from rtrack import _magics

    colab = _FakeColabOutput()
    monkeypatch.setattr(_magics, "_colab_output", lambda: colab)
    run_cell(shell, "%rtrack ui --stop")
    result, captured = run_cell(shell, "%rtrack ui")
    assert result.success, result.error_in_exec
    port = colab.served[0]
    url = f"http://127.0.0.1:{port}"
    policy = _headers(f"{url}/")["Content-Security-Policy"]
    assert "https://colab.research.google.com" in policy and "https://*.googleusercontent.com" in policy, policy
    # The proxy may pass its own name as the Host; other names are still refused.
    proxied = urllib.request.Request(f"{url}/health", headers={"Host": f"{port}-abc-colab.googleusercontent.com"})
    page = urllib.request.Request(f"{url}/", headers={"Host": f"{port}-abc-colab.googleusercontent.com"})
    assert urllib.request.urlopen(proxied, timeout=10).status == 200
    assert urllib.request.urlopen(page, timeout=10).status == 200
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(urllib.request.Request(f"{url}/", headers={"Host": "evil.example"}), timeout=10)
    assert refused.value.code == 403
    run_cell(shell, "%rtrack ui --stop")


# Asks for /health shortly after saying it is ready, and prints when the answer came.
_PROBE = textwrap.dedent(
    """
    import sys, time, urllib.request
    print("ready", flush=True)
    time.sleep(0.3)
    with urllib.request.urlopen(sys.argv[1] + "/health", timeout=30) as response:
        assert response.read() == b"OK"
    print(time.time(), flush=True)
    """
)


def test_ui_answers_while_the_kernel_holds_the_gil(shell):
    _, captured = run_cell(shell, "%rtrack ui")
    url = re.search(r"at (http://127\.0\.0\.1:\d+)", captured.stdout).group(1)
    probe = subprocess.Popen([sys.executable, "-c", _PROBE, url], stdout=subprocess.PIPE, text=True)
    try:
        assert probe.stdout.readline().strip() == "ready"
        # Backtracking in the regex engine: over a second in C without releasing the GIL.
        re.match(r"(a+)+$", "a" * 25 + "b")
        busy_until = time.time()
        answered_at = float(probe.stdout.readline())
    finally:
        probe.wait(timeout=60)
    assert answered_at < busy_until, "the server answered while Python was busy"


def test_a_live_chart_made_by_a_plain_call_stops_after_its_cell(shell):
    source = """
with rtrack.start_run(run_name="looped"):
    chart = rtrack.live("loss", interval=0.05)
    for step in range(20):
        rtrack.log_metric("loss", 1 / (step + 1), step=step)
"""
    result, captured = run_cell(shell, source)
    assert result.success, result.error_in_exec
    chart = shell.user_ns["chart"]
    assert not chart.active, "stopped when the cell finished"
    assert chart.points("loss") == 20
    final = [output for output in captured.outputs if "text/html" in output.data][-1]
    assert "loss 0.05 (20 points)" in final.data["text/html"]
    # Later cells do not redraw it.
    assert shell.events.callbacks["post_run_cell"].count(chart._after_cell) == 0
