//! [`Tracker`]: every tracking operation by id, on one store (MLflow's `MlflowClient`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::artifacts::{self, ArtifactStore};
use crate::entities::{
    now_millis, tags, Experiment, ExperimentId, FileInfo, LifecycleStage, Metric, MetricSeries, Page, Run, RunStatus,
    RunTable, RunTableBuilder,
};
use crate::error::{Error, Result};
use crate::store::{self, ExperimentSearch, NewRun, RunSearch, RunUpdate, TrackingStore};

use super::options::RunOptions;
use super::run::ActiveRun;
use super::system::{self, Source};

/// A handle on one tracking store. Cheap to clone; all clones share the store.
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// use rtrack::api::{Tracker, RunOptions};
/// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
/// let experiment = tracker.set_experiment("wine-quality")?;
/// let run = tracker.start_run(RunOptions::default().experiment(experiment.experiment_id).name("enet"))?;
/// run.log_param("alpha", 0.5)?;
/// for epoch in 0..10 {
///     run.log_metric("loss", 1.0 / (epoch as f64 + 1.0), epoch)?;
/// }
/// let run_id = run.id().to_string();
/// run.end()?;
/// let stored = tracker.get_run(&run_id)?;
/// assert_eq!(stored.data.params["alpha"], "0.5");
/// assert_eq!(stored.data.metrics["loss"].value, 0.1);
/// # Ok::<(), rtrack::Error>(())
/// ```
#[derive(Clone)]
pub struct Tracker {
    store: Arc<dyn TrackingStore>,
}

impl Tracker {
    /// Open the store a tracking URI names: a folder, `file:` or `sqlite:///` URI.
    pub fn open(uri: &str) -> Result<Tracker> {
        Ok(Tracker {
            store: store::open_store(uri)?,
        })
    }

    /// Use an already open store.
    pub fn from_store(store: Arc<dyn TrackingStore>) -> Tracker {
        Tracker { store }
    }

    pub fn store(&self) -> &Arc<dyn TrackingStore> {
        &self.store
    }

    pub fn tracking_uri(&self) -> &str {
        self.store.uri()
    }

    // ----- experiments -----

    pub fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<ExperimentId> {
        self.store.create_experiment(name, artifact_location, tags)
    }

    /// The experiment with this name, created if missing. A deleted one is an error.
    pub fn set_experiment(&self, name: &str) -> Result<Experiment> {
        let experiment = match self.store.get_experiment_by_name(name)? {
            Some(experiment) => experiment,
            None => match self.store.create_experiment(name, None, &[]) {
                Ok(id) => self.store.get_experiment(id)?,
                // Another process created it between our look and our insert.
                Err(Error::AlreadyExists(_)) => self
                    .store
                    .get_experiment_by_name(name)?
                    .ok_or_else(|| Error::not_found(format!("Experiment '{name}' vanished while being created")))?,
                Err(other) => return Err(other),
            },
        };
        if experiment.lifecycle_stage == LifecycleStage::Deleted {
            return Err(Error::invalid(format!(
                "Cannot use experiment '{name}': it is deleted. Restore it, or choose another name"
            )));
        }
        Ok(experiment)
    }

    pub fn get_experiment(&self, id: ExperimentId) -> Result<Experiment> {
        self.store.get_experiment(id)
    }

