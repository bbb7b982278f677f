//! Experiment rows: create, read, rename, delete/restore, tags.

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::entities::{now_millis, validate_experiment_name, validate_tag, Experiment, ExperimentId, LifecycleStage};
use crate::error::{Error, Result};

/// The experiment every store starts with.
pub const DEFAULT_EXPERIMENT_NAME: &str = "Default";

/// Insert the default experiment (id 0) into a new store.
pub fn seed_default(conn: &Connection, artifact_root_uri: &str) -> Result<()> {
    let now = now_millis();
    conn.execute(
        "INSERT OR IGNORE INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time)
         VALUES (0, ?1, ?2, 'active', ?3, ?3)",
        params![DEFAULT_EXPERIMENT_NAME, format!("{artifact_root_uri}/0"), now],
    )?;
    Ok(())
}

pub fn create(
    conn: &Connection,
    name: &str,
    artifact_location: Option<&str>,
    tags: &[(String, String)],
    artifact_root_uri: &str,
) -> Result<ExperimentId> {
    validate_experiment_name(name)?;
    for (key, value) in tags {
        validate_tag(key, value)?;
    }
    // Check and insert under the write lock, so two processes creating the same name at
    // once get one experiment and one AlreadyExists, not a constraint error.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    if find_id_by_name(&tx, name)?.is_some() {
        return Err(Error::AlreadyExists(format!("Experiment '{name}' already exists")));
    }
    let now = now_millis();
    tx.execute(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, last_update_time)
         VALUES (?1, '', 'active', ?2, ?2)",
        params![name, now],
    )?;
    let id = tx.last_insert_rowid();
    let location = match artifact_location {
        Some(location) if !location.trim().is_empty() => location.trim_end_matches('/').to_string(),
        _ => format!("{artifact_root_uri}/{id}"),
    };
    tx.execute(
        "UPDATE experiments SET artifact_location = ?1 WHERE experiment_id = ?2",
        params![location, id],
    )?;
    for (key, value) in tags {
        tx.execute(
            "INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?1, ?2, ?3)",
            params![id, key, value],
        )?;
    }
    tx.commit()?;
    Ok(ExperimentId(id))
}

fn find_id_by_name(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn
        .query_row("SELECT experiment_id FROM experiments WHERE name = ?1", [name], |row| {
            row.get(0)
        })
        .optional()?)
}

const COLUMNS: &str = "experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time";

fn from_row(row: &Row) -> rusqlite::Result<Experiment> {
    let stage: String = row.get(3)?;
    Ok(Experiment {
        experiment_id: ExperimentId(row.get(0)?),
        name: row.get(1)?,
        artifact_location: row.get(2)?,
        lifecycle_stage: stage.parse().unwrap_or(LifecycleStage::Active),
        creation_time: row.get(4)?,
        last_update_time: row.get(5)?,
        tags: BTreeMap::new(),
    })
}

fn load_tags(conn: &Connection, experiment: &mut Experiment) -> Result<()> {
    let mut stmt = conn.prepare_cached("SELECT key, value FROM experiment_tags WHERE experiment_id = ?1")?;
    let rows = stmt.query_map([experiment.experiment_id.0], |row| Ok((row.get(0)?, row.get(1)?)))?;
    experiment.tags = rows.collect::<rusqlite::Result<_>>()?;
    Ok(())
}

pub fn get(conn: &Connection, id: ExperimentId) -> Result<Experiment> {
    find(conn, "experiment_id = ?1", id.0)?
        .ok_or_else(|| Error::not_found(format!("No experiment with id '{id}' exists")))
}

pub fn get_by_name(conn: &Connection, name: &str) -> Result<Option<Experiment>> {
    find(conn, "name = ?1", name)
}

fn find(conn: &Connection, condition: &str, key: impl rusqlite::ToSql) -> Result<Option<Experiment>> {
    let sql = format!("SELECT {COLUMNS} FROM experiments WHERE {condition}");
    let found = conn.prepare_cached(&sql)?.query_row([key], from_row).optional()?;
    match found {
        Some(mut experiment) => {
            load_tags(conn, &mut experiment)?;
            Ok(Some(experiment))
        }
        None => Ok(None),
    }
}

/// Load experiments by id, keeping the order of `ids`.
pub fn get_many(conn: &Connection, ids: &[i64]) -> Result<Vec<Experiment>> {
    ids.iter().map(|id| get(conn, ExperimentId(*id))).collect()
}

