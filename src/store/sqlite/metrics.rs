//! Metric storage: one `metric_series` row per (run, key) holding the latest point, and the
//! points themselves in `metric_chunks` blobs (see [`super::chunk`]).
//!
//! Small appends (the background writer's batches) extend the last chunk while it is small,
//! so slow logging does not leave a row per point; bulk appends write full chunks directly.

use rusqlite::{params, Connection, OptionalExtension};

use crate::entities::{point_is_later, sorted_by_step, MetricSeries};
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
    // The series stays in step order if the batch is, and starts at or after the latest point.
    let stays_ordered = sorted_by_step(steps, timestamps)
        && current.is_none_or(|(step, ts, _)| (steps[0], timestamps[0]) >= (step, ts));
    let replace = current.is_none_or(|current| point_is_later(candidate, current));
    let latest = if replace {
        candidate
    } else {
        current.unwrap_or(candidate)
    };
    // NaN is stored as NULL: SQLite has no NaN.
    let stored_value = if latest.2.is_nan() { None } else { Some(latest.2) };
    conn.prepare_cached(
        "UPDATE metric_series SET point_count = point_count + ?1, last_value = ?2, last_step = ?3, last_timestamp = ?4,
             ordered = ordered AND ?6
         WHERE series_id = ?5",
    )?
    .execute(params![
        values.len() as i64,
        stored_value,
        latest.0,
        latest.1,
        series.id,
        stays_ordered
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

/// What a reader needs to know of a series before reading its points.
#[derive(Clone, Copy, Debug)]
pub struct SeriesShape {
    pub id: i64,
    pub point_count: usize,
    /// The points are stored in step, then timestamp order, so a page is a stored range.
    pub ordered: bool,
}

/// The (run, key) series' shape; `None` if the metric was never logged.
pub fn shape(conn: &Connection, run_id: &str, key: &str) -> Result<Option<SeriesShape>> {
    Ok(conn
        .prepare_cached("SELECT series_id, point_count, ordered FROM metric_series WHERE run_uuid = ?1 AND key = ?2")?
        .query_row(params![run_id, key], |row| {
            Ok(SeriesShape {
                id: row.get(0)?,
                point_count: row.get::<_, i64>(1)? as usize,
                ordered: row.get(2)?,
            })
        })
        .optional()?)
}

/// Where stored point `offset` of a series lies: its chunk's seq and how many points of that
/// chunk come before it. Reads only the chunks' point counts, never their data.
pub fn locate(conn: &Connection, series_id: i64, offset: usize) -> Result<Option<(i64, usize)>> {
    let mut stmt =
        conn.prepare_cached("SELECT seq, point_count FROM metric_chunks WHERE series_id = ?1 ORDER BY seq")?;
    let mut rows = stmt.query([series_id])?;
    let mut seen = 0usize;
    while let Some(row) = rows.next()? {
        let count = row.get::<_, i64>(1)? as usize;
        if seen + count > offset {
            return Ok(Some((row.get(0)?, offset - seen)));
        }
        seen += count;
    }
    Ok(None)
}

/// Decode up to `max_chunks` chunks of a series from `seq` on, in order, into `out`.
/// Returns the seq to continue from, or `None` when the series has no more chunks.
pub fn read_chunks(
    conn: &Connection,
    series_id: i64,
    seq: i64,
    max_chunks: usize,
    out: &mut MetricSeries,
) -> Result<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, data FROM metric_chunks WHERE series_id = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3",
    )?;
    let mut rows = stmt.query(params![series_id, seq, max_chunks as i64])?;
    let (mut read, mut next) = (0, None);
    while let Some(row) = rows.next()? {
        let blob = row.get_ref(1)?.as_blob().map_err(rusqlite::Error::from)?;
        chunk::decode_into(blob, out)?;
        next = Some(row.get::<_, i64>(0)? + 1);
        read += 1;
    }
    Ok(next.filter(|_| read == max_chunks))
}

