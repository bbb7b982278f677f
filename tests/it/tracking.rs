//! Experiments and the life of runs, end to end through `Tracker` and `ActiveRun` on a real
//! store. Params, tags and metrics are in `logging.rs`.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::common::{invalid, new_run, new_store, not_found};
use rtrack::api::Source;
use rtrack::entities::{tags, LifecycleStage, ViewType};
use rtrack::store::{ExperimentSearch, RunSearch};
use rtrack::{Error, ExperimentId, RunOptions, RunStatus, Tracker};

fn experiment_names(tracker: &Tracker, search: &ExperimentSearch) -> Vec<String> {
    tracker
        .search_experiments(search)
        .unwrap()
        .items
        .into_iter()
        .map(|e| e.name)
        .collect()
}

// ----- experiments -----

#[test]
fn a_new_store_has_the_default_experiment() {
    let (_dir, tracker) = new_store();
    let default = tracker.get_experiment(ExperimentId::DEFAULT).unwrap();
    assert_eq!(default.name, "Default");
    assert_eq!(default.lifecycle_stage, LifecycleStage::Active);
    let by_name = tracker
        .get_experiment_by_name("Default")
        .unwrap()
        .expect("Default by name");
    assert_eq!(by_name.experiment_id, ExperimentId::DEFAULT);
}

#[test]
fn set_experiment_creates_once_then_gets() {
    let (_dir, tracker) = new_store();
    let created = tracker.set_experiment("wine-quality").unwrap();
    assert_ne!(created.experiment_id, ExperimentId::DEFAULT);
    assert_eq!(created.name, "wine-quality");
    assert!(
        created
            .artifact_location
            .ends_with(&format!("/{}", created.experiment_id)),
        "{}",
        created.artifact_location
    );
    let again = tracker.set_experiment("wine-quality").unwrap();
    assert_eq!(again.experiment_id, created.experiment_id);
    let all = experiment_names(
        &tracker,
        &ExperimentSearch {
            view: ViewType::All,
            ..Default::default()
        },
    );
    assert_eq!(all.iter().filter(|n| *n == "wine-quality").count(), 1, "{all:?}");
}

