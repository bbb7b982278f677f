//! Metric points logged through a remote store are queued and sent in `log-batch`
//! requests: by a background thread at least every 100 ms, and by `flush` (which every
//! read and `update_run` call first, so a caller always reads its own writes).

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use serde_json::json;

use super::http::HttpClient;
use crate::entities::Metric;
use crate::error::{Error, Result};
use crate::proto_json::metric_to_json;

const SEND_INTERVAL: Duration = Duration::from_millis(100);
/// MLflow's server takes at most 1,000 metrics per log-batch request.
pub const BATCH_LIMIT: usize = 1000;

pub struct MetricQueue {
    client: HttpClient,
    pending: Mutex<Vec<(String, Metric)>>,
    /// Held while a batch is in flight, so a flush waits for batches already taken.
    sending: Mutex<()>,
    /// Points the server refused for good (a deleted run, a bad key), reported once, by the
    /// next flush. Points that failed to reach it stay queued instead.
    refused: Mutex<Option<Error>>,
}

impl MetricQueue {
    /// A queue with its background sender; the sender stops when the queue is dropped.
    pub fn start(client: HttpClient) -> Arc<MetricQueue> {
        let queue = Arc::new(MetricQueue {
            client,
            pending: Mutex::new(Vec::new()),
            sending: Mutex::new(()),
            refused: Mutex::new(None),
        });
        let weak: Weak<MetricQueue> = Arc::downgrade(&queue);
        let _ = std::thread::Builder::new()
            .name("rtrack-rest-metrics".into())
            .spawn(move || loop {
                std::thread::sleep(SEND_INTERVAL);
                let Some(queue) = weak.upgrade() else { break };
                // A failure to reach the server leaves the points queued for the next try;
                // the flush that finds it failing still says so.
                let _ = queue.send_pending(&queue.client);
            });
        queue
    }

    pub fn push(&self, run_id: &str, metric: Metric) {
        lock(&self.pending).push((run_id.to_string(), metric));
    }

    /// Send everything queued now. Fails if the server cannot be reached (the points stay
    /// queued) or refused points since the last flush (those are dropped, and said once).
    pub fn flush(&self) -> Result<()> {
        self.send_pending(&self.client)?;
        match lock(&self.refused).take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn send_pending(&self, client: &HttpClient) -> Result<()> {
        let _sending = lock(&self.sending);
        let points = std::mem::take(&mut *lock(&self.pending));
        // One request per run and up to BATCH_LIMIT points, keeping the logging order.
        let mut start = 0;
        while start < points.len() {
            let run_id = &points[start].0;
            let mut end = start;
            while end < points.len() && end - start < BATCH_LIMIT && points[end].0 == *run_id {
                end += 1;
            }
            let metrics: Vec<&Metric> = points[start..end].iter().map(|(_, m)| m).collect();
            match send_batch(client, run_id, &metrics) {
                Ok(()) => {}
                Err(error) if server_refused(&error) => {
                    let dropped = end - start;
                    lock(&self.refused).get_or_insert(Error::InvalidValue(format!(
                        "The tracking server refused {dropped} metric point(s) of run '{run_id}': {error}"
                    )));
                }
                Err(error) => {
                    // Not delivered: back to the front of the queue, before newer points.
                    let mut pending = lock(&self.pending);
                    let newer = std::mem::take(&mut *pending);
                    pending.extend(points[start..].iter().cloned());
                    pending.extend(newer);
                    return Err(error);
                }
            }
            start = end;
        }
        Ok(())
    }

    fn queued(&self) -> usize {
        lock(&self.pending).len()
    }
}

impl Drop for MetricQueue {
    /// One last try, without the long backoff: a process that exits should not hang on a
    /// server that is down, but it must say what it could not send.
    fn drop(&mut self) {
        let client = self.client.with_max_retries(1);
        if let Err(error) = self.send_pending(&client) {
            eprintln!(
                "rtrack: {} metric point(s) queued for the tracking server at {} could not be sent: {error}",
                self.queued(),
                self.client.base()
            );
        }
        if let Some(error) = lock(&self.refused).take() {
            eprintln!("rtrack: {error}");
        }
    }
}

/// Whether the server answered and said no (a 4xx): sending the same points again cannot
/// succeed. Transport failures and the server's own failures may pass.
fn server_refused(error: &Error) -> bool {
    matches!(
        error,
        Error::InvalidValue(_) | Error::NotFound(_) | Error::AlreadyExists(_)
    )
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

pub fn send_batch(client: &HttpClient, run_id: &str, metrics: &[&Metric]) -> Result<()> {
    let body = json!({ "run_id": run_id, "metrics": metrics.iter().map(|m| metric_to_json(m)).collect::<Vec<_>>() });
    client.post("runs/log-batch", &body).map(drop)
}
