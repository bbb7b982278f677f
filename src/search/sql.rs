//! SQL pieces shared by the run and experiment compilers. Every user value goes into the
//! parameter list; only fixed column names and operators are written into the SQL text.

use std::collections::HashSet;

use rusqlite::types::Value as SqlValue;

use super::ast::{Comparator, Comparison, Filter, OrderBy, Value};
use super::keys::{self, Attribute, Resolved, Target};
use crate::entities::ViewType;
use crate::error::{Error, Result};

/// `column <comparator> ?` for a comparator that takes a value, binding the value.
pub(crate) fn compare(column: &str, comparator: Comparator, value: &Value, params: &mut Vec<SqlValue>) -> String {
    match (comparator, value) {
        (Comparator::Like, Value::String(pattern)) => {
            // SQLite's LIKE ignores ASCII case; GLOB is case-sensitive, so a LIKE pattern
            // is translated to the equivalent GLOB pattern.
            params.push(SqlValue::Text(like_to_glob(pattern)));
            format!("{column} GLOB ?")
        }
        (Comparator::ILike, Value::String(pattern)) => {
            // Lowering both sides keeps this case-insensitive even on a connection that
            // turned on PRAGMA case_sensitive_like.
            params.push(SqlValue::Text(pattern.clone()));
            format!("lower({column}) LIKE lower(?)")
        }
        (Comparator::In | Comparator::NotIn, Value::List(items)) => {
            params.extend(items.iter().cloned().map(SqlValue::Text));
            let operator = if comparator == Comparator::In { "IN" } else { "NOT IN" };
            format!("{column} {operator} ({})", placeholders(items.len()))
        }
        (Comparator::IsNull, _) => format!("{column} IS NULL"),
        (Comparator::IsNotNull, _) => format!("{column} IS NOT NULL"),
        (_, value) => {
            params.push(scalar(value));
            format!("{column} {} ?", comparator.as_str())
        }
    }
}

fn scalar(value: &Value) -> SqlValue {
    match value {
        Value::String(s) => SqlValue::Text(s.clone()),
        Value::Integer(n) => SqlValue::Integer(*n),
        Value::Float(x) => SqlValue::Real(*x),
        Value::List(_) | Value::Null => SqlValue::Null,
    }
}

/// The JSON path of an object member, `$."key"`, for SQLite's JSON functions. SQLite's
/// quoted path labels end at the first `"` and treat a backslash as an escape, so a key holding
/// either has no path; stored keys never do (key validation refuses both characters).
pub(crate) fn json_member_path(key: &str) -> Option<String> {
    (!key.contains(['"', '\\'])).then(|| format!("$.\"{key}\""))
}

/// `?, ?, ?` with `count` placeholders.
pub(crate) fn placeholders(count: usize) -> String {
    vec!["?"; count].join(", ")
}

/// Translate a SQL LIKE pattern (`%` any run, `_` one character, everything else literal)
/// into a GLOB pattern, bracketing GLOB's own special characters so they stay literal.
pub(crate) fn like_to_glob(pattern: &str) -> String {
    let mut glob = String::with_capacity(pattern.len() + 4);
    for c in pattern.chars() {
        match c {
            '%' => glob.push('*'),
            '_' => glob.push('?'),
            '*' => glob.push_str("[*]"),
            '?' => glob.push_str("[?]"),
            '[' => glob.push_str("[[]"),
            other => glob.push(other),
        }
    }
    glob
}

/// `column IN (?, ...)` over the lifecycle stages a view admits.
pub(crate) fn stages(column: &str, view: ViewType, params: &mut Vec<SqlValue>) -> String {
    let stages = view.stages();
    params.extend(stages.iter().map(|s| SqlValue::Text(s.to_string())));
    format!("{column} IN ({})", placeholders(stages.len()))
}

/// ` LIMIT ? OFFSET ?`, binding both (values past i64::MAX are clamped).
pub(crate) fn limit_offset(limit: usize, offset: usize, params: &mut Vec<SqlValue>) -> &'static str {
    let clamp = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    params.push(SqlValue::Integer(clamp(limit)));
    params.push(SqlValue::Integer(clamp(offset)));
    " LIMIT ? OFFSET ?"
}

/// Re-check a filter for a target, so one built by hand or parsed for the other target is
/// refused with a clear message instead of compiling to wrong SQL.
pub(crate) fn checked_filter(target: Target, filter: &Filter) -> Result<Vec<(Comparison, Option<Attribute>)>> {
    filter
        .comparisons
        .iter()
        .map(|c| {
            keys::check_comparison(target, c)
                .map_err(|refusal| Error::invalid(format!("Invalid filter: {}{}", refusal.message, hint(refusal.hint))))
        })
        .collect()
}

/// Re-check order_by clauses for a target and refuse a key given twice (as MLflow does).
/// Returns each resolved key with its direction (true for ascending).
pub(crate) fn checked_order(target: Target, order_by: &[OrderBy]) -> Result<Vec<(Resolved, bool)>> {
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(order_by.len());
    for clause in order_by {
        let resolved = keys::check_order_key(target, &clause.key).map_err(|refusal| {
            Error::invalid(format!(
                "Invalid order_by clause: {}{}",
                refusal.message,
                hint(refusal.hint)
            ))
        })?;
        if !seen.insert(resolved.key.clone()) {
            return Err(Error::invalid(format!(
                "Invalid order_by: {} appears more than once",
                resolved.key
            )));
        }
        out.push((resolved, clause.ascending));
    }
    Ok(out)
}

fn hint(hint: Option<String>) -> String {
    hint.map(|h| format!("; {h}")).unwrap_or_default()
}

pub(crate) fn direction(ascending: bool) -> &'static str {
    if ascending {
        "ASC"
    } else {
        "DESC"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_become_globs_with_glob_characters_escaped() {
        assert_eq!(like_to_glob("Abc%"), "Abc*");
        assert_eq!(like_to_glob("a_c"), "a?c");
        assert_eq!(like_to_glob("a*b?[c]%"), "a[*]b[?][[]c]*");
    }

    #[test]
    fn values_are_bound_never_written() {
        let mut params = Vec::new();
        let sql = compare(
            "x",
            Comparator::Equal,
            &Value::String("'; DROP TABLE runs; --".into()),
            &mut params,
        );
        assert_eq!(sql, "x = ?");
        assert_eq!(params, vec![SqlValue::Text("'; DROP TABLE runs; --".into())]);
        let sql = compare(
            "x",
            Comparator::NotIn,
            &Value::List(vec!["a".into(), "b".into()]),
            &mut params,
        );
        assert_eq!(sql, "x NOT IN (?, ?)");
        assert_eq!(params.len(), 3);
    }
}
