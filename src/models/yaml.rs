//! Reading the block-style YAML that `MLmodel`, `conda.yaml` and `python_env.yaml` are written
//! in (by PyYAML's `safe_dump` or by rtrack's own emitter): nested mappings and sequences,
//! plain, single- and double-quoted scalars folded over several lines, empty `{}`/`[]`.
//! Anchors, tags and multi-document streams are not part of that dialect and are refused.

use serde_json::{Map, Number, Value};

use crate::error::{Error, Result};

/// Parse a YAML document of that dialect into JSON values (YAML 1.1 scalars as PyYAML reads them).
///
/// ```
/// let value = rtrack::models::from_yaml("flavors:\n  sklearn:\n    pickled_model: model.pkl\nsteps:\n- 1\n- 'two'\n")?;
/// assert_eq!(value["flavors"]["sklearn"]["pickled_model"], "model.pkl");
/// assert_eq!(value["steps"], serde_json::json!([1, "two"]));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn from_yaml(text: &str) -> Result<Value> {
    let lines: Vec<Line> = text
        .lines()
        .enumerate()
        .filter_map(|(number, raw)| {
            let content = raw.trim_end();
            let stripped = content.trim_start_matches(' ');
            if stripped.is_empty() || stripped.starts_with('#') || stripped == "---" {
                return None;
            }
            Some(Line {
                number: number + 1,
                indent: content.len() - stripped.len(),
                text: stripped.to_string(),
            })
        })
        .collect();
    let mut parser = Parser { lines, pos: 0 };
    if parser.lines.is_empty() {
        return Ok(Value::Null);
    }
    let indent = parser.lines[0].indent;
    let value = parser.node(indent)?;
    if let Some(line) = parser.lines.get(parser.pos) {
        return Err(parser.error(line.number, "unexpected indentation"));
    }
    Ok(value)
}

struct Line {
    number: usize,
    indent: usize,
    text: String,
}

struct Parser {
    lines: Vec<Line>,
    pos: usize,
}

impl Parser {
    fn error(&self, line: usize, why: &str) -> Error {
        Error::invalid(format!("Cannot read YAML at line {line}: {why}"))
    }

    /// The node starting at the current line, which is at `indent`.
    fn node(&mut self, indent: usize) -> Result<Value> {
        let line = &self.lines[self.pos];
        if line.text == "-" || line.text.starts_with("- ") {
            self.sequence(indent)
        } else if split_key(&line.text).is_some() {
            self.mapping(indent)
        } else {
            let (number, text) = (line.number, line.text.clone());
            self.pos += 1;
            self.scalar(text, indent, number)
        }
    }

