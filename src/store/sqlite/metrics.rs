//! Metric storage: one `metric_series` row per (run, key) holding the latest point, and the
//! points themselves in `metric_chunks` blobs (see [`super::chunk`]).
//!
//! Small appends (the background writer's batches) extend the last chunk while it is small,
//! so slow logging does not leave a row per point; bulk appends write full chunks directly.

use rusqlite::{params, Connection, OptionalExtension};

use crate::entities::{point_is_later, MetricSeries};
use crate::error::Result;

use super::{chunk, summary};

/// Points per chunk written in bulk.
pub const CHUNK_CAPACITY: usize = 8192;
/// A last chunk smaller than this is extended rather than followed by a new one.
pub const APPEND_LIMIT: usize = 1024;

/// A series' row: its id, run and key, and whether it has no points yet.
#[derive(Clone, Copy, Debug)]
pub struct SeriesRow<'a> {
    pub id: i64,
    pub run_id: &'a str,
    pub key: &'a str,
    pub empty: bool,
}

/// The (run, key) series' row, created if needed (one statement either way).
pub fn series_row<'a>(conn: &Connection, run_id: &'a str, key: &'a str) -> Result<SeriesRow<'a>> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO metric_series (run_uuid, key) VALUES (?1, ?2)
             ON CONFLICT (run_uuid, key) DO UPDATE SET key = excluded.key RETURNING series_id, point_count",
        )?
        .query_row(params![run_id, key], |row| {
            Ok(SeriesRow {
                id: row.get(0)?,
                run_id,
                key,
                empty: row.get::<_, i64>(1)? == 0,
            })
        })?)
}

/// Borrowed steps, timestamps and values of the points a write stores.
type PointColumns<'a> = (&'a [i64], &'a [i64], &'a [f64]);

/// Append points to a series. Call inside a write transaction.
pub fn append(
    conn: &Connection,
    series: SeriesRow<'_>,
    steps: &[i64],
    timestamps: &[i64],
    values: &[f64],
) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    let series_id = series.id;
    // An empty series has no chunk to extend (the common case of a run's first batch).
    let tail: Option<(i64, i64, Vec<u8>)> = if series.empty {
        None
    } else {
        conn.prepare_cached(
            "SELECT seq, point_count, data FROM metric_chunks WHERE series_id = ?1 ORDER BY seq DESC LIMIT 1",
        )?
        .query_row([series_id], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()?
    };

    let mut merged = MetricSeries::default();
    let (mut seq, columns): (i64, PointColumns) = match tail {
        Some((tail_seq, count, blob)) if (count as usize) < APPEND_LIMIT => {
            chunk::decode_into(&blob, &mut merged)?;
            merged.steps.extend_from_slice(steps);
            merged.timestamps.extend_from_slice(timestamps);
            merged.values.extend_from_slice(values);
            conn.prepare_cached("DELETE FROM metric_chunks WHERE series_id = ?1 AND seq = ?2")?
                .execute(params![series_id, tail_seq])?;
            (tail_seq, (&merged.steps, &merged.timestamps, &merged.values))
        }
        Some((tail_seq, _, _)) => (tail_seq + 1, (steps, timestamps, values)),
        None => (0, (steps, timestamps, values)),
    };

    let (all_steps, all_timestamps, all_values) = columns;
    let mut insert =
        conn.prepare_cached("INSERT INTO metric_chunks (series_id, seq, point_count, data) VALUES (?1, ?2, ?3, ?4)")?;
    for start in (0..all_values.len()).step_by(CHUNK_CAPACITY) {
        let end = (start + CHUNK_CAPACITY).min(all_values.len());
        let blob = chunk::encode(
            &all_steps[start..end],
            &all_timestamps[start..end],
            &all_values[start..end],
        );
        insert.execute(params![series_id, seq, (end - start) as i64, blob])?;
        seq += 1;
    }
    update_latest(conn, series, steps, timestamps, values)
}

