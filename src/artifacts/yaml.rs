//! A small block-style YAML emitter for JSON values, for `log_dict(..., "config.yaml")` and
//! model metadata (`MLmodel`), without a YAML crate.
//!
//! Output loads back to the same data with PyYAML's `safe_load` (YAML 1.1, what MLflow uses);
//! YAML 1.1 reads more plain words as non-strings than 1.2 does, so quoting for it also suits
//! 1.2 loaders. Strings are quoted whenever a loader might read them as something else:
//! numbers, booleans (`yes`, `on`, `y`), null (`~`), dates, or YAML syntax.

use serde_json::{Map, Value};

/// Keys longer than this are written as explicit `? key` entries: PyYAML refuses implicit keys
/// longer than 1024 characters.
const MAX_IMPLICIT_KEY: usize = 1000;

/// `value` as a block-style YAML document ending with a newline. Keys are sorted, as PyYAML's
/// `safe_dump` (what MLflow writes YAML with) sorts them.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    emit_node(&mut out, value, 0, false, Quotes::Double);
    out
}

/// Like [`to_yaml`], but quoting the way PyYAML does where it can: single quotes unless the
/// text needs escapes. `MLmodel` files then read like MLflow's own (`inputs: '[{"type": ...}]'`).
pub fn to_yaml_single_quoted(value: &Value) -> String {
    let mut out = String::new();
    emit_node(&mut out, value, 0, false, Quotes::Single);
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Quotes {
    Double,
    Single,
}

/// Write `value` at `indent`. With `first_inline`, the first line continues a line already
/// started (after `- `), so it gets no indentation of its own.
fn emit_node(out: &mut String, value: &Value, indent: usize, first_inline: bool, quotes: Quotes) {
    match value {
        Value::Object(map) if !map.is_empty() => emit_map(out, map, indent, first_inline, quotes),
        Value::Array(items) if !items.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                if index > 0 || !first_inline {
                    push_indent(out, indent);
                }
                out.push_str("- ");
                if is_block(item) {
                    emit_node(out, item, indent + 2, true, quotes);
                } else {
                    out.push_str(&scalar(item, quotes));
                    out.push('\n');
                }
            }
        }
        _ => {
            out.push_str(&scalar(value, quotes));
            out.push('\n');
        }
    }
}

fn emit_map(out: &mut String, map: &Map<String, Value>, indent: usize, first_inline: bool, quotes: Quotes) {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_unstable_by_key(|(key, _)| key.as_str());
    for (index, (key, value)) in entries.into_iter().enumerate() {
        if index > 0 || !first_inline {
            push_indent(out, indent);
        }
        let key = string(key, quotes);
        if key.chars().count() > MAX_IMPLICIT_KEY {
            out.push_str("? ");
            out.push_str(&key);
            out.push('\n');
            push_indent(out, indent);
            out.push(':');
        } else {
            out.push_str(&key);
            out.push(':');
        }
        if is_block(value) {
            out.push('\n');
            emit_node(out, value, indent + 2, false, quotes);
        } else {
            out.push(' ');
            out.push_str(&scalar(value, quotes));
            out.push('\n');
        }
    }
}

/// Non-empty maps and lists take lines of their own; everything else fits on one line.
fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar(value: &Value, quotes: Quotes) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => {
            let text = number.to_string();
            if number.is_f64() {
                yaml_float(&text)
            } else {
                text
            }
        }
        Value::String(text) => string(text, quotes),
        Value::Object(_) => "{}".to_string(),
        Value::Array(_) => "[]".to_string(),
    }
}

/// serde_json writes `1e20` and `1e-7`; YAML 1.1 floats need a `.` in the mantissa and a
/// signed exponent (`1.0e+20`), or PyYAML reads them as strings.
fn yaml_float(text: &str) -> String {
    let Some((mantissa, exponent)) = text.split_once(['e', 'E']) else {
        return text.to_string();
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    let exponent = if exponent.starts_with(['+', '-']) {
        exponent.to_string()
    } else {
        format!("+{exponent}")
    };
    format!("{mantissa}e{exponent}")
}

fn string(text: &str, quotes: Quotes) -> String {
    if is_plain_safe(text) {
        text.to_string()
    } else if quotes == Quotes::Single && !text.chars().any(|c| needs_escape(c) || c == '\t') {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        double_quoted(text)
    }
}

/// Whether `text` reads back as the same string when written bare. Deliberately strict: any
/// doubt means quotes, which are always correct.
fn is_plain_safe(text: &str) -> bool {
    let (Some(first), Some(last)) = (text.chars().next(), text.chars().last()) else {
        return false; // empty is null
    };
    if first.is_ascii_digit() || matches!(first, '-' | '+' | '.' | '?' | '~' | '=' | '<' | ' ') || last == ' ' {
        return false; // numbers, dates, .inf, sequences, null, YAML 1.1 value/merge keys
    }
    if text
        .chars()
        .any(|c| needs_escape(c) || c == '\t' || ":#{}[],&*!|>'\"%@`".contains(c))
    {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    !matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null"
    )
}

/// Characters YAML does not allow raw, or reads as line breaks.
fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
}

