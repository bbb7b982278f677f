//! A chart of a run's metrics that grows while a training loop logs them. Each refresh
//! reads only the points stored since the last one (an offset per metric), so redrawing a
//! few times a second costs the same at step ten and at step ten million.

use super::html::{escape, view};
use super::svg::{keep_indices, line_chart, Line};
use crate::api::{fluent, Tracker};
use crate::entities::MetricSeries;
use crate::error::Result;

/// Points a line keeps before it is compacted; compaction keeps the lowest and the highest
/// of each stretch, so spikes stay visible while memory stays bounded.
const MAX_POINTS_PER_LINE: usize = 20_000;
const COMPACTED_BUCKETS: usize = 2_000;

/// One metric's line: the points kept for drawing, and how many points of the stored
/// history have been read (the offset of the next read).
#[derive(Clone, Debug, Default)]
struct LiveLine {
    key: String,
    kept: MetricSeries,
    read: usize,
}

/// The metrics of one run, drawn as a line chart that [`refresh`](LiveChart::refresh)
/// brings up to date.
///
/// ```
/// # use rtrack::{RunOptions, Tracker};
/// # let dir = tempfile::tempdir().unwrap();
/// # let tracker = Tracker::open(dir.path().to_str().unwrap())?;
/// use rtrack::display::LiveChart;
///
/// let run = tracker.start_run(RunOptions::default())?;
/// let mut chart = LiveChart::new(&["loss", "val_loss"]);
/// for epoch in 0..3 {
///     run.log_metric("loss", 1.0 / (epoch as f64 + 1.0), epoch)?;
///     assert!(chart.refresh(&tracker, run.id())?, "a new point each epoch");
/// }
/// assert!(!chart.refresh(&tracker, run.id())?, "nothing new, nothing to redraw");
/// assert_eq!(chart.points("loss"), 3);
/// assert!(chart.to_html().contains("val_loss (no points yet)"));
/// # Ok::<(), rtrack::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct LiveChart {
    /// The metrics asked for; empty means every metric the run logs.
    keys: Vec<String>,
    run_id: Option<String>,
    lines: Vec<LiveLine>,
}

impl LiveChart {
    /// A chart of these metrics, or of every metric the run logs when `keys` is empty.
    pub fn new<S: AsRef<str>>(keys: &[S]) -> LiveChart {
        let keys: Vec<String> = keys.iter().map(|key| key.as_ref().to_string()).collect();
        LiveChart {
            lines: Vec::new(),
            run_id: None,
            keys,
        }
    }

    /// The run the chart shows, once it has been refreshed.
    pub fn run_id(&self) -> Option<&str> {
        self.run_id.as_deref()
    }

    /// Points of the metric read so far.
    pub fn points(&self, key: &str) -> usize {
        self.lines
            .iter()
            .find(|line| line.key == key)
            .map_or(0, |line| line.read)
    }

    /// Read what `run_id` stored since the last refresh; true when the chart changed.
    /// Switching to another run starts the chart over.
    pub fn refresh(&mut self, tracker: &Tracker, run_id: &str) -> Result<bool> {
        let mut changed = false;
        if self.run_id.as_deref() != Some(run_id) {
            self.run_id = Some(run_id.to_string());
            self.lines = self
                .keys
                .iter()
                .map(|key| LiveLine {
                    key: key.clone(),
                    ..LiveLine::default()
                })
                .collect();
            changed = true;
        }
        if self.keys.is_empty() {
            for key in tracker.get_run(run_id)?.data.metrics.into_keys() {
                if !self.lines.iter().any(|line| line.key == key) {
                    self.lines.push(LiveLine {
                        key,
                        ..LiveLine::default()
                    });
                    changed = true;
                }
            }
        }
        for line in &mut self.lines {
            let new = tracker.store().get_metric_points_since(run_id, &line.key, line.read)?;
            if new.is_empty() {
                continue;
            }
            line.read += new.len();
            line.kept.steps.extend(new.steps);
            line.kept.values.extend(new.values);
            line.kept.timestamps.extend(new.timestamps);
            if line.kept.len() > MAX_POINTS_PER_LINE {
                compact(&mut line.kept);
            }
            changed = true;
        }
        Ok(changed)
    }

    /// Refresh from the active run of the fluent API (the innermost); once no run is
    /// active, from the run followed so far, so the last points of a run that just ended
    /// are drawn too. Before any run starts there is nothing to read.
    pub fn refresh_active(&mut self) -> Result<bool> {
        let run_id = match (fluent::active_run_id(), &self.run_id) {
            (Some(active), _) => active,
            (None, Some(followed)) => followed.clone(),
            (None, None) => return Ok(false),
        };
        self.refresh(&fluent::tracker()?, &run_id)
    }

