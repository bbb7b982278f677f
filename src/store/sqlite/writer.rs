//! The background metric writer: callers queue points in memory and return at once; one
//! thread writes them, one transaction per batch.
//!
//! The thread writes a batch when [`FLUSH_INTERVAL`] has passed or [`BATCH_TRIGGER`] points
//! are waiting; [`MetricWriter::flush`] (every read calls it) writes what is queued on the
//! caller's own connection. So a process that dies abruptly loses at most the last
//! interval's points, and a caller always reads its own writes.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::error::{Error, Result};

use super::{connection, metrics};

/// Longest time a queued point waits before it is written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(100);
/// Queue length that wakes the writer early.
pub const BATCH_TRIGGER: usize = 100_000;

/// One queued metric point of a known series.
#[derive(Clone, Copy, Debug)]
pub struct PendingPoint {
    pub series_id: i64,
    pub value: f64,
    pub step: i64,
    pub timestamp: i64,
}

#[derive(Default)]
struct State {
    pending: Vec<PendingPoint>,
    /// Points ever queued and ever written (successfully or not); flushers wait for these to meet.
    enqueued: u64,
    written: u64,
    shutdown: bool,
    /// The last failure, reported by the next flush.
    error: Option<String>,
}

struct Shared {
    state: Mutex<State>,
    wake_writer: Condvar,
    batch_done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep going with it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Owns the writer thread; dropping it writes what is queued and stops the thread.
pub struct MetricWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl MetricWriter {
    /// Start the writer thread with its own connection to `database`.
    pub fn start(database: &Path) -> Result<MetricWriter> {
        let conn = connection::open(database)?;
        let shared = Arc::new(Shared { state: Mutex::new(State::default()), wake_writer: Condvar::new(), batch_done: Condvar::new() });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("rtrack-metric-writer".into())
            .spawn(move || run_writer(conn, &thread_shared))
            .map_err(|e| Error::io("starting the metric writer thread", e))?;
        Ok(MetricWriter { shared, thread: Some(thread) })
    }

    /// Queue one point.
    pub fn push(&self, point: PendingPoint) {
        let mut state = self.shared.lock();
        state.pending.push(point);
        state.enqueued += 1;
        if state.pending.len() == BATCH_TRIGGER {
            self.shared.wake_writer.notify_one();
        }
    }

    /// Queue several points at once.
    pub fn push_all(&self, points: impl IntoIterator<Item = PendingPoint>) {
        let mut state = self.shared.lock();
        let before = state.pending.len();
        state.pending.extend(points);
        state.enqueued += (state.pending.len() - before) as u64;
        if state.pending.len() >= BATCH_TRIGGER {
            self.shared.wake_writer.notify_one();
        }
    }

    /// Write everything queued so far, on the caller's connection (no hand-off to the
    /// writer thread), wait for a batch the thread may have in flight, and report a failed
    /// write, if any.
    pub fn flush(&self, conn: &mut Connection) -> Result<()> {
        let (batch, target) = {
            let mut state = self.shared.lock();
            (std::mem::take(&mut state.pending), state.enqueued)
        };
        let result = if batch.is_empty() { Ok(()) } else { connection::with_retry(|| write_batch(conn, &batch)) };
        let mut state = self.shared.lock();
        state.written += batch.len() as u64;
        if let Err(error) = result {
            state.error = Some(error.to_string());
        }
        self.shared.batch_done.notify_all();
        while state.written < target {
            state = self.shared.batch_done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        match state.error.take() {
            Some(message) => Err(Error::Internal(format!("writing metrics failed: {message}"))),
            None => Ok(()),
        }
    }
}

impl Drop for MetricWriter {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.wake_writer.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn run_writer(mut conn: Connection, shared: &Shared) {
    let mut state = shared.lock();
    loop {
        let idle = !state.shutdown && state.pending.len() < BATCH_TRIGGER;
        if idle {
            state = shared.wake_writer.wait_timeout(state, FLUSH_INTERVAL).unwrap_or_else(|p| p.into_inner()).0;
        }
        if state.pending.is_empty() {
            if state.shutdown {
                return;
            }
            continue;
        }
        let batch = std::mem::take(&mut state.pending);
        drop(state);
        let result = connection::with_retry(|| write_batch(&mut conn, &batch));
        state = shared.lock();
        state.written += batch.len() as u64;
        if let Err(error) = result {
            state.error = Some(error.to_string());
        }
        shared.batch_done.notify_all();
    }
}

/// Write a batch in one transaction, grouped by series.
pub fn write_batch(conn: &mut Connection, batch: &[PendingPoint]) -> Result<()> {
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&i| batch[i].series_id); // stable: keeps logging order per series
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut start = 0;
    while start < order.len() {
        let series_id = batch[order[start]].series_id;
        let end = start + order[start..].iter().take_while(|&&i| batch[i].series_id == series_id).count();
        let points = order[start..end].iter().map(|&i| &batch[i]);
        let steps: Vec<i64> = points.clone().map(|p| p.step).collect();
        let timestamps: Vec<i64> = points.clone().map(|p| p.timestamp).collect();
        let values: Vec<f64> = points.map(|p| p.value).collect();
        metrics::append(&tx, series_id, &steps, &timestamps, &values)?;
        start = end;
    }
    tx.commit()?;
    Ok(())
}
