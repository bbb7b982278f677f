//! Models end to end in Rust: a model folder written, logged to a run, registered, found again
//! by every URI form, and served over real HTTP by a pure-Rust predictor with signature checks.

use std::sync::Arc;

use rtrack::models::{
    resolve_model_dir, ColSpec, ColumnDescription, ColumnType, DataDescription, InputExample, InputTable, MlModel,
    ModelSignature, Schema,
};
use rtrack::serving::{start, Predictor, ServeConfig};
use rtrack::{RunOptions, Tracker};
use serde_json::{json, Value};

fn house_signature() -> ModelSignature {
    let column = |name: &str, dtype: &str| ColumnDescription {
        name: Some(name.into()),
        dtype: dtype.into(),
        object_hint: None,
        has_missing: false,
    };
    let frame = DataDescription::Table(vec![column("rooms", "int64"), column("area", "float64")]);
    ModelSignature::infer(
        &frame,
        Some(&DataDescription::Array {
            dtype: "float64".into(),
            shape: vec![3],
        }),
    )
    .unwrap()
}

#[test]
fn a_model_folder_logged_registered_and_found_by_every_uri() {
    let dir = tempfile::tempdir().unwrap();
    let tracker = Tracker::open(dir.path().join("store").to_str().unwrap()).unwrap();
    let run = tracker.create_run(RunOptions::default()).unwrap();
    let run_id = run.info.run_id.clone();

    let folder = dir.path().join("saved");
    let mut model = MlModel::new();
    model.run_id = Some(run_id.clone());
    model.artifact_path = Some("model".into());
    model.add_flavor("rust_linear", json!({"weights": [50.0, 2.0]}));
    model.signature = Some(house_signature());
    let example = InputExample::Table(vec![
        ("rooms".into(), vec![json!(2)]),
        ("area".into(), vec![json!(70.0)]),
    ]);
    rtrack::models::write_model_dir(&folder, &mut model, None, Some(&example)).unwrap();
    tracker.log_artifacts(&run_id, &folder, Some("model")).unwrap();
    tracker
        .register_model(&format!("runs:/{run_id}/model"), "HousePrices", &[])
        .unwrap();
    tracker
        .set_registered_model_alias("HousePrices", "production", 1)
        .unwrap();
    tracker
        .transition_model_version_stage("HousePrices", 1, rtrack::entities::ModelVersionStage::Production, false)
        .unwrap();

    for uri in [
        format!("runs:/{run_id}/model"),
        "models:/HousePrices/1".into(),
        "models:/HousePrices@production".into(),
        "models:/HousePrices/Production".into(),
        folder.to_str().unwrap().to_string(),
    ] {
        let found = resolve_model_dir(&tracker, &uri, dir.path()).unwrap_or_else(|e| panic!("{uri}: {e}"));
        let read = MlModel::load(&found).unwrap();
        assert_eq!(read, model, "{uri}");
        assert_eq!(read.signature.unwrap().inputs.input_names(), ["rooms", "area"]);
    }
    for (uri, why) in [
        ("models:/HousePrices@staging", "staging"),
        ("models:/HousePrices/Staging", "Staging"),
        ("models:/Other/1", "Other"),
    ] {
        let err = resolve_model_dir(&tracker, uri, dir.path()).unwrap_err().to_string();
        assert!(err.contains(why), "{uri}: {err}");
    }
    let err = resolve_model_dir(&tracker, &format!("runs:/{run_id}/missing"), dir.path()).unwrap_err();
    assert!(err.to_string().contains("no MLmodel file"), "{err}");
    assert!(resolve_model_dir(&tracker, &format!("runs:/{run_id}/../../escape"), dir.path()).is_err());
}

/// A linear model over the columns the signature names.
struct Linear {
    signature: ModelSignature,
    weights: Vec<f64>,
}

impl Predictor for Linear {
    fn signature(&self) -> Option<&ModelSignature> {
        Some(&self.signature)
    }

    fn predict(&self, input: &InputTable) -> rtrack::Result<Vec<Value>> {
        Ok((0..input.rows())
            .map(|row| {
                let total: f64 = input
                    .columns
                    .iter()
                    .zip(&self.weights)
                    .map(|(c, w)| c.values[row].as_f64().unwrap() * w)
                    .sum();
                json!(total)
            })
            .collect())
    }
}

fn post(url: &str, content_type: &str, body: &str) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let mut response = agent
        .post(&format!("{url}/invocations"))
        .header("Content-Type", content_type)
        .send(body)
        .unwrap();
    let status = response.status().as_u16();
    (status, response.body_mut().read_json().unwrap())
}

#[test]
fn a_rust_predictor_served_over_http() {
    let signature = ModelSignature {
        inputs: Schema::Columns(vec![
            ColSpec::new("rooms", ColumnType::Long),
            ColSpec::new("area", ColumnType::Double),
        ]),
        outputs: None,
        params: None,
    };
    let server = start(
        Arc::new(Linear {
            signature,
            weights: vec![50.0, 2.0],
        }),
        &ServeConfig {
            port: 0,
            ..ServeConfig::default()
        },
    )
    .unwrap();
    let url = server.url();
    let ping = ureq::get(&format!("{url}/ping")).call().unwrap();
    assert_eq!(ping.status().as_u16(), 200);

    let expected = json!({"predictions": [240.0, 100.0]});
    for body in [
        r#"{"dataframe_split": {"columns": ["area", "rooms"], "data": [[70, 2], [0, 2]]}}"#,
        r#"{"dataframe_records": [{"rooms": 2, "area": 70.0}, {"rooms": 2, "area": 0}]}"#,
        r#"{"instances": [[2, 70.0], [2, 0.0]]}"#,
        r#"{"inputs": {"rooms": [2, 2], "area": [70, 0]}}"#,
    ] {
        assert_eq!(post(&url, "application/json", body), (200, expected.clone()), "{body}");
    }
    assert_eq!(
        post(&url, "text/csv; charset=utf-8", "rooms,area\n2,70\n2,0\n"),
        (200, expected)
    );

    let (status, answer) = post(
        &url,
        "application/json",
        r#"{"dataframe_records": [{"rooms": 2.5, "area": 1}]}"#,
    );
    assert_eq!(status, 400);
    assert_eq!(answer["error_code"], "INVALID_PARAMETER_VALUE");
    assert!(
        answer["message"].as_str().unwrap().contains("column 'rooms'"),
        "{answer}"
    );
    let (status, answer) = post(&url, "application/json", r#"{"dataframe_records": [{"area": 1}]}"#);
    assert_eq!(status, 400);
    assert!(
        answer["message"].as_str().unwrap().contains("missing inputs ['rooms']"),
        "{answer}"
    );
    assert_eq!(post(&url, "application/json", "[").0, 400);
    assert_eq!(post(&url, "application/xml", "<x/>").0, 415);
    // Still up and answering after the bad requests.
    assert_eq!(
        post(&url, "application/json", r#"{"inputs": {"rooms": [1], "area": [1]}}"#),
        (200, json!({"predictions": [52.0]}))
    );
    server.stop().unwrap();
}
