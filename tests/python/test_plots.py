"""rtrack.plots figures (their data checked against scikit-learn) and rtrack.log_figure."""

import importlib.util
import json
import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from sklearn import metrics as sk
from sklearn.tree import DecisionTreeRegressor

import rtrack
from helpers import artifact_dir, run_python


def binary_data(seed, n=200):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n)
    y_score = np.clip(np.round(0.3 * y_true + rng.random(n) * 0.7, 1), 0, 1)  # ties
    return y_true, y_score


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_roc_points_are_scikit_learns(seed):
    y_true, y_score = binary_data(seed)
    fig = rtrack.plots.roc_curve(y_true, y_score)
    assert isinstance(fig, go.Figure)
    fpr, tpr, _ = sk.roc_curve(y_true, y_score)
    np.testing.assert_allclose(fig.data[0].x, fpr, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fig.data[0].y, tpr, rtol=0, atol=1e-12)
    assert f"AUC = {sk.roc_auc_score(y_true, y_score):.3f}" in fig.data[0].name
    chance = fig.data[-1]
    assert list(chance.x) == [0.0, 1.0] and list(chance.y) == [0.0, 1.0]


def test_multiclass_roc_has_one_curve_per_class():
    rng = np.random.default_rng(5)
    y_true = rng.choice(["a", "b", "c"], 150)
    counts = rng.integers(1, 4, size=(150, 3))
    proba = counts / counts.sum(axis=1, keepdims=True)
    fig = rtrack.plots.roc_curve(y_true, proba)
    assert len(fig.data) == 4  # three classes and the chance line
    for column, (trace, name) in enumerate(zip(fig.data, ["a", "b", "c"])):
        fpr, tpr, _ = sk.roc_curve(y_true == name, proba[:, column])
        np.testing.assert_allclose(trace.x, fpr, rtol=0, atol=1e-12)
        np.testing.assert_allclose(trace.y, tpr, rtol=0, atol=1e-12)
        assert trace.name.startswith(f"{name} (AUC = ")


@pytest.mark.parametrize("seed", [0, 1])
def test_precision_recall_points_are_scikit_learns(seed):
    y_true, y_score = binary_data(seed)
    fig = rtrack.plots.precision_recall_curve(y_true, y_score)
    precision, recall, _ = sk.precision_recall_curve(y_true, y_score)
    np.testing.assert_allclose(fig.data[0].x, recall, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fig.data[0].y, precision, rtol=0, atol=1e-12)
    assert f"AP = {sk.average_precision_score(y_true, y_score):.3f}" in fig.data[0].name
    assert fig.layout.showlegend, "the legend carries the average precision"


def test_confusion_matrix_counts_are_scikit_learns():
    rng = np.random.default_rng(3)
    y_true = rng.choice(["cat", "dog", "eel"], 120)
    y_pred = np.where(rng.random(120) < 0.7, y_true, rng.choice(["cat", "dog", "eel"], 120))
    fig = rtrack.plots.confusion_matrix(pd.Series(y_true), y_pred)
    expected = sk.confusion_matrix(y_true, y_pred, labels=["cat", "dog", "eel"])
    assert np.array_equal(np.array(fig.data[0].z), expected)
    assert list(fig.data[0].x) == ["cat", "dog", "eel"]
    # First class on top: row i sits at y position 2 - i, column j at x position j.
    assert list(fig.layout.yaxis.categoryarray) == ["eel", "dog", "cat"]
    annotated = {(2 - int(a.y), int(a.x)): int(a.text) for a in fig.layout.annotations}
    assert annotated == {(i, j): expected[i, j] for i in range(3) for j in range(3)}


def test_regression_charts_carry_the_values():
    y_true = np.array([1.0, 2.0, 3.0, 4.0])
    y_pred = np.array([1.5, 1.5, 3.5, 5.0])
    scatter = rtrack.plots.prediction_scatter(y_true, y_pred)
    assert list(scatter.data[0].x) == list(y_true) and list(scatter.data[0].y) == list(y_pred)
    assert list(scatter.data[1].x) == [1.0, 5.0] and list(scatter.data[1].y) == [1.0, 5.0]  # y = x
    histogram = rtrack.plots.error_histogram(list(y_true), list(y_pred))
    assert list(histogram.data[0].x) == list(y_true - y_pred)


def test_feature_importance_from_a_fitted_model_is_sorted_with_its_names():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"noise": rng.random(200), "signal": rng.random(200), "weak": rng.random(200)})
    y = 5 * X["signal"] + 0.5 * X["weak"]
    model = DecisionTreeRegressor(max_depth=4, random_state=0).fit(X, y)
    fig = rtrack.plots.feature_importance(model)
    names = list(fig.data[0].y)
    assert names[-1] == "signal"  # largest on top: drawn last
    assert sorted(names) == ["noise", "signal", "weak"]
    values = dict(zip(names, fig.data[0].x))
    assert values["signal"] == pytest.approx(model.feature_importances_[1])
    top_two = rtrack.plots.feature_importance([0.1, -0.9, 0.5], names=["a", "b", "c"], max_features=2)
    assert list(top_two.data[0].y) == ["c", "b"]


