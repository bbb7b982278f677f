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
mod locations;
mod logged_models;
mod meta;
mod models_json;
mod registry;
mod request;
mod routes;
mod security;
mod streaming;
mod tracking;
mod transfer;
mod ui;

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Router;

use crate::api::Tracker;
use crate::artifacts::{
    file_uri_to_path, open_artifact_store, path_to_file_uri, uri_scheme, ArtifactPath, ArtifactStore, PROXY_SCHEME,
};
use crate::error::{Error, Result};
use crate::store::{self, StoreLocation};

pub use http::RunningServer;
pub use json::ArtifactUris;

/// Where the server keeps things, what it serves and where it listens (the options of
/// `rtrack server`, named as MLflow names them).
#[derive(Clone, Debug)]
pub struct ServerConfig {
    /// A tracking URI of the embedded store: a folder, `file:` or `sqlite:///` URI.
    pub backend_store_uri: String,
    /// Where proxied artifacts live (a folder or `file:` URI); by default the store's own
    /// `artifacts/` folder. Object stores (`s3://`, ...) are refused until they are supported.
    pub artifacts_destination: Option<PathBuf>,
    /// Where new experiments keep their artifacts (MLflow's `--default-artifact-root`): a
    /// folder, a `file:` URI, or `mlflow-artifacts:/[path]` for a place under the artifacts
    /// destination. By default the artifacts destination when artifacts are served, else the
    /// store's own `artifacts/` folder. Experiments that exist keep their location.
    pub default_artifact_root: Option<String>,
    /// Proxy artifact uploads, downloads and listings, handing clients `mlflow-artifacts:/`
    /// URIs (MLflow's `--serve-artifacts`, the default). Off, clients get the stored file URIs
    /// and reach the files themselves, and the proxied routes answer 503.
    pub serve_artifacts: bool,
    /// Answer only the proxied artifact routes (and `/health`, `/version`); every other route
    /// answers 503.
    pub artifacts_only: bool,
    /// Serve the UI and every route under this path (`/mlflow`): MLflow's `--static-prefix`.
    pub static_prefix: Option<String>,
    pub host: String,
    /// 0 picks a free port (see [`RunningServer::address`]).
    pub port: u16,
    /// Host headers answered besides the loopback names and the address bound (MLflow's
    /// `--allowed-hosts`): names or patterns with `*` (`*.example.com`, `10.0.0.*:5000`);
    /// `*` answers every host. Other hosts get 403, which defeats DNS rebinding.
    pub allowed_hosts: Vec<String>,
    /// Origins whose pages may change state here (MLflow's `--cors-allowed-origins`),
    /// besides this server's own pages and loopback origins; patterns with `*`, or `*` for
    /// every origin. Empty by default: another site's page cannot post to the API.
    pub cors_allowed_origins: Vec<String>,
    /// Origins allowed to frame the UI besides its own (CSP `frame-ancestors` sources, e.g.
    /// a notebook server's `http://localhost:8888`); empty by default.
    pub frame_ancestors: Vec<String>,
}

impl ServerConfig {
    /// A server on 127.0.0.1:5000 over the store at `backend_store_uri`, serving artifacts.
    pub fn new(backend_store_uri: &str) -> ServerConfig {
        ServerConfig {
            backend_store_uri: backend_store_uri.to_string(),
            artifacts_destination: None,
            default_artifact_root: None,
            serve_artifacts: true,
            artifacts_only: false,
            static_prefix: None,
            host: "127.0.0.1".to_string(),
            port: 5000,
            allowed_hosts: Vec::new(),
            cors_allowed_origins: Vec::new(),
            frame_ancestors: Vec::new(),
        }
    }

    /// Refuse what this build cannot serve (a store or artifact location it cannot reach,
    /// options that contradict each other) before anything is opened.
    pub fn validate(&self) -> Result<()> {
        self.resolve().map(|_| ())
    }

    fn resolve(&self) -> Result<Resolved> {
        let own_root = match StoreLocation::parse(&self.backend_store_uri)? {
            StoreLocation::Sqlite { artifact_root, .. } => artifact_root,
            #[cfg(feature = "remote")]
            StoreLocation::Rest { base_url } => {
                return Err(Error::invalid(format!(
                    "Unsupported backend store URI '{base_url}': it is another tracking server; \
                     serve an embedded store (a folder, file:/path or sqlite:///path.db)"
                )))
            }
        };
        if let Some(prefix) = &self.static_prefix {
            validate_static_prefix(prefix)?;
        }
        security::Policy::new(self)?;
        if !self.serve_artifacts && self.artifacts_only {
            return Err(Error::invalid(
                "--artifacts-only serves nothing but the proxied artifacts; it cannot be combined with --no-serve-artifacts",
            ));
        }
        if !self.serve_artifacts && self.artifacts_destination.is_some() {
            return Err(Error::invalid(
                "--artifacts-destination is where the server writes proxied artifacts, and --no-serve-artifacts \
                 proxies none; to choose where clients write, use --default-artifact-root",
            ));
        }
        let destination = match &self.artifacts_destination {
            Some(path) => Some(local_location(&path.to_string_lossy(), "artifacts destination")?),
            None => None,
        };
        let proxy_root = destination.clone().unwrap_or_else(|| own_root.clone());
        let experiments_root = match self.default_artifact_root.as_deref() {
            Some(root) => match root.strip_prefix(PROXY_SCHEME) {
                Some(_) if !self.serve_artifacts => {
                    return Err(Error::invalid(format!(
                        "--default-artifact-root '{root}' names the proxied artifacts, and --no-serve-artifacts \
                         turns the proxy off; give a folder or file:// URI instead"
                    )))
                }
                Some(rest) => Some(ArtifactPath::parse(rest.trim_matches('/'))?.to_path(&proxy_root)),
                None => Some(local_location(root, "default artifact root")?),
            },
            None if self.serve_artifacts => destination,
            None => None,
        };
        Ok(Resolved {
            proxy_root,
            experiments_root,
        })
    }
}

