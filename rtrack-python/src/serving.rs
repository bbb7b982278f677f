//! Python models behind `rtrack models serve`: a [`Predictor`] that calls the model loaded by
//! `rtrack.pyfunc`, registered for every `python_function` model folder. The HTTP layer and
//! the signature check stay in Rust; Python is entered only to predict.

use std::path::Path;
use std::sync::Arc;

use pyo3::prelude::*;

use crate::errors::PyResult;
use pyo3::types::PyList;
use serde_json::Value;

use rtrack::error::{Error, Result};
use rtrack::models::{InputTable, MlModel, ModelSignature};
use rtrack::serving::Predictor;

use super::convert;
use super::models::to_python;

struct PythonPredictor {
    model: Py<PyAny>,
    signature: Option<ModelSignature>,
}

/// A Python exception as an rtrack error: bad input stays the caller's fault.
fn from_python(py: Python<'_>, error: PyErr) -> Error {
    let message = error.value(py).str().map(|s| s.to_string()).unwrap_or_default();
    let name = error.get_type(py).name().map(|n| n.to_string()).unwrap_or_default();
    if error.is_instance_of::<super::errors::InvalidValueError>(py) || name == "ValueError" {
        Error::invalid(message)
    } else {
        Error::Internal(format!("{name}: {message}"))
    }
}

impl Predictor for PythonPredictor {
    fn signature(&self) -> Option<&ModelSignature> {
        self.signature.as_ref()
    }

    fn predict(&self, input: &InputTable) -> Result<Vec<Value>> {
        Python::attach(|py| {
            let call = || -> PyResult<Vec<Value>> {
                let names: Vec<&str> = input.columns.iter().map(|c| c.name.as_str()).collect();
                let dtypes: Vec<Option<&str>> = input
                    .columns
                    .iter()
                    .map(|c| c.column_type.map(|t| t.numpy_dtype()))
                    .collect();
                let columns = PyList::empty(py);
                for column in &input.columns {
                    columns.append(to_python(py, &Value::Array(column.values.clone()))?)?;
                }
                let predictions = py.import("rtrack.pyfunc")?.call_method1(
                    "_predict_columns",
                    (self.model.bind(py), names, dtypes, columns, input.named),
                )?;
                match convert::to_json(&predictions, false)? {
                    Value::Array(items) => Ok(items),
                    other => Ok(vec![other]),
                }
            };
            call().map_err(|e| from_python(py, e.into()))
        })
    }
}

/// Loads `python_function` models through `rtrack.pyfunc.load_model`.
fn load_python_model(dir: &Path, model: &MlModel) -> Option<Result<Arc<dyn Predictor>>> {
    model.flavor("python_function")?;
    Some(Python::attach(|py| {
        let loaded = py
            .import("rtrack.pyfunc")
            .and_then(|pyfunc| pyfunc.call_method1("load_model", (dir.to_path_buf(),)))
            .map_err(|e| from_python(py, e))?;
        let predictor: Arc<dyn Predictor> = Arc::new(PythonPredictor {
            model: loaded.unbind(),
            signature: model.signature.clone(),
        });
        Ok(predictor)
    }))
}

pub fn register(_module: &Bound<'_, PyModule>) -> PyResult<()> {
    rtrack::serving::register_loader(load_python_model);
    Ok(())
}
