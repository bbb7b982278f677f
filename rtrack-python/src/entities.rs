//! Read-only Python views of rtrack's entities, with MLflow's attribute names.
//! Runs are shared by `Arc`, so handing out `run.info` / `run.data` copies nothing big.

use std::collections::BTreeMap;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::PyResult;
use pyo3::types::PyDict;

use rtrack::entities::{Experiment, FileInfo, Metric, Run};

#[pyclass(frozen, name = "Experiment", module = "rtrack")]
pub struct PyExperiment(pub Experiment);

#[pymethods]
impl PyExperiment {
    #[getter]
    fn experiment_id(&self) -> String {
        self.0.experiment_id.to_string()
    }
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    #[getter]
    fn artifact_location(&self) -> &str {
        &self.0.artifact_location
    }
    #[getter]
    fn lifecycle_stage(&self) -> &str {
        self.0.lifecycle_stage.as_str()
    }
    #[getter]
    fn creation_time(&self) -> i64 {
        self.0.creation_time
    }
    #[getter]
    fn last_update_time(&self) -> i64 {
        self.0.last_update_time
    }
    #[getter]
    fn tags(&self) -> BTreeMap<String, String> {
        self.0.tags.clone()
    }
    fn __repr__(&self) -> String {
        format!(
            "<Experiment: experiment_id='{}', name={:?}, lifecycle_stage='{}'>",
            self.0.experiment_id, self.0.name, self.0.lifecycle_stage
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyExperiment>().is_ok_and(|o| o.get().0 == self.0)
    }
    fn _repr_html_(&self) -> String {
        rtrack::display::experiment_html(&self.0)
    }
}

#[pyclass(frozen, name = "Run", module = "rtrack")]
pub struct PyRun(pub Arc<Run>);

#[pymethods]
impl PyRun {
    #[getter]
    fn info(&self) -> PyRunInfo {
        PyRunInfo(Arc::clone(&self.0))
    }
    #[getter]
    fn data(&self) -> PyRunData {
        PyRunData(Arc::clone(&self.0))
    }
    fn __repr__(&self) -> String {
        format!(
            "<Run: run_id='{}', run_name={:?}, status='{}'>",
            self.0.info.run_id, self.0.info.run_name, self.0.info.status
        )
    }
    fn _repr_html_(&self) -> String {
        rtrack::display::run_html(&self.0)
    }
}

#[pyclass(frozen, name = "RunInfo", module = "rtrack")]
pub struct PyRunInfo(pub Arc<Run>);

#[pymethods]
impl PyRunInfo {
    #[getter]
    fn run_id(&self) -> &str {
        &self.0.info.run_id
    }
    /// MLflow's older name for `run_id`.
    #[getter]
    fn run_uuid(&self) -> &str {
        &self.0.info.run_id
    }
    #[getter]
    fn run_name(&self) -> &str {
        &self.0.info.run_name
    }
    #[getter]
    fn experiment_id(&self) -> String {
        self.0.info.experiment_id.to_string()
    }
    #[getter]
    fn user_id(&self) -> &str {
        &self.0.info.user_id
    }
    #[getter]
    fn status(&self) -> &str {
        self.0.info.status.as_str()
    }
    #[getter]
    fn start_time(&self) -> i64 {
        self.0.info.start_time
    }
    #[getter]
    fn end_time(&self) -> Option<i64> {
        self.0.info.end_time
    }
    #[getter]
    fn artifact_uri(&self) -> &str {
        &self.0.info.artifact_uri
    }
    #[getter]
    fn lifecycle_stage(&self) -> &str {
        self.0.info.lifecycle_stage.as_str()
    }
    fn __repr__(&self) -> String {
        let info = &self.0.info;
        format!(
            "<RunInfo: run_id='{}', run_name={:?}, experiment_id='{}', status='{}', lifecycle_stage='{}'>",
            info.run_id, info.run_name, info.experiment_id, info.status, info.lifecycle_stage
        )
    }
}

#[pyclass(frozen, name = "RunData", module = "rtrack")]
pub struct PyRunData(pub Arc<Run>);

#[pymethods]
impl PyRunData {
    #[getter]
    fn params(&self) -> BTreeMap<String, String> {
        self.0.data.params.clone()
    }
    /// The latest value of each metric.
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(py);
        for (key, metric) in &self.0.data.metrics {
            dict.set_item(key, metric.value)?;
        }
        Ok(dict)
    }
    #[getter]
    fn tags(&self) -> BTreeMap<String, String> {
        self.0.data.tags.clone()
    }
    fn __repr__(&self) -> String {
        let data = &self.0.data;
        format!(
            "<RunData: {} params, {} metrics, {} tags>",
            data.params.len(),
            data.metrics.len(),
            data.tags.len()
        )
    }
}

