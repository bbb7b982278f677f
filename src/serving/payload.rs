//! The request bodies of MLflow's scoring protocol, read into an [`InputTable`]:
//! `{"dataframe_split": {"columns": [...], "data": [[...]]}}`, `{"dataframe_records": [{...}]}`,
//! `{"instances": ...}` / `{"inputs": ...}` (rows, records or a dict of columns), and CSV.

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::models::{InputColumn, InputTable};

const FIELDS: [&str; 4] = ["dataframe_split", "dataframe_records", "instances", "inputs"];

/// Read a JSON request body.
///
/// ```
/// use rtrack::serving::parse_json_payload;
///
/// let split = parse_json_payload(r#"{"dataframe_split": {"columns": ["x"], "data": [[1], [2]]}}"#)?;
/// let records = parse_json_payload(r#"{"dataframe_records": [{"x": 1}, {"x": 2}]}"#)?;
/// assert_eq!(split, records);
/// assert!(parse_json_payload(r#"{"rows": []}"#).is_err());
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parse_json_payload(body: &str) -> Result<InputTable> {
    let value: Value =
        serde_json::from_str(body).map_err(|e| Error::invalid(format!("Invalid input: the body is not JSON ({e})")))?;
    let Value::Object(map) = value else {
        return Err(Error::invalid("Invalid input: expected a JSON object with one of the fields dataframe_split, dataframe_records, instances, inputs"));
    };
    let given: Vec<&String> = map.keys().filter(|k| FIELDS.contains(&k.as_str())).collect();
    let [field] = given.as_slice() else {
        let keys: Vec<&String> = map.keys().collect();
        return Err(Error::invalid(format!(
            "Invalid input: the JSON object must have exactly one of the fields dataframe_split, dataframe_records, instances, inputs; it has {keys:?}"
        )));
    };
    let data = &map[field.as_str()];
    match field.as_str() {
        "dataframe_split" => split(data),
        "dataframe_records" => match data {
            Value::Array(rows) => records(rows),
            _ => Err(Error::invalid(
                "Invalid input: dataframe_records must be a list of objects",
            )),
        },
        _ => instances(data),
    }
}

fn split(data: &Value) -> Result<InputTable> {
    let Value::Object(split) = data else {
        return Err(Error::invalid(
            "Invalid input: dataframe_split must be an object with 'columns' and 'data'",
        ));
    };
    let rows = match split.get("data") {
        Some(Value::Array(rows)) => rows,
        _ => {
            return Err(Error::invalid(
                "Invalid input: dataframe_split needs 'data', a list of rows",
            ))
        }
    };
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|row| match row {
            Value::Array(cells) => cells.clone(),
            scalar => vec![scalar.clone()],
        })
        .collect();
    match split.get("columns") {
        Some(Value::Array(names)) => {
            let names = names
                .iter()
                .map(|n| match n {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect();
            from_rows(rows, Some(names))
        }
        None | Some(Value::Null) => from_rows(rows, None),
        Some(_) => Err(Error::invalid(
            "Invalid input: dataframe_split 'columns' must be a list of names",
        )),
    }
}

fn records(rows: &[Value]) -> Result<InputTable> {
    let mut names: Vec<String> = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        let Value::Object(record) = row else {
            return Err(Error::invalid(format!(
                "Invalid input: record {index} is not an object"
            )));
        };
        for key in record.keys() {
            if !names.contains(key) {
                names.push(key.clone());
            }
        }
    }
    let columns = names
        .into_iter()
        .map(|name| {
            let values = rows
                .iter()
                .map(|row| row.get(&name).cloned().unwrap_or(Value::Null))
                .collect();
            InputColumn {
                name,
                column_type: None,
                values,
            }
        })
        .collect();
    Ok(InputTable { columns, named: true })
}

fn instances(data: &Value) -> Result<InputTable> {
    match data {
        Value::Array(items) if items.iter().all(Value::is_object) && !items.is_empty() => records(items),
        Value::Array(items) if items.iter().all(Value::is_array) => from_rows(
            items
                .iter()
                .map(|row| row.as_array().cloned().unwrap_or_default())
                .collect(),
            None,
        ),
        Value::Array(items) => from_rows(items.iter().map(|v| vec![v.clone()]).collect(), None),
        Value::Object(columns) => dict_of_columns(columns),
        _ => Err(Error::invalid(
            "Invalid input: instances/inputs must be a list of rows or records, or an object of columns",
        )),
    }
}

fn dict_of_columns(columns: &Map<String, Value>) -> Result<InputTable> {
    let scalars = columns.values().all(|v| !v.is_array());
    let columns: Vec<InputColumn> = columns
        .iter()
        .map(|(name, values)| {
            let values = match values {
                Value::Array(values) if !scalars => values.clone(),
                other => vec![other.clone()],
            };
            InputColumn {
                name: name.clone(),
                column_type: None,
                values,
            }
        })
        .collect();
    let table = InputTable { columns, named: true };
    check_lengths(&table)?;
    Ok(table)
}

