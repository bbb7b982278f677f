//! What the server says about itself: health, version, and MLflow 3's server-info.

use serde_json::{json, Value};

use super::error::ApiResult;
use super::request::Params;
use super::AppState;

/// The MLflow release whose REST API the server speaks, answered at `/version`: the mlflow
/// client gates features on it. rtrack's own version is in `server-info`.
pub const MLFLOW_API_VERSION: &str = "3.17.2";

pub fn server_info(_state: &AppState, _params: &Params) -> ApiResult<Value> {
    Ok(json!({
        "store_type": "SqlStore",
        "rtrack_version": env!("CARGO_PKG_VERSION"),
        "workspaces_enabled": false,
        "trace_archival_enabled": false,
        "multipart_uploads_enabled": false,
        "multipart_downloads_enabled": false,
    }))
}
