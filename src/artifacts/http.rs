//! Artifacts behind a tracking server's proxied routes (`mlflow-artifacts:/<path>` URIs):
//! uploads are `PUT`s, listings and downloads `GET`s under
//! `/api/2.0/mlflow-artifacts/artifacts/`. Paths are checked here as for local artifacts,
//! and the server checks them again.

use std::fs;
use std::path::{Path, PathBuf};

use super::paths::ArtifactPath;
use super::{ArtifactStore, PROXY_SCHEME};
use crate::entities::FileInfo;
use crate::error::{Error, IoContext, Result};
use crate::store::rest::HttpClient;

const ROUTE: &str = "/api/2.0/mlflow-artifacts/artifacts";

pub struct HttpArtifactStore {
    client: HttpClient,
}

impl HttpArtifactStore {
    pub fn new(client: HttpClient) -> Self {
        HttpArtifactStore { client }
    }
}

/// The proxied path of `rel` under the artifact root `root` (`mlflow-artifacts:/0/<run>/artifacts`).
fn proxied(root: &str, rel: &ArtifactPath) -> Result<String> {
    let base = root
        .strip_prefix(PROXY_SCHEME)
        .ok_or_else(|| Error::invalid(format!("'{root}' is not an {PROXY_SCHEME} URI")))?
        .trim_matches('/');
    Ok(match (base.is_empty(), rel.is_root()) {
        (true, _) => rel.as_str().to_string(),
        (false, true) => base.to_string(),
        (false, false) => format!("{base}/{}", rel.as_str()),
    })
}

/// Percent-encode each segment of a `/`-separated path for a URL.
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(byte as char),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

fn file_name(path: &Path) -> Result<String> {
    path.file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| Error::invalid(format!("'{}' has no file name", path.display())))
}

impl HttpArtifactStore {
    fn put(&self, root: &str, rel: &ArtifactPath, bytes: &[u8]) -> Result<()> {
        self.client
            .put_bytes(&format!("{ROUTE}/{}", url_path(&proxied(root, rel)?)), bytes)
    }

    fn entries(&self, root: &str, rel: &ArtifactPath) -> Result<Vec<FileInfo>> {
        let reply = self.client.get_json(ROUTE, &[("path", proxied(root, rel)?)])?;
        let mut files = Vec::new();
        for item in reply["files"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let name = item["path"].as_str().unwrap_or("");
            // The server answers with base names; anything else is not trusted.
            let child = ArtifactPath::parse(name)?;
            if child.is_root() || name.contains('/') {
                return Err(Error::Internal(format!(
                    "the tracking server listed an unexpected artifact name '{name}'"
                )));
            }
            let path = if rel.is_root() {
                name.to_string()
            } else {
                format!("{}/{name}", rel.as_str())
            };
            files.push(FileInfo {
                path,
                is_dir: item["is_dir"].as_bool().unwrap_or(false),
                file_size: item["file_size"]
                    .as_u64()
                    .or_else(|| item["file_size"].as_str().and_then(|s| s.parse().ok())),
            });
        }
        files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(files)
    }

    fn download_into(&self, root: &str, rel: &ArtifactPath, is_dir: bool, destination: &Path) -> Result<()> {
        if is_dir {
            fs::create_dir_all(destination).context(|| format!("creating '{}'", destination.display()))?;
            for entry in self.entries(root, rel)? {
                let child = ArtifactPath::parse(&entry.path)?;
                let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
                self.download_into(root, &child, entry.is_dir, &destination.join(name))?;
            }
            return Ok(());
        }
        let bytes = self.read_file(root, rel.as_str())?;
        fs::write(destination, bytes).context(|| format!("writing '{}'", destination.display()))
    }
}

impl ArtifactStore for HttpArtifactStore {
    fn log_file(&self, root: &str, local_file: &Path, artifact_path: Option<&str>) -> Result<()> {
        let folder = ArtifactPath::parse(artifact_path.unwrap_or(""))?;
        let target = folder.join(&file_name(local_file)?)?;
        let bytes = fs::read(local_file).context(|| format!("reading '{}'", local_file.display()))?;
        self.put(root, &target, &bytes)
    }

    fn log_dir(&self, root: &str, local_dir: &Path, artifact_path: Option<&str>) -> Result<()> {
        let folder = ArtifactPath::parse(artifact_path.unwrap_or(""))?;
        let top = fs::canonicalize(local_dir).context(|| format!("resolving '{}'", local_dir.display()))?;
        let plan = super::confine::plan_tree(&top, &top, "the folder being logged")?;
        for entry in plan.iter().filter(|e| !e.is_dir) {
            let target = folder.join_path(&entry.rel)?;
            let bytes = fs::read(&entry.source).context(|| format!("reading '{}'", entry.source.display()))?;
            self.put(root, &target, &bytes)?;
        }
        Ok(())
    }

    fn write_file(&self, root: &str, artifact_file: &str, bytes: &[u8]) -> Result<()> {
        self.put(root, &ArtifactPath::parse_file(artifact_file)?, bytes)
    }

    fn list(&self, root: &str, path: Option<&str>) -> Result<Vec<FileInfo>> {
        self.entries(root, &ArtifactPath::parse(path.unwrap_or(""))?)
    }

    fn download(&self, root: &str, path: &str, dst_dir: &Path) -> Result<PathBuf> {
        let rel = ArtifactPath::parse(path)?;
        let destination = rel.to_path(dst_dir);
        if let Some(parent) = destination.parent() {
            fs::create_dir_all(parent).context(|| format!("creating '{}'", parent.display()))?;
        }
        // A folder lists its entries; a file (or nothing) lists none.
        let is_dir = rel.is_root() || !self.entries(root, &rel)?.is_empty();
        self.download_into(root, &rel, is_dir, &destination)?;
        Ok(destination)
    }

    fn read_file(&self, root: &str, path: &str) -> Result<Vec<u8>> {
        let rel = ArtifactPath::parse_file(path)?;
        self.client
            .get_bytes(&format!("{ROUTE}/{}", url_path(&proxied(root, &rel)?)))
    }

    fn delete(&self, root: &str, path: Option<&str>) -> Result<()> {
        let rel = ArtifactPath::parse(path.unwrap_or(""))?;
        self.client
            .delete(&format!("{ROUTE}/{}", url_path(&proxied(root, &rel)?)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxied_paths_join_the_root_and_encode_for_urls() {
        let rel = ArtifactPath::parse("plots/loss curve.png").unwrap();
        assert_eq!(
            proxied("mlflow-artifacts:/0/abc/artifacts", &rel).unwrap(),
            "0/abc/artifacts/plots/loss curve.png"
        );
        assert_eq!(url_path("0/abc/plots/loss curve.png"), "0/abc/plots/loss%20curve.png");
        assert!(proxied("file:///tmp", &rel).is_err());
    }
}
