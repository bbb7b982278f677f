//! A model's signature (inputs, outputs, inference params) and inferring one from the
//! shape of example data.

use serde_json::{json, Value};

use super::schema::{ColSpec, Schema, TensorSpec};
use super::types::{ColumnType, DType};
use crate::error::{Error, Result};

/// What a model takes and returns, as stored under `signature:` in `MLmodel`.
#[derive(Clone, Debug, PartialEq)]
pub struct ModelSignature {
    pub inputs: Schema,
    pub outputs: Option<Schema>,
    /// Inference parameters, kept as MLflow wrote them (a JSON list), if any.
    pub params: Option<Value>,
}

/// One column of example data, as the caller's data frame describes it.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDescription {
    pub name: Option<String>,
    /// numpy's dtype name (`"float64"`, `"object"`, ...).
    pub dtype: String,
    /// For `object` columns, what the values are (`"str"`, `"bytes"`, `"datetime"`).
    pub object_hint: Option<String>,
    /// Whether any value is missing; such a column is inferred as optional.
    pub has_missing: bool,
}

/// The shape of example data, all that inference needs.
#[derive(Clone, Debug, PartialEq)]
pub enum DataDescription {
    /// A data frame, a series, or a dict of scalars/lists: named columns.
    Table(Vec<ColumnDescription>),
    /// One array: its dtype and shape (the first dimension is the batch).
    Array { dtype: String, shape: Vec<usize> },
    /// A dict of arrays: one named tensor each.
    NamedArrays(Vec<(String, String, Vec<usize>)>),
}

