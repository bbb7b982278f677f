//! The server over real HTTP on 127.0.0.1: MLflow's endpoints and JSON shapes, its error
//! shape for bad input, artifact confinement, concurrent clients and a clean shutdown.

use crate::common;

use std::path::Path;

use rtrack::server::{start, RunningServer, ServerConfig};
use rtrack::Tracker;
use serde_json::{json, Value};
use tempfile::TempDir;

/// A server on a free port over a fresh store, and a client for it.
struct Fixture {
    dir: TempDir,
    server: Option<RunningServer>,
    agent: ureq::Agent,
    base: String,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let config = ServerConfig {
            port: 0,
            ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
        };
        let server = start(&config).expect("server starts");
        let base = server.url();
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Fixture {
            dir,
            server: Some(server),
            agent,
            base,
        }
    }

    fn store_path(&self) -> std::path::PathBuf {
        self.dir.path().join("store")
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (k, v) in query {
            request = request.query(*k, *v);
        }
        read(request.call().unwrap())
    }

    fn post(&self, path: &str, body: Value) -> (u16, Value) {
        read(
            self.agent
                .post(format!("{}{path}", self.base))
                .send_json(&body)
                .unwrap(),
        )
    }

    /// PATCH or DELETE with a JSON body, as MLflow's client sends them.
    fn send(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let url = format!("{}/api/2.0/mlflow/{path}", self.base);
        let request = ureq::http::Request::builder()
            .method(method)
            .uri(url)
            .header("content-type", "application/json")
            .body(body.to_string())
            .unwrap();
        read(self.agent.run(request).unwrap())
    }

    fn post_raw(&self, path: &str, body: &str) -> (u16, Value) {
        read(
            self.agent
                .post(format!("{}{path}", self.base))
                .content_type("application/json")
                .send(body)
                .unwrap(),
        )
    }

    fn api_get(&self, endpoint: &str, query: &[(&str, &str)]) -> (u16, Value) {
        self.get(&format!("/api/2.0/mlflow/{endpoint}"), query)
    }

    fn api_post(&self, endpoint: &str, body: Value) -> (u16, Value) {
        self.post(&format!("/api/2.0/mlflow/{endpoint}"), body)
    }

    fn ok(&self, endpoint: &str, body: Value) -> Value {
        let (status, reply) = self.api_post(endpoint, body);
        assert_eq!(status, 200, "{endpoint}: {reply}");
        reply
    }

    fn new_run(&self, experiment_id: &str) -> String {
        let reply = self.ok(
            "runs/create",
            json!({ "experiment_id": experiment_id, "user_id": "tester", "start_time": 1000 }),
        );
        reply["run"]["info"]["run_id"].as_str().unwrap().to_string()
    }

    fn stop(&mut self) {
        self.server.take().unwrap().stop().expect("clean stop");
    }
}

