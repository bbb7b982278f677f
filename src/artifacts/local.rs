//! Artifacts as files in a local folder, MLflow's `LocalArtifactRepository` semantics with the
//! path checks of [`ArtifactPath`] and the link checks of `confine` on every call.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::confine::{self, Entry, Root, TEMP_PREFIX};
use super::paths::ArtifactPath;
use super::uri::{file_uri_to_path, uri_scheme};
use super::ArtifactStore;
use crate::entities::FileInfo;
use crate::error::{Error, IoContext, Result};

/// The artifact store for `file://` roots and absolute paths. Holds no state: each call names
/// the run's artifact root, so one store serves every run.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalArtifactStore;

impl LocalArtifactStore {
    pub fn new() -> Self {
        LocalArtifactStore
    }
}

/// The folder a root URI names; relative paths are refused because their meaning would change
/// with the process's current folder (notebooks change it freely).
pub(crate) fn local_root_dir(root: &str) -> Result<PathBuf> {
    if let Some(scheme) = uri_scheme(root) {
        if !scheme.eq_ignore_ascii_case("file") {
            return Err(Error::invalid(format!(
                "the local artifact store cannot use the artifact root '{root}' (scheme '{scheme}')"
            )));
        }
    }
    let dir = file_uri_to_path(root)?;
    if !dir.is_absolute() {
        return Err(Error::invalid(format!(
            "artifact root '{root}' is a relative path; give an absolute path or a file:// URI"
        )));
    }
    Ok(dir)
}

fn parse_optional(path: Option<&str>) -> Result<ArtifactPath> {
    ArtifactPath::parse(path.unwrap_or(""))
}

/// Metadata of a local source the caller named, following links (the caller chose it).
fn source_metadata(path: &Path, what: &str) -> Result<fs::Metadata> {
    fs::metadata(path).map_err(|e| match e.kind() {
        io::ErrorKind::NotFound => Error::not_found(format!("{what} '{}' does not exist", path.display())),
        _ => Error::io(format!("reading {what} '{}'", path.display()), e),
    })
}

fn copy_into(source: &Path, file: &mut fs::File) -> io::Result<()> {
    let mut reader = fs::File::open(source)?;
    io::copy(&mut reader, file).map(|_| ())
}

