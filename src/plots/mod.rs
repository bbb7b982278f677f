//! Charts for notebooks and run artifacts, built in Rust as [`plotly::Plot`]s (feature
//! `plots`): the numbers behind them (confusion counts, ROC and precision-recall points) come
//! from [`crate::metrics`], so a chart and a report never disagree.
//!
//! In an evcxr notebook, wrap a plot in a [`Figure`] to show it offline (the plotly crate's
//! own `evcxr_display` loads plotly.js from a CDN). A plot serializes with
//! `plot.to_json()`, and becomes a self-contained page with [`figure_html`] or a run artifact
//! with [`ActiveRun::log_figure`](crate::ActiveRun::log_figure).
//!
//! ```
//! use rtrack::metrics::Scores;
//!
//! let y_true = [0, 0, 1, 1];
//! let y_score = [0.1, 0.4, 0.35, 0.8];
//! let roc = rtrack::plots::roc_curve(&y_true, Scores::from(&y_score[..]))?;
//! let page = rtrack::plots::figure_html(&roc.to_json())?;
//! assert!(page.starts_with("<!DOCTYPE html>"));
//! # Ok::<(), rtrack::Error>(())
//! ```

mod artifacts;
mod classification;
mod figure;
mod html;
mod parcoords;
mod regression;
mod runs;
mod style;

pub use classification::{confusion_matrix, precision_recall_curve, roc_curve};
pub use figure::Figure;
pub use html::figure_html;
pub use regression::{error_histogram, prediction_scatter};
pub use runs::{feature_importance, metric_history, parallel_coordinates};
