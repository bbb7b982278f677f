//! Search results as columns in MLflow's `search_runs` DataFrame layout:
//! `run_id, experiment_id, status, artifact_uri, start_time, end_time`, then
//! `metrics.<k>`, `params.<k>`, `tags.<k>` (sorted), one value per run.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use numpy::IntoPyArray;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};

use super::entities::PyRun;
use crate::entities::{Fnv, RunTable, RunTableBuilder};

/// The Python string made for each shared value, by the value's address.
type Strings<'py> = HashMap<*const u8, Bound<'py, PyString>, BuildHasherDefault<Fnv>>;

/// numpy's NaT (not a time) in an int64 view of a datetime64 array.
const NOT_A_TIME: i64 = i64::MIN;

/// Columns for `pandas.DataFrame(...)` from Run objects.
#[pyfunction]
pub fn runs_to_columns<'py>(py: Python<'py>, runs: Vec<Bound<'py, PyRun>>) -> PyResult<Bound<'py, PyDict>> {
    let mut builder = RunTableBuilder::default();
    for run in &runs {
        builder.push_run(&run.get().0);
    }
    table_to_columns(py, builder.finish())
}

/// Columns for `pandas.DataFrame(...)`. Times are int64 microseconds since the epoch with
/// i64::MIN for a run that has not ended: numpy's `datetime64[us]` layout, NaT included, so
/// the caller only relabels them (no per-value conversion in Python).
pub fn table_to_columns<'py>(py: Python<'py>, table: RunTable) -> PyResult<Bound<'py, PyDict>> {
    let columns = PyDict::new(py);
    columns.set_item("run_id", &table.run_ids)?;
    columns.set_item("experiment_id", table.experiment_ids.iter().map(|id| id.to_string()).collect::<Vec<_>>())?;
    columns.set_item("status", table.statuses.iter().map(|s| s.as_str()).collect::<Vec<_>>())?;
    columns.set_item("artifact_uri", &table.artifact_uris)?;
    // Numbers go out as numpy arrays: pandas takes them without looking at each cell.
    let micros = |millis: i64| millis.saturating_mul(1000);
    let start_times: Vec<i64> = table.start_times.iter().map(|&t| micros(t)).collect();
    columns.set_item("start_time", start_times.into_pyarray(py))?;
    let end_times: Vec<i64> = table.end_times.iter().map(|t| t.map_or(NOT_A_TIME, micros)).collect();
    columns.set_item("end_time", end_times.into_pyarray(py))?;
    for (key, values) in table.metrics {
        columns.set_item(format!("metrics.{key}"), values.into_pyarray(py))?;
    }
    // Runs share their param and tag values (see RunTable), and so do the Python strings.
    let mut strings: Strings<'py> = HashMap::default();
    for (prefix, map) in [("params", &table.params), ("tags", &table.tags)] {
        for (key, values) in map {
            columns.set_item(format!("{prefix}.{key}"), string_column(py, values, &mut strings)?)?;
        }
    }
    Ok(columns)
}

fn string_column<'py>(
    py: Python<'py>,
    values: &[Option<Arc<str>>],
    strings: &mut Strings<'py>,
) -> PyResult<Bound<'py, PyList>> {
    let cells = values.iter().map(|value| match value {
        // The table holds each Arc for as long as `strings` lives, so its address is a
        // stable key for the value.
        Some(text) => strings.entry(text.as_ptr()).or_insert_with(|| PyString::new(py, text)).clone().into_any(),
        None => py.None().into_bound(py),
    });
    PyList::new(py, cells)
}
