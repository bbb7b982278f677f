//! Compile an experiment search (view, filter, order, page) into one SQLite query.

use rusqlite::types::Value as SqlValue;

use super::ast::{Comparator, Filter, OrderBy};
use super::keys::Target;
use super::sql;
use crate::entities::ViewType;
use crate::error::Result;

/// Everything an experiment search needs. Build `filter` with
/// [`parse_experiment_filter`](super::parse_experiment_filter) and `order_by` with
/// [`parse_experiment_order_by`](super::parse_experiment_order_by).
#[derive(Clone, Copy, Debug)]
pub struct ExperimentQuery<'a> {
    pub view: ViewType,
    pub filter: &'a Filter,
    pub order_by: &'a [OrderBy],
    pub limit: usize,
    pub offset: usize,
}

/// The SQL and its bound parameters for an experiment search, selecting
/// `e.experiment_id` in MLflow's order: without order_by, `creation_time DESC` then
/// `experiment_id ASC`; with order_by, its clauses then `experiment_id DESC` as the
/// tie-breaker (unless experiment_id was ordered on).
///
/// A tag comparison only matches experiments that have the tag, except `IS NULL`.
/// Fails with [`Error::InvalidValue`](crate::Error::InvalidValue) for keys experiments do
/// not have (metrics, params, run attributes) or an order_by key given twice.
pub fn experiments_sql(query: &ExperimentQuery<'_>) -> Result<(String, Vec<SqlValue>)> {
    let comparisons = sql::checked_filter(Target::Experiments, query.filter)?;
    let order = sql::checked_order(Target::Experiments, query.order_by)?;

    let mut params = Vec::new();
    let mut conditions = vec![sql::stages("e.lifecycle_stage", query.view, &mut params)];
    for (comparison, attribute) in &comparisons {
        let condition = match attribute {
            Some(attribute) => sql::compare(attribute.column, comparison.comparator, &comparison.value, &mut params),
            None => {
                // Validation admits only tags besides attributes.
                params.push(SqlValue::Text(comparison.key.name.clone()));
                let exists = "SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ?";
                match comparison.comparator {
                    Comparator::IsNull => format!("NOT EXISTS ({exists})"),
                    Comparator::IsNotNull => format!("EXISTS ({exists})"),
                    comparator => {
                        let test = sql::compare("t.value", comparator, &comparison.value, &mut params);
                        format!("EXISTS ({exists} AND {test})")
                    }
                }
            }
        };
        conditions.push(condition);
    }

    let mut order_terms = Vec::new();
    if order.is_empty() {
        order_terms.push("e.creation_time DESC".to_string());
        order_terms.push("e.experiment_id ASC".to_string());
    } else {
        let mut has_id = false;
        // Validation admits only attributes for ordering experiments.
        for (attribute, ascending) in order
            .iter()
            .filter_map(|(resolved, ascending)| resolved.attribute.map(|a| (a, *ascending)))
        {
            has_id |= attribute.name == "experiment_id";
            order_terms.push(format!("{} {}", attribute.column, sql::direction(ascending)));
        }
        if !has_id {
            order_terms.push("e.experiment_id DESC".to_string());
        }
    }

    let mut text = String::from("SELECT e.experiment_id FROM experiments e WHERE ");
    text.push_str(&conditions.join(" AND "));
    text.push_str(" ORDER BY ");
    text.push_str(&order_terms.join(", "));
    text.push_str(sql::limit_offset(query.limit, query.offset, &mut params));
    Ok((text, params))
}

#[cfg(test)]
mod tests {
    use rusqlite::{params_from_iter, Connection};

    use super::*;
    use crate::search::{parse_experiment_filter, parse_experiment_order_by};

    fn store() -> Connection {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::store::sqlite::schema::migrate(&mut conn, |_| Ok(())).unwrap();
        conn.execute_batch(
            "INSERT INTO experiments VALUES
                 (0, 'Default', '/a/0', 'active', 100, 150),
                 (1, 'exp-One', '/a/1', 'active', 200, 250),
                 (2, 'exp-two', '/a/2', 'active', 300, 250),
                 (3, 'old', '/a/3', 'deleted', 400, 450);
             INSERT INTO experiment_tags VALUES
                 (1, 'team', 'vision'), (2, 'team', 'nlp'), (3, 'team', 'nlp');",
        )
        .unwrap();
        conn
    }

    fn search(conn: &Connection, view: ViewType, filter: &str, order: &[&str]) -> Vec<i64> {
        let filter = parse_experiment_filter(filter).unwrap();
        let order: Vec<OrderBy> = order.iter().map(|o| parse_experiment_order_by(o).unwrap()).collect();
        let query = ExperimentQuery {
            view,
            filter: &filter,
            order_by: &order,
            limit: 100,
            offset: 0,
        };
        let (sql, params) = experiments_sql(&query).unwrap();
        let mut statement = conn.prepare(&sql).unwrap();
        let rows = statement.query_map(params_from_iter(params), |row| row.get(0)).unwrap();
        rows.map(|r| r.unwrap()).collect()
    }

