//! Logged model rows and what hangs off them: tags, params, metrics. Each function runs
//! inside the caller's transaction.

use std::collections::HashMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::entities::{
    new_logged_model_id, now_millis, validate_logged_model_name, validate_metric_key, validate_param, validate_tag,
    validate_tag_key, LoggedModel, LoggedModelMetric, LoggedModelStatus,
};
use crate::error::{Error, Result};
use crate::store::NewLoggedModel;

use super::super::names::generate_run_name;
use super::super::{experiments, runs};
use super::load;

pub fn create(conn: &Connection, new: &NewLoggedModel) -> Result<LoggedModel> {
    if let Some(name) = &new.name {
        validate_logged_model_name(name)?;
    }
    for (key, value) in &new.tags {
        validate_tag(key, value)?;
    }
    let params = distinct_params(&new.params)?;
    let experiment = experiments::require_active(conn, new.experiment_id)?;
    // MLflow records the source run as given, without looking it up.
    let model_id = new_logged_model_id();
    let name = new.name.clone().unwrap_or_else(generate_run_name);
    let artifact_location = match &new.artifact_location {
        Some(location) => location.clone(),
        None => format!("{}/models/{model_id}/artifacts", experiment.artifact_location),
    };
    conn.execute(
        "INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp,
             last_updated_timestamp, status, model_type, source_run_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8)",
        params![
            model_id,
            new.experiment_id.0,
            name,
            artifact_location,
            now_millis(),
            LoggedModelStatus::Pending.as_str(),
            new.model_type,
            new.source_run_id
        ],
    )?;
    for (key, value) in &new.tags {
        upsert_tag(conn, &model_id, key, value)?;
    }
    for (key, value) in params {
        insert_param(conn, &model_id, key, value)?;
    }
    load::logged_model(conn, &model_id)
}

/// The model must exist and not be deleted.
pub fn require(conn: &Connection, model_id: &str) -> Result<()> {
    source_run_id(conn, model_id).map(|_| ())
}

/// The run a live logged model came from.
pub fn source_run_id(conn: &Connection, model_id: &str) -> Result<Option<String>> {
    conn.prepare_cached("SELECT source_run_id FROM logged_models WHERE model_id = ?1 AND lifecycle_stage = 'active'")?
        .query_row([model_id], |row| row.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("Logged model '{model_id}' not found")))
}

pub fn finalize(conn: &Connection, model_id: &str, status: LoggedModelStatus) -> Result<LoggedModel> {
    if !status.is_finalized() {
        return Err(Error::invalid(format!(
            "Cannot finalize logged model '{model_id}' as {status}: a final status is READY or FAILED"
        )));
    }
    require(conn, model_id)?;
    conn.execute(
        "UPDATE logged_models SET status = ?1, last_updated_timestamp = ?2 WHERE model_id = ?3",
        params![status.as_str(), now_millis(), model_id],
    )?;
    load::logged_model(conn, model_id)
}

/// To the bin: a deleted model is no longer found or searched, and its rows stay for
/// whoever cleans up its files.
pub fn delete(conn: &Connection, model_id: &str) -> Result<()> {
    require(conn, model_id)?;
    conn.execute(
        "UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp = ?1 WHERE model_id = ?2",
        params![now_millis(), model_id],
    )?;
    Ok(())
}

fn upsert_tag(conn: &Connection, model_id: &str, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO logged_model_tags (model_id, key, value) VALUES (?1, ?2, ?3)")?
        .execute(params![model_id, key, value])?;
    Ok(())
}

pub fn set_tags(conn: &Connection, model_id: &str, tags: &[(String, String)]) -> Result<()> {
    for (key, value) in tags {
        validate_tag(key, value)?;
    }
    require(conn, model_id)?;
    for (key, value) in tags {
        upsert_tag(conn, model_id, key, value)?;
    }
    Ok(())
}

pub fn delete_tag(conn: &Connection, model_id: &str, key: &str) -> Result<()> {
    validate_tag_key(key)?;
    require(conn, model_id)?;
    let removed = conn.execute(
        "DELETE FROM logged_model_tags WHERE model_id = ?1 AND key = ?2",
        params![model_id, key],
    )?;
    if removed == 0 {
        return Err(Error::not_found(format!(
            "No tag with key '{key}' found for model with ID '{model_id}'."
        )));
    }
    Ok(())
}

fn insert_param(conn: &Connection, model_id: &str, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached("INSERT INTO logged_model_params (model_id, key, value) VALUES (?1, ?2, ?3)")?
        .execute(params![model_id, key, value])?;
    Ok(())
}

/// Params checked and with repeats folded; a key given twice with two values is refused.
fn distinct_params(params: &[(String, String)]) -> Result<HashMap<&str, &str>> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (key, value) in params {
        validate_param(key, value)?;
        if let Some(previous) = seen.insert(key, value) {
            if previous != value {
                return Err(Error::invalid(format!(
                    "Param '{key}' appears twice with different values ('{previous}' and '{value}')"
                )));
            }
        }
    }
    Ok(seen)
}

pub fn log_params(conn: &Connection, model_id: &str, params: &[(String, String)]) -> Result<()> {
    let params = distinct_params(params)?;
    require(conn, model_id)?;
    let mut existing = conn.prepare_cached("SELECT value FROM logged_model_params WHERE model_id = ?1 AND key = ?2")?;
    for (key, value) in params {
        match existing
            .query_row(params![model_id, key], |row| row.get::<_, String>(0))
            .optional()?
        {
            Some(old) if old == value => {}
            Some(old) => {
                return Err(Error::invalid(format!(
                    "Changing param values is not allowed: param '{key}' of logged model '{model_id}' was logged as \
                     '{old}', cannot change it to '{value}'"
                )))
            }
            None => insert_param(conn, model_id, key, value)?,
        }
    }
    Ok(())
}

pub fn log_metrics(conn: &Connection, model_id: &str, metrics: &[LoggedModelMetric]) -> Result<()> {
    for metric in metrics {
        validate_metric_key(&metric.key)?;
    }
    require(conn, model_id)?;
    let mut known_runs: Vec<&str> = Vec::new();
    for metric in metrics {
        if let Some(run_id) = metric.run_id.as_deref().filter(|id| !known_runs.contains(id)) {
            runs::get_info(conn, run_id)?;
            known_runs.push(run_id);
        }
        // SQLite cannot store NaN in a REAL column; NULL stands for it.
        let value = (!metric.value.is_nan()).then_some(metric.value);
        conn.prepare_cached(
            "INSERT OR REPLACE INTO logged_model_metrics
                 (model_id, key, value, step, timestamp, run_id, dataset_name, dataset_digest)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute(params![
            model_id,
            metric.key,
            value,
            metric.step,
            metric.timestamp,
            metric.run_id,
            metric.dataset_name,
            metric.dataset_digest
        ])?;
    }
    Ok(())
}
