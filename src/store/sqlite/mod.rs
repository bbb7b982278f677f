//! The embedded store: one SQLite file in WAL mode; params and metrics written by a
//! background thread.
//!
//! Several threads and processes may use one store at once: each process has one
//! connection for synchronous work and one for its background writer, and SQLite's WAL mode
//! with a busy timeout and retries keeps writers from failing on each other's locks.

mod checkpoint;
mod chunk;
pub mod connection;
pub mod durability;
mod experiments;
mod fork;
mod jsonb;
mod known_runs;
mod logged_models;
mod metrics;
mod names;
mod queued_params;
mod readers;
mod registry;
mod run_io;
mod runs;
pub mod schema;
mod search;
mod summary;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::entities::{
    validate_metric_key, Experiment, ExperimentId, LifecycleStage, MetricSeries, Page, Run, RunInfo,
};
use crate::error::{Error, IoContext, Result};
use crate::store::{ExperimentSearch, LoggedModelStore, NewRun, RegistryStore, RunSearch, RunUpdate, TrackingStore};
use known_runs::LocalSeries;
use queued_params::QueuedParams;
use writer::{BackgroundWriter, PendingPoint};

/// Chunks a history page reads per connection: a few hundred kB of points at a time.
const HISTORY_BATCH_CHUNKS: usize = 8;

pub use durability::{Durability, DURABILITY_ENV};
pub use experiments::DEFAULT_EXPERIMENT_NAME;
pub use writer::RETRY_PAUSE;

/// The embedded SQLite store.
pub struct SqliteStore {
    uri: String,
    database: PathBuf,
    artifact_root_uri: String,
    conn: Mutex<Connection>,
    /// The fork generation `conn` was opened in (see [`fork`]).
    conn_generation: std::sync::atomic::AtomicU64,
    /// The background writer, which also knows every series this store logs to and the
    /// params of the runs it logs params to.
    writer: BackgroundWriter,
    /// Connections for reads, so a long one does not hold `conn`'s lock.
    readers: readers::Readers,
}

impl SqliteStore {
    /// Open (creating if needed) the store with this database file and artifact folder.
    pub fn open(uri: &str, database: &Path, artifact_root: &Path) -> Result<SqliteStore> {
        if let Some(folder) = database.parent() {
            std::fs::create_dir_all(folder).context(|| format!("creating the store folder {}", folder.display()))?;
        }
        std::fs::create_dir_all(artifact_root)
            .context(|| format!("creating the artifact folder {}", artifact_root.display()))?;
        let artifact_root_uri = crate::artifacts::path_to_file_uri(artifact_root);
        // Writes killed half way leave temporary files; remove those of writers that are gone.
        crate::artifacts::spawn_stale_temp_cleanup(artifact_root);
        fork::watch();
        let generation = fork::generation();
        let mut conn = connection::open(database)?;
        connection::with_retry(|| schema::migrate(&mut conn, |tx| experiments::seed_default(tx, &artifact_root_uri)))?;
        let writer = BackgroundWriter::start(database)?;
        checkpoint::opened(database);
        Ok(SqliteStore {
            uri: uri.to_string(),
            database: database.to_path_buf(),
            artifact_root_uri,
            conn: Mutex::new(conn),
            conn_generation: std::sync::atomic::AtomicU64::new(generation),
            writer,
            readers: readers::Readers::new(database),
        })
    }

    /// The database file.
    pub fn database_path(&self) -> &Path {
        &self.database
    }

    /// The durability the store's connection writes with, read back from SQLite
    /// (`PRAGMA synchronous`); see [`Durability`].
    pub fn durability(&self) -> Result<Durability> {
        let level: i64 = self.conn()?.query_row("PRAGMA synchronous", [], |row| row.get(0))?;
        Ok(Durability::of_synchronous(level))
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        use std::sync::atomic::Ordering::Relaxed;
        let mut conn = self.conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if self.conn_generation.load(Relaxed) != fork::generation() {
            // A forked child: SQLite connections must not cross a fork. Open our own and leave
            // the parent's untouched (closing it here could disturb the parent's locks).
            let fresh = connection::open(&self.database)?;
            std::mem::forget(std::mem::replace(&mut *conn, fresh));
            self.conn_generation.store(fork::generation(), Relaxed);
        }
        Ok(conn)
    }