impl ArtifactStore for LocalArtifactStore {
    fn log_file(&self, root: &str, local_file: &Path, artifact_path: Option<&str>) -> Result<()> {
        let folder = parse_optional(artifact_path)?;
        let meta = source_metadata(local_file, "local file")?;
        if meta.is_dir() {
            return Err(Error::invalid(format!(
                "'{}' is a folder; use log_artifacts to log a folder's contents",
                local_file.display()
            )));
        }
        let name = local_file
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| Error::invalid(format!("'{}' has no file name in UTF-8", local_file.display())))?;
        let rel = folder.join(name)?;
        let root = Root::create(&local_root_dir(root)?)?;
        confine::write_file_with(&root, &rel, |file| copy_into(local_file, file))
    }

    fn log_dir(&self, root: &str, local_dir: &Path, artifact_path: Option<&str>) -> Result<()> {
        let folder = parse_optional(artifact_path)?;
        let meta = source_metadata(local_dir, "local folder")?;
        if !meta.is_dir() {
            return Err(Error::invalid(format!(
                "'{}' is not a folder; use log_artifact to log a single file",
                local_dir.display()
            )));
        }
        let boundary = fs::canonicalize(local_dir).context(|| format!("resolving '{}'", local_dir.display()))?;
        let plan = confine::plan_tree(local_dir, &boundary, "the folder being logged")?;
        let root_dir = local_root_dir(root)?;
        // Check every destination before writing any, so a refused tree leaves no half copy.
        let targets = plan
            .iter()
            .map(|entry| Ok((folder.join_path(&entry.rel)?, entry)))
            .collect::<Result<Vec<_>>>()?;
        if let Some(existing) = Root::open(&root_dir)? {
            confine::check_dir_target(&existing, &folder)?;
            for (rel, entry) in &targets {
                if entry.is_dir {
                    confine::check_dir_target(&existing, rel)?;
                } else {
                    confine::check_file_target(&existing, rel)?;
                }
            }
        }
        let root = Root::create(&root_dir)?;
        confine::ensure_dir(&root, &folder)?;
        for (rel, entry) in &targets {
            if entry.is_dir {
                confine::ensure_dir(&root, rel)?;
            } else {
                confine::write_file_with(&root, rel, |file| copy_into(&entry.source, file))?;
            }
        }
        Ok(())
    }

    fn write_file(&self, root: &str, artifact_file: &str, bytes: &[u8]) -> Result<()> {
        let rel = ArtifactPath::parse_file(artifact_file)?;
        let root = Root::create(&local_root_dir(root)?)?;
        confine::write_file_with(&root, &rel, |file| io::Write::write_all(file, bytes))
    }

    fn list(&self, root: &str, path: Option<&str>) -> Result<Vec<FileInfo>> {
        let rel = parse_optional(path)?;
        let Some(root) = Root::open(&local_root_dir(root)?)? else {
            return Ok(Vec::new());
        };
        let Entry::Dir(dir) = confine::inspect(&root, &rel, true)? else {
            return Ok(Vec::new()); // missing or a file: MLflow lists nothing
        };
        let mut infos = Vec::new();
        for child in fs::read_dir(&dir).context(|| format!("listing artifacts under '{rel}'"))? {
            let child = child.context(|| format!("listing artifacts under '{rel}'"))?;
            let name = child.file_name().to_string_lossy().into_owned();
            if name.starts_with(TEMP_PREFIX) {
                continue;
            }
            let Some(meta) = listed_metadata(&root, &child.path())? else {
                continue;
            };
            let path = if rel.is_root() { name } else { format!("{rel}/{name}") };
            if meta.is_dir() {
                infos.push(FileInfo {
                    path,
                    is_dir: true,
                    file_size: None,
                });
            } else if meta.is_file() {
                infos.push(FileInfo {
                    path,
                    is_dir: false,
                    file_size: Some(meta.len()),
                });
            }
        }
        infos.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(infos)
    }

    fn download(&self, root: &str, path: &str, dst_dir: &Path) -> Result<PathBuf> {
        let rel = ArtifactPath::parse(path)?;
        let dst_meta = source_metadata(dst_dir, "download destination")?;
        if !dst_meta.is_dir() {
            return Err(Error::invalid(format!(
                "download destination '{}' is not a folder",
                dst_dir.display()
            )));
        }
        let destination = rel.to_path(dst_dir);
        let not_found = || Error::not_found(format!("artifact '{path}' does not exist"));
        let Some(root) = Root::open(&local_root_dir(root)?)? else {
            return if rel.is_root() {
                Ok(destination)
            } else {
                Err(not_found())
            };
        };
        match confine::inspect(&root, &rel, true)? {
            Entry::File(source) => {
                create_parent(&destination)?;
                fs::copy(&source, &destination)
                    .context(|| format!("downloading artifact '{rel}' to '{}'", destination.display()))?;
            }
            Entry::Dir(source) => {
                let plan = confine::plan_tree(&source, &root.canonical, "the run's artifact root")?;
                fs::create_dir_all(&destination).context(|| format!("creating '{}'", destination.display()))?;
                for entry in plan {
                    let target = entry.rel.to_path(&destination);
                    if entry.is_dir {
                        fs::create_dir_all(&target).context(|| format!("creating '{}'", target.display()))?;
                    } else {
                        fs::copy(&entry.source, &target)
                            .context(|| format!("downloading artifact to '{}'", target.display()))?;
                    }
                }
            }
            Entry::Missing | Entry::UnderFile(_) => return Err(not_found()),
            Entry::Link(_) | Entry::Other => {
                return Err(Error::invalid(format!(
                    "artifact '{rel}' is neither a file nor a folder"
                )))
            }
        }
        Ok(destination)
    }

    fn read_file(&self, root: &str, path: &str) -> Result<Vec<u8>> {
        let (rel, source) = regular_file(root, path)?;
        fs::read(&source).context(|| format!("reading artifact '{rel}'"))
    }

    fn open_file(&self, root: &str, path: &str) -> Result<super::ArtifactFile> {
        let (rel, source) = regular_file(root, path)?;
        let file = fs::File::open(&source).context(|| format!("reading artifact '{rel}'"))?;
        let size = file.metadata().ok().map(|m| m.len());
        Ok(super::ArtifactFile {
            size,
            reader: Box::new(file),
        })
    }

    fn delete(&self, root: &str, path: Option<&str>) -> Result<()> {
        let rel = match path {
            None => ArtifactPath::root(),
            Some(given) => {
                let rel = ArtifactPath::parse(given)?;
                if rel.is_root() {
                    return Err(Error::invalid(format!(
                        "Invalid artifact path '{given}': name what to delete, or pass no path to delete every artifact"
                    )));
                }
                rel
            }
        };
        let Some(root) = Root::open(&local_root_dir(root)?)? else {
            return Ok(());
        };
        if rel.is_root() {
            // remove_dir_all removes links inside without following them.
            return fs::remove_dir_all(&root.dir).context(|| "deleting the run's artifacts".to_string());
        }
        let context = || format!("deleting artifact '{rel}'");
        match confine::inspect(&root, &rel, false)? {
            Entry::Missing | Entry::UnderFile(_) => Ok(()),
            // A link is removed itself, never what it points to.
            Entry::Link(link) => fs::remove_file(&link)
                .or_else(|_| fs::remove_dir(&link))
                .context(context),
            Entry::File(file) => fs::remove_file(file).context(context),
            Entry::Dir(dir) => fs::remove_dir_all(dir).context(context),
            Entry::Other => fs::remove_file(rel.to_path(&root.dir)).context(context),
        }
    }
}

