//! linfa models end to end on real stores: fitted on linfa's data sets, scored with rtrack's
//! metrics, logged as the `rust_linfa` flavor, registered, loaded back by every kind of URI
//! and predicting exactly what the in-memory model predicts; and the refusals.

mod common;

use common::{invalid, new_run, new_store};
use rtrack::linfa::datasets::{iris, winequality};
use rtrack::linfa::linfa::prelude::*;
use rtrack::linfa::linfa_elasticnet::ElasticNet;
use rtrack::linfa::linfa_logistic::{LogisticRegression, MultiLogisticRegression};
use rtrack::linfa::ndarray::{Array2, Axis, Ix1};
use rtrack::linfa::{LinfaModel, FLAVOR, MLMODEL_FILE, MODEL_FILE};
use rtrack::models::MlModel;
use rtrack::{Error, RunOptions};

type Data<T> = Dataset<f64, T, Ix1>;

/// Wine quality as a regression target, split 80/20 (the file's own order).
fn wine_regression() -> (Data<f64>, Data<f64>) {
    winequality()
        .map_targets(|quality| *quality as f64)
        .split_with_ratio(0.8)
}

fn fit_elastic_net(train: &Data<f64>, penalty: f64) -> LinfaModel {
    let fitted = ElasticNet::params()
        .penalty(penalty)
        .l1_ratio(0.5)
        .fit(train)
        .expect("ElasticNet fits");
    LinfaModel::from(fitted).with_feature_names(train.feature_names())
}

fn targets(data: &Data<f64>) -> Vec<f64> {
    data.targets().to_vec()
}

#[test]
fn elastic_net_on_winequality_is_logged_registered_and_loaded_by_alias() {
    let (_dir, tracker) = new_store();
    let (train, valid) = wine_regression();
    let experiment = tracker.set_experiment("wine-quality").unwrap().experiment_id;
    let run = tracker
        .start_run(RunOptions::default().experiment(experiment).name("enet"))
        .unwrap();
    run.log_params([("penalty", 0.1), ("l1_ratio", 0.5)]).unwrap();
    let model = fit_elastic_net(&train, 0.1);
    let report = model
        .evaluate_regression(valid.records().view(), &targets(&valid))
        .unwrap();
    assert!(report.rmse > 0.4 && report.rmse < 1.0, "rmse {}", report.rmse);
    run.log_metrics(report.metrics(), 0).unwrap();
    let uri = model.log(&run, "model").unwrap();
    assert_eq!(uri, format!("runs:/{}/model", run.id()));
    let run_id = run.id().to_string();
    run.end().unwrap();

    let stored = tracker.get_run(&run_id).unwrap();
    assert_eq!(stored.data.metrics["rmse"].value, report.rmse);
    assert_eq!(stored.data.metrics["r2"].value, report.r2);
    assert_eq!(stored.data.metrics["mae"].value, report.mae);
    let files: Vec<String> = tracker
        .list_artifacts(&run_id, Some("model"))
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(files, ["model/MLmodel", "model/model.json"]);
    let mlmodel = String::from_utf8(
        tracker
            .store()
            .artifact_store(&stored.info.artifact_uri)
            .unwrap()
            .read_file(&stored.info.artifact_uri, "model/MLmodel")
            .unwrap(),
    )
    .unwrap();
    let mlmodel = MlModel::from_yaml(&mlmodel).unwrap();
    assert_eq!(mlmodel.flavor(FLAVOR).unwrap()["model_kind"], "elastic_net");
    assert_eq!(mlmodel.run_id.as_deref(), Some(run_id.as_str()));
    assert_eq!(mlmodel.artifact_path.as_deref(), Some("model"));
    let inputs = mlmodel.signature.expect("named features give a signature").inputs;
    assert_eq!(inputs.input_names(), train.feature_names());

    let version = tracker.register_model(&uri, "WineQuality", &[]).unwrap();
    tracker
        .set_registered_model_alias("WineQuality", "production", version.version)
        .unwrap();
    let expected = model.predict(valid.records().view()).unwrap();
    for uri in [
        uri.as_str(),
        "models:/WineQuality@production",
        "models:/WineQuality/1",
        "models:/WineQuality/latest",
    ] {
        let loaded = LinfaModel::load_uri(&tracker, uri).unwrap();
        assert_eq!(loaded.predict(valid.records().view()).unwrap(), expected, "{uri}");
        assert_eq!(loaded.feature_names, train.feature_names(), "{uri}");
    }
}