/// Fold the new points into the series' latest point and count.
fn update_latest(
    conn: &Connection,
    series: SeriesRow<'_>,
    steps: &[i64],
    timestamps: &[i64],
    values: &[f64],
) -> Result<()> {
    let mut best = 0;
    for i in 1..values.len() {
        if point_is_later(
            (steps[i], timestamps[i], values[i]),
            (steps[best], timestamps[best], values[best]),
        ) {
            best = i;
        }
    }
    let candidate = (steps[best], timestamps[best], values[best]);
    let current = if series.empty {
        None
    } else {
        let (count, last_value, last_step, last_timestamp): (i64, Option<f64>, Option<i64>, Option<i64>) = conn
            .prepare_cached(
                "SELECT point_count, last_value, last_step, last_timestamp FROM metric_series WHERE series_id = ?1",
            )?
            .query_row([series.id], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
            })?;
        (count > 0).then(|| {
            (
                last_step.unwrap_or(i64::MIN),
                last_timestamp.unwrap_or(i64::MIN),
                last_value.unwrap_or(f64::NAN),
            )
        })
    };
    let replace = current.is_none_or(|current| point_is_later(candidate, current));
    let latest = if replace {
        candidate
    } else {
        current.unwrap_or(candidate)
    };
    // NaN is stored as NULL: SQLite has no NaN.
    let stored_value = if latest.2.is_nan() { None } else { Some(latest.2) };
    conn.prepare_cached(
        "UPDATE metric_series SET point_count = point_count + ?1, last_value = ?2, last_step = ?3, last_timestamp = ?4
         WHERE series_id = ?5",
    )?
    .execute(params![
        values.len() as i64,
        stored_value,
        latest.0,
        latest.1,
        series.id
    ])?;
    if replace {
        summary::set_latest_metric(conn, series.run_id, series.key, latest.2, latest.0, latest.1)?;
    }
    Ok(())
}

/// A metric's whole history ordered by step then timestamp; empty if never logged.
pub fn read(conn: &Connection, run_id: &str, key: &str) -> Result<MetricSeries> {
    let mut series = MetricSeries::default();
    let mut stmt = conn.prepare_cached(
        "SELECT c.data FROM metric_chunks c JOIN metric_series s ON s.series_id = c.series_id
         WHERE s.run_uuid = ?1 AND s.key = ?2 ORDER BY c.seq",
    )?;
    let mut rows = stmt.query(params![run_id, key])?;
    while let Some(row) = rows.next()? {
        let blob = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
        chunk::decode_into(blob, &mut series)?;
    }
    series.sort_by_step();
    Ok(series)
}

/// The points of a series after the first `offset`, in the order they were stored. Chunks
/// wholly before the offset are skipped by their point count, without reading their data.
pub fn read_since(conn: &Connection, run_id: &str, key: &str, offset: usize) -> Result<MetricSeries> {
    let mut series = MetricSeries::default();
    let mut stmt = conn.prepare_cached(
        "SELECT c.point_count, c.data FROM metric_chunks c JOIN metric_series s ON s.series_id = c.series_id
         WHERE s.run_uuid = ?1 AND s.key = ?2 ORDER BY c.seq",
    )?;
    let mut rows = stmt.query(params![run_id, key])?;
    let mut seen = 0usize;
    // Points of the first chunk read that come before the offset.
    let mut skip: Option<usize> = None;
    while let Some(row) = rows.next()? {
        let count = row.get::<_, i64>(0)? as usize;
        if skip.is_none() && seen + count <= offset {
            seen += count;
            continue;
        }
        skip.get_or_insert(offset - seen);
        // SQLite reads a row's blob only when asked for it, so skipped chunks cost no I/O.
        let blob = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        chunk::decode_into(blob, &mut series)?;
    }
    let skip = skip.unwrap_or(0).min(series.len());
    series.steps.drain(..skip);
    series.values.drain(..skip);
    series.timestamps.drain(..skip);
    Ok(series)
}
