//! `rtrack.models`: signatures and schemas as Python classes with MLflow's names, and the
//! calls the flavor modules make to write, find and check models. Conversion only.

use std::path::PathBuf;

use pyo3::prelude::*;

use crate::errors::PyResult;
use pyo3::types::{PyDict, PyList, PyTuple};
use serde_json::Value;

use rtrack::api::fluent;
use rtrack::error::Error;
use rtrack::models::{
    ColSpec, ColumnDescription, ColumnType, DataDescription, InputExample, MlModel, ModelSignature, PythonEnvironment,
    Schema, TensorSpec,
};

use super::convert;

/// A JSON value as a Python object (through the stdlib `json`, which already does this).
pub fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(py.import("json")?.call_method1("loads", (value.to_string(),))?)
}

#[pyclass(frozen, eq, name = "ColSpec", module = "rtrack.models")]
#[derive(Clone, PartialEq)]
pub struct PyColSpec(pub ColSpec);

#[pymethods]
impl PyColSpec {
    /// A column of type `type` (`"double"`, `"long"`, `"string"`, ...).
    #[new]
    #[pyo3(signature = (r#type, name=None, required=true))]
    fn new(r#type: &str, name: Option<String>, required: bool) -> PyResult<Self> {
        Ok(PyColSpec(ColSpec {
            name,
            column_type: r#type.parse::<ColumnType>()?,
            required,
        }))
    }
    #[getter]
    fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The column type's name, as MLflow writes it (`"double"`).
    #[getter]
    fn r#type(&self) -> &'static str {
        self.0.column_type.as_str()
    }
    #[getter]
    fn required(&self) -> bool {
        self.0.required
    }
    fn __repr__(&self) -> String {
        let name = self.0.name.as_deref().map(|n| format!("{n:?}: ")).unwrap_or_default();
        format!(
            "{name}{}{}",
            self.0.column_type,
            if self.0.required { "" } else { " (optional)" }
        )
    }
}

#[pyclass(frozen, eq, name = "TensorSpec", module = "rtrack.models")]
#[derive(Clone, PartialEq)]
pub struct PyTensorSpec(pub TensorSpec);

#[pymethods]
impl PyTensorSpec {
    /// A tensor of numpy dtype `type` and `shape` (-1 for a free dimension).
    #[new]
    #[pyo3(signature = (r#type, shape, name=None))]
    fn new(r#type: &Bound<'_, PyAny>, shape: Vec<i64>, name: Option<String>) -> PyResult<Self> {
        let dtype = r#type.str()?.to_string();
        rtrack::models::DType::parse(&dtype)?;
        Ok(PyTensorSpec(TensorSpec { name, dtype, shape }))
    }
    #[getter]
    fn name(&self) -> Option<&str> {
        self.0.name.as_deref()
    }
    /// The numpy dtype's name (`"float64"`).
    #[getter]
    fn r#type(&self) -> &str {
        &self.0.dtype
    }
    #[getter]
    fn shape(&self) -> Vec<i64> {
        self.0.shape.clone()
    }
    fn __repr__(&self) -> String {
        let name = self.0.name.as_deref().map(|n| format!("{n:?}: ")).unwrap_or_default();
        format!("{name}Tensor('{}', {:?})", self.0.dtype, self.0.shape)
    }
}

#[pyclass(frozen, eq, name = "Schema", module = "rtrack.models", sequence)]
#[derive(Clone, PartialEq)]
pub struct PySchema(pub Schema);

