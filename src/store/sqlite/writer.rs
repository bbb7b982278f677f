//! The background writer: callers queue metric points and params in memory and return at
//! once; one thread writes them, one transaction per batch.
//!
//! The thread writes a batch when [`FLUSH_INTERVAL`] has passed or [`BATCH_TRIGGER`] points
//! are waiting; [`BackgroundWriter::flush`] (every read calls it) writes what is queued on
//! the caller's own connection. So a process that dies abruptly loses at most the last
//! interval's writes, and a caller always reads its own writes. One batch is written at a
//! time, so batches commit in the order they were taken.
//!
//! A batch the database cannot store (disk full, I/O error, read-only file) goes back to the
//! front of the queue: nothing is dropped, every later flush (and `end_run`, and every read)
//! tries it again and reports the failure until it is stored, and the thread retries it
//! every [`RETRY_PAUSE`]. Only a batch the database refuses for its content (a constraint, which
//! no retry can cure) is dropped, and the next flush reports it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

use super::known_runs::{KnownRuns, LocalSeries};
use super::queued_params::{self, QueuedParams};
use super::{connection, fork, metrics};

/// Longest time a queued write waits before it is written.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(100);
/// Queue length that wakes the writer early.
pub const BATCH_TRIGGER: usize = 100_000;
/// How long the writer thread waits before trying a batch the database could not store again.
pub const RETRY_PAUSE: Duration = Duration::from_secs(1);

/// One queued metric point of a known series.
#[derive(Clone, Copy, Debug)]
pub struct PendingPoint {
    pub series: LocalSeries,
    pub value: f64,
    pub step: i64,
    pub timestamp: i64,
}

/// What one transaction writes: params, then points.
#[derive(Default)]
struct Batch {
    params: Vec<QueuedParams>,
    points: Vec<PendingPoint>,
}

impl Batch {
    fn is_empty(&self) -> bool {
        self.params.is_empty() && self.points.is_empty()
    }

    /// Put this (failed, older) batch back in front of what was queued since.
    fn put_back(mut self, queued: &mut Batch) {
        self.params.append(&mut queued.params);
        self.points.append(&mut queued.points);
        *queued = self;
    }
}

/// Whether a failed batch may succeed later, once the cause (a full disk, a read-only file,
/// an I/O error, a long lock) is gone; such a batch is kept. A batch refused for what it
/// holds fails the same way every time.
fn may_succeed_later(error: &Error) -> bool {
    match error {
        Error::Database(rusqlite::Error::SqliteFailure(e, _)) => !matches!(
            e.code,
            ErrorCode::ConstraintViolation | ErrorCode::TypeMismatch | ErrorCode::TooBig
        ),
        Error::Database(_) => false,
        Error::Io { .. } => true,
        _ => false,
    }
}

/// The error for a batch that failed and stays queued, with what the queue now holds.
fn kept_error(cause: &Error, queued: &Batch) -> Error {
    let params: usize = queued.params.iter().map(|p| p.params.len()).sum();
    let kind = match cause {
        Error::Database(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::DiskFull => {
            std::io::ErrorKind::StorageFull
        }
        _ => std::io::ErrorKind::Other,
    };
    Error::io(
        format!(
            "the store could not write {} queued metric points and {params} params; nothing is \
             dropped: they stay queued, and every flush and end_run tries them again and fails \
             until the cause is fixed (free disk space, say)",
            queued.points.len()
        ),
        std::io::Error::new(kind, cause.to_string()),
    )
}

#[derive(Default)]
struct State {
    queued: Batch,
    /// A batch is being written (by the thread or a flushing caller).
    writing: bool,
    shutdown: bool,
    /// Failures of earlier batches, reported by the next flush.
    errors: Vec<Error>,
    /// When a batch last failed and was put back (cleared by the next stored batch).
    failed_at: Option<Instant>,
    /// The fork generation of the process whose writer thread serves this queue.
    generation: u64,
}

struct Shared {
    state: Mutex<State>,
    /// Which (run, key) each queued point belongs to; shared with the store.
    known_runs: Mutex<KnownRuns>,
    wake_writer: Condvar,
    batch_done: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep going with it.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Wait until no batch is being written.
    fn wait_idle<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        while state.writing {
            state = self.batch_done.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state
    }

    /// Take the queue as the next batch to write, once no other batch is being written.
    fn take_batch<'a>(&'a self, state: MutexGuard<'a, State>) -> (MutexGuard<'a, State>, Batch) {
        let mut state = self.wait_idle(state);
        state.writing = true;
        let batch = std::mem::take(&mut state.queued);
        (state, batch)
    }

    /// Write `batch` in one IMMEDIATE transaction on `conn`, then `then` in the same
    /// transaction. Outer error: the batch failed (the database's fault); unless it can never
    /// succeed, it is put back in front of the queue. Inner error: only `then` failed; it is
    /// rolled back to its savepoint and the batch still commits. Params refused at write time
    /// are kept for the next flush to report.
    fn write<T>(
        &self,
        conn: &mut Connection,
        batch: Batch,
        mut then: impl FnMut(&Connection) -> Result<T>,
    ) -> Result<Result<T>> {
        let written = connection::with_retry(|| {
            let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let refused = queued_params::apply(&tx, &batch.params)?;
            let created = write_points(&tx, &batch.points, &self.known_runs)?;
            // With a batch, `then` runs in a savepoint so its failure leaves the batch to
            // commit; alone, it has the transaction, which is dropped unwritten if it fails.
            let outcome = if batch.is_empty() {
                then(&tx)
            } else {
                let savepoint = tx.savepoint()?;
                let outcome = then(&savepoint);
                if outcome.is_ok() {
                    savepoint.commit()?;
                } // dropping the savepoint rolls it back
                outcome
            };
            let outcome = match outcome {
                Err(error) if connection::is_busy(&error) => return Err(error),
                outcome => outcome,
            };
            if outcome.is_ok() || !batch.is_empty() {
                tx.commit()?;
                record_created(&self.known_runs, &created);
            }
            Ok((outcome, refused))
        });
        if let Ok((_, refused)) = &written {
            // What this process believed about those runs' params was wrong: read them
            // again before the next param is checked. (The known runs are never locked while
            // the state is.)
            let mut known_runs = self.known_runs.lock().unwrap_or_else(|p| p.into_inner());
            for (run_id, _) in refused {
                known_runs.forget_params(run_id);
            }
        }
        let mut state = self.lock();
        state.writing = false;
        self.batch_done.notify_all();
        let (outcome, refused) = match written {
            Ok(written) => written,
            Err(error) if !batch.is_empty() && may_succeed_later(&error) => {
                batch.put_back(&mut state.queued);
                state.failed_at = Some(Instant::now());
                return Err(kept_error(&error, &state.queued));
            }
            Err(error) => return Err(error),
        };
        if !batch.is_empty() {
            state.failed_at = None;
        }
        state.errors.extend(refused.into_iter().map(|(_, error)| error));
        Ok(outcome)
    }
}

