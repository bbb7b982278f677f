//! MLflow's tracking endpoints under `/api/2.0/mlflow/`: experiments, runs, metric history.
//! Each endpoint is a plain function from the request's parameters to the response JSON;
//! `routes` runs it on the blocking pool.

use std::io::Write;

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::json;
use super::request::Params;
use super::AppState;
use crate::entities::{now_millis, ExperimentId, RunStatus, ViewType};
use crate::store::page_token::{decode_page_token, encode_page_token};
use crate::store::{ExperimentSearch, NewRun, RunSearch, RunUpdate};

/// MLflow's per-request limits for log-batch.
const MAX_BATCH_METRICS: usize = 1000;
const MAX_BATCH_PARAMS: usize = 100;
const MAX_BATCH_TAGS: usize = 100;
/// The page size MLflow uses when a search names none.
const DEFAULT_MAX_RESULTS: usize = 1000;

fn experiment_id(params: &Params) -> ApiResult<ExperimentId> {
    Ok(ExperimentId::parse(params.required_str("experiment_id")?)?)
}

/// A view type as a name (`ACTIVE_ONLY`) or as protobuf's enum number.
fn view_type(params: &Params, name: &str) -> ApiResult<ViewType> {
    match params.str(name) {
        Ok(Some(text)) => Ok(text.parse()?),
        Ok(None) => Ok(ViewType::ActiveOnly),
        Err(_) => Ok(params.required_i64(name)?.to_string().parse()?),
    }
}

fn max_results(params: &Params) -> ApiResult<usize> {
    params.page_size(DEFAULT_MAX_RESULTS)
}

fn empty() -> ApiResult<Value> {
    Ok(json!({}))
}

// ----- experiments -----

pub fn create_experiment(state: &AppState, params: &Params) -> ApiResult<Value> {
    let name = params.required_str("name")?;
    let sent = params.str("artifact_location")?.filter(|s| !s.is_empty());
    let location = sent.map(|s| state.uris.to_store(&resolve_artifact_location(s)));
    if let (Some(sent), Some(location)) = (sent, &location) {
        super::locations::check_experiment_location(state, sent, location)?;
    }
    let tags = params.key_values("tags")?;
    let id = state.tracker.create_experiment(name, location.as_deref(), &tags)?;
    Ok(json!({ "experiment_id": id.to_string() }))
}

/// A relative local `artifact_location` made absolute against the server's working folder,
/// as MLflow's server does: a bare path stays a path, a `file:` URI stays a URI. Anything
/// else (absolute paths, other schemes) is kept as given.
fn resolve_artifact_location(location: &str) -> String {
    let Ok(cwd) = std::env::current_dir() else {
        return location.to_string();
    };
    let absolute = |relative: &str| cwd.join(relative).to_string_lossy().replace('\\', "/");
    let scheme = location
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|s| s.len() > 1 && s.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c)));
    match scheme {
        None if !location.starts_with('/') => absolute(location),
        Some("file") => match &location[5..] {
            rest if !rest.starts_with('/') && !rest.is_empty() => format!("file://{}", absolute(rest)),
            _ => location.to_string(),
        },
        _ => location.to_string(),
    }
}

pub fn get_experiment(state: &AppState, params: &Params) -> ApiResult<Value> {
    let experiment = state.tracker.get_experiment(experiment_id(params)?)?;
    Ok(json!({ "experiment": json::experiment(&experiment, &state.uris) }))
}

pub fn get_experiment_by_name(state: &AppState, params: &Params) -> ApiResult<Value> {
    let name = params.required_str("experiment_name")?;
    match state.tracker.get_experiment_by_name(name)? {
        Some(experiment) => Ok(json!({ "experiment": json::experiment(&experiment, &state.uris) })),
        None => Err(crate::Error::NotFound(format!("Could not find experiment with name '{name}'")).into()),
    }
}

pub fn search_experiments(state: &AppState, params: &Params) -> ApiResult<Value> {
    let search = ExperimentSearch {
        filter: params.str("filter")?.unwrap_or("").to_string(),
        view: view_type(params, "view_type")?,
        max_results: max_results(params)?,
        order_by: params.str_list("order_by")?,
        page_token: params.str("page_token")?.map(str::to_string),
    };
    let page = state.tracker.search_experiments(&search)?;
    let items = page.items.iter().map(|e| json::experiment(e, &state.uris)).collect();
    Ok(json::page("experiments", items, page.next_page_token))
}

