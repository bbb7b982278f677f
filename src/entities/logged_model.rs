//! MLflow 3's logged models: a model saved from (usually) a run, with its own id, params,
//! tags and the metrics it was evaluated on. A registered model version may point at one.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ids::ExperimentId;

/// Where a logged model is in its life: created `PENDING`, then finalized `READY` once its
/// files are uploaded, or `FAILED` if they could not be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LoggedModelStatus {
    #[serde(rename = "LOGGED_MODEL_PENDING")]
    Pending,
    #[serde(rename = "LOGGED_MODEL_READY")]
    Ready,
    #[serde(rename = "LOGGED_MODEL_UPLOAD_FAILED")]
    Failed,
}

impl LoggedModelStatus {
    /// The short name MLflow's Python entity shows (`READY`); also what searches compare.
    pub fn as_str(self) -> &'static str {
        match self {
            LoggedModelStatus::Pending => "PENDING",
            LoggedModelStatus::Ready => "READY",
            LoggedModelStatus::Failed => "FAILED",
        }
    }

    /// The name MLflow's REST API sends (`LOGGED_MODEL_READY`).
    pub fn rest_name(self) -> &'static str {
        match self {
            LoggedModelStatus::Pending => "LOGGED_MODEL_PENDING",
            LoggedModelStatus::Ready => "LOGGED_MODEL_READY",
            LoggedModelStatus::Failed => "LOGGED_MODEL_UPLOAD_FAILED",
        }
    }

    /// READY and FAILED are final: no upload is under way any more.
    pub fn is_finalized(self) -> bool {
        matches!(self, LoggedModelStatus::Ready | LoggedModelStatus::Failed)
    }
}

impl FromStr for LoggedModelStatus {
    type Err = Error;
    /// Takes the short names (`READY`) and the REST names (`LOGGED_MODEL_READY`), in any case.
    fn from_str(s: &str) -> Result<Self> {
        let upper = s.trim().to_ascii_uppercase();
        match upper.strip_prefix("LOGGED_MODEL_").unwrap_or(&upper) {
            "PENDING" => Ok(LoggedModelStatus::Pending),
            "READY" => Ok(LoggedModelStatus::Ready),
            "FAILED" | "UPLOAD_FAILED" => Ok(LoggedModelStatus::Failed),
            _ => Err(Error::invalid(format!(
                "Invalid logged model status '{s}': expected PENDING, READY or FAILED"
            ))),
        }
    }
}

impl fmt::Display for LoggedModelStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One metric value recorded for a logged model, possibly on a named dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedModelMetric {
    pub key: String,
    pub value: f64,
    pub step: i64,
    pub timestamp: i64,
    /// The run that computed the value.
    pub run_id: Option<String>,
    pub dataset_name: Option<String>,
    pub dataset_digest: Option<String>,
}

/// A model logged to an experiment (MLflow 3), with the REST API's field names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoggedModel {
    /// `m-` and 32 hex digits.
    pub model_id: String,
    pub experiment_id: ExperimentId,
    pub name: String,
    /// `<experiment artifact location>/models/<model_id>/artifacts`.
    pub artifact_location: String,
    pub creation_timestamp_ms: i64,
    pub last_updated_timestamp_ms: i64,
    pub status: LoggedModelStatus,
    pub status_message: Option<String>,
    /// A free-form kind such as `"agent"`.
    pub model_type: Option<String>,
    pub source_run_id: Option<String>,
    pub tags: BTreeMap<String, String>,
    pub params: BTreeMap<String, String>,
    /// Every recorded value, ordered by key, step and timestamp.
    pub metrics: Vec<LoggedModelMetric>,
}

impl LoggedModel {
    /// The URI that names this model: `models:/<model_id>`.
    pub fn model_uri(&self) -> String {
        format!("models:/{}", self.model_id)
    }
}

/// A fresh logged model id: `m-` and 32 hex digits, as MLflow makes them.
pub fn new_logged_model_id() -> String {
    format!("m-{}", uuid::Uuid::new_v4().simple())
}

/// Logged model names end up in paths and URIs, so MLflow keeps a few characters out.
pub fn validate_logged_model_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("Invalid logged model name: the name is empty"));
    }
    super::validation::refuse_control_characters("logged model name", name)?;
    if let Some(bad) = name.chars().find(|c| matches!(c, '/' | ':' | '.' | '%' | '"' | '\'')) {
        return Err(Error::invalid(format!(
            "Invalid logged model name '{name}': character {bad:?} is not allowed (nor any of / : . % \" ')"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_both_spellings_and_write_the_rest_name() {
        assert_eq!("ready".parse::<LoggedModelStatus>().unwrap(), LoggedModelStatus::Ready);
        assert_eq!(
            "LOGGED_MODEL_UPLOAD_FAILED".parse::<LoggedModelStatus>().unwrap(),
            LoggedModelStatus::Failed
        );
        assert!("DONE"
            .parse::<LoggedModelStatus>()
            .unwrap_err()
            .to_string()
            .contains("'DONE'"));
        assert_eq!(
            serde_json::to_string(&LoggedModelStatus::Pending).unwrap(),
            r#""LOGGED_MODEL_PENDING""#
        );
        assert!(LoggedModelStatus::Failed.is_finalized() && !LoggedModelStatus::Pending.is_finalized());
    }

    #[test]
    fn ids_look_like_mlflows() {
        let id = new_logged_model_id();
        assert_eq!(id.len(), 34);
        assert!(
            id.starts_with("m-") && id[2..].bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
        assert_ne!(id, new_logged_model_id());
    }

    #[test]
    fn names_refuse_path_characters() {
        validate_logged_model_name("my-model_1").unwrap();
        for bad in ["", "a.b", "a/b", "50%", "it's"] {
            assert!(validate_logged_model_name(bad).is_err(), "{bad}");
        }
    }
}
