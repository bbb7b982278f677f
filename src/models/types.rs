//! MLflow's column types and how numpy dtypes map onto them.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The type of one column of a model's input or output (MLflow's `DataType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ColumnType {
    Boolean,
    /// 32-bit integer.
    Integer,
    /// 64-bit integer.
    Long,
    /// 32-bit float.
    Float,
    /// 64-bit float.
    Double,
    String,
    Binary,
    Datetime,
}

impl ColumnType {
    pub const ALL: [ColumnType; 8] = [
        ColumnType::Boolean,
        ColumnType::Integer,
        ColumnType::Long,
        ColumnType::Float,
        ColumnType::Double,
        ColumnType::String,
        ColumnType::Binary,
        ColumnType::Datetime,
    ];

    /// The name MLflow writes in signatures (`"double"`).
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Boolean => "boolean",
            ColumnType::Integer => "integer",
            ColumnType::Long => "long",
            ColumnType::Float => "float",
            ColumnType::Double => "double",
            ColumnType::String => "string",
            ColumnType::Binary => "binary",
            ColumnType::Datetime => "datetime",
        }
    }

    /// The numpy dtype a column of this type is held in.
    pub fn numpy_dtype(self) -> &'static str {
        match self {
            ColumnType::Boolean => "bool",
            ColumnType::Integer => "int32",
            ColumnType::Long => "int64",
            ColumnType::Float => "float32",
            ColumnType::Double => "float64",
            ColumnType::String | ColumnType::Binary => "object",
            ColumnType::Datetime => "datetime64[ns]",
        }
    }

    /// The column type of a numpy dtype name (`"int64"`, `"float32"`, `"bool"`, `"<M8[ns]"`).
    /// `object` columns are strings unless `object_hint` says `"bytes"`.
    pub fn from_dtype(dtype: &str, object_hint: Option<&str>) -> Result<ColumnType> {
        let parsed = DType::parse(dtype)?;
        Ok(match (parsed.kind, parsed.itemsize) {
            ('b', _) => ColumnType::Boolean,
            ('i', 1..=4) | ('u', 1..=2) => ColumnType::Integer,
            ('i', _) | ('u', 4) => ColumnType::Long,
            ('f', 1..=4) => ColumnType::Float,
            ('f', _) => ColumnType::Double,
            ('U', _) => ColumnType::String,
            ('S', _) => ColumnType::Binary,
            ('M', _) => ColumnType::Datetime,
            ('O', _) => match object_hint {
                Some("bytes") => ColumnType::Binary,
                Some("datetime") => ColumnType::Datetime,
                _ => ColumnType::String,
            },
            _ => {
                return Err(Error::invalid(format!(
                    "Cannot infer a column type from numpy dtype '{dtype}'"
                )))
            }
        })
    }
}

impl fmt::Display for ColumnType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ColumnType {
    type Err = Error;

    fn from_str(text: &str) -> Result<ColumnType> {
        ColumnType::ALL.into_iter().find(|t| t.as_str() == text).ok_or_else(|| {
            let known: Vec<&str> = ColumnType::ALL.iter().map(|t| t.as_str()).collect();
            Error::invalid(format!(
                "Unknown column type '{text}': expected one of {}",
                known.join(", ")
            ))
        })
    }
}

/// A numpy dtype reduced to what casting rules need: its kind letter and size in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DType {
    /// numpy's `dtype.kind`: b, i, u, f, c, U, S, O, M, m.
    pub kind: char,
    pub itemsize: usize,
}

impl DType {
    /// Read a dtype name as numpy prints it (`int64`, `float32`, `bool`, `object`,
    /// `datetime64[ns]`, `<U5`, `|S3`).
    pub fn parse(text: &str) -> Result<DType> {
        let bad = || Error::invalid(format!("Unknown numpy dtype '{text}'"));
        let name = text.trim().trim_start_matches(['<', '>', '|', '=']);
        let sized = |prefix: &str, kind: char| -> Option<DType> {
            let bits: usize = name.strip_prefix(prefix)?.parse().ok()?;
            Some(DType {
                kind,
                itemsize: bits / 8,
            })
        };
        let found = match name {
            "bool" | "b1" => Some(DType { kind: 'b', itemsize: 1 }),
            "object" | "O" | "str" | "string" => Some(DType { kind: 'O', itemsize: 8 }),
            _ if name.starts_with("datetime64") || name.starts_with("M8") => Some(DType { kind: 'M', itemsize: 8 }),
            _ if name.starts_with("uint") => sized("uint", 'u'),
            _ if name.starts_with("int") => sized("int", 'i'),
            _ if name.starts_with("float") => sized("float", 'f'),
            _ if name.starts_with("complex") => sized("complex", 'c'),
            _ => {
                // numpy's short codes: i8, f4, u1, U5 (unicode), S3 (bytes).
                let mut chars = name.chars();
                let kind = chars.next().ok_or_else(bad)?;
                let size: usize = chars.as_str().parse().map_err(|_| bad())?;
                match kind {
                    'i' | 'u' | 'f' | 'c' => Some(DType { kind, itemsize: size }),
                    'U' => Some(DType {
                        kind,
                        itemsize: size * 4,
                    }),
                    'S' => Some(DType { kind, itemsize: size }),
                    _ => None,
                }
            }
        };
        found.ok_or_else(bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in ColumnType::ALL {
            assert_eq!(t.as_str().parse::<ColumnType>().unwrap(), t);
        }
        assert!("decimal"
            .parse::<ColumnType>()
            .unwrap_err()
            .to_string()
            .contains("'decimal'"));
    }

    #[test]
    fn numpy_dtypes_map_as_mlflow_does() {
        let cases = [
            ("bool", ColumnType::Boolean),
            ("int8", ColumnType::Integer),
            ("int32", ColumnType::Integer),
            ("int64", ColumnType::Long),
            ("uint32", ColumnType::Long),
            ("float32", ColumnType::Float),
            ("float64", ColumnType::Double),
            ("<f8", ColumnType::Double),
            ("<U7", ColumnType::String),
            ("object", ColumnType::String),
            ("datetime64[ns]", ColumnType::Datetime),
        ];
        for (dtype, expected) in cases {
            assert_eq!(ColumnType::from_dtype(dtype, None).unwrap(), expected, "{dtype}");
        }
        assert_eq!(
            ColumnType::from_dtype("object", Some("bytes")).unwrap(),
            ColumnType::Binary
        );
        assert!(ColumnType::from_dtype("complex128", None).is_err());
        assert!(DType::parse("wat").is_err());
    }
}
