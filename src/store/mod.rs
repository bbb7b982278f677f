//! Storage: the only place that knows how runs and models are kept.
//!
//! [`TrackingStore`] is what every face of rtrack talks to. The embedded SQLite store
//! implements it today; a REST client store and PostgreSQL slot in behind the same trait,
//! chosen by the tracking URI (see [`location`]). [`RegistryStore`] (registered models and
//! their versions) and [`LoggedModelStore`] (MLflow 3's logged models) sit beside it.

pub mod location;
pub mod logged_models;
pub(crate) mod page_token;
pub mod registry;
#[cfg(feature = "remote")]
pub mod rest;
pub mod run_io;
pub mod sqlite;

use std::path::Path;
use std::sync::Arc;

use crate::artifacts::ArtifactStore;
use crate::entities::{
    Experiment, ExperimentId, Metric, MetricSeries, Page, Run, RunInfo, RunStatus, RunTableBuilder, ViewType,
};
use crate::error::Result;
pub use location::StoreLocation;
pub use logged_models::{DatasetFilter, LoggedModelSearch, LoggedModelStore, NewLoggedModel};
pub use registry::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch, RegistryStore};
pub use run_io::RunIoStore;

/// What a new run starts with.
#[derive(Clone, Debug, Default)]
pub struct NewRun {
    pub experiment_id: Option<ExperimentId>,
    pub user_id: String,
    pub start_time: Option<i64>,
    pub run_name: Option<String>,
    pub tags: Vec<(String, String)>,
}

/// Changes to a run's info; `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct RunUpdate {
    pub status: Option<RunStatus>,
    pub end_time: Option<i64>,
    pub run_name: Option<String>,
}

/// A run search, with MLflow's filter grammar and order_by clauses.
#[derive(Clone, Debug)]
pub struct RunSearch {
    pub experiment_ids: Vec<ExperimentId>,
    pub filter: String,
    pub view: ViewType,
    pub max_results: usize,
    pub order_by: Vec<String>,
    pub page_token: Option<String>,
}

impl Default for RunSearch {
    fn default() -> Self {
        RunSearch {
            experiment_ids: Vec::new(),
            filter: String::new(),
            view: ViewType::ActiveOnly,
            max_results: 1000,
            order_by: Vec::new(),
            page_token: None,
        }
    }
}

/// An experiment search.
#[derive(Clone, Debug)]
pub struct ExperimentSearch {
    pub filter: String,
    pub view: ViewType,
    pub max_results: usize,
    pub order_by: Vec<String>,
    pub page_token: Option<String>,
}

impl Default for ExperimentSearch {
    fn default() -> Self {
        ExperimentSearch {
            filter: String::new(),
            view: ViewType::ActiveOnly,
            max_results: 1000,
            order_by: Vec::new(),
            page_token: None,
        }
    }
}

/// How busy an experiment is: what its list in the UI shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExperimentActivity {
    pub experiment_id: ExperimentId,
    /// Active (not deleted) runs.
    pub run_count: u64,
    /// The latest start or end time of those runs, in milliseconds since the epoch.
    pub last_activity: Option<i64>,
}

/// Everything rtrack needs from a place that keeps experiments and runs.
///
/// Writes of metrics may be buffered, but any read through the same store sees them.
pub trait TrackingStore: Send + Sync {
    /// The URI this store was opened from.
    fn uri(&self) -> &str;
    /// Where runs of new experiments keep their files, as a URI.
    fn default_artifact_root(&self) -> &str;

    fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<ExperimentId>;
    fn get_experiment(&self, id: ExperimentId) -> Result<Experiment>;
    fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>>;
    fn search_experiments(&self, search: &ExperimentSearch) -> Result<Page<Experiment>>;
    fn rename_experiment(&self, id: ExperimentId, new_name: &str) -> Result<()>;
    fn delete_experiment(&self, id: ExperimentId) -> Result<()>;
    fn restore_experiment(&self, id: ExperimentId) -> Result<()>;
    fn set_experiment_tag(&self, id: ExperimentId, key: &str, value: &str) -> Result<()>;
    fn delete_experiment_tag(&self, id: ExperimentId, key: &str) -> Result<()>;

    fn create_run(&self, run: NewRun) -> Result<Run>;
    fn get_run(&self, run_id: &str) -> Result<Run>;
    /// Change a run's info; metrics queued so far are made durable first.
    fn update_run(&self, run_id: &str, update: RunUpdate) -> Result<RunInfo>;
    fn delete_run(&self, run_id: &str) -> Result<()>;
    fn restore_run(&self, run_id: &str) -> Result<()>;
    fn search_runs(&self, search: &RunSearch) -> Result<Page<Run>>;
    /// Add one page of a run search to a table of runs; returns the next page's token. This
    /// default goes through [`TrackingStore::search_runs`]; stores that can fill the columns
    /// straight from their rows override it.
    fn search_run_table(&self, search: &RunSearch, table: &mut RunTableBuilder) -> Result<Option<String>> {
        let page = self.search_runs(search)?;
        for run in &page.items {
            table.push_run(run);
        }
        Ok(page.next_page_token)
    }
    /// Run counts and last activity of the experiments `ids`, in that order. This default
    /// pages through every run; stores that can count in one query override it.
    fn experiment_activity(&self, ids: &[ExperimentId]) -> Result<Vec<ExperimentActivity>> {
        ids.iter()
            .map(|&id| {
                let mut activity = ExperimentActivity {
                    experiment_id: id,
                    run_count: 0,
                    last_activity: None,
                };
                let mut search = RunSearch {
                    experiment_ids: vec![id],
                    max_results: 10_000,
                    ..RunSearch::default()
                };
                loop {
                    let page = self.search_runs(&search)?;
                    for run in &page.items {
                        activity.run_count += 1;
                        let latest = run
                            .info
                            .end_time
                            .unwrap_or(run.info.start_time)
                            .max(run.info.start_time);
                        activity.last_activity = Some(activity.last_activity.map_or(latest, |seen| seen.max(latest)));
                    }
                    match page.next_page_token {
                        Some(token) => search.page_token = Some(token),
                        None => break,
                    }
                }
                Ok(activity)
            })
            .collect()
    }

