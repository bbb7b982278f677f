//! The web UI: one page of HTML, CSS and JavaScript (ES modules) compiled into the binary
//! (plotly.js from the plotly crate), the JSON endpoints it reads beside MLflow's API, and run
//! artifacts served for preview under a sandbox so nothing a user logged runs in the UI's origin.

mod api;
mod assets;
pub(super) mod files;

use std::sync::Arc;

use axum::http::Method;
use axum::routing::get;
use axum::Router;

use super::routes::api as endpoint;
use super::AppState;

/// The UI's routes, to be merged into the server's router. Every URL the page uses is
/// relative, so the UI also works behind a path-prefixing proxy (Jupyter, Colab).
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/", get(assets::index))
        .route("/static/{*path}", get(assets::file))
        .route("/ui-api/experiments", endpoint(Method::GET, api::experiments))
        .route("/ui-api/runs", endpoint(Method::GET, api::runs))
        .route("/ui-api/metric-history", endpoint(Method::GET, api::metric_history))
        .route("/ui-api/model-version", endpoint(Method::GET, api::model_version))
        .route("/ui-api/artifact", get(files::artifact))
}
