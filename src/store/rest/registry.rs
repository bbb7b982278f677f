//! The model registry through a tracking server's `registered-models/*` and
//! `model-versions/*` routes, for stores named by an `http://` URI.

use serde_json::{json, Value};

use super::decode::{integer, key_values};
use super::RestStore;
use super::{key_values_json, next_token};
use crate::entities::{ModelVersion, ModelVersionStage, Page, RegisteredModel, RegisteredModelAlias};
use crate::error::{Error, Result};
use crate::store::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch, RegistryStore};

fn malformed(field: &str) -> Error {
    Error::Internal(format!(
        "the tracking server sent a registry entry without a valid '{field}'"
    ))
}

fn text(value: &Value, field: &str) -> Option<String> {
    value[field].as_str().map(str::to_string)
}

fn model_version(value: &Value) -> Result<ModelVersion> {
    Ok(ModelVersion {
        name: text(value, "name").ok_or_else(|| malformed("name"))?,
        version: integer(value, "version").ok_or_else(|| malformed("version"))?,
        creation_timestamp: integer(value, "creation_timestamp").unwrap_or(0),
        last_updated_timestamp: integer(value, "last_updated_timestamp").unwrap_or(0),
        current_stage: value["current_stage"].as_str().unwrap_or("None").parse()?,
        description: text(value, "description"),
        source: text(value, "source").unwrap_or_default(),
        run_id: text(value, "run_id").filter(|s| !s.is_empty()),
        run_link: text(value, "run_link").filter(|s| !s.is_empty()),
        status: value["status"].as_str().unwrap_or("READY").parse()?,
        status_message: text(value, "status_message"),
        tags: key_values(&value["tags"]),
        aliases: value["aliases"]
            .as_array()
            .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        model_id: text(value, "model_id"),
    })
}

