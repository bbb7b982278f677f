//! What is logged to a run: params (immutable), tags (system and user) and metrics
//! (latest value rule, special values, history, array fast path, read-your-writes).

use crate::common;

use crate::common::{invalid, new_run, new_store, not_found};
use rtrack::entities::{tags, Metric, MetricSeries};
use rtrack::{Error, ExperimentId, RunOptions, RunStatus, Tracker};

fn run(tracker: &Tracker) -> String {
    new_run(tracker, ExperimentId::DEFAULT, "logging")
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

// ----- params -----

#[test]
fn params_are_stored_as_strings_and_immutable() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    tracker.log_param(&run_id, "alpha", 0.5).unwrap();
    tracker.log_param(&run_id, "layers", 3).unwrap();
    tracker.log_param(&run_id, "alpha", "0.5").unwrap(); // the same value again is fine

    let message = invalid(tracker.log_param(&run_id, "alpha", 0.7));
    assert!(message.contains("'alpha'"), "the error names the key: {message}");
    assert!(message.contains("0.5") && message.contains("0.7"), "{message}");
    let params = tracker.get_run(&run_id).unwrap().data.params;
    assert_eq!(params["alpha"], "0.5", "the old value is kept");
    assert_eq!(params["layers"], "3");
}

#[test]
fn a_param_batch_with_a_bad_entry_writes_nothing() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    tracker.log_param(&run_id, "fixed", "1").unwrap();

    let bad_key = pairs(&[("good", "1"), ("bad;key", "2"), ("also_good", "3")]);
    assert!(invalid(tracker.log_params(&run_id, &bad_key)).contains("bad;key"));
    let changed = pairs(&[("fresh", "1"), ("fixed", "2")]);
    assert!(invalid(tracker.log_params(&run_id, &changed)).contains("'fixed'"));
    let twice = pairs(&[("dup", "1"), ("dup", "2")]);
    assert!(invalid(tracker.log_params(&run_id, &twice)).contains("'dup'"));
    let too_long = vec![
        ("ok".to_string(), "v".to_string()),
        ("long".to_string(), "x".repeat(6001)),
    ];
    assert!(invalid(tracker.log_params(&run_id, &too_long)).contains("'long'"));

    let params = tracker.get_run(&run_id).unwrap().data.params;
    assert_eq!(params.keys().collect::<Vec<_>>(), vec!["fixed"], "{params:?}");

    // log_batch checks params and tags before writing any of them or any metric.
    let metrics = vec![Metric {
        key: "m".into(),
        value: 1.0,
        timestamp: 1,
        step: 0,
    }];
    let bad_tag = pairs(&[("../t", "v")]);
    assert!(invalid(tracker.log_batch(&run_id, &metrics, &pairs(&[("p", "1")]), &bad_tag)).contains("../t"));
    let data = tracker.get_run(&run_id).unwrap().data;
    assert!(
        !data.params.contains_key("p") && !data.metrics.contains_key("m"),
        "{data:?}"
    );

    tracker
        .log_batch(&run_id, &metrics, &pairs(&[("p", "1")]), &pairs(&[("t", "v")]))
        .unwrap();
    let data = tracker.get_run(&run_id).unwrap().data;
    assert_eq!(
        (
            data.params["p"].as_str(),
            data.tags["t"].as_str(),
            data.metrics["m"].value
        ),
        ("1", "v", 1.0)
    );
}

#[test]
fn params_are_checked_against_what_other_processes_stored() {
    // Two store instances on one folder stand for two processes.
    let (dir, first) = new_store();
    let second = Tracker::open(common::uri_of(dir.path())).unwrap();
    let run_id = run(&first);
    first.log_param(&run_id, "alpha", "0.5").unwrap();
    first.flush().unwrap();
    // The second instance reads the run's params before its first param.
    assert!(invalid(second.log_param(&run_id, "alpha", "0.7")).contains("'alpha'"));
    second.log_param(&run_id, "alpha", "0.5").unwrap();

    // Both queue a value for the same new key before either is written: the first write
    // wins, the other's flush reports the key, and the rest of its batch is kept.
    first.log_param(&run_id, "solver", "cd").unwrap();
    second
        .log_params(&run_id, &pairs(&[("solver", "lars"), ("layers", "3")]))
        .unwrap();
    first.flush().unwrap();
    let message = invalid(second.flush());
    assert!(
        message.contains("'solver'") && message.contains("'cd'") && message.contains("'lars'"),
        "{message}"
    );
    second.flush().unwrap(); // reported once
                             // The refusal corrected what the second instance knew of the run's params.
    assert!(invalid(second.log_param(&run_id, "solver", "lars")).contains("'cd'"));
    let params = first.get_run(&run_id).unwrap().data.params;
    assert_eq!((params["solver"].as_str(), params["layers"].as_str()), ("cd", "3"));
}

