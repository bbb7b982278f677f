"""The array fast path: log_metric_series in, get_metric_series out."""

import math

import numpy as np
import pytest

import rtrack


def _series(run_id, key):
    steps, values, timestamps = rtrack.get_metric_series(run_id, key)
    return steps, values, timestamps


@pytest.mark.parametrize(
    "values",
    [
        np.linspace(0.0, 1.0, 1001),
        np.linspace(0.0, 1.0, 1001).astype(np.float32),
        np.arange(-50, 50, dtype=np.int32),
        np.arange(0, 100, dtype=np.int64),
        np.array([0.1, 1e300, -1e-300, 3.14159], dtype=np.float64),
    ],
    ids=["float64", "float32", "int32", "int64", "extremes"],
)
def test_numpy_arrays_round_trip_exactly(store, values):
    with rtrack.start_run() as run:
        rtrack.log_metric_series("x", values)
    steps, got, timestamps = _series(run.info.run_id, "x")
    assert isinstance(steps, np.ndarray) and isinstance(got, np.ndarray) and isinstance(timestamps, np.ndarray)
    assert steps.dtype == np.int64 and got.dtype == np.float64 and timestamps.dtype == np.int64
    np.testing.assert_array_equal(got, values.astype(np.float64))
    np.testing.assert_array_equal(steps, np.arange(len(values)))
    assert len(timestamps) == len(values)
    assert (timestamps > 0).all()
    assert rtrack.get_run(run.info.run_id).data.metrics["x"] == float(values.astype(np.float64)[-1])


def test_plain_lists_with_steps_and_timestamps(store):
    with rtrack.start_run() as run:
        rtrack.log_metric_series("loss", [1.0, 0.5, 0.25], steps=[10, 20, 30], timestamps=[1000, 2000, 3000])
    series = rtrack.get_metric_series(run.info.run_id, "loss")
    np.testing.assert_array_equal(series.steps, [10, 20, 30])
    np.testing.assert_array_equal(series.values, [1.0, 0.5, 0.25])
    np.testing.assert_array_equal(series.timestamps, [1000, 2000, 3000])
    history = rtrack.get_metric_history(run.info.run_id, "loss")
    assert [(m.step, m.value, m.timestamp) for m in history] == [(10, 1.0, 1000), (20, 0.5, 2000), (30, 0.25, 3000)]


def test_list_of_ints_and_numpy_steps_of_other_dtypes(store):
    with rtrack.start_run() as run:
        rtrack.log_metric_series("a", [1, 2, 3], steps=np.array([5, 6, 7], dtype=np.int32))
        rtrack.log_metric_series("b", (0.5, 1.5), timestamps=np.array([11, 12], dtype=np.uint32))
    steps, values, _ = _series(run.info.run_id, "a")
    np.testing.assert_array_equal(steps, [5, 6, 7])
    np.testing.assert_array_equal(values, [1.0, 2.0, 3.0])
    steps, values, timestamps = _series(run.info.run_id, "b")
    np.testing.assert_array_equal(steps, [0, 1])
    np.testing.assert_array_equal(timestamps, [11, 12])


def test_non_finite_values_in_a_series(store):
    values = np.array([1.0, np.nan, np.inf, -np.inf, 2.0])
    with rtrack.start_run() as run:
        rtrack.log_metric_series("x", values)
    _, got, _ = _series(run.info.run_id, "x")
    assert got[0] == 1.0 and math.isnan(got[1]) and got[2] == np.inf and got[3] == -np.inf and got[4] == 2.0
    assert rtrack.get_run(run.info.run_id).data.metrics["x"] == 2.0


def test_series_is_sorted_by_step_and_merges_with_log_metric(store):
    with rtrack.start_run() as run:
        rtrack.log_metric("x", 100.0, step=100, timestamp=1)
        rtrack.log_metric_series("x", [3.0, 1.0, 2.0], steps=[3, 1, 2], timestamps=[5, 5, 5])
        rtrack.log_metric("x", 0.0, step=0, timestamp=9)
    steps, values, _ = _series(run.info.run_id, "x")
    np.testing.assert_array_equal(steps, [0, 1, 2, 3, 100])
    np.testing.assert_array_equal(values, [0.0, 1.0, 2.0, 3.0, 100.0])
    # The highest step is the latest value, wherever it was logged.
    assert rtrack.get_run(run.info.run_id).data.metrics["x"] == 100.0


