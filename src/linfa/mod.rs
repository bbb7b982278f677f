//! linfa models without Python (feature `linfa`): fit with linfa, score with rtrack's
//! metrics, log the model to a run as the `rust_linfa` flavor, register it, and load it back
//! by any model URI to predict.
//!
//! linfa and the model crates are re-exported, so one `:dep` of rtrack is enough in a
//! notebook and the versions always match; [`ndarray`] is the ndarray linfa works on.
//!
//! ```
//! use rtrack::linfa::{linfa::prelude::*, linfa_elasticnet::ElasticNet, ndarray::array, LinfaModel};
//! use rtrack::{RunOptions, Tracker};
//!
//! # let dir = tempfile::tempdir()?;
//! let tracker = Tracker::open(dir.path().to_str().unwrap())?;
//! let records = array![[1.0, 0.5], [2.0, 0.1], [3.0, 0.7], [4.0, 0.2], [5.0, 0.9]];
//! let targets = array![1.1, 2.0, 3.2, 3.9, 5.1];
//! let train = Dataset::new(records.clone(), targets.clone()).with_feature_names(vec!["x", "noise"]);
//!
//! let run = tracker.start_run(RunOptions::default().name("enet"))?;
//! run.log_params([("penalty", 0.1), ("l1_ratio", 0.5)])?;
//! let fitted = ElasticNet::params().penalty(0.1).l1_ratio(0.5).fit(&train)?;
//! let model = LinfaModel::from(fitted).with_feature_names(train.feature_names());
//! let report = model.evaluate_regression(records.view(), targets.as_slice().unwrap())?;
//! run.log_metrics(report.metrics(), 0)?;                  // rmse, mae, r2, ...
//! let uri = model.log(&run, "model")?;                     // runs:/<run_id>/model
//! let version = tracker.register_model(&uri, "Toy", &[])?;
//! tracker.set_registered_model_alias("Toy", "production", version.version)?;
//!
//! let served = LinfaModel::load_uri(&tracker, "models:/Toy@production")?;
//! assert_eq!(served.predict(records.view())?, model.predict(records.view())?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod evaluate;
mod model;
#[cfg(feature = "server")]
mod serving;
mod storage;

pub use self::model::{Fitted, LinfaModel};
#[cfg(feature = "server")]
pub use self::serving::register_serving;
pub use self::storage::{FLAVOR, MLMODEL_FILE, MODEL_FILE};
pub use linfa;
#[cfg(feature = "linfa-datasets")]
pub use linfa_datasets as datasets;
pub use linfa_elasticnet;
pub use linfa_logistic;
pub use linfa_ndarray as ndarray;
