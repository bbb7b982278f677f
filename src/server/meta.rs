//! What the server says about itself: health, version, and MLflow 3's server-info.

use serde_json::{json, Value};

use super::error::ApiResult;
use super::request::Params;
use super::AppState;

pub fn server_info(_state: &AppState, _params: &Params) -> ApiResult<Value> {
    Ok(json!({
        "store_type": "SqlStore",
        "workspaces_enabled": false,
        "trace_archival_enabled": false,
        "multipart_uploads_enabled": false,
        "multipart_downloads_enabled": false,
    }))
}
