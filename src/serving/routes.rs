//! The scoring server's routes. Bad input is a 400 with MLflow's error body and never stops
//! the server; predictions run on the blocking pool so a slow model does not stall `/ping`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::payload::{parse_csv_payload, parse_json_payload};
use super::Predictor;
use crate::error::Error;
use crate::models::enforce_table;

/// Request bodies beyond this are refused (a scoring batch, not a data set).
const MAX_BODY: usize = 64 * 1024 * 1024;

pub fn router(predictor: Arc<dyn Predictor>) -> Router {
    Router::new()
        .route("/ping", get(alive))
        .route("/health", get(alive))
        .route("/version", get(version))
        .route("/invocations", post(invocations))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .with_state(predictor)
}

async fn alive() -> &'static str {
    "\n"
}

async fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

fn failure(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({"error_code": code, "message": message}))).into_response()
}

async fn invocations(State(predictor): State<Arc<dyn Predictor>>, headers: HeaderMap, body: Bytes) -> Response {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    let Ok(text) = std::str::from_utf8(&body) else {
        return failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "The request body is not UTF-8 text".into(),
        );
    };
    let parsed = match media.as_str() {
        "application/json" => parse_json_payload(text),
        "text/csv" => parse_csv_payload(text),
        other => {
            return failure(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "BAD_REQUEST",
                format!("Content type '{other}' is not supported: send application/json or text/csv"),
            )
        }
    };
    let table = match parsed {
        Ok(table) => table,
        Err(error) => return failure(StatusCode::BAD_REQUEST, "BAD_REQUEST", error.to_string()),
    };
    let task = tokio::task::spawn_blocking(move || {
        let checked = match predictor.signature() {
            Some(signature) => enforce_table(&table, &signature.inputs)?,
            None => table,
        };
        predictor.predict(&checked)
    });
    match task.await {
        Ok(Ok(predictions)) => Json(json!({"predictions": predictions})).into_response(),
        Ok(Err(error @ Error::InvalidValue(_))) => {
            failure(StatusCode::BAD_REQUEST, error.error_code(), error.to_string())
        }
        Ok(Err(error)) => failure(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            format!("The model failed to predict: {error}"),
        ),
        Err(_) => failure(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "The model crashed while predicting".into(),
        ),
    }
}
