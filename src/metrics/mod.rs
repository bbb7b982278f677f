//! Evaluation metrics for classifiers and regressors, computed in Rust (feature `metrics`).
//!
//! The numbers match scikit-learn's defaults: binary precision, recall and F1 are those of
//! the larger label, multiclass ones are macro averages, ROC AUC is one-vs-rest and macro for
//! more than two classes, and a ratio that would divide by zero is 0. Labels are any ordered
//! type (integers, strings); scores and targets are `f64`. Inputs that do not fit (different
//! lengths, no samples, NaN, a single class where two are needed) are an
//! [`Error::InvalidValue`](crate::Error::InvalidValue) saying which.
//!
//! ```
//! use rtrack::metrics::{classification_report, regression_report};
//!
//! let report = classification_report(&["cat", "dog", "dog"], &["cat", "cat", "dog"], None)?;
//! assert_eq!(report.recall, 0.5);                       // of "dog", the larger label
//! let errors = regression_report(&[1.0, 2.0], &[1.5, 2.5])?;
//! assert_eq!(errors.rmse, 0.5);
//! // Both reports log as metrics: run.log_metrics(report.metrics(), step)
//! assert_eq!(errors.metrics()[0], ("mae", 0.5));
//! # Ok::<(), rtrack::Error>(())
//! ```

pub(crate) mod check;
mod classification;
mod curves;
mod labels;
mod regression;
mod scores;

pub use classification::{classification_report, confusion_matrix, ClassificationReport, ConfusionMatrix};
pub use curves::{PrecisionRecallCurve, RocCurve};
pub use labels::integer_labels;
pub use regression::{regression_report, RegressionReport};
pub use scores::{precision_recall_curves, roc_auc, roc_curves, Scores};
