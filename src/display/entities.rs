//! Views of single entities and plain lists of them: a run, an experiment, a page of runs,
//! a list of experiments.

use std::fmt::Write;

use super::cells::{self, Columns};
use super::format;
use super::html::{escape, view, Cell, Table};
use crate::entities::{tags, Experiment, Run};

/// Params and metrics a table of runs shows at most; the rest are counted in a note.
const MAX_PARAM_COLUMNS: usize = 12;
const MAX_METRIC_COLUMNS: usize = 12;

/// One run: what it is, its params, the latest value of each metric, and its tags (MLflow's
/// system tags folded away under the user's own).
///
/// ```
/// # use rtrack::{RunOptions, Tracker};
/// # let dir = tempfile::tempdir().unwrap();
/// # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
/// let run = tracker.start_run(RunOptions::default().name("<enet>"))?;
/// run.log_param("alpha", 0.5)?;
/// run.log_metric("rmse", 0.71234, 1)?;
/// let html = rtrack::display::run_html(&tracker.get_run(run.id())?);
/// assert!(html.contains("&lt;enet&gt;") && html.contains("alpha") && html.contains("0.7123"));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn run_html(run: &Run) -> String {
    let info = &run.info;
    let name = if info.run_name.is_empty() {
        cells::short_id(&info.run_id)
    } else {
        &info.run_name
    };
    let mut out = format!("<h3>Run {} {}</h3>", escape(name), cells::status_badge(info.status));
    let mut facts = Table::with_columns(["", ""]);
    let mut fact = |label: &str, cell: Cell| facts.row(vec![Cell::text(label).class("muted"), cell]);
    fact("run id", Cell::html(format!("<code>{}</code>", escape(&info.run_id))));
    fact("experiment id", Cell::text(&info.experiment_id.to_string()));
    fact("started", Cell::text(&format::timestamp(info.start_time)));
    fact("duration", cells::duration(run).class(""));
    fact("user", Cell::text(&info.user_id));
    fact(
        "artifacts",
        Cell::html(format!("<code>{}</code>", escape(&info.artifact_uri))),
    );
    if let Some(parent) = run.data.tags.get(tags::PARENT_RUN_ID) {
        fact("parent run", Cell::html(format!("<code>{}</code>", escape(parent))));
    }
    if let Some(note) = run.data.tags.get(tags::NOTE) {
        fact("description", cells::value(note));
    }
    out.push_str(&facts.to_html());

    if !run.data.params.is_empty() {
        let mut params = Table::with_columns(["param", "value"]);
        for (key, value) in &run.data.params {
            params.row(vec![Cell::text(key), cells::value(value)]);
        }
        let _ = write!(out, "<h4>Params</h4>{}", params.to_html());
    }
    if !run.data.metrics.is_empty() {
        let mut metrics = Table::with_columns(["metric", "latest", "step", "logged at"]);
        for (key, metric) in &run.data.metrics {
            metrics.row(vec![
                Cell::text(key),
                Cell::number(metric.value),
                Cell::text(&metric.step.to_string()).class("num"),
                Cell::text(&format::timestamp(metric.timestamp)).class("num"),
            ]);
        }
        let _ = write!(out, "<h4>Metrics</h4>{}", metrics.to_html());
    }
    let (system, own): (Vec<_>, Vec<_>) = run.data.tags.iter().partition(|(key, _)| key.starts_with("mlflow."));
    if !own.is_empty() {
        let _ = write!(out, "<h4>Tags</h4>{}", tag_table(&own));
    }
    if !system.is_empty() {
        let _ = write!(
            out,
            "<details><summary>{} system tags</summary>{}</details>",
            system.len(),
            tag_table(&system)
        );
    }
    view("rtrack-run", &out)
}

fn tag_table(tags: &[(&String, &String)]) -> String {
    let mut table = Table::with_columns(["tag", "value"]);
    for (key, value) in tags {
        table.row(vec![Cell::text(key), cells::value(value)]);
    }
    table.to_html()
}

/// One experiment: its name, id, where its artifacts go, and its tags.
pub fn experiment_html(experiment: &Experiment) -> String {
    let mut out = format!(
        r#"<h3>Experiment {} <span class="muted">id {}</span></h3>"#,
        escape(&experiment.name),
        experiment.experiment_id
    );
    let mut facts = Table::with_columns(["", ""]);
    facts.row(vec![
        Cell::text("lifecycle").class("muted"),
        Cell::text(experiment.lifecycle_stage.as_str()),
    ]);
    facts.row(vec![
        Cell::text("created").class("muted"),
        Cell::text(&format::timestamp(experiment.creation_time)),
    ]);
    facts.row(vec![
        Cell::text("updated").class("muted"),
        Cell::text(&format::timestamp(experiment.last_update_time)),
    ]);
    facts.row(vec![
        Cell::text("artifacts").class("muted"),
        Cell::html(format!("<code>{}</code>", escape(&experiment.artifact_location))),
    ]);
    out.push_str(&facts.to_html());
    if !experiment.tags.is_empty() {
        let tags: Vec<(&String, &String)> = experiment.tags.iter().collect();
        let _ = write!(out, "<h4>Tags</h4>{}", tag_table(&tags));
    }
    view("rtrack-experiment", &out)
}

/// A table of experiments: id, name, lifecycle, creation time.
pub fn experiments_html(experiments: &[&Experiment]) -> String {
    let mut table = Table::with_columns(["id", "name", "lifecycle", "created"]);
    for experiment in experiments {
        table.row(vec![
            Cell::text(&experiment.experiment_id.to_string()).class("num"),
            Cell::text(&experiment.name),
            Cell::text(experiment.lifecycle_stage.as_str()),
            Cell::text(&format::timestamp(experiment.creation_time)).class("num"),
        ]);
    }
    let count = format!(
        r#"<div class="note">{} experiment{}</div>"#,
        experiments.len(),
        plural(experiments.len())
    );
    view("rtrack-experiments", &(count + &table.to_html()))
}