/// Set `ordered` for every stored series by reading it chunk by chunk (the migration that
/// introduced the flag). A series whose chunks cannot be decoded counts as unordered, so
/// reads take the path that reads it whole.
pub fn mark_ordered_series(conn: &Connection) -> Result<()> {
    let ids: Vec<i64> = conn
        .prepare("SELECT series_id FROM metric_series WHERE point_count > 0")?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut chunks = conn.prepare("SELECT data FROM metric_chunks WHERE series_id = ?1 ORDER BY seq")?;
    let mut mark = conn.prepare("UPDATE metric_series SET ordered = ?2 WHERE series_id = ?1")?;
    for id in ids {
        let mut ordered = true;
        let mut last: Option<(i64, i64)> = None;
        let mut rows = chunks.query([id])?;
        while let Some(row) = rows.next()? {
            let mut points = MetricSeries::default();
            let blob = row.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?;
            if chunk::decode_into(blob, &mut points).is_err() || !points.is_sorted_by_step() {
                ordered = false;
                break;
            }
            let first = points.steps.first().zip(points.timestamps.first());
            if let (Some(last), Some((&step, &ts))) = (last, first) {
                if (step, ts) < last {
                    ordered = false;
                    break;
                }
            }
            if let (Some(&step), Some(&ts)) = (points.steps.last(), points.timestamps.last()) {
                last = Some((step, ts));
            }
        }
        drop(rows);
        mark.execute(params![id, ordered])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::sqlite::schema;

    fn store_with_a_run() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        schema::migrate(&mut conn, |_| Ok(())).unwrap();
        conn.execute_batch(
            "INSERT INTO experiments VALUES (0, 'Default', '/a/0', 'active', 1, 1);
             INSERT INTO runs (run_uuid, name, experiment_id, user_id, status, start_time, lifecycle_stage, artifact_uri)
                 VALUES ('r1', 'r', 0, 'ann', 'RUNNING', 1, 'active', '/a/0/r1');",
        )
        .unwrap();
        conn
    }

    fn log(conn: &Connection, key: &str, steps: &[i64], timestamps: &[i64]) -> bool {
        let row = series_row(conn, "r1", key).unwrap();
        append(conn, row, steps, timestamps, &vec![1.0; steps.len()]).unwrap();
        shape(conn, "r1", key).unwrap().unwrap().ordered
    }

    #[test]
    fn appends_keep_the_order_flag_true_only_while_steps_never_go_back() {
        let conn = store_with_a_run();
        assert!(log(&conn, "a", &[0, 1, 2], &[10, 10, 10]));
        // An equal (step, timestamp) continues the order: equals keep logging order.
        assert!(log(&conn, "a", &[2, 3], &[10, 11]));
        // Same step, earlier timestamp: out of order, and it stays so.
        assert!(!log(&conn, "a", &[3], &[5]));
        assert!(!log(&conn, "a", &[100], &[100]));

        assert!(!log(&conn, "b", &[1, 0], &[1, 1]), "a batch unordered inside");
        assert!(log(&conn, "c", &[7], &[1]));
        assert!(
            !log(&conn, "c", &[6], &[2]),
            "a later batch starting before the latest step"
        );
    }

    #[test]
    fn locate_finds_the_chunk_holding_an_offset_from_point_counts() {
        let conn = store_with_a_run();
        let steps: Vec<i64> = (0..(CHUNK_CAPACITY as i64 * 2 + 10)).collect();
        log(&conn, "a", &steps, &steps);
        let id = shape(&conn, "r1", "a").unwrap().unwrap().id;
        assert_eq!(locate(&conn, id, 0).unwrap(), Some((0, 0)));
        assert_eq!(locate(&conn, id, CHUNK_CAPACITY + 3).unwrap(), Some((1, 3)));
        assert_eq!(locate(&conn, id, steps.len() - 1).unwrap(), Some((2, 9)));
        assert_eq!(locate(&conn, id, steps.len()).unwrap(), None);
        let mut out = MetricSeries::default();
        assert_eq!(read_chunks(&conn, id, 1, 1, &mut out).unwrap(), Some(2));
        assert_eq!(out.steps.first(), Some(&(CHUNK_CAPACITY as i64)));
        assert_eq!(read_chunks(&conn, id, 2, 5, &mut out).unwrap(), None);
        assert_eq!(out.len(), CHUNK_CAPACITY + 10);
    }
}
