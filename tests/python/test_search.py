"""search_runs: the DataFrame and list outputs, MLflow's filter grammar, ordering, paging."""

import math
import time

import pandas as pd
import pytest

import rtrack
from rtrack import ViewType


@pytest.fixture
def runs(store):
    """Four runs in experiment 'search' with metrics, params and tags; returns name -> run id."""
    experiment_id = rtrack.set_experiment("search").experiment_id
    spec = [
        (
            "alpha",
            {"rmse": 0.9, "acc": 0.5},
            {"model": "enet", "alpha": "0.1"},
            {"team": "red", "my.key": "dots", "with space": "a"},
        ),
        ("beta", {"rmse": 0.6, "acc": 0.7}, {"model": "enet", "alpha": "0.5"}, {"team": "blue", "my.key": "other"}),
        ("gamma", {"rmse": 0.3}, {"model": "ridge", "alpha": "1.0"}, {"team": "Red"}),
        (
            "delta",
            {"rmse": 0.75, "acc": 0.9},
            {"model": "lasso"},
            {"team": "green", "with space": "b", "label": "naïve ✓"},
        ),
    ]
    ids = {}
    for index, (name, metrics, params, tags) in enumerate(spec):
        if index:
            time.sleep(0.005)  # distinct start times, so "newest first" is well defined
        with rtrack.start_run(run_name=name, tags=tags) as run:
            rtrack.log_metrics(metrics)
            rtrack.log_params(params)
        ids[name] = run.info.run_id
    ids["_experiment_id"] = experiment_id
    return ids


def names(filter_string="", order_by=None, **kwargs):
    found = rtrack.search_runs(filter_string=filter_string, order_by=order_by, output_format="list", **kwargs)
    return [r.info.run_name for r in found]


def test_dataframe_has_mlflow_columns(runs):
    frame = rtrack.search_runs()
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 4
    for column in [
        "run_id",
        "experiment_id",
        "status",
        "start_time",
        "end_time",
        "artifact_uri",
        "metrics.rmse",
        "metrics.acc",
        "params.model",
        "params.alpha",
        "tags.team",
        "tags.my.key",
        "tags.with space",
        "tags.mlflow.runName",
        "tags.mlflow.user",
    ]:
        assert column in frame.columns, column
    row = frame.set_index("tags.mlflow.runName").loc["gamma"]
    assert row["run_id"] == runs["gamma"]
    assert row["experiment_id"] == runs["_experiment_id"]
    assert row["status"] == "FINISHED"
    assert row["metrics.rmse"] == 0.3
    assert math.isnan(row["metrics.acc"])
    assert row["params.model"] == "ridge"
    assert row["params.alpha"] == "1.0"
    assert row["tags.team"] == "Red"
    assert pd.isna(row["tags.my.key"])
    assert row["artifact_uri"] == rtrack.get_run(runs["gamma"]).info.artifact_uri
    assert pd.api.types.is_datetime64_any_dtype(frame["start_time"])
    assert pd.api.types.is_datetime64_any_dtype(frame["end_time"])
    assert (frame["end_time"] >= frame["start_time"]).all()
    info = rtrack.get_run(runs["gamma"]).info
    assert row["start_time"] == pd.Timestamp(info.start_time, unit="ms", tz="UTC")


