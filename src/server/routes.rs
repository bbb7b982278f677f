//! The URL map: which endpoint answers which method and path, and the glue that reads a
//! request's parameters and runs the endpoint on the blocking pool (the store is blocking).

use std::sync::Arc;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Path, Query, RawPathParams, Request, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, on, MethodFilter, MethodRouter};
use axum::{Json, Router};
use serde_json::Value;

use super::error::{ApiError, ApiResult};
use super::request::Params;
use super::{artifacts, datasets, history, logged_models, meta, registry, streaming, tracking, transfer, ui, AppState};

type Shared = Arc<AppState>;
/// An endpoint: the request's parameters in, the response JSON out.
type Endpoint = fn(&AppState, &Params) -> ApiResult<Value>;

/// The largest JSON request body most endpoints accept: a search, a tag, a run's update are
/// small, and a bigger body only costs the server memory and time.
const MAX_JSON_BODY: usize = 1 << 20;
/// The largest body of the endpoints that carry many values at once (log-batch of 1,000
/// metrics is ~100 kB; MLflow's own limit on a batch's params and tags is larger).
const MAX_BATCH_BODY: usize = 16 << 20;
/// Endpoints that take [`MAX_BATCH_BODY`].
const BATCH_ENDPOINTS: [&str; 6] = [
    "runs/log-batch",
    "runs/log-inputs",
    "runs/outputs",
    "logged-models",
    "logged-models/{model_id}/params",
    "logged-models/{model_id}/tags",
];

/// MLflow serves every API route under both prefixes; its web UI uses the second.
const PREFIXES: [&str; 2] = ["/api/2.0", "/ajax-api/2.0"];

