//! The `MLmodel` file: the YAML document at the top of a model folder saying how to load
//! the model (its flavors), what it takes (its signature) and where it came from.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::signature::ModelSignature;
use super::yaml::from_yaml;
use crate::artifacts::{to_yaml_single_quoted, ArtifactPath};
use crate::error::{Error, IoContext, Result};

/// The name of the metadata file in a model folder.
pub const MLMODEL_FILE: &str = "MLmodel";

/// The contents of an `MLmodel` file, in MLflow's layout.
#[derive(Clone, Debug, PartialEq)]
pub struct MlModel {
    /// The model's folder inside its run's artifacts, when it was logged to a run.
    pub artifact_path: Option<String>,
    /// Flavor name -> its settings (`python_function`, `sklearn`, ...).
    pub flavors: Map<String, Value>,
    pub model_uuid: Option<String>,
    pub run_id: Option<String>,
    /// `YYYY-MM-DD HH:MM:SS.ffffff` in UTC, as Python's `str(datetime.utcnow())`.
    pub utc_time_created: Option<String>,
    pub signature: Option<ModelSignature>,
    pub saved_input_example_info: Option<Value>,
    /// Every other key, kept as read (`mlflow_version`, `model_size_bytes`, ...).
    pub other: Map<String, Value>,
}

impl MlModel {
    /// A new model description: a fresh uuid, created now, no flavors yet.
    pub fn new() -> MlModel {
        MlModel {
            artifact_path: None,
            flavors: Map::new(),
            model_uuid: Some(uuid::Uuid::new_v4().simple().to_string()),
            run_id: None,
            utc_time_created: Some(utc_now_text()),
            signature: None,
            saved_input_example_info: None,
            other: Map::new(),
        }
    }

    /// Add (or replace) a flavor and its settings.
    pub fn add_flavor(&mut self, name: &str, settings: Value) -> &mut MlModel {
        self.flavors.insert(name.to_string(), settings);
        self
    }

    pub fn flavor(&self, name: &str) -> Option<&Value> {
        self.flavors.get(name)
    }

    /// As a mapping with MLflow's keys (absent parts left out, the signature's parts as JSON text).
    pub fn to_value(&self) -> Value {
        let mut map = self.other.clone();
        let mut put = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                map.insert(key.to_string(), value);
            }
        };
        put("artifact_path", self.artifact_path.clone().map(Value::String));
        put("flavors", Some(Value::Object(self.flavors.clone())));
        put("model_uuid", self.model_uuid.clone().map(Value::String));
        put("run_id", self.run_id.clone().map(Value::String));
        put("utc_time_created", self.utc_time_created.clone().map(Value::String));
        put(
            "signature",
            self.signature.as_ref().map(ModelSignature::to_mlmodel_value),
        );
        put("saved_input_example_info", self.saved_input_example_info.clone());
        Value::Object(map)
    }

    pub fn from_value(value: &Value) -> Result<MlModel> {
        let Value::Object(map) = value else {
            return Err(Error::invalid("An MLmodel file must hold a mapping"));
        };
        let mut other = map.clone();
        let mut text = |key: &str| -> Result<Option<String>> {
            match other.remove(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => Ok(Some(text)),
                Some(Value::Number(n)) => Ok(Some(n.to_string())),
                Some(other) => Err(Error::invalid(format!("MLmodel: '{key}' must be text, got {other}"))),
            }
        };
        let (artifact_path, model_uuid, run_id, utc_time_created) = (
            text("artifact_path")?,
            text("model_uuid")?,
            text("run_id")?,
            text("utc_time_created")?,
        );
        let flavors = match other.remove("flavors") {
            Some(Value::Object(flavors)) => flavors,
            None | Some(Value::Null) => Map::new(),
            Some(bad) => {
                return Err(Error::invalid(format!(
                    "MLmodel: 'flavors' must be a mapping, got {bad}"
                )))
            }
        };
        let signature = match other.remove("signature") {
            None | Some(Value::Null) => None,
            Some(value) => Some(ModelSignature::from_mlmodel_value(&value)?),
        };
        let saved_input_example_info = other.remove("saved_input_example_info").filter(|v| !v.is_null());
        Ok(MlModel {
            artifact_path,
            flavors,
            model_uuid,
            run_id,
            utc_time_created,
            signature,
            saved_input_example_info,
            other,
        })
    }

    /// The `MLmodel` text (YAML, keys sorted as PyYAML writes them).
    pub fn to_yaml(&self) -> String {
        to_yaml_single_quoted(&self.to_value())
    }

    pub fn from_yaml(text: &str) -> Result<MlModel> {
        MlModel::from_value(&from_yaml(text)?)
    }

    /// Read `<dir>/MLmodel`.
    pub fn load(dir: &Path) -> Result<MlModel> {
        let file = dir.join(MLMODEL_FILE);
        if !file.is_file() {
            return Err(Error::not_found(format!(
                "No MLmodel file in '{}': not a model folder",
                dir.display()
            )));
        }
        let text = std::fs::read_to_string(&file).context(|| format!("reading {}", file.display()))?;
        MlModel::from_yaml(&text).map_err(|e| Error::invalid(format!("{}: {e}", file.display())))
    }

    /// Write `<dir>/MLmodel`, creating the folder.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).context(|| format!("creating {}", dir.display()))?;
        let file = dir.join(MLMODEL_FILE);
        std::fs::write(&file, self.to_yaml()).context(|| format!("writing {}", file.display()))
    }
}

