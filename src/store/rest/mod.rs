//! The REST client store: a tracking URI `http://host:port` names an MLflow-compatible
//! server (`rtrack server`, or MLflow's own), and every store call becomes one of MLflow's
//! REST requests. Metric points are queued and sent in batches, as the embedded store
//! queues them for its writer.

mod decode;
mod http;
mod logged_models;
mod queue;
mod registry;
mod settings;

use std::sync::Arc;

use serde_json::{json, Value};

pub use self::http::HttpClient;
use self::queue::{send_batch, MetricQueue, BATCH_LIMIT};
pub use self::settings::HttpSettings;
use super::{ExperimentSearch, NewRun, RunSearch, RunUpdate, TrackingStore};
use crate::artifacts::{self, ArtifactStore, HttpArtifactStore};
use crate::entities::{Experiment, ExperimentId, Metric, MetricSeries, Page, Run, RunInfo, ViewType};
use crate::error::Result;

/// MLflow caps params and tags per log-batch request at 100 each.
const PARAMS_PER_BATCH: usize = 100;
/// History is read in pages of this many points.
const HISTORY_PAGE: usize = 100_000;

pub struct RestStore {
    uri: String,
    client: HttpClient,
    metrics: Arc<MetricQueue>,
}

impl RestStore {
    /// A store on the server at `uri`, with timeouts and retries from the environment.
    pub fn open(uri: &str) -> Result<RestStore> {
        Ok(RestStore::open_with(uri, HttpSettings::from_env()?))
    }

    pub fn open_with(uri: &str, settings: HttpSettings) -> RestStore {
        let client = HttpClient::new(uri, settings);
        RestStore {
            uri: uri.to_string(),
            metrics: MetricQueue::start(client.clone()),
            client,
        }
    }

    fn post(&self, endpoint: &str, body: Value) -> Result<Value> {
        self.client.post(endpoint, &body)
    }

    fn get(&self, endpoint: &str, query: &[(&str, String)]) -> Result<Value> {
        self.metrics.flush()?;
        self.client.get(endpoint, query)
    }
}

/// Params or tags as MLflow's `[{"key", "value"}]`.
fn key_values_json(pairs: &[(String, String)]) -> Value {
    crate::proto_json::key_values_to_json(pairs.iter().map(|(k, v)| (k, v)))
}

fn view_name(view: ViewType) -> &'static str {
    match view {
        ViewType::ActiveOnly => "ACTIVE_ONLY",
        ViewType::DeletedOnly => "DELETED_ONLY",
        ViewType::All => "ALL",
    }
}

/// The reply's next page token; MLflow servers may send an empty one on the last page.
fn next_token(reply: &Value) -> Option<String> {
    reply["next_page_token"]
        .as_str()
        .filter(|t| !t.is_empty())
        .map(str::to_string)
}

impl TrackingStore for RestStore {
    fn uri(&self) -> &str {
        &self.uri
    }

    fn default_artifact_root(&self) -> &str {
        "mlflow-artifacts:/"
    }

    fn artifact_store(&self, artifact_uri: &str) -> Result<Arc<dyn ArtifactStore>> {
        if artifact_uri.starts_with(artifacts::PROXY_SCHEME) {
            Ok(Arc::new(HttpArtifactStore::new(self.client.clone())))
        } else {
            artifacts::open_artifact_store(artifact_uri)
        }
    }

    fn create_experiment(
        &self,
        name: &str,
        artifact_location: Option<&str>,
        tags: &[(String, String)],
    ) -> Result<ExperimentId> {
        let mut body = json!({ "name": name, "tags": key_values_json(tags) });
        if let Some(location) = artifact_location {
            body["artifact_location"] = json!(location);
        }
        decode::experiment_id(&self.post("experiments/create", body)?, "created experiment")
    }

    fn get_experiment(&self, id: ExperimentId) -> Result<Experiment> {
        decode::experiment(&self.get("experiments/get", &[("experiment_id", id.to_string())])?["experiment"])
    }

