//! Run rows and what hangs off them synchronously: params and tags.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction, TransactionBehavior};

use crate::entities::{
    now_millis, tags, validate_param, validate_run_name, validate_tag, validate_tag_key, ExperimentId, LifecycleStage,
    Run, RunData, RunId, RunInfo, RunStatus, RunTableBuilder,
};
use crate::error::{Error, Result};
use crate::store::{NewRun, RunUpdate};

use super::names::generate_run_name;
use super::{experiments, summary};

/// A run's row as it is inserted.
pub struct NewRunRow {
    run_id: String,
    name: String,
    experiment_id: i64,
    user_id: String,
    start_time: i64,
    artifact_uri: String,
    /// The run's tags as a JSON object.
    tags_json: String,
}

/// Check a new run and make its row, to [`insert`] in whatever transaction comes next.
/// The experiment must exist and be active.
pub fn prepare_create(conn: &Connection, new_run: NewRun) -> Result<(Run, NewRunRow)> {
    let experiment_id = new_run.experiment_id.unwrap_or(ExperimentId::DEFAULT);
    for (key, value) in &new_run.tags {
        validate_tag(key, value)?;
    }
    let artifact_location = experiments::active_artifact_location(conn, experiment_id)?;
    let run_id = RunId::generate();
    // A name given as a tag counts as the run name, as in MLflow.
    let tagged_name = new_run
        .tags
        .iter()
        .find(|(k, _)| k == tags::RUN_NAME)
        .map(|(_, v)| v.clone());
    let run_name = new_run
        .run_name
        .filter(|name| !name.is_empty())
        .or(tagged_name)
        .unwrap_or_else(generate_run_name);
    validate_run_name(&run_name)?;
    let artifact_uri = format!("{artifact_location}/{run_id}/artifacts");
    let start_time = new_run.start_time.unwrap_or_else(now_millis);
    // A later tag of the same key wins, as it would by upserting them in order.
    let mut run_tags: std::collections::BTreeMap<String, String> = new_run.tags.into_iter().collect();
    run_tags.insert(tags::RUN_NAME.to_string(), run_name.clone());
    let row = NewRunRow {
        run_id: run_id.to_string(),
        name: run_name.clone(),
        experiment_id: experiment_id.0,
        user_id: new_run.user_id.clone(),
        start_time,
        artifact_uri: artifact_uri.clone(),
        tags_json: summary::object_text(run_tags.iter().map(|(k, v)| (k.as_str(), Some(v.as_str()))))?,
    };
    let run = Run {
        info: RunInfo {
            run_id: row.run_id.clone(),
            run_name,
            experiment_id,
            user_id: new_run.user_id,
            status: RunStatus::Running,
            start_time,
            end_time: None,
            artifact_uri,
            lifecycle_stage: LifecycleStage::Active,
        },
        data: RunData {
            tags: run_tags,
            ..Default::default()
        },
    };
    Ok((run, row))
}

pub fn insert(conn: &Connection, row: &NewRunRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, lifecycle_stage, artifact_uri, tag_values)
         VALUES (?1, ?2, ?3, ?4, 'RUNNING', ?5, 'active', ?6, jsonb(?7))",
    )?
    .execute(params![row.run_id, row.name, row.experiment_id, row.user_id, row.start_time, row.artifact_uri, row.tags_json])?;
    Ok(())
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
    let text = |index| {
        row.get_ref(index)
            .and_then(|value| value.as_str().map_err(rusqlite::Error::from))
    };
    let status = text(4)?.parse().unwrap_or(RunStatus::Running);
    table.start_row_with(
        row.get(0)?,
        ExperimentId(row.get(2)?),
        status,
        row.get(7)?,
        row.get(5)?,
        row.get(6)?,
    );
    let blob = |index| {
        row.get_ref(index)
            .and_then(|value| value.as_blob().map_err(rusqlite::Error::from))
    };
    summary::add_to_table(blob(9)?, blob(10)?, blob(11)?, table)
}

/// A run, params, tags and latest metrics included, from a row of [`RUN_COLUMNS`].
pub fn run_from_row(row: &Row) -> Result<Run> {
    let info = info_from_row(row)?;
    let blob = |index| {
        row.get_ref(index)
            .and_then(|value| value.as_blob().map_err(rusqlite::Error::from))
    };
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
        validate_run_name(name)?;
    }
    // Runs inside the caller's transaction. An unknown run makes the update a no-op and
    // the final read reports it. One statement: a resumed run (RUNNING again) loses its
    // end time unless one is given.
    if update.status.is_some() || update.end_time.is_some() {
        conn.prepare_cached(
            "UPDATE runs SET status = coalesce(?1, status),
                 end_time = CASE WHEN ?2 IS NOT NULL THEN ?2 WHEN ?1 = 'RUNNING' THEN NULL ELSE end_time END
             WHERE run_uuid = ?3",
        )?
        .execute(params![update.status.map(|s| s.as_str()), update.end_time, run_id])?;
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
        // MLflow's wording, which scripts match on, then what to do about it.
        return Err(Error::invalid(format!(
            "The run {run_id} must be in the 'active' state. Current state is {}. Restore it before logging to it",
            info.lifecycle_stage.as_str()
        )));
    }
    Ok(info)
}

/// Check a batch of params: each valid, and a key given twice has one value. Returns the
/// distinct (key, value) pairs.
pub fn check_params(params: &[(String, String)]) -> Result<Vec<(&str, &str)>> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    let mut distinct = Vec::with_capacity(params.len());
    for (key, value) in params {
        validate_param(key, value)?;
        match seen.insert(key, value) {
            Some(previous) if previous != value => {
                return Err(Error::invalid(format!(
                    "Param '{key}' appears twice in one batch with different values ('{previous}' and '{value}')"
                )))
            }
            Some(_) => {}
            None => distinct.push((key.as_str(), value.as_str())),
        }
    }
    Ok(distinct)
}

/// Set tags on a run (a later value of one key wins), in the caller's transaction.
fn upsert_tags(conn: &Connection, run_id: &str, tag_list: &[(&str, &str)]) -> Result<()> {
    summary::change_tags(
        conn,
        run_id,
        &tag_list.iter().map(|&(k, v)| (k, Some(v))).collect::<Vec<_>>(),
    )
}

pub fn set_tags(conn: &Connection, run_id: &str, tag_list: &[(String, String)]) -> Result<()> {
    for (key, value) in tag_list {
        validate_tag(key, value)?;
        if key == tags::RUN_NAME {
            validate_run_name(value)?;
        }
    }
    require_active(conn, run_id)?;
    let tx = conn.unchecked_transaction()?;
    upsert_tags(
        &tx,
        run_id,
        &tag_list
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect::<Vec<_>>(),
    )?;
    // The run name lives in a column too; keep the two in step.
    if let Some((_, name)) = tag_list
        .iter()
        .rev()
        .find(|(k, v)| k == tags::RUN_NAME && !v.is_empty())
    {
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
        return Err(Error::not_found(format!(
            "No tag with name: {key} in run with id {run_id}"
        )));
    }
    summary::change_tags(&tx, run_id, &[(key, None)])?;
    tx.commit()?;
    Ok(())
}
