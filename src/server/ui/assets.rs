//! The page, its script and style, and plotly.js: compiled in, served with a strict content
//! security policy (no inline script, nothing from elsewhere) and cache headers.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::plotly_js::{plotly_js, plotly_js_version};

const INDEX: &str = include_str!("assets/index.html");
const SCRIPT: &str = include_str!("assets/app.js");
const STYLE: &str = include_str!("assets/style.css");

/// Scripts only from this origin; plotly.js compiles some shaders and number formats with
/// `Function`, hence 'unsafe-eval' (inline script stays forbidden, so stored text cannot run).
/// Styles may be inline because plotly.js sets them on the elements it draws.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// The page names its script, style and plotly.js by content, so browsers cache them until
/// the binary changes.
pub async fn index() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| {
        INDEX
            .replace("{{plotly}}", &plotly_file_name())
            .replace("{{script}}", &format!("app.js?v={}", fingerprint(SCRIPT)))
            .replace("{{style}}", &format!("style.css?v={}", fingerprint(STYLE)))
            .replace("{{version}}", env!("CARGO_PKG_VERSION"))
    });
    let mut response = (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        page.as_str(),
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(PAGE_POLICY));
    response
        .headers_mut()
        .insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    response
}

pub async fn script() -> Response {
    cached("text/javascript; charset=utf-8", SCRIPT)
}

pub async fn style() -> Response {
    cached("text/css; charset=utf-8", STYLE)
}

/// `/static/plotly-<version>.min.js`; any other name under /static is not found.
pub async fn plotly(Path(file): Path<String>) -> Response {
    if file == plotly_file_name() {
        cached("text/javascript; charset=utf-8", plotly_js())
    } else {
        (StatusCode::NOT_FOUND, "not found").into_response()
    }
}

fn plotly_file_name() -> String {
    format!("plotly-{}.min.js", plotly_js_version())
}

/// A year in the browser's cache: the page asks for a new name when the content changes.
fn cached(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

fn fingerprint(text: &str) -> String {
    let mut hasher = DefaultHasher::new();
    text.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}
