//! What a tracking URI means: which store, where its database and artifacts live.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The file name of the database inside a store folder.
pub const DATABASE_FILE: &str = "rtrack.db";
/// The artifact folder inside a store folder (or beside an `sqlite:///` database).
pub const ARTIFACTS_DIR: &str = "artifacts";
/// The store used when nothing is configured, relative to the working directory.
pub const DEFAULT_STORE_DIR: &str = "rtruns";

/// A parsed tracking URI.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreLocation {
    /// The embedded store: one SQLite file and an artifact folder.
    Sqlite { database: PathBuf, artifact_root: PathBuf },
    /// A tracking server speaking MLflow's REST API, at `http://host:port`.
    #[cfg(feature = "remote")]
    Rest { base_url: String },
}

impl StoreLocation {
    /// Understand a tracking URI:
    /// - a bare folder path or `file:` URI: a store folder holding `rtrack.db` and `artifacts/`;
    /// - `sqlite:///relative.db` or `sqlite:////absolute.db`: that database, `artifacts/` beside it.
    ///
    /// Relative paths are made absolute against the working directory, so a store keeps
    /// pointing at the same place when the process changes directory later.
    pub fn parse(uri: &str) -> Result<StoreLocation> {
        let uri = uri.trim();
        if uri.is_empty() {
            return Err(Error::invalid("Invalid tracking URI: it is empty"));
        }
        if let Some(rest) = uri.strip_prefix("sqlite://") {
            let path = rest.strip_prefix('/').ok_or_else(|| {
                Error::invalid(format!(
                    "Invalid tracking URI '{uri}': expected sqlite:///relative/path.db or sqlite:////absolute/path.db"
                ))
            })?;
            if path.is_empty() || path == ":memory:" {
                return Err(Error::invalid(format!(
                    "Invalid tracking URI '{uri}': an embedded store needs a database file path"
                )));
            }
            let database = absolute(Path::new(path))?;
            let parent = database.parent().map(Path::to_path_buf).unwrap_or_default();
            return Ok(StoreLocation::Sqlite {
                artifact_root: parent.join(ARTIFACTS_DIR),
                database,
            });
        }
        #[cfg(feature = "remote")]
        if uri.starts_with("http://") {
            return Ok(StoreLocation::Rest {
                base_url: uri.trim_end_matches('/').to_string(),
            });
        }
        let folder = if let Some(rest) = uri.strip_prefix("file://") {
            PathBuf::from(percent_decode(rest))
        } else if let Some(rest) = uri.strip_prefix("file:") {
            PathBuf::from(percent_decode(rest))
        } else if let Some(scheme) = scheme_of(uri) {
            return Err(unsupported_scheme(uri, scheme));
        } else {
            PathBuf::from(uri)
        };
        let folder = absolute(&folder)?;
        Ok(StoreLocation::Sqlite {
            database: folder.join(DATABASE_FILE),
            artifact_root: folder.join(ARTIFACTS_DIR),
        })
    }
}

/// `scheme` of `scheme://...` or `scheme:...`, if the text has one (Windows drive letters aside).
fn scheme_of(uri: &str) -> Option<&str> {
    let (scheme, _) = uri.split_once(':')?;
    let looks_like_scheme = scheme.len() > 1
        && scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    looks_like_scheme.then_some(scheme)
}

fn unsupported_scheme(uri: &str, scheme: &str) -> Error {
    let reason = match scheme {
        "http" if cfg!(feature = "remote") => "unreachable: http URIs are remote stores",
        "http" => "this build has no remote store (cargo feature `remote`)",
        "https" => "TLS is not supported by this build yet; put the server behind http on a trusted network",
        "postgresql" | "postgres" | "mysql" | "mssql" => "database servers are not supported by this build yet",
        _ => "this scheme is unknown",
    };
    Error::invalid(format!(
        "Unsupported tracking URI '{uri}': scheme '{scheme}' ({reason}); use a folder path, file:/path or sqlite:///path.db"
    ))
}

pub(crate) fn absolute(path: &Path) -> Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let cwd = std::env::current_dir().map_err(|e| Error::io("reading the working directory", e))?;
    Ok(cwd.join(path))
}

/// Undo `%XX` escapes in a `file:` URI path.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(uri: &str) -> (PathBuf, PathBuf) {
        match StoreLocation::parse(uri).unwrap() {
            StoreLocation::Sqlite {
                database,
                artifact_root,
            } => (database, artifact_root),
            #[cfg(feature = "remote")]
            other => panic!("{uri} is not an embedded store: {other:?}"),
        }
    }

    #[cfg(feature = "remote")]
    #[test]
    fn http_uris_name_a_tracking_server() {
        assert_eq!(
            StoreLocation::parse("http://127.0.0.1:5000/").unwrap(),
            StoreLocation::Rest {
                base_url: "http://127.0.0.1:5000".into()
            }
        );
        let err = StoreLocation::parse("https://tracking.example.com")
            .unwrap_err()
            .to_string();
        assert!(err.contains("TLS"), "{err}");
    }

    #[test]
    fn folder_paths_and_file_uris_name_a_store_folder() {
        assert_eq!(
            sqlite("/tmp/s"),
            (PathBuf::from("/tmp/s/rtrack.db"), PathBuf::from("/tmp/s/artifacts"))
        );
        assert_eq!(sqlite("file:///tmp/my%20s").0, PathBuf::from("/tmp/my s/rtrack.db"));
        assert_eq!(sqlite("file:/tmp/s").0, PathBuf::from("/tmp/s/rtrack.db"));
        assert!(sqlite("rel").0.is_absolute());
    }

    #[test]
    fn sqlite_uris_put_artifacts_beside_the_database() {
        assert_eq!(
            sqlite("sqlite:////tmp/x/m.db"),
            (PathBuf::from("/tmp/x/m.db"), PathBuf::from("/tmp/x/artifacts"))
        );
        assert!(sqlite("sqlite:///m.db").0.ends_with("m.db"));
    }

    #[test]
    fn unknown_schemes_are_clear_errors() {
        for uri in [
            "https://localhost:5000",
            "postgresql://u@h/db",
            "s3://bucket",
            "sqlite://nohost.db",
            "",
        ] {
            let err = StoreLocation::parse(uri).unwrap_err().to_string();
            assert!(err.contains("URI"), "{err}");
        }
        assert!(StoreLocation::parse("https://h")
            .unwrap_err()
            .to_string()
            .contains("'https'"));
    }
}
