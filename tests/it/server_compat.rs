//! The server against what MLflow's own REST tests expect of MLflow's server: the
//! `/ajax-api/2.0` prefix and the web UI's helpers under it, artifact downloads, MLflow's
//! wording of validation errors, and logged-model details.

use crate::common;

use rtrack::server::{start, RunningServer, ServerConfig};
use serde_json::{json, Value};
use tempfile::TempDir;

struct Server {
    _dir: TempDir,
    _server: RunningServer,
    agent: ureq::Agent,
    base: String,
}

fn server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        port: 0,
        ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
    };
    let server = start(&config).expect("server starts");
    let base = server.url();
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    Server {
        _dir: dir,
        _server: server,
        agent,
        base,
    }
}

type Reply = (u16, Value, ureq::http::HeaderMap);

fn read(mut response: ureq::http::Response<ureq::Body>) -> Reply {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
        headers,
    )
}

impl Server {
    fn get(&self, path: &str, query: &[(&str, &str)]) -> Reply {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (k, v) in query {
            request = request.query(*k, *v);
        }
        read(request.call().unwrap())
    }

    fn post(&self, path: &str, body: Value) -> Reply {
        read(
            self.agent
                .post(format!("{}{path}", self.base))
                .send_json(&body)
                .unwrap(),
        )
    }

    fn ok(&self, endpoint: &str, body: Value) -> Value {
        let (status, reply, _) = self.post(&format!("/api/2.0/mlflow/{endpoint}"), body);
        assert_eq!(status, 200, "{endpoint}: {reply}");
        reply
    }

    fn new_run(&self) -> String {
        let reply = self.ok("runs/create", json!({"experiment_id": "0"}));
        reply["run"]["info"]["run_id"].as_str().unwrap().to_string()
    }
}

fn error_message(reply: &Reply, status: u16) -> String {
    assert_eq!(reply.0, status, "{}", reply.1);
    assert_eq!(reply.1["error_code"], "INVALID_PARAMETER_VALUE", "{}", reply.1);
    reply.1["message"].as_str().unwrap().to_string()
}

#[test]
fn every_api_route_is_also_served_under_ajax_api() {
    let s = server();
    let (status, reply, _) = s.get("/ajax-api/2.0/mlflow/experiments/get", &[("experiment_id", "0")]);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["experiment"]["name"], "Default");
    let (status, _, _) = s.get("/ajax-api/2.0/mlflow-artifacts/artifacts", &[]);
    assert_eq!(status, 200);
}

#[test]
fn bulk_histories_come_in_run_order_and_sampled_by_step() {
    let s = server();
    let (a, b) = (s.new_run(), s.new_run());
    for (run, offset) in [(&a, 0.0), (&b, 1.0)] {
        for step in 0..10 {
            let point = json!({"run_id": run, "key": "m", "value": 0.1 + offset, "timestamp": 5, "step": step});
            s.ok("runs/log-metric", point);
        }
    }
    let bulk = "/ajax-api/2.0/mlflow/metrics/get-history-bulk";
    let (status, reply, _) = s.get(
        bulk,
        &[
            ("run_id", &b),
            ("run_id", &a),
            ("metric_key", "m"),
            ("max_results", "12"),
        ],
    );
    assert_eq!(status, 200, "{reply}");
    let points = reply["metrics"].as_array().unwrap();
    assert_eq!(points.len(), 12);
    let first = a.clone().min(b.clone());
    assert_eq!(points[0]["run_id"], json!(first));
    assert_eq!(
        points[0]["value"].as_f64().unwrap().to_bits(),
        (if first == a { 0.1_f64 } else { 1.1 }).to_bits()
    );
    let no_runs = s.get(bulk, &[("metric_key", "m")]);
    assert!(error_message(&no_runs, 400).contains("must specify at least one run_id"));

    let interval = "/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval";
    let (status, reply, _) = s.get(interval, &[("run_ids", &a), ("metric_key", "m"), ("max_results", "5")]);
    assert_eq!(status, 200, "{reply}");
    let steps: Vec<i64> = reply["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["step"].as_i64().unwrap())
        .collect();
    assert_eq!(steps, vec![0, 2, 4, 6, 8, 9]);
    let half = s.get(interval, &[("run_ids", &a), ("metric_key", "m"), ("start_step", "1")]);
    assert!(error_message(&half, 400).contains("both must be specified"));
    let too_many = s.get(interval, &[("run_ids", &a), ("metric_key", "m"), ("max_results", "0")]);
    assert!(error_message(&too_many, 400).contains("max_results must be between 1 and 2500"));
}

#[test]
fn uploaded_files_download_sandboxed_and_paths_stay_inside() {
    let s = server();
    let run = s.new_run();
    let upload = |query: &[(&str, &str)], body: &str| {
        let mut request = s.agent.post(format!("{}/ajax-api/2.0/mlflow/upload-artifact", s.base));
        for (k, v) in query {
            request = request.query(*k, *v);
        }
        read(request.content_type("application/octet-stream").send(body).unwrap())
    };
    assert_eq!(upload(&[("run_uuid", &run), ("path", "page.html")], "<p>hi</p>").0, 200);
    let climbing = upload(&[("run_uuid", &run), ("path", "../escape.txt")], "x");
    assert_eq!(error_message(&climbing, 400), "Invalid path");
    assert!(error_message(&upload(&[("run_uuid", &run)], "x"), 400).contains("Request must specify path."));
    assert!(error_message(&upload(&[("run_uuid", &run), ("path", "a.txt")], ""), 400).contains("must specify data."));

    let (status, body, headers) = s.get("/get-artifact", &[("run_uuid", &run), ("path", "page.html")]);
    assert_eq!((status, body), (200, json!("<p>hi</p>")));
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("sandbox"));
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let outside = s.get("/get-artifact", &[("run_id", &run), ("path", "../../store.db")]);
    assert_eq!(error_message(&outside, 400), "Invalid path");
    let listing = s.get("/api/2.0/mlflow/artifacts/list", &[("run_id", &run), ("path", "../x")]);
    assert_eq!(error_message(&listing, 400), "Invalid path");
    let version = s.get(
        "/model-versions/get-artifact",
        &[("name", "m"), ("version", "1"), ("path", "../x")],
    );
    assert_eq!(error_message(&version, 400), "Invalid path");

    // The proxied download route sends the same policy.
    let root = s.get("/api/2.0/mlflow/runs/get", &[("run_id", &run)]).1["run"]["info"]["artifact_uri"].clone();
    let proxied = root
        .as_str()
        .unwrap()
        .strip_prefix("mlflow-artifacts:")
        .unwrap()
        .to_string();
    let (status, _, headers) = s.get(&format!("/api/2.0/mlflow-artifacts/artifacts{proxied}/page.html"), &[]);
    assert_eq!(status, 200);
    assert!(headers["content-security-policy"]
        .to_str()
        .unwrap()
        .starts_with("sandbox"));
}

