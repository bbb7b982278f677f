"""Shared fixtures: every test gets a fresh store in its own temporary folder.

The fluent context (tracking URI, active experiment, run stack) is process-global, so the
fixture resets all three around each test.
"""

import pytest

import rtrack


def _end_active_runs():
    while rtrack.active_run() is not None:
        rtrack.end_run()


@pytest.fixture
def store(tmp_path):
    """A fresh store folder, set as the tracking URI, with the Default experiment active."""
    _end_active_runs()
    path = tmp_path / "store"
    rtrack.set_tracking_uri(str(path))
    rtrack.set_experiment(experiment_id="0")
    yield path
    _end_active_runs()
    rtrack.set_tracking_uri(None)


@pytest.fixture
def client(store):
    return rtrack.Client()
