"""Params, metrics and tags through the module-level verbs."""

import math

import pytest

import rtrack

# ----- params -----


def test_params_are_stored_as_strings(store):
    with rtrack.start_run() as run:
        assert rtrack.log_param("alpha", 0.5) == 0.5
        rtrack.log_param("layers", 3)
        rtrack.log_param("name", "enet")
        rtrack.log_param("flag", True)
        rtrack.log_param("none", None)
        rtrack.log_param("list", [1, 2])
    assert rtrack.get_run(run.info.run_id).data.params == {
        "alpha": "0.5",
        "layers": "3",
        "name": "enet",
        "flag": "True",
        "none": "None",
        "list": "[1, 2]",
    }


def test_log_params_dict(store):
    with rtrack.start_run() as run:
        rtrack.log_params({"a": 1, "b": 2.5, "c": "x"})
    assert rtrack.get_run(run.info.run_id).data.params == {"a": "1", "b": "2.5", "c": "x"}


def test_same_param_value_again_is_fine(store):
    with rtrack.start_run() as run:
        rtrack.log_param("a", 1)
        rtrack.log_param("a", 1)
        rtrack.log_param("a", "1")
        rtrack.log_params({"a": 1, "b": 2})
    assert rtrack.get_run(run.info.run_id).data.params == {"a": "1", "b": "2"}


def test_changing_a_param_is_refused_and_keeps_the_old_value(store):
    with rtrack.start_run() as run:
        rtrack.log_param("lr", 0.1)
        with pytest.raises(rtrack.RtrackError) as raised:
            rtrack.log_param("lr", 0.2)
        message = str(raised.value)
        assert "'lr'" in message and "0.1" in message and "0.2" in message
        assert isinstance(raised.value, rtrack.InvalidValueError)
        with pytest.raises(rtrack.RtrackError, match="lr"):
            rtrack.log_params({"lr": 0.3, "other": 1})
    params = rtrack.get_run(run.info.run_id).data.params
    assert params["lr"] == "0.1"
    # The refused batch wrote nothing.
    assert "other" not in params


def test_param_value_length_limit(store):
    with rtrack.start_run() as run:
        rtrack.log_param("long", "x" * 6000)
        with pytest.raises(rtrack.InvalidValueError, match="too_long"):
            rtrack.log_param("too_long", "x" * 6001)
    assert len(rtrack.get_run(run.info.run_id).data.params["long"]) == 6000


# ----- metrics -----


