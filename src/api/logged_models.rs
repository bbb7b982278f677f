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

    /// Record a model folder just logged into a run's artifacts (at `artifact_path`, from
    /// `local_dir`) as an MLflow 3 logged model of that run, READY, and as the run's output,
    /// so MLflow 3 clients find it (`models:/<model_id>`, `search_logged_models`) as they
    /// find their own. On a server, which chooses where a model's files go, they are
    /// uploaded there too.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::models::MlModel;
    /// use rtrack::{RunOptions, Tracker};
    ///
    /// let tracker = Tracker::open(dir.path().join("store").to_str().unwrap())?;
    /// let run = tracker.create_run(RunOptions::default())?.info.run_id;
    /// let folder = dir.path().join("model");
    /// MlModel::new().save(&folder)?;
    /// tracker.log_artifacts(&run, &folder, Some("model"))?;
    /// let model = tracker.log_model_output(&run, "model", &folder, Some("sklearn"))?;
    /// assert_eq!((model.name.as_str(), model.source_run_id.as_deref()), ("model", Some(run.as_str())));
    /// assert!(model.artifact_location.ends_with("/artifacts/model"));
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn log_model_output(
        &self,
        run_id: &str,
        artifact_path: &str,
        local_dir: &std::path::Path,
        model_type: Option<&str>,
    ) -> Result<LoggedModel> {
        let run = self.get_run(run_id)?;
        let path = crate::artifacts::ArtifactPath::parse(artifact_path)?;
        let folder = format!("{}/{}", run.info.artifact_uri.trim_end_matches('/'), path.as_str());
        let mut new = NewLoggedModel::new(run.info.experiment_id);
        new.name = Some(path.as_str().to_string());
        new.source_run_id = Some(run_id.to_string());
        new.model_type = model_type.map(str::to_string);
        new.artifact_location = Some(folder.clone());
        let model = self.create_logged_model(&new)?;
        if model.artifact_location != folder {
            let store = self.store().artifact_store(&model.artifact_location)?;
            store.log_dir(&model.artifact_location, local_dir, None)?;
        }
        let model = self.finalize_logged_model(&model.model_id, LoggedModelStatus::Ready)?;
        if let Some(run_io) = self.store().run_io() {
            let output = crate::entities::ModelOutput {
                model_id: model.model_id.clone(),
                step: 0,
            };
            run_io.log_outputs(run_id, &[output])?;
        }
        Ok(model)
    }
}