#[pymethods]
impl PySchema {
    /// A schema from a list of `ColSpec`s, or of `TensorSpec`s.
    #[new]
    fn new(inputs: &Bound<'_, PyAny>) -> PyResult<Self> {
        let items: Vec<Bound<'_, PyAny>> = inputs.try_iter()?.collect::<pyo3::PyResult<_>>()?;
        if !items.is_empty() && items.iter().all(|i| i.cast::<PyTensorSpec>().is_ok()) {
            return Ok(PySchema(Schema::Tensors(
                items
                    .iter()
                    .map(|i| i.cast::<PyTensorSpec>().map(|t| t.get().0.clone()))
                    .collect::<Result<_, _>>()?,
            )));
        }
        let columns = items
            .iter()
            .map(|i| {
                i.cast::<PyColSpec>().map(|c| c.get().0.clone()).map_err(|_| {
                    Error::invalid(format!(
                        "A Schema takes ColSpec or TensorSpec items (not both), got {}",
                        convert::type_name(i)
                    ))
                })
            })
            .collect::<Result<Vec<_>, Error>>()?;
        // The same rules as a schema read from JSON.
        Ok(PySchema(Schema::from_json_value(
            &Schema::Columns(columns).to_json_value(),
        )?))
    }
    /// The specs, in order.
    #[getter]
    fn inputs<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        match &self.0 {
            Schema::Columns(columns) => Ok(PyList::new(py, columns.iter().cloned().map(PyColSpec))?),
            Schema::Tensors(tensors) => Ok(PyList::new(py, tensors.iter().cloned().map(PyTensorSpec))?),
        }
    }
    fn input_names(&self) -> Vec<String> {
        self.0.input_names()
    }
    fn input_types(&self) -> Vec<String> {
        match &self.0 {
            Schema::Columns(columns) => columns.iter().map(|c| c.column_type.as_str().to_string()).collect(),
            Schema::Tensors(tensors) => tensors.iter().map(|t| t.dtype.clone()).collect(),
        }
    }
    fn is_tensor_spec(&self) -> bool {
        matches!(self.0, Schema::Tensors(_))
    }
    fn has_input_names(&self) -> bool {
        !self.0.input_names().is_empty()
    }
    /// The schema as MLflow's JSON text.
    fn to_json(&self) -> String {
        self.0.to_json()
    }
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PySchema(Schema::from_json(text)?))
    }
    fn __iter__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.inputs(py)?.as_any().try_iter()?.into_any())
    }
    fn __len__(&self) -> usize {
        match &self.0 {
            Schema::Columns(columns) => columns.len(),
            Schema::Tensors(tensors) => tensors.len(),
        }
    }
    fn __getitem__<'py>(&self, py: Python<'py>, index: isize) -> PyResult<Bound<'py, PyAny>> {
        Ok(self.inputs(py)?.as_any().get_item(index)?)
    }
    fn __repr__(&self) -> String {
        let specs: Vec<String> = match &self.0 {
            Schema::Columns(columns) => columns.iter().cloned().map(|c| PyColSpec(c).__repr__()).collect(),
            Schema::Tensors(tensors) => tensors.iter().cloned().map(|t| PyTensorSpec(t).__repr__()).collect(),
        };
        format!("[{}]", specs.join(", "))
    }
}

#[pyclass(frozen, name = "ModelSignature", module = "rtrack.models")]
#[derive(Clone)]
pub struct PyModelSignature(pub ModelSignature);

#[pymethods]
impl PyModelSignature {
    #[new]
    #[pyo3(signature = (inputs, outputs=None))]
    fn new(inputs: PyRef<'_, PySchema>, outputs: Option<PyRef<'_, PySchema>>) -> Self {
        PyModelSignature(ModelSignature {
            inputs: inputs.0.clone(),
            outputs: outputs.map(|o| o.0.clone()),
            params: None,
        })
    }
    #[getter]
    fn inputs(&self) -> PySchema {
        PySchema(self.0.inputs.clone())
    }
    #[getter]
    fn outputs(&self) -> Option<PySchema> {
        self.0.outputs.clone().map(PySchema)
    }
    /// `{"inputs": <json>, "outputs": <json or None>, "params": None}`, as in `MLmodel`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_python(py, &self.0.to_mlmodel_value())
    }
    #[staticmethod]
    fn from_dict(signature: &Bound<'_, PyAny>) -> PyResult<Self> {
        Ok(PyModelSignature(ModelSignature::from_mlmodel_value(
            &convert::to_json(signature, false)?,
        )?))
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other.cast::<PyModelSignature>().is_ok_and(|o| o.get().0 == self.0)
    }
    fn __repr__(&self) -> String {
        let outputs = self
            .0
            .outputs
            .clone()
            .map(|o| PySchema(o).__repr__())
            .unwrap_or_else(|| "None".into());
        format!(
            "inputs:\n  {}\noutputs:\n  {outputs}\n",
            PySchema(self.0.inputs.clone()).__repr__()
        )
    }
}