    /// Params are immutable: the same value again is fine, a different one is an error.
    fn log_params(&self, run_id: &str, params: &[(String, String)]) -> Result<()>;
    fn set_tags(&self, run_id: &str, tags: &[(String, String)]) -> Result<()>;
    fn delete_tag(&self, run_id: &str, key: &str) -> Result<()>;

    /// Queue one metric point; returns before it reaches disk.
    fn log_metric(&self, run_id: &str, key: &str, value: f64, step: i64, timestamp: i64) -> Result<()>;
    /// Queue many metric points.
    fn log_metrics(&self, run_id: &str, metrics: &[Metric]) -> Result<()> {
        for metric in metrics {
            self.log_metric(run_id, &metric.key, metric.value, metric.step, metric.timestamp)?;
        }
        Ok(())
    }
    /// Store a whole array of points for one metric at once (durable on return).
    fn log_metric_series(&self, run_id: &str, key: &str, series: &MetricSeries) -> Result<()>;
    /// A metric's full history, ordered by step then timestamp.
    fn get_metric_series(&self, run_id: &str, key: &str) -> Result<MetricSeries>;
    /// The points of a metric after the first `offset`, in the order they were stored: what
    /// is new since a reader (a live chart) last looked. This default reads the whole history
    /// (in step order) and skips `offset` points; stores that keep logging order read only
    /// the new points.
    fn get_metric_points_since(&self, run_id: &str, key: &str, offset: usize) -> Result<MetricSeries> {
        let mut series = self.get_metric_series(run_id, key)?;
        series.skip_front(offset);
        Ok(series)
    }
    /// A page of a metric's history in step order: up to `limit` points after the first
    /// `offset`, handed to `visit` in consecutive slices so a long page never has to sit in
    /// memory whole. Returns how many points the history holds. This default reads the
    /// whole history; stores that keep points in step order read only the page.
    fn visit_metric_history(
        &self,
        run_id: &str,
        key: &str,
        offset: usize,
        limit: usize,
        visit: &mut dyn FnMut(&MetricSeries) -> Result<()>,
    ) -> Result<usize> {
        let mut series = self.get_metric_series(run_id, key)?;
        let total = series.len();
        series.skip_front(offset);
        series.truncate(limit);
        if !series.is_empty() {
            visit(&series)?;
        }
        Ok(total)
    }

    /// Make every queued write durable now.
    fn flush(&self) -> Result<()>;

    /// The artifact store holding the files under `artifact_uri` (a run's artifact root).
    /// Stores whose artifacts live behind them (a tracking server's proxied artifacts)
    /// override this.
    fn artifact_store(&self, artifact_uri: &str) -> Result<Arc<dyn ArtifactStore>> {
        crate::artifacts::open_artifact_store(artifact_uri)
    }

    /// The model registry kept with these runs, if this store has one.
    fn registry(&self) -> Option<&dyn RegistryStore> {
        None
    }

    /// The logged models (MLflow 3) kept in these experiments, if this store has them.
    fn logged_models(&self) -> Option<&dyn LoggedModelStore> {
        None
    }

    /// The datasets and models linked to runs, if this store keeps them.
    fn run_io(&self) -> Option<&dyn RunIoStore> {
        None
    }
}

/// Open the store a tracking URI names (see [`StoreLocation::parse`] for the forms).
pub fn open_store(uri: &str) -> Result<Arc<dyn TrackingStore>> {
    open_store_with_artifact_root(uri, None)
}

/// [`open_store`], with new experiments' artifacts under `artifact_root` instead of the
/// store's own artifact folder (the server's `--artifacts-destination`).
pub fn open_store_with_artifact_root(uri: &str, artifact_root: Option<&Path>) -> Result<Arc<dyn TrackingStore>> {
    match StoreLocation::parse(uri)? {
        StoreLocation::Sqlite {
            database,
            artifact_root: own_root,
        } => {
            let root = match artifact_root {
                Some(root) => location::absolute(root)?,
                None => own_root,
            };
            Ok(Arc::new(sqlite::SqliteStore::open(uri, &database, &root)?))
        }
        #[cfg(feature = "remote")]
        StoreLocation::Rest { base_url } => Ok(Arc::new(rest::RestStore::open(&base_url)?)),
    }
}
