//! The page, its script (ES modules) and style, and plotly.js: compiled in, served with a
//! strict content security policy (no inline script, nothing from elsewhere) and cache headers.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::OnceLock;

use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::plotly_js::{plotly_js, plotly_js_version};

const INDEX: &str = include_str!("assets/index.html");
const STYLE: &str = include_str!("assets/style.css");

/// The script's ES modules by their path under /static. The page loads `app.js`, which
/// imports the rest (the browser follows the imports: there is no bundling step); a module
/// missing here would not load, which the tests below catch.
const MODULES: &[(&str, &str)] = &[
    ("app.js", include_str!("assets/app.js")),
    ("router.js", include_str!("assets/router.js")),
    ("dom.js", include_str!("assets/dom.js")),
    ("api.js", include_str!("assets/api.js")),
    ("charts.js", include_str!("assets/charts.js")),
    ("artifacts.js", include_str!("assets/artifacts.js")),
    ("format.js", include_str!("assets/format.js")),
    ("urls.js", include_str!("assets/urls.js")),
    ("mlflow.js", include_str!("assets/mlflow.js")),
    ("files.js", include_str!("assets/files.js")),
    ("chart-data.js", include_str!("assets/chart-data.js")),
    ("pages/experiments.js", include_str!("assets/pages/experiments.js")),
    ("pages/runs.js", include_str!("assets/pages/runs.js")),
    ("pages/run.js", include_str!("assets/pages/run.js")),
    ("pages/compare.js", include_str!("assets/pages/compare.js")),
    ("pages/models.js", include_str!("assets/pages/models.js")),
    ("pages/model.js", include_str!("assets/pages/model.js")),
    ("pages/version.js", include_str!("assets/pages/version.js")),
];

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";

/// Scripts (the page's modules and plotly.js) only from this origin; plotly.js compiles some
/// shaders and number formats with `Function`, hence 'unsafe-eval' (inline script stays
/// forbidden, so stored text cannot run). Styles may be inline because plotly.js sets them on
/// the elements it draws.
const PAGE_POLICY: &str = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; frame-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'";

