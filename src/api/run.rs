//! [`ActiveRun`]: a run being logged to from Rust. Dropping it ends the run, as FAILED
//! when the thread is panicking and FINISHED otherwise.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::entities::{now_millis, Metric, Run, RunStatus};
use crate::error::Result;

use super::tracker::Tracker;

/// A run being logged to, from [`Tracker::start_run`] or [`Tracker::resume_run`].
///
/// Dropping the handle ends the run: `FINISHED` normally, `FAILED` when the thread is
/// panicking. Call [`end`](Self::end) or [`end_with`](Self::end_with) to end it explicitly
/// and see any error.
///
/// ```
/// use rtrack::{RunOptions, RunStatus, Tracker};
///
/// # let dir = tempfile::tempdir().unwrap();
/// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
/// let run_id = {
///     let run = tracker.start_run(RunOptions::default().name("baseline"))?;
///     run.log_params([("alpha", 0.5), ("l1_ratio", 0.1)])?;
///     for epoch in 0..100 {
///         run.log_metric("loss", 1.0 / (epoch as f64 + 1.0), epoch)?; // queued, returns at once
///     }
///     run.log_metrics([("rmse", 0.71), ("r2", 0.29)], 100)?;
///     run.log_metric_series("lr", vec![0.1, 0.05, 0.025])?; // steps 0, 1, 2
///     run.set_tag("stage", "tuning")?;
///     run.log_text("trained on winequality-red", "notes/data.txt")?;
///     assert_eq!(run.get()?.data.metrics["loss"].step, 99); // reads see queued points
///     run.id().to_string()
/// }; // dropped here: the run ends FINISHED
///
/// let run = tracker.get_run(&run_id)?;
/// assert_eq!(run.info.status, RunStatus::Finished);
/// assert_eq!(run.data.params["alpha"], "0.5");
/// assert_eq!(tracker.get_metric_history(&run_id, "loss")?.len(), 100);
///
/// // A panic while the handle is alive marks the run FAILED.
/// let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
///     let run = tracker.start_run(RunOptions::default()).unwrap();
///     let id = run.id().to_string();
///     std::panic::panic_any(id); // carry the id out through the panic
/// }));
/// let id = failed.unwrap_err().downcast::<String>().unwrap();
/// assert_eq!(tracker.get_run(&id)?.info.status, RunStatus::Failed);
/// # Ok::<(), rtrack::Error>(())
/// ```
pub struct ActiveRun {
    tracker: Tracker,
    run_id: String,
    ended: AtomicBool,
}

impl ActiveRun {
    pub(crate) fn new(tracker: Tracker, run_id: String) -> ActiveRun {
        ActiveRun {
            tracker,
            run_id,
            ended: AtomicBool::new(false),
        }
    }

    pub fn id(&self) -> &str {
        &self.run_id
    }

    pub fn tracker(&self) -> &Tracker {
        &self.tracker
    }

    /// The run as stored now (info, params, latest metrics, tags).
    pub fn get(&self) -> Result<Run> {
        self.tracker.get_run(&self.run_id)
    }

    pub fn log_param(&self, key: &str, value: impl ToString) -> Result<()> {
        self.tracker.log_param(&self.run_id, key, value)
    }

    pub fn log_params<K: ToString, V: ToString>(&self, params: impl IntoIterator<Item = (K, V)>) -> Result<()> {
        let params: Vec<(String, String)> = params
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.tracker.log_params(&self.run_id, &params)
    }

    /// Queue a metric point at `step`, timestamped now.
    pub fn log_metric(&self, key: &str, value: f64, step: i64) -> Result<()> {
        self.tracker
            .store()
            .log_metric(&self.run_id, key, value, step, now_millis())
    }

    /// Log several metrics at the same step; a bad key refuses the whole batch.
    pub fn log_metrics<'a>(&self, metrics: impl IntoIterator<Item = (&'a str, f64)>, step: i64) -> Result<()> {
        let timestamp = now_millis();
        let metrics: Vec<Metric> = metrics
            .into_iter()
            .map(|(key, value)| Metric {
                key: key.to_string(),
                value,
                timestamp,
                step,
            })
            .collect();
        self.tracker.store().log_metrics(&self.run_id, &metrics)
    }

    /// Store a whole array of values at once (steps 0, 1, 2 ...).
    pub fn log_metric_series(&self, key: &str, values: Vec<f64>) -> Result<()> {
        self.tracker.log_metric_series(&self.run_id, key, values, None, None)
    }

    pub fn set_tag(&self, key: &str, value: &str) -> Result<()> {
        self.tracker.set_tag(&self.run_id, key, value)
    }

    pub fn log_artifact(&self, local_path: impl AsRef<Path>, artifact_path: Option<&str>) -> Result<()> {
        self.tracker
            .log_artifact(&self.run_id, local_path.as_ref(), artifact_path)
    }

    pub fn log_text(&self, text: &str, artifact_file: &str) -> Result<()> {
        self.tracker.log_text(&self.run_id, text, artifact_file)
    }

    pub fn log_dict(&self, value: &serde_json::Value, artifact_file: &str) -> Result<()> {
        self.tracker.log_dict(&self.run_id, value, artifact_file)
    }

    /// End the run as FINISHED.
    pub fn end(self) -> Result<()> {
        self.end_with(RunStatus::Finished)
    }

    /// Let go of the handle without ending the run (it stays RUNNING, for whoever ends it
    /// later: the fluent API's run stack, say); returns the run's id.
    pub fn detach(self) -> String {
        self.ended.store(true, Ordering::SeqCst);
        self.run_id.clone()
    }

    /// End the run with the given status.
    pub fn end_with(&self, status: RunStatus) -> Result<()> {
        if self.ended.swap(true, Ordering::SeqCst) {
            return Ok(());
        }
        self.tracker.set_terminated(&self.run_id, status, Some(now_millis()))
    }
}

impl Drop for ActiveRun {
    fn drop(&mut self) {
        let status = if std::thread::panicking() {
            RunStatus::Failed
        } else {
            RunStatus::Finished
        };
        // Errors cannot escape a drop; end() is there for callers who want to see them.
        let _ = self.end_with(status);
    }
}
