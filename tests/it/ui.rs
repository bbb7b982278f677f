//! The web UI's server side over real HTTP: the page and its assets (no inline script,
//! plotly.js from the binary, cached), the JSON the page reads (experiment activity, runs
//! table pages, downsampled histories, model versions) and sandboxed artifact previews.
//! The pages themselves are driven in chromium by tests/python/test_ui_browser.py.

use crate::common;

use rtrack::server::{start, RunningServer, ServerConfig};
use rtrack::{RunOptions, Tracker};
use serde_json::Value;
use tempfile::TempDir;

struct Fixture {
    _dir: TempDir,
    tracker: Tracker,
    _server: RunningServer,
    agent: ureq::Agent,
    base: String,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let uri = common::uri_of(&dir.path().join("store")).to_string();
        let server = start(&ServerConfig {
            port: 0,
            ..ServerConfig::new(&uri)
        })
        .expect("server starts");
        let tracker = Tracker::open(&uri).unwrap();
        let agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
        Fixture {
            base: server.url(),
            _dir: dir,
            tracker,
            _server: server,
            agent,
        }
    }

    fn get(&self, path: &str, query: &[(&str, &str)]) -> ureq::http::Response<ureq::Body> {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        for (key, value) in query {
            request = request.query(*key, *value);
        }
        request.call().unwrap()
    }

    fn json(&self, path: &str, query: &[(&str, &str)]) -> (u16, Value) {
        let mut response = self.get(path, query);
        let status = response.status().as_u16();
        (status, response.body_mut().read_json().unwrap())
    }

    fn text(&self, path: &str) -> (String, String) {
        let mut response = self.get(path, &[]);
        let csp = header(&response, "content-security-policy");
        (csp, response.body_mut().read_to_string().unwrap())
    }
}

fn header(response: &ureq::http::Response<ureq::Body>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn the_page_loads_its_script_style_and_plotly_from_the_server_only() {
    let fixture = Fixture::new();
    let (policy, page) = fixture.text("/");
    assert!(
        policy.contains("script-src 'self'") && policy.contains("object-src 'none'"),
        "{policy}"
    );
    assert!(
        !policy
            .split(';')
            .any(|d| d.trim().starts_with("script-src") && d.contains("unsafe-inline")),
        "{policy}"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "the page names no other origin"
    );
    assert!(!page.contains("<script>"), "no inline script: every script has a src");
    let plotly = page
        .split("src=\"")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.contains("plotly-"))
        .unwrap()
        .to_string();
    let script = page
        .split("src=\"")
        .filter_map(|s| s.split('"').next())
        .find(|s| s.contains("app.js"))
        .unwrap()
        .to_string();

    let response = fixture.get(&format!("/{plotly}"), &[]);
    assert_eq!(response.status().as_u16(), 200);
    assert!(header(&response, "cache-control").contains("immutable"));
    let (_, plotly_js) = fixture.text(&format!("/{plotly}"));
    assert!(plotly_js.len() > 1_000_000 && plotly_js.contains("plotly.js v"));
    let (_, app_js) = fixture.text(&format!("/{script}"));
    assert!(
        app_js.contains("textContent") && !app_js.contains("innerHTML"),
        "stored text is never parsed as markup"
    );
    assert_eq!(fixture.get("/static/plotly-0.0.0.min.js", &[]).status().as_u16(), 404);
}