    fn mapping(&mut self, indent: usize) -> Result<Value> {
        let mut map = Map::new();
        while let Some(line) = self.lines.get(self.pos) {
            if line.indent != indent {
                if line.indent > indent {
                    return Err(self.error(line.number, "unexpected indentation"));
                }
                break;
            }
            let number = line.number;
            let Some((key, rest)) = split_key(&line.text) else {
                return Err(self.error(number, "expected 'key: value'"));
            };
            let key = match self.scalar(key.clone(), usize::MAX, number)? {
                Value::String(text) => text,
                other => other.to_string(),
            };
            self.pos += 1;
            let value = if rest.is_empty() {
                self.nested(indent, true)?
            } else {
                self.scalar(rest, indent, number)?
            };
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }

    fn sequence(&mut self, indent: usize) -> Result<Value> {
        let mut items = Vec::new();
        while let Some(line) = self.lines.get(self.pos) {
            if line.indent != indent || !(line.text == "-" || line.text.starts_with("- ")) {
                break;
            }
            let number = line.number;
            let rest = line.text[1..].trim_start().to_string();
            if rest.is_empty() {
                self.pos += 1;
                items.push(self.nested(indent, false)?);
            } else if rest.starts_with("- ") || split_key(&rest).is_some() {
                // `- key: value` opens a mapping (or `- - x` a sequence) at the item's column.
                let column = indent + (line.text.len() - rest.len());
                self.lines[self.pos] = Line {
                    number,
                    indent: column,
                    text: rest,
                };
                items.push(self.node(column)?);
            } else {
                self.pos += 1;
                items.push(self.scalar(rest, indent, number)?);
            }
        }
        Ok(Value::Array(items))
    }

    /// The value after `key:` or `-` with nothing on its line: a deeper node, PyYAML's
    /// sequence at the key's own indent, or null.
    fn nested(&mut self, indent: usize, allow_indentless: bool) -> Result<Value> {
        match self.lines.get(self.pos) {
            Some(next) if next.indent > indent => {
                let deeper = next.indent;
                self.node(deeper)
            }
            Some(next)
                if allow_indentless && next.indent == indent && (next.text == "-" || next.text.starts_with("- ")) =>
            {
                self.sequence(indent)
            }
            _ => Ok(Value::Null),
        }
    }

    /// A scalar starting with `first`, folding in continuation lines deeper than `indent`.
    fn scalar(&mut self, first: String, indent: usize, number: usize) -> Result<Value> {
        let quote = first.chars().next().filter(|c| *c == '\'' || *c == '"');
        let mut pieces = vec![first];
        match quote {
            Some(q) => {
                while !closes(&pieces.join("\n"), q) {
                    let Some(line) = self.lines.get(self.pos) else {
                        return Err(self.error(number, "a quoted string is never closed"));
                    };
                    pieces.push(line.text.clone());
                    self.pos += 1;
                }
            }
            None => {
                while let Some(line) = self.lines.get(self.pos) {
                    if indent == usize::MAX || line.indent <= indent {
                        break;
                    }
                    if split_key(&line.text).is_some() || line.text.starts_with("- ") {
                        return Err(self.error(line.number, "unexpected indentation"));
                    }
                    pieces.push(line.text.clone());
                    self.pos += 1;
                }
            }
        }
        match quote {
            Some('\'') => single_quoted(&pieces)
                .map(Value::String)
                .ok_or_else(|| self.error(number, "bad single-quoted string")),
            Some(_) => double_quoted(&pieces)
                .map(Value::String)
                .ok_or_else(|| self.error(number, "bad double-quoted string")),
            None => plain(&pieces.join(" ")).map_err(|why| self.error(number, &why)),
        }
    }
}

/// `key: rest` or `key:` outside quotes; the key keeps its quotes.
fn split_key(text: &str) -> Option<(String, String)> {
    let bytes = text.as_bytes();
    let mut end_of_key = 0;
    if let Some(&q) = bytes.first().filter(|b| **b == b'\'' || **b == b'"') {
        let mut i = 1;
        while i < bytes.len() {
            if bytes[i] == b'\\' && q == b'"' {
                i += 2;
                continue;
            }
            if bytes[i] == q {
                if q == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                break;
            }
            i += 1;
        }
        end_of_key = i + 1;
    }
    let tail = text.get(end_of_key..)?;
    let colon = tail
        .char_indices()
        .find(|&(i, c)| c == ':' && matches!(tail[i + 1..].chars().next(), None | Some(' ')))?
        .0;
    let key = text[..end_of_key + colon].trim_end().to_string();
    if key.is_empty() || key.starts_with(['[', '{']) && quote_free(&key) {
        return None;
    }
    Some((key, tail[colon + 1..].trim().to_string()))
}

fn quote_free(text: &str) -> bool {
    !text.contains(['\'', '"'])
}

/// Whether `text`, opening with quote `q`, has its closing quote.
fn closes(text: &str, q: char) -> bool {
    let mut chars = text.chars().skip(1).peekable();
    while let Some(c) = chars.next() {
        if q == '"' && c == '\\' {
            chars.next();
        } else if c == q {
            if q == '\'' && chars.peek() == Some(&'\'') {
                chars.next();
            } else {
                return true;
            }
        }
    }
    false
}

/// Fold lines as YAML does inside flow scalars: one break is a space.
fn fold(pieces: &[String]) -> String {
    pieces.iter().map(|p| p.trim()).collect::<Vec<_>>().join(" ")
}

fn single_quoted(pieces: &[String]) -> Option<String> {
    let joined = fold(pieces);
    let inner = joined.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

fn double_quoted(pieces: &[String]) -> Option<String> {
    // A backslash at a line's end joins the lines without a space.
    let mut joined = String::new();
    for (index, piece) in pieces.iter().enumerate() {
        let piece = if index == 0 { piece.trim_end() } else { piece.trim() };
        if index > 0 && !joined.ends_with('\\') {
            joined.push(' ');
        }
        if joined.ends_with('\\') {
            joined.pop();
            joined.push_str(piece.trim_start_matches('\\'));
        } else {
            joined.push_str(piece);
        }
    }
    let inner = joined.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let hex = |chars: &mut std::str::Chars, n: usize| -> Option<char> {
            let digits: String = chars.take(n).collect();
            char::from_u32(u32::from_str_radix(&digits, 16).ok()?)
        };
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            'x' => out.push(hex(&mut chars, 2)?),
            'u' => out.push(hex(&mut chars, 4)?),
            'U' => out.push(hex(&mut chars, 8)?),
            other => out.push(other),
        }
    }
    Some(out)
}

