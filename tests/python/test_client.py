"""rtrack.Client: every operation by run or experiment id, without the fluent context."""

import numpy as np
import pytest

import rtrack
from rtrack import Metric, Param, RunTag


def test_create_run_and_set_terminated(client):
    run = client.create_run("0", run_name="by-client", tags={"k": "v"})
    assert isinstance(run, rtrack.Run)
    assert run.info.status == "RUNNING"
    assert run.info.run_name == "by-client"
    assert run.data.tags["k"] == "v"
    assert run.data.tags["mlflow.runName"] == "by-client"
    # Creating a run by id does not touch the fluent context.
    assert rtrack.active_run() is None
    client.set_terminated(run.info.run_id, status="KILLED", end_time=1_700_000_000_000)
    info = client.get_run(run.info.run_id).info
    assert info.status == "KILLED"
    assert info.end_time == 1_700_000_000_000
    client.set_terminated(run.info.run_id)
    assert client.get_run(run.info.run_id).info.status == "FINISHED"


def test_create_run_in_unknown_experiment(client):
    with pytest.raises(rtrack.NotFoundError, match="'55'"):
        client.create_run("55")


def test_log_batch(client):
    run_id = client.create_run("0").info.run_id
    client.log_batch(
        run_id,
        metrics=[Metric("loss", 0.5, 1000, 0), Metric("loss", 0.25, 2000, 1), Metric("acc", 0.9, 1500, 3)],
        params=[Param("alpha", "0.5"), Param("model", "enet")],
        tags=[RunTag("stage", "dev")],
    )
    run = client.get_run(run_id)
    assert run.data.metrics == {"loss": 0.25, "acc": 0.9}
    assert run.data.params == {"alpha": "0.5", "model": "enet"}
    assert run.data.tags["stage"] == "dev"
    history = client.get_metric_history(run_id, "loss")
    assert [(m.step, m.value, m.timestamp) for m in history] == [(0, 0.5, 1000), (1, 0.25, 2000)]
    assert history[0] == Metric("loss", 0.5, 1000, 0)