#[test]
fn params_logged_after_a_run_ended_are_still_checked() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    tracker.log_param(&run_id, "alpha", "0.5").unwrap();
    tracker.set_terminated(&run_id, RunStatus::Finished, None).unwrap();
    assert!(invalid(tracker.log_param(&run_id, "alpha", "1")).contains("'alpha'"));
    tracker.log_param(&run_id, "late", "yes").unwrap();
    let params = tracker.get_run(&run_id).unwrap().data.params;
    assert_eq!((params["alpha"].as_str(), params["late"].as_str()), ("0.5", "yes"));
}

#[test]
fn queued_params_reach_the_database_without_a_flush() {
    let (dir, writer) = new_store();
    let reader = Tracker::open(common::uri_of(dir.path())).unwrap();
    let run_id = run(&writer);
    // The run itself is written at once: another process sees it straight away.
    assert_eq!(reader.get_run(&run_id).unwrap().info.run_id, run_id);
    writer.log_param(&run_id, "alpha", "0.5").unwrap();
    let seen = common::poll(std::time::Duration::from_secs(5), || {
        reader.get_run(&run_id).unwrap().data.params.get("alpha").cloned()
    });
    assert_eq!(
        seen.as_deref(),
        Some("0.5"),
        "the writer thread wrote the param within 5 s"
    );
    drop(writer);
}

// ----- tags -----

#[test]
fn tags_can_be_set_overwritten_and_deleted() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    tracker.set_tag(&run_id, "stage", "draft").unwrap();
    tracker
        .set_tags(&run_id, &pairs(&[("stage", "final"), ("owner", "ana")]))
        .unwrap();
    let tags_now = tracker.get_run(&run_id).unwrap().data.tags;
    assert_eq!(
        (tags_now["stage"].as_str(), tags_now["owner"].as_str()),
        ("final", "ana")
    );

    tracker.delete_tag(&run_id, "owner").unwrap();
    assert!(!tracker.get_run(&run_id).unwrap().data.tags.contains_key("owner"));
    let message = not_found(tracker.delete_tag(&run_id, "owner"));
    assert!(message.contains("owner"), "{message}");
    assert!(invalid(tracker.set_tag(&run_id, "", "v")).contains("empty"));
}

#[test]
fn setting_the_run_name_tag_renames_the_run() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "before");
    tracker.set_tag(&run_id, tags::RUN_NAME, "after").unwrap();
    let run = tracker.get_run(&run_id).unwrap();
    assert_eq!(run.info.run_name, "after");
    assert_eq!(run.data.tags[tags::RUN_NAME], "after");
    // A name given only as a tag at creation is the run's name too.
    let tagged = tracker
        .create_run(RunOptions::default().tag(tags::RUN_NAME, "from-tag"))
        .unwrap();
    assert_eq!(tagged.info.run_name, "from-tag");
}

// ----- metrics -----

#[test]
fn the_latest_value_is_the_highest_step_then_timestamp_then_value() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    let latest = |tracker: &Tracker| tracker.get_run(&run_id).unwrap().data.metrics["m"].clone();
    tracker.log_metric(&run_id, "m", 1.0, Some(5), Some(100)).unwrap();
    tracker.log_metric(&run_id, "m", 2.0, Some(3), Some(999)).unwrap(); // lower step loses
    assert_eq!(
        latest(&tracker),
        Metric {
            key: "m".into(),
            value: 1.0,
            timestamp: 100,
            step: 5
        }
    );
    tracker.log_metric(&run_id, "m", 0.5, Some(5), Some(200)).unwrap(); // same step, newer
    assert_eq!(latest(&tracker).value, 0.5);
    tracker.log_metric(&run_id, "m", 0.7, Some(5), Some(200)).unwrap(); // same step and time, larger
    tracker.log_metric(&run_id, "m", 0.6, Some(5), Some(200)).unwrap(); // ... smaller loses
    assert_eq!(latest(&tracker).value, 0.7);
    // The same rule across one batch written in a single call.
    let series = MetricSeries {
        steps: vec![9, 7, 9],
        values: vec![3.0, 8.0, 4.0],
        timestamps: vec![50, 60, 40],
    };
    tracker.store().log_metric_series(&run_id, "m", &series).unwrap();
    assert_eq!(
        latest(&tracker),
        Metric {
            key: "m".into(),
            value: 3.0,
            timestamp: 50,
            step: 9
        }
    );
}

