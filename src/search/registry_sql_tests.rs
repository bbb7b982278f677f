//! Registry searches against the real schema: which models and versions a filter and an
//! order return.

use rusqlite::{params_from_iter, Connection};

use super::*;
use crate::search::{
    parse_model_version_filter, parse_model_version_order_by, parse_registered_model_filter,
    parse_registered_model_order_by,
};

/// Models 1 'house-prices' (3 versions), 2 'House-Rents' (1 version), 3 'churn' (none).
fn store() -> Connection {
    let mut conn = Connection::open_in_memory().unwrap();
    crate::store::sqlite::schema::migrate(&mut conn, |_| Ok(())).unwrap();
    conn.execute_batch(
        "INSERT INTO registered_models (registered_model_id, name, creation_timestamp, last_updated_timestamp) VALUES
             (1, 'house-prices', 100, 900), (2, 'House-Rents', 200, 300), (3, 'churn', 300, 400);
         INSERT INTO registered_model_tags VALUES (1, 'team', 'pricing'), (2, 'team', 'rentals'), (3, 'team', 'growth'),
             (1, 'tier', 'gold');
         INSERT INTO model_versions (registered_model_id, version, creation_timestamp, last_updated_timestamp, source, run_id)
             VALUES (1, 1, 110, 500, 's3://m/hp/1', 'run-a'), (1, 2, 120, 800, 's3://m/hp/2', 'run-b'),
                    (1, 3, 130, 700, 'file:///m/hp/3', NULL), (2, 1, 210, 600, 's3://m/hr/1', 'run-a');
         INSERT INTO model_version_tags VALUES (1, 2, 'validated', 'yes'), (2, 1, 'validated', 'no');",
    )
    .unwrap();
    conn
}

fn models(conn: &Connection, filter: &str, order: &[&str]) -> Vec<i64> {
    let filter = parse_registered_model_filter(filter).unwrap_or_else(|e| panic!("{e}"));
    let order: Vec<OrderBy> = order
        .iter()
        .map(|o| parse_registered_model_order_by(o).unwrap())
        .collect();
    let (sql, params) = registered_models_sql(&RegistryQuery {
        filter: &filter,
        order_by: &order,
        limit: 100,
        offset: 0,
    })
    .unwrap();
    let mut statement = conn.prepare(&sql).unwrap();
    let rows = statement.query_map(params_from_iter(params), |row| row.get(0)).unwrap();
    rows.map(|r| r.unwrap()).collect()
}

