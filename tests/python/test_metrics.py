"""rtrack.metrics against scikit-learn on random data sets, ties included."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn import metrics as sk

import rtrack

TOLERANCE = dict(abs=1e-9, rel=0)
SEEDS = [0, 1, 2, 3, 4]


def binary_data(seed, n=300):
    """Labels {0, 1}, scores on a coarse grid (many ties), predictions from a noisy cut."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 2, n)
    y_score = np.clip(np.round(0.3 * y_true + rng.random(n) * 0.7, 1), 0, 1)
    y_pred = (y_score + rng.normal(0, 0.2, n) > 0.5).astype(int)
    return y_true, y_pred, y_score


def multiclass_data(seed, n=400, classes=4):
    """Probabilities from small integer counts, so many rows share values (ties)."""
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, classes, n)
    counts = rng.integers(1, 4, size=(n, classes))
    counts[np.arange(n), y_true] += rng.integers(0, 3, n)
    proba = counts / counts.sum(axis=1, keepdims=True)
    y_pred = np.where(rng.random(n) < 0.6, y_true, rng.integers(0, classes, n))
    return y_true, y_pred, proba


@pytest.mark.parametrize("seed", SEEDS)
def test_binary_matches_scikit_learn(seed):
    y_true, y_pred, y_score = binary_data(seed)
    assert len(np.unique(y_score)) < 12, "the data set must have ties"
    report = rtrack.metrics.classification_report(y_true, y_pred, y_score)
    assert report == {
        "accuracy": pytest.approx(sk.accuracy_score(y_true, y_pred), **TOLERANCE),
        "precision": pytest.approx(sk.precision_score(y_true, y_pred), **TOLERANCE),
        "recall": pytest.approx(sk.recall_score(y_true, y_pred), **TOLERANCE),
        "f1_score": pytest.approx(sk.f1_score(y_true, y_pred), **TOLERANCE),
        "roc_auc": pytest.approx(sk.roc_auc_score(y_true, y_score), **TOLERANCE),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_multiclass_matches_scikit_learn_macro_and_one_versus_rest(seed):
    y_true, y_pred, proba = multiclass_data(seed)
    report = rtrack.metrics.classification_report(y_true, y_pred, proba)
    assert report == {
        "accuracy": pytest.approx(sk.accuracy_score(y_true, y_pred), **TOLERANCE),
        "precision": pytest.approx(sk.precision_score(y_true, y_pred, average="macro"), **TOLERANCE),
        "recall": pytest.approx(sk.recall_score(y_true, y_pred, average="macro"), **TOLERANCE),
        "f1_score": pytest.approx(sk.f1_score(y_true, y_pred, average="macro"), **TOLERANCE),
        "roc_auc": pytest.approx(sk.roc_auc_score(y_true, proba, multi_class="ovr", average="macro"), **TOLERANCE),
    }


def test_string_labels_and_two_column_probabilities():
    y_true, y_pred, y_score = binary_data(7)
    names = np.array(["no", "yes"])
    report = rtrack.metrics.classification_report(
        list(names[y_true]), pd.Series(names[y_pred]), np.column_stack([1 - y_score, y_score])
    )
    assert report["precision"] == pytest.approx(sk.precision_score(y_true, y_pred), **TOLERANCE)
    assert report["f1_score"] == pytest.approx(sk.f1_score(y_true, y_pred), **TOLERANCE)
    assert report["roc_auc"] == pytest.approx(sk.roc_auc_score(y_true, y_score), **TOLERANCE)


def test_a_class_never_predicted_scores_zero_as_scikit_learn_does():
    y_true = [0, 1, 2, 2, 1, 0]
    y_pred = [0, 0, 2, 2, 0, 0]
    report = rtrack.metrics.classification_report(y_true, y_pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = sk.precision_score(y_true, y_pred, average="macro")
    assert report["precision"] == pytest.approx(expected, **TOLERANCE)
    assert "roc_auc" not in report


def test_label_forms_lists_floats_and_series_agree():
    y_true, y_pred, _ = multiclass_data(11, n=50)
    from_arrays = rtrack.metrics.classification_report(y_true, y_pred)
    assert rtrack.metrics.classification_report(y_true.tolist(), y_pred.tolist()) == from_arrays
    assert rtrack.metrics.classification_report(y_true.astype(float), pd.Series(y_pred)) == from_arrays
    assert rtrack.metrics.classification_report(pd.Categorical(y_true.astype(str)), y_pred.astype(str)) == from_arrays


@pytest.mark.parametrize("seed", SEEDS)
def test_regression_matches_scikit_learn(seed):
    rng = np.random.default_rng(seed)
    y_true = rng.normal(5, 2, 500)
    y_pred = y_true + rng.normal(0, 0.7, 500)
    report = rtrack.metrics.regression_report(pd.Series(y_true), y_pred)
    mse = sk.mean_squared_error(y_true, y_pred)
    assert report == {
        "mae": pytest.approx(sk.mean_absolute_error(y_true, y_pred), **TOLERANCE),
        "mse": pytest.approx(mse, **TOLERANCE),
        "rmse": pytest.approx(np.sqrt(mse), **TOLERANCE),
        "r2": pytest.approx(sk.r2_score(y_true, y_pred), **TOLERANCE),
    }
    assert rtrack.metrics.regression_report(y_true.tolist(), y_pred.tolist()) == report


def test_a_report_logs_as_metrics(store):
    y_true, y_pred, y_score = binary_data(3)
    report = rtrack.metrics.classification_report(y_true, y_pred, y_score)
    with rtrack.start_run() as run:
        rtrack.log_metrics(report)
    assert rtrack.get_run(run.info.run_id).data.metrics == report


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: rtrack.metrics.classification_report([0, 1, 1], [0, 1]), "different lengths (3 and 2)"),
        (lambda: rtrack.metrics.classification_report([], []), "empty"),
        (lambda: rtrack.metrics.classification_report([1, 1], [1, 0], [0.2, 0.9]), "one class only"),
        (lambda: rtrack.metrics.classification_report([0, 1], [0, 1], [0.2, float("nan")]), "y_score[1] is NaN"),
        (lambda: rtrack.metrics.classification_report([0, 1, 2], [0, 1, 2], [0.1, 0.2, 0.3]), "holds 3 classes"),
        (lambda: rtrack.metrics.classification_report([0, 1], [0, 1], np.zeros((2, 2, 2))), "shape (2, 2, 2)"),
        (lambda: rtrack.metrics.classification_report([0, 1], ["a", "b"]), "different kinds of labels"),
        (lambda: rtrack.metrics.classification_report([0.5, 1.0], [0, 1]), "y_true[0] is 0.5"),
        (lambda: rtrack.metrics.classification_report([0.0, float("nan")], [0, 1]), "y_true[1] is NaN"),
        (lambda: rtrack.metrics.regression_report([1.0, float("nan")], [1.0, 2.0]), "y_true[1] is NaN"),
        (lambda: rtrack.metrics.regression_report([1.0], [1.0, 2.0]), "different lengths (1 and 2)"),
    ],
)
def test_bad_inputs_raise_invalid_value_naming_the_problem(call, message):
    with pytest.raises(rtrack.InvalidValueError) as raised:
        call()
    assert message in str(raised.value)
