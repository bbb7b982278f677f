//! The REST client store: a `Tracker` on `http://...` talks to a real `rtrack server` on
//! 127.0.0.1 and does everything it does on a local store; the server's store holds it.

use crate::common;

use rtrack::server::{start, ServerConfig};
use rtrack::store::RunSearch;
use rtrack::{Error, RunOptions, RunStatus, Tracker};

fn served() -> (tempfile::TempDir, rtrack::server::RunningServer, Tracker) {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        port: 0,
        ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
    };
    let server = start(&config).unwrap();
    let tracker = Tracker::open(&server.url()).unwrap();
    (dir, server, tracker)
}

#[test]
fn a_remote_tracker_logs_reads_and_searches_through_the_server() {
    let (dir, server, tracker) = served();
    let experiment = tracker.set_experiment("remote").unwrap();
    assert!(experiment.artifact_location.starts_with("mlflow-artifacts:/"));
    let run = tracker
        .start_run(RunOptions::default().experiment(experiment.experiment_id).name("r1"))
        .unwrap();
    let run_id = run.id().to_string();
    run.log_param("alpha", 0.5).unwrap();
    for step in 0..2500 {
        run.log_metric("loss", 1.0 / (step as f64 + 1.0), step).unwrap(); // queued, sent in batches
    }
    run.log_metric("odd", f64::NAN, 0).unwrap();
    tracker
        .log_metric_series(&run_id, "series", (0..3000).map(f64::from).collect(), None, None)
        .unwrap();
    tracker.set_tag(&run_id, "team", "ml").unwrap();
    run.log_text("remote notes", "notes/readme.txt").unwrap();

    // Reads see the queued points: the store flushes before every read.
    let got = tracker.get_run(&run_id).unwrap();
    assert_eq!(got.data.params["alpha"], "0.5");
    assert_eq!(got.data.metrics["loss"].step, 2499);
    assert!(got.data.metrics["odd"].value.is_nan());
    assert_eq!(tracker.get_metric_series(&run_id, "loss").unwrap().len(), 2500);
    assert_eq!(
        tracker.get_metric_history(&run_id, "series").unwrap()[2999].value,
        2999.0
    );

    let listing = tracker.list_artifacts(&run_id, Some("notes")).unwrap();
    assert_eq!(listing.len(), 1);
    assert_eq!(
        (listing[0].path.as_str(), listing[0].file_size),
        ("notes/readme.txt", Some(12))
    );
    let out = tempfile::tempdir().unwrap();
    let downloaded = tracker.download_artifacts(&run_id, "notes", out.path()).unwrap();
    assert_eq!(
        std::fs::read_to_string(downloaded.join("readme.txt")).unwrap(),
        "remote notes"
    );

    // Errors come back as the same variants a local store gives.
    assert!(matches!(run.log_param("alpha", 0.6), Err(Error::InvalidValue(m)) if m.contains("alpha")));
    assert!(matches!(
        tracker.get_run("0123456789abcdef0123456789abcdef"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        tracker.create_experiment("remote", None, &[]),
        Err(Error::AlreadyExists(_))
    ));
    assert!(matches!(
        run.log_text("x", "../escape.txt"),
        Err(Error::InvalidValue(_))
    ));
    drop(run); // ends FINISHED

    let found = tracker
        .search_runs(&RunSearch {
            experiment_ids: vec![experiment.experiment_id],
            filter: "metrics.loss < 0.01 and params.alpha = '0.5'".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].info.status, RunStatus::Finished);

    // Everything is in the server's store.
    server.stop().unwrap();
    let local = Tracker::open(dir.path().join("store").to_str().unwrap()).unwrap();
    let stored = local.get_run(&run_id).unwrap();
    assert_eq!(stored.data.tags["team"], "ml");
    assert_eq!(local.get_metric_series(&run_id, "loss").unwrap().len(), 2500);
    assert_eq!(
        local.list_artifacts(&run_id, Some("notes")).unwrap()[0].path,
        "notes/readme.txt"
    );
}

#[test]
fn an_unreachable_server_is_a_clear_error() {
    let (_dir, server, _) = served();
    let url = server.url();
    server.stop().unwrap();
    let tracker = tracker_with(&url, quick_settings());
    let err = tracker.get_experiment_by_name("x").unwrap_err().to_string();
    assert!(err.contains(&url), "{err}");
}

#[test]
fn the_registry_works_through_the_server() {
    use rtrack::entities::ModelVersionStage::{Production, Staging};
    use rtrack::store::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch};

    let (dir, server, tracker) = served();
    let run_id = tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    tracker
        .create_registered_model("HousePrices", &[("team".into(), "ml".into())], Some("prices"))
        .unwrap();
    for n in 1..=3 {
        let version = tracker
            .create_model_version(&NewModelVersion {
                name: "HousePrices".into(),
                source: format!("runs:/{run_id}/model-{n}"),
                run_id: Some(run_id.clone()),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(version.version, n);
    }
    tracker
        .set_registered_model_alias("HousePrices", "production", 3)
        .unwrap();
    assert_eq!(
        tracker
            .get_model_version_by_alias("HousePrices", "production")
            .unwrap()
            .version,
        3
    );
    tracker
        .set_registered_model_alias("HousePrices", "production", 2)
        .unwrap(); // rollback
    assert_eq!(
        tracker
            .get_model_version_by_alias("HousePrices", "production")
            .unwrap()
            .version,
        2
    );

    tracker
        .transition_model_version_stage("HousePrices", 1, Staging, false)
        .unwrap();
    tracker
        .transition_model_version_stage("HousePrices", 3, Production, false)
        .unwrap();
    let latest = tracker.get_latest_versions("HousePrices", &[Production]).unwrap();
    assert_eq!(latest.iter().map(|v| v.version).collect::<Vec<_>>(), vec![3]);
    let found = tracker
        .search_model_versions(&ModelVersionSearch {
            filter: "name = 'HousePrices' and version_number >= 2".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.items.len(), 2);
    let model = tracker
        .update_registered_model("HousePrices", Some("house prices"))
        .unwrap();
    assert_eq!(model.description.as_deref(), Some("house prices"));
    assert_eq!(model.tags["team"], "ml");

    tracker
        .delete_registered_model_alias("HousePrices", "production")
        .unwrap();
    assert!(matches!(
        tracker.get_model_version_by_alias("HousePrices", "production"),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        tracker.create_registered_model("HousePrices", &[], None),
        Err(Error::AlreadyExists(_))
    ));
    let listed = tracker
        .search_registered_models(&RegisteredModelSearch::default())
        .unwrap();
    assert_eq!(listed.items.len(), 1);

    // The server's own store holds the registry.
    server.stop().unwrap();
    let local = Tracker::open(dir.path().join("store").to_str().unwrap()).unwrap();
    assert_eq!(
        local
            .get_registered_model("HousePrices")
            .unwrap()
            .description
            .as_deref(),
        Some("house prices")
    );
}

#[test]
fn artifacts_logged_without_an_artifact_path_land_at_the_run_root() {
    let (_dir, _server, tracker) = served();
    let run = tracker.start_run(RunOptions::default()).unwrap();
    let run_id = run.id().to_string();
    let local = tempfile::tempdir().unwrap();
    std::fs::write(local.path().join("model.joblib"), b"weights").unwrap();
    std::fs::create_dir_all(local.path().join("plots/deep")).unwrap();
    std::fs::write(local.path().join("plots/deep/loss.txt"), b"0.1").unwrap();
    tracker
        .log_artifact(&run_id, &local.path().join("model.joblib"), None)
        .unwrap();
    tracker
        .log_artifacts(&run_id, &local.path().join("plots"), None)
        .unwrap();
    let top: Vec<String> = tracker
        .list_artifacts(&run_id, None)
        .unwrap()
        .into_iter()
        .map(|f| f.path)
        .collect();
    assert_eq!(top, ["deep", "model.joblib"]);
    let deep = tracker.list_artifacts(&run_id, Some("deep")).unwrap();
    assert_eq!(deep[0].path, "deep/loss.txt");
}

/// MLflow 3's clients register versions whose source is `models:/<model_id>`; such a version
/// resolves to the logged model's files, through the server as well as on the store itself.
#[test]
fn versions_with_a_logged_model_source_resolve_through_the_server() {
    use rtrack::models::{resolve_model_dir, MlModel};
    use rtrack::store::{LoggedModelSearch, NewLoggedModel, NewModelVersion};

    let (dir, server, tracker) = served();
    let run = tracker.start_run(RunOptions::default()).unwrap();
    let run_id = run.id().to_string();
    let model = tracker
        .create_logged_model(&NewLoggedModel {
            source_run_id: Some(run_id.clone()),
            name: Some("enet".into()),
            ..NewLoggedModel::new(rtrack::ExperimentId::DEFAULT)
        })
        .unwrap();
    assert!(
        model.artifact_location.starts_with("mlflow-artifacts:/"),
        "{}",
        model.artifact_location
    );
    let saved = dir.path().join("saved");
    MlModel::new().save(&saved).unwrap();
    let artifacts = tracker.store().artifact_store(&model.artifact_location).unwrap();
    artifacts.log_dir(&model.artifact_location, &saved, None).unwrap();
    tracker
        .finalize_logged_model(&model.model_id, rtrack::entities::LoggedModelStatus::Ready)
        .unwrap();
    let found = tracker
        .search_logged_models(&LoggedModelSearch {
            experiment_ids: vec![rtrack::ExperimentId::DEFAULT],
            order_by: vec!["name DESC".into()],
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].model_id, model.model_id);

    tracker.create_registered_model("Prices", &[], None).unwrap();
    tracker
        .create_model_version(&NewModelVersion {
            name: "Prices".into(),
            source: model.model_uri(),
            run_id: Some(run_id),
            model_id: Some(model.model_id.clone()),
            ..Default::default()
        })
        .unwrap();
    tracker.set_registered_model_alias("Prices", "production", 1).unwrap();

    let remote_scratch = tempfile::tempdir().unwrap();
    let folder = resolve_model_dir(&tracker, "models:/Prices@production", remote_scratch.path()).unwrap();
    assert!(folder.join("MLmodel").is_file(), "{}", folder.display());
    let local = Tracker::open(common::uri_of(&dir.path().join("store"))).unwrap();
    let local_scratch = tempfile::tempdir().unwrap();
    for uri in ["models:/Prices/1", "models:/Prices@production", &model.model_uri()] {
        let folder = resolve_model_dir(&local, uri, local_scratch.path()).unwrap();
        assert!(folder.join("MLmodel").is_file(), "{uri}: {}", folder.display());
    }
    // The UI's version page shows the logged model's MLmodel.
    let page: serde_json::Value = ureq::get(&format!("{}/ui-api/model-version?name=Prices&version=1", server.url()))
        .call()
        .unwrap()
        .body_mut()
        .read_json()
        .unwrap();
    assert!(page["mlmodel"].as_str().is_some_and(|text| !text.is_empty()), "{page}");
}

fn quick_settings() -> rtrack::store::rest::HttpSettings {
    rtrack::store::rest::HttpSettings {
        timeout: std::time::Duration::from_secs(1),
        max_retries: 2,
        backoff_factor: 0.05,
        backoff_jitter: 0.0,
    }
}

fn tracker_with(url: &str, settings: rtrack::store::rest::HttpSettings) -> Tracker {
    Tracker::from_store(std::sync::Arc::new(rtrack::store::rest::RestStore::open_with(
        url, settings,
    )))
}

/// A server that takes connections and never answers must not hang a client for good.
#[test]
fn a_server_that_never_answers_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming() {
            held.push(stream); // accepted, never read or answered
        }
    });
    let tracker = tracker_with(&url, quick_settings());
    let started = std::time::Instant::now();
    let error = tracker
        .start_run(RunOptions::default())
        .err()
        .expect("no answer is an error");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert!(error.to_string().contains(&url), "{error}");
}

