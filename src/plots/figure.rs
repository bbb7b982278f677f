//! [`Figure`]: a chart shown inline in a notebook cell, offline. The plotly crate's own evcxr
//! display loads plotly.js from a CDN; this one carries plotly.js itself, and in an evcxr
//! session sends its 4.7 MB only with the first figure: later figures draw with the copy
//! that first output left on the page.

use std::io::{self, Write};

use plotly::Plot;

use super::html::script_safe_json;
use crate::display::ToHtml;
use crate::error::{Error, Result};
use crate::plotly_js::plotly_js;

/// Set in the notebook's process once plotly.js has been sent to the page. An environment
/// variable rather than a static: the process environment is shared by every library evcxr
/// loads, whether or not each cell's library carries a copy of rtrack (and its statics).
const PLOTLY_SENT: &str = "RTRACK_NOTEBOOK_PLOTLY_JS_SENT";

/// A figure for a notebook cell. A cell ending in a `Figure` shows it as an interactive chart.
///
/// ```
/// use rtrack::plots::{prediction_scatter, Figure};
///
/// let plot = prediction_scatter(&[1.0, 2.0, 3.0], &[1.1, 1.9, 3.2])?;
/// let figure = Figure::new(&plot);
/// let html = figure.html(true);                      // what the first figure of a session sends
/// assert!(html.contains("plotly.js v") && html.contains("Plotly.newPlot"));
/// assert!(figure.html(false).len() < 10_000);        // later ones draw with that copy
/// // In an evcxr cell, ending with `figure` shows the chart (Figure::evcxr_display).
/// # Ok::<(), rtrack::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Figure {
    json: String,
}

impl From<&Plot> for Figure {
    fn from(plot: &Plot) -> Self {
        Figure::new(plot)
    }
}

impl Figure {
    /// The figure of a plot built with the plotly crate (e.g. by [`crate::plots`]).
    pub fn new(plot: &Plot) -> Figure {
        Figure { json: plot.to_json() }
    }

    /// A figure given as Plotly JSON (`data`, `layout`, optionally `config`).
    pub fn from_json(figure_json: &str) -> Result<Figure> {
        let figure: serde_json::Value = serde_json::from_str(figure_json)
            .map_err(|e| Error::invalid(format!("The figure is not valid JSON: {e}")))?;
        if !figure.is_object() {
            return Err(Error::invalid(
                "A figure must be a JSON object with 'data' and 'layout'",
            ));
        }
        Ok(Figure {
            json: figure_json.to_string(),
        })
    }

    /// The figure as an HTML fragment, with plotly.js inlined when `with_plotly_js`; without
    /// it, the fragment draws with a plotly.js an earlier output loaded, or says it is missing.
    pub fn html(&self, with_plotly_js: bool) -> String {
        let id = format!("rtrack-figure-{}", uuid::Uuid::new_v4().simple());
        // plotly.js is a UMD bundle: hiding `define`, `exports` and `module` makes it set
        // `window.Plotly` even on pages with RequireJS (the classic notebook).
        let library = if with_plotly_js {
            format!(
                "<script>(function (define, exports, module) {{\n{}\n}})();</script>\n",
                plotly_js()
            )
        } else {
            String::new()
        };
        format!(
            r#"{library}<div class="rtrack-figure" id="{id}" style="min-height: 420px"></div>
<script type="application/json" id="{id}-json">{data}</script>
<script>
(function () {{
  var element = document.getElementById("{id}");
  if (!window.Plotly) {{
    element.style.minHeight = "0";
    element.textContent = "This figure needs plotly.js, which the first figure of this notebook session brought: re-run the notebook, or call rtrack::plots::Figure::resend_plotly_js() and show the figure again.";
    return;
  }}
  var figure = JSON.parse(document.getElementById("{id}-json").textContent);
  window.Plotly.newPlot(element, figure.data || [], figure.layout || {{}},
    Object.assign({{responsive: true}}, figure.config || {{}}));
}})();
</script>"#,
            data = script_safe_json(&self.json),
        )
    }

    /// Show the figure in an evcxr notebook cell; only the session's first figure carries
    /// plotly.js.
    pub fn evcxr_display(&self) {
        // A closed stdout leaves nothing to show the figure on.
        let _ = self.display_in_session(&mut io::stdout().lock());
    }

    /// Write the figure in evcxr's protocol, with plotly.js if the session has not had it.
    fn display_in_session(&self, out: &mut dyn Write) -> io::Result<()> {
        let first = std::env::var_os(PLOTLY_SENT).is_none();
        write_html(out, &self.html(first))?;
        if first {
            std::env::set_var(PLOTLY_SENT, "1");
        }
        Ok(())
    }
}

impl Figure {
    /// Make the next figure shown in this session carry plotly.js again (after the output
    /// that brought it was cleared, or in a freshly opened page of a running kernel).
    pub fn resend_plotly_js() {
        std::env::remove_var(PLOTLY_SENT);
    }
}

/// Self-contained: every figure shown through [`ToHtml`] (saved pages, Python) carries plotly.js.
impl ToHtml for Figure {
    fn to_html(&self) -> String {
        self.html(true)
    }
}

fn write_html(out: &mut dyn Write, html: &str) -> io::Result<()> {
    write!(out, "EVCXR_BEGIN_CONTENT text/html\n{html}\nEVCXR_END_CONTENT\n")?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fragment_carries_the_figure_safely_and_plotly_js_on_request() {
        let title = "</script><script>alert(1)</script>";
        let figure = Figure::from_json(
            &serde_json::json!({"data": [{"type": "bar", "x": [1]}], "layout": {"title": title}}).to_string(),
        )
        .unwrap();
        let with = figure.html(true);
        let without = figure.html(false);
        assert!(with.contains(plotly_js()) && !without.contains("plotly.js v"));
        assert!(without.len() < 2_000, "{} bytes", without.len());
        for html in [&with, &without] {
            assert!(!html.contains("alert(1)</script>"));
            assert!(!html.contains("<script src"), "nothing may load from elsewhere");
        }
        // Two figures on one page never share an element id.
        assert_ne!(figure.html(false), without);
        assert!(Figure::from_json("[1]").is_err());
        assert!(Figure::from_json("{")
            .unwrap_err()
            .to_string()
            .contains("not valid JSON"));
    }

    #[test]
    fn a_session_gets_plotly_js_with_its_first_figure_only() {
        let figure = Figure::from_json(r#"{"data": [], "layout": {}}"#).unwrap();
        let shown = || {
            let mut out = Vec::new();
            figure.display_in_session(&mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            assert!(text.starts_with("EVCXR_BEGIN_CONTENT text/html\n") && text.ends_with("\nEVCXR_END_CONTENT\n"));
            text.contains("plotly.js v")
        };
        Figure::resend_plotly_js();
        assert!(shown(), "the first figure carries plotly.js");
        assert!(!shown(), "later figures do not");
        Figure::resend_plotly_js();
        assert!(shown(), "until it is asked for again");
    }
}
