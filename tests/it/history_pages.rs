//! Pages of a metric's history read from the store: each page equals the same range of the
//! whole history in step order, however the points were logged, and arrives in slices.

use crate::common::{new_run, new_store, not_found};
use rtrack::entities::MetricSeries;
use rtrack::{ExperimentId, Tracker};

/// The page `offset..offset + limit` as the store hands it out, the slices joined, and how
/// many slices it came in.
fn page(tracker: &Tracker, run_id: &str, key: &str, offset: usize, limit: usize) -> (MetricSeries, usize, usize) {
    let mut joined = MetricSeries::default();
    let mut slices = 0;
    let total = tracker
        .store()
        .visit_metric_history(run_id, key, offset, limit, &mut |slice| {
            assert!(!slice.is_empty(), "a visited slice holds points");
            joined.steps.extend_from_slice(&slice.steps);
            joined.timestamps.extend_from_slice(&slice.timestamps);
            joined.values.extend_from_slice(&slice.values);
            slices += 1;
            Ok(())
        })
        .unwrap();
    (joined, total, slices)
}

fn expected(whole: &MetricSeries, offset: usize, limit: usize) -> MetricSeries {
    let end = offset.saturating_add(limit).min(whole.len());
    whole.slice(offset.min(end)..end)
}

fn assert_pages_match_the_whole_history(tracker: &Tracker, run_id: &str, key: &str) {
    let whole = tracker.get_metric_series(run_id, key).unwrap();
    let n = whole.len();
    for (offset, limit) in [
        (0, 1),
        (0, 100),
        (1, 8191),
        (8191, 2),
        (8192, 8192),
        (n / 2, 50_000),
        (n - 1, 10),
        (n, 10),
        (n + 5, 10),
        (0, usize::MAX),
    ] {
        let (got, total, _) = page(tracker, run_id, key, offset, limit);
        assert_eq!(total, n, "total at offset {offset}");
        let want = expected(&whole, offset, limit);
        assert_eq!(got.steps, want.steps, "steps of page {offset}+{limit}");
        assert_eq!(got.timestamps, want.timestamps, "timestamps of page {offset}+{limit}");
        let bits = |s: &MetricSeries| s.values.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want), "values of page {offset}+{limit}");
    }
}

/// Bulk arrays, then a trickle of single points (which extend the last chunk), in order.
fn log_in_order(tracker: &Tracker, run_id: &str, key: &str, bulk: usize) {
    let values: Vec<f64> = (0..bulk).map(|i| (i as f64).sin()).collect();
    let steps: Vec<i64> = (0..bulk as i64).collect();
    let timestamps: Vec<i64> = (0..bulk as i64).map(|i| 1_000 + i).collect();
    tracker
        .log_metric_series(run_id, key, values, Some(steps), Some(timestamps))
        .unwrap();
    for i in 0..300 {
        let step = (bulk + i) as i64;
        tracker
            .log_metric(
                run_id,
                key,
                f64::from_bits(0x7ff8_0000_0000_0001 + i as u64),
                Some(step),
                Some(9_000_000 + step),
            )
            .unwrap();
    }
    tracker.store().flush().unwrap();
}

#[test]
fn pages_of_a_history_logged_in_step_order_equal_the_whole_history_sliced() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "ordered");
    log_in_order(&tracker, &run_id, "loss", 100_000);
    assert_pages_match_the_whole_history(&tracker, &run_id, "loss");
    // A long page comes in slices, not as one block.
    let (_, _, slices) = page(&tracker, &run_id, "loss", 0, usize::MAX);
    assert!(slices > 1, "a 100,300-point page came in {slices} slice(s)");
}

#[test]
fn pages_of_a_history_logged_out_of_step_order_are_still_in_step_order() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "unordered");
    log_in_order(&tracker, &run_id, "loss", 20_000);
    // A point for an earlier step, logged last, belongs near the front of every read.
    tracker.log_metric(&run_id, "loss", -1.5, Some(3), Some(5)).unwrap();
    // Equal steps and timestamps keep the order they were logged in.
    tracker.log_metric(&run_id, "loss", -2.5, Some(3), Some(5)).unwrap();
    tracker.store().flush().unwrap();
    let whole = tracker.get_metric_series(&run_id, "loss").unwrap();
    assert!(whole.is_sorted_by_step());
    let at = whole.steps.iter().position(|&s| s == 3).unwrap();
    assert_eq!(&whole.values[at..at + 3], &[-1.5, -2.5, 3f64.sin()]);
    assert_pages_match_the_whole_history(&tracker, &run_id, "loss");
}

#[test]
fn a_batch_that_is_unordered_inside_makes_the_series_unordered() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "batch");
    tracker
        .log_metric_series(
            &run_id,
            "acc",
            vec![0.1, 0.2, 0.3],
            Some(vec![5, 4, 6]),
            Some(vec![1, 1, 1]),
        )
        .unwrap();
    let (got, total, _) = page(&tracker, &run_id, "acc", 0, 2);
    assert_eq!(total, 3);
    assert_eq!((got.steps, got.values), (vec![4, 5], vec![0.2, 0.1]));
}

#[test]
fn a_metric_never_logged_has_an_empty_history_and_an_unknown_run_is_an_error() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "empty");
    let (got, total, slices) = page(&tracker, &run_id, "nothing", 0, 10);
    assert_eq!((got.len(), total, slices), (0, 0, 0));
    let missing = tracker
        .store()
        .visit_metric_history("0123456789abcdef0123456789abcdef", "loss", 0, 10, &mut |_| Ok(()));
    not_found(missing);
}
