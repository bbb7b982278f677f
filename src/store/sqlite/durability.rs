//! How much of what was written survives a crash, chosen with `RTRACK_DURABILITY`.
//!
//! `normal` (the default): SQLite's WAL with `synchronous=NORMAL`, and artifact files renamed
//! into place without `fsync`. A commit survives the process crashing; on power loss (or an
//! operating system crash) the last commits and the last artifact files may be lost, though the
//! database stays consistent. `full`: `synchronous=FULL`, so each commit is on disk before it
//! returns, and artifact files and their folder are synced around the rename.

use crate::error::{Error, Result};

/// The environment variable choosing the durability.
pub const DURABILITY_ENV: &str = "RTRACK_DURABILITY";

/// What a commit (and an artifact write) survives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// A crash of the process; the last writes may be lost on power loss.
    #[default]
    Normal,
    /// Power loss as well: every commit and artifact file is synced to disk.
    Full,
}

impl Durability {
    /// The durability a setting names; unset or blank is [`Durability::Normal`].
    pub fn parse(value: Option<&str>) -> Result<Durability> {
        match value.map(str::trim).unwrap_or("") {
            "" => Ok(Durability::Normal),
            v if v.eq_ignore_ascii_case("normal") => Ok(Durability::Normal),
            v if v.eq_ignore_ascii_case("full") => Ok(Durability::Full),
            other => Err(Error::invalid(format!(
                "{DURABILITY_ENV}='{other}' is not a durability; use 'normal' (the default) or 'full'"
            ))),
        }
    }

    /// The durability `RTRACK_DURABILITY` asks for.
    pub fn from_env() -> Result<Durability> {
        Durability::parse(std::env::var(DURABILITY_ENV).ok().as_deref())
    }

    /// SQLite's `synchronous` setting for it.
    pub fn synchronous(self) -> &'static str {
        match self {
            Durability::Normal => "NORMAL",
            Durability::Full => "FULL",
        }
    }

    /// The durability of a connection's `PRAGMA synchronous` value (0 OFF .. 3 EXTRA).
    pub fn of_synchronous(level: i64) -> Durability {
        if level >= 2 {
            Durability::Full
        } else {
            Durability::Normal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_read_and_bad_ones_refused_naming_the_variable() {
        assert_eq!(Durability::parse(None).unwrap(), Durability::Normal);
        assert_eq!(Durability::parse(Some(" ")).unwrap(), Durability::Normal);
        assert_eq!(Durability::parse(Some("Normal")).unwrap(), Durability::Normal);
        assert_eq!(Durability::parse(Some("FULL")).unwrap(), Durability::Full);
        let message = Durability::parse(Some("always")).unwrap_err().to_string();
        assert!(
            message.contains("RTRACK_DURABILITY='always'") && message.contains("'full'"),
            "{message}"
        );
    }
}
