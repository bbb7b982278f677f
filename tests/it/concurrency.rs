//! Several store instances on one database at once, as separate processes would have: each
//! `Tracker::open` below has its own connections and its own background writer.

use crate::common;

use std::path::Path;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use crate::common::{new_store, poll, uri_of};
use rtrack::entities::ViewType;
use rtrack::store::{ExperimentSearch, RunSearch};
use rtrack::{ExperimentId, RunOptions, Tracker};

const THREADS: usize = 4;
const POINTS: i64 = 5_000;

fn open(folder: &Path) -> Tracker {
    Tracker::open(uri_of(folder)).expect("open the shared store")
}

/// Start `THREADS` threads at the same moment, each with its index; join them all and
/// propagate the first failure.
fn all_at_once<T: Send + 'static>(work: impl Fn(usize) -> T + Send + Sync + 'static) -> Vec<T> {
    let work = Arc::new(work);
    let barrier = Arc::new(Barrier::new(THREADS));
    let handles: Vec<_> = (0..THREADS)
        .map(|index| {
            let (work, barrier) = (Arc::clone(&work), Arc::clone(&barrier));
            thread::spawn(move || {
                barrier.wait();
                work(index)
            })
        })
        .collect();
    handles
        .into_iter()
        .map(|h| h.join().expect("a worker thread failed"))
        .collect()
}

#[test]
fn separate_store_instances_log_at_once_without_errors_or_losses() {
    let dir = tempfile::tempdir().unwrap();
    let setup = open(dir.path());
    let shared_run = setup
        .create_run(RunOptions::default().name("shared"))
        .unwrap()
        .info
        .run_id;
    let folder = dir.path().to_path_buf();
    let shared = shared_run.clone();
    let own_runs = all_at_once(move |index| {
        let tracker = open(&folder);
        let own = tracker
            .create_run(RunOptions::default().name(format!("worker-{index}")))
            .unwrap()
            .info
            .run_id;
        for step in 0..POINTS {
            tracker
                .log_metric(&own, "loss", step as f64, Some(step), Some(step))
                .unwrap();
            // Every worker writes the same key of the same run, at its own steps.
            tracker
                .log_metric(
                    &shared,
                    "common",
                    index as f64,
                    Some(step * THREADS as i64 + index as i64),
                    None,
                )
                .unwrap();
            if step % 500 == 0 {
                tracker.log_param(&own, &format!("p{step}"), step).unwrap();
                tracker.log_param(&shared, "same", "everyone agrees").unwrap();
                tracker
                    .set_tag(&shared, &format!("tag{index}"), &step.to_string())
                    .unwrap();
                let values: Vec<f64> = (0..1000).map(|i| i as f64).collect();
                tracker
                    .log_metric_series(&own, &format!("bulk{step}"), values, None, None)
                    .unwrap();
            }
        }
        tracker.set_terminated(&own, rtrack::RunStatus::Finished, None).unwrap();
        own
    });

    // A fresh instance, as a later process, sees every point.
    let reader = open(dir.path());
    for own in &own_runs {
        let run = reader.get_run(own).unwrap();
        assert_eq!(run.info.status, rtrack::RunStatus::Finished);
        let loss = reader.get_metric_series(own, "loss").unwrap();
        assert_eq!(
            loss.values,
            (0..POINTS).map(|s| s as f64).collect::<Vec<_>>(),
            "run {own}"
        );
        assert_eq!(run.data.params.len(), (POINTS / 500) as usize);
        assert_eq!(run.data.metrics.len(), 1 + (POINTS / 500) as usize);
        assert_eq!(reader.get_metric_series(own, "bulk4500").unwrap().len(), 1000);
    }
    let common = reader.get_metric_series(&shared_run, "common").unwrap();
    assert_eq!(
        common.steps,
        (0..POINTS * THREADS as i64).collect::<Vec<_>>(),
        "no lost or doubled point"
    );
    let shared = reader.get_run(&shared_run).unwrap();
    assert_eq!(shared.data.params["same"], "everyone agrees");
    assert!(
        (0..THREADS).all(|i| shared.data.tags.contains_key(&format!("tag{i}"))),
        "{:?}",
        shared.data.tags
    );
    assert_eq!(shared.data.metrics["common"].step, POINTS * THREADS as i64 - 1);
}

