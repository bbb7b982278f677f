//! The module-level verbs (`rtrack.start_run`, `rtrack.log_metric`, ...): argument
//! conversion around `rtrack::api::fluent`, with the GIL released for anything that may
//! wait on the disk.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::PyResult;
use pyo3::types::PyDict;

use rtrack::api::fluent::{self, StartRun};
use rtrack::api::Tracker;
use rtrack::entities::RunStatus;

use super::convert;
use super::entities::{PyExperiment, PyFileInfo, PyRun};

fn tracker(py: Python<'_>) -> PyResult<Tracker> {
    Ok(py.detach(fluent::tracker)?)
}

/// The active run (started if there is none) and the store it lives in.
fn active(py: Python<'_>) -> PyResult<(String, Tracker)> {
    Ok(py.detach(fluent::active_or_new_run)?)
}

/// The run handed out by `start_run` and `active_run`; a context manager that ends the run
/// (FAILED when the block raised, FINISHED otherwise).
#[pyclass(frozen, name = "ActiveRun", module = "rtrack")]
pub struct PyActiveRun {
    run_id: String,
    /// The `rtrack.Live` chart of `start_run(live=...)`; stopped when the run's block ends.
    live: Option<Py<PyAny>>,
}

impl PyActiveRun {
    fn new(run_id: String) -> Self {
        PyActiveRun { run_id, live: None }
    }
}

#[pymethods]
impl PyActiveRun {
    /// The run as stored now.
    fn get_run(&self, py: Python<'_>) -> PyResult<PyRun> {
        let tracker = tracker(py)?;
        Ok(PyRun(Arc::new(py.detach(|| tracker.get_run(&self.run_id))?)))
    }
    #[getter]
    fn info(&self, py: Python<'_>) -> PyResult<super::entities::PyRunInfo> {
        Ok(super::entities::PyRunInfo(self.get_run(py)?.0))
    }
    #[getter]
    fn data(&self, py: Python<'_>) -> PyResult<super::entities::PyRunData> {
        Ok(super::entities::PyRunData(self.get_run(py)?.0))
    }
    fn __enter__(slf: Py<Self>) -> Py<Self> {
        slf
    }
    #[pyo3(signature = (exc_type=None, _exc_value=None, _traceback=None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: Option<&Bound<'_, PyAny>>,
        _exc_value: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<bool> {
        let failed = exc_type.is_some_and(|t| !t.is_none());
        let status = if failed { RunStatus::Failed } else { RunStatus::Finished };
        // The chart draws its last points first; the run ends even if that fails.
        let stopped = self
            .live
            .as_ref()
            .map_or(Ok(()), |live| live.bind(py).call_method0("stop").map(drop));
        py.detach(|| fluent::end_run_by_id(&self.run_id, status))?;
        stopped?;
        Ok(false)
    }
    /// The live chart `start_run(live=...)` drew under the cell, or None.
    #[getter]
    fn live(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.live.as_ref().map(|live| live.clone_ref(py))
    }
    fn __repr__(&self) -> String {
        format!("<ActiveRun: run_id='{}'>", self.run_id)
    }
    /// The run as stored now, as HTML.
    fn _repr_html_(&self, py: Python<'_>) -> PyResult<String> {
        Ok(rtrack::display::run_html(&self.get_run(py)?.0))
    }
}

#[pyfunction]
#[pyo3(signature = (uri=None))]
fn set_tracking_uri(uri: Option<PathBuf>) -> PyResult<()> {
    let uri = uri.map(convert::tracking_uri).transpose()?;
    Ok(fluent::set_tracking_uri(uri.as_deref())?)
}

#[pyfunction]
fn get_tracking_uri() -> String {
    fluent::get_tracking_uri()
}

/// Whether a tracking URI was set in code or by the environment (else ``./rtruns``).
///
/// >>> rtrack.is_tracking_uri_set()
/// True
#[pyfunction]
fn is_tracking_uri_set() -> bool {
    fluent::is_tracking_uri_set()
}

/// Where runs say they come from (`mlflow.source.name` / `.type`); set by the package.
#[pyfunction]
fn _set_source(name: String, kind: String, user: String) {
    fluent::set_source(rtrack::api::Source { name, kind });
    fluent::set_user(user);
}

