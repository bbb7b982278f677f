//! Reading registered models and model versions, with their tags, aliases and latest
//! versions, a batch at a time (one query per table, not per row).

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, Row};

use crate::entities::{ModelVersion, RegisteredModel, RegisteredModelAlias};
use crate::error::{Error, Result};

/// A model version's key: the model's row id and the version number.
pub type VersionKey = (i64, i64);

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(e.to_string()))
}

/// The row id of the registered model called `name`.
pub fn model_row_id(conn: &Connection, name: &str) -> Result<i64> {
    conn.prepare_cached("SELECT registered_model_id FROM registered_models WHERE name = ?1")?
        .query_row([name], |row| row.get(0))
        .optional()?
        .ok_or_else(|| Error::not_found(format!("Registered model '{name}' not found")))
}

/// The key of version `version` of model `name`, if that version exists.
pub fn version_key(conn: &Connection, name: &str, version: i64) -> Result<VersionKey> {
    let model = model_row_id(conn, name)?;
    let found: Option<i64> = conn
        .prepare_cached("SELECT version FROM model_versions WHERE registered_model_id = ?1 AND version = ?2")?
        .query_row([model, version], |row| row.get(0))
        .optional()?;
    match found {
        Some(_) => Ok((model, version)),
        None => Err(Error::not_found(format!(
            "Version {version} of registered model '{name}' not found"
        ))),
    }
}

const VERSION_COLUMNS: &str =
    "v.registered_model_id, v.version, m.name, v.creation_timestamp, v.last_updated_timestamp, \
     v.current_stage, v.description, v.source, v.run_id, v.run_link, v.status, v.status_message, v.model_id";

fn version_from_row(row: &Row) -> rusqlite::Result<(VersionKey, ModelVersion)> {
    let stage: String = row.get(5)?;
    let status: String = row.get(10)?;
    let version = ModelVersion {
        name: row.get(2)?,
        version: row.get(1)?,
        creation_timestamp: row.get(3)?,
        last_updated_timestamp: row.get(4)?,
        current_stage: stage.parse().unwrap_or(crate::entities::ModelVersionStage::None),
        description: row.get(6)?,
        source: row.get(7)?,
        run_id: row.get(8)?,
        run_link: row.get(9)?,
        status: status.parse().unwrap_or(crate::entities::ModelVersionStatus::Ready),
        status_message: row.get(11)?,
        tags: BTreeMap::new(),
        aliases: Vec::new(),
        model_id: row.get(12)?,
    };
    Ok(((row.get(0)?, row.get(1)?), version))
}

/// The (model row id, version) pairs of a JSON array of keys bound as `?1`.
const KEYS_FROM_JSON: &str = "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?1)";

/// Model versions by key, with their tags and aliases.
fn versions_by_key(conn: &Connection, keys: &[VersionKey]) -> Result<HashMap<VersionKey, ModelVersion>> {
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let keys_json = json(&keys)?;
    let mut found: HashMap<VersionKey, ModelVersion> = conn
        .prepare_cached(&format!(
            "SELECT {VERSION_COLUMNS} FROM model_versions v
             JOIN registered_models m ON m.registered_model_id = v.registered_model_id
             WHERE (v.registered_model_id, v.version) IN ({KEYS_FROM_JSON})"
        ))?
        .query_map([&keys_json], version_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT registered_model_id, version, key, value FROM model_version_tags
         WHERE (registered_model_id, version) IN ({KEYS_FROM_JSON})"
    ))?;
    let mut rows = stmt.query([&keys_json])?;
    while let Some(row) = rows.next()? {
        if let Some(version) = found.get_mut(&(row.get(0)?, row.get(1)?)) {
            version.tags.insert(row.get(2)?, row.get(3)?);
        }
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT registered_model_id, version, alias FROM registered_model_aliases
         WHERE (registered_model_id, version) IN ({KEYS_FROM_JSON}) ORDER BY alias"
    ))?;
    let mut rows = stmt.query([&keys_json])?;
    while let Some(row) = rows.next()? {
        if let Some(version) = found.get_mut(&(row.get(0)?, row.get(1)?)) {
            version.aliases.push(row.get(2)?);
        }
    }
    Ok(found)
}

