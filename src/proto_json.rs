//! Protobuf's JSON mapping as MLflow's REST API uses it, shared by the server (which writes
//! and reads it) and the REST client store (which does the same from the other side):
//! non-finite doubles as "NaN"/"Infinity"/"-Infinity", int64 as numbers or decimal
//! strings, params and tags as `[{"key", "value"}]`.

use serde_json::{json, Value};

use crate::entities::Metric;

/// A double as protobuf's JSON mapping writes it.
pub fn double_to_json(value: f64) -> Value {
    if value.is_nan() {
        json!("NaN")
    } else if value == f64::INFINITY {
        json!("Infinity")
    } else if value == f64::NEG_INFINITY {
        json!("-Infinity")
    } else {
        json!(value)
    }
}

/// Numbers, numeric strings, and protobuf's JSON names for the non-finite doubles.
pub fn double_from_json(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => match s.trim() {
            "NaN" | "nan" => Some(f64::NAN),
            "Infinity" | "inf" => Some(f64::INFINITY),
            "-Infinity" | "-inf" => Some(f64::NEG_INFINITY),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

/// An integer given as a JSON number (a whole float counts) or a decimal string.
pub fn integer_from_json(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.2e18)
                .map(|f| f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `[{"key": ..., "value": ...}, ...]`.
pub fn key_values_to_json<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a String)>) -> Value {
    Value::Array(
        pairs
            .into_iter()
            .map(|(k, v)| json!({ "key": k, "value": v }))
            .collect(),
    )
}

/// One metric point (`key`, `value`, `timestamp`, `step`).
pub fn metric_to_json(metric: &Metric) -> Value {
    json!({ "key": metric.key, "value": double_to_json(metric.value), "timestamp": metric.timestamp, "step": metric.step })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_doubles_round_trip_through_their_names() {
        for value in [f64::INFINITY, f64::NEG_INFINITY, 0.5] {
            assert_eq!(double_from_json(&double_to_json(value)), Some(value));
        }
        assert!(double_from_json(&double_to_json(f64::NAN)).unwrap().is_nan());
        assert_eq!(double_to_json(f64::NAN), json!("NaN"));
        assert_eq!(double_from_json(&json!("high")), None);
    }

    #[test]
    fn integers_come_as_numbers_or_strings() {
        assert_eq!(integer_from_json(&json!(12)), Some(12));
        assert_eq!(integer_from_json(&json!("12")), Some(12));
        assert_eq!(integer_from_json(&json!(12.0)), Some(12));
        assert_eq!(integer_from_json(&json!(12.5)), None);
    }
}