/// What a [`ServerConfig`] means on disk.
struct Resolved {
    /// The folder the proxied `mlflow-artifacts:/` paths are relative to.
    proxy_root: PathBuf,
    /// Where new experiments' artifacts go; `None` for the store's own folder.
    experiments_root: Option<PathBuf>,
}

/// MLflow's rules for `--static-prefix`: a path that starts with `/`, does not end with one
/// and has no route pattern braces.
fn validate_static_prefix(prefix: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::invalid(format!("Invalid --static-prefix '{prefix}': {why}")));
    if !prefix.starts_with('/') {
        return bad("it must begin with '/'");
    }
    if prefix.ends_with('/') {
        return bad("it must not end with '/'");
    }
    if prefix.contains(['{', '}', '?', '#', '*']) || prefix.chars().any(char::is_whitespace) {
        return bad("it must be a plain path, without '{', '}', '?', '#', '*' or spaces");
    }
    Ok(())
}

/// The local folder an artifact location names (a path or `file:` URI); other schemes are
/// refused with what would be needed for them.
fn local_location(uri: &str, what: &str) -> Result<PathBuf> {
    let Some(scheme) = uri_scheme(uri) else {
        return store::location::absolute(Path::new(uri));
    };
    let reason = match scheme.to_ascii_lowercase().as_str() {
        "file" => return file_uri_to_path(uri),
        "s3" | "s3a" | "gs" | "wasbs" | "wasb" | "abfss" | "abfs" | "adl" | "oss" | "r2" => {
            "object stores are not supported by this build yet"
        }
        "hdfs" | "viewfs" | "ftp" | "sftp" | "dbfs" | "uc-volumes" => "this storage is not supported by this build",
        "http" | "https" => "artifacts behind another server are not supported",
        "mlflow-artifacts" => "that is the proxied form clients see; give the folder the server writes to",
        "postgresql" | "postgres" | "mysql" | "mssql" | "sqlite" => "that is a database URI, not an artifact location",
        _ => "the scheme is unknown",
    };
    Err(Error::invalid(format!(
        "Unsupported {what} '{uri}': scheme '{scheme}' ({reason}); use a local folder or a file:// URI"
    )))
}

/// What every request handler shares.
pub struct AppState {
    tracker: Tracker,
    artifacts: Arc<dyn ArtifactStore>,
    /// The artifact root as a file URI: the base of the proxied `mlflow-artifacts` paths.
    artifact_root: String,
    uris: ArtifactUris,
    /// Whether new experiments' files go outside the proxied root by default (a local
    /// `--default-artifact-root`): clients then write local locations themselves, and may
    /// name other local folders, as with MLflow.
    local_experiment_roots: bool,
}

impl AppState {
    fn open(config: &ServerConfig) -> Result<AppState> {
        let resolved = config.resolve()?;
        let tracker = match &resolved.experiments_root {
            // The process's own store for this URI: a server started inside a notebook
            // kernel then reads what the kernel queued a moment ago, not after a flush.
            None => crate::api::fluent::tracker_for(&config.backend_store_uri)?,
            Some(root) => Tracker::from_store(store::open_store_with_artifact_root(
                &config.backend_store_uri,
                Some(root),
            )?),
        };
        std::fs::create_dir_all(&resolved.proxy_root).map_err(|e| {
            Error::io(
                format!("creating the artifact folder {}", resolved.proxy_root.display()),
                e,
            )
        })?;
        let artifact_root = path_to_file_uri(&resolved.proxy_root);
        let local_experiment_roots = resolved
            .experiments_root
            .as_ref()
            .is_some_and(|root| !root.starts_with(&resolved.proxy_root));
        Ok(AppState {
            local_experiment_roots,
            artifacts: open_artifact_store(&artifact_root)?,
            uris: if config.serve_artifacts {
                ArtifactUris::new(&artifact_root)
            } else {
                ArtifactUris::unproxied()
            },
            artifact_root,
            tracker,
        })
    }
}