/// Points queued while the server is down stay queued: the flush that finds it down says so,
/// and once it is back every point is stored.
#[test]
fn queued_points_survive_a_server_outage() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    let config = ServerConfig {
        port: 0,
        ..ServerConfig::new(common::uri_of(&store))
    };
    let server = start(&config).unwrap();
    let port = server.address().port();
    let tracker = tracker_with(&server.url(), quick_settings());
    let run_id = tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    let run = tracker.resume_run(&run_id).unwrap().detach();
    for step in 0..2000 {
        tracker
            .log_metric(&run, "loss", step as f64 / 3.0, Some(step), None)
            .unwrap();
    }
    tracker.flush().unwrap();
    server.stop().unwrap();

    for step in 2000..4000 {
        tracker
            .log_metric(&run, "loss", step as f64 / 3.0, Some(step), None)
            .unwrap();
    }
    assert!(
        tracker.flush().is_err(),
        "the flush that cannot reach the server says so"
    );
    std::thread::sleep(std::time::Duration::from_millis(300)); // the background sender tries too

    let _back = start(&ServerConfig { port, ..config }).unwrap();
    tracker.flush().unwrap();
    let history = tracker.get_metric_series(&run_id, "loss").unwrap();
    assert_eq!(history.steps, (0..4000).collect::<Vec<i64>>());
    assert_eq!(history.values[3999].to_bits(), (3999.0f64 / 3.0).to_bits());
}
