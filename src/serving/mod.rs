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

use serde_json::Value;

use crate::error::{Error, Result};
use crate::models::{InputTable, MlModel, ModelSignature};
use crate::server::http;

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
        ServeConfig {
            host: "127.0.0.1".into(),
            port: 5000,
        }
    }
}

/// A scoring server on a background thread; `stop` or dropping it shuts it down.
pub type RunningModelServer = crate::server::RunningServer;

/// Serve `predictor` on a background thread; returns once listening.
pub fn start(predictor: Arc<dyn Predictor>, config: &ServeConfig) -> Result<RunningModelServer> {
    let listener = http::bind(&config.host, config.port)?;
    let serving = listener
        .try_clone()
        .map_err(|e| Error::io("sharing the listening socket", e))?;
    http::spawn("rtrack-model-server", &listener, move |stopped| {
        serve(predictor, serving, stopped)
    })
}

/// Serve in this thread until Ctrl-C or SIGTERM; `announce` is told the address once listening.
pub fn serve_until_signal(
    predictor: Arc<dyn Predictor>,
    config: &ServeConfig,
    announce: impl FnOnce(SocketAddr),
) -> Result<()> {
    let listener = http::bind(&config.host, config.port)?;
    announce(
        listener
            .local_addr()
            .map_err(|e| Error::io("reading the server address", e))?,
    );
    serve(predictor, listener, http::shutdown_signal())
}

fn serve(
    predictor: Arc<dyn Predictor>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    http::serve_router(routes::router(predictor), listener, "rtrack-scoring", shutdown)
}
