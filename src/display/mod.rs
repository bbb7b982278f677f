//! Notebook views: runs, experiments, metric histories, live charts and the run-summary
//! dashboard as self-contained HTML (a scoped style sheet, inline SVG charts, no
//! JavaScript), so they look the same live, in a saved notebook, in Colab and on GitHub.
//! Every string a user supplied is escaped.
//!
//! Python gets these as `_repr_html_`; in an evcxr notebook the values show themselves
//! through their `evcxr_display` method:
//!
//! ```
//! # use rtrack::{RunOptions, Tracker};
//! # let dir = tempfile::tempdir().unwrap();
//! # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
//! use rtrack::display::Summary;
//!
//! let run = tracker.start_run(RunOptions::default().name("baseline"))?;
//! run.log_metric("loss", 0.25, 1)?;
//! let stored = tracker.get_run(run.id())?;
//! stored.evcxr_display();                               // a cell ending in `stored` does this
//! let summary = Summary::collect(&tracker, None)?;      // every experiment, or Some("name")
//! assert!(summary.to_html().contains("baseline"));
//! # Ok::<(), rtrack::Error>(())
//! ```

mod cells;
mod dashboard;
mod entities;
mod evcxr;
pub mod format;
mod history;
pub mod html;
mod live;
mod style;
mod summary;
pub mod svg;

pub use cells::Columns;
pub use entities::{experiment_html, experiments_html, run_html, runs_html};
pub use evcxr::ToHtml;
pub use history::MetricHistory;
pub use live::LiveChart;
pub use summary::{best_index, lower_is_better, ExperimentSummary, RunRow, Summary};