#[test]
fn validation_errors_use_mlflows_wording_and_order() {
    let s = server();
    let run = s.new_run();
    let message =
        |endpoint: &str, body: Value| error_message(&s.post(&format!("/api/2.0/mlflow/{endpoint}"), body), 400);
    let param = message("runs/log-parameter", json!({"run_id": 31, "key": "p", "value": 41}));
    assert!(
        param.starts_with("Invalid value 31 for parameter 'run_id' supplied"),
        "{param}"
    );
    let tag = message("runs/set-tag", json!({"run_id": run, "key": 31, "value": 41}));
    assert!(
        tag.starts_with("Invalid value 31 for parameter 'key' supplied"),
        "{tag}"
    );
    let missing = message("experiments/create", json!({}));
    assert!(
        missing.starts_with("Missing value for required parameter 'name'."),
        "{missing}"
    );
    let batch = message(
        "runs/log-batch",
        json!({"run_id": run, "metrics": [{"key": "k", "value": 1}]}),
    );
    assert!(batch.contains("parameter 'metrics[0].timestamp'"), "{batch}");
    let search = message(
        "runs/search",
        json!({"experiment_ids": ["0"], "max_results": 123456789}),
    );
    assert!(
        search.contains("Invalid value 123456789 for parameter 'max_results' supplied"),
        "{search}"
    );
    let (status, reply, _) = s.post("/api/2.0/mlflow/runs/delete-tag", json!({"run_id": run, "key": "nope"}));
    assert_eq!(status, 404);
    assert!(
        reply["message"].as_str().unwrap().contains("No tag with name: nope"),
        "{reply}"
    );
}

#[test]
fn a_relative_artifact_location_is_made_absolute() {
    // Without the proxy, or with new experiments under a local root of their own (MLflow's
    // test server): a server whose experiments default to proxied URIs keeps local locations
    // under its root.
    for local_root in [false, true] {
        relative_location_made_absolute(local_root);
    }
}

fn relative_location_made_absolute(local_root: bool) {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        port: 0,
        serve_artifacts: local_root,
        default_artifact_root: local_root.then(|| common::uri_of(&dir.path().join("roots")).to_string()),
        ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
    };
    let server = start(&config).expect("server starts");
    let s = Server {
        base: server.url(),
        _dir: dir,
        _server: server,
        agent: ureq::Agent::config_builder().http_status_as_error(false).build().into(),
    };
    let id = s.ok(
        "experiments/create",
        json!({"name": "rel", "artifact_location": "my_location"}),
    )["experiment_id"]
        .clone();
    let (_, reply, _) = s.get(
        "/api/2.0/mlflow/experiments/get",
        &[("experiment_id", id.as_str().unwrap())],
    );
    let expected = std::env::current_dir().unwrap().join("my_location");
    assert_eq!(
        reply["experiment"]["artifact_location"],
        json!(expected.to_string_lossy())
    );
}

