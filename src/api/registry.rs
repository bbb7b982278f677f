//! The model registry on [`Tracker`]: registered models, numbered versions, aliases and
//! legacy stages, with `MlflowClient`'s verbs.

use crate::entities::{ModelVersion, ModelVersionStage, Page, RegisteredModel};
use crate::error::{Error, Result};
use crate::store::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch, RegistryStore};

use super::model_uri::ModelUri;
use super::Tracker;

impl Tracker {
    fn registry(&self) -> Result<&dyn RegistryStore> {
        self.store()
            .registry()
            .ok_or_else(|| Error::invalid(format!("The store at '{}' has no model registry", self.tracking_uri())))
    }

    /// Create a registered model; a taken name is [`Error::AlreadyExists`].
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::Tracker;
    ///
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// let tags = [("team".to_string(), "pricing".to_string())];
    /// let model = tracker.create_registered_model("HousePrices", &tags, Some("Sale price regressor"))?;
    /// assert_eq!(model.tags["team"], "pricing");
    /// assert!(matches!(tracker.create_registered_model("HousePrices", &[], None), Err(rtrack::Error::AlreadyExists(_))));
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn create_registered_model(
        &self,
        name: &str,
        tags: &[(String, String)],
        description: Option<&str>,
    ) -> Result<RegisteredModel> {
        self.registry()?.create_registered_model(name, tags, description)
    }

    pub fn get_registered_model(&self, name: &str) -> Result<RegisteredModel> {
        self.registry()?.get_registered_model(name)
    }

    /// Rename a model; its versions, tags and aliases stay with it.
    pub fn rename_registered_model(&self, name: &str, new_name: &str) -> Result<RegisteredModel> {
        self.registry()?.rename_registered_model(name, new_name)
    }

    /// Replace a model's description; `None` clears it.
    pub fn update_registered_model(&self, name: &str, description: Option<&str>) -> Result<RegisteredModel> {
        self.registry()?.update_registered_model(name, description)
    }

    /// Delete a model and all its versions.
    pub fn delete_registered_model(&self, name: &str) -> Result<()> {
        self.registry()?.delete_registered_model(name)
    }

