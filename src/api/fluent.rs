//! The process-wide tracking context behind `rtrack.start_run()`, `rtrack.log_metric()`...:
//! the tracking URI, the active experiment, and the stack of active (nested) runs.
//!
//! Logging with no active run starts one, as MLflow does.
//!
//! ```
//! use rtrack::api::fluent::{self, StartRun};
//! use rtrack::RunStatus;
//!
//! # let dir = tempfile::tempdir().unwrap();
//! fluent::set_tracking_uri(Some(dir.path().to_str().unwrap()))?; // else RTRACK_TRACKING_URI, else ./rtruns
//! fluent::set_experiment(Some("wine-quality"), None)?;
//!
//! let parent = fluent::start_run(StartRun { run_name: Some("sweep".into()), ..Default::default() })?;
//! for alpha in [0.1, 0.5] {
//!     fluent::start_run(StartRun { run_name: Some(format!("alpha-{alpha}")), nested: true, ..Default::default() })?;
//!     for epoch in 0..10 {
//!         fluent::log_metric("loss", alpha / (epoch as f64 + 1.0), Some(epoch), None)?;
//!     }
//!     fluent::end_run(RunStatus::Finished)?; // ends the innermost run
//! }
//! fluent::end_run(RunStatus::Finished)?;
//!
//! let last = fluent::last_active_run_id().unwrap();
//! assert_eq!(last, parent.info.run_id);
//! let run = fluent::tracker()?.get_run(&last)?;
//! assert_eq!(run.info.status, RunStatus::Finished);
//! # Ok::<(), rtrack::Error>(())
//! ```

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::entities::{now_millis, Experiment, ExperimentId, Run, RunStatus};
use crate::error::{Error, Result};
use crate::store::location::{StoreLocation, DEFAULT_STORE_DIR};

use super::options::RunOptions;
use super::system::Source;
use super::tracker::Tracker;

/// Environment variable naming the tracking URI.
pub const TRACKING_URI_ENV: &str = "RTRACK_TRACKING_URI";
/// Environment variables choosing the experiment when none is set in code.
pub const EXPERIMENT_NAME_ENV: &str = "RTRACK_EXPERIMENT_NAME";
pub const EXPERIMENT_ID_ENV: &str = "RTRACK_EXPERIMENT_ID";
/// Environment variable naming a run for the first `start_run()` to resume.
pub const RUN_ID_ENV: &str = "RTRACK_RUN_ID";

/// A setting from the environment: the `RTRACK_` variable, else MLflow's variable of the same
/// name (`MLFLOW_TRACKING_URI` for `RTRACK_TRACKING_URI`), so MLflow scripts and their
/// launchers work unchanged. Blank values count as unset.
pub fn env_setting(rtrack_name: &str) -> Option<String> {
    let read = |name: &str| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
    read(rtrack_name).or_else(|| read(&rtrack_name.replacen("RTRACK_", "MLFLOW_", 1)))
}

#[derive(Default)]
struct Context {
    tracking_uri: Option<String>,
    experiment_id: Option<ExperimentId>,
    /// Active runs, innermost last, each with the store it was started in.
    run_stack: Vec<(String, Tracker)>,
    last_active_run_id: Option<String>,
    source: Option<Source>,
}

fn context() -> MutexGuard<'static, Context> {
    static CONTEXT: OnceLock<Mutex<Context>> = OnceLock::new();
    CONTEXT
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

fn open_trackers() -> MutexGuard<'static, HashMap<String, Tracker>> {
    static OPEN: OnceLock<Mutex<HashMap<String, Tracker>>> = OnceLock::new();
    OPEN.get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// One open store per database per process, shared by the fluent API and every client.
pub fn tracker_for(uri: &str) -> Result<Tracker> {
    let key = match StoreLocation::parse(uri)? {
        StoreLocation::Sqlite { database, .. } => database.to_string_lossy().into_owned(),
        #[cfg(feature = "remote")]
        StoreLocation::Rest { base_url } => base_url,
    };
    let mut open = open_trackers();
    if let Some(tracker) = open.get(&key) {
        return Ok(tracker.clone());
    }
    let tracker = Tracker::open(uri)?;
    open.insert(key, tracker.clone());
    Ok(tracker)
}

