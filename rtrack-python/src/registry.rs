//! The model registry on `rtrack.Client` (MlflowClient's names and arguments) and the
//! module-level `register_model`. Conversion only; the rules live in the Rust core.

use pyo3::prelude::*;

use crate::errors::PyResult;

use rtrack::api::fluent;
use rtrack::entities::{parse_version_number, ModelVersionStage};
use rtrack::store::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch};

use super::client::PyClient;
use super::convert;
use super::registry_entities::{PyModelVersion, PyRegisteredModel};

/// A version number given as an int or a string (`3` or `"3"`).
fn version(obj: &Bound<'_, PyAny>) -> PyResult<i64> {
    Ok(parse_version_number(&obj.str()?.to_string())?)
}

fn stage(text: &str) -> PyResult<ModelVersionStage> {
    Ok(text.parse::<ModelVersionStage>()?)
}

fn versions(found: Vec<rtrack::entities::ModelVersion>) -> Vec<PyModelVersion> {
    found.into_iter().map(PyModelVersion).collect()
}

#[pymethods]
impl PyClient {
    #[pyo3(signature = (name, tags=None, description=None))]
    fn create_registered_model(
        &self,
        py: Python<'_>,
        name: &str,
        tags: Option<&Bound<'_, PyAny>>,
        description: Option<String>,
    ) -> PyResult<PyRegisteredModel> {
        let tags = convert::string_pairs(tags)?;
        Ok(PyRegisteredModel(py.detach(|| {
            self.tracker
                .create_registered_model(name, &tags, description.as_deref())
        })?))
    }

    fn get_registered_model(&self, py: Python<'_>, name: &str) -> PyResult<PyRegisteredModel> {
        Ok(PyRegisteredModel(
            py.detach(|| self.tracker.get_registered_model(name))?,
        ))
    }

    fn rename_registered_model(&self, py: Python<'_>, name: &str, new_name: &str) -> PyResult<PyRegisteredModel> {
        Ok(PyRegisteredModel(
            py.detach(|| self.tracker.rename_registered_model(name, new_name))?,
        ))
    }

    #[pyo3(signature = (name, description=None))]
    fn update_registered_model(
        &self,
        py: Python<'_>,
        name: &str,
        description: Option<String>,
    ) -> PyResult<PyRegisteredModel> {
        Ok(PyRegisteredModel(py.detach(|| {
            self.tracker.update_registered_model(name, description.as_deref())
        })?))
    }

    fn delete_registered_model(&self, py: Python<'_>, name: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.delete_registered_model(name))?)
    }

    /// One page of registered models and the token of the next page (None at the end).
    #[pyo3(signature = (filter_string=None, max_results=100, order_by=None, page_token=None))]
    fn _search_registered_models_page(
        &self,
        py: Python<'_>,
        filter_string: Option<String>,
        max_results: usize,
        order_by: Option<Vec<String>>,
        page_token: Option<String>,
    ) -> PyResult<(Vec<PyRegisteredModel>, Option<String>)> {
        let search = RegisteredModelSearch {
            filter: filter_string.unwrap_or_default(),
            max_results,
            order_by: order_by.unwrap_or_default(),
            page_token,
        };
        let page = py.detach(|| self.tracker.search_registered_models(&search))?;
        Ok((
            page.items.into_iter().map(PyRegisteredModel).collect(),
            page.next_page_token,
        ))
    }

    fn set_registered_model_tag(
        &self,
        py: Python<'_>,
        name: &str,
        key: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let value = value.str()?.to_string();
        Ok(py.detach(|| self.tracker.set_registered_model_tag(name, key, &value))?)
    }

    fn delete_registered_model_tag(&self, py: Python<'_>, name: &str, key: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.delete_registered_model_tag(name, key))?)
    }

    #[pyo3(signature = (name, source, run_id=None, tags=None, run_link=None, description=None, model_id=None))]
    #[allow(clippy::too_many_arguments)]
    fn create_model_version(
        &self,
        py: Python<'_>,
        name: String,
        source: String,
        run_id: Option<String>,
        tags: Option<&Bound<'_, PyAny>>,
        run_link: Option<String>,
        description: Option<String>,
        model_id: Option<String>,
    ) -> PyResult<PyModelVersion> {
        let new = NewModelVersion {
            name,
            source,
            run_id,
            tags: convert::string_pairs(tags)?,
            run_link,
            description,
            model_id,
        };
        Ok(PyModelVersion(py.detach(|| self.tracker.create_model_version(&new))?))
    }

    fn get_model_version(&self, py: Python<'_>, name: &str, version: &Bound<'_, PyAny>) -> PyResult<PyModelVersion> {
        let version = self::version(version)?;
        Ok(PyModelVersion(
            py.detach(|| self.tracker.get_model_version(name, version))?,
        ))
    }

