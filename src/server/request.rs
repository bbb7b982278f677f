//! Request parameters as MLflow sends them: GET requests carry a query string (repeated keys
//! for lists), the other methods a JSON object. Both land in one JSON map, read through
//! typed getters whose errors name the parameter.

use serde_json::{Map, Value};

use super::error::{ApiError, ApiResult};
use crate::entities::Metric;
use crate::proto_json::{double_from_json, integer_from_json};

/// The parameters of one request.
#[derive(Debug, Default)]
pub struct Params(Map<String, Value>);

impl Params {
    /// From `key=value` pairs; a key given more than once becomes a list.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Params {
        let mut map = Map::new();
        for (key, value) in pairs {
            match map.get_mut(&key) {
                None => {
                    map.insert(key, Value::String(value));
                }
                Some(Value::Array(items)) => items.push(Value::String(value)),
                Some(first) => {
                    let first = first.take();
                    map.insert(key, Value::Array(vec![first, Value::String(value)]));
                }
            }
        }
        Params(map)
    }

    /// From a JSON body; an empty body means no parameters.
    pub fn from_json(body: &[u8]) -> ApiResult<Params> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Params::default());
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => Ok(Params(map)),
            Ok(_) => Err(ApiError::bad_request("Request body must be a JSON object")),
            Err(e) => Err(ApiError::bad_request(format!("Malformed JSON in request body: {e}"))),
        }
    }

    /// Add parameters that are not already present (query values beside a JSON body).
    pub fn merge(&mut self, other: Params) {
        for (key, value) in other.0 {
            self.0.entry(key).or_insert(value);
        }
    }

    fn present(&self, name: &str) -> Option<&Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn str(&self, name: &str) -> ApiResult<Option<&str>> {
        match self.present(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(wrong_type(name, other, "a string")),
        }
    }

    pub fn required_str(&self, name: &str) -> ApiResult<&str> {
        self.str(name)?.filter(|s| !s.is_empty()).ok_or_else(|| missing(name))
    }

    /// The run a request is about: `run_id`, or MLflow's older `run_uuid`.
    pub fn run_id(&self) -> ApiResult<&str> {
        match self.str("run_id")?.filter(|s| !s.is_empty()) {
            Some(id) => Ok(id),
            None => self.required_str("run_uuid").map_err(|_| missing("run_id")),
        }
    }

    /// An integer given as a JSON number or as a decimal string (query strings, and int64
    /// fields in protobuf's JSON form).
    pub fn i64(&self, name: &str) -> ApiResult<Option<i64>> {
        match self.present(name) {
            None => Ok(None),
            Some(value) => integer_from_json(value)
                .map(Some)
                .ok_or_else(|| wrong_type(name, value, "an integer")),
        }
    }

    pub fn required_i64(&self, name: &str) -> ApiResult<i64> {
        self.i64(name)?.ok_or_else(|| missing(name))
    }

    /// `max_results`: a positive page size, `default` when absent.
    pub fn page_size(&self, default: usize) -> ApiResult<usize> {
        match self.i64("max_results")? {
            None => Ok(default),
            Some(n) if n > 0 => Ok(n as usize),
            Some(n) => Err(ApiError::invalid(format!(
                "Invalid value {n} for parameter 'max_results' supplied. It must be a positive integer."
            ))),
        }
    }

    /// A boolean as JSON `true`/`false` or the strings "true"/"false"; absent is false.
    pub fn bool(&self, name: &str) -> ApiResult<bool> {
        match self.present(name) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(true),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(false),
            Some(other) => Err(wrong_type(name, other, "true or false")),
        }
    }

    /// Set a parameter taken from the URL path (it wins over the body).
    pub fn insert(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), Value::String(value.to_string()));
    }

    pub fn required_f64(&self, name: &str) -> ApiResult<f64> {
        let value = self.present(name).ok_or_else(|| missing(name))?;
        double_from_json(value).ok_or_else(|| wrong_type(name, value, "a number"))
    }

    /// A list of strings; a single string counts as a list of one.
    pub fn str_list(&self, name: &str) -> ApiResult<Vec<String>> {
        match self.present(name) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s.clone()),
                    Value::Number(n) => Ok(n.to_string()),
                    other => Err(wrong_type(name, other, "a list of strings")),
                })
                .collect(),
            Some(other) => Err(wrong_type(name, other, "a list of strings")),
        }
    }

    /// A list of `{"key": ..., "value": ...}` objects (params and tags).
    pub fn key_values(&self, name: &str) -> ApiResult<Vec<(String, String)>> {
        self.objects(name)?
            .into_iter()
            .enumerate()
            .map(|(index, item)| {
                let key = item
                    .required_str("key")
                    .map_err(|e| nested(name, index, e))?
                    .to_string();
                let value = item
                    .str("value")
                    .map_err(|e| nested(name, index, e))?
                    .unwrap_or("")
                    .to_string();
                Ok((key, value))
            })
            .collect()
    }

    /// A list of metric objects (`key`, `value`, `timestamp`, `step`).
    pub fn metrics(&self, name: &str) -> ApiResult<Vec<Metric>> {
        self.objects(name)?
            .into_iter()
            .enumerate()
            .map(|(index, item)| item.metric().map_err(|e| nested(name, index, e)))
            .collect()
    }

    /// This object read as one metric point; the step defaults to 0 as in MLflow.
    pub fn metric(&self) -> ApiResult<Metric> {
        Ok(Metric {
            key: self.required_str("key")?.to_string(),
            value: self.required_f64("value")?,
            timestamp: self.required_i64("timestamp")?,
            step: self.i64("step")?.unwrap_or(0),
        })
    }

    /// One nested JSON object, read as parameters of its own.
    pub fn objects_one(&self, name: &str) -> ApiResult<Params> {
        match self.present(name) {
            Some(Value::Object(map)) => Ok(Params(map.clone())),
            Some(other) => Err(wrong_type(name, other, "an object")),
            None => Err(missing(name)),
        }
    }

    /// A list of JSON objects, each read as parameters of its own.
    pub fn objects(&self, name: &str) -> ApiResult<Vec<Params>> {
        match self.present(name) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Object(map) => Ok(Params(map.clone())),
                    other => Err(wrong_type(name, other, "a list of objects")),
                })
                .collect(),
            Some(other) => Err(wrong_type(name, other, "a list of objects")),
        }
    }
}

