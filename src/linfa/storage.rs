//! A linfa model on disk or in a run's artifacts: a folder with the fitted model as JSON
//! (`model.json`, serde) and an `MLmodel` file in MLflow's layout whose `rust_linfa` flavor
//! tells the registry and a serving layer what kind of model the folder holds.

use std::path::Path;

use serde_json::{json, Value};

use super::model::LinfaModel;
use crate::api::{ActiveRun, Tracker};
use crate::artifacts::{to_yaml, ArtifactPath};
use crate::display::format::timestamp;
use crate::entities::now_millis;
use crate::error::{Error, IoContext, Result};

/// The flavor name in `MLmodel` files of linfa models.
pub const FLAVOR: &str = "rust_linfa";
/// The file in a model folder holding the fitted model.
pub const MODEL_FILE: &str = "model.json";
/// The model's metadata file, as MLflow names it.
pub const MLMODEL_FILE: &str = "MLmodel";
/// Bumped when the layout of `model.json` changes incompatibly.
const FORMAT_VERSION: u64 = 1;
/// The linfa release the model types come from (what `Cargo.toml` asks for).
const LINFA_VERSION: &str = "0.8";

impl LinfaModel {
    /// Write the model folder `dir` (created if missing): `model.json` and `MLmodel`.
    ///
    /// ```
    /// use rtrack::linfa::{linfa::prelude::*, linfa_elasticnet::ElasticNet, ndarray::array, LinfaModel};
    ///
    /// let records = array![[1.0], [2.0], [3.0]];
    /// let model = LinfaModel::from(ElasticNet::params().fit(&Dataset::new(records.clone(), array![1.0, 2.0, 3.0]))?);
    /// let dir = tempfile::tempdir()?;
    /// model.save(dir.path())?;
    /// let loaded = LinfaModel::load(dir.path())?;
    /// assert_eq!(loaded.predict(records.view())?, model.predict(records.view())?);
    /// assert!(std::fs::read_to_string(dir.path().join("MLmodel"))?.contains("rust_linfa:"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).context(|| format!("Cannot create the model folder {}", dir.display()))?;
        for (name, bytes) in self.files(None, None)? {
            let path = dir.join(name);
            std::fs::write(&path, bytes).context(|| format!("Cannot write {}", path.display()))?;
        }
        Ok(())
    }

    /// Read the model folder `dir` that [`save`](Self::save) or [`log`](Self::log) wrote.
    pub fn load(dir: &Path) -> Result<LinfaModel> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Error::not_found(format!("No {name} in the model folder {}", dir.display())),
                _ => Error::io(format!("Cannot read {}", path.display()), e),
            })
        };
        from_files(&dir.display().to_string(), &read(MLMODEL_FILE)?, &read(MODEL_FILE)?)
    }

    /// Log the model into the run's artifacts under `artifact_path` (e.g. `"model"`) and
    /// return its `runs:/<run_id>/<artifact_path>` URI, ready for
    /// [`Tracker::register_model`]. Nothing is written if the path is refused.
    pub fn log(&self, run: &ActiveRun, artifact_path: &str) -> Result<String> {
        let folder = ArtifactPath::parse(artifact_path)?;
        if folder.is_root() {
            return Err(Error::invalid("the model's artifact path is empty: give a folder name such as \"model\""));
        }
        let files = self.files(Some(run.id()), Some(folder.as_str()))?;
        for (name, bytes) in files {
            run.tracker().log_bytes(run.id(), &bytes, &format!("{}/{name}", folder.as_str()))?;
        }
        Ok(format!("runs:/{}/{}", run.id(), folder.as_str()))
    }

    /// Load the model a URI names: `runs:/<run_id>/<path>`, `models:/<name>/<version>`,
    /// `models:/<name>@<alias>`, `models:/<name>/<stage>`, `models:/<name>/latest`, or the
    /// location of a model folder, resolved through `tracker`'s store and registry.
    pub fn load_uri(tracker: &Tracker, model_uri: &str) -> Result<LinfaModel> {
        let location = tracker.model_location(model_uri)?;
        let files = tracker.store().artifact_store(&location)?;
        let read = |name: &str| {
            files.read_file(&location, name).map_err(|e| match e {
                Error::NotFound(_) => Error::not_found(format!("No {name} in the model at '{model_uri}' ({location})")),
                other => other,
            })
        };
        from_files(model_uri, &read(MLMODEL_FILE)?, &read(MODEL_FILE)?)
    }

    /// The folder's files: `MLmodel` and `model.json`.
    fn files(&self, run_id: Option<&str>, artifact_path: Option<&str>) -> Result<[(&'static str, Vec<u8>); 2]> {
        self.check()?;
        let model = json!({
            "format_version": FORMAT_VERSION,
            "model": self,
        });
        let model = serde_json::to_vec_pretty(&model).map_err(|e| Error::Internal(format!("Cannot write the model as JSON: {e}")))?;
        Ok([(MLMODEL_FILE, to_yaml(&self.mlmodel(run_id, artifact_path)).into_bytes()), (MODEL_FILE, model)])
    }

    /// The `MLmodel` metadata: MLflow's top-level keys, the `rust_linfa` flavor and, when the
    /// features are named, a column signature (so a server can take named columns).
    fn mlmodel(&self, run_id: Option<&str>, artifact_path: Option<&str>) -> Value {
        let mut mlmodel = json!({
            "flavors": {
                FLAVOR: {
                    "model_kind": self.kind(),
                    "model_file": MODEL_FILE,
                    "serialization_format": "json",
                    "linfa_version": LINFA_VERSION,
                    "rtrack_version": env!("CARGO_PKG_VERSION"),
                    "n_features": self.n_features(),
                },
            },
            "model_uuid": uuid::Uuid::new_v4().simple().to_string(),
            "utc_time_created": format!("{}.000000", timestamp(now_millis())),
        });
        if let Some(run_id) = run_id {
            mlmodel["run_id"] = json!(run_id);
        }
        if let Some(path) = artifact_path {
            mlmodel["artifact_path"] = json!(path);
        }
        if !self.feature_names.is_empty() {
            let inputs: Vec<Value> =
                self.feature_names.iter().map(|name| json!({"type": "double", "name": name, "required": true})).collect();
            let output_type = if self.is_classifier() { "int64" } else { "float64" };
            let outputs = json!([{"type": "tensor", "tensor-spec": {"dtype": output_type, "shape": [-1]}}]);
            mlmodel["signature"] = json!({"inputs": Value::Array(inputs).to_string(), "outputs": outputs.to_string()});
        }
        mlmodel
    }
}

