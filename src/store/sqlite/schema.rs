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
    // 3: the model registry (registered models, versions, aliases, tags) and MLflow 3's
    // logged models. Versions, tags and aliases hang off the model's integer id, so renaming
    // a model touches one row.
    r#"
    CREATE TABLE registered_models (
        registered_model_id    INTEGER PRIMARY KEY,
        name                   TEXT NOT NULL UNIQUE,
        description            TEXT,
        creation_timestamp     INTEGER NOT NULL,
        last_updated_timestamp INTEGER NOT NULL,
        -- The highest version number given out so far: deleted numbers are never reused.
        last_version           INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE registered_model_tags (
        registered_model_id INTEGER NOT NULL REFERENCES registered_models(registered_model_id) ON DELETE CASCADE,
        key                 TEXT NOT NULL,
        value               TEXT NOT NULL,
        PRIMARY KEY (registered_model_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE model_versions (
        registered_model_id    INTEGER NOT NULL REFERENCES registered_models(registered_model_id) ON DELETE CASCADE,
        version                INTEGER NOT NULL,
        creation_timestamp     INTEGER NOT NULL,
        last_updated_timestamp INTEGER NOT NULL,
        description            TEXT,
        current_stage          TEXT NOT NULL DEFAULT 'None',
        source                 TEXT NOT NULL,
        run_id                 TEXT,
        run_link               TEXT,
        status                 TEXT NOT NULL DEFAULT 'READY',
        status_message         TEXT,
        model_id               TEXT,
        PRIMARY KEY (registered_model_id, version)
    );
    CREATE INDEX model_versions_by_run ON model_versions (run_id);
    CREATE TABLE model_version_tags (
        registered_model_id INTEGER NOT NULL,
        version             INTEGER NOT NULL,
        key                 TEXT NOT NULL,
        value               TEXT NOT NULL,
        PRIMARY KEY (registered_model_id, version, key),
        FOREIGN KEY (registered_model_id, version)
            REFERENCES model_versions(registered_model_id, version) ON DELETE CASCADE
    ) WITHOUT ROWID;
    -- Deleting a version deletes the aliases pointing at it.
    CREATE TABLE registered_model_aliases (
        registered_model_id INTEGER NOT NULL,
        alias               TEXT NOT NULL,
        version             INTEGER NOT NULL,
        PRIMARY KEY (registered_model_id, alias),
        FOREIGN KEY (registered_model_id, version)
            REFERENCES model_versions(registered_model_id, version) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE TABLE logged_models (
        model_id               TEXT PRIMARY KEY,
        experiment_id          INTEGER NOT NULL REFERENCES experiments(experiment_id),
        name                   TEXT NOT NULL,
        artifact_location      TEXT NOT NULL,
        creation_timestamp     INTEGER NOT NULL,
        last_updated_timestamp INTEGER NOT NULL,
        status                 TEXT NOT NULL,
        status_message         TEXT,
        model_type             TEXT,
        source_run_id          TEXT,
        lifecycle_stage        TEXT NOT NULL DEFAULT 'active'
    );
    CREATE INDEX logged_models_by_experiment ON logged_models (experiment_id, lifecycle_stage, creation_timestamp DESC);
    CREATE TABLE logged_model_tags (
        model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
    ) WITHOUT ROWID;
    CREATE TABLE logged_model_params (
        model_id TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
        key      TEXT NOT NULL,
        value    TEXT NOT NULL,
        PRIMARY KEY (model_id, key)
    ) WITHOUT ROWID;
    -- Every recorded value; value is NULL for NaN, which SQLite cannot store.
    CREATE TABLE logged_model_metrics (
        model_id       TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
        key            TEXT NOT NULL,
        value          REAL,
        step           INTEGER NOT NULL,
        timestamp      INTEGER NOT NULL,
        run_id         TEXT,
        dataset_name   TEXT,
        dataset_digest TEXT
    );
    -- Recording the same point again (key, step, time, run, dataset) replaces it.
    CREATE UNIQUE INDEX logged_model_metric_points ON logged_model_metrics
        (model_id, key, step, timestamp, ifnull(run_id, ''), ifnull(dataset_name, ''), ifnull(dataset_digest, ''));
    "#,
    // 4: what runs read and produced: datasets, and logged models in and out.
    r#"
    CREATE TABLE run_dataset_inputs (
        run_uuid    TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        name        TEXT NOT NULL,
        digest      TEXT NOT NULL,
        source_type TEXT NOT NULL,
        source      TEXT NOT NULL,
        schema      TEXT,
        profile     TEXT,
        tags        TEXT NOT NULL DEFAULT '{}',
        PRIMARY KEY (run_uuid, name, digest)
    ) WITHOUT ROWID;
    CREATE TABLE run_model_links (
        run_uuid  TEXT NOT NULL REFERENCES runs(run_uuid) ON DELETE CASCADE,
        model_id  TEXT NOT NULL REFERENCES logged_models(model_id) ON DELETE CASCADE,
        direction TEXT NOT NULL CHECK (direction IN ('input', 'output')),
        step      INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (run_uuid, direction, model_id)
    ) WITHOUT ROWID;
    "#,
    // 5: each run's params, tags and latest metrics on its own row as JSONB, so a search
    // filters and loads runs from the rows it visits (see store::sqlite::summary). Params
    // and tags move there: their tables go. Latest metrics are copied (metric_series keeps
    // counting points). x'0c' is JSONB's empty object.
    r#"
    ALTER TABLE runs ADD COLUMN param_values BLOB NOT NULL DEFAULT x'0c';
    ALTER TABLE runs ADD COLUMN tag_values BLOB NOT NULL DEFAULT x'0c';
    ALTER TABLE runs ADD COLUMN latest_metrics BLOB NOT NULL DEFAULT x'0c';
    UPDATE runs SET
        param_values = coalesce(
            (SELECT jsonb_group_object(key, value) FROM params p WHERE p.run_uuid = runs.run_uuid), x'0c'),
        tag_values = coalesce(
            (SELECT jsonb_group_object(key, value) FROM tags t WHERE t.run_uuid = runs.run_uuid), x'0c'),
        latest_metrics = coalesce(
            (SELECT jsonb_group_object(key, jsonb_array(last_value, last_step, last_timestamp))
             FROM metric_series m WHERE m.run_uuid = runs.run_uuid AND m.point_count > 0), x'0c');
    DROP TABLE params;
    DROP TABLE tags;
    "#,
    // 6: runs kept in the order searches read them (experiment, stage, start time; a search
    // walks it backwards, newest first), so a search reads its experiment's rows in place
    // instead of looking each one up from an index, and a new run, appended at the end of
    // its experiment, writes one index page less. Lookups by id go through runs_by_id.
    r#"
    CREATE TABLE runs_in_search_order (
        run_uuid        TEXT NOT NULL,
        name            TEXT NOT NULL,
        experiment_id   INTEGER NOT NULL REFERENCES experiments(experiment_id),
        user_id         TEXT NOT NULL,
        status          TEXT NOT NULL,
        start_time      INTEGER NOT NULL,
        end_time        INTEGER,
        lifecycle_stage TEXT NOT NULL DEFAULT 'active',
        artifact_uri    TEXT NOT NULL,
        deleted_time    INTEGER,
        param_values    BLOB NOT NULL DEFAULT x'0c',
        tag_values      BLOB NOT NULL DEFAULT x'0c',
        latest_metrics  BLOB NOT NULL DEFAULT x'0c',
        PRIMARY KEY (experiment_id, lifecycle_stage, start_time, run_uuid DESC)
    ) WITHOUT ROWID;
    INSERT INTO runs_in_search_order
        SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, lifecycle_stage,
               artifact_uri, deleted_time, param_values, tag_values, latest_metrics
        FROM runs;
    DROP TABLE runs;
    ALTER TABLE runs_in_search_order RENAME TO runs;
    CREATE UNIQUE INDEX runs_by_id ON runs (run_uuid);
    "#,
    // 7: whether a series' points are stored in step order (nearly always: steps grow as a
    // run logs), so a page of its history is a range of chunks instead of a sort of all of
    // them. Stored series are checked by `after_migration`.
    r#"
    ALTER TABLE metric_series ADD COLUMN ordered INTEGER NOT NULL DEFAULT 1;
    "#,
];

/// Work a migration needs beyond SQL, run right after migration `version` in its transaction.
fn after_migration(version: i64, conn: &Connection) -> Result<()> {
    match version {
        7 => super::metrics::mark_ordered_series(conn),
        _ => Ok(()),
    }
}

/// The schema version this build writes.
pub const LATEST_VERSION: i64 = MIGRATIONS.len() as i64;

/// Bring the database up to [`LATEST_VERSION`]. Safe when several processes open the same
/// new store at once: the check and the migrations run inside one IMMEDIATE transaction,
/// so exactly one process migrates and the others see the result.
pub fn migrate(conn: &mut Connection, seed: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
    migrate_to(conn, LATEST_VERSION, seed)
}

/// Bring the database up to schema version `target` (at most [`LATEST_VERSION`]), then
/// run `seed` if anything was applied. Opening a store always goes to the latest version;
/// an older target makes stores as earlier releases did, to test upgrades.
pub fn migrate_to(conn: &mut Connection, target: i64, seed: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
    if !(0..=LATEST_VERSION).contains(&target) {
        return Err(Error::invalid(format!(
            "Invalid schema version {target}: this rtrack knows 0 to {LATEST_VERSION}"
        )));
    }
    if schema_version(conn)? == target {
        return Ok(());
    }
    // A migration that rebuilds a table drops the old one, which must not cascade to the
    // rows that refer to it: references are checked once, after the migrations. SQLite
    // ignores this setting inside a transaction, so it is switched here.
    let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |row| row.get(0))?;
    conn.pragma_update(None, "foreign_keys", false)?;
    let migrated = migrate_unchecked(conn, target, seed);
    conn.pragma_update(None, "foreign_keys", enforced)?;
    migrated
}

fn migrate_unchecked(conn: &mut Connection, target: i64, seed: impl FnOnce(&Connection) -> Result<()>) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let current = schema_version(&tx)?;
    if current > LATEST_VERSION {
        return Err(Error::invalid(format!(
            "This store has schema version {current}, newer than this rtrack understands \
             ({LATEST_VERSION}); upgrade rtrack to open it"
        )));
    }
    if current > target {
        return Err(Error::invalid(format!(
            "This store has schema version {current}, past the {target} asked for"
        )));
    }
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .take(target as usize)
        .skip(current as usize)
    {
        tx.execute_batch(sql)?;
        after_migration(index as i64 + 1, &tx)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    let dangling: i64 = tx.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |row| row.get(0))?;
    if dangling > 0 {
        return Err(Error::Internal(format!(
            "migrating the store left {dangling} dangling references; nothing was changed"
        )));
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

    #[test]
    fn runs_rebuilt_in_search_order_keep_everything_that_refers_to_them() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        migrate_to(&mut conn, 5, |_| Ok(())).unwrap();
        conn.execute_batch(
            r#"INSERT INTO experiments VALUES (0, 'Default', '/a/0', 'active', 1, 1);
             INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, lifecycle_stage, artifact_uri,
                               param_values, tag_values)
                 VALUES ('r1', 'old', 0, 'ann', 'FINISHED', 1, 'active', '/a/0/r1', jsonb('{"alpha":"0.5"}'), jsonb('{"t":"v"}')),
                        ('r2', 'new', 0, 'ann', 'RUNNING', 2, 'active', '/a/0/r2', x'0c', x'0c');
             INSERT INTO metric_series (series_id, run_uuid, key, point_count) VALUES (7, 'r1', 'loss', 1);
             INSERT INTO metric_chunks VALUES (7, 0, 1, x'00');"#,
        )
        .unwrap();
        migrate(&mut conn, |_| Ok(())).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        let enforced: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(enforced, "foreign keys are enforced again after migrating");
        let kept: (String, String, String, i64) = conn
            .query_row(
                "SELECT name, param_values ->> '$.alpha', tag_values ->> '$.t',
                        (SELECT count(*) FROM metric_series s JOIN metric_chunks c USING (series_id) WHERE s.run_uuid = r.run_uuid)
                 FROM runs r WHERE run_uuid = 'r1'",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .unwrap();
        assert_eq!(kept, ("old".into(), "0.5".into(), "v".into(), 1));
        // A run's series still refer to it: deleting the run takes them along.
        conn.execute("DELETE FROM runs WHERE run_uuid = 'r1'", []).unwrap();
        let series: i64 = conn
            .query_row("SELECT count(*) FROM metric_series", [], |r| r.get(0))
            .unwrap();
        assert_eq!(series, 0);
        // A search reads the rows in place, already in its order.
        let plan: Vec<String> = conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT run_uuid FROM runs r WHERE r.experiment_id IN (0) AND r.lifecycle_stage IN ('active')
                 ORDER BY r.start_time DESC, r.run_uuid ASC",
            )
            .unwrap()
            .query_map([], |r| r.get(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter().all(|step| !step.contains("TEMP B-TREE")) && plan.iter().any(|s| s.contains("PRIMARY KEY")),
            "{plan:?}"
        );
    }

    #[test]
    fn the_registry_migration_keeps_what_version_2_stored() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 2, |_| Ok(())).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), 2);
        let tables = |conn: &Connection| -> i64 {
            conn.query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'registered_models'",
                [],
                |r| r.get(0),
            )
            .unwrap()
        };
        assert_eq!(tables(&conn), 0);
        conn.execute_batch(
            "INSERT INTO experiments VALUES (0, 'Default', '/a/0', 'active', 1, 1);
             INSERT INTO runs VALUES ('r1', 'kept', 0, 'ann', 'FINISHED', 1, 2, 'active', '/a/0/r1', NULL);",
        )
        .unwrap();
        migrate(&mut conn, |_| Ok(())).unwrap();
        assert_eq!(schema_version(&conn).unwrap(), LATEST_VERSION);
        assert_eq!(tables(&conn), 1);
        let name: String = conn
            .query_row("SELECT name FROM runs WHERE run_uuid = 'r1'", [], |r| r.get(0))
            .unwrap();
        assert_eq!(name, "kept");
        let err = migrate_to(&mut conn, 2, |_| Ok(())).unwrap_err().to_string();
        assert!(err.contains("past the 2"), "{err}");
    }

    #[test]
    fn the_order_migration_marks_which_stored_series_are_in_step_order() {
        use crate::store::sqlite::{chunk, metrics};
        let mut conn = Connection::open_in_memory().unwrap();
        migrate_to(&mut conn, 6, |_| Ok(())).unwrap();
        conn.execute_batch(
            "INSERT INTO experiments VALUES (0, 'Default', '/a/0', 'active', 1, 1);
             INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, lifecycle_stage, artifact_uri)
                 VALUES ('r1', 'r', 0, 'ann', 'FINISHED', 1, 'active', '/a/0/r1');
             INSERT INTO metric_series (series_id, run_uuid, key, point_count) VALUES
                 (1, 'r1', 'in_order', 4), (2, 'r1', 'across_chunks', 4), (3, 'r1', 'inside_a_chunk', 2),
                 (4, 'r1', 'undecodable', 1), (5, 'r1', 'never_logged', 0);",
        )
        .unwrap();
        let chunks: [(i64, i64, &[i64], &[i64]); 6] = [
            (1, 0, &[0, 1], &[5, 5]),
            (1, 1, &[1, 2], &[5, 1]),
            (2, 0, &[0, 5], &[1, 1]),
            (2, 1, &[4, 6], &[1, 1]),
            (3, 0, &[2, 2], &[9, 8]),
            (4, 0, &[], &[]),
        ];
        for (series, seq, steps, timestamps) in chunks {
            let values = vec![0.5; steps.len()];
            let blob = if steps.is_empty() {
                vec![0u8]
            } else {
                chunk::encode(steps, timestamps, &values)
            };
            conn.execute(
                "INSERT INTO metric_chunks VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![series, seq, steps.len() as i64, blob],
            )
            .unwrap();
        }
        migrate(&mut conn, |_| Ok(())).unwrap();
        let ordered = |key: &str| metrics::shape(&conn, "r1", key).unwrap().unwrap().ordered;
        assert!(ordered("in_order"));
        assert!(!ordered("across_chunks"));
        assert!(!ordered("inside_a_chunk"));
        assert!(!ordered("undecodable"));
        assert!(ordered("never_logged"));
    }
}
