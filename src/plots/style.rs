//! The look every chart shares: titled axes, a light template, a dashed reference line.

use plotly::common::{DashType, Line, Mode, Title};
use plotly::layout::Axis;
use plotly::{Layout, Scatter};

/// Reference lines (chance, ideal fit) are grey and dashed, so data traces stand out.
const REFERENCE_GREY: &str = "#888888";

pub(crate) fn layout(title: &str, x_title: &str, y_title: &str) -> Layout {
    Layout::new()
        .title(Title::with_text(title))
        .x_axis(Axis::new().title(Title::with_text(x_title)))
        .y_axis(Axis::new().title(Title::with_text(y_title)))
}

/// A dashed grey line from `start` to `end`, named in the legend.
pub(crate) fn reference_line(name: &str, start: (f64, f64), end: (f64, f64)) -> Box<Scatter<f64, f64>> {
    Scatter::new(vec![start.0, end.0], vec![start.1, end.1])
        .mode(Mode::Lines)
        .name(name)
        .line(Line::new().dash(DashType::Dash).color(REFERENCE_GREY))
        .hover_info(plotly::common::HoverInfo::Skip)
}

/// A number for hover text: short, and `inf` for the ROC curve's first threshold.
pub(crate) fn short_number(value: f64) -> String {
    if value.is_infinite() {
        return if value > 0.0 { "inf".into() } else { "-inf".into() };
    }
    format!("{value:.4}")
}
