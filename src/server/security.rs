//! The checks in front of every route, with MLflow 3's rules and messages: the Host header
//! must name this server (DNS rebinding), state-changing requests from another site's page
//! are refused (cross-site request forgery), JSON endpoints take JSON bodies only (so an HTML
//! form cannot post to them), and every response says how it may be framed and sniffed.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::ServerConfig;
use crate::error::{Error, Result};

/// MLflow's words for a Host header that is not this server's.
pub const INVALID_HOST: &str = "Invalid Host header - possible DNS rebinding attack detected";
/// MLflow's words for a state-changing request from another site.
pub const CROSS_ORIGIN_BLOCKED: &str = "Cross-origin request blocked";

/// Host names every server answers to, with or without a port.
const LOOPBACK_HOSTS: [&str; 4] = ["localhost", "127.0.0.1", "[::1]", "0.0.0.0"];

/// What the checks allow, fixed when the server starts.
#[derive(Clone, Debug)]
pub struct Policy {
    /// Host header patterns (`*` matches anything); `None` allows every host.
    hosts: Option<Vec<String>>,
    /// Origin patterns allowed to change state besides this server's own and loopback;
    /// `None` allows every origin.
    origins: Option<Vec<String>>,
    /// The `frame-ancestors` directive sent with every response.
    frame_ancestors: HeaderValue,
    /// `--static-prefix`, under which `/health` and `/version` answer any host.
    prefix: String,
}

impl Policy {
    pub fn new(config: &ServerConfig) -> Result<Policy> {
        let hosts = if config.allowed_hosts.iter().any(|h| h.trim() == "*") {
            None
        } else {
            let mut hosts = default_hosts(&config.host);
            hosts.extend(config.allowed_hosts.iter().map(|h| h.trim().to_ascii_lowercase()));
            Some(hosts)
        };
        let origins = if config.cors_allowed_origins.iter().any(|o| o.trim() == "*") {
            None
        } else {
            Some(
                config
                    .cors_allowed_origins
                    .iter()
                    .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                    .collect(),
            )
        };
        let mut ancestors = String::from("frame-ancestors 'self'");
        for source in &config.frame_ancestors {
            let bad = source.is_empty()
                || source.contains(|c: char| c == ';' || c == ',' || c == '\'' || !c.is_ascii_graphic());
            if bad {
                return Err(Error::invalid(format!(
                    "Invalid frame ancestor '{source}': expected an origin such as https://example.com or https://*.example.com"
                )));
            }
            ancestors.push(' ');
            ancestors.push_str(source);
        }
        Ok(Policy {
            hosts,
            origins,
            frame_ancestors: HeaderValue::from_str(&ancestors).expect("checked to be visible ASCII"),
            prefix: config.static_prefix.clone().unwrap_or_default(),
        })
    }

    fn host_allowed(&self, host: Option<&str>) -> bool {
        match (&self.hosts, host) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(patterns), Some(host)) => {
                let host = host.to_ascii_lowercase();
                patterns.iter().any(|pattern| glob_match(pattern, &host))
            }
        }
    }

    /// Whether a state-changing request may go ahead: browsers say where it comes from in
    /// `Sec-Fetch-Site` and `Origin`; clients that are not browsers send neither.
    fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        let Some(origins) = &self.origins else {
            return true;
        };
        let site = header_str(headers, "sec-fetch-site").map(str::to_ascii_lowercase);
        if matches!(site.as_deref(), Some("same-origin" | "none")) {
            return true;
        }
        let Some(origin) = header_str(headers, header::ORIGIN.as_str()) else {
            // No Origin: a browser marks a request from another site all the same.
            return !matches!(site.as_deref(), Some("cross-site" | "same-site"));
        };
        let origin = origin.trim_end_matches('/').to_ascii_lowercase();
        let authority = origin.split_once("://").map(|(_, rest)| rest);
        let Some(authority) = authority else {
            return false; // "null" (a sandboxed page, a file) and anything unreadable
        };
        let host_name = host_of(authority);
        if LOOPBACK_HOSTS[..3].contains(&host_name) || host_name == "::1" {
            return true;
        }
        let own = header_str(headers, header::HOST.as_str()).map(str::to_ascii_lowercase);
        if own.as_deref() == Some(authority) {
            return true;
        }
        origins.iter().any(|pattern| glob_match(pattern, &origin))
    }
}