#[test]
fn create_experiment_with_tags_and_a_taken_name() {
    let (_dir, tracker) = new_store();
    let tags = vec![("team".to_string(), "vision".to_string())];
    let id = tracker.create_experiment("cats", None, &tags).unwrap();
    let experiment = tracker.get_experiment(id).unwrap();
    assert_eq!(experiment.tags.get("team").map(String::as_str), Some("vision"));
    match tracker.create_experiment("cats", None, &[]) {
        Err(Error::AlreadyExists(message)) => assert!(message.contains("cats"), "{message}"),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
    assert!(matches!(
        tracker.create_experiment("", None, &[]),
        Err(Error::InvalidValue(_))
    ));
    assert!(tracker.get_experiment_by_name("dogs").unwrap().is_none());
    let message = not_found(tracker.get_experiment(ExperimentId(4242)));
    assert!(message.contains("4242"), "{message}");
}

#[test]
fn rename_experiment_keeps_the_id_and_refuses_taken_names() {
    let (_dir, tracker) = new_store();
    let a = tracker.create_experiment("a", None, &[]).unwrap();
    tracker.create_experiment("b", None, &[]).unwrap();
    tracker.rename_experiment(a, "a2").unwrap();
    assert_eq!(tracker.get_experiment(a).unwrap().name, "a2");
    assert!(tracker.get_experiment_by_name("a").unwrap().is_none());
    assert!(matches!(
        tracker.rename_experiment(a, "b"),
        Err(Error::AlreadyExists(_))
    ));
    assert_eq!(tracker.get_experiment(a).unwrap().name, "a2");
}

#[test]
fn deleting_an_experiment_deletes_its_runs_and_restoring_brings_them_back() {
    let (_dir, tracker) = new_store();
    let experiment = tracker.create_experiment("doomed", None, &[]).unwrap();
    let runs: Vec<String> = (0..3)
        .map(|i| new_run(&tracker, experiment, &format!("r{i}")))
        .collect();
    let other = new_run(&tracker, ExperimentId::DEFAULT, "bystander");

    tracker.delete_experiment(experiment).unwrap();
    assert_eq!(
        tracker.get_experiment(experiment).unwrap().lifecycle_stage,
        LifecycleStage::Deleted
    );
    for run_id in &runs {
        assert_eq!(
            tracker.get_run(run_id).unwrap().info.lifecycle_stage,
            LifecycleStage::Deleted
        );
    }
    assert_eq!(
        tracker.get_run(&other).unwrap().info.lifecycle_stage,
        LifecycleStage::Active
    );
    let active = experiment_names(&tracker, &ExperimentSearch::default());
    assert!(!active.contains(&"doomed".to_string()), "{active:?}");
    let deleted = experiment_names(
        &tracker,
        &ExperimentSearch {
            view: ViewType::DeletedOnly,
            ..Default::default()
        },
    );
    assert_eq!(deleted, vec!["doomed".to_string()]);
    // A deleted experiment takes no new runs and cannot be set.
    let refused = tracker.create_run(RunOptions::default().experiment(experiment));
    assert!(matches!(refused, Err(Error::InvalidValue(_))), "{refused:?}");
    assert!(invalid(tracker.set_experiment("doomed")).contains("deleted"));

    tracker.restore_experiment(experiment).unwrap();
    assert_eq!(
        tracker.get_experiment(experiment).unwrap().lifecycle_stage,
        LifecycleStage::Active
    );
    for run_id in &runs {
        assert_eq!(
            tracker.get_run(run_id).unwrap().info.lifecycle_stage,
            LifecycleStage::Active
        );
    }
}

#[test]
fn restoring_an_experiment_leaves_runs_deleted_on_their_own_in_the_bin() {
    let (_dir, tracker) = new_store();
    let experiment = tracker.create_experiment("pruned", None, &[]).unwrap();
    let kept = new_run(&tracker, experiment, "kept");
    let discarded = new_run(&tracker, experiment, "discarded");
    tracker.delete_run(&discarded).unwrap();
    // Make the two deletions land on different milliseconds.
    std::thread::sleep(std::time::Duration::from_millis(5));

    tracker.delete_experiment(experiment).unwrap();
    tracker.restore_experiment(experiment).unwrap();

    assert_eq!(
        tracker.get_run(&kept).unwrap().info.lifecycle_stage,
        LifecycleStage::Active
    );
    assert_eq!(
        tracker.get_run(&discarded).unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );
}

#[test]
fn the_default_experiment_cannot_be_deleted() {
    let (_dir, tracker) = new_store();
    let message = invalid(tracker.delete_experiment(ExperimentId::DEFAULT));
    assert!(message.contains("default"), "{message}");
    assert_eq!(
        tracker.get_experiment(ExperimentId::DEFAULT).unwrap().lifecycle_stage,
        LifecycleStage::Active
    );
}

// ----- runs -----

#[test]
fn a_created_run_carries_options_and_system_tags() {
    let (_dir, tracker) = new_store();
    let experiment = tracker.set_experiment("runs").unwrap().experiment_id;
    let parent = new_run(&tracker, experiment, "parent");
    let options = RunOptions::default()
        .experiment(experiment)
        .name("child")
        .tag("purpose", "test")
        .description("a *markdown* note")
        .parent(parent.clone());
    let run = tracker.create_run(options).unwrap();
    let info = &run.info;
    assert_eq!(info.run_id.len(), 32);
    assert_eq!(info.run_name, "child");
    assert_eq!(info.experiment_id, experiment);
    assert_eq!(info.status, RunStatus::Running);
    assert_eq!(info.end_time, None);
    assert_eq!(info.lifecycle_stage, LifecycleStage::Active);
    assert!(
        info.artifact_uri.ends_with(&format!("/{}/artifacts", info.run_id)),
        "{}",
        info.artifact_uri
    );

    let stored = tracker.get_run(&info.run_id).unwrap();
    assert_eq!(stored, run);
    let tag = |key: &str| stored.data.tags.get(key).cloned();
    assert_eq!(tag(tags::RUN_NAME).as_deref(), Some("child"));
    assert_eq!(tag(tags::PARENT_RUN_ID), Some(parent));
    assert_eq!(tag(tags::NOTE).as_deref(), Some("a *markdown* note"));
    assert_eq!(tag("purpose").as_deref(), Some("test"));
    assert!(tag(tags::USER).is_some_and(|u| !u.is_empty()), "{:?}", stored.data.tags);
    assert_eq!(tag(tags::SOURCE_TYPE).as_deref(), Some("LOCAL"));
    assert!(
        tag(tags::SOURCE_NAME).is_some_and(|s| !s.is_empty()),
        "{:?}",
        stored.data.tags
    );
}

#[test]
fn the_git_commit_of_the_source_is_tagged() {
    let (_dir, tracker) = new_store();
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let source = Source {
        name: manifest.into(),
        kind: "LOCAL".into(),
    };
    let run = tracker
        .create_run(RunOptions {
            source: Some(source),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(run.data.tags[tags::SOURCE_NAME], manifest);
    let git = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    let Ok(git) = git else { return }; // no git program to compare with
    let head = git
        .status
        .success()
        .then(|| String::from_utf8_lossy(&git.stdout).trim().to_string());
    // Built from a checkout: the commit checked out; from a bare source tree: no tag.
    assert_eq!(run.data.tags.get(tags::GIT_COMMIT), head.as_ref());
}

#[test]
fn runs_without_a_name_get_a_generated_one() {
    let (_dir, tracker) = new_store();
    let a = tracker.create_run(RunOptions::default()).unwrap();
    let b = tracker.create_run(RunOptions::default()).unwrap();
    assert_eq!(a.info.experiment_id, ExperimentId::DEFAULT);
    assert_eq!(a.info.run_name.split('-').count(), 3, "{}", a.info.run_name);
    assert_eq!(a.data.tags[tags::RUN_NAME], a.info.run_name);
    assert_ne!(a.info.run_id, b.info.run_id);
}

#[test]
fn an_active_run_ends_finished_when_dropped_normally() {
    let (_dir, tracker) = new_store();
    let run_id = {
        let run = tracker.start_run(RunOptions::default().name("scoped")).unwrap();
        run.log_param("k", "v").unwrap();
        assert_eq!(run.get().unwrap().info.status, RunStatus::Running);
        run.id().to_string()
    };
    let info = tracker.get_run(&run_id).unwrap().info;
    assert_eq!(info.status, RunStatus::Finished);
    assert!(info.end_time.is_some_and(|end| end >= info.start_time), "{info:?}");
}

#[test]
fn an_active_run_ends_failed_when_dropped_by_a_panic() {
    let (_dir, tracker) = new_store();
    let mut run_id = String::new();
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let run = tracker.start_run(RunOptions::default().name("doomed")).unwrap();
        run_id = run.id().to_string();
        run.log_metric("loss", 1.0, 0).unwrap();
        panic!("training diverged");
    }));
    assert!(outcome.is_err());
    let run = tracker.get_run(&run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Failed);
    assert!(run.info.end_time.is_some());
    assert_eq!(
        run.data.metrics["loss"].value, 1.0,
        "points logged before the panic are kept"
    );
}

