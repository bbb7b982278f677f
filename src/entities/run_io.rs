//! What a run read and produced, as MLflow 3 records it: datasets and models in, models out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A dataset a run used (MLflow's `Dataset` with the input's tags, e.g. `mlflow.data.context`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DatasetInput {
    pub name: String,
    pub digest: String,
    pub source_type: String,
    pub source: String,
    pub schema: Option<String>,
    pub profile: Option<String>,
    pub tags: BTreeMap<String, String>,
}

/// A logged model a run produced, at a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelOutput {
    pub model_id: String,
    pub step: i64,
}

/// Everything linked to one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunIo {
    pub datasets: Vec<DatasetInput>,
    pub model_inputs: Vec<String>,
    pub model_outputs: Vec<ModelOutput>,
}