#[test]
fn nan_and_infinities_round_trip() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    let values = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, f64::MIN_POSITIVE];
    for (step, value) in values.iter().enumerate() {
        tracker
            .log_metric(&run_id, "odd", *value, Some(step as i64), Some(1))
            .unwrap();
        tracker
            .log_metric(&run_id, &format!("only{step}"), *value, None, None)
            .unwrap();
    }
    let history = tracker.get_metric_history(&run_id, "odd").unwrap();
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let got: Vec<f64> = history.iter().map(|m| m.value).collect();
    assert_eq!(bits(&got), bits(&values));
    let metrics = tracker.get_run(&run_id).unwrap().data.metrics;
    assert!(metrics["only0"].value.is_nan(), "a NaN latest value stays NaN");
    assert_eq!(metrics["only1"].value, f64::INFINITY);
    assert_eq!(metrics["only2"].value, f64::NEG_INFINITY);
    assert_eq!(metrics["odd"].value, f64::MIN_POSITIVE);
}

#[test]
fn a_nan_latest_value_gives_way_to_a_later_point() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    tracker.log_metric(&run_id, "m", f64::NAN, Some(1), Some(10)).unwrap();
    tracker.log_metric(&run_id, "m", 2.0, Some(0), Some(10)).unwrap(); // lower step: NaN stays
    assert!(tracker.get_run(&run_id).unwrap().data.metrics["m"].value.is_nan());
    tracker.log_metric(&run_id, "m", 3.0, Some(2), Some(10)).unwrap();
    assert_eq!(tracker.get_run(&run_id).unwrap().data.metrics["m"].value, 3.0);
}

#[test]
fn history_is_ordered_by_step_then_timestamp() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    for (step, timestamp, value) in [(2, 10, 2.0), (0, 30, 0.3), (1, 10, 1.0), (0, 20, 0.2), (2, 5, 1.5)] {
        tracker
            .log_metric(&run_id, "m", value, Some(step), Some(timestamp))
            .unwrap();
    }
    // Read in between so the points land in several chunks, then add more.
    assert_eq!(tracker.get_metric_history(&run_id, "m").unwrap().len(), 5);
    tracker.log_metric(&run_id, "m", -1.0, Some(-1), Some(99)).unwrap();
    let history: Vec<(i64, i64, f64)> = tracker
        .get_metric_history(&run_id, "m")
        .unwrap()
        .iter()
        .map(|m| (m.step, m.timestamp, m.value))
        .collect();
    assert_eq!(
        history,
        vec![
            (-1, 99, -1.0),
            (0, 20, 0.2),
            (0, 30, 0.3),
            (1, 10, 1.0),
            (2, 5, 1.5),
            (2, 10, 2.0)
        ]
    );
    assert!(tracker.get_metric_history(&run_id, "never").unwrap().is_empty());
}

#[test]
fn metric_series_round_trip_and_defaults() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    let n = 20_000;
    let values: Vec<f64> = (0..n).map(|i| (i as f64).sin()).collect();
    let steps: Vec<i64> = (0..n).map(|i| i * 10).collect();
    let timestamps: Vec<i64> = (0..n).map(|i| 1_700_000_000_000 + i * 7 + (i % 3)).collect();
    tracker
        .log_metric_series(
            &run_id,
            "wave",
            values.clone(),
            Some(steps.clone()),
            Some(timestamps.clone()),
        )
        .unwrap();
    let series = tracker.get_metric_series(&run_id, "wave").unwrap();
    assert_eq!(
        series,
        MetricSeries {
            steps,
            values,
            timestamps
        }
    );
    let run = tracker.get_run(&run_id).unwrap();
    assert_eq!(run.data.metrics["wave"].step, (n - 1) * 10);

    tracker
        .log_metric_series(&run_id, "plain", vec![3.0, 2.0, 1.0], None, None)
        .unwrap();
    let plain = tracker.get_metric_series(&run_id, "plain").unwrap();
    assert_eq!(plain.steps, vec![0, 1, 2]);
    assert_eq!(plain.values, vec![3.0, 2.0, 1.0]);
    assert!(
        plain.timestamps.iter().all(|t| *t > 1_600_000_000_000),
        "{:?}",
        plain.timestamps
    );
}

