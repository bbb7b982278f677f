//! Run inputs and outputs in SQLite: one row per (run, dataset) and per (run, model, direction).

use rusqlite::{params, Connection};

use super::{runs, SqliteStore};
use crate::entities::{DatasetInput, ModelOutput, RunIo};
use crate::error::{Error, Result};
use crate::store::RunIoStore;

fn require_models(conn: &Connection, model_ids: &[&str]) -> Result<()> {
    let mut exists = conn.prepare_cached("SELECT 1 FROM logged_models WHERE model_id = ?1")?;
    for model_id in model_ids {
        if !exists.exists([model_id])? {
            return Err(Error::not_found(format!("Logged model '{model_id}' not found")));
        }
    }
    Ok(())
}

fn link_model(conn: &Connection, run_id: &str, model_id: &str, direction: &str, step: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO run_model_links (run_uuid, model_id, direction, step) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![run_id, model_id, direction, step])?;
    Ok(())
}

impl RunIoStore for SqliteStore {
    fn log_inputs(&self, run_id: &str, datasets: &[DatasetInput], model_ids: &[String]) -> Result<()> {
        for dataset in datasets {
            if dataset.name.is_empty() || dataset.digest.is_empty() {
                return Err(Error::invalid("A dataset input needs a name and a digest"));
            }
        }
        self.write_all(|conn| {
            runs::require_active(conn, run_id)?;
            require_models(conn, &model_ids.iter().map(String::as_str).collect::<Vec<_>>())?;
            for dataset in datasets {
                let tags = serde_json::to_string(&dataset.tags).map_err(|e| Error::Internal(e.to_string()))?;
                conn.prepare_cached(
                    "INSERT OR REPLACE INTO run_dataset_inputs
                     (run_uuid, name, digest, source_type, source, schema, profile, tags)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )?
                .execute(params![
                    run_id,
                    dataset.name,
                    dataset.digest,
                    dataset.source_type,
                    dataset.source,
                    dataset.schema,
                    dataset.profile,
                    tags
                ])?;
            }
            for model_id in model_ids {
                link_model(conn, run_id, model_id, "input", 0)?;
            }
            Ok(())
        })
    }

    fn log_outputs(&self, run_id: &str, models: &[ModelOutput]) -> Result<()> {
        self.write_all(|conn| {
            runs::require_active(conn, run_id)?;
            require_models(conn, &models.iter().map(|m| m.model_id.as_str()).collect::<Vec<_>>())?;
            for model in models {
                link_model(conn, run_id, &model.model_id, "output", model.step)?;
            }
            Ok(())
        })
    }

    fn get_run_io(&self, run_id: &str) -> Result<RunIo> {
        self.read(|conn| {
            runs::get_info(conn, run_id)?;
            let mut io = RunIo::default();
            let mut stmt = conn.prepare_cached(
                "SELECT name, digest, source_type, source, schema, profile, tags FROM run_dataset_inputs
                 WHERE run_uuid = ?1 ORDER BY name, digest",
            )?;
            let mut rows = stmt.query([run_id])?;
            while let Some(row) = rows.next()? {
                let tags: String = row.get(6)?;
                io.datasets.push(DatasetInput {
                    name: row.get(0)?,
                    digest: row.get(1)?,
                    source_type: row.get(2)?,
                    source: row.get(3)?,
                    schema: row.get(4)?,
                    profile: row.get(5)?,
                    tags: serde_json::from_str(&tags).unwrap_or_default(),
                });
            }
            let mut stmt = conn.prepare_cached(
                "SELECT model_id, direction, step FROM run_model_links WHERE run_uuid = ?1 ORDER BY direction, step, model_id",
            )?;
            let mut rows = stmt.query([run_id])?;
            while let Some(row) = rows.next()? {
                let model_id: String = row.get(0)?;
                let direction: String = row.get(1)?;
                if direction == "input" {
                    io.model_inputs.push(model_id);
                } else {
                    io.model_outputs.push(ModelOutput { model_id, step: row.get(2)? });
                }
            }
            Ok(io)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::ExperimentId;
    use crate::store::{LoggedModelStore, NewLoggedModel, NewRun, TrackingStore};

    fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open("test", &dir.path().join("rtrack.db"), &dir.path().join("artifacts")).unwrap();
        (dir, store)
    }

    #[test]
    fn inputs_and_outputs_are_linked_and_read_back() {
        let (_dir, store) = store();
        let run_id = store
            .create_run(NewRun {
                user_id: "u".into(),
                ..Default::default()
            })
            .unwrap()
            .info
            .run_id;
        let model = store
            .create_logged_model(&NewLoggedModel::new(ExperimentId::DEFAULT))
            .unwrap();
        let dataset = DatasetInput {
            name: "wine".into(),
            digest: "abc".into(),
            source_type: "local".into(),
            source: "{}".into(),
            tags: [("mlflow.data.context".to_string(), "training".to_string())].into(),
            ..Default::default()
        };
        store.log_inputs(&run_id, std::slice::from_ref(&dataset), &[]).unwrap();
        store
            .log_outputs(
                &run_id,
                &[ModelOutput {
                    model_id: model.model_id.clone(),
                    step: 3,
                }],
            )
            .unwrap();
        let io = store.get_run_io(&run_id).unwrap();
        assert_eq!(io.datasets, vec![dataset]);
        assert_eq!(
            io.model_outputs,
            vec![ModelOutput {
                model_id: model.model_id,
                step: 3
            }]
        );

        let unknown = ModelOutput {
            model_id: "m-0".into(),
            step: 0,
        };
        assert!(matches!(
            store.log_outputs(&run_id, &[unknown]),
            Err(Error::NotFound(_))
        ));
        assert!(matches!(
            store.get_run_io("0123456789abcdef0123456789abcdef"),
            Err(Error::NotFound(_))
        ));
    }
}
