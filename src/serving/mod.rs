//! `rtrack models serve`: a model behind MLflow's scoring protocol (`POST /invocations`,
//! `GET /ping`, `/health`, `/version`).
//!
//! The HTTP layer knows models only through the [`Predictor`] trait: a model kind plugs in by
//! registering a [`PredictorLoader`] that recognises its flavor in `MLmodel`. The Python
//! package registers one for `python_function` models; a pure-Rust model kind can add its own.
//!
//! ```no_run
//! use std::sync::Arc;
//! use rtrack::models::InputTable;
//! use rtrack::serving::{start, Predictor, ServeConfig};
//!
//! /// Predicts the sum of each row.
//! struct RowSum;
//! impl Predictor for RowSum {
//!     fn predict(&self, input: &InputTable) -> rtrack::Result<Vec<serde_json::Value>> {
//!         Ok(input.to_rows().iter().map(|row| row.iter().filter_map(|v| v.as_f64()).sum::<f64>().into()).collect())
//!     }
//! }
//! let server = start(Arc::new(RowSum), &ServeConfig { port: 0, ..ServeConfig::default() })?;
//! println!("POST {}/invocations", server.url());
//! server.stop()?;
//! # Ok::<(), rtrack::Error>(())
//! ```

mod payload;
mod routes;

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use serde_json::Value;

use crate::error::{Error, Result};
use crate::models::{InputTable, MlModel, ModelSignature};

pub use payload::{parse_csv_payload, parse_json_payload};

/// A loaded model that turns a table of input into predictions.
pub trait Predictor: Send + Sync {
    /// The signature requests are checked against before [`predict`](Predictor::predict)
    /// sees them; `None` passes input through unchecked.
    fn signature(&self) -> Option<&ModelSignature> {
        None
    }

    /// One prediction per row (or whatever the model returns), as JSON values.
    fn predict(&self, input: &InputTable) -> Result<Vec<Value>>;
}

/// Recognises a model folder it can serve: `None` when the flavor is not its kind.
pub type PredictorLoader = fn(&Path, &MlModel) -> Option<Result<Arc<dyn Predictor>>>;

static LOADERS: Mutex<Vec<PredictorLoader>> = Mutex::new(Vec::new());

/// Make a model kind servable (called once, e.g. when a binding module loads).
pub fn register_loader(loader: PredictorLoader) {
    let mut loaders = LOADERS.lock().unwrap_or_else(|p| p.into_inner());
    if !loaders.iter().any(|known| std::ptr::fn_addr_eq(*known, loader)) {
        loaders.push(loader);
    }
}

/// Load the model in the folder `dir` with the first loader that knows its flavors.
pub fn load_predictor(dir: &Path) -> Result<Arc<dyn Predictor>> {
    let model = MlModel::load(dir)?;
    let loaders = LOADERS.lock().unwrap_or_else(|p| p.into_inner()).clone();
    for loader in loaders {
        if let Some(found) = loader(dir, &model) {
            return found;
        }
    }
    let flavors: Vec<&String> = model.flavors.keys().collect();
    Err(Error::invalid(format!(
        "No model loader for the flavors {flavors:?} of '{}' in this process. Python models are served by the \
         `rtrack` command of the Python package (pip install rtrack)",
        dir.display()
    )))
}

/// Where the scoring server listens.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    pub host: String,
    /// 0 picks a free port.
    pub port: u16,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig { host: "127.0.0.1".into(), port: 5000 }
    }
}

/// A scoring server on a background thread; [`stop`](RunningModelServer::stop) or dropping
/// it shuts it down.
pub struct RunningModelServer {
    address: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<()>>>,
}

impl RunningModelServer {
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stop accepting and finish the requests in flight.
    pub fn stop(mut self) -> Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.thread.take() {
            Some(thread) => thread.join().map_err(|_| Error::Internal("the model server thread panicked".into()))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningModelServer {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// Serve `predictor` on a background thread; returns once listening.
pub fn start(predictor: Arc<dyn Predictor>, config: &ServeConfig) -> Result<RunningModelServer> {
    let listener = bind(config)?;
    let address = listener.local_addr().map_err(|e| Error::io("reading the server address", e))?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("rtrack-model-server".into())
        .spawn(move || {
            serve(predictor, listener, async {
                let _ = stopped.await;
            })
        })
        .map_err(|e| Error::io("starting the model server thread", e))?;
    Ok(RunningModelServer { address, shutdown: Some(shutdown), thread: Some(thread) })
}

/// Serve in this thread until Ctrl-C or SIGTERM; `announce` is told the address once listening.
pub fn serve_until_signal(predictor: Arc<dyn Predictor>, config: &ServeConfig, announce: impl FnOnce(SocketAddr)) -> Result<()> {
    let listener = bind(config)?;
    announce(listener.local_addr().map_err(|e| Error::io("reading the server address", e))?);
    serve(predictor, listener, crate::server::shutdown_signal())
}

fn bind(config: &ServeConfig) -> Result<TcpListener> {
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .map_err(|e| Error::io(format!("listening on {}:{}", config.host, config.port), e))?;
    listener.set_nonblocking(true).map_err(|e| Error::io("configuring the listening socket", e))?;
    Ok(listener)
}

fn serve(predictor: Arc<dyn Predictor>, listener: TcpListener, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("rtrack-scoring")
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the model server runtime", e))?;
    let app = routes::router(predictor);
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app).with_graceful_shutdown(shutdown).await
        })
        .map_err(|e| Error::io("serving HTTP", e))
}
