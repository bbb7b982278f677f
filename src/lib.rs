//! rtrack: experiment tracking with a Rust core.
//!
//! The crate is the whole product: the Python module (`feature = "python"`) and every
//! other face only convert to and from what is defined here.

pub mod api;
pub mod artifacts;
pub mod entities;
pub mod error;
pub mod ids;
#[cfg(feature = "python")]
mod python;
pub mod search;
pub mod store;

pub use api::{ActiveRun, RunOptions, Tracker};
pub use entities::{Experiment, ExperimentId, Metric, MetricSeries, Run, RunData, RunId, RunInfo, RunStatus};
pub use error::{Error, Result};
