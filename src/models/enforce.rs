//! Checking input against a model's signature, with MLflow's rules: required columns must be
//! there, extra ones are dropped, and a value may only widen safely (int32 -> long or double,
//! float -> double), never narrow (double -> long). Every refusal names the column.

use serde_json::Value;

use super::schema::{ColSpec, Schema, TensorSpec};
use super::table::{InputColumn, InputTable};
use super::types::{ColumnType, DType};
use crate::error::{Error, Result};

/// Check a table of JSON values (a serving request) against `schema` and return it in the
/// schema's column order with values converted to the column types.
///
/// ```
/// use rtrack::models::{enforce_table, ColSpec, ColumnType, InputTable, Schema};
/// use serde_json::json;
///
/// let schema = Schema::Columns(vec![ColSpec::new("x", ColumnType::Double)]);
/// let ok = enforce_table(&InputTable::from_columns(vec![("x".into(), vec![json!(1), json!(2.5)])]), &schema)?;
/// assert_eq!(ok.columns[0].values, vec![json!(1.0), json!(2.5)]);
/// let err = enforce_table(&InputTable::from_columns(vec![("y".into(), vec![json!(1)])]), &schema).unwrap_err();
/// assert!(err.to_string().contains("missing inputs ['x']"));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn enforce_table(table: &InputTable, schema: &Schema) -> Result<InputTable> {
    match schema {
        Schema::Columns(specs) => enforce_columns(table, specs),
        Schema::Tensors(specs) => enforce_tensor(table, specs),
    }
}

fn enforce_columns(table: &InputTable, specs: &[ColSpec]) -> Result<InputTable> {
    let positional = specs.iter().all(|s| s.name.is_none()) || !table.named;
    let mut out = InputTable {
        columns: Vec::new(),
        named: true,
    };
    if positional {
        if table.columns.len() != specs.len() {
            return Err(Error::invalid(format!(
                "Model expects {} input columns, got {} unnamed ones",
                specs.len(),
                table.columns.len()
            )));
        }
        for (index, (spec, column)) in specs.iter().zip(&table.columns).enumerate() {
            let name = spec.name.clone().unwrap_or_else(|| index.to_string());
            out.columns.push(convert_column(&name, spec, &column.values)?);
        }
        return Ok(out);
    }
    let missing: Vec<String> = specs
        .iter()
        .filter(|s| s.required)
        .filter_map(|s| s.name.as_deref())
        .filter(|name| table.column(name).is_none())
        .map(|name| format!("'{name}'"))
        .collect();
    if !missing.is_empty() {
        let known: Vec<&str> = specs.iter().filter_map(|s| s.name.as_deref()).collect();
        let extra: Vec<String> = table
            .columns
            .iter()
            .filter(|c| !known.contains(&c.name.as_str()))
            .map(|c| format!("'{}'", c.name))
            .collect();
        let mut message = format!("Model is missing inputs [{}].", missing.join(", "));
        if !extra.is_empty() {
            message.push_str(&format!(" Note that there were extra inputs: [{}].", extra.join(", ")));
        }
        return Err(Error::invalid(message));
    }
    for spec in specs {
        let name = spec.name.as_deref().unwrap_or_default();
        if let Some(column) = table.column(name) {
            out.columns.push(convert_column(name, spec, &column.values)?);
        }
    }
    Ok(out)
}

