//! The model registry on real stores: version numbering, aliases, stages, search, rename,
//! deletes, errors, and upgrading a store made before the registry existed.

use crate::common::{database_of, invalid, new_run, new_store, not_found, uri_of};
use rtrack::entities::ModelVersionStage::{self, Archived, Production, Staging};
use rtrack::store::{ModelVersionSearch, NewModelVersion, RegisteredModelSearch};
use rtrack::{Error, ExperimentId, Tracker};

fn version_of(name: &str, source: &str) -> NewModelVersion {
    NewModelVersion {
        name: name.into(),
        source: source.into(),
        ..Default::default()
    }
}

/// A model with `count` versions whose sources are `s3://m/<name>/<n>`.
fn model_with_versions(tracker: &Tracker, name: &str, count: i64) {
    tracker.create_registered_model(name, &[], None).unwrap();
    for n in 1..=count {
        tracker
            .create_model_version(&version_of(name, &format!("s3://m/{name}/{n}")))
            .unwrap();
    }
}

fn version_numbers(tracker: &Tracker, filter: &str) -> Vec<i64> {
    let search = ModelVersionSearch {
        filter: filter.into(),
        order_by: vec!["version_number".into()],
        ..Default::default()
    };
    tracker
        .search_model_versions(&search)
        .unwrap()
        .items
        .iter()
        .map(|v| v.version)
        .collect()
}

fn model_names(tracker: &Tracker, filter: &str) -> Vec<String> {
    let search = RegisteredModelSearch {
        filter: filter.into(),
        ..Default::default()
    };
    tracker
        .search_registered_models(&search)
        .unwrap()
        .items
        .into_iter()
        .map(|m| m.name)
        .collect()
}

fn already_exists<T: std::fmt::Debug>(result: rtrack::Result<T>) -> String {
    match result {
        Err(Error::AlreadyExists(message)) => message,
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
}

#[test]
fn versions_count_up_per_model_and_numbers_are_never_reused() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 3);
    model_with_versions(&tracker, "rents", 1);
    assert_eq!(tracker.get_model_version("rents", 1).unwrap().source, "s3://m/rents/1");
    tracker.delete_model_version("prices", 3).unwrap();
    let next = tracker
        .create_model_version(&version_of("prices", "s3://m/prices/next"))
        .unwrap();
    assert_eq!(next.version, 4, "version 3 was deleted, its number stays retired");
    assert_eq!(version_numbers(&tracker, "name = 'prices'"), [1, 2, 4]);

    let created = tracker.get_model_version("prices", 1).unwrap();
    assert_eq!(
        (created.current_stage, created.status.as_str()),
        (ModelVersionStage::None, "READY")
    );
    let model = tracker.get_registered_model("prices").unwrap();
    assert!(
        model.last_updated_timestamp >= next.creation_timestamp,
        "a new version updates the model"
    );
}

#[test]
fn versions_keep_what_they_were_created_with() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "train");
    tracker.create_registered_model("prices", &[], None).unwrap();
    let version = tracker
        .create_model_version(&NewModelVersion {
            name: "prices".into(),
            source: "s3://m/prices/1".into(),
            run_id: Some(run_id.clone()),
            tags: vec![("validated".into(), "yes".into())],
            run_link: Some("http://ci/42".into()),
            description: Some("first".into()),
            model_id: None,
        })
        .unwrap();
    assert_eq!(version, tracker.get_model_version("prices", 1).unwrap());
    assert_eq!(version.run_id.as_deref(), Some(run_id.as_str()));
    assert_eq!(version.run_link.as_deref(), Some("http://ci/42"));
    assert_eq!(
        (version.description.as_deref(), version.tags["validated"].as_str()),
        (Some("first"), "yes")
    );

    let updated = tracker.update_model_version("prices", 1, Some("second")).unwrap();
    assert_eq!(updated.description.as_deref(), Some("second"));
    assert_eq!(
        tracker.update_model_version("prices", 1, None).unwrap().description,
        None
    );
    assert_eq!(version_numbers(&tracker, &format!("run_id = '{run_id}'")), [1]);
}

