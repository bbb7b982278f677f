//! Charts across a model's features or a tracker's runs: feature importance, metric
//! histories and parallel coordinates.

use plotly::common::{Mode, Orientation, Title};
use plotly::layout::{Axis, Margin};
use plotly::{Bar, Plot, Scatter};

use super::parcoords::{Dimension, ParallelCoordinates};
use super::style::layout;
use crate::error::{Error, Result};
use crate::metrics;

/// Horizontal bars, the feature with the largest importance (by magnitude, so negative
/// coefficients rank too) at the top. `max_features` keeps only that many of the largest.
///
/// ```
/// let plot = rtrack::plots::feature_importance(&["alcohol", "pH", "sulphates"], &[0.5, -0.1, 0.3], None)?;
/// let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
/// // Bars are drawn bottom-up: the largest comes last.
/// assert_eq!(figure["data"][0]["y"], serde_json::json!(["pH", "sulphates", "alcohol"]));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn feature_importance<S: AsRef<str>>(
    names: &[S],
    importances: &[f64],
    max_features: Option<usize>,
) -> Result<Plot> {
    metrics::check::paired("names", names.len(), "importances", importances.len())?;
    metrics::check::finite("importances", importances.iter().copied())?;
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| importances[b].abs().total_cmp(&importances[a].abs()));
    order.truncate(max_features.unwrap_or(usize::MAX));
    order.reverse();
    let shown_names: Vec<String> = order.iter().map(|&i| names[i].as_ref().to_string()).collect();
    let shown_values: Vec<f64> = order.iter().map(|&i| importances[i]).collect();
    let bars = order.len();
    let mut plot = Plot::new();
    plot.add_trace(
        Bar::new(shown_values, shown_names)
            .orientation(Orientation::Horizontal)
            .name("importance")
            .hover_template("%{y}: %{x}<extra></extra>"),
    );
    // Room for every label: a bar needs about 22 pixels to stay legible.
    let height = (120 + 22 * bars).max(320);
    plot.set_layout(
        layout("Feature importance", "Importance", "Feature")
            .y_axis(Axis::new().title(Title::with_text("Feature")).auto_margin(true))
            .height(height)
            .margin(Margin::new().left(120)),
    );
    Ok(plot)
}

/// One line per metric, value against step: `(key, steps, values)` for each, e.g. from
/// `Tracker::get_metric_series`. NaN values leave a gap in their line.
///
/// ```
/// let loss = [1.0, 0.5, 0.25];
/// let plot = rtrack::plots::metric_history([("loss", &[0, 1, 2][..], &loss[..])])?;
/// let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
/// assert_eq!(figure["data"][0]["name"], "loss");
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn metric_history<'a>(series: impl IntoIterator<Item = (&'a str, &'a [i64], &'a [f64])>) -> Result<Plot> {
    let mut plot = Plot::new();
    for (key, steps, values) in series {
        if steps.len() != values.len() {
            return Err(Error::invalid(format!(
                "metric '{key}' has {} steps but {} values: give one step per value",
                steps.len(),
                values.len()
            )));
        }
        plot.add_trace(
            Scatter::new(steps.to_vec(), values.to_vec())
                .mode(Mode::Lines)
                .name(key),
        );
    }
    plot.set_layout(layout("Metric history", "Step", "Value"));
    Ok(plot)
}

/// One line per run across an axis per column (params and metrics as numbers), coloured by
/// the column named `color_by` (the last column when `None`). A NaN is a value the run lacks.
///
/// ```
/// let alpha = [0.1, 0.5, 0.9];
/// let rmse = [0.71, 0.65, 0.8];
/// let plot = rtrack::plots::parallel_coordinates([("alpha", &alpha[..]), ("rmse", &rmse[..])], None)?;
/// let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
/// assert_eq!(figure["data"][0]["type"], "parcoords");
/// assert_eq!(figure["data"][0]["line"]["color"], serde_json::json!(rmse));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parallel_coordinates<'a>(
    columns: impl IntoIterator<Item = (&'a str, &'a [f64])>,
    color_by: Option<&str>,
) -> Result<Plot> {
    let dimensions: Vec<Dimension> = columns
        .into_iter()
        .map(|(label, values)| Dimension {
            label: label.to_string(),
            values: values.to_vec(),
        })
        .collect();
    let Some(first) = dimensions.first() else {
        return Err(Error::invalid("parallel_coordinates needs at least one column"));
    };
    if let Some(other) = dimensions.iter().find(|d| d.values.len() != first.values.len()) {
        return Err(Error::invalid(format!(
            "column '{}' has {} values but '{}' has {}: every column needs one value per run",
            other.label,
            other.values.len(),
            first.label,
            first.values.len()
        )));
    }
    let color_index = match color_by {
        None => dimensions.len() - 1,
        Some(name) => dimensions
            .iter()
            .position(|d| d.label == name)
            .ok_or_else(|| Error::invalid(format!("color_by '{name}' is not one of the columns")))?,
    };
    let mut plot = Plot::new();
    plot.add_trace(ParallelCoordinates::new(dimensions, color_index));
    plot.set_layout(plotly::Layout::new().title(Title::with_text("Runs")));
    Ok(plot)
}
