//! Search results as columns in MLflow's `search_runs` DataFrame layout:
//! `run_id, experiment_id, status, artifact_uri, start_time, end_time`, then
//! `metrics.<k>`, `params.<k>`, `tags.<k>` (sorted), one value per run.

use std::collections::BTreeSet;

use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use super::entities::PyRun;

/// numpy's NaT (not a time) in an int64 view of a datetime64 array.
const NOT_A_TIME: i64 = i64::MIN;

/// Columns for `pandas.DataFrame(...)`. Times are int64 microseconds since the epoch with
/// i64::MIN for a run that has not ended: numpy's `datetime64[us]` layout, NaT included, so
/// the caller only relabels them (no per-value conversion in Python).
#[pyfunction]
pub fn runs_to_columns<'py>(py: Python<'py>, runs: Vec<Bound<'py, PyRun>>) -> PyResult<Bound<'py, PyDict>> {
    let runs: Vec<&crate::entities::Run> = runs.iter().map(|r| r.get().0.as_ref()).collect();
    let columns = PyDict::new(py);
    columns.set_item("run_id", runs.iter().map(|r| r.info.run_id.as_str()).collect::<Vec<_>>())?;
    columns.set_item("experiment_id", runs.iter().map(|r| r.info.experiment_id.to_string()).collect::<Vec<_>>())?;
    columns.set_item("status", runs.iter().map(|r| r.info.status.as_str()).collect::<Vec<_>>())?;
    columns.set_item("artifact_uri", runs.iter().map(|r| r.info.artifact_uri.as_str()).collect::<Vec<_>>())?;
    // Numbers go out as numpy arrays: pandas takes them without looking at each cell.
    let micros = |millis: i64| millis.saturating_mul(1000);
    let start_times: Vec<i64> = runs.iter().map(|r| micros(r.info.start_time)).collect();
    columns.set_item("start_time", start_times.into_pyarray(py))?;
    let end_times: Vec<i64> = runs.iter().map(|r| r.info.end_time.map_or(NOT_A_TIME, micros)).collect();
    columns.set_item("end_time", end_times.into_pyarray(py))?;

    let metric_keys: BTreeSet<&str> = runs.iter().flat_map(|r| r.data.metrics.keys().map(String::as_str)).collect();
    for key in metric_keys {
        let values: Vec<f64> = runs.iter().map(|r| r.data.metrics.get(key).map_or(f64::NAN, |m| m.value)).collect();
        columns.set_item(format!("metrics.{key}"), values.into_pyarray(py))?;
    }
    for (prefix, pick) in [
        ("params", (|r: &crate::entities::Run| &r.data.params) as fn(&crate::entities::Run) -> &std::collections::BTreeMap<String, String>),
        ("tags", |r: &crate::entities::Run| &r.data.tags),
    ] {
        let keys: BTreeSet<&str> = runs.iter().flat_map(|r| pick(r).keys().map(String::as_str)).collect();
        for key in keys {
            let values = PyList::new(py, runs.iter().map(|r| pick(r).get(key).map(String::as_str)))?;
            columns.set_item(format!("{prefix}.{key}"), values)?;
        }
    }
    Ok(columns)
}
