//! What the run-summary dashboard shows, read from a store: experiments, their most recent
//! runs (nested runs under their parent), the columns worth showing, each shown metric's
//! history, and the best run per metric.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::cells::Columns;
use crate::api::Tracker;
use crate::entities::{tags, Experiment, ExperimentId, MetricSeries, Run, ViewType};
use crate::error::{Error, Result};
use crate::store::{ExperimentSearch, RunSearch};

/// Runs shown per experiment: the most recent ones.
pub const MAX_RUNS: usize = 50;
/// Params and metrics an experiment's table shows at most.
pub const MAX_PARAMS: usize = 6;
pub const MAX_METRICS: usize = 8;

/// Words in a metric name that mean lower is better.
const LOWER_IS_BETTER: &[&str] = &[
    "loss",
    "error",
    "err",
    "rmse",
    "mse",
    "mae",
    "mape",
    "smape",
    "rmsle",
    "logloss",
    "perplexity",
    "time",
    "seconds",
    "duration",
    "latency",
];

/// Whether a smaller value of this metric is the better one.
///
/// The rule: the name is split into lowercase words at every character that is not a letter
/// or digit (`val_loss` -> `val`, `loss`; `test/RMSE` -> `test`, `rmse`); lower is better when
/// a word is one of loss, error, err, rmse, mse, mae, mape, smape, rmsle, logloss,
/// perplexity, time, seconds, duration, latency, or ends in `loss` (`valloss`). Any other
/// metric (accuracy, f1, r2, auc, ...) is better higher.
///
/// ```
/// use rtrack::display::lower_is_better;
/// assert!(lower_is_better("val_loss") && lower_is_better("test/RMSE") && lower_is_better("cell_wall_time_s"));
/// assert!(!lower_is_better("accuracy") && !lower_is_better("r2") && !lower_is_better("f1_score"));
/// ```
pub fn lower_is_better(metric: &str) -> bool {
    metric
        .split(|c: char| !c.is_alphanumeric())
        .map(str::to_lowercase)
        .any(|word| LOWER_IS_BETTER.contains(&word.as_str()) || word.ends_with("loss"))
}

/// The index of the best of these values by [`lower_is_better`]; NaN and missing values
/// never win, and a metric only one run has is nobody's best (there is no contest).
pub fn best_index(metric: &str, values: &[Option<f64>]) -> Option<usize> {
    let lower = lower_is_better(metric);
    let finite: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.filter(|v| !v.is_nan()).map(|v| (i, v)))
        .collect();
    if finite.len() < 2 {
        return None;
    }
    let better = |a: f64, b: f64| if lower { a < b } else { a > b };
    finite
        .into_iter()
        .reduce(|best, next| if better(next.1, best.1) { next } else { best })
        .map(|(i, _)| i)
}

/// One row of an experiment's table.
#[derive(Clone, Debug)]
pub struct RunRow {
    pub run: Run,
    /// 0 for a top-level run, 1 for a run nested in it, ...
    pub depth: usize,
    /// History of each shown metric the run has logged more than once.
    pub histories: BTreeMap<String, MetricSeries>,
}

/// One experiment of the dashboard.
#[derive(Clone, Debug)]
pub struct ExperimentSummary {
    pub experiment: Experiment,
    pub rows: Vec<RunRow>,
    /// True when the experiment has more runs than the [`MAX_RUNS`] shown.
    pub more_runs: bool,
    pub columns: Columns,
    /// For each shown metric with a winner, the index of the best row.
    pub best: BTreeMap<String, usize>,
}

/// The run-summary dashboard: every active experiment of a store (or one), most recently
/// active first. Show it with [`Summary::to_html`], or `evcxr_display` in an evcxr notebook.
#[derive(Clone, Debug)]
pub struct Summary {
    pub tracking_uri: String,
    pub experiments: Vec<ExperimentSummary>,
}

impl Summary {
    /// Read the dashboard of one experiment (by name, or by id when no experiment has that
    /// name), or of every active experiment.
    pub fn collect(tracker: &Tracker, experiment: Option<&str>) -> Result<Summary> {
        let experiments = match experiment {
            Some(choice) => vec![find_experiment(tracker, choice)?],
            None => all_experiments(tracker)?,
        };
        let mut summaries = experiments
            .into_iter()
            .map(|e| summarize(tracker, e))
            .collect::<Result<Vec<_>>>()?;
        // Experiments with the most recent run first (the newer experiment first when runs
        // started in the same millisecond); empty ones last.
        summaries.sort_by_key(|s| {
            let latest = s.rows.iter().map(|row| row.run.info.start_time).max();
            std::cmp::Reverse((latest, s.experiment.experiment_id))
        });
        Ok(Summary {
            tracking_uri: tracker.tracking_uri().to_string(),
            experiments: summaries,
        })
    }
}

fn find_experiment(tracker: &Tracker, choice: &str) -> Result<Experiment> {
    if let Some(experiment) = tracker.get_experiment_by_name(choice)? {
        return Ok(experiment);
    }
    match ExperimentId::parse(choice) {
        Ok(id) => tracker.get_experiment(id),
        Err(_) => Err(Error::not_found(format!("No experiment named '{choice}'"))),
    }
}