/// Where MLflow's server points a caller who sent a malformed request; scripts match on the
/// first sentence, so it keeps MLflow's wording.
const SEE_DOCS: &str = "See the API docs for more information about request parameters.";

pub(super) fn missing(name: &str) -> ApiError {
    ApiError::invalid(format!("Missing value for required parameter '{name}'. {SEE_DOCS}"))
}

/// A value of the wrong JSON type, shown as compact JSON and with the type named as MLflow's
/// (Python) server names it.
fn wrong_type(name: &str, value: &Value, expected: &str) -> ApiError {
    let mut shown = value.to_string();
    if shown.len() > 1000 {
        shown = format!("{}...", shown.chars().take(1000).collect::<String>());
    }
    let kind = match value {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    };
    ApiError::invalid(format!(
        "Invalid value {shown} for parameter '{name}' supplied. Hint: Value was of type '{kind}' \
         (expected {expected}). {SEE_DOCS}"
    ))
}

/// An error about a field of the `index`th item of a list: MLflow names it `list[index].field`.
fn nested(list: &str, index: usize, error: ApiError) -> ApiError {
    let message = error
        .message
        .replacen("parameter '", &format!("parameter '{list}[{index}]."), 1);
    ApiError { message, ..error }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_query_keys_become_lists() {
        let params = Params::from_pairs(vec![
            ("experiment_ids".into(), "1".into()),
            ("experiment_ids".into(), "2".into()),
            ("max_results".into(), "5".into()),
        ]);
        assert_eq!(params.str_list("experiment_ids").unwrap(), vec!["1", "2"]);
        assert_eq!(params.i64("max_results").unwrap(), Some(5));
    }

    #[test]
    fn wrong_types_and_missing_values_name_the_parameter() {
        let params = Params::from_json(br#"{"run_id": 7, "value": "abc"}"#).unwrap();
        let err = params.run_id().unwrap_err();
        assert!(err.message.contains("'run_id'"), "{}", err.message);
        let err = params.required_f64("value").unwrap_err();
        assert!(err.message.contains("'value'"), "{}", err.message);
        let err = params.required_str("experiment_id").unwrap_err();
        assert_eq!(err.code, "INVALID_PARAMETER_VALUE");
        assert!(err
            .message
            .contains("Missing value for required parameter 'experiment_id'"));
    }

    #[test]
    fn non_finite_metric_values_arrive_as_strings() {
        let params = Params::from_json(br#"{"key": "m", "value": "NaN", "timestamp": "12", "step": 3}"#).unwrap();
        let metric = params.metric().unwrap();
        assert!(metric.value.is_nan());
        assert_eq!((metric.timestamp, metric.step), (12, 3));
        let params = Params::from_json(br#"{"value": "-Infinity"}"#).unwrap();
        assert_eq!(params.required_f64("value").unwrap(), f64::NEG_INFINITY);
    }

    #[test]
    fn malformed_bodies_are_bad_requests() {
        assert_eq!(Params::from_json(b"{not json").unwrap_err().code, "BAD_REQUEST");
        assert_eq!(Params::from_json(b"[1, 2]").unwrap_err().code, "BAD_REQUEST");
        assert!(Params::from_json(b"  ").unwrap().0.is_empty());
    }

    #[test]
    fn list_items_of_the_wrong_shape_are_refused() {
        let params = Params::from_json(br#"{"params": [{"key": "a", "value": "1"}, 5]}"#).unwrap();
        let err = params.key_values("params").unwrap_err();
        assert!(err.message.contains("'params'"), "{}", err.message);
    }
}
