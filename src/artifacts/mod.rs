//! Where a run's files live, safely.
//!
//! An [`ArtifactStore`] reads and writes the files under a run's artifact root, given on each
//! call as a URI (`file:///.../artifacts/<exp>/<run>/artifacts`, or a plain absolute path).
//! Every path a user gives is checked by [`ArtifactPath`] (no `..`, no absolute or Windows
//! paths, no NUL bytes) and, on disk, no symbolic link may lead outside the root: a refused path
//! is [`Error::InvalidValue`](crate::Error::InvalidValue) naming it, and nothing is written.
//!
//! Beside the store sit the encoders the `log_*` verbs need: [`encode_png`] for images,
//! [`to_yaml`] for `log_dict(..., "x.yaml")`, [`table_to_json`] for `log_table`.
//!
//! ```
//! use rtrack::artifacts::{open_artifact_store, path_to_file_uri};
//!
//! let dir = tempfile::tempdir()?;
//! let root = path_to_file_uri(&dir.path().join("artifacts"));
//! let store = open_artifact_store(&root)?;
//!
//! store.write_file(&root, "notes/readme.txt", b"hello")?;
//! let listing = store.list(&root, None)?;
//! assert_eq!(listing[0].path, "notes");
//! assert!(listing[0].is_dir);
//! assert_eq!(store.read_file(&root, "notes/readme.txt")?, b"hello");
//!
//! // Paths that would leave the run's artifact root are refused.
//! assert!(store.write_file(&root, "../escape.txt", b"x").is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod confine;
#[cfg(feature = "remote")]
mod http;
mod image;
mod local;
mod paths;
mod stale_temp;
mod table;
mod uri;
mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

#[cfg(feature = "remote")]
pub use self::http::HttpArtifactStore;
pub use self::image::{encode_png, float_pixels_to_u8};
pub use self::local::LocalArtifactStore;
pub use self::paths::ArtifactPath;
pub use self::stale_temp::{remove_stale_temp_files, spawn_stale_temp_cleanup};
pub use self::table::table_to_json;
pub use self::uri::{file_uri_to_path, path_to_file_uri, uri_scheme};
pub use self::yaml::{to_yaml, to_yaml_single_quoted};
use crate::entities::FileInfo;
use crate::error::{Error, Result};

/// The scheme of artifact URIs served through a tracking server's proxied artifact routes.
pub const PROXY_SCHEME: &str = "mlflow-artifacts:";

/// A stored file opened for reading, with its size when the store knows it.
pub struct ArtifactFile {
    pub size: Option<u64>,
    pub reader: Box<dyn std::io::Read + Send>,
}

/// Reads and writes a run's files. `root` is the run's artifact root URI; artifact paths are
/// relative to it, `/`-separated. Implementations must refuse any path leaving the root.
pub trait ArtifactStore: Send + Sync {
    /// Copy `local_file` to `<root>/<artifact_path>/<file name>` (MLflow's `log_artifact`).
    fn log_file(&self, root: &str, local_file: &Path, artifact_path: Option<&str>) -> Result<()>;

    /// Copy the contents of `local_dir`, recursively, into `<root>/<artifact_path>/` (MLflow's
    /// `log_artifacts`: the contents, not the folder itself). Links inside `local_dir` are
    /// followed only while they stay inside it; a link out of it refuses the whole call before
    /// anything is copied.
    fn log_dir(&self, root: &str, local_dir: &Path, artifact_path: Option<&str>) -> Result<()>;

    /// Write `bytes` to `<root>/<artifact_file>`, creating folders (for `log_text`, `log_dict`,
    /// `log_image`, `log_table`). Replaces an existing file atomically.
    fn write_file(&self, root: &str, artifact_file: &str, bytes: &[u8]) -> Result<()>;

    /// One level of the folder `path` (the root for `None`), sorted by path, with paths relative
    /// to the root. A missing path or a file gives an empty list, as in MLflow.
    fn list(&self, root: &str, path: Option<&str>) -> Result<Vec<FileInfo>>;

    /// Copy the file or folder at `path` (`""` for everything) into the existing folder
    /// `dst_dir`, keeping its relative path, and return the local path of the copy.
    fn download(&self, root: &str, path: &str, dst_dir: &Path) -> Result<PathBuf>;

    /// The bytes of the file at `path`.
    fn read_file(&self, root: &str, path: &str) -> Result<Vec<u8>>;

    /// The file at `path`, opened to be read as a stream (a download of any size). This
    /// default reads the whole file first; stores that can stream override it.
    fn open_file(&self, root: &str, path: &str) -> Result<ArtifactFile> {
        let bytes = self.read_file(root, path)?;
        Ok(ArtifactFile {
            size: Some(bytes.len() as u64),
            reader: Box::new(std::io::Cursor::new(bytes)),
        })
    }

    /// Delete the file or folder at `path`, or every artifact for `None`. Deleting what does
    /// not exist succeeds, as in MLflow.
    fn delete(&self, root: &str, path: Option<&str>) -> Result<()>;
}

/// The store for an artifact location: `file://` URIs and absolute paths get the
/// [`LocalArtifactStore`]; other schemes are refused until their stores exist.
pub fn open_artifact_store(uri: &str) -> Result<Arc<dyn ArtifactStore>> {
    match uri_scheme(uri) {
        // Object stores (s3, gs, ...) and mlflow-artifacts proxies slot in here.
        Some(scheme) if !scheme.eq_ignore_ascii_case("file") => Err(Error::invalid(format!(
            "artifact store scheme '{scheme}' is not supported yet (artifact location '{uri}')"
        ))),
        _ => {
            local::local_root_dir(uri)?;
            Ok(Arc::new(LocalArtifactStore::new()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_local_stores() {
        assert!(open_artifact_store("file:///tmp/artifacts").is_ok());
        #[cfg(unix)]
        assert!(open_artifact_store("/tmp/artifacts").is_ok());
    }

    #[test]
    fn refuses_other_schemes_and_relative_paths() {
        for (uri, scheme) in [
            ("s3://bucket/a", "s3"),
            ("gs://b/a", "gs"),
            ("mlflow-artifacts:/a", "mlflow-artifacts"),
        ] {
            match open_artifact_store(uri) {
                Err(Error::InvalidValue(message)) => {
                    assert!(
                        message.contains(&format!("artifact store scheme '{scheme}' is not supported yet")),
                        "{message}"
                    )
                }
                Err(other) => panic!("{uri}: {other:?}"),
                Ok(_) => panic!("{uri} opened"),
            }
        }
        for uri in ["artifacts", "./mlruns", "file://host/a"] {
            assert!(matches!(open_artifact_store(uri), Err(Error::InvalidValue(_))), "{uri}");
        }
    }
}
