//! rtrack: experiment tracking with a Rust core.
//!
//! The crate is the whole product: the Python module (the `rtrack-python` crate beside it)
//! and every other face only convert to and from what is defined here. In an evcxr notebook:
//! `:dep rtrack = { path = "/path/to/rtrack" }`, then use it as below.
//!
//! ```
//! # let folder = tempfile::tempdir().unwrap();
//! # let store = folder.path().to_str().unwrap();
//! use rtrack::{RunOptions, Tracker};
//! use rtrack::store::RunSearch;
//!
//! let tracker = Tracker::open(store)?;                 // a folder: rtrack.db + artifacts/
//! let experiment = tracker.set_experiment("wine-quality")?.experiment_id;
//! for alpha in [0.1, 0.5] {
//!     let run = tracker.start_run(RunOptions::default().experiment(experiment))?;
//!     run.log_param("alpha", alpha)?;
//!     run.log_metric("rmse", 1.0 - alpha, 0)?;
//!     run.log_text("trained with ElasticNet", "notes.txt")?;
//! }                                                     // dropping a run ends it FINISHED
//! let best = tracker.search_runs(&RunSearch {
//!     experiment_ids: vec![experiment],
//!     filter: "metrics.rmse < 0.9".into(),
//!     order_by: vec!["metrics.rmse ASC".into()],
//!     ..Default::default()
//! })?;
//! assert_eq!(best.items.len(), 1);
//! assert_eq!(best.items[0].data.params["alpha"], "0.5");
//! # Ok::<(), rtrack::Error>(())
//! ```

pub mod api;
pub mod artifacts;
#[cfg(feature = "server")]
pub mod cli;
pub mod display;
pub mod downsample;
pub mod entities;
pub mod error;
pub mod ids;
#[cfg(feature = "linfa")]
pub mod linfa;
#[cfg(feature = "metrics")]
pub mod metrics;
pub mod models;
#[cfg(any(feature = "server", feature = "plots"))]
mod plotly_js;
#[cfg(feature = "plots")]
pub mod plots;
#[cfg(any(feature = "server", feature = "remote"))]
mod proto_json;
pub mod search;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod serving;
pub mod store;

pub use api::{ActiveRun, RunOptions, Tracker};
pub use entities::{Experiment, ExperimentId, Metric, MetricSeries, Run, RunData, RunId, RunInfo, RunStatus};
pub use error::{Error, Result};
