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
    /// A failure of the background sender, reported by the next flush.
    failure: Mutex<Option<Error>>,
}

impl MetricQueue {
    /// A queue with its background sender; the sender stops when the queue is dropped.
    pub fn start(client: HttpClient) -> Arc<MetricQueue> {
        let queue = Arc::new(MetricQueue {
            client,
            pending: Mutex::new(Vec::new()),
            sending: Mutex::new(()),
            failure: Mutex::new(None),
        });
        let weak: Weak<MetricQueue> = Arc::downgrade(&queue);
        let _ = std::thread::Builder::new()
            .name("rtrack-rest-metrics".into())
            .spawn(move || loop {
                std::thread::sleep(SEND_INTERVAL);
                let Some(queue) = weak.upgrade() else { break };
                if let Err(error) = queue.send_pending() {
                    queue
                        .failure
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert(error);
                }
            });
        queue
    }

    pub fn push(&self, run_id: &str, metric: Metric) {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((run_id.to_string(), metric));
    }

    /// Send everything queued now; report any failure of an earlier background send.
    pub fn flush(&self) -> Result<()> {
        self.send_pending()?;
        match self.failure.lock().unwrap_or_else(|e| e.into_inner()).take() {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }

    fn send_pending(&self) -> Result<()> {
        let _sending = self.sending.lock().unwrap_or_else(|e| e.into_inner());
        let points = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|e| e.into_inner()));
        // One request per run and up to BATCH_LIMIT points, keeping the logging order.
        let mut start = 0;
        while start < points.len() {
            let run_id = &points[start].0;
            let mut end = start;
            while end < points.len() && end - start < BATCH_LIMIT && points[end].0 == *run_id {
                end += 1;
            }
            let metrics: Vec<&Metric> = points[start..end].iter().map(|(_, m)| m).collect();
            send_batch(&self.client, run_id, &metrics)?;
            start = end;
        }
        Ok(())
    }
}

impl Drop for MetricQueue {
    fn drop(&mut self) {
        if let Err(error) = self.send_pending() {
            eprintln!("rtrack: metrics queued for the tracking server were not sent: {error}");
        }
    }
}

pub fn send_batch(client: &HttpClient, run_id: &str, metrics: &[&Metric]) -> Result<()> {
    let body = json!({ "run_id": run_id, "metrics": metrics.iter().map(|m| metric_to_json(m)).collect::<Vec<_>>() });
    client.post("runs/log-batch", &body).map(drop)
}
