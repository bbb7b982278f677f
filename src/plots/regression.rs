//! Charts of a regressor: predictions against the truth, and the spread of its errors.

use plotly::common::{Marker, Mode};
use plotly::layout::{Shape, ShapeLine, ShapeType};
use plotly::{Histogram, Plot, Scatter};

use super::style::{layout, reference_line};
use crate::error::Result;
use crate::metrics::regression_report;

/// Each sample at (actual, predicted), with the line y = x a perfect model would follow.
///
/// ```
/// let plot = rtrack::plots::prediction_scatter(&[1.0, 2.0, 3.0], &[1.5, 1.5, 3.5])?;
/// let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
/// assert_eq!(figure["data"][1]["x"], serde_json::json!([1.0, 3.5]));   // y = x over the range
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn prediction_scatter(y_true: &[f64], y_pred: &[f64]) -> Result<Plot> {
    // The report's checks (lengths, emptiness, NaN) are the ones this chart needs too.
    let report = regression_report(y_true, y_pred)?;
    let low = y_true.iter().chain(y_pred).copied().fold(f64::INFINITY, f64::min);
    let high = y_true.iter().chain(y_pred).copied().fold(f64::NEG_INFINITY, f64::max);
    let mut plot = Plot::new();
    plot.add_trace(
        Scatter::new(y_true.to_vec(), y_pred.to_vec())
            .mode(Mode::Markers)
            .name(format!("predictions (R² = {:.3})", report.r2))
            .marker(Marker::new().opacity(0.6))
            .hover_template("actual %{x}<br>predicted %{y}<extra></extra>"),
    );
    plot.add_trace(reference_line("ideal (y = x)", (low, low), (high, high)));
    plot.set_layout(layout("Predicted vs actual", "Actual", "Predicted"));
    Ok(plot)
}

/// A histogram of the residuals, actual minus predicted, with a line at zero.
///
/// ```
/// let plot = rtrack::plots::error_histogram(&[1.0, 2.0, 3.0], &[1.5, 1.5, 3.5])?;
/// let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
/// assert_eq!(figure["data"][0]["x"], serde_json::json!([-0.5, 0.5, -0.5]));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn error_histogram(y_true: &[f64], y_pred: &[f64]) -> Result<Plot> {
    regression_report(y_true, y_pred)?;
    let residuals: Vec<f64> = y_true
        .iter()
        .zip(y_pred)
        .map(|(truth, prediction)| truth - prediction)
        .collect();
    let zero = Shape::new()
        .shape_type(ShapeType::Line)
        .x0(0.0)
        .x1(0.0)
        .y_ref("paper")
        .y0(0.0)
        .y1(1.0)
        .line(ShapeLine::new().color("#888888").dash(plotly::common::DashType::Dash));
    let mut plot = Plot::new();
    plot.add_trace(Histogram::new(residuals).name("residuals"));
    plot.set_layout(layout("Residuals", "Residual (actual - predicted)", "Samples").shapes(vec![zero]));
    Ok(plot)
}