    /// The chart as an HTML fragment (inline SVG): it stays as drawn in a saved notebook.
    pub fn to_html(&self) -> String {
        let lines: Vec<Line<'_>> = self
            .lines
            .iter()
            .map(|line| Line {
                label: &line.key,
                steps: &line.kept.steps,
                values: &line.kept.values,
            })
            .collect();
        let chart = if lines.is_empty() {
            let waiting: Vec<Line<'_>> = self
                .keys
                .iter()
                .map(|key| Line {
                    label: key,
                    steps: &[],
                    values: &[],
                })
                .collect();
            line_chart(&waiting)
        } else {
            line_chart(&lines)
        };
        let run = match &self.run_id {
            Some(run_id) => format!("run <code>{}</code>", escape(run_id)),
            None => "waiting for a run".to_string(),
        };
        view("rtrack-live", &format!(r#"{chart}<div class="note">{run}</div>"#))
    }
}

/// Keep the lowest and the highest point of each stretch (and the gaps).
fn compact(series: &mut MetricSeries) {
    let keep = keep_indices(&series.values, COMPACTED_BUCKETS);
    series.steps = keep.iter().map(|&i| series.steps[i]).collect();
    series.values = keep.iter().map(|&i| series.values[i]).collect();
    series.timestamps = keep.iter().map(|&i| series.timestamps[i]).collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunOptions;

    fn tracker() -> (tempfile::TempDir, Tracker) {
        let dir = tempfile::tempdir().unwrap();
        let tracker = Tracker::open(dir.path().to_str().unwrap()).unwrap();
        (dir, tracker)
    }

    #[test]
    fn reads_continue_across_chunks_and_small_appends() {
        let (_dir, tracker) = tracker();
        let run = tracker.start_run(RunOptions::default()).unwrap();
        let mut chart = LiveChart::new(&["loss"]);
        // A bulk write spanning several stored chunks, then single points.
        let bulk: Vec<f64> = (0..20_000).map(|i| i as f64).collect();
        tracker.log_metric_series(run.id(), "loss", bulk, None, None).unwrap();
        assert!(chart.refresh(&tracker, run.id()).unwrap());
        assert_eq!(chart.points("loss"), 20_000);
        for step in 20_000..20_005 {
            run.log_metric("loss", step as f64, step).unwrap();
        }
        let new = tracker
            .store()
            .get_metric_points_since(run.id(), "loss", 20_002)
            .unwrap();
        assert_eq!(new.steps, [20_002, 20_003, 20_004]);
        assert_eq!(new.values, [20_002.0, 20_003.0, 20_004.0]);
        assert!(chart.refresh(&tracker, run.id()).unwrap());
        assert_eq!(chart.points("loss"), 20_005);
        assert!(tracker
            .store()
            .get_metric_points_since(run.id(), "loss", 20_005)
            .unwrap()
            .is_empty());
        assert!(tracker
            .store()
            .get_metric_points_since(run.id(), "loss", 99_999)
            .unwrap()
            .is_empty());
        // The last stored chunk is small, so the next point is merged into it.
        run.log_metric("loss", -1.0, 20_005).unwrap();
        assert!(chart.refresh(&tracker, run.id()).unwrap());
        assert_eq!(chart.points("loss"), 20_006);
        assert_eq!(chart.lines[0].kept.values.last(), Some(&-1.0));
    }

    #[test]
    fn every_metric_is_followed_when_none_is_named_and_a_new_run_starts_over() {
        let (_dir, tracker) = tracker();
        let first = tracker.start_run(RunOptions::default()).unwrap();
        first.log_metric("loss", 0.5, 0).unwrap();
        first.log_metric("accuracy", 0.9, 0).unwrap();
        let mut chart = LiveChart::new::<&str>(&[]);
        chart.refresh(&tracker, first.id()).unwrap();
        assert_eq!((chart.points("loss"), chart.points("accuracy")), (1, 1));
        let html = chart.to_html();
        assert!(
            html.contains("accuracy 0.9 (1 points)") && html.contains("loss 0.5 (1 points)"),
            "{html}"
        );
        assert!(html.contains(first.id()));

        let second = tracker.start_run(RunOptions::default()).unwrap();
        second.log_metric("loss", 0.25, 0).unwrap();
        assert!(chart.refresh(&tracker, second.id()).unwrap());
        assert_eq!((chart.points("loss"), chart.points("accuracy")), (1, 0));
        assert_eq!(chart.run_id(), Some(second.id()));
    }

    #[test]
    fn long_lines_are_compacted_but_keep_their_spikes() {
        let (_dir, tracker) = tracker();
        let run = tracker.start_run(RunOptions::default()).unwrap();
        let mut values = vec![1.0; 50_000];
        values[31_337] = 500.0;
        tracker.log_metric_series(run.id(), "loss", values, None, None).unwrap();
        let mut chart = LiveChart::new(&["loss"]);
        chart.refresh(&tracker, run.id()).unwrap();
        assert_eq!(chart.points("loss"), 50_000, "every stored point was read");
        let kept = &chart.lines[0].kept;
        assert!(kept.len() <= 2 * COMPACTED_BUCKETS + 2, "{} kept", kept.len());
        assert!(kept.values.contains(&500.0));
        assert!(chart.to_html().contains("500"));
    }

    #[test]
    fn a_chart_before_any_run_waits() {
        let html = LiveChart::new(&["<loss>"]).to_html();
        assert!(html.contains("&lt;loss&gt; (no points yet)") && html.contains("waiting for a run"));
        assert!(!html.contains("<loss>"));
    }
}