/// A table of runs, one row each: name, id, experiment, status, start, duration, then the
/// params that tell the runs apart and the latest value of each metric.
///
/// ```
/// # use rtrack::{RunOptions, Tracker};
/// # use rtrack::store::RunSearch;
/// # let dir = tempfile::tempdir().unwrap();
/// # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
/// for alpha in [0.1, 0.5] {
///     let run = tracker.start_run(RunOptions::default().name(format!("alpha-{alpha}")))?;
///     run.log_param("alpha", alpha)?;
///     run.log_metric("rmse", 1.0 - alpha, 0)?;
/// }
/// let page = tracker.search_runs(&RunSearch { experiment_ids: vec![rtrack::ExperimentId::DEFAULT], ..Default::default() })?;
/// let html = rtrack::display::runs_html(&page.items.iter().collect::<Vec<_>>());
/// assert!(html.contains("alpha-0.1") && html.contains("alpha-0.5") && html.contains("rmse"));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn runs_html(runs: &[&Run]) -> String {
    let columns = Columns::choose(runs, MAX_PARAM_COLUMNS, MAX_METRIC_COLUMNS);
    let fixed = ["run", "run id", "experiment", "status", "started", "duration"];
    let mut table = Table::with_columns(
        fixed
            .iter()
            .copied()
            .chain(columns.params.iter().map(String::as_str))
            .chain(columns.metrics.iter().map(String::as_str)),
    );
    table.group("", fixed.len());
    table.group("params", columns.params.len());
    table.group("metrics (latest)", columns.metrics.len());
    for run in runs {
        let mut row = vec![
            cells::run_name(run),
            Cell::html(format!("<code>{}</code>", escape(cells::short_id(&run.info.run_id)))).tooltip(&run.info.run_id),
            Cell::text(&run.info.experiment_id.to_string()).class("num"),
            cells::status(run),
            cells::started(run),
            cells::duration(run),
        ];
        row.extend(
            columns
                .params
                .iter()
                .map(|key| run.data.params.get(key).map_or_else(Cell::missing, |v| cells::value(v))),
        );
        row.extend(columns.metrics.iter().map(|key| {
            run.data
                .metrics
                .get(key)
                .map_or_else(Cell::missing, |m| Cell::number(m.value))
        }));
        table.row(row);
    }
    let count = format!(r#"<div class="note">{} run{}</div>"#, runs.len(), plural(runs.len()));
    view("rtrack-runs", &(count + &table.to_html() + &columns.left_out_note()))
}

pub(super) fn plural(count: usize) -> &'static str {
    if count == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::super::cells::tests::run;
    use super::*;
    use crate::entities::{ExperimentId, LifecycleStage};

    #[test]
    fn a_run_shows_its_params_metrics_and_tags_escaped() {
        let mut r = run(
            "<script>alert(1)</script>",
            &[("alpha", "<0.5>")],
            &[("rmse", 0.712345)],
        );
        r.data.tags.insert("team".into(), "vision & co".into());
        r.data.tags.insert(tags::USER.into(), "ada".into());
        let html = run_html(&r);
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("Run &lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("<td>&lt;0.5&gt;</td>"));
        assert!(html.contains(r#"title="0.712345">0.7123</td>"#));
        assert!(html.contains("vision &amp; co"));
        assert!(html.contains("<details><summary>1 system tags</summary>"));
        assert!(html.contains(r#"<span class="rtrack-status FINISHED">FINISHED</span>"#));
        assert!(html.contains("2024-05-01 12:04:05"));
        assert!(html.starts_with(r#"<div class="rtrack-view rtrack-run"><style>"#));
    }

    #[test]
    fn an_experiment_shows_name_id_and_tags() {
        let experiment = Experiment {
            experiment_id: ExperimentId(7),
            name: "wine <quality>".into(),
            artifact_location: "file:///a".into(),
            lifecycle_stage: LifecycleStage::Active,
            creation_time: 0,
            last_update_time: 0,
            tags: [("owner".to_string(), "\"ada\"".to_string())].into(),
        };
        let html = experiment_html(&experiment);
        assert!(
            html.contains(r#"Experiment wine &lt;quality&gt; <span class="muted">id 7</span>"#),
            "{html}"
        );
        assert!(html.contains("&quot;ada&quot;"));
        let list = experiments_html(&[&experiment, &experiment]);
        assert!(list.contains("2 experiments") && list.contains("<td>wine &lt;quality&gt;</td>"));
    }

    #[test]
    fn a_page_of_runs_lines_up_params_and_metrics() {
        let a = run("a", &[("alpha", "0.1")], &[("rmse", 0.7)]);
        let b = run("b", &[("alpha", "0.5"), ("l1", "x")], &[("mae", 0.25)]);
        let html = runs_html(&[&a, &b]);
        assert!(html.contains("2 runs"));
        assert!(
            html.contains(
                r#"<th class="group" colspan="2">params</th><th class="group" colspan="2">metrics (latest)</th>"#
            ),
            "{html}"
        );
        // b has no rmse and a has no l1: those cells are empty, not shifted.
        assert!(
            html.contains(
                r#"<td>0.1</td><td class="missing"></td><td class="missing"></td><td class="num" title="0.7">0.7</td>"#
            ),
            "{html}"
        );
        assert_eq!(runs_html(&[]).matches("<tr>").count(), 2, "a header and group row only");
    }
}
