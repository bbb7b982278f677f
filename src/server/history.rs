//! Metric histories of several runs at once, the two helpers MLflow's web UI reads under
//! `/ajax-api/2.0/mlflow/metrics/`: `get-history-bulk` (every point, up to a cap) and
//! `get-history-bulk-interval` (the points at a sample of the steps, for charts).

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::error::{ApiError, ApiResult};
use super::request::{missing, Params};
use super::AppState;
use crate::entities::Metric;

/// MLflow's caps: points per bulk request, runs per request, sampled steps per run.
const MAX_BULK_POINTS: usize = 25_000;
const MAX_RUNS: usize = 100;
const MAX_SAMPLED_STEPS: i64 = 2500;

/// A run's points; a run that does not exist has none (MLflow skips unknown ids).
fn history(state: &AppState, run_id: &str, key: &str) -> ApiResult<Vec<Metric>> {
    match state.tracker.get_metric_history(run_id, key) {
        Ok(points) => Ok(points),
        Err(crate::Error::NotFound(_)) => Ok(Vec::new()),
        Err(error) => Err(error.into()),
    }
}

fn point(run_id: &str, metric: &Metric) -> Value {
    let mut value = super::json::metric(metric);
    value["run_id"] = json!(run_id);
    value
}

/// `GET metrics/get-history-bulk?run_id=..&run_id=..&metric_key=..`: runs in id order, each
/// run's points by timestamp, step, then value.
pub fn bulk(state: &AppState, params: &Params) -> ApiResult<Value> {
    let mut run_ids = params.str_list("run_id")?;
    if run_ids.is_empty() {
        return Err(ApiError::invalid(
            "GetMetricHistoryBulk request must specify at least one run_id.",
        ));
    }
    if run_ids.len() > MAX_RUNS {
        return Err(ApiError::invalid(format!(
            "GetMetricHistoryBulk request cannot specify more than {MAX_RUNS} run_ids. Received {} run_ids.",
            run_ids.len()
        )));
    }
    let Some(key) = params.str("metric_key")? else {
        return Err(ApiError::invalid(
            "GetMetricHistoryBulk request must specify a metric_key.",
        ));
    };
    let limit = params.page_size(MAX_BULK_POINTS)?.min(MAX_BULK_POINTS);
    run_ids.sort();
    run_ids.dedup();
    let mut out = Vec::new();
    for run_id in &run_ids {
        let mut points = history(state, run_id, key)?;
        points.sort_by(|a, b| {
            (a.timestamp, a.step)
                .cmp(&(b.timestamp, b.step))
                .then(a.value.total_cmp(&b.value))
        });
        out.extend(points.iter().take(limit - out.len()).map(|m| point(run_id, m)));
        if out.len() == limit {
            break;
        }
    }
    Ok(json!({ "metrics": out }))
}

/// `GET metrics/get-history-bulk-interval?run_ids=..&metric_key=..[&start_step&end_step]
/// [&max_results]`: the points at up to `max_results` steps spread evenly over the steps the
/// runs logged (each run's first and last step always kept), per run by step then timestamp.
pub fn bulk_interval(state: &AppState, params: &Params) -> ApiResult<Value> {
    let run_ids = params.str_list("run_ids")?;
    if run_ids.is_empty() {
        return Err(missing("run_ids"));
    }
    if run_ids.len() > MAX_RUNS {
        return Err(ApiError::invalid(format!(
            "GetMetricHistoryBulkInterval request must specify at most {MAX_RUNS} run_ids. Received {} run_ids.",
            run_ids.len()
        )));
    }
    let key = params.required_str("metric_key")?;
    let max_results = params.i64("max_results")?.unwrap_or(MAX_SAMPLED_STEPS);
    if !(1..=MAX_SAMPLED_STEPS).contains(&max_results) {
        return Err(ApiError::invalid(format!(
            "max_results must be between 1 and {MAX_SAMPLED_STEPS}."
        )));
    }
    let range = match (params.i64("start_step")?, params.i64("end_step")?) {
        (Some(start), Some(end)) if start > end => {
            return Err(ApiError::invalid(format!(
                "end_step must be greater than start_step. Found start_step={start} and end_step={end}."
            )))
        }
        (Some(start), Some(end)) => Some((start, end)),
        (None, None) => None,
        _ => {
            return Err(ApiError::invalid(
                "If either start step or end step are specified, both must be specified.",
            ))
        }
    };
    let histories = run_ids
        .iter()
        .map(|run_id| history(state, run_id, key))
        .collect::<ApiResult<Vec<_>>>()?;
    let steps = sampled_steps(&histories, range, max_results as usize);
    let mut out = Vec::new();
    for (run_id, mut points) in run_ids.iter().zip(histories) {
        points.retain(|m| steps.contains(&m.step));
        points.sort_by_key(|m| (m.step, m.timestamp));
        out.extend(points.iter().take(MAX_BULK_POINTS).map(|m| point(run_id, m)));
    }
    Ok(json!({ "metrics": out }))
}

/// The steps to return: `max_results` evenly spaced picks from the distinct steps in range,
/// plus the last one in range, plus every run's own first and last step if in range.
fn sampled_steps(histories: &[Vec<Metric>], range: Option<(i64, i64)>, max_results: usize) -> BTreeSet<i64> {
    let all: Vec<i64> = histories
        .iter()
        .flatten()
        .map(|m| m.step)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (start, end) = range.unwrap_or((0, all.last().copied().unwrap_or(0)));
    let in_range: Vec<i64> = all.into_iter().filter(|s| (start..=end).contains(s)).collect();
    let mut picked = BTreeSet::new();
    if in_range.len() <= max_results {
        picked.extend(in_range.iter().copied());
    } else {
        let interval = in_range.len() as f64 / max_results as f64;
        for i in 0..max_results {
            if let Some(step) = in_range.get((i as f64 * interval) as usize) {
                picked.insert(*step);
            }
        }
        picked.extend(in_range.last().copied());
    }
    for points in histories {
        let first = points.iter().map(|m| m.step).min();
        let last = points.iter().map(|m| m.step).max();
        picked.extend(
            [first, last]
                .into_iter()
                .flatten()
                .filter(|s| (start..=end).contains(s)),
        );
    }
    picked
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(steps: std::ops::Range<i64>) -> Vec<Metric> {
        steps
            .map(|step| Metric {
                key: "m".into(),
                value: 1.0,
                timestamp: 1,
                step,
            })
            .collect()
    }

    #[test]
    fn sampling_spreads_over_the_steps_and_keeps_each_runs_ends() {
        let one = sampled_steps(&[at(0..10)], None, 5);
        assert_eq!(one.into_iter().collect::<Vec<_>>(), vec![0, 2, 4, 6, 8, 9]);
        let two = sampled_steps(&[at(0..10), at(0..20)], None, 5);
        assert_eq!(two.into_iter().collect::<Vec<_>>(), vec![0, 4, 8, 9, 12, 16, 19]);
        let ranged = sampled_steps(&[at(0..10)], Some((0, 4)), 5);
        assert_eq!(ranged.into_iter().collect::<Vec<_>>(), vec![0, 1, 2, 3, 4]);
    }
}