fn convert_column(name: &str, spec: &ColSpec, values: &[Value]) -> Result<InputColumn> {
    let values = values
        .iter()
        .enumerate()
        .map(|(row, value)| {
            convert_value(value, spec.column_type, spec.required).map_err(|why| {
                Error::invalid(format!(
                    "Incompatible input types for column '{name}' (row {row}): {why}"
                ))
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(InputColumn {
        name: name.to_string(),
        column_type: Some(spec.column_type),
        values,
    })
}

/// One JSON value as `column_type`, or why it cannot be.
fn convert_value(value: &Value, column_type: ColumnType, required: bool) -> std::result::Result<Value, String> {
    let shown = || {
        let text = value.to_string();
        if text.chars().count() > 40 {
            format!("{}...", text.chars().take(40).collect::<String>())
        } else {
            text
        }
    };
    if value.is_null() {
        return if required {
            Err(format!("a value is missing but the column is required ({column_type})"))
        } else {
            Ok(Value::Null)
        };
    }
    let refused = || Err(format!("{} is not a {column_type}", shown()));
    match column_type {
        ColumnType::Boolean => {
            if value.is_boolean() {
                Ok(value.clone())
            } else {
                refused()
            }
        }
        ColumnType::Integer | ColumnType::Long => {
            let limit = if column_type == ColumnType::Integer {
                i32::MAX as i64
            } else {
                i64::MAX
            };
            match value.as_i64() {
                Some(n) if n.abs() <= limit => Ok(Value::from(n)),
                _ => refused(),
            }
        }
        ColumnType::Float | ColumnType::Double => match value.as_f64() {
            Some(x) => Ok(Value::from(x)),
            None => refused(),
        },
        ColumnType::String | ColumnType::Binary | ColumnType::Datetime => {
            if value.is_string() {
                Ok(value.clone())
            } else {
                refused()
            }
        }
    }
}

fn enforce_tensor(table: &InputTable, specs: &[TensorSpec]) -> Result<InputTable> {
    let [spec] = specs else {
        return Err(Error::invalid(
            "Models with several named tensor inputs take their input as a dict of arrays, not a table",
        ));
    };
    let kind = DType::parse(&spec.dtype)?.kind;
    let expected_width = match spec.shape.as_slice() {
        [_] => Some(1),
        [_, width] if *width >= 0 => Some(*width as usize),
        _ => None,
    };
    if let Some(width) = expected_width {
        if table.columns.len() != width {
            return Err(Error::invalid(format!(
                "Shape of input does not match the model's tensor spec: expected {width} values per row, got {}",
                table.columns.len()
            )));
        }
    }
    let fits = |v: &Value| match kind {
        'f' => v.is_number(),
        'i' | 'u' => v.is_i64() || v.is_u64(),
        'b' => v.is_boolean(),
        _ => v.is_string(),
    };
    let mut out = table.clone();
    for column in &mut out.columns {
        if let Some(bad) = column.values.iter().find(|v| !fits(v)) {
            return Err(Error::invalid(format!(
                "Incompatible input types for column '{}': {bad} does not fit the tensor dtype {}",
                column.name, spec.dtype
            )));
        }
        if kind == 'f' {
            column.values = column
                .values
                .iter()
                .map(|v| Value::from(v.as_f64().unwrap_or(f64::NAN)))
                .collect();
        }
    }
    Ok(out)
}

/// How to make one column of a data frame fit the schema: keep it, or cast it to a numpy
/// dtype. The column's values are not needed, only its dtype.
///
/// ```
/// use rtrack::models::{plan_column, ColSpec, ColumnType};
///
/// let spec = ColSpec::new("rooms", ColumnType::Long);
/// assert_eq!(plan_column(&spec, "int32")?, Some("int64"));   // widening is fine
/// assert_eq!(plan_column(&spec, "int64")?, None);
/// assert!(plan_column(&spec, "float64").unwrap_err().to_string().contains("column 'rooms'"));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn plan_column(spec: &ColSpec, dtype: &str) -> Result<Option<&'static str>> {
    let name = spec.name.as_deref().unwrap_or("<unnamed>");
    let actual = DType::parse(dtype)?;
    let refused = || {
        Err(Error::invalid(format!(
            "Incompatible input types for column '{name}'. Can not safely convert {dtype} to {} (the signature says {}).",
            spec.column_type.numpy_dtype(),
            spec.column_type
        )))
    };
    let target = DType::parse(spec.column_type.numpy_dtype())?;
    match spec.column_type {
        ColumnType::String => {
            return if matches!(actual.kind, 'O' | 'U') {
                Ok(None)
            } else {
                refused()
            }
        }
        ColumnType::Binary => {
            return if matches!(actual.kind, 'O' | 'S') {
                Ok(None)
            } else {
                refused()
            }
        }
        ColumnType::Datetime => {
            return match actual.kind {
                'M' => Ok(None),
                'O' => Ok(Some("datetime64[ns]")),
                _ => refused(),
            }
        }
        ColumnType::Boolean => return if actual.kind == 'b' { Ok(None) } else { refused() },
        _ => {}
    }
    if actual == target {
        return Ok(None);
    }
    let widens = match (actual.kind, target.kind) {
        (a, t) if a == t => actual.itemsize <= target.itemsize,
        ('u', 'i') => actual.itemsize < target.itemsize,
        // MLflow lets integers of up to 32 bits become doubles: no precision is lost.
        ('i' | 'u', 'f') => target.itemsize == 8 && actual.itemsize <= 4,
        _ => false,
    };
    if widens {
        Ok(Some(spec.column_type.numpy_dtype()))
    } else {
        refused()
    }
}

/// For a data frame with columns `(name, dtype)`: which columns to pass on, in schema order,
/// and the cast each needs. Required columns that are missing are an error naming them.
pub fn plan_frame(specs: &[ColSpec], columns: &[(String, String)]) -> Result<Vec<(String, Option<&'static str>)>> {
    let named = specs.iter().all(|s| s.name.is_some());
    if !named {
        if specs.len() != columns.len() {
            return Err(Error::invalid(format!(
                "Model expects {} input columns, got {}",
                specs.len(),
                columns.len()
            )));
        }
        return specs
            .iter()
            .zip(columns)
            .map(|(spec, (name, dtype))| Ok((name.clone(), plan_column(spec, dtype)?)))
            .collect();
    }
    let table = InputTable::from_columns(columns.iter().map(|(n, _)| (n.clone(), Vec::new())).collect());
    enforce_columns(&table, specs)?; // the missing-column check and its message
    specs
        .iter()
        .filter_map(|spec| {
            let name = spec.name.as_deref()?;
            let (_, dtype) = columns.iter().find(|(n, _)| n == name)?;
            Some(plan_column(spec, dtype).map(|cast| (name.to_string(), cast)))
        })
        .collect()
}

/// For an array with `dtype` and `shape` given to a tensor model: the cast it needs, if any.
pub fn plan_tensor(specs: &[TensorSpec], dtype: &str, shape: &[usize]) -> Result<Option<String>> {
    let [spec] = specs else {
        return Err(Error::invalid(
            "This model takes several named tensors: pass a dict of arrays",
        ));
    };
    let rank_matches = spec.shape.len() == shape.len();
    let dims_match = spec
        .shape
        .iter()
        .zip(shape)
        .all(|(&want, &got)| want < 0 || want as usize == got);
    if !rank_matches || !dims_match {
        return Err(Error::invalid(format!(
            "Shape of input {shape:?} does not match the expected shape {:?}",
            spec.shape
        )));
    }
    let (actual, target) = (DType::parse(dtype)?, DType::parse(&spec.dtype)?);
    if actual == target {
        return Ok(None);
    }
    if actual.kind == target.kind && actual.itemsize <= target.itemsize {
        return Ok(Some(spec.dtype.clone()));
    }
    Err(Error::invalid(format!(
        "dtype of input {dtype} does not match the expected dtype {}",
        spec.dtype
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn house() -> Schema {
        Schema::Columns(vec![
            ColSpec::new("rooms", ColumnType::Long),
            ColSpec::new("area", ColumnType::Double),
            ColSpec {
                name: Some("note".into()),
                column_type: ColumnType::String,
                required: false,
            },
        ])
    }

    #[test]
    fn tables_are_reordered_converted_and_trimmed() {
        let table = InputTable::from_columns(vec![
            ("area".into(), vec![json!(50), json!(70.5)]),
            ("extra".into(), vec![json!("x"), json!("y")]),
            ("rooms".into(), vec![json!(2), json!(3)]),
        ]);
        let ok = enforce_table(&table, &house()).unwrap();
        let names: Vec<&str> = ok.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["rooms", "area"]);
        assert_eq!(ok.columns[1].values, [json!(50.0), json!(70.5)]);
        assert_eq!(ok.columns[1].column_type, Some(ColumnType::Double));
    }

    #[test]
    fn refusals_name_the_column() {
        let wrong = InputTable::from_columns(vec![
            ("rooms".into(), vec![json!(2.5)]),
            ("area".into(), vec![json!(1)]),
        ]);
        let err = enforce_table(&wrong, &house()).unwrap_err().to_string();
        assert!(
            err.contains("column 'rooms'") && err.contains("2.5 is not a long"),
            "{err}"
        );
        let text = InputTable::from_columns(vec![
            ("rooms".into(), vec![json!(2)]),
            ("area".into(), vec![json!("big")]),
        ]);
        assert!(enforce_table(&text, &house())
            .unwrap_err()
            .to_string()
            .contains("column 'area'"));
        let missing = InputTable::from_columns(vec![("area".into(), vec![json!(1)]), ("x".into(), vec![json!(1)])]);
        let err = enforce_table(&missing, &house()).unwrap_err().to_string();
        assert_eq!(
            err,
            "Model is missing inputs ['rooms']. Note that there were extra inputs: ['x']."
        );
        let gap = InputTable::from_columns(vec![
            ("rooms".into(), vec![Value::Null]),
            ("area".into(), vec![json!(1)]),
        ]);
        assert!(enforce_table(&gap, &house())
            .unwrap_err()
            .to_string()
            .contains("required"));
    }

    #[test]
    fn positional_rows_take_the_schema_names() {
        let rows = InputTable {
            columns: vec![
                InputColumn {
                    name: "0".into(),
                    column_type: None,
                    values: vec![json!(1)],
                },
                InputColumn {
                    name: "1".into(),
                    column_type: None,
                    values: vec![json!(2)],
                },
                InputColumn {
                    name: "2".into(),
                    column_type: None,
                    values: vec![json!("n")],
                },
            ],
            named: false,
        };
        let ok = enforce_table(&rows, &house()).unwrap();
        assert_eq!(ok.columns[2].name, "note");
        let short = InputTable {
            columns: rows.columns[..1].to_vec(),
            named: false,
        };
        assert!(enforce_table(&short, &house())
            .unwrap_err()
            .to_string()
            .contains("expects 3 input columns"));
    }

    #[test]
    fn frame_plans_follow_mlflow_casting() {
        let Schema::Columns(specs) = house() else {
            unreachable!()
        };
        let plan = plan_frame(
            &specs,
            &[("area".into(), "int32".into()), ("rooms".into(), "int64".into())],
        )
        .unwrap();
        assert_eq!(
            plan,
            [("rooms".to_string(), None), ("area".to_string(), Some("float64"))]
        );
        let err = plan_frame(
            &specs,
            &[("area".into(), "int64".into()), ("rooms".into(), "int64".into())],
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("column 'area'. Can not safely convert int64 to float64"),
            "{err}"
        );
        let err = plan_frame(&specs, &[("area".into(), "float64".into())]).unwrap_err();
        assert!(err.to_string().contains("['rooms']"));
        assert!(plan_column(&ColSpec::new("f", ColumnType::Float), "float64").is_err());
        assert_eq!(
            plan_column(&ColSpec::new("b", ColumnType::Boolean), "bool").unwrap(),
            None
        );
    }

    #[test]
    fn tensors_check_shape_and_dtype() {
        let specs = vec![TensorSpec {
            name: None,
            dtype: "float64".into(),
            shape: vec![-1, 3],
        }];
        assert_eq!(plan_tensor(&specs, "float64", &[5, 3]).unwrap(), None);
        assert_eq!(
            plan_tensor(&specs, "float32", &[5, 3]).unwrap().as_deref(),
            Some("float64")
        );
        assert!(plan_tensor(&specs, "float64", &[5, 2])
            .unwrap_err()
            .to_string()
            .contains("shape"));
        assert!(plan_tensor(&specs, "int64", &[5, 3]).is_err());
        let rows = InputTable {
            columns: vec![InputColumn {
                name: "0".into(),
                column_type: None,
                values: vec![json!(1)],
            }],
            named: false,
        };
        assert!(enforce_table(&rows, &Schema::Tensors(specs))
            .unwrap_err()
            .to_string()
            .contains("expected 3 values per row"));
    }
}
