//! Run searches against the real schema: which runs a filter and an order return.

use rusqlite::{params_from_iter, Connection};

use super::*;
use crate::search::{parse_experiment_filter, parse_filter, parse_order_by};

/// Experiment 1 holds r1, r2, r3, r6 (active) and r5 (deleted); experiment 2 holds r4.
/// Default order is start_time DESC: r6, r3, r2, r1.
/// The rows are written at schema version 4, before runs carried their summaries, and the
/// migration to the latest version builds the summaries from them: every search below also
/// checks what that migration kept.
fn store() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    crate::store::sqlite::schema::migrate_to(&mut conn, 4, |_| Ok(())).unwrap();
    conn.execute_batch(
        "INSERT INTO experiments VALUES (1, 'one', '/a/1', 'active', 1, 1), (2, 'two', '/a/2', 'active', 2, 2);
         INSERT INTO runs VALUES
             ('r1', 'Alpha-1', 1, 'ann', 'FINISHED', 1000, 2000, 'active', 'file:///a/r1', NULL),
             ('r2', 'alpha-2', 1, 'bob', 'FAILED', 2000, NULL, 'active', 'file:///a/r2', NULL),
             ('r3', 'beta', 1, 'ann', 'RUNNING', 3000, NULL, 'active', 's3://b/r3', NULL),
             ('r4', 'gamma', 2, 'ann', 'FINISHED', 4000, 4500, 'active', 'file:///a/r4', NULL),
             ('r5', 'gone', 1, 'ann', 'FINISHED', 5000, 5500, 'deleted', 'file:///a/r5', 5600),
             ('r6', 'plain', 1, 'cid', 'FINISHED', 6000, 6500, 'active', 'file:///a/r6', NULL);
         -- r3's rmse is NaN (NULL); its acc series has no points, so it does not count.
         INSERT INTO metric_series (run_uuid, key, point_count, last_value) VALUES
             ('r1', 'rmse', 5, 0.5), ('r2', 'rmse', 5, 0.9), ('r3', 'rmse', 3, NULL),
             ('r4', 'rmse', 1, 0.2), ('r5', 'rmse', 1, 0.1),
             ('r1', 'acc', 2, 0.8), ('r2', 'acc', 2, 0.7), ('r3', 'acc', 0, 0.1);
         INSERT INTO params VALUES
             ('r1', 'model', 'Abc-net'), ('r1', 'lr', '0.1'),
             ('r2', 'model', 'abc-lite'), ('r2', 'lr', '0.01'), ('r2', 'pat', 'a*b?'),
             ('r3', 'lr', '0.1'), ('r4', 'model', 'Abc-net'), ('r5', 'model', 'Abc-net');
         INSERT INTO tags VALUES
             ('r1', 'env', 'prod'), ('r1', 'mlflow.runName', 'Alpha-1'),
             ('r2', 'env', 'dev'), ('r4', 'env', 'prod');",
    )
    .unwrap();
    crate::store::sqlite::schema::migrate(&mut conn, |_| Ok(())).unwrap();
    conn
}

struct Search<'a> {
    experiments: &'a [i64],
    view: ViewType,
    filter: &'a str,
    order: &'a [&'a str],
    limit: usize,
    offset: usize,
}

const ALL: Search<'static> = Search {
    experiments: &[1],
    view: ViewType::ActiveOnly,
    filter: "",
    order: &[],
    limit: 100,
    offset: 0,
};