def test_dataframe_rows_match_the_runs_of_the_list_output(runs):
    """The frame is built straight from the store's rows; it must say what the Run objects say,
    cell for cell, for a filtered, ordered and truncated search, a running run included."""
    running = rtrack.start_run(run_name="open", tags={"team": "red"})
    rtrack.log_metric("rmse", float("nan"))
    rtrack.log_param("model", "enet")
    try:
        query = dict(filter_string="params.model = 'enet'", order_by=["attributes.start_time DESC"], max_results=2)
        listed = rtrack.search_runs(output_format="list", **query)
        frame = rtrack.search_runs(**query)
    finally:
        rtrack.end_run()
    assert [r.info.run_name for r in listed] == ["open", "beta"]
    assert list(frame["run_id"]) == [r.info.run_id for r in listed]
    for (_, row), run in zip(frame.iterrows(), listed):
        assert row["status"] == run.info.status and row["artifact_uri"] == run.info.artifact_uri
        assert row["start_time"] == pd.Timestamp(run.info.start_time, unit="ms", tz="UTC")
        if run.info.end_time is None:
            assert pd.isna(row["end_time"])
        else:
            assert row["end_time"] == pd.Timestamp(run.info.end_time, unit="ms", tz="UTC")
        for key, value in run.data.metrics.items():
            assert row[f"metrics.{key}"] == value or (math.isnan(value) and math.isnan(row[f"metrics.{key}"]))
        for prefix, data in (("params", run.data.params), ("tags", run.data.tags)):
            for key, value in data.items():
                assert row[f"{prefix}.{key}"] == value
    assert running.info.run_id == listed[0].info.run_id


def test_the_fast_text_columns_equal_what_pandas_infers(runs, monkeypatch):
    """Where pyarrow is there, text columns come as Arrow buffers from the core; the frame must be
    exactly the one pandas builds from plain lists."""
    import importlib.util

    from rtrack import _adapters

    fast = rtrack.search_runs()
    if importlib.util.find_spec("pyarrow") and str(pd.Series(["a"]).dtype) == "str":
        assert _adapters.arrow_text_columns() is not None, "pandas keeps text in Arrow here: the fast path applies"
    monkeypatch.setattr(_adapters, "_ARROW_TEXT", [None])  # let pandas infer every column
    inferred = rtrack.search_runs()
    assert fast.equals(inferred)
    assert list(fast.dtypes) == list(inferred.dtypes)
    assert fast["tags.my.key"].isna().sum() == 2


def test_default_order_is_newest_first(runs):
    assert names() == ["delta", "gamma", "beta", "alpha"]


def test_empty_search_gives_an_empty_frame(store):
    frame = rtrack.search_runs()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 0
    assert "run_id" in frame.columns


def test_list_output(runs):
    found = rtrack.search_runs(output_format="list")
    assert all(isinstance(r, rtrack.Run) for r in found)
    assert {r.info.run_id for r in found} == {v for k, v in runs.items() if not k.startswith("_")}
    with pytest.raises(rtrack.InvalidValueError, match="output_format"):
        rtrack.search_runs(output_format="csv")


@pytest.mark.parametrize(
    "filter_string, expected",
    [
        ("metrics.rmse < 0.7", {"beta", "gamma"}),
        ("metrics.rmse <= 0.6", {"beta", "gamma"}),
        ("metrics.rmse > 0.6", {"alpha", "delta"}),
        ("metrics.rmse >= 0.75", {"alpha", "delta"}),
        ("metrics.rmse = 0.3", {"gamma"}),
        ("metrics.rmse != 0.3", {"alpha", "beta", "delta"}),
        ("metrics.acc > 0.6", {"beta", "delta"}),
        ("params.model = 'enet'", {"alpha", "beta"}),
        ("params.model != 'enet'", {"gamma", "delta"}),
        ('params.model = "ridge"', {"gamma"}),
        ("params.model LIKE 'la%'", {"delta"}),
        ("params.model LIKE '%NET'", set()),
        ("params.model ILIKE '%NET'", {"alpha", "beta"}),
        ("params.model IN ('ridge', 'lasso')", {"gamma", "delta"}),
        ("params.model NOT IN ('ridge', 'lasso')", {"alpha", "beta"}),
        ("params.alpha = '0.5'", {"beta"}),
        ("tags.team = 'red'", {"alpha"}),
        ("tags.team ILIKE 'red'", {"alpha", "gamma"}),
        ("tags.`my.key` = 'dots'", {"alpha"}),
        ("tags.\"my.key\" = 'other'", {"beta"}),
        ("tags.`with space` = 'b'", {"delta"}),
        ("tags.`mlflow.runName` = 'beta'", {"beta"}),
        ("tags.mlflow.runName = 'beta'", {"beta"}),
        ("attributes.run_name = 'gamma'", {"gamma"}),
        ("attribute.run_name LIKE '%a'", {"alpha", "beta", "gamma", "delta"}),
        ("attributes.status = 'FINISHED'", {"alpha", "beta", "gamma", "delta"}),
        ("attributes.status != 'FINISHED'", set()),
        ("metrics.rmse < 0.8 AND params.model = 'enet'", {"beta"}),
        ("metrics.rmse < 0.8 and tags.team != 'blue' AND metrics.acc > 0.1", {"delta"}),
        ("params.missing = 'x'", set()),
        ("metrics.missing > 0", set()),
    ],
)
def test_filter_grammar(runs, filter_string, expected):
    assert set(names(filter_string)) == expected