/// The hosts allowed when the user lists none: loopback names and the address bound, with
/// any port; bound to every interface, also the private address ranges, as MLflow allows.
fn default_hosts(bound: &str) -> Vec<String> {
    let mut names: Vec<String> = LOOPBACK_HOSTS.iter().map(|h| h.to_string()).collect();
    let bound = bound.trim().to_ascii_lowercase();
    let everywhere = matches!(bound.as_str(), "0.0.0.0" | "::" | "[::]" | "");
    if !everywhere {
        names.push(if bound.contains(':') && !bound.starts_with('[') {
            format!("[{bound}]")
        } else {
            bound
        });
    }
    let mut hosts: Vec<String> = names
        .iter()
        .flat_map(|name| [name.clone(), format!("{name}:*")])
        .collect();
    if everywhere {
        hosts.extend(["192.168.*", "10.*", "[fc*", "[fd*"].map(String::from));
        hosts.extend((16..32).map(|i| format!("172.{i}.*")));
    }
    hosts
}

/// The host part of `host[:port]` or `[v6]:port`.
fn host_of(authority: &str) -> &str {
    if let Some(rest) = authority.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `*` matches any run of characters; everything else matches itself.
fn glob_match(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Which bodies a state-changing request to `path` may carry.
enum Accepts {
    /// A file: whatever type the client names (MLflow's client sends the file's guessed type).
    Anything,
    /// The web UI's upload of a small file.
    Upload,
    Json,
}

fn accepts(method: &Method, path: &str) -> Accepts {
    let proxied = path.contains("/mlflow-artifacts/artifacts/");
    if proxied && (method == Method::PUT || method == Method::DELETE) {
        Accepts::Anything
    } else if path.ends_with("/mlflow/upload-artifact") {
        Accepts::Upload
    } else {
        Accepts::Json
    }
}

/// MLflow's refusal of a body it will not parse, or `None` when the body is acceptable.
fn content_type_refusal(method: &Method, path: &str, headers: &HeaderMap) -> Option<ApiError> {
    let kind = accepts(method, path);
    let allowed: &[&str] = match kind {
        Accepts::Anything => return None,
        Accepts::Upload => &["application/octet-stream", "multipart/form-data"],
        Accepts::Json => &["application/json"],
    };
    let Some(value) = headers.get(header::CONTENT_TYPE) else {
        // Raw bytes with no type at all (what `requests.post(url, data=...)` sends): no form
        // of another site can send a body without one, so only the origin check applies.
        if matches!(kind, Accepts::Upload) {
            return None;
        }
        let empty = headers.get(header::TRANSFER_ENCODING).is_none()
            && headers
                .get(header::CONTENT_LENGTH)
                .is_none_or(|length| length.as_bytes() == b"0");
        return (!empty).then(|| ApiError::invalid("Bad Request. Content-Type header is missing."));
    };
    let media = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if allowed.contains(&media.as_str()) {
        return None;
    }
    let listed: Vec<String> = allowed.iter().map(|t| format!("'{t}'")).collect();
    Some(ApiError::invalid(format!(
        "Bad Request. Content-Type must be one of [{}].",
        listed.join(", ")
    )))
}

fn forbidden(message: &str) -> Response {
    ApiError {
        status: StatusCode::FORBIDDEN,
        code: "PERMISSION_DENIED",
        message: message.to_string(),
    }
    .into_response()
}

/// The layer: refuse what the policy does not allow, then mark every response.
pub async fn guard(State(policy): State<std::sync::Arc<Policy>>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let exempt = path
        .strip_prefix(policy.prefix.as_str())
        .is_some_and(|rest| matches!(rest, "/health" | "/version"));
    let host =
        header_str(request.headers(), header::HOST.as_str()).or_else(|| request.uri().authority().map(|a| a.as_str()));
    let mut response = if !exempt && !policy.host_allowed(host) {
        forbidden(INVALID_HOST)
    } else if is_state_changing(request.method()) && !policy.origin_allowed(request.headers()) {
        forbidden(CROSS_ORIGIN_BLOCKED)
    } else if let Some(refusal) = is_state_changing(request.method())
        .then(|| content_type_refusal(request.method(), path, request.headers()))
        .flatten()
    {
        refusal.into_response()
    } else if request.uri().to_string().len() > MAX_URI {
        ApiError {
            status: StatusCode::URI_TOO_LONG,
            code: "INVALID_PARAMETER_VALUE",
            message: format!(
                "Request URI is longer than this server accepts ({MAX_URI} bytes); send long values in a POST body"
            ),
        }
        .into_response()
    } else {
        json_errors(next.run(request).await).await
    };
    mark(response.headers_mut(), &policy.frame_ancestors);
    response
}

/// The longest request URI answered (hyper itself refuses those past 64 KiB, without a body).
const MAX_URI: usize = 32 << 10;

/// A client error that is not in MLflow's JSON shape yet (a request axum could not read: a
/// path that is not UTF-8, a body over the limit, a method the route does not take) is put
/// into it, with the text axum gave as the message.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !status.is_client_error() || is_json {
        return response;
    }
    let code = match status {
        StatusCode::FORBIDDEN => "PERMISSION_DENIED",
        StatusCode::UNAUTHORIZED => "UNAUTHENTICATED",
        StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => "ENDPOINT_NOT_FOUND",
        StatusCode::PAYLOAD_TOO_LARGE | StatusCode::URI_TOO_LONG => "INVALID_PARAMETER_VALUE",
        StatusCode::TOO_MANY_REQUESTS => "REQUEST_LIMIT_EXCEEDED",
        _ => "BAD_REQUEST",
    };
    let text = axum::body::to_bytes(response.into_body(), 64 << 10)
        .await
        .map(|bytes| String::from_utf8_lossy(&bytes).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("Bad request").to_string()
    } else {
        text
    };
    ApiError { status, code, message }.into_response()
}