pub fn router(state: Shared) -> Router {
    let endpoints: &[(&str, Method, Endpoint)] = &[
        ("experiments/create", Method::POST, tracking::create_experiment),
        ("experiments/get", Method::GET, tracking::get_experiment),
        ("experiments/get-by-name", Method::GET, tracking::get_experiment_by_name),
        ("experiments/search", Method::POST, tracking::search_experiments),
        ("experiments/search", Method::GET, tracking::search_experiments),
        ("experiments/update", Method::POST, tracking::update_experiment),
        ("experiments/delete", Method::POST, tracking::delete_experiment),
        ("experiments/restore", Method::POST, tracking::restore_experiment),
        (
            "experiments/set-experiment-tag",
            Method::POST,
            tracking::set_experiment_tag,
        ),
        (
            "experiments/delete-experiment-tag",
            Method::POST,
            tracking::delete_experiment_tag,
        ),
        ("runs/create", Method::POST, tracking::create_run),
        ("runs/get", Method::GET, tracking::get_run),
        ("runs/update", Method::POST, tracking::update_run),
        ("runs/delete", Method::POST, tracking::delete_run),
        ("runs/restore", Method::POST, tracking::restore_run),
        ("runs/search", Method::POST, tracking::search_runs),
        ("runs/log-parameter", Method::POST, tracking::log_param),
        ("runs/log-metric", Method::POST, tracking::log_metric),
        ("runs/set-tag", Method::POST, tracking::set_tag),
        ("runs/delete-tag", Method::POST, tracking::delete_tag),
        ("runs/log-batch", Method::POST, tracking::log_batch),
        ("runs/log-inputs", Method::POST, tracking::log_inputs),
        ("runs/outputs", Method::POST, tracking::log_outputs),
        ("metrics/get-history-bulk", Method::GET, history::bulk),
        ("metrics/get-history-bulk-interval", Method::GET, history::bulk_interval),
        ("experiments/search-datasets", Method::POST, datasets::search_datasets),
        ("artifacts/list", Method::GET, artifacts::list_run_artifacts),
        (
            "registered-models/create",
            Method::POST,
            registry::create_registered_model,
        ),
        ("registered-models/get", Method::GET, registry::get_registered_model),
        (
            "registered-models/rename",
            Method::POST,
            registry::rename_registered_model,
        ),
        (
            "registered-models/update",
            Method::PATCH,
            registry::update_registered_model,
        ),
        (
            "registered-models/delete",
            Method::DELETE,
            registry::delete_registered_model,
        ),
        (
            "registered-models/search",
            Method::GET,
            registry::search_registered_models,
        ),
        (
            "registered-models/set-tag",
            Method::POST,
            registry::set_registered_model_tag,
        ),
        (
            "registered-models/delete-tag",
            Method::DELETE,
            registry::delete_registered_model_tag,
        ),
        (
            "registered-models/get-latest-versions",
            Method::GET,
            registry::get_latest_versions,
        ),
        (
            "registered-models/get-latest-versions",
            Method::POST,
            registry::get_latest_versions,
        ),
        ("registered-models/alias", Method::POST, registry::set_alias),
        ("registered-models/alias", Method::DELETE, registry::delete_alias),
        ("registered-models/alias", Method::GET, registry::get_version_by_alias),
        ("model-versions/create", Method::POST, registry::create_model_version),
        ("model-versions/get", Method::GET, registry::get_model_version),
        ("model-versions/update", Method::PATCH, registry::update_model_version),
        ("model-versions/delete", Method::DELETE, registry::delete_model_version),
        ("model-versions/search", Method::GET, registry::search_model_versions),
        ("model-versions/set-tag", Method::POST, registry::set_model_version_tag),
        (
            "model-versions/delete-tag",
            Method::DELETE,
            registry::delete_model_version_tag,
        ),
        (
            "model-versions/transition-stage",
            Method::POST,
            registry::transition_stage,
        ),
        (
            "model-versions/get-download-uri",
            Method::GET,
            registry::get_download_uri,
        ),
        ("logged-models", Method::POST, logged_models::create),
        ("logged-models/search", Method::POST, logged_models::search),
        ("logged-models/{model_id}", Method::GET, logged_models::get),
        ("logged-models/{model_id}", Method::PATCH, logged_models::finalize),
        ("logged-models/{model_id}", Method::DELETE, logged_models::delete),
        (
            "logged-models/{model_id}/params",
            Method::POST,
            logged_models::log_params,
        ),
        ("logged-models/{model_id}/tags", Method::PATCH, logged_models::set_tags),
        (
            "logged-models/{model_id}/tags/{tag_key}",
            Method::DELETE,
            logged_models::delete_tag,
        ),
        (
            "logged-models/{model_id}/artifacts/directories",
            Method::GET,
            logged_models::list_artifacts,
        ),
    ];
    // Paths answering more than one method get one route with the methods merged.
    let mut routes: Vec<(String, MethodRouter<Shared>)> = Vec::new();
    for (prefix, (path, method, endpoint)) in PREFIXES.iter().flat_map(|p| endpoints.iter().map(move |e| (p, e))) {
        let full = format!("{prefix}/mlflow/{path}");
        let limit = if BATCH_ENDPOINTS.contains(path) {
            MAX_BATCH_BODY
        } else {
            MAX_JSON_BODY
        };
        let route = api_limited(method.clone(), *endpoint, limit);
        match routes.iter().position(|(p, _)| *p == full) {
            Some(index) => {
                let (_, existing) = routes.swap_remove(index);
                routes.push((full, existing.merge(route)));
            }
            None => routes.push((full, route)),
        }
    }
    let mut router = Router::new();
    for (path, route) in routes {
        router = router.route(&path, route);
    }
    for prefix in PREFIXES {
        let proxied = format!("{prefix}/mlflow-artifacts/artifacts");
        router = router
            .route(&proxied, api(Method::GET, artifacts::list_proxied))
            .route(
                &format!("{proxied}/{{*path}}"),
                get(download_artifact).put(upload_artifact).delete(delete_artifact),
            )
            .route(&format!("{prefix}/mlflow/metrics/get-history"), get(metric_history))
            .route(
                &format!("{prefix}/mlflow/upload-artifact"),
                axum::routing::post(transfer::upload_run_artifact)
                    .layer(axum::extract::DefaultBodyLimit::max(transfer::MAX_UPLOAD + 1)),
            )
            .route(
                &format!("{prefix}/mlflow/logged-models/{{model_id}}/artifacts/files"),
                get(transfer::logged_model_artifact),
            );
    }
    router
        .route("/health", get(|| async { "OK" }))
        .route("/version", get(|| async { meta::MLFLOW_API_VERSION }))
        .route("/api/3.0/mlflow/server-info", api(Method::GET, meta::server_info))
        .route("/get-artifact", get(transfer::run_artifact))
        .route("/model-versions/get-artifact", get(transfer::model_version_artifact))
        .merge(ui::routes())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

/// An endpoint as the handler of one method, taking a body of up to [`MAX_JSON_BODY`].
pub(super) fn api(method: Method, endpoint: Endpoint) -> MethodRouter<Shared> {
    api_limited(method, endpoint, MAX_JSON_BODY)
}

/// An endpoint as the handler of one method, taking a body of up to `limit` bytes.
fn api_limited(method: Method, endpoint: Endpoint, limit: usize) -> MethodRouter<Shared> {
    // The store queues writes; what the server acknowledges must be on disk.
    let writes = method != Method::GET;
    let handler = move |State(state): State<Shared>, path: RawPathParams, request: Request| async move {
        let mut params = match read_params(request, limit).await {
            Ok(params) => params,
            Err(error) => return error.into_response(),
        };
        for (name, value) in &path {
            params.insert(name, value);
        }
        respond(
            blocking(move || {
                let value = endpoint(&state, &params)?;
                if writes {
                    state.tracker.flush()?;
                }
                Ok(value)
            })
            .await,
        )
    };
    let filter = MethodFilter::try_from(method).expect("endpoints use standard methods");
    on(filter, handler)
}

fn respond(result: ApiResult<Value>) -> Response {
    match result {
        Ok(value) => Json(value).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Query parameters, plus the JSON body for methods that carry one.
async fn read_params(request: Request, limit: usize) -> ApiResult<Params> {
    let (parts, body) = request.into_parts();
    let mut params = match parts.method {
        Method::GET => Params::default(),
        _ => Params::from_json(&read_body(body, limit).await?)?,
    };
    params.merge(query_params(&parts.uri)?);
    Ok(params)
}

fn query_params(uri: &Uri) -> ApiResult<Params> {
    let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map_err(|e| ApiError::bad_request(format!("Malformed query string: {e}")))?;
    Ok(Params::from_pairs(pairs))
}

async fn read_body(body: Body, limit: usize) -> ApiResult<Bytes> {
    to_bytes(body, limit).await.map_err(|_| ApiError::too_large(limit))
}

/// Run store work off the async threads; a panic becomes a 500, not a dead connection.
async fn blocking<T: Send + 'static>(work: impl FnOnce() -> ApiResult<T> + Send + 'static) -> ApiResult<T> {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|e| Err(crate::Error::Internal(format!("request handler failed: {e}")).into()))
}

/// `metrics/get-history`: checked first, so a missing run is a 404 in MLflow's shape, then
/// streamed from the store, so a page of millions of points costs the server a few pieces.
async fn metric_history(State(state): State<Shared>, request: Request) -> Response {
    let params = match read_params(request, MAX_JSON_BODY).await {
        Ok(params) => params,
        Err(error) => return error.into_response(),
    };
    let checking = state.clone();
    match blocking(move || tracking::history_page(&checking, &params)).await {
        Ok(page) => json_body(streaming::body_written_by(move |out| {
            tracking::write_history_page(&state, &page, out)
        })),
        Err(error) => error.into_response(),
    }
}

/// A streamed body as a JSON response.
fn json_body(body: Body) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn download_artifact(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    match blocking(move || artifacts::download_proxied(&state, &path)).await {
        Ok(file) => {
            // Bytes, never sniffed, and sandboxed like the UI's artifact route.
            let mut response = ui::files::sandboxed("", file);
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("application/octet-stream"),
            );
            response
        }
        Err(error) => error.into_response(),
    }
}