#[test]
fn a_refused_version_takes_no_number() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 1);
    let mut bad = version_of("prices", "s3://m/x");
    bad.run_id = Some("no-such-run".into());
    assert!(not_found(tracker.create_model_version(&bad)).contains("'no-such-run'"));
    let mut bad = version_of("prices", "s3://m/x");
    bad.tags = vec![("../up".into(), "v".into())];
    assert!(invalid(tracker.create_model_version(&bad)).contains("'../up'"));
    assert!(invalid(tracker.create_model_version(&version_of("prices", " "))).contains("source"));
    assert_eq!(
        tracker
            .create_model_version(&version_of("prices", "s3://m/ok"))
            .unwrap()
            .version,
        2
    );
}

#[test]
fn moving_an_alias_back_is_a_rollback() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 3);
    tracker.set_registered_model_alias("prices", "production", 3).unwrap();
    tracker.set_registered_model_alias("prices", "champion", 3).unwrap();
    assert_eq!(
        tracker.get_model_version("prices", 3).unwrap().aliases,
        ["champion", "production"]
    );

    tracker.set_registered_model_alias("prices", "production", 2).unwrap(); // roll back
    let serving = tracker.get_model_version_by_alias("prices", "production").unwrap();
    assert_eq!((serving.version, serving.source.as_str()), (2, "s3://m/prices/2"));
    assert_eq!(serving.aliases, ["production"]);
    let aliases: Vec<(String, i64)> = tracker
        .get_registered_model("prices")
        .unwrap()
        .aliases
        .into_iter()
        .map(|a| (a.alias, a.version))
        .collect();
    assert_eq!(aliases, [("champion".to_string(), 3), ("production".to_string(), 2)]);
    assert_eq!(
        tracker.get_model_version_by_alias("prices", "LATEST").unwrap().version,
        3
    );

    tracker.delete_registered_model_alias("prices", "champion").unwrap();
    assert!(not_found(tracker.get_model_version_by_alias("prices", "champion")).contains("'champion'"));
    assert!(not_found(tracker.delete_registered_model_alias("prices", "champion")).contains("'champion'"));
}

#[test]
fn deleting_a_version_removes_its_aliases() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 2);
    tracker.set_registered_model_alias("prices", "production", 2).unwrap();
    tracker.set_registered_model_alias("prices", "shadow", 1).unwrap();
    tracker.set_model_version_tag("prices", 2, "validated", "yes").unwrap();
    tracker.delete_model_version("prices", 2).unwrap();
    let model = tracker.get_registered_model("prices").unwrap();
    assert_eq!(model.aliases.len(), 1);
    assert_eq!(model.aliases[0].alias, "shadow");
    assert!(not_found(tracker.get_model_version_by_alias("prices", "production")).contains("'production'"));
    assert!(not_found(tracker.get_model_version("prices", 2)).contains("Version 2 of registered model 'prices'"));
    assert_eq!(version_numbers(&tracker, "tags.validated = 'yes'"), Vec::<i64>::new());
}

#[test]
fn reserved_and_malformed_aliases_are_refused() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 1);
    for alias in ["latest", "Latest", "v1", "V12", "two words", ""] {
        let message = invalid(tracker.set_registered_model_alias("prices", alias, 1));
        assert!(message.contains(&format!("'{alias}'")) || alias.is_empty(), "{message}");
    }
    assert!(not_found(tracker.set_registered_model_alias("prices", "prod", 7)).contains("Version 7"));
    assert!(tracker.get_registered_model("prices").unwrap().aliases.is_empty());
    assert_eq!(
        tracker.get_model_version_by_alias("prices", "latest").unwrap().version,
        1
    );
    tracker.create_registered_model("empty", &[], None).unwrap();
    assert!(not_found(tracker.get_model_version_by_alias("empty", "latest")).contains("no versions"));
}

