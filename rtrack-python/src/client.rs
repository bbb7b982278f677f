//! `rtrack.Client`: every operation by id, like `MlflowClient`.

use std::path::PathBuf;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::PyResult;

use rtrack::api::{fluent, RunOptions, Tracker};
use rtrack::entities::{ExperimentId, RunStatus};
use rtrack::store::{ExperimentSearch, RunSearch, RunUpdate};

use super::convert;
use super::entities::{PyExperiment, PyFileInfo, PyRun};

#[pyclass(subclass, frozen, name = "Client", module = "rtrack")]
pub struct PyClient {
    pub(super) tracker: Tracker,
}

fn id_of(obj: &Bound<'_, PyAny>) -> PyResult<ExperimentId> {
    convert::experiment_id(obj)
}

#[pymethods]
impl PyClient {
    #[new]
    #[pyo3(signature = (tracking_uri=None))]
    fn new(py: Python<'_>, tracking_uri: Option<PathBuf>) -> PyResult<Self> {
        let tracking_uri = tracking_uri.map(convert::tracking_uri).transpose()?;
        let tracker = py.detach(|| match &tracking_uri {
            Some(uri) => fluent::tracker_for(uri),
            None => fluent::tracker(),
        })?;
        Ok(PyClient { tracker })
    }

    #[getter]
    fn tracking_uri(&self) -> &str {
        self.tracker.tracking_uri()
    }

    // ----- experiments -----