/// A proxied upload of any size: the body goes to a temporary file chunk by chunk, so the
/// server's memory stays flat, and then into the artifact store.
async fn upload_artifact(State(state): State<Shared>, Path(path): Path<String>, request: Request) -> Response {
    let name = path.trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string();
    let staging = match artifacts::Staging::new(&name) {
        Ok(staging) => staging,
        Err(error) => return error.into_response(),
    };
    if let Err(error) = spool(request.into_body(), staging.file()).await {
        return error.into_response();
    }
    respond(blocking(move || artifacts::upload_proxied(&state, &path, &staging)).await)
}

async fn spool(mut body: Body, into: &std::path::Path) -> ApiResult<()> {
    use axum::body::HttpBody;
    use std::io::Write;
    let failed = |e: std::io::Error| ApiError::from(crate::Error::io("buffering an artifact upload", e));
    let mut file = std::io::BufWriter::new(std::fs::File::create(into).map_err(failed)?);
    while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| ApiError::bad_request(format!("Reading the upload failed: {e}")))?;
        if let Ok(data) = frame.into_data() {
            file.write_all(&data).map_err(failed)?;
        }
    }
    file.flush().map_err(failed)
}

async fn delete_artifact(State(state): State<Shared>, Path(path): Path<String>) -> Response {
    respond(blocking(move || artifacts::delete_proxied(&state, &path)).await)
}

async fn not_found(method: Method, uri: Uri) -> Response {
    ApiError::endpoint_not_found(method.as_str(), uri.path()).into_response()
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    let mut error = ApiError::endpoint_not_found(method.as_str(), uri.path());
    error.status = StatusCode::METHOD_NOT_ALLOWED;
    error.message = format!("{} does not accept {}", uri.path(), method);
    error.into_response()
}
