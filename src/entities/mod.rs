//! The things rtrack stores: experiments, runs and what is logged to them, and the
//! model registry (registered models, versions, aliases) with MLflow 3's logged models.
//! Plain data with MLflow's field names; validation of user-given keys and values
//! happens once, here, at the entity boundary (see [`validation`]).

mod logged_model;
mod registry;
mod registry_validation;
mod run_io;
mod run_table;
mod validation;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
pub use crate::ids::{ExperimentId, RunId};
pub use logged_model::{
    new_logged_model_id, validate_logged_model_name, LoggedModel, LoggedModelMetric, LoggedModelStatus,
};
pub use registry::{
    parse_version_number, ModelVersion, ModelVersionStage, ModelVersionStatus, RegisteredModel, RegisteredModelAlias,
};
pub use registry_validation::{
    validate_alias, validate_model_name, validate_registry_tag, validate_settable_alias, MAX_REGISTRY_TAG_VALUE_LENGTH,
};
pub use run_io::{DatasetInput, ModelOutput, RunIo};
pub use run_table::{Fnv, RunTable, RunTableBuilder};
pub use validation::{
    validate_experiment_name, validate_metric_key, validate_param, validate_run_name, validate_tag, validate_tag_key,
    MAX_PARAM_VALUE_LENGTH, MAX_TAG_VALUE_LENGTH,
};

/// Milliseconds since the Unix epoch, the unit of every timestamp in rtrack.
pub fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Whether an experiment or run is live or in the bin (restorable).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LifecycleStage {
    Active,
    Deleted,
}

impl LifecycleStage {
    pub fn as_str(self) -> &'static str {
        match self {
            LifecycleStage::Active => "active",
            LifecycleStage::Deleted => "deleted",
        }
    }
}

impl FromStr for LifecycleStage {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "active" => Ok(LifecycleStage::Active),
            "deleted" => Ok(LifecycleStage::Deleted),
            other => Err(Error::invalid(format!("Invalid lifecycle stage '{other}'"))),
        }
    }
}

impl fmt::Display for LifecycleStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which lifecycle stages a search includes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ViewType {
    #[default]
    ActiveOnly,
    DeletedOnly,
    All,
}

impl ViewType {
    /// The stages this view admits.
    pub fn stages(self) -> &'static [&'static str] {
        match self {
            ViewType::ActiveOnly => &["active"],
            ViewType::DeletedOnly => &["deleted"],
            ViewType::All => &["active", "deleted"],
        }
    }
}

impl FromStr for ViewType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "ACTIVE_ONLY" | "1" => Ok(ViewType::ActiveOnly),
            "DELETED_ONLY" | "2" => Ok(ViewType::DeletedOnly),
            "ALL" | "3" => Ok(ViewType::All),
            _ => Err(Error::invalid(format!(
                "Invalid view type '{s}': expected ACTIVE_ONLY, DELETED_ONLY or ALL"
            ))),
        }
    }
}

/// A run's state, with MLflow's names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum RunStatus {
    Running,
    Scheduled,
    Finished,
    Failed,
    Killed,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "RUNNING",
            RunStatus::Scheduled => "SCHEDULED",
            RunStatus::Finished => "FINISHED",
            RunStatus::Failed => "FAILED",
            RunStatus::Killed => "KILLED",
        }
    }

    /// True once the run has ended, whatever the outcome.
    pub fn is_terminated(self) -> bool {
        matches!(self, RunStatus::Finished | RunStatus::Failed | RunStatus::Killed)
    }
}

impl FromStr for RunStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_uppercase().as_str() {
            "RUNNING" => Ok(RunStatus::Running),
            "SCHEDULED" => Ok(RunStatus::Scheduled),
            "FINISHED" => Ok(RunStatus::Finished),
            "FAILED" => Ok(RunStatus::Failed),
            "KILLED" => Ok(RunStatus::Killed),
            _ => Err(Error::invalid(format!(
                "Invalid run status '{s}': expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED"
            ))),
        }
    }
}

impl fmt::Display for RunStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A named group of runs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Experiment {
    pub experiment_id: ExperimentId,
    pub name: String,
    pub artifact_location: String,
    pub lifecycle_stage: LifecycleStage,
    pub creation_time: i64,
    pub last_update_time: i64,
    pub tags: BTreeMap<String, String>,
}

/// One measurement of a metric.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Metric {
    pub key: String,
    pub value: f64,
    pub timestamp: i64,
    pub step: i64,
}

impl Metric {
    /// MLflow's rule for the "latest" value of a metric: highest step, then newest
    /// timestamp, then largest value.
    pub fn is_later_than(&self, other: &Metric) -> bool {
        point_is_later(
            (self.step, self.timestamp, self.value),
            (other.step, other.timestamp, other.value),
        )
    }
}

/// [`Metric::is_later_than`] on bare `(step, timestamp, value)` points.
pub fn point_is_later(a: (i64, i64, f64), b: (i64, i64, f64)) -> bool {
    (a.0, a.1) > (b.0, b.1) || ((a.0, a.1) == (b.0, b.1) && total_order(a.2) > total_order(b.2))
}

/// Order NaN above everything so "largest value" is well defined.
fn total_order(value: f64) -> f64 {
    if value.is_nan() {
        f64::INFINITY
    } else {
        value
    }
}

