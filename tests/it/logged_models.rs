//! MLflow 3's logged models on real stores: their life (PENDING, READY, deleted), params,
//! tags, metrics, search, and versions registered from them.

use crate::common::{invalid, new_run, new_store, not_found};
use rtrack::entities::{LoggedModelMetric, LoggedModelStatus};
use rtrack::store::{LoggedModelSearch, NewLoggedModel};
use rtrack::{ExperimentId, Tracker};

fn named(experiment: ExperimentId, name: &str) -> NewLoggedModel {
    NewLoggedModel {
        name: Some(name.into()),
        ..NewLoggedModel::new(experiment)
    }
}

fn metric(key: &str, value: f64, step: i64, dataset: Option<&str>) -> LoggedModelMetric {
    LoggedModelMetric {
        key: key.into(),
        value,
        step,
        timestamp: 1_000 + step,
        run_id: None,
        dataset_name: dataset.map(str::to_string),
        dataset_digest: None,
    }
}

fn search(tracker: &Tracker, experiments: &[ExperimentId], filter: &str, order_by: &[&str]) -> Vec<String> {
    let request = LoggedModelSearch {
        experiment_ids: experiments.to_vec(),
        filter: filter.into(),
        order_by: order_by.iter().map(|o| o.to_string()).collect(),
        ..Default::default()
    };
    tracker
        .search_logged_models(&request)
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.name)
        .collect()
}

#[test]
fn a_logged_model_is_created_pending_and_finalized() {
    let (_dir, tracker) = new_store();
    let experiment = tracker.set_experiment("wine").unwrap();
    let run_id = new_run(&tracker, experiment.experiment_id, "train");
    let new = NewLoggedModel {
        source_run_id: Some(run_id.clone()),
        tags: vec![("framework".into(), "linfa".into())],
        params: vec![("alpha".into(), "0.5".into())],
        model_type: Some("regressor".into()),
        ..named(experiment.experiment_id, "enet")
    };
    let model = tracker.create_logged_model(&new).unwrap();
    assert!(
        model.model_id.starts_with("m-") && model.model_id.len() == 34,
        "{}",
        model.model_id
    );
    assert_eq!(model.status, LoggedModelStatus::Pending);
    assert_eq!(
        model.artifact_location,
        format!("{}/models/{}/artifacts", experiment.artifact_location, model.model_id)
    );
    assert_eq!(
        (model.params["alpha"].as_str(), model.tags["framework"].as_str()),
        ("0.5", "linfa")
    );
    assert_eq!(model.source_run_id.as_deref(), Some(run_id.as_str()));
    assert_eq!(model.model_uri(), format!("models:/{}", model.model_id));

    let ready = tracker
        .finalize_logged_model(&model.model_id, LoggedModelStatus::Ready)
        .unwrap();
    assert_eq!(ready.status, LoggedModelStatus::Ready);
    assert!(ready.last_updated_timestamp_ms >= model.creation_timestamp_ms);
    let message = invalid(tracker.finalize_logged_model(&model.model_id, LoggedModelStatus::Pending));
    assert!(message.contains("PENDING"), "{message}");
    assert_eq!(
        tracker.get_logged_model(&model.model_id).unwrap().status,
        LoggedModelStatus::Ready
    );

    let unnamed = tracker
        .create_logged_model(&NewLoggedModel::new(experiment.experiment_id))
        .unwrap();
    assert_eq!(unnamed.name.split('-').count(), 3, "a generated name: {}", unnamed.name);
}

#[test]
fn params_are_immutable_tags_are_not() {
    let (_dir, tracker) = new_store();
    let id = tracker
        .create_logged_model(&named(ExperimentId::DEFAULT, "enet"))
        .unwrap()
        .model_id;
    let param = |v: &str| vec![("alpha".to_string(), v.to_string())];
    tracker.log_model_params(&id, &param("0.5")).unwrap();
    tracker.log_model_params(&id, &param("0.5")).unwrap();
    let message = invalid(tracker.log_model_params(&id, &param("0.7")));
    assert!(message.contains("'alpha'") && message.contains("'0.5'"), "{message}");

    tracker
        .set_logged_model_tags(&id, &[("stage".into(), "candidate".into())])
        .unwrap();
    tracker
        .set_logged_model_tags(&id, &[("stage".into(), "champion".into())])
        .unwrap();
    let model = tracker.get_logged_model(&id).unwrap();
    assert_eq!(
        (model.params["alpha"].as_str(), model.tags["stage"].as_str()),
        ("0.5", "champion")
    );
    tracker.delete_logged_model_tag(&id, "stage").unwrap();
    assert!(not_found(tracker.delete_logged_model_tag(&id, "stage")).contains("'stage'"));
    assert!(tracker.get_logged_model(&id).unwrap().tags.is_empty());
}

