//! Runs as columns: the shape of MLflow's `search_runs` DataFrame, one entry per run in
//! every column. Runs that share a param or tag value share one string, so a page of similar
//! runs costs one allocation per distinct value rather than one per cell.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::{ExperimentId, Run, RunInfo, RunStatus};

/// A page of runs, column by column. Build it with [`RunTableBuilder`].
///
/// ```
/// use rtrack::entities::RunTableBuilder;
/// # let dir = tempfile::tempdir()?;
/// # let tracker = rtrack::Tracker::open(dir.path().to_str().unwrap())?;
/// let run = tracker.create_run(Default::default())?;
/// tracker.log_param(&run.info.run_id, "alpha", 0.5)?;
/// let mut builder = RunTableBuilder::default();
/// builder.push_run(&tracker.get_run(&run.info.run_id)?);
/// let table = builder.finish();
/// assert_eq!(table.params["alpha"][0].as_deref(), Some("0.5"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RunTable {
    pub run_ids: Vec<String>,
    pub experiment_ids: Vec<ExperimentId>,
    pub statuses: Vec<RunStatus>,
    pub artifact_uris: Vec<String>,
    pub start_times: Vec<i64>,
    pub end_times: Vec<Option<i64>>,
    /// The latest value of each metric; NaN where a run has none.
    pub metrics: BTreeMap<String, Vec<f64>>,
    pub params: BTreeMap<String, Vec<Option<Arc<str>>>>,
    pub tags: BTreeMap<String, Vec<Option<Arc<str>>>>,
}

impl RunTable {
    /// The number of runs.
    pub fn len(&self) -> usize {
        self.run_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.run_ids.is_empty()
    }
}

/// Fills a [`RunTable`] one run at a time: the run's info first ([`RunTableBuilder::start_row`]),
/// then its params, tags and metrics in any order.
#[derive(Default)]
pub struct RunTableBuilder {
    table: RunTable,
    /// Every distinct param and tag value seen so far.
    strings: HashMap<Box<str>, Arc<str>, BuildHasherDefault<Fnv>>,
}

impl RunTableBuilder {
    /// Begin the next run's row.
    pub fn start_row(&mut self, info: &RunInfo) {
        self.start_row_with(
            info.run_id.clone(),
            info.experiment_id,
            info.status,
            info.artifact_uri.clone(),
            info.start_time,
            info.end_time,
        );
    }

    /// Begin the next run's row from its info fields.
    pub fn start_row_with(
        &mut self,
        run_id: String,
        experiment_id: ExperimentId,
        status: RunStatus,
        artifact_uri: String,
        start_time: i64,
        end_time: Option<i64>,
    ) {
        self.end_row();
        let table = &mut self.table;
        table.run_ids.push(run_id);
        table.experiment_ids.push(experiment_id);
        table.statuses.push(status);
        table.artifact_uris.push(artifact_uri);
        table.start_times.push(start_time);
        table.end_times.push(end_time);
    }

    pub fn param(&mut self, key: &str, value: &str) {
        let value = self.intern(value);
        set_cell(&mut self.table.params, self.table.run_ids.len(), key, Some(value));
    }

    pub fn tag(&mut self, key: &str, value: &str) {
        let value = self.intern(value);
        set_cell(&mut self.table.tags, self.table.run_ids.len(), key, Some(value));
    }

    pub fn metric(&mut self, key: &str, value: f64) {
        set_cell(&mut self.table.metrics, self.table.run_ids.len(), key, value);
    }

    /// Add a whole run.
    pub fn push_run(&mut self, run: &Run) {
        self.start_row(&run.info);
        for (key, value) in &run.data.params {
            self.param(key, value);
        }
        for (key, value) in &run.data.tags {
            self.tag(key, value);
        }
        for (key, metric) in &run.data.metrics {
            self.metric(key, metric.value);
        }
    }

    /// The runs added so far.
    pub fn len(&self) -> usize {
        self.table.run_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.run_ids.is_empty()
    }