fn versions(conn: &Connection, filter: &str, order: &[&str]) -> Vec<(i64, i64)> {
    let filter = parse_model_version_filter(filter).unwrap_or_else(|e| panic!("{e}"));
    let order: Vec<OrderBy> = order.iter().map(|o| parse_model_version_order_by(o).unwrap()).collect();
    let (sql, params) = model_versions_sql(&RegistryQuery {
        filter: &filter,
        order_by: &order,
        limit: 100,
        offset: 0,
    })
    .unwrap();
    let mut statement = conn.prepare(&sql).unwrap();
    let rows = statement
        .query_map(params_from_iter(params), |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap();
    rows.map(|r| r.unwrap()).collect()
}

#[test]
fn registered_models_default_to_name_order() {
    let conn = store();
    assert_eq!(models(&conn, "", &[]), vec![2, 3, 1], "byte order: uppercase first");
    assert_eq!(models(&conn, "", &["name DESC"]), vec![1, 3, 2]);
    assert_eq!(models(&conn, "", &["timestamp DESC"]), vec![1, 3, 2]);
    assert_eq!(models(&conn, "", &["creation_timestamp ASC"]), vec![1, 2, 3]);
}

#[test]
fn registered_models_filter_on_name_and_tags() {
    let conn = store();
    assert_eq!(models(&conn, "name = 'churn'", &[]), vec![3]);
    assert_eq!(models(&conn, "name LIKE 'house%'", &[]), vec![1]);
    assert_eq!(models(&conn, "name ILIKE 'house%'", &[]), vec![2, 1]);
    assert_eq!(models(&conn, "name IN ('churn', 'nope')", &[]), vec![3]);
    assert_eq!(models(&conn, "tags.team = 'pricing'", &[]), vec![1]);
    assert_eq!(
        models(&conn, "tags.team != 'pricing' AND tags.team LIKE '%e%'", &[]),
        vec![2]
    );
    assert_eq!(models(&conn, "tags.tier IS NULL", &[]), vec![2, 3]);
    assert_eq!(models(&conn, "name = 'x'' OR ''1''=''1'", &[]), Vec::<i64>::new());
}

#[test]
fn registered_model_keys_are_checked() {
    for (filter, named) in [
        ("run_id = 'x'", "'run_id'"),
        ("metrics.rmse < 1", "metric 'rmse'"),
        ("params.a = 'b'", "param 'a'"),
    ] {
        let err = parse_registered_model_filter(filter).unwrap_err().to_string();
        assert!(err.contains(named), "{filter}: {err}");
    }
    let err = parse_registered_model_order_by("tags.team").unwrap_err().to_string();
    assert!(
        err.contains("registered models cannot be ordered by tag 'team'"),
        "{err}"
    );
}

#[test]
fn model_versions_default_to_newest_change_first() {
    let conn = store();
    assert_eq!(versions(&conn, "", &[]), vec![(1, 2), (1, 3), (2, 1), (1, 1)]);
    assert_eq!(versions(&conn, "", &["name"]), vec![(2, 1), (1, 3), (1, 2), (1, 1)]);
    assert_eq!(
        versions(&conn, "", &["name", "version_number ASC"]),
        vec![(2, 1), (1, 1), (1, 2), (1, 3)]
    );
    assert_eq!(
        versions(&conn, "", &["creation_timestamp DESC"]),
        vec![(2, 1), (1, 3), (1, 2), (1, 1)]
    );
}

#[test]
fn model_versions_filter_on_their_attributes_and_tags() {
    let conn = store();
    let house = "name = 'house-prices'";
    assert_eq!(
        versions(&conn, house, &["version_number"]),
        vec![(1, 1), (1, 2), (1, 3)]
    );
    assert_eq!(versions(&conn, "run_id = 'run-a'", &["name"]), vec![(2, 1), (1, 1)]);
    assert_eq!(versions(&conn, "run_id IN ('run-b')", &[]), vec![(1, 2)]);
    assert_eq!(
        versions(&conn, "source_path LIKE 's3://%'", &["name"]),
        vec![(2, 1), (1, 2), (1, 1)]
    );
    assert_eq!(versions(&conn, "version_number >= 2", &[]), vec![(1, 2), (1, 3)]);
    assert_eq!(versions(&conn, "tags.validated = 'yes'", &[]), vec![(1, 2)]);
    assert_eq!(
        versions(
            &conn,
            "name IN ('House-Rents', 'churn') AND tags.validated != 'yes'",
            &[]
        ),
        vec![(2, 1)]
    );
    assert_eq!(
        versions(&conn, "version = 1 AND source = 's3://m/hr/1'", &[]),
        vec![(2, 1)]
    );
}

#[test]
fn model_version_values_must_fit_their_keys() {
    for (filter, named) in [
        ("version_number = 'one'", "needs a number"),
        ("name > 'a'", "comparator '>'"),
        ("status = 'READY'", "unknown attribute 'status'"),
    ] {
        let err = parse_model_version_filter(filter).unwrap_err().to_string();
        assert!(err.contains(named), "{filter}: {err}");
    }
}

#[test]
fn paging_splits_the_same_order() {
    let conn = store();
    let filter = Filter::default();
    let page = |offset| {
        let (sql, params) = model_versions_sql(&RegistryQuery {
            filter: &filter,
            order_by: &[],
            limit: 3,
            offset,
        })
        .unwrap();
        let mut statement = conn.prepare(&sql).unwrap();
        let rows = statement
            .query_map(params_from_iter(params), |row| Ok((row.get(0)?, row.get(1)?)))
            .unwrap();
        rows.map(|r| r.unwrap()).collect::<Vec<(i64, i64)>>()
    };
    assert_eq!(page(0), vec![(1, 2), (1, 3), (2, 1)]);
    assert_eq!(page(3), vec![(1, 1)]);
}
