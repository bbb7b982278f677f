//! A metric's history: a chart of every point, and a table of the first and last ones.

use std::fmt::Write;

use super::entities::plural;
use super::format;
use super::html::{escape, view, Cell, Table};
use super::svg::{line_chart, Line};
use crate::api::Tracker;
use crate::entities::{Metric, MetricSeries};
use crate::error::Result;

/// Points listed at each end of a long history; the chart shows them all.
const ROWS_AT_EACH_END: usize = 10;

/// One metric's history, ready to show.
///
/// ```
/// # use rtrack::{RunOptions, Tracker};
/// # let dir = tempfile::tempdir().unwrap();
/// # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
/// let run = tracker.start_run(RunOptions::default())?;
/// for step in 0..100 {
///     run.log_metric("loss", 1.0 / (step as f64 + 1.0), step)?;
/// }
/// let history = rtrack::display::MetricHistory::read(&tracker, run.id(), "loss")?;
/// let html = history.to_html();
/// assert!(html.contains("<svg") && html.contains("100 points"));
/// # Ok::<(), rtrack::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricHistory {
    pub key: String,
    pub series: MetricSeries,
}

impl MetricHistory {
    pub fn read(tracker: &Tracker, run_id: &str, key: &str) -> Result<MetricHistory> {
        Ok(MetricHistory {
            key: key.to_string(),
            series: tracker.get_metric_series(run_id, key)?,
        })
    }

    /// A history given as points (what `get_metric_history` returns); the key is theirs.
    pub fn from_metrics(metrics: &[Metric]) -> MetricHistory {
        let mut series = MetricSeries::default();
        for metric in metrics {
            series.steps.push(metric.step);
            series.values.push(metric.value);
            series.timestamps.push(metric.timestamp);
        }
        MetricHistory {
            key: metrics.first().map(|m| m.key.clone()).unwrap_or_default(),
            series,
        }
    }

    pub fn to_html(&self) -> String {
        let series = &self.series;
        let count = series.len();
        let mut out = format!(
            r#"<h4>{} <span class="muted">{count} point{}</span></h4>"#,
            escape(&self.key),
            plural(count)
        );
        if count == 0 {
            return view("rtrack-history", &out);
        }
        out.push_str(&line_chart(&[Line {
            label: &self.key,
            steps: &series.steps,
            values: &series.values,
        }]));
        let mut table = Table::with_columns(["step", "value", "logged at"]);
        let shown: Vec<usize> = if count <= 2 * ROWS_AT_EACH_END {
            (0..count).collect()
        } else {
            (0..ROWS_AT_EACH_END).chain(count - ROWS_AT_EACH_END..count).collect()
        };
        for (position, &index) in shown.iter().enumerate() {
            if position == ROWS_AT_EACH_END && shown.len() < count {
                let skipped = count - shown.len();
                table.row(vec![
                    Cell::html(format!("… {skipped} more")).class("muted"),
                    Cell::missing(),
                    Cell::missing(),
                ]);
            }
            table.row(vec![
                Cell::text(&series.steps[index].to_string()).class("num"),
                Cell::number(series.values[index]),
                Cell::text(&format::timestamp(series.timestamps[index])).class("num"),
            ]);
        }
        let _ = write!(out, "{}", table.to_html());
        view("rtrack-history", &out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn history(count: i64) -> MetricHistory {
        let metrics: Vec<Metric> = (0..count)
            .map(|step| Metric {
                key: "val<loss>".into(),
                value: 1.0 / (step as f64 + 1.0),
                timestamp: 0,
                step,
            })
            .collect();
        MetricHistory::from_metrics(&metrics)
    }

    #[test]
    fn short_histories_list_every_point() {
        let html = history(3).to_html();
        assert!(
            html.contains("val&lt;loss&gt; <span class=\"muted\">3 points</span>"),
            "{html}"
        );
        assert_eq!(html.matches("<tr>").count(), 4, "a header and three points");
        assert!(html.contains(r#"title="0.3333333333333333">0.3333</td>"#));
    }

    #[test]
    fn long_histories_list_both_ends_and_count_the_rest() {
        let html = history(1000).to_html();
        assert!(html.contains("… 980 more"));
        assert!(html.contains(r#"<td class="num">999</td>"#), "the last step is listed");
        assert!(!html.contains(r#"<td class="num">500</td>"#));
        assert!(html.contains("<svg"));
    }

    #[test]
    fn an_empty_history_says_so_without_a_chart() {
        let html = MetricHistory::from_metrics(&[]).to_html();
        assert!(html.contains("0 points") && !html.contains("<svg"));
    }
}
