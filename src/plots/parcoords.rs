//! A parallel-coordinates trace. The plotly crate has no `parcoords` trace, so this one
//! serializes plotly.js's attributes directly.

use serde::Serialize;

/// One vertical axis: a label and one value per line (run).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Dimension {
    pub label: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub(crate) struct ParallelCoordinates {
    r#type: &'static str,
    dimensions: Vec<Dimension>,
    line: ColoredLines,
}

/// Lines coloured by one dimension's values, with the scale shown beside the plot.
#[derive(Debug, Clone, Serialize)]
struct ColoredLines {
    color: Vec<f64>,
    colorscale: &'static str,
    showscale: bool,
    colorbar: ColorBarTitle,
}

#[derive(Debug, Clone, Serialize)]
struct ColorBarTitle {
    title: TitleText,
}

#[derive(Debug, Clone, Serialize)]
struct TitleText {
    text: String,
}

impl ParallelCoordinates {
    pub(crate) fn new(dimensions: Vec<Dimension>, color_by: usize) -> Box<Self> {
        let line = ColoredLines {
            color: dimensions[color_by].values.clone(),
            colorscale: "Viridis",
            showscale: true,
            colorbar: ColorBarTitle {
                title: TitleText {
                    text: dimensions[color_by].label.clone(),
                },
            },
        };
        Box::new(ParallelCoordinates {
            r#type: "parcoords",
            dimensions,
            line,
        })
    }
}

impl plotly::Trace for ParallelCoordinates {
    fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a parcoords trace holds only strings and numbers")
    }
}
