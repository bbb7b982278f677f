//! Read-only Python views of the registry's entities and logged models, with MLflow's
//! attribute names. Version numbers are strings, as MLflow declares them.

use std::collections::BTreeMap;

use pyo3::prelude::*;

use crate::errors::PyResult;

use rtrack::entities::{LoggedModel, LoggedModelMetric, ModelVersion, RegisteredModel};

#[pyclass(frozen, name = "RegisteredModel", module = "rtrack")]
pub struct PyRegisteredModel(pub RegisteredModel);

#[pymethods]
impl PyRegisteredModel {
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    #[getter]
    fn creation_timestamp(&self) -> i64 {
        self.0.creation_timestamp
    }
    #[getter]
    fn last_updated_timestamp(&self) -> i64 {
        self.0.last_updated_timestamp
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    #[getter]
    fn latest_versions(&self) -> Vec<PyModelVersion> {
        self.0.latest_versions.iter().cloned().map(PyModelVersion).collect()
    }
    #[getter]
    fn tags(&self) -> BTreeMap<String, String> {
        self.0.tags.clone()
    }
    /// Alias -> version.
    #[getter]
    fn aliases(&self) -> BTreeMap<String, String> {
        self.0
            .aliases
            .iter()
            .map(|a| (a.alias.clone(), a.version.to_string()))
            .collect()
    }
    fn __repr__(&self) -> String {
        format!(
            "<RegisteredModel: name={:?}, latest_versions={}>",
            self.0.name,
            self.0.latest_versions.len()
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyRegisteredModel>().is_ok_and(|o| o.get().0 == self.0)
    }
}

#[pyclass(frozen, name = "ModelVersion", module = "rtrack")]
pub struct PyModelVersion(pub ModelVersion);

#[pymethods]
impl PyModelVersion {
    #[getter]
    fn name(&self) -> &str {
        &self.0.name
    }
    #[getter]
    fn version(&self) -> String {
        self.0.version.to_string()
    }
    #[getter]
    fn creation_timestamp(&self) -> i64 {
        self.0.creation_timestamp
    }
    #[getter]
    fn last_updated_timestamp(&self) -> i64 {
        self.0.last_updated_timestamp
    }
    #[getter]
    fn current_stage(&self) -> &str {
        self.0.current_stage.as_str()
    }
    #[getter]
    fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    #[getter]
    fn source(&self) -> &str {
        &self.0.source
    }
    #[getter]
    fn run_id(&self) -> Option<&str> {
        self.0.run_id.as_deref()
    }
    #[getter]
    fn run_link(&self) -> Option<&str> {
        self.0.run_link.as_deref()
    }
    #[getter]
    fn status(&self) -> &str {
        self.0.status.as_str()
    }
    #[getter]
    fn status_message(&self) -> Option<&str> {
        self.0.status_message.as_deref()
    }
    #[getter]
    fn tags(&self) -> BTreeMap<String, String> {
        self.0.tags.clone()
    }
    #[getter]
    fn aliases(&self) -> Vec<String> {
        self.0.aliases.clone()
    }
    #[getter]
    fn model_id(&self) -> Option<&str> {
        self.0.model_id.as_deref()
    }
    fn __repr__(&self) -> String {
        format!(
            "<ModelVersion: name={:?}, version='{}', current_stage='{}', aliases={:?}>",
            self.0.name, self.0.version, self.0.current_stage, self.0.aliases
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyModelVersion>().is_ok_and(|o| o.get().0 == self.0)
    }
}

/// One metric value of a logged model, possibly on a named dataset.
#[pyclass(frozen, name = "LoggedModelMetric", module = "rtrack")]
pub struct PyLoggedModelMetric {
    metric: LoggedModelMetric,
    model_id: String,
}

#[pymethods]
impl PyLoggedModelMetric {
    #[getter]
    fn key(&self) -> &str {
        &self.metric.key
    }
    #[getter]
    fn value(&self) -> f64 {
        self.metric.value
    }
    #[getter]
    fn timestamp(&self) -> i64 {
        self.metric.timestamp
    }
    #[getter]
    fn step(&self) -> i64 {
        self.metric.step
    }
    #[getter]
    fn run_id(&self) -> Option<&str> {
        self.metric.run_id.as_deref()
    }
    #[getter]
    fn dataset_name(&self) -> Option<&str> {
        self.metric.dataset_name.as_deref()
    }
    #[getter]
    fn dataset_digest(&self) -> Option<&str> {
        self.metric.dataset_digest.as_deref()
    }
    #[getter]
    fn model_id(&self) -> &str {
        &self.model_id
    }
    fn __repr__(&self) -> String {
        let m = &self.metric;
        format!(
            "<LoggedModelMetric: key={:?}, value={}, step={}, dataset_name={:?}>",
            m.key, m.value, m.step, m.dataset_name
        )
    }
}

#[pyclass(frozen, name = "LoggedModel", module = "rtrack")]
pub struct PyLoggedModel(pub LoggedModel);

#[pymethods]
impl PyLoggedModel {
    #[getter]
    fn model_id(&self) -> &str {
        &self.0.model_id
    }
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
    fn creation_timestamp(&self) -> i64 {
        self.0.creation_timestamp_ms
    }
    #[getter]
    fn last_updated_timestamp(&self) -> i64 {
        self.0.last_updated_timestamp_ms
    }
    #[getter]
    fn status(&self) -> &str {
        self.0.status.as_str()
    }
    #[getter]
    fn status_message(&self) -> Option<&str> {
        self.0.status_message.as_deref()
    }
    #[getter]
    fn model_type(&self) -> Option<&str> {
        self.0.model_type.as_deref()
    }
    #[getter]
    fn source_run_id(&self) -> Option<&str> {
        self.0.source_run_id.as_deref()
    }
    #[getter]
    fn tags(&self) -> BTreeMap<String, String> {
        self.0.tags.clone()
    }
    #[getter]
    fn params(&self) -> BTreeMap<String, String> {
        self.0.params.clone()
    }
    #[getter]
    fn metrics(&self) -> Vec<PyLoggedModelMetric> {
        let model_id = &self.0.model_id;
        self.0
            .metrics
            .iter()
            .map(|m| PyLoggedModelMetric {
                metric: m.clone(),
                model_id: model_id.clone(),
            })
            .collect()
    }
    #[getter]
    fn model_uri(&self) -> String {
        self.0.model_uri()
    }
    fn __repr__(&self) -> String {
        format!(
            "<LoggedModel: model_id='{}', name={:?}, status='{}'>",
            self.0.model_id, self.0.name, self.0.status
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyLoggedModel>().is_ok_and(|o| o.get().0 == self.0)
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyRegisteredModel>()?;
    module.add_class::<PyModelVersion>()?;
    module.add_class::<PyLoggedModel>()?;
    module.add_class::<PyLoggedModelMetric>()?;
    Ok(())
}