/// The routes of a server with `config`: MLflow's API and the UI, less what the options turn
/// off, under the static prefix if there is one.
fn app(state: Arc<AppState>, config: &ServerConfig) -> Result<Router> {
    let policy = Arc::new(security::Policy::new(config)?);
    let gate = Gate {
        serve_artifacts: config.serve_artifacts,
        artifacts_only: config.artifacts_only,
    };
    let mut app = routes::router(state);
    if !gate.serve_artifacts || gate.artifacts_only {
        app = app.layer(axum::middleware::from_fn_with_state(gate, refuse_disabled));
    }
    let app = match &config.static_prefix {
        None => app,
        // The whole app as the fallback of a router with no routes, so the layer sees every
        // request before the app routes it and can take the prefix off.
        Some(prefix) => Router::new()
            .fallback_service(app)
            .layer(axum::middleware::from_fn_with_state(
                Prefix(prefix.clone()),
                strip_prefix,
            )),
    };
    // Runs of slashes in a path count as one, as in MLflow's server (`//api/...`), before
    // anything routes the request.
    let app = Router::new()
        .fallback_service(app)
        .layer(axum::middleware::from_fn(merge_slashes));
    // Outermost, so every request is checked and every response marked, whatever answers it.
    Ok(app.layer(axum::middleware::from_fn_with_state(policy, security::guard)))
}

/// `a//b` is answered as `a/b`.
async fn merge_slashes(mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.contains("//") {
        let mut merged = String::with_capacity(path.len());
        for c in path.chars() {
            if !(c == '/' && merged.ends_with('/')) {
                merged.push(c);
            }
        }
        if let Some(query) = request.uri().query() {
            merged = format!("{merged}?{query}");
        }
        if let Ok(uri) = merged.parse() {
            *request.uri_mut() = uri;
        }
    }
    next.run(request).await
}

#[derive(Clone)]
struct Prefix(String);

/// `--static-prefix`: `<prefix>/<path>` is answered as `/<path>`; `<prefix>` itself
/// redirects to `<prefix>/`, since the UI's URLs are relative to its page; anything else is
/// not found.
async fn strip_prefix(State(Prefix(prefix)): State<Prefix>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path == prefix {
        return Redirect::permanent(&format!("{prefix}/")).into_response();
    }
    let Some(rest) = path.strip_prefix(prefix.as_str()).filter(|rest| rest.starts_with('/')) else {
        return error::ApiError::endpoint_not_found(request.method().as_str(), path).into_response();
    };
    let target = match request.uri().query() {
        Some(query) => format!("{rest}?{query}"),
        None => rest.to_string(),
    };
    match target.parse() {
        Ok(uri) => {
            *request.uri_mut() = uri;
            next.run(request).await
        }
        Err(_) => error::ApiError::bad_request(format!("Malformed request path {path}")).into_response(),
    }
}

/// Which routes `--no-serve-artifacts` and `--artifacts-only` leave answering.
#[derive(Clone, Copy)]
struct Gate {
    serve_artifacts: bool,
    artifacts_only: bool,
}

/// Routes switched off by the options answer 503 with MLflow's error shape, saying which
/// option did it.
async fn refuse_disabled(State(gate): State<Gate>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let proxied = path == "/api/2.0/mlflow-artifacts" || path.starts_with("/api/2.0/mlflow-artifacts/");
    let always = matches!(path, "/health" | "/version");
    let refusal = if proxied && !gate.serve_artifacts {
        Some("the server runs with --no-serve-artifacts; clients read and write artifact locations directly")
    } else if gate.artifacts_only && !proxied && !always {
        Some("the server runs with --artifacts-only; it serves only /api/2.0/mlflow-artifacts/")
    } else {
        None
    };
    match refusal {
        Some(why) => error::ApiError {
            status: StatusCode::SERVICE_UNAVAILABLE,
            code: "FEATURE_DISABLED",
            message: format!("Endpoint {path} is disabled: {why}"),
        }
        .into_response(),
        None => next.run(request).await,
    }
}

/// Open the store, bind, and serve on a background thread. Returns once the server is
/// listening, so a bad store or a taken port is reported here.
pub fn start(config: &ServerConfig) -> Result<RunningServer> {
    let state = Arc::new(AppState::open(config)?);
    let app = app(state.clone(), config)?;
    let listener = http::bind(&config.host, config.port)?;
    let serving = listener
        .try_clone()
        .map_err(|e| Error::io("sharing the listening socket", e))?;
    http::spawn("rtrack-server", &listener, move |stopped| {
        serve(state, app, serving, stopped)
    })
}

/// Serve in this thread until Ctrl-C or SIGTERM, then shut down gracefully. `announce` is
/// told the address once the server listens.
pub fn serve_until_signal(config: &ServerConfig, announce: impl FnOnce(SocketAddr)) -> Result<()> {
    let state = Arc::new(AppState::open(config)?);
    let app = app(state.clone(), config)?;
    let listener = http::bind(&config.host, config.port)?;
    announce(
        listener
            .local_addr()
            .map_err(|e| Error::io("reading the server address", e))?,
    );
    serve(state, app, listener, http::shutdown_signal())
}

fn serve(
    state: Arc<AppState>,
    app: Router,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let served = http::serve_router(app, listener, "rtrack-http", shutdown);
    // Requests in flight have finished; make whatever they queued durable.
    let flushed = state.tracker.flush();
    served?;
    flushed
}
