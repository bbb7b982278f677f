//! The one error type of rtrack. Each variant maps to one MLflow REST error code and one
//! Python exception class, so every face of the project reports failures the same way.

use std::fmt;

/// Result alias used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in rtrack.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A run, experiment, metric or artifact that does not exist.
    #[error("{0}")]
    NotFound(String),
    /// A value the caller sent is not acceptable (bad key, changed param, malformed filter ...).
    #[error("{0}")]
    InvalidValue(String),
    /// Creating something whose name or id is taken.
    #[error("{0}")]
    AlreadyExists(String),
    /// The database failed underneath us.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// The file system failed underneath us.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// Anything else that is our fault rather than the caller's.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// MLflow's REST error code for this error.
    pub fn error_code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "RESOURCE_DOES_NOT_EXIST",
            Error::InvalidValue(_) => "INVALID_PARAMETER_VALUE",
            Error::AlreadyExists(_) => "RESOURCE_ALREADY_EXISTS",
            Error::Database(_) | Error::Io { .. } | Error::Internal(_) => "INTERNAL_ERROR",
        }
    }

    pub fn invalid(message: impl fmt::Display) -> Self {
        Error::InvalidValue(message.to_string())
    }

    pub fn not_found(message: impl fmt::Display) -> Self {
        Error::NotFound(message.to_string())
    }

    pub fn io(context: impl fmt::Display, source: std::io::Error) -> Self {
        Error::Io {
            context: context.to_string(),
            source,
        }
    }
}

/// Attach a description of what was being done to an `io::Result`.
pub(crate) trait IoContext<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn context(self, what: impl FnOnce() -> String) -> Result<T> {
        self.map_err(|source| Error::io(what(), source))
    }
}
