//! Artifact endpoints: MLflow's proxied `mlflow-artifacts` routes (paths relative to the
//! server's artifact root) and the run-relative listing `/api/2.0/mlflow/artifacts/list`.
//! The artifact store confines every path: `..`, absolute paths and links out are refused.

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::json;
use super::request::Params;
use super::AppState;

/// `GET /api/2.0/mlflow-artifacts/artifacts?path=<dir>`: the entries directly under a
/// folder, named by their base names as MLflow's server lists them.
pub fn list_proxied(state: &AppState, params: &Params) -> ApiResult<Value> {
    let path = params.str("path")?.filter(|p| !p.is_empty());
    let files = state.artifacts.list(&state.artifact_root, path)?;
    let items: Vec<Value> = files
        .iter()
        .map(|file| {
            let mut entry = file.clone();
            entry.path = file.path.rsplit('/').next().unwrap_or(&file.path).to_string();
            json::file_info(&entry)
        })
        .collect();
    Ok(json!({ "files": items }))
}

pub fn download_proxied(state: &AppState, path: &str) -> ApiResult<crate::artifacts::ArtifactFile> {
    Ok(state.artifacts.open_file(&state.artifact_root, path)?)
}

/// A temporary folder holding one uploaded file under its own name, removed when dropped.
pub struct Staging {
    folder: std::path::PathBuf,
    file: std::path::PathBuf,
}

impl Staging {
    pub fn new(name: &str) -> ApiResult<Staging> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = crate::artifacts::ArtifactPath::parse(name).map_err(|_| ApiError::invalid("Invalid path"))?;
        if name.as_str().is_empty() || name.as_str().contains('/') {
            return Err(ApiError::invalid("Invalid path"));
        }
        let folder = std::env::temp_dir().join(format!(
            "rtrack-upload-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&folder).map_err(|e| crate::Error::io("staging an artifact upload", e))?;
        let file = folder.join(name.as_str());
        Ok(Staging { folder, file })
    }

    pub fn file(&self) -> &std::path::Path {
        &self.file
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// Store the uploaded file at `path` under the artifact root.
pub fn upload_proxied(state: &AppState, path: &str, staged: &Staging) -> ApiResult<Value> {
    let folder = path.trim_end_matches('/').rsplit_once('/').map(|(folder, _)| folder);
    state.artifacts.log_file(&state.artifact_root, staged.file(), folder)?;
    Ok(json!({}))
}

pub fn delete_proxied(state: &AppState, path: &str) -> ApiResult<Value> {
    state.artifacts.delete(&state.artifact_root, Some(path))?;
    Ok(json!({}))
}

/// `GET /api/2.0/mlflow/artifacts/list?run_id=...&path=...`: a run's artifacts with paths
/// relative to the run's artifact root.
pub fn list_run_artifacts(state: &AppState, params: &Params) -> ApiResult<Value> {
    let run_id = params.run_id()?;
    let path = params.str("path")?.filter(|p| !p.is_empty());
    if let Some(path) = path {
        super::transfer::safe_path(path)?;
    }
    let root = state.tracker.get_artifact_uri(run_id, None)?;
    let files = state.tracker.list_artifacts(run_id, path)?;
    Ok(json!({
        "root_uri": state.uris.to_client(&root),
        "files": files.iter().map(json::file_info).collect::<Vec<_>>(),
    }))
}
