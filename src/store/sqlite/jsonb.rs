//! Reading SQLite's binary JSON (JSONB, sqlite.org/jsonb.html) in Rust, for the per-run
//! summary columns (see [`super::summary`]). Decoding the blob directly is several times
//! cheaper than asking SQLite for JSON text and parsing that, and it keeps ±inf, which
//! SQLite writes as `9e999` and JSON text parsers refuse.

use std::borrow::Cow;

use crate::error::{Error, Result};

/// One JSONB element: a scalar, or the raw payload of an array or object. Text borrows
/// from the blob unless it held escapes, so reading costs no allocation of its own.
#[derive(Clone, Debug, PartialEq)]
pub enum Element<'a> {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    Text(Cow<'a, str>),
    Array(&'a [u8]),
    Object(&'a [u8]),
}

fn malformed(what: &str) -> Error {
    Error::Internal(format!("malformed JSONB in a run summary: {what}"))
}

/// Split the first element off `bytes`: (type code, payload, rest).
fn split(bytes: &[u8]) -> Result<(u8, &[u8], &[u8])> {
    let first = *bytes.first().ok_or_else(|| malformed("unexpected end"))?;
    let (header, size) = match first >> 4 {
        small @ 0..=11 => (1, small as usize),
        wide => {
            let width = 1usize << (wide - 12); // 12..=15: 1, 2, 4 or 8 size bytes
            let size_bytes = bytes.get(1..1 + width).ok_or_else(|| malformed("truncated header"))?;
            let size = size_bytes.iter().fold(0u64, |acc, &b| (acc << 8) | b as u64);
            (
                1 + width,
                usize::try_from(size).map_err(|_| malformed("oversized element"))?,
            )
        }
    };
    let end = header
        .checked_add(size)
        .filter(|&end| end <= bytes.len())
        .ok_or_else(|| malformed("truncated payload"))?;
    Ok((first & 0x0f, &bytes[header..end], &bytes[end..]))
}

fn text(payload: &[u8]) -> Result<&str> {
    // Keys, numbers and most values are ASCII, which checks several times faster than UTF-8.
    if payload.is_ascii() {
        // SAFETY: ASCII bytes are valid UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(payload) });
    }
    std::str::from_utf8(payload).map_err(|_| malformed("text is not UTF-8"))
}

/// Decode the first element of `bytes` and return it with what follows it.
pub fn element(bytes: &[u8]) -> Result<(Element<'_>, &[u8])> {
    let (kind, payload, rest) = split(bytes)?;
    let value = match kind {
        0 => Element::Null,
        1 => Element::Bool(true),
        2 => Element::Bool(false),
        3 => Element::Integer(text(payload)?.parse().map_err(|_| malformed("bad integer"))?),
        4 => Element::Integer(json5_integer(text(payload)?)?),
        // Rust parses out-of-range exponents (SQLite's 9e999) to ±inf.
        5 => Element::Float(text(payload)?.parse().map_err(|_| malformed("bad number"))?),
        6 => Element::Float(json5_float(text(payload)?)?),
        7 | 10 => Element::Text(Cow::Borrowed(text(payload)?)),
        8 | 9 => Element::Text(Cow::Owned(unescape(text(payload)?)?)),
        11 => Element::Array(payload),
        12 => Element::Object(payload),
        _ => return Err(malformed("reserved element type")),
    };
    Ok((value, rest))
}

/// Iterate over the elements of an array's payload, or the labels and values (alternating)
/// of an object's.
pub struct Elements<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Elements<'a> {
    type Item = Result<Element<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        Some(element(self.rest).map(|(value, rest)| {
            self.rest = rest;
            value
        }))
    }
}

/// The items of an array's payload.
pub fn items(payload: &[u8]) -> Elements<'_> {
    Elements { rest: payload }
}

/// Call `visit` with each member (label, value) of a whole JSONB blob holding one object,
/// in stored order.
pub fn for_each_member<'a>(
    blob: &'a [u8],
    mut visit: impl FnMut(Cow<'a, str>, Element<'a>) -> Result<()>,
) -> Result<()> {
    let payload = match element(blob)? {
        (Element::Object(payload), []) => payload,
        _ => return Err(malformed("expected one object")),
    };
    let mut elements = items(payload);
    while let Some(label) = elements.next() {
        let Element::Text(label) = label? else {
            return Err(malformed("object label is not text"));
        };
        let value = elements
            .next()
            .ok_or_else(|| malformed("object label without a value"))??;
        visit(label, value)?;
    }
    Ok(())
}

fn json5_integer(text: &str) -> Result<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let hex = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
        .ok_or_else(|| malformed("bad integer"))?;
    let magnitude = i64::from_str_radix(hex, 16).map_err(|_| malformed("bad integer"))?;
    Ok(if negative { -magnitude } else { magnitude })
}

fn json5_float(text: &str) -> Result<f64> {
    match text.trim_start_matches('+') {
        "Infinity" | "Inf" => Ok(f64::INFINITY),
        "-Infinity" | "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" | "-NaN" => Ok(f64::NAN),
        // JSON5 allows `.5`, `5.` and a leading `+`, all of which Rust parses.
        other => other.parse().map_err(|_| malformed("bad number")),
    }
}