fn double_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\0' => out.push_str("\\0"),
            c if needs_escape(c) && (c as u32) <= 0xff => out.push_str(&format!("\\x{:02X}", c as u32)),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_at_the_top() {
        assert_eq!(to_yaml(&json!(null)), "null\n");
        assert_eq!(to_yaml(&json!(true)), "true\n");
        assert_eq!(to_yaml(&json!(42)), "42\n");
        assert_eq!(to_yaml(&json!(-7)), "-7\n");
        assert_eq!(to_yaml(&json!(0.5)), "0.5\n");
        assert_eq!(to_yaml(&json!(1e20)), "1.0e+20\n");
        assert_eq!(to_yaml(&json!(1.5e-7)), "1.5e-7\n");
        assert_eq!(to_yaml(&json!("hello world")), "hello world\n");
        assert_eq!(to_yaml(&json!({})), "{}\n");
        assert_eq!(to_yaml(&json!([])), "[]\n");
    }

    #[test]
    fn strings_are_quoted_when_a_loader_would_misread_them() {
        for (text, expected) in [
            ("", r#""""#),
            (" lead", r#"" lead""#),
            ("trail ", r#""trail ""#),
            ("a: b", r#""a: b""#),
            ("#comment", r##""#comment""##),
            ("{x}", r#""{x}""#),
            ("[x]", r#""[x]""#),
            ("a,b", r#""a,b""#),
            ("&anchor", r#""&anchor""#),
            ("*alias", r#""*alias""#),
            ("!tag", r#""!tag""#),
            ("|", r#""|""#),
            (">", r#"">""#),
            ("it's", r#""it's""#),
            ("say \"hi\"", r#""say \"hi\"""#),
            ("%x", r#""%x""#),
            ("@x", r#""@x""#),
            ("`x`", r#""`x`""#),
            ("123", r#""123""#),
            ("1.5", r#""1.5""#),
            ("-1", r#""-1""#),
            ("1e3", r#""1e3""#),
            (".inf", r#"".inf""#),
            ("2024-01-02", r#""2024-01-02""#),
            ("0x1F", r#""0x1F""#),
            ("true", r#""true""#),
            ("Yes", r#""Yes""#),
            ("off", r#""off""#),
            ("y", r#""y""#),
            ("NULL", r#""NULL""#),
            ("~", r#""~""#),
            ("- item", r#""- item""#),
            ("<<", r#""<<""#),
            ("=", r#""=""#),
            ("line1\nline2", r#""line1\nline2""#),
            ("tab\there", r#""tab\there""#),
            ("back\\slash: x", r#""back\\slash: x""#),
            ("bell\u{7}", r#""bell\x07""#),
            ("sep\u{2028}", r#""sep\u2028""#),
        ] {
            assert_eq!(to_yaml(&json!(text)), format!("{expected}\n"), "{text:?}");
        }
        for plain in [
            "hello",
            "snake_case",
            "with space",
            "dé jà vu",
            "a-b",
            "v1.2",
            "x=1",
            "yesterday",
            "C\\temp",
        ] {
            assert_eq!(to_yaml(&json!(plain)), format!("{plain}\n"));
        }
    }

    #[test]
    fn nested_blocks() {
        let value = json!({
            "alpha": 0.5,
            "layers": [64, 32],
            "model": {"name": "enet", "tags": {}, "empty": []},
            "runs": [{"id": "a", "ok": true}, [1, [2, 3]], null, {}],
            "1": "numeric key",
        });
        let expected = "\
\"1\": numeric key
alpha: 0.5
layers:
  - 64
  - 32
model:
  empty: []
  name: enet
  tags: {}
runs:
  - id: a
    ok: true
  - - 1
    - - 2
      - 3
  - null
  - {}
";
        assert_eq!(to_yaml(&value), expected);
    }

    #[test]
    fn long_keys_are_explicit() {
        let key = "k".repeat(1200);
        let yaml = to_yaml(&json!({ key.clone(): {"a": 1} }));
        assert_eq!(yaml, format!("? {key}\n:\n  a: 1\n"));
    }
}
