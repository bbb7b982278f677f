//! The background metric writer: callers queue points in memory and return at once; one
//! thread writes them, one transaction per batch.
//!
//! The thread writes a batch when [`FLUSH_INTERVAL`] has passed or [`BATCH_TRIGGER`] points
//! are waiting; [`MetricWriter::flush`] (every read calls it) writes what is queued on the
//! caller's own connection. So a process that dies abruptly loses at most the last
//! interval's points, and a caller always reads its own writes.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

use super::series::{LocalSeries, SeriesRegistry};
use super::{connection, fork, metrics};

/// Longest time a queued point waits before it is written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(100);
/// Queue length that wakes the writer early.
pub const BATCH_TRIGGER: usize = 100_000;

/// One queued metric point of a known series.
#[derive(Clone, Copy, Debug)]
pub struct PendingPoint {
    pub series: LocalSeries,
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
    /// The fork generation of the process whose writer thread serves this queue.
    generation: u64,
}

struct Shared {
    state: Mutex<State>,
    /// Which (run, key) each queued point belongs to; shared with the store.
    registry: Mutex<SeriesRegistry>,
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
    database: PathBuf,
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl MetricWriter {
    /// Start the writer thread with its own connection to `database`.
    pub fn start(database: &Path) -> Result<MetricWriter> {
        fork::watch();
        let state = State { generation: fork::generation(), ..State::default() };
        let shared = Arc::new(Shared { state: Mutex::new(state), registry: Mutex::default(), wake_writer: Condvar::new(), batch_done: Condvar::new() });
        let writer = MetricWriter { database: database.to_path_buf(), shared, thread: Mutex::new(None) };
        let thread = writer.spawn()?;
        *writer.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(thread);
        Ok(writer)
    }

    fn spawn(&self) -> Result<JoinHandle<()>> {
        let conn = connection::open(&self.database)?;
        let thread_shared = Arc::clone(&self.shared);
        std::thread::Builder::new()
            .name("rtrack-metric-writer".into())
            .spawn(move || run_writer(conn, &thread_shared))
            .map_err(|e| Error::io("starting the metric writer thread", e))
    }

    /// The queue, made this process's own first when we are a forked child: the points
    /// queued belong to the parent (which writes them) and the writer thread was not copied,
    /// so start over with an empty queue and a thread of our own.
    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        let mut state = self.shared.lock();
        if state.generation != fork::generation() {
            let mut slot = self.thread.lock().unwrap_or_else(|p| p.into_inner());
            // The new thread waits for the state lock we hold until the queue is reset.
            let thread = self.spawn()?;
            // The parent's thread does not exist here: never join it.
            std::mem::forget(slot.replace(thread));
            state.pending = Vec::new();
            state.written = state.enqueued;
            state.error = None;
            state.generation = fork::generation();
        }
        Ok(state)
    }

    /// Queue one point.
    pub fn push(&self, point: PendingPoint) -> Result<()> {
        let mut state = self.lock()?;
        state.pending.push(point);
        state.enqueued += 1;
        if state.pending.len() == BATCH_TRIGGER {
            self.shared.wake_writer.notify_one();
        }
        Ok(())
    }

    /// Queue several points at once.
    pub fn push_all(&self, points: impl IntoIterator<Item = PendingPoint>) -> Result<()> {
        let mut state = self.lock()?;
        let before = state.pending.len();
        state.pending.extend(points);
        state.enqueued += (state.pending.len() - before) as u64;
        if state.pending.len() >= BATCH_TRIGGER {
            self.shared.wake_writer.notify_one();
        }
        Ok(())
    }

    /// Write everything queued so far, on the caller's connection (no hand-off to the
    /// writer thread), wait for a batch the thread may have in flight, and report a failed
    /// write, if any.
    pub fn flush(&self, conn: &mut Connection) -> Result<()> {
        let state = self.lock()?;
        if !state.pending.is_empty() {
            drop(state);
            return self.flush_with(conn, |_| Ok(()));
        }
        // Nothing queued here: no transaction, just wait for a batch the thread may be writing.
        let target = state.enqueued;
        take_error(self.wait_until_written(state, target))
    }