#[test]
fn stage_transitions_archive_what_they_replace() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 4);
    tracker
        .transition_model_version_stage("prices", 1, Production, false)
        .unwrap();
    tracker
        .transition_model_version_stage("prices", 2, Production, false)
        .unwrap();
    tracker
        .transition_model_version_stage("prices", 3, Staging, false)
        .unwrap();
    // Without archiving, two versions share Production.
    let stage = |v| tracker.get_model_version("prices", v).unwrap().current_stage;
    assert_eq!((stage(1), stage(2)), (Production, Production));

    let moved = tracker
        .transition_model_version_stage("prices", 4, "production".parse().unwrap(), true)
        .unwrap();
    assert_eq!(moved.current_stage, Production);
    assert_eq!(
        (stage(1), stage(2), stage(3)),
        (Archived, Archived, Staging),
        "Staging is left alone"
    );

    let latest: Vec<(i64, ModelVersionStage)> = tracker
        .get_latest_versions("prices", &[])
        .unwrap()
        .into_iter()
        .map(|v| (v.version, v.current_stage))
        .collect();
    assert_eq!(latest, [(2, Archived), (3, Staging), (4, Production)]);
    let in_use: Vec<i64> = tracker
        .get_latest_versions("prices", &[Staging, Production])
        .unwrap()
        .iter()
        .map(|v| v.version)
        .collect();
    assert_eq!(in_use, [3, 4]);
    let model = tracker.get_registered_model("prices").unwrap();
    assert_eq!(
        model.latest_versions.iter().map(|v| v.version).collect::<Vec<_>>(),
        [2, 3, 4]
    );

    let message = invalid(tracker.transition_model_version_stage("prices", 3, Archived, true));
    assert!(message.contains("'Archived'"), "{message}");
    assert_eq!(stage(3), Staging, "a refused transition changes nothing");
    assert!("Live".parse::<ModelVersionStage>().is_err());
}

#[test]
fn searches_filter_order_and_page() {
    let (_dir, tracker) = new_store();
    let team = |t: &str| vec![("team".to_string(), t.to_string())];
    tracker
        .create_registered_model("house-prices", &team("pricing"), None)
        .unwrap();
    tracker
        .create_registered_model("house-rents", &team("rentals"), None)
        .unwrap();
    tracker.create_registered_model("churn", &team("growth"), None).unwrap();
    assert_eq!(model_names(&tracker, ""), ["churn", "house-prices", "house-rents"]);
    assert_eq!(
        model_names(&tracker, "name LIKE '%house%'"),
        ["house-prices", "house-rents"]
    );
    assert_eq!(model_names(&tracker, "name = 'churn'"), ["churn"]);
    assert_eq!(model_names(&tracker, "tags.team = 'rentals'"), ["house-rents"]);

    let mut search = RegisteredModelSearch {
        max_results: 2,
        ..Default::default()
    };
    let first = tracker.search_registered_models(&search).unwrap();
    assert_eq!(first.items.len(), 2);
    search.page_token = first.next_page_token;
    let second = tracker.search_registered_models(&search).unwrap();
    assert_eq!(
        second.items.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
        ["house-rents"]
    );
    assert!(second.next_page_token.is_none());

    for name in ["house-prices", "churn"] {
        tracker
            .create_model_version(&version_of(name, &format!("s3://m/{name}/1")))
            .unwrap();
        tracker
            .create_model_version(&version_of(name, &format!("file:///m/{name}/2")))
            .unwrap();
    }
    tracker.set_model_version_tag("churn", 2, "validated", "yes").unwrap();
    assert_eq!(version_numbers(&tracker, "name IN ('churn', 'house-rents')"), [1, 2]);
    assert_eq!(
        version_numbers(&tracker, "source_path LIKE 'file://%' AND name = 'house-prices'"),
        [2]
    );
    assert_eq!(
        version_numbers(&tracker, "version_number > 1 AND tags.validated = 'yes'"),
        [2]
    );

    let err = invalid(tracker.search_model_versions(&ModelVersionSearch {
        filter: "stage = 'x'".into(),
        ..Default::default()
    }));
    assert!(err.contains("unknown attribute 'stage'"), "{err}");
    let order = RegisteredModelSearch {
        order_by: vec!["tags.team".into()],
        ..Default::default()
    };
    assert!(invalid(tracker.search_registered_models(&order)).contains("tag 'team'"));
}

#[test]
fn an_injection_attempt_matches_nothing_and_changes_nothing() {
    let (dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 2);
    let attacks = [
        "name = 'x'' OR ''1''=''1'",
        "name = 'prices''; DROP TABLE model_versions; --'",
        "tags.`team'; DELETE FROM registered_models; --` = 'a'",
    ];
    for attack in attacks {
        assert!(model_names(&tracker, attack).is_empty(), "{attack}");
        assert!(version_numbers(&tracker, attack).is_empty(), "{attack}");
    }
    let err = invalid(tracker.search_registered_models(&RegisteredModelSearch {
        filter: "name = 'a' OR 1 = 1".into(),
        ..Default::default()
    }));
    assert!(err.contains("'OR'"), "{err}");
    assert_eq!(version_numbers(&tracker, "name = 'prices'"), [1, 2]);
    let conn = rusqlite::Connection::open(database_of(dir.path())).unwrap();
    let count = |table: &str| -> i64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!((count("registered_models"), count("model_versions")), (1, 2));
}

