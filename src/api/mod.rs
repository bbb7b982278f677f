//! The tracking API: [`Tracker`] (operations by id, like `MlflowClient`, the model registry
//! and logged models included), [`ActiveRun`]
//! (a run being logged to from Rust) and [`fluent`] (the process-wide "current run" verbs
//! the Python module exposes as `rtrack.start_run`, `rtrack.log_metric`, ...).

pub mod fluent;
mod logged_models;
mod model_uri;
mod options;
mod paging;
mod registry;
mod run;
pub mod system;
mod tracker;

pub use model_uri::ModelUri;
pub use options::RunOptions;
pub use paging::MAX_PAGE;
pub use run::ActiveRun;
pub use system::Source;
pub use tracker::Tracker;
