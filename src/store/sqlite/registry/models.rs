//! Registered model rows: create, rename, describe, delete, tags. Each function runs inside
//! the caller's transaction.

use rusqlite::{params, Connection};

use crate::entities::{now_millis, validate_model_name, validate_registry_tag, validate_tag_key, RegisteredModel};
use crate::error::{Error, Result};

use super::load;

fn already_exists(name: &str) -> Error {
    Error::AlreadyExists(format!("Registered model '{name}' already exists"))
}

fn name_is_taken(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM registered_models WHERE name = ?1")?
        .exists([name])?)
}

pub fn create(
    conn: &Connection,
    name: &str,
    tags: &[(String, String)],
    description: Option<&str>,
) -> Result<RegisteredModel> {
    validate_model_name(name)?;
    for (key, value) in tags {
        validate_registry_tag(key, value)?;
    }
    if name_is_taken(conn, name)? {
        return Err(already_exists(name));
    }
    let now = now_millis();
    conn.execute(
        "INSERT INTO registered_models (name, description, creation_timestamp, last_updated_timestamp)
         VALUES (?1, ?2, ?3, ?3)",
        params![name, description, now],
    )?;
    let id = conn.last_insert_rowid();
    for (key, value) in tags {
        upsert_tag(conn, id, key, value)?;
    }
    load::registered_model(conn, id)
}

/// Versions, tags and aliases refer to the model's row id, so they follow the new name.
pub fn rename(conn: &Connection, name: &str, new_name: &str) -> Result<RegisteredModel> {
    validate_model_name(new_name)?;
    let id = load::model_row_id(conn, name)?;
    if new_name != name && name_is_taken(conn, new_name)? {
        return Err(already_exists(new_name));
    }
    let now = now_millis();
    conn.execute(
        "UPDATE registered_models SET name = ?1, last_updated_timestamp = ?2 WHERE registered_model_id = ?3",
        params![new_name, now, id],
    )?;
    // MLflow counts a rename as an update of every version too.
    conn.execute(
        "UPDATE model_versions SET last_updated_timestamp = ?1 WHERE registered_model_id = ?2",
        params![now, id],
    )?;
    load::registered_model(conn, id)
}

pub fn update(conn: &Connection, name: &str, description: Option<&str>) -> Result<RegisteredModel> {
    let id = load::model_row_id(conn, name)?;
    conn.execute(
        "UPDATE registered_models SET description = ?1, last_updated_timestamp = ?2 WHERE registered_model_id = ?3",
        params![description, now_millis(), id],
    )?;
    load::registered_model(conn, id)
}

/// Deletes the model's versions, tags and aliases with it (foreign keys cascade).
pub fn delete(conn: &Connection, name: &str) -> Result<()> {
    let id = load::model_row_id(conn, name)?;
    conn.execute("DELETE FROM registered_models WHERE registered_model_id = ?1", [id])?;
    Ok(())
}

/// Mark the model as changed now (a version was added, moved or deleted).
pub fn touch(conn: &Connection, id: i64, now: i64) -> Result<()> {
    conn.prepare_cached("UPDATE registered_models SET last_updated_timestamp = ?1 WHERE registered_model_id = ?2")?
        .execute(params![now, id])?;
    Ok(())
}

fn upsert_tag(conn: &Connection, id: i64, key: &str, value: &str) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO registered_model_tags (registered_model_id, key, value) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![id, key, value])?;
    Ok(())
}

pub fn set_tag(conn: &Connection, name: &str, key: &str, value: &str) -> Result<()> {
    validate_registry_tag(key, value)?;
    let id = load::model_row_id(conn, name)?;
    upsert_tag(conn, id, key, value)
}

pub fn delete_tag(conn: &Connection, name: &str, key: &str) -> Result<()> {
    validate_tag_key(key)?;
    let id = load::model_row_id(conn, name)?;
    let removed = conn.execute(
        "DELETE FROM registered_model_tags WHERE registered_model_id = ?1 AND key = ?2",
        params![id, key],
    )?;
    if removed == 0 {
        return Err(Error::not_found(format!("No tag '{key}' on registered model '{name}'")));
    }
    Ok(())
}
