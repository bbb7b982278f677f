//! Python objects to rtrack values and back. Conversion only: no decisions live here.

use numpy::{PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::errors::PyResult;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

use rtrack::entities::{ExperimentId, Metric, RunStatus, ViewType};
use rtrack::error::Error;

/// `str(value)` for each item of a mapping, as MLflow stores params and tags.
pub fn string_pairs(mapping: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(mapping) = mapping.filter(|m| !m.is_none()) else {
        return Ok(Vec::new());
    };
    let dict = mapping
        .cast::<PyDict>()
        .map_err(|_| Error::invalid(format!("Expected a dict, got {}", type_name(mapping))))?;
    dict.iter()
        .map(|(k, v)| Ok((k.str()?.to_string(), v.str()?.to_string())))
        .collect()
}

pub fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".into())
}

/// A tracking URI given as a string or a path object (`pathlib.Path`, any `os.PathLike`).
pub fn tracking_uri(uri: std::path::PathBuf) -> PyResult<String> {
    uri.into_os_string()
        .into_string()
        .map_err(|raw| Error::invalid(format!("Invalid tracking URI {raw:?}: it is not valid UTF-8")).into())
}

/// An experiment id given as a string or an integer.
pub fn experiment_id(obj: &Bound<'_, PyAny>) -> PyResult<ExperimentId> {
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(ExperimentId(n));
    }
    Ok(ExperimentId::parse(&obj.str()?.to_string())?)
}

pub fn experiment_ids(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<ExperimentId>>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyInt>() {
        return Ok(Some(vec![experiment_id(obj)?]));
    }
    Ok(Some(
        obj.try_iter()?
            .map(|item| experiment_id(&item?))
            .collect::<PyResult<_>>()?,
    ))
}

/// A view type as MLflow's `ViewType` integer (1, 2, 3) or name.
pub fn view_type(obj: Option<&Bound<'_, PyAny>>) -> PyResult<ViewType> {
    match obj.filter(|o| !o.is_none()) {
        None => Ok(ViewType::ActiveOnly),
        Some(obj) => Ok(obj.str()?.to_string().parse::<ViewType>()?),
    }
}

pub fn run_status(text: &str) -> PyResult<RunStatus> {
    Ok(text.parse::<RunStatus>()?)
}

/// `obj` as a 1-d array of `T` if it is a numpy array, converting other numeric dtypes
/// with `astype(dtype)`; `None` if it is not an array.
fn numpy_column<T: numpy::Element>(obj: &Bound<'_, PyAny>, dtype: &str) -> PyResult<Option<Vec<T>>> {
    let array = match obj.extract::<PyReadonlyArray1<T>>() {
        Ok(array) => array,
        Err(_) if obj.hasattr("dtype")? && obj.hasattr("astype")? => {
            // pandas Series (and Index) have no `ravel` in pandas 3: take their numpy array.
            let array = if obj.hasattr("to_numpy")? {
                obj.call_method0("to_numpy")?
            } else {
                obj.clone()
            };
            let converted = array.call_method1("astype", (dtype,))?.call_method1("ravel", ())?;
            match converted.extract::<PyReadonlyArray1<T>>() {
                Ok(array) => array,
                Err(_) => return Ok(None),
            }
        }
        Err(_) => return Ok(None),
    };
    Ok(Some(array.to_vec().map_err(|e| Error::invalid(e.to_string()))?))
}