fn read(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn assert_error(reply: (u16, Value), status: u16, code: &str, mentions: &str) {
    assert_eq!(reply.0, status, "{}", reply.1);
    assert_eq!(reply.1["error_code"], code, "{}", reply.1);
    let message = reply.1["message"].as_str().unwrap();
    assert!(message.contains(mentions), "'{message}' should mention '{mentions}'");
}

#[test]
fn health_version_and_server_info() {
    let fx = Fixture::new();
    assert_eq!(fx.get("/health", &[]), (200, Value::String("OK".into())));
    // The mlflow client reads /version to decide what the server supports.
    assert_eq!(fx.get("/version", &[]).1, Value::String("3.17.2".into()));
    let info = fx.get("/api/3.0/mlflow/server-info", &[]).1;
    assert_eq!(info["store_type"], "SqlStore");
    assert_eq!(info["rtrack_version"], env!("CARGO_PKG_VERSION"));
}

#[test]
fn experiments_round_trip_in_mlflow_shapes() {
    let fx = Fixture::new();
    let reply = fx.ok(
        "experiments/create",
        json!({ "name": "wine", "tags": [{ "key": "team", "value": "ml" }] }),
    );
    let id = reply["experiment_id"]
        .as_str()
        .expect("experiment ids are strings")
        .to_string();
    let (status, got) = fx.api_get("experiments/get-by-name", &[("experiment_name", "wine")]);
    assert_eq!(status, 200);
    let experiment = &got["experiment"];
    assert_eq!(experiment["experiment_id"], id.as_str());
    assert_eq!(experiment["tags"], json!([{ "key": "team", "value": "ml" }]));
    assert_eq!(experiment["artifact_location"], format!("mlflow-artifacts:/{id}"));
    assert!(experiment["creation_time"].is_i64(), "int64 fields are JSON numbers");

    fx.ok(
        "experiments/update",
        json!({ "experiment_id": id, "new_name": "wine-quality" }),
    );
    fx.ok("experiments/delete", json!({ "experiment_id": id }));
    let (_, listed) = fx.api_post("experiments/search", json!({ "view_type": "ACTIVE_ONLY" }));
    let names: Vec<&str> = listed["experiments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, vec!["Default"]);
    fx.ok("experiments/restore", json!({ "experiment_id": id }));
    let (_, listed) = fx.api_get("experiments/search", &[("filter", "name LIKE 'wine%'")]);
    assert_eq!(listed["experiments"][0]["name"], "wine-quality");

    assert_error(
        fx.api_post("experiments/create", json!({ "name": "wine-quality" })),
        400,
        "RESOURCE_ALREADY_EXISTS",
        "wine-quality",
    );
    assert_error(
        fx.api_get("experiments/get", &[("experiment_id", "999")]),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "999",
    );
    assert_error(
        fx.api_get("experiments/get-by-name", &[("experiment_name", "nope")]),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "nope",
    );
}

#[test]
fn a_run_logged_over_http_reads_back_and_is_in_the_store() {
    let mut fx = Fixture::new();
    let run_id = fx.new_run("0");
    fx.ok(
        "runs/log-parameter",
        json!({ "run_id": run_id, "key": "alpha", "value": "0.5" }),
    );
    fx.ok(
        "runs/set-tag",
        json!({ "run_id": run_id, "key": "team", "value": "ml" }),
    );
    fx.ok(
        "runs/log-metric",
        json!({ "run_id": run_id, "key": "rmse", "value": 0.7, "timestamp": 5, "step": 1 }),
    );
    fx.ok(
        "runs/log-metric",
        json!({ "run_uuid": run_id, "key": "odd", "value": "NaN", "timestamp": 5 }),
    );
    let metrics: Vec<Value> = (0..1000)
        .map(|i| json!({ "key": "loss", "value": 1.0 / (i as f64 + 1.0), "timestamp": 10 + i, "step": i }))
        .collect();
    fx.ok(
        "runs/log-batch",
        json!({
            "run_id": run_id,
            "metrics": metrics,
            "params": [{ "key": "solver", "value": "cd" }],
            "tags": [{ "key": "mlflow.note.content", "value": "batch" }],
        }),
    );
    fx.ok(
        "runs/update",
        json!({ "run_id": run_id, "status": "FINISHED", "end_time": 2000 }),
    );

    let (status, got) = fx.api_get("runs/get", &[("run_id", &run_id)]);
    assert_eq!(status, 200);
    let run = &got["run"];
    assert_eq!(run["info"]["status"], "FINISHED");
    assert_eq!(run["info"]["end_time"], 2000);
    assert_eq!(run["info"]["run_uuid"], run_id.as_str());
    assert_eq!(
        run["info"]["artifact_uri"],
        format!("mlflow-artifacts:/0/{run_id}/artifacts")
    );
    let metric = |key: &str| {
        run["data"]["metrics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["key"] == key)
            .cloned()
            .unwrap()
    };
    assert_eq!(metric("loss")["step"], 999);
    assert_eq!(metric("odd")["value"], "NaN");
    assert_eq!(
        run["data"]["params"],
        json!([{ "key": "alpha", "value": "0.5" }, { "key": "solver", "value": "cd" }])
    );

    let (_, history) = fx.api_get("metrics/get-history", &[("run_id", &run_id), ("metric_key", "loss")]);
    let points = history["metrics"].as_array().unwrap();
    assert_eq!(points.len(), 1000);
    assert_eq!(
        (points[0]["step"].as_i64(), points[999]["timestamp"].as_i64()),
        (Some(0), Some(1009))
    );
    let (_, first_page) = fx.api_get(
        "metrics/get-history",
        &[("run_id", &run_id), ("metric_key", "loss"), ("max_results", "600")],
    );
    assert_eq!(first_page["metrics"].as_array().unwrap().len(), 600);
    let token = first_page["next_page_token"].as_str().unwrap().to_string();
    let (_, second_page) = fx.api_get(
        "metrics/get-history",
        &[("run_id", &run_id), ("metric_key", "loss"), ("page_token", &token)],
    );
    assert_eq!(second_page["metrics"].as_array().unwrap().len(), 400);
    assert!(second_page.get("next_page_token").is_none());

    // The same store, opened directly once the server is gone, holds everything.
    fx.stop();
    let tracker = Tracker::open(fx.store_path().to_str().unwrap()).unwrap();
    let stored = tracker.get_run(&run_id).unwrap();
    assert_eq!(stored.data.params["solver"], "cd");
    assert_eq!(tracker.get_metric_series(&run_id, "loss").unwrap().len(), 1000);
}

#[test]
fn search_runs_takes_filters_order_and_pages() {
    let fx = Fixture::new();
    let mut ids = Vec::new();
    for i in 0..5 {
        let run_id = fx.new_run("0");
        fx.ok(
            "runs/log-batch",
            json!({
                "run_id": run_id,
                "metrics": [{ "key": "rmse", "value": i as f64 / 10.0, "timestamp": 1, "step": 0 }],
                "params": [{ "key": "alpha", "value": if i % 2 == 0 { "even" } else { "odd" } }],
            }),
        );
        ids.push(run_id);
    }
    let (status, found) = fx.api_post(
        "runs/search",
        json!({
            "experiment_ids": ["0"],
            "filter": "params.alpha = 'even' and metrics.rmse >= 0.1",
            "order_by": ["metrics.rmse DESC"],
        }),
    );
    assert_eq!(status, 200, "{found}");
    let got: Vec<&str> = found["runs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["info"]["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec![ids[4].as_str(), ids[2].as_str()]);

    let (_, page) = fx.api_post("runs/search", json!({ "experiment_ids": ["0"], "max_results": 3 }));
    assert_eq!(page["runs"].as_array().unwrap().len(), 3);
    let token = page["next_page_token"].as_str().unwrap();
    let (_, rest) = fx.api_post(
        "runs/search",
        json!({ "experiment_ids": ["0"], "max_results": 3, "page_token": token }),
    );
    assert_eq!(rest["runs"].as_array().unwrap().len(), 2);

    // A filter trying SQL injection is refused or matches nothing, and changes nothing.
    let (status, reply) = fx.api_post(
        "runs/search",
        json!({
            "experiment_ids": ["0"],
            "filter": "params.alpha = 'x' OR 1=1; DROP TABLE runs; --'",
        }),
    );
    assert_eq!(status, 400, "{reply}");
    assert_eq!(reply["error_code"], "INVALID_PARAMETER_VALUE");
    let (_, injected) = fx.api_post(
        "runs/search",
        json!({ "experiment_ids": ["0"], "filter": "params.alpha = 'x'' OR ''1''=''1'" }),
    );
    assert_eq!(injected["runs"].as_array().map_or(0, Vec::len), 0);
    let (_, all) = fx.api_post("runs/search", json!({ "experiment_ids": ["0"] }));
    assert_eq!(all["runs"].as_array().unwrap().len(), 5);
}

#[test]
fn bad_requests_get_mlflow_errors_and_change_nothing() {
    let fx = Fixture::new();
    let run_id = fx.new_run("0");
    fx.ok(
        "runs/log-parameter",
        json!({ "run_id": run_id, "key": "alpha", "value": "1" }),
    );

    assert_error(
        fx.post_raw("/api/2.0/mlflow/runs/log-parameter", "{\"run_id\": "),
        400,
        "BAD_REQUEST",
        "Malformed JSON",
    );
    assert_error(
        fx.api_post("runs/log-parameter", json!({ "run_id": 42, "key": "a", "value": "1" })),
        400,
        "INVALID_PARAMETER_VALUE",
        "'run_id'",
    );
    assert_error(
        fx.api_post(
            "runs/log-metric",
            json!({ "run_id": run_id, "key": "m", "value": "high", "timestamp": 1 }),
        ),
        400,
        "INVALID_PARAMETER_VALUE",
        "'value'",
    );
    assert_error(
        fx.api_post("runs/log-parameter", json!({ "key": "a", "value": "1" })),
        400,
        "INVALID_PARAMETER_VALUE",
        "'run_id'",
    );
    assert_error(
        fx.api_get("runs/get", &[("run_id", "0123456789abcdef0123456789abcdef")]),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "0123456789abcdef0123456789abcdef",
    );
    assert_error(
        fx.api_post(
            "runs/log-parameter",
            json!({ "run_id": run_id, "key": "alpha", "value": "2" }),
        ),
        400,
        "INVALID_PARAMETER_VALUE",
        "alpha",
    );
    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({ "key": "m", "value": 1.0, "timestamp": i }))
        .collect();
    assert_error(
        fx.api_post("runs/log-batch", json!({ "run_id": run_id, "metrics": too_many })),
        400,
        "INVALID_PARAMETER_VALUE",
        "1000",
    );
    assert_error(
        fx.get("/api/2.0/mlflow/no-such-endpoint", &[]),
        404,
        "ENDPOINT_NOT_FOUND",
        "no-such-endpoint",
    );

    // A body past the limit is refused before it is read in full. The server then closes
    // the connection, so this request gets an agent of its own.
    let huge = format!(
        "{{\"run_id\": \"{run_id}\", \"key\": \"k\", \"value\": \"{}\"}}",
        "x".repeat(17 << 20)
    );
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let response = agent
        .post(format!("{}/api/2.0/mlflow/runs/set-tag", fx.base))
        .content_type("application/json")
        .send(&huge);
    match response {
        Ok(response) => assert_eq!(response.status().as_u16(), 413),
        // The server may hang up while the client is still sending: also a refusal.
        Err(error) => assert!(matches!(error, ureq::Error::Io(_)), "{error}"),
    }

    let (_, got) = fx.api_get("runs/get", &[("run_id", &run_id)]);
    assert_eq!(got["run"]["data"]["params"], json!([{ "key": "alpha", "value": "1" }]));
    assert!(got["run"]["data"]["metrics"].as_array().unwrap().is_empty());
    assert_eq!(
        got["run"]["data"]["tags"].as_array().unwrap().len(),
        1,
        "only mlflow.runName: {got}"
    );
}

#[test]
fn proxied_artifacts_stay_inside_the_artifact_root() {
    let fx = Fixture::new();
    let run_id = fx.new_run("0");
    let base = format!("{}/api/2.0/mlflow-artifacts/artifacts", fx.base);
    let file_url = format!("{base}/0/{run_id}/artifacts/notes/readme.txt");
    let (status, _) = read(fx.agent.put(&file_url).send(&b"hello"[..]).unwrap());
    assert_eq!(status, 200);
    let mut download = fx.agent.get(&file_url).call().unwrap();
    assert_eq!(download.status(), 200);
    assert_eq!(download.body_mut().read_to_string().unwrap(), "hello");

    let (_, listing) = fx.get(
        "/api/2.0/mlflow-artifacts/artifacts",
        &[("path", &format!("0/{run_id}/artifacts/notes"))],
    );
    assert_eq!(
        listing["files"],
        json!([{ "path": "readme.txt", "is_dir": false, "file_size": 5 }])
    );
    let (_, run_listing) = fx.api_get("artifacts/list", &[("run_id", &run_id)]);
    assert_eq!(run_listing["files"], json!([{ "path": "notes", "is_dir": true }]));
    assert_eq!(
        run_listing["root_uri"],
        format!("mlflow-artifacts:/0/{run_id}/artifacts")
    );

    // Escapes, percent-encoded or not, are refused and write nothing outside the root.
    let outside = fx.dir.path().join("escaped.txt");
    for path in [
        "0/..%2F..%2F..%2Fescaped.txt",
        "..%2F..%2Fescaped.txt",
        "%2Ftmp%2Fescaped.txt",
    ] {
        let (status, reply) = read(fx.agent.put(format!("{base}/{path}")).send(&b"x"[..]).unwrap());
        assert!(status == 400 || status == 404, "{path}: {status} {reply}");
        assert!(!outside.exists(), "{path} escaped the artifact root");
    }
    let (status, reply) = fx.get("/api/2.0/mlflow-artifacts/artifacts", &[("path", "../..")]);
    assert_eq!(status, 400, "{reply}");
    assert_error(
        fx.get("/api/2.0/mlflow-artifacts/artifacts/nothing/here.txt", &[]),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "here.txt",
    );

    let (status, _) = read(fx.agent.delete(&file_url).call().unwrap());
    assert_eq!(status, 200);
    assert!(!Path::new(
        &fx.store_path()
            .join(format!("artifacts/0/{run_id}/artifacts/notes/readme.txt"))
    )
    .exists());
}

#[test]
fn eight_concurrent_clients_lose_nothing() {
    let mut fx = Fixture::new();
    let run_ids: Vec<String> = (0..8).map(|_| fx.new_run("0")).collect();
    const BATCHES: i64 = 20;
    std::thread::scope(|scope| {
        for run_id in &run_ids {
            let (base, agent) = (fx.base.clone(), fx.agent.clone());
            scope.spawn(move || {
                for batch in 0..BATCHES {
                    let metrics: Vec<Value> = (0..100)
                        .map(|i| json!({ "key": "loss", "value": i as f64, "timestamp": batch * 100 + i, "step": batch * 100 + i }))
                        .collect();
                    let body = json!({ "run_id": run_id, "metrics": metrics });
                    let (status, reply) = read(agent.post(format!("{base}/api/2.0/mlflow/runs/log-batch")).send_json(&body).unwrap());
                    assert_eq!(status, 200, "{reply}");
                    let single = json!({ "run_id": run_id, "key": "single", "value": 1.0, "timestamp": batch, "step": batch });
                    let (status, reply) = read(agent.post(format!("{base}/api/2.0/mlflow/runs/log-metric")).send_json(&single).unwrap());
                    assert_eq!(status, 200, "{reply}");
                }
            });
        }
    });
    fx.stop();
    let tracker = Tracker::open(fx.store_path().to_str().unwrap()).unwrap();
    for run_id in &run_ids {
        assert_eq!(
            tracker.get_metric_series(run_id, "loss").unwrap().len(),
            (BATCHES * 100) as usize
        );
        assert_eq!(
            tracker.get_metric_series(run_id, "single").unwrap().len(),
            BATCHES as usize
        );
    }
}

#[test]
fn a_taken_port_is_reported_at_start() {
    let fx = Fixture::new();
    let port = fx.server.as_ref().unwrap().address().port();
    let config = ServerConfig {
        port,
        ..ServerConfig::new(common::uri_of(&fx.dir.path().join("other")))
    };
    let err = start(&config).err().expect("the port is taken");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
}

#[test]
fn the_registry_speaks_mlflow_json_with_aliases_and_stages() {
    let fx = Fixture::new();
    let run_id = fx.new_run("0");
    let created = fx.ok(
        "registered-models/create",
        json!({ "name": "HousePrices", "tags": [{ "key": "team", "value": "ml" }] }),
    );
    assert_eq!(created["registered_model"]["name"], "HousePrices");
    for _ in 0..2 {
        let version = fx.ok(
            "model-versions/create",
            json!({
                "name": "HousePrices",
                "source": format!("mlflow-artifacts:/0/{run_id}/artifacts/model"),
                "run_id": run_id,
            }),
        );
        assert!(
            version["model_version"]["version"].is_string(),
            "versions are strings: {version}"
        );
    }
    fx.ok(
        "registered-models/alias",
        json!({ "name": "HousePrices", "alias": "production", "version": "2" }),
    );
    let (status, by_alias) = fx.api_get(
        "registered-models/alias",
        &[("name", "HousePrices"), ("alias", "production")],
    );
    assert_eq!(status, 200);
    assert_eq!(by_alias["model_version"]["version"], "2");
    assert_eq!(
        by_alias["model_version"]["source"],
        format!("mlflow-artifacts:/0/{run_id}/artifacts/model")
    );
    // Rollback: move the alias back.
    fx.ok(
        "registered-models/alias",
        json!({ "name": "HousePrices", "alias": "production", "version": "1" }),
    );
    let (_, model) = fx.api_get("registered-models/get", &[("name", "HousePrices")]);
    assert_eq!(
        model["registered_model"]["aliases"],
        json!([{ "alias": "production", "version": "1" }])
    );

    let moved = fx.ok(
        "model-versions/transition-stage",
        json!({
            "name": "HousePrices", "version": "2", "stage": "Production", "archive_existing_versions": true,
        }),
    );
    assert_eq!(moved["model_version"]["current_stage"], "Production");
    let (status, found) = fx.api_get("model-versions/search", &[("filter", "name='HousePrices'")]);
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["model_versions"].as_array().unwrap().len(), 2);
    let (status, uri) = fx.api_get(
        "model-versions/get-download-uri",
        &[("name", "HousePrices"), ("version", "1")],
    );
    assert_eq!(status, 200);
    assert_eq!(
        uri["artifact_uri"],
        format!("mlflow-artifacts:/0/{run_id}/artifacts/model")
    );

    let (status, reply) = fx.send(
        "PATCH",
        "model-versions/update",
        json!({ "name": "HousePrices", "version": "1", "description": "first" }),
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["model_version"]["description"], "first");
    let (status, reply) = fx.send(
        "DELETE",
        "registered-models/alias",
        json!({ "name": "HousePrices", "alias": "production" }),
    );
    assert_eq!(status, 200, "{reply}");
    assert_error(
        fx.api_get(
            "registered-models/alias",
            &[("name", "HousePrices"), ("alias", "production")],
        ),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "production",
    );
    assert_error(
        fx.api_post("registered-models/create", json!({ "name": "HousePrices" })),
        400,
        "RESOURCE_ALREADY_EXISTS",
        "HousePrices",
    );
    assert_error(
        fx.api_get("model-versions/get", &[("name", "HousePrices"), ("version", "x")]),
        400,
        "INVALID_PARAMETER_VALUE",
        "'version'",
    );
    assert_error(
        fx.api_get("registered-models/get", &[("name", "Nope")]),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "Nope",
    );
    let (status, reply) = fx.send("DELETE", "registered-models/delete", json!({ "name": "HousePrices" }));
    assert_eq!(status, 200, "{reply}");
    let (_, listed) = fx.api_get("registered-models/search", &[]);
    assert!(
        listed["registered_models"].as_array().is_none_or(Vec::is_empty),
        "{listed}"
    );
}

#[test]
fn logged_models_live_under_their_experiment() {
    let fx = Fixture::new();
    let run_id = fx.new_run("0");
    let created = fx.ok(
        "logged-models",
        json!({
            "experiment_id": "0", "name": "model", "source_run_id": run_id,
            "params": [{ "key": "alpha", "value": "0.1" }], "tags": [{ "key": "flavor", "value": "sklearn" }],
        }),
    );
    let info = &created["model"]["info"];
    let model_id = info["model_id"].as_str().unwrap().to_string();
    assert_eq!(info["status"], "LOGGED_MODEL_PENDING");
    assert_eq!(
        info["artifact_uri"],
        format!("mlflow-artifacts:/0/models/{model_id}/artifacts")
    );

    let file_url = format!(
        "{}/api/2.0/mlflow-artifacts/artifacts/0/models/{model_id}/artifacts/MLmodel",
        fx.base
    );
    let (status, _) = read(fx.agent.put(&file_url).send(&b"flavors: {}"[..]).unwrap());
    assert_eq!(status, 200);
    let (status, reply) = fx.send(
        "PATCH",
        &format!("logged-models/{model_id}"),
        json!({ "model_id": model_id, "status": "LOGGED_MODEL_READY" }),
    );
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["model"]["info"]["status"], "LOGGED_MODEL_READY");
    let (status, reply) = fx.send(
        "PATCH",
        &format!("logged-models/{model_id}/tags"),
        json!({ "tags": [{ "key": "stage", "value": "dev" }] }),
    );
    assert_eq!(status, 200, "{reply}");
    fx.ok(
        "runs/log-batch",
        json!({
            "run_id": run_id,
            "metrics": [{ "key": "rmse", "value": 0.5, "timestamp": 1, "step": 0, "model_id": model_id }],
        }),
    );

    let (_, got) = fx.api_get(&format!("logged-models/{model_id}"), &[]);
    let model = &got["model"];
    assert_eq!(model["data"]["params"], json!([{ "key": "alpha", "value": "0.1" }]));
    let tags: Vec<&str> = model["info"]["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["key"].as_str().unwrap())
        .collect();
    assert_eq!(tags, vec!["flavor", "stage"]);
    assert_eq!(model["data"]["metrics"][0]["key"], "rmse");

    let (_, listed) = fx.api_get(&format!("logged-models/{model_id}/artifacts/directories"), &[]);
    assert_eq!(
        listed["files"],
        json!([{ "path": "MLmodel", "is_dir": false, "file_size": 11 }])
    );
    let (status, found) = fx.api_post(
        "logged-models/search",
        json!({
            "experiment_ids": ["0"], "order_by": [{ "field_name": "creation_timestamp", "ascending": false }],
        }),
    );
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["models"][0]["info"]["model_id"], model_id.as_str());

    // The run records what it read and what it produced.
    fx.ok(
        "runs/outputs",
        json!({ "run_id": run_id, "models": [{ "model_id": model_id, "step": 0 }] }),
    );
    fx.ok(
        "runs/log-inputs",
        json!({
            "run_id": run_id,
            "datasets": [{ "tags": [{ "key": "mlflow.data.context", "value": "training" }],
                           "dataset": { "name": "wine", "digest": "d1", "source_type": "local", "source": "{}" } }],
        }),
    );
    let (_, got_run) = fx.api_get("runs/get", &[("run_id", &run_id)]);
    assert_eq!(
        got_run["run"]["outputs"]["model_outputs"],
        json!([{ "model_id": model_id, "step": 0 }])
    );
    assert_eq!(got_run["run"]["inputs"]["dataset_inputs"][0]["dataset"]["name"], "wine");
    assert_error(
        fx.api_post(
            "runs/outputs",
            json!({ "run_id": run_id, "models": [{ "model_id": "m-missing" }] }),
        ),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "m-missing",
    );

    let (status, reply) = fx.send("DELETE", &format!("logged-models/{model_id}/tags/stage"), json!({}));
    assert_eq!(status, 200, "{reply}");
    assert_error(
        fx.api_get("logged-models/m-00000000000000000000000000000000", &[]),
        404,
        "RESOURCE_DOES_NOT_EXIST",
        "m-0000",
    );
}

#[test]
fn a_server_in_this_process_reads_what_was_queued_a_moment_ago() {
    let dir = tempfile::tempdir().unwrap();
    let uri = common::uri_of(dir.path()).to_string();
    // The process-wide store for this URI, as the notebook API uses it.
    let tracker = rtrack::api::fluent::tracker_for(&uri).unwrap();
    let run_id = tracker.create_run(rtrack::RunOptions::default()).unwrap().info.run_id;
    for step in 0..500 {
        tracker
            .log_metric(&run_id, "loss", 1.0 / (step as f64 + 1.0), Some(step), None)
            .unwrap();
    }
    let server = start(&ServerConfig {
        port: 0,
        ..ServerConfig::new(&uri)
    })
    .unwrap();
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let reply = agent
        .get(format!("{}/api/2.0/mlflow/metrics/get-history", server.url()))
        .query("run_id", &run_id)
        .query("metric_key", "loss")
        .call()
        .unwrap();
    let (status, history) = read(reply);
    assert_eq!(status, 200);
    assert_eq!(
        history["metrics"].as_array().unwrap().len(),
        500,
        "queued points are visible at once"
    );
    server.stop().unwrap();
}
