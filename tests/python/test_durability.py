"""Crashes, interpreter exit and several processes at once, with real child processes."""

import os
import sqlite3
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

import rtrack
from helpers import clean_env, run_python


def test_points_survive_os_exit(tmp_path):
    store = tmp_path / "store"
    script = f"""
        import os, time
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        run = rtrack.start_run()
        print(run.info.run_id, flush=True)
        for i in range(5000):
            rtrack.log_metric("loss", i * 0.001, step=i)
        time.sleep(1)
        os._exit(0)
    """
    run_id = run_python(script).stdout.strip()
    client = rtrack.Client(str(store))
    history = client.get_metric_history(run_id, "loss")
    assert len(history) == 5000
    assert [m.step for m in history] == list(range(5000))
    assert [m.value for m in history] == [i * 0.001 for i in range(5000)]
    # The process never ended the run.
    assert client.get_run(run_id).info.status == "RUNNING"


def test_interpreter_exit_finishes_the_run_and_writes_queued_metrics(tmp_path):
    store = tmp_path / "store"
    script = f"""
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        run = rtrack.start_run()
        print(run.info.run_id, flush=True)
        rtrack.log_param("p", 1)
        for i in range(20000):
            rtrack.log_metric("m", float(i), step=i)
        # No end_run, no flush: the interpreter just ends.
    """
    run_id = run_python(script).stdout.strip()
    run = rtrack.Client(str(store)).get_run(run_id)
    assert run.info.status == "FINISHED"
    assert run.info.end_time is not None
    assert run.data.params == {"p": "1"}
    assert run.data.metrics == {"m": 19999.0}
    assert len(rtrack.Client(str(store)).get_metric_history(run_id, "m")) == 20000


def test_interpreter_exit_ends_nested_runs(tmp_path):
    store = tmp_path / "store"
    script = f"""
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        parent = rtrack.start_run()
        child = rtrack.start_run(nested=True)
        rtrack.log_metric("m", 1.0)
        print(parent.info.run_id, child.info.run_id, flush=True)
    """
    parent_id, child_id = run_python(script).stdout.split()
    client = rtrack.Client(str(store))
    assert client.get_run(parent_id).info.status == "FINISHED"
    assert client.get_run(child_id).info.status == "FINISHED"
    assert client.get_run(child_id).data.metrics == {"m": 1.0}


def test_uncaught_exception_still_writes_metrics(tmp_path):
    store = tmp_path / "store"
    script = f"""
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        run = rtrack.start_run()
        print(run.info.run_id, flush=True)
        for i in range(1000):
            rtrack.log_metric("m", float(i), step=i)
        raise SystemExit(3)
    """
    done = run_python(script, check=False)
    assert done.returncode == 3
    run_id = done.stdout.strip()
    assert len(rtrack.Client(str(store)).get_metric_history(run_id, "m")) == 1000


def test_a_script_stopped_by_an_uncaught_error_leaves_its_runs_failed(tmp_path):
    store = tmp_path / "store"
    script = f"""
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        parent = rtrack.start_run()
        child = rtrack.start_run(nested=True)
        rtrack.log_metric("m", 1.0)
        print(parent.info.run_id, child.info.run_id, flush=True)
        raise ValueError("diverged")
    """
    done = run_python(script, check=False)
    assert done.returncode == 1 and "diverged" in done.stderr
    client = rtrack.Client(str(store))
    for run_id in done.stdout.split():
        run = client.get_run(run_id)
        assert run.info.status == "FAILED" and run.info.end_time is not None
    assert client.get_run(done.stdout.split()[1]).data.metrics == {"m": 1.0}


WRITER = """
import os, sys, time
import numpy as np
import pytest
import rtrack

store, worker, start_at = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
rtrack.set_tracking_uri(store)
while time.time() < start_at:
    time.sleep(0.001)
rtrack.set_experiment("shared")
with rtrack.start_run(run_name=f"worker-{worker}") as run:
    print(run.info.run_id, flush=True)
    for i in range(2000):
        rtrack.log_metric("m", worker * 10_000 + i, step=i)
        if i % 100 == 0:
            rtrack.log_param(f"p{i}", i)
            rtrack.set_tag(f"t{i}", worker)
            rtrack.log_metric_series("series", np.arange(i, i + 100, dtype=np.float64),
                                     steps=np.arange(i, i + 100))
"""