    fn get_experiment_by_name(&self, name: &str) -> Result<Option<Experiment>> {
        match self.get("experiments/get-by-name", &[("experiment_name", name.to_string())]) {
            Ok(reply) => Ok(Some(decode::experiment(&reply["experiment"])?)),
            Err(crate::Error::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    fn search_experiments(&self, search: &ExperimentSearch) -> Result<Page<Experiment>> {
        let mut body = json!({
            "filter": search.filter,
            "view_type": view_name(search.view),
            "max_results": search.max_results,
            "order_by": search.order_by,
        });
        if let Some(token) = &search.page_token {
            body["page_token"] = json!(token);
        }
        let reply = self.post("experiments/search", body)?;
        let items = reply["experiments"].as_array().map(Vec::as_slice).unwrap_or_default();
        Ok(Page {
            items: items.iter().map(decode::experiment).collect::<Result<_>>()?,
            next_page_token: next_token(&reply),
        })
    }

    fn rename_experiment(&self, id: ExperimentId, new_name: &str) -> Result<()> {
        self.post(
            "experiments/update",
            json!({ "experiment_id": id.to_string(), "new_name": new_name }),
        )
        .map(drop)
    }

    fn delete_experiment(&self, id: ExperimentId) -> Result<()> {
        self.post("experiments/delete", json!({ "experiment_id": id.to_string() }))
            .map(drop)
    }

    fn restore_experiment(&self, id: ExperimentId) -> Result<()> {
        self.post("experiments/restore", json!({ "experiment_id": id.to_string() }))
            .map(drop)
    }

    fn set_experiment_tag(&self, id: ExperimentId, key: &str, value: &str) -> Result<()> {
        self.post(
            "experiments/set-experiment-tag",
            json!({ "experiment_id": id.to_string(), "key": key, "value": value }),
        )
        .map(drop)
    }

    fn delete_experiment_tag(&self, id: ExperimentId, key: &str) -> Result<()> {
        self.post(
            "experiments/delete-experiment-tag",
            json!({ "experiment_id": id.to_string(), "key": key }),
        )
        .map(drop)
    }

    fn create_run(&self, run: NewRun) -> Result<Run> {
        let mut body = json!({ "user_id": run.user_id, "tags": key_values_json(&run.tags) });
        if let Some(id) = run.experiment_id {
            body["experiment_id"] = json!(id.to_string());
        }
        if let Some(start_time) = run.start_time {
            body["start_time"] = json!(start_time);
        }
        if let Some(name) = run.run_name {
            body["run_name"] = json!(name);
        }
        decode::run(&self.post("runs/create", body)?["run"])
    }

    fn get_run(&self, run_id: &str) -> Result<Run> {
        decode::run(&self.get("runs/get", &[("run_id", run_id.to_string())])?["run"])
    }

    fn update_run(&self, run_id: &str, update: RunUpdate) -> Result<RunInfo> {
        self.metrics.flush()?;
        let mut body = json!({ "run_id": run_id });
        if let Some(status) = update.status {
            body["status"] = json!(status.as_str());
        }
        if let Some(end_time) = update.end_time {
            body["end_time"] = json!(end_time);
        }
        if let Some(name) = update.run_name {
            body["run_name"] = json!(name);
        }
        decode::run_info(&self.post("runs/update", body)?["run_info"])
    }

    fn delete_run(&self, run_id: &str) -> Result<()> {
        self.post("runs/delete", json!({ "run_id": run_id })).map(drop)
    }

    fn restore_run(&self, run_id: &str) -> Result<()> {
        self.post("runs/restore", json!({ "run_id": run_id })).map(drop)
    }

    fn search_runs(&self, search: &RunSearch) -> Result<Page<Run>> {
        self.metrics.flush()?;
        let ids: Vec<String> = search.experiment_ids.iter().map(ToString::to_string).collect();
        let mut body = json!({
            "experiment_ids": ids,
            "filter": search.filter,
            "run_view_type": view_name(search.view),
            "max_results": search.max_results,
            "order_by": search.order_by,
        });
        if let Some(token) = &search.page_token {
            body["page_token"] = json!(token);
        }
        let reply = self.post("runs/search", body)?;
        let items = reply["runs"].as_array().map(Vec::as_slice).unwrap_or_default();
        Ok(Page {
            items: items.iter().map(decode::run).collect::<Result<_>>()?,
            next_page_token: next_token(&reply),
        })
    }

    fn log_params(&self, run_id: &str, params: &[(String, String)]) -> Result<()> {
        for chunk in params.chunks(PARAMS_PER_BATCH) {
            self.post(
                "runs/log-batch",
                json!({ "run_id": run_id, "params": key_values_json(chunk) }),
            )?;
        }
        Ok(())
    }

    fn set_tags(&self, run_id: &str, tags: &[(String, String)]) -> Result<()> {
        for chunk in tags.chunks(PARAMS_PER_BATCH) {
            self.post(
                "runs/log-batch",
                json!({ "run_id": run_id, "tags": key_values_json(chunk) }),
            )?;
        }
        Ok(())
    }

    fn delete_tag(&self, run_id: &str, key: &str) -> Result<()> {
        self.post("runs/delete-tag", json!({ "run_id": run_id, "key": key }))
            .map(drop)
    }

    fn log_metric(&self, run_id: &str, key: &str, value: f64, step: i64, timestamp: i64) -> Result<()> {
        crate::entities::validate_metric_key(key)?;
        self.metrics.push(
            run_id,
            Metric {
                key: key.to_string(),
                value,
                timestamp,
                step,
            },
        );
        Ok(())
    }

    fn log_metric_series(&self, run_id: &str, key: &str, series: &MetricSeries) -> Result<()> {
        crate::entities::validate_metric_key(key)?;
        let metrics = series.to_metrics(key);
        for chunk in metrics.chunks(BATCH_LIMIT) {
            send_batch(&self.client, run_id, &chunk.iter().collect::<Vec<_>>())?;
        }
        Ok(())
    }

    fn get_metric_series(&self, run_id: &str, key: &str) -> Result<MetricSeries> {
        let mut series = MetricSeries::default();
        let mut token: Option<String> = None;
        loop {
            let mut query = vec![
                ("run_id", run_id.to_string()),
                ("metric_key", key.to_string()),
                ("max_results", HISTORY_PAGE.to_string()),
            ];
            if let Some(token) = &token {
                query.push(("page_token", token.clone()));
            }
            let reply = self.get("metrics/get-history", &query)?;
            for point in reply["metrics"].as_array().map(Vec::as_slice).unwrap_or_default() {
                let metric: Metric = decode::metric(point)?;
                series.steps.push(metric.step);
                series.values.push(metric.value);
                series.timestamps.push(metric.timestamp);
            }
            token = next_token(&reply);
            if token.is_none() {
                break;
            }
        }
        series.sort_by_step();
        Ok(series)
    }

    fn flush(&self) -> Result<()> {
        self.metrics.flush()
    }

    fn registry(&self) -> Option<&dyn super::RegistryStore> {
        Some(self)
    }

    fn logged_models(&self) -> Option<&dyn super::LoggedModelStore> {
        Some(self)
    }
}
