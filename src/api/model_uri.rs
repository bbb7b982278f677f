//! Model URIs, as MLflow writes them: `runs:/<run_id>/<path>` for a model saved in a run's
//! artifacts, and `models:/...` for models the registry or an experiment knows.

use std::fmt;

use crate::entities::{parse_version_number, ModelVersionStage};
use crate::error::{Error, Result};

/// What a model URI points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ModelUri {
    /// `runs:/<run_id>/<path>`: a folder in a run's artifacts (`path` may be empty).
    Run { run_id: String, path: String },
    /// `models:/<model_id>`: a logged model (MLflow 3).
    LoggedModel { model_id: String },
    /// `models:/<name>/<version>`.
    Version { name: String, version: i64 },
    /// `models:/<name>@<alias>`.
    Alias { name: String, alias: String },
    /// `models:/<name>/<stage>`: the newest version in a legacy stage.
    Stage { name: String, stage: ModelVersionStage },
    /// `models:/<name>/latest`: the newest version.
    Latest { name: String },
}

impl ModelUri {
    /// Read a model URI, or say which part of it is wrong.
    ///
    /// ```
    /// use rtrack::api::ModelUri;
    ///
    /// assert_eq!(
    ///     ModelUri::parse("runs:/0a1b/model")?,
    ///     ModelUri::Run { run_id: "0a1b".into(), path: "model".into() }
    /// );
    /// assert_eq!(ModelUri::parse("models:/HousePrices@production")?,
    ///            ModelUri::Alias { name: "HousePrices".into(), alias: "production".into() });
    /// assert_eq!(ModelUri::parse("models:/HousePrices/3")?, ModelUri::Version { name: "HousePrices".into(), version: 3 });
    /// assert!(ModelUri::parse("models:/HousePrices/three").is_err());
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn parse(uri: &str) -> Result<ModelUri> {
        let bad = |why: &str| Error::invalid(format!("Invalid model URI '{uri}': {why}"));
        if let Some(rest) = uri.strip_prefix("runs:/") {
            let rest = rest.trim_start_matches('/');
            let (run_id, path) = rest.split_once('/').unwrap_or((rest, ""));
            if run_id.is_empty() {
                return Err(bad("expected runs:/<run_id>/<path>"));
            }
            return Ok(ModelUri::Run {
                run_id: run_id.to_string(),
                path: path.trim_matches('/').to_string(),
            });
        }
        let Some(rest) = uri.strip_prefix("models:/") else {
            return Err(bad("expected runs:/<run_id>/<path> or models:/<name>/<version>"));
        };
        let rest = rest.trim_start_matches('/').trim_end_matches('/');
        if rest.is_empty() {
            return Err(bad("the model name is missing"));
        }
        if let Some((name, alias)) = rest.split_once('@') {
            if name.is_empty() || alias.is_empty() || alias.contains('/') {
                return Err(bad("expected models:/<name>@<alias>"));
            }
            return Ok(ModelUri::Alias {
                name: name.to_string(),
                alias: alias.to_string(),
            });
        }
        let Some((name, suffix)) = rest.split_once('/') else {
            return Ok(ModelUri::LoggedModel {
                model_id: rest.to_string(),
            });
        };
        let name = name.to_string();
        if suffix.eq_ignore_ascii_case("latest") {
            return Ok(ModelUri::Latest { name });
        }
        if let Ok(stage) = suffix.parse::<ModelVersionStage>() {
            return Ok(ModelUri::Stage { name, stage });
        }
        match parse_version_number(suffix) {
            Ok(version) => Ok(ModelUri::Version { name, version }),
            Err(_) => Err(bad(&format!("'{suffix}' is not a version number, a stage or 'latest'"))),
        }
    }
}

impl fmt::Display for ModelUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModelUri::Run { run_id, path } if path.is_empty() => write!(f, "runs:/{run_id}"),
            ModelUri::Run { run_id, path } => write!(f, "runs:/{run_id}/{path}"),
            ModelUri::LoggedModel { model_id } => write!(f, "models:/{model_id}"),
            ModelUri::Version { name, version } => write!(f, "models:/{name}/{version}"),
            ModelUri::Alias { name, alias } => write!(f, "models:/{name}@{alias}"),
            ModelUri::Stage { name, stage } => write!(f, "models:/{name}/{stage}"),
            ModelUri::Latest { name } => write!(f, "models:/{name}/latest"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_parses_and_prints_back() {
        for uri in [
            "runs:/abc/model",
            "runs:/abc/nested/model",
            "runs:/abc",
            "models:/m-0123456789abcdef0123456789abcdef",
            "models:/HousePrices/12",
            "models:/HousePrices@champion",
            "models:/HousePrices/Production",
            "models:/HousePrices/latest",
        ] {
            assert_eq!(ModelUri::parse(uri).unwrap().to_string(), uri);
        }
        assert_eq!(
            ModelUri::parse("models:/M/staging").unwrap(),
            ModelUri::Stage {
                name: "M".into(),
                stage: ModelVersionStage::Staging
            }
        );
        assert_eq!(
            ModelUri::parse("runs:/abc/model/").unwrap(),
            ModelUri::Run {
                run_id: "abc".into(),
                path: "model".into()
            }
        );
    }

    #[test]
    fn bad_uris_are_named() {
        for uri in [
            "s3://bucket/model",
            "runs:/",
            "models:/",
            "models:/M/zero",
            "models:/M@",
            "models:/@a",
        ] {
            let err = ModelUri::parse(uri).unwrap_err();
            assert!(matches!(err, Error::InvalidValue(_)), "{uri}");
            assert!(err.to_string().contains(&format!("'{uri}'")), "{err}");
        }
    }
}
