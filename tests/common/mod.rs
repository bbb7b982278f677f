//! Helpers shared by the integration tests: real stores in temporary folders.

#![allow(dead_code)] // each test binary uses a different subset

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rtrack::{Error, ExperimentId, RunOptions, Tracker};
use tempfile::TempDir;

/// A fresh store in its own temporary folder. Keep the `TempDir` alive as long as the tracker.
pub fn new_store() -> (TempDir, Tracker) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let tracker = Tracker::open(uri_of(dir.path())).expect("open a new store");
    (dir, tracker)
}

/// The tracking URI of a store folder.
pub fn uri_of(folder: &Path) -> &str {
    folder.to_str().expect("temporary paths are UTF-8")
}

/// The database file inside a store folder.
pub fn database_of(folder: &Path) -> PathBuf {
    folder.join(rtrack::store::location::DATABASE_FILE)
}

/// Create a run in `experiment` with a name, returning its id.
pub fn new_run(tracker: &Tracker, experiment: ExperimentId, name: &str) -> String {
    tracker
        .create_run(RunOptions::default().experiment(experiment).name(name))
        .expect("create a run")
        .info
        .run_id
}

/// The message of an `InvalidValue` error; panics on any other outcome.
pub fn invalid<T: std::fmt::Debug>(result: rtrack::Result<T>) -> String {
    match result {
        Err(Error::InvalidValue(message)) => message,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

/// The message of a `NotFound` error; panics on any other outcome.
pub fn not_found<T: std::fmt::Debug>(result: rtrack::Result<T>) -> String {
    match result {
        Err(Error::NotFound(message)) => message,
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Call `check` until it returns `Some` or `limit` passes.
pub fn poll<T>(limit: Duration, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let started = Instant::now();
    loop {
        if let Some(found) = check() {
            return Some(found);
        }
        if started.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}
