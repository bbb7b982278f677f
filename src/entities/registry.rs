//! The model registry's entities: registered models, their versions and aliases, with
//! MLflow's field names. Version numbers are integers here and strings in JSON, as in
//! MLflow's REST API.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A legacy deployment stage of a model version. Aliases replace stages in new code, but
/// MLflow users still move versions through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModelVersionStage {
    None,
    Staging,
    Production,
    Archived,
}

impl ModelVersionStage {
    pub const ALL: [ModelVersionStage; 4] = [
        ModelVersionStage::None,
        ModelVersionStage::Staging,
        ModelVersionStage::Production,
        ModelVersionStage::Archived,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ModelVersionStage::None => "None",
            ModelVersionStage::Staging => "Staging",
            ModelVersionStage::Production => "Production",
            ModelVersionStage::Archived => "Archived",
        }
    }

    /// Staging and Production hold versions in use; only they can archive their previous
    /// occupants on a transition.
    pub fn is_active(self) -> bool {
        matches!(self, ModelVersionStage::Staging | ModelVersionStage::Production)
    }
}

impl FromStr for ModelVersionStage {
    type Err = Error;
    /// Stage names are case-insensitive, as in MLflow (`"production"` is Production).
    fn from_str(s: &str) -> Result<Self> {
        ModelVersionStage::ALL
            .into_iter()
            .find(|stage| stage.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Invalid model version stage '{s}': expected one of None, Staging, Production, Archived"
                ))
            })
    }
}

impl fmt::Display for ModelVersionStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a model version's files are in place. rtrack registers a version in one step,
/// so versions it creates are always `READY`; the other states exist for MLflow's clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ModelVersionStatus {
    PendingRegistration,
    FailedRegistration,
    Ready,
}

impl ModelVersionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ModelVersionStatus::PendingRegistration => "PENDING_REGISTRATION",
            ModelVersionStatus::FailedRegistration => "FAILED_REGISTRATION",
            ModelVersionStatus::Ready => "READY",
        }
    }
}

impl FromStr for ModelVersionStatus {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "PENDING_REGISTRATION" => Ok(ModelVersionStatus::PendingRegistration),
            "FAILED_REGISTRATION" => Ok(ModelVersionStatus::FailedRegistration),
            "READY" => Ok(ModelVersionStatus::Ready),
            other => Err(Error::invalid(format!("Invalid model version status '{other}'"))),
        }
    }
}

/// A named pointer to one version of a registered model (`@champion`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredModelAlias {
    pub alias: String,
    #[serde(with = "version_text")]
    pub version: i64,
}

/// A named model and what the registry knows about it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegisteredModel {
    pub name: String,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    pub description: Option<String>,
    /// The newest version in each stage that has one, oldest first.
    pub latest_versions: Vec<ModelVersion>,
    pub tags: BTreeMap<String, String>,
    /// Every alias of the model, by alias name.
    pub aliases: Vec<RegisteredModelAlias>,
}

/// One numbered version of a registered model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelVersion {
    pub name: String,
    /// 1 for the first version of a model, then counting up; numbers are never reused.
    #[serde(with = "version_text")]
    pub version: i64,
    pub creation_timestamp: i64,
    pub last_updated_timestamp: i64,
    pub current_stage: ModelVersionStage,
    pub description: Option<String>,
    /// Where the model's files are, as a URI.
    pub source: String,
    pub run_id: Option<String>,
    pub run_link: Option<String>,
    pub status: ModelVersionStatus,
    pub status_message: Option<String>,
    pub tags: BTreeMap<String, String>,
    /// The aliases pointing at this version, sorted.
    pub aliases: Vec<String>,
    /// The logged model (MLflow 3) this version was registered from, if any.
    pub model_id: Option<String>,
}

/// Read a version number given as text (`"3"`), as MLflow's APIs take it.
pub fn parse_version_number(text: &str) -> Result<i64> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| Error::invalid(format!("Invalid model version '{text}': expected a positive integer")))
}

/// Version numbers travel as strings in MLflow's JSON.
mod version_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(version: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(version)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        let text = String::deserialize(deserializer)?;
        super::parse_version_number(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_parse_in_any_case_and_name_the_bad_one() {
        assert_eq!(
            "production".parse::<ModelVersionStage>().unwrap(),
            ModelVersionStage::Production
        );
        assert_eq!("NONE".parse::<ModelVersionStage>().unwrap(), ModelVersionStage::None);
        let err = "Live".parse::<ModelVersionStage>().unwrap_err().to_string();
        assert!(err.contains("'Live'"), "{err}");
        assert!(ModelVersionStage::Staging.is_active() && !ModelVersionStage::Archived.is_active());
    }

    #[test]
    fn versions_are_strings_in_json() {
        let alias = RegisteredModelAlias {
            alias: "champion".into(),
            version: 3,
        };
        let json = serde_json::to_string(&alias).unwrap();
        assert_eq!(json, r#"{"alias":"champion","version":"3"}"#);
        assert_eq!(serde_json::from_str::<RegisteredModelAlias>(&json).unwrap(), alias);
        assert!(serde_json::from_str::<RegisteredModelAlias>(r#"{"alias":"a","version":"x"}"#).is_err());
        assert_eq!(serde_json::to_string(&ModelVersionStatus::Ready).unwrap(), r#""READY""#);
    }

    #[test]
    fn version_numbers_must_be_positive_integers() {
        assert_eq!(parse_version_number(" 12 ").unwrap(), 12);
        for bad in ["0", "-1", "1.5", "v1", ""] {
            let err = parse_version_number(bad).unwrap_err().to_string();
            assert!(err.contains(&format!("'{bad}'")), "{err}");
        }
    }
}
