//! Search results as columns in MLflow's `search_runs` DataFrame layout:
//! `run_id, experiment_id, status, artifact_uri, start_time, end_time`, then
//! `metrics.<k>`, `params.<k>`, `tags.<k>` (sorted), one value per run.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use numpy::IntoPyArray;
use pyo3::prelude::*;

use crate::errors::PyResult;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use super::entities::PyRun;
use rtrack::entities::{Fnv, RunTable, RunTableBuilder};

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
    table_to_columns(py, builder.finish(), TextColumns::Lists)
}

/// How text columns go to Python.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextColumns {
    /// Lists of `str` (or None).
    Lists,
    /// Arrow's large-string layout, `(offsets, data, validity or None, null count)` as numpy
    /// arrays, which pyarrow wraps without making a Python object per value.
    ArrowBuffers,
}

/// Columns for `pandas.DataFrame(...)`. Times are int64 microseconds since the epoch with
/// i64::MIN for a run that has not ended: numpy's `datetime64[us]` layout, NaT included, so
/// the caller only relabels them (no per-value conversion in Python).
pub fn table_to_columns<'py>(py: Python<'py>, table: RunTable, text: TextColumns) -> PyResult<Bound<'py, PyDict>> {
    let columns = PyDict::new(py);
    let experiment_ids: Vec<String> = table.experiment_ids.iter().map(|id| id.to_string()).collect();
    let statuses = table.statuses.iter().map(|s| s.as_str());
    if text == TextColumns::ArrowBuffers {
        columns.set_item("run_id", arrow_text(py, table.run_ids.iter().map(Some))?)?;
        columns.set_item("experiment_id", arrow_text(py, experiment_ids.iter().map(Some))?)?;
        columns.set_item("status", arrow_text(py, statuses.map(Some))?)?;
        columns.set_item("artifact_uri", arrow_text(py, table.artifact_uris.iter().map(Some))?)?;
    } else {
        columns.set_item("run_id", &table.run_ids)?;
        columns.set_item("experiment_id", experiment_ids)?;
        columns.set_item("status", statuses.collect::<Vec<_>>())?;
        columns.set_item("artifact_uri", &table.artifact_uris)?;
    }
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
            let name = format!("{prefix}.{key}");
            match text {
                TextColumns::Lists => columns.set_item(name, string_column(py, values, &mut strings)?)?,
                TextColumns::ArrowBuffers => {
                    columns.set_item(name, arrow_text(py, values.iter().map(Option::as_ref))?)?
                }
            }
        }
    }
    Ok(columns)
}

/// A text column in Arrow's large-string layout: value i is `data[offsets[i]..offsets[i + 1]]`,
/// present where bit i of the validity bitmap is set (no bitmap when none is missing).
fn arrow_text<'py, S: AsRef<str>>(
    py: Python<'py>,
    values: impl ExactSizeIterator<Item = Option<S>>,
) -> PyResult<Bound<'py, PyTuple>> {
    let count = values.len();
    let mut offsets: Vec<i64> = Vec::with_capacity(count + 1);
    offsets.push(0);
    let mut data: Vec<u8> = Vec::new();
    let mut validity = vec![0u8; count.div_ceil(8)];
    let mut missing = 0usize;
    for (index, value) in values.enumerate() {
        match value {
            Some(text) => {
                data.extend_from_slice(text.as_ref().as_bytes());
                validity[index / 8] |= 1 << (index % 8);
            }
            None => missing += 1,
        }
        offsets.push(data.len() as i64);
    }
    let validity = (missing > 0).then(|| validity.into_pyarray(py));
    Ok((offsets.into_pyarray(py), data.into_pyarray(py), validity, missing).into_pyobject(py)?)
}

fn string_column<'py>(
    py: Python<'py>,
    values: &[Option<Arc<str>>],
    strings: &mut Strings<'py>,
) -> PyResult<Bound<'py, PyList>> {
    let cells = values.iter().map(|value| match value {
        // The table holds each Arc for as long as `strings` lives, so its address is a
        // stable key for the value.
        Some(text) => strings
            .entry(text.as_ptr())
            .or_insert_with(|| PyString::new(py, text))
            .clone()
            .into_any(),
        None => py.None().into_bound(py),
    });
    Ok(PyList::new(py, cells)?)
}
