//! A table of model input as it arrives from a request or a data frame: named (or
//! positional) columns of JSON values.

use serde_json::Value;

use super::types::ColumnType;

/// One input column. After [`enforce_table`](super::enforce_table), `column_type` is the
/// schema's type and the values fit it (integers given for a double column are doubles).
#[derive(Clone, Debug, PartialEq)]
pub struct InputColumn {
    pub name: String,
    pub column_type: Option<ColumnType>,
    pub values: Vec<Value>,
}

/// Columns of equal length. `named` is false when the caller gave rows of bare values
/// (`instances: [[1, 2]]`); the columns are then called `"0"`, `"1"`, ... by position.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct InputTable {
    pub columns: Vec<InputColumn>,
    pub named: bool,
}

impl InputTable {
    /// Named columns of values.
    pub fn from_columns(columns: Vec<(String, Vec<Value>)>) -> InputTable {
        let columns = columns
            .into_iter()
            .map(|(name, values)| InputColumn {
                name,
                column_type: None,
                values,
            })
            .collect();
        InputTable { columns, named: true }
    }

    pub fn rows(&self) -> usize {
        self.columns.first().map_or(0, |c| c.values.len())
    }

    pub fn column(&self, name: &str) -> Option<&InputColumn> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The table as rows of values, for models that take a matrix.
    pub fn to_rows(&self) -> Vec<Vec<Value>> {
        (0..self.rows())
            .map(|row| self.columns.iter().map(|c| c.values[row].clone()).collect())
            .collect()
    }
}
