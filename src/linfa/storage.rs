//! A linfa model on disk or in a run's artifacts: a folder with the fitted model as JSON
//! (`model.json`, serde) and an `MLmodel` file in MLflow's layout whose `rust_linfa` flavor
//! tells the registry and a serving layer what kind of model the folder holds.

use std::path::Path;

use serde_json::{json, Value};

use super::model::LinfaModel;
use crate::api::{ActiveRun, Tracker};
use crate::artifacts::ArtifactPath;
use crate::error::{Error, IoContext, Result};
pub use crate::models::MLMODEL_FILE;
use crate::models::{ColSpec, ColumnType, MlModel, ModelSignature, Schema, TensorSpec};

/// The flavor name in `MLmodel` files of linfa models.
pub const FLAVOR: &str = "rust_linfa";
/// The file in a model folder holding the fitted model.
pub const MODEL_FILE: &str = "model.json";
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
                std::io::ErrorKind::NotFound => {
                    Error::not_found(format!("No {name} in the model folder {}", dir.display()))
                }
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
            return Err(Error::invalid(
                "the model's artifact path is empty: give a folder name such as \"model\"",
            ));
        }
        let files = self.files(Some(run.id()), Some(folder.as_str()))?;
        for (name, bytes) in files {
            run.tracker()
                .log_bytes(run.id(), &bytes, &format!("{}/{name}", folder.as_str()))?;
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
        let model = serde_json::to_vec_pretty(&model)
            .map_err(|e| Error::Internal(format!("Cannot write the model as JSON: {e}")))?;
        Ok([
            (MLMODEL_FILE, self.mlmodel(run_id, artifact_path).to_yaml().into_bytes()),
            (MODEL_FILE, model),
        ])
    }

    /// The `MLmodel` metadata: the `rust_linfa` flavor and, when the features are named, a
    /// column signature (so a server takes named columns and checks them).
    pub(crate) fn mlmodel(&self, run_id: Option<&str>, artifact_path: Option<&str>) -> MlModel {
        let mut mlmodel = MlModel::new();
        mlmodel.add_flavor(
            FLAVOR,
            json!({
                "model_kind": self.kind(),
                "model_file": MODEL_FILE,
                "serialization_format": "json",
                "linfa_version": LINFA_VERSION,
                "rtrack_version": env!("CARGO_PKG_VERSION"),
                "n_features": self.n_features(),
            }),
        );
        mlmodel.run_id = run_id.map(str::to_string);
        mlmodel.artifact_path = artifact_path.map(str::to_string);
        mlmodel.signature = self.signature();
        mlmodel
    }

    /// Named features as double columns in, one number per row out.
    pub(crate) fn signature(&self) -> Option<ModelSignature> {
        if self.feature_names.is_empty() {
            return None;
        }
        let inputs = self
            .feature_names
            .iter()
            .map(|name| ColSpec::new(name.as_str(), ColumnType::Double))
            .collect();
        let dtype = if self.is_classifier() { "int64" } else { "float64" };
        let outputs = Schema::Tensors(vec![TensorSpec {
            name: None,
            dtype: dtype.to_string(),
            shape: vec![-1],
        }]);
        Some(ModelSignature {
            inputs: Schema::Columns(inputs),
            outputs: Some(outputs),
            params: None,
        })
    }
}

/// The model from a folder's two files; `origin` names the folder in errors.
fn from_files(origin: &str, mlmodel: &[u8], model: &[u8]) -> Result<LinfaModel> {
    let mlmodel = MlModel::from_yaml(&String::from_utf8_lossy(mlmodel))
        .map_err(|e| Error::invalid(format!("The model at '{origin}' has an unreadable MLmodel: {e}")))?;
    if mlmodel.flavor(FLAVOR).is_none() {
        let flavors: Vec<&str> = mlmodel.flavors.keys().map(String::as_str).collect();
        return Err(Error::invalid(format!(
            "The model at '{origin}' is not a linfa model: its MLmodel has the flavors [{}], not {FLAVOR}",
            flavors.join(", ")
        )));
    }
    let bad = |why: String| Error::invalid(format!("The model at '{origin}' has an unreadable {MODEL_FILE}: {why}"));
    let envelope: Value = serde_json::from_slice(model).map_err(|e| bad(e.to_string()))?;
    match envelope.get("format_version").and_then(Value::as_u64) {
        Some(FORMAT_VERSION) => {}
        other => {
            return Err(bad(format!(
                "format_version {other:?}, this rtrack reads {FORMAT_VERSION}"
            )))
        }
    }
    let model: LinfaModel = serde_json::from_value(envelope["model"].clone()).map_err(|e| bad(e.to_string()))?;
    model.check().map_err(|e| bad(e.to_string()))?;
    Ok(model)
}
