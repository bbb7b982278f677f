//! `rtrack.metrics`: class labels, targets and scores from Python into `rtrack::metrics`, and
//! reports back as dicts of floats (ready for `rtrack.log_metrics`).

use numpy::PyReadonlyArray2;
use pyo3::prelude::*;

use crate::errors::PyResult;
use pyo3::types::{PyDict, PyList, PyTuple};

use rtrack::error::Error;
use rtrack::metrics::{self, Scores};

use super::convert;

/// A column of class labels, as Python gave it: integers (or whole floats) or strings.
pub enum Labels {
    Integers(Vec<i64>),
    Texts(Vec<String>),
}

/// `y_true` and `y_pred` of one kind of label, so they can be compared.
pub enum LabelPair {
    Integers(Vec<i64>, Vec<i64>),
    Texts(Vec<String>, Vec<String>),
}

/// A list of labels (the package turns arrays and Series into lists first).
pub fn labels(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Labels> {
    if let Ok(values) = obj.extract::<Vec<i64>>() {
        return Ok(Labels::Integers(values));
    }
    if let Ok(values) = obj.extract::<Vec<String>>() {
        return Ok(Labels::Texts(values));
    }
    if let Ok(values) = obj.extract::<Vec<f64>>() {
        return Ok(Labels::Integers(metrics::integer_labels(&values, name)?));
    }
    Err(Error::invalid(format!(
        "{name} must hold class labels, all integers or all strings; got a {} that holds neither",
        convert::type_name(obj)
    ))
    .into())
}

pub fn label_pair(y_true: &Bound<'_, PyAny>, y_pred: &Bound<'_, PyAny>) -> PyResult<LabelPair> {
    match (labels(y_true, "y_true")?, labels(y_pred, "y_pred")?) {
        (Labels::Integers(truth), Labels::Integers(prediction)) => Ok(LabelPair::Integers(truth, prediction)),
        (Labels::Texts(truth), Labels::Texts(prediction)) => Ok(LabelPair::Texts(truth, prediction)),
        _ => Err(Error::invalid(
            "y_true and y_pred hold different kinds of labels (integers and strings): use one kind",
        )
        .into()),
    }
}

/// Scores as Python gave them: a float64 matrix (one column per class) or one per sample.
pub enum ScoreColumns<'py> {
    Positive(Vec<f64>),
    PerClass(PyReadonlyArray2<'py, f64>),
}

impl ScoreColumns<'_> {
    pub fn view(&self) -> Scores<'_> {
        match self {
            ScoreColumns::Positive(scores) => Scores::Positive(scores),
            ScoreColumns::PerClass(matrix) => Scores::PerClass(matrix.as_array()),
        }
    }
}

/// The package hands matrices over as float64 numpy arrays; anything else is one column.
pub fn score_columns<'py>(obj: &Bound<'py, PyAny>) -> PyResult<ScoreColumns<'py>> {
    if let Ok(matrix) = obj.extract::<PyReadonlyArray2<'py, f64>>() {
        return Ok(ScoreColumns::PerClass(matrix));
    }
    Ok(ScoreColumns::Positive(numbers(obj)?))
}

/// Numbers from a list or tuple read directly (so lists never load numpy), else as
/// `convert::float_values` reads arrays.
pub fn numbers(obj: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        if let Ok(values) = obj.extract::<Vec<f64>>() {
            return Ok(values);
        }
    }
    convert::float_values(obj)
}

fn report_dict<'py>(py: Python<'py>, metrics: Vec<(&'static str, f64)>) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    for (name, value) in metrics {
        dict.set_item(name, value)?;
    }
    Ok(dict)
}

#[pyfunction]
#[pyo3(signature = (y_true, y_pred, y_score=None))]
fn _classification_report<'py>(
    py: Python<'py>,
    y_true: &Bound<'py, PyAny>,
    y_pred: &Bound<'py, PyAny>,
    y_score: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let scores = y_score.filter(|s| !s.is_none()).map(score_columns).transpose()?;
    let scores = scores.as_ref().map(ScoreColumns::view);
    let report = match label_pair(y_true, y_pred)? {
        LabelPair::Integers(truth, prediction) => metrics::classification_report(&truth, &prediction, scores)?,
        LabelPair::Texts(truth, prediction) => metrics::classification_report(&truth, &prediction, scores)?,
    };
    report_dict(py, report.metrics())
}

#[pyfunction]
fn _regression_report<'py>(
    py: Python<'py>,
    y_true: &Bound<'py, PyAny>,
    y_pred: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let report = metrics::regression_report(&numbers(y_true)?, &numbers(y_pred)?)?;
    report_dict(py, report.metrics())
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_function(wrap_pyfunction!(_classification_report, module)?)?;
    module.add_function(wrap_pyfunction!(_regression_report, module)?)?;
    Ok(())
}