/// Owns the writer thread; dropping it writes what is queued and stops the thread.
pub struct BackgroundWriter {
    database: PathBuf,
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl BackgroundWriter {
    /// Start the writer thread with its own connection to `database`.
    pub fn start(database: &Path) -> Result<BackgroundWriter> {
        fork::watch();
        let state = State {
            generation: fork::generation(),
            ..State::default()
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            known_runs: Mutex::default(),
            wake_writer: Condvar::new(),
            batch_done: Condvar::new(),
        });
        let writer = BackgroundWriter {
            database: database.to_path_buf(),
            shared,
            thread: Mutex::new(None),
        };
        let thread = writer.spawn()?;
        *writer.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(thread);
        Ok(writer)
    }

    fn spawn(&self) -> Result<JoinHandle<()>> {
        let conn = connection::open(&self.database)?;
        let thread_shared = Arc::clone(&self.shared);
        std::thread::Builder::new()
            .name("rtrack-writer".into())
            .spawn(move || run_writer(conn, &thread_shared))
            .map_err(|e| Error::io("starting the background writer thread", e))
    }

    /// The queue, made this process's own first when we are a forked child: what is queued
    /// belongs to the parent (which writes it) and the writer thread was not copied, so
    /// start over with an empty queue and a thread of our own.
    fn lock(&self) -> Result<MutexGuard<'_, State>> {
        let mut state = self.shared.lock();
        if state.generation != fork::generation() {
            let mut slot = self.thread.lock().unwrap_or_else(|p| p.into_inner());
            // The new thread waits for the state lock we hold until the queue is reset.
            let thread = self.spawn()?;
            // The parent's thread does not exist here: never join it.
            std::mem::forget(slot.replace(thread));
            state.queued = Batch::default();
            state.writing = false;
            state.errors.clear();
            state.failed_at = None;
            state.generation = fork::generation();
        }
        Ok(state)
    }

    /// Queue one point.
    pub fn push(&self, point: PendingPoint) -> Result<()> {
        let mut state = self.lock()?;
        state.queued.points.push(point);
        if state.queued.points.len() == BATCH_TRIGGER {
            self.shared.wake_writer.notify_one();
        }
        Ok(())
    }

    /// Queue several points at once.
    pub fn push_all(&self, points: impl IntoIterator<Item = PendingPoint>) -> Result<()> {
        let mut state = self.lock()?;
        state.queued.points.extend(points);
        if state.queued.points.len() >= BATCH_TRIGGER {
            self.shared.wake_writer.notify_one();
        }
        Ok(())
    }

    /// Queue params of a run.
    pub fn push_params(&self, params: QueuedParams) -> Result<()> {
        self.lock()?.queued.params.push(params);
        Ok(())
    }

    /// Write everything queued so far, on the caller's connection (no hand-off to the
    /// writer thread), after a batch the thread may have in flight, and report a failed
    /// write, if any.
    pub fn flush(&self, conn: &mut Connection) -> Result<()> {
        let state = self.shared.wait_idle(self.lock()?);
        if state.queued.is_empty() {
            // Nothing queued: no transaction.
            return take_errors(state);
        }
        drop(state);
        self.flush_with(conn, |_| Ok(()))
    }

    /// [`flush`](Self::flush), then `then` in the same transaction, so a write that follows
    /// the flush (such as ending a run) costs no second commit.
    pub fn flush_with<T>(&self, conn: &mut Connection, then: impl FnMut(&Connection) -> Result<T>) -> Result<T> {
        let (state, batch) = self.shared.take_batch(self.lock()?);
        drop(state);
        let outcome = self.shared.write(conn, batch, then)?;
        take_errors(self.shared.lock())?;
        outcome
    }

    /// What this store knows about its runs, shared with the writer thread.
    pub fn known_runs(&self) -> MutexGuard<'_, KnownRuns> {
        self.shared.known_runs.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl BackgroundWriter {
    /// Write what is queued and stop the thread (closing its connection); idempotent.
    pub fn stop(&self) {
        // The state's lock is never held while taking the thread's (see `lock`).
        let take_thread = || self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        {
            let mut state = self.shared.lock();
            if state.generation != fork::generation() {
                drop(state);
                std::mem::forget(take_thread()); // the parent's thread, absent in this forked child
                return;
            }
            state.shutdown = true;
        }
        self.shared.wake_writer.notify_one();
        if let Some(thread) = take_thread() {
            let _ = thread.join();
        }
    }
}