pub fn rename(conn: &Connection, id: ExperimentId, new_name: &str) -> Result<()> {
    validate_experiment_name(new_name)?;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    let conn = &*tx;
    let experiment = get(conn, id)?;
    if experiment.lifecycle_stage != LifecycleStage::Active {
        return Err(Error::invalid(format!(
            "Cannot rename experiment '{}': it is deleted; restore it first",
            experiment.name
        )));
    }
    if let Some(other) = find_id_by_name(conn, new_name)? {
        if other != id.0 {
            return Err(Error::AlreadyExists(format!("Experiment '{new_name}' already exists")));
        }
    }
    conn.execute(
        "UPDATE experiments SET name = ?1, last_update_time = ?2 WHERE experiment_id = ?3",
        params![new_name, now_millis(), id.0],
    )?;
    tx.commit()?;
    Ok(())
}

/// Delete (to the bin) or restore an experiment and, as MLflow does, its runs.
pub fn set_lifecycle(conn: &Connection, id: ExperimentId, stage: LifecycleStage) -> Result<()> {
    if id == ExperimentId::DEFAULT && stage == LifecycleStage::Deleted {
        return Err(Error::invalid(
            "Cannot delete the default experiment '0': it is reserved",
        ));
    }
    let experiment = get(conn, id)?;
    if experiment.lifecycle_stage == stage {
        return Err(Error::invalid(format!(
            "Experiment '{}' (id {id}) is already {stage}",
            experiment.name
        )));
    }
    let now = now_millis();
    let deleted_time = (stage == LifecycleStage::Deleted).then_some(now);
    let tx = conn.unchecked_transaction()?;
    tx.execute(
        "UPDATE experiments SET lifecycle_stage = ?1, last_update_time = ?2 WHERE experiment_id = ?3",
        params![stage.as_str(), now, id.0],
    )?;
    match deleted_time {
        // The experiment's runs go to the bin with it, stamped with the same time...
        Some(now) => tx.execute(
            "UPDATE runs SET lifecycle_stage = 'deleted', deleted_time = ?1
             WHERE experiment_id = ?2 AND lifecycle_stage = 'active'",
            params![now, id.0],
        )?,
        // ...so restoring brings back exactly those, not runs deleted on their own before.
        None => tx.execute(
            "UPDATE runs SET lifecycle_stage = 'active', deleted_time = NULL
             WHERE experiment_id = ?1 AND deleted_time = ?2",
            params![id.0, experiment.last_update_time],
        )?,
    };
    tx.commit()?;
    Ok(())
}

pub fn set_tag(conn: &Connection, id: ExperimentId, key: &str, value: &str) -> Result<()> {
    validate_tag(key, value)?;
    get(conn, id)?;
    conn.execute(
        "INSERT OR REPLACE INTO experiment_tags (experiment_id, key, value) VALUES (?1, ?2, ?3)",
        params![id.0, key, value],
    )?;
    Ok(())
}

pub fn delete_tag(conn: &Connection, id: ExperimentId, key: &str) -> Result<()> {
    get(conn, id)?;
    let removed = conn.execute(
        "DELETE FROM experiment_tags WHERE experiment_id = ?1 AND key = ?2",
        params![id.0, key],
    )?;
    if removed == 0 {
        return Err(Error::not_found(format!(
            "No tag with name: {key} in experiment with id {id}"
        )));
    }
    Ok(())
}

/// The experiment must exist and be active for runs to be created in it.
pub fn require_active(conn: &Connection, id: ExperimentId) -> Result<Experiment> {
    let experiment = get(conn, id)?;
    if experiment.lifecycle_stage != LifecycleStage::Active {
        return Err(deleted(&experiment.name, id));
    }
    Ok(experiment)
}

/// The artifact location of an active experiment: [`require_active`] reading one row, for
/// starting runs.
pub fn active_artifact_location(conn: &Connection, id: ExperimentId) -> Result<String> {
    let (name, location, stage): (String, String, String) = conn
        .prepare_cached("SELECT name, artifact_location, lifecycle_stage FROM experiments WHERE experiment_id = ?1")?
        .query_row([id.0], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("No experiment with id '{id}' exists")))?;
    if stage != LifecycleStage::Active.as_str() {
        return Err(deleted(&name, id));
    }
    Ok(location)
}

fn deleted(name: &str, id: ExperimentId) -> Error {
    Error::invalid(format!(
        "Experiment '{name}' (id {id}) is deleted; restore it before adding runs"
    ))
}

/// Active-run counts and the latest start or end time, one indexed pass per experiment.
pub fn activity(conn: &Connection, ids: &[ExperimentId]) -> Result<Vec<crate::store::ExperimentActivity>> {
    let mut query = conn.prepare_cached(
        "SELECT COUNT(*), MAX(MAX(start_time, COALESCE(end_time, start_time)))
         FROM runs WHERE experiment_id = ?1 AND lifecycle_stage = 'active'",
    )?;
    ids.iter()
        .map(|&id| {
            let (run_count, last_activity) = query.query_row(params![id.0], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, Option<i64>>(1)?))
            })?;
            Ok(crate::store::ExperimentActivity {
                experiment_id: id,
                run_count: run_count as u64,
                last_activity,
            })
        })
        .collect()
}