/// What the Python side saw of some data: `("table", [(name, dtype, hint, has_missing)])`,
/// `("array", dtype, shape)` or `("arrays", [(name, dtype, shape)])`.
fn description(obj: &Bound<'_, PyAny>) -> PyResult<DataDescription> {
    let tuple = obj.cast::<PyTuple>()?;
    let kind: String = tuple.get_item(0)?.extract()?;
    Ok(match kind.as_str() {
        "table" => {
            let columns: Vec<(Option<String>, String, Option<String>, bool)> = tuple.get_item(1)?.extract()?;
            DataDescription::Table(
                columns
                    .into_iter()
                    .map(|(name, dtype, object_hint, has_missing)| ColumnDescription {
                        name,
                        dtype,
                        object_hint,
                        has_missing,
                    })
                    .collect(),
            )
        }
        "array" => DataDescription::Array {
            dtype: tuple.get_item(1)?.extract()?,
            shape: tuple.get_item(2)?.extract()?,
        },
        "arrays" => DataDescription::NamedArrays(tuple.get_item(1)?.extract()?),
        other => return Err(Error::Internal(format!("unknown data description '{other}'")).into()),
    })
}

#[pyfunction]
#[pyo3(signature = (inputs, outputs=None))]
fn _infer_signature(inputs: &Bound<'_, PyAny>, outputs: Option<&Bound<'_, PyAny>>) -> PyResult<PyModelSignature> {
    let outputs = outputs.map(description).transpose()?;
    Ok(PyModelSignature(ModelSignature::infer(
        &description(inputs)?,
        outputs.as_ref(),
    )?))
}

/// For a data frame's `(name, dtype)` columns: the columns to keep, in order, with their casts.
#[pyfunction]
fn _plan_frame(
    schema: PyRef<'_, PySchema>,
    columns: Vec<(String, String)>,
) -> PyResult<Vec<(String, Option<&'static str>)>> {
    match &schema.0 {
        Schema::Columns(specs) => Ok(rtrack::models::plan_frame(specs, &columns)?),
        Schema::Tensors(_) => Err(Error::invalid("This model takes tensors: pass a numpy array").into()),
    }
}

/// For an array given to a tensor model: the dtype to cast to, if any.
#[pyfunction]
fn _plan_tensor(schema: PyRef<'_, PySchema>, dtype: &str, shape: Vec<usize>) -> PyResult<Option<String>> {
    match &schema.0 {
        Schema::Tensors(specs) => Ok(rtrack::models::plan_tensor(specs, dtype, &shape)?),
        Schema::Columns(_) => Err(Error::invalid("This model takes a table of columns: pass a DataFrame").into()),
    }
}