#[test]
fn threads_sharing_one_tracker_log_at_once() {
    let (_dir, tracker) = new_store();
    let run_id = tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    let (t, id) = (tracker.clone(), run_id.clone());
    all_at_once(move |index| {
        for step in 0..POINTS {
            t.log_metric(&id, &format!("m{index}"), step as f64, Some(step), None)
                .unwrap();
            t.log_metric(&id, "all", 1.0, Some(step), None).unwrap();
        }
    });
    for index in 0..THREADS {
        assert_eq!(
            tracker.get_metric_series(&run_id, &format!("m{index}")).unwrap().len(),
            POINTS as usize
        );
    }
    assert_eq!(
        tracker.get_metric_series(&run_id, "all").unwrap().len(),
        POINTS as usize * THREADS
    );
}

#[test]
fn opening_a_new_store_from_many_threads_at_once_creates_it_once() {
    for _ in 0..3 {
        let parent = tempfile::tempdir().unwrap();
        let folder = parent.path().join("fresh");
        let path = folder.clone();
        let runs = all_at_once(move |index| {
            let tracker = open(&path);
            tracker
                .create_run(RunOptions::default().name(format!("r{index}")))
                .unwrap()
                .info
                .run_id
        });
        let tracker = open(&folder);
        let experiments = tracker
            .search_experiments(&ExperimentSearch {
                view: ViewType::All,
                ..Default::default()
            })
            .unwrap();
        let names: Vec<&str> = experiments.items.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["Default"]);
        let found = tracker
            .search_runs(&RunSearch {
                experiment_ids: vec![ExperimentId::DEFAULT],
                ..Default::default()
            })
            .unwrap();
        assert_eq!(found.items.len(), runs.len());
        let version: i64 = rusqlite::Connection::open(common::database_of(&folder))
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(version, rtrack::store::sqlite::schema::LATEST_VERSION);
    }
}

#[test]
fn set_experiment_from_many_store_instances_at_once_gives_one_experiment() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let folder = dir.path().to_path_buf();
    let ids = all_at_once(move |_| {
        let tracker = open(&folder);
        (0..20)
            .map(|n| tracker.set_experiment(&format!("race-{n}")).unwrap().experiment_id)
            .collect::<Vec<_>>()
    });
    assert!(
        ids.iter().all(|mine| mine == &ids[0]),
        "every instance got the same ids: {ids:?}"
    );
    let tracker = open(dir.path());
    let all = tracker
        .search_experiments(&ExperimentSearch {
            view: ViewType::All,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.items.len(), 21);
}

#[test]
fn create_experiment_races_end_in_one_success_and_already_exists() {
    let dir = tempfile::tempdir().unwrap();
    drop(open(dir.path()));
    let folder = dir.path().to_path_buf();
    let outcomes = all_at_once(move |_| {
        let tracker = open(&folder);
        (0..20)
            .map(|n| match tracker.create_experiment(&format!("race-{n}"), None, &[]) {
                Ok(_) => true,
                Err(rtrack::Error::AlreadyExists(_)) => false,
                Err(other) => panic!("creating race-{n}: {other:?}"),
            })
            .collect::<Vec<bool>>()
    });
    for n in 0..20 {
        assert_eq!(
            outcomes.iter().filter(|o| o[n]).count(),
            1,
            "race-{n}: exactly one creator wins"
        );
    }
}

#[test]
fn the_background_writer_flushes_on_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let writer = open(dir.path());
    let reader = open(dir.path());
    let run_id = writer.create_run(RunOptions::default()).unwrap().info.run_id;
    for step in 0..10 {
        writer
            .log_metric(&run_id, "loss", 1.0 / (step as f64 + 1.0), Some(step), None)
            .unwrap();
    }
    // No flush, no read through `writer`: the points must reach the database by themselves.
    // Reads through `reader` flush only the reader's own queue.
    let seen = poll(Duration::from_secs(5), || {
        let history = reader.get_metric_history(&run_id, "loss").unwrap();
        (history.len() == 10).then_some(history)
    });
    let history = seen.expect("the writer thread wrote the queued points within 5 s");
    assert_eq!(history.last().unwrap().value, 0.1);
    assert_eq!(reader.get_run(&run_id).unwrap().data.metrics["loss"].step, 9);
    drop(writer); // the writer is kept alive up to here: dropping it would flush
}