def _start_together(script, args_for, count, tmp_path):
    """Start ``count`` children that each wait for the same start time; return their results."""
    start_at = time.time() + 2.0
    children = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script), *args_for(i), str(start_at)],
            env=clean_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=tmp_path,
        )
        for i in range(count)
    ]
    results = []
    for child in children:
        out, err = child.communicate(timeout=300)
        results.append((child.returncode, out, err))
    return results


def test_four_processes_logging_to_one_store(tmp_path):
    store = tmp_path / "store"
    results = _start_together(WRITER, lambda i: [str(store), str(i)], 4, tmp_path)
    for code, _out, err in results:
        assert code == 0, err
        assert "database is locked" not in err.lower()
        assert "busy" not in err.lower()
    client = rtrack.Client(str(store))
    run_ids = [out.strip() for _, out, _ in results]
    assert len(set(run_ids)) == 4
    for worker, run_id in enumerate(run_ids):
        run = client.get_run(run_id)
        assert run.info.status == "FINISHED"
        assert run.info.run_name == f"worker-{worker}"
        assert run.data.params == {f"p{i}": str(i) for i in range(0, 2000, 100)}
        assert {k: v for k, v in run.data.tags.items() if k.startswith("t")} == {
            f"t{i}": str(worker) for i in range(0, 2000, 100)
        }
        steps, values, _ = client.get_metric_series(run_id, "m")
        np.testing.assert_array_equal(steps, np.arange(2000))
        np.testing.assert_array_equal(values, worker * 10_000 + np.arange(2000))
        steps, values, _ = client.get_metric_series(run_id, "series")
        assert len(values) == 20 * 100
        expected = np.sort(np.concatenate([np.arange(i, i + 100) for i in range(0, 2000, 100)]))
        np.testing.assert_array_equal(steps, expected)
    experiment = client.get_experiment_by_name("shared")
    assert len(client.search_runs([experiment.experiment_id])) == 4


OPENER = """
import sys, time
import rtrack

store, start_at = sys.argv[1], float(sys.argv[2])
while time.time() < start_at:
    pass
client = rtrack.Client(store)
run = client.create_run("0")
client.log_metric(run.info.run_id, "m", 1.0)
client.set_terminated(run.info.run_id)
print(run.info.run_id)
"""


def test_four_processes_creating_one_store_at_once(tmp_path):
    store = tmp_path / "new" / "store"
    assert not store.exists()
    results = _start_together(OPENER, lambda i: [str(store)], 4, tmp_path)
    for code, _out, err in results:
        assert code == 0, err
        assert "database is locked" not in err.lower()
    with sqlite3.connect(store / "rtrack.db") as db:
        assert db.execute("SELECT count(*) FROM experiments WHERE name = 'Default'").fetchone()[0] == 1
        assert db.execute("SELECT count(*) FROM experiments").fetchone()[0] == 1
        assert db.execute("PRAGMA user_version").fetchone()[0] >= 1
        assert db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    client = rtrack.Client(str(store))
    assert [e.name for e in client.search_experiments(view_type=rtrack.ViewType.ALL)] == ["Default"]
    runs = client.search_runs(["0"])
    assert sorted(r.info.run_id for r in runs) == sorted(out.strip() for _, out, _ in results)
    assert all(r.data.metrics == {"m": 1.0} for r in runs)


SETTER = """
import sys, time
import rtrack

store, worker, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
rtrack.set_tracking_uri(store)
while time.time() < start_at:
    pass
print(rtrack.set_experiment("same-name").experiment_id)
"""


def test_four_processes_setting_the_same_new_experiment(tmp_path):
    store = tmp_path / "store"
    rtrack.Client(str(store))  # the store exists; the experiment does not
    results = _start_together(SETTER, lambda i: [str(store), str(i)], 4, tmp_path)
    for code, _, err in results:
        assert code == 0, err
    ids = {out.strip() for _, out, _ in results}
    assert len(ids) == 1
    names = [e.name for e in rtrack.Client(str(store)).search_experiments()]
    assert names.count("same-name") == 1


