"""Runs: starting and ending (context manager and plain calls), status, nesting, resuming,
names, and the system tags."""

import getpass
import re
import shutil
import subprocess
import sys

import pytest

import rtrack
from helpers import clean_env, run_python


def test_context_manager_finishes_the_run(store):
    with rtrack.start_run(run_name="ctx") as run:
        assert isinstance(run, rtrack.ActiveRun)
        assert rtrack.active_run().info.run_id == run.info.run_id
        assert run.info.status == "RUNNING"
        assert run.info.end_time is None
    assert rtrack.active_run() is None
    stored = rtrack.get_run(run.info.run_id)
    assert stored.info.status == "FINISHED"
    assert stored.info.run_name == "ctx"
    assert stored.info.end_time >= stored.info.start_time > 0
    assert stored.info.lifecycle_stage == "active"
    assert stored.info.run_uuid == stored.info.run_id


def test_exception_marks_the_run_failed_and_propagates(store):
    class Boom(Exception):
        pass

    with pytest.raises(Boom, match="bad"):
        with rtrack.start_run() as run:
            rtrack.log_metric("before", 1.0)
            raise Boom("bad")
    assert rtrack.active_run() is None
    stored = rtrack.get_run(run.info.run_id)
    assert stored.info.status == "FAILED"
    assert stored.info.end_time is not None
    assert stored.data.metrics == {"before": 1.0}


def test_plain_calls(store):
    run = rtrack.start_run()
    run_id = run.info.run_id
    assert rtrack.active_run().info.run_id == run_id
    rtrack.end_run()
    assert rtrack.active_run() is None
    assert rtrack.get_run(run_id).info.status == "FINISHED"
    # Ending with no active run is harmless.
    rtrack.end_run()


@pytest.mark.parametrize("status", ["FAILED", "KILLED", "FINISHED"])
def test_end_run_with_status(store, status):
    run_id = rtrack.start_run().info.run_id
    rtrack.end_run(status=status)
    assert rtrack.get_run(run_id).info.status == status


def test_end_run_with_bad_status(store):
    run_id = rtrack.start_run().info.run_id
    with pytest.raises(rtrack.InvalidValueError, match="DONE"):
        rtrack.end_run(status="DONE")
    assert rtrack.active_run().info.run_id == run_id


def test_active_and_last_active_run(store):
    assert rtrack.active_run() is None
    with rtrack.start_run() as first:
        assert rtrack.last_active_run().info.run_id == first.info.run_id
    last = rtrack.last_active_run()
    assert isinstance(last, rtrack.Run)
    assert last.info.run_id == first.info.run_id
    assert last.info.status == "FINISHED"
    with rtrack.start_run() as second:
        pass
    assert rtrack.last_active_run().info.run_id == second.info.run_id


def test_logging_without_a_run_starts_one(store):
    assert rtrack.active_run() is None
    rtrack.log_metric("auto", 1.0)
    active = rtrack.active_run()
    assert active is not None
    assert active.data.metrics == {"auto": 1.0}
    rtrack.end_run()


def test_nested_runs_carry_the_parent(store):
    with rtrack.start_run(run_name="parent") as parent:
        with rtrack.start_run(run_name="child", nested=True) as child:
            assert rtrack.active_run().info.run_id == child.info.run_id
            with rtrack.start_run(nested=True) as grandchild:
                pass
        assert rtrack.active_run().info.run_id == parent.info.run_id
    assert rtrack.active_run() is None
    child_run = rtrack.get_run(child.info.run_id)
    assert child_run.data.tags["mlflow.parentRunId"] == parent.info.run_id
    assert rtrack.get_run(grandchild.info.run_id).data.tags["mlflow.parentRunId"] == child.info.run_id
    assert "mlflow.parentRunId" not in rtrack.get_run(parent.info.run_id).data.tags
    for run in (parent, child, grandchild):
        assert rtrack.get_run(run.info.run_id).info.status == "FINISHED"


