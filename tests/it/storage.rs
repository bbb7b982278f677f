//! What the store costs on disk, the schema version it records, and what it does when the disk
//! is full.

use std::path::Path;

use crate::common::{database_of, invalid, uri_of, SmallDisk};
use rtrack::store::sqlite::schema::LATEST_VERSION;
use rtrack::{ExperimentId, RunOptions, RunStatus, Tracker};

const POINTS: usize = 1_000_000;
/// The budget from the tracking issue (MLflow's SQLite store spends ~255 B).
const MAX_BYTES_PER_POINT: f64 = 32.0;

/// Bytes of the database once everything is written and the WAL folded into the main file.
fn settled_size(folder: &Path) -> u64 {
    let database = database_of(folder);
    let conn = rusqlite::Connection::open(&database).unwrap();
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint completed");
    drop(conn);
    let wal = database.with_extension("db-wal");
    let wal_size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    std::fs::metadata(&database).unwrap().len() + wal_size
}

/// Log `points` points of metric `loss` with `log` into a fresh store; return the bytes per point.
fn bytes_per_point(how: &str, points: usize, log: impl FnOnce(&Tracker, &str)) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let run_id = {
        let tracker = Tracker::open(uri_of(dir.path())).unwrap();
        let run_id = tracker
            .create_run(RunOptions::default().experiment(ExperimentId::DEFAULT))
            .unwrap()
            .info
            .run_id;
        log(&tracker, &run_id);
        tracker.flush().unwrap();
        run_id
    }; // dropping the tracker closes its connections and stops its writer
    let size = settled_size(dir.path());
    let tracker = Tracker::open(uri_of(dir.path())).unwrap();
    let series = tracker.get_metric_series(&run_id, "loss").unwrap();
    assert_eq!(series.len(), points, "{how}: every point is stored");
    assert_eq!(series.steps[points - 1], points as i64 - 1);
    let per_point = size as f64 / points as f64;
    println!("{how}: {points} points, database {size} bytes, {per_point:.2} bytes per point");
    per_point
}

fn values() -> impl Iterator<Item = f64> {
    // Noisy values, so nothing compresses better than real losses would.
    (0..POINTS).map(|i| 1.0 / (i as f64 + 1.0) + (i as f64 * 12.9898).sin() * 1e-3)
}

#[test]
fn a_million_points_by_series_cost_at_most_32_bytes_each() {
    let per_point = bytes_per_point("log_metric_series", POINTS, |tracker, run_id| {
        tracker
            .log_metric_series(run_id, "loss", values().collect(), None, None)
            .unwrap();
    });
    assert!(per_point <= MAX_BYTES_PER_POINT, "{per_point:.2} bytes per point");
}

#[test]
fn a_million_points_one_by_one_cost_at_most_32_bytes_each() {
    let per_point = bytes_per_point("log_metric", POINTS, |tracker, run_id| {
        for (step, value) in values().enumerate() {
            tracker
                .log_metric(run_id, "loss", value, Some(step as i64), None)
                .unwrap();
        }
    });
    assert!(per_point <= MAX_BYTES_PER_POINT, "{per_point:.2} bytes per point");
}

#[test]
fn small_batches_cost_at_most_32_bytes_each_too() {
    // A flush every few points (every read flushes) makes the writer append tiny batches; they
    // must be merged into chunks, not stored a row each.
    let points = POINTS / 10;
    let per_point = bytes_per_point("log_metric, flushed every 10 points", points, |tracker, run_id| {
        for (step, value) in values().enumerate().take(points) {
            tracker
                .log_metric(run_id, "loss", value, Some(step as i64), None)
                .unwrap();
            if step % 10 == 9 {
                tracker.flush().unwrap();
            }
        }
    });
    assert!(per_point <= MAX_BYTES_PER_POINT, "{per_point:.2} bytes per point");
}

