//! What one large request costs a real `rtrack server` process in memory: its peak resident
//! set (`VmHWM`) stays far below the size of what it serves, because a long metric history
//! and a large artifact pass through it in pieces, never whole.

use std::io::Read;

use serde::Deserialize;

use crate::cli::{Fixture, ServerProcess};
use rtrack::RunOptions;

/// The most a server may hold at its peak, whatever one request asks.
const PEAK_LIMIT_MIB: u64 = 200;

/// The server process's peak resident set so far.
fn peak_rss_mib(server: &ServerProcess) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc status");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib / 1024
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder().http_status_as_error(false).build().into()
}

#[derive(Deserialize)]
struct HistoryPage {
    metrics: Vec<Point>,
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct Point {
    key: String,
    value: f64,
    timestamp: i64,
    step: i64,
}

fn get_history(server: &ServerProcess, query: &str) -> HistoryPage {
    let url = format!("{}/api/2.0/mlflow/metrics/get-history?{query}", server.url);
    let mut response = agent().get(&url).call().unwrap();
    assert_eq!(response.status(), 200);
    let content_type = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(content_type, "application/json");
    // Whole, then parsed: serde_json reading straight from the socket goes a byte at a time.
    let mut raw = Vec::new();
    response
        .body_mut()
        .with_config()
        .limit(u64::MAX)
        .reader()
        .read_to_end(&mut raw)
        .unwrap();
    serde_json::from_slice(&raw).unwrap()
}

fn value_at(i: usize) -> f64 {
    (i as f64) * 0.1 + 1.0 / 3.0
}

#[test]
fn a_million_point_history_reaches_the_client_whole_while_the_server_stays_small() {
    let fx = Fixture::new();
    let tracker = fx.tracker();
    let run_id = tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    let n = 1_000_000usize;
    tracker
        .log_metric_series(
            &run_id,
            "loss",
            (0..n).map(value_at).collect(),
            Some((0..n as i64).collect()),
            Some((0..n as i64).map(|i| 1_700_000_000_000 + i / 7).collect()),
        )
        .unwrap();
    drop(tracker);
    let server = ServerProcess::start(&fx, &["--backend-store-uri", &fx.store_uri()]);

    let whole = get_history(&server, &format!("run_id={run_id}&metric_key=loss"));
    assert_eq!(whole.metrics.len(), n);
    assert!(whole.next_page_token.is_none());
    for (i, point) in whole.metrics.iter().enumerate() {
        assert_eq!(point.value.to_bits(), value_at(i).to_bits(), "value {i}");
        assert_eq!(
            (point.step, point.timestamp),
            (i as i64, 1_700_000_000_000 + i as i64 / 7)
        );
    }
    assert_eq!(whole.metrics[0].key, "loss");
    // The UI's chart of the whole history, thinned to 2,000 points.
    let chart_url = format!(
        "{}/ui-api/metric-history?run_id={run_id}&key=loss&max_points=2000",
        server.url
    );
    let chart: serde_json::Value = agent().get(&chart_url).call().unwrap().body_mut().read_json().unwrap();
    assert_eq!(chart["total_points"], n);
    assert_eq!(chart["steps"].as_array().unwrap().len(), 2000);
    let peak = peak_rss_mib(&server);
    assert!(
        peak < PEAK_LIMIT_MIB,
        "serving {n} points took the server to {peak} MiB"
    );

    // Pages follow each other by token, across the store's chunk boundaries.
    let first = get_history(&server, &format!("run_id={run_id}&metric_key=loss&max_results=10000"));
    let token = first.next_page_token.expect("a next page");
    let second = get_history(
        &server,
        &format!("run_id={run_id}&metric_key=loss&max_results=10000&page_token={token}"),
    );
    let steps: Vec<i64> = first.metrics.iter().chain(&second.metrics).map(|p| p.step).collect();
    assert_eq!(steps, (0..20_000).collect::<Vec<i64>>());
    assert!(second.next_page_token.is_some());
    server.stop();
}

/// Deterministic bytes of any length, generated as they are read.
struct Pattern {
    position: u64,
    len: u64,
}

/// Byte `i` of the pattern is `i % 251`: this holds it from every phase, a piece long.
fn pattern_table() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| (0..251 + (1 << 16)).map(|i| (i % 251) as u8).collect())
}

impl Read for Pattern {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(1 << 16).min((self.len - self.position) as usize);
        let phase = (self.position % 251) as usize;
        buf[..n].copy_from_slice(&pattern_table()[phase..phase + n]);
        self.position += n as u64;
        Ok(n)
    }
}

#[test]
fn a_large_artifact_goes_up_and_down_through_the_server_in_pieces() {
    let fx = Fixture::new();
    let tracker = fx.tracker();
    let run_id = tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    drop(tracker);
    let destination = fx.store_uri().replace("/store", "/served");
    let server = ServerProcess::start(
        &fx,
        &[
            "--backend-store-uri",
            &fx.store_uri(),
            "--artifacts-destination",
            &destination,
        ],
    );
    let len: u64 = 320 << 20;
    let url = format!(
        "{}/api/2.0/mlflow-artifacts/artifacts/0/{run_id}/artifacts/weights.bin",
        server.url
    );
    let mut upload = Pattern { position: 0, len };
    let put = agent()
        .put(&url)
        .header("Content-Type", "application/octet-stream")
        .send(ureq::SendBody::from_reader(&mut upload))
        .unwrap();
    assert_eq!(put.status(), 200);

    let mut response = agent().get(&url).call().unwrap();
    assert_eq!(response.status(), 200);
    let announced = response
        .headers()
        .get("content-length")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(announced, Some(len.to_string()));
    let mut body = response.body_mut().with_config().limit(u64::MAX).reader();
    let mut expected = Pattern { position: 0, len };
    let (mut got, mut want) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    let mut received = 0u64;
    loop {
        let n = body.read(&mut got).unwrap();
        if n == 0 {
            break;
        }
        expected.read_exact(&mut want[..n]).unwrap();
        assert!(got[..n] == want[..n], "bytes differ after {received}");
        received += n as u64;
    }
    assert_eq!(received, len);
    let peak = peak_rss_mib(&server);
    assert!(
        peak < PEAK_LIMIT_MIB,
        "a {} MiB artifact up and down took the server to {peak} MiB",
        len >> 20
    );
    server.stop();
}