#[pyclass(frozen, name = "Metric", module = "rtrack")]
pub struct PyMetric(pub Metric);

#[pymethods]
impl PyMetric {
    #[new]
    #[pyo3(signature = (key, value, timestamp, step))]
    fn new(key: String, value: f64, timestamp: i64, step: i64) -> Self {
        PyMetric(Metric {
            key,
            value,
            timestamp,
            step,
        })
    }
    #[getter]
    fn key(&self) -> &str {
        &self.0.key
    }
    #[getter]
    fn value(&self) -> f64 {
        self.0.value
    }
    #[getter]
    fn timestamp(&self) -> i64 {
        self.0.timestamp
    }
    #[getter]
    fn step(&self) -> i64 {
        self.0.step
    }
    fn __repr__(&self) -> String {
        format!(
            "<Metric: key={:?}, value={}, step={}, timestamp={}>",
            self.0.key, self.0.value, self.0.step, self.0.timestamp
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyMetric>().is_ok_and(|o| {
            let o = &o.get().0;
            o.key == self.0.key
                && o.value.to_bits() == self.0.value.to_bits()
                && o.step == self.0.step
                && o.timestamp == self.0.timestamp
        })
    }
}

/// A key and a value: MLflow's `Param` and `RunTag`, for `log_batch`.
#[pyclass(frozen, name = "Param", module = "rtrack")]
pub struct PyParam {
    #[pyo3(get)]
    key: String,
    #[pyo3(get)]
    value: String,
}

#[pymethods]
impl PyParam {
    #[new]
    fn new(key: String, value: String) -> Self {
        PyParam { key, value }
    }
    fn __repr__(&self) -> String {
        format!("<Param: key={:?}, value={:?}>", self.key, self.value)
    }
}

#[pyclass(frozen, name = "RunTag", module = "rtrack")]
pub struct PyRunTag {
    #[pyo3(get)]
    key: String,
    #[pyo3(get)]
    value: String,
}

#[pymethods]
impl PyRunTag {
    #[new]
    fn new(key: String, value: String) -> Self {
        PyRunTag { key, value }
    }
    fn __repr__(&self) -> String {
        format!("<RunTag: key={:?}, value={:?}>", self.key, self.value)
    }
}

#[pyclass(frozen, name = "FileInfo", module = "rtrack")]
pub struct PyFileInfo(pub FileInfo);

#[pymethods]
impl PyFileInfo {
    #[getter]
    fn path(&self) -> &str {
        &self.0.path
    }
    #[getter]
    fn is_dir(&self) -> bool {
        self.0.is_dir
    }
    #[getter]
    fn file_size(&self) -> Option<u64> {
        self.0.file_size
    }
    fn __repr__(&self) -> String {
        let size = self.0.file_size.map_or("None".to_string(), |s| s.to_string());
        let is_dir = if self.0.is_dir { "True" } else { "False" };
        format!("<FileInfo: path={:?}, is_dir={is_dir}, file_size={size}>", self.0.path)
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyExperiment>()?;
    module.add_class::<PyRun>()?;
    module.add_class::<PyRunInfo>()?;
    module.add_class::<PyRunData>()?;
    module.add_class::<PyMetric>()?;
    module.add_class::<PyParam>()?;
    module.add_class::<PyRunTag>()?;
    module.add_class::<PyFileInfo>()?;
    Ok(())
}