def test_log_batch_of_a_thousand_metrics(client):
    run_id = client.create_run("0").info.run_id
    metrics = [Metric(f"m{i % 10}", float(i), 1_000 + i, i // 10) for i in range(1000)]
    client.log_batch(run_id, metrics=metrics)
    run = client.get_run(run_id)
    assert len(run.data.metrics) == 10
    for k in range(10):
        history = client.get_metric_history(run_id, f"m{k}")
        assert len(history) == 100
        assert [m.value for m in history] == [float(i) for i in range(k, 1000, 10)]
        assert run.data.metrics[f"m{k}"] == float(990 + k)


def test_log_batch_with_a_bad_entry_writes_nothing(client):
    run_id = client.create_run("0").info.run_id
    with pytest.raises(rtrack.InvalidValueError, match="a;b"):
        client.log_batch(
            run_id, metrics=[Metric("good", 1.0, 1, 0), Metric("a;b", 2.0, 1, 0)], params=[Param("p", "1")]
        )
    run = client.get_run(run_id)
    assert run.data.metrics == {} and run.data.params == {}
    with pytest.raises(rtrack.InvalidValueError):
        client.log_batch(run_id, params=[Param("p", "1")], tags=[RunTag("bad\x00", "x")])
    assert client.get_run(run_id).data.params == {}


def test_log_batch_param_conflict(client):
    run_id = client.create_run("0").info.run_id
    client.log_param(run_id, "p", 1)
    with pytest.raises(rtrack.InvalidValueError, match="'p'"):
        client.log_batch(run_id, params=[Param("p", "2")])
    assert client.get_run(run_id).data.params == {"p": "1"}


def test_client_metrics_params_tags(client):
    run_id = client.create_run("0").info.run_id
    assert client.log_param(run_id, "x", 3) == 3
    client.log_metric(run_id, "m", 1.0, timestamp=5, step=2)
    client.set_tag(run_id, "t", 1)
    client.set_tag(run_id, "gone", "soon")
    client.delete_tag(run_id, "gone")
    client.flush()
    run = client.get_run(run_id)
    assert run.data.params == {"x": "3"}
    assert run.data.metrics == {"m": 1.0}
    assert run.data.tags["t"] == "1" and "gone" not in run.data.tags
    assert [(m.step, m.timestamp) for m in client.get_metric_history(run_id, "m")] == [(2, 5)]


def test_client_metric_series(client):
    run_id = client.create_run("0").info.run_id
    client.log_metric_series(run_id, "s", np.array([3.0, 4.0]), steps=[1, 2], timestamps=[10, 20])
    series = client.get_metric_series(run_id, "s")
    np.testing.assert_array_equal(series.steps, [1, 2])
    np.testing.assert_array_equal(series.values, [3.0, 4.0])
    np.testing.assert_array_equal(series.timestamps, [10, 20])


def test_client_artifacts(client, tmp_path):
    run_id = client.create_run("0").info.run_id
    source = tmp_path / "f.txt"
    source.write_text("f")
    client.log_artifact(run_id, str(source), "files")
    client.log_text(run_id, "t", "notes/t.txt")
    client.log_dict(run_id, {"a": 1}, "d.json")
    client.log_image(run_id, np.zeros((2, 2, 3), dtype=np.uint8), "i.png")
    client.log_table(run_id, {"a": [1, 2]}, "t.json")
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "x.txt").write_text("x")
    client.log_artifacts(run_id, str(folder), "dir")
    listed = [(f.path, f.is_dir) for f in client.list_artifacts(run_id)]
    assert listed == [
        ("d.json", False),
        ("dir", True),
        ("files", True),
        ("i.png", False),
        ("notes", True),
        ("t.json", False),
    ]
    local = client.download_artifacts(run_id, "files/f.txt", str(tmp_path))
    assert open(local).read() == "f"
    assert client.get_artifact_uri(run_id).endswith(f"{run_id}/artifacts")


def test_client_search_runs_returns_runs(client):
    experiment_id = client.create_experiment("client-search")
    ids = []
    for i in range(3):
        run_id = client.create_run(experiment_id).info.run_id
        client.log_metric(run_id, "m", float(i))
        ids.append(run_id)
    found = client.search_runs([experiment_id], filter_string="metrics.m >= 1", order_by=["metrics.m DESC"])
    assert [r.info.run_id for r in found] == [ids[2], ids[1]]
    assert found.token is None
    assert all(isinstance(r, rtrack.Run) for r in found)
    # A single id works too.
    assert len(client.search_runs(experiment_id)) == 3


def test_client_experiment_calls(client):
    experiment_id = client.create_experiment("c-exp", tags={"a": "b"})
    assert client.get_experiment(experiment_id).tags == {"a": "b"}
    assert client.get_experiment_by_name("c-exp").experiment_id == experiment_id
    client.rename_experiment(experiment_id, "c-exp-2")
    assert client.get_experiment(experiment_id).name == "c-exp-2"
    client.delete_experiment(experiment_id)
    assert [e.name for e in client.search_experiments(view_type=rtrack.ViewType.DELETED_ONLY)] == ["c-exp-2"]
    client.restore_experiment(experiment_id)
    assert client.get_experiment(experiment_id).lifecycle_stage == "active"


def test_client_update_and_delete_run(client):
    run_id = client.create_run("0").info.run_id
    client.update_run(run_id, name="renamed")
    run = client.get_run(run_id)
    assert run.info.run_name == "renamed" and run.data.tags["mlflow.runName"] == "renamed"
    client.delete_run(run_id)
    assert client.get_run(run_id).info.lifecycle_stage == "deleted"
    with pytest.raises(rtrack.InvalidValueError, match="deleted"):
        client.log_param(run_id, "p", 1)
    with pytest.raises(rtrack.InvalidValueError, match="deleted"):
        client.log_metric(run_id, "m", 1.0)
    client.restore_run(run_id)
    client.log_metric(run_id, "m", 1.0)
    assert client.get_run(run_id).data.metrics == {"m": 1.0}


def test_two_clients_on_different_stores(tmp_path):
    a = rtrack.Client(str(tmp_path / "a"))
    b = rtrack.Client(str(tmp_path / "b"))
    a.create_experiment("only-in-a")
    assert b.get_experiment_by_name("only-in-a") is None
    run_id = a.create_run("0").info.run_id
    with pytest.raises(rtrack.NotFoundError):
        b.get_run(run_id)


def test_create_run_with_an_explicit_start_time(client):
    run = client.create_run("0", start_time=1_600_000_000_000)
    assert run.info.start_time == 1_600_000_000_000
    assert client.get_run(run.info.run_id).info.start_time == 1_600_000_000_000
    found = client.search_runs(["0"], filter_string="attributes.start_time = 1600000000000")
    assert [r.info.run_id for r in found] == [run.info.run_id]


def test_metrics_logged_by_a_client_are_written_at_exit(tmp_path):
    from helpers import run_python

    store = tmp_path / "store"
    out = run_python(
        f"""
        import rtrack
        client = rtrack.Client({str(store)!r})
        run_id = client.create_run("0").info.run_id
        for i in range(3000):
            client.log_metric(run_id, "m", float(i), step=i)
        print(run_id)
        """
    ).stdout.strip()
    assert len(rtrack.Client(str(store)).get_metric_history(out, "m")) == 3000


def test_logging_from_several_threads(client):
    import threading

    run_id = client.create_run("0").info.run_id
    errors = []

    def work(worker):
        try:
            for i in range(2000):
                client.log_metric(run_id, f"k{worker}", float(i), step=i)
            client.log_param(run_id, f"p{worker}", worker)
            client.set_tag(run_id, f"t{worker}", worker)
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    run = client.get_run(run_id)
    assert run.data.metrics == {f"k{w}": 1999.0 for w in range(4)}
    assert run.data.params == {f"p{w}": str(w) for w in range(4)}
    for w in range(4):
        assert [m.step for m in client.get_metric_history(run_id, f"k{w}")] == list(range(2000))
