//! Run rows and what hangs off them synchronously: params and tags.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::entities::{
    now_millis, tags, validate_param, validate_tag, validate_tag_key, ExperimentId, LifecycleStage, Run, RunTableBuilder,
    RunData, RunId, RunInfo, RunStatus,
};
use crate::error::{Error, Result};
use crate::store::{NewRun, RunUpdate};

use super::names::generate_run_name;
use super::{experiments, summary};

pub fn create(conn: &Connection, new_run: NewRun) -> Result<Run> {
    let experiment_id = new_run.experiment_id.unwrap_or(ExperimentId::DEFAULT);
    for (key, value) in &new_run.tags {
        validate_tag(key, value)?;
    }
    let experiment = experiments::require_active(conn, experiment_id)?;
    let run_id = RunId::generate();
    // A name given as a tag counts as the run name, as in MLflow.
    let tagged_name = new_run.tags.iter().find(|(k, _)| k == tags::RUN_NAME).map(|(_, v)| v.clone());
    let run_name = new_run
        .run_name
        .filter(|name| !name.is_empty())
        .or(tagged_name)
        .unwrap_or_else(generate_run_name);
    let artifact_uri = format!("{}/{}/artifacts", experiment.artifact_location, run_id);
    let start_time = new_run.start_time.unwrap_or_else(now_millis);
    // A later tag of the same key wins, as it would by upserting them in order.
    let mut run_tags: std::collections::BTreeMap<String, String> = new_run.tags.into_iter().collect();
    run_tags.insert(tags::RUN_NAME.to_string(), run_name.clone());
    // The run's tags are written with its row.
    conn.prepare_cached(
        "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, lifecycle_stage, artifact_uri, tag_values)
         VALUES (?1, ?2, ?3, ?4, 'RUNNING', ?5, 'active', ?6, jsonb(?7))",
    )?
    .execute(params![
        run_id.as_str(),
        run_name,
        experiment_id.0,
        new_run.user_id,
        start_time,
        artifact_uri,
        summary::object_text(run_tags.iter().map(|(k, v)| (k.as_str(), Some(v.as_str()))))?
    ])?;
    // Everything about the new run is known here; no need to read it back.
    Ok(Run {
        info: RunInfo {
            run_id: run_id.to_string(),
            run_name,
            experiment_id,
            user_id: new_run.user_id,
            status: RunStatus::Running,
            start_time,
            end_time: None,
            artifact_uri,
            lifecycle_stage: LifecycleStage::Active,
        },
        data: RunData { tags: run_tags, ..Default::default() },
    })
}

/// The run info columns of `runs r`, in the order [`info_from_row`] reads them.
pub const INFO_COLUMNS: &str =
    "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, r.artifact_uri, r.lifecycle_stage";

/// The whole run: [`INFO_COLUMNS`] then the summary columns, as [`run_from_row`] reads them.
pub const RUN_COLUMNS: &str = "r.run_uuid, r.name, r.experiment_id, r.user_id, r.status, r.start_time, r.end_time, \
     r.artifact_uri, r.lifecycle_stage, r.param_values, r.tag_values, r.latest_metrics";

/// Add a row of [`RUN_COLUMNS`] to a table of runs, strings borrowed from the row until
/// the table keeps them.
pub fn add_row_to_table(row: &Row, table: &mut RunTableBuilder) -> Result<()> {
    let text = |index| row.get_ref(index).and_then(|value| value.as_str().map_err(rusqlite::Error::from));
    let status = text(4)?.parse().unwrap_or(RunStatus::Running);
    table.start_row_with(row.get(0)?, ExperimentId(row.get(2)?), status, row.get(7)?, row.get(5)?, row.get(6)?);
    let blob = |index| row.get_ref(index).and_then(|value| value.as_blob().map_err(rusqlite::Error::from));
    summary::add_to_table(blob(9)?, blob(10)?, blob(11)?, table)
}

/// A run, params, tags and latest metrics included, from a row of [`RUN_COLUMNS`].
pub fn run_from_row(row: &Row) -> Result<Run> {
    let info = info_from_row(row)?;
    let blob = |index| row.get_ref(index).and_then(|value| value.as_blob().map_err(rusqlite::Error::from));
    let data = summary::decode(blob(9)?, blob(10)?, blob(11)?)?;
    Ok(Run { info, data })
}

pub fn info_from_row(row: &Row) -> rusqlite::Result<RunInfo> {
    let status = row.get_ref(4)?.as_str()?;
    let stage = row.get_ref(8)?.as_str()?;
    Ok(RunInfo {
        run_id: row.get(0)?,
        run_name: row.get(1)?,
        experiment_id: ExperimentId(row.get(2)?),
        user_id: row.get(3)?,
        status: status.parse().unwrap_or(RunStatus::Running),
        start_time: row.get(5)?,
        end_time: row.get(6)?,
        artifact_uri: row.get(7)?,
        lifecycle_stage: stage.parse().unwrap_or(LifecycleStage::Active),
    })
}

fn not_found(run_id: &str) -> Error {
    Error::not_found(format!("Run '{run_id}' not found"))
}

pub fn get_info(conn: &Connection, run_id: &str) -> Result<RunInfo> {
    let sql = format!("SELECT {INFO_COLUMNS} FROM runs r WHERE r.run_uuid = ?1");
    conn.prepare_cached(&sql)?
        .query_row([run_id], info_from_row)
        .optional()?
        .ok_or_else(|| not_found(run_id))
}

