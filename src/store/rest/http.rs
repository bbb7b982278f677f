//! Talking to an MLflow-compatible server: one call per endpoint, JSON in and out, and
//! MLflow's error shape turned back into rtrack's [`Error`] variants.

use std::io;

use serde_json::Value;

use super::settings::HttpSettings;
use crate::error::{Error, Result};

/// Responses larger than this are refused (a search page of 50,000 runs fits well inside).
const MAX_RESPONSE_BYTES: u64 = 1 << 30;

/// An HTTP client bound to one server, e.g. `http://127.0.0.1:5000`, with timeouts and
/// retries as [`HttpSettings`] say.
#[derive(Clone)]
pub struct HttpClient {
    base: String,
    agent: ureq::Agent,
    settings: HttpSettings,
}

/// Whether a request may be sent again when it failed: reads (and deletes) may, whatever
/// happened; writes only when the server cannot have acted on them.
#[derive(Clone, Copy, PartialEq)]
enum Repeatable {
    Always,
    IfNotDelivered,
}

impl HttpClient {
    pub fn new(base: &str, settings: HttpSettings) -> HttpClient {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_connect(Some(settings.timeout))
            .timeout_send_request(Some(settings.timeout))
            .timeout_recv_response(Some(settings.timeout))
            // A stalled transfer times out; a long one that keeps moving does not.
            .timeout_per_read(Some(settings.timeout))
            .timeout_per_write(Some(settings.timeout))
            .build()
            .into();
        HttpClient {
            base: base.trim_end_matches('/').to_string(),
            agent,
            settings,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// The same client, retrying failed requests at most `retries` times.
    pub fn with_max_retries(&self, retries: u32) -> HttpClient {
        let mut client = self.clone();
        client.settings.max_retries = retries;
        client
    }

    /// `GET /api/2.0/mlflow/<endpoint>?<query>`.
    pub fn get(&self, endpoint: &str, query: &[(&str, String)]) -> Result<Value> {
        let url = self.api_url(endpoint);
        let reply = self.attempt(Repeatable::Always, || {
            let mut request = self.agent.get(&url);
            for (key, value) in query {
                request = request.query(*key, value);
            }
            request.call()
        });
        self.json_reply(endpoint, reply)
    }

    /// `POST /api/2.0/mlflow/<endpoint>` with a JSON body.
    pub fn post(&self, endpoint: &str, body: &Value) -> Result<Value> {
        let url = self.api_url(endpoint);
        let reply = self.attempt(Repeatable::IfNotDelivered, || self.agent.post(&url).send_json(body));
        self.json_reply(endpoint, reply)
    }

    /// `PATCH` or `DELETE /api/2.0/mlflow/<endpoint>` with a JSON body, as MLflow sends them.
    pub fn send(&self, method: &str, endpoint: &str, body: &Value) -> Result<Value> {
        let repeatable = if method == "DELETE" {
            Repeatable::Always
        } else {
            Repeatable::IfNotDelivered
        };
        let url = self.api_url(endpoint);
        let reply = self.attempt(repeatable, || {
            let request = ureq::http::Request::builder()
                .method(method)
                .uri(&url)
                .header("content-type", "application/json")
                .body(body.to_string())
                .map_err(ureq::Error::from)?;
            self.agent.run(request)
        });
        self.json_reply(endpoint, reply)
    }

    /// Make a request, and again after a backoff while it fails in a way worth retrying:
    /// the server unreachable, overloaded (429, 503) or, for repeatable requests, timing out
    /// or failing (408, 500, 502, 504).
    fn attempt(
        &self,
        repeatable: Repeatable,
        call: impl Fn() -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error> {
        let mut retry = 0;
        loop {
            let reply = call();
            let worth_retrying = match &reply {
                Ok(response) => retryable_status(response.status().as_u16(), repeatable),
                Err(error) => retryable_failure(error, repeatable),
            };
            if !worth_retrying || retry >= self.settings.max_retries {
                return reply;
            }
            retry += 1;
            std::thread::sleep(self.settings.backoff(retry));
        }
    }

    /// Raw bytes from a URL under the server (artifact downloads).
    pub fn get_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let url = self.url(path);
        let reply = self.attempt(Repeatable::Always, || self.agent.get(&url).call());
        let mut response = self.checked(path, reply)?;
        response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| transport(&self.base, path, e))
    }

    /// Upload bytes to a URL under the server (artifact uploads).
    pub fn put_bytes(&self, path: &str, bytes: &[u8]) -> Result<()> {
        // The same bytes to the same path: repeating an upload changes nothing.
        let url = self.url(path);
        let reply = self.attempt(Repeatable::Always, || self.agent.put(&url).send(bytes));
        self.checked(path, reply).map(drop)
    }

    pub fn delete(&self, path: &str) -> Result<()> {
        let url = self.url(path);
        let reply = self.attempt(Repeatable::Always, || self.agent.delete(&url).call());
        self.checked(path, reply).map(drop)
    }

    /// `GET <path>?<query>` under the server, answered with JSON.
    pub fn get_json(&self, path: &str, query: &[(&str, String)]) -> Result<Value> {
        let url = self.url(path);
        let reply = self.attempt(Repeatable::Always, || {
            let mut request = self.agent.get(&url);
            for (key, value) in query {
                request = request.query(*key, value);
            }
            request.call()
        });
        self.json_reply(path, reply)
    }

    fn api_url(&self, endpoint: &str) -> String {
        format!("{}/api/2.0/mlflow/{endpoint}", self.base)
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn json_reply(
        &self,
        what: &str,
        reply: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<Value> {
        let mut response = self.checked(what, reply)?;
        let text = response
            .body_mut()
            .with_config()
            .limit(MAX_RESPONSE_BYTES)
            .read_to_string()
            .map_err(|e| transport(&self.base, what, e))?;
        if text.trim().is_empty() {
            return Ok(Value::Object(Default::default()));
        }
        serde_json::from_str(&text).map_err(|e| {
            Error::Internal(format!(
                "the tracking server at {} sent malformed JSON for {what}: {e}",
                self.base
            ))
        })
    }

    /// The response if it is a success; MLflow's error body turned into an [`Error`] if not.
    fn checked(
        &self,
        what: &str,
        reply: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> Result<ureq::http::Response<ureq::Body>> {
        let mut response = reply.map_err(|e| transport(&self.base, what, e))?;
        let status = response.status().as_u16();
        if status < 400 {
            return Ok(response);
        }
        let text = response.body_mut().read_to_string().unwrap_or_default();
        Err(server_error(status, &text))
    }
}

fn retryable_status(status: u16, repeatable: Repeatable) -> bool {
    match status {
        429 | 503 => true,
        408 | 500 | 502 | 504 => repeatable == Repeatable::Always,
        _ => false,
    }
}

/// Failures that leave a write undelivered (nothing reached the server) are always worth a
/// retry; timeouts and broken connections only for requests that may be repeated.
fn retryable_failure(error: &ureq::Error, repeatable: Repeatable) -> bool {
    use std::io::ErrorKind;
    use ureq::Timeout;
    match error {
        ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => true,
        ureq::Error::Timeout(Timeout::Connect | Timeout::Resolve) => true,
        ureq::Error::Io(io) if io.kind() == ErrorKind::ConnectionRefused => true,
        ureq::Error::Timeout(_) | ureq::Error::Io(_) => repeatable == Repeatable::Always,
        _ => false,
    }
}

/// MLflow's `{"error_code", "message"}` as the matching rtrack error.
pub fn server_error(status: u16, body: &str) -> Error {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let code = parsed.as_ref().and_then(|v| v["error_code"].as_str()).unwrap_or("");
    let message = parsed
        .as_ref()
        .and_then(|v| v["message"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}: {}", body.chars().take(200).collect::<String>()));
    match (code, status) {
        ("RESOURCE_DOES_NOT_EXIST", _) | ("", 404) => Error::NotFound(message),
        ("RESOURCE_ALREADY_EXISTS", _) => Error::AlreadyExists(message),
        (_, 400..=499) => Error::InvalidValue(message),
        _ => Error::Internal(format!("the tracking server failed: {message}")),
    }
}

fn transport(base: &str, what: &str, error: impl std::fmt::Display) -> Error {
    Error::io(
        format!("calling {what} on the tracking server at {base}"),
        io::Error::other(error.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mlflow_error_codes_become_rtrack_errors() {
        let body = r#"{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run 'x' not found"}"#;
        assert!(matches!(server_error(404, body), Error::NotFound(m) if m == "Run 'x' not found"));
        let body = r#"{"error_code": "RESOURCE_ALREADY_EXISTS", "message": "taken"}"#;
        assert!(matches!(server_error(400, body), Error::AlreadyExists(_)));
        assert!(matches!(
            server_error(400, r#"{"error_code": "BAD_REQUEST", "message": "m"}"#),
            Error::InvalidValue(_)
        ));
        assert!(matches!(server_error(502, "<html>bad gateway</html>"), Error::Internal(m) if m.contains("502")));
    }
}
