//! `rtrack server`: MLflow's REST API over HTTP on any [`TrackingStore`], so MLflow's own
//! client (and rtrack's REST store) log to it unchanged, and the web UI beside it.
//!
//! ```no_run
//! use rtrack::server::{ServerConfig, start};
//!
//! let server = start(&ServerConfig { port: 0, ..ServerConfig::new("./rtruns") })?;
//! println!("MLflow clients can log to {}", server.url());
//! server.stop()?; // waits for requests in flight, then writes what is queued
//! # Ok::<(), rtrack::Error>(())
//! ```

mod artifacts;
mod datasets;
mod error;
mod history;
pub(crate) mod http;
mod json;
mod logged_models;
mod meta;
mod models_json;
mod registry;
mod request;
mod routes;
mod tracking;
mod transfer;
mod ui;

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use crate::api::Tracker;
use crate::artifacts::{open_artifact_store, ArtifactStore};
use crate::error::{Error, Result};
use crate::store;

pub use http::RunningServer;
pub use json::ArtifactUris;

/// Where the server keeps things and where it listens.
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// A tracking URI of the embedded store: a folder, `file:` or `sqlite:///` URI.
    pub backend_store_uri: String,
    /// Where proxied artifacts live; by default the store's own `artifacts/` folder.
    pub artifacts_destination: Option<PathBuf>,
    pub host: String,
    /// 0 picks a free port (see [`RunningServer::address`]).
    pub port: u16,
}

impl ServerConfig {
    /// A server on 127.0.0.1:5000 over the store at `backend_store_uri`.
    pub fn new(backend_store_uri: &str) -> ServerConfig {
        ServerConfig {
            backend_store_uri: backend_store_uri.to_string(),
            artifacts_destination: None,
            host: "127.0.0.1".to_string(),
            port: 5000,
        }
    }
}

/// What every request handler shares.
pub struct AppState {
    tracker: Tracker,
    artifacts: Arc<dyn ArtifactStore>,
    /// The artifact root as a file URI: the base of the proxied `mlflow-artifacts` paths.
    artifact_root: String,
    uris: ArtifactUris,
}

impl AppState {
    fn open(config: &ServerConfig) -> Result<AppState> {
        let tracker = match &config.artifacts_destination {
            // The process's own store for this URI: a server started inside a notebook
            // kernel then reads what the kernel queued a moment ago, not after a flush.
            None => crate::api::fluent::tracker_for(&config.backend_store_uri)?,
            Some(destination) => Tracker::from_store(store::open_store_with_artifact_root(
                &config.backend_store_uri,
                Some(destination),
            )?),
        };
        let store = tracker.store().clone();
        let artifact_root = store.default_artifact_root().to_string();
        Ok(AppState {
            artifacts: open_artifact_store(&artifact_root)?,
            uris: ArtifactUris::new(&artifact_root),
            artifact_root,
            tracker,
        })
    }
}

/// Open the store, bind, and serve on a background thread. Returns once the server is
/// listening, so a bad store or a taken port is reported here.
pub fn start(config: &ServerConfig) -> Result<RunningServer> {
    let state = Arc::new(AppState::open(config)?);
    let listener = http::bind(&config.host, config.port)?;
    let serving = listener
        .try_clone()
        .map_err(|e| Error::io("sharing the listening socket", e))?;
    http::spawn("rtrack-server", &listener, move |stopped| {
        serve(state, serving, stopped)
    })
}

/// Serve in this thread until Ctrl-C or SIGTERM, then shut down gracefully. `announce` is
/// told the address once the server listens.
pub fn serve_until_signal(config: &ServerConfig, announce: impl FnOnce(SocketAddr)) -> Result<()> {
    let state = Arc::new(AppState::open(config)?);
    let listener = http::bind(&config.host, config.port)?;
    announce(
        listener
            .local_addr()
            .map_err(|e| Error::io("reading the server address", e))?,
    );
    serve(state, listener, http::shutdown_signal())
}

fn serve(
    state: Arc<AppState>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let served = http::serve_router(routes::router(state.clone()), listener, "rtrack-http", shutdown);
    // Requests in flight have finished; make whatever they queued durable.
    let flushed = state.tracker.flush();
    served?;
    flushed
}
