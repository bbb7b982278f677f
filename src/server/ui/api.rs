//! JSON the UI reads beside MLflow's API: experiment activity, compact runs-table pages,
//! downsampled metric histories and a model version's files.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::super::error::{ApiError, ApiResult};
use super::super::request::Params;
use super::super::{json as api_json, models_json, AppState};
use crate::downsample::{downsample, XAxis};
use crate::entities::{ExperimentId, Run, ViewType};
use crate::proto_json::double_to_json;
use crate::store::{ExperimentSearch, RunSearch};

/// The most runs one table page may hold.
const MAX_PAGE: usize = 1000;
/// The most points one chart request may ask for.
const MAX_CHART_POINTS: usize = 20_000;

/// `GET ui-api/experiments`: every active experiment with its run count and last activity,
/// most recently active first.
pub fn experiments(state: &AppState, _params: &Params) -> ApiResult<Value> {
    let mut experiments = Vec::new();
    let mut search = ExperimentSearch { max_results: 50_000, ..ExperimentSearch::default() };
    loop {
        let page = state.tracker.search_experiments(&search)?;
        experiments.extend(page.items);
        match page.next_page_token {
            Some(token) => search.page_token = Some(token),
            None => break,
        }
    }
    let ids: Vec<ExperimentId> = experiments.iter().map(|e| e.experiment_id).collect();
    let activity = state.tracker.store().experiment_activity(&ids)?;
    let mut rows: Vec<(i64, Value)> = experiments
        .iter()
        .zip(&activity)
        .map(|(experiment, activity)| {
            let last = activity.last_activity.unwrap_or(experiment.last_update_time).max(experiment.last_update_time);
            let mut row = api_json::experiment(experiment, &state.uris);
            row["run_count"] = json!(activity.run_count);
            row["last_activity"] = json!(last);
            (last, row)
        })
        .collect();
    rows.sort_by(|a, b| b.0.cmp(&a.0));
    Ok(json!({ "experiments": rows.into_iter().map(|(_, row)| row).collect::<Vec<_>>() }))
}

/// `GET ui-api/runs?experiment_id=&filter=&order_by=&page_token=&max_results=`: one page of
/// the runs table, ordered and filtered by the store (the search grammar), with the param
/// and metric keys its runs use as columns. `total` is given when there is no filter.
pub fn runs(state: &AppState, params: &Params) -> ApiResult<Value> {
    let experiment_id = ExperimentId::parse(params.required_str("experiment_id")?)?;
    let filter = params.str("filter")?.unwrap_or("").trim().to_string();
    let max_results = params.page_size(100)?;
    if max_results > MAX_PAGE {
        return Err(ApiError::invalid(format!("Invalid value {max_results} for parameter 'max_results': at most {MAX_PAGE}")));
    }
    let search = RunSearch {
        experiment_ids: vec![experiment_id],
        filter: filter.clone(),
        view: ViewType::ActiveOnly,
        max_results,
        order_by: params.str_list("order_by")?.into_iter().filter(|clause| !clause.trim().is_empty()).collect(),
        page_token: params.str("page_token")?.filter(|t| !t.is_empty()).map(str::to_string),
    };
    let page = state.tracker.search_runs(&search)?;
    let mut param_keys = BTreeSet::new();
    let mut metric_keys = BTreeSet::new();
    for run in &page.items {
        param_keys.extend(run.data.params.keys().cloned());
        metric_keys.extend(run.data.metrics.keys().cloned());
    }
    let mut out = Map::new();
    out.insert("runs".into(), page.items.iter().map(table_row).collect());
    out.insert("param_keys".into(), json!(param_keys));
    out.insert("metric_keys".into(), json!(metric_keys));
    if let Some(token) = page.next_page_token {
        out.insert("next_page_token".into(), json!(token));
    }
    if filter.is_empty() {
        let activity = state.tracker.store().experiment_activity(&[experiment_id])?;
        out.insert("total".into(), json!(activity.first().map_or(0, |a| a.run_count)));
    }
    Ok(Value::Object(out))
}

/// A run as one row of the table: info, the source, params and latest metric values.
fn table_row(run: &Run) -> Value {
    let info = &run.info;
    let metrics: Map<String, Value> =
        run.data.metrics.iter().map(|(key, metric)| (key.clone(), double_to_json(metric.value))).collect();
    json!({
        "run_id": info.run_id,
        "run_name": info.run_name,
        "status": info.status.as_str(),
        "start_time": info.start_time,
        "end_time": info.end_time,
        "user_id": info.user_id,
        "source": run.data.tags.get("mlflow.source.name"),
        "parent_run_id": run.data.tags.get("mlflow.parentRunId"),
        "params": run.data.params,
        "metrics": metrics,
    })
}

