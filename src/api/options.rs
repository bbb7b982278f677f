//! [`RunOptions`]: what a new run starts with.

use crate::entities::ExperimentId;

use super::system::Source;

/// How to start a run; every field is optional. Build it with the chained setters.
///
/// ```
/// use rtrack::entities::tags;
/// use rtrack::{RunOptions, Tracker};
///
/// # let dir = tempfile::tempdir().unwrap();
/// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
/// let experiment = tracker.set_experiment("wine-quality")?.experiment_id;
/// let parent = tracker.create_run(RunOptions::default().experiment(experiment).name("sweep"))?;
/// let child = tracker.create_run(
///     RunOptions::default()
///         .experiment(experiment)
///         .name("alpha-0.5")
///         .parent(parent.info.run_id.clone()) // tag mlflow.parentRunId
///         .description("ElasticNet, alpha 0.5") // tag mlflow.note.content
///         .tag("model", "enet"),
/// )?;
/// assert_eq!(child.info.run_name, "alpha-0.5");
/// assert_eq!(child.data.tags[tags::PARENT_RUN_ID], parent.info.run_id);
/// assert_eq!(child.data.tags[tags::NOTE], "ElasticNet, alpha 0.5");
/// assert!(child.data.tags.contains_key(tags::USER));
/// # Ok::<(), rtrack::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub experiment_id: Option<ExperimentId>,
    pub run_name: Option<String>,
    pub tags: Vec<(String, String)>,
    pub description: Option<String>,
    pub parent_run_id: Option<String>,
    /// Start time in epoch milliseconds; now when `None`.
    pub start_time: Option<i64>,
    /// Where the run comes from; the current process when `None`.
    pub source: Option<Source>,
}

impl RunOptions {
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.run_name = Some(name.into());
        self
    }

    pub fn experiment(mut self, id: ExperimentId) -> Self {
        self.experiment_id = Some(id);
        self
    }

    pub fn tag(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.tags.push((key.into(), value.into()));
        self
    }

    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    pub fn parent(mut self, run_id: impl Into<String>) -> Self {
        self.parent_run_id = Some(run_id.into());
        self
    }
}
