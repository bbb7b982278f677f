//! What one store instance knows about the runs it logs to, held in memory so that logging
//! needs no SQL: a metric series, (run, key), gets a local number at once, and its database
//! row is created by whoever next writes a batch, inside that batch's transaction; a run's
//! params are checked here, against the params this process knows the run has.

use std::collections::{HashMap, HashSet};

/// A series' number in this process (an index into the known series).
pub type LocalSeries = u32;

#[derive(Default)]
pub struct KnownRuns {
    by_run: HashMap<String, HashMap<String, LocalSeries>>,
    entries: Vec<Entry>,
    /// Runs known to exist and be active: created, resumed or checked by this store.
    active_runs: HashSet<String>,
    /// Every param of a run as this store knows it: stored ones read once, plus those
    /// queued since. Runs this store created start empty.
    params: HashMap<String, HashMap<String, String>>,
}

struct Entry {
    run_id: String,
    key: String,
    database_id: Option<i64>,
}

impl KnownRuns {
    /// The local number of a series already registered.
    pub fn lookup(&self, run_id: &str, key: &str) -> Option<LocalSeries> {
        self.by_run.get(run_id)?.get(key).copied()
    }

    pub fn is_known_active(&self, run_id: &str) -> bool {
        self.active_runs.contains(run_id)
    }

    pub fn mark_active(&mut self, run_id: &str) {
        self.active_runs.insert(run_id.to_string());
    }

    /// The run's state changed elsewhere: check it again before logging to it.
    pub fn forget_run(&mut self, run_id: &str) {
        self.active_runs.remove(run_id);
        self.by_run.remove(run_id);
        self.params.remove(run_id);
    }

    pub fn forget_all_runs(&mut self) {
        self.active_runs.clear();
        self.by_run.clear();
        self.params.clear();
    }

    /// The params known for a run, if this store has them.
    pub fn known_params(&self, run_id: &str) -> Option<&HashMap<String, String>> {
        self.params.get(run_id)
    }

    /// Remember every param a run has (when it was created here, or just read).
    pub fn set_known_params(&mut self, run_id: &str, params: HashMap<String, String>) {
        self.params.insert(run_id.to_string(), params);
    }

    /// Add params to a run whose params are known.
    pub fn add_known_params<'a>(&mut self, run_id: &str, params: impl IntoIterator<Item = (&'a str, &'a str)>) {
        if let Some(known) = self.params.get_mut(run_id) {
            known.extend(params.into_iter().map(|(k, v)| (k.to_string(), v.to_string())));
        }
    }

    /// Drop a run's params (it ended); they are read again if more are logged.
    pub fn forget_params(&mut self, run_id: &str) {
        self.params.remove(run_id);
    }

    /// Give (run, key) a local number; its entry stays valid while points refer to it.
    pub fn register(&mut self, run_id: &str, key: &str) -> LocalSeries {
        if let Some(local) = self.lookup(run_id, key) {
            return local;
        }
        let local = self.entries.len() as LocalSeries;
        self.entries.push(Entry {
            run_id: run_id.to_string(),
            key: key.to_string(),
            database_id: None,
        });
        self.by_run
            .entry(run_id.to_string())
            .or_default()
            .insert(key.to_string(), local);
        local
    }

    /// The database row of a series, if a committed batch has created it.
    pub fn database_id(&self, local: LocalSeries) -> Option<i64> {
        self.entries[local as usize].database_id
    }

    /// Run id and key of a series.
    pub fn names(&self, local: LocalSeries) -> (String, String) {
        let entry = &self.entries[local as usize];
        (entry.run_id.clone(), entry.key.clone())
    }

    /// Record rows created by a batch, once its transaction has committed.
    pub fn set_database_id(&mut self, local: LocalSeries, id: i64) {
        self.entries[local as usize].database_id = Some(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registering_twice_gives_the_same_number() {
        let mut known_runs = KnownRuns::default();
        let a = known_runs.register("run", "loss");
        let b = known_runs.register("run", "acc");
        assert_ne!(a, b);
        assert_eq!(known_runs.register("run", "loss"), a);
        assert_eq!(known_runs.lookup("run", "acc"), Some(b));
        assert_eq!(known_runs.database_id(a), None);
        known_runs.set_database_id(a, 7);
        assert_eq!(known_runs.database_id(a), Some(7));
    }

    #[test]
    fn forgetting_a_run_keeps_entries_that_queued_points_refer_to() {
        let mut known_runs = KnownRuns::default();
        known_runs.mark_active("run");
        let local = known_runs.register("run", "loss");
        known_runs.forget_run("run");
        assert!(!known_runs.is_known_active("run"));
        assert_eq!(known_runs.lookup("run", "loss"), None);
        assert_eq!(known_runs.names(local), ("run".to_string(), "loss".to_string()));
    }
}
