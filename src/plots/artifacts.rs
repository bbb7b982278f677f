//! Figures stored as run artifacts: an interactive page or Plotly's JSON, by file extension.

use plotly::Plot;

use super::html::figure_html;
use crate::api::{ActiveRun, Tracker};
use crate::error::{Error, Result};

impl Tracker {
    /// Store a Plotly figure given as JSON: `.html` gives a self-contained interactive page
    /// (plotly.js inlined, no network needed), `.json` the figure's JSON as given.
    pub fn log_figure_json(&self, run_id: &str, figure_json: &str, artifact_file: &str) -> Result<()> {
        let lower = artifact_file.to_ascii_lowercase();
        if lower.ends_with(".html") || lower.ends_with(".htm") {
            let page = figure_html(figure_json)?;
            self.log_text(run_id, &page, artifact_file)
        } else if lower.ends_with(".json") {
            serde_json::from_str::<serde_json::Value>(figure_json)
                .map_err(|e| Error::invalid(format!("The figure is not valid JSON: {e}")))?;
            self.log_text(run_id, figure_json, artifact_file)
        } else {
            Err(Error::invalid(format!(
                "Cannot store a figure as '{artifact_file}': use .html (interactive page) or .json (Plotly JSON)"
            )))
        }
    }

    /// Store a figure built with the plotly crate (for example by [`crate::plots`]), as
    /// [`log_figure_json`](Self::log_figure_json) does.
    pub fn log_figure(&self, run_id: &str, figure: &Plot, artifact_file: &str) -> Result<()> {
        self.log_figure_json(run_id, &figure.to_json(), artifact_file)
    }
}

impl ActiveRun {
    /// Store a figure as an artifact of this run: `.html` (interactive) or `.json`.
    ///
    /// ```
    /// use rtrack::metrics::Scores;
    /// use rtrack::{RunOptions, Tracker};
    ///
    /// # let dir = tempfile::tempdir().unwrap();
    /// let tracker = Tracker::open(dir.path().to_str().unwrap())?;
    /// let run = tracker.start_run(RunOptions::default())?;
    /// let roc = rtrack::plots::roc_curve(&[0, 1, 1], Scores::from(&[0.2, 0.9, 0.6][..]))?;
    /// run.log_figure(&roc, "plots/roc.html")?;
    /// assert_eq!(tracker.list_artifacts(run.id(), Some("plots"))?[0].path, "plots/roc.html");
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn log_figure(&self, figure: &Plot, artifact_file: &str) -> Result<()> {
        self.tracker().log_figure(self.id(), figure, artifact_file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RunOptions;

    #[test]
    fn html_and_json_are_written_and_other_extensions_refused() {
        let dir = tempfile::tempdir().unwrap();
        let tracker = Tracker::open(dir.path().to_str().unwrap()).unwrap();
        let run = tracker.start_run(RunOptions::default()).unwrap();
        let figure = r#"{"data": [{"type": "bar", "x": [1, 2], "y": [3, 4]}], "layout": {}}"#;
        tracker.log_figure_json(run.id(), figure, "bars.json").unwrap();
        tracker.log_figure_json(run.id(), figure, "bars.HTML").unwrap();
        let root = crate::artifacts::file_uri_to_path(&tracker.get_artifact_uri(run.id(), None).unwrap()).unwrap();
        assert_eq!(std::fs::read_to_string(root.join("bars.json")).unwrap(), figure);
        assert!(
            std::fs::read_to_string(root.join("bars.HTML"))
                .unwrap()
                .contains(r#""y": [3, 4]"#),
            "the figure JSON is embedded as given"
        );
        let message = tracker
            .log_figure_json(run.id(), figure, "bars.png")
            .unwrap_err()
            .to_string();
        assert!(message.contains("use .html"), "{message}");
        assert!(tracker.log_figure_json(run.id(), "{", "bad.json").is_err());
        assert!(!root.join("bad.json").exists() && !root.join("bars.png").exists());
    }
}