#[test]
fn end_with_a_status_and_ending_twice() {
    let (_dir, tracker) = new_store();
    let run = tracker.start_run(RunOptions::default()).unwrap();
    let run_id = run.id().to_string();
    run.end_with(RunStatus::Killed).unwrap();
    run.end_with(RunStatus::Finished).unwrap(); // a second end is a no-op
    drop(run);
    assert_eq!(tracker.get_run(&run_id).unwrap().info.status, RunStatus::Killed);
}

#[test]
fn resume_run_sets_running_and_clears_the_end_time() {
    let (_dir, tracker) = new_store();
    let run = tracker.start_run(RunOptions::default()).unwrap();
    let run_id = run.id().to_string();
    run.log_metric("loss", 0.5, 0).unwrap();
    run.end().unwrap();
    assert!(tracker.get_run(&run_id).unwrap().info.end_time.is_some());

    let resumed = tracker.resume_run(&run_id).unwrap();
    assert_eq!(resumed.id(), run_id);
    let info = tracker.get_run(&run_id).unwrap().info;
    assert_eq!((info.status, info.end_time), (RunStatus::Running, None));
    resumed.log_metric("loss", 0.25, 1).unwrap();
    resumed.end().unwrap();
    let run = tracker.get_run(&run_id).unwrap();
    assert_eq!(run.info.status, RunStatus::Finished);
    assert!(run.info.end_time.is_some());
    assert_eq!(tracker.get_metric_history(&run_id, "loss").unwrap().len(), 2);
    assert_eq!(run.data.metrics["loss"].value, 0.25);
}