#[test]
fn logged_models_keep_datasets_versions_and_unknown_source_runs() {
    let s = server();
    let run = s.new_run();
    let created = s.ok("logged-models", json!({"experiment_id": "0", "source_run_id": "123"}));
    let model_id = created["model"]["info"]["model_id"].as_str().unwrap().to_string();
    assert_eq!(created["model"]["info"]["source_run_id"], "123");
    let point = json!({"run_id": run, "key": "acc", "value": 0.5, "timestamp": 7, "step": 1,
                       "model_id": model_id, "dataset_name": "eval", "dataset_digest": "d1"});
    s.ok("runs/log-metric", point);
    let (_, reply, _) = s.get(&format!("/api/2.0/mlflow/logged-models/{model_id}"), &[]);
    let metric = &reply["model"]["data"]["metrics"][0];
    assert_eq!(
        (metric["dataset_name"].clone(), metric["dataset_digest"].clone()),
        (json!("eval"), json!("d1"))
    );

    s.ok("registered-models/create", json!({"name": "reg"}));
    let created = s.ok("logged-models", json!({"experiment_id": "0", "source_run_id": run}));
    let model_id = created["model"]["info"]["model_id"].as_str().unwrap().to_string();
    let source = created["model"]["info"]["artifact_uri"].clone();
    for _ in 0..2 {
        s.ok(
            "model-versions/create",
            json!({"name": "reg", "source": source, "model_id": model_id}),
        );
    }
    let (_, reply, _) = s.get(&format!("/api/2.0/mlflow/logged-models/{model_id}"), &[]);
    let tags = reply["model"]["info"]["tags"].as_array().unwrap();
    let versions = tags
        .iter()
        .find(|t| t["key"] == "mlflow.modelVersions")
        .expect("tag set");
    assert_eq!(
        versions["value"],
        r#"[{"name": "reg", "version": 1}, {"name": "reg", "version": 2}]"#
    );
}

#[test]
fn search_datasets_lists_each_dataset_once_with_its_context() {
    let s = server();
    let run = s.new_run();
    let dataset = json!({"dataset": {"name": "wine", "digest": "abc", "source_type": "local", "source": "x"},
                         "tags": [{"key": "mlflow.data.context", "value": "training"}]});
    s.ok("runs/log-inputs", json!({"run_id": run, "datasets": [dataset]}));
    let (status, reply, _) = s.post(
        "/ajax-api/2.0/mlflow/experiments/search-datasets",
        json!({"experiment_ids": ["0"]}),
    );
    assert_eq!(status, 200, "{reply}");
    let expected = json!([{"experiment_id": "0", "name": "wine", "digest": "abc", "context": "training"}]);
    assert_eq!(reply["dataset_summaries"], expected);
    let none = s.post("/ajax-api/2.0/mlflow/experiments/search-datasets", json!({}));
    assert!(error_message(&none, 400).contains("at least one experiment_id"));
}

#[test]
fn runs_of_slashes_in_a_path_count_as_one() {
    let fx = server();
    let (status, reply, _) = fx.get("//api/2.0//mlflow/experiments/get", &[("experiment_id", "0")]);
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["experiment"]["name"], "Default");
}

#[test]
fn writes_to_a_deleted_run_name_its_state_as_mlflow_does() {
    let fx = server();
    let run_id = fx.new_run();
    fx.ok("runs/delete", json!({"run_id": run_id}));
    let (status, reply, _) = fx.post(
        "/api/2.0/mlflow/runs/set-tag",
        json!({"run_id": run_id, "key": "k", "value": "v"}),
    );
    assert_eq!(status, 400, "{reply}");
    let message = reply["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!(
            "The run {run_id} must be in the 'active' state. Current state is deleted."
        )),
        "{message}"
    );
}

#[test]
fn local_version_sources_are_judged_by_where_they_lead() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        port: 0,
        serve_artifacts: false,
        ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
    };
    let server = start(&config).expect("server starts");
    let s = Server {
        base: server.url(),
        _dir: dir,
        _server: server,
        agent: ureq::Agent::config_builder().http_status_as_error(false).build().into(),
    };
    s.ok("registered-models/create", json!({"name": "M"}));
    let run = s.ok("runs/create", json!({"experiment_id": "0"}));
    let run_id = run["run"]["info"]["run_id"].as_str().unwrap().to_string();
    let artifacts = run["run"]["info"]["artifact_uri"].as_str().unwrap().to_string();
    assert!(artifacts.starts_with("file://"), "{artifacts}");
    let create = |source: String| {
        s.post(
            "/api/2.0/mlflow/model-versions/create",
            json!({"name": "M", "source": source, "run_id": run_id}),
        )
        .0
    };
    // `..` that stays inside the run's artifacts is fine (MLflow 3.17 accepts it too) ...
    assert_eq!(create(format!("{artifacts}/model/..")), 200);
    assert_eq!(create(format!("{artifacts}/.")), 200);
    // ... one that leaves them is not, spelled plainly or percent-encoded.
    assert_eq!(create(format!("{artifacts}/../..")), 400);
    assert_eq!(create(format!("{artifacts}/model/%2E%2E/%2E%2E")), 400);
}