/// Make every store opened in this process durable.
pub fn flush_all() -> Result<()> {
    let trackers: Vec<Tracker> = open_trackers().values().cloned().collect();
    trackers.iter().try_for_each(Tracker::flush)
}

/// Set the tracking URI for this process (`None` goes back to the environment/default).
/// The URI is checked now, so a typo fails here rather than at the first log.
///
/// ```
/// use rtrack::api::fluent;
///
/// # let dir = tempfile::tempdir().unwrap();
/// let folder = dir.path().join("mlruns");
/// fluent::set_tracking_uri(Some(folder.to_str().unwrap()))?; // a store folder: rtrack.db + artifacts/
/// assert_eq!(fluent::get_tracking_uri(), folder.to_str().unwrap());
/// let sqlite = format!("sqlite:///{}", dir.path().join("m.db").display()); // or one database file
/// fluent::set_tracking_uri(Some(&sqlite))?;
/// assert!(fluent::set_tracking_uri(Some("ftp://example.com")).is_err());
/// assert_eq!(fluent::get_tracking_uri(), sqlite, "a refused URI changes nothing");
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn set_tracking_uri(uri: Option<&str>) -> Result<()> {
    if let Some(uri) = uri {
        StoreLocation::parse(uri)?;
    }
    context().tracking_uri = uri.map(str::to_string);
    Ok(())
}

/// The tracking URI in force: set in code, else `RTRACK_TRACKING_URI` (or
/// `MLFLOW_TRACKING_URI`), else `./rtruns`.
pub fn get_tracking_uri() -> String {
    let explicit = context().tracking_uri.clone();
    explicit.or_else(|| env_setting(TRACKING_URI_ENV)).unwrap_or_else(|| {
        std::env::current_dir()
            .map(|d| d.join(DEFAULT_STORE_DIR).to_string_lossy().into_owned())
            .unwrap_or_else(|_| DEFAULT_STORE_DIR.into())
    })
}

/// Whether a tracking URI was set in code or by the environment (rather than the default).
pub fn is_tracking_uri_set() -> bool {
    context().tracking_uri.is_some() || env_setting(TRACKING_URI_ENV).is_some()
}

/// The tracker for the tracking URI in force.
pub fn tracker() -> Result<Tracker> {
    tracker_for(&get_tracking_uri())
}

/// Where runs started from now on say they come from.
pub fn set_source(source: Source) {
    context().source = Some(source);
}

/// Who runs started from now on belong to (`mlflow.user`).
pub fn set_user(name: String) {
    super::system::set_current_user(name);
}

/// Make an experiment the active one, by name (created if missing) or by id.
pub fn set_experiment(name: Option<&str>, experiment_id: Option<ExperimentId>) -> Result<Experiment> {
    let tracker = tracker()?;
    let experiment = match (name, experiment_id) {
        (Some(name), None) => tracker.set_experiment(name)?,
        (None, Some(id)) => {
            let experiment = tracker.get_experiment(id)?;
            if experiment.lifecycle_stage != crate::entities::LifecycleStage::Active {
                return Err(Error::invalid(format!(
                    "Cannot use experiment '{}' (id {id}): it is deleted",
                    experiment.name
                )));
            }
            experiment
        }
        _ => return Err(Error::invalid("Give exactly one of experiment_name and experiment_id")),
    };
    context().experiment_id = Some(experiment.experiment_id);
    Ok(experiment)
}

