//! The per-run summary: three JSONB columns on the run's own row holding its params
//! (`param_values`: key -> value), tags (`tag_values`: key -> value) and latest metrics
//! (`latest_metrics`: key -> `[value, step, timestamp]`, value null for NaN).
//!
//! Params and tags live only here; the latest metrics are a copy of `metric_series`, which
//! also counts the points, updated in the same transaction as it. So a search reads a run,
//! filter and page alike, from the one row it already visits instead of probing a table per
//! key, and writing a param or tag touches that row alone. Each change is one SQL statement
//! that edits the stored value (no read-modify-write in Rust), so concurrent writers in
//! other processes cannot lose each other's changes: SQLite serializes them, and a
//! transaction that read an old snapshot is refused and retried
//! (see [`super::connection::with_retry`]).

use std::collections::BTreeMap;

use rusqlite::{params, Connection, OptionalExtension};

use crate::entities::{Metric, RunData, RunTableBuilder};
use crate::error::{Error, Result};
use crate::search::json_member_path;

use super::jsonb::{self, Element};

/// A JSON object of string members as text; as a merge patch, `None` removes the member.
pub fn object_text<'a>(pairs: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Result<String> {
    let object: BTreeMap<&str, Option<&str>> = pairs.into_iter().collect();
    serde_json::to_string(&object).map_err(|e| Error::Internal(e.to_string()))
}

/// A run's params (empty for an unknown run).
pub fn params_of(conn: &Connection, run_id: &str) -> Result<BTreeMap<String, String>> {
    let mut stmt = conn.prepare_cached("SELECT param_values FROM runs WHERE run_uuid = ?1")?;
    let mut rows = stmt.query([run_id])?;
    let mut params = BTreeMap::new();
    if let Some(row) = rows.next()? {
        let blob = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
        jsonb::for_each_member(blob, |key, value| {
            let Element::Text(value) = value else {
                return Err(bad_member(&key));
            };
            params.insert(key.into_owned(), value.into_owned());
            Ok(())
        })?;
    }
    Ok(params)
}

/// Whether a run has a tag.
pub fn has_tag(conn: &Connection, run_id: &str, key: &str) -> Result<bool> {
    let Some(path) = json_member_path(key) else {
        return Ok(false);
    };
    let found: Option<bool> = conn
        .prepare_cached("SELECT (tag_values -> ?2) IS NOT NULL FROM runs WHERE run_uuid = ?1")?
        .query_row(params![run_id, path], |row| row.get(0))
        .optional()?;
    Ok(found.unwrap_or(false))
}

/// Add params to a run's summary (params never change once logged).
pub fn add_params(conn: &Connection, run_id: &str, params: &[(&str, &str)]) -> Result<()> {
    if params.is_empty() {
        return Ok(());
    }
    let text = object_text(params.iter().map(|&(k, v)| (k, Some(v))))?;
    conn.prepare_cached("UPDATE runs SET param_values = jsonb_patch(param_values, ?2) WHERE run_uuid = ?1")?
        .execute(params![run_id, text])?;
    Ok(())
}

/// Set (`Some`) or remove (`None`) tags in a run's summary.
pub fn change_tags(conn: &Connection, run_id: &str, tags: &[(&str, Option<&str>)]) -> Result<()> {
    if tags.is_empty() {
        return Ok(());
    }
    let text = object_text(tags.iter().copied())?;
    conn.prepare_cached("UPDATE runs SET tag_values = jsonb_patch(tag_values, ?2) WHERE run_uuid = ?1")?
        .execute(params![run_id, text])?;
    Ok(())
}

/// Record a series' latest point in its run's summary. The value is bound as a number, so
/// NaN becomes null and ±inf stay infinite.
pub fn set_latest_metric(
    conn: &Connection,
    run_id: &str,
    key: &str,
    value: f64,
    step: i64,
    timestamp: i64,
) -> Result<()> {
    let path = json_member_path(key).ok_or_else(|| Error::invalid(format!("Invalid metric name '{key}'")))?;
    // The value goes in as JSON text written by Rust: bound as a REAL, SQLite would turn -0.0
    // into 0.0 on its way into JSON.
    conn.prepare_cached(
        "UPDATE runs SET latest_metrics = jsonb_set(latest_metrics, ?2, jsonb_array(json(?3), ?4, ?5))
         WHERE run_uuid = ?1",
    )?
    .execute(params![run_id, path, json_number(value), step, timestamp])?;
    Ok(())
}

/// A double as JSON text SQLite reads back exactly: the shortest digits that round-trip, NaN
/// as null and the infinities as SQLite's own `9e999` / `-9e999`.
fn json_number(value: f64) -> String {
    if value.is_nan() {
        "null".into()
    } else if value.is_infinite() {
        if value > 0.0 { "9e999" } else { "-9e999" }.into()
    } else {
        format!("{value:?}")
    }
}

/// A run's params, tags and latest metrics from its three summary blobs.
pub fn decode(param_values: &[u8], tag_values: &[u8], latest_metrics: &[u8]) -> Result<RunData> {
    let mut data = RunData::default();
    for (blob, map) in [(param_values, &mut data.params), (tag_values, &mut data.tags)] {
        jsonb::for_each_member(blob, |key, value| {
            let Element::Text(value) = value else {
                return Err(bad_member(&key));
            };
            map.insert(key.into_owned(), value.into_owned());
            Ok(())
        })?;
    }
    jsonb::for_each_member(latest_metrics, |key, entry| {
        let metric = match entry {
            Element::Array(payload) => latest_point(&key, payload)?,
            _ => return Err(bad_member(&key)),
        };
        data.metrics.insert(key.into_owned(), metric);
        Ok(())
    })?;
    Ok(data)
}

/// Add a run's params, tags and latest metric values from its summary blobs to the row it
/// started in `table`, allocating nothing for values the table already holds.
pub fn add_to_table(
    param_values: &[u8],
    tag_values: &[u8],
    latest_metrics: &[u8],
    table: &mut RunTableBuilder,
) -> Result<()> {
    jsonb::for_each_member(param_values, |key, value| {
        let Element::Text(value) = value else {
            return Err(bad_member(&key));
        };
        table.param(&key, &value);
        Ok(())
    })?;
    jsonb::for_each_member(tag_values, |key, value| {
        let Element::Text(value) = value else {
            return Err(bad_member(&key));
        };
        table.tag(&key, &value);
        Ok(())
    })?;
    jsonb::for_each_member(latest_metrics, |key, entry| {
        let Element::Array(payload) = entry else {
            return Err(bad_member(&key));
        };
        table.metric(&key, latest_point(&key, payload)?.value);
        Ok(())
    })
}

/// A metric's `[value, step, timestamp]` entry.
fn latest_point(key: &str, payload: &[u8]) -> Result<Metric> {
    let (value, rest) = jsonb::element(payload)?;
    let (step, rest) = jsonb::element(rest)?;
    let (timestamp, rest) = jsonb::element(rest)?;
    let value = match value {
        Element::Float(x) => x,
        Element::Integer(n) => n as f64,
        Element::Null => f64::NAN,
        _ => return Err(bad_member(key)),
    };
    match (step, timestamp, rest.is_empty()) {
        (Element::Integer(step), Element::Integer(timestamp), true) => Ok(Metric {
            key: key.to_string(),
            value,
            step,
            timestamp,
        }),
        _ => Err(bad_member(key)),
    }
}

fn bad_member(key: &str) -> Error {
    Error::Internal(format!("malformed run summary entry '{key}'"))
}
