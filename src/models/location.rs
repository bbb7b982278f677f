//! From a model URI to a local model folder: `runs:/<run_id>/<path>`, `models:/<name>/<version>`,
//! `models:/<name>@<alias>`, `models:/<name>/<Stage>`, `models:/<model_id>`, a `file://` URI
//! or a plain path. Local artifacts are used in place; remote ones are downloaded.

use std::path::{Path, PathBuf};

use super::mlmodel::MLMODEL_FILE;
use crate::api::{ModelUri, Tracker};
use crate::artifacts::{file_uri_to_path, uri_scheme};
use crate::error::{Error, Result};

/// The local folder holding the model `uri` names. Models not on this machine are
/// downloaded into `scratch` (an existing, empty folder the caller owns).
///
/// ```
/// # let dir = tempfile::tempdir().unwrap();
/// use rtrack::models::{resolve_model_dir, MlModel};
/// use rtrack::{RunOptions, Tracker};
///
/// let tracker = Tracker::open(dir.path().join("store").to_str().unwrap())?;
/// let run = tracker.create_run(RunOptions::default())?;
/// let folder = dir.path().join("saved");
/// MlModel::new().save(&folder)?;
/// tracker.log_artifacts(&run.info.run_id, &folder, Some("model"))?;
/// tracker.register_model(&format!("runs:/{}/model", run.info.run_id), "HousePrices", &[])?;
/// tracker.set_registered_model_alias("HousePrices", "production", 1)?;
///
/// let found = resolve_model_dir(&tracker, "models:/HousePrices@production", dir.path())?;
/// assert!(found.join("MLmodel").is_file());
/// assert!(resolve_model_dir(&tracker, "models:/HousePrices@staging", dir.path()).is_err());
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn resolve_model_dir(tracker: &Tracker, uri: &str, scratch: &Path) -> Result<PathBuf> {
    resolve(tracker, uri, scratch, 0)
}

/// How many times a version's source may itself be a model URI (MLflow 3 registers versions
/// with the source `models:/<model_id>`); more is a loop.
const MAX_SOURCE_HOPS: usize = 4;

fn resolve(tracker: &Tracker, uri: &str, scratch: &Path, hops: usize) -> Result<PathBuf> {
    let folder = match ModelUri::parse(uri) {
        Ok(ModelUri::Run { run_id, path }) => run_folder(tracker, &run_id, &path, scratch)?,
        Ok(_) => {
            let version = tracker.version_source(uri)?;
            if is_model_uri(&version.source) {
                if hops >= MAX_SOURCE_HOPS {
                    return Err(Error::invalid(format!(
                        "Cannot load '{uri}': its source '{}' leads through more than {MAX_SOURCE_HOPS} model URIs",
                        version.source
                    )));
                }
                return resolve(tracker, &version.source, scratch, hops + 1);
            }
            match version.run_id {
                // A source inside its run's artifacts may be fetched through the run.
                Some(run_id) if !is_local(&version.source) => {
                    let root = tracker.get_run(&run_id)?.info.artifact_uri;
                    let inside = version
                        .source
                        .strip_prefix(&root)
                        .map(|rest| rest.trim_start_matches('/'));
                    match inside {
                        Some(path) => run_folder(tracker, &run_id, path, scratch)?,
                        None => location_folder(tracker, &version.source, scratch)?,
                    }
                }
                _ => location_folder(tracker, &version.source, scratch)?,
            }
        }
        Err(_) if !is_model_uri(uri) => local_path(uri)?,
        Err(error) => return Err(error),
    };
    checked(uri, folder)
}

/// The folder at an artifact location: used in place when local, else downloaded through the
/// store's artifact store for that location (a logged model's `mlflow-artifacts:` location
/// through the server, say).
fn location_folder(tracker: &Tracker, location: &str, scratch: &Path) -> Result<PathBuf> {
    if is_local(location) {
        return local_path(location);
    }
    let store = tracker.store().artifact_store(location)?;
    store.download(location, "", scratch)
}

/// Whether `uri` names a model through a store (`runs:/`, `models:/`) rather than a place.
pub fn is_model_uri(uri: &str) -> bool {
    uri.starts_with("runs:") || uri.starts_with("models:")
}

/// The model folder at a path or `file://` URI, without any store.
pub fn local_model_dir(location: &str) -> Result<PathBuf> {
    checked(location, local_path(location)?)
}

fn checked(uri: &str, folder: PathBuf) -> Result<PathBuf> {
    if !folder.join(MLMODEL_FILE).is_file() {
        return Err(Error::not_found(format!(
            "No model at '{uri}': '{}' has no MLmodel file",
            folder.display()
        )));
    }
    Ok(folder)
}

fn is_local(location: &str) -> bool {
    matches!(uri_scheme(location), None | Some("file"))
}

fn local_path(location: &str) -> Result<PathBuf> {
    match uri_scheme(location) {
        None => Ok(PathBuf::from(location)),
        Some(scheme) if scheme.eq_ignore_ascii_case("file") => file_uri_to_path(location),
        Some(scheme) => Err(Error::invalid(format!(
            "Cannot load a model from '{location}': '{scheme}' locations are not supported yet"
        ))),
    }
}

fn run_folder(tracker: &Tracker, run_id: &str, path: &str, scratch: &Path) -> Result<PathBuf> {
    let root = tracker.get_run(run_id)?.info.artifact_uri;
    if is_local(&root) {
        let base = local_path(&root)?;
        return Ok(if path.is_empty() {
            base
        } else {
            crate::artifacts::ArtifactPath::parse(path)?.to_path(&base)
        });
    }
    tracker.download_artifacts(run_id, path, scratch)
}