fn run(conn: &Connection, search: Search<'_>) -> Vec<String> {
    let filter = parse_filter(search.filter).unwrap_or_else(|e| panic!("{e}"));
    let order: Vec<OrderBy> = search.order.iter().map(|o| parse_order_by(o).unwrap()).collect();
    let experiment_ids: Vec<ExperimentId> = search.experiments.iter().map(|&id| ExperimentId(id)).collect();
    let query = RunQuery {
        experiment_ids: &experiment_ids,
        view: search.view,
        filter: &filter,
        order_by: &order,
        limit: search.limit,
        offset: search.offset,
    };
    let (sql, params) = runs_sql(&query).unwrap();
    let mut statement = conn.prepare(&sql).unwrap_or_else(|e| panic!("{e}: {sql}"));
    let rows = statement.query_map(params_from_iter(params), |row| row.get(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn filtered(conn: &Connection, filter: &str) -> Vec<String> {
    run(conn, Search { filter, ..ALL })
}

fn ordered(conn: &Connection, order: &[&str]) -> Vec<String> {
    run(conn, Search { order, ..ALL })
}

const NONE: [&str; 0] = [];

#[test]
fn no_filter_returns_active_runs_newest_first() {
    let conn = store();
    assert_eq!(filtered(&conn, ""), ["r6", "r3", "r2", "r1"]);
}

#[test]
fn metrics_compare_latest_values_and_nan_matches_nothing() {
    let conn = store();
    assert_eq!(filtered(&conn, "metrics.rmse < 0.8"), ["r1"]);
    assert_eq!(filtered(&conn, "metrics.rmse >= 0.5"), ["r2", "r1"]);
    assert_eq!(filtered(&conn, "metrics.rmse > 0"), ["r2", "r1"]);
    assert_eq!(filtered(&conn, "metrics.rmse != 0.5"), ["r2"]);
    assert_eq!(filtered(&conn, "metrics.rmse = 0.5"), ["r1"]);
    assert_eq!(filtered(&conn, "metrics.rmse <= 1"), ["r2", "r1"]);
    assert_eq!(
        filtered(&conn, "metrics.acc < 1"),
        ["r2", "r1"],
        "a series without points is no value"
    );
    assert_eq!(filtered(&conn, "metrics.missing > -1e9"), NONE);
}

#[test]
fn params_and_tags_need_the_key_to_match() {
    let conn = store();
    assert_eq!(filtered(&conn, "params.model = 'Abc-net'"), ["r1"]);
    assert_eq!(filtered(&conn, "params.model != 'Abc-net'"), ["r2"]);
    assert_eq!(filtered(&conn, "params.model = 'abc-net'"), NONE);
    assert_eq!(filtered(&conn, "tags.env IN ('prod', 'dev')"), ["r2", "r1"]);
    assert_eq!(filtered(&conn, "tags.env NOT IN ('prod')"), ["r2"]);
    assert_eq!(filtered(&conn, "params.model IS NULL"), ["r6", "r3"]);
    assert_eq!(filtered(&conn, "params.model IS NOT NULL"), ["r2", "r1"]);
    assert_eq!(filtered(&conn, "tags.mlflow.runName = 'Alpha-1'"), ["r1"]);
    assert_eq!(filtered(&conn, "tags.`mlflow.runName` = 'Alpha-1'"), ["r1"]);
}

#[test]
fn like_is_case_sensitive_and_ilike_is_not() {
    let conn = store();
    assert_eq!(filtered(&conn, "params.model LIKE 'Abc%'"), ["r1"]);
    assert_eq!(filtered(&conn, "params.model LIKE 'abc%'"), ["r2"]);
    assert_eq!(filtered(&conn, "params.model ILIKE 'ABC%'"), ["r2", "r1"]);
    assert_eq!(filtered(&conn, "params.model LIKE 'Abc_net'"), ["r1"]);
    assert_eq!(filtered(&conn, "params.model LIKE '%NET'"), NONE);
    assert_eq!(filtered(&conn, "params.model ILIKE '%NET'"), ["r1"]);
    assert_eq!(filtered(&conn, "run_name LIKE 'alpha%'"), ["r2"]);
    assert_eq!(filtered(&conn, "attributes.run_name ILIKE 'alpha%'"), ["r2", "r1"]);
}

#[test]
fn glob_characters_in_like_patterns_are_literal() {
    let conn = store();
    assert_eq!(filtered(&conn, "params.pat LIKE 'a*b?'"), ["r2"]);
    assert_eq!(filtered(&conn, "params.pat LIKE 'a_b_'"), ["r2"]);
    assert_eq!(filtered(&conn, "params.model LIKE 'A*'"), NONE);
    assert_eq!(filtered(&conn, "params.model LIKE '[A]%'"), NONE);
}

#[test]
fn attributes_numeric_and_string() {
    let conn = store();
    assert_eq!(filtered(&conn, "attributes.start_time >= 2000"), ["r6", "r3", "r2"]);
    assert_eq!(filtered(&conn, "created < 2000"), ["r1"]);
    assert_eq!(filtered(&conn, "end_time < 3000"), ["r1"]);
    assert_eq!(filtered(&conn, "end_time > 0"), ["r6", "r1"]);
    assert_eq!(filtered(&conn, "run_id IN ('r1', 'r3')"), ["r3", "r1"]);
    assert_eq!(filtered(&conn, "run_id NOT IN ('r1')"), ["r6", "r3", "r2"]);
    assert_eq!(filtered(&conn, "attributes.`Run Name` = 'beta'"), ["r3"]);
    assert_eq!(filtered(&conn, "status = 'FINISHED'"), ["r6", "r1"]);
    assert_eq!(filtered(&conn, "user_id = 'ann' AND status != 'FINISHED'"), ["r3"]);
    assert_eq!(filtered(&conn, "artifact_uri LIKE 's3://%'"), ["r3"]);
}

#[test]
fn conjunctions_across_entities() {
    let conn = store();
    let filter = "metrics.rmse < 1 AND params.lr = '0.1' AND tags.env = 'prod' AND status = 'FINISHED'";
    assert_eq!(filtered(&conn, filter), ["r1"]);
}

#[test]
fn experiments_and_views_scope_the_search() {
    let conn = store();
    let filter = "params.model = 'Abc-net'";
    assert_eq!(
        run(
            &conn,
            Search {
                experiments: &[1, 2],
                filter,
                ..ALL
            }
        ),
        ["r4", "r1"]
    );
    assert_eq!(
        run(
            &conn,
            Search {
                experiments: &[],
                filter,
                ..ALL
            }
        ),
        NONE
    );
    assert_eq!(
        run(
            &conn,
            Search {
                view: ViewType::DeletedOnly,
                ..ALL
            }
        ),
        ["r5"]
    );
    assert_eq!(
        run(
            &conn,
            Search {
                view: ViewType::All,
                filter,
                ..ALL
            }
        ),
        ["r5", "r1"]
    );
}

#[test]
fn metric_order_puts_nan_then_missing_last_both_ways() {
    let conn = store();
    assert_eq!(ordered(&conn, &["metrics.rmse"]), ["r1", "r2", "r3", "r6"]);
    assert_eq!(ordered(&conn, &["metrics.rmse DESC"]), ["r2", "r1", "r3", "r6"]);
    // r3's acc series has no points: it sorts with the runs that lack acc.
    assert_eq!(ordered(&conn, &["metrics.acc"]), ["r2", "r1", "r6", "r3"]);
    assert_eq!(ordered(&conn, &["metrics.acc DESC"]), ["r1", "r2", "r6", "r3"]);
}

#[test]
fn param_order_is_text_with_missing_last() {
    let conn = store();
    assert_eq!(ordered(&conn, &["params.lr DESC"]), ["r3", "r1", "r2", "r6"]);
    assert_eq!(ordered(&conn, &["params.lr ASC"]), ["r2", "r3", "r1", "r6"]);
    assert_eq!(
        ordered(&conn, &["tags.env", "metrics.rmse DESC"]),
        ["r2", "r1", "r3", "r6"]
    );
}

#[test]
fn attribute_order() {
    let conn = store();
    assert_eq!(ordered(&conn, &["start_time"]), ["r1", "r2", "r3", "r6"]);
    assert_eq!(ordered(&conn, &["end_time DESC"]), ["r6", "r1", "r3", "r2"]);
    assert_eq!(ordered(&conn, &["end_time"]), ["r1", "r6", "r3", "r2"]);
    assert_eq!(ordered(&conn, &["attributes.run_id DESC"]), ["r6", "r3", "r2", "r1"]);
    assert_eq!(ordered(&conn, &["run_name"]), ["r1", "r2", "r3", "r6"]);
}

#[test]
fn paging_is_stable() {
    let conn = store();
    let page = |order: &'static [&'static str], limit, offset| {
        run(
            &conn,
            Search {
                order,
                limit,
                offset,
                ..ALL
            },
        )
    };
    assert_eq!(page(&["metrics.rmse"], 2, 0), ["r1", "r2"]);
    assert_eq!(page(&["metrics.rmse"], 2, 2), ["r3", "r6"]);
    assert_eq!(page(&["metrics.rmse"], 2, 4), NONE);
    let one_by_one: Vec<String> = (0..4).flat_map(|offset| page(&["tags.env"], 1, offset)).collect();
    assert_eq!(one_by_one, ordered(&conn, &["tags.env"]));
}

#[test]
fn injected_sql_is_only_data() {
    let conn = store();
    let hostile = "'); DROP TABLE runs; --";
    let filter = format!("params.model = \"{hostile}\"");
    assert_eq!(filtered(&conn, &filter), NONE);
    assert_eq!(filtered(&conn, &format!("tags.`{hostile}` = 'x'")), NONE);
    assert_eq!(
        filtered(&conn, &format!("run_id IN ('{}')", hostile.replace('\'', "''"))),
        NONE
    );
    assert_eq!(ordered(&conn, &["params.`x'); DROP TABLE runs; --` DESC"]).len(), 4);

    let parsed = parse_filter(&filter).unwrap();
    let query = RunQuery {
        experiment_ids: &[ExperimentId(1)],
        view: ViewType::All,
        filter: &parsed,
        order_by: &[],
        limit: 1,
        offset: 0,
    };
    let (sql, _) = runs_sql(&query).unwrap();
    assert!(!sql.contains("DROP"), "{sql}");
    let count: i64 = conn
        .query_row("SELECT count(*) FROM runs", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 6);
}

#[test]
fn duplicate_order_keys_are_refused() {
    let order = [
        parse_order_by("created").unwrap(),
        parse_order_by("start_time DESC").unwrap(),
    ];
    let filter = Filter::default();
    let query = RunQuery {
        experiment_ids: &[],
        view: ViewType::All,
        filter: &filter,
        order_by: &order,
        limit: 1,
        offset: 0,
    };
    let err = runs_sql(&query).unwrap_err().to_string();
    assert!(err.contains("attribute 'start_time' appears more than once"), "{err}");
}

#[test]
fn an_experiment_filter_is_refused_by_name() {
    let filter = parse_experiment_filter("name = 'x'").unwrap();
    let query = RunQuery {
        experiment_ids: &[],
        view: ViewType::All,
        filter: &filter,
        order_by: &[],
        limit: 1,
        offset: 0,
    };
    let err = runs_sql(&query).unwrap_err().to_string();
    assert!(err.contains("unknown attribute 'name'"), "{err}");
}