def test_exception_in_nested_run_fails_both(store):
    with pytest.raises(ValueError):
        with rtrack.start_run() as parent:
            with rtrack.start_run(nested=True) as child:
                raise ValueError("x")
    assert rtrack.get_run(child.info.run_id).info.status == "FAILED"
    assert rtrack.get_run(parent.info.run_id).info.status == "FAILED"
    assert rtrack.active_run() is None


def test_second_run_without_nested_is_refused(store):
    with rtrack.start_run() as outer:
        with pytest.raises(rtrack.RtrackError, match=outer.info.run_id):
            rtrack.start_run()
        # The refused call changed nothing.
        assert rtrack.active_run().info.run_id == outer.info.run_id
    assert len(rtrack.search_runs(output_format="list")) == 1


def test_resume_a_finished_run(store):
    with rtrack.start_run() as run:
        rtrack.log_param("a", 1)
        rtrack.log_metric("loss", 1.0, step=0)
    run_id = run.info.run_id
    assert rtrack.get_run(run_id).info.status == "FINISHED"

    with rtrack.start_run(run_id=run_id) as resumed:
        assert resumed.info.run_id == run_id
        info = rtrack.get_run(run_id).info
        assert info.status == "RUNNING"
        assert info.end_time is None
        rtrack.log_param("b", 2)
        rtrack.log_metric("loss", 0.5, step=1)
    stored = rtrack.get_run(run_id)
    assert stored.info.status == "FINISHED"
    assert stored.data.params == {"a": "1", "b": "2"}
    assert [(m.step, m.value) for m in rtrack.get_metric_history(run_id, "loss")] == [(0, 1.0), (1, 0.5)]
    assert len(rtrack.search_runs(output_format="list")) == 1


def test_resume_unknown_run_is_not_found(store):
    with pytest.raises(rtrack.NotFoundError, match="no-such-run"):
        rtrack.start_run(run_id="no-such-run")
    assert rtrack.active_run() is None


def test_resume_in_the_wrong_experiment_is_refused(store):
    with rtrack.start_run() as run:
        pass
    other = rtrack.create_experiment("other")
    with pytest.raises(rtrack.InvalidValueError):
        rtrack.start_run(run_id=run.info.run_id, experiment_id=other)


def test_generated_run_names(store):
    names = set()
    for _ in range(5):
        with rtrack.start_run() as run:
            pass
        name = rtrack.get_run(run.info.run_id).info.run_name
        assert re.fullmatch(r"[a-z]+-[a-z]+-\d{1,3}", name), name
        assert rtrack.get_run(run.info.run_id).data.tags["mlflow.runName"] == name
        names.add(name)
    assert len(names) >= 2


def test_run_name_tags_and_description(store):
    with rtrack.start_run(run_name="named", tags={"team": "ml", "n": 7}, description="what this run tries") as run:
        pass
    stored = rtrack.get_run(run.info.run_id)
    assert stored.info.run_name == "named"
    assert stored.data.tags["mlflow.runName"] == "named"
    assert stored.data.tags["team"] == "ml"
    assert stored.data.tags["n"] == "7"
    assert stored.data.tags["mlflow.note.content"] == "what this run tries"


def test_run_name_tag_names_the_run(store):
    with rtrack.start_run(tags={"mlflow.runName": "from-tag"}) as run:
        pass
    assert rtrack.get_run(run.info.run_id).info.run_name == "from-tag"


def test_start_run_in_a_given_experiment(store):
    experiment_id = rtrack.create_experiment("chosen")
    with rtrack.start_run(experiment_id=experiment_id) as run:
        pass
    assert run.info.experiment_id == experiment_id
    with pytest.raises(rtrack.NotFoundError):
        rtrack.start_run(experiment_id="999")


def test_system_tags_in_the_test_process(store):
    with rtrack.start_run() as run:
        pass
    tags = rtrack.get_run(run.info.run_id).data.tags
    assert tags["mlflow.user"] == getpass.getuser()
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.source.name"]
    assert rtrack.get_run(run.info.run_id).info.user_id == getpass.getuser()


def _git(*args, cwd):
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