/// The experiment new runs go to: the active one, else the environment's, else Default.
pub fn current_experiment_id(tracker: &Tracker) -> Result<ExperimentId> {
    if let Some(id) = context().experiment_id {
        return Ok(id);
    }
    if let Some(name) = env_setting(EXPERIMENT_NAME_ENV) {
        return Ok(tracker.set_experiment(&name)?.experiment_id);
    }
    if let Some(id) = env_setting(EXPERIMENT_ID_ENV) {
        return ExperimentId::parse(&id);
    }
    Ok(ExperimentId::DEFAULT)
}

/// Arguments of [`start_run`], mirroring `mlflow.start_run`.
#[derive(Clone, Debug, Default)]
pub struct StartRun {
    pub run_id: Option<String>,
    pub experiment_id: Option<ExperimentId>,
    pub run_name: Option<String>,
    pub nested: bool,
    pub tags: Vec<(String, String)>,
    pub description: Option<String>,
}

/// Start a new run (or resume `run_id`) and make it the active run. Only a `nested` run may
/// start while another is active; it gets the active run as its parent.
///
/// ```
/// use rtrack::api::fluent::{self, StartRun};
/// use rtrack::entities::tags;
/// use rtrack::RunStatus;
///
/// # let dir = tempfile::tempdir().unwrap();
/// # fluent::set_tracking_uri(Some(dir.path().to_str().unwrap()))?;
/// let outer = fluent::start_run(StartRun {
///     run_name: Some("outer".into()),
///     tags: vec![("team".into(), "vision".into())],
///     description: Some("Grid search over alpha".into()),
///     ..Default::default()
/// })?;
/// assert!(fluent::start_run(StartRun::default()).is_err(), "one top-level run at a time");
/// let inner = fluent::start_run(StartRun { nested: true, ..Default::default() })?;
/// assert_eq!(inner.data.tags[tags::PARENT_RUN_ID], outer.info.run_id);
/// fluent::end_all_runs(RunStatus::Finished)?;
///
/// // Resume the finished run by id: it is RUNNING again until ended.
/// let resumed = fluent::start_run(StartRun { run_id: Some(outer.info.run_id.clone()), ..Default::default() })?;
/// assert_eq!((resumed.info.status, resumed.info.end_time), (RunStatus::Running, None));
/// fluent::end_run(RunStatus::Killed)?;
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn start_run(args: StartRun) -> Result<Run> {
    let tracker = tracker()?;
    let (parent, source) = {
        let ctx = context();
        if let (Some((active, _)), false) = (ctx.run_stack.last(), args.nested) {
            return Err(Error::invalid(format!(
                "Run '{active}' is already active. End it with end_run() first, or start a nested run with nested=True"
            )));
        }
        (ctx.run_stack.last().map(|(id, _)| id.clone()), ctx.source.clone())
    };
    // As MLflow does, a top-level run started without an id resumes the environment's run.
    let run_id = match (&args.run_id, &parent) {
        (None, None) => env_setting(RUN_ID_ENV),
        (given, _) => given.clone(),
    };
    let run = match &run_id {
        Some(run_id) => {
            let existing = tracker.get_run(run_id)?;
            if let Some(expected) = args.experiment_id {
                if existing.info.experiment_id != expected {
                    return Err(Error::invalid(format!(
                        "Cannot resume run '{run_id}' in experiment {expected}: it belongs to experiment {}",
                        existing.info.experiment_id
                    )));
                }
            }
            tracker.resume_run(run_id)?.detach();
            if !args.tags.is_empty() {
                tracker.set_tags(run_id, &args.tags)?;
            }
            tracker.get_run(run_id)?
        }
        None => {
            let experiment_id = match args.experiment_id {
                Some(id) => id,
                None => current_experiment_id(&tracker)?,
            };
            tracker.create_run(RunOptions {
                experiment_id: Some(experiment_id),
                run_name: args.run_name.clone(),
                tags: args.tags.clone(),
                description: args.description.clone(),
                parent_run_id: if args.nested { parent } else { None },
                start_time: None,
                source,
            })?
        }
    };
    context().run_stack.push((run.info.run_id.clone(), tracker));
    Ok(run)
}

