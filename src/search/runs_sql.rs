//! Compile a run search (experiments, view, filter, order, page) into one SQLite query.

use rusqlite::types::Value as SqlValue;

use super::ast::{Comparator, Comparison, Entity, Filter, OrderBy};
use super::keys::{Attribute, Target};
use super::sql;
use crate::entities::{ExperimentId, ViewType};
use crate::error::Result;

/// Everything a run search needs. Build `filter` with [`parse_filter`] and `order_by` with
/// [`parse_order_by`](super::parse_order_by).
///
/// [`parse_filter`]: super::parse_filter
#[derive(Clone, Copy, Debug)]
pub struct RunQuery<'a> {
    pub experiment_ids: &'a [ExperimentId],
    pub view: ViewType,
    pub filter: &'a Filter,
    pub order_by: &'a [OrderBy],
    pub limit: usize,
    pub offset: usize,
}

/// The SQL and its bound parameters for a run search. The query selects `r.run_uuid`, one
/// row per matching run, in MLflow's order:
///
/// - each order_by clause in turn; runs without the value sort last in either direction,
///   and for metrics a NaN latest value sorts after numbers but before missing metrics;
/// - then `start_time DESC` (unless start_time was ordered on), then `run_uuid` so that
///   paging with `limit`/`offset` is stable.
///
/// Metrics compare on their latest value (read from the run's `latest_metrics` summary);
/// a NaN latest value and series without points match nothing. A param or tag comparison only matches runs
/// that have the key, so `params.a != 'x'` leaves out runs without `a`.
///
/// Fails with [`Error::InvalidValue`](crate::Error::InvalidValue) when the filter or order
/// uses a key runs do not have (for instance one parsed for experiments), or orders on one
/// key twice.
pub fn runs_sql(query: &RunQuery<'_>) -> Result<(String, Vec<SqlValue>)> {
    runs_sql_selecting(query, "r.run_uuid")
}

/// [`runs_sql`] selecting other columns of `runs r` (e.g. the whole run info), so a search
/// reads its page in one query.
pub fn runs_sql_selecting(query: &RunQuery<'_>, columns: &str) -> Result<(String, Vec<SqlValue>)> {
    let comparisons = sql::checked_filter(Target::Runs, query.filter)?;
    let order = sql::checked_order(Target::Runs, query.order_by)?;

    let mut params = Vec::new();
    let mut text = format!("SELECT {columns} FROM runs r");

    // Ordering on a metric joins its series row (one per run and key; LEFT JOIN keeps runs
    // without it); params and tags are read from the run's own row. Parameters of ORDER BY
    // terms come after those of the WHERE clause, as in the text.
    let mut order_terms = Vec::new();
    let mut order_params = Vec::new();
    let mut ordered_on_start_time = false;
    for (index, (resolved, ascending)) in order.iter().enumerate() {
        let direction = sql::direction(*ascending);
        let alias = format!("o{index}");
        let key = &resolved.key;
        match (key.entity, resolved.attribute) {
            (_, Some(attribute)) => {
                ordered_on_start_time |= attribute.name == "start_time";
                if attribute.nullable {
                    order_terms.push(format!("{} IS NULL", attribute.column));
                }
                order_terms.push(format!("{} {direction}", attribute.column));
            }
            (Entity::Metric, None) => {
                text.push_str(&format!(
                    " LEFT JOIN metric_series {alias} ON {alias}.run_uuid = r.run_uuid \
                     AND {alias}.key = ? AND {alias}.point_count > 0"
                ));
                params.push(SqlValue::Text(key.name.clone()));
                // Missing metrics last, then NaN (NULL last_value), then numbers in order.
                order_terms.push(format!("{alias}.series_id IS NULL"));
                order_terms.push(format!("{alias}.last_value IS NULL"));
                order_terms.push(format!("{alias}.last_value {direction}"));
            }
            (_, None) => {
                // Params and tags are members of the run's summary columns.
                let column = if key.entity == Entity::Param {
                    "r.param_values"
                } else {
                    "r.tag_values"
                };
                let value = match sql::json_member_path(&key.name) {
                    Some(path) => {
                        // Bound twice: once per term below.
                        order_params.push(SqlValue::Text(path.clone()));
                        order_params.push(SqlValue::Text(path));
                        format!("({column} ->> ?)")
                    }
                    None => "NULL".to_string(), // no run can have this key
                };
                order_terms.push(format!("{value} IS NULL"));
                order_terms.push(format!("{value} {direction}"));
            }
        }
    }
    if !ordered_on_start_time {
        order_terms.push("r.start_time DESC".into());
    }
    order_terms.push("r.run_uuid ASC".into());

    let mut conditions = Vec::new();
    if query.experiment_ids.is_empty() {
        conditions.push("0".to_string());
    } else {
        params.extend(query.experiment_ids.iter().map(|id| SqlValue::Integer(id.0)));
        conditions.push(format!(
            "r.experiment_id IN ({})",
            sql::placeholders(query.experiment_ids.len())
        ));
    }
    conditions.push(sql::stages("r.lifecycle_stage", query.view, &mut params));
    // AND does not care about order, but SQLite tests terms as written: columns first, then
    // text members, then metrics, whose values are numbers it must parse, so that cheap
    // tests rule most runs out before the dear ones run.
    let mut ordered: Vec<_> = comparisons.iter().collect();
    ordered.sort_by_key(|(comparison, attribute)| match (attribute, comparison.key.entity) {
        (Some(_), _) => 0,
        (None, Entity::Metric) => 2,
        (None, _) => 1,
    });
    for (comparison, attribute) in ordered {
        conditions.push(condition(comparison, *attribute, &mut params));
    }

    params.extend(order_params);
    text.push_str(" WHERE ");
    text.push_str(&conditions.join(" AND "));
    text.push_str(" ORDER BY ");
    text.push_str(&order_terms.join(", "));
    // Numbers the caller computed, written into the text rather than bound: SQLite plans with
    // a bound LIMIT's value and so re-prepares the statement whenever it is bound again.
    let clamp = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    text.push_str(&format!(" LIMIT {} OFFSET {}", clamp(query.limit), clamp(query.offset)));
    Ok((text, params))
}

/// The SQL condition for one validated comparison (with its attribute, if it compares one).
///
/// Metrics, params and tags are read from the run's own row: its summary columns hold
/// every param and tag and each metric's latest point as JSONB (see
/// `store::sqlite::summary`). A missing key reads as NULL, which fails every comparison,
/// so a comparison only matches runs that have the key; a NaN latest value is stored as
/// null and matches nothing either.
fn condition(comparison: &Comparison, attribute: Option<Attribute>, params: &mut Vec<SqlValue>) -> String {
    let Comparison { key, comparator, value } = comparison;
    if let Some(attribute) = attribute {
        return sql::compare(attribute.column, *comparator, value, params);
    }
    let (column, suffix) = match key.entity {
        Entity::Metric => ("r.latest_metrics", "[0]"),
        Entity::Param => ("r.param_values", ""),
        _ => ("r.tag_values", ""),
    };
    let Some(path) = sql::json_member_path(&key.name) else {
        // No stored key can contain the characters that make this one unaddressable.
        return if *comparator == Comparator::IsNull {
            "1".into()
        } else {
            "0".into()
        };
    };
    params.push(SqlValue::Text(format!("{path}{suffix}")));
    sql::compare(&format!("({column} ->> ?)"), *comparator, value, params)
}

#[cfg(test)]
#[path = "runs_sql_tests.rs"]
mod tests;