    pub fn finish(mut self) -> RunTable {
        self.end_row();
        self.table
    }

    fn intern(&mut self, value: &str) -> Arc<str> {
        if let Some(shared) = self.strings.get(value) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(value);
        self.strings.insert(value.into(), Arc::clone(&shared));
        shared
    }

    /// Give every column the current run's cell: the run lacks the keys not yet filled.
    fn end_row(&mut self) {
        let rows = self.table.run_ids.len();
        pad(&mut self.table.params, rows, None);
        pad(&mut self.table.tags, rows, None);
        pad(&mut self.table.metrics, rows, f64::NAN);
    }
}

/// FNV-1a: the values hashed here are short and come from our own store, so a fast hash
/// beats std's DoS-resistant default (which took more time than the lookups it served).
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0 ^ byte as u64).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Set the cell of row `rows - 1` in column `key`, creating the column (empty above) if new.
fn set_cell<T: Clone + MissingValue>(columns: &mut BTreeMap<String, Vec<T>>, rows: usize, key: &str, value: T) {
    if rows == 0 {
        return; // no row started
    }
    let column = match columns.get_mut(key) {
        Some(column) => column,
        None => columns
            .entry(key.to_string())
            .or_insert_with(|| vec![T::missing(); rows - 1]),
    };
    column.truncate(rows - 1); // a key given twice for one run keeps the later value
    column.push(value);
}

fn pad<T: Clone>(columns: &mut BTreeMap<String, Vec<T>>, rows: usize, missing: T) {
    for column in columns.values_mut() {
        column.resize(rows, missing.clone());
    }
}

/// What a cell holds for a run without the key.
trait MissingValue {
    fn missing() -> Self;
}

impl MissingValue for f64 {
    fn missing() -> Self {
        f64::NAN
    }
}

impl MissingValue for Option<Arc<str>> {
    fn missing() -> Self {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(run_id: &str) -> RunInfo {
        RunInfo {
            run_id: run_id.into(),
            run_name: "n".into(),
            experiment_id: ExperimentId(1),
            user_id: "u".into(),
            status: RunStatus::Finished,
            start_time: 5,
            end_time: None,
            artifact_uri: format!("file:///a/{run_id}"),
            lifecycle_stage: super::super::LifecycleStage::Active,
        }
    }

    #[test]
    fn keys_a_run_lacks_are_empty_cells_and_values_are_shared() {
        let mut builder = RunTableBuilder::default();
        builder.start_row(&info("r1"));
        builder.param("alpha", "0.1");
        builder.metric("rmse", 0.5);
        builder.start_row(&info("r2"));
        builder.tag("team", "a");
        builder.param("alpha", "0.1");
        builder.start_row(&info("r3"));
        builder.metric("rmse", 0.7);
        builder.metric("rmse", 0.9);
        let table = builder.finish();
        assert_eq!(table.len(), 3);
        assert_eq!(table.run_ids, ["r1", "r2", "r3"]);
        let alpha = &table.params["alpha"];
        assert_eq!(
            alpha.iter().map(|v| v.as_deref()).collect::<Vec<_>>(),
            [Some("0.1"), Some("0.1"), None]
        );
        assert!(
            Arc::ptr_eq(alpha[0].as_ref().unwrap(), alpha[1].as_ref().unwrap()),
            "one string for one value"
        );
        assert_eq!(
            table.tags["team"].iter().map(|v| v.as_deref()).collect::<Vec<_>>(),
            [None, Some("a"), None]
        );
        let rmse = &table.metrics["rmse"];
        assert_eq!((rmse[0], rmse[2]), (0.5, 0.9));
        assert!(rmse[1].is_nan());
    }

    #[test]
    fn an_empty_builder_gives_an_empty_table() {
        let table = RunTableBuilder::default().finish();
        assert!(table.is_empty() && table.params.is_empty());
    }
}