/// End the active run (no-op when there is none). A run that cannot be ended (its points
/// cannot be written: a full disk, a server that is down) stays active, so the next
/// `end_run` tries again and says so again.
pub fn end_run(status: RunStatus) -> Result<()> {
    let (run_id, tracker) = {
        let mut ctx = context();
        let Some((run_id, tracker)) = ctx.run_stack.pop() else {
            return Ok(());
        };
        ctx.last_active_run_id = Some(run_id.clone());
        (run_id, tracker)
    };
    match tracker.set_terminated(&run_id, status, Some(now_millis())) {
        Ok(()) => Ok(()),
        // A run deleted or refused meanwhile can never end: it leaves the stack all the same.
        Err(error @ (Error::NotFound(_) | Error::InvalidValue(_))) => Err(error),
        Err(error) => {
            context().run_stack.push((run_id, tracker));
            Err(error)
        }
    }
}

/// End `run_id` if it is active, first ending any runs nested inside it.
pub fn end_run_by_id(run_id: &str, status: RunStatus) -> Result<()> {
    if !context().run_stack.iter().any(|(id, _)| id == run_id) {
        return Ok(());
    }
    while let Some(top) = active_run_id() {
        end_run(status)?;
        if top == run_id {
            break;
        }
    }
    Ok(())
}

/// End every active run (innermost first) and flush: what happens at interpreter exit.
pub fn end_all_runs(status: RunStatus) -> Result<()> {
    while active_run_id().is_some() {
        end_run(status)?;
    }
    flush_all()
}

pub fn active_run_id() -> Option<String> {
    context().run_stack.last().map(|(id, _)| id.clone())
}

/// The run most recently ended in this process, or the active one.
pub fn last_active_run_id() -> Option<String> {
    let ctx = context();
    ctx.run_stack
        .last()
        .map(|(id, _)| id.clone())
        .or_else(|| ctx.last_active_run_id.clone())
}

/// The active run and its store, starting a run if none is active (MLflow's behaviour
/// for `log_*` without a run).
pub fn active_or_new_run() -> Result<(String, Tracker)> {
    if let Some(active) = context().run_stack.last().cloned() {
        return Ok(active);
    }
    let run = start_run(StartRun::default())?;
    let started = context().run_stack.last().map(|(_, t)| t.clone());
    let tracker = match started {
        Some(tracker) => tracker,
        None => tracker()?,
    };
    Ok((run.info.run_id, tracker))
}

/// Log one metric point to the active run. The hot path: one lock here, and no SQL or
/// allocation in the store once the key is known. `step` defaults to 0 and `timestamp`
/// (milliseconds since the epoch) to now; with no active run, one is started.
///
/// ```
/// use rtrack::api::fluent;
///
/// # let dir = tempfile::tempdir().unwrap();
/// # fluent::set_tracking_uri(Some(dir.path().to_str().unwrap()))?;
/// fluent::log_metric("accuracy", 0.91, Some(1), None)?; // starts a run in the active experiment
/// fluent::log_metric("accuracy", f64::NAN, Some(2), Some(1_700_000_000_000))?; // NaN is kept
/// let run_id = fluent::active_run_id().unwrap();
/// let history = fluent::tracker()?.get_metric_history(&run_id, "accuracy")?;
/// assert_eq!(history.len(), 2);
/// assert!(history[1].value.is_nan());
/// fluent::end_all_runs(rtrack::RunStatus::Finished)?;
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn log_metric(key: &str, value: f64, step: Option<i64>, timestamp: Option<i64>) -> Result<()> {
    let timestamp = timestamp.unwrap_or_else(now_millis);
    {
        let ctx = context();
        if let Some((run_id, tracker)) = ctx.run_stack.last() {
            return tracker
                .store()
                .log_metric(run_id, key, value, step.unwrap_or(0), timestamp);
        }
    }
    let (run_id, tracker) = active_or_new_run()?;
    tracker
        .store()
        .log_metric(&run_id, key, value, step.unwrap_or(0), timestamp)
}
