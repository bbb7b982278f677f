//! Logged model searches against the real schema.

use rusqlite::{params_from_iter, Connection};

use super::*;
use crate::search::{parse_logged_model_filter, parse_logged_model_order_by};

/// Experiment 1 holds m1 (READY), m2 (PENDING), m3 (deleted); experiment 2 holds m4.
fn store() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    crate::store::sqlite::schema::migrate(&mut conn, |_| Ok(())).unwrap();
    conn.execute_batch(
        "INSERT INTO experiments VALUES (1, 'one', '/a/1', 'active', 1, 1), (2, 'two', '/a/2', 'active', 2, 2);
         INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp,
                                    last_updated_timestamp, status, model_type, lifecycle_stage) VALUES
             ('m1', 1, 'enet', '/a/1/models/m1/artifacts', 100, 150, 'READY', 'sklearn', 'active'),
             ('m2', 1, 'forest', '/a/1/models/m2/artifacts', 200, 200, 'PENDING', NULL, 'active'),
             ('m3', 1, 'enet', '/a/1/models/m3/artifacts', 300, 300, 'READY', NULL, 'deleted'),
             ('m4', 2, 'enet', '/a/2/models/m4/artifacts', 400, 400, 'FAILED', NULL, 'active');
         INSERT INTO logged_model_params VALUES ('m1', 'alpha', '0.5'), ('m2', 'alpha', '1'), ('m4', 'alpha', '0.5');
         INSERT INTO logged_model_tags VALUES ('m1', 'stage', 'candidate'), ('m2', 'stage', 'baseline');
         -- m1's rmse went 0.9 then 0.6; m2's is 0.7 once.
         INSERT INTO logged_model_metrics (model_id, key, value, step, timestamp) VALUES
             ('m1', 'rmse', 0.9, 0, 10), ('m1', 'rmse', 0.6, 1, 20), ('m2', 'rmse', 0.7, 0, 10),
             ('m4', 'rmse', 0.1, 0, 10);",
    )
    .unwrap();
    conn
}

fn search(conn: &Connection, experiments: &[i64], filter: &str, order: &[&str]) -> Vec<String> {
    let filter = parse_logged_model_filter(filter).unwrap_or_else(|e| panic!("{e}"));
    let order: Vec<OrderBy> = order.iter().map(|o| parse_logged_model_order_by(o).unwrap()).collect();
    let ids: Vec<ExperimentId> = experiments.iter().map(|&id| ExperimentId(id)).collect();
    let query = LoggedModelQuery {
        experiment_ids: &ids,
        filter: &filter,
        datasets: &[],
        order_by: &order,
        limit: 100,
        offset: 0,
    };
    let (sql, params) = logged_models_sql(&query).unwrap_or_else(|e| panic!("{e}"));
    let mut statement = conn.prepare(&sql).unwrap();
    let rows = statement.query_map(params_from_iter(params), |row| row.get(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

#[test]
fn newest_first_and_deleted_models_left_out() {
    let conn = store();
    assert_eq!(search(&conn, &[1], "", &[]), ["m2", "m1"]);
    assert_eq!(search(&conn, &[1, 2], "", &[]), ["m4", "m2", "m1"]);
    assert_eq!(search(&conn, &[], "", &[]), Vec::<String>::new());
}

#[test]
fn attributes_params_and_tags_filter() {
    let conn = store();
    assert_eq!(search(&conn, &[1, 2], "name = 'enet'", &[]), ["m4", "m1"]);
    assert_eq!(
        search(&conn, &[1, 2], "params.alpha = '0.5' AND tags.stage = 'candidate'", &[]),
        ["m1"]
    );
    assert_eq!(search(&conn, &[1, 2], "model_type = 'sklearn'", &[]), ["m1"]);
    assert_eq!(search(&conn, &[1, 2], "creation_timestamp >= 200", &[]), ["m4", "m2"]);
    assert_eq!(search(&conn, &[1, 2], "creation_timestamp_ms < 200", &[]), ["m1"]);
    assert_eq!(search(&conn, &[1, 2], "tags.stage IS NULL", &[]), ["m4"]);
}

#[test]
fn status_takes_either_spelling() {
    let conn = store();
    assert_eq!(search(&conn, &[1, 2], "status = 'READY'", &[]), ["m1"]);
    assert_eq!(
        search(&conn, &[1, 2], "status = 'LOGGED_MODEL_UPLOAD_FAILED'", &[]),
        ["m4"]
    );
    assert_eq!(
        search(&conn, &[1, 2], "status IN ('pending', 'ready')", &[]),
        ["m2", "m1"]
    );
    let filter = parse_logged_model_filter("status = 'DONE'").unwrap();
    let query = LoggedModelQuery {
        experiment_ids: &[ExperimentId(1)],
        filter: &filter,
        datasets: &[],
        order_by: &[],
        limit: 1,
        offset: 0,
    };
    let err = logged_models_sql(&query).unwrap_err().to_string();
    assert!(err.contains("'DONE'"), "{err}");
}

#[test]
fn metric_filters_match_any_value_and_order_by_the_latest() {
    let conn = store();
    // m1 once had 0.9: as in MLflow, any recorded value that passes matches.
    assert_eq!(search(&conn, &[1], "metrics.rmse > 0.8", &[]), ["m1"]);
    assert_eq!(search(&conn, &[1], "metrics.rmse < 0.65", &[]), ["m1"]);
    assert_eq!(search(&conn, &[1, 2], "", &["metrics.rmse ASC"]), ["m4", "m1", "m2"]);
    assert_eq!(search(&conn, &[1, 2], "", &["metrics.rmse DESC"]), ["m2", "m1", "m4"]);
    // No model has accuracy: name decides, then the newest first.
    assert_eq!(
        search(&conn, &[1, 2], "", &["metrics.accuracy DESC", "name"]),
        ["m4", "m1", "m2"]
    );
}

#[test]
fn keys_logged_models_lack_are_refused() {
    let err = parse_logged_model_order_by("params.alpha").unwrap_err().to_string();
    assert!(
        err.contains("logged models cannot be ordered by param 'alpha'"),
        "{err}"
    );
    let err = parse_logged_model_filter("experiment_id = 1").unwrap_err().to_string();
    assert!(err.contains("experiment ids of the search"), "{err}");
    let err = parse_logged_model_filter("metrics.rmse LIKE '1%'")
        .unwrap_err()
        .to_string();
    assert!(err.contains("comparator 'LIKE'"), "{err}");
}