#[test]
fn the_schema_version_is_recorded_in_user_version() {
    let dir = tempfile::tempdir().unwrap();
    drop(Tracker::open(uri_of(dir.path())).unwrap());
    let conn = rusqlite::Connection::open(database_of(dir.path())).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert!(version >= 1);
    assert_eq!(version, LATEST_VERSION);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0)).unwrap();
    assert_eq!(mode.to_lowercase(), "wal");

    // Opening again leaves the version and the data alone.
    drop(
        Tracker::open(uri_of(dir.path()))
            .unwrap()
            .set_experiment("kept")
            .unwrap(),
    );
    let tracker = Tracker::open(uri_of(dir.path())).unwrap();
    assert!(tracker.get_experiment_by_name("kept").unwrap().is_some());
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0)).unwrap();
    assert_eq!(version, LATEST_VERSION);
}

#[test]
fn a_store_from_a_newer_rtrack_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    drop(Tracker::open(uri_of(dir.path())).unwrap());
    let conn = rusqlite::Connection::open(database_of(dir.path())).unwrap();
    conn.pragma_update(None, "user_version", LATEST_VERSION + 1).unwrap();
    drop(conn);
    let message = invalid(Tracker::open(uri_of(dir.path())).map(|_| ()));
    assert!(
        message.contains("newer") && message.contains(&(LATEST_VERSION + 1).to_string()),
        "{message}"
    );
}

#[test]
fn points_logged_while_the_disk_is_full_are_kept_until_a_flush_stores_them() {
    let disk = match SmallDisk::mount("2m") {
        Ok(disk) => disk,
        Err(reason) => {
            eprintln!("skipped: cannot run out of disk space for real here: {reason}");
            return;
        }
    };
    let store = disk.path().join("store");
    let tracker = Tracker::open(uri_of(&store)).unwrap();
    let run_id = tracker
        .create_run(RunOptions::default().experiment(ExperimentId::DEFAULT))
        .unwrap()
        .info
        .run_id;
    for step in 0..100 {
        tracker
            .log_metric(&run_id, "loss", step as f64, Some(step), None)
            .unwrap();
    }
    tracker.flush().unwrap();

    let filler = disk.path().join("filler");
    assert!(disk.fill(&filler) > 0);
    for step in 100..10_100 {
        tracker
            .log_metric(&run_id, "loss", step as f64, Some(step), None)
            .unwrap();
    }
    // Every flush and end_run says the points are not stored, for as long as the disk is full.
    for _ in 0..2 {
        let message = tracker.flush().unwrap_err().to_string();
        assert!(message.contains("database or disk is full"), "{message}");
        assert!(message.contains("10000 queued metric points"), "{message}");
    }
    let message = tracker
        .set_terminated(&run_id, RunStatus::Finished, None)
        .unwrap_err()
        .to_string();
    assert!(message.contains("full"), "{message}");
    std::thread::sleep(rtrack::store::sqlite::RETRY_PAUSE * 2); // the writer thread retries too
    assert!(tracker.flush().is_err(), "still full");

    std::fs::remove_file(&filler).unwrap();
    tracker.flush().unwrap();
    tracker.set_terminated(&run_id, RunStatus::Finished, None).unwrap();
    drop(tracker);

    let reopened = Tracker::open(uri_of(&store)).unwrap();
    let series = reopened.get_metric_series(&run_id, "loss").unwrap();
    assert_eq!(series.steps, (0..10_100).collect::<Vec<i64>>());
    assert_eq!(reopened.get_run(&run_id).unwrap().info.status, RunStatus::Finished);
}

#[test]
#[ignore = "the child process of no_write_ahead_log_is_left_when_a_process_is_done_with_the_store"]
fn child_logs_points_and_exits() {
    if !crate::common::is_child_test() {
        return;
    }
    let store = std::env::var("CHILD_STORE").unwrap();
    let tracker = Tracker::open(&store).unwrap();
    let run_id = tracker
        .create_run(RunOptions::default().experiment(ExperimentId::DEFAULT))
        .unwrap()
        .info
        .run_id;
    for (step, value) in values().enumerate().take(200_000) {
        tracker
            .log_metric(&run_id, "loss", value, Some(step as i64), None)
            .unwrap();
    }
    tracker.set_terminated(&run_id, RunStatus::Finished, None).unwrap();
    println!("RUN_ID={run_id}");
    if std::env::var("CHILD_KEEP").is_ok() {
        // As the fluent API (and so Python) does: the store lives until the process exits.
        std::mem::forget(tracker);
    }
}

