//! A figure as one self-contained HTML page: plotly.js inlined from the plotly crate, the
//! figure's JSON in a data block that no string inside it can close early.

use crate::error::{Error, Result};
use crate::plotly_js::plotly_js;

/// A page showing the figure `figure_json` (Plotly's JSON: `data`, `layout`, optionally
/// `config` and `frames`), working offline and from a sandboxed iframe.
///
/// ```
/// let page = rtrack::plots::figure_html(r#"{"data": [], "layout": {"title": {"text": "</script>"}}}"#)?;
/// assert!(page.contains("plotly.js v"));
/// assert!(!page.contains("</script><"));           // the title cannot end a script early
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn figure_html(figure_json: &str) -> Result<String> {
    let figure: serde_json::Value =
        serde_json::from_str(figure_json).map_err(|e| Error::invalid(format!("The figure is not valid JSON: {e}")))?;
    if !figure.is_object() {
        return Err(Error::invalid(
            "A figure must be a JSON object with 'data' and 'layout'",
        ));
    }
    let title = figure_title(&figure).map_or_else(|| "Figure".to_string(), escape_html);
    Ok(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>html, body {{ height: 100%; margin: 0; }} #figure {{ height: 100%; min-height: 420px; }}</style>
<script>{plotly}</script>
</head>
<body>
<div id="figure"></div>
<script type="application/json" id="figure-json">{data}</script>
<script>
const figure = JSON.parse(document.getElementById("figure-json").textContent);
Plotly.newPlot("figure", {{
  data: figure.data || [],
  layout: figure.layout || {{}},
  config: Object.assign({{responsive: true}}, figure.config || {{}}),
  frames: figure.frames || undefined,
}});
</script>
</body>
</html>
"#,
        plotly = plotly_js(),
        data = script_safe_json(figure_json),
    ))
}

/// Valid JSON text with `<`, `>` and `&` written as `\u003c`, `\u003e`, `\u0026`: the same
/// value once parsed, but no `</script>` or `<!--` left for the HTML parser to act on. In
/// valid JSON these characters occur only inside strings, where the escapes mean the same.
/// The text is escaped as given rather than re-serialized, so every number keeps its digits.
pub(crate) fn script_safe_json(text: &str) -> String {
    let mut safe = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            other => safe.push(other),
        }
    }
    safe
}

/// `layout.title` as Plotly accepts it: a string or `{"text": ...}`.
fn figure_title(figure: &serde_json::Value) -> Option<&str> {
    let title = &figure["layout"]["title"];
    title.as_str().or_else(|| title["text"].as_str())
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_carries_plotly_js_itself() {
        let script = plotly_js();
        assert!(
            script.trim_start().starts_with("/**\n* plotly.js v"),
            "{}",
            &script[..60]
        );
        assert!(
            script.len() > 1_000_000,
            "plotly.js is a few megabytes, got {} bytes",
            script.len()
        );
        assert!(!script.contains("</script"));
        let page = figure_html(r#"{"data": [], "layout": {}}"#).unwrap();
        assert!(page.contains(script));
        assert!(!page.contains("<script src"), "no script may load from elsewhere");
        // plotly.js and a small shell around it: MathJax is left out.
        assert!(page.len() < script.len() + 2_000, "page of {} bytes", page.len());
    }

    #[test]
    fn strings_in_the_figure_cannot_break_out_of_their_script() {
        let title = "</script><script>alert('x')</script><!--";
        let figure = serde_json::json!({"data": [{"type": "bar", "name": title, "x": [1]}], "layout": {"title": {"text": title}}});
        let page = figure_html(&figure.to_string()).unwrap();
        assert!(!page.contains("alert('x')</script>"));
        assert!(!page.contains("<!--"));
        assert!(page.contains("<title>&lt;/script&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;!--</title>"));
        // The data block still parses back to the very same figure.
        let start = page.find(r#"id="figure-json">"#).unwrap() + r#"id="figure-json">"#.len();
        let end = start + page[start..].find("</script>").unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
        assert_eq!(parsed, figure);
    }

    #[test]
    fn a_plain_string_title_names_the_page_and_bad_json_is_refused() {
        let page = figure_html(r#"{"data": [], "layout": {"title": "Loss & accuracy"}}"#).unwrap();
        assert!(page.contains("<title>Loss &amp; accuracy</title>"));
        assert!(figure_html("{not json")
            .unwrap_err()
            .to_string()
            .starts_with("The figure is not valid JSON"));
        assert!(figure_html("[1, 2]").unwrap_err().to_string().contains("JSON object"));
    }
}
