//! MLflow's JSON shapes read back into rtrack entities (the inverse of the server's
//! `json` module), with errors that say which field was wrong.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::entities::{Experiment, ExperimentId, Metric, Run, RunData, RunInfo};
use crate::error::{Error, Result};
use crate::proto_json::{double_from_json, integer_from_json};

fn malformed(what: &str, field: &str) -> Error {
    Error::Internal(format!("the tracking server sent a {what} without a valid '{field}'"))
}

fn text(value: &Value, what: &str, field: &str) -> Result<String> {
    value[field]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| malformed(what, field))
}

pub fn integer(value: &Value, field: &str) -> Option<i64> {
    integer_from_json(&value[field])
}

pub fn key_values(value: &Value) -> BTreeMap<String, String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|item| {
                    Some((
                        item["key"].as_str()?.to_string(),
                        item["value"].as_str().unwrap_or("").to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn experiment_id(value: &Value, what: &str) -> Result<ExperimentId> {
    let id = match &value["experiment_id"] {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return Err(malformed(what, "experiment_id")),
    };
    ExperimentId::parse(&id)
}

pub fn experiment(value: &Value) -> Result<Experiment> {
    Ok(Experiment {
        experiment_id: experiment_id(value, "experiment")?,
        name: text(value, "experiment", "name")?,
        artifact_location: value["artifact_location"].as_str().unwrap_or("").to_string(),
        lifecycle_stage: value["lifecycle_stage"].as_str().unwrap_or("active").parse()?,
        creation_time: integer(value, "creation_time").unwrap_or(0),
        last_update_time: integer(value, "last_update_time").unwrap_or(0),
        tags: key_values(&value["tags"]),
    })
}

pub fn metric(value: &Value) -> Result<Metric> {
    Ok(Metric {
        key: text(value, "metric", "key")?,
        value: double_from_json(&value["value"]).ok_or_else(|| malformed("metric", "value"))?,
        timestamp: integer(value, "timestamp").unwrap_or(0),
        step: integer(value, "step").unwrap_or(0),
    })
}

pub fn run_info(value: &Value) -> Result<RunInfo> {
    let run_id = value["run_id"]
        .as_str()
        .or_else(|| value["run_uuid"].as_str())
        .ok_or_else(|| malformed("run", "run_id"))?;
    Ok(RunInfo {
        run_id: run_id.to_string(),
        run_name: value["run_name"].as_str().unwrap_or("").to_string(),
        experiment_id: experiment_id(value, "run")?,
        user_id: value["user_id"].as_str().unwrap_or("").to_string(),
        status: value["status"].as_str().unwrap_or("RUNNING").parse()?,
        start_time: integer(value, "start_time").unwrap_or(0),
        end_time: integer(value, "end_time"),
        artifact_uri: value["artifact_uri"].as_str().unwrap_or("").to_string(),
        lifecycle_stage: value["lifecycle_stage"].as_str().unwrap_or("active").parse()?,
    })
}

pub fn run(value: &Value) -> Result<Run> {
    let data = &value["data"];
    let metrics = match data["metrics"].as_array() {
        Some(items) => items
            .iter()
            .map(|m| metric(m).map(|m| (m.key.clone(), m)))
            .collect::<Result<_>>()?,
        None => BTreeMap::new(),
    };
    Ok(Run {
        info: run_info(&value["info"])?,
        data: RunData {
            params: key_values(&data["params"]),
            metrics,
            tags: key_values(&data["tags"]),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn runs_decode_with_non_finite_metrics_and_missing_optionals() {
        let value = json!({
            "info": { "run_id": "abc", "experiment_id": "3", "status": "FINISHED", "start_time": 5, "lifecycle_stage": "active" },
            "data": { "metrics": [{ "key": "m", "value": "NaN", "timestamp": 1, "step": 2 }], "params": [{ "key": "a", "value": "1" }] },
        });
        let run = run(&value).unwrap();
        assert_eq!(run.info.experiment_id, ExperimentId(3));
        assert_eq!(run.info.end_time, None);
        assert!(run.data.metrics["m"].value.is_nan());
        assert_eq!(run.data.params["a"], "1");
        assert!(run_info(&json!({ "experiment_id": "1" })).is_err());
    }
}