/// The model from a folder's two files; `origin` names the folder in errors.
fn from_files(origin: &str, mlmodel: &[u8], model: &[u8]) -> Result<LinfaModel> {
    let flavors = flavor_names(&String::from_utf8_lossy(mlmodel));
    if !flavors.iter().any(|flavor| flavor == FLAVOR) {
        return Err(Error::invalid(format!(
            "The model at '{origin}' is not a linfa model: its MLmodel has the flavors [{}], not {FLAVOR}",
            flavors.join(", ")
        )));
    }
    let bad = |why: String| Error::invalid(format!("The model at '{origin}' has an unreadable {MODEL_FILE}: {why}"));
    let envelope: Value = serde_json::from_slice(model).map_err(|e| bad(e.to_string()))?;
    match envelope.get("format_version").and_then(Value::as_u64) {
        Some(FORMAT_VERSION) => {}
        other => return Err(bad(format!("format_version {other:?}, this rtrack reads {FORMAT_VERSION}"))),
    }
    let model: LinfaModel = serde_json::from_value(envelope["model"].clone()).map_err(|e| bad(e.to_string()))?;
    model.check().map_err(|e| bad(e.to_string()))?;
    Ok(model)
}

/// The keys of the top-level `flavors:` mapping of a block-style `MLmodel` file (as rtrack
/// and MLflow write it): the lines indented one level below it.
pub(crate) fn flavor_names(mlmodel: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut inside = false;
    let mut indent = None;
    for line in mlmodel.lines() {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let depth = line.len() - line.trim_start().len();
        if depth == 0 {
            inside = line.trim_end() == "flavors:";
            continue;
        }
        if !inside {
            continue;
        }
        let level = *indent.get_or_insert(depth);
        if depth == level {
            if let Some((key, _)) = line.trim().split_once(':') {
                names.push(key.trim_matches(|c| c == '\'' || c == '"').to_string());
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flavor_names_are_the_keys_under_flavors() {
        let text = "artifact_path: model\nflavors:\n  python_function:\n    loader_module: x\n  sklearn:\n    pickled_model: model.pkl\nmodel_uuid: abc\n";
        assert_eq!(flavor_names(text), ["python_function", "sklearn"]);
        assert!(flavor_names("model_uuid: abc\n").is_empty());
    }
}
