//! rtrack entities in MLflow's JSON shapes (protobuf field names, int64 as numbers,
//! non-finite doubles as "NaN"/"Infinity"/"-Infinity", absent optionals left out).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::entities::{Experiment, FileInfo, Run, RunInfo, RunIo};

/// Maps artifact URIs between the store (file URIs under the server's artifact root) and
/// clients, who reach that root through the proxied `mlflow-artifacts:` routes.
#[derive(Clone, Debug)]
pub struct ArtifactUris {
    /// The root as a file URI, without a trailing slash; `None` when the server proxies no
    /// artifacts (`--no-serve-artifacts`) and clients get the stored URIs as they are.
    root: Option<String>,
}

use crate::artifacts::PROXY_SCHEME;

impl ArtifactUris {
    pub fn new(root_uri: &str) -> ArtifactUris {
        ArtifactUris {
            root: Some(root_uri.trim_end_matches('/').to_string()),
        }
    }

    /// No mapping: clients see the stored URIs.
    pub fn unproxied() -> ArtifactUris {
        ArtifactUris { root: None }
    }

    /// Whether clients are handed `mlflow-artifacts:/` URIs (the server proxies artifacts).
    pub fn is_proxied(&self) -> bool {
        self.root.is_some()
    }

    /// A stored URI as clients see it: under the root it becomes `mlflow-artifacts:/<rest>`.
    pub fn to_client(&self, stored: &str) -> String {
        let Some(root) = &self.root else {
            return stored.to_string();
        };
        match stored.strip_prefix(root.as_str()) {
            Some("") => format!("{PROXY_SCHEME}/"),
            Some(rest) if rest.starts_with('/') => format!("{PROXY_SCHEME}{rest}"),
            _ => stored.to_string(),
        }
    }

    /// A URI a client sent, as the store keeps it.
    pub fn to_store(&self, sent: &str) -> String {
        match (&self.root, sent.strip_prefix(PROXY_SCHEME)) {
            (Some(root), Some(rest)) => format!("{root}/{}", rest.trim_start_matches('/')),
            _ => sent.to_string(),
        }
    }
}

pub use crate::proto_json::{double_to_json as double, metric_to_json as metric};

pub fn key_values(map: &BTreeMap<String, String>) -> Value {
    crate::proto_json::key_values_to_json(map)
}

pub fn experiment(experiment: &Experiment, uris: &ArtifactUris) -> Value {
    json!({
        "experiment_id": experiment.experiment_id.to_string(),
        "name": experiment.name,
        "artifact_location": uris.to_client(&experiment.artifact_location),
        "lifecycle_stage": experiment.lifecycle_stage.as_str(),
        "last_update_time": experiment.last_update_time,
        "creation_time": experiment.creation_time,
        "tags": key_values(&experiment.tags),
    })
}

pub fn run_info(info: &RunInfo, uris: &ArtifactUris) -> Value {
    let mut out = Map::new();
    out.insert("run_id".into(), json!(info.run_id));
    out.insert("run_uuid".into(), json!(info.run_id));
    out.insert("run_name".into(), json!(info.run_name));
    out.insert("experiment_id".into(), json!(info.experiment_id.to_string()));
    out.insert("user_id".into(), json!(info.user_id));
    out.insert("status".into(), json!(info.status.as_str()));
    out.insert("start_time".into(), json!(info.start_time));
    if let Some(end_time) = info.end_time {
        out.insert("end_time".into(), json!(end_time));
    }
    out.insert("artifact_uri".into(), json!(uris.to_client(&info.artifact_uri)));
    out.insert("lifecycle_stage".into(), json!(info.lifecycle_stage.as_str()));
    Value::Object(out)
}

pub fn run(run: &Run, uris: &ArtifactUris) -> Value {
    json!({
        "info": run_info(&run.info, uris),
        "data": {
            "metrics": run.data.metrics.values().map(metric).collect::<Vec<_>>(),
            "params": key_values(&run.data.params),
            "tags": key_values(&run.data.tags),
        },
        "inputs": {},
        "outputs": {},
    })
}

pub fn run_inputs(io: &RunIo) -> Value {
    let datasets: Vec<Value> = io
        .datasets
        .iter()
        .map(|d| {
            let mut dataset = Map::new();
            for (key, value) in [
                ("name", &d.name),
                ("digest", &d.digest),
                ("source_type", &d.source_type),
                ("source", &d.source),
            ] {
                dataset.insert(key.into(), json!(value));
            }
            for (key, value) in [("schema", &d.schema), ("profile", &d.profile)] {
                if let Some(value) = value {
                    dataset.insert(key.into(), json!(value));
                }
            }
            json!({ "tags": key_values(&d.tags), "dataset": dataset })
        })
        .collect();
    let models: Vec<Value> = io.model_inputs.iter().map(|id| json!({ "model_id": id })).collect();
    json!({ "dataset_inputs": datasets, "model_inputs": models })
}

pub fn run_outputs(io: &RunIo) -> Value {
    let models: Vec<Value> = io
        .model_outputs
        .iter()
        .map(|m| json!({ "model_id": m.model_id, "step": m.step }))
        .collect();
    json!({ "model_outputs": models })
}

pub fn file_info(file: &FileInfo) -> Value {
    let mut out = Map::new();
    out.insert("path".into(), json!(file.path));
    out.insert("is_dir".into(), json!(file.is_dir));
    if let Some(size) = file.file_size {
        out.insert("file_size".into(), json!(size));
    }
    Value::Object(out)
}

/// `{"<items>": [...], "next_page_token": ...}`, leaving the token out on the last page.
pub fn page(items_name: &str, items: Vec<Value>, next_page_token: Option<String>) -> Value {
    let mut out = Map::new();
    out.insert(items_name.into(), Value::Array(items));
    if let Some(token) = next_page_token {
        out.insert("next_page_token".into(), json!(token));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_under_the_root_go_through_the_proxy_and_back() {
        let uris = ArtifactUris::new("file:///data/artifacts/");
        assert_eq!(
            uris.to_client("file:///data/artifacts/1/abc/artifacts"),
            "mlflow-artifacts:/1/abc/artifacts"
        );
        assert_eq!(uris.to_client("file:///elsewhere/1"), "file:///elsewhere/1");
        // A sibling folder that merely shares the prefix is not under the root.
        assert_eq!(
            uris.to_client("file:///data/artifacts-old/1"),
            "file:///data/artifacts-old/1"
        );
        assert_eq!(uris.to_store("mlflow-artifacts:/1/abc"), "file:///data/artifacts/1/abc");
        assert_eq!(uris.to_store("s3://bucket/x"), "s3://bucket/x");
        let direct = ArtifactUris::unproxied();
        assert_eq!(direct.to_client("file:///data/artifacts/1"), "file:///data/artifacts/1");
        assert_eq!(direct.to_store("mlflow-artifacts:/1"), "mlflow-artifacts:/1");
    }
}
