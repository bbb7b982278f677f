//! Compile a logged model search (experiments, filter, order, page) into one SQLite query.

use rusqlite::types::Value as SqlValue;

use super::ast::{Comparator, Comparison, Entity, Filter, OrderBy, Value};
use super::keys::{Attribute, Target};
use super::sql;
use crate::entities::{ExperimentId, LoggedModelStatus};
use crate::error::{Error, Result};

/// Everything a logged model search needs. Build `filter` with
/// [`parse_logged_model_filter`](super::parse_logged_model_filter) and `order_by` with
/// [`parse_logged_model_order_by`](super::parse_logged_model_order_by).
#[derive(Clone, Copy, Debug)]
pub struct LoggedModelQuery<'a> {
    pub experiment_ids: &'a [ExperimentId],
    pub filter: &'a Filter,
    /// Models with metrics on one of these datasets; metric conditions count only those.
    pub datasets: &'a [crate::store::DatasetFilter],
    pub order_by: &'a [OrderBy],
    pub limit: usize,
    pub offset: usize,
}

/// The SQL and its bound parameters for a logged model search over live (not deleted)
/// models. The query selects `lm.model_id`.
///
/// As in MLflow, `metrics.<key>` in a filter matches a model when any recorded value of
/// the metric passes, and in order_by sorts on the most recent value (latest timestamp,
/// then step); models without the metric sort last. Then `creation_timestamp DESC` and
/// `model_id` break ties. `status` compares status names (`READY` or `LOGGED_MODEL_READY`).
pub fn logged_models_sql(query: &LoggedModelQuery<'_>) -> Result<(String, Vec<SqlValue>)> {
    let comparisons = sql::checked_filter(Target::LoggedModels, query.filter)?;
    let order = sql::checked_order(Target::LoggedModels, query.order_by)?;
    let mut params = Vec::new();

    let mut conditions = Vec::new();
    if query.experiment_ids.is_empty() {
        conditions.push("0".to_string());
    } else {
        params.extend(query.experiment_ids.iter().map(|id| SqlValue::Integer(id.0)));
        conditions.push(format!(
            "lm.experiment_id IN ({})",
            sql::placeholders(query.experiment_ids.len())
        ));
    }
    conditions.push("lm.lifecycle_stage = 'active'".to_string());
    for dataset in query.datasets {
        if dataset.dataset_name.is_empty() {
            return Err(Error::invalid(
                "`dataset_name` in the `datasets` clause must be specified.",
            ));
        }
    }
    let mut metric_conditions = 0;
    for (comparison, attribute) in &comparisons {
        let on_metric = attribute.is_none() && comparison.key.entity == Entity::Metric;
        metric_conditions += usize::from(on_metric);
        let datasets = if on_metric { query.datasets } else { &[] };
        conditions.push(condition(comparison, *attribute, datasets, &mut params)?);
    }
    // With datasets but no metric condition: any metric on those datasets will do.
    if !query.datasets.is_empty() && metric_conditions == 0 {
        let on_datasets = dataset_condition(query.datasets, &mut params);
        conditions.push(format!(
            "EXISTS (SELECT 1 FROM logged_model_metrics x WHERE x.model_id = lm.model_id AND {on_datasets})"
        ));
    }

    // Order terms come after the conditions in the text, so their parameters do too.
    let mut order_terms = Vec::new();
    let (mut has_creation, mut has_id) = (false, false);
    for (resolved, ascending) in &order {
        let direction = sql::direction(*ascending);
        match resolved.attribute {
            Some(attribute) => {
                has_creation |= attribute.name == "creation_timestamp";
                has_id |= attribute.name == "model_id";
                if attribute.nullable {
                    order_terms.push(format!("{} IS NULL", attribute.column));
                }
                order_terms.push(format!("{} {direction}", attribute.column));
            }
            // Validation admits only metrics besides attributes for ordering.
            None => {
                let latest = "(SELECT x.value FROM logged_model_metrics x WHERE x.model_id = lm.model_id \
                              AND x.key = ? ORDER BY x.timestamp DESC, x.step DESC LIMIT 1)";
                params.push(SqlValue::Text(resolved.key.name.clone()));
                params.push(SqlValue::Text(resolved.key.name.clone()));
                order_terms.push(format!("{latest} IS NULL"));
                order_terms.push(format!("{latest} {direction}"));
            }
        }
    }
    if !has_creation {
        order_terms.push("lm.creation_timestamp DESC".into());
    }
    if !has_id {
        order_terms.push("lm.model_id ASC".into());
    }

    let mut text = format!(
        "SELECT lm.model_id FROM logged_models lm WHERE {}",
        conditions.join(" AND ")
    );
    text.push_str(&format!(" ORDER BY {}", order_terms.join(", ")));
    text.push_str(sql::limit_offset(query.limit, query.offset, &mut params));
    Ok((text, params))
}

