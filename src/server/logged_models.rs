//! MLflow 3's logged-model endpoints (`/api/2.0/mlflow/logged-models...`) on the store's
//! [`LoggedModelStore`](crate::store::LoggedModelStore). The model's files go through the
//! proxied artifact routes under its `artifact_uri`.

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::json;
use super::models_json::logged_model;
use super::request::Params;
use super::AppState;
use crate::entities::{ExperimentId, LoggedModelMetric, LoggedModelStatus};
use crate::store::{LoggedModelSearch, LoggedModelStore, NewLoggedModel};

fn store(state: &AppState) -> ApiResult<&dyn LoggedModelStore> {
    state
        .tracker
        .store()
        .logged_models()
        .ok_or_else(|| ApiError::invalid("This server's store does not keep logged models"))
}

fn model_id(params: &Params) -> ApiResult<&str> {
    params.required_str("model_id")
}

fn one(state: &AppState, model: &crate::entities::LoggedModel) -> ApiResult<Value> {
    Ok(json!({ "model": logged_model(model, &state.uris) }))
}

/// A status as MLflow's enum name (`LOGGED_MODEL_READY`) or number (2).
fn status(params: &Params) -> ApiResult<LoggedModelStatus> {
    let name = match params.str("status") {
        Ok(Some(text)) => text.trim_start_matches("LOGGED_MODEL_").to_string(),
        Ok(None) => return Err(ApiError::invalid("Missing value for required parameter 'status'")),
        Err(_) => match params.required_i64("status")? {
            1 => "PENDING".to_string(),
            2 => "READY".to_string(),
            3 => "UPLOAD_FAILED".to_string(),
            other => return Err(ApiError::invalid(format!("Invalid logged model status {other}"))),
        },
    };
    Ok(name.parse()?)
}

pub fn create(state: &AppState, params: &Params) -> ApiResult<Value> {
    let new_model = NewLoggedModel {
        experiment_id: ExperimentId::parse(params.required_str("experiment_id")?)?,
        name: params.str("name")?.filter(|s| !s.is_empty()).map(str::to_string),
        source_run_id: params
            .str("source_run_id")?
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        tags: params.key_values("tags")?,
        params: params.key_values("params")?,
        model_type: params.str("model_type")?.filter(|s| !s.is_empty()).map(str::to_string),
        // The server chooses where a client's model files go.
        artifact_location: None,
    };
    one(state, &store(state)?.create_logged_model(&new_model)?)
}

pub fn get(state: &AppState, params: &Params) -> ApiResult<Value> {
    one(state, &store(state)?.get_logged_model(model_id(params)?)?)
}

pub fn finalize(state: &AppState, params: &Params) -> ApiResult<Value> {
    one(
        state,
        &store(state)?.finalize_logged_model(model_id(params)?, status(params)?)?,
    )
}

pub fn delete(state: &AppState, params: &Params) -> ApiResult<Value> {
    store(state)?.delete_logged_model(model_id(params)?)?;
    Ok(json!({}))
}

pub fn log_params(state: &AppState, params: &Params) -> ApiResult<Value> {
    store(state)?.log_logged_model_params(model_id(params)?, &params.key_values("params")?)?;
    Ok(json!({}))
}

pub fn set_tags(state: &AppState, params: &Params) -> ApiResult<Value> {
    store(state)?.set_logged_model_tags(model_id(params)?, &params.key_values("tags")?)?;
    Ok(json!({}))
}

pub fn delete_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    store(state)?.delete_logged_model_tag(model_id(params)?, params.required_str("tag_key")?)?;
    Ok(json!({}))
}

/// The dataset a metric about a model was computed on (`dataset_name`, `dataset_digest`).
#[derive(Default)]
pub struct MetricDataset {
    name: Option<String>,
    digest: Option<String>,
}

impl MetricDataset {
    pub fn of(params: &Params) -> ApiResult<MetricDataset> {
        let text =
            |name| -> ApiResult<Option<String>> { Ok(params.str(name)?.filter(|s| !s.is_empty()).map(str::to_string)) };
        Ok(MetricDataset {
            name: text("dataset_name")?,
            digest: text("dataset_digest")?,
        })
    }
}