#[test]
fn experiments_come_with_run_counts_and_last_activity() {
    let fixture = Fixture::new();
    let busy = fixture.tracker.create_experiment("busy", None, &[]).unwrap();
    fixture.tracker.create_experiment("idle", None, &[]).unwrap();
    // Times are in milliseconds: let the runs start after the idle experiment was made.
    std::thread::sleep(std::time::Duration::from_millis(3));
    for name in ["a", "b", "c"] {
        common::new_run(&fixture.tracker, busy, name);
    }
    let deleted = common::new_run(&fixture.tracker, busy, "deleted");
    fixture.tracker.delete_run(&deleted).unwrap();
    let (status, body) = fixture.json("/ui-api/experiments", &[]);
    assert_eq!(status, 200);
    let experiments = body["experiments"].as_array().unwrap();
    let count = |name: &str| {
        experiments.iter().find(|e| e["name"] == name).unwrap()["run_count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!((count("busy"), count("idle"), count("Default")), (3, 0, 0));
    assert_eq!(
        experiments[0]["name"], "busy",
        "the most recently active experiment comes first"
    );
}

#[test]
fn the_runs_table_is_paged_sorted_and_filtered_by_the_server() {
    let fixture = Fixture::new();
    let experiment = fixture.tracker.create_experiment("sweep", None, &[]).unwrap();
    for i in 0..250 {
        let run = common::new_run(&fixture.tracker, experiment, &format!("run-{i:03}"));
        fixture.tracker.log_param(&run, "alpha", i).unwrap();
        fixture
            .tracker
            .log_metric(&run, "val loss", 1000.0 - i as f64, None, None)
            .unwrap();
    }
    fixture.tracker.flush().unwrap();
    let id = experiment.to_string();
    let (_, first) = fixture.json("/ui-api/runs", &[("experiment_id", &id), ("max_results", "100")]);
    assert_eq!(first["runs"].as_array().unwrap().len(), 100);
    assert_eq!(first["total"], 250);
    assert_eq!(first["param_keys"], serde_json::json!(["alpha"]));
    assert_eq!(first["metric_keys"], serde_json::json!(["val loss"]));
    let token = first["next_page_token"].as_str().unwrap().to_string();
    let (_, second) = fixture.json("/ui-api/runs", &[("experiment_id", &id), ("page_token", &token)]);
    assert_ne!(second["runs"][0]["run_id"], first["runs"][0]["run_id"]);

    let (_, sorted) = fixture.json(
        "/ui-api/runs",
        &[("experiment_id", &id), ("order_by", "metrics.`val loss` ASC")],
    );
    assert_eq!(sorted["runs"][0]["run_name"], "run-249");
    assert_eq!(sorted["runs"][0]["metrics"]["val loss"], 751.0);

    let (_, filtered) = fixture.json(
        "/ui-api/runs",
        &[("experiment_id", &id), ("filter", "params.alpha = '7'")],
    );
    assert_eq!(filtered["runs"].as_array().unwrap().len(), 1);
    assert!(
        filtered.get("total").is_none(),
        "no total is claimed for a filtered page"
    );

    let (status, error) = fixture.json("/ui-api/runs", &[("experiment_id", &id), ("filter", "metrics.x <> 1")]);
    assert_eq!(status, 400);
    assert!(error["message"].as_str().unwrap().contains("position"), "{error}");
    let (status, _) = fixture.json("/ui-api/runs", &[("experiment_id", &id), ("max_results", "5000")]);
    assert_eq!(status, 400);
}

#[test]
fn long_histories_are_thinned_keeping_extremes_and_zooming_returns_detail() {
    let fixture = Fixture::new();
    let run = fixture.tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    let mut values: Vec<f64> = (0..1_000_000).map(|i| (i as f64 / 5000.0).sin()).collect();
    values[123_457] = 50.0;
    values[900_001] = f64::NAN;
    fixture
        .tracker
        .log_metric_series(&run, "loss", values, None, None)
        .unwrap();

    let (status, chart) = fixture.json(
        "/ui-api/metric-history",
        &[("run_id", &run), ("key", "loss"), ("max_points", "1000")],
    );
    assert_eq!(status, 200);
    let points = chart["values"].as_array().unwrap();
    assert!(points.len() <= 1000, "{}", points.len());
    assert!(points.contains(&serde_json::json!(50.0)), "the spike survives thinning");
    assert_eq!(
        (chart["total_points"].as_u64(), chart["thinned"].as_bool()),
        (Some(1_000_000), Some(true))
    );

    let (_, zoomed) = fixture.json(
        "/ui-api/metric-history",
        &[
            ("run_id", &run),
            ("key", "loss"),
            ("x_min", "123400"),
            ("x_max", "123499"),
            ("max_points", "1000"),
        ],
    );
    assert_eq!(
        zoomed["steps"].as_array().unwrap().len(),
        100,
        "every point of a narrow range"
    );
    assert_eq!(zoomed["thinned"], false);

    let (_, around_nan) = fixture.json(
        "/ui-api/metric-history",
        &[
            ("run_id", &run),
            ("key", "loss"),
            ("x_min", "900000"),
            ("x_max", "900002"),
        ],
    );
    assert_eq!(
        around_nan["values"][1], "NaN",
        "non-finite values keep the REST API's names"
    );

    for (name, value) in [("x", "epoch"), ("max_points", "1"), ("x_min", "soon")] {
        let (status, error) = fixture.json(
            "/ui-api/metric-history",
            &[("run_id", &run), ("key", "loss"), (name, value)],
        );
        assert_eq!(status, 400, "{name}={value}");
        assert!(error["message"].as_str().unwrap().contains(name), "{error}");
    }
}

#[test]
fn artifacts_are_served_sandboxed_typed_and_confined() {
    let fixture = Fixture::new();
    let run = fixture.tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    fixture
        .tracker
        .log_text(&run, "<script>parent.document.title='x'</script>", "plots/figure.html")
        .unwrap();
    fixture.tracker.log_text(&run, "a,b\n1,2\n", "data.csv").unwrap();

    let response = fixture.get("/ui-api/artifact", &[("run_id", &run), ("path", "plots/figure.html")]);
    assert_eq!(response.status().as_u16(), 200);
    assert!(header(&response, "content-type").starts_with("text/html"));
    let policy = header(&response, "content-security-policy");
    assert!(
        policy.starts_with("sandbox allow-scripts;") && !policy.contains("allow-same-origin"),
        "{policy}"
    );
    assert!(
        policy.contains("default-src 'none'"),
        "no network access from an artifact: {policy}"
    );
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");

    let download = fixture.get(
        "/ui-api/artifact",
        &[("run_id", &run), ("path", "data.csv"), ("download", "1")],
    );
    assert_eq!(
        header(&download, "content-disposition"),
        "attachment; filename=\"data.csv\""
    );
    assert!(header(&download, "content-type").starts_with("text/plain"));

    for escape in ["../../../etc/passwd", "/etc/passwd", "plots/../../x"] {
        let response = fixture.get("/ui-api/artifact", &[("run_id", &run), ("path", escape)]);
        assert!(
            matches!(response.status().as_u16(), 400 | 404),
            "{escape}: {}",
            response.status()
        );
    }
    assert_eq!(
        fixture
            .get("/ui-api/artifact", &[("run_id", "nope"), ("path", "data.csv")])
            .status()
            .as_u16(),
        404
    );
}

#[test]
fn a_model_versions_page_data_carries_its_signature_and_input_example() {
    let fixture = Fixture::new();
    let run = fixture.tracker.create_run(RunOptions::default()).unwrap().info.run_id;
    let mlmodel = "artifact_path: model\nflavors:\n  python_function: {}\nsaved_input_example_info:\n  artifact_path: input_example.json\n  type: dataframe\nsignature:\n  inputs: '[{\"type\": \"double\", \"name\": \"rooms\", \"required\": true}, {\"type\": \"string\",\n    \"name\": \"city\", \"required\": true}]'\n  outputs: '[{\"type\": \"tensor\", \"tensor-spec\": {\"dtype\": \"float64\", \"shape\": [-1]}}]'\n  params: null\n";
    fixture.tracker.log_text(&run, mlmodel, "model/MLmodel").unwrap();
    fixture
        .tracker
        .log_text(
            &run,
            r#"{"columns": ["rooms", "city"], "data": [[3, "Oslo"]]}"#,
            "model/input_example.json",
        )
        .unwrap();
    fixture
        .tracker
        .register_model(&format!("runs:/{run}/model"), "Houses", &[])
        .unwrap();

    let (status, data) = fixture.json("/ui-api/model-version", &[("name", "Houses"), ("version", "1")]);
    assert_eq!(status, 200, "{data}");
    assert_eq!(data["model_version"]["run_id"], run.as_str());
    assert_eq!(data["signature"]["inputs"][1]["name"], "city");
    assert_eq!(data["signature"]["outputs"][0]["type"], "tensor");
    assert!(data["input_example"].as_str().unwrap().contains("Oslo"));
    let (status, _) = fixture.json("/ui-api/model-version", &[("name", "Houses"), ("version", "9")]);
    assert_eq!(status, 404);
}
