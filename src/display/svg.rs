//! Charts as inline SVG: sparklines for table cells and a line chart with axes. No
//! JavaScript, so they render the same live, in a saved notebook, in Colab and on GitHub.
//!
//! Long histories are reduced before drawing to the lowest and the highest point of each
//! bucket of consecutive points, so a spike is never averaged away and a chart of ten
//! million points is still a few kilobytes.

use std::fmt::Write;

use super::format;
use super::html::escape;

/// Line colours, distinguishable on light and dark backgrounds.
const PALETTE: [&str; 8] = [
    "#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#64748b",
];

/// One line of a chart: a metric's steps and values, in the order they were logged.
#[derive(Clone, Copy, Debug)]
pub struct Line<'a> {
    pub label: &'a str,
    pub steps: &'a [i64],
    pub values: &'a [f64],
}

/// A point to draw, or a gap where a value was NaN or infinite.
type Drawn = Option<(f64, f64)>;

/// Indices of at most about `2 * buckets` points worth keeping: per bucket of consecutive
/// points the lowest and the highest, in order, and the first of each run of non-finite
/// values (a gap in the line).
pub fn keep_indices(values: &[f64], buckets: usize) -> Vec<usize> {
    let count = values.len();
    let size = count.div_ceil(buckets.max(1)).max(1);
    let mut kept = Vec::with_capacity(count.min(2 * buckets + 2));
    for start in (0..count).step_by(size) {
        let mut extremes: Option<(usize, usize)> = None;
        for index in start..(start + size).min(count) {
            let value = values[index];
            if !value.is_finite() {
                push_extremes(extremes.take(), &mut kept);
                if kept.last().is_none_or(|&last| values[last].is_finite()) {
                    kept.push(index);
                }
                continue;
            }
            extremes = Some(match extremes {
                None => (index, index),
                Some((low, high)) => (
                    if value < values[low] { index } else { low },
                    if value > values[high] { index } else { high },
                ),
            });
        }
        push_extremes(extremes, &mut kept);
    }
    kept
}

fn push_extremes(extremes: Option<(usize, usize)>, kept: &mut Vec<usize>) {
    let Some((low, high)) = extremes else { return };
    kept.push(low.min(high));
    if low != high {
        kept.push(low.max(high));
    }
}

/// The points of a line to draw, reduced by [`keep_indices`]; non-finite values are gaps.
fn reduce(steps: &[i64], values: &[f64], buckets: usize) -> Vec<Drawn> {
    let count = values.len().min(steps.len());
    keep_indices(&values[..count], buckets)
        .into_iter()
        .map(|i| values[i].is_finite().then(|| (steps[i] as f64, values[i])))
        .collect()
}

/// Maps steps and values to pixels inside a plotting area.
struct Frame {
    steps: (f64, f64),
    values: (f64, f64),
    left: f64,
    top: f64,
    width: f64,
    height: f64,
}

impl Frame {
    fn new(lines: &[Vec<Drawn>], left: f64, top: f64, width: f64, height: f64) -> Option<Frame> {
        let points = lines.iter().flatten().flatten();
        let (mut steps, mut values) = ((f64::INFINITY, f64::NEG_INFINITY), (f64::INFINITY, f64::NEG_INFINITY));
        for &(step, value) in points {
            steps = (steps.0.min(step), steps.1.max(step));
            values = (values.0.min(value), values.1.max(value));
        }
        if !steps.0.is_finite() {
            return None;
        }
        if values.0 == values.1 {
            let pad = if values.0 == 0.0 { 1.0 } else { values.0.abs() * 0.1 };
            values = (values.0 - pad, values.1 + pad);
        }
        Some(Frame {
            steps,
            values,
            left,
            top,
            width,
            height,
        })
    }

    fn x(&self, step: f64) -> f64 {
        let span = self.steps.1 - self.steps.0;
        let fraction = if span > 0.0 { (step - self.steps.0) / span } else { 0.5 };
        self.left + fraction * self.width
    }

    fn y(&self, value: f64) -> f64 {
        self.top + (self.values.1 - value) / (self.values.1 - self.values.0) * self.height
    }

    /// An SVG path through the points, lifting the pen at gaps.
    fn path(&self, points: &[Drawn]) -> String {
        let mut path = String::new();
        let mut pen_down = false;
        for point in points {
            match point {
                Some((step, value)) => {
                    let command = if pen_down { 'L' } else { 'M' };
                    let _ = write!(path, "{command}{:.1} {:.1}", self.x(*step), self.y(*value));
                    pen_down = true;
                }
                None => pen_down = false,
            }
        }
        path
    }

