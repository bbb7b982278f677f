//! Talking to an MLflow-compatible server: one call per endpoint, JSON in and out, and
//! MLflow's error shape turned back into rtrack's [`Error`] variants.

use std::io;

use serde_json::Value;

use crate::error::{Error, Result};

/// Responses larger than this are refused (a search page of 50,000 runs fits well inside).
const MAX_RESPONSE_BYTES: u64 = 1 << 30;

/// An HTTP client bound to one server, e.g. `http://127.0.0.1:5000`.
#[derive(Clone)]
pub struct HttpClient {
    base: String,
    agent: ureq::Agent,
}

impl HttpClient {
    pub fn new(base: &str) -> HttpClient {
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        HttpClient {
            base: base.trim_end_matches('/').to_string(),
            agent,
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// `GET /api/2.0/mlflow/<endpoint>?<query>`.
    pub fn get(&self, endpoint: &str, query: &[(&str, String)]) -> Result<Value> {
        let mut request = self.agent.get(self.api_url(endpoint));
        for (key, value) in query {
            request = request.query(*key, value);
        }
        self.json_reply(endpoint, request.call())
    }

    /// `POST /api/2.0/mlflow/<endpoint>` with a JSON body.
    pub fn post(&self, endpoint: &str, body: &Value) -> Result<Value> {
        self.json_reply(endpoint, self.agent.post(self.api_url(endpoint)).send_json(body))
    }

    /// `PATCH` or `DELETE /api/2.0/mlflow/<endpoint>` with a JSON body, as MLflow sends them.
    pub fn send(&self, method: &str, endpoint: &str, body: &Value) -> Result<Value> {
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(self.api_url(endpoint))
            .header("content-type", "application/json")
            .body(body.to_string())
            .map_err(|e| Error::Internal(format!("building a {method} request: {e}")))?;
        self.json_reply(endpoint, self.agent.run(request))
    }

    /// Raw bytes from a URL under the server (artifact downloads).
    pub fn get_bytes(&self, path: &str) -> Result<Vec<u8>> {
        let mut response = self.checked(path, self.agent.get(self.url(path)).call())?;
        response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| transport(&self.base, path, e))
    }

    /// Upload bytes to a URL under the server (artifact uploads).
    pub fn put_bytes(&self, path: &str, bytes: &[u8]) -> Result<()> {
        self.checked(path, self.agent.put(self.url(path)).send(bytes)).map(drop)
    }

    pub fn delete(&self, path: &str) -> Result<()> {
        self.checked(path, self.agent.delete(self.url(path)).call()).map(drop)
    }

    /// `GET <path>?<query>` under the server, answered with JSON.
    pub fn get_json(&self, path: &str, query: &[(&str, String)]) -> Result<Value> {
        let mut request = self.agent.get(self.url(path));
        for (key, value) in query {
            request = request.query(*key, value);
        }
        self.json_reply(path, request.call())
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