/// The page names its script, style and plotly.js by content, so browsers cache them until
/// the binary changes.
pub async fn index() -> Response {
    static PAGE: OnceLock<String> = OnceLock::new();
    let page = PAGE.get_or_init(|| {
        INDEX
            .replace("{{plotly}}", &plotly_file_name())
            .replace("{{script}}", &format!("app.js?v={}", script().version))
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

/// `/static/<path>`: a module of the script, the style, or plotly.js (as
/// `plotly-<version>.min.js`); any other name is not found.
pub async fn file(Path(path): Path<String>) -> Response {
    if path == "style.css" {
        return cached("text/css; charset=utf-8", STYLE);
    }
    if path == plotly_file_name() {
        return cached(JAVASCRIPT, plotly_js());
    }
    match script().module(&path) {
        Some(text) => cached(JAVASCRIPT, text),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

fn plotly_file_name() -> String {
    format!("plotly-{}.min.js", plotly_js_version())
}

/// The modules as served: one version, the fingerprint of them all, named in every
/// relative import, so the modules a browser caches for a year are always of one build.
struct Script {
    version: String,
    modules: Vec<(&'static str, String)>,
}

impl Script {
    fn module(&self, path: &str) -> Option<&str> {
        self.modules
            .iter()
            .find(|(name, _)| *name == path)
            .map(|(_, text)| text.as_str())
    }
}

fn script() -> &'static Script {
    static SCRIPT: OnceLock<Script> = OnceLock::new();
    SCRIPT.get_or_init(|| {
        let version = fingerprint(MODULES);
        let modules = MODULES
            .iter()
            .map(|(name, text)| (*name, with_versioned_imports(text, &version)))
            .collect();
        Script { version, modules }
    })
}

/// The module with `?v=<version>` after each relative specifier it imports from
/// (`from "./dom.js"`, `from "../format.js"`); the text is otherwise unchanged.
fn with_versioned_imports(text: &str, version: &str) -> String {
    const FROM: &str = "from \"";
    let mut out = String::with_capacity(text.len() + 512);
    let mut rest = text;
    while let Some(at) = rest.find(FROM) {
        let (head, tail) = rest.split_at(at + FROM.len());
        out.push_str(head);
        let end = tail.find('"').unwrap_or(tail.len());
        let (specifier, tail) = tail.split_at(end);
        out.push_str(specifier);
        if specifier.starts_with('.') && specifier.ends_with(".js") {
            out.push_str("?v=");
            out.push_str(version);
        }
        rest = tail;
    }
    out.push_str(rest);
    out
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

fn fingerprint(content: impl Hash) -> String {
    let mut hasher = DefaultHasher::new();
    content.hash(&mut hasher);
    format!("{:016x}", hasher.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `.js` files under `dir`, by their path below it.
    fn module_files(dir: &std::path::Path, prefix: &str, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().into_string().unwrap();
            if entry.file_type().unwrap().is_dir() {
                module_files(&entry.path(), &format!("{prefix}{name}/"), out);
            } else if name.ends_with(".js") {
                out.push(format!("{prefix}{name}"));
            }
        }
    }

    /// `specifier` as a path under /static, relative to the module `from`.
    fn resolve(from: &str, specifier: &str) -> String {
        let mut parts: Vec<&str> = from.split('/').collect();
        parts.pop();
        for part in specifier.split('/') {
            match part {
                "." => {}
                ".." => assert!(parts.pop().is_some(), "{from} imports {specifier}, above /static"),
                _ => parts.push(part),
            }
        }
        parts.join("/")
    }

    #[test]
    fn every_module_file_is_served_and_every_import_names_a_served_module() {
        let mut files = Vec::new();
        module_files(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/ui/assets"),
            "",
            &mut files,
        );
        let mut served: Vec<String> = MODULES.iter().map(|(name, _)| name.to_string()).collect();
        files.sort();
        served.sort();
        assert_eq!(files, served, "MODULES lists every .js file under assets/");

        let script = script();
        let mut imported = std::collections::BTreeSet::from(["app.js".to_string()]);
        for (name, text) in &script.modules {
            for piece in text.split("from \"").skip(1) {
                let specifier = &piece[..piece.find('"').unwrap()];
                let (path, version) = specifier
                    .split_once("?v=")
                    .unwrap_or_else(|| panic!("{name}: {specifier} names no version"));
                assert_eq!(version, script.version);
                let target = resolve(name, path);
                assert!(
                    script.module(&target).is_some(),
                    "{name} imports {path}, which is not served"
                );
                imported.insert(target);
            }
        }
        assert_eq!(imported.len(), MODULES.len(), "every module is the page's or imported");
    }

    #[test]
    fn only_the_import_lines_of_a_module_change_when_served() {
        for (name, text) in MODULES {
            let served = script().module(name).unwrap();
            assert_eq!(served.lines().count(), text.lines().count());
            for (original, line) in text.lines().zip(served.lines()) {
                if original != line {
                    let start = original.trim_start();
                    assert!(
                        start.starts_with("import ") || start.starts_with("export ") || start.starts_with("} from "),
                        "{name}: {original}"
                    );
                }
            }
        }
        let version = "0123456789abcdef";
        assert_eq!(
            with_versioned_imports("import { h } from \"../dom.js\";\nconst a = \"from \";", version),
            "import { h } from \"../dom.js?v=0123456789abcdef\";\nconst a = \"from \";"
        );
        assert_eq!(
            with_versioned_imports("import x from \"https://example.com/x.js\";", version),
            "import x from \"https://example.com/x.js\";",
            "only relative specifiers are versioned"
        );
    }

    #[test]
    fn no_module_writes_markup() {
        for (name, text) in MODULES {
            for sink in [
                "innerHTML",
                "outerHTML",
                "insertAdjacentHTML",
                "document.write",
                "eval(",
            ] {
                assert!(!text.contains(sink), "{name} uses {sink}: stored text must stay text");
            }
        }
    }
}