def test_filter_on_run_id_and_times(runs):
    assert names(f"attributes.run_id = '{runs['beta']}'") == ["beta"]
    assert set(names(f"attributes.run_id IN ('{runs['beta']}', '{runs['delta']}')")) == {"beta", "delta"}
    start = rtrack.get_run(runs["gamma"]).info.start_time
    assert set(names(f"attributes.start_time >= {start}")) >= {"gamma", "delta"}
    assert "gamma" not in names(f"attributes.start_time < {start}")
    assert set(names("attributes.end_time > 0")) == {"alpha", "beta", "gamma", "delta"}


def test_order_by(runs):
    assert names(order_by=["metrics.rmse"]) == ["gamma", "beta", "delta", "alpha"]
    assert names(order_by=["metrics.rmse ASC"]) == ["gamma", "beta", "delta", "alpha"]
    assert names(order_by=["metrics.rmse DESC"]) == ["alpha", "delta", "beta", "gamma"]
    assert names(order_by=["params.model ASC", "metrics.rmse DESC"]) == ["alpha", "beta", "delta", "gamma"]
    assert names(order_by=["attributes.run_name"]) == ["alpha", "beta", "delta", "gamma"]
    assert names(order_by=["tags.team DESC"]) == ["alpha", "delta", "beta", "gamma"]  # 'red' > ... > 'Red'
    assert names(order_by=["attributes.start_time ASC"]) == ["alpha", "beta", "gamma", "delta"]
    # Runs without the metric come last either way.
    assert names(order_by=["metrics.acc DESC"])[-1] == "gamma"
    assert names(order_by=["metrics.acc ASC"])[-1] == "gamma"
    assert names(filter_string="params.model = 'enet'", order_by=["metrics.acc DESC"]) == ["beta", "alpha"]


def test_max_results(runs):
    assert len(rtrack.search_runs(max_results=2)) == 2
    assert names(order_by=["metrics.rmse"], max_results=1) == ["gamma"]


def test_client_paging_with_tokens(runs, client):
    experiment_id = runs["_experiment_id"]
    seen, token, pages = [], None, 0
    while True:
        page = client.search_runs([experiment_id], order_by=["metrics.rmse ASC"], max_results=3, page_token=token)
        assert isinstance(page, list) and all(isinstance(r, rtrack.Run) for r in page)
        pages += 1
        seen.extend(r.info.run_name for r in page)
        token = page.token
        if token is None:
            break
    assert pages == 2
    assert seen == ["gamma", "beta", "delta", "alpha"]
    with pytest.raises(rtrack.InvalidValueError, match="token"):
        client.search_runs([experiment_id], page_token="garbage")