def test_log_metric_defaults(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("m", 1.5)
    (point,) = rtrack.get_metric_history(run.info.run_id, "m")
    assert isinstance(point, rtrack.Metric)
    assert point.key == "m"
    assert point.value == 1.5
    assert point.step == 0
    run_info = rtrack.get_run(run.info.run_id).info
    assert run_info.start_time <= point.timestamp <= run_info.end_time


def test_log_metric_with_step_and_timestamp(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("m", 2.0, step=7, timestamp=1_700_000_000_123)
    (point,) = rtrack.get_metric_history(run.info.run_id, "m")
    assert (point.step, point.value, point.timestamp) == (7, 2.0, 1_700_000_000_123)


def test_log_metrics(store):
    with rtrack.start_run() as run:
        rtrack.log_metrics({"a": 1.0, "b": 2}, step=3)
        rtrack.log_metrics({"a": 4.0})
    data = rtrack.get_run(run.info.run_id).data
    assert data.metrics == {"a": 1.0, "b": 2.0}
    a = rtrack.get_metric_history(run.info.run_id, "a")
    assert [(m.step, m.value) for m in a] == [(0, 4.0), (3, 1.0)]
    b = rtrack.get_metric_history(run.info.run_id, "b")
    # One call, one timestamp for all its metrics.
    assert b[0].timestamp == a[1].timestamp


def test_nan_and_infinities_survive(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("nan", float("nan"))
        rtrack.log_metric("pinf", float("inf"))
        rtrack.log_metric("ninf", float("-inf"))
        rtrack.log_metric("mixed", 1.0, step=0)
        rtrack.log_metric("mixed", float("nan"), step=1)
        rtrack.log_metric("mixed", float("inf"), step=2)
        rtrack.log_metric("mixed", float("-inf"), step=3)
    metrics = rtrack.get_run(run.info.run_id).data.metrics
    assert math.isnan(metrics["nan"])
    assert metrics["pinf"] == math.inf
    assert metrics["ninf"] == -math.inf
    assert metrics["mixed"] == -math.inf
    history = [m.value for m in rtrack.get_metric_history(run.info.run_id, "mixed")]
    assert history[0] == 1.0 and math.isnan(history[1]) and history[2:] == [math.inf, -math.inf]
    assert math.isnan(rtrack.get_metric_history(run.info.run_id, "nan")[0].value)


def test_latest_nan_is_the_latest_value(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("m", 1.0, step=0)
        rtrack.log_metric("m", float("nan"), step=5)
    assert math.isnan(rtrack.get_run(run.info.run_id).data.metrics["m"])


def test_history_is_ordered_by_step_then_timestamp(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("m", 30.0, step=3, timestamp=100)
        rtrack.log_metric("m", 11.0, step=1, timestamp=200)
        rtrack.log_metric("m", 10.0, step=1, timestamp=150)
        rtrack.log_metric("m", 0.0, step=0, timestamp=999)
        rtrack.log_metric("m", -1.0, step=-2, timestamp=5)
    history = rtrack.get_metric_history(run.info.run_id, "m")
    assert [(m.step, m.timestamp, m.value) for m in history] == [
        (-2, 5, -1.0),
        (0, 999, 0.0),
        (1, 150, 10.0),
        (1, 200, 11.0),
        (3, 100, 30.0),
    ]
    assert all(m.key == "m" for m in history)


def test_latest_value_is_the_highest_step_even_if_logged_earlier(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("m", 5.0, step=10, timestamp=1)
        rtrack.log_metric("m", 9.0, step=2, timestamp=2)
        rtrack.log_metric("m", 7.0, step=3, timestamp=3)
    assert rtrack.get_run(run.info.run_id).data.metrics["m"] == 5.0
    # Same step: the later timestamp wins.
    with rtrack.start_run() as run:
        rtrack.log_metric("m", 2.0, step=1, timestamp=20)
        rtrack.log_metric("m", 1.0, step=1, timestamp=10)
    assert rtrack.get_run(run.info.run_id).data.metrics["m"] == 2.0


def test_latest_value_across_separate_flushes(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("m", 5.0, step=10)
        rtrack.flush()
        rtrack.log_metric("m", 9.0, step=2)
        rtrack.flush()
    assert rtrack.get_run(run.info.run_id).data.metrics["m"] == 5.0


def test_reads_see_own_writes_without_flush(store):
    with rtrack.start_run() as run:
        for step in range(1000):
            rtrack.log_metric("m", step * 0.5, step=step)
        # No flush, no end_run: reads in the same process see the points.
        assert len(rtrack.get_metric_history(run.info.run_id, "m")) == 1000
        assert rtrack.get_run(run.info.run_id).data.metrics["m"] == 999 * 0.5


def test_history_of_unknown_key_is_empty(store):
    with rtrack.start_run() as run:
        pass
    assert rtrack.get_metric_history(run.info.run_id, "never") == []


def test_metric_value_must_be_a_number(store):
    with rtrack.start_run():
        with pytest.raises(TypeError):
            rtrack.log_metric("m", "high")


def test_numpy_scalars_as_metric_values(store):
    np = pytest.importorskip("numpy")
    with rtrack.start_run() as run:
        rtrack.log_metric("f32", np.float32(0.25))
        rtrack.log_metric("i64", np.int64(3))
    assert rtrack.get_run(run.info.run_id).data.metrics == {"f32": 0.25, "i64": 3.0}


# ----- tags -----


def test_set_tag_set_tags_delete_tag(store):
    with rtrack.start_run() as run:
        rtrack.set_tag("stage", "dev")
        rtrack.set_tag("n", 5)
        rtrack.set_tags({"a": "1", "b": 2})
        rtrack.set_tag("stage", "prod")  # tags can change
        rtrack.delete_tag("a")
        with pytest.raises(rtrack.NotFoundError, match="missing"):
            rtrack.delete_tag("missing")
    tags = rtrack.get_run(run.info.run_id).data.tags
    assert tags["stage"] == "prod"
    assert tags["n"] == "5"
    assert tags["b"] == "2"
    assert "a" not in tags


def test_setting_the_run_name_tag_renames_the_run(store):
    with rtrack.start_run(run_name="before") as run:
        rtrack.set_tag("mlflow.runName", "after")
    assert rtrack.get_run(run.info.run_id).info.run_name == "after"