/// `(x.dataset_name = ? AND x.dataset_digest = ?) OR ...` over the metric rows `x`.
fn dataset_condition(datasets: &[crate::store::DatasetFilter], params: &mut Vec<SqlValue>) -> String {
    let alternatives: Vec<String> = datasets
        .iter()
        .map(|dataset| {
            params.push(SqlValue::Text(dataset.dataset_name.clone()));
            match &dataset.dataset_digest {
                Some(digest) => {
                    params.push(SqlValue::Text(digest.clone()));
                    "(x.dataset_name = ? AND x.dataset_digest = ?)".to_string()
                }
                None => "x.dataset_name = ?".to_string(),
            }
        })
        .collect();
    format!("({})", alternatives.join(" OR "))
}

fn condition(
    comparison: &Comparison,
    attribute: Option<Attribute>,
    datasets: &[crate::store::DatasetFilter],
    params: &mut Vec<SqlValue>,
) -> Result<String> {
    let Comparison { key, comparator, value } = comparison;
    if let Some(attribute) = attribute {
        let value = if attribute.name == "status" {
            status_names(*comparator, value)?
        } else {
            value.clone()
        };
        return Ok(sql::compare(attribute.column, *comparator, &value, params));
    }
    let (table, value_column) = match key.entity {
        Entity::Metric => ("logged_model_metrics", "x.value"),
        Entity::Param => ("logged_model_params", "x.value"),
        _ => ("logged_model_tags", "x.value"),
    };
    params.push(SqlValue::Text(key.name.clone()));
    let exists = format!("SELECT 1 FROM {table} x WHERE x.model_id = lm.model_id AND x.key = ?");
    Ok(match comparator {
        Comparator::IsNull => format!("NOT EXISTS ({exists})"),
        Comparator::IsNotNull => format!("EXISTS ({exists})"),
        comparator => {
            let test = sql::compare(value_column, *comparator, value, params);
            if datasets.is_empty() {
                format!("EXISTS ({exists} AND {test})")
            } else {
                let on_datasets = dataset_condition(datasets, params);
                format!("EXISTS ({exists} AND {test} AND {on_datasets})")
            }
        }
    })
}

/// Status values as stored (`READY`), from either spelling; patterns are left alone.
fn status_names(comparator: Comparator, value: &Value) -> Result<Value> {
    let canonical = |text: &str| text.parse::<LoggedModelStatus>().map(|s| s.as_str().to_string());
    Ok(match (comparator, value) {
        (Comparator::Like | Comparator::ILike, _) => value.clone(),
        (_, Value::String(text)) => Value::String(canonical(text)?),
        (_, Value::List(items)) => Value::List(items.iter().map(|t| canonical(t)).collect::<Result<_>>()?),
        _ => value.clone(),
    })
}

#[cfg(test)]
#[path = "logged_models_sql_tests.rs"]
mod tests;