fn from_rows(rows: Vec<Vec<Value>>, names: Option<Vec<String>>) -> Result<InputTable> {
    let width = names
        .as_ref()
        .map_or_else(|| rows.first().map_or(0, Vec::len), Vec::len);
    if let Some(index) = rows.iter().position(|row| row.len() != width) {
        return Err(Error::invalid(format!(
            "Invalid input: row {index} has {} values, expected {width}",
            rows[index].len()
        )));
    }
    let named = names.is_some();
    let names = names.unwrap_or_else(|| (0..width).map(|i| i.to_string()).collect());
    let columns = names
        .into_iter()
        .enumerate()
        .map(|(i, name)| InputColumn {
            name,
            column_type: None,
            values: rows.iter().map(|row| row[i].clone()).collect(),
        })
        .collect();
    Ok(InputTable { columns, named })
}

fn check_lengths(table: &InputTable) -> Result<()> {
    let rows = table.rows();
    match table.columns.iter().find(|c| c.values.len() != rows) {
        Some(column) => Err(Error::invalid(format!(
            "Invalid input: column '{}' has a different length from the others",
            column.name
        ))),
        None => Ok(()),
    }
}

/// Read a CSV body: a header row of column names, then rows. Cells that read as numbers
/// are numbers (as pandas' `read_csv` would make them), the rest text; empty cells are missing.
///
/// ```
/// let table = rtrack::serving::parse_csv_payload("x,name\n1.5,\"a, b\"\n2,c\n")?;
/// assert_eq!(table.columns[0].values, vec![serde_json::json!(1.5), serde_json::json!(2)]);
/// assert_eq!(table.columns[1].values[0], "a, b");
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parse_csv_payload(body: &str) -> Result<InputTable> {
    let mut records = csv_records(body)?.into_iter();
    let header = records
        .next()
        .ok_or_else(|| Error::invalid("Invalid input: the CSV body is empty"))?;
    let rows: Vec<Vec<Value>> = records
        .map(|record| record.iter().map(|cell| csv_cell(cell)).collect())
        .collect();
    from_rows(rows, Some(header))
}

fn csv_cell(cell: &str) -> Value {
    if cell.is_empty() {
        return Value::Null;
    }
    if let Ok(n) = cell.parse::<i64>() {
        return Value::from(n);
    }
    match cell.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        Some(n) if cell.chars().any(|c| c.is_ascii_digit()) => Value::Number(n),
        _ => Value::String(cell.to_string()),
    }
}

/// RFC 4180 records: quoted fields may hold commas, quotes (doubled) and line breaks.
fn csv_records(body: &str) -> Result<Vec<Vec<String>>> {
    let mut records = Vec::new();
    let (mut record, mut field) = (Vec::new(), String::new());
    let (mut quoted, mut any) = (false, false);
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        any = true;
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.is_empty() => quoted = true,
            ',' => record.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                any = false;
            }
            c => field.push(c),
        }
    }
    if quoted {
        return Err(Error::invalid("Invalid input: a quoted CSV field is never closed"));
    }
    if any {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_keep_their_column_order() {
        // A model fitted without a signature checks feature names in the order it saw them.
        let table = parse_json_payload(r#"{"dataframe_records": [{"zeta": 1, "alpha": 2, "mid": 3}]}"#).unwrap();
        let names: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["zeta", "alpha", "mid"]);
    }

    #[test]
    fn every_json_shape_gives_the_same_table() {
        let expected =
            parse_json_payload(r#"{"dataframe_split": {"columns": ["a", "b"], "data": [[1, 2.5], [3, 4.5]]}}"#)
                .unwrap();
        for body in [
            r#"{"dataframe_records": [{"a": 1, "b": 2.5}, {"a": 3, "b": 4.5}]}"#,
            r#"{"instances": [{"a": 1, "b": 2.5}, {"a": 3, "b": 4.5}]}"#,
            r#"{"inputs": {"a": [1, 3], "b": [2.5, 4.5]}}"#,
        ] {
            assert_eq!(parse_json_payload(body).unwrap(), expected, "{body}");
        }
        assert_eq!(parse_csv_payload("a,b\n1,2.5\n3,4.5").unwrap(), expected);
        let rows = parse_json_payload(r#"{"instances": [[1, 2.5], [3, 4.5]], "params": {}}"#).unwrap();
        assert!(!rows.named);
        assert_eq!(
            rows.to_rows(),
            vec![vec![json!(1), json!(2.5)], vec![json!(3), json!(4.5)]]
        );
        let one = parse_json_payload(r#"{"inputs": {"a": 1, "b": "x"}}"#).unwrap();
        assert_eq!(one.rows(), 1);
    }

    #[test]
    fn malformed_bodies_say_what_is_wrong() {
        for (body, reason) in [
            ("not json", "not JSON"),
            ("[1, 2]", "JSON object"),
            (r#"{"instances": [], "inputs": []}"#, "exactly one"),
            (
                r#"{"dataframe_split": {"columns": ["a"], "data": [[1, 2]]}}"#,
                "row 0 has 2 values",
            ),
            (r#"{"dataframe_records": [1]}"#, "record 0"),
            (r#"{"inputs": {"a": [1, 2], "b": [1]}}"#, "column 'b'"),
        ] {
            let err = parse_json_payload(body).unwrap_err().to_string();
            assert!(err.contains(reason), "{body}: {err}");
        }
        assert!(parse_csv_payload("").is_err());
        assert!(parse_csv_payload("a\n\"open").is_err());
    }
}
