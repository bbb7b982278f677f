//! Nothing logged comes back altered: random and edge doubles go in and come back with the
//! same bits on every path, embedded, through the REST client and server, through the UI's
//! JSON, and through a model server's payloads. NaN stays NaN (JSON carries no payload bits).

use std::sync::Arc;

use rtrack::entities::{ExperimentId, Metric};
use rtrack::models::InputTable;
use rtrack::server::{start, ServerConfig};
use rtrack::serving::{Predictor, ServeConfig};
use rtrack::{RunOptions, Tracker};
use serde_json::{json, Value};

use crate::common;

/// Doubles that lose digits or bits when a path handles them carelessly.
fn edge_doubles() -> Vec<f64> {
    vec![
        0.41706338163050843,
        0.9333333333333333,
        1.0 / 3.0,
        2.0 / 3.0,
        0.1,
        0.1 + 0.2,
        -0.0,
        0.0,
        1.0,
        -1.5,
        f64::EPSILON,
        f64::MIN_POSITIVE,
        f64::from_bits(1),                     // the smallest subnormal, 5e-324
        f64::from_bits(0x000F_FFFF_FFFF_FFFF), // the largest subnormal
        f64::MAX,
        f64::MIN,
        9_007_199_254_740_993_f64, // 2^53 + 1 rounds to 2^53
        123_456_789.123_456_79,
        1e-300,
        1e300,
        std::f64::consts::PI,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ]
}

/// The edge doubles and pseudo-random bit patterns (every exponent, subnormals, NaNs).
fn doubles() -> Vec<f64> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64;
    let random = (0..300).map(|_| {
        // xorshift64*: a fixed sequence, so a failure names the same value every time.
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        f64::from_bits(state.wrapping_mul(0x2545_F491_4F6C_DD1D))
    });
    edge_doubles().into_iter().chain(random).collect()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || a.to_bits() == b.to_bits()
}

fn assert_same(expected: &[f64], got: &[f64], path: &str) {
    assert_eq!(expected.len(), got.len(), "{path}: point count");
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        assert!(
            same(*e, *g),
            "{path}: value {i} logged {e:e} ({:#x}) came back {g:e} ({:#x})",
            e.to_bits(),
            g.to_bits()
        );
    }
}

/// Logs every value as the only point of its own metric (so it is that metric's latest
/// value) and all of them as one series, then reads both back through `tracker`.
fn log_and_read_back(tracker: &Tracker, experiment: ExperimentId, values: &[f64], path: &str) -> String {
    let run = tracker.start_run(RunOptions::default().experiment(experiment)).unwrap();
    let run_id = run.id().to_string();
    for (i, value) in values.iter().enumerate() {
        run.log_metric(&format!("v{i:03}"), *value, 0).unwrap();
        run.log_metric("series", *value, i as i64).unwrap();
    }
    let batch: Vec<Metric> = values
        .iter()
        .enumerate()
        .map(|(i, value)| Metric {
            key: "batch".into(),
            value: *value,
            timestamp: 1_700_000_000_000,
            step: i as i64,
        })
        .collect();
    tracker.log_batch(&run_id, &batch, &[], &[]).unwrap();
    run.end().unwrap();

    let history: Vec<f64> = tracker
        .get_metric_history(&run_id, "series")
        .unwrap()
        .iter()
        .map(|m| m.value)
        .collect();
    assert_same(values, &history, &format!("{path} get_metric_history"));
    assert_same(
        values,
        &tracker.get_metric_series(&run_id, "batch").unwrap().values,
        &format!("{path} log_batch then get_metric_series"),
    );
    let stored = tracker.get_run(&run_id).unwrap();
    let latest: Vec<f64> = (0..values.len())
        .map(|i| stored.data.metrics[&format!("v{i:03}")].value)
        .collect();
    assert_same(values, &latest, &format!("{path} get_run's latest values"));
    run_id
}

#[test]
fn doubles_come_back_bit_identical_from_the_embedded_store() {
    let (_dir, tracker) = common::new_store();
    let values = doubles();
    let experiment = tracker.set_experiment("fidelity").unwrap().experiment_id;
    log_and_read_back(&tracker, experiment, &values, "embedded");
    // A search reads the latest values from the run rows.
    let found = tracker
        .search_runs(&rtrack::store::RunSearch {
            experiment_ids: vec![experiment],
            ..Default::default()
        })
        .unwrap();
    let latest: Vec<f64> = (0..values.len())
        .map(|i| found.items[0].data.metrics[&format!("v{i:03}")].value)
        .collect();
    assert_same(&values, &latest, "embedded search_runs");
}

fn json_double(value: &Value) -> f64 {
    match value {
        Value::Number(number) => number.as_f64().unwrap(),
        Value::String(text) => match text.as_str() {
            "NaN" => f64::NAN,
            "Infinity" => f64::INFINITY,
            "-Infinity" => f64::NEG_INFINITY,
            other => panic!("not a double: {other}"),
        },
        other => panic!("not a double: {other}"),
    }
}

