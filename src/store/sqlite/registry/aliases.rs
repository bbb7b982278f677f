//! Aliases: named pointers from a registered model to one of its versions. Moving an alias
//! to an older version is how a deployment rolls back.

use rusqlite::{params, Connection, OptionalExtension};

use crate::entities::{validate_alias, validate_settable_alias, ModelVersion};
use crate::error::{Error, Result};

use super::load;

fn missing(name: &str, alias: &str) -> Error {
    Error::not_found(format!("No alias '{alias}' on registered model '{name}'"))
}

pub fn set(conn: &Connection, name: &str, alias: &str, version: i64) -> Result<()> {
    validate_settable_alias(alias)?;
    let key = load::version_key(conn, name, version)?;
    conn.execute(
        "INSERT OR REPLACE INTO registered_model_aliases (registered_model_id, alias, version) VALUES (?1, ?2, ?3)",
        params![key.0, alias, key.1],
    )?;
    Ok(())
}

pub fn delete(conn: &Connection, name: &str, alias: &str) -> Result<()> {
    validate_alias(alias)?;
    let model = load::model_row_id(conn, name)?;
    let removed = conn.execute(
        "DELETE FROM registered_model_aliases WHERE registered_model_id = ?1 AND alias = ?2",
        params![model, alias],
    )?;
    if removed == 0 {
        return Err(missing(name, alias));
    }
    Ok(())
}

/// The version `alias` points at; `latest` (any case) is the highest version number.
pub fn resolve(conn: &Connection, name: &str, alias: &str) -> Result<ModelVersion> {
    validate_alias(alias)?;
    let model = load::model_row_id(conn, name)?;
    let version: Option<i64> = if alias.eq_ignore_ascii_case("latest") {
        conn.query_row(
            "SELECT max(version) FROM model_versions WHERE registered_model_id = ?1",
            [model],
            |row| row.get(0),
        )?
    } else {
        conn.query_row(
            "SELECT version FROM registered_model_aliases WHERE registered_model_id = ?1 AND alias = ?2",
            params![model, alias],
            |row| row.get(0),
        )
        .optional()?
    };
    match version {
        Some(version) => load::model_version(conn, (model, version), name),
        None if alias.eq_ignore_ascii_case("latest") => Err(Error::not_found(format!(
            "Registered model '{name}' has no versions, so no latest one"
        ))),
        None => Err(missing(name, alias)),
    }
}