def test_metric_history_reads_a_run(store):
    with rtrack.start_run() as run:
        rtrack.log_metric_series("loss", [1.0, 0.5, 0.25])
        for step in (0, 10):
            rtrack.log_metric("accuracy", 0.5 + step / 100, step=step)
    fig = rtrack.plots.metric_history(["loss", "accuracy"], run_id=run.info.run_id)
    assert [trace.name for trace in fig.data] == ["loss", "accuracy"]
    assert list(fig.data[1].x) == [0, 10] and list(fig.data[1].y) == [0.5, 0.6]
    plain = rtrack.plots.metric_history({"loss": [3.0, 2.0]})
    assert list(plain.data[0].x) == [0, 1]


def test_parallel_coordinates_of_searched_runs(store):
    for alpha, rmse in [(0.1, 0.8), (0.5, 0.6), (0.9, 0.7)]:
        with rtrack.start_run():
            rtrack.log_params({"alpha": alpha, "model": "enet"})
            rtrack.log_metric("rmse", rmse)
    runs = rtrack.search_runs(order_by=["metrics.rmse ASC"])
    fig = rtrack.plots.parallel_coordinates(runs, color_by="metrics.rmse")
    dimensions = {d.label: list(d.values) for d in fig.data[0].dimensions}
    assert dimensions == {"params.alpha": [0.5, 0.9, 0.1], "metrics.rmse": [0.6, 0.7, 0.8]}  # "model" is text
    assert list(fig.data[0].line.color) == [0.6, 0.7, 0.8]
    with pytest.raises(rtrack.InvalidValueError, match="not numbers"):
        rtrack.plots.parallel_coordinates(runs, columns=["params.model"])


def _artifact(run_id, name):
    return (artifact_dir(run_id) / name).read_text(encoding="utf-8")


def test_log_figure_html_is_self_contained(store):
    y_true, y_score = binary_data(0)
    fig = rtrack.plots.roc_curve(y_true, y_score)
    with rtrack.start_run() as run:
        rtrack.log_figure(fig, "plots/roc.html")
    page = _artifact(run.info.run_id, "plots/roc.html")
    assert "plotly.js v" in page and "Plotly.newPlot" in page  # the library itself, inlined
    assert not re.search(r"<script[^>]*\bsrc\s*=", page), "no script may be loaded from elsewhere"
    data = json.loads(
        re.search(r'<script type="application/json" id="figure-json">(.*?)</script>', page, re.S).group(1)
    )
    assert data["data"][0]["x"] == list(fig.data[0].x)
    assert [entry.path for entry in rtrack.list_artifacts(run.info.run_id, "plots")] == ["plots/roc.html"]


def test_log_figure_escapes_a_script_in_the_title(store):
    title = "</script><script>alert('owned')</script>"
    fig = go.Figure(go.Bar(x=[1, 2], y=[3, 4], name=title), layout={"title": {"text": title}})
    with rtrack.start_run() as run:
        rtrack.log_figure(fig, "bars.html")
    page = _artifact(run.info.run_id, "bars.html")
    assert "<script>alert('owned')" not in page
    assert page.count("</script>") == 3  # plotly.js, the figure data, the drawing code
    data = json.loads(re.search(r'id="figure-json">(.*?)</script>', page, re.S).group(1))
    assert data["layout"]["title"]["text"] == title
    assert data["data"][0]["name"] == title


def test_log_figure_json_and_refused_formats(store):
    fig = go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 4, 8]))
    with rtrack.start_run() as run:
        rtrack.log_figure(fig, "line.json")
        with pytest.raises(rtrack.InvalidValueError, match="use .html"):
            rtrack.log_figure(fig, "line.txt")
        with pytest.raises(rtrack.InvalidValueError, match="plotly Figure"):
            rtrack.log_figure(object(), "line.html")
    assert json.loads(_artifact(run.info.run_id, "line.json"))["data"][0]["y"] == [2, 4, 8]
    assert sorted(entry.path for entry in rtrack.list_artifacts(run.info.run_id)) == ["line.json"]


@pytest.mark.skipif(importlib.util.find_spec("kaleido") is not None, reason="kaleido is installed")
def test_log_figure_png_without_kaleido_says_what_is_missing(store):
    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    with rtrack.start_run() as run:
        with pytest.raises(rtrack.RtrackError, match="kaleido"):
            rtrack.log_figure(fig, "line.png")
    assert rtrack.list_artifacts(run.info.run_id) == []


def test_metrics_on_lists_and_import_load_no_numpy_or_plotly(tmp_path):
    out = run_python(
        """
        import json, sys
        import rtrack
        loaded_by_import = sorted(m for m in ("numpy", "pandas", "plotly") if m in sys.modules)
        rtrack.metrics.classification_report([0, 1, 1], [0, 1, 0])
        rtrack.metrics.regression_report([1.0, 2.0], [1.5, 2.5])
        loaded_by_metrics = sorted(m for m in ("numpy", "pandas", "plotly") if m in sys.modules)
        print(json.dumps([loaded_by_import, loaded_by_metrics]))
        """,
        cwd=tmp_path,
    ).stdout
    assert json.loads(out) == [[], []]