/// A plain scalar typed as PyYAML's `safe_load` types it.
fn plain(text: &str) -> std::result::Result<Value, String> {
    let text = text.trim();
    if text.starts_with(['&', '*', '!', '|', '>']) {
        return Err(format!("'{text}': anchors, tags and block scalars are not supported"));
    }
    if text.starts_with(['[', '{']) {
        return serde_json::from_str(text)
            .map_err(|_| format!("'{text}': only JSON-like flow collections are supported"));
    }
    Ok(match text {
        "" | "~" | "null" | "Null" | "NULL" => Value::Null,
        "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Value::Bool(true),
        "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Value::Bool(false),
        ".inf" | "+.inf" | ".Inf" | "-.inf" | "-.Inf" | ".nan" | ".NaN" => Value::String(text.to_string()),
        _ => {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            let numeric = !digits.is_empty() && digits.chars().next().is_some_and(|c| c.is_ascii_digit() || c == '.');
            if numeric && digits.chars().all(|c| c.is_ascii_digit() || c == '_') {
                if let Ok(n) = text.replace('_', "").parse::<i64>() {
                    return Ok(Value::from(n));
                }
            }
            let float_like = digits.contains('.') && digits.chars().all(|c| c.is_ascii_digit() || "._eE+-".contains(c));
            match text
                .replace('_', "")
                .parse::<f64>()
                .ok()
                .filter(|_| numeric && float_like)
                .and_then(Number::from_f64)
            {
                Some(number) => Value::Number(number),
                None => Value::String(text.to_string()),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::to_yaml;
    use serde_json::json;

    #[test]
    fn reads_what_pyyaml_writes_for_mlmodel() {
        let text = r#"artifact_path: model
flavors:
  python_function:
    env:
      conda: conda.yaml
      virtualenv: python_env.yaml
    loader_module: mlflow.sklearn
    python_version: 3.11.9
  sklearn:
    code: null
    pickled_model: model.pkl
    serialization_format: cloudpickle
    sklearn_version: 1.5.0
mlflow_version: 3.17.2
model_size_bytes: 1014
signature:
  inputs: '[{"type": "double", "name": "x", "required": true}, {"type": "double",
    "name": "y", "required": true}]'
  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]'
  params: null
utc_time_created: '2024-05-01 10:00:00.123456'
"#;
        let value = from_yaml(text).unwrap();
        assert_eq!(value["flavors"]["sklearn"]["sklearn_version"], "1.5.0");
        assert_eq!(value["flavors"]["python_function"]["python_version"], "3.11.9");
        assert_eq!(value["model_size_bytes"], 1014);
        assert_eq!(
            value["signature"]["inputs"],
            r#"[{"type": "double", "name": "x", "required": true}, {"type": "double", "name": "y", "required": true}]"#
        );
        assert_eq!(value["signature"]["params"], Value::Null);
        assert_eq!(value["flavors"]["sklearn"]["code"], Value::Null);
    }

    #[test]
    fn reads_conda_files_and_indentless_lists() {
        let text = "channels:\n- conda-forge\ndependencies:\n- python=3.11.9\n- pip<=24.0\n- pip:\n  - mlflow==3.17.2\n  - \"scikit-learn==1.5.0\"\nname: mlflow-env\n";
        let value = from_yaml(text).unwrap();
        assert_eq!(value["dependencies"][2]["pip"][1], "scikit-learn==1.5.0");
        assert_eq!(value["channels"], json!(["conda-forge"]));
    }

    #[test]
    fn round_trips_the_emitter() {
        let value = json!({
            "a": {"b": [1, 2.5, "x: y", "'quoted'", "yes", "", null, true], "c": {}},
            "long": "word ".repeat(50).trim_end(),
            "list": [{"k": "v", "n": [1, [2, 3]]}, []],
            "multi": "line one\nline two",
        });
        assert_eq!(from_yaml(&to_yaml(&value)).unwrap(), value);
    }

    #[test]
    fn plain_scalars_fold_and_type() {
        let value =
            from_yaml("text: a long\n  plain value\nn: -12\nf: 1.5e3\nv: 1.2.3\nq: \"a\\tb\\u00e9\"\n").unwrap();
        assert_eq!(
            value,
            json!({"text": "a long plain value", "n": -12, "f": 1500.0, "v": "1.2.3", "q": "a\tb\u{e9}"})
        );
    }

    #[test]
    fn refuses_what_it_does_not_read() {
        assert!(from_yaml("a: &anchor 1\n").is_err());
        assert!(from_yaml("a: 'never closed\n").is_err());
        assert!(from_yaml("a: 1\n    b: 2\n").is_err());
    }
}
