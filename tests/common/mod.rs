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

/// A child process running one `#[ignore]`d test of this test binary, so a test can use a
/// store from another process (or one it kills) without a separate program. The child test
/// does nothing unless `RTRACK_TEST_CHILD` is set, so a plain `--include-ignored` run passes.
pub fn child_test(name: &str) -> std::process::Command {
    let mut command = std::process::Command::new(std::env::current_exe().expect("the test binary"));
    command
        .args([name, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env("RTRACK_TEST_CHILD", "1");
    command
}

/// Whether this process is the child of [`child_test`].
pub fn is_child_test() -> bool {
    std::env::var_os("RTRACK_TEST_CHILD").is_some()
}

/// A small tmpfs mounted on a temporary folder (unmounted when dropped), for running out of
/// space for real. Mounting needs root; the error says why it was not possible.
pub struct SmallDisk {
    dir: TempDir,
}

impl SmallDisk {
    pub fn mount(size: &str) -> Result<SmallDisk, String> {
        let uid = std::process::Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| format!("id -u: {e}"))?;
        let uid = String::from_utf8_lossy(&uid.stdout).trim().to_string();
        if uid != "0" {
            return Err(format!("mounting a tmpfs needs root (id -u is {uid})"));
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let done = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("running mount: {e}"))?;
        if !done.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&done.stderr).trim()
            ));
        }
        Ok(SmallDisk { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Write `file` until the disk is full; returns the bytes written.
    pub fn fill(&self, file: &Path) -> u64 {
        use std::io::Write;
        let mut out = std::fs::File::create(file).expect("create the filler file");
        let block = [0x5au8; 4096];
        let mut written = 0;
        loop {
            match out.write(&block) {
                Ok(0) => break,
                Ok(n) => written += n as u64,
                Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                Err(e) => panic!("filling the disk: {e}"),
            }
        }
        written
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}