fn all_experiments(tracker: &Tracker) -> Result<Vec<Experiment>> {
    let mut experiments = Vec::new();
    let mut search = ExperimentSearch {
        view: ViewType::ActiveOnly,
        ..Default::default()
    };
    loop {
        let page = tracker.search_experiments(&search)?;
        experiments.extend(page.items);
        match page.next_page_token {
            Some(token) => search.page_token = Some(token),
            None => return Ok(experiments),
        }
    }
}

fn summarize(tracker: &Tracker, experiment: Experiment) -> Result<ExperimentSummary> {
    let page = tracker.search_runs(&RunSearch {
        experiment_ids: vec![experiment.experiment_id],
        max_results: MAX_RUNS,
        order_by: vec!["attributes.start_time DESC".into()],
        ..Default::default()
    })?;
    let more_runs = page.next_page_token.is_some();
    let ordered = nest(page.items);
    let runs: Vec<&Run> = ordered.iter().map(|(run, _)| run).collect();
    let columns = Columns::choose(&runs, MAX_PARAMS, MAX_METRICS);
    let mut best = BTreeMap::new();
    for key in &columns.metrics {
        let values: Vec<Option<f64>> = runs
            .iter()
            .map(|run| run.data.metrics.get(key).map(|m| m.value))
            .collect();
        if let Some(index) = best_index(key, &values) {
            best.insert(key.clone(), index);
        }
    }
    let mut rows = Vec::with_capacity(ordered.len());
    for (run, depth) in ordered {
        let mut histories = BTreeMap::new();
        for key in &columns.metrics {
            if run.data.metrics.contains_key(key) {
                let series = tracker.get_metric_series(&run.info.run_id, key)?;
                if series.len() > 1 {
                    histories.insert(key.clone(), series);
                }
            }
        }
        rows.push(RunRow { run, depth, histories });
    }
    Ok(ExperimentSummary {
        experiment,
        rows,
        more_runs,
        columns,
        best,
    })
}

/// Runs (newest first) reordered so each nested run follows its parent, with its depth.
/// A run whose parent is not among them stays at the top level.
fn nest(runs: Vec<Run>) -> Vec<(Run, usize)> {
    let ids: HashSet<String> = runs.iter().map(|run| run.info.run_id.clone()).collect();
    let mut children: HashMap<String, Vec<Run>> = HashMap::new();
    let mut roots = Vec::new();
    for run in runs {
        match run
            .data
            .tags
            .get(tags::PARENT_RUN_ID)
            .filter(|parent| ids.contains(*parent) && **parent != run.info.run_id)
        {
            Some(parent) => children.entry(parent.clone()).or_default().push(run),
            None => roots.push(run),
        }
    }
    let mut ordered = Vec::new();
    // Children in the order they started, under a parent shown newest first.
    let mut stack: Vec<(Run, usize)> = roots.into_iter().rev().map(|run| (run, 0)).collect();
    while let Some((run, depth)) = stack.pop() {
        if let Some(kids) = children.remove(&run.info.run_id) {
            stack.extend(kids.into_iter().map(|kid| (kid, depth + 1)));
        }
        ordered.push((run, depth));
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::super::cells::tests::run;
    use super::*;

    #[test]
    fn lower_is_better_for_losses_and_errors_only() {
        for name in [
            "loss",
            "val_loss",
            "train/Loss",
            "valloss",
            "rmse",
            "test_mae",
            "mse",
            "error_rate",
            "mean_absolute_error",
            "log-loss",
        ] {
            assert!(lower_is_better(name), "{name}");
        }
        for name in [
            "accuracy",
            "f1_score",
            "roc_auc",
            "r2",
            "precision",
            "recall",
            "epochs",
            "glossary_size",
        ] {
            assert!(!lower_is_better(name), "{name}");
        }
    }

    #[test]
    fn the_best_value_wins_and_nan_never_does() {
        let values = [Some(0.7), None, Some(f64::NAN), Some(0.5), Some(0.9)];
        assert_eq!(best_index("rmse", &values), Some(3));
        assert_eq!(best_index("accuracy", &values), Some(4));
        assert_eq!(
            best_index("rmse", &[Some(0.5), None]),
            None,
            "one contestant is no contest"
        );
        assert_eq!(
            best_index("rmse", &[Some(0.5), Some(0.5)]),
            Some(0),
            "ties go to the first row"
        );
    }

    #[test]
    fn nested_runs_follow_their_parent_in_start_order() {
        let tag = |mut r: Run, id: &str, parent: Option<&str>| {
            r.info.run_id = id.into();
            if let Some(parent) = parent {
                r.data.tags.insert(tags::PARENT_RUN_ID.into(), parent.into());
            }
            r
        };
        // Newest first, as the store returns them.
        let runs = vec![
            tag(run("late", &[], &[]), "late", None),
            tag(run("child-2", &[], &[]), "c2", Some("sweep")),
            tag(run("grandchild", &[], &[]), "g", Some("c1")),
            tag(run("child-1", &[], &[]), "c1", Some("sweep")),
            tag(run("sweep", &[], &[]), "sweep", None),
            tag(run("orphan", &[], &[]), "orphan", Some("gone")),
        ];
        let order: Vec<(String, usize)> = nest(runs).into_iter().map(|(r, d)| (r.info.run_name, d)).collect();
        let expected = [
            ("late", 0),
            ("sweep", 0),
            ("child-1", 1),
            ("grandchild", 2),
            ("child-2", 1),
            ("orphan", 0),
        ];
        assert_eq!(order, expected.map(|(n, d)| (n.to_string(), d)));
    }
}