#[test]
fn metric_series_with_mismatched_lengths_are_refused() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    let message = invalid(tracker.log_metric_series(&run_id, "m", vec![1.0, 2.0, 3.0], Some(vec![0, 1]), None));
    assert!(
        message.contains("'m'") && message.contains('3') && message.contains('2'),
        "{message}"
    );
    invalid(tracker.log_metric_series(&run_id, "m", vec![1.0], None, Some(vec![1, 2])));
    invalid(tracker.log_metric_series(&run_id, "bad;key", vec![1.0], None, None));
    assert!(tracker.get_metric_series(&run_id, "m").unwrap().is_empty());
    assert!(tracker.get_run(&run_id).unwrap().data.metrics.is_empty());
}

#[test]
fn reads_see_points_logged_just_before() {
    let (_dir, tracker) = new_store();
    let active = tracker.start_run(RunOptions::default()).unwrap();
    for step in 0..1000 {
        active.log_metric("loss", 1.0 / (step as f64 + 1.0), step).unwrap();
        if step % 250 == 0 {
            // Each read right after a log must already see it, with no flush by the caller.
            let history = active.tracker().get_metric_history(active.id(), "loss").unwrap();
            assert_eq!(history.len(), step as usize + 1);
        }
    }
    active.log_metrics([("acc", 0.9), ("f1", 0.8)], 7).unwrap();
    let run = active.get().unwrap();
    assert_eq!(run.data.metrics["loss"].step, 999);
    assert_eq!((run.data.metrics["acc"].value, run.data.metrics["f1"].step), (0.9, 7));
    let search = rtrack::store::RunSearch {
        experiment_ids: vec![ExperimentId::DEFAULT],
        filter: "metrics.acc > 0.85".into(),
        ..Default::default()
    };
    assert_eq!(
        tracker.search_runs(&search).unwrap().items.len(),
        1,
        "searches see queued points too"
    );
}

#[test]
fn bad_metric_keys_are_refused_and_queue_nothing() {
    let (_dir, tracker) = new_store();
    let run_id = run(&tracker);
    for key in ["", "../up", "/abs", "semi;colon"] {
        let message = invalid(tracker.log_metric(&run_id, key, 1.0, None, None));
        assert!(key.is_empty() || message.contains(key), "{message}");
    }
    let batch = vec![
        Metric {
            key: "ok".into(),
            value: 1.0,
            timestamp: 1,
            step: 0,
        },
        Metric {
            key: "not ok!".into(),
            value: 2.0,
            timestamp: 1,
            step: 0,
        },
    ];
    invalid(tracker.log_batch(&run_id, &batch, &[], &[]));
    assert!(tracker.get_run(&run_id).unwrap().data.metrics.is_empty());
    let active = tracker.resume_run(&run_id).unwrap();
    invalid(active.log_metrics([("fine", 1.0), ("not fine!", 2.0)], 0));
    assert!(
        active.get().unwrap().data.metrics.is_empty(),
        "a refused batch logs none of its metrics"
    );
}

#[test]
fn a_failed_run_update_keeps_the_queued_metrics_it_flushed() {
    let (_dir, tracker) = new_store();
    let run_id = tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    tracker.log_metric(&run_id, "loss", 0.5, Some(3), None).unwrap();
    let refused = tracker.set_terminated("0123456789abcdef0123456789abcdef", RunStatus::Finished, None);
    assert!(matches!(refused, Err(Error::NotFound(_))), "{refused:?}");
    let history = tracker.get_metric_history(&run_id, "loss").unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!((history[0].step, history[0].value), (3, 0.5));
}
