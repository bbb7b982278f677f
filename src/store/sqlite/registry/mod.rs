//! The model registry in the embedded store: [`RegistryStore`] for [`SqliteStore`].
//! Every change runs in one transaction, so a refused request changes nothing.

mod aliases;
mod load;
mod models;
mod search;
mod versions;

use crate::entities::{ModelVersion, ModelVersionStage, Page, RegisteredModel};
use crate::error::Result;
use crate::store::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch, RegistryStore};

use super::SqliteStore;

/// Run several reads in one (deferred) transaction, so they see one state of the store
/// even while another process writes.
pub(super) fn snapshot<T>(
    conn: &rusqlite::Connection,
    read: impl FnOnce(&rusqlite::Connection) -> Result<T>,
) -> Result<T> {
    let tx = conn.unchecked_transaction()?;
    let result = read(&tx)?;
    tx.commit()?;
    Ok(result)
}

impl RegistryStore for SqliteStore {
    fn create_registered_model(
        &self,
        name: &str,
        tags: &[(String, String)],
        description: Option<&str>,
    ) -> Result<RegisteredModel> {
        self.write_all(|conn| models::create(conn, name, tags, description))
    }

    fn get_registered_model(&self, name: &str) -> Result<RegisteredModel> {
        snapshot(&*self.reader()?, |conn| {
            load::registered_model(conn, load::model_row_id(conn, name)?)
        })
    }

    fn rename_registered_model(&self, name: &str, new_name: &str) -> Result<RegisteredModel> {
        self.write_all(|conn| models::rename(conn, name, new_name))
    }

    fn update_registered_model(&self, name: &str, description: Option<&str>) -> Result<RegisteredModel> {
        self.write_all(|conn| models::update(conn, name, description))
    }

    fn delete_registered_model(&self, name: &str) -> Result<()> {
        self.write_all(|conn| models::delete(conn, name))
    }

    fn search_registered_models(&self, search: &RegisteredModelSearch) -> Result<Page<RegisteredModel>> {
        snapshot(&*self.reader()?, |conn| search::registered_models(conn, search))
    }

    fn set_registered_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        self.write_all(|conn| models::set_tag(conn, name, key, value))
    }

    fn delete_registered_model_tag(&self, name: &str, key: &str) -> Result<()> {
        self.write_all(|conn| models::delete_tag(conn, name, key))
    }

    fn create_model_version(&self, version: &NewModelVersion) -> Result<ModelVersion> {
        self.write_all(|conn| versions::create(conn, version))
    }

    fn get_model_version(&self, name: &str, version: i64) -> Result<ModelVersion> {
        snapshot(&*self.reader()?, |conn| {
            load::model_version(conn, load::version_key(conn, name, version)?, name)
        })
    }

    fn update_model_version(&self, name: &str, version: i64, description: Option<&str>) -> Result<ModelVersion> {
        self.write_all(|conn| versions::update(conn, name, version, description))
    }

    fn delete_model_version(&self, name: &str, version: i64) -> Result<()> {
        self.write_all(|conn| versions::delete(conn, name, version))
    }

    fn search_model_versions(&self, search: &ModelVersionSearch) -> Result<Page<ModelVersion>> {
        snapshot(&*self.reader()?, |conn| search::model_versions(conn, search))
    }

    fn set_model_version_tag(&self, name: &str, version: i64, key: &str, value: &str) -> Result<()> {
        self.write_all(|conn| versions::set_tag(conn, name, version, key, value))
    }

    fn delete_model_version_tag(&self, name: &str, version: i64, key: &str) -> Result<()> {
        self.write_all(|conn| versions::delete_tag(conn, name, version, key))
    }

    fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: ModelVersionStage,
        archive_existing_versions: bool,
    ) -> Result<ModelVersion> {
        self.write_all(|conn| versions::transition_stage(conn, name, version, stage, archive_existing_versions))
    }

    fn get_latest_versions(&self, name: &str, stages: &[ModelVersionStage]) -> Result<Vec<ModelVersion>> {
        snapshot(&*self.reader()?, |conn| versions::latest(conn, name, stages))
    }

    fn set_registered_model_alias(&self, name: &str, alias: &str, version: i64) -> Result<()> {
        self.write_all(|conn| aliases::set(conn, name, alias, version))
    }

    fn delete_registered_model_alias(&self, name: &str, alias: &str) -> Result<()> {
        self.write_all(|conn| aliases::delete(conn, name, alias))
    }

    fn get_model_version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        snapshot(&*self.reader()?, |conn| aliases::resolve(conn, name, alias))
    }
}
