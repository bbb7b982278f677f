//! Errors in MLflow's REST shape: an HTTP status and `{"error_code": ..., "message": ...}`,
//! so MLflow's own client raises its usual `MlflowException` with the right code.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::Error;

/// A failed request, ready to be sent.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

pub type ApiResult<T> = std::result::Result<T, ApiError>;

impl ApiError {
    /// The caller sent something unacceptable (400 INVALID_PARAMETER_VALUE).
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "INVALID_PARAMETER_VALUE",
            message: message.into(),
        }
    }

    /// The request itself could not be read (400 BAD_REQUEST), e.g. malformed JSON.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "BAD_REQUEST",
            message: message.into(),
        }
    }

    pub fn endpoint_not_found(method: &str, path: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "ENDPOINT_NOT_FOUND",
            message: format!("No endpoint {method} {path} on this server"),
        }
    }

    pub fn too_large(limit: usize) -> ApiError {
        ApiError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            code: "INVALID_PARAMETER_VALUE",
            message: format!("Request body is larger than this server accepts ({limit} bytes)"),
        }
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        let status = match &error {
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::InvalidValue(_) | Error::AlreadyExists(_) => StatusCode::BAD_REQUEST,
            Error::Database(_) | Error::Io { .. } | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if status == StatusCode::INTERNAL_SERVER_ERROR {
            eprintln!("rtrack server: {error}");
        }
        ApiError {
            status,
            code: error.error_code(),
            message: error.to_string(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error_code": self.code, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}
