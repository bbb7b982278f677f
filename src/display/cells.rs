//! Cells and column choices shared by every view of runs: a run's name, status, start and
//! duration, and which params and metrics earn a column when runs are side by side.

use std::collections::{BTreeMap, BTreeSet};

use super::format;
use super::html::{escape, Cell};
use crate::entities::{now_millis, Run, RunStatus};

/// Longest text shown in a cell; the whole value stays in the tooltip.
const MAX_CELL_CHARS: usize = 80;

/// A run's status as a coloured badge.
pub fn status_badge(status: RunStatus) -> String {
    format!(r#"<span class="rtrack-status {0}">{0}</span>"#, status.as_str())
}

/// The run's name (its short id when unnamed), the full id in the tooltip.
pub fn run_name(run: &Run) -> Cell {
    let name = if run.info.run_name.is_empty() {
        short_id(&run.info.run_id)
    } else {
        &run.info.run_name
    };
    Cell::text(name).tooltip(&format!("run {}", run.info.run_id))
}

/// The first 8 characters of an id: enough to tell runs apart on screen.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

pub fn status(run: &Run) -> Cell {
    Cell::html(status_badge(run.info.status))
}

pub fn started(run: &Run) -> Cell {
    Cell::text(&format::timestamp(run.info.start_time)).class("num")
}

/// How long the run took, or has taken so far while it is running.
pub fn duration(run: &Run) -> Cell {
    match (run.info.end_time, run.info.status) {
        (Some(end), _) => Cell::text(&format::duration(end - run.info.start_time)).class("num"),
        (None, RunStatus::Running) => Cell::text(&format::duration(now_millis() - run.info.start_time))
            .class("num")
            .tooltip("still running"),
        (None, _) => Cell::missing(),
    }
}

/// A param or tag value, cut to a readable length.
pub fn value(text: &str) -> Cell {
    if text.chars().count() <= MAX_CELL_CHARS {
        return Cell::text(text);
    }
    let cut: String = text.chars().take(MAX_CELL_CHARS - 1).collect();
    Cell::html(format!("{}…", escape(&cut))).tooltip(text)
}

/// Columns chosen for a table of runs, and how many were left out.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Columns {
    pub params: Vec<String>,
    pub metrics: Vec<String>,
    pub params_left_out: usize,
    pub metrics_left_out: usize,
}

impl Columns {
    /// Params whose value differs between the runs come first, since they are what tells
    /// the runs apart; then params every run shares. Metrics in name order.
    pub fn choose(runs: &[&Run], max_params: usize, max_metrics: usize) -> Columns {
        let mut values: BTreeMap<&str, BTreeSet<Option<&str>>> = BTreeMap::new();
        for run in runs {
            for key in run.data.params.keys() {
                values.entry(key).or_default();
            }
        }
        for (key, seen) in values.iter_mut() {
            seen.extend(runs.iter().map(|run| run.data.params.get(*key).map(String::as_str)));
        }
        let (varying, constant): (Vec<&str>, Vec<&str>) = values.keys().partition(|key| values[*key].len() > 1);
        let mut params: Vec<String> = varying.into_iter().chain(constant).map(str::to_string).collect();
        let metrics: BTreeSet<&str> = runs
            .iter()
            .flat_map(|run| run.data.metrics.keys().map(String::as_str))
            .collect();
        let mut metrics: Vec<String> = metrics.into_iter().map(str::to_string).collect();
        let params_left_out = params.len().saturating_sub(max_params);
        let metrics_left_out = metrics.len().saturating_sub(max_metrics);
        params.truncate(max_params);
        metrics.truncate(max_metrics);
        Columns {
            params,
            metrics,
            params_left_out,
            metrics_left_out,
        }
    }

    /// "3 more params and 1 more metric not shown", or "" when nothing was left out.
    pub fn left_out_note(&self) -> String {
        let mut parts = Vec::new();
        for (count, noun) in [(self.params_left_out, "param"), (self.metrics_left_out, "metric")] {
            if count > 0 {
                parts.push(format!("{count} more {noun}{}", if count == 1 { "" } else { "s" }));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!(r#"<div class="note">{} not shown.</div>"#, parts.join(" and "))
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::entities::{ExperimentId, LifecycleStage, Metric, RunData, RunInfo};

    /// A run as a store would return it, for the display tests.
    pub fn run(name: &str, params: &[(&str, &str)], metrics: &[(&str, f64)]) -> Run {
        Run {
            info: RunInfo {
                run_id: format!("{:0>32}", name.len()),
                run_name: name.to_string(),
                experiment_id: ExperimentId(1),
                user_id: "ada".into(),
                status: RunStatus::Finished,
                start_time: 1_714_565_045_000,
                end_time: Some(1_714_565_057_300),
                artifact_uri: "file:///tmp/artifacts".into(),
                lifecycle_stage: LifecycleStage::Active,
            },
            data: RunData {
                params: params.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
                metrics: metrics
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.to_string(),
                            Metric {
                                key: k.to_string(),
                                value: *v,
                                timestamp: 1_714_565_050_000,
                                step: 3,
                            },
                        )
                    })
                    .collect(),
                tags: Default::default(),
            },
        }
    }

    /// One table row of these cells, as HTML.
    pub fn row_html(cells: Vec<Cell>) -> String {
        let mut table = crate::display::html::Table::default();
        table.row(cells);
        table.to_html()
    }

    #[test]
    fn params_that_tell_runs_apart_come_first() {
        let a = run(
            "a",
            &[("alpha", "0.1"), ("model", "enet"), ("seed", "1")],
            &[("rmse", 0.7), ("mae", 0.5)],
        );
        let b = run(
            "b",
            &[("alpha", "0.5"), ("model", "enet"), ("seed", "1"), ("l1", "0.2")],
            &[("rmse", 0.6)],
        );
        let columns = Columns::choose(&[&a, &b], 3, 5);
        // l1 is missing from one run, so it varies too.
        assert_eq!(columns.params, ["alpha", "l1", "model"]);
        assert_eq!(columns.metrics, ["mae", "rmse"]);
        assert_eq!((columns.params_left_out, columns.metrics_left_out), (1, 0));
        assert_eq!(
            columns.left_out_note(),
            r#"<div class="note">1 more param not shown.</div>"#
        );
        assert_eq!(Columns::choose(&[&a], 9, 9).left_out_note(), "");
    }

    #[test]
    fn long_values_are_cut_with_the_whole_in_the_tooltip() {
        let long = "x".repeat(200) + "<end>";
        let html = row_html(vec![value(&long)]);
        assert!(html.contains(&format!("{}…", "x".repeat(79))));
        assert!(html.contains("&lt;end&gt;\""), "{html}");
        assert!(!html.contains("<end>"));
    }

    #[test]
    fn unnamed_runs_show_their_short_id() {
        let mut unnamed = run("", &[], &[]);
        unnamed.info.run_id = "0123456789abcdef".into();
        let html = row_html(vec![run_name(&unnamed), duration(&unnamed)]);
        assert!(html.contains(r#"title="run 0123456789abcdef">01234567</td>"#), "{html}");
        assert!(html.contains("12.3 s"));
    }
}