    /// A dot on the last drawable point, so a one-point line still shows.
    fn last_dot(&self, points: &[Drawn], radius: f64, color: &str) -> String {
        match points.iter().rev().flatten().next() {
            Some((step, value)) => {
                format!(
                    r#"<circle cx="{:.1}" cy="{:.1}" r="{radius}" fill="{color}"/>"#,
                    self.x(*step),
                    self.y(*value)
                )
            }
            None => String::new(),
        }
    }
}

/// Lowest, highest and last finite values, for tooltips and legends.
fn extremes(values: &[f64]) -> Option<(f64, f64, f64)> {
    let finite = values.iter().copied().filter(|v| v.is_finite());
    let last = values.iter().rev().copied().find(|v| v.is_finite())?;
    let (low, high) = finite.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    Some((low, high, last))
}

/// A word-sized chart of one history for a table cell, or "" when there are fewer than two
/// points to draw. Its tooltip tells the count, lowest, highest and last value.
///
/// ```
/// let svg = rtrack::display::svg::sparkline("loss", &[0, 1, 2], &[1.0, 0.5, 0.25]);
/// assert!(svg.starts_with("<svg") && svg.contains("<path"));
/// assert!(svg.contains("3 points"));
/// assert_eq!(rtrack::display::svg::sparkline("loss", &[0], &[1.0]), "");
/// ```
pub fn sparkline(label: &str, steps: &[i64], values: &[f64]) -> String {
    const WIDTH: f64 = 64.0;
    const HEIGHT: f64 = 18.0;
    if values.iter().filter(|v| v.is_finite()).count() < 2 {
        return String::new();
    }
    let points = reduce(steps, values, WIDTH as usize / 2);
    let Some(frame) = Frame::new(std::slice::from_ref(&points), 2.0, 2.0, WIDTH - 4.0, HEIGHT - 4.0) else {
        return String::new();
    };
    let (low, high, last) = extremes(values).unwrap_or_default();
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img"><title>{title}</title><path d="{path}" fill="none" stroke="{color}" stroke-width="1.3" stroke-linejoin="round"/>{dot}</svg>"#,
        title = escape(&format!(
            "{label}: {} points, min {}, max {}, last {}",
            values.len(),
            format::number(low),
            format::number(high),
            format::number(last)
        )),
        path = frame.path(&points),
        color = PALETTE[0],
        dot = frame.last_dot(&points, 1.8, PALETTE[0]),
    )
}

/// A line chart of several histories against their steps, with value and step axes and a
/// legend giving each line's last value. Lines with no points yet are listed as waiting.
///
/// ```
/// use rtrack::display::svg::{line_chart, Line};
/// let svg = line_chart(&[
///     Line { label: "loss", steps: &[0, 1, 2], values: &[1.0, 0.5, 0.25] },
///     Line { label: "val_loss", steps: &[], values: &[] },
/// ]);
/// assert!(svg.contains("loss") && svg.contains("0.25"));
/// assert!(svg.contains("val_loss (no points yet)"));
/// ```
pub fn line_chart(lines: &[Line<'_>]) -> String {
    const WIDTH: f64 = 640.0;
    const HEIGHT: f64 = 260.0;
    const LEFT: f64 = 64.0;
    const TOP: f64 = 34.0;
    const RIGHT: f64 = 16.0;
    const BOTTOM: f64 = 28.0;
    let (plot_width, plot_height) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    let reduced: Vec<Vec<Drawn>> = lines
        .iter()
        .map(|line| reduce(line.steps, line.values, plot_width as usize / 2))
        .collect();
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-family="system-ui,sans-serif" font-size="11" style="max-width:100%;height:auto"><title>{}</title>"#,
        escape(&lines.iter().map(|line| line.label).collect::<Vec<_>>().join(", "))
    );
    write_legend(&mut svg, lines);
    let Some(frame) = Frame::new(&reduced, LEFT, TOP, plot_width, plot_height) else {
        let _ = write!(
            svg,
            r#"<text x="{LEFT}" y="{:.0}" fill="currentColor" opacity="0.6">Waiting for the first points…</text></svg>"#,
            TOP + plot_height / 2.0
        );
        return svg;
    };
    write_axes(&mut svg, &frame);
    for (index, points) in reduced.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        let _ = write!(
            svg,
            r#"<path d="{}" fill="none" stroke="{color}" stroke-width="1.6" stroke-linejoin="round"/>{}"#,
            frame.path(points),
            frame.last_dot(points, 2.5, color)
        );
    }
    svg.push_str("</svg>");
    svg
}