/// Whether points given as step and timestamp columns are in step, then timestamp order.
pub fn sorted_by_step(steps: &[i64], timestamps: &[i64]) -> bool {
    steps
        .windows(2)
        .zip(timestamps.windows(2))
        .all(|(s, t)| (s[0], t[0]) <= (s[1], t[1]))
}

/// A whole metric history as columns: the fast path for arrays.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricSeries {
    pub steps: Vec<i64>,
    pub values: Vec<f64>,
    pub timestamps: Vec<i64>,
}

impl MetricSeries {
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Whether the points are in step, then timestamp order.
    pub fn is_sorted_by_step(&self) -> bool {
        sorted_by_step(&self.steps, &self.timestamps)
    }

    /// Drop the first `count` points (all of them if there are fewer).
    pub fn skip_front(&mut self, count: usize) {
        let count = count.min(self.len());
        self.steps.drain(..count);
        self.values.drain(..count);
        self.timestamps.drain(..count);
    }

    /// Keep only the first `count` points.
    pub fn truncate(&mut self, count: usize) {
        self.steps.truncate(count);
        self.values.truncate(count);
        self.timestamps.truncate(count);
    }

    /// Points `range` as a series of their own.
    pub fn slice(&self, range: std::ops::Range<usize>) -> MetricSeries {
        MetricSeries {
            steps: self.steps[range.clone()].to_vec(),
            values: self.values[range.clone()].to_vec(),
            timestamps: self.timestamps[range].to_vec(),
        }
    }

    /// Sort by step, then timestamp, keeping logging order among equals.
    pub fn sort_by_step(&mut self) {
        if self.is_sorted_by_step() {
            return;
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by_key(|&i| (self.steps[i], self.timestamps[i]));
        self.steps = order.iter().map(|&i| self.steps[i]).collect();
        self.values = order.iter().map(|&i| self.values[i]).collect();
        self.timestamps = order.iter().map(|&i| self.timestamps[i]).collect();
    }

    /// The history as one `Metric` per point.
    pub fn to_metrics(&self, key: &str) -> Vec<Metric> {
        (0..self.len())
            .map(|i| Metric {
                key: key.to_string(),
                value: self.values[i],
                timestamp: self.timestamps[i],
                step: self.steps[i],
            })
            .collect()
    }
}

/// Run metadata.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub run_id: String,
    pub run_name: String,
    pub experiment_id: ExperimentId,
    pub user_id: String,
    pub status: RunStatus,
    pub start_time: i64,
    pub end_time: Option<i64>,
    pub artifact_uri: String,
    pub lifecycle_stage: LifecycleStage,
}

/// What was logged to a run: params, latest metrics and tags.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunData {
    pub params: BTreeMap<String, String>,
    /// The latest value of every metric (see [`Metric::is_later_than`]).
    pub metrics: BTreeMap<String, Metric>,
    pub tags: BTreeMap<String, String>,
}

/// A run: its info and its data.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    pub info: RunInfo,
    pub data: RunData,
}

/// One entry of an artifact listing, with the path relative to the run's artifact root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileInfo {
    pub path: String,
    pub is_dir: bool,
    pub file_size: Option<u64>,
}

/// A page of results and the token that fetches the next page, if any.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_page_token: Option<String>,
}

/// System tag names shared with MLflow.
pub mod tags {
    pub const RUN_NAME: &str = "mlflow.runName";
    pub const USER: &str = "mlflow.user";
    pub const SOURCE_NAME: &str = "mlflow.source.name";
    pub const SOURCE_TYPE: &str = "mlflow.source.type";
    pub const GIT_COMMIT: &str = "mlflow.source.git.commit";
    pub const PARENT_RUN_ID: &str = "mlflow.parentRunId";
    pub const NOTE: &str = "mlflow.note.content";
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metric(step: i64, timestamp: i64, value: f64) -> Metric {
        Metric {
            key: "m".into(),
            value,
            timestamp,
            step,
        }
    }

    #[test]
    fn latest_metric_prefers_step_then_time_then_value() {
        assert!(metric(2, 0, 0.0).is_later_than(&metric(1, 99, 5.0)));
        assert!(metric(1, 5, 0.0).is_later_than(&metric(1, 4, 5.0)));
        assert!(metric(1, 5, 6.0).is_later_than(&metric(1, 5, 5.0)));
        assert!(!metric(1, 5, 5.0).is_later_than(&metric(1, 5, 5.0)));
    }

    #[test]
    fn series_sorts_by_step_then_time_stably() {
        let mut s = MetricSeries {
            steps: vec![2, 1, 1, 0],
            values: vec![20.0, 11.0, 10.0, 0.0],
            timestamps: vec![0, 7, 3, 9],
        };
        s.sort_by_step();
        assert_eq!(s.steps, vec![0, 1, 1, 2]);
        assert_eq!(s.values, vec![0.0, 10.0, 11.0, 20.0]);
        assert_eq!(s.timestamps, vec![9, 3, 7, 0]);
    }

    #[test]
    fn statuses_parse_case_insensitively_and_reject_junk() {
        assert_eq!("finished".parse::<RunStatus>().unwrap(), RunStatus::Finished);
        let err = "DONE".parse::<RunStatus>().unwrap_err().to_string();
        assert!(err.contains("DONE"));
    }
}
