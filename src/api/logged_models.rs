//! MLflow 3's logged models on [`Tracker`]: create one PENDING, log its params and
//! metrics, finalize it READY, search an experiment's models.

use crate::entities::{LoggedModel, LoggedModelMetric, LoggedModelStatus, Page};
use crate::error::{Error, Result};
use crate::store::{LoggedModelSearch, LoggedModelStore, NewLoggedModel};

use super::Tracker;

impl Tracker {
    fn logged_model_store(&self) -> Result<&dyn LoggedModelStore> {
        self.store()
            .logged_models()
            .ok_or_else(|| Error::invalid(format!("The store at '{}' keeps no logged models", self.tracking_uri())))
    }

    /// Create a logged model, PENDING until [`finalize_logged_model`](Self::finalize_logged_model).
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::entities::{ExperimentId, LoggedModelMetric, LoggedModelStatus};
    /// use rtrack::store::{LoggedModelSearch, NewLoggedModel};
    /// use rtrack::Tracker;
    ///
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// let mut new = NewLoggedModel::new(ExperimentId::DEFAULT);
    /// new.name = Some("enet".into());
    /// new.params = vec![("alpha".into(), "0.5".into())];
    /// let model = tracker.create_logged_model(&new)?;
    /// assert_eq!(model.status, LoggedModelStatus::Pending);
    /// assert!(model.artifact_location.ends_with(&format!("/models/{}/artifacts", model.model_id)));
    ///
    /// let rmse = LoggedModelMetric {
    ///     key: "rmse".into(), value: 0.7, step: 0, timestamp: 0,
    ///     run_id: None, dataset_name: Some("test".into()), dataset_digest: None,
    /// };
    /// tracker.log_logged_model_metrics(&model.model_id, &[rmse])?;
    /// tracker.finalize_logged_model(&model.model_id, LoggedModelStatus::Ready)?;
    /// let found = tracker.search_logged_models(&LoggedModelSearch {
    ///     experiment_ids: vec![ExperimentId::DEFAULT],
    ///     filter: "metrics.rmse < 0.8 AND status = 'READY' AND params.alpha = '0.5'".into(),
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(found.items[0].model_id, model.model_id);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn create_logged_model(&self, model: &NewLoggedModel) -> Result<LoggedModel> {
        self.logged_model_store()?.create_logged_model(model)
    }

    pub fn get_logged_model(&self, model_id: &str) -> Result<LoggedModel> {
        self.logged_model_store()?.get_logged_model(model_id)
    }

    /// Set the final status (READY or FAILED) once the model's files are in place (or not).
    pub fn finalize_logged_model(&self, model_id: &str, status: LoggedModelStatus) -> Result<LoggedModel> {
        self.logged_model_store()?.finalize_logged_model(model_id, status)
    }

    pub fn delete_logged_model(&self, model_id: &str) -> Result<()> {
        self.logged_model_store()?.delete_logged_model(model_id)
    }

    pub fn set_logged_model_tags(&self, model_id: &str, tags: &[(String, String)]) -> Result<()> {
        self.logged_model_store()?.set_logged_model_tags(model_id, tags)
    }

    pub fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> Result<()> {
        self.logged_model_store()?.delete_logged_model_tag(model_id, key)
    }

    /// Params are immutable: the same value again is fine, another one is an error.
    pub fn log_model_params(&self, model_id: &str, params: &[(String, String)]) -> Result<()> {
        self.logged_model_store()?.log_logged_model_params(model_id, params)
    }

    pub fn log_logged_model_metrics(&self, model_id: &str, metrics: &[LoggedModelMetric]) -> Result<()> {
        self.logged_model_store()?.log_logged_model_metrics(model_id, metrics)
    }

    /// Logged models of some experiments matching a filter, a page at a time.
    pub fn search_logged_models(&self, search: &LoggedModelSearch) -> Result<Page<LoggedModel>> {
        self.logged_model_store()?.search_logged_models(search)
    }
}