#[test]
fn moving_the_alias_moves_the_model_that_loads() {
    let (_dir, tracker) = new_store();
    let (train, valid) = wine_regression();
    let experiment = tracker.set_experiment("wine-quality").unwrap().experiment_id;
    let mut models = Vec::new();
    for penalty in [0.01, 1.0] {
        let run = tracker.start_run(RunOptions::default().experiment(experiment)).unwrap();
        let model = fit_elastic_net(&train, penalty);
        tracker
            .register_model(&model.log(&run, "model").unwrap(), "Wine", &[])
            .unwrap();
        models.push(model);
    }
    let rows = valid.records().view();
    let (first, second) = (models[0].predict(rows).unwrap(), models[1].predict(rows).unwrap());
    assert_ne!(first, second);
    for (version, expected) in [(2, &second), (1, &first)] {
        tracker
            .set_registered_model_alias("Wine", "production", version)
            .unwrap();
        let loaded = LinfaModel::load_uri(&tracker, "models:/Wine@production").unwrap();
        assert_eq!(
            &loaded.predict(rows).unwrap(),
            expected,
            "production -> version {version}"
        );
    }
}

#[test]
fn multinomial_logistic_regression_on_iris_scores_and_round_trips() {
    let (train, valid) = every_fourth_held_out(iris());
    let fitted = MultiLogisticRegression::default()
        .max_iterations(200)
        .fit(&train)
        .unwrap();
    let model = LinfaModel::from(fitted).with_feature_names(train.feature_names());
    assert!(model.is_classifier());
    let labels = valid.targets().to_vec();
    let report = model.evaluate_classification(valid.records().view(), &labels).unwrap();
    assert!(report.accuracy > 0.85, "accuracy {}", report.accuracy);
    assert!(report.f1_score > 0.85, "f1 {}", report.f1_score);
    assert!(report.roc_auc.unwrap() > 0.9, "{:?}", report.roc_auc);

    let (classes, scores) = model.class_scores(valid.records().view()).unwrap().unwrap();
    assert_eq!(classes, [0, 1, 2]);
    for row in scores.rows() {
        assert!((row.sum() - 1.0).abs() < 1e-9);
    }

    let dir = tempfile::tempdir().unwrap();
    model.save(dir.path()).unwrap();
    let loaded = LinfaModel::load(dir.path()).unwrap();
    assert_eq!(loaded.kind(), "multinomial_logistic_regression");
    assert_eq!(
        loaded.predict(valid.records().view()).unwrap(),
        model.predict(valid.records().view()).unwrap()
    );
    assert_eq!(loaded.class_scores(valid.records().view()).unwrap().unwrap().1, scores);
}

#[test]
fn binary_logistic_regression_reports_roc_auc_from_its_probabilities() {
    // Good wine (quality 6 or more) against the rest.
    let (train, valid) = winequality()
        .map_targets(|quality| usize::from(*quality >= 6))
        .split_with_ratio(0.8);
    let fitted = LogisticRegression::default().max_iterations(150).fit(&train).unwrap();
    let model = LinfaModel::from(fitted);
    let labels = valid.targets().to_vec();
    let report = model.evaluate_classification(valid.records().view(), &labels).unwrap();
    assert!(report.accuracy > 0.6, "accuracy {}", report.accuracy);
    let auc = report.roc_auc.expect("probabilities give ROC AUC");
    assert!(auc > 0.7 && auc <= 1.0, "roc_auc {auc}");
    let (classes, scores) = model.class_scores(valid.records().view()).unwrap().unwrap();
    assert_eq!(classes, [0, 1]);
    let predicted = model.predict(valid.records().view()).unwrap();
    for (row, label) in scores.rows().into_iter().zip(&predicted) {
        assert_eq!(*label, if row[1] >= 0.5 { 1.0 } else { 0.0 });
    }
    assert!(model.evaluate_regression(valid.records().view(), &[0.0]).is_err());
}