impl Drop for BackgroundWriter {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run_writer(mut conn: Connection, shared: &Shared) {
    let mut state = shared.lock();
    loop {
        // After a failure, wait out the pause (a flush may store the batch meanwhile).
        let pause = state.failed_at.map(|at| RETRY_PAUSE.saturating_sub(at.elapsed()));
        let idle = !state.shutdown && (pause.is_some() || state.queued.points.len() < BATCH_TRIGGER);
        if idle {
            state = shared
                .wake_writer
                .wait_timeout(state, pause.unwrap_or(FLUSH_INTERVAL).max(Duration::from_millis(1)))
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        if state.queued.is_empty() {
            if state.shutdown {
                return;
            }
            continue;
        }
        let retry_later = state.failed_at.is_some_and(|at| at.elapsed() < RETRY_PAUSE);
        if retry_later && !state.shutdown {
            continue;
        }
        let batch;
        (state, batch) = shared.take_batch(state);
        drop(state);
        if let Err(error) = shared.write(&mut conn, batch, |_| Ok(())) {
            state = shared.lock();
            if state.shutdown {
                // The store is going away: nothing is left to try again later, so say so.
                eprintln!("rtrack: queued metric points and params are lost: {error}");
                return;
            }
            if !may_succeed_later(&error) {
                // Dropped (it can never be stored): the next flush reports it. A kept batch
                // is reported by the flushes that try it again.
                state
                    .errors
                    .push(Error::Internal(format!("writing queued changes failed: {error}")));
            }
            continue;
        }
        state = shared.lock();
    }
}

/// Write points inside `tx`, grouped by series, creating the rows of series new to the
/// database. Returns those new rows; record them only once `tx` has committed.
fn write_points(
    tx: &Transaction,
    batch: &[PendingPoint],
    known_runs: &Mutex<KnownRuns>,
) -> Result<Vec<(LocalSeries, i64)>> {
    let mut order: Vec<usize> = (0..batch.len()).collect();
    order.sort_by_key(|&i| batch[i].series); // stable: keeps logging order per series
    let mut created = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let series = batch[order[start]].series;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| batch[i].series == series)
                .count();
        let (known, names) = {
            let known_runs = known_runs.lock().unwrap_or_else(|p| p.into_inner());
            (known_runs.database_id(series), known_runs.names(series))
        };
        let row = match known {
            Some(id) => metrics::SeriesRow {
                id,
                run_id: &names.0,
                key: &names.1,
                empty: false,
            },
            None => {
                let row = metrics::series_row(tx, &names.0, &names.1)?;
                created.push((series, row.id));
                row
            }
        };
        let points = order[start..end].iter().map(|&i| &batch[i]);
        let steps: Vec<i64> = points.clone().map(|p| p.step).collect();
        let timestamps: Vec<i64> = points.clone().map(|p| p.timestamp).collect();
        let values: Vec<f64> = points.map(|p| p.value).collect();
        metrics::append(tx, row, &steps, &timestamps, &values)?;
        start = end;
    }
    Ok(created)
}

/// Report (once) the failures of earlier batches: the first, with a count of the others.
fn take_errors(mut state: MutexGuard<'_, State>) -> Result<()> {
    let mut errors = std::mem::take(&mut state.errors).into_iter();
    match (errors.next(), errors.len()) {
        (None, _) => Ok(()),
        (Some(first), 0) => Err(first),
        (Some(Error::InvalidValue(message)), more) => {
            Err(Error::invalid(format!("{message} (and {more} more refused)")))
        }
        (Some(first), _) => Err(first),
    }
}

fn record_created(known_runs: &Mutex<KnownRuns>, created: &[(LocalSeries, i64)]) {
    let mut known_runs = known_runs.lock().unwrap_or_else(|p| p.into_inner());
    for &(series, id) in created {
        known_runs.set_database_id(series, id);
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