fn registered_model(value: &Value) -> Result<RegisteredModel> {
    let aliases = value["aliases"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|a| {
            Ok(RegisteredModelAlias {
                alias: text(a, "alias").ok_or_else(|| malformed("alias"))?,
                version: integer(a, "version").ok_or_else(|| malformed("version"))?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(RegisteredModel {
        name: text(value, "name").ok_or_else(|| malformed("name"))?,
        creation_timestamp: integer(value, "creation_timestamp").unwrap_or(0),
        last_updated_timestamp: integer(value, "last_updated_timestamp").unwrap_or(0),
        description: text(value, "description"),
        latest_versions: versions(&value["latest_versions"])?,
        tags: key_values(&value["tags"]),
        aliases,
    })
}

fn versions(value: &Value) -> Result<Vec<ModelVersion>> {
    value
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(model_version)
        .collect()
}

fn page_body(
    filter: &str,
    max_results: usize,
    order_by: &[String],
    page_token: &Option<String>,
) -> Vec<(&'static str, String)> {
    let mut query = vec![("filter", filter.to_string()), ("max_results", max_results.to_string())];
    query.extend(order_by.iter().map(|clause| ("order_by", clause.clone())));
    if let Some(token) = page_token {
        query.push(("page_token", token.clone()));
    }
    query
}

impl RegistryStore for RestStore {
    fn create_registered_model(
        &self,
        name: &str,
        tags: &[(String, String)],
        description: Option<&str>,
    ) -> Result<RegisteredModel> {
        let body = json!({ "name": name, "tags": key_values_json(tags), "description": description });
        registered_model(&self.client.post("registered-models/create", &body)?["registered_model"])
    }

    fn get_registered_model(&self, name: &str) -> Result<RegisteredModel> {
        registered_model(
            &self
                .client
                .get("registered-models/get", &[("name", name.to_string())])?["registered_model"],
        )
    }

    fn rename_registered_model(&self, name: &str, new_name: &str) -> Result<RegisteredModel> {
        let reply = self.client.post(
            "registered-models/rename",
            &json!({ "name": name, "new_name": new_name }),
        )?;
        registered_model(&reply["registered_model"])
    }

    fn update_registered_model(&self, name: &str, description: Option<&str>) -> Result<RegisteredModel> {
        let reply = self.client.send(
            "PATCH",
            "registered-models/update",
            &json!({ "name": name, "description": description }),
        )?;
        registered_model(&reply["registered_model"])
    }

    fn delete_registered_model(&self, name: &str) -> Result<()> {
        self.client
            .send("DELETE", "registered-models/delete", &json!({ "name": name }))
            .map(drop)
    }

    fn search_registered_models(&self, search: &RegisteredModelSearch) -> Result<Page<RegisteredModel>> {
        let query = page_body(&search.filter, search.max_results, &search.order_by, &search.page_token);
        let reply = self.client.get("registered-models/search", &query)?;
        let items = reply["registered_models"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        Ok(Page {
            items: items.iter().map(registered_model).collect::<Result<_>>()?,
            next_page_token: next_token(&reply),
        })
    }

    fn set_registered_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        self.client
            .post(
                "registered-models/set-tag",
                &json!({ "name": name, "key": key, "value": value }),
            )
            .map(drop)
    }

    fn delete_registered_model_tag(&self, name: &str, key: &str) -> Result<()> {
        self.client
            .send(
                "DELETE",
                "registered-models/delete-tag",
                &json!({ "name": name, "key": key }),
            )
            .map(drop)
    }

    fn create_model_version(&self, version: &NewModelVersion) -> Result<ModelVersion> {
        let body = json!({
            "name": version.name,
            "source": version.source,
            "run_id": version.run_id,
            "tags": key_values_json(&version.tags),
            "run_link": version.run_link,
            "description": version.description,
            "model_id": version.model_id,
        });
        model_version(&self.client.post("model-versions/create", &body)?["model_version"])
    }

    fn get_model_version(&self, name: &str, version: i64) -> Result<ModelVersion> {
        let query = [("name", name.to_string()), ("version", version.to_string())];
        model_version(&self.client.get("model-versions/get", &query)?["model_version"])
    }

    fn update_model_version(&self, name: &str, version: i64, description: Option<&str>) -> Result<ModelVersion> {
        let body = json!({ "name": name, "version": version.to_string(), "description": description });
        model_version(&self.client.send("PATCH", "model-versions/update", &body)?["model_version"])
    }

    fn delete_model_version(&self, name: &str, version: i64) -> Result<()> {
        self.client
            .send(
                "DELETE",
                "model-versions/delete",
                &json!({ "name": name, "version": version.to_string() }),
            )
            .map(drop)
    }

    fn search_model_versions(&self, search: &ModelVersionSearch) -> Result<Page<ModelVersion>> {
        let query = page_body(&search.filter, search.max_results, &search.order_by, &search.page_token);
        let reply = self.client.get("model-versions/search", &query)?;
        Ok(Page {
            items: versions(&reply["model_versions"])?,
            next_page_token: next_token(&reply),
        })
    }

    fn set_model_version_tag(&self, name: &str, version: i64, key: &str, value: &str) -> Result<()> {
        let body = json!({ "name": name, "version": version.to_string(), "key": key, "value": value });
        self.client.post("model-versions/set-tag", &body).map(drop)
    }

    fn delete_model_version_tag(&self, name: &str, version: i64, key: &str) -> Result<()> {
        let body = json!({ "name": name, "version": version.to_string(), "key": key });
        self.client.send("DELETE", "model-versions/delete-tag", &body).map(drop)
    }

    fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: ModelVersionStage,
        archive_existing_versions: bool,
    ) -> Result<ModelVersion> {
        let body = json!({
            "name": name,
            "version": version.to_string(),
            "stage": stage.as_str(),
            "archive_existing_versions": archive_existing_versions,
        });
        model_version(&self.client.post("model-versions/transition-stage", &body)?["model_version"])
    }

    fn get_latest_versions(&self, name: &str, stages: &[ModelVersionStage]) -> Result<Vec<ModelVersion>> {
        let body = json!({ "name": name, "stages": stages.iter().map(|s| s.as_str()).collect::<Vec<_>>() });
        versions(&self.client.post("registered-models/get-latest-versions", &body)?["model_versions"])
    }

    fn set_registered_model_alias(&self, name: &str, alias: &str, version: i64) -> Result<()> {
        let body = json!({ "name": name, "alias": alias, "version": version.to_string() });
        self.client.post("registered-models/alias", &body).map(drop)
    }

    fn delete_registered_model_alias(&self, name: &str, alias: &str) -> Result<()> {
        self.client
            .send(
                "DELETE",
                "registered-models/alias",
                &json!({ "name": name, "alias": alias }),
            )
            .map(drop)
    }

    fn get_model_version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        let query = [("name", name.to_string()), ("alias", alias.to_string())];
        model_version(&self.client.get("registered-models/alias", &query)?["model_version"])
    }
}
