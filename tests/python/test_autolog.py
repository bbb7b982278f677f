"""`rtrack.sklearn.autolog` / `rtrack.autolog`: every fit logs params, training metrics and the
model; runs it started are ended; `disable=True` restores scikit-learn."""

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import GridSearchCV

import rtrack


@pytest.fixture
def autologging(store):
    rtrack.autolog()
    yield
    rtrack.sklearn.autolog(disable=True)


def test_linear_regression_fit_is_logged(autologging):
    X = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) ** 0.5})
    y = 3 * X["a"] - X["b"] + 1
    model = LinearRegression(fit_intercept=True).fit(X, y)
    assert rtrack.active_run() is None, "the run autolog started is ended"
    run = rtrack.last_active_run()
    assert run.info.status == "FINISHED"
    assert run.data.params["fit_intercept"] == "True"
    assert run.data.tags["estimator_name"] == "LinearRegression"
    metrics = run.data.metrics
    assert metrics["training_score"] == pytest.approx(1.0)
    assert metrics["training_r2_score"] == pytest.approx(1.0)
    assert metrics["training_mean_squared_error"] == pytest.approx(0.0, abs=1e-12)
    assert {"training_root_mean_squared_error", "training_mean_absolute_error"} <= set(metrics)
    loaded = rtrack.pyfunc.load_model(f"runs:/{run.info.run_id}/model")
    assert loaded.metadata.signature.inputs.input_names() == ["a", "b"]
    np.testing.assert_allclose(loaded.predict(X), model.predict(X))


def test_classifier_fit_inside_a_run_logs_there(autologging):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = (X[:, 0] + 0.3 * rng.normal(size=60) > 0).astype(int)
    with rtrack.start_run() as run:
        model = LogisticRegression(C=0.5).fit(X, y)
        assert rtrack.active_run().info.run_id == run.info.run_id
    logged = rtrack.get_run(run.info.run_id)
    assert logged.data.params["C"] == "0.5"
    metrics = logged.data.metrics
    assert metrics["training_accuracy_score"] == pytest.approx(model.score(X, y))
    assert 0.5 < metrics["training_roc_auc"] <= 1.0
    assert {"training_precision_score", "training_recall_score", "training_f1_score", "training_score"} <= set(metrics)
    np.testing.assert_array_equal(
        rtrack.sklearn.load_model(f"runs:/{run.info.run_id}/model").predict(X), model.predict(X)
    )


def test_nested_fits_log_one_run_and_disable_restores(autologging):
    X = np.random.default_rng(1).normal(size=(40, 2))
    y = (X[:, 1] > 0).astype(int)
    GridSearchCV(LogisticRegression(), {"C": [0.1, 1.0]}, cv=2).fit(X, y)
    runs = rtrack.search_runs(output_format="list")
    assert len(runs) == 1, "the inner fits belong to the search's run"
    rtrack.sklearn.autolog(disable=True)
    assert not hasattr(LogisticRegression.fit, "_rtrack_autolog")
    LogisticRegression().fit(X, y)
    assert len(rtrack.search_runs(output_format="list")) == 1


def test_a_failing_fit_marks_its_run_failed(autologging):
    with pytest.raises(ValueError):
        LinearRegression().fit(np.array([[1.0], [np.nan]]), np.array([1.0, 2.0]))
    assert rtrack.active_run() is None
    assert rtrack.last_active_run().info.status == "FAILED"
