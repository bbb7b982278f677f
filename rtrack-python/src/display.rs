//! Notebook views for Python, rendered by `rtrack::display`: `_repr_html_` of results,
//! `rtrack.summary()`, and the live chart behind `rtrack.live()`.

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;

use crate::errors::PyResult;

use rtrack::api::fluent;
use rtrack::display::{self, LiveChart, MetricHistory, Summary};
use rtrack::entities::Metric;

use super::entities::{PyExperiment, PyMetric, PyRun};

/// A list of runs, experiments or metric points as an HTML table; `None` for anything else
/// (an empty list, mixed items), so IPython falls back to the plain repr.
#[pyfunction]
fn _results_html(items: &Bound<'_, PyAny>) -> PyResult<Option<String>> {
    let items: Vec<Bound<'_, PyAny>> = items.try_iter()?.collect::<pyo3::PyResult<_>>()?;
    if items.is_empty() {
        return Ok(None);
    }
    if let Some(runs) = all_of::<PyRun>(&items) {
        let runs: Vec<Arc<rtrack::entities::Run>> = runs.iter().map(|run| Arc::clone(&run.get().0)).collect();
        return Ok(Some(display::runs_html(
            &runs.iter().map(Arc::as_ref).collect::<Vec<_>>(),
        )));
    }
    if let Some(experiments) = all_of::<PyExperiment>(&items) {
        return Ok(Some(display::experiments_html(
            &experiments.iter().map(|e| &e.get().0).collect::<Vec<_>>(),
        )));
    }
    if let Some(points) = all_of::<PyMetric>(&items) {
        let metrics: Vec<Metric> = points.iter().map(|point| point.get().0.clone()).collect();
        return Ok(Some(MetricHistory::from_metrics(&metrics).to_html()));
    }
    Ok(None)
}

/// Every item as `T`, or `None` if any is something else.
fn all_of<'py, T: pyo3::PyClass>(items: &[Bound<'py, PyAny>]) -> Option<Vec<Bound<'py, T>>> {
    items.iter().map(|item| item.cast::<T>().ok().cloned()).collect()
}

/// The run-summary dashboard; shows itself in a notebook.
#[pyclass(frozen, name = "Summary", module = "rtrack")]
pub struct PySummary(Summary);

#[pymethods]
impl PySummary {
    fn _repr_html_(&self) -> String {
        self.0.to_html()
    }
    /// Names of the experiments shown, most recently active first.
    #[getter]
    fn experiment_names(&self) -> Vec<String> {
        self.0.experiments.iter().map(|e| e.experiment.name.clone()).collect()
    }
    fn __repr__(&self) -> String {
        let runs: usize = self.0.experiments.iter().map(|e| e.rows.len()).sum();
        format!("<Summary: {} experiments, {runs} runs>", self.0.experiments.len())
    }
}

/// The run-summary dashboard of every active experiment, or of one (by name or id); a
/// notebook shows it as HTML, and `%rtrack summary` displays it.
///
/// >>> rtrack.summary("wine-quality")   # doctest: +SKIP
#[pyfunction]
#[pyo3(signature = (experiment=None))]
fn summary(py: Python<'_>, experiment: Option<&Bound<'_, PyAny>>) -> PyResult<PySummary> {
    let choice = match experiment.filter(|e| !e.is_none()) {
        None => None,
        Some(e) => match e.cast::<PyExperiment>() {
            Ok(experiment) => Some(experiment.get().0.experiment_id.to_string()),
            Err(_) => Some(e.str()?.to_string()),
        },
    };
    let tracker = py.detach(fluent::tracker)?;
    Ok(PySummary(py.detach(|| Summary::collect(&tracker, choice.as_deref()))?))
}

/// The chart `rtrack.live()` redraws; safe to refresh from a background thread.
#[pyclass(frozen, name = "_LiveChart", module = "rtrack")]
pub struct PyLiveChart(Mutex<LiveChart>);

impl PyLiveChart {
    fn chart(&self) -> std::sync::MutexGuard<'_, LiveChart> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[pymethods]
impl PyLiveChart {
    #[new]
    #[pyo3(signature = (keys=None))]
    fn new(keys: Option<Vec<String>>) -> Self {
        PyLiveChart(Mutex::new(LiveChart::new(&keys.unwrap_or_default())))
    }
    /// Read new points of `run_id`, or of the active run; true when the chart changed.
    #[pyo3(signature = (run_id=None))]
    fn refresh(&self, py: Python<'_>, run_id: Option<String>) -> PyResult<bool> {
        Ok(py.detach(|| match run_id {
            Some(run_id) => self.chart().refresh(&fluent::tracker()?, &run_id),
            None => self.chart().refresh_active(),
        })?)
    }
    fn points(&self, key: &str) -> usize {
        self.chart().points(key)
    }
    fn _repr_html_(&self) -> String {
        self.chart().to_html()
    }
    fn __repr__(&self) -> String {
        let chart = self.chart();
        format!("<LiveChart of run {}>", chart.run_id().unwrap_or("(none yet)"))
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PySummary>()?;
    module.add_class::<PyLiveChart>()?;
    module.add_function(wrap_pyfunction!(summary, module)?)?;
    module.add_function(wrap_pyfunction!(_results_html, module)?)?;
    Ok(())
}
