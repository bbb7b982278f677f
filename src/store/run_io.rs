//! [`RunIoStore`]: the datasets and logged models linked to runs (MLflow's `log-inputs` and
//! `log-outputs`). A store reaches it through [`TrackingStore::run_io`](super::TrackingStore::run_io).

use crate::entities::{DatasetInput, ModelOutput, RunIo};
use crate::error::Result;

pub trait RunIoStore: Send + Sync {
    /// Link datasets and input models to an active run; the same dataset (name, digest)
    /// again replaces its tags. Unknown models are refused before anything is stored.
    fn log_inputs(&self, run_id: &str, datasets: &[DatasetInput], model_ids: &[String]) -> Result<()>;
    /// Record models an active run produced; unknown models are refused.
    fn log_outputs(&self, run_id: &str, models: &[ModelOutput]) -> Result<()>;
    fn get_run_io(&self, run_id: &str) -> Result<RunIo>;
}