    fn active(conn: &Connection, filter: &str, order: &[&str]) -> Vec<i64> {
        search(conn, ViewType::ActiveOnly, filter, order)
    }

    #[test]
    fn default_order_is_newest_first() {
        let conn = store();
        assert_eq!(active(&conn, "", &[]), vec![2, 1, 0]);
        assert_eq!(search(&conn, ViewType::DeletedOnly, "", &[]), vec![3]);
        assert_eq!(search(&conn, ViewType::All, "", &[]), vec![3, 2, 1, 0]);
    }

    #[test]
    fn name_patterns_respect_case() {
        let conn = store();
        assert_eq!(active(&conn, "name LIKE 'exp%'", &[]), vec![2, 1]);
        assert_eq!(active(&conn, "attributes.name LIKE 'exp-O%'", &[]), vec![1]);
        assert_eq!(active(&conn, "name LIKE 'EXP%'", &[]), Vec::<i64>::new());
        assert_eq!(active(&conn, "name ILIKE 'EXP%'", &[]), vec![2, 1]);
        assert_eq!(active(&conn, "name = 'Default'", &[]), vec![0]);
        assert_eq!(active(&conn, "name != 'Default'", &[]), vec![2, 1]);
    }

    #[test]
    fn tags_and_times() {
        let conn = store();
        assert_eq!(active(&conn, "tags.team = 'nlp'", &[]), vec![2]);
        assert_eq!(active(&conn, "tags.team != 'nlp'", &[]), vec![1]);
        assert_eq!(active(&conn, "tags.team IS NULL", &[]), vec![0]);
        assert_eq!(active(&conn, "tags.team IS NOT NULL", &[]), vec![2, 1]);
        assert_eq!(active(&conn, "tags.team IN ('nlp', 'vision')", &[]), vec![2, 1]);
        assert_eq!(
            active(&conn, "creation_time > 150 AND last_update_time <= 250", &[]),
            vec![2, 1]
        );
    }

    #[test]
    fn order_by_with_experiment_id_tie_breaker() {
        let conn = store();
        assert_eq!(active(&conn, "", &["name"]), vec![0, 1, 2]);
        assert_eq!(active(&conn, "", &["last_update_time DESC"]), vec![2, 1, 0]);
        assert_eq!(
            active(&conn, "", &["last_update_time DESC", "experiment_id ASC"]),
            vec![1, 2, 0]
        );
        assert_eq!(active(&conn, "", &["experiment_id"]), vec![0, 1, 2]);
    }

    #[test]
    fn paging() {
        let conn = store();
        let filter = Filter::default();
        let page = |offset| {
            let query = ExperimentQuery {
                view: ViewType::All,
                filter: &filter,
                order_by: &[],
                limit: 3,
                offset,
            };
            let (sql, params) = experiments_sql(&query).unwrap();
            let mut statement = conn.prepare(&sql).unwrap();
            let rows = statement
                .query_map(params_from_iter(params), |row| row.get::<_, i64>(0))
                .unwrap();
            rows.map(|r| r.unwrap()).collect::<Vec<_>>()
        };
        assert_eq!(page(0), vec![3, 2, 1]);
        assert_eq!(page(3), vec![0]);
    }

    #[test]
    fn run_keys_are_refused_by_name() {
        for (filter, named) in [
            ("metrics.x > 1", "metric 'x'"),
            ("params.x = 'a'", "param 'x'"),
            ("experiment_id = 1", "'experiment_id'"),
            ("run_name = 'a'", "'run_name'"),
        ] {
            let err = parse_experiment_filter(filter).unwrap_err().to_string();
            assert!(err.contains(named), "{filter}: {err}");
        }
        let err = parse_experiment_order_by("tags.team").unwrap_err().to_string();
        assert!(err.contains("tag 'team'"), "{err}");
        let err = parse_experiment_order_by("start_time").unwrap_err().to_string();
        assert!(err.contains("'start_time'"), "{err}");
    }

    #[test]
    fn a_run_filter_is_refused_at_compile_time() {
        let filter = crate::search::parse_filter("metrics.rmse < 1").unwrap();
        let query = ExperimentQuery {
            view: ViewType::All,
            filter: &filter,
            order_by: &[],
            limit: 1,
            offset: 0,
        };
        let err = experiments_sql(&query).unwrap_err().to_string();
        assert!(err.contains("metric 'rmse'"), "{err}");
    }
}