impl DataDescription {
    /// The schema MLflow infers for such data.
    ///
    /// ```
    /// use rtrack::models::{ColumnDescription, DataDescription};
    ///
    /// let frame = DataDescription::Table(vec![ColumnDescription {
    ///     name: Some("x".into()), dtype: "float64".into(), object_hint: None, has_missing: false,
    /// }]);
    /// assert_eq!(frame.infer_schema()?.to_json(), r#"[{"type": "double", "name": "x", "required": true}]"#);
    /// let array = DataDescription::Array { dtype: "float32".into(), shape: vec![10, 4] };
    /// assert_eq!(array.infer_schema()?.to_json(),
    ///            r#"[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 4]}}]"#);
    /// # Ok::<(), rtrack::Error>(())
    /// ```
    pub fn infer_schema(&self) -> Result<Schema> {
        match self {
            DataDescription::Table(columns) => {
                if columns.is_empty() {
                    return Err(Error::invalid("Cannot infer a schema from data with no columns"));
                }
                let specs = columns
                    .iter()
                    .map(|column| {
                        let column_type = ColumnType::from_dtype(&column.dtype, column.object_hint.as_deref())
                            .map_err(|e| {
                                Error::invalid(format!(
                                    "Column '{}': {e}",
                                    column.name.as_deref().unwrap_or("<unnamed>")
                                ))
                            })?;
                        Ok(ColSpec {
                            name: column.name.clone(),
                            column_type,
                            required: !column.has_missing,
                        })
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(Schema::Columns(specs))
            }
            DataDescription::Array { dtype, shape } => Ok(Schema::Tensors(vec![tensor(None, dtype, shape)?])),
            DataDescription::NamedArrays(arrays) => {
                if arrays.is_empty() {
                    return Err(Error::invalid("Cannot infer a schema from an empty dict"));
                }
                let specs = arrays
                    .iter()
                    .map(|(name, dtype, shape)| tensor(Some(name), dtype, shape))
                    .collect::<Result<_>>()?;
                Ok(Schema::Tensors(specs))
            }
        }
    }
}

fn tensor(name: Option<&String>, dtype: &str, shape: &[usize]) -> Result<TensorSpec> {
    let parsed = DType::parse(dtype)?;
    if parsed.kind == 'O' {
        return Err(Error::invalid(
            "Cannot infer a tensor spec for an array of Python objects; use a DataFrame",
        ));
    }
    // The batch dimension is free; the others are what the example shows.
    let shape = shape
        .iter()
        .enumerate()
        .map(|(i, &d)| if i == 0 { -1 } else { d as i64 })
        .collect();
    Ok(TensorSpec {
        name: name.cloned(),
        dtype: dtype.trim_start_matches(['<', '>', '|', '=']).to_string(),
        shape,
    })
}

impl ModelSignature {
    /// Infer a signature from model input (and optionally output) data, as
    /// `mlflow.models.infer_signature` does.
    pub fn infer(inputs: &DataDescription, outputs: Option<&DataDescription>) -> Result<ModelSignature> {
        Ok(ModelSignature {
            inputs: inputs.infer_schema()?,
            outputs: outputs.map(DataDescription::infer_schema).transpose()?,
            params: None,
        })
    }

    /// The `signature:` mapping of `MLmodel`: each part as JSON text, or null.
    pub fn to_mlmodel_value(&self) -> Value {
        json!({
            "inputs": self.inputs.to_json(),
            "outputs": self.outputs.as_ref().map(Schema::to_json),
            "params": self.params.as_ref().map(super::pyjson::dumps),
        })
    }

    /// Read the `signature:` mapping of an `MLmodel` file.
    pub fn from_mlmodel_value(value: &Value) -> Result<ModelSignature> {
        let part = |key: &str| -> Result<Option<Value>> {
            match value.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(text)) => serde_json::from_str(text)
                    .map(Some)
                    .map_err(|e| Error::invalid(format!("The signature's {key} are not valid JSON ({e})"))),
                Some(other) => Ok(Some(other.clone())),
            }
        };
        let inputs = part("inputs")?.ok_or_else(|| Error::invalid("The signature has no inputs"))?;
        Ok(ModelSignature {
            inputs: Schema::from_json_value(&inputs)?,
            outputs: part("outputs")?.map(|v| Schema::from_json_value(&v)).transpose()?,
            params: part("params")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn column(name: &str, dtype: &str) -> ColumnDescription {
        ColumnDescription {
            name: Some(name.into()),
            dtype: dtype.into(),
            object_hint: None,
            has_missing: false,
        }
    }

    #[test]
    fn infers_frames_series_and_arrays() {
        let mut with_gap = column("city", "object");
        with_gap.has_missing = true;
        let frame = DataDescription::Table(vec![column("rooms", "int64"), column("area", "float32"), with_gap]);
        let y = DataDescription::Array {
            dtype: "float64".into(),
            shape: vec![3],
        };
        let signature = ModelSignature::infer(&frame, Some(&y)).unwrap();
        assert_eq!(
            signature.inputs.to_json(),
            r#"[{"type": "long", "name": "rooms", "required": true}, {"type": "float", "name": "area", "required": true}, {"type": "string", "name": "city", "required": false}]"#
        );
        assert_eq!(
            signature.outputs.unwrap().to_json(),
            r#"[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]"#
        );
        let dict = DataDescription::NamedArrays(vec![("a".into(), "int32".into(), vec![2, 3])]);
        assert_eq!(dict.infer_schema().unwrap().input_names(), ["a"]);
    }

    #[test]
    fn refuses_what_has_no_mlflow_type() {
        let err = DataDescription::Table(vec![column("z", "complex128")])
            .infer_schema()
            .unwrap_err();
        assert!(err.to_string().contains("Column 'z'"), "{err}");
        assert!(DataDescription::Table(vec![]).infer_schema().is_err());
        assert!(DataDescription::Array {
            dtype: "object".into(),
            shape: vec![2]
        }
        .infer_schema()
        .is_err());
    }

    #[test]
    fn mlmodel_form_round_trips() {
        let signature = ModelSignature::infer(&DataDescription::Table(vec![column("x", "float64")]), None).unwrap();
        let value = signature.to_mlmodel_value();
        assert_eq!(
            value["inputs"],
            r#"[{"type": "double", "name": "x", "required": true}]"#
        );
        assert_eq!(value["outputs"], Value::Null);
        assert_eq!(ModelSignature::from_mlmodel_value(&value).unwrap(), signature);
        assert!(ModelSignature::from_mlmodel_value(&json!({"inputs": "[{"})).is_err());
    }
}
