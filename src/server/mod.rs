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
mod error;
mod json;
mod logged_models;
mod meta;
mod models_json;
mod registry;
mod request;
mod routes;
mod tracking;
mod ui;

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::api::Tracker;
use crate::artifacts::{open_artifact_store, ArtifactStore};
use crate::error::{Error, Result};
use crate::store;

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
            Some(destination) => {
                Tracker::from_store(store::open_store_with_artifact_root(&config.backend_store_uri, Some(destination))?)
            }
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

/// A server answering on a background thread; [`stop`](RunningServer::stop) (or dropping
/// it) shuts it down gracefully.
pub struct RunningServer {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl RunningServer {
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// `http://host:port`, what clients use as their tracking URI.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stop accepting, finish requests in flight, write everything queued.
    pub fn stop(mut self) -> Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| Error::Internal("the server thread panicked".into()))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// Open the store, bind, and serve on a background thread. Returns once the server is
/// listening, so a bad store or a taken port is reported here.
pub fn start(config: &ServerConfig) -> Result<RunningServer> {
    let state = Arc::new(AppState::open(config)?);
    let listener = bind(config)?;
    let address = listener.local_addr().map_err(|e| Error::io("reading the server address", e))?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("rtrack-server".into())
        .spawn(move || {
            serve(state, listener, async {
                let _ = stopped.await;
            })
        })
        .map_err(|e| Error::io("starting the server thread", e))?;
    Ok(RunningServer { address, shutdown: Some(shutdown), thread: Some(thread) })
}

/// Serve in this thread until Ctrl-C or SIGTERM, then shut down gracefully. `announce` is
/// told the address once the server listens.
pub fn serve_until_signal(config: &ServerConfig, announce: impl FnOnce(SocketAddr)) -> Result<()> {
    let state = Arc::new(AppState::open(config)?);
    let listener = bind(config)?;
    announce(listener.local_addr().map_err(|e| Error::io("reading the server address", e))?);
    serve(state, listener, shutdown_signal())
}

fn bind(config: &ServerConfig) -> Result<TcpListener> {
    let listener = TcpListener::bind((config.host.as_str(), config.port)).map_err(|e| {
        Error::io(format!("listening on {}:{}", config.host, config.port), e)
    })?;
    listener.set_nonblocking(true).map_err(|e| Error::io("configuring the listening socket", e))?;
    Ok(listener)
}

fn serve(state: Arc<AppState>, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rtrack-http")
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the server runtime", e))?;
    let app = routes::router(state.clone());
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, app).with_graceful_shutdown(shutdown).await
    });
    // Requests in flight have finished; make whatever they queued durable.
    let flushed = state.tracker.flush();
    served.map_err(|e| Error::io("serving HTTP", e))?;
    flushed
}

pub(crate) async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {},
        _ = terminate => {},
    }
}