    /// Flush queued metrics, then run a read on a reader connection: the writing
    /// connection's lock is held for the flush only, not for the query.
    fn read<T>(&self, query: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        self.writer.flush(&mut *self.conn()?)?;
        query(&*self.reader()?)
    }

    /// A connection for a read that needs nothing flushed first.
    fn reader(&self) -> Result<readers::Reader<'_>> {
        self.readers.get()
    }

    /// Run a write, retrying while another writer holds the database.
    fn write<T>(&self, mut change: impl FnMut(&Connection) -> Result<T>) -> Result<T> {
        let conn = self.conn()?;
        connection::with_retry(|| change(&conn))
    }

    /// Run a write in one IMMEDIATE transaction: its checks see what its writes change, and
    /// an error on the way leaves the database as it was.
    fn write_all<T>(&self, mut change: impl FnMut(&Connection) -> Result<T>) -> Result<T> {
        self.write(|conn| {
            let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
            let result = change(&tx)?;
            tx.commit()?;
            Ok(result)
        })
    }

    /// The local series for (run, key). The key is checked the first time it is seen, and
    /// the run once (runs this store created are known to be there), so logging a known
    /// metric touches no SQL; the series' row is created with its first batch.
    fn series(&self, run_id: &str, key: &str) -> Result<LocalSeries> {
        let run_known = {
            let known_runs = self.writer.known_runs();
            if let Some(local) = known_runs.lookup(run_id, key) {
                return Ok(local);
            }
            known_runs.is_known_active(run_id)
        };
        validate_metric_key(key)?;
        if !run_known {
            self.write(|conn| runs::require_active(conn, run_id))?;
        }
        let mut known_runs = self.writer.known_runs();
        known_runs.mark_active(run_id);
        Ok(known_runs.register(run_id, key))
    }
}

/// Closing the process's last store on a database folds the write-ahead log back into it.
impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.writer.stop(); // writes what is queued and closes the writer's connection
        if *self.conn_generation.get_mut() == fork::generation() {
            let conn = self.conn.get_mut().unwrap_or_else(|p| p.into_inner());
            checkpoint::closing(&self.database, conn);
        }
    }
}

impl TrackingStore for SqliteStore {
    fn uri(&self) -> &str {
        &self.uri
    }

    fn default_artifact_root(&self) -> &str {
        &self.artifact_root_uri
    }

    fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<ExperimentId> {
        self.write(|conn| experiments::create(conn, name, artifact_location, tags, &self.artifact_root_uri))
    }

    fn get_experiment(&self, id: ExperimentId) -> Result<Experiment> {
        experiments::get(&*self.reader()?, id)
    }

    fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        experiments::get_by_name(&*self.reader()?, name)
    }

    fn search_experiments(&self, search: &ExperimentSearch) -> Result<Page<Experiment>> {
        search::experiments(&*self.reader()?, search)
    }

    fn rename_experiment(&self, id: ExperimentId, new_name: &str) -> Result<()> {
        self.write(|conn| experiments::rename(conn, id, new_name))
    }

    fn delete_experiment(&self, id: ExperimentId) -> Result<()> {
        self.write(|conn| experiments::set_lifecycle(conn, id, LifecycleStage::Deleted))?;
        self.writer.known_runs().forget_all_runs();
        Ok(())
    }

    fn restore_experiment(&self, id: ExperimentId) -> Result<()> {
        self.write(|conn| experiments::set_lifecycle(conn, id, LifecycleStage::Active))
    }

    fn set_experiment_tag(&self, id: ExperimentId, key: &str, value: &str) -> Result<()> {
        self.write(|conn| experiments::set_tag(conn, id, key, value))
    }

    fn delete_experiment_tag(&self, id: ExperimentId, key: &str) -> Result<()> {
        self.write(|conn| experiments::delete_tag(conn, id, key))
    }

    /// The new run is written at once, so every process sees it when this returns; what
    /// is queued goes in the same transaction.
    fn create_run(&self, run: NewRun) -> Result<Run> {
        let mut conn = self.conn()?;
        let (run, row) = runs::prepare_create(&conn, run)?;
        self.writer.flush_with(&mut conn, |tx| runs::insert(tx, &row))?;
        let mut known_runs = self.writer.known_runs();
        known_runs.mark_active(&run.info.run_id);
        known_runs.set_known_params(&run.info.run_id, Default::default());
        Ok(run)
    }

    fn get_run(&self, run_id: &str) -> Result<Run> {
        self.read(|conn| runs::get(conn, run_id))
    }

    /// Queued metrics are written first, in the same transaction: ending a run makes its
    /// metrics durable for the price of one commit.
    fn update_run(&self, run_id: &str, update: RunUpdate) -> Result<RunInfo> {
        let mut conn = self.conn()?;
        let ended = update.status.is_some_and(|status| status.is_terminated());
        let info = self
            .writer
            .flush_with(&mut conn, |tx| runs::update(tx, run_id, update.clone()))?;
        if ended {
            // Its params are read again if more are logged; no need to keep them.
            self.writer.known_runs().forget_params(run_id);
        }
        Ok(info)
    }

    fn delete_run(&self, run_id: &str) -> Result<()> {
        self.write(|conn| runs::set_lifecycle(conn, run_id, LifecycleStage::Deleted))?;
        self.writer.known_runs().forget_run(run_id);
        Ok(())
    }

    fn restore_run(&self, run_id: &str) -> Result<()> {
        self.write(|conn| runs::set_lifecycle(conn, run_id, LifecycleStage::Active))
    }

    fn search_runs(&self, search: &RunSearch) -> Result<Page<Run>> {
        self.read(|conn| search::runs(conn, search))
    }

    fn search_run_table(
        &self,
        search: &RunSearch,
        table: &mut crate::entities::RunTableBuilder,
    ) -> Result<Option<String>> {
        self.read(|conn| search::run_table(conn, search, table))
    }

    fn experiment_activity(&self, ids: &[ExperimentId]) -> Result<Vec<crate::store::ExperimentActivity>> {
        self.read(|conn| experiments::activity(conn, ids))
    }

    /// Params are checked against the run's params this store knows (read once per run)
    /// and queued; the background writer writes them.
    fn log_params(&self, run_id: &str, params: &[(String, String)]) -> Result<()> {
        let distinct = runs::check_params(params)?;
        loop {
            let mut known_runs = self.writer.known_runs();
            let Some(known) = known_runs.known_params(run_id) else {
                drop(known_runs);
                let stored = self.read(|conn| {
                    runs::require_active(conn, run_id)?;
                    summary::params_of(conn, run_id)
                })?;
                let mut known_runs = self.writer.known_runs();
                known_runs.mark_active(run_id);
                if known_runs.known_params(run_id).is_none() {
                    known_runs.set_known_params(run_id, stored.into_iter().collect());
                }
                continue;
            };
            let (added, changed) = queued_params::split_new_and_changed(run_id, distinct.iter().copied(), |key| {
                known.get(key).map(String::as_str)
            });
            if let Some(error) = changed.into_iter().next() {
                return Err(error);
            }
            if added.is_empty() {
                return Ok(());
            }
            known_runs.add_known_params(run_id, added.iter().copied());
            drop(known_runs);
            let params = added.into_iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            return self.writer.push_params(QueuedParams {
                run_id: run_id.to_string(),
                params,
            });
        }
    }

    fn set_tags(&self, run_id: &str, tags: &[(String, String)]) -> Result<()> {
        self.write(|conn| runs::set_tags(conn, run_id, tags))
    }

    fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        self.write(|conn| runs::delete_tag(conn, run_id, key))
    }

    fn log_metric(&self, run_id: &str, key: &str, value: f64, step: i64, timestamp: i64) -> Result<()> {
        let series = self.series(run_id, key)?;
        self.writer.push(PendingPoint {
            series,
            value,
            step,
            timestamp,
        })
    }

    fn log_metrics(&self, run_id: &str, metrics: &[crate::entities::Metric]) -> Result<()> {
        // Resolve every key first, so a bad key queues nothing of the batch.
        let points = metrics
            .iter()
            .map(|m| {
                Ok(PendingPoint {
                    series: self.series(run_id, &m.key)?,
                    value: m.value,
                    step: m.step,
                    timestamp: m.timestamp,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        self.writer.push_all(points)
    }

    fn log_metric_series(&self, run_id: &str, key: &str, series: &MetricSeries) -> Result<()> {
        let n = series.values.len();
        if series.steps.len() != n || series.timestamps.len() != n {
            return Err(Error::invalid(format!(
                "Metric series '{key}': {n} values but {} steps and {} timestamps; all three must have the same length",
                series.steps.len(),
                series.timestamps.len()
            )));
        }
        self.series(run_id, key)?; // checks the key and the run
        let mut conn = self.conn()?;
        connection::with_retry(|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let row = metrics::series_row(&tx, run_id, key)?;
            metrics::append(&tx, row, &series.steps, &series.timestamps, &series.values)?;
            tx.commit()?;
            Ok(())
        })
    }

    fn get_metric_series(&self, run_id: &str, key: &str) -> Result<MetricSeries> {
        self.read(|conn| {
            runs::get_info(conn, run_id)?;
            metrics::read(conn, run_id, key)
        })
    }

    fn get_metric_points_since(&self, run_id: &str, key: &str, offset: usize) -> Result<MetricSeries> {
        self.read(|conn| {
            runs::get_info(conn, run_id)?;
            metrics::read_since(conn, run_id, key, offset)
        })
    }

    fn visit_metric_history(
        &self,
        run_id: &str,
        key: &str,
        offset: usize,
        limit: usize,
        visit: &mut dyn FnMut(&MetricSeries) -> Result<()>,
    ) -> Result<usize> {
        let shape = self.read(|conn| {
            runs::get_info(conn, run_id)?;
            metrics::shape(conn, run_id, key)
        })?;
        let Some(shape) = shape else { return Ok(0) };
        let end = offset.saturating_add(limit).min(shape.point_count);
        if offset >= end {
            return Ok(shape.point_count);
        }
        if !shape.ordered {
            // Logged out of step order: the page needs the whole history sorted.
            let series = metrics::read(&*self.reader()?, run_id, key)?;
            let end = end.min(series.len());
            for start in (offset..end).step_by(metrics::CHUNK_CAPACITY) {
                visit(&series.slice(start..(start + metrics::CHUNK_CAPACITY).min(end)))?;
            }
            return Ok(shape.point_count);
        }
        let Some((mut seq, mut skip)) = metrics::locate(&*self.reader()?, shape.id, offset)? else {
            return Ok(shape.point_count);
        };
        let mut remaining = end - offset;
        while remaining > 0 {
            // A connection per batch of chunks: `visit` may wait on a slow client, and
            // holding a read open that long would keep the write-ahead log from shrinking.
            let mut slice = MetricSeries::default();
            let next = metrics::read_chunks(&*self.reader()?, shape.id, seq, HISTORY_BATCH_CHUNKS, &mut slice)?;
            slice.skip_front(skip);
            slice.truncate(remaining);
            skip = 0;
            remaining -= slice.len();
            if !slice.is_empty() {
                visit(&slice)?;
            }
            match next {
                Some(after) => seq = after,
                None => break,
            }
        }
        Ok(shape.point_count)
    }

    fn flush(&self) -> Result<()> {
        self.writer.flush(&mut *self.conn()?)
    }

    fn registry(&self) -> Option<&dyn RegistryStore> {
        Some(self)
    }

    fn logged_models(&self) -> Option<&dyn LoggedModelStore> {
        Some(self)
    }

    fn run_io(&self) -> Option<&dyn crate::store::RunIoStore> {
        Some(self)
    }
}
