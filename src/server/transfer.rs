//! Artifact files in and out over plain HTTP, as MLflow's web UI moves them: `/get-artifact`
//! (a run's file), `/model-versions/get-artifact` (a registered version's file), a logged
//! model's file, and `upload-artifact` (a small file into a run). Every download is sent
//! sandboxed (see `ui::files`), and every path is confined to the artifact root it names.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::error::{ApiError, ApiResult};
use super::request::Params;
use super::ui::files::sandboxed;
use super::AppState;
use crate::artifacts::ArtifactPath;

type Shared = Arc<AppState>;
type Pairs = Query<Vec<(String, String)>>;

/// MLflow's cap on what `upload-artifact` takes in one request.
pub const MAX_UPLOAD: usize = 10 * 1024 * 1024;

/// A request's artifact path, refused in MLflow's words if it could leave its root.
pub fn safe_path(path: &str) -> ApiResult<&str> {
    let climbs = path.split(['/', '\\']).any(|part| part == "..");
    if climbs || path.starts_with('/') || path.contains("://") || ArtifactPath::parse(path).is_err() {
        return Err(ApiError::invalid("Invalid path"));
    }
    Ok(path)
}

async fn run_blocking(work: impl FnOnce() -> ApiResult<Response> + Send + 'static) -> Response {
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => error.into_response(),
        Err(e) => ApiError::from(crate::Error::Internal(format!("artifact request failed: {e}"))).into_response(),
    }
}

fn required<'a>(params: &'a Params, name: &str) -> ApiResult<&'a str> {
    params.required_str(name)
}

/// `GET /get-artifact?run_id=..&path=..` (or `run_uuid`).
pub async fn run_artifact(State(state): State<Shared>, Query(pairs): Pairs) -> Response {
    run_blocking(move || {
        let params = Params::from_pairs(pairs);
        let path = safe_path(required(&params, "path")?)?;
        let root = state.tracker.get_artifact_uri(params.run_id()?, None)?;
        let file = state.tracker.store().artifact_store(&root)?.open_file(&root, path)?;
        Ok(sandboxed(path, file))
    })
    .await
}

/// `GET /model-versions/get-artifact?name=..&version=..&path=..`.
pub async fn model_version_artifact(State(state): State<Shared>, Query(pairs): Pairs) -> Response {
    run_blocking(move || {
        let params = Params::from_pairs(pairs);
        let path = safe_path(required(&params, "path")?)?;
        let root = super::registry::version_location(&state, &params)?;
        let file = state.artifacts.open_file(&root, path)?;
        Ok(sandboxed(path, file))
    })
    .await
}

/// `GET logged-models/{model_id}/artifacts/files?artifact_file_path=..`.
pub async fn logged_model_artifact(
    State(state): State<Shared>,
    Path(model_id): Path<String>,
    Query(pairs): Pairs,
) -> Response {
    run_blocking(move || {
        let params = Params::from_pairs(pairs);
        let path = safe_path(required(&params, "artifact_file_path")?)?;
        let root = super::logged_models::location(&state, &model_id)?;
        let file = state.artifacts.open_file(&root, path)?;
        Ok(sandboxed(path, file))
    })
    .await
}

/// `POST upload-artifact?run_uuid=..&path=..` with the file as the body.
pub async fn upload_run_artifact(State(state): State<Shared>, Query(pairs): Pairs, body: Bytes) -> Response {
    run_blocking(move || {
        let params = Params::from_pairs(pairs);
        let run_id = params
            .str("run_uuid")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid("Request must specify run_uuid."))?;
        let path = params
            .str("path")?
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ApiError::invalid("Request must specify path."))?;
        let path = safe_path(path)?;
        if body.is_empty() {
            return Err(ApiError::invalid("Request must specify data."));
        }
        if body.len() > MAX_UPLOAD {
            return Err(ApiError::invalid("Artifact size is too large. Max size is 10MB."));
        }
        let root = state.tracker.get_artifact_uri(run_id, None)?;
        state
            .tracker
            .store()
            .artifact_store(&root)?
            .write_file(&root, path, &body)?;
        Ok(axum::Json(json!({})).into_response())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_could_leave_the_root_are_invalid() {
        for bad in ["../x", "a/../../x", "/etc/passwd", "a\\..\\x", "file:///etc"] {
            assert_eq!(safe_path(bad).unwrap_err().message, "Invalid path", "{bad}");
        }
        assert_eq!(safe_path("dir/model.pkl").unwrap(), "dir/model.pkl");
    }
}
