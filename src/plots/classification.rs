//! Charts of a classifier: the confusion matrix, ROC curves and precision-recall curves.

use std::fmt::{Debug, Display};

use plotly::common::{ColorScale, ColorScalePalette, Font, LineShape, Mode, Title};
use plotly::layout::{Annotation, Axis, AxisType, CategoryOrder, Legend};
use plotly::{HeatMap, Layout, Plot, Scatter};

use super::style::{layout, reference_line, short_number};
use crate::error::Result;
use crate::metrics::{self, Scores};

/// A heat map of counts, true classes down the side (the first at the top), predicted classes
/// along the bottom, each cell labelled with its count.
///
/// ```
/// let plot = rtrack::plots::confusion_matrix(&["cat", "dog", "dog"], &["cat", "cat", "dog"])?;
/// let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
/// assert_eq!(figure["data"][0]["z"], serde_json::json!([[1, 0], [1, 1]]));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn confusion_matrix<L: Ord + Clone + Display>(y_true: &[L], y_pred: &[L]) -> Result<Plot> {
    let matrix = metrics::confusion_matrix(y_true, y_pred)?;
    let names: Vec<String> = matrix.classes.iter().map(ToString::to_string).collect();
    let largest = matrix.counts.iter().flatten().copied().max().unwrap_or(0);
    // Annotations are placed by position, not by name: on a category axis plotly.js reads a
    // name like "2" as position 2. Rows run top-down, so row `i` sits at `classes - 1 - i`.
    let classes = names.len();
    let mut annotations = Vec::with_capacity(classes * classes);
    for (row, counts) in matrix.counts.iter().enumerate() {
        for (column, &count) in counts.iter().enumerate() {
            // Light text on the dark half of the colour scale keeps every count readable.
            let color = if 2 * count > largest { "white" } else { "black" };
            annotations.push(
                Annotation::new()
                    .x(column as f64)
                    .y((classes - 1 - row) as f64)
                    .text(count.to_string())
                    .show_arrow(false)
                    .font(Font::new().color(color)),
            );
        }
    }
    let heat_map = HeatMap::new(names.clone(), names.clone(), matrix.counts)
        .color_scale(ColorScale::Palette(ColorScalePalette::Blues))
        .hover_template("actual %{y}<br>predicted %{x}<br>count %{z}<extra></extra>");
    let top_down: Vec<String> = names.iter().rev().cloned().collect();
    let mut plot = Plot::new();
    plot.add_trace(heat_map);
    plot.set_layout(
        Layout::new()
            .title(Title::with_text("Confusion matrix"))
            .x_axis(
                Axis::new()
                    .title(Title::with_text("Predicted"))
                    .type_(AxisType::Category),
            )
            .y_axis(
                Axis::new()
                    .title(Title::with_text("Actual"))
                    .type_(AxisType::Category)
                    .category_order(CategoryOrder::Array)
                    .category_array(top_down),
            )
            .annotations(annotations),
    );
    Ok(plot)
}

/// ROC curves with the area under each in the legend, over the chance diagonal: one curve
/// for two classes (the larger label is positive), one per class against the rest for more.
/// Hovering a point shows its threshold.
///
/// ```
/// use rtrack::metrics::Scores;
///
/// let plot = rtrack::plots::roc_curve(&[0, 0, 1, 1], Scores::from(&[0.1, 0.4, 0.35, 0.8][..]))?;
/// let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
/// assert_eq!(figure["data"][0]["name"], "ROC (AUC = 0.750)");
/// assert_eq!(figure["data"][0]["x"], serde_json::json!([0.0, 0.0, 0.5, 0.5, 1.0]));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn roc_curve<L: Ord + Clone + Debug + Display>(y_true: &[L], y_score: Scores<'_>) -> Result<Plot> {
    let curves = metrics::roc_curves(y_true, y_score)?;
    let one_curve = curves.len() == 1;
    let mut plot = Plot::new();
    for (class, curve) in curves {
        let name = if one_curve {
            format!("ROC (AUC = {:.3})", curve.auc)
        } else {
            format!("{class} (AUC = {:.3})", curve.auc)
        };
        let thresholds: Vec<String> = curve.thresholds.iter().map(|&t| short_number(t)).collect();
        plot.add_trace(
            Scatter::new(curve.false_positive_rate, curve.true_positive_rate)
                .mode(Mode::Lines)
                .name(name)
                .text_array(thresholds)
                .hover_template("FPR %{x:.3f}<br>TPR %{y:.3f}<br>threshold %{text}"),
        );
    }
    plot.add_trace(reference_line("chance (AUC = 0.5)", (0.0, 0.0), (1.0, 1.0)));
    plot.set_layout(layout("ROC curve", "False positive rate", "True positive rate").legend(bottom_right()));
    Ok(plot)
}

/// Precision-recall curves, drawn as the steps average precision integrates, with the
/// average precision of each in the legend; one or one per class, as [`roc_curve`].
pub fn precision_recall_curve<L: Ord + Clone + Debug + Display>(y_true: &[L], y_score: Scores<'_>) -> Result<Plot> {
    let curves = metrics::precision_recall_curves(y_true, y_score)?;
    let one_curve = curves.len() == 1;
    let mut plot = Plot::new();
    for (class, curve) in curves {
        let name = if one_curve {
            format!("precision-recall (AP = {:.3})", curve.average_precision)
        } else {
            format!("{class} (AP = {:.3})", curve.average_precision)
        };
        // The last point (recall 0, precision 1) has no threshold of its own.
        let thresholds: Vec<String> = curve
            .thresholds
            .iter()
            .map(|&t| short_number(t))
            .chain([String::from("-")])
            .collect();
        plot.add_trace(
            Scatter::new(curve.recall, curve.precision)
                .mode(Mode::Lines)
                .line(plotly::common::Line::new().shape(LineShape::Hv))
                .name(name)
                .text_array(thresholds)
                .hover_template("recall %{x:.3f}<br>precision %{y:.3f}<br>threshold %{text}"),
        );
    }
    // Shown even for one curve: the legend is where the average precision is read.
    plot.set_layout(
        layout("Precision-recall curve", "Recall", "Precision")
            .legend(bottom_right())
            .show_legend(true),
    );
    Ok(plot)
}

/// Inside the plot's lower right corner, where ROC and PR curves leave room.
fn bottom_right() -> Legend {
    Legend::new()
        .x(0.98)
        .x_anchor(plotly::common::Anchor::Right)
        .y(0.02)
        .y_anchor(plotly::common::Anchor::Bottom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_annotated_at_their_cells_first_class_on_top() {
        let plot = confusion_matrix(&[0, 0, 0, 1, 2], &[0, 0, 2, 1, 1]).unwrap();
        let figure: serde_json::Value = serde_json::from_str(&plot.to_json()).unwrap();
        assert_eq!(
            figure["layout"]["yaxis"]["categoryarray"],
            serde_json::json!(["2", "1", "0"])
        );
        let cells: Vec<(f64, f64, String)> = figure["layout"]["annotations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["x"].as_f64().unwrap(),
                    a["y"].as_f64().unwrap(),
                    a["text"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        // Actual 0 (top row, y = 2): predicted 0 twice, 2 once.
        assert!(cells.contains(&(0.0, 2.0, "2".into())));
        assert!(cells.contains(&(2.0, 2.0, "1".into())));
        // Actual 2 (bottom row, y = 0) predicted as 1 once.
        assert!(cells.contains(&(1.0, 0.0, "1".into())));
        assert_eq!(cells.len(), 9);
    }
}