pub fn update_experiment(state: &AppState, params: &Params) -> ApiResult<Value> {
    let id = experiment_id(params)?;
    if let Some(new_name) = params.str("new_name")? {
        state.tracker.rename_experiment(id, new_name)?;
    }
    empty()
}

pub fn delete_experiment(state: &AppState, params: &Params) -> ApiResult<Value> {
    state.tracker.delete_experiment(experiment_id(params)?)?;
    empty()
}

pub fn restore_experiment(state: &AppState, params: &Params) -> ApiResult<Value> {
    state.tracker.restore_experiment(experiment_id(params)?)?;
    empty()
}

pub fn set_experiment_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    let value = params.str("value")?.unwrap_or("");
    state
        .tracker
        .set_experiment_tag(experiment_id(params)?, params.required_str("key")?, value)?;
    empty()
}

pub fn delete_experiment_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    state
        .tracker
        .store()
        .delete_experiment_tag(experiment_id(params)?, params.required_str("key")?)?;
    empty()
}

// ----- runs -----

pub fn create_run(state: &AppState, params: &Params) -> ApiResult<Value> {
    let experiment_id = match params.str("experiment_id")? {
        Some(id) if !id.is_empty() => Some(ExperimentId::parse(id)?),
        _ => None,
    };
    let new_run = NewRun {
        experiment_id,
        user_id: params.str("user_id")?.unwrap_or("").to_string(),
        start_time: Some(params.i64("start_time")?.unwrap_or_else(now_millis)),
        run_name: params.str("run_name")?.map(str::to_string),
        tags: params.key_values("tags")?,
    };
    let run = state.tracker.store().create_run(new_run)?;
    Ok(json!({ "run": json::run(&run, &state.uris) }))
}

pub fn get_run(state: &AppState, params: &Params) -> ApiResult<Value> {
    let run = state.tracker.get_run(params.run_id()?)?;
    let mut reply = json::run(&run, &state.uris);
    if let Some(io) = state.tracker.store().run_io() {
        let io = io.get_run_io(&run.info.run_id)?;
        reply["inputs"] = json::run_inputs(&io);
        reply["outputs"] = json::run_outputs(&io);
    }
    Ok(json!({ "run": reply }))
}

fn run_io(state: &AppState) -> ApiResult<&dyn crate::store::RunIoStore> {
    state
        .tracker
        .store()
        .run_io()
        .ok_or_else(|| ApiError::invalid("This server's store does not keep run inputs and outputs"))
}

/// `runs/log-inputs`: datasets (`{"dataset": {...}, "tags": [...]}`) and models (`{"model_id"}`).
pub fn log_inputs(state: &AppState, params: &Params) -> ApiResult<Value> {
    let mut datasets = Vec::new();
    for input in params.objects("datasets")? {
        let dataset = input.objects_one("dataset")?;
        datasets.push(crate::entities::DatasetInput {
            name: dataset.required_str("name")?.to_string(),
            digest: dataset.required_str("digest")?.to_string(),
            source_type: dataset.str("source_type")?.unwrap_or("").to_string(),
            source: dataset.str("source")?.unwrap_or("").to_string(),
            schema: dataset.str("schema")?.map(str::to_string),
            profile: dataset.str("profile")?.map(str::to_string),
            tags: input.key_values("tags")?.into_iter().collect(),
        });
    }
    let models = params
        .objects("models")?
        .iter()
        .map(|m| m.required_str("model_id").map(str::to_string))
        .collect::<ApiResult<Vec<_>>>()?;
    run_io(state)?.log_inputs(params.run_id()?, &datasets, &models)?;
    empty()
}