fn get_json(url: &str) -> Value {
    ureq::get(url).call().unwrap().body_mut().read_json().unwrap()
}

#[test]
fn doubles_come_back_bit_identical_through_the_server_and_its_ui_api() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&ServerConfig {
        port: 0,
        ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
    })
    .unwrap();
    let tracker = Tracker::open(&server.url()).unwrap();
    let values = doubles();
    let experiment = tracker.set_experiment("fidelity").unwrap().experiment_id;
    let run_id = log_and_read_back(&tracker, experiment, &values, "REST client");

    let url = server.url();
    let history = get_json(&format!(
        "{url}/ui-api/metric-history?run_id={run_id}&key=series&max_points=20000"
    ));
    let charted: Vec<f64> = history["values"].as_array().unwrap().iter().map(json_double).collect();
    assert_same(&values, &charted, "ui-api/metric-history");
    let table = get_json(&format!("{url}/ui-api/runs?experiment_id={experiment}"));
    let row = &table["runs"][0]["metrics"];
    let latest: Vec<f64> = (0..values.len())
        .map(|i| json_double(&row[format!("v{i:03}")]))
        .collect();
    assert_same(&values, &latest, "ui-api/runs");
    let raw = get_json(&format!(
        "{url}/api/2.0/mlflow/metrics/get-history?run_id={run_id}&metric_key=batch"
    ));
    let points: Vec<f64> = raw["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| json_double(&m["value"]))
        .collect();
    assert_same(&values, &points, "api/2.0/mlflow/metrics/get-history");
}

/// Answers each row with the row's own values, untouched.
struct Echo;

impl Predictor for Echo {
    fn predict(&self, input: &InputTable) -> rtrack::Result<Vec<Value>> {
        Ok((0..input.rows())
            .map(|row| Value::Array(input.columns.iter().map(|c| c.values[row].clone()).collect()))
            .collect())
    }
}

#[test]
fn doubles_come_back_bit_identical_through_a_model_server() {
    let server = rtrack::serving::start(
        Arc::new(Echo),
        &ServeConfig {
            port: 0,
            ..Default::default()
        },
    )
    .unwrap();
    // JSON has no NaN or infinities for a request body to carry.
    let values: Vec<f64> = doubles().into_iter().filter(|v| v.is_finite()).collect();
    let body = json!({"dataframe_split": {"columns": ["x"], "data": values.iter().map(|v| [v]).collect::<Vec<_>>()}});
    let mut response = ureq::post(&format!("{}/invocations", server.url()))
        .header("Content-Type", "application/json")
        .send(body.to_string())
        .unwrap();
    let answer: Value = response.body_mut().read_json().unwrap();
    let echoed: Vec<f64> = answer["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| json_double(&row[0]))
        .collect();
    assert_same(&values, &echoed, "models serve /invocations");
}

fn post_json(url: &str, body: Value) -> Value {
    ureq::post(url).send_json(body).unwrap().body_mut().read_json().unwrap()
}

/// MLflow 3's `log_model` sends the run's metrics again, marked with the new model's id: the
/// run's history keeps one copy, and the model gets the metric.
#[test]
fn metrics_linked_to_a_logged_model_are_not_stored_twice() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(&ServerConfig {
        port: 0,
        ..ServerConfig::new(common::uri_of(&dir.path().join("store")))
    })
    .unwrap();
    let api = format!("{}/api/2.0/mlflow", server.url());
    let run = post_json(&format!("{api}/runs/create"), json!({"experiment_id": "0"}));
    let run_id = run["run"]["info"]["run_id"].as_str().unwrap().to_string();
    let point = json!({"key": "loss", "value": 0.41706338163050843, "timestamp": 1_700_000_000_000_i64, "step": 0});
    post_json(
        &format!("{api}/runs/log-batch"),
        json!({"run_id": run_id, "metrics": [point]}),
    );
    let model = post_json(
        &format!("{api}/logged-models"),
        json!({"experiment_id": "0", "source_run_id": run_id}),
    );
    let model_id = model["model"]["info"]["model_id"].as_str().unwrap().to_string();
    let mut linked = point.clone();
    linked["model_id"] = json!(model_id);
    post_json(
        &format!("{api}/runs/log-batch"),
        json!({"run_id": run_id, "metrics": [linked]}),
    );

    let history = get_json(&format!("{api}/metrics/get-history?run_id={run_id}&metric_key=loss"));
    assert_eq!(history["metrics"].as_array().unwrap().len(), 1, "{history}");
    let model = get_json(&format!("{api}/logged-models/{model_id}"));
    assert_eq!(
        model["model"]["data"]["metrics"][0]["value"],
        json!(0.41706338163050843),
        "{model}"
    );
}
