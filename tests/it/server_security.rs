//! The checks in front of every route, over real HTTP on 127.0.0.1: Host headers that are
//! not this server's (DNS rebinding), state-changing requests from another site's page or
//! with a body that is not JSON (cross-site request forgery), and the framing and sniffing
//! headers on every response.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpStream;

use rtrack::server::{start, RunningServer, ServerConfig};
use serde_json::Value;
use tempfile::TempDir;

pub struct Server {
    dir: TempDir,
    server: RunningServer,
}

pub fn server_with(configure: impl FnOnce(&mut ServerConfig)) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let mut config = ServerConfig {
        port: 0,
        ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
    };
    configure(&mut config);
    let server = start(&config).expect("server starts");
    Server { dir, server }
}

pub fn server() -> Server {
    server_with(|_| {})
}

/// A reply: status, lower-cased headers, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("not JSON ({}): {}", self.status, self.body))
    }
}

impl Server {
    /// The store the server serves, for opening it directly.
    pub fn store_uri(&self) -> String {
        common::uri_of(&self.dir.path().join("store")).to_string()
    }

    pub fn port(&self) -> u16 {
        self.server.address().port()
    }

    /// One request written by hand, so the Host, Origin and Content-Type headers are
    /// exactly what a browser (or an attacker's page) would send.
    pub fn raw(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
        let mut stream = TcpStream::connect(self.server.address()).unwrap();
        let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            request.push_str(&format!("Host: 127.0.0.1:{}\r\n", self.port()));
        }
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        if !body.is_empty() || method != "GET" {
            request.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8_lossy(&raw).to_string();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|line| line.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }

    pub fn create_experiment(&self, name: &str, headers: &[(&str, &str)]) -> Reply {
        let body = format!(r#"{{"name": "{name}"}}"#);
        self.raw("POST", "/api/2.0/mlflow/experiments/create", headers, &body)
    }

    pub fn experiment_exists(&self, name: &str) -> bool {
        let path = format!("/api/2.0/mlflow/experiments/get-by-name?experiment_name={name}");
        self.raw("GET", &path, &[], "").status == 200
    }
}

pub const JSON: (&str, &str) = ("Content-Type", "application/json");

#[test]
fn a_form_post_from_another_site_changes_nothing() {
    let s = server();
    // What an HTML form on another site sends: a simple content type and its Origin.
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let reply = s.create_experiment(
            "forged",
            &[
                ("Content-Type", content_type),
                ("Origin", "https://evil.example"),
                ("Sec-Fetch-Site", "cross-site"),
            ],
        );
        assert_eq!(reply.status, 403, "{content_type}: {}", reply.body);
        assert_eq!(reply.json()["message"], "Cross-origin request blocked");
        assert_eq!(reply.json()["error_code"], "PERMISSION_DENIED");
    }
    // A JSON body from another site's script is refused just the same.
    let reply = s.create_experiment("forged", &[JSON, ("Origin", "https://evil.example")]);
    assert_eq!(reply.status, 403, "{}", reply.body);
    let reply = s.create_experiment("forged", &[JSON, ("Sec-Fetch-Site", "cross-site")]);
    assert_eq!(reply.status, 403, "{}", reply.body);
    // Without an Origin, a body that is not JSON is not read as JSON.
    let reply = s.create_experiment("forged", &[("Content-Type", "text/plain")]);
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(reply.json()["error_code"], "INVALID_PARAMETER_VALUE");
    assert_eq!(
        reply.json()["message"],
        "Bad Request. Content-Type must be one of ['application/json']."
    );
    let reply = s.create_experiment("forged", &[]);
    assert_eq!(reply.json()["message"], "Bad Request. Content-Type header is missing.");
    let delete = s.raw(
        "DELETE",
        "/api/2.0/mlflow/registered-models/delete",
        &[("Content-Type", "text/plain")],
        r#"{"name": "m"}"#,
    );
    assert_eq!(delete.status, 400, "{}", delete.body);
    assert!(!s.experiment_exists("forged"));
}

#[test]
fn clients_without_an_origin_and_the_servers_own_pages_still_write() {
    let s = server();
    // The mlflow client and curl: JSON and no Origin.
    assert_eq!(s.create_experiment("plain", &[JSON]).status, 200);
    assert_eq!(
        s.create_experiment("charset", &[("Content-Type", "application/json; charset=utf-8")])
            .status,
        200
    );
    // The UI's own page, and pages on this machine (a notebook on another local port).
    let own = format!("http://127.0.0.1:{}", s.port());
    assert_eq!(s.create_experiment("own", &[JSON, ("Origin", &own)]).status, 200);
    assert_eq!(
        s.create_experiment(
            "same",
            &[
                JSON,
                ("Sec-Fetch-Site", "same-origin"),
                ("Origin", "https://proxy.example")
            ]
        )
        .status,
        200
    );
    assert_eq!(
        s.create_experiment("local", &[JSON, ("Origin", "http://localhost:8888")])
            .status,
        200
    );
    for name in ["plain", "charset", "own", "same", "local"] {
        assert!(s.experiment_exists(name), "{name}");
    }
    // Reads are never refused for their origin.
    let reply = s.raw(
        "GET",
        "/api/2.0/mlflow/experiments/search?max_results=5",
        &[("Origin", "https://evil.example")],
        "",
    );
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Artifacts go up with the file's own type, as MLflow's client sends them.
    let run = s
        .raw(
            "POST",
            "/api/2.0/mlflow/runs/create",
            &[JSON],
            r#"{"experiment_id": "0"}"#,
        )
        .json();
    let run_id = run["run"]["info"]["run_id"].as_str().unwrap().to_string();
    let put = s.raw(
        "PUT",
        &format!("/api/2.0/mlflow-artifacts/artifacts/0/{run_id}/artifacts/notes.txt"),
        &[("Content-Type", "text/plain")],
        "hello",
    );
    assert_eq!(put.status, 200, "{}", put.body);
    // The UI's upload takes raw bytes with no type (no other site's form can send those) but
    // not a text/plain body, which any page can post.
    let upload = |headers: &[(&str, &str)]| {
        let path = format!("/ajax-api/2.0/mlflow/upload-artifact?run_uuid={run_id}&path=raw.txt");
        s.raw("POST", &path, headers, "hello world").status
    };
    assert_eq!(upload(&[]), 200);
    assert_eq!(upload(&[("Content-Type", "text/plain")]), 400);
}

