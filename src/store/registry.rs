//! [`RegistryStore`]: what the model registry needs from a store, beside [`TrackingStore`]'s
//! experiments and runs. The embedded SQLite store implements both; a store reaches its
//! registry through [`TrackingStore::registry`].
//!
//! [`TrackingStore`]: super::TrackingStore
//! [`TrackingStore::registry`]: super::TrackingStore::registry

use crate::entities::{ModelVersion, ModelVersionStage, Page, RegisteredModel};
use crate::error::Result;

/// What a new model version is made from.
#[derive(Clone, Debug, Default)]
pub struct NewModelVersion {
    /// The registered model it becomes a version of; it must exist.
    pub name: String,
    /// Where the model's files are, as a URI.
    pub source: String,
    /// The run that produced the model; it must exist in this store.
    pub run_id: Option<String>,
    pub tags: Vec<(String, String)>,
    pub run_link: Option<String>,
    pub description: Option<String>,
    /// The logged model it was made from; it must exist. Without a run id, the logged
    /// model's source run is used.
    pub model_id: Option<String>,
}

/// A registered model search: filter on `name` and `tags.<key>`; order by `name`,
/// `creation_timestamp` or `last_updated_timestamp` (alias `timestamp`).
#[derive(Clone, Debug)]
pub struct RegisteredModelSearch {
    pub filter: String,
    pub max_results: usize,
    pub order_by: Vec<String>,
    pub page_token: Option<String>,
}

impl Default for RegisteredModelSearch {
    fn default() -> Self {
        RegisteredModelSearch {
            filter: String::new(),
            max_results: 100,
            order_by: Vec::new(),
            page_token: None,
        }
    }
}

/// A model version search: filter on `name`, `version_number`, `run_id`, `source_path`
/// and `tags.<key>`; order by `name`, `version_number`, `creation_timestamp` or
/// `last_updated_timestamp`.
#[derive(Clone, Debug)]
pub struct ModelVersionSearch {
    pub filter: String,
    pub max_results: usize,
    pub order_by: Vec<String>,
    pub page_token: Option<String>,
}

impl Default for ModelVersionSearch {
    fn default() -> Self {
        ModelVersionSearch {
            filter: String::new(),
            max_results: 10_000,
            order_by: Vec::new(),
            page_token: None,
        }
    }
}

/// Registered models, their numbered versions, aliases and legacy stages.
///
/// Models are found by name and versions by (name, number). Every change is all or
/// nothing: a refused request leaves what is stored as it was.
pub trait RegistryStore: Send + Sync {
    fn create_registered_model(
        &self,
        name: &str,
        tags: &[(String, String)],
        description: Option<&str>,
    ) -> Result<RegisteredModel>;
    fn get_registered_model(&self, name: &str) -> Result<RegisteredModel>;
    /// Rename a model; its versions, tags and aliases go with it.
    fn rename_registered_model(&self, name: &str, new_name: &str) -> Result<RegisteredModel>;
    /// Replace the description (`None` clears it).
    fn update_registered_model(&self, name: &str, description: Option<&str>) -> Result<RegisteredModel>;
    /// Delete a model with all its versions, tags and aliases.
    fn delete_registered_model(&self, name: &str) -> Result<()>;
    fn search_registered_models(&self, search: &RegisteredModelSearch) -> Result<Page<RegisteredModel>>;
    fn set_registered_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()>;
    fn delete_registered_model_tag(&self, name: &str, key: &str) -> Result<()>;

    /// Add the next version (1, 2, 3 ...; numbers of deleted versions are not reused).
    fn create_model_version(&self, version: &NewModelVersion) -> Result<ModelVersion>;
    fn get_model_version(&self, name: &str, version: i64) -> Result<ModelVersion>;
    /// Replace a version's description (`None` clears it).
    fn update_model_version(&self, name: &str, version: i64, description: Option<&str>) -> Result<ModelVersion>;
    /// Delete a version with its tags and the aliases pointing at it.
    fn delete_model_version(&self, name: &str, version: i64) -> Result<()>;
    fn search_model_versions(&self, search: &ModelVersionSearch) -> Result<Page<ModelVersion>>;
    fn set_model_version_tag(&self, name: &str, version: i64, key: &str, value: &str) -> Result<()>;
    fn delete_model_version_tag(&self, name: &str, version: i64, key: &str) -> Result<()>;

    /// Move a version to a stage. With `archive_existing_versions` (only for Staging and
    /// Production), the other versions in that stage move to Archived.
    fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: ModelVersionStage,
        archive_existing_versions: bool,
    ) -> Result<ModelVersion>;
    /// The newest version in each of `stages` that has one (every stage when empty).
    fn get_latest_versions(&self, name: &str, stages: &[ModelVersionStage]) -> Result<Vec<ModelVersion>>;

    /// Point an alias at a version, moving it if it pointed elsewhere.
    fn set_registered_model_alias(&self, name: &str, alias: &str, version: i64) -> Result<()>;
    fn delete_registered_model_alias(&self, name: &str, alias: &str) -> Result<()>;
    /// The version an alias points at; `latest` is the newest version.
    fn get_model_version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion>;
}