/// What `start_run(live=...)` asks for: `None` for no chart (`None`, `False`), else the
/// metrics to draw, empty meaning every metric the run logs (`True`).
pub fn live_keys(live: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<String>>> {
    let Some(live) = live.filter(|o| !o.is_none()) else {
        return Ok(None);
    };
    if live.is_instance_of::<PyBool>() {
        return Ok(live.extract::<bool>()?.then(Vec::new));
    }
    if live.is_instance_of::<PyString>() {
        return Ok(Some(vec![live.extract()?]));
    }
    let shown = live.repr().map(|r| r.to_string()).unwrap_or_default();
    let wrong = || {
        Error::invalid(format!(
            "Invalid live={shown}: use True, a metric name or a list of metric names"
        ))
    };
    let keys: Vec<String> = live.extract().map_err(|_| wrong())?;
    if keys.is_empty() {
        return Err(wrong().into());
    }
    Ok(Some(keys))
}

/// A 1-d float64 array from a numpy array of any numeric dtype or any sequence of numbers.
pub fn float_values(obj: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
    if let Some(values) = numpy_column(obj, "float64")? {
        return Ok(values);
    }
    obj.extract::<Vec<f64>>()
        .map_err(|_| Error::invalid(format!("Expected a sequence of numbers, got {}", type_name(obj))).into())
}

/// A 1-d int64 array, as [`float_values`] does for floats.
pub fn int_values(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<i64>> {
    if let Some(values) = numpy_column(obj, "int64")? {
        return Ok(values);
    }
    obj.extract::<Vec<i64>>().map_err(|_| {
        Error::invalid(format!(
            "Expected a sequence of integers for {what}, got {}",
            type_name(obj)
        ))
        .into()
    })
}

/// The three columns of `log_metric_series`: values, and steps and timestamps if given.
pub type SeriesColumns = (Vec<f64>, Option<Vec<i64>>, Option<Vec<i64>>);

pub fn series_columns(
    values: &Bound<'_, PyAny>,
    steps: Option<&Bound<'_, PyAny>>,
    timestamps: Option<&Bound<'_, PyAny>>,
) -> PyResult<SeriesColumns> {
    let given = |column: Option<&Bound<'_, PyAny>>, what: &str| {
        column.filter(|o| !o.is_none()).map(|c| int_values(c, what)).transpose()
    };
    Ok((
        float_values(values)?,
        given(steps, "steps")?,
        given(timestamps, "timestamps")?,
    ))
}

/// Metrics for `log_batch`: `Metric` objects or anything with key/value/timestamp/step.
pub fn metrics(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Metric>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    obj.try_iter()?
        .map(|item| {
            let item = item?;
            Ok(Metric {
                key: item.getattr("key")?.extract()?,
                value: item.getattr("value")?.extract()?,
                timestamp: item.getattr("timestamp")?.extract()?,
                step: item.getattr("step")?.extract::<Option<i64>>()?.unwrap_or(0),
            })
        })
        .collect()
}

/// Params or tags for `log_batch`: objects with key/value.
pub fn key_values(obj: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<(String, String)>> {
    let Some(obj) = obj.filter(|o| !o.is_none()) else {
        return Ok(Vec::new());
    };
    obj.try_iter()?
        .map(|item| {
            let item = item?;
            Ok((
                item.getattr("key")?.str()?.to_string(),
                item.getattr("value")?.str()?.to_string(),
            ))
        })
        .collect()
}

/// A Python value as JSON. `lenient` turns unknown objects into their `str()` (for
/// tables of arbitrary cells); otherwise they are an error naming the type.
pub fn to_json(obj: &Bound<'_, PyAny>, lenient: bool) -> PyResult<serde_json::Value> {
    use serde_json::Value;
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if obj.is_instance_of::<PyBool>() {
        return Ok(Value::Bool(obj.extract()?));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(n) = obj.extract::<i64>() {
            return Ok(Value::from(n));
        }
        return Ok(Value::from(obj.extract::<f64>()?));
    }
    if obj.is_instance_of::<PyFloat>() {
        let x: f64 = obj.extract()?;
        return Ok(serde_json::Number::from_f64(x)
            .map(Value::Number)
            .unwrap_or(Value::Null));
    }
    if let Ok(text) = obj.cast::<PyString>() {
        return Ok(Value::String(text.to_string()));
    }
    if let Ok(dict) = obj.cast::<PyDict>() {
        let mut map = serde_json::Map::new();
        for (key, value) in dict.iter() {
            map.insert(key.str()?.to_string(), to_json(&value, lenient)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        return Ok(Value::Array(
            obj.try_iter()?
                .map(|item| to_json(&item?, lenient))
                .collect::<PyResult<_>>()?,
        ));
    }
    // numpy scalars and arrays turn into plain Python values first.
    if obj.hasattr("tolist")? {
        let plain = obj.call_method0("tolist")?;
        if !plain.is(obj) {
            return to_json(&plain, lenient);
        }
    }
    if lenient {
        return Ok(Value::String(obj.str()?.to_string()));
    }
    Err(Error::invalid(format!("Cannot store a value of type {} as JSON", type_name(obj))).into())
}

/// Columns of a table: a dict of column name -> sequence of cells.
pub fn table_columns(obj: &Bound<'_, PyAny>) -> PyResult<Vec<(String, Vec<serde_json::Value>)>> {
    let dict = obj.cast::<PyDict>().map_err(|_| {
        Error::invalid(format!(
            "Expected a dict of columns or a DataFrame, got {}",
            type_name(obj)
        ))
    })?;
    dict.iter()
        .map(|(name, column)| {
            let cells = if column.hasattr("tolist")? {
                column.call_method0("tolist")?
            } else {
                column
            };
            let cells = cells
                .try_iter()?
                .map(|cell| to_json(&cell?, true))
                .collect::<PyResult<Vec<_>>>()?;
            Ok((name.str()?.to_string(), cells))
        })
        .collect()
}

/// A metric series as numpy arrays: steps, values, timestamps.
pub type SeriesArrays<'py> = (
    Bound<'py, numpy::PyArray1<i64>>,
    Bound<'py, numpy::PyArray1<f64>>,
    Bound<'py, numpy::PyArray1<i64>>,
);

/// `np.ndarray` views of the columns of a metric series.
pub fn series_arrays<'py>(py: Python<'py>, series: rtrack::entities::MetricSeries) -> SeriesArrays<'py> {
    use numpy::IntoPyArray;
    (
        series.steps.into_pyarray(py),
        series.values.into_pyarray(py),
        series.timestamps.into_pyarray(py),
    )
}

/// A list of `Metric` objects. Python's cyclic collector is paused while it is built: every
/// pyo3 object is tracked by the collector, and a 100k-point history would otherwise set off
/// dozens of collections, each walking every object made so far.
pub fn metric_list(py: Python<'_>, metrics: Vec<rtrack::entities::Metric>) -> PyResult<Bound<'_, PyList>> {
    let gc = py.import("gc")?;
    let was_enabled: bool = gc.call_method0("isenabled")?.extract()?;
    if was_enabled {
        gc.call_method0("disable")?;
    }
    let list = PyList::new(py, metrics.into_iter().map(super::entities::PyMetric));
    if was_enabled {
        gc.call_method0("enable")?;
    }
    Ok(list?)
}