#[pyfunction]
#[pyo3(signature = (experiment_name=None, experiment_id=None))]
fn set_experiment(
    py: Python<'_>,
    experiment_name: Option<String>,
    experiment_id: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyExperiment> {
    let id = experiment_id
        .filter(|o| !o.is_none())
        .map(convert::experiment_id)
        .transpose()?;
    Ok(PyExperiment(
        py.detach(|| fluent::set_experiment(experiment_name.as_deref(), id))?,
    ))
}

#[pyfunction]
#[pyo3(signature = (run_id=None, experiment_id=None, run_name=None, nested=false, tags=None, description=None, live=None))]
#[allow(clippy::too_many_arguments)]
fn start_run(
    py: Python<'_>,
    run_id: Option<String>,
    experiment_id: Option<&Bound<'_, PyAny>>,
    run_name: Option<String>,
    nested: bool,
    tags: Option<&Bound<'_, PyAny>>,
    description: Option<String>,
    live: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyActiveRun> {
    // Checked before the run starts, so a wrong value starts nothing.
    let live_keys = convert::live_keys(live)?;
    let args = StartRun {
        run_id,
        experiment_id: experiment_id
            .filter(|o| !o.is_none())
            .map(convert::experiment_id)
            .transpose()?,
        run_name,
        nested,
        tags: convert::string_pairs(tags)?,
        description,
    };
    let run = py.detach(|| fluent::start_run(args))?;
    let mut active = PyActiveRun::new(run.info.run_id);
    if let Some(keys) = live_keys {
        match live_chart(py, keys, &active.run_id) {
            Ok(chart) => active.live = Some(chart),
            Err(error) => {
                let _ = py.detach(|| fluent::end_run_by_id(&active.run_id, RunStatus::Failed));
                return Err(error);
            }
        }
    }
    Ok(active)
}

/// `rtrack.Live(keys, run_id=run_id)`: the chart and its redrawing live in `rtrack._live`.
fn live_chart(py: Python<'_>, keys: Vec<String>, run_id: &str) -> PyResult<Py<PyAny>> {
    let keys = if keys.is_empty() { None } else { Some(keys) };
    let options = PyDict::new(py);
    options.set_item("run_id", run_id)?;
    Ok(py
        .import("rtrack._live")?
        .getattr("Live")?
        .call((keys,), Some(&options))?
        .unbind())
}

#[pyfunction]
#[pyo3(signature = (status="FINISHED"))]
fn end_run(py: Python<'_>, status: &str) -> PyResult<()> {
    let status = convert::run_status(status)?;
    Ok(py.detach(|| fluent::end_run(status))?)
}

/// End every active run and flush every store (registered with `atexit`).
#[pyfunction]
#[pyo3(signature = (status="FINISHED"))]
fn _end_all_runs(py: Python<'_>, status: &str) -> PyResult<()> {
    let status = convert::run_status(status)?;
    Ok(py.detach(|| fluent::end_all_runs(status))?)
}

/// The experiment new runs go to (what `search_runs` searches by default).
#[pyfunction]
fn _current_experiment_id(py: Python<'_>) -> PyResult<String> {
    let tracker = tracker(py)?;
    Ok(py.detach(|| fluent::current_experiment_id(&tracker))?.to_string())
}

#[pyfunction]
fn active_run() -> Option<PyActiveRun> {
    fluent::active_run_id().map(PyActiveRun::new)
}

#[pyfunction]
fn last_active_run(py: Python<'_>) -> PyResult<Option<PyRun>> {
    let Some(run_id) = fluent::last_active_run_id() else {
        return Ok(None);
    };
    let tracker = tracker(py)?;
    Ok(Some(PyRun(Arc::new(py.detach(|| tracker.get_run(&run_id))?))))
}

#[pyfunction]
fn log_param<'py>(py: Python<'py>, key: &str, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let text = value.str()?.to_string();
    let (run_id, tracker) = active(py)?;
    py.detach(|| tracker.log_param(&run_id, key, text))?;
    Ok(value)
}

#[pyfunction]
fn log_params(py: Python<'_>, params: &Bound<'_, PyAny>) -> PyResult<()> {
    let pairs = convert::string_pairs(Some(params))?;
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_params(&run_id, &pairs))?)
}

