//! The run-summary dashboard as HTML: one table per experiment, each run with its status,
//! duration, key params and latest metrics, a sparkline of each metric's history, and the
//! best run per metric starred.

use std::fmt::Write;

use super::cells;
use super::entities::plural;
use super::format;
use super::html::{escape, view, Cell, Table};
use super::summary::{ExperimentSummary, RunRow, Summary, MAX_RUNS};
use super::svg::sparkline;

/// How the star is explained under the tables.
const BEST_RULE: &str = "★ best run per metric among those shown: lowest for losses, errors and times \
(names with a word such as loss, error, rmse, mse, mae or time), highest for every other metric.";

impl Summary {
    /// The dashboard as one self-contained HTML fragment (inline SVG, no JavaScript).
    ///
    /// ```
    /// # use rtrack::{RunOptions, Tracker};
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// let experiment = tracker.set_experiment("wine-quality")?.experiment_id;
    /// for (name, rmse) in [("enet-0.1", 0.8), ("enet-0.5", 0.7)] {
    ///     let run = tracker.start_run(RunOptions::default().experiment(experiment).name(name))?;
    ///     for epoch in 0..5 {
    ///         run.log_metric("rmse", rmse + 0.1 / (epoch as f64 + 1.0), epoch)?;
    ///     }
    /// }
    /// let html = rtrack::display::Summary::collect(&tracker, Some("wine-quality"))?.to_html();
    /// assert!(html.contains("enet-0.1") && html.contains("enet-0.5") && html.contains("rmse"));
    /// assert!(html.contains(r#"title="best rmse""#)); // enet-0.5 is starred
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        let (with_runs, empty): (Vec<_>, Vec<_>) = self.experiments.iter().partition(|e| !e.rows.is_empty());
        let mut out = format!(
            r#"<h3>Run summary <span class="muted">{} experiment{} · <code>{}</code></span></h3>"#,
            self.experiments.len(),
            plural(self.experiments.len()),
            escape(&self.tracking_uri)
        );
        for experiment in &with_runs {
            out.push_str(&experiment_section(experiment));
        }
        if !empty.is_empty() {
            let names: Vec<String> = empty.iter().map(|e| escape(&e.experiment.name)).collect();
            let _ = write!(out, r#"<div class="note">No runs yet: {}.</div>"#, names.join(", "));
        }
        if with_runs.iter().any(|e| !e.best.is_empty()) {
            let _ = write!(out, r#"<div class="note">{}</div>"#, escape(BEST_RULE));
        }
        view("rtrack-summary", &out)
    }
}

fn experiment_section(summary: &ExperimentSummary) -> String {
    let count = summary.rows.len();
    let shown = if summary.more_runs {
        format!("the {MAX_RUNS} most recent runs")
    } else {
        format!("{count} run{}", plural(count))
    };
    let mut out = format!(
        r#"<h3>{} <span class="muted">experiment {} · {shown}</span></h3>"#,
        escape(&summary.experiment.name),
        summary.experiment.experiment_id
    );
    let columns = &summary.columns;
    let fixed = ["run", "status", "started", "duration"];
    let names = fixed
        .iter()
        .copied()
        .chain(columns.params.iter().map(String::as_str))
        .chain(columns.metrics.iter().map(String::as_str));
    let mut table = Table::with_columns(names);
    table.group("", fixed.len());
    table.group("params", columns.params.len());
    table.group("metrics (latest)", columns.metrics.len());
    for (index, row) in summary.rows.iter().enumerate() {
        table.row(run_cells(summary, index, row));
    }
    out.push_str(&table.to_html());
    out.push_str(&columns.left_out_note());
    out
}

fn run_cells(summary: &ExperimentSummary, index: usize, row: &RunRow) -> Vec<Cell> {
    let run = &row.run;
    let name = match row.depth {
        0 => cells::run_name(run),
        depth => {
            let label = if run.info.run_name.is_empty() {
                cells::short_id(&run.info.run_id)
            } else {
                &run.info.run_name
            };
            let indent = "&nbsp;&nbsp;".repeat(depth - 1);
            Cell::html(format!(r#"{indent}<span class="muted">↳</span> {}"#, escape(label)))
                .class("nested")
                .tooltip(&format!("run {} (nested)", run.info.run_id))
        }
    };
    let mut cells = vec![name, cells::status(run), cells::started(run), cells::duration(run)];
    for key in &summary.columns.params {
        cells.push(
            run.data
                .params
                .get(key)
                .map_or_else(Cell::missing, |value| cells::value(value)),
        );
    }
    for key in &summary.columns.metrics {
        let Some(metric) = run.data.metrics.get(key) else {
            cells.push(Cell::missing());
            continue;
        };
        let is_best = summary.best.get(key) == Some(&index);
        let star = if is_best {
            format!(r#"<span class="star" title="best {}">★</span>"#, escape(key))
        } else {
            String::new()
        };
        let chart = row
            .histories
            .get(key)
            .map_or_else(String::new, |series| sparkline(key, &series.steps, &series.values));
        cells.push(
            Cell::html(format!("{}{star}{chart}", format::number(metric.value)))
                .class(if is_best { "metric best" } else { "metric" })
                .tooltip(&format!(
                    "{key} = {} at step {}",
                    format::exact(metric.value),
                    metric.step
                )),
        );
    }
    cells
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::super::cells::tests::run;
    use super::super::cells::Columns;
    use super::*;
    use crate::entities::{Experiment, ExperimentId, LifecycleStage, MetricSeries};

    fn experiment(name: &str, id: i64) -> Experiment {
        Experiment {
            experiment_id: ExperimentId(id),
            name: name.into(),
            artifact_location: String::new(),
            lifecycle_stage: LifecycleStage::Active,
            creation_time: 0,
            last_update_time: 0,
            tags: Default::default(),
        }
    }

    fn summary() -> Summary {
        let a = run(
            "<img src=x onerror=alert(1)>",
            &[("alpha", "0.1")],
            &[("rmse", 0.8), ("r2", 0.5)],
        );
        let b = run("enet-0.5", &[("alpha", "0.5")], &[("rmse", 0.7), ("r2", 0.6)]);
        let rows = vec![
            RunRow {
                run: a.clone(),
                depth: 0,
                histories: BTreeMap::new(),
            },
            RunRow {
                run: b.clone(),
                depth: 1,
                histories: [(
                    "rmse".to_string(),
                    MetricSeries {
                        steps: vec![0, 1, 2],
                        values: vec![0.9, 0.8, 0.7],
                        timestamps: vec![0; 3],
                    },
                )]
                .into(),
            },
        ];
        let columns = Columns::choose(&[&a, &b], 6, 8);
        let best = [("rmse".to_string(), 1), ("r2".to_string(), 1)].into();
        Summary {
            tracking_uri: "/tmp/<store>".into(),
            experiments: vec![
                ExperimentSummary {
                    experiment: experiment("wine", 1),
                    rows,
                    more_runs: false,
                    columns,
                    best,
                },
                ExperimentSummary {
                    experiment: experiment("De<fault>", 0),
                    rows: vec![],
                    more_runs: false,
                    columns: Columns::default(),
                    best: BTreeMap::new(),
                },
            ],
        }
    }

    #[test]
    fn the_dashboard_names_runs_and_metrics_and_stars_the_best() {
        let html = summary().to_html();
        assert!(html.contains("Run summary"));
        assert!(
            html.contains("wine <span class=\"muted\">experiment 1 · 2 runs</span>"),
            "{html}"
        );
        assert!(html.contains("<th>rmse</th>") && html.contains("<th>r2</th>") && html.contains("<th>alpha</th>"));
        assert!(html.contains(r#"<span class="star" title="best rmse">★</span>"#));
        assert!(html.contains(r#"<span class="star" title="best r2">★</span>"#));
        assert_eq!(html.matches("★</span>").count(), 2);
        assert!(
            html.contains(r#"<td class="metric best" title="rmse = 0.7 at step 3">0.7<span class="star""#),
            "{html}"
        );
        assert!(html.contains("<svg"), "the history is drawn");
        assert!(
            html.contains(r#"<span class="muted">↳</span> enet-0.5"#),
            "nested run marked"
        );
        assert!(html.contains("No runs yet: De&lt;fault&gt;."));
        assert!(html.contains("lowest for losses"));
    }

    #[test]
    fn nothing_a_user_named_is_left_unescaped() {
        let html = summary().to_html();
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("<code>/tmp/&lt;store&gt;</code>"));
        assert!(!html.contains("<fault>"));
    }
}