    #[pyo3(signature = (name, artifact_location=None, tags=None))]
    fn create_experiment(
        &self,
        py: Python<'_>,
        name: &str,
        artifact_location: Option<String>,
        tags: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<String> {
        let tags = convert::string_pairs(tags)?;
        Ok(py
            .detach(|| {
                self.tracker
                    .create_experiment(name, artifact_location.as_deref(), &tags)
            })?
            .to_string())
    }

    fn get_experiment(&self, py: Python<'_>, experiment_id: &Bound<'_, PyAny>) -> PyResult<PyExperiment> {
        let id = id_of(experiment_id)?;
        Ok(PyExperiment(py.detach(|| self.tracker.get_experiment(id))?))
    }

    fn get_experiment_by_name(&self, py: Python<'_>, name: &str) -> PyResult<Option<PyExperiment>> {
        Ok(py
            .detach(|| self.tracker.get_experiment_by_name(name))?
            .map(PyExperiment))
    }

    /// One page of experiments and the token of the next page (None at the end).
    #[pyo3(signature = (view_type=None, max_results=1000, filter_string=None, order_by=None, page_token=None))]
    fn _search_experiments_page(
        &self,
        py: Python<'_>,
        view_type: Option<&Bound<'_, PyAny>>,
        max_results: usize,
        filter_string: Option<String>,
        order_by: Option<Vec<String>>,
        page_token: Option<String>,
    ) -> PyResult<(Vec<PyExperiment>, Option<String>)> {
        let search = ExperimentSearch {
            filter: filter_string.unwrap_or_default(),
            view: convert::view_type(view_type)?,
            max_results,
            order_by: order_by.unwrap_or_default(),
            page_token,
        };
        let page = py.detach(|| self.tracker.search_experiments(&search))?;
        Ok((page.items.into_iter().map(PyExperiment).collect(), page.next_page_token))
    }

    /// Every experiment a search finds, up to `max_results` (all when None), over all pages.
    #[pyo3(signature = (view_type=None, max_results=None, filter_string=None, order_by=None))]
    fn _search_all_experiments(
        &self,
        py: Python<'_>,
        view_type: Option<&Bound<'_, PyAny>>,
        max_results: Option<usize>,
        filter_string: Option<String>,
        order_by: Option<Vec<String>>,
    ) -> PyResult<Vec<PyExperiment>> {
        let search = ExperimentSearch {
            filter: filter_string.unwrap_or_default(),
            view: convert::view_type(view_type)?,
            order_by: order_by.unwrap_or_default(),
            ..Default::default()
        };
        let found = py.detach(|| self.tracker.search_all_experiments(&search, max_results))?;
        Ok(found.into_iter().map(PyExperiment).collect())
    }

    fn rename_experiment(&self, py: Python<'_>, experiment_id: &Bound<'_, PyAny>, new_name: &str) -> PyResult<()> {
        let id = id_of(experiment_id)?;
        Ok(py.detach(|| self.tracker.rename_experiment(id, new_name))?)
    }

    fn delete_experiment(&self, py: Python<'_>, experiment_id: &Bound<'_, PyAny>) -> PyResult<()> {
        let id = id_of(experiment_id)?;
        Ok(py.detach(|| self.tracker.delete_experiment(id))?)
    }

    fn restore_experiment(&self, py: Python<'_>, experiment_id: &Bound<'_, PyAny>) -> PyResult<()> {
        let id = id_of(experiment_id)?;
        Ok(py.detach(|| self.tracker.restore_experiment(id))?)
    }

    fn set_experiment_tag(
        &self,
        py: Python<'_>,
        experiment_id: &Bound<'_, PyAny>,
        key: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let id = id_of(experiment_id)?;
        let value = value.str()?.to_string();
        Ok(py.detach(|| self.tracker.set_experiment_tag(id, key, &value))?)
    }

    // ----- runs -----

    #[pyo3(signature = (experiment_id, start_time=None, tags=None, run_name=None))]
    fn create_run(
        &self,
        py: Python<'_>,
        experiment_id: &Bound<'_, PyAny>,
        start_time: Option<i64>,
        tags: Option<&Bound<'_, PyAny>>,
        run_name: Option<String>,
    ) -> PyResult<PyRun> {
        let options = RunOptions {
            experiment_id: Some(id_of(experiment_id)?),
            run_name,
            tags: convert::string_pairs(tags)?,
            start_time,
            ..Default::default()
        };
        let run = py.detach(|| self.tracker.create_run(options))?;
        Ok(PyRun(Arc::new(run)))
    }

    fn get_run(&self, py: Python<'_>, run_id: &str) -> PyResult<PyRun> {
        Ok(PyRun(Arc::new(py.detach(|| self.tracker.get_run(run_id))?)))
    }

    #[pyo3(signature = (run_id, status="FINISHED", end_time=None))]
    fn set_terminated(&self, py: Python<'_>, run_id: &str, status: &str, end_time: Option<i64>) -> PyResult<()> {
        let status = convert::run_status(status)?;
        Ok(py.detach(|| self.tracker.set_terminated(run_id, status, end_time))?)
    }

    #[pyo3(signature = (run_id, status=None, name=None))]
    fn update_run(&self, py: Python<'_>, run_id: &str, status: Option<&str>, name: Option<String>) -> PyResult<()> {
        let status: Option<RunStatus> = status.map(convert::run_status).transpose()?;
        Ok(py.detach(|| {
            self.tracker.update_run(
                run_id,
                RunUpdate {
                    status,
                    end_time: None,
                    run_name: name,
                },
            )
        })?)
    }

    fn delete_run(&self, py: Python<'_>, run_id: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.delete_run(run_id))?)
    }

    fn restore_run(&self, py: Python<'_>, run_id: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.restore_run(run_id))?)
    }

    /// One page of runs and the token of the next page (None at the end).
    #[pyo3(signature = (experiment_ids, filter_string="", run_view_type=None, max_results=1000, order_by=None, page_token=None))]
    // The arguments mirror the Python method's keyword arguments.
    #[allow(clippy::too_many_arguments)]
    fn _search_runs_page(
        &self,
        py: Python<'_>,
        experiment_ids: &Bound<'_, PyAny>,
        filter_string: &str,
        run_view_type: Option<&Bound<'_, PyAny>>,
        max_results: usize,
        order_by: Option<Vec<String>>,
        page_token: Option<String>,
    ) -> PyResult<(Vec<PyRun>, Option<String>)> {
        let search = run_search(
            experiment_ids,
            filter_string,
            run_view_type,
            max_results,
            order_by,
            page_token,
        )?;
        let page = py.detach(|| self.tracker.search_runs(&search))?;
        Ok((
            page.items.into_iter().map(|run| PyRun(Arc::new(run))).collect(),
            page.next_page_token,
        ))
    }

    /// Every run a search finds, up to `max_results`, over all pages.
    #[pyo3(signature = (experiment_ids, filter_string="", run_view_type=None, max_results=100_000, order_by=None))]
    fn _search_all_runs(
        &self,
        py: Python<'_>,
        experiment_ids: &Bound<'_, PyAny>,
        filter_string: &str,
        run_view_type: Option<&Bound<'_, PyAny>>,
        max_results: usize,
        order_by: Option<Vec<String>>,
    ) -> PyResult<Vec<PyRun>> {
        let search = run_search(
            experiment_ids,
            filter_string,
            run_view_type,
            max_results,
            order_by,
            None,
        )?;
        let runs = py.detach(|| self.tracker.search_all_runs(&search, max_results))?;
        Ok(runs.into_iter().map(|run| PyRun(Arc::new(run))).collect())
    }

    /// The experiments a fluent `search_runs` covers (ids and names given; else every one
    /// with `search_all`, else the active one), as strings.
    fn _experiments_to_search(
        &self,
        py: Python<'_>,
        experiment_ids: &Bound<'_, PyAny>,
        experiment_names: Vec<String>,
        search_all: bool,
    ) -> PyResult<Vec<String>> {
        let ids = convert::experiment_ids(Some(experiment_ids))?.unwrap_or_default();
        let found = py.detach(|| self.tracker.experiments_to_search(ids, &experiment_names, search_all))?;
        Ok(found.iter().map(ToString::to_string).collect())
    }

    /// Every run a search finds, up to `max_results`, as the columns of a pandas DataFrame
    /// (see `frame::table_to_columns`); text columns as Arrow buffers when `arrow_text`.
    #[pyo3(signature = (experiment_ids, filter_string="", run_view_type=None, max_results=100_000, order_by=None, arrow_text=false))]
    // The arguments mirror the Python method's keyword arguments.
    #[allow(clippy::too_many_arguments)]
    fn _search_runs_columns<'py>(
        &self,
        py: Python<'py>,
        experiment_ids: &Bound<'py, PyAny>,
        filter_string: &str,
        run_view_type: Option<&Bound<'py, PyAny>>,
        max_results: usize,
        order_by: Option<Vec<String>>,
        arrow_text: bool,
    ) -> PyResult<Bound<'py, pyo3::types::PyDict>> {
        use super::frame::TextColumns;
        let search = run_search(
            experiment_ids,
            filter_string,
            run_view_type,
            max_results,
            order_by,
            None,
        )?;
        let table = py.detach(|| self.tracker.search_run_table(&search, max_results))?;
        let text = if arrow_text {
            TextColumns::ArrowBuffers
        } else {
            TextColumns::Lists
        };
        super::frame::table_to_columns(py, table, text)
    }

    // ----- params, metrics, tags -----

    fn log_param<'py>(
        &self,
        py: Python<'py>,
        run_id: &str,
        key: &str,
        value: Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let text = value.str()?.to_string();
        py.detach(|| self.tracker.log_param(run_id, key, text))?;
        Ok(value)
    }

    #[pyo3(signature = (run_id, key, value, timestamp=None, step=None))]
    fn log_metric(
        &self,
        run_id: &str,
        key: &str,
        value: f64,
        timestamp: Option<i64>,
        step: Option<i64>,
    ) -> PyResult<()> {
        Ok(self.tracker.log_metric(run_id, key, value, step, timestamp)?)
    }

    #[pyo3(signature = (run_id, metrics=None, params=None, tags=None))]
    fn log_batch(
        &self,
        py: Python<'_>,
        run_id: &str,
        metrics: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
        tags: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let metrics = convert::metrics(metrics)?;
        let params = convert::key_values(params)?;
        let tags = convert::key_values(tags)?;
        Ok(py.detach(|| self.tracker.log_batch(run_id, &metrics, &params, &tags))?)
    }

    #[pyo3(signature = (run_id, key, values, steps=None, timestamps=None))]
    fn log_metric_series(
        &self,
        py: Python<'_>,
        run_id: &str,
        key: &str,
        values: &Bound<'_, PyAny>,
        steps: Option<&Bound<'_, PyAny>>,
        timestamps: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let (values, steps, timestamps) = convert::series_columns(values, steps, timestamps)?;
        Ok(py.detach(|| self.tracker.log_metric_series(run_id, key, values, steps, timestamps))?)
    }

    fn _get_metric_series<'py>(
        &self,
        py: Python<'py>,
        run_id: &str,
        key: &str,
    ) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        let series = py.detach(|| self.tracker.get_metric_series(run_id, key))?;
        let (steps, values, timestamps) = convert::series_arrays(py, series);
        Ok(pyo3::types::PyTuple::new(
            py,
            [steps.into_any(), values.into_any(), timestamps.into_any()],
        )?)
    }

    fn get_metric_history<'py>(
        &self,
        py: Python<'py>,
        run_id: &str,
        key: &str,
    ) -> PyResult<Bound<'py, pyo3::types::PyList>> {
        convert::metric_list(py, py.detach(|| self.tracker.get_metric_history(run_id, key))?)
    }

    fn set_tag(&self, py: Python<'_>, run_id: &str, key: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let value = value.str()?.to_string();
        Ok(py.detach(|| self.tracker.set_tag(run_id, key, &value))?)
    }

    fn delete_tag(&self, py: Python<'_>, run_id: &str, key: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.delete_tag(run_id, key))?)
    }

    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.flush())?)
    }

    // ----- artifacts -----

    #[pyo3(signature = (run_id, local_path, artifact_path=None))]
    fn log_artifact(
        &self,
        py: Python<'_>,
        run_id: &str,
        local_path: PathBuf,
        artifact_path: Option<String>,
    ) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.log_artifact(run_id, &local_path, artifact_path.as_deref()))?)
    }

    #[pyo3(signature = (run_id, local_dir, artifact_path=None))]
    fn log_artifacts(
        &self,
        py: Python<'_>,
        run_id: &str,
        local_dir: PathBuf,
        artifact_path: Option<String>,
    ) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.log_artifacts(run_id, &local_dir, artifact_path.as_deref()))?)
    }

    fn log_text(&self, py: Python<'_>, run_id: &str, text: &str, artifact_file: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.log_text(run_id, text, artifact_file))?)
    }

    fn log_dict(
        &self,
        py: Python<'_>,
        run_id: &str,
        dictionary: &Bound<'_, PyAny>,
        artifact_file: &str,
    ) -> PyResult<()> {
        let value = convert::to_json(dictionary, false)?;
        Ok(py.detach(|| self.tracker.log_dict(run_id, &value, artifact_file))?)
    }

    // The arguments mirror the Python method's keyword arguments.
    #[allow(clippy::too_many_arguments)]
    fn _log_image_pixels(
        &self,
        py: Python<'_>,
        run_id: &str,
        pixels: Vec<u8>,
        height: u32,
        width: u32,
        channels: u8,
        artifact_file: &str,
    ) -> PyResult<()> {
        Ok(py.detach(|| {
            self.tracker
                .log_image(run_id, &pixels, height, width, channels, artifact_file)
        })?)
    }

    fn _log_table_columns(
        &self,
        py: Python<'_>,
        run_id: &str,
        columns: &Bound<'_, PyAny>,
        artifact_file: &str,
    ) -> PyResult<()> {
        let columns = convert::table_columns(columns)?;
        Ok(py.detach(|| self.tracker.log_table(run_id, columns, artifact_file))?)
    }

    #[pyo3(signature = (run_id, path=None))]
    fn list_artifacts(&self, py: Python<'_>, run_id: &str, path: Option<String>) -> PyResult<Vec<PyFileInfo>> {
        Ok(py
            .detach(|| self.tracker.list_artifacts(run_id, path.as_deref()))?
            .into_iter()
            .map(PyFileInfo)
            .collect())
    }

    /// Copy an artifact into `dst_path` (a new temporary folder when None); returns the local path.
    #[pyo3(signature = (run_id, path, dst_path=None))]
    fn download_artifacts(
        &self,
        py: Python<'_>,
        run_id: &str,
        path: &str,
        dst_path: Option<PathBuf>,
    ) -> PyResult<String> {
        let dst = match dst_path {
            Some(dst) => dst,
            None => {
                let tempfile = py.import("tempfile")?;
                PathBuf::from(tempfile.call_method0("mkdtemp")?.extract::<String>()?)
            }
        };
        let local = py.detach(|| self.tracker.download_artifacts(run_id, path, &dst))?;
        Ok(local.to_string_lossy().into_owned())
    }

    #[pyo3(signature = (run_id, artifact_path=None))]
    fn get_artifact_uri(&self, py: Python<'_>, run_id: &str, artifact_path: Option<String>) -> PyResult<String> {
        Ok(py.detach(|| self.tracker.get_artifact_uri(run_id, artifact_path.as_deref()))?)
    }
}

/// A run search from the arguments Python passes to both search methods.
fn run_search(
    experiment_ids: &Bound<'_, PyAny>,
    filter_string: &str,
    run_view_type: Option<&Bound<'_, PyAny>>,
    max_results: usize,
    order_by: Option<Vec<String>>,
    page_token: Option<String>,
) -> PyResult<RunSearch> {
    Ok(RunSearch {
        experiment_ids: convert::experiment_ids(Some(experiment_ids))?.unwrap_or_default(),
        filter: filter_string.to_string(),
        view: convert::view_type(run_view_type)?,
        max_results,
        order_by: order_by.unwrap_or_default(),
        page_token,
    })
}