/// The hot path: a few hundred nanoseconds, the point is written in the background.
#[pyfunction]
#[pyo3(signature = (key, value, step=None, timestamp=None))]
fn log_metric(key: &str, value: f64, step: Option<i64>, timestamp: Option<i64>) -> PyResult<()> {
    Ok(fluent::log_metric(key, value, step, timestamp)?)
}

#[pyfunction]
#[pyo3(signature = (metrics, step=None, timestamp=None))]
fn log_metrics(metrics: &Bound<'_, PyDict>, step: Option<i64>, timestamp: Option<i64>) -> PyResult<()> {
    let timestamp = timestamp.unwrap_or_else(rtrack::entities::now_millis);
    for (key, value) in metrics.iter() {
        fluent::log_metric(&key.str()?.to_string(), value.extract()?, step, Some(timestamp))?;
    }
    Ok(())
}

#[pyfunction]
#[pyo3(signature = (key, values, steps=None, timestamps=None))]
fn log_metric_series(
    py: Python<'_>,
    key: &str,
    values: &Bound<'_, PyAny>,
    steps: Option<&Bound<'_, PyAny>>,
    timestamps: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let (values, steps, timestamps) = convert::series_columns(values, steps, timestamps)?;
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_metric_series(&run_id, key, values, steps, timestamps))?)
}

#[pyfunction]
fn set_tag(py: Python<'_>, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
    let text = value.str()?.to_string();
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.set_tag(&run_id, key, &text))?)
}

#[pyfunction]
fn set_tags(py: Python<'_>, tags: &Bound<'_, PyAny>) -> PyResult<()> {
    let pairs = convert::string_pairs(Some(tags))?;
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.set_tags(&run_id, &pairs))?)
}

#[pyfunction]
fn delete_tag(py: Python<'_>, key: &str) -> PyResult<()> {
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.delete_tag(&run_id, key))?)
}

#[pyfunction]
fn flush(py: Python<'_>) -> PyResult<()> {
    Ok(py.detach(fluent::flush_all)?)
}

#[pyfunction]
#[pyo3(signature = (local_path, artifact_path=None))]
fn log_artifact(py: Python<'_>, local_path: PathBuf, artifact_path: Option<String>) -> PyResult<()> {
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_artifact(&run_id, &local_path, artifact_path.as_deref()))?)
}

#[pyfunction]
#[pyo3(signature = (local_dir, artifact_path=None))]
fn log_artifacts(py: Python<'_>, local_dir: PathBuf, artifact_path: Option<String>) -> PyResult<()> {
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_artifacts(&run_id, &local_dir, artifact_path.as_deref()))?)
}

#[pyfunction]
fn log_text(py: Python<'_>, text: &str, artifact_file: &str) -> PyResult<()> {
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_text(&run_id, text, artifact_file))?)
}

#[pyfunction]
fn log_dict(py: Python<'_>, dictionary: &Bound<'_, PyAny>, artifact_file: &str) -> PyResult<()> {
    let value = convert::to_json(dictionary, false)?;
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_dict(&run_id, &value, artifact_file))?)
}

/// PNG from 8-bit pixels; the package turns numpy arrays and PIL images into these.
#[pyfunction]
fn _log_image_pixels(
    py: Python<'_>,
    pixels: Vec<u8>,
    height: u32,
    width: u32,
    channels: u8,
    artifact_file: &str,
) -> PyResult<()> {
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_image(&run_id, &pixels, height, width, channels, artifact_file))?)
}

/// A table from a dict of columns; the package turns DataFrames into these.
#[pyfunction]
fn _log_table_columns(py: Python<'_>, columns: &Bound<'_, PyAny>, artifact_file: &str) -> PyResult<()> {
    let columns = convert::table_columns(columns)?;
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.log_table(&run_id, columns, artifact_file))?)
}

#[pyfunction]
#[pyo3(signature = (artifact_path=None))]
fn get_artifact_uri(py: Python<'_>, artifact_path: Option<String>) -> PyResult<String> {
    let (run_id, tracker) = active(py)?;
    Ok(py.detach(|| tracker.get_artifact_uri(&run_id, artifact_path.as_deref()))?)
}

