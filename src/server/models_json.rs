//! The registry's and MLflow 3 logged models' JSON shapes (version numbers as strings,
//! timestamps as numbers, enum names as MLflow writes them).

use serde_json::{json, Map, Value};

use super::json::{double, key_values, ArtifactUris};
use crate::entities::{LoggedModel, ModelVersion, RegisteredModel};

fn put_optional(out: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(value) = value {
        out.insert(key.into(), json!(value));
    }
}

pub fn model_version(version: &ModelVersion, uris: &ArtifactUris) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(version.name));
    out.insert("version".into(), json!(version.version.to_string()));
    out.insert("creation_timestamp".into(), json!(version.creation_timestamp));
    out.insert("last_updated_timestamp".into(), json!(version.last_updated_timestamp));
    out.insert("current_stage".into(), json!(version.current_stage.as_str()));
    put_optional(&mut out, "description", version.description.as_deref());
    out.insert("source".into(), json!(uris.to_client(&version.source)));
    put_optional(&mut out, "run_id", version.run_id.as_deref());
    put_optional(&mut out, "run_link", version.run_link.as_deref());
    out.insert("status".into(), json!(version.status.as_str()));
    put_optional(&mut out, "status_message", version.status_message.as_deref());
    out.insert("tags".into(), key_values(&version.tags));
    out.insert("aliases".into(), json!(version.aliases));
    put_optional(&mut out, "model_id", version.model_id.as_deref());
    Value::Object(out)
}

pub fn registered_model(model: &RegisteredModel, uris: &ArtifactUris) -> Value {
    let mut out = Map::new();
    out.insert("name".into(), json!(model.name));
    out.insert("creation_timestamp".into(), json!(model.creation_timestamp));
    out.insert("last_updated_timestamp".into(), json!(model.last_updated_timestamp));
    put_optional(&mut out, "description", model.description.as_deref());
    out.insert(
        "latest_versions".into(),
        Value::Array(model.latest_versions.iter().map(|v| model_version(v, uris)).collect()),
    );
    out.insert("tags".into(), key_values(&model.tags));
    out.insert(
        "aliases".into(),
        Value::Array(
            model
                .aliases
                .iter()
                .map(|a| json!({ "alias": a.alias, "version": a.version.to_string() }))
                .collect(),
        ),
    );
    Value::Object(out)
}

pub fn logged_model(model: &LoggedModel, uris: &ArtifactUris) -> Value {
    let mut info = Map::new();
    info.insert("model_id".into(), json!(model.model_id));
    info.insert("experiment_id".into(), json!(model.experiment_id.to_string()));
    info.insert("name".into(), json!(model.name));
    info.insert("creation_timestamp_ms".into(), json!(model.creation_timestamp_ms));
    info.insert(
        "last_updated_timestamp_ms".into(),
        json!(model.last_updated_timestamp_ms),
    );
    info.insert("artifact_uri".into(), json!(uris.to_client(&model.artifact_location)));
    info.insert("status".into(), json!(model.status.rest_name()));
    put_optional(&mut info, "status_message", model.status_message.as_deref());
    put_optional(&mut info, "model_type", model.model_type.as_deref());
    put_optional(&mut info, "source_run_id", model.source_run_id.as_deref());
    info.insert("tags".into(), key_values(&model.tags));
    let metrics: Vec<Value> = model
        .metrics
        .iter()
        .map(|m| {
            let mut out = Map::new();
            out.insert("key".into(), json!(m.key));
            out.insert("value".into(), double(m.value));
            out.insert("timestamp".into(), json!(m.timestamp));
            out.insert("step".into(), json!(m.step));
            put_optional(&mut out, "run_id", m.run_id.as_deref());
            put_optional(&mut out, "dataset_name", m.dataset_name.as_deref());
            put_optional(&mut out, "dataset_digest", m.dataset_digest.as_deref());
            out.insert("model_id".into(), json!(model.model_id));
            Value::Object(out)
        })
        .collect();
    json!({ "info": info, "data": { "params": key_values(&model.params), "metrics": metrics } })
}
