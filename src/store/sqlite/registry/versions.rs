//! Model version rows: create (numbering), describe, delete, tags, legacy stages. Each
//! function runs inside the caller's transaction.

use rusqlite::{params, Connection};

use crate::entities::{
    now_millis, validate_model_name, validate_registry_tag, validate_tag_key, ModelVersion, ModelVersionStage,
};
use crate::error::{Error, Result};
use crate::store::NewModelVersion;

use super::super::{logged_models, runs};
use super::{load, models};

pub fn create(conn: &Connection, new: &NewModelVersion) -> Result<ModelVersion> {
    validate_model_name(&new.name)?;
    if new.source.trim().is_empty() {
        return Err(Error::invalid(format!(
            "Invalid source for a version of '{}': the source is empty",
            new.name
        )));
    }
    for (key, value) in &new.tags {
        validate_registry_tag(key, value)?;
    }
    let model = load::model_row_id(conn, &new.name)?;
    let mut run_id = new.run_id.clone().filter(|id| !id.is_empty());
    if let Some(model_id) = &new.model_id {
        let source_run = logged_models::rows::source_run_id(conn, model_id)?;
        // As MLflow: a version made from a logged model comes from the model's run.
        run_id = run_id.or(source_run);
    }
    if let Some(run_id) = &run_id {
        runs::get_info(conn, run_id)?;
    }
    let now = now_millis();
    let version: i64 = conn.query_row(
        "UPDATE registered_models SET last_version = last_version + 1, last_updated_timestamp = ?1
         WHERE registered_model_id = ?2 RETURNING last_version",
        params![now, model],
        |row| row.get(0),
    )?;
    conn.execute(
        "INSERT INTO model_versions (registered_model_id, version, creation_timestamp, last_updated_timestamp,
             description, current_stage, source, run_id, run_link, status, model_id)
         VALUES (?1, ?2, ?3, ?3, ?4, 'None', ?5, ?6, ?7, 'READY', ?8)",
        params![
            model,
            version,
            now,
            new.description,
            new.source,
            run_id,
            new.run_link,
            new.model_id
        ],
    )?;
    for (key, value) in &new.tags {
        upsert_tag(conn, (model, version), key, value)?;
    }
    load::model_version(conn, (model, version), &new.name)
}

pub fn update(conn: &Connection, name: &str, version: i64, description: Option<&str>) -> Result<ModelVersion> {
    let key = load::version_key(conn, name, version)?;
    conn.execute(
        "UPDATE model_versions SET description = ?1, last_updated_timestamp = ?2
         WHERE registered_model_id = ?3 AND version = ?4",
        params![description, now_millis(), key.0, key.1],
    )?;
    load::model_version(conn, key, name)
}

/// Deletes the version's tags and the aliases pointing at it too (foreign keys cascade).
pub fn delete(conn: &Connection, name: &str, version: i64) -> Result<()> {
    let key = load::version_key(conn, name, version)?;
    conn.execute(
        "DELETE FROM model_versions WHERE registered_model_id = ?1 AND version = ?2",
        params![key.0, key.1],
    )?;
    models::touch(conn, key.0, now_millis())
}

fn upsert_tag(conn: &Connection, key: load::VersionKey, tag: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO model_version_tags (registered_model_id, version, key, value) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![key.0, key.1, tag, value])?;
    Ok(())
}

pub fn set_tag(conn: &Connection, name: &str, version: i64, tag: &str, value: &str) -> Result<()> {
    validate_registry_tag(tag, value)?;
    let key = load::version_key(conn, name, version)?;
    upsert_tag(conn, key, tag, value)
}

pub fn delete_tag(conn: &Connection, name: &str, version: i64, tag: &str) -> Result<()> {
    validate_tag_key(tag)?;
    let key = load::version_key(conn, name, version)?;
    let removed = conn.execute(
        "DELETE FROM model_version_tags WHERE registered_model_id = ?1 AND version = ?2 AND key = ?3",
        params![key.0, key.1, tag],
    )?;
    if removed == 0 {
        return Err(Error::not_found(format!(
            "No tag '{tag}' on version {version} of registered model '{name}'"
        )));
    }
    Ok(())
}

pub fn transition_stage(
    conn: &Connection,
    name: &str,
    version: i64,
    stage: ModelVersionStage,
    archive_existing_versions: bool,
) -> Result<ModelVersion> {
    if archive_existing_versions && !stage.is_active() {
        return Err(Error::invalid(format!(
            "Cannot archive existing versions on a move to stage '{stage}': only Staging and Production archive \
             the versions they held"
        )));
    }
    let key = load::version_key(conn, name, version)?;
    let now = now_millis();
    if archive_existing_versions {
        conn.execute(
            "UPDATE model_versions SET current_stage = 'Archived', last_updated_timestamp = ?1
             WHERE registered_model_id = ?2 AND version != ?3 AND current_stage = ?4",
            params![now, key.0, key.1, stage.as_str()],
        )?;
    }
    conn.execute(
        "UPDATE model_versions SET current_stage = ?1, last_updated_timestamp = ?2
         WHERE registered_model_id = ?3 AND version = ?4",
        params![stage.as_str(), now, key.0, key.1],
    )?;
    models::touch(conn, key.0, now)?;
    load::model_version(conn, key, name)
}

/// The newest version in each of `stages` (every stage when empty), oldest version first.
pub fn latest(conn: &Connection, name: &str, stages: &[ModelVersionStage]) -> Result<Vec<ModelVersion>> {
    let model = load::model_row_id(conn, name)?;
    let versions = load::model_versions(conn, &load::latest_version_keys(conn, &[model])?)?;
    Ok(versions
        .into_iter()
        .filter(|v| stages.is_empty() || stages.contains(&v.current_stage))
        .collect())
}
