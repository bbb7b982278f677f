//! What every HTTP server of rtrack shares (the tracking server with its UI, and the model
//! scoring server): binding, a tokio runtime serving an axum router until told to stop,
//! Ctrl-C/SIGTERM handling, and the handle of a server running on a background thread.

use std::future::Future;
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;

use axum::Router;

use crate::error::{Error, Result};

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

    /// `http://host:port`, what clients use to reach it.
    pub fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stop accepting, finish requests in flight, and let the server tidy up.
    pub fn stop(mut self) -> Result<()> {
        self.shut_down()
    }

    fn shut_down(&mut self) -> Result<()> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .map_err(|_| Error::Internal("the server thread panicked".into()))?,
            None => Ok(()),
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let _ = self.shut_down();
    }
}

/// Listen on `host:port` (0 picks a free port).
pub(crate) fn bind(host: &str, port: u16) -> Result<TcpListener> {
    let listener = TcpListener::bind((host, port)).map_err(|e| Error::io(format!("listening on {host}:{port}"), e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("configuring the listening socket", e))?;
    Ok(listener)
}

/// Run `serve` on a thread named `name`, handing it the future that resolves when the
/// returned handle is stopped or dropped.
pub(crate) fn spawn<F>(name: &str, listener: &TcpListener, serve: F) -> Result<RunningServer>
where
    F: FnOnce(std::pin::Pin<Box<dyn Future<Output = ()> + Send>>) -> Result<()> + Send + 'static,
{
    let address = listener
        .local_addr()
        .map_err(|e| Error::io("reading the server address", e))?;
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || {
            serve(Box::pin(async {
                let _ = stopped.await;
            }))
        })
        .map_err(|e| Error::io(format!("starting the {name} thread"), e))?;
    Ok(RunningServer {
        address,
        shutdown: Some(shutdown),
        thread: Some(thread),
    })
}

/// Serve `app` on `listener` from a small runtime of its own until `shutdown` resolves,
/// finishing the requests in flight.
pub(crate) fn serve_router(
    app: Router,
    listener: TcpListener,
    thread_name: &str,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(thread_name)
        .enable_all()
        .build()
        .map_err(|e| Error::io("starting the server runtime", e))?;
    runtime
        .block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener)?;
            axum::serve(listener, app).with_graceful_shutdown(shutdown).await
        })
        .map_err(|e| Error::io("serving HTTP", e))
}

/// Resolves on Ctrl-C or SIGTERM.
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