    /// Registered models matching a filter on `name` and `tags.<key>`, a page at a time.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::store::RegisteredModelSearch;
    /// use rtrack::Tracker;
    ///
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// for name in ["house-prices", "house-rents", "churn"] {
    ///     tracker.create_registered_model(name, &[], None)?;
    /// }
    /// let page = tracker.search_registered_models(&RegisteredModelSearch {
    ///     filter: "name LIKE 'house-%'".into(),
    ///     order_by: vec!["name DESC".into()],
    ///     ..Default::default()
    /// })?;
    /// let names: Vec<&str> = page.items.iter().map(|m| m.name.as_str()).collect();
    /// assert_eq!(names, ["house-rents", "house-prices"]);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn search_registered_models(&self, search: &RegisteredModelSearch) -> Result<Page<RegisteredModel>> {
        self.registry()?.search_registered_models(search)
    }

    pub fn set_registered_model_tag(&self, name: &str, key: &str, value: &str) -> Result<()> {
        self.registry()?.set_registered_model_tag(name, key, value)
    }

    pub fn delete_registered_model_tag(&self, name: &str, key: &str) -> Result<()> {
        self.registry()?.delete_registered_model_tag(name, key)
    }

    /// Add the next numbered version to a registered model.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::store::NewModelVersion;
    /// use rtrack::Tracker;
    ///
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// tracker.create_registered_model("HousePrices", &[], None)?;
    /// let new = NewModelVersion { name: "HousePrices".into(), source: "s3://models/hp/1".into(), ..Default::default() };
    /// assert_eq!(tracker.create_model_version(&new)?.version, 1);
    /// assert_eq!(tracker.create_model_version(&new)?.version, 2);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn create_model_version(&self, version: &NewModelVersion) -> Result<ModelVersion> {
        self.registry()?.create_model_version(version)
    }

    pub fn get_model_version(&self, name: &str, version: i64) -> Result<ModelVersion> {
        self.registry()?.get_model_version(name, version)
    }

    /// Replace a version's description; `None` clears it.
    pub fn update_model_version(&self, name: &str, version: i64, description: Option<&str>) -> Result<ModelVersion> {
        self.registry()?.update_model_version(name, version, description)
    }

    /// Delete a version; the aliases pointing at it go too. Its number is not reused.
    pub fn delete_model_version(&self, name: &str, version: i64) -> Result<()> {
        self.registry()?.delete_model_version(name, version)
    }

    /// Model versions matching a filter (`name = 'x'`, `run_id = '...'`, `version_number > 2`,
    /// `tags.k = 'v'` ...), a page at a time.
    pub fn search_model_versions(&self, search: &ModelVersionSearch) -> Result<Page<ModelVersion>> {
        self.registry()?.search_model_versions(search)
    }

    pub fn set_model_version_tag(&self, name: &str, version: i64, key: &str, value: &str) -> Result<()> {
        self.registry()?.set_model_version_tag(name, version, key, value)
    }

    pub fn delete_model_version_tag(&self, name: &str, version: i64, key: &str) -> Result<()> {
        self.registry()?.delete_model_version_tag(name, version, key)
    }

    /// Move a version to a legacy stage; `archive_existing_versions` archives the versions
    /// that were in that stage (Staging and Production only).
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::entities::ModelVersionStage::{Archived, Production};
    /// use rtrack::store::NewModelVersion;
    /// use rtrack::Tracker;
    ///
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// tracker.create_registered_model("HousePrices", &[], None)?;
    /// let new = NewModelVersion { name: "HousePrices".into(), source: "s3://models/hp".into(), ..Default::default() };
    /// tracker.create_model_version(&new)?;
    /// tracker.create_model_version(&new)?;
    /// tracker.transition_model_version_stage("HousePrices", 1, Production, false)?;
    /// tracker.transition_model_version_stage("HousePrices", 2, Production, true)?;
    /// assert_eq!(tracker.get_model_version("HousePrices", 1)?.current_stage, Archived);
    /// let in_production = tracker.get_latest_versions("HousePrices", &[Production])?;
    /// assert_eq!(in_production[0].version, 2);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn transition_model_version_stage(
        &self,
        name: &str,
        version: i64,
        stage: ModelVersionStage,
        archive_existing_versions: bool,
    ) -> Result<ModelVersion> {
        self.registry()?
            .transition_model_version_stage(name, version, stage, archive_existing_versions)
    }

    /// The newest version in each of `stages` (every stage when empty).
    pub fn get_latest_versions(&self, name: &str, stages: &[ModelVersionStage]) -> Result<Vec<ModelVersion>> {
        self.registry()?.get_latest_versions(name, stages)
    }

    /// Point an alias at a version. Moving `production` back to an older version is a rollback.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::store::NewModelVersion;
    /// use rtrack::Tracker;
    ///
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// tracker.create_registered_model("HousePrices", &[], None)?;
    /// for i in 1..=2 {
    ///     let source = format!("s3://models/hp/{i}");
    ///     tracker.create_model_version(&NewModelVersion { name: "HousePrices".into(), source, ..Default::default() })?;
    /// }
    /// tracker.set_registered_model_alias("HousePrices", "production", 2)?;
    /// tracker.set_registered_model_alias("HousePrices", "production", 1)?; // roll back
    /// let serving = tracker.get_model_version_by_alias("HousePrices", "production")?;
    /// assert_eq!((serving.version, serving.source.as_str()), (1, "s3://models/hp/1"));
    /// assert_eq!(tracker.get_model_version_by_alias("HousePrices", "latest")?.version, 2);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn set_registered_model_alias(&self, name: &str, alias: &str, version: i64) -> Result<()> {
        self.registry()?.set_registered_model_alias(name, alias, version)
    }

    pub fn delete_registered_model_alias(&self, name: &str, alias: &str) -> Result<()> {
        self.registry()?.delete_registered_model_alias(name, alias)
    }

    /// The version an alias points at; `latest` is the newest version.
    pub fn get_model_version_by_alias(&self, name: &str, alias: &str) -> Result<ModelVersion> {
        self.registry()?.get_model_version_by_alias(name, alias)
    }

    /// Register the model a URI names as the next version of `name`, creating the
    /// registered model if needed (MLflow's `mlflow.register_model`).
    ///
    /// - `runs:/<run_id>/<path>`: the source is the run's artifact URI joined with the path;
    /// - `models:/<model_id>`: a logged model, its artifact location and source run;
    /// - `models:/<name>/<version>`, `@<alias>`, `/<stage>`, `/latest`: another version's source;
    /// - any other URI is taken as the source itself.
    ///
    /// ```
    /// # let dir = tempfile::tempdir().unwrap();
    /// use rtrack::{RunOptions, Tracker};
    ///
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// let run = tracker.create_run(RunOptions::default())?;
    /// let version = tracker.register_model(&format!("runs:/{}/model", run.info.run_id), "HousePrices", &[])?;
    /// assert_eq!(version.version, 1);
    /// assert_eq!(version.source, format!("{}/model", run.info.artifact_uri));
    /// assert_eq!(version.run_id.as_deref(), Some(run.info.run_id.as_str()));
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn register_model(&self, model_uri: &str, name: &str, tags: &[(String, String)]) -> Result<ModelVersion> {
        let mut version = self.version_source(model_uri)?;
        version.name = name.to_string();
        version.tags = tags.to_vec();
        match self.create_registered_model(name, &[], None) {
            Ok(_) | Err(Error::AlreadyExists(_)) => {}
            Err(other) => return Err(other),
        }
        self.create_model_version(&version)
    }

    /// Where the files of the model a URI names are stored (its artifact location): any URI
    /// [`register_model`](Self::register_model) takes, resolved through the registry.
    /// A version whose source is itself a model URI (MLflow 3 registers `models:/<model_id>`)
    /// is followed to that model's location.
    pub fn model_location(&self, model_uri: &str) -> Result<String> {
        let mut source = self.version_source(model_uri)?.source;
        for _ in 0..4 {
            if !crate::models::is_model_uri(&source) {
                return Ok(source);
            }
            source = self.version_source(&source)?.source;
        }
        Err(Error::invalid(format!(
            "The source of '{model_uri}' leads through too many model URIs"
        )))
    }

    /// Source, run and logged model of the model a URI names.
    pub(crate) fn version_source(&self, model_uri: &str) -> Result<NewModelVersion> {
        let from_version = |version: ModelVersion| NewModelVersion {
            source: version.source,
            run_id: version.run_id,
            model_id: version.model_id,
            ..Default::default()
        };
        let uri = match ModelUri::parse(model_uri) {
            Ok(uri) => uri,
            // A plain location (a folder, s3://...) is a source of its own.
            Err(_)
                if !model_uri.starts_with("runs:")
                    && !model_uri.starts_with("models:")
                    && !model_uri.trim().is_empty() =>
            {
                return Ok(NewModelVersion {
                    source: model_uri.to_string(),
                    ..Default::default()
                });
            }
            Err(error) => return Err(error),
        };
        Ok(match uri {
            ModelUri::Run { run_id, path } => {
                let root = self.get_run(&run_id)?.info.artifact_uri;
                let source = if path.is_empty() {
                    root
                } else {
                    format!("{root}/{path}")
                };
                NewModelVersion {
                    source,
                    run_id: Some(run_id),
                    ..Default::default()
                }
            }
            ModelUri::LoggedModel { model_id } => {
                let model = self.get_logged_model(&model_id)?;
                NewModelVersion {
                    source: model.artifact_location,
                    run_id: model.source_run_id,
                    model_id: Some(model.model_id),
                    ..Default::default()
                }
            }
            ModelUri::Version { name, version } => from_version(self.get_model_version(&name, version)?),
            ModelUri::Alias { name, alias } => from_version(self.get_model_version_by_alias(&name, &alias)?),
            ModelUri::Latest { name } => from_version(self.get_model_version_by_alias(&name, "latest")?),
            ModelUri::Stage { name, stage } => {
                let found = self.get_latest_versions(&name, &[stage])?.pop().ok_or_else(|| {
                    Error::not_found(format!("Registered model '{name}' has no version in stage '{stage}'"))
                })?;
                from_version(found)
            }
        })
    }
}
