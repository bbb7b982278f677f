//! MLflow's model registry endpoints (`registered-models/*`, `model-versions/*`) on the
//! store's [`RegistryStore`](crate::store::RegistryStore).

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::json;
use super::models_json::{model_version, registered_model};
use super::request::Params;
use super::AppState;
use crate::entities::ModelVersionStage;
use crate::store::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch, RegistryStore};

fn registry(state: &AppState) -> ApiResult<&dyn RegistryStore> {
    state
        .tracker
        .store()
        .registry()
        .ok_or_else(|| ApiError::invalid("This server's store has no model registry"))
}

fn name(params: &Params) -> ApiResult<&str> {
    params.required_str("name")
}

fn version(params: &Params) -> ApiResult<i64> {
    params.required_i64("version")
}

fn one_model(state: &AppState, model: &crate::entities::RegisteredModel) -> ApiResult<Value> {
    Ok(json!({ "registered_model": registered_model(model, &state.uris) }))
}

fn one_version(state: &AppState, version: &crate::entities::ModelVersion) -> ApiResult<Value> {
    Ok(json!({ "model_version": model_version(version, &state.uris) }))
}

pub fn create_registered_model(state: &AppState, params: &Params) -> ApiResult<Value> {
    let model = registry(state)?.create_registered_model(
        name(params)?,
        &params.key_values("tags")?,
        params.str("description")?,
    )?;
    one_model(state, &model)
}

pub fn get_registered_model(state: &AppState, params: &Params) -> ApiResult<Value> {
    one_model(state, &registry(state)?.get_registered_model(name(params)?)?)
}

pub fn rename_registered_model(state: &AppState, params: &Params) -> ApiResult<Value> {
    let model = registry(state)?.rename_registered_model(name(params)?, params.required_str("new_name")?)?;
    one_model(state, &model)
}

pub fn update_registered_model(state: &AppState, params: &Params) -> ApiResult<Value> {
    one_model(
        state,
        &registry(state)?.update_registered_model(name(params)?, params.str("description")?)?,
    )
}

pub fn delete_registered_model(state: &AppState, params: &Params) -> ApiResult<Value> {
    registry(state)?.delete_registered_model(name(params)?)?;
    Ok(json!({}))
}

pub fn search_registered_models(state: &AppState, params: &Params) -> ApiResult<Value> {
    let search = RegisteredModelSearch {
        filter: params.str("filter")?.unwrap_or("").to_string(),
        max_results: params.page_size(RegisteredModelSearch::default().max_results)?,
        order_by: params.str_list("order_by")?,
        page_token: params.str("page_token")?.map(str::to_string),
    };
    let page = registry(state)?.search_registered_models(&search)?;
    let items = page.items.iter().map(|m| registered_model(m, &state.uris)).collect();
    Ok(json::page("registered_models", items, page.next_page_token))
}

pub fn set_registered_model_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    let value = params.str("value")?.unwrap_or("");
    registry(state)?.set_registered_model_tag(name(params)?, params.required_str("key")?, value)?;
    Ok(json!({}))
}

pub fn delete_registered_model_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    registry(state)?.delete_registered_model_tag(name(params)?, params.required_str("key")?)?;
    Ok(json!({}))
}

pub fn get_latest_versions(state: &AppState, params: &Params) -> ApiResult<Value> {
    let stages = params
        .str_list("stages")?
        .iter()
        .map(|s| s.parse::<ModelVersionStage>())
        .collect::<crate::Result<Vec<_>>>()?;
    let versions = registry(state)?.get_latest_versions(name(params)?, &stages)?;
    Ok(json!({ "model_versions": versions.iter().map(|v| model_version(v, &state.uris)).collect::<Vec<_>>() }))
}

pub fn set_alias(state: &AppState, params: &Params) -> ApiResult<Value> {
    registry(state)?.set_registered_model_alias(name(params)?, params.required_str("alias")?, version(params)?)?;
    Ok(json!({}))
}

pub fn delete_alias(state: &AppState, params: &Params) -> ApiResult<Value> {
    registry(state)?.delete_registered_model_alias(name(params)?, params.required_str("alias")?)?;
    Ok(json!({}))
}