    pub fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        self.store.get_experiment_by_name(name)
    }

    pub fn search_experiments(&self, search: &ExperimentSearch) -> Result<Page<Experiment>> {
        self.store.search_experiments(search)
    }

    pub fn rename_experiment(&self, id: ExperimentId, new_name: &str) -> Result<()> {
        self.store.rename_experiment(id, new_name)
    }

    pub fn delete_experiment(&self, id: ExperimentId) -> Result<()> {
        self.store.delete_experiment(id)
    }

    pub fn restore_experiment(&self, id: ExperimentId) -> Result<()> {
        self.store.restore_experiment(id)
    }

    pub fn set_experiment_tag(&self, id: ExperimentId, key: &str, value: &str) -> Result<()> {
        self.store.set_experiment_tag(id, key, value)
    }

    // ----- runs -----

    /// Create a run with MLflow's system tags (user, source, git commit, parent, note).
    pub fn create_run(&self, options: RunOptions) -> Result<Run> {
        let source = options.source.unwrap_or_else(Source::current_process);
        let user = system::current_user();
        let mut run_tags = vec![
            (tags::USER.to_string(), user.clone()),
            (tags::SOURCE_NAME.to_string(), source.name.clone()),
            (tags::SOURCE_TYPE.to_string(), source.kind.clone()),
        ];
        let source_path = Path::new(&source.name);
        let git_start = if source_path.exists() {
            source_path.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default()
        };
        if let Some(commit) = system::git_commit(&git_start) {
            run_tags.push((tags::GIT_COMMIT.to_string(), commit));
        }
        if let Some(parent) = &options.parent_run_id {
            run_tags.push((tags::PARENT_RUN_ID.to_string(), parent.clone()));
        }
        if let Some(description) = &options.description {
            run_tags.push((tags::NOTE.to_string(), description.clone()));
        }
        // Tags the caller gives win over the system ones.
        run_tags.retain(|(key, _)| !options.tags.iter().any(|(k, _)| k == key));
        run_tags.extend(options.tags);
        self.store.create_run(NewRun {
            experiment_id: options.experiment_id,
            user_id: user,
            start_time: Some(options.start_time.unwrap_or_else(now_millis)),
            run_name: options.run_name,
            tags: run_tags,
        })
    }

    /// Create a run and return a handle that ends it when dropped.
    pub fn start_run(&self, options: RunOptions) -> Result<ActiveRun> {
        let run = self.create_run(options)?;
        Ok(ActiveRun::new(self.clone(), run.info.run_id))
    }

    /// Reopen a finished run to log more to it. A deleted run must be restored first.
    pub fn resume_run(&self, run_id: &str) -> Result<ActiveRun> {
        if self.store.get_run(run_id)?.info.lifecycle_stage != LifecycleStage::Active {
            return Err(Error::invalid(format!(
                "Cannot resume run '{run_id}': it is deleted; restore it first"
            )));
        }
        self.store.update_run(
            run_id,
            RunUpdate {
                status: Some(RunStatus::Running),
                ..Default::default()
            },
        )?;
        Ok(ActiveRun::new(self.clone(), run_id.to_string()))
    }

    pub fn get_run(&self, run_id: &str) -> Result<Run> {
        self.store.get_run(run_id)
    }

    /// End a run: set its status and end time, and make its metrics durable.
    pub fn set_terminated(&self, run_id: &str, status: RunStatus, end_time: Option<i64>) -> Result<()> {
        self.store.update_run(
            run_id,
            RunUpdate {
                status: Some(status),
                end_time: Some(end_time.unwrap_or_else(now_millis)),
                run_name: None,
            },
        )?;
        Ok(())
    }

    pub fn update_run(&self, run_id: &str, update: RunUpdate) -> Result<()> {
        self.store.update_run(run_id, update).map(|_| ())
    }

    pub fn delete_run(&self, run_id: &str) -> Result<()> {
        self.store.delete_run(run_id)
    }

    pub fn restore_run(&self, run_id: &str) -> Result<()> {
        self.store.restore_run(run_id)
    }

    /// Runs matching MLflow's filter grammar (see [`crate::search`]), a page at a time.
    ///
    /// ```
    /// use rtrack::store::RunSearch;
    /// use rtrack::{RunOptions, Tracker};
    ///
    /// # let dir = tempfile::tempdir().unwrap();
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// let experiment = tracker.set_experiment("sweep")?.experiment_id;
    /// for (i, alpha) in [0.1, 0.5, 1.0].iter().enumerate() {
    ///     let run = tracker.start_run(RunOptions::default().experiment(experiment).name(format!("run-{i}")))?;
    ///     run.log_param("alpha", alpha)?;
    ///     run.log_metric("rmse", 0.9 - alpha / 2.0, 0)?;
    /// }
    /// let page = tracker.search_runs(&RunSearch {
    ///     experiment_ids: vec![experiment],
    ///     // Params are strings, as Rust's `to_string` writes them: 1.0 was logged as "1".
    ///     filter: "metrics.rmse < 0.8 AND params.alpha IN ('0.5', '1')".into(),
    ///     order_by: vec!["metrics.rmse ASC".into()],
    ///     max_results: 10,
    ///     ..Default::default()
    /// })?;
    /// let names: Vec<&str> = page.items.iter().map(|run| run.info.run_name.as_str()).collect();
    /// assert_eq!(names, ["run-2", "run-1"]);
    /// assert!(page.next_page_token.is_none());
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn search_runs(&self, search: &RunSearch) -> Result<Page<Run>> {
        self.store.search_runs(search)
    }

    /// Every run a search finds, up to `max_results` (following the pages from
    /// `search.page_token` on), as columns: the shape of MLflow's `search_runs` DataFrame.
    /// `search.max_results` is ignored.
    ///
    /// ```
    /// # use rtrack::{store::RunSearch, ExperimentId, Tracker};
    /// # let dir = tempfile::tempdir()?;
    /// # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// for alpha in [0.1, 0.5] {
    ///     let run = tracker.create_run(Default::default())?;
    ///     tracker.log_param(&run.info.run_id, "alpha", alpha)?;
    /// }
    /// let search = RunSearch { experiment_ids: vec![ExperimentId::DEFAULT], ..Default::default() };
    /// let table = tracker.search_run_table(&search, 1000)?;
    /// assert_eq!(table.len(), 2);
    /// assert_eq!(table.params["alpha"].len(), 2);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn search_run_table(&self, search: &RunSearch, max_results: usize) -> Result<RunTable> {
        let mut table = RunTableBuilder::default();
        let mut request = search.clone();
        while table.len() < max_results {
            request.max_results = (max_results - table.len()).min(super::MAX_PAGE);
            match self.store.search_run_table(&request, &mut table)? {
                Some(token) => request.page_token = Some(token),
                None => break,
            }
        }
        Ok(table.finish())
    }

    // ----- params, metrics, tags -----

    /// Log a param (stored as its string). The same value again is fine; a different one is
    /// an [`Error::InvalidValue`] naming the key. The param is checked here and written by
    /// the background writer with the run's metrics (at the latest on the next read, flush
    /// or end of the run); a different value another process stored in the meantime is
    /// reported by the next flush.
    pub fn log_param(&self, run_id: &str, key: &str, value: impl ToString) -> Result<()> {
        self.store.log_params(run_id, &[(key.to_string(), value.to_string())])
    }

    /// Several params at once, checked together: a bad one logs none of them.
    pub fn log_params(&self, run_id: &str, params: &[(String, String)]) -> Result<()> {
        self.store.log_params(run_id, params)
    }

    /// Queue a metric point; `step` defaults to 0 and `timestamp` to now, as in MLflow.
    pub fn log_metric(
        &self,
        run_id: &str,
        key: &str,
        value: f64,
        step: Option<i64>,
        timestamp: Option<i64>,
    ) -> Result<()> {
        self.store.log_metric(
            run_id,
            key,
            value,
            step.unwrap_or(0),
            timestamp.unwrap_or_else(now_millis),
        )
    }

    /// Params, tags and metrics in one call; params and tags are checked before anything
    /// of the batch is written.
    pub fn log_batch(
        &self,
        run_id: &str,
        metrics: &[Metric],
        params: &[(String, String)],
        tags: &[(String, String)],
    ) -> Result<()> {
        for (key, value) in params {
            crate::entities::validate_param(key, value)?;
        }
        for (key, value) in tags {
            crate::entities::validate_tag(key, value)?;
        }
        for metric in metrics {
            crate::entities::validate_metric_key(&metric.key)?;
        }
        if !params.is_empty() {
            self.store.log_params(run_id, params)?;
        }
        if !tags.is_empty() {
            self.store.set_tags(run_id, tags)?;
        }
        self.store.log_metrics(run_id, metrics)
    }

    /// Store a whole array of points at once. Missing steps count 0, 1, 2 ...; missing
    /// timestamps are now. The points are durable on return.
    ///
    /// ```
    /// use rtrack::{RunOptions, Tracker};
    ///
    /// # let dir = tempfile::tempdir().unwrap();
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// let run_id = tracker.create_run(RunOptions::default())?.info.run_id;
    /// let losses: Vec<f64> = (0..10_000).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    /// let steps: Vec<i64> = (0..10_000).map(|i| i * 10).collect();
    /// tracker.log_metric_series(&run_id, "loss", losses, Some(steps), None)?;
    ///
    /// let series = tracker.get_metric_series(&run_id, "loss")?; // columns: steps, values, timestamps
    /// assert_eq!(series.len(), 10_000);
    /// assert_eq!((series.steps[9_999], series.values[0]), (99_990, 1.0));
    /// // Every column must have one entry per value.
    /// assert!(tracker.log_metric_series(&run_id, "loss", vec![1.0, 2.0], Some(vec![0]), None).is_err());
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn log_metric_series(
        &self,
        run_id: &str,
        key: &str,
        values: Vec<f64>,
        steps: Option<Vec<i64>>,
        timestamps: Option<Vec<i64>>,
    ) -> Result<()> {
        let n = values.len();
        let steps = steps.unwrap_or_else(|| (0..n as i64).collect());
        let timestamps = timestamps.unwrap_or_else(|| vec![now_millis(); n]);
        self.store.log_metric_series(
            run_id,
            key,
            &MetricSeries {
                steps,
                values,
                timestamps,
            },
        )
    }

    pub fn get_metric_series(&self, run_id: &str, key: &str) -> Result<MetricSeries> {
        self.store.get_metric_series(run_id, key)
    }

    pub fn get_metric_history(&self, run_id: &str, key: &str) -> Result<Vec<Metric>> {
        Ok(self.store.get_metric_series(run_id, key)?.to_metrics(key))
    }

    pub fn set_tag(&self, run_id: &str, key: &str, value: &str) -> Result<()> {
        self.store.set_tags(run_id, &[(key.to_string(), value.to_string())])
    }

    pub fn set_tags(&self, run_id: &str, tags: &[(String, String)]) -> Result<()> {
        self.store.set_tags(run_id, tags)
    }

    pub fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        self.store.delete_tag(run_id, key)
    }

    /// Make every queued write durable now.
    pub fn flush(&self) -> Result<()> {
        self.store.flush()
    }

    // ----- artifacts -----

    /// The run's artifact root, and the store that holds it.
    fn artifact_root(&self, run_id: &str) -> Result<(String, Arc<dyn ArtifactStore>)> {
        let uri = self.store.get_run(run_id)?.info.artifact_uri;
        let store = self.store.artifact_store(&uri)?;
        Ok((uri, store))
    }

    /// The URI of the run's artifact root, or of a path inside it.
    pub fn get_artifact_uri(&self, run_id: &str, artifact_path: Option<&str>) -> Result<String> {
        let root = self.store.get_run(run_id)?.info.artifact_uri;
        match artifact_path.filter(|p| !p.is_empty()) {
            None => Ok(root),
            Some(path) => {
                let clean = artifacts::ArtifactPath::parse(path)?;
                Ok(format!("{root}/{}", clean.as_str()))
            }
        }
    }

    pub fn log_artifact(&self, run_id: &str, local_path: &Path, artifact_path: Option<&str>) -> Result<()> {
        let (root, store) = self.artifact_root(run_id)?;
        store.log_file(&root, local_path, artifact_path)
    }

    pub fn log_artifacts(&self, run_id: &str, local_dir: &Path, artifact_path: Option<&str>) -> Result<()> {
        let (root, store) = self.artifact_root(run_id)?;
        store.log_dir(&root, local_dir, artifact_path)
    }

    /// Write bytes as the artifact file `artifact_file` (e.g. `plots/loss.png`).
    pub fn log_bytes(&self, run_id: &str, bytes: &[u8], artifact_file: &str) -> Result<()> {
        let (root, store) = self.artifact_root(run_id)?;
        store.write_file(&root, artifact_file, bytes)
    }

    pub fn log_text(&self, run_id: &str, text: &str, artifact_file: &str) -> Result<()> {
        self.log_bytes(run_id, text.as_bytes(), artifact_file)
    }

    /// Write a JSON value as JSON, or as YAML when the file ends in `.yaml`/`.yml`.
    pub fn log_dict(&self, run_id: &str, value: &serde_json::Value, artifact_file: &str) -> Result<()> {
        let lower = artifact_file.to_ascii_lowercase();
        let text = if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            artifacts::to_yaml(value)
        } else {
            serde_json::to_string_pretty(value)
                .map_err(|e| Error::invalid(format!("Cannot write '{artifact_file}' as JSON: {e}")))?
        };
        self.log_text(run_id, &text, artifact_file)
    }

    /// Encode 8-bit pixels (`channels` of 1, 2, 3 or 4) as PNG and store them.
    pub fn log_image(
        &self,
        run_id: &str,
        pixels: &[u8],
        height: u32,
        width: u32,
        channels: u8,
        artifact_file: &str,
    ) -> Result<()> {
        let png = artifacts::encode_png(pixels, height, width, channels)?;
        self.log_bytes(run_id, &png, artifact_file)
    }

    /// Store columns of values as a table in MLflow's JSON layout (`columns` + `data` rows).
    pub fn log_table(
        &self,
        run_id: &str,
        columns: Vec<(String, Vec<serde_json::Value>)>,
        artifact_file: &str,
    ) -> Result<()> {
        let json = artifacts::table_to_json(columns)?;
        self.log_text(run_id, &json, artifact_file)
    }

    pub fn list_artifacts(&self, run_id: &str, path: Option<&str>) -> Result<Vec<FileInfo>> {
        let (root, store) = self.artifact_root(run_id)?;
        store.list(&root, path)
    }

    /// Copy an artifact (file or folder; `""` for all) into `dst_dir`; returns the local path.
    pub fn download_artifacts(&self, run_id: &str, path: &str, dst_dir: &Path) -> Result<PathBuf> {
        let (root, store) = self.artifact_root(run_id)?;
        store.download(&root, path, dst_dir)
    }
}