pub fn get(conn: &Connection, run_id: &str) -> Result<Run> {
    let sql = format!("SELECT {RUN_COLUMNS} FROM runs r WHERE r.run_uuid = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query([run_id])?;
    match rows.next()? {
        Some(row) => run_from_row(row),
        None => Err(not_found(run_id)),
    }
}

pub fn update(conn: &Connection, run_id: &str, update: RunUpdate) -> Result<RunInfo> {
    if let Some(name) = update.run_name.as_deref() {
        validate_tag(tags::RUN_NAME, name)?;
    }
    // Runs inside the caller's transaction. An unknown run makes the updates no-ops and
    // the final read reports it.
    if let Some(status) = update.status {
        conn.prepare_cached("UPDATE runs SET status = ?1 WHERE run_uuid = ?2")?.execute(params![status.as_str(), run_id])?;
        // A resumed run is running again: it has no end yet.
        if status == RunStatus::Running {
            conn.execute("UPDATE runs SET end_time = NULL WHERE run_uuid = ?1", params![run_id])?;
        }
    }
    if let Some(end_time) = update.end_time {
        conn.prepare_cached("UPDATE runs SET end_time = ?1 WHERE run_uuid = ?2")?.execute(params![end_time, run_id])?;
    }
    if let Some(name) = update.run_name.filter(|n| !n.is_empty()) {
        conn.execute("UPDATE runs SET name = ?1 WHERE run_uuid = ?2", params![name, run_id])?;
        upsert_tags(conn, run_id, &[(tags::RUN_NAME, &name)])?;
    }
    get_info(conn, run_id)
}

pub fn set_lifecycle(conn: &Connection, run_id: &str, stage: LifecycleStage) -> Result<()> {
    let info = get_info(conn, run_id)?;
    if stage == LifecycleStage::Active {
        experiments::require_active(conn, info.experiment_id)?;
    }
    let deleted_time = (stage == LifecycleStage::Deleted).then(now_millis);
    conn.execute(
        "UPDATE runs SET lifecycle_stage = ?1, deleted_time = ?2 WHERE run_uuid = ?3",
        params![stage.as_str(), deleted_time, run_id],
    )?;
    Ok(())
}

/// Writes go only to runs that are not in the bin.
pub fn require_active(conn: &Connection, run_id: &str) -> Result<RunInfo> {
    let info = get_info(conn, run_id)?;
    if info.lifecycle_stage != LifecycleStage::Active {
        return Err(Error::invalid(format!("Run '{run_id}' is deleted; restore it before logging to it")));
    }
    Ok(info)
}

pub fn log_params(conn: &Connection, run_id: &str, params: &[(String, String)]) -> Result<()> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (key, value) in params {
        validate_param(key, value)?;
        if let Some(previous) = seen.insert(key, value) {
            if previous != value {
                return Err(Error::invalid(format!(
                    "Param '{key}' appears twice in one batch with different values ('{previous}' and '{value}')"
                )));
            }
        }
    }
    // IMMEDIATE: the check of the params logged so far and the write see the same state.
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    require_active(&tx, run_id)?;
    let logged = summary::params_of(&tx, run_id)?;
    let mut added = Vec::with_capacity(seen.len());
    for (key, value) in seen {
        match logged.get(key) {
            Some(old) if old == value => {}
            Some(old) => {
                return Err(Error::invalid(format!(
                    "Changing param values is not allowed: param '{key}' of run '{run_id}' was logged as \
                     '{old}', cannot change it to '{value}'"
                )))
            }
            None => added.push((key, value)),
        }
    }
    summary::add_params(&tx, run_id, &added)?;
    tx.commit()?;
    Ok(())
}

/// Set tags on a run (a later value of one key wins), in the caller's transaction.
fn upsert_tags(conn: &Connection, run_id: &str, tag_list: &[(&str, &str)]) -> Result<()> {
    summary::change_tags(conn, run_id, &tag_list.iter().map(|&(k, v)| (k, Some(v))).collect::<Vec<_>>())
}

pub fn set_tags(conn: &Connection, run_id: &str, tag_list: &[(String, String)]) -> Result<()> {
    for (key, value) in tag_list {
        validate_tag(key, value)?;
    }
    require_active(conn, run_id)?;
    let tx = conn.unchecked_transaction()?;
    upsert_tags(&tx, run_id, &tag_list.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect::<Vec<_>>())?;
    // The run name lives in a column too; keep the two in step.
    if let Some((_, name)) = tag_list.iter().rev().find(|(k, v)| k == tags::RUN_NAME && !v.is_empty()) {
        tx.execute("UPDATE runs SET name = ?1 WHERE run_uuid = ?2", params![name, run_id])?;
    }
    tx.commit()?;
    Ok(())
}

pub fn delete_tag(conn: &Connection, run_id: &str, key: &str) -> Result<()> {
    validate_tag_key(key)?;
    require_active(conn, run_id)?;
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    if !summary::has_tag(&tx, run_id, key)? {
        return Err(Error::not_found(format!("No tag '{key}' on run '{run_id}'")));
    }
    summary::change_tags(&tx, run_id, &[(key, None)])?;
    tx.commit()?;
    Ok(())
}
