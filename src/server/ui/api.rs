//! JSON the UI reads beside MLflow's API: experiment activity, compact runs-table pages,
//! downsampled metric histories and a model version's files.

use std::collections::BTreeSet;

use serde_json::{json, Map, Value};

use super::super::error::{ApiError, ApiResult};
use super::super::request::Params;
use super::super::{json as api_json, models_json, AppState};
use crate::downsample::{SliceDownsampler, XAxis};
use crate::entities::{ExperimentId, Run, ViewType};
use crate::models::{from_yaml, INPUT_EXAMPLE_FILE, MLMODEL_FILE};
use crate::proto_json::double_to_json;
use crate::store::{ExperimentSearch, RunSearch};

/// The most runs one table page may hold.
const MAX_PAGE: usize = 1000;
/// The most points one chart request may ask for.
const MAX_CHART_POINTS: usize = 20_000;

/// `GET ui-api/experiments`: every active experiment with its run count and last activity,
/// most recently active first.
pub fn experiments(state: &AppState, _params: &Params) -> ApiResult<Value> {
    let experiments = state
        .tracker
        .search_all_experiments(&ExperimentSearch::default(), None)?;
    let ids: Vec<ExperimentId> = experiments.iter().map(|e| e.experiment_id).collect();
    let activity = state.tracker.store().experiment_activity(&ids)?;
    let mut rows: Vec<(i64, Value)> = experiments
        .iter()
        .zip(&activity)
        .map(|(experiment, activity)| {
            let last = activity
                .last_activity
                .unwrap_or(experiment.last_update_time)
                .max(experiment.last_update_time);
            let mut row = api_json::experiment(experiment, &state.uris);
            row["run_count"] = json!(activity.run_count);
            row["last_activity"] = json!(last);
            (last, row)
        })
        .collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
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
        return Err(ApiError::invalid(format!(
            "Invalid value {max_results} for parameter 'max_results': at most {MAX_PAGE}"
        )));
    }
    let search = RunSearch {
        experiment_ids: vec![experiment_id],
        filter: filter.clone(),
        view: ViewType::ActiveOnly,
        max_results,
        order_by: params
            .str_list("order_by")?
            .into_iter()
            .filter(|clause| !clause.trim().is_empty())
            .collect(),
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
    let metrics: Map<String, Value> = run
        .data
        .metrics
        .iter()
        .map(|(key, metric)| (key.clone(), double_to_json(metric.value)))
        .collect();
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
        other => {
            return Err(ApiError::invalid(format!(
                "Invalid value '{other}' for parameter 'x': use 'step' or 'time'"
            )))
        }
    };
    let max_points = params.i64("max_points")?.unwrap_or(2000);
    if !(2..=MAX_CHART_POINTS as i64).contains(&max_points) {
        return Err(ApiError::invalid(format!(
            "Invalid value {max_points} for parameter 'max_points': 2 to {MAX_CHART_POINTS}"
        )));
    }
    let bound = |name: &str| -> ApiResult<Option<f64>> {
        match params.str(name)? {
            None | Some("") => Ok(None),
            Some(text) => text
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .map(Some)
                .ok_or_else(|| {
                    ApiError::invalid(format!(
                        "Invalid value '{text}' for parameter '{name}': expected a number"
                    ))
                }),
        }
    };
    // Two passes over the history in slices (count, then keep), never the whole at once.
    let mut thinning = SliceDownsampler::new(axis, bound("x_min")?, bound("x_max")?, max_points as usize);
    let store = state.tracker.store();
    store.visit_metric_history(run_id, key, 0, usize::MAX, &mut |slice| {
        thinning.count(slice);
        Ok(())
    })?;
    store.visit_metric_history(run_id, key, 0, thinning.total_points(), &mut |slice| {
        thinning.keep(slice);
        Ok(())
    })?;
    let chart = thinning.finish();
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
    // An MLflow 3 version's source names its logged model; the files are at that model's.
    let location = if crate::models::is_model_uri(&found.source) {
        state.tracker.model_location(&found.source).ok()
    } else {
        Some(found.source.clone())
    };
    let read_text = |file: &str| -> Option<String> {
        let location = location.as_deref()?;
        let store = state.tracker.store().artifact_store(location).ok()?;
        let bytes = store.read_file(location, file).ok()?;
        String::from_utf8(bytes).ok()
    };
    let mlmodel = read_text(MLMODEL_FILE);
    let parsed = mlmodel
        .as_deref()
        .and_then(|text| from_yaml(text).ok())
        .unwrap_or(Value::Null);
    let example_file = input_example_file(&parsed).unwrap_or_else(|| INPUT_EXAMPLE_FILE.to_string());
    let signature = signature_of(&parsed);
    Ok(json!({
        "model_version": models_json::model_version(&found, &state.uris),
        "signature": signature,
        "mlmodel": mlmodel,
        "input_example": read_text(&example_file),
    }))
}

/// The `signature` block of an MLmodel file as JSON: each of `inputs`, `outputs` and
/// `params` is stored as a JSON document inside a YAML string.
fn signature_of(mlmodel: &Value) -> Value {
    let Some(Value::Object(block)) = mlmodel.get("signature") else {
        return Value::Null;
    };
    let parsed = block
        .iter()
        .map(|(key, value)| {
            let value = match value {
                Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
                other => other.clone(),
            };
            (key.clone(), value)
        })
        .collect();
    Value::Object(parsed)
}

/// The input example's file inside the model folder, as `saved_input_example_info` names it.
fn input_example_file(mlmodel: &Value) -> Option<String> {
    let path = mlmodel
        .get("saved_input_example_info")?
        .get("artifact_path")?
        .as_str()?;
    (!path.contains("..") && !path.starts_with('/')).then(|| path.to_string())
}

#[cfg(test)]
mod tests {
    use super::{input_example_file, signature_of};
    use crate::models::from_yaml;
    use serde_json::json;

    #[test]
    fn the_signature_and_input_example_are_read_from_mlmodel() {
        let text = "artifact_path: model\nsaved_input_example_info:\n  artifact_path: input_example.json\n  type: dataframe\nsignature:\n  inputs: '[{\"type\": \"double\", \"name\": \"it''s\", \"required\": true}, {\"type\": \"long\",\n    \"name\": \"rooms\"}]'\n  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float64\", \"shape\": [-1]}}]'\n  params: null\n";
        let mlmodel = from_yaml(text).unwrap();
        let signature = signature_of(&mlmodel);
        assert_eq!(signature["inputs"][0]["name"], json!("it's"));
        assert_eq!(signature["inputs"][1]["name"], json!("rooms"));
        assert_eq!(signature["outputs"][0]["tensor-spec"]["dtype"], json!("float64"));
        assert_eq!(input_example_file(&mlmodel).as_deref(), Some("input_example.json"));
        let escaping = from_yaml("saved_input_example_info:\n  artifact_path: ../../etc/passwd\n").unwrap();
        assert_eq!(input_example_file(&escaping), None);
        assert_eq!(signature_of(&from_yaml("flavors: {}\n").unwrap()), json!(null));
    }
}