#[test]
fn metrics_are_kept_per_point_and_dataset() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "eval");
    let id = tracker
        .create_logged_model(&named(ExperimentId::DEFAULT, "enet"))
        .unwrap()
        .model_id;
    let mut on_run = metric("rmse", 0.8, 0, Some("test"));
    on_run.run_id = Some(run_id.clone());
    tracker
        .log_logged_model_metrics(
            &id,
            &[
                on_run,
                metric("rmse", 0.6, 1, Some("test")),
                metric("rmse", f64::NAN, 2, None),
            ],
        )
        .unwrap();
    tracker
        .log_logged_model_metrics(&id, &[metric("rmse", 0.5, 1, Some("test"))])
        .unwrap(); // same point: replaced
    let metrics = tracker.get_logged_model(&id).unwrap().metrics;
    assert_eq!(metrics.len(), 3);
    assert_eq!(
        (metrics[0].value, metrics[0].run_id.as_deref()),
        (0.8, Some(run_id.as_str()))
    );
    assert_eq!(
        (metrics[1].value, metrics[1].dataset_name.as_deref()),
        (0.5, Some("test"))
    );
    assert!(metrics[2].value.is_nan());

    let mut unknown_run = metric("rmse", 0.1, 9, None);
    unknown_run.run_id = Some("ghost".into());
    assert!(
        not_found(tracker.log_logged_model_metrics(&id, &[metric("mae", 1.0, 0, None), unknown_run]))
            .contains("'ghost'")
    );
    assert!(
        tracker
            .get_logged_model(&id)
            .unwrap()
            .metrics
            .iter()
            .all(|m| m.key == "rmse"),
        "the refused batch left nothing"
    );
    assert!(invalid(tracker.log_logged_model_metrics(&id, &[metric("../x", 1.0, 0, None)])).contains("'../x'"));
}

#[test]
fn searches_filter_and_order_within_experiments() {
    let (_dir, tracker) = new_store();
    let wine = tracker.set_experiment("wine").unwrap().experiment_id;
    let other = tracker.set_experiment("other").unwrap().experiment_id;
    for (experiment, name, alpha, rmse) in [
        (wine, "enet", "0.5", 0.7),
        (wine, "lasso", "1", 0.9),
        (other, "ridge", "0.5", 0.1),
    ] {
        let model = tracker.create_logged_model(&NewLoggedModel {
            params: vec![("alpha".into(), alpha.into())],
            tags: vec![("family".into(), "linear".into())],
            ..named(experiment, name)
        });
        let id = model.unwrap().model_id;
        tracker
            .log_logged_model_metrics(&id, &[metric("rmse", rmse, 0, Some("test"))])
            .unwrap();
        if name != "lasso" {
            tracker.finalize_logged_model(&id, LoggedModelStatus::Ready).unwrap();
        }
    }
    assert_eq!(search(&tracker, &[wine], "", &["name"]), ["enet", "lasso"]);
    assert_eq!(
        search(&tracker, &[wine, other], "params.alpha = '0.5'", &["metrics.rmse"]),
        ["ridge", "enet"]
    );
    assert_eq!(
        search(&tracker, &[wine, other], "metrics.rmse > 0.5", &["metrics.rmse DESC"]),
        ["lasso", "enet"]
    );
    assert_eq!(search(&tracker, &[wine], "status = 'PENDING'", &[]), ["lasso"]);
    assert_eq!(
        search(
            &tracker,
            &[wine],
            "status = 'LOGGED_MODEL_READY' AND tags.family = 'linear'",
            &[]
        ),
        ["enet"]
    );
    assert_eq!(
        search(&tracker, &[wine], "name = 'enet'' OR ''1''=''1'", &[]),
        Vec::<String>::new()
    );

    let mut paged = LoggedModelSearch {
        experiment_ids: vec![wine, other],
        max_results: 2,
        ..Default::default()
    };
    let first = tracker.search_logged_models(&paged).unwrap();
    paged.page_token = first.next_page_token.clone();
    let second = tracker.search_logged_models(&paged).unwrap();
    assert_eq!(
        (first.items.len(), second.items.len(), second.next_page_token),
        (2, 1, None)
    );

    let bad = LoggedModelSearch {
        experiment_ids: vec![wine],
        order_by: vec!["params.alpha".into()],
        ..Default::default()
    };
    assert!(invalid(tracker.search_logged_models(&bad)).contains("param 'alpha'"));
}

#[test]
fn deleted_models_are_gone_from_reads_and_searches() {
    let (_dir, tracker) = new_store();
    let id = tracker
        .create_logged_model(&named(ExperimentId::DEFAULT, "enet"))
        .unwrap()
        .model_id;
    tracker.delete_logged_model(&id).unwrap();
    assert!(not_found(tracker.get_logged_model(&id)).contains(&id));
    assert!(not_found(tracker.delete_logged_model(&id)).contains(&id));
    assert!(not_found(tracker.set_logged_model_tags(&id, &[("a".into(), "b".into())])).contains(&id));
    assert!(search(&tracker, &[ExperimentId::DEFAULT], "", &[]).is_empty());
}

