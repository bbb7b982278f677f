//! The process-wide fluent API (what `rtrack.start_run()` and friends call). Its state is
//! global, so this binary holds a single test that walks through it in order.

use crate::common::invalid;
use rtrack::api::fluent::{self, StartRun};
use rtrack::entities::tags;
use rtrack::RunStatus;

#[test]
fn the_fluent_api_tracks_the_active_run_stack() {
    let dir = tempfile::tempdir().unwrap();
    let uri = dir.path().to_str().unwrap();

    let message = invalid(fluent::set_tracking_uri(Some("https://localhost:5000")));
    assert!(message.contains("https"), "{message}");
    fluent::set_tracking_uri(Some(uri)).unwrap();
    assert_eq!(fluent::get_tracking_uri(), uri);
    let tracker = fluent::tracker().unwrap();

    let experiment = fluent::set_experiment(Some("fluent"), None).unwrap();
    invalid(fluent::set_experiment(Some("x"), Some(experiment.experiment_id)));
    assert_eq!(fluent::active_run_id(), None);

    // Logging with no active run starts one in the active experiment, as MLflow does.
    fluent::log_metric("implicit", 1.0, None, None).unwrap();
    let implicit = fluent::active_run_id().expect("a run was started");
    assert_eq!(
        tracker.get_run(&implicit).unwrap().info.experiment_id,
        experiment.experiment_id
    );
    fluent::end_run(RunStatus::Finished).unwrap();
    assert_eq!(fluent::active_run_id(), None);
    assert_eq!(fluent::last_active_run_id().as_deref(), Some(implicit.as_str()));
    assert_eq!(tracker.get_run(&implicit).unwrap().data.metrics["implicit"].value, 1.0);

    let outer = fluent::start_run(StartRun {
        run_name: Some("outer".into()),
        ..Default::default()
    })
    .unwrap();
    let outer_id = outer.info.run_id.clone();
    let refused = fluent::start_run(StartRun::default());
    assert!(
        invalid(refused).contains(&outer_id),
        "a second top-level run names the active one"
    );

    let inner = fluent::start_run(StartRun {
        nested: true,
        description: Some("inner run".into()),
        tags: vec![("k".into(), "v".into())],
        ..Default::default()
    })
    .unwrap();
    let inner_id = inner.info.run_id.clone();
    assert_eq!(inner.data.tags[tags::PARENT_RUN_ID], outer_id);
    assert_eq!(inner.data.tags[tags::NOTE], "inner run");
    assert_eq!(inner.data.tags["k"], "v");
    fluent::log_metric("depth", 2.0, Some(0), None).unwrap();
    assert_eq!(fluent::active_run_id().as_deref(), Some(inner_id.as_str()));

    // Ending the outer run by id ends the nested one first.
    fluent::end_run_by_id(&outer_id, RunStatus::Failed).unwrap();
    assert_eq!(fluent::active_run_id(), None);
    for id in [&outer_id, &inner_id] {
        assert_eq!(tracker.get_run(id).unwrap().info.status, RunStatus::Failed);
    }
    let inner = tracker.get_run(&inner_id).unwrap();
    assert!(
        inner.data.metrics.contains_key("depth")
            && !tracker.get_run(&outer_id).unwrap().data.metrics.contains_key("depth")
    );

    // Resuming by id: running again, no end time, logging continues.
    let resumed = fluent::start_run(StartRun {
        run_id: Some(outer_id.clone()),
        ..Default::default()
    })
    .unwrap();
    assert_eq!((resumed.info.status, resumed.info.end_time), (RunStatus::Running, None));
    fluent::log_metric("after", 3.0, None, None).unwrap();
    fluent::end_all_runs(RunStatus::Finished).unwrap();
    let outer = tracker.get_run(&outer_id).unwrap();
    assert_eq!(outer.info.status, RunStatus::Finished);
    assert_eq!(outer.data.metrics["after"].value, 3.0);

    // A deleted run cannot be resumed, a deleted experiment cannot be set.
    tracker.delete_run(&implicit).unwrap();
    invalid(fluent::start_run(StartRun {
        run_id: Some(implicit.clone()),
        ..Default::default()
    }));
    assert_eq!(fluent::active_run_id(), None);
    tracker.delete_experiment(experiment.experiment_id).unwrap();
    invalid(fluent::set_experiment(None, Some(experiment.experiment_id)));
    fluent::set_tracking_uri(None).unwrap();
}