#[test]
fn allowed_origins_may_write_and_star_allows_all() {
    let s = server_with(|c| {
        c.cors_allowed_origins = vec!["https://app.example.com".into(), "https://*.corp.example".into()]
    });
    assert_eq!(
        s.create_experiment("a", &[JSON, ("Origin", "https://app.example.com")])
            .status,
        200
    );
    assert_eq!(
        s.create_experiment("b", &[JSON, ("Origin", "https://ui.corp.example")])
            .status,
        200
    );
    assert_eq!(
        s.create_experiment("c", &[JSON, ("Origin", "https://app.example.com.evil")])
            .status,
        403
    );
    let s = server_with(|c| c.cors_allowed_origins = vec!["*".into()]);
    assert_eq!(
        s.create_experiment("d", &[JSON, ("Origin", "https://anywhere.example")])
            .status,
        200
    );
}

#[test]
fn a_host_header_that_is_not_this_server_is_refused() {
    let s = server();
    let rebound = s.raw(
        "GET",
        "/api/2.0/mlflow/experiments/search",
        &[("Host", "attacker.example:5000")],
        "",
    );
    assert_eq!(rebound.status, 403, "{}", rebound.body);
    assert_eq!(
        rebound.json()["message"],
        "Invalid Host header - possible DNS rebinding attack detected"
    );
    assert_eq!(s.raw("GET", "/", &[("Host", "attacker.example")], "").status, 403);
    for host in ["localhost", "localhost:5000", "127.0.0.1:1234", "[::1]:80"] {
        let reply = s.raw("GET", "/api/2.0/mlflow/experiments/search", &[("Host", host)], "");
        assert_eq!(reply.status, 200, "{host}: {}", reply.body);
    }
    // Health checks come from load balancers under any name.
    assert_eq!(s.raw("GET", "/health", &[("Host", "lb.internal")], "").status, 200);

    let listed = server_with(|c| c.allowed_hosts = vec!["mlflow.example.com".into(), "*.internal:*".into()]);
    for (host, status) in [
        ("mlflow.example.com", 200),
        ("a.internal:5000", 200),
        ("localhost:5000", 200),
        ("mlflow.example.com.evil", 403),
    ] {
        let reply = listed.raw("GET", "/api/2.0/mlflow/experiments/search", &[("Host", host)], "");
        assert_eq!(reply.status, status, "{host}: {}", reply.body);
    }
    let any = server_with(|c| c.allowed_hosts = vec!["*".into()]);
    assert_eq!(any.raw("GET", "/", &[("Host", "whatever.example")], "").status, 200);
}

#[test]
fn pages_may_be_framed_only_by_this_server_and_the_ancestors_allowed() {
    let s = server();
    let page = s.raw("GET", "/", &[], "");
    assert_eq!(page.status, 200);
    assert_eq!(page.header("x-frame-options"), Some("SAMEORIGIN"));
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.contains("frame-ancestors 'self'"), "{policy}");
    assert!(
        policy.contains("default-src 'self'"),
        "the page's own policy stays: {policy}"
    );
    let json = s.raw("GET", "/api/2.0/mlflow/experiments/search", &[], "");
    assert_eq!(json.header("x-content-type-options"), Some("nosniff"));
    let missing = s.raw("GET", "/api/2.0/mlflow/nothing-here", &[], "");
    assert_eq!(missing.header("x-content-type-options"), Some("nosniff"));

    let notebook = server_with(|c| {
        c.frame_ancestors = vec!["http://localhost:8888".into(), "https://*.googleusercontent.com".into()]
    });
    let page = notebook.raw("GET", "/", &[], "");
    let policy = page.header("content-security-policy").unwrap();
    assert!(
        policy.contains("frame-ancestors 'self' http://localhost:8888 https://*.googleusercontent.com"),
        "{policy}"
    );
    assert_eq!(page.header("x-frame-options"), Some("SAMEORIGIN"));
    let bad = ServerConfig {
        frame_ancestors: vec!["https://x; script-src *".into()],
        ..ServerConfig::new("/tmp/unused")
    };
    assert!(bad.validate().is_err());
}