/// Write `MLmodel` and its companions into `path` (the flavor's own files are already there).
#[pyfunction]
#[pyo3(signature = (path, flavors, signature=None, environment=None, example=None, run_id=None, artifact_path=None))]
#[allow(clippy::too_many_arguments)]
fn _write_model_dir<'py>(
    py: Python<'py>,
    path: PathBuf,
    flavors: &Bound<'py, PyDict>,
    signature: Option<PyRef<'py, PyModelSignature>>,
    environment: Option<(String, Vec<String>, Vec<String>)>,
    example: Option<&Bound<'py, PyAny>>,
    run_id: Option<String>,
    artifact_path: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut model = MlModel::new();
    let Value::Object(flavors) = convert::to_json(flavors, false)? else {
        unreachable!("a dict is an object")
    };
    model.flavors = flavors;
    model.signature = signature.map(|s| s.0.clone());
    model.run_id = run_id;
    model.artifact_path = artifact_path;
    let environment = environment.map(|(python_version, requirements, build_dependencies)| PythonEnvironment {
        python_version,
        requirements,
        build_dependencies,
    });
    let example = example
        .map(|e| -> PyResult<InputExample> {
            let (kind, data): (String, Bound<'_, PyAny>) = e.extract()?;
            Ok(match kind.as_str() {
                "table" => InputExample::Table(convert::table_columns(&data)?),
                "object" => InputExample::Object(convert::to_json(&data, false)?),
                _ => InputExample::Array(convert::to_json(&data, false)?),
            })
        })
        .transpose()?;
    py.detach(|| rtrack::models::write_model_dir(&path, &mut model, environment.as_ref(), example.as_ref()))?;
    model_dict(py, &model)
}

fn model_dict<'py>(py: Python<'py>, model: &MlModel) -> PyResult<Bound<'py, PyAny>> {
    let dict = to_python(py, &model.to_value())?;
    dict.set_item("signature", model.signature.clone().map(PyModelSignature))?;
    Ok(dict)
}

/// `MLmodel` of the folder `path` as a dict (the signature as a `ModelSignature`).
#[pyfunction]
fn _read_model<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
    let model = py.detach(|| MlModel::load(&path))?;
    model_dict(py, &model)
}

/// The local folder of the model a URI names, downloading into `scratch` if needed.
#[pyfunction]
fn _resolve_model(py: Python<'_>, uri: &str, scratch: PathBuf) -> PyResult<PathBuf> {
    Ok(py.detach(|| {
        if rtrack::models::is_model_uri(uri) {
            rtrack::models::resolve_model_dir(&fluent::tracker()?, uri, &scratch)
        } else {
            rtrack::models::local_model_dir(uri)
        }
    })?)
}

/// A file a flavor names inside the model folder; names leaving the folder are refused.
#[pyfunction]
fn _model_file(path: PathBuf, relative: &str) -> PyResult<PathBuf> {
    Ok(rtrack::models::model_file(&path, relative)?)
}

/// Record a model folder just logged to a run's artifacts as the run's MLflow 3 logged model;
/// returns the model's id.
#[pyfunction]
#[pyo3(signature = (run_id, artifact_path, local_dir, model_type=None))]
fn _log_model_output(
    py: Python<'_>,
    run_id: &str,
    artifact_path: &str,
    local_dir: PathBuf,
    model_type: Option<String>,
) -> PyResult<String> {
    let model =
        py.detach(|| fluent::tracker()?.log_model_output(run_id, artifact_path, &local_dir, model_type.as_deref()))?;
    Ok(model.model_id)
}

/// The input example saved with the model at `path`, or None.
#[pyfunction]
fn _read_input_example<'py>(py: Python<'py>, path: PathBuf) -> PyResult<Bound<'py, PyAny>> {
    let model = MlModel::load(&path)?;
    match rtrack::models::read_input_example(&path, &model)? {
        Some(value) => to_python(py, &value),
        None => Ok(py.None().into_bound(py)),
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<PyColSpec>()?;
    module.add_class::<PyTensorSpec>()?;
    module.add_class::<PySchema>()?;
    module.add_class::<PyModelSignature>()?;
    for function in [
        wrap_pyfunction!(_infer_signature, module)?,
        wrap_pyfunction!(_plan_frame, module)?,
        wrap_pyfunction!(_plan_tensor, module)?,
        wrap_pyfunction!(_write_model_dir, module)?,
        wrap_pyfunction!(_log_model_output, module)?,
        wrap_pyfunction!(_read_model, module)?,
        wrap_pyfunction!(_resolve_model, module)?,
        wrap_pyfunction!(_model_file, module)?,
        wrap_pyfunction!(_read_input_example, module)?,
    ] {
        module.add_function(function)?;
    }
    Ok(())
}
