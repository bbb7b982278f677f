//! `rtrack.plots` and `rtrack.log_figure`: arguments into `rtrack::plots`, figures back as
//! Plotly JSON (the package makes a `plotly.graph_objects.Figure` of it).

use pyo3::prelude::*;

use crate::errors::PyResult;

use rtrack::api::fluent;
use rtrack::plots;

use super::convert;
use super::metrics::{label_pair, labels, numbers, score_columns, LabelPair, Labels};

#[pyfunction]
fn _plot_confusion_matrix(y_true: &Bound<'_, PyAny>, y_pred: &Bound<'_, PyAny>) -> PyResult<String> {
    let plot = match label_pair(y_true, y_pred)? {
        LabelPair::Integers(truth, prediction) => plots::confusion_matrix(&truth, &prediction)?,
        LabelPair::Texts(truth, prediction) => plots::confusion_matrix(&truth, &prediction)?,
    };
    Ok(plot.to_json())
}

#[pyfunction]
fn _plot_roc_curve(y_true: &Bound<'_, PyAny>, y_score: &Bound<'_, PyAny>) -> PyResult<String> {
    let scores = score_columns(y_score)?;
    let plot = match labels(y_true, "y_true")? {
        Labels::Integers(truth) => plots::roc_curve(&truth, scores.view())?,
        Labels::Texts(truth) => plots::roc_curve(&truth, scores.view())?,
    };
    Ok(plot.to_json())
}

#[pyfunction]
fn _plot_precision_recall_curve(y_true: &Bound<'_, PyAny>, y_score: &Bound<'_, PyAny>) -> PyResult<String> {
    let scores = score_columns(y_score)?;
    let plot = match labels(y_true, "y_true")? {
        Labels::Integers(truth) => plots::precision_recall_curve(&truth, scores.view())?,
        Labels::Texts(truth) => plots::precision_recall_curve(&truth, scores.view())?,
    };
    Ok(plot.to_json())
}

#[pyfunction]
fn _plot_prediction_scatter(y_true: &Bound<'_, PyAny>, y_pred: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(plots::prediction_scatter(&numbers(y_true)?, &numbers(y_pred)?)?.to_json())
}

#[pyfunction]
fn _plot_error_histogram(y_true: &Bound<'_, PyAny>, y_pred: &Bound<'_, PyAny>) -> PyResult<String> {
    Ok(plots::error_histogram(&numbers(y_true)?, &numbers(y_pred)?)?.to_json())
}

#[pyfunction]
#[pyo3(signature = (names, importances, max_features=None))]
fn _plot_feature_importance(
    names: Vec<String>,
    importances: &Bound<'_, PyAny>,
    max_features: Option<usize>,
) -> PyResult<String> {
    Ok(plots::feature_importance(&names, &numbers(importances)?, max_features)?.to_json())
}

/// `series`: `(key, steps, values)` triples.
#[pyfunction]
fn _plot_metric_history(series: &Bound<'_, PyAny>) -> PyResult<String> {
    let mut columns: Vec<(String, Vec<i64>, Vec<f64>)> = Vec::new();
    for item in series.try_iter()? {
        let (key, steps, values): (String, Bound<'_, PyAny>, Bound<'_, PyAny>) = item?.extract()?;
        columns.push((key, convert::int_values(&steps, "steps")?, numbers(&values)?));
    }
    let plot = plots::metric_history(
        columns
            .iter()
            .map(|(key, steps, values)| (key.as_str(), &steps[..], &values[..])),
    )?;
    Ok(plot.to_json())
}

/// `columns`: `(name, values)` pairs.
#[pyfunction]
#[pyo3(signature = (columns, color_by=None))]
fn _plot_parallel_coordinates(columns: &Bound<'_, PyAny>, color_by: Option<String>) -> PyResult<String> {
    let mut named: Vec<(String, Vec<f64>)> = Vec::new();
    for item in columns.try_iter()? {
        let (name, values): (String, Bound<'_, PyAny>) = item?.extract()?;
        named.push((name, numbers(&values)?));
    }
    let plot = plots::parallel_coordinates(
        named.iter().map(|(name, values)| (name.as_str(), &values[..])),
        color_by.as_deref(),
    )?;
    Ok(plot.to_json())
}

/// A figure's JSON stored in the active run as `.html` (interactive page) or `.json`.
#[pyfunction]
fn _log_figure_json(py: Python<'_>, figure_json: &str, artifact_file: &str) -> PyResult<()> {
    let (run_id, tracker) = py.detach(fluent::active_or_new_run)?;
    Ok(py.detach(|| tracker.log_figure_json(&run_id, figure_json, artifact_file))?)
}

/// A figure already rendered to an image file's bytes (by plotly's kaleido, in the package).
#[pyfunction]
fn _log_figure_image(py: Python<'_>, image: &[u8], artifact_file: &str) -> PyResult<()> {
    let (run_id, tracker) = py.detach(fluent::active_or_new_run)?;
    Ok(py.detach(|| tracker.log_bytes(&run_id, image, artifact_file))?)
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(_plot_confusion_matrix, module)?)?;
    module.add_function(wrap_pyfunction!(_plot_roc_curve, module)?)?;
    module.add_function(wrap_pyfunction!(_plot_precision_recall_curve, module)?)?;
    module.add_function(wrap_pyfunction!(_plot_prediction_scatter, module)?)?;
    module.add_function(wrap_pyfunction!(_plot_error_histogram, module)?)?;
    module.add_function(wrap_pyfunction!(_plot_feature_importance, module)?)?;
    module.add_function(wrap_pyfunction!(_plot_metric_history, module)?)?;
    module.add_function(wrap_pyfunction!(_plot_parallel_coordinates, module)?)?;
    module.add_function(wrap_pyfunction!(_log_figure_json, module)?)?;
    module.add_function(wrap_pyfunction!(_log_figure_image, module)?)?;
    Ok(())
}