def test_a_reader_in_another_process_sees_flushed_points(tmp_path):
    store = tmp_path / "store"
    client = rtrack.Client(str(store))
    run_id = client.create_run("0").info.run_id
    for i in range(300):
        client.log_metric(run_id, "m", float(i), step=i)
    client.flush()
    out = run_python(
        f"""
        import rtrack
        print(len(rtrack.Client({str(store)!r}).get_metric_history({run_id!r}, "m")))
        """
    ).stdout.strip()
    assert out == "300"


FORKER = """
import multiprocessing as mp, sys
import rtrack

store = sys.argv[1]
client = rtrack.Client(store)
run_id = client.create_run("0").info.run_id

def child(i):
    own = rtrack.Client(store)
    for step in range(500):
        own.log_metric(run_id, f"child{i}", float(step), step=step)
    client.log_metric(run_id, "inherited", float(i), step=i)  # a Client made before the fork
    own.flush()
    return i

if __name__ == "__main__":
    # Points still queued when the children fork belong to the parent alone.
    for step in range(100):
        client.log_metric(run_id, "parent", float(step), step=step)
    with mp.get_context("fork").Pool(2) as pool:
        assert pool.map(child, [1, 2]) == [1, 2]
    client.flush()
    print(run_id)
"""


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_forked_children_log_without_hanging_or_duplicating(tmp_path):
    store = tmp_path / "store"
    run_id = run_python(FORKER, args=[str(store)], timeout=60).stdout.strip()
    client = rtrack.Client(str(store))
    assert len(client.get_metric_history(run_id, "parent")) == 100
    for i in (1, 2):
        assert [m.step for m in client.get_metric_history(run_id, f"child{i}")] == list(range(500))
    assert [m.value for m in client.get_metric_history(run_id, "inherited")] == [1.0, 2.0]


DISK_FULL = """
import errno, os, sys
import rtrack

store, filler = sys.argv[1], sys.argv[2]
rtrack.set_tracking_uri(store)
run = rtrack.start_run()
print(run.info.run_id, flush=True)
rtrack.log_metric("m", 0.0, step=0)
rtrack.flush()
fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
try:
    while True:
        os.write(fd, b"x" * 4096)
except OSError as e:
    assert e.errno == errno.ENOSPC, e
os.close(fd)
for i in range(1, 10_001):
    rtrack.log_metric("m", float(i), step=i)
for verb in (rtrack.flush, rtrack.end_run, rtrack.end_run):
    try:
        verb()
        print("stored?!", flush=True)
    except rtrack.RtrackError as e:
        print("refused:", str(e).replace("\\n", " "), flush=True)
os.remove(filler)
# The run that could not end is still the active one: ending it now stores everything.
assert rtrack.active_run().info.run_id == run.info.run_id
rtrack.end_run()
print("stored", flush=True)
"""


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MB tmpfs on a fresh folder, to run out of space for real (needs root)."""
    if os.geteuid() != 0:
        pytest.skip(f"mounting a tmpfs needs root (uid {os.geteuid()})")
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)]
    done = subprocess.run(mount, capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_points_logged_on_a_full_disk_are_stored_once_space_is_freed(small_disk):
    store = small_disk / "store"
    done = run_python(DISK_FULL, args=[str(store), str(small_disk / "filler")])
    run_id, *said = done.stdout.splitlines()
    assert len(said) == 4, done.stdout + done.stderr
    # The flush and both end_runs say that the points are not stored, and nothing was dropped.
    for line in said[:3]:
        assert line.startswith("refused:") and "database or disk is full" in line, line
        assert "10000 queued metric points" in line, line
    assert said[3] == "stored"
    client = rtrack.Client(str(store))
    history = client.get_metric_history(run_id, "m")
    assert [m.step for m in history] == list(range(10_001))
    assert client.get_run(run_id).info.status == "FINISHED"


def test_no_write_ahead_log_is_left_after_the_process_exits(tmp_path):
    store = tmp_path / "store"
    script = f"""
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        with rtrack.start_run():
            for i in range(1_000_000):
                rtrack.log_metric("loss", 1.0 / (i + 1), step=i)
    """
    run_python(script)
    wal = store / "rtrack.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    # Bytes per point as `du -sb <store>` sees the folder once the process has exited.
    on_disk = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    print(f"{on_disk / 1_000_000:.2f} bytes per point ({on_disk} bytes)")
    assert on_disk / 1_000_000 < 12