SCRIPT = """
import sys
import rtrack
rtrack.set_tracking_uri(sys.argv[1])
with rtrack.start_run() as run:
    pass
print(run.info.run_id)
"""


@pytest.mark.skipif(shutil.which("git") is None, reason="needs the git program")
def test_source_tags_and_git_commit_of_a_script_in_a_checkout(tmp_path):
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    script = repo / "src" / "train.py"
    script.write_text(SCRIPT)
    _git("init", "-q", cwd=repo)
    _git("add", ".", cwd=repo)
    _git("commit", "-q", "-m", "first", cwd=repo)
    head = _git("rev-parse", "HEAD", cwd=repo)
    store = tmp_path / "store"
    # Run from outside the checkout: the commit comes from where the script lives.
    done = subprocess.run(
        [sys.executable, str(script), str(store)],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    tags = rtrack.Client(str(store)).get_run(done.stdout.strip()).data.tags
    assert tags["mlflow.source.git.commit"] == head
    assert tags["mlflow.source.name"] == str(script)
    assert tags["mlflow.source.type"] == "LOCAL"
    assert tags["mlflow.user"] == getpass.getuser()

    # A second commit moves the tag.
    (repo / "README").write_text("x")
    _git("add", ".", cwd=repo)
    _git("commit", "-q", "-m", "second", cwd=repo)
    head2 = _git("rev-parse", "HEAD", cwd=repo)
    assert head2 != head
    done = subprocess.run(
        [sys.executable, str(script), str(store)],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert rtrack.Client(str(store)).get_run(done.stdout.strip()).data.tags["mlflow.source.git.commit"] == head2


def test_no_git_commit_outside_a_checkout(tmp_path):
    script = tmp_path / "plain.py"
    script.write_text(SCRIPT)
    store = tmp_path / "store"
    done = subprocess.run(
        [sys.executable, str(script), str(store)],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    tags = rtrack.Client(str(store)).get_run(done.stdout.strip()).data.tags
    assert "mlflow.source.git.commit" not in tags
    assert tags["mlflow.source.name"] == str(script)


def test_delete_and_restore_run(store):
    with rtrack.start_run() as run:
        pass
    run_id = run.info.run_id
    rtrack.delete_run(run_id)
    assert rtrack.get_run(run_id).info.lifecycle_stage == "deleted"
    assert rtrack.search_runs(output_format="list") == []
    with pytest.raises(rtrack.InvalidValueError, match="deleted"):
        rtrack.start_run(run_id=run_id)
    rtrack.restore_run(run_id)
    assert rtrack.get_run(run_id).info.lifecycle_stage == "active"
    assert [r.info.run_id for r in rtrack.search_runs(output_format="list")] == [run_id]


def test_env_experiment_name_chooses_the_experiment(tmp_path):
    out = run_python(
        """
        import rtrack
        with rtrack.start_run() as run:
            pass
        print(run.info.experiment_id)
        """,
        env=clean_env(RTRACK_TRACKING_URI=str(tmp_path / "s"), RTRACK_EXPERIMENT_NAME="from-env"),
    ).stdout.strip()
    assert rtrack.Client(str(tmp_path / "s")).get_experiment(out).name == "from-env"


def test_resume_from_another_process(tmp_path):
    store = tmp_path / "store"
    first = run_python(
        f"""
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        print(rtrack.last_active_run())
        with rtrack.start_run() as run:
            rtrack.log_metric("m", 1.0, step=0)
        print(run.info.run_id)
        """
    ).stdout.split()
    assert first[0] == "None"  # a fresh process has no last active run
    run_id = first[1]
    run_python(
        f"""
        import rtrack
        rtrack.set_tracking_uri({str(store)!r})
        with rtrack.start_run(run_id={run_id!r}) as run:
            assert rtrack.get_run({run_id!r}).info.status == "RUNNING"
            rtrack.log_metric("m", 2.0, step=1)
        """
    )
    client = rtrack.Client(str(store))
    assert client.get_run(run_id).info.status == "FINISHED"
    assert [m.value for m in client.get_metric_history(run_id, "m")] == [1.0, 2.0]