#[test]
fn a_deleted_run_cannot_be_resumed() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "r");
    tracker
        .set_terminated(&run_id, RunStatus::Finished, Some(1_700_000_000_000))
        .unwrap();
    tracker.delete_run(&run_id).unwrap();
    assert!(invalid(tracker.resume_run(&run_id).map(|r| r.id().to_string())).contains(&run_id));
    let info = tracker.get_run(&run_id).unwrap().info;
    assert_eq!(
        (info.status, info.end_time),
        (RunStatus::Finished, Some(1_700_000_000_000)),
        "left as it was"
    );
}

#[test]
fn set_terminated_records_status_and_end_time() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "r");
    tracker
        .set_terminated(&run_id, RunStatus::Failed, Some(1_700_000_000_000))
        .unwrap();
    let info = tracker.get_run(&run_id).unwrap().info;
    assert_eq!(
        (info.status, info.end_time),
        (RunStatus::Failed, Some(1_700_000_000_000))
    );
}

#[test]
fn deleted_runs_refuse_logging_until_restored() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "r");
    tracker.log_metric(&run_id, "before", 1.0, None, None).unwrap();
    tracker.delete_run(&run_id).unwrap();
    assert_eq!(
        tracker.get_run(&run_id).unwrap().info.lifecycle_stage,
        LifecycleStage::Deleted
    );

    assert!(invalid(tracker.log_param(&run_id, "p", 1)).contains(&run_id));
    assert!(invalid(tracker.set_tag(&run_id, "t", "v")).contains("deleted"));
    // The metric key was cached for this run before the delete; the delete must still apply.
    assert!(invalid(tracker.log_metric(&run_id, "before", 2.0, Some(1), None)).contains("deleted"));
    assert!(invalid(tracker.log_metric(&run_id, "after", 2.0, None, None)).contains("deleted"));
    assert!(invalid(tracker.log_metric_series(&run_id, "series", vec![1.0], None, None)).contains("deleted"));
    let listed = tracker
        .search_runs(&RunSearch {
            experiment_ids: vec![ExperimentId::DEFAULT],
            ..Default::default()
        })
        .unwrap();
    assert!(listed.items.iter().all(|r| r.info.run_id != run_id));

    tracker.restore_run(&run_id).unwrap();
    tracker.log_metric(&run_id, "before", 3.0, Some(2), None).unwrap();
    let run = tracker.get_run(&run_id).unwrap();
    assert_eq!(run.data.metrics["before"].value, 3.0);
    assert!(!run.data.metrics.contains_key("after"));
    assert_eq!(tracker.get_metric_history(&run_id, "before").unwrap().len(), 2);
}

#[test]
fn unknown_run_ids_are_not_found_and_named() {
    let (_dir, tracker) = new_store();
    let missing = "0123456789abcdef0123456789abcdef";
    for message in [
        not_found(tracker.get_run(missing)),
        not_found(tracker.log_param(missing, "p", "v")),
        not_found(tracker.set_tag(missing, "t", "v")),
        not_found(tracker.log_metric(missing, "m", 1.0, None, None)),
        not_found(tracker.log_metric_series(missing, "m", vec![1.0, 2.0], None, None)),
        not_found(tracker.get_metric_history(missing, "m")),
        not_found(tracker.delete_run(missing)),
        not_found(tracker.set_terminated(missing, RunStatus::Finished, None)),
        not_found(tracker.resume_run(missing).map(|r| r.id().to_string())),
    ] {
        assert!(message.contains(missing), "{message}");
    }
}
