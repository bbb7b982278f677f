//! Params written by the background writer, like metric points: logging a param costs no
//! transaction of its own, and a run's params commit with its metrics, at the latest when
//! the run ends.
//!
//! Everything that could be refused is checked before params are queued: they are valid
//! and agree with the run's params known to this process (see
//! [`super::known_runs::KnownRuns`]). What is left for write time is a param another
//! process gave a different value in the meantime: that param is skipped, the rest of the
//! batch commits, and the next flush reports it.

use std::collections::HashMap;

use rusqlite::Connection;

use crate::error::{Error, Result};

use super::summary;

/// Params queued for a run, not yet logged to it as far as this process knows.
#[derive(Clone, Debug)]
pub struct QueuedParams {
    pub run_id: String,
    pub params: Vec<(String, String)>,
}

/// A param refused at write time: the run it was for, and the error to report.
pub type Refused = (String, Error);

/// Write queued params inside the caller's transaction, each run's in one statement.
/// Returns the params refused because the stored run holds another value; the caller
/// reports them once the transaction has committed.
pub fn apply(conn: &Connection, queued: &[QueuedParams]) -> Result<Vec<Refused>> {
    let mut params_by_run: Vec<(&str, Vec<(&str, &str)>)> = Vec::new();
    let mut position: HashMap<&str, usize> = HashMap::new();
    for QueuedParams { run_id, params } in queued {
        let index = *position.entry(run_id.as_str()).or_insert_with(|| {
            params_by_run.push((run_id.as_str(), Vec::new()));
            params_by_run.len() - 1
        });
        params_by_run[index]
            .1
            .extend(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    }
    let mut refused = Vec::new();
    for (run_id, params) in params_by_run {
        let stored = summary::params_of(conn, run_id)?;
        let (added, changed) = split_new_and_changed(run_id, params, |key| stored.get(key).map(String::as_str));
        refused.extend(changed.into_iter().map(|error| (run_id.to_string(), error)));
        summary::add_params(conn, run_id, &added)?;
    }
    Ok(refused)
}

/// Sort params against those a run already has (`logged`): the new ones, and an error for
/// each that changes a logged value. The same value again is neither.
pub fn split_new_and_changed<'p, 'l>(
    run_id: &str,
    params: impl IntoIterator<Item = (&'p str, &'p str)>,
    logged: impl Fn(&str) -> Option<&'l str>,
) -> (Vec<(&'p str, &'p str)>, Vec<Error>) {
    let (mut added, mut changed) = (Vec::new(), Vec::new());
    for (key, value) in params {
        match logged(key) {
            Some(old) if old == value => {}
            Some(old) => changed.push(changed_param(run_id, key, old, value)),
            None => added.push((key, value)),
        }
    }
    (added, changed)
}

/// The error for a param logged again with a different value.
fn changed_param(run_id: &str, key: &str, old: &str, new: &str) -> Error {
    Error::invalid(format!(
        "Changing param values is not allowed: param '{key}' of run '{run_id}' was logged as '{old}', \
         cannot change it to '{new}'"
    ))
}