/// `folder` followed by every component of `rel`.
fn create_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(parent) => fs::create_dir_all(parent).context(|| format!("creating '{}'", parent.display())),
        None => Ok(()),
    }
}

/// Metadata for a listing entry; links are followed only when they stay inside the root, and
/// others are left out, since what lies outside the root is not an artifact.
fn listed_metadata(root: &Root, path: &Path) -> Result<Option<fs::Metadata>> {
    let meta = fs::symlink_metadata(path).context(|| format!("reading '{}'", path.display()))?;
    if !meta.file_type().is_symlink() {
        return Ok(Some(meta));
    }
    match fs::canonicalize(path) {
        Ok(target) if target.starts_with(&root.canonical) => Ok(Some(
            fs::metadata(&target).context(|| format!("reading '{}'", target.display()))?,
        )),
        _ => Ok(None),
    }
}

#[cfg(all(test, unix))]
mod link_tests;
#[cfg(test)]
mod tests;

/// The artifact `path` under `root`, if it is a regular file inside the root.
fn regular_file(root: &str, path: &str) -> Result<(ArtifactPath, PathBuf)> {
    let rel = ArtifactPath::parse_file(path)?;
    let not_found = || Error::not_found(format!("artifact '{path}' does not exist"));
    let root = Root::open(&local_root_dir(root)?)?.ok_or_else(not_found)?;
    match confine::inspect(&root, &rel, true)? {
        Entry::File(source) => Ok((rel, source)),
        Entry::Dir(_) => Err(Error::invalid(format!("artifact '{rel}' is a folder, not a file"))),
        Entry::Missing | Entry::UnderFile(_) => Err(not_found()),
        Entry::Link(_) | Entry::Other => Err(Error::invalid(format!("artifact '{rel}' is not a regular file"))),
    }
}