def test_experiment_names_and_ids(runs):
    other = rtrack.create_experiment("other")
    with rtrack.start_run(experiment_id=other, run_name="elsewhere"):
        pass
    assert names(experiment_names=["other"]) == ["elsewhere"]
    assert set(names(experiment_names=["search", "other"])) == {"alpha", "beta", "gamma", "delta", "elsewhere"}
    assert names(experiment_ids=[other]) == ["elsewhere"]
    assert names(experiment_ids=other) == ["elsewhere"]
    # Without ids, the active experiment; search_all_experiments widens that to every one.
    assert len(names()) == 4
    assert len(names(search_all_experiments=True)) == 5
    with pytest.raises(rtrack.NotFoundError, match="no-such"):
        rtrack.search_runs(experiment_names=["no-such"])


def test_deleted_runs_and_view_types(runs):
    rtrack.delete_run(runs["alpha"])
    assert "alpha" not in names()
    assert names(run_view_type=ViewType.DELETED_ONLY) == ["alpha"]
    assert len(names(run_view_type=ViewType.ALL)) == 4


@pytest.mark.parametrize(
    "filter_string, position, token",
    [
        ("metrics.rmse <> 1", 14, "<>"),
        ("metrics.rmse < 0.7 AND", None, "AND"),
        ("params.model = 'enet' OR params.model = 'x'", None, "OR"),
        ("metrics.rmse", None, None),
        ("foo.rmse < 1", 1, "foo"),
        ("params.model = 'unterminated", None, None),
    ],
)
def test_malformed_filter_names_position_and_token(runs, filter_string, position, token):
    with pytest.raises(rtrack.RtrackError) as raised:
        rtrack.search_runs(filter_string=filter_string)
    message = str(raised.value)
    assert isinstance(raised.value, rtrack.InvalidValueError)
    assert "position" in message, message
    if position is not None:
        assert f"position {position}" in message, message
    if token is not None:
        assert token in message, message


def test_malformed_order_by(runs):
    with pytest.raises(rtrack.InvalidValueError, match="position"):
        rtrack.search_runs(order_by=["metrics.rmse SIDEWAYS"])


def test_injection_attempts_match_nothing(runs, store):
    attempts = [
        "params.model = 'x'' OR ''1''=''1'",
        "params.model = 'enet'' OR 1=1 --'",
        "tags.`team'; DROP TABLE runs; --` = 'red'",
        "params.model = '\"; DELETE FROM runs; --'",
        "params.model LIKE '%'' OR 1=1 --'",
    ]
    for attempt in attempts:
        try:
            found = rtrack.search_runs(filter_string=attempt, output_format="list")
        except rtrack.InvalidValueError:
            continue  # refused as malformed: also harmless
        assert found == [], attempt
    assert len(names()) == 4
    import sqlite3

    with sqlite3.connect(store / "rtrack.db") as db:
        assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 4


def test_quotes_inside_values_are_matched_literally(store):
    with rtrack.start_run(run_name="quoted") as run:
        rtrack.log_param("q", "it's")
    assert [r.info.run_id for r in rtrack.search_runs(filter_string='params.q = "it\'s"', output_format="list")] == [
        run.info.run_id
    ]


@pytest.mark.parametrize(
    "filter_string, words",
    [
        ("metrics.rmse LIKE '0%'", ["LIKE", "rmse"]),
        ("params.alpha > '0.3'", ["'>'", "alpha"]),
        ("params.alpha = 0.5", ["alpha", "0.5"]),
        ("metrics.rmse < 'abc'", ["rmse", "abc"]),
        ("attributes.nope = 'x'", ["nope"]),
        ("metrics.rmse < 1 OR metrics.rmse > 2", ["OR"]),
    ],
)
def test_misused_comparators_and_values_are_explained(runs, filter_string, words):
    with pytest.raises(rtrack.InvalidValueError) as raised:
        rtrack.search_runs(filter_string=filter_string)
    for word in words:
        assert word in str(raised.value)


def test_order_by_backquoted_tag_key(runs):
    found = names(filter_string="tags.`my.key` != ''", order_by=["tags.`my.key` DESC"])
    assert found == ["beta", "alpha"]  # 'other' > 'dots'