    #[pyo3(signature = (name, version, description=None))]
    fn update_model_version(
        &self,
        py: Python<'_>,
        name: &str,
        version: &Bound<'_, PyAny>,
        description: Option<String>,
    ) -> PyResult<PyModelVersion> {
        let version = self::version(version)?;
        Ok(PyModelVersion(py.detach(|| {
            self.tracker.update_model_version(name, version, description.as_deref())
        })?))
    }

    fn delete_model_version(&self, py: Python<'_>, name: &str, version: &Bound<'_, PyAny>) -> PyResult<()> {
        let version = self::version(version)?;
        Ok(py.detach(|| self.tracker.delete_model_version(name, version))?)
    }

    /// One page of model versions and the token of the next page (None at the end).
    #[pyo3(signature = (filter_string=None, max_results=10000, order_by=None, page_token=None))]
    fn _search_model_versions_page(
        &self,
        py: Python<'_>,
        filter_string: Option<String>,
        max_results: usize,
        order_by: Option<Vec<String>>,
        page_token: Option<String>,
    ) -> PyResult<(Vec<PyModelVersion>, Option<String>)> {
        let search = ModelVersionSearch {
            filter: filter_string.unwrap_or_default(),
            max_results,
            order_by: order_by.unwrap_or_default(),
            page_token,
        };
        let page = py.detach(|| self.tracker.search_model_versions(&search))?;
        Ok((versions(page.items), page.next_page_token))
    }

    fn set_model_version_tag(
        &self,
        py: Python<'_>,
        name: &str,
        version: &Bound<'_, PyAny>,
        key: &str,
        value: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let (version, value) = (self::version(version)?, value.str()?.to_string());
        Ok(py.detach(|| self.tracker.set_model_version_tag(name, version, key, &value))?)
    }

    fn delete_model_version_tag(
        &self,
        py: Python<'_>,
        name: &str,
        version: &Bound<'_, PyAny>,
        key: &str,
    ) -> PyResult<()> {
        let version = self::version(version)?;
        Ok(py.detach(|| self.tracker.delete_model_version_tag(name, version, key))?)
    }

    #[pyo3(signature = (name, version, stage, archive_existing_versions=false))]
    fn transition_model_version_stage(
        &self,
        py: Python<'_>,
        name: &str,
        version: &Bound<'_, PyAny>,
        stage: &str,
        archive_existing_versions: bool,
    ) -> PyResult<PyModelVersion> {
        let (version, stage) = (self::version(version)?, self::stage(stage)?);
        let moved = py.detach(|| {
            self.tracker
                .transition_model_version_stage(name, version, stage, archive_existing_versions)
        })?;
        Ok(PyModelVersion(moved))
    }

    #[pyo3(signature = (name, stages=None))]
    fn get_latest_versions(
        &self,
        py: Python<'_>,
        name: &str,
        stages: Option<Vec<String>>,
    ) -> PyResult<Vec<PyModelVersion>> {
        let stages = stages
            .unwrap_or_default()
            .iter()
            .map(|s| stage(s))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(versions(py.detach(|| self.tracker.get_latest_versions(name, &stages))?))
    }

    fn set_registered_model_alias(
        &self,
        py: Python<'_>,
        name: &str,
        alias: &str,
        version: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        let version = self::version(version)?;
        Ok(py.detach(|| self.tracker.set_registered_model_alias(name, alias, version))?)
    }

    fn delete_registered_model_alias(&self, py: Python<'_>, name: &str, alias: &str) -> PyResult<()> {
        Ok(py.detach(|| self.tracker.delete_registered_model_alias(name, alias))?)
    }

    fn get_model_version_by_alias(&self, py: Python<'_>, name: &str, alias: &str) -> PyResult<PyModelVersion> {
        Ok(PyModelVersion(
            py.detach(|| self.tracker.get_model_version_by_alias(name, alias))?,
        ))
    }
}

/// Register the model at `model_uri` (`runs:/<run_id>/<path>`, `models:/...`) as the next
/// version of `name` in the current store, creating the registered model if needed.
#[pyfunction]
#[pyo3(signature = (model_uri, name, tags=None))]
fn register_model(
    py: Python<'_>,
    model_uri: &str,
    name: &str,
    tags: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyModelVersion> {
    let tags = convert::string_pairs(tags)?;
    let version = py.detach(|| fluent::tracker()?.register_model(model_uri, name, &tags))?;
    Ok(PyModelVersion(version))
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(module.add_function(wrap_pyfunction!(register_model, module)?)?)
}
