//! [`LoggedModelStore`]: MLflow 3's logged models, kept in experiments beside their runs.
//! A store reaches it through [`TrackingStore::logged_models`].
//!
//! [`TrackingStore::logged_models`]: super::TrackingStore::logged_models

use crate::entities::{ExperimentId, LoggedModel, LoggedModelMetric, LoggedModelStatus, Page};
use crate::error::Result;

/// What a new logged model starts with.
#[derive(Clone, Debug)]
pub struct NewLoggedModel {
    pub experiment_id: ExperimentId,
    /// A generated name (like a run's) when `None`.
    pub name: Option<String>,
    pub source_run_id: Option<String>,
    pub tags: Vec<(String, String)>,
    pub params: Vec<(String, String)>,
    pub model_type: Option<String>,
    /// Where the model's files already are (a folder of its run's artifacts, for a model
    /// rtrack logged); by default `<experiment artifacts>/models/<id>/artifacts`. Stores that
    /// cannot take it (a server, whose API has no such field) choose the default.
    pub artifact_location: Option<String>,
}

impl NewLoggedModel {
    /// A model in `experiment_id` with a generated name and nothing else set.
    pub fn new(experiment_id: ExperimentId) -> Self {
        NewLoggedModel {
            experiment_id,
            name: None,
            source_run_id: None,
            tags: Vec::new(),
            params: Vec::new(),
            model_type: None,
            artifact_location: None,
        }
    }
}

/// Models whose metrics were computed on a dataset: its name, and its digest when given.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DatasetFilter {
    pub dataset_name: String,
    pub dataset_digest: Option<String>,
}

/// A logged model search over experiments. Filters compare `name`, `model_id`, `status`,
/// `model_type`, `source_run_id`, `creation_timestamp`, `last_updated_timestamp`,
/// `metrics.<key>`, `params.<key>` and `tags.<key>`; order_by takes the attributes and
/// `metrics.<key>`.
#[derive(Clone, Debug)]
pub struct LoggedModelSearch {
    pub experiment_ids: Vec<ExperimentId>,
    pub filter: String,
    pub max_results: usize,
    pub order_by: Vec<String>,
    pub page_token: Option<String>,
    /// Only models with metrics on one of these datasets (MLflow's `datasets`); metric
    /// conditions of the filter then count only values on them.
    pub datasets: Vec<DatasetFilter>,
}

impl Default for LoggedModelSearch {
    fn default() -> Self {
        LoggedModelSearch {
            experiment_ids: Vec::new(),
            filter: String::new(),
            max_results: 100,
            order_by: Vec::new(),
            page_token: None,
            datasets: Vec::new(),
        }
    }
}

/// Logged models: created PENDING, finalized READY or FAILED, deleted to the bin.
pub trait LoggedModelStore: Send + Sync {
    /// Create a PENDING model whose files go to `<experiment artifacts>/models/<id>/artifacts`.
    fn create_logged_model(&self, model: &NewLoggedModel) -> Result<LoggedModel>;
    /// A logged model; deleted ones are not found.
    fn get_logged_model(&self, model_id: &str) -> Result<LoggedModel>;
    /// Set the final status: READY or FAILED.
    fn finalize_logged_model(&self, model_id: &str, status: LoggedModelStatus) -> Result<LoggedModel>;
    fn delete_logged_model(&self, model_id: &str) -> Result<()>;
    fn set_logged_model_tags(&self, model_id: &str, tags: &[(String, String)]) -> Result<()>;
    fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> Result<()>;
    /// Params are immutable, as a run's: the same value again is fine, another is an error.
    fn log_logged_model_params(&self, model_id: &str, params: &[(String, String)]) -> Result<()>;
    /// Record metric values; a value recorded again for the same key, step, timestamp,
    /// run and dataset replaces the earlier one.
    fn log_logged_model_metrics(&self, model_id: &str, metrics: &[LoggedModelMetric]) -> Result<()>;
    fn search_logged_models(&self, search: &LoggedModelSearch) -> Result<Page<LoggedModel>>;
}
