//! MLflow 3's logged models through a tracking server's `logged-models/*` routes, for stores
//! named by an `http://` URI, so `models:/<model_id>` resolves against a server too.

use serde_json::{json, Value};

use super::decode::{integer, key_values};
use super::{key_values_json, next_token, RestStore};
use crate::entities::{ExperimentId, LoggedModel, LoggedModelMetric, LoggedModelStatus, Page};
use crate::error::{Error, Result};
use crate::proto_json::{double_from_json, double_to_json};
use crate::store::{LoggedModelSearch, LoggedModelStore, NewLoggedModel};

fn malformed(field: &str) -> Error {
    Error::Internal(format!(
        "the tracking server sent a logged model without a valid '{field}'"
    ))
}

fn text(value: &Value, field: &str) -> Option<String> {
    value[field].as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

fn metric(value: &Value) -> Result<LoggedModelMetric> {
    Ok(LoggedModelMetric {
        key: text(value, "key").ok_or_else(|| malformed("metrics.key"))?,
        value: double_from_json(&value["value"]).ok_or_else(|| malformed("metrics.value"))?,
        step: integer(value, "step").unwrap_or(0),
        timestamp: integer(value, "timestamp").unwrap_or(0),
        run_id: text(value, "run_id"),
        dataset_name: text(value, "dataset_name"),
        dataset_digest: text(value, "dataset_digest"),
    })
}

/// `{"info": ..., "data": ...}` as the server sends a model.
fn logged_model(value: &Value) -> Result<LoggedModel> {
    let info = &value["info"];
    let data = &value["data"];
    Ok(LoggedModel {
        model_id: text(info, "model_id").ok_or_else(|| malformed("model_id"))?,
        experiment_id: ExperimentId::parse(
            info["experiment_id"]
                .as_str()
                .ok_or_else(|| malformed("experiment_id"))?,
        )?,
        name: text(info, "name").unwrap_or_default(),
        artifact_location: text(info, "artifact_uri").ok_or_else(|| malformed("artifact_uri"))?,
        creation_timestamp_ms: integer(info, "creation_timestamp_ms").unwrap_or(0),
        last_updated_timestamp_ms: integer(info, "last_updated_timestamp_ms").unwrap_or(0),
        status: info["status"]
            .as_str()
            .unwrap_or("LOGGED_MODEL_PENDING")
            .parse()
            .map_err(|_| malformed("status"))?,
        status_message: text(info, "status_message"),
        model_type: text(info, "model_type"),
        source_run_id: text(info, "source_run_id"),
        tags: key_values(&info["tags"]),
        params: key_values(&data["params"]),
        metrics: data["metrics"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(metric)
            .collect::<Result<_>>()?,
    })
}

fn one(reply: &Value) -> Result<LoggedModel> {
    logged_model(&reply["model"])
}

/// `"metrics.rmse DESC"` as the server's `{"field_name", "ascending"}`.
fn order_clause(clause: &str) -> Value {
    let clause = clause.trim();
    let (field, ascending) = match clause.rsplit_once(char::is_whitespace) {
        Some((field, direction)) if direction.eq_ignore_ascii_case("desc") => (field.trim(), false),
        Some((field, direction)) if direction.eq_ignore_ascii_case("asc") => (field.trim(), true),
        _ => (clause, true),
    };
    json!({ "field_name": field, "ascending": ascending })
}

impl LoggedModelStore for RestStore {
    fn create_logged_model(&self, model: &NewLoggedModel) -> Result<LoggedModel> {
        let mut body = json!({
            "experiment_id": model.experiment_id.to_string(),
            "tags": key_values_json(&model.tags),
            "params": key_values_json(&model.params),
        });
        for (field, value) in [
            ("name", &model.name),
            ("source_run_id", &model.source_run_id),
            ("model_type", &model.model_type),
        ] {
            if let Some(value) = value {
                body[field] = json!(value);
            }
        }
        one(&self.post("logged-models", body)?)
    }

    fn get_logged_model(&self, model_id: &str) -> Result<LoggedModel> {
        one(&self.get(&format!("logged-models/{model_id}"), &[])?)
    }

    fn finalize_logged_model(&self, model_id: &str, status: LoggedModelStatus) -> Result<LoggedModel> {
        let body = json!({ "model_id": model_id, "status": status.rest_name() });
        one(&self.client.send("PATCH", &format!("logged-models/{model_id}"), &body)?)
    }

    fn delete_logged_model(&self, model_id: &str) -> Result<()> {
        self.client.send(
            "DELETE",
            &format!("logged-models/{model_id}"),
            &json!({ "model_id": model_id }),
        )?;
        Ok(())
    }

    fn set_logged_model_tags(&self, model_id: &str, tags: &[(String, String)]) -> Result<()> {
        let body = json!({ "model_id": model_id, "tags": key_values_json(tags) });
        self.client
            .send("PATCH", &format!("logged-models/{model_id}/tags"), &body)?;
        Ok(())
    }

    fn delete_logged_model_tag(&self, model_id: &str, key: &str) -> Result<()> {
        let body = json!({ "model_id": model_id, "tag_key": key });
        self.client
            .send("DELETE", &format!("logged-models/{model_id}/tags/{key}"), &body)?;
        Ok(())
    }

    fn log_logged_model_params(&self, model_id: &str, params: &[(String, String)]) -> Result<()> {
        let body = json!({ "model_id": model_id, "params": key_values_json(params) });
        self.post(&format!("logged-models/{model_id}/params"), body)?;
        Ok(())
    }

    /// Sent as MLflow's clients send them: through the run that computed them (`log-batch`
    /// with the model's id), so each metric needs its `run_id`.
    fn log_logged_model_metrics(&self, model_id: &str, metrics: &[LoggedModelMetric]) -> Result<()> {
        for metric in metrics {
            let run_id = metric.run_id.as_deref().ok_or_else(|| {
                Error::invalid(format!(
                    "Metric '{}' of logged model '{model_id}' needs the run_id of the run that computed it",
                    metric.key
                ))
            })?;
            let mut sent = json!({
                "key": metric.key,
                "value": double_to_json(metric.value),
                "timestamp": metric.timestamp,
                "step": metric.step,
                "model_id": model_id,
            });
            if let Some(name) = &metric.dataset_name {
                sent["dataset_name"] = json!(name);
            }
            if let Some(digest) = &metric.dataset_digest {
                sent["dataset_digest"] = json!(digest);
            }
            self.post("runs/log-batch", json!({ "run_id": run_id, "metrics": [sent] }))?;
        }
        Ok(())
    }

    fn search_logged_models(&self, search: &LoggedModelSearch) -> Result<Page<LoggedModel>> {
        let mut body = json!({
            "experiment_ids": search.experiment_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "filter": search.filter,
            "max_results": search.max_results,
            "order_by": search.order_by.iter().map(|c| order_clause(c)).collect::<Vec<_>>(),
        });
        if let Some(token) = &search.page_token {
            body["page_token"] = json!(token);
        }
        if !search.datasets.is_empty() {
            let datasets: Vec<Value> = search
                .datasets
                .iter()
                .map(|d| match &d.dataset_digest {
                    Some(digest) => json!({"dataset_name": d.dataset_name, "dataset_digest": digest}),
                    None => json!({"dataset_name": d.dataset_name}),
                })
                .collect();
            body["datasets"] = json!(datasets);
        }
        let reply = self.post("logged-models/search", body)?;
        let items = reply["models"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(logged_model)
            .collect::<Result<_>>()?;
        Ok(Page {
            items,
            next_page_token: next_token(&reply),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_by_clauses_become_field_and_direction() {
        assert_eq!(
            order_clause("metrics.rmse DESC"),
            json!({"field_name": "metrics.rmse", "ascending": false})
        );
        assert_eq!(order_clause("name"), json!({"field_name": "name", "ascending": true}));
        assert_eq!(
            order_clause(" creation_timestamp asc "),
            json!({"field_name": "creation_timestamp", "ascending": true})
        );
    }
}