#[test]
fn bad_requests_create_nothing() {
    let (_dir, tracker) = new_store();
    let experiment = tracker.set_experiment("wine").unwrap().experiment_id;
    assert!(invalid(tracker.create_logged_model(&named(experiment, "a.b"))).contains("'a.b'"));
    // As in MLflow, the source run is recorded as given, not looked up.
    let mut unknown_run = named(experiment, "enet");
    unknown_run.source_run_id = Some("ghost".into());
    let kept = tracker.create_logged_model(&unknown_run).unwrap();
    assert_eq!(kept.source_run_id.as_deref(), Some("ghost"));
    tracker.delete_logged_model(&kept.model_id).unwrap();
    let mut twice = named(experiment, "enet");
    twice.params = vec![("alpha".into(), "1".into()), ("alpha".into(), "2".into())];
    assert!(invalid(tracker.create_logged_model(&twice)).contains("'alpha'"));
    assert!(not_found(tracker.create_logged_model(&named(ExperimentId(99), "enet"))).contains("'99'"));
    tracker.delete_experiment(experiment).unwrap();
    assert!(invalid(tracker.create_logged_model(&named(experiment, "enet"))).contains("deleted"));
    tracker.restore_experiment(experiment).unwrap();
    assert!(search(&tracker, &[experiment], "", &[]).is_empty());
}

#[test]
fn a_version_registered_from_a_logged_model_points_back_at_it() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "train");
    let model = tracker
        .create_logged_model(&NewLoggedModel {
            source_run_id: Some(run_id.clone()),
            ..named(ExperimentId::DEFAULT, "enet")
        })
        .unwrap();
    let version = tracker.register_model(&model.model_uri(), "prices", &[]).unwrap();
    assert_eq!(version.model_id.as_deref(), Some(model.model_id.as_str()));
    assert_eq!(version.source, model.artifact_location);
    assert_eq!(
        version.run_id.as_deref(),
        Some(run_id.as_str()),
        "the logged model's run"
    );
    assert!(
        not_found(tracker.register_model("models:/m-00000000000000000000000000000000", "prices", &[]))
            .contains("m-0000")
    );
}

/// MLflow's `datasets` clause: models with metrics on one of the datasets (by name, and digest
/// when given); metric conditions then count only values on those datasets.
fn datasets_filter_on(tracker: &Tracker) {
    use rtrack::store::DatasetFilter;
    let experiment = tracker.set_experiment("datasets").unwrap().experiment_id;
    for (name, dataset, digest, rmse) in [
        ("on-test", "test", "d1", 0.5),
        ("on-train", "train", "d2", 0.4),
        ("on-test-other-digest", "test", "d9", 0.9),
    ] {
        let id = tracker.create_logged_model(&named(experiment, name)).unwrap().model_id;
        let mut point = metric("rmse", rmse, 0, Some(dataset));
        point.dataset_digest = Some(digest.into());
        point.run_id = Some(new_run(tracker, experiment, "eval"));
        tracker.log_logged_model_metrics(&id, &[point]).unwrap();
    }
    let find = |filter: &str, datasets: Vec<DatasetFilter>| -> Vec<String> {
        let mut names: Vec<String> = tracker
            .search_logged_models(&LoggedModelSearch {
                experiment_ids: vec![experiment],
                filter: filter.into(),
                datasets,
                ..Default::default()
            })
            .unwrap()
            .items
            .into_iter()
            .map(|m| m.name)
            .collect();
        names.sort();
        names
    };
    let test = |digest: Option<&str>| DatasetFilter {
        dataset_name: "test".into(),
        dataset_digest: digest.map(str::to_string),
    };
    assert_eq!(find("", vec![test(None)]), ["on-test", "on-test-other-digest"]);
    assert_eq!(find("", vec![test(Some("d1"))]), ["on-test"]);
    assert_eq!(find("metrics.rmse < 0.6", vec![test(None)]), ["on-test"]);
    assert_eq!(find("metrics.rmse < 0.6", vec![]), ["on-test", "on-train"]);
    let no_name = tracker.search_logged_models(&LoggedModelSearch {
        experiment_ids: vec![experiment],
        datasets: vec![DatasetFilter::default()],
        ..Default::default()
    });
    assert!(invalid(no_name).contains("dataset_name"));
}

#[test]
fn searches_filter_by_datasets() {
    let (_dir, tracker) = new_store();
    datasets_filter_on(&tracker);
}

#[test]
fn searches_filter_by_datasets_through_a_server() {
    let dir = tempfile::tempdir().unwrap();
    let server = rtrack::server::start(&rtrack::server::ServerConfig {
        port: 0,
        ..rtrack::server::ServerConfig::new(crate::common::uri_of(&dir.path().join("store")))
    })
    .unwrap();
    datasets_filter_on(&Tracker::open(&server.url()).unwrap());
}