#[pyfunction]
fn get_run(py: Python<'_>, run_id: &str) -> PyResult<PyRun> {
    let tracker = tracker(py)?;
    Ok(PyRun(Arc::new(py.detach(|| tracker.get_run(run_id))?)))
}

#[pyfunction]
fn get_metric_history<'py>(py: Python<'py>, run_id: &str, key: &str) -> PyResult<Bound<'py, pyo3::types::PyList>> {
    let tracker = tracker(py)?;
    convert::metric_list(py, py.detach(|| tracker.get_metric_history(run_id, key))?)
}

#[pyfunction]
fn _get_metric_series<'py>(py: Python<'py>, run_id: &str, key: &str) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
    let tracker = tracker(py)?;
    let series = py.detach(|| tracker.get_metric_series(run_id, key))?;
    let (steps, values, timestamps) = convert::series_arrays(py, series);
    Ok(pyo3::types::PyTuple::new(
        py,
        [steps.into_any(), values.into_any(), timestamps.into_any()],
    )?)
}

#[pyfunction]
#[pyo3(signature = (run_id=None, path=None))]
fn list_artifacts(py: Python<'_>, run_id: Option<String>, path: Option<String>) -> PyResult<Vec<PyFileInfo>> {
    let run_id = match run_id {
        Some(id) => id,
        None => active(py)?.0,
    };
    let tracker = tracker(py)?;
    Ok(py
        .detach(|| tracker.list_artifacts(&run_id, path.as_deref()))?
        .into_iter()
        .map(PyFileInfo)
        .collect())
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyActiveRun>()?;
    module.add_function(wrap_pyfunction!(set_tracking_uri, module)?)?;
    module.add_function(wrap_pyfunction!(get_tracking_uri, module)?)?;
    module.add_function(wrap_pyfunction!(is_tracking_uri_set, module)?)?;
    module.add_function(wrap_pyfunction!(_set_source, module)?)?;
    module.add_function(wrap_pyfunction!(set_experiment, module)?)?;
    module.add_function(wrap_pyfunction!(start_run, module)?)?;
    module.add_function(wrap_pyfunction!(end_run, module)?)?;
    module.add_function(wrap_pyfunction!(_end_all_runs, module)?)?;
    module.add_function(wrap_pyfunction!(active_run, module)?)?;
    module.add_function(wrap_pyfunction!(_current_experiment_id, module)?)?;
    module.add_function(wrap_pyfunction!(last_active_run, module)?)?;
    module.add_function(wrap_pyfunction!(log_param, module)?)?;
    module.add_function(wrap_pyfunction!(log_params, module)?)?;
    module.add_function(wrap_pyfunction!(log_metric, module)?)?;
    module.add_function(wrap_pyfunction!(log_metrics, module)?)?;
    module.add_function(wrap_pyfunction!(log_metric_series, module)?)?;
    module.add_function(wrap_pyfunction!(set_tag, module)?)?;
    module.add_function(wrap_pyfunction!(set_tags, module)?)?;
    module.add_function(wrap_pyfunction!(delete_tag, module)?)?;
    module.add_function(wrap_pyfunction!(flush, module)?)?;
    module.add_function(wrap_pyfunction!(log_artifact, module)?)?;
    module.add_function(wrap_pyfunction!(log_artifacts, module)?)?;
    module.add_function(wrap_pyfunction!(log_text, module)?)?;
    module.add_function(wrap_pyfunction!(log_dict, module)?)?;
    module.add_function(wrap_pyfunction!(_log_image_pixels, module)?)?;
    module.add_function(wrap_pyfunction!(_log_table_columns, module)?)?;
    module.add_function(wrap_pyfunction!(get_artifact_uri, module)?)?;
    module.add_function(wrap_pyfunction!(get_run, module)?)?;
    module.add_function(wrap_pyfunction!(get_metric_history, module)?)?;
    module.add_function(wrap_pyfunction!(_get_metric_series, module)?)?;
    module.add_function(wrap_pyfunction!(list_artifacts, module)?)?;
    Ok(())
}