/// `runs/outputs`: the logged models a run produced (`{"model_id", "step"}`).
pub fn log_outputs(state: &AppState, params: &Params) -> ApiResult<Value> {
    let models = params
        .objects("models")?
        .iter()
        .map(|m| {
            Ok(crate::entities::ModelOutput {
                model_id: m.required_str("model_id")?.to_string(),
                step: m.i64("step")?.unwrap_or(0),
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    run_io(state)?.log_outputs(params.run_id()?, &models)?;
    empty()
}

pub fn update_run(state: &AppState, params: &Params) -> ApiResult<Value> {
    let status = match params.str("status") {
        Ok(Some(text)) => Some(text.parse::<RunStatus>()?),
        Ok(None) => None,
        // Protobuf's enum numbers: RUNNING=1, SCHEDULED=2, FINISHED=3, FAILED=4, KILLED=5.
        Err(_) => Some(status_from_number(params.required_i64("status")?)?),
    };
    let update = RunUpdate {
        status,
        end_time: params.i64("end_time")?,
        run_name: params.str("run_name")?.map(str::to_string),
    };
    let info = state.tracker.store().update_run(params.run_id()?, update)?;
    Ok(json!({ "run_info": json::run_info(&info, &state.uris) }))
}

fn status_from_number(number: i64) -> ApiResult<RunStatus> {
    let name = match number {
        1 => "RUNNING",
        2 => "SCHEDULED",
        3 => "FINISHED",
        4 => "FAILED",
        5 => "KILLED",
        _ => return Err(ApiError::invalid(format!("Invalid run status {number}"))),
    };
    Ok(name.parse()?)
}

pub fn delete_run(state: &AppState, params: &Params) -> ApiResult<Value> {
    state.tracker.delete_run(params.run_id()?)?;
    empty()
}

pub fn restore_run(state: &AppState, params: &Params) -> ApiResult<Value> {
    state.tracker.restore_run(params.run_id()?)?;
    empty()
}

pub fn search_runs(state: &AppState, params: &Params) -> ApiResult<Value> {
    let experiment_ids = params
        .str_list("experiment_ids")?
        .iter()
        .map(|id| ExperimentId::parse(id))
        .collect::<crate::Result<Vec<_>>>()?;
    let search = RunSearch {
        experiment_ids,
        filter: params.str("filter")?.unwrap_or("").to_string(),
        view: view_type(params, "run_view_type")?,
        max_results: max_results(params)?,
        order_by: params.str_list("order_by")?,
        page_token: params.str("page_token")?.map(str::to_string),
    };
    let page = state.tracker.search_runs(&search)?;
    let items = page.items.iter().map(|r| json::run(r, &state.uris)).collect();
    Ok(json::page("runs", items, page.next_page_token))
}

// ----- params, tags, metrics -----

pub fn log_param(state: &AppState, params: &Params) -> ApiResult<Value> {
    // MLflow checks the run, then the key, then the value: errors name the first bad one.
    let run_id = params.run_id()?;
    let key = params.required_str("key")?;
    let value = params.str("value")?.unwrap_or("");
    state.tracker.log_param(run_id, key, value)?;
    empty()
}

pub fn set_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    // MLflow checks the run, then the key, then the value: errors name the first bad one.
    let run_id = params.run_id()?;
    let key = params.required_str("key")?;
    let value = params.str("value")?.unwrap_or("");
    state.tracker.set_tag(run_id, key, value)?;
    empty()
}

pub fn delete_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    state
        .tracker
        .delete_tag(params.run_id()?, params.required_str("key")?)?;
    empty()
}

pub fn log_metric(state: &AppState, params: &Params) -> ApiResult<Value> {
    let run_id = params.run_id()?;
    let metric = params.metric()?;
    crate::entities::validate_metric_key(&metric.key)?;
    let store = state.tracker.store();
    store.log_metric(run_id, &metric.key, metric.value, metric.step, metric.timestamp)?;
    if let Some(model_id) = params.str("model_id")?.filter(|id| !id.is_empty()) {
        let dataset = super::logged_models::MetricDataset::of(params)?;
        super::logged_models::record_metrics_of(state, run_id, &[(model_id.to_string(), metric)], &dataset)?;
    }
    empty()
}

pub fn log_batch(state: &AppState, params: &Params) -> ApiResult<Value> {
    let run_id = params.run_id()?;
    let metrics = params.metrics("metrics")?;
    let param_list = params.key_values("params")?;
    let tags = params.key_values("tags")?;
    for (what, count, limit) in [
        ("metrics", metrics.len(), MAX_BATCH_METRICS),
        ("params", param_list.len(), MAX_BATCH_PARAMS),
        ("tags", tags.len(), MAX_BATCH_TAGS),
    ] {
        if count > limit {
            return Err(ApiError::invalid(format!(
                "A batch logging request can contain at most {limit} {what}; got {count}"
            )));
        }
    }
    // MLflow 3 clients mark metrics that describe a logged model with its id.
    let mut about_models = Vec::new();
    let mut datasets = Vec::new();
    for (item, metric) in params.objects("metrics")?.iter().zip(&metrics) {
        if let Some(model_id) = item.str("model_id")?.filter(|id| !id.is_empty()) {
            about_models.push((model_id.to_string(), metric.clone()));
            datasets.push(super::logged_models::MetricDataset::of(item)?);
        }
    }
    let fresh = points_not_in_run(state, run_id, metrics, &about_models)?;
    state.tracker.log_batch(run_id, &fresh, &param_list, &tags)?;
    for (about, dataset) in about_models.iter().zip(&datasets) {
        super::logged_models::record_metrics_of(state, run_id, std::slice::from_ref(about), dataset)?;
    }
    empty()
}

/// The points of a batch minus those that repeat, with a model's id, a point the run holds
/// already. MLflow 3's `log_model` sends the run's metrics at the model's step again to link
/// them to the model; MLflow's store keeps one copy of identical points, and so does rtrack.
fn points_not_in_run(
    state: &AppState,
    run_id: &str,
    metrics: Vec<crate::entities::Metric>,
    about_models: &[(String, crate::entities::Metric)],
) -> ApiResult<Vec<crate::entities::Metric>> {
    if about_models.is_empty() {
        return Ok(metrics);
    }
    let same = |a: &crate::entities::Metric, b: &crate::entities::Metric| {
        a.key == b.key && a.step == b.step && a.timestamp == b.timestamp && a.value.to_bits() == b.value.to_bits()
    };
    let mut stored: std::collections::HashMap<&str, Vec<crate::entities::Metric>> = Default::default();
    for (_, metric) in about_models {
        if !stored.contains_key(metric.key.as_str()) {
            let history = state.tracker.get_metric_history(run_id, &metric.key)?;
            stored.insert(metric.key.as_str(), history);
        }
    }
    Ok(metrics
        .into_iter()
        .filter(|metric| {
            let repeated = about_models.iter().any(|(_, about)| same(about, metric))
                && stored
                    .get(metric.key.as_str())
                    .is_some_and(|history| history.iter().any(|old| same(old, metric)));
            !repeated
        })
        .collect())
}

/// A `metrics/get-history` request, checked before any byte of the answer is sent.
pub struct HistoryPage {
    run_id: String,
    key: String,
    offset: usize,
    limit: usize,
}

/// Read and check a `metrics/get-history` request: the run must exist.
pub fn history_page(state: &AppState, params: &Params) -> ApiResult<HistoryPage> {
    let run_id = params.run_id()?;
    let key = params.required_str("metric_key")?;
    state.tracker.get_run(run_id)?;
    Ok(HistoryPage {
        run_id: run_id.to_string(),
        key: key.to_string(),
        offset: decode_page_token(params.str("page_token")?)?,
        limit: params.page_size(usize::MAX)?,
    })
}

/// Write a page of a metric's points in MLflow's shape, `{"metrics": [...], "next_page_token"}`,
/// in step (then timestamp) order, as the store hands them out: the page is never held whole.
pub fn write_history_page(state: &AppState, page: &HistoryPage, out: &mut dyn Write) -> crate::Result<()> {
    let failed = |e: std::io::Error| crate::Error::io("sending a metric history", e);
    let point_prefix = format!("{{\"key\":{},\"value\":", Value::from(page.key.as_str()));
    out.write_all(b"{\"metrics\":[").map_err(failed)?;
    let mut first = true;
    let total =
        state
            .tracker
            .store()
            .visit_metric_history(&page.run_id, &page.key, page.offset, page.limit, &mut |slice| {
                for i in 0..slice.len() {
                    if !std::mem::take(&mut first) {
                        out.write_all(b",").map_err(failed)?;
                    }
                    out.write_all(point_prefix.as_bytes()).map_err(failed)?;
                    serde_json::to_writer(&mut *out, &json::double(slice.values[i]))
                        .map_err(|e| crate::Error::Internal(format!("encoding a metric value: {e}")))?;
                    write!(
                        out,
                        ",\"timestamp\":{},\"step\":{}}}",
                        slice.timestamps[i], slice.steps[i]
                    )
                    .map_err(failed)?;
                }
                Ok(())
            })?;
    out.write_all(b"]").map_err(failed)?;
    let end = page.offset.saturating_add(page.limit).min(total);
    if end < total {
        write!(out, ",\"next_page_token\":{}", Value::from(encode_page_token(end))).map_err(failed)?;
    }
    out.write_all(b"}").map_err(failed)
}