fn is_state_changing(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

/// Never sniffed, and framed only by this server's own pages and the ancestors allowed
/// (`X-Frame-Options` for old browsers; new ones follow `frame-ancestors`, which can name
/// the notebook's origins).
fn mark(headers: &mut HeaderMap, frame_ancestors: &HeaderValue) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("SAMEORIGIN"));
    let policy = match headers
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
    {
        Some(existing) if existing.contains("frame-ancestors") => return,
        Some(existing) => HeaderValue::from_str(&format!(
            "{existing}; {}",
            frame_ancestors.to_str().expect("visible ASCII")
        ))
        .unwrap_or_else(|_| frame_ancestors.clone()),
        None => frame_ancestors.clone(),
    };
    headers.insert(header::CONTENT_SECURITY_POLICY, policy);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_like_mlflow_patterns() {
        assert!(glob_match("localhost:*", "localhost:5000"));
        assert!(!glob_match("localhost:*", "localhost.evil.com"));
        assert!(glob_match(
            "https://*.googleusercontent.com",
            "https://abc-colab.googleusercontent.com"
        ));
        assert!(!glob_match(
            "https://*.googleusercontent.com",
            "https://evil.com/.googleusercontent.com.x"
        ));
        assert!(glob_match("10.*", "10.1.2.3:80"));
        assert!(glob_match("a*b*c", "aXbYc") && !glob_match("a*b*c", "acb"));
    }

    #[test]
    fn hosts_default_to_loopback_and_the_bound_address() {
        let hosts = default_hosts("127.0.0.1");
        let allowed = |host: &str| hosts.iter().any(|p| glob_match(p, host));
        assert!(allowed("localhost:5000") && allowed("127.0.0.1") && allowed("[::1]:80"));
        assert!(!allowed("evil.example.com") && !allowed("10.0.0.1:5000"));
        let everywhere = default_hosts("0.0.0.0");
        assert!(everywhere.iter().any(|p| glob_match(p, "192.168.1.7:5000")));
        assert!(default_hosts("myhost").iter().any(|p| glob_match(p, "myhost:5000")));
    }
}
