//! Schemas of model inputs and outputs, in MLflow's JSON form: a list of column specs
//! (`{"type": "double", "name": "x", "required": true}`) or of tensor specs
//! (`{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}`).

use serde_json::{json, Map, Value};

use super::pyjson;
use super::types::{ColumnType, DType};
use crate::error::{Error, Result};

/// One column: its name (absent for positional inputs), type, and whether it must be present.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColSpec {
    pub name: Option<String>,
    pub column_type: ColumnType,
    pub required: bool,
}

impl ColSpec {
    pub fn new(name: impl Into<String>, column_type: ColumnType) -> ColSpec {
        ColSpec {
            name: Some(name.into()),
            column_type,
            required: true,
        }
    }
}

/// One tensor: numpy dtype and shape (`-1` for a free dimension, the batch first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TensorSpec {
    pub name: Option<String>,
    pub dtype: String,
    pub shape: Vec<i64>,
}

/// The inputs or outputs of a model: columns of a table, or tensors.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schema {
    Columns(Vec<ColSpec>),
    Tensors(Vec<TensorSpec>),
}

impl Schema {
    /// Names of the columns or tensors, in order (unnamed ones left out).
    pub fn input_names(&self) -> Vec<String> {
        match self {
            Schema::Columns(columns) => columns.iter().filter_map(|c| c.name.clone()).collect(),
            Schema::Tensors(tensors) => tensors.iter().filter_map(|t| t.name.clone()).collect(),
        }
    }

    /// The schema as MLflow's list of spec objects.
    pub fn to_json_value(&self) -> Value {
        let specs = match self {
            Schema::Columns(columns) => columns.iter().map(col_spec_json).collect(),
            Schema::Tensors(tensors) => tensors.iter().map(tensor_spec_json).collect(),
        };
        Value::Array(specs)
    }

    /// The schema as the JSON text MLflow stores in `MLmodel` (`json.dumps` spacing).
    ///
    /// ```
    /// use rtrack::models::{ColSpec, ColumnType, Schema};
    ///
    /// let schema = Schema::Columns(vec![ColSpec::new("x", ColumnType::Double)]);
    /// assert_eq!(schema.to_json(), r#"[{"type": "double", "name": "x", "required": true}]"#);
    /// assert_eq!(Schema::from_json(&schema.to_json())?, schema);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn to_json(&self) -> String {
        let specs: Vec<String> = match self {
            Schema::Columns(columns) => columns.iter().map(col_spec_text).collect(),
            Schema::Tensors(tensors) => tensors.iter().map(tensor_spec_text).collect(),
        };
        format!("[{}]", specs.join(", "))
    }

    pub fn from_json(text: &str) -> Result<Schema> {
        let value: Value = serde_json::from_str(text)
            .map_err(|e| Error::invalid(format!("A schema is not valid JSON ({e}): {text}")))?;
        Schema::from_json_value(&value)
    }

    pub fn from_json_value(value: &Value) -> Result<Schema> {
        let specs = value
            .as_array()
            .ok_or_else(|| Error::invalid(format!("A schema must be a list of specs, got {value}")))?;
        let is_tensor = |spec: &Value| spec.get("type").and_then(Value::as_str) == Some("tensor");
        if !specs.is_empty() && specs.iter().all(is_tensor) {
            return Ok(Schema::Tensors(
                specs.iter().map(tensor_spec_from).collect::<Result<_>>()?,
            ));
        }
        if specs.iter().any(is_tensor) {
            return Err(Error::invalid("A schema mixes column and tensor specs"));
        }
        let columns: Vec<ColSpec> = specs.iter().map(col_spec_from).collect::<Result<_>>()?;
        let named = columns.iter().filter(|c| c.name.is_some()).count();
        if named != 0 && named != columns.len() {
            return Err(Error::invalid("A schema names some of its columns but not all"));
        }
        Ok(Schema::Columns(columns))
    }
}

/// A column spec with MLflow's key order: type, name, required.
fn col_spec_text(spec: &ColSpec) -> String {
    let mut pairs = vec![("type", pyjson::dumps(&json!(spec.column_type.as_str())))];
    if let Some(name) = &spec.name {
        pairs.push(("name", pyjson::dumps(&json!(name))));
    }
    pairs.push(("required", spec.required.to_string()));
    pyjson::ordered_object(&pairs)
}