impl Default for MlModel {
    fn default() -> Self {
        MlModel::new()
    }
}

/// A file a flavor names (`pickled_model: model.pkl`) inside the model folder `dir`; a name
/// that would leave the folder is refused.
pub fn model_file(dir: &Path, relative: &str) -> Result<PathBuf> {
    let clean = ArtifactPath::parse(relative).map_err(|e| {
        Error::invalid(format!(
            "The model folder names a file outside itself ('{relative}'): {e}"
        ))
    })?;
    Ok(clean.to_path(dir))
}

/// Now in UTC as `YYYY-MM-DD HH:MM:SS.ffffff`.
fn utc_now_text() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let (days, seconds) = ((since.as_secs() / 86_400) as i64, since.as_secs() % 86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02}.{:06}",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        since.subsec_micros()
    )
}

/// Days since 1970-01-01 to a calendar date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::models::{ColSpec, ColumnType, Schema};
    use serde_json::json;

    #[test]
    fn round_trips_through_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut model = MlModel::new();
        model.artifact_path = Some("model".into());
        model.run_id = Some("abc".into());
        model.add_flavor("sklearn", json!({"pickled_model": "model.pkl", "sklearn_version": "1.5.0", "serialization_format": "pickle", "code": null}));
        model.signature = Some(ModelSignature {
            inputs: Schema::Columns(vec![ColSpec::new("x", ColumnType::Double)]),
            outputs: None,
            params: None,
        });
        model.other.insert("mlflow_version".into(), json!("3.17.2"));
        model.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join("MLmodel")).unwrap();
        assert!(
            text.contains("  inputs: '[{\"type\": \"double\", \"name\": \"x\", \"required\": true}]'"),
            "{text}"
        );
        assert!(text.contains("sklearn_version: '1.5.0'"), "{text}");
        assert_eq!(MlModel::load(dir.path()).unwrap(), model);
    }

    #[test]
    fn dates_and_uuids_look_like_mlflows() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(19_782), (2024, 2, 29));
        let model = MlModel::new();
        assert_eq!(model.model_uuid.unwrap().len(), 32);
        assert_eq!(model.utc_time_created.unwrap().len(), 26);
    }

    #[test]
    fn missing_or_hostile_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(MlModel::load(dir.path()), Err(Error::NotFound(_))));
        assert!(model_file(dir.path(), "../model.pkl").is_err());
        assert!(model_file(dir.path(), "/etc/passwd").is_err());
        assert_eq!(
            model_file(dir.path(), "data/model.pkl").unwrap(),
            dir.path().join("data").join("model.pkl")
        );
        std::fs::write(dir.path().join("MLmodel"), "flavors: [1, 2]\n").unwrap();
        assert!(MlModel::load(dir.path())
            .unwrap_err()
            .to_string()
            .contains("'flavors' must be a mapping"));
    }
}
