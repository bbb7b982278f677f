//! Typed identifiers, so a run id is never passed where an experiment id is expected.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A run's id: 32 lowercase hex digits, as MLflow uses.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RunId(String);

impl RunId {
    /// A fresh random run id.
    pub fn generate() -> Self {
        RunId(uuid::Uuid::new_v4().simple().to_string())
    }

    /// Check the shape of a run id given by a user.
    pub fn parse(text: &str) -> Result<Self> {
        let ok = !text.is_empty()
            && text.len() <= 64
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(RunId(text.to_string()))
        } else {
            Err(Error::invalid(format!(
                "Invalid run id '{text}': expected letters, digits, '-' or '_'"
            )))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RunId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::borrow::Borrow<str> for RunId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl FromStr for RunId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        RunId::parse(s)
    }
}

/// An experiment's id. Stored as an integer, shown as a string (as MLflow does).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct ExperimentId(pub i64);

impl From<ExperimentId> for String {
    fn from(id: ExperimentId) -> String {
        id.to_string()
    }
}

impl TryFrom<String> for ExperimentId {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        ExperimentId::parse(&text)
    }
}

impl ExperimentId {
    /// The experiment every store starts with.
    pub const DEFAULT: ExperimentId = ExperimentId(0);

    pub fn parse(text: &str) -> Result<Self> {
        text.trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id >= 0)
            .map(ExperimentId)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "Invalid experiment id '{text}': expected a non-negative integer"
                ))
            })
    }
}

impl fmt::Display for ExperimentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for ExperimentId {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        ExperimentId::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_32_hex_digits_and_unique() {
        let a = RunId::generate();
        let b = RunId::generate();
        assert_eq!(a.as_str().len(), 32);
        assert!(a.as_str().bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }

    #[test]
    fn bad_ids_are_rejected_with_the_text() {
        let err = RunId::parse("../etc").unwrap_err().to_string();
        assert!(err.contains("../etc"), "{err}");
        assert!(ExperimentId::parse("-1").is_err());
        assert_eq!(ExperimentId::parse("12").unwrap(), ExperimentId(12));
    }
}
