//! Tables for `log_table`, in the JSON shape MLflow writes (pandas' `orient="split"` without
//! the index), so the MLflow UI and `load_table` read rtrack's tables and the reverse.

use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};

#[derive(Serialize)]
struct SplitTable<'a> {
    columns: Vec<&'a str>,
    data: Vec<Vec<&'a Value>>,
}

/// `{"columns": [...], "data": [[row], ...]}` from columns given as (name, values). Every
/// column must have as many values as the first; names must be distinct.
pub fn table_to_json(columns: Vec<(String, Vec<Value>)>) -> Result<String> {
    let rows = columns.first().map_or(0, |(_, values)| values.len());
    for (index, (name, values)) in columns.iter().enumerate() {
        if values.len() != rows {
            let (first, _) = &columns[0];
            return Err(Error::invalid(format!(
                "Invalid table: column '{name}' has {} values, but column '{first}' has {rows}",
                values.len()
            )));
        }
        if columns[..index].iter().any(|(earlier, _)| earlier == name) {
            return Err(Error::invalid(format!("Invalid table: column '{name}' appears twice")));
        }
    }
    let table = SplitTable {
        columns: columns.iter().map(|(name, _)| name.as_str()).collect(),
        data: (0..rows)
            .map(|row| columns.iter().map(|(_, values)| &values[row]).collect())
            .collect(),
    };
    serde_json::to_string(&table).map_err(|e| Error::Internal(format!("table to JSON: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn emits_split_orientation() {
        let table = table_to_json(vec![
            ("name".into(), vec![json!("a"), json!("b")]),
            ("score".into(), vec![json!(0.5), json!(null)]),
        ])
        .unwrap();
        assert_eq!(table, r#"{"columns":["name","score"],"data":[["a",0.5],["b",null]]}"#);
    }

    #[test]
    fn empty_tables() {
        assert_eq!(table_to_json(vec![]).unwrap(), r#"{"columns":[],"data":[]}"#);
        assert_eq!(
            table_to_json(vec![("x".into(), vec![])]).unwrap(),
            r#"{"columns":["x"],"data":[]}"#
        );
    }

    #[test]
    fn refuses_ragged_and_duplicate_columns() {
        let message = table_to_json(vec![
            ("a".into(), vec![json!(1), json!(2)]),
            ("b".into(), vec![json!(1)]),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("column 'b' has 1 values") && message.contains("'a' has 2"),
            "{message}"
        );
        let message = table_to_json(vec![("a".into(), vec![]), ("a".into(), vec![])])
            .unwrap_err()
            .to_string();
        assert!(message.contains("'a' appears twice"), "{message}");
    }
}