/// A tensor spec with MLflow's key order: name, type, tensor-spec (dtype, shape).
fn tensor_spec_text(spec: &TensorSpec) -> String {
    let mut pairs = Vec::new();
    if let Some(name) = &spec.name {
        pairs.push(("name", pyjson::dumps(&json!(name))));
    }
    pairs.push(("type", "\"tensor\"".to_string()));
    let inner = [
        ("dtype", pyjson::dumps(&json!(spec.dtype))),
        ("shape", pyjson::dumps(&json!(spec.shape))),
    ];
    pairs.push(("tensor-spec", pyjson::ordered_object(&inner)));
    pyjson::ordered_object(&pairs)
}

fn col_spec_json(spec: &ColSpec) -> Value {
    let mut map = Map::new();
    map.insert("type".into(), json!(spec.column_type.as_str()));
    if let Some(name) = &spec.name {
        map.insert("name".into(), json!(name));
    }
    map.insert("required".into(), json!(spec.required));
    Value::Object(map)
}

fn tensor_spec_json(spec: &TensorSpec) -> Value {
    let mut map = Map::new();
    if let Some(name) = &spec.name {
        map.insert("name".into(), json!(name));
    }
    map.insert("type".into(), json!("tensor"));
    map.insert("tensor-spec".into(), json!({"dtype": spec.dtype, "shape": spec.shape}));
    Value::Object(map)
}

fn name_of(spec: &Value) -> Result<Option<String>> {
    match spec.get("name") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(name)) => Ok(Some(name.clone())),
        Some(other) => Err(Error::invalid(format!("A spec's name must be a string, got {other}"))),
    }
}

fn col_spec_from(spec: &Value) -> Result<ColSpec> {
    let type_name = spec
        .get("type")
        .and_then(Value::as_str)
        .ok_or_else(|| Error::invalid(format!("A column spec needs a string 'type': {spec}")))?;
    Ok(ColSpec {
        name: name_of(spec)?,
        column_type: type_name.parse()?,
        required: spec.get("required").and_then(Value::as_bool).unwrap_or(true),
    })
}

fn tensor_spec_from(spec: &Value) -> Result<TensorSpec> {
    let bad = || {
        Error::invalid(format!(
            "A tensor spec needs 'tensor-spec' with a dtype and a shape: {spec}"
        ))
    };
    let inner = spec.get("tensor-spec").ok_or_else(bad)?;
    let dtype = inner.get("dtype").and_then(Value::as_str).ok_or_else(bad)?;
    DType::parse(dtype)?;
    let shape = inner
        .get("shape")
        .and_then(Value::as_array)
        .ok_or_else(bad)?
        .iter()
        .map(|d| d.as_i64().ok_or_else(bad))
        .collect::<Result<_>>()?;
    Ok(TensorSpec {
        name: name_of(spec)?,
        dtype: dtype.to_string(),
        shape,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tensor_specs_round_trip_in_mlflow_form() {
        let schema = Schema::Tensors(vec![TensorSpec {
            name: None,
            dtype: "float64".into(),
            shape: vec![-1, 4],
        }]);
        let text = schema.to_json();
        assert_eq!(
            text,
            r#"[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 4]}}]"#
        );
        assert_eq!(Schema::from_json(&text).unwrap(), schema);
    }

    #[test]
    fn optional_and_unnamed_columns() {
        let text = r#"[{"type": "long", "required": false}, {"type": "string"}]"#;
        let Schema::Columns(columns) = Schema::from_json(text).unwrap() else {
            panic!()
        };
        assert_eq!(
            columns[0],
            ColSpec {
                name: None,
                column_type: ColumnType::Long,
                required: false
            }
        );
        assert!(columns[1].required);
    }

    #[test]
    fn bad_schemas_are_refused_with_the_reason() {
        for (text, reason) in [
            ("{}", "list of specs"),
            (r#"[{"type": "decimal", "name": "x"}]"#, "'decimal'"),
            (r#"[{"type": "tensor"}]"#, "tensor-spec"),
            (
                r#"[{"type": "double", "name": "x"}, {"type": "double"}]"#,
                "some of its columns",
            ),
            ("[", "not valid JSON"),
        ] {
            let err = Schema::from_json(text).unwrap_err().to_string();
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