/// Metrics a run logged about a model (`log-batch`/`log-metric` with a `model_id`), computed
/// on `dataset`.
pub fn record_metrics_of(
    state: &AppState,
    run_id: &str,
    metrics: &[(String, crate::entities::Metric)],
    dataset: &MetricDataset,
) -> ApiResult<()> {
    for (model_id, metric) in metrics {
        let recorded = LoggedModelMetric {
            key: metric.key.clone(),
            value: metric.value,
            step: metric.step,
            timestamp: metric.timestamp,
            run_id: Some(run_id.to_string()),
            dataset_name: dataset.name.clone(),
            dataset_digest: dataset.digest.clone(),
        };
        store(state)?.log_logged_model_metrics(model_id, &[recorded])?;
    }
    Ok(())
}

pub fn search(state: &AppState, params: &Params) -> ApiResult<Value> {
    let experiment_ids = params
        .str_list("experiment_ids")?
        .iter()
        .map(|id| ExperimentId::parse(id))
        .collect::<crate::Result<Vec<_>>>()?;
    let order_by = params
        .objects("order_by")?
        .iter()
        .map(|clause| {
            let field = clause.required_str("field_name")?;
            let ascending = clause.bool("ascending")?;
            Ok(format!("{field} {}", if ascending { "ASC" } else { "DESC" }))
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let datasets = params
        .objects("datasets")?
        .iter()
        .map(|dataset| {
            Ok(crate::store::DatasetFilter {
                dataset_name: dataset.str("dataset_name")?.unwrap_or("").to_string(),
                dataset_digest: dataset.str("dataset_digest")?.map(str::to_string),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    let search = LoggedModelSearch {
        experiment_ids,
        datasets,
        filter: params.str("filter")?.unwrap_or("").to_string(),
        max_results: params.page_size(LoggedModelSearch::default().max_results)?,
        order_by,
        page_token: params.str("page_token")?.map(str::to_string),
    };
    let page = store(state)?.search_logged_models(&search)?;
    let items = page.items.iter().map(|m| logged_model(m, &state.uris)).collect();
    Ok(json::page("models", items, page.next_page_token))
}

/// The files directly under a folder of the model's artifacts.
pub fn list_artifacts(state: &AppState, params: &Params) -> ApiResult<Value> {
    let model = store(state)?.get_logged_model(model_id(params)?)?;
    let path = params.str("artifact_directory_path")?.filter(|p| !p.is_empty());
    let files = state.artifacts.list(&model.artifact_location, path)?;
    Ok(json!({
        "root_uri": state.uris.to_client(&model.artifact_location),
        "files": files.iter().map(json::file_info).collect::<Vec<_>>(),
    }))
}

/// Where a logged model's files are stored.
pub fn location(state: &AppState, model_id: &str) -> ApiResult<String> {
    Ok(store(state)?.get_logged_model(model_id)?.artifact_location)
}

/// Record on a logged model that a registered version was made from it: MLflow keeps the
/// list in the model's `mlflow.modelVersions` tag, as JSON in Python's default layout.
pub fn note_model_version(state: &AppState, model_id: &str, name: &str, version: i64) -> ApiResult<()> {
    let models = store(state)?;
    let model = models.get_logged_model(model_id)?;
    let mut versions: Vec<Value> = model
        .tags
        .get(MODEL_VERSIONS_TAG)
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    let entry = json!({"name": name, "version": version});
    if !versions.contains(&entry) {
        versions.push(entry);
    }
    let text = python_json(&Value::Array(versions));
    models.set_logged_model_tags(model_id, &[(MODEL_VERSIONS_TAG.to_string(), text)])?;
    Ok(())
}

const MODEL_VERSIONS_TAG: &str = "mlflow.modelVersions";

/// JSON as Python's `json.dumps` writes it by default: `", "` and `": "` separators, keys in
/// insertion order, non-ASCII escaped.
fn python_json(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(key, item)| format!("{}: {}", python_json(&json!(key)), python_json(item)))
                .collect();
            format!("{{{}}}", items.join(", "))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(python_json).collect::<Vec<_>>().join(", ")),
        Value::String(_) => {
            let mut out = String::new();
            for c in value.to_string().chars() {
                if c.is_ascii() {
                    out.push(c);
                } else {
                    let mut units = [0u16; 2];
                    for unit in c.encode_utf16(&mut units) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
            out
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_hold_json_in_pythons_layout() {
        let value = json!([{"name": "m\u{e9}", "version": 2}]);
        assert_eq!(python_json(&value), r#"[{"name": "m\u00e9", "version": 2}]"#);
    }
}
