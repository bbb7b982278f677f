//! The tracking API: [`Tracker`] (operations by id, like `MlflowClient`), [`ActiveRun`]
//! (a run being logged to from Rust) and [`fluent`] (the process-wide "current run" verbs
//! the Python module exposes as `rtrack.start_run`, `rtrack.log_metric`, ...).

pub mod fluent;
mod options;
mod run;
pub mod system;
mod tracker;

pub use options::RunOptions;
pub use run::ActiveRun;
pub use system::Source;
pub use tracker::Tracker;