#[test]
fn renaming_keeps_versions_tags_and_aliases() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 2);
    model_with_versions(&tracker, "rents", 1);
    tracker.set_registered_model_tag("prices", "team", "pricing").unwrap();
    tracker.set_registered_model_alias("prices", "production", 2).unwrap();
    tracker
        .transition_model_version_stage("prices", 1, Staging, false)
        .unwrap();

    let renamed = tracker.rename_registered_model("prices", "house-prices").unwrap();
    assert_eq!(
        (renamed.name.as_str(), renamed.tags["team"].as_str()),
        ("house-prices", "pricing")
    );
    assert!(not_found(tracker.get_registered_model("prices")).contains("'prices'"));
    let serving = tracker
        .get_model_version_by_alias("house-prices", "production")
        .unwrap();
    assert_eq!((serving.name.as_str(), serving.version), ("house-prices", 2));
    assert_eq!(version_numbers(&tracker, "name = 'house-prices'"), [1, 2]);
    assert_eq!(
        tracker.get_latest_versions("house-prices", &[Staging]).unwrap()[0].version,
        1
    );
    assert_eq!(
        tracker
            .create_model_version(&version_of("house-prices", "s3://m/3"))
            .unwrap()
            .version,
        3
    );

    assert!(already_exists(tracker.rename_registered_model("house-prices", "rents")).contains("'rents'"));
    assert_eq!(
        version_numbers(&tracker, "name = 'rents'"),
        [1],
        "a refused rename changes nothing"
    );
    assert!(invalid(tracker.rename_registered_model("house-prices", "a/b")).contains("'a/b'"));
}

#[test]
fn deleting_a_model_takes_everything_with_it() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "prices", 2);
    tracker.set_registered_model_alias("prices", "production", 1).unwrap();
    tracker.set_model_version_tag("prices", 1, "validated", "yes").unwrap();
    tracker.delete_registered_model("prices").unwrap();
    assert!(not_found(tracker.get_registered_model("prices")).contains("'prices'"));
    assert!(version_numbers(&tracker, "").is_empty());
    assert!(not_found(tracker.delete_registered_model("prices")).contains("'prices'"));
    // The name is free again, and numbering starts over for the new model.
    model_with_versions(&tracker, "prices", 1);
    assert_eq!(version_numbers(&tracker, "name = 'prices'"), [1]);
    assert!(tracker.get_model_version("prices", 1).unwrap().tags.is_empty());
}

#[test]
fn errors_name_what_was_wrong() {
    let (_dir, tracker) = new_store();
    tracker.create_registered_model("prices", &[], Some("first")).unwrap();
    assert!(already_exists(tracker.create_registered_model("prices", &[], None)).contains("'prices'"));
    assert_eq!(
        tracker.get_registered_model("prices").unwrap().description.as_deref(),
        Some("first")
    );
    assert!(not_found(tracker.get_registered_model("nope")).contains("'nope'"));
    assert!(not_found(tracker.create_model_version(&version_of("nope", "s3://x"))).contains("'nope'"));
    assert!(not_found(tracker.get_model_version("prices", 9)).contains("Version 9"));
    assert!(not_found(tracker.delete_registered_model_tag("prices", "team")).contains("'team'"));
    assert!(not_found(tracker.delete_model_version_tag("prices", 1, "team")).contains("Version 1"));
    for bad in ["", "a/b", "a:b", ".."] {
        invalid(tracker.create_registered_model(bad, &[], None));
    }
    let long = "x".repeat(100_001);
    assert!(invalid(tracker.set_registered_model_tag("prices", "prompt", &long)).contains("'prompt'"));
    assert_eq!(
        tracker
            .update_registered_model("prices", Some("second"))
            .unwrap()
            .description
            .as_deref(),
        Some("second")
    );
}

