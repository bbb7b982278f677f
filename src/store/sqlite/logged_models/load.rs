//! Reading logged models with their tags, params and metrics, a batch at a time.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, Row};

use crate::entities::{ExperimentId, LoggedModel, LoggedModelMetric, LoggedModelStatus};
use crate::error::{Error, Result};

fn from_row(row: &Row) -> rusqlite::Result<LoggedModel> {
    let status: String = row.get(6)?;
    Ok(LoggedModel {
        model_id: row.get(0)?,
        experiment_id: ExperimentId(row.get(1)?),
        name: row.get(2)?,
        artifact_location: row.get(3)?,
        creation_timestamp_ms: row.get(4)?,
        last_updated_timestamp_ms: row.get(5)?,
        status: status.parse().unwrap_or(LoggedModelStatus::Pending),
        status_message: row.get(7)?,
        model_type: row.get(8)?,
        source_run_id: row.get(9)?,
        tags: BTreeMap::new(),
        params: BTreeMap::new(),
        metrics: Vec::new(),
    })
}

/// Logged models by id, in the order of `ids`; unknown ids are skipped.
pub fn logged_models(conn: &Connection, ids: &[String]) -> Result<Vec<LoggedModel>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids_json = serde_json::to_string(ids).map_err(|e| Error::Internal(e.to_string()))?;
    let in_ids = "model_id IN (SELECT value FROM json_each(?1))";
    let mut found: HashMap<String, LoggedModel> = conn
        .prepare_cached(&format!(
            "SELECT model_id, experiment_id, name, artifact_location, creation_timestamp, last_updated_timestamp,
                    status, status_message, model_type, source_run_id
             FROM logged_models WHERE {in_ids}"
        ))?
        .query_map([&ids_json], |row| Ok((row.get(0)?, from_row(row)?)))?
        .collect::<rusqlite::Result<_>>()?;

    for table in ["logged_model_tags", "logged_model_params"] {
        let mut stmt = conn.prepare_cached(&format!("SELECT model_id, key, value FROM {table} WHERE {in_ids}"))?;
        let mut rows = stmt.query([&ids_json])?;
        while let Some(row) = rows.next()? {
            let model_id: String = row.get(0)?;
            if let Some(model) = found.get_mut(&model_id) {
                let map = if table == "logged_model_tags" {
                    &mut model.tags
                } else {
                    &mut model.params
                };
                map.insert(row.get(1)?, row.get(2)?);
            }
        }
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT model_id, key, value, step, timestamp, run_id, dataset_name, dataset_digest
         FROM logged_model_metrics WHERE {in_ids} ORDER BY model_id, key, step, timestamp"
    ))?;
    let mut rows = stmt.query([&ids_json])?;
    while let Some(row) = rows.next()? {
        let model_id: String = row.get(0)?;
        if let Some(model) = found.get_mut(&model_id) {
            let value: Option<f64> = row.get(2)?;
            model.metrics.push(LoggedModelMetric {
                key: row.get(1)?,
                value: value.unwrap_or(f64::NAN),
                step: row.get(3)?,
                timestamp: row.get(4)?,
                run_id: row.get(5)?,
                dataset_name: row.get(6)?,
                dataset_digest: row.get(7)?,
            });
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// One logged model; the caller has checked it exists.
pub fn logged_model(conn: &Connection, model_id: &str) -> Result<LoggedModel> {
    logged_models(conn, &[model_id.to_string()])?
        .pop()
        .ok_or_else(|| Error::not_found(format!("Logged model '{model_id}' not found")))
}
