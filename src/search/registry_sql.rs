//! Compile registered model and model version searches into SQLite queries.

use rusqlite::types::Value as SqlValue;

use super::ast::{Comparator, Comparison, Filter, OrderBy};
use super::keys::{Attribute, Target};
use super::sql;
use crate::error::Result;

/// A registry search: filter, order and page. Build `filter` with
/// [`parse_registered_model_filter`](super::parse_registered_model_filter) or
/// [`parse_model_version_filter`](super::parse_model_version_filter), and `order_by` likewise.
#[derive(Clone, Copy, Debug)]
pub struct RegistryQuery<'a> {
    pub filter: &'a Filter,
    pub order_by: &'a [OrderBy],
    pub limit: usize,
    pub offset: usize,
}

/// The SQL and its bound parameters for a registered model search. The query selects
/// `m.registered_model_id`, ordered by the order_by clauses then by name (MLflow's order).
pub fn registered_models_sql(query: &RegistryQuery<'_>) -> Result<(String, Vec<SqlValue>)> {
    let comparisons = sql::checked_filter(Target::RegisteredModels, query.filter)?;
    let order = sql::checked_order(Target::RegisteredModels, query.order_by)?;
    let mut params = Vec::new();
    let mut conditions = vec!["1".to_string()];
    for (comparison, attribute) in &comparisons {
        let owner = "t.registered_model_id = m.registered_model_id";
        conditions.push(condition(
            comparison,
            *attribute,
            "registered_model_tags",
            owner,
            &mut params,
        ));
    }
    let mut order_terms = order_terms(&order);
    if !order_terms.iter().any(|term| term.starts_with("m.name ")) {
        order_terms.push("m.name ASC".into());
    }
    let mut text = format!(
        "SELECT m.registered_model_id FROM registered_models m WHERE {}",
        conditions.join(" AND ")
    );
    text.push_str(&format!(" ORDER BY {}", order_terms.join(", ")));
    text.push_str(sql::limit_offset(query.limit, query.offset, &mut params));
    Ok((text, params))
}

/// The SQL and its bound parameters for a model version search. The query selects
/// `v.registered_model_id, v.version`. Without order_by, the newest change comes first;
/// then by name ascending and version descending (MLflow's order).
pub fn model_versions_sql(query: &RegistryQuery<'_>) -> Result<(String, Vec<SqlValue>)> {
    let comparisons = sql::checked_filter(Target::ModelVersions, query.filter)?;
    let order = sql::checked_order(Target::ModelVersions, query.order_by)?;
    let mut params = Vec::new();
    let mut conditions = vec!["1".to_string()];
    for (comparison, attribute) in &comparisons {
        let owner = "t.registered_model_id = v.registered_model_id AND t.version = v.version";
        conditions.push(condition(
            comparison,
            *attribute,
            "model_version_tags",
            owner,
            &mut params,
        ));
    }
    let mut order_terms = order_terms(&order);
    if order.is_empty() {
        order_terms.push("v.last_updated_timestamp DESC".into());
    }
    if !order_terms.iter().any(|term| term.starts_with("m.name ")) {
        order_terms.push("m.name ASC".into());
    }
    if !order_terms.iter().any(|term| term.starts_with("v.version ")) {
        order_terms.push("v.version DESC".into());
    }
    let mut text = String::from(
        "SELECT v.registered_model_id, v.version FROM model_versions v \
         JOIN registered_models m ON m.registered_model_id = v.registered_model_id WHERE ",
    );
    text.push_str(&conditions.join(" AND "));
    text.push_str(&format!(" ORDER BY {}", order_terms.join(", ")));
    text.push_str(sql::limit_offset(query.limit, query.offset, &mut params));
    Ok((text, params))
}

/// The condition for one comparison: an attribute's column, or a tag of the row.
fn condition(
    comparison: &Comparison,
    attribute: Option<Attribute>,
    tag_table: &str,
    owner: &str,
    params: &mut Vec<SqlValue>,
) -> String {
    match attribute {
        Some(attribute) => sql::compare(attribute.column, comparison.comparator, &comparison.value, params),
        // Validation admits only tags besides attributes.
        None => {
            params.push(SqlValue::Text(comparison.key.name.clone()));
            let exists = format!("SELECT 1 FROM {tag_table} t WHERE {owner} AND t.key = ?");
            match comparison.comparator {
                Comparator::IsNull => format!("NOT EXISTS ({exists})"),
                Comparator::IsNotNull => format!("EXISTS ({exists})"),
                // Registry tags compare as MLflow's client expects: `tag.k != 'v'` also
                // matches rows without the tag (its default filter hides prompts this way).
                Comparator::NotEqual => {
                    let test = sql::compare("t.value", Comparator::Equal, &comparison.value, params);
                    format!("NOT EXISTS ({exists} AND {test})")
                }
                comparator => {
                    let test = sql::compare("t.value", comparator, &comparison.value, params);
                    format!("EXISTS ({exists} AND {test})")
                }
            }
        }
    }
}

/// `column ASC|DESC` for each clause; registry searches order on attributes only.
fn order_terms(order: &[(super::keys::Resolved, bool)]) -> Vec<String> {
    order
        .iter()
        .filter_map(|(resolved, ascending)| {
            resolved
                .attribute
                .map(|a| format!("{} {}", a.column, sql::direction(*ascending)))
        })
        .collect()
}

#[cfg(test)]
#[path = "registry_sql_tests.rs"]
mod tests;