fn wal_size(folder: &Path) -> u64 {
    let wal = database_of(folder).with_extension("db-wal");
    std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn no_write_ahead_log_is_left_when_a_process_is_done_with_the_store() {
    for keep in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        // Another process has the store open, so SQLite's own clean-up at the last close
        // cannot happen: the exiting process must fold its log itself.
        let other = Tracker::open(uri_of(dir.path())).unwrap();
        let mut child = crate::common::child_test("storage::child_logs_points_and_exits");
        child.env("CHILD_STORE", dir.path());
        if keep {
            child.env("CHILD_KEEP", "1");
        }
        let done = child.output().unwrap();
        assert!(done.status.success(), "{}", String::from_utf8_lossy(&done.stderr));
        let how = if keep { "kept until exit" } else { "dropped" };
        assert_eq!(
            wal_size(dir.path()),
            0,
            "store {how}: the log is folded into the database"
        );
        let stdout = String::from_utf8_lossy(&done.stdout);
        let run_id = stdout
            .split("RUN_ID=")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap();
        let series = other.get_metric_series(run_id, "loss").unwrap();
        assert_eq!(series.len(), 200_000);
    }
}

#[test]
#[ignore = "the child process of rtrack_durability_sets_how_commits_and_artifacts_are_synced"]
fn child_opens_a_store_with_the_durability_of_the_environment() {
    use rtrack::store::sqlite::{Durability, SqliteStore};
    if !crate::common::is_child_test() {
        return;
    }
    let folder = std::path::PathBuf::from(std::env::var("CHILD_STORE").unwrap());
    let artifacts = folder.join("artifacts");
    let opened = SqliteStore::open("child", &database_of(&folder), &artifacts);
    match std::env::var("CHILD_EXPECT").unwrap().as_str() {
        "refused" => {
            let message = invalid(opened.map(|_| ()));
            assert!(message.contains("RTRACK_DURABILITY"), "{message}");
            let message = invalid(Tracker::open(uri_of(&folder)).map(|_| ()));
            assert!(message.contains("RTRACK_DURABILITY"), "{message}");
        }
        expected => {
            let store = opened.unwrap();
            let durability = store.durability().unwrap();
            let expected = if expected == "full" {
                Durability::Full
            } else {
                Durability::Normal
            };
            assert_eq!(durability, expected);
            drop(store);
            // Artifact writes go through the same setting (synced when full).
            let tracker = Tracker::open(uri_of(&folder)).unwrap();
            let run_id = tracker.create_run(RunOptions::default()).unwrap().info.run_id;
            tracker.log_text(&run_id, "durable", "notes/a.txt").unwrap();
            assert_eq!(tracker.list_artifacts(&run_id, Some("notes")).unwrap().len(), 1);
        }
    }
    println!("CHILD_CHECKED");
}

#[test]
fn rtrack_durability_sets_how_commits_and_artifacts_are_synced() {
    for (setting, expect) in [
        (None, "normal"),
        (Some("full"), "full"),
        (Some("FULL"), "full"),
        (Some("sometimes"), "refused"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut child =
            crate::common::child_test("storage::child_opens_a_store_with_the_durability_of_the_environment");
        child
            .env("CHILD_STORE", dir.path())
            .env("CHILD_EXPECT", expect)
            .env_remove("RTRACK_DURABILITY");
        if let Some(setting) = setting {
            child.env("RTRACK_DURABILITY", setting);
        }
        let done = child.output().unwrap();
        let (stdout, stderr) = (
            String::from_utf8_lossy(&done.stdout),
            String::from_utf8_lossy(&done.stderr),
        );
        assert!(done.status.success(), "RTRACK_DURABILITY={setting:?}: {stdout}{stderr}");
        assert!(
            stdout.contains("CHILD_CHECKED"),
            "RTRACK_DURABILITY={setting:?}: {stdout}"
        );
    }
}