#[test]
fn bad_inputs_are_refused_with_the_reason() {
    let (train, valid) = wine_regression();
    let model = fit_elastic_net(&train, 0.1);
    let message = invalid(model.predict(Array2::zeros((2, 3)).view()));
    assert!(
        message.contains("takes 11 features") && message.contains("fixed acidity") && message.contains("3 columns"),
        "{message}"
    );
    let mut rows = valid.records().slice(rtrack::linfa::ndarray::s![..2, ..]).to_owned();
    rows[[1, 4]] = f64::NAN;
    assert!(invalid(model.predict(rows.view())).contains("input[1, 4] is NaN"));
    let message = invalid(model.predict_rows(&[vec![0.0; 11], vec![0.0; 10]]));
    assert!(message.contains("row 1 has 10 values"), "{message}");
    let mismatched = LinfaModel::from(ElasticNet::params().fit(&train).unwrap()).with_feature_names(["only one"]);
    assert!(
        invalid(mismatched.save(tempfile::tempdir().unwrap().path())).contains("names 1 features but was fitted on 11")
    );
    assert!(model.evaluate_classification(valid.records().view(), &[0]).is_err());
}

#[test]
fn folders_that_are_not_linfa_models_are_named_in_the_error() {
    let (train, _) = wine_regression();
    let model = fit_elastic_net(&train, 0.1);
    let dir = tempfile::tempdir().unwrap();
    assert!(matches!(LinfaModel::load(dir.path()), Err(Error::NotFound(m)) if m.contains("No MLmodel")));

    model.save(dir.path()).unwrap();
    std::fs::write(
        dir.path().join(MLMODEL_FILE),
        "flavors:\n  python_function:\n    loader_module: x\n  sklearn:\n    a: b\n",
    )
    .unwrap();
    let message = invalid(LinfaModel::load(dir.path()));
    assert!(
        message.contains("flavors [python_function, sklearn], not rust_linfa"),
        "{message}"
    );

    model.save(dir.path()).unwrap();
    std::fs::write(
        dir.path().join(MODEL_FILE),
        r#"{"format_version": 1, "model": {"kind": "random_forest"}}"#,
    )
    .unwrap();
    let message = invalid(LinfaModel::load(dir.path()));
    assert!(
        message.contains("unreadable model.json") && message.contains("random_forest"),
        "{message}"
    );
    std::fs::write(dir.path().join(MODEL_FILE), r#"{"format_version": 9, "model": {}}"#).unwrap();
    assert!(invalid(LinfaModel::load(dir.path())).contains("format_version Some(9)"));
}

#[test]
fn a_refused_artifact_path_writes_nothing_and_unknown_uris_are_not_found() {
    let (_dir, tracker) = new_store();
    let (train, _) = wine_regression();
    let model = fit_elastic_net(&train, 0.1);
    let experiment = tracker.set_experiment("e").unwrap().experiment_id;
    let run_id = new_run(&tracker, experiment, "r");
    let run = tracker.resume_run(&run_id).unwrap();
    for path in ["../outside", "/abs", ""] {
        assert!(matches!(model.log(&run, path), Err(Error::InvalidValue(_))), "{path}");
    }
    assert!(tracker.list_artifacts(&run_id, None).unwrap().is_empty());
    assert!(matches!(
        LinfaModel::load_uri(&tracker, "models:/Nobody@production"),
        Err(Error::NotFound(_))
    ));
    assert!(
        matches!(LinfaModel::load_uri(&tracker, &format!("runs:/{run_id}/model")), Err(Error::NotFound(m)) if m.contains("No MLmodel"))
    );
    assert!(matches!(
        LinfaModel::load_uri(&tracker, "models:/"),
        Err(Error::InvalidValue(_))
    ));
}

/// Every fourth row held out (iris is sorted by class, so a plain head/tail split would
/// hold out one class only).
fn every_fourth_held_out(data: Data<usize>) -> (Data<usize>, Data<usize>) {
    let (train, valid): (Vec<usize>, Vec<usize>) = (0..data.nsamples()).partition(|row| row % 4 != 0);
    let pick = |rows: &[usize]| {
        Dataset::new(
            data.records().select(Axis(0), rows),
            data.targets().select(Axis(0), rows),
        )
        .with_feature_names(data.feature_names().to_vec())
    };
    (pick(&train), pick(&valid))
}

#[cfg(feature = "server")]
mod served {
    //! The scoring server answering for linfa models from Rust alone: in this process, and as
    //! `rtrack models serve -m models:/<name>@<alias>` in a child process.

    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};

    use serde_json::{json, Value};

    use super::*;
    use rtrack::serving::{load_predictor, start, ServeConfig};

    fn post(url: &str, body: &Value) -> (u16, Value) {
        let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        let mut response = agent
            .post(&format!("{url}/invocations"))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap();
        (response.status().as_u16(), response.body_mut().read_json().unwrap())
    }

    fn rows_of(data: &Data<f64>, count: usize) -> Vec<Vec<f64>> {
        data.records()
            .rows()
            .into_iter()
            .take(count)
            .map(|row| row.to_vec())
            .collect()
    }

    #[test]
    fn a_saved_model_answers_invocations_in_every_payload_shape() {
        let (train, valid) = wine_regression();
        let model = fit_elastic_net(&train, 0.01);
        let dir = tempfile::tempdir().unwrap();
        model.save(dir.path()).unwrap();
        rtrack::linfa::register_serving();
        let server = start(
            load_predictor(dir.path()).unwrap(),
            &ServeConfig {
                port: 0,
                ..ServeConfig::default()
            },
        )
        .unwrap();
        let url = server.url();

        let rows = rows_of(&valid, 5);
        let expected = json!({"predictions": model.predict_rows(&rows).unwrap()});
        let names = train.feature_names();
        // Columns in another order than the model's: matched by name.
        let reversed: Vec<&String> = names.iter().rev().collect();
        let reversed_rows: Vec<Vec<f64>> = rows.iter().map(|row| row.iter().rev().copied().collect()).collect();
        let records: Vec<Value> = rows
            .iter()
            .map(|row| Value::Object(names.iter().cloned().zip(row.iter().map(|v| json!(v))).collect()))
            .collect();
        for body in [
            json!({"dataframe_split": {"columns": reversed, "data": reversed_rows}}),
            json!({"dataframe_records": records}),
            json!({"instances": rows}),
        ] {
            assert_eq!(post(&url, &body), (200, expected.clone()), "{body}");
        }

        let (status, answer) = post(
            &url,
            &json!({"dataframe_split": {"columns": &names[..10], "data": [rows[0][..10].to_vec()]}}),
        );
        assert_eq!(status, 400, "{answer}");
        assert!(answer["message"].as_str().unwrap().contains("alcohol"), "{answer}");
        let (status, _) = post(&url, &json!({"instances": [[1.0, 2.0]]}));
        assert_eq!(status, 400);
        assert_eq!(
            post(&url, &json!({"instances": rows})),
            (200, expected),
            "still up after bad requests"
        );
        server.stop().unwrap();
    }

    /// Kills the child process when the test ends, however it ends.
    struct Serving(Child);
    impl Drop for Serving {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[test]
    fn rtrack_models_serve_answers_for_a_registered_linfa_model() {
        let (dir, tracker) = new_store();
        let (train, valid) = wine_regression();
        let model = fit_elastic_net(&train, 0.01);
        let run = tracker.start_run(RunOptions::default()).unwrap();
        let version = tracker
            .register_model(&model.log(&run, "model").unwrap(), "Wine", &[])
            .unwrap();
        tracker
            .set_registered_model_alias("Wine", "production", version.version)
            .unwrap();
        run.end().unwrap();
        tracker.flush().unwrap();

        let child = Command::new(env!("CARGO_BIN_EXE_rtrack"))
            .args(["models", "serve", "-m", "models:/Wine@production", "-p", "0"])
            .env("RTRACK_TRACKING_URI", common::uri_of(dir.path()))
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut serving = Serving(child);
        let mut lines = BufReader::new(serving.0.stdout.take().unwrap()).lines();
        let announced = lines.next().expect("the server announces itself").unwrap();
        let url = announced
            .split_whitespace()
            .find(|word| word.starts_with("http://"))
            .expect(&announced)
            .to_string();

        let rows = rows_of(&valid, 3);
        let expected = json!({"predictions": model.predict_rows(&rows).unwrap()});
        assert_eq!(post(&url, &json!({"instances": rows})), (200, expected));
    }
}
