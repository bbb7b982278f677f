//! JSON text as Python's `json.dumps` writes it by default (`", "` and `": "` separators,
//! non-ASCII escaped), so signatures written here read byte for byte like MLflow's.

use serde_json::Value;

/// An object whose keys keep the given order; values are JSON texts from [`dumps`].
pub fn ordered_object(pairs: &[(&str, String)]) -> String {
    let mut out = String::from("{");
    for (index, (key, value)) in pairs.iter().enumerate() {
        if index > 0 {
            out.push_str(", ");
        }
        write_string(&mut out, key);
        out.push_str(": ");
        out.push_str(value);
    }
    out.push('}');
    out
}

/// `value` in `json.dumps(value)` form (object keys in the map's order: sorted).
pub fn dumps(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

fn write(out: &mut String, value: &Value) {
    match value {
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (index, (key, item)) in map.iter().enumerate() {
                if index > 0 {
                    out.push_str(", ");
                }
                write_string(out, key);
                out.push_str(": ");
                write(out, item);
            }
            out.push('}');
        }
        Value::String(text) => write_string(out, text),
        other => out.push_str(&other.to_string()),
    }
}

fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_python_defaults() {
        let value = serde_json::json!([{"type": "double", "name": "x é", "required": true}, 1.5, null]);
        assert_eq!(
            dumps(&value),
            r#"[{"type": "double", "name": "x \u00e9", "required": true}, 1.5, null]"#
        );
    }
}
