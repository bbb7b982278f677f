//! The SQLite schema as numbered migrations, applied at open.
//!
//! Never edit a shipped migration: add a new one at the end of [`MIGRATIONS`]. The schema
//! version lives in `PRAGMA user_version`, so it can be read without any table existing.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

/// Migration `n` (1-based) is `MIGRATIONS[n - 1]`.
const MIGRATIONS: &[&str] = &[
    // 1: experiments, runs, params, tags, metrics stored as compressed chunks.
    r#"
    CREATE TABLE experiments (
        experiment_id     INTEGER PRIMARY KEY,
        name              TEXT NOT NULL UNIQUE,
        artifact_location TEXT NOT NULL,
        lifecycle_stage   TEXT NOT NULL DEFAULT 'active',
        creation_time     INTEGER NOT NULL,
        last_update_time  INTEGER NOT NULL
    );
    CREATE TABLE experiment_tags (
        experiment_id INTEGER NOT NULL REFERENCES experiments(experiment_id) ON DELETE CASCADE,
        key           TEXT NOT NULL,
        value         TEXT NOT NULL,
        PRIMARY KEY (experiment_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE runs (
        run_uuid        TEXT PRIMARY KEY,
        name            TEXT NOT NULL,
        experiment_id   INTEGER NOT NULL REFERENCES experiments(experiment_id),
        user_id         TEXT NOT NULL,
        status          TEXT NOT NULL,
        start_time      INTEGER NOT NULL,
        end_time        INTEGER,
        lifecycle_stage TEXT NOT NULL DEFAULT 'active',
        artifact_uri    TEXT NOT NULL,
        deleted_time    INTEGER
    );
    CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time DESC);
    CREATE TABLE params (
        run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (run_uuid, key)
    ) WITHOUT ROWID;
    CREATE TABLE tags (
        run_uuid TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (run_uuid, key)
    ) WITHOUT ROWID;
    -- One row per (run, metric key). last_* hold the latest point by MLflow's rule
    -- (step, then timestamp, then value); last_value is NULL for NaN because SQLite
    -- cannot store NaN in a REAL column.
    CREATE TABLE metric_series (
        series_id      INTEGER PRIMARY KEY,
        run_uuid       TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        key            TEXT NOT NULL,
        point_count    INTEGER NOT NULL DEFAULT 0,
        last_value     REAL,
        last_step      INTEGER,
        last_timestamp INTEGER,
        UNIQUE (run_uuid, key)
    );
    -- A metric's points, a few thousand per row, encoded by store::sqlite::chunk.
    CREATE TABLE metric_chunks (
        series_id   INTEGER NOT NULL REFERENCES metric_series(series_id) ON DELETE CASCADE,
        seq         INTEGER NOT NULL,
        point_count INTEGER NOT NULL,
        data        BLOB NOT NULL,
        PRIMARY KEY (series_id, seq)
    );
    "#,
    // 2: run searches read (experiment, stage, start time, id) straight from the index,
    // without visiting the table or sorting.
    r#"
    DROP INDEX runs_by_experiment;
    CREATE INDEX runs_by_experiment_stage ON runs (experiment_id, lifecycle_stage, start_time DESC, run_uuid);
    "#,
];

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database up to [`LATEST_VERSION`]. Safe when several processes open the same
/// new store at once: the check and the migrations run inside one IMMEDIATE transaction,
/// so exactly one process migrates and the others see the result.
pub fn migrate(conn: &mut Connection, seed: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
    if schema_version(conn)? == LATEST_VERSION {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = schema_version(&tx)?;
    if current > LATEST_VERSION {
        return Err(Error::invalid(format!(
            "This store has schema version {current}, newer than this rtrack understands \
             ({LATEST_VERSION}); upgrade rtrack to open it"
        )));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    seed(&tx)?;
    tx.commit()?;
    Ok(())
}

pub fn schema_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrating_twice_is_a_no_op() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, |_| Ok(())).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        migrate(&mut conn, |_| panic!("seeding ran again")).unwrap();
    }

    #[test]
    fn a_newer_store_is_refused() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "user_version", LATEST_VERSION + 1).unwrap();
        let err = migrate(&mut conn, |_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("newer"), "{err}");
    }
}
