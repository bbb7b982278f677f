//! Run artifacts for the UI's previews and downloads. Every response carries a sandboxing
//! content security policy: an HTML file (a logged Plotly figure) may run its own scripts,
//! but in an opaque origin of its own, with no network access, whether it is shown in the
//! UI's iframe or opened directly.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::super::error::{ApiError, ApiResult};
use super::super::{streaming, AppState};
use crate::artifacts::ArtifactFile;

const ARTIFACT_POLICY: &str = "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; \
    style-src 'unsafe-inline'; img-src data: blob:; font-src data:; media-src data: blob:";

#[derive(Deserialize)]
pub struct ArtifactQuery {
    run_id: String,
    path: String,
    /// `1` to save the file rather than show it.
    download: Option<String>,
}

pub async fn artifact(State(state): State<Arc<AppState>>, Query(query): Query<ArtifactQuery>) -> Response {
    let path = query.path.clone();
    let read = tokio::task::spawn_blocking(move || read_artifact(&state, &query.run_id, &query.path)).await;
    let file = match read {
        Ok(Ok(file)) => file,
        Ok(Err(error)) => return error.into_response(),
        Err(e) => {
            return ApiError::from(crate::Error::Internal(format!("reading an artifact failed: {e}"))).into_response()
        }
    };
    let mut response = sandboxed(&path, file);
    let headers = response.headers_mut();
    if query.download.as_deref() == Some("1") {
        let disposition = format!("attachment; filename=\"{}\"", download_name(&path));
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
    }
    response
}

/// A logged file as a response: typed by its extension, never sniffed, and under the sandbox
/// policy, so whatever it holds cannot act in the server's origin.
pub(in crate::server) fn sandboxed(path: &str, file: ArtifactFile) -> Response {
    let size = file.size;
    let mut response = ([(header::CONTENT_TYPE, content_type(path))], streaming::file_body(file)).into_response();
    let headers = response.headers_mut();
    if let Some(size) = size {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(size));
    }
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(ARTIFACT_POLICY),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn read_artifact(state: &AppState, run_id: &str, path: &str) -> ApiResult<ArtifactFile> {
    if path.is_empty() {
        return Err(ApiError::invalid("Missing value for required parameter 'path'"));
    }
    let root = state.tracker.get_artifact_uri(run_id, None)?;
    let store = state.tracker.store().artifact_store(&root)?;
    Ok(store.open_file(&root, path)?)
}

/// The file's base name with anything that could break the header replaced.
fn download_name(path: &str) -> String {
    let base = path.rsplit('/').next().unwrap_or(path);
    base.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A content type by extension; unknown files are bytes, never sniffed as something else.
pub fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "json" => "application/json",
        "csv" | "tsv" | "txt" | "log" | "md" | "py" | "yaml" | "yml" | "toml" | "ini" | "cfg" | "sh" | "rs" | "sql" => {
            "text/plain; charset=utf-8"
        }
        _ if path.rsplit('/').next() == Some("MLmodel") => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_extension_and_unknown_files_are_bytes() {
        assert_eq!(content_type("plots/roc.HTML"), "text/html; charset=utf-8");
        assert_eq!(content_type("model/MLmodel"), "text/plain; charset=utf-8");
        assert_eq!(content_type("weights.bin"), "application/octet-stream");
    }

    #[test]
    fn download_names_cannot_break_the_header() {
        assert_eq!(download_name("a/b/evil\"\r\nX: y.txt"), "evil___X:_y.txt");
    }
}