fn write_legend(svg: &mut String, lines: &[Line<'_>]) {
    let mut x = 64.0;
    for (index, line) in lines.iter().enumerate() {
        let color = PALETTE[index % PALETTE.len()];
        let text = match extremes(line.values) {
            Some((_, _, last)) => format!("{} {} ({} points)", line.label, format::number(last), line.values.len()),
            None if line.values.is_empty() => format!("{} (no points yet)", line.label),
            None => format!("{} (no finite value)", line.label),
        };
        let _ = write!(
            svg,
            r#"<rect x="{x:.0}" y="10" width="12" height="3" fill="{color}"/><text x="{:.0}" y="15" fill="currentColor">{}</text>"#,
            x + 16.0,
            escape(&text)
        );
        // About 6 pixels a character at 11 px.
        x += 32.0 + 6.0 * text.chars().count() as f64;
    }
}

fn write_axes(svg: &mut String, frame: &Frame) {
    let grid = r#"stroke="currentColor" stroke-opacity="0.15""#;
    let (right, bottom) = (frame.left + frame.width, frame.top + frame.height);
    for tick in 0..=3 {
        let value = frame.values.0 + (frame.values.1 - frame.values.0) * f64::from(tick) / 3.0;
        let y = frame.y(value);
        let _ = write!(
            svg,
            r#"<line x1="{:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" {grid}/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="currentColor" opacity="0.75">{}</text>"#,
            frame.left,
            frame.left - 6.0,
            y + 4.0,
            format::number(value)
        );
    }
    let (first, last) = frame.steps;
    let step_ticks: Vec<f64> = if last > first {
        vec![first, ((first + last) / 2.0).round(), last]
    } else {
        vec![first]
    };
    for step in step_ticks {
        let x = frame.x(step);
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle" fill="currentColor" opacity="0.75">{}</text>"#,
            bottom + 16.0,
            format::number(step)
        );
    }
    let _ = write!(
        svg,
        r#"<line x1="{:.1}" y1="{bottom:.1}" x2="{right:.1}" y2="{bottom:.1}" stroke="currentColor" stroke-opacity="0.4"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="currentColor" opacity="0.6">step</text>"#,
        frame.left,
        frame.left - 6.0,
        bottom + 16.0,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reduction_keeps_spikes_and_bounds_the_point_count() {
        let steps: Vec<i64> = (0..100_000).collect();
        let mut values = vec![1.0; 100_000];
        values[54_321] = 1_000.0;
        values[7] = -5.0;
        let drawn = reduce(&steps, &values, 100);
        assert!(drawn.len() <= 200, "{} points", drawn.len());
        assert!(drawn.contains(&Some((54_321.0, 1_000.0))), "the spike survives");
        assert!(drawn.contains(&Some((7.0, -5.0))), "the dip survives");
        // Steps stay in logging order.
        let xs: Vec<f64> = drawn.iter().flatten().map(|p| p.0).collect();
        assert!(xs.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn short_series_are_drawn_whole_and_nan_leaves_a_gap() {
        let drawn = reduce(&[0, 1, 2, 3], &[1.0, f64::NAN, f64::INFINITY, 2.0], 100);
        assert_eq!(drawn, vec![Some((0.0, 1.0)), None, Some((3.0, 2.0))]);
        let frame = Frame::new(std::slice::from_ref(&drawn), 0.0, 0.0, 100.0, 10.0).unwrap();
        assert_eq!(frame.path(&drawn), "M0.0 10.0M100.0 0.0", "two separate pen strokes");
    }

    #[test]
    fn a_flat_line_sits_mid_height() {
        let drawn = reduce(&[0, 5], &[3.0, 3.0], 10);
        let frame = Frame::new(std::slice::from_ref(&drawn), 0.0, 0.0, 100.0, 20.0).unwrap();
        assert_eq!(frame.path(&drawn), "M0.0 10.0L100.0 10.0");
    }

    #[test]
    fn labels_are_escaped_inside_the_svg() {
        let svg = line_chart(&[Line {
            label: "<b>loss</b>",
            steps: &[0, 1],
            values: &[2.0, 1.0],
        }]);
        assert!(!svg.contains("<b>"));
        assert!(svg.contains("&lt;b&gt;loss&lt;/b&gt; 1 (2 points)"), "{svg}");
        let spark = sparkline("a\"b", &[0, 1], &[2.0, 1.0]);
        assert!(spark.contains("a&quot;b: 2 points, min 1, max 2, last 1"), "{spark}");
    }

    #[test]
    fn a_chart_with_no_points_says_it_is_waiting() {
        let svg = line_chart(&[Line {
            label: "loss",
            steps: &[],
            values: &[],
        }]);
        assert!(svg.contains("Waiting for the first points"));
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<path"));
    }
}