def test_large_series_spans_several_chunks(store):
    rng = np.random.default_rng(0)
    values = rng.standard_normal(100_003)
    with rtrack.start_run() as run:
        rtrack.log_metric_series("big", values[:50_000])
        rtrack.log_metric_series("big", values[50_000:], steps=np.arange(50_000, 100_003))
    steps, got, _ = _series(run.info.run_id, "big")
    np.testing.assert_array_equal(got, values)
    np.testing.assert_array_equal(steps, np.arange(100_003))


def test_empty_series(store):
    with rtrack.start_run() as run:
        rtrack.log_metric_series("empty", np.array([], dtype=np.float64))
    steps, values, timestamps = _series(run.info.run_id, "empty")
    assert len(steps) == len(values) == len(timestamps) == 0
    assert "empty" not in rtrack.get_run(run.info.run_id).data.metrics


def test_unknown_key_gives_empty_arrays(store):
    with rtrack.start_run() as run:
        pass
    series = rtrack.get_metric_series(run.info.run_id, "never")
    assert len(series.values) == 0 and series.values.dtype == np.float64


def test_metric_series_of_unknown_run(store):
    with pytest.raises(rtrack.NotFoundError, match="nope"):
        rtrack.get_metric_series("nope", "x")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"steps": [0, 1]},
        {"timestamps": [1, 2, 3, 4]},
        {"steps": np.arange(2), "timestamps": np.arange(3)},
    ],
)
def test_mismatched_lengths_are_a_clear_error(store, kwargs):
    with rtrack.start_run() as run:
        with pytest.raises(rtrack.InvalidValueError) as raised:
            rtrack.log_metric_series("x", [1.0, 2.0, 3.0], **kwargs)
        assert "'x'" in str(raised.value) and "3 values" in str(raised.value)
    assert len(_series(run.info.run_id, "x")[1]) == 0


def test_non_numeric_values_are_refused(store):
    with rtrack.start_run():
        with pytest.raises((rtrack.InvalidValueError, TypeError, ValueError)):
            rtrack.log_metric_series("x", ["a", "b"])
        with pytest.raises((rtrack.InvalidValueError, TypeError, ValueError)):
            rtrack.log_metric_series("x", [1.0], steps=["zero"])


def test_bad_key_is_refused(store):
    with rtrack.start_run():
        with pytest.raises(rtrack.InvalidValueError, match="a;b"):
            rtrack.log_metric_series("a;b", [1.0])


def test_flush_makes_points_visible_to_another_client(store):
    with rtrack.start_run() as run:
        for i in range(100):
            rtrack.log_metric("m", float(i), step=i)
        rtrack.flush()
        # A separate connection straight to the database sees every point now.
        import sqlite3

        with sqlite3.connect(store / "rtrack.db") as db:
            (count,) = db.execute(
                "SELECT point_count FROM metric_series WHERE run_uuid = ? AND key = 'm'", (run.info.run_id,)
            ).fetchone()
        assert count == 100


def test_metric_series_tuple_shape(store):
    with rtrack.start_run() as run:
        rtrack.log_metric_series("x", [1.0, 2.0])
    series = rtrack.get_metric_series(run.info.run_id, "x")
    assert isinstance(series, rtrack.MetricSeries)
    assert len(series) == 3
    assert series.steps is series[0] and series.values is series[1] and series.timestamps is series[2]
    assert "2 points" in repr(series)


def test_pandas_series_are_taken_as_columns(store):
    import pandas as pd

    with rtrack.start_run() as run:
        rtrack.log_metric_series("loss", pd.Series([0.5, 0.25, 0.125]), steps=pd.Series([10, 20, 30]))
    steps, values, _ = rtrack.get_metric_series(run.info.run_id, "loss")
    assert list(steps) == [10, 20, 30]
    assert list(values) == [0.5, 0.25, 0.125]
