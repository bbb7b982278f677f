"""rtrack's HTTP client honours MLflow's timeout and retry settings: a server that takes the
connection and never answers fails the call in time, and a malformed setting is named."""

import socket
import threading
import time

import pytest

from helpers import clean_env, run_python


@pytest.fixture
def silent_server():
    """A socket on 127.0.0.1 that accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    held = []

    def accept():
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


def test_a_silent_server_times_out_as_configured(silent_server):
    script = """
        import rtrack
        try:
            rtrack.start_run()
        except rtrack.RtrackError as error:
            print("FAILED", error)
    """
    env = clean_env(
        MLFLOW_TRACKING_URI=silent_server, MLFLOW_HTTP_REQUEST_TIMEOUT="1", RTRACK_HTTP_REQUEST_MAX_RETRIES="1"
    )
    started = time.monotonic()
    out = run_python(script, env=env, timeout=60).stdout
    assert out.startswith("FAILED") and silent_server in out, out
    assert time.monotonic() - started < 30


def test_a_malformed_setting_is_named():
    script = """
        import rtrack
        try:
            rtrack.start_run()
        except rtrack.InvalidValueError as error:
            print("REFUSED", error)
    """
    env = clean_env(RTRACK_TRACKING_URI="http://127.0.0.1:9", RTRACK_HTTP_REQUEST_TIMEOUT="soon")
    out = run_python(script, env=env).stdout
    assert "REFUSED" in out and "RTRACK_HTTP_REQUEST_TIMEOUT" in out and "soon" in out, out
