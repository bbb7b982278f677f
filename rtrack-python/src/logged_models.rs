//! MLflow 3's logged models on `rtrack.Client` (MlflowClient's names). Conversion only.

use pyo3::prelude::*;

use crate::errors::PyResult;

use rtrack::entities::{now_millis, LoggedModelMetric, LoggedModelStatus};
use rtrack::store::{LoggedModelSearch, NewLoggedModel};

use super::client::PyClient;
use super::convert;
use super::registry_entities::PyLoggedModel;

#[pymethods]
impl PyClient {
    #[pyo3(signature = (experiment_id, name=None, source_run_id=None, tags=None, params=None, model_type=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_logged_model(
        &self,
        py: Python<'_>,
        experiment_id: &Bound<'_, PyAny>,
        name: Option<String>,
        source_run_id: Option<String>,
        tags: Option<&Bound<'_, PyAny>>,
        params: Option<&Bound<'_, PyAny>>,
        model_type: Option<String>,
    ) -> PyResult<PyLoggedModel> {
        let new = NewLoggedModel {
            experiment_id: convert::experiment_id(experiment_id)?,
            name,
            source_run_id,
            tags: convert::string_pairs(tags)?,
            params: convert::string_pairs(params)?,
            model_type,
            artifact_location: None,
        };
        Ok(PyLoggedModel(py.detach(|| self.tracker.create_logged_model(&new))?))
    }

    fn get_logged_model(&self, py: Python<'_>, model_id: &str) -> PyResult<PyLoggedModel> {
        Ok(PyLoggedModel(py.detach(|| self.tracker.get_logged_model(model_id))?))
    }

    /// `status` is `"READY"` or `"FAILED"` (or MLflow's `LoggedModelStatus`).
    fn finalize_logged_model(
        &self,
        py: Python<'_>,
        model_id: &str,
        status: &Bound<'_, PyAny>,
    ) -> PyResult<PyLoggedModel> {
        let status: LoggedModelStatus = status.str()?.to_string().parse()?;
        Ok(PyLoggedModel(
            py.detach(|| self.tracker.finalize_logged_model(model_id, status))?,
        ))
    }

    fn delete_logged_model(&self, py: Python<'_>, model_id: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.delete_logged_model(model_id))?)
    }

    fn set_logged_model_tags(&self, py: Python<'_>, model_id: &str, tags: &Bound<'_, PyAny>) -> PyResult<()> {
        let tags = convert::string_pairs(Some(tags))?;
        Ok(py.detach(|| self.tracker.set_logged_model_tags(model_id, &tags))?)
    }

    fn delete_logged_model_tag(&self, py: Python<'_>, model_id: &str, key: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.delete_logged_model_tag(model_id, key))?)
    }

    fn log_model_params(&self, py: Python<'_>, model_id: &str, params: &Bound<'_, PyAny>) -> PyResult<()> {
        let params = convert::string_pairs(Some(params))?;
        Ok(py.detach(|| self.tracker.log_model_params(model_id, &params))?)
    }

    /// Record one metric value for a logged model (`timestamp` defaults to now).
    #[pyo3(signature = (model_id, key, value, step=0, timestamp=None, run_id=None, dataset_name=None, dataset_digest=None))]
    #[allow(clippy::too_many_arguments)]
    fn log_model_metric(
        &self,
        py: Python<'_>,
        model_id: &str,
        key: String,
        value: f64,
        step: i64,
        timestamp: Option<i64>,
        run_id: Option<String>,
        dataset_name: Option<String>,
        dataset_digest: Option<String>,
    ) -> PyResult<()> {
        let timestamp = timestamp.unwrap_or_else(now_millis);
        let metric = LoggedModelMetric {
            key,
            value,
            step,
            timestamp,
            run_id,
            dataset_name,
            dataset_digest,
        };
        Ok(py.detach(|| self.tracker.log_logged_model_metrics(model_id, &[metric]))?)
    }

    /// One page of logged models and the token of the next page (None at the end).
    #[pyo3(signature = (experiment_ids, filter_string=None, max_results=100, order_by=None, page_token=None, datasets=None))]
    // The arguments mirror the Python method's keyword arguments.
    #[allow(clippy::too_many_arguments)]
    fn _search_logged_models_page(
        &self,
        py: Python<'_>,
        experiment_ids: &Bound<'_, PyAny>,
        filter_string: Option<String>,
        max_results: usize,
        order_by: Option<Vec<String>>,
        page_token: Option<String>,
        datasets: Option<Vec<(String, Option<String>)>>,
    ) -> PyResult<(Vec<PyLoggedModel>, Option<String>)> {
        let search = LoggedModelSearch {
            experiment_ids: convert::experiment_ids(Some(experiment_ids))?.unwrap_or_default(),
            filter: filter_string.unwrap_or_default(),
            max_results,
            order_by: order_by.unwrap_or_default(),
            page_token,
            datasets: datasets
                .unwrap_or_default()
                .into_iter()
                .map(|(dataset_name, dataset_digest)| rtrack::store::DatasetFilter {
                    dataset_name,
                    dataset_digest,
                })
                .collect(),
        };
        let page = py.detach(|| self.tracker.search_logged_models(&search))?;
        Ok((
            page.items.into_iter().map(PyLoggedModel).collect(),
            page.next_page_token,
        ))
    }
}