/// `GET ui-api/metric-history?run_id=&key=&x=step|time&x_min=&x_max=&max_points=`: the
/// points of one metric inside an x range, thinned to the chart's width by keeping each
/// bucket's extremes. `thinned` tells the chart that zooming in will show more.
pub fn metric_history(state: &AppState, params: &Params) -> ApiResult<Value> {
    let run_id = params.run_id()?;
    let key = params.required_str("key")?;
    let axis = match params.str("x")?.unwrap_or("step") {
        "step" => XAxis::Step,
        "time" => XAxis::Timestamp,
        other => return Err(ApiError::invalid(format!("Invalid value '{other}' for parameter 'x': use 'step' or 'time'"))),
    };
    let max_points = params.i64("max_points")?.unwrap_or(2000);
    if !(2..=MAX_CHART_POINTS as i64).contains(&max_points) {
        return Err(ApiError::invalid(format!("Invalid value {max_points} for parameter 'max_points': 2 to {MAX_CHART_POINTS}")));
    }
    let bound = |name: &str| -> ApiResult<Option<f64>> {
        match params.str(name)? {
            None | Some("") => Ok(None),
            Some(text) => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| ApiError::invalid(format!("Invalid value '{text}' for parameter '{name}': expected a number"))),
        }
    };
    let series = state.tracker.get_metric_series(run_id, key)?;
    let chart = downsample(&series, axis, bound("x_min")?, bound("x_max")?, max_points as usize);
    Ok(json!({
        "key": key,
        "steps": chart.series.steps,
        "timestamps": chart.series.timestamps,
        "values": chart.series.values.iter().map(|v| double_to_json(*v)).collect::<Vec<_>>(),
        "points_in_range": chart.points_in_range,
        "total_points": chart.total_points,
        "thinned": chart.is_thinned(),
    }))
}

/// `GET ui-api/model-version?name=&version=`: the version, and the `MLmodel` file and input
/// example saved with it (when its source folder holds them), for the version page.
pub fn model_version(state: &AppState, params: &Params) -> ApiResult<Value> {
    let name = params.required_str("name")?;
    let version = params.required_i64("version")?;
    let found = state.tracker.get_model_version(name, version)?;
    let read_text = |file: &str| -> Option<String> {
        let store = state.tracker.store().artifact_store(&found.source).ok()?;
        let bytes = store.read_file(&found.source, file).ok()?;
        String::from_utf8(bytes).ok()
    };
    let mlmodel = read_text("MLmodel");
    let example_file = mlmodel.as_deref().and_then(input_example_file).unwrap_or_else(|| "input_example.json".to_string());
    let signature = mlmodel.as_deref().map(signature_from_mlmodel);
    Ok(json!({
        "model_version": models_json::model_version(&found, &state.uris),
        "signature": signature,
        "mlmodel": mlmodel,
        "input_example": read_text(&example_file),
    }))
}

/// The `artifact_path` under `saved_input_example_info` in an MLmodel file, if any.
fn input_example_file(mlmodel: &str) -> Option<String> {
    let section = mlmodel.split("saved_input_example_info:").nth(1)?;
    section
        .lines()
        .skip(1)
        .take_while(|line| line.starts_with(' '))
        .find_map(|line| line.trim().strip_prefix("artifact_path:"))
        .map(|path| path.trim().trim_matches(|c| c == '\'' || c == '"').to_string())
        .filter(|path| !path.contains("..") && !path.starts_with('/'))
}

/// The `signature` block of an MLmodel file as JSON: each of `inputs`, `outputs` and
/// `params` is a JSON document stored as a YAML string (single-quoted, maybe folded over
/// several lines).
fn signature_from_mlmodel(mlmodel: &str) -> Value {
    let mut lines = mlmodel.lines().skip_while(|line| line.trim_end() != "signature:").skip(1).peekable();
    let mut signature = Map::new();
    while let Some(line) = lines.next() {
        if !line.starts_with("  ") || line.starts_with("   ") {
            if line.starts_with(' ') {
                continue;
            }
            break;
        }
        let Some((key, first)) = line.trim().split_once(':') else { continue };
        let mut scalar = first.trim().to_string();
        while let Some(next) = lines.peek().filter(|next| next.starts_with("   ")) {
            scalar.push(' ');
            scalar.push_str(next.trim());
            lines.next();
        }
        signature.insert(key.to_string(), yaml_json_scalar(&scalar));
    }
    Value::Object(signature)
}

fn yaml_json_scalar(scalar: &str) -> Value {
    let text = if scalar.len() >= 2 && scalar.starts_with('\'') && scalar.ends_with('\'') {
        scalar[1..scalar.len() - 1].replace("''", "'")
    } else if scalar.len() >= 2 && scalar.starts_with('"') && scalar.ends_with('"') {
        scalar[1..scalar.len() - 1].replace("\\\"", "\"").replace("\\\\", "\\")
    } else {
        scalar.to_string()
    };
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::{input_example_file, signature_from_mlmodel};
    use serde_json::json;

    #[test]
    fn the_signature_is_read_from_mlmodel_even_when_folded() {
        let mlmodel = "artifact_path: model\nsignature:\n  inputs: '[{\"type\": \"double\", \"name\": \"it''s\", \"required\": true}, {\"type\": \"long\",\n    \"name\": \"rooms\"}]'\n  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float64\", \"shape\": [-1]}}]'\n  params: null\nutc_time_created: x\n";
        let signature = signature_from_mlmodel(mlmodel);
        assert_eq!(signature["inputs"][0]["name"], json!("it's"));
        assert_eq!(signature["inputs"][1]["name"], json!("rooms"));
        assert_eq!(signature["outputs"][0]["tensor-spec"]["dtype"], json!("float64"));
        assert_eq!(signature["params"], json!(null));
        assert_eq!(signature_from_mlmodel("flavors: {}\n"), json!({}));
    }

    #[test]
    fn the_input_example_file_is_read_from_mlmodel() {
        let mlmodel = "flavors:\n  sklearn: {}\nsaved_input_example_info:\n  artifact_path: input_example.json\n  type: dataframe\nsignature: {}\n";
        assert_eq!(input_example_file(mlmodel).as_deref(), Some("input_example.json"));
        assert_eq!(input_example_file("saved_input_example_info:\n  artifact_path: ../../etc/passwd\n"), None);
    }
}
