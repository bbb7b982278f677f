//! The minified plotly.js the plotly crate ships (feature `plotly_embed_js`): embedded in
//! figure pages and served to the web UI, so nothing is fetched from a CDN.

use std::sync::OnceLock;

/// plotly.js alone: the crate's offline sources hold plotly.js, then MathJax; charts need
/// MathJax only for LaTeX, so it is left out.
pub(crate) fn plotly_js() -> &'static str {
    static SCRIPT: OnceLock<String> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let sources = plotly::Plot::offline_js_sources();
        let start = sources.find('>').map_or(0, |end_of_tag| end_of_tag + 1);
        let end = sources[start..]
            .find("</script>")
            .map_or(sources.len(), |length| start + length);
        sources[start..end].to_string()
    })
}

/// The plotly.js version (from its banner), naming the UI's cached copy.
#[cfg(feature = "server")]
pub(crate) fn plotly_js_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| {
        let script = plotly_js();
        script
            .find("plotly.js v")
            .map(|at| {
                let rest = &script[at + "plotly.js v".len()..];
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                    .collect()
            })
            .unwrap_or_else(|| "unknown".to_string())
    })
}
