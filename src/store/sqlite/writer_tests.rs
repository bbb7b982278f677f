//! The writer against a database SQLite itself declares full: `max_page_count` caps the file
//! at its current size, so the next batch fails with SQLITE_FULL as on a full disk.

use super::*;
use crate::store::sqlite::SqliteStore;
use crate::store::{NewRun, TrackingStore};

/// A store with one run, closed again; returns its folder, database and run id.
fn store_with_a_run() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("rtrack.db");
    let store = SqliteStore::open("test", &database, &dir.path().join("artifacts")).unwrap();
    let run_id = store
        .create_run(NewRun {
            user_id: "u".into(),
            ..Default::default()
        })
        .unwrap()
        .info
        .run_id;
    drop(store);
    (dir, database, run_id)
}

/// A writer with no thread: only the test's flushes write, so nothing races them.
fn writer_without_thread(database: &Path) -> BackgroundWriter {
    BackgroundWriter {
        database: database.to_path_buf(),
        shared: Arc::new(Shared {
            state: Mutex::new(State {
                generation: fork::generation(),
                ..State::default()
            }),
            known_runs: Mutex::default(),
            wake_writer: Condvar::new(),
            batch_done: Condvar::new(),
        }),
        thread: Mutex::new(None),
    }
}

fn stored_points(conn: &Connection, run_id: &str) -> i64 {
    conn.query_row(
        "SELECT coalesce(sum(point_count), 0) FROM metric_series WHERE run_uuid = ?1",
        [run_id],
        |row| row.get(0),
    )
    .unwrap()
}

fn set_page_limit(conn: &Connection, pages: i64) {
    let set: i64 = conn
        .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |row| row.get(0))
        .unwrap();
    assert_eq!(set, pages);
}

#[test]
fn a_batch_the_full_database_refuses_stays_queued_until_a_flush_stores_it() {
    let (_dir, database, run_id) = store_with_a_run();
    let writer = writer_without_thread(&database);
    let series = writer.known_runs().register(&run_id, "loss");
    let mut conn = connection::open(&database).unwrap();
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |row| row.get(0)).unwrap();
    set_page_limit(&conn, pages);

    writer
        .push_all((0..10_000).map(|step| PendingPoint {
            series,
            value: step as f64 * 0.5,
            step,
            timestamp: step,
        }))
        .unwrap();
    writer
        .push_params(QueuedParams {
            run_id: run_id.clone(),
            params: vec![("alpha".into(), "0.5".into())],
        })
        .unwrap();
    // Every flush while the database is full fails, and says what is kept.
    for _ in 0..3 {
        let message = writer.flush(&mut conn).unwrap_err().to_string();
        assert!(message.contains("database or disk is full"), "{message}");
        assert!(message.contains("10000 queued metric points and 1 params"), "{message}");
        assert_eq!(stored_points(&conn, &run_id), 0);
    }
    // A write that follows the flush (ending a run) fails with it and changes nothing.
    let ended = writer.flush_with(&mut conn, |tx| {
        tx.execute("UPDATE runs SET status = 'FINISHED' WHERE run_uuid = ?1", [&run_id])?;
        Ok(())
    });
    assert!(ended.unwrap_err().to_string().contains("full"));

    // Points logged meanwhile queue behind the kept batch.
    writer
        .push(PendingPoint {
            series,
            value: -1.0,
            step: 10_000,
            timestamp: 10_000,
        })
        .unwrap();
    set_page_limit(&conn, 1 << 30); // space is freed
    writer.flush(&mut conn).unwrap();
    assert_eq!(stored_points(&conn, &run_id), 10_001);
    let series = metrics::read(&conn, &run_id, "loss").unwrap();
    assert_eq!(series.steps, (0..=10_000).collect::<Vec<i64>>());
    assert_eq!(series.values[10_000], -1.0);
    let params = super::super::summary::params_of(&conn, &run_id).unwrap();
    assert_eq!(params.get("alpha").map(String::as_str), Some("0.5"));
    // Stored: nothing is reported any more.
    writer.flush(&mut conn).unwrap();
}
