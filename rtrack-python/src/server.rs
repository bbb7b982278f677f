//! `%rtrack ui`: the tracking server on a background thread of the Python process. Starting
//! and stopping release the GIL; the server thread never touches Python, so it keeps
//! answering while the kernel is idle or busy.

use std::sync::Mutex;

use pyo3::prelude::*;

use crate::errors::PyResult;

use rtrack::server::{self, RunningServer, ServerConfig};

#[pyclass(frozen, name = "_UiServer", module = "rtrack")]
pub struct PyUiServer {
    server: Mutex<Option<RunningServer>>,
    #[pyo3(get)]
    url: String,
    #[pyo3(get)]
    port: u16,
    #[pyo3(get)]
    backend_store_uri: String,
}

#[pymethods]
impl PyUiServer {
    /// Serve the store at `backend_store_uri`; port 0 picks a free one. Returns once the
    /// server listens. `frame_ancestors` are the notebook's origins, allowed to frame the UI;
    /// `allowed_hosts` and `cors_allowed_origins` widen the server's checks (a proxy's host).
    #[new]
    #[pyo3(signature = (backend_store_uri, host="127.0.0.1", port=0, frame_ancestors=Vec::new(), allowed_hosts=Vec::new(), cors_allowed_origins=Vec::new()))]
    fn new(
        py: Python<'_>,
        backend_store_uri: String,
        host: &str,
        port: u16,
        frame_ancestors: Vec<String>,
        allowed_hosts: Vec<String>,
        cors_allowed_origins: Vec<String>,
    ) -> PyResult<Self> {
        let config = ServerConfig {
            host: host.to_string(),
            port,
            frame_ancestors,
            allowed_hosts,
            cors_allowed_origins,
            ..ServerConfig::new(&backend_store_uri)
        };
        let running = py.detach(|| server::start(&config))?;
        Ok(PyUiServer {
            url: running.url(),
            port: running.address().port(),
            server: Mutex::new(Some(running)),
            backend_store_uri,
        })
    }
    #[getter]
    fn running(&self) -> bool {
        self.server.lock().map(|server| server.is_some()).unwrap_or(false)
    }
    /// Finish requests in flight and stop; stopping twice is fine.
    fn stop(&self, py: Python<'_>) -> PyResult<()> {
        let running = self.server.lock().unwrap_or_else(|p| p.into_inner()).take();
        match running {
            Some(server) => Ok(py.detach(|| server.stop())?),
            None => Ok(()),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "<UiServer {} ({})>",
            self.url,
            if self.running() { "running" } else { "stopped" }
        )
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(module.add_class::<PyUiServer>()?)
}