    /// Wait until the writer thread has written every point queued before `target`.
    fn wait_until_written<'a>(&'a self, mut state: MutexGuard<'a, State>, target: u64) -> MutexGuard<'a, State> {
        while state.written < target {
            state = self.shared.batch_done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state
    }

    /// [`flush`](Self::flush), then `then` in the same transaction, so a write that follows
    /// the flush (such as ending a run) costs no second commit.
    pub fn flush_with<T>(&self, conn: &mut Connection, mut then: impl FnMut(&Connection) -> Result<T>) -> Result<T> {
        let (batch, target) = {
            let mut state = self.lock()?;
            (std::mem::take(&mut state.pending), state.enqueued)
        };
        // Outer error: the batch failed (the database's fault). Inner error: only `then`
        // failed; it is rolled back to its savepoint and the batch still commits.
        let result = connection::with_retry(|| {
            let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let created = write_batch(&tx, &batch, &self.shared.registry)?;
            let outcome = {
                let savepoint = tx.savepoint()?;
                match then(&savepoint) {
                    Ok(value) => savepoint.commit().map(|_| Ok(value))?,
                    Err(error) if connection::is_busy(&error) => return Err(error),
                    Err(error) => Err(error), // dropping the savepoint rolls it back
                }
            };
            tx.commit()?;
            record_created(&self.shared.registry, &created);
            Ok(outcome)
        })
        .and_then(|outcome| outcome);
        let mut state = self.shared.lock();
        state.written += batch.len() as u64;
        self.shared.batch_done.notify_all();
        let state = self.wait_until_written(state, target);
        let value = result?;
        take_error(state)?;
        Ok(value)
    }

    /// The series registry, shared with the writer thread.
    pub fn registry(&self) -> MutexGuard<'_, SeriesRegistry> {
        self.shared.registry.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl Drop for MetricWriter {
    fn drop(&mut self) {
        let thread = self.thread.get_mut().unwrap_or_else(|p| p.into_inner()).take();
        {
            let mut state = self.shared.lock();
            if state.generation != fork::generation() {
                std::mem::forget(thread); // the parent's thread, absent in this forked child
                return;
            }
            state.shutdown = true;
        }
        self.shared.wake_writer.notify_one();
        if let Some(thread) = thread {
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
        let result = connection::with_retry(|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let created = write_batch(&tx, &batch, &shared.registry)?;
            tx.commit()?;
            record_created(&shared.registry, &created);
            Ok(())
        });
        state = shared.lock();
        state.written += batch.len() as u64;
        if let Err(error) = result {
            state.error = Some(error.to_string());
        }
        shared.batch_done.notify_all();
    }
}

/// Write a batch inside `tx`, grouped by series, creating the rows of series new to the
/// database. Returns those new rows; record them only once `tx` has committed.
fn write_batch(tx: &Transaction, batch: &[PendingPoint], registry: &Mutex<SeriesRegistry>) -> Result<Vec<(LocalSeries, i64)>> {
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&i| batch[i].series); // stable: keeps logging order per series
    let mut created = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let series = batch[order[start]].series;
        let end = start + order[start..].iter().take_while(|&&i| batch[i].series == series).count();
        let (known, names) = {
            let registry = registry.lock().unwrap_or_else(|p| p.into_inner());
            (registry.database_id(series), registry.names(series))
        };
        let series_id = match known {
            Some(id) => id,
            None => {
                let id = metrics::series_id(tx, &names.0, &names.1)?;
                created.push((series, id));
                id
            }
        };
        let points = order[start..end].iter().map(|&i| &batch[i]);
        let steps: Vec<i64> = points.clone().map(|p| p.step).collect();
        let timestamps: Vec<i64> = points.clone().map(|p| p.timestamp).collect();
        let values: Vec<f64> = points.map(|p| p.value).collect();
        metrics::append(tx, series_id, &steps, &timestamps, &values)?;
        start = end;
    }
    Ok(created)
}

/// Report (once) a failure of an earlier batch.
fn take_error(mut state: MutexGuard<'_, State>) -> Result<()> {
    match state.error.take() {
        Some(message) => Err(Error::Internal(format!("writing metrics failed: {message}"))),
        None => Ok(()),
    }
}

fn record_created(registry: &Mutex<SeriesRegistry>, created: &[(LocalSeries, i64)]) {
    let mut registry = registry.lock().unwrap_or_else(|p| p.into_inner());
    for &(series, id) in created {
        registry.set_database_id(series, id);
    }
}
