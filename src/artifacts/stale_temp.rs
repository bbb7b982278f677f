//! Temporary files left by writes that never finished: a process killed in the middle of
//! `log_artifact` leaves its `.rtrack-tmp-*` file behind (hidden from listings, but as large as
//! the artifact). Their names carry the writing process's id ([`temp_name`]), so a later open
//! of the store can tell a dead writer's file from a live one's and remove only the former.
//!
//! A file is stale when its writer is gone (no `/proc/<pid>`) and it has not changed for
//! [`DEAD_WRITER_AGE`], or when it has not changed for [`ABANDONED_AGE`] whoever wrote it
//! (names without a process id, written before ids were added, or a reused id). The short age
//! for dead writers guards against a writer in another PID namespace (a container sharing the
//! folder) whose id this process cannot see: a live writer keeps its file changing.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::confine::TEMP_PREFIX;

/// A dead writer's temporary file is removed once unchanged this long.
pub const DEAD_WRITER_AGE: Duration = Duration::from_secs(60);
/// Any temporary file unchanged this long is removed.
pub const ABANDONED_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// A fresh temporary file name for this process: `.rtrack-tmp-<pid>-<random>`.
pub(crate) fn temp_name() -> String {
    format!("{TEMP_PREFIX}{}-{}", std::process::id(), uuid::Uuid::new_v4().simple())
}

/// The writing process of a temporary file, when its name records one.
fn writer_pid(name: &str) -> Option<u32> {
    let (pid, random) = name.strip_prefix(TEMP_PREFIX)?.split_once('-')?;
    (!random.is_empty()).then_some(())?;
    pid.parse().ok()
}

/// Whether process `pid` is running, when this system can tell (Linux's `/proc`).
fn is_running(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists())
}

fn is_stale(name: &str, unchanged_for: Duration) -> bool {
    if unchanged_for >= ABANDONED_AGE {
        return true;
    }
    let writer_gone = writer_pid(name).and_then(is_running) == Some(false);
    writer_gone && unchanged_for >= DEAD_WRITER_AGE
}

/// Remove the stale temporary files anywhere under `root`; returns what was removed. Links
/// are not followed, and a file that cannot be read or removed is left alone.
pub fn remove_stale_temp_files(root: &Path) -> Vec<PathBuf> {
    let now = SystemTime::now();
    let mut removed = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(file_type) = entry.file_type() else {
                continue;
            };
            if file_type.is_dir() {
                folders.push(entry.path());
                continue;
            }
            let name = entry.file_name();
            let Some(name) = name.to_str().filter(|n| n.starts_with(TEMP_PREFIX)) else {
                continue;
            };
            if !file_type.is_file() {
                continue;
            }
            let unchanged_for = entry
                .metadata()
                .and_then(|meta| meta.modified())
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .unwrap_or_default();
            if is_stale(name, unchanged_for) && fs::remove_file(entry.path()).is_ok() {
                removed.push(entry.path());
            }
        }
    }
    removed
}

/// [`remove_stale_temp_files`] on a thread of its own, so opening a large store does not
/// wait for the walk; the handle says when it is done.
pub fn spawn_stale_temp_cleanup(root: &Path) -> Option<std::thread::JoinHandle<Vec<PathBuf>>> {
    let root = root.to_path_buf();
    std::thread::Builder::new()
        .name("rtrack-temp-cleanup".into())
        .spawn(move || remove_stale_temp_files(&root))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_writer_and_stale_means_dead_and_quiet_or_abandoned() {
        let name = temp_name();
        assert_eq!(writer_pid(&name), Some(std::process::id()));
        assert_eq!(writer_pid(".rtrack-tmp-0123456789abcdef"), None); // an older name
        let minute = Duration::from_secs(61);
        assert!(!is_stale(&name, ABANDONED_AGE / 2), "this process is alive");
        assert!(is_stale(&name, ABANDONED_AGE));
        if is_running(u32::MAX - 1) == Some(false) {
            let dead = format!("{TEMP_PREFIX}{}-abc", u32::MAX - 1);
            assert!(is_stale(&dead, minute));
            assert!(!is_stale(&dead, Duration::from_secs(5)), "maybe still being written");
        }
        assert!(!is_stale(".rtrack-tmp-0123456789abcdef", minute));
    }
}