pub fn get_version_by_alias(state: &AppState, params: &Params) -> ApiResult<Value> {
    one_version(
        state,
        &registry(state)?.get_model_version_by_alias(name(params)?, params.required_str("alias")?)?,
    )
}

pub fn create_model_version(state: &AppState, params: &Params) -> ApiResult<Value> {
    let source = params.required_str("source")?;
    let non_empty = |name| Ok::<_, ApiError>(params.str(name)?.filter(|s| !s.is_empty()));
    super::locations::check_version_source(state, source, non_empty("run_id")?, non_empty("model_id")?)?;
    let new_version = NewModelVersion {
        name: name(params)?.to_string(),
        source: state.uris.to_store(source),
        run_id: params.str("run_id")?.filter(|s| !s.is_empty()).map(str::to_string),
        tags: params.key_values("tags")?,
        run_link: params.str("run_link")?.filter(|s| !s.is_empty()).map(str::to_string),
        description: params.str("description")?.map(str::to_string),
        model_id: params.str("model_id")?.filter(|s| !s.is_empty()).map(str::to_string),
    };
    let created = registry(state)?.create_model_version(&new_version)?;
    if let Some(model_id) = &new_version.model_id {
        super::logged_models::note_model_version(state, model_id, &created.name, created.version)?;
    }
    one_version(state, &created)
}

pub fn get_model_version(state: &AppState, params: &Params) -> ApiResult<Value> {
    one_version(
        state,
        &registry(state)?.get_model_version(name(params)?, version(params)?)?,
    )
}

pub fn update_model_version(state: &AppState, params: &Params) -> ApiResult<Value> {
    let updated = registry(state)?.update_model_version(name(params)?, version(params)?, params.str("description")?)?;
    one_version(state, &updated)
}

pub fn delete_model_version(state: &AppState, params: &Params) -> ApiResult<Value> {
    registry(state)?.delete_model_version(name(params)?, version(params)?)?;
    Ok(json!({}))
}

pub fn search_model_versions(state: &AppState, params: &Params) -> ApiResult<Value> {
    let search = ModelVersionSearch {
        filter: params.str("filter")?.unwrap_or("").to_string(),
        max_results: params.page_size(ModelVersionSearch::default().max_results)?,
        order_by: params.str_list("order_by")?,
        page_token: params.str("page_token")?.map(str::to_string),
    };
    let page = registry(state)?.search_model_versions(&search)?;
    let items = page.items.iter().map(|v| model_version(v, &state.uris)).collect();
    Ok(json::page("model_versions", items, page.next_page_token))
}

pub fn set_model_version_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    let value = params.str("value")?.unwrap_or("");
    registry(state)?.set_model_version_tag(name(params)?, version(params)?, params.required_str("key")?, value)?;
    Ok(json!({}))
}

pub fn delete_model_version_tag(state: &AppState, params: &Params) -> ApiResult<Value> {
    registry(state)?.delete_model_version_tag(name(params)?, version(params)?, params.required_str("key")?)?;
    Ok(json!({}))
}

pub fn transition_stage(state: &AppState, params: &Params) -> ApiResult<Value> {
    let stage: ModelVersionStage = params.required_str("stage")?.parse()?;
    let archive = params.bool("archive_existing_versions")?;
    let moved = registry(state)?.transition_model_version_stage(name(params)?, version(params)?, stage, archive)?;
    one_version(state, &moved)
}

/// Where a version's files are: its logged model's artifacts for `models:/<model_id>`
/// sources, the source itself otherwise.
pub fn get_download_uri(state: &AppState, params: &Params) -> ApiResult<Value> {
    let location = version_location(state, params)?;
    Ok(json!({ "artifact_uri": state.uris.to_client(&location) }))
}

/// The stored location of the version named by `name` and `version`.
pub fn version_location(state: &AppState, params: &Params) -> ApiResult<String> {
    let version = registry(state)?.get_model_version(name(params)?, version(params)?)?;
    let location = match (
        version.source.strip_prefix("models:/"),
        state.tracker.store().logged_models(),
    ) {
        (Some(model_id), Some(models)) if model_id.starts_with("m-") => {
            models.get_logged_model(model_id)?.artifact_location
        }
        _ => version.source,
    };
    Ok(location)
}