/// Model versions by key, in the order of `keys`; keys without a version are skipped.
pub fn model_versions(conn: &Connection, keys: &[VersionKey]) -> Result<Vec<ModelVersion>> {
    let mut found = versions_by_key(conn, keys)?;
    Ok(keys.iter().filter_map(|key| found.remove(key)).collect())
}

/// One model version; `name` and `version` only shape the error message.
pub fn model_version(conn: &Connection, key: VersionKey, name: &str) -> Result<ModelVersion> {
    model_versions(conn, &[key])?
        .pop()
        .ok_or_else(|| Error::not_found(format!("Version {} of registered model '{name}' not found", key.1)))
}

/// The newest version in each stage, for each of `models`, oldest version first.
pub fn latest_version_keys(conn: &Connection, models: &[i64]) -> Result<Vec<VersionKey>> {
    let mut stmt = conn.prepare_cached(
        "SELECT v.registered_model_id, v.version FROM model_versions v
         WHERE v.registered_model_id IN (SELECT value FROM json_each(?1))
           AND v.version = (SELECT max(w.version) FROM model_versions w
                            WHERE w.registered_model_id = v.registered_model_id AND w.current_stage = v.current_stage)
         ORDER BY v.registered_model_id, v.version",
    )?;
    let keys = stmt.query_map([json(&models)?], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(keys.collect::<rusqlite::Result<_>>()?)
}

/// Registered models by row id, in the order of `ids`, with tags, aliases and latest versions.
pub fn registered_models(conn: &Connection, ids: &[i64]) -> Result<Vec<RegisteredModel>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ids_json = json(&ids)?;
    let in_ids = "registered_model_id IN (SELECT value FROM json_each(?1))";
    let mut found: HashMap<i64, RegisteredModel> = conn
        .prepare_cached(&format!(
            "SELECT registered_model_id, name, creation_timestamp, last_updated_timestamp, description
             FROM registered_models WHERE {in_ids}"
        ))?
        .query_map([&ids_json], |row| {
            Ok((
                row.get(0)?,
                RegisteredModel {
                    name: row.get(1)?,
                    creation_timestamp: row.get(2)?,
                    last_updated_timestamp: row.get(3)?,
                    description: row.get(4)?,
                    latest_versions: Vec::new(),
                    tags: BTreeMap::new(),
                    aliases: Vec::new(),
                },
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;

    let mut stmt = conn.prepare_cached(&format!(
        "SELECT registered_model_id, key, value FROM registered_model_tags WHERE {in_ids}"
    ))?;
    let mut rows = stmt.query([&ids_json])?;
    while let Some(row) = rows.next()? {
        if let Some(model) = found.get_mut(&row.get(0)?) {
            model.tags.insert(row.get(1)?, row.get(2)?);
        }
    }
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT registered_model_id, alias, version FROM registered_model_aliases WHERE {in_ids} ORDER BY alias"
    ))?;
    let mut rows = stmt.query([&ids_json])?;
    while let Some(row) = rows.next()? {
        if let Some(model) = found.get_mut(&row.get(0)?) {
            model.aliases.push(RegisteredModelAlias {
                alias: row.get(1)?,
                version: row.get(2)?,
            });
        }
    }
    let latest_keys = latest_version_keys(conn, ids)?;
    let mut latest = versions_by_key(conn, &latest_keys)?;
    for key in &latest_keys {
        if let (Some(model), Some(version)) = (found.get_mut(&key.0), latest.remove(key)) {
            model.latest_versions.push(version);
        }
    }
    Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
}

/// One registered model by row id.
pub fn registered_model(conn: &Connection, id: i64) -> Result<RegisteredModel> {
    registered_models(conn, &[id])?
        .pop()
        .ok_or_else(|| Error::Internal(format!("registered model row {id} vanished while being read")))
}