#[test]
fn register_model_takes_a_run_uri() {
    let (_dir, tracker) = new_store();
    let run = tracker
        .get_run(&new_run(&tracker, ExperimentId::DEFAULT, "train"))
        .unwrap();
    let tags = [("framework".to_string(), "linfa".to_string())];
    let uri = format!("runs:/{}/model", run.info.run_id);
    let first = tracker.register_model(&uri, "prices", &tags).unwrap();
    assert_eq!(first.source, format!("{}/model", run.info.artifact_uri));
    assert_eq!((first.version, first.tags["framework"].as_str()), (1, "linfa"));
    // The registered model exists now; registering again adds a version.
    assert_eq!(tracker.register_model(&uri, "prices", &[]).unwrap().version, 2);
    let copy = tracker.register_model("models:/prices/1", "prices-copy", &[]).unwrap();
    assert_eq!((copy.source, copy.run_id), (first.source, first.run_id));
    assert!(not_found(tracker.register_model("runs:/0123abcd/model", "other", &[])).contains("'0123abcd'"));
    assert!(invalid(tracker.register_model("models:/prices/zero", "other", &[])).contains("'zero'"));
    assert!(
        not_found(tracker.get_registered_model("other")).contains("'other'"),
        "a refused URI registers nothing"
    );
    let plain = tracker
        .register_model("s3://bucket/models/prices", "other", &[])
        .unwrap();
    assert_eq!(
        (plain.source.as_str(), plain.run_id),
        ("s3://bucket/models/prices", None)
    );
}

#[test]
fn a_store_made_at_schema_version_2_keeps_its_runs_and_gains_a_registry() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut conn = rusqlite::Connection::open(database_of(dir.path())).unwrap();
        rtrack::store::sqlite::schema::migrate_to(&mut conn, 2, |_| Ok(())).unwrap();
        conn.execute_batch(
            "INSERT INTO experiments VALUES (0, 'Default', 'file:///a/0', 'active', 1, 1),
                                            (1, 'wine', 'file:///a/1', 'active', 2, 2);
             INSERT INTO runs VALUES ('r1', 'enet', 1, 'ann', 'FINISHED', 10, 20, 'active', 'file:///a/1/r1/artifacts', NULL);
             INSERT INTO params VALUES ('r1', 'alpha', '0.5');
             INSERT INTO tags VALUES ('r1', 'mlflow.runName', 'enet');",
        )
        .unwrap();
    }
    let tracker = Tracker::open(uri_of(dir.path())).unwrap();
    let run = tracker.get_run("r1").unwrap();
    assert_eq!(
        (run.info.run_name.as_str(), run.data.params["alpha"].as_str()),
        ("enet", "0.5")
    );
    let version = tracker.register_model("runs:/r1/model", "wine", &[]).unwrap();
    assert_eq!(version.source, "file:///a/1/r1/artifacts/model");
    drop(tracker);

    let reopened = Tracker::open(uri_of(dir.path())).unwrap();
    assert_eq!(
        reopened.get_model_version("wine", 1).unwrap().run_id.as_deref(),
        Some("r1")
    );
    assert_eq!(
        reopened.get_experiment_by_name("wine").unwrap().unwrap().experiment_id,
        ExperimentId(1)
    );
}

#[test]
fn versions_created_at_once_from_several_stores_get_distinct_numbers() {
    let (dir, tracker) = new_store();
    tracker.create_registered_model("prices", &[], None).unwrap();
    let writers: Vec<_> = (0..4)
        .map(|writer| {
            // Each writer opens the store itself: its own connections, as another process would.
            let folder = dir.path().to_path_buf();
            std::thread::spawn(move || {
                let own = Tracker::open(uri_of(&folder)).unwrap();
                (0..10)
                    .map(|i| {
                        own.create_model_version(&version_of("prices", &format!("s3://m/{writer}/{i}")))
                            .unwrap()
                            .version
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut numbers: Vec<i64> = writers.into_iter().flat_map(|w| w.join().unwrap()).collect();
    numbers.sort();
    assert_eq!(numbers, (1..=40).collect::<Vec<_>>());
    assert_eq!(version_numbers(&tracker, "name = 'prices'").len(), 40);
}

#[test]
fn a_tag_inequality_also_matches_models_without_the_tag() {
    let (_dir, tracker) = new_store();
    model_with_versions(&tracker, "plain", 0);
    model_with_versions(&tracker, "prompt", 0);
    tracker
        .set_registered_model_tag("prompt", "mlflow.prompt.is_prompt", "true")
        .unwrap();
    // The filter MLflow's client adds to every registered model search.
    assert_eq!(
        model_names(&tracker, "tag.`mlflow.prompt.is_prompt` != 'true'"),
        vec!["plain"]
    );
    assert_eq!(
        model_names(&tracker, "tags.`mlflow.prompt.is_prompt` = 'true'"),
        vec!["prompt"]
    );
}