/// Undo JSON (and the JSON5 extras SQLite accepts) string escapes.
fn unescape(escaped: &str) -> Result<String> {
    let mut out = String::with_capacity(escaped.len());
    let mut chars = escaped.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let escape = chars.next().ok_or_else(|| malformed("dangling escape"))?;
        match escape {
            '"' | '\\' | '/' | '\'' => out.push(escape),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0' => out.push('\0'),
            'x' => out.push(hex_char(&mut chars, 2)?),
            'u' => {
                let unit = hex_unit(&mut chars, 4)?;
                let code = if (0xD800..0xDC00).contains(&unit) {
                    // A surrogate pair: the low half follows as another \u escape.
                    if chars.next() != Some('\\') || chars.next() != Some('u') {
                        return Err(malformed("lone surrogate"));
                    }
                    let low = hex_unit(&mut chars, 4)?;
                    0x10000 + ((unit - 0xD800) << 10) + (low.wrapping_sub(0xDC00) & 0x3ff)
                } else {
                    unit
                };
                out.push(char::from_u32(code).ok_or_else(|| malformed("bad \\u escape"))?);
            }
            // JSON5 line continuations: a backslash before a line break adds nothing.
            '\n' | '\u{2028}' | '\u{2029}' => {}
            '\r' => {
                if chars.clone().next() == Some('\n') {
                    chars.next();
                }
            }
            _ => return Err(malformed("unknown escape")),
        }
    }
    Ok(out)
}

fn hex_unit(chars: &mut std::str::Chars<'_>, digits: usize) -> Result<u32> {
    let hex: String = chars.take(digits).collect();
    if hex.len() != digits {
        return Err(malformed("short escape"));
    }
    u32::from_str_radix(&hex, 16).map_err(|_| malformed("bad hex escape"))
}

fn hex_char(chars: &mut std::str::Chars<'_>, digits: usize) -> Result<char> {
    char::from_u32(hex_unit(chars, digits)?).ok_or_else(|| malformed("bad hex escape"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    fn object(blob: &[u8]) -> Result<Vec<(String, Element<'_>)>> {
        let mut members = Vec::new();
        for_each_member(blob, |label, value| {
            members.push((label.into_owned(), value));
            Ok(())
        })?;
        Ok(members)
    }

    fn text(value: &str) -> Element<'static> {
        Element::Text(Cow::Owned(value.to_string()))
    }

    /// SQLite's own encoding of a JSON text, so the tests read what SQLite writes.
    fn jsonb(conn: &Connection, sql_expression: &str) -> Vec<u8> {
        conn.query_row(&format!("SELECT {sql_expression}"), [], |row| row.get(0))
            .unwrap()
    }

    #[test]
    fn reads_what_sqlite_writes() {
        let conn = Connection::open_in_memory().unwrap();
        let blob = jsonb(
            &conn,
            r#"jsonb('{"a": "plain", "b": "quote \" and \u00e9 and \ud83d\ude00", "c": [1.5, -3, null, true], "d": {}}')"#,
        );
        let members = object(&blob).unwrap();
        assert_eq!(members[0], ("a".to_string(), text("plain")));
        assert_eq!(members[1], ("b".to_string(), text("quote \" and é and 😀")));
        let Element::Array(payload) = members[2].1 else {
            panic!("{:?}", members[2])
        };
        assert_eq!(
            items(payload).collect::<Result<Vec<_>>>().unwrap(),
            vec![
                Element::Float(1.5),
                Element::Integer(-3),
                Element::Null,
                Element::Bool(true)
            ]
        );
        assert_eq!(members[3].1, Element::Object(&[]));
    }

    #[test]
    fn infinities_and_raw_text_from_sql_values_survive() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (v REAL); INSERT INTO t VALUES (9e999), (-9e999)")
            .unwrap();
        let blob = jsonb(&conn, "jsonb_group_array(v) FROM t");
        let Element::Array(payload) = element(&blob).unwrap().0 else {
            panic!()
        };
        assert_eq!(
            items(payload).collect::<Result<Vec<_>>>().unwrap(),
            vec![Element::Float(f64::INFINITY), Element::Float(f64::NEG_INFINITY)]
        );
        // Text bound as an SQL value (not JSON) is stored raw, control characters and all.
        let tricky = "line\nbreak \"quoted\" back\\slash \u{1}";
        let blob: Vec<u8> = conn
            .query_row("SELECT jsonb_object('k', ?1)", [tricky], |row| row.get(0))
            .unwrap();
        assert_eq!(object(&blob).unwrap(), vec![("k".to_string(), text(tricky))]);
        // Long payloads use the wider size headers.
        let long = "x".repeat(70_000);
        let blob: Vec<u8> = conn
            .query_row("SELECT jsonb_object('k', ?1)", [&long], |row| row.get(0))
            .unwrap();
        assert_eq!(object(&blob).unwrap(), vec![("k".to_string(), text(&long))]);
    }

    #[test]
    fn json5_forms_decode() {
        let conn = Connection::open_in_memory().unwrap();
        let blob = jsonb(&conn, r#"jsonb('[0x1F, -0x10, Infinity, -Infinity, .5, "tab\x09"]')"#);
        let Element::Array(payload) = element(&blob).unwrap().0 else {
            panic!()
        };
        let decoded = items(payload).collect::<Result<Vec<_>>>().unwrap();
        assert_eq!(decoded[0], Element::Integer(31));
        assert_eq!(decoded[1], Element::Integer(-16));
        assert_eq!(decoded[2], Element::Float(f64::INFINITY));
        assert_eq!(decoded[3], Element::Float(f64::NEG_INFINITY));
        assert_eq!(decoded[4], Element::Float(0.5));
        assert_eq!(decoded[5], text("tab\t"));
    }

    #[test]
    fn damage_is_an_error_not_a_panic() {
        for bad in [
            &[][..],
            &[0xc7][..],
            &[0x2c, 0x17][..],
            &[0x0d][..],
            &[0x3c, 0x03, b'1', b'2'][..],
        ] {
            assert!(object(bad).is_err(), "{bad:?}");
        }
    }
}
