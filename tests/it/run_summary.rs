//! Each run row carries its params, tags and latest metrics (the summary that searches and
//! `get_run` read). These tests compare what rtrack reads with what SQLite's own JSON
//! functions read from the row, and the latest metrics with the series table they copy,
//! after every kind of write, under concurrent writers, and across the migration that moves
//! older stores' params and tags onto their runs.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Barrier};

use crate::common::{database_of, new_store, uri_of};
use rtrack::store::sqlite::schema;
use rtrack::store::{RunSearch, RunUpdate};
use rtrack::{ExperimentId, RunOptions, RunStatus, Tracker};

/// A run's params and tags as SQLite's JSON functions read them from the run's row, and its
/// latest metrics as the series table holds them, in a form that compares NaN equal to NaN
/// (metrics as `(value, step, timestamp)` debug text).
type Data = (
    BTreeMap<String, String>,
    BTreeMap<String, String>,
    BTreeMap<String, String>,
);

fn as_stored(folder: &Path, run_id: &str) -> Data {
    let conn = rusqlite::Connection::open(database_of(folder)).unwrap();
    let pairs = |sql: &str| -> BTreeMap<String, String> {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt.query_map([run_id], |row| Ok((row.get(0)?, row.get(1)?))).unwrap();
        rows.collect::<rusqlite::Result<_>>().unwrap()
    };
    let params = pairs("SELECT j.key, j.value FROM runs, json_each(runs.param_values) j WHERE run_uuid = ?1");
    let tags = pairs("SELECT j.key, j.value FROM runs, json_each(runs.tag_values) j WHERE run_uuid = ?1");
    let mut stmt = conn
        .prepare(
            "SELECT key, last_value, last_step, last_timestamp FROM metric_series
             WHERE run_uuid = ?1 AND point_count > 0",
        )
        .unwrap();
    let metrics = stmt
        .query_map([run_id], |row| {
            let value: Option<f64> = row.get(1)?;
            let point = (value.unwrap_or(f64::NAN), row.get::<_, i64>(2)?, row.get::<_, i64>(3)?);
            Ok((row.get(0)?, format!("{point:?}")))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    (params, tags, metrics)
}

fn from_run(run: &rtrack::Run) -> Data {
    let metrics = run
        .data
        .metrics
        .iter()
        .map(|(k, m)| (k.clone(), format!("{:?}", (m.value, m.step, m.timestamp))))
        .collect();
    (run.data.params.clone(), run.data.tags.clone(), metrics)
}

/// `get_run` and a search both report exactly what is stored.
fn assert_summary_matches(tracker: &Tracker, folder: &Path, run_id: &str) {
    let expected = as_stored(folder, run_id);
    assert_eq!(
        from_run(&tracker.get_run(run_id).unwrap()),
        expected,
        "get_run of {run_id}"
    );
    let found = tracker
        .search_runs(&RunSearch {
            experiment_ids: vec![tracker.get_run(run_id).unwrap().info.experiment_id],
            filter: format!("attributes.run_id = '{run_id}'"),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(from_run(&found.items[0]), expected, "search of {run_id}");
}

#[test]
fn the_summary_follows_every_kind_of_write() {
    let (dir, tracker) = new_store();
    let tricky = "quote \" backslash \\ newline \n tab \t unicode é 😀 \u{1}";
    let run_id = tracker
        .create_run(
            RunOptions::default()
                .name("first")
                .tag("team", "a")
                .tag("team", "b")
                .tag("note", tricky),
        )
        .unwrap()
        .info
        .run_id;
    assert_summary_matches(&tracker, dir.path(), &run_id);
    assert_eq!(
        tracker.get_run(&run_id).unwrap().data.tags["team"],
        "b",
        "the later of two tags wins"
    );

    tracker
        .log_params(
            &run_id,
            &[("alpha".into(), "0.5".into()), ("text".into(), tricky.into())],
        )
        .unwrap();
    tracker.log_param(&run_id, "alpha", "0.5").unwrap(); // the same value again changes nothing
    assert!(tracker.log_param(&run_id, "alpha", "0.7").is_err());
    tracker
        .set_tags(
            &run_id,
            &[("team".into(), "c".into()), ("val loss/best".into(), "x".into())],
        )
        .unwrap();
    tracker.set_tag(&run_id, "mlflow.runName", "renamed").unwrap();
    tracker.delete_tag(&run_id, "note").unwrap();
    tracker
        .update_run(
            &run_id,
            RunUpdate {
                run_name: Some("again".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_summary_matches(&tracker, dir.path(), &run_id);
    assert_eq!(tracker.get_run(&run_id).unwrap().info.run_name, "again");

    // Latest points: a later step wins, an earlier one logged afterwards does not; NaN and
    // infinities are kept; bulk series count too.
    tracker.log_metric(&run_id, "loss", 0.5, Some(5), Some(100)).unwrap();
    tracker.log_metric(&run_id, "loss", 0.9, Some(3), Some(200)).unwrap();
    tracker.log_metric(&run_id, "nan", f64::NAN, Some(1), Some(1)).unwrap();
    tracker
        .log_metric(&run_id, "up", f64::INFINITY, Some(1), Some(1))
        .unwrap();
    tracker
        .log_metric(&run_id, "down", f64::NEG_INFINITY, Some(1), Some(1))
        .unwrap();
    tracker
        .log_metric_series(&run_id, "bulk", vec![3.0, 1.0, 2.0], Some(vec![10, 30, 20]), None)
        .unwrap();
    tracker.flush().unwrap();
    assert_summary_matches(&tracker, dir.path(), &run_id);
    let metrics = tracker.get_run(&run_id).unwrap().data.metrics;
    assert_eq!((metrics["loss"].value, metrics["loss"].step), (0.5, 5));
    assert!(metrics["nan"].value.is_nan());
    assert_eq!(
        (metrics["up"].value, metrics["down"].value),
        (f64::INFINITY, f64::NEG_INFINITY)
    );
    assert_eq!((metrics["bulk"].value, metrics["bulk"].step), (1.0, 30));

    // A write that fails part-way changes nothing.
    let before = as_stored(dir.path(), &run_id);
    assert!(tracker
        .log_params(&run_id, &[("fresh".into(), "1".into()), ("alpha".into(), "9".into())])
        .is_err());
    assert_eq!(as_stored(dir.path(), &run_id), before);
    assert_summary_matches(&tracker, dir.path(), &run_id);

    tracker.set_terminated(&run_id, RunStatus::Finished, None).unwrap();
    assert_summary_matches(&tracker, dir.path(), &run_id);
}

#[test]
fn concurrent_writers_lose_no_change_and_leave_summaries_whole() {
    const WRITERS: usize = 4;
    let dir = tempfile::tempdir().unwrap();
    let setup = Tracker::open(uri_of(dir.path())).unwrap();
    let shared = setup
        .create_run(RunOptions::default().name("shared"))
        .unwrap()
        .info
        .run_id;
    let barrier = Arc::new(Barrier::new(WRITERS));
    let handles: Vec<_> = (0..WRITERS)
        .map(|writer| {
            let (folder, shared, barrier) = (dir.path().to_path_buf(), shared.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                // Its own store instance: its own connections and writer, as another process.
                let tracker = Tracker::open(uri_of(&folder)).unwrap();
                let own = tracker
                    .create_run(RunOptions::default().name(format!("own-{writer}")))
                    .unwrap()
                    .info
                    .run_id;
                barrier.wait();
                for i in 0..60i64 {
                    tracker
                        .set_tag(&shared, "last writer", &format!("{writer}-{i}"))
                        .unwrap();
                    tracker
                        .set_tag(&shared, &format!("writer {writer}"), &i.to_string())
                        .unwrap();
                    tracker.log_param(&shared, &format!("p{writer}-{i}"), i).unwrap();
                    tracker
                        .log_metric(
                            &shared,
                            "race",
                            (writer * 1000) as f64 + i as f64,
                            Some(i),
                            Some(writer as i64),
                        )
                        .unwrap();
                    tracker
                        .log_metric(&shared, &format!("m{writer}"), i as f64, Some(i), None)
                        .unwrap();
                    tracker.log_metric(&own, "loss", i as f64, Some(i), None).unwrap();
                    if i % 20 == 0 {
                        tracker.delete_tag(&shared, &format!("writer {writer}")).unwrap();
                        tracker
                            .log_metric_series(&shared, &format!("bulk{writer}"), vec![i as f64; 50], None, None)
                            .unwrap();
                    }
                }
                tracker.flush().unwrap();
                own
            })
        })
        .collect();
    let own_runs: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();

    let reader = Tracker::open(uri_of(dir.path())).unwrap();
    for run_id in own_runs.iter().chain([&shared]) {
        assert_summary_matches(&reader, dir.path(), run_id);
    }
    let run = reader.get_run(&shared).unwrap();
    assert_eq!(run.data.params.len(), WRITERS * 60);
    assert_eq!(run.data.metrics["race"].step, 59);
    assert!(
        (0..WRITERS).all(|w| run.data.tags[&format!("writer {w}")] == "59"),
        "{:?}",
        run.data.tags
    );
}

#[test]
fn a_store_from_before_summaries_gains_them_with_every_value_kept() {
    let dir = tempfile::tempdir().unwrap();
    {
        let mut conn = rusqlite::Connection::open(database_of(dir.path())).unwrap();
        schema::migrate_to(&mut conn, 4, |_| Ok(())).unwrap();
        conn.execute_batch(
            "INSERT INTO experiments VALUES (0, 'Default', 'file:///a/0', 'active', 1, 1);
             INSERT INTO runs VALUES ('r1', 'old', 0, 'ann', 'FINISHED', 10, 20, 'active', 'file:///a/0/r1/artifacts', NULL),
                                     ('r2', 'bare', 0, 'bob', 'RUNNING', 30, NULL, 'active', 'file:///a/0/r2/artifacts', NULL);
             INSERT INTO params VALUES ('r1', 'alpha', '0.5'), ('r1', 'quoted', 'it''s \"x\" \\ y');
             INSERT INTO tags VALUES ('r1', 'mlflow.runName', 'old'), ('r1', 'multi line', 'a
b');
             INSERT INTO metric_series (run_uuid, key, point_count, last_value, last_step, last_timestamp) VALUES
                 ('r1', 'rmse', 3, 0.25, 2, 1000), ('r1', 'nan', 1, NULL, 0, 5),
                 ('r1', 'up', 1, 9e999, 7, 6), ('r1', 'down', 1, -9e999, 8, 7),
                 ('r1', 'empty', 0, NULL, NULL, NULL);",
        )
        .unwrap();
    }
    let tracker = Tracker::open(uri_of(dir.path())).unwrap();
    let version: i64 = rusqlite::Connection::open(database_of(dir.path()))
        .unwrap()
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, schema::LATEST_VERSION);
    for run_id in ["r1", "r2"] {
        assert_summary_matches(&tracker, dir.path(), run_id);
    }
    let run = tracker.get_run("r1").unwrap();
    assert_eq!(run.data.params["quoted"], "it's \"x\" \\ y");
    assert_eq!(run.data.tags["multi line"], "a\nb");
    assert_eq!(
        (run.data.metrics["rmse"].value, run.data.metrics["rmse"].step),
        (0.25, 2)
    );
    assert!(run.data.metrics["nan"].value.is_nan());
    assert_eq!(run.data.metrics["up"].value, f64::INFINITY);
    assert!(
        !run.data.metrics.contains_key("empty"),
        "a series without points has no latest value"
    );

    // Searches filter on the migrated copy, and later writes extend it.
    let search = |filter: &str| -> Vec<String> {
        let page = tracker
            .search_runs(&RunSearch {
                experiment_ids: vec![ExperimentId::DEFAULT],
                filter: filter.into(),
                ..Default::default()
            })
            .unwrap();
        page.items.into_iter().map(|r| r.info.run_id).collect()
    };
    assert_eq!(search("metrics.rmse < 0.3 and params.alpha = '0.5'"), ["r1"]);
    assert_eq!(search("metrics.up > 1e300"), ["r1"]);
    assert!(
        search("metrics.nan < 1").is_empty() && search("metrics.nan >= 1").is_empty(),
        "NaN matches nothing"
    );
    tracker.log_param("r2", "alpha", "0.5").unwrap();
    assert_eq!(search("params.alpha = '0.5'"), ["r2", "r1"]);
    assert_summary_matches(&tracker, dir.path(), "r2");
}

#[test]
fn a_run_table_holds_what_the_runs_hold() {
    let (_dir, tracker) = new_store();
    let experiment = tracker.set_experiment("table").unwrap().experiment_id;
    for i in 0..5i64 {
        let run = tracker
            .create_run(RunOptions::default().experiment(experiment).name(format!("r{i}")))
            .unwrap();
        let run_id = run.info.run_id;
        tracker
            .log_param(&run_id, "alpha", ["0.1", "0.5"][i as usize % 2])
            .unwrap();
        if i % 2 == 0 {
            tracker.set_tag(&run_id, "even", "yes").unwrap();
            tracker
                .log_metric(&run_id, "rmse", if i == 2 { f64::NAN } else { i as f64 }, Some(0), None)
                .unwrap();
        }
        if i < 4 {
            tracker.set_terminated(&run_id, RunStatus::Finished, None).unwrap();
        }
    }
    let search = RunSearch {
        experiment_ids: vec![experiment],
        filter: "params.alpha = '0.1'".into(),
        order_by: vec!["metrics.rmse ASC".into()],
        ..Default::default()
    };
    let runs = tracker.search_runs(&search).unwrap().items;
    let mut expected = rtrack::entities::RunTableBuilder::default();
    for run in &runs {
        expected.push_run(run);
    }
    let expected = expected.finish();
    let table = tracker.search_run_table(&search, 100).unwrap();
    // Debug text compares NaN cells equal.
    assert_eq!(format!("{table:?}"), format!("{expected:?}"));
    assert_eq!(table.len(), 3);
    assert_eq!(
        table.end_times.iter().filter(|t| t.is_none()).count(),
        1,
        "the running run has no end"
    );
    assert_eq!(
        tracker.search_run_table(&search, 2).unwrap().len(),
        2,
        "max_results caps the table"
    );
}
