//! File system steps that stay inside a folder even when symbolic links point elsewhere.
//!
//! [`ArtifactPath`] already rules out `..` and absolute paths; what remains is a folder (or the
//! file itself) inside the root being a symbolic link that resolves outside it. Every step here
//! resolves links with `canonicalize` and compares against the root's canonical path. Writes go
//! to a fresh temporary file (`create_new`, which never follows a link) renamed over the target,
//! so a write never goes through a link and readers never see half a file.
//!
//! Limit: a folder swapped for a link between the check and the write (a race with another
//! local process) is only caught by the re-check after creating folders; closing it fully
//! needs `openat`-style APIs.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::paths::ArtifactPath;
use crate::error::{Error, IoContext, Result};

/// Prefix of the temporary files writes go through; listings hide them.
pub(crate) const TEMP_PREFIX: &str = ".rtrack-tmp-";

/// A folder that confines paths, with its canonical form for containment checks.
/// The root itself may be a link (an artifact folder on another disk, say): it is trusted
/// configuration, not user input.
#[derive(Debug)]
pub(crate) struct Root {
    pub dir: PathBuf,
    pub canonical: PathBuf,
}

impl Root {
    /// The root if it exists; `None` if nothing was ever written there.
    pub fn open(dir: &Path) -> Result<Option<Root>> {
        match fs::metadata(dir) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io(format!("reading artifact root '{}'", dir.display()), e)),
            Ok(meta) if !meta.is_dir() => Err(Error::invalid(format!(
                "artifact root '{}' is not a folder",
                dir.display()
            ))),
            Ok(_) => {
                let canonical =
                    fs::canonicalize(dir).context(|| format!("resolving artifact root '{}'", dir.display()))?;
                Ok(Some(Root {
                    dir: dir.to_path_buf(),
                    canonical,
                }))
            }
        }
    }

    /// The root, created if missing.
    pub fn create(dir: &Path) -> Result<Root> {
        fs::create_dir_all(dir).context(|| format!("creating artifact root '{}'", dir.display()))?;
        Root::open(dir)?.ok_or_else(|| Error::Internal(format!("artifact root '{}' vanished", dir.display())))
    }

    fn contains(&self, canonical: &Path) -> bool {
        canonical.starts_with(&self.canonical)
    }
}

/// What sits at an artifact path, once nothing on the way to it leaves the root.
#[derive(Debug)]
pub(crate) enum Entry {
    Missing,
    /// A folder on the way is a regular file (`model.pkl/x`).
    UnderFile(ArtifactPath),
    /// A file, with the real path to read it from.
    File(PathBuf),
    Dir(PathBuf),
    /// The last component is a link, reported as such when not following it.
    Link(PathBuf),
    /// A device, socket or pipe: never read or written.
    Other,
}

/// Look at `rel` under `root`, refusing ([`Error::InvalidValue`]) when a link on the way
/// resolves outside the root or nowhere. The last component's link is followed (and checked)
/// only when `follow_last`; otherwise it comes back as [`Entry::Link`].
pub(crate) fn inspect(root: &Root, rel: &ArtifactPath, follow_last: bool) -> Result<Entry> {
    let mut entry = Entry::Dir(root.canonical.clone());
    let depth = rel.components().count();
    for (index, prefix) in rel.prefixes().enumerate() {
        if matches!(entry, Entry::File(_) | Entry::Other) {
            return Ok(Entry::UnderFile(prefix.parent()));
        }
        let is_last = index + 1 == depth;
        let on_disk = prefix.to_path(&root.dir);
        let meta = match fs::symlink_metadata(&on_disk) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Entry::Missing),
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => return Ok(Entry::UnderFile(prefix.parent())),
            Err(e) => return Err(Error::io(format!("reading artifact '{prefix}'"), e)),
            Ok(meta) => meta,
        };
        entry = if meta.file_type().is_symlink() {
            if is_last && !follow_last {
                return Ok(Entry::Link(on_disk));
            }
            let target = resolve_link(root, rel, &prefix, &on_disk)?;
            classify(
                &fs::metadata(&target).context(|| format!("reading artifact '{prefix}'"))?,
                target,
            )
        } else {
            classify(&meta, on_disk)
        };
    }
    Ok(entry)
}

fn classify(meta: &fs::Metadata, path: PathBuf) -> Entry {
    if meta.is_dir() {
        Entry::Dir(path)
    } else if meta.is_file() {
        Entry::File(path)
    } else {
        Entry::Other
    }
}

/// The canonical target of the link at `prefix`, refused if it is outside the root.
fn resolve_link(root: &Root, rel: &ArtifactPath, prefix: &ArtifactPath, on_disk: &Path) -> Result<PathBuf> {
    let target = fs::canonicalize(on_disk).map_err(|_| {
        Error::invalid(format!(
            "Invalid artifact path '{rel}': '{prefix}' is a symbolic link to a missing target"
        ))
    })?;
    if !root.contains(&target) {
        return Err(Error::invalid(format!(
            "Invalid artifact path '{rel}': '{prefix}' is a symbolic link that leads outside the run's artifact root"
        )));
    }
    Ok(target)
}

/// Check that `rel` can be written as a file: nothing on the way leaves the root, no folder on
/// the way is a file, and the target is not a link, folder or device. Writes nothing.
pub(crate) fn check_file_target(root: &Root, rel: &ArtifactPath) -> Result<()> {
    match inspect(root, rel, false)? {
        Entry::Missing | Entry::File(_) => Ok(()),
        Entry::Link(_) => Err(Error::invalid(format!(
            "Invalid artifact path '{rel}': it is a symbolic link, and rtrack does not write through links"
        ))),
        Entry::Dir(_) => Err(Error::invalid(format!("Invalid artifact path '{rel}': it is a folder"))),
        Entry::UnderFile(file) => Err(Error::invalid(format!(
            "Invalid artifact path '{rel}': '{file}' is a file, not a folder"
        ))),
        Entry::Other => Err(Error::invalid(format!(
            "Invalid artifact path '{rel}': it is not a regular file"
        ))),
    }
}

/// Check that `rel` can be a folder (existing or to be created). Writes nothing.
pub(crate) fn check_dir_target(root: &Root, rel: &ArtifactPath) -> Result<()> {
    match inspect(root, rel, true)? {
        Entry::Missing | Entry::Dir(_) => Ok(()),
        Entry::UnderFile(file) => Err(Error::invalid(format!(
            "Invalid artifact path '{rel}': '{file}' is a file, not a folder"
        ))),
        _ => Err(Error::invalid(format!(
            "Invalid artifact path '{rel}': it is a file, not a folder"
        ))),
    }
}

/// Create the folder `rel` (and its parents) and return its real path, re-checking after
/// creation that it landed inside the root.
pub(crate) fn ensure_dir(root: &Root, rel: &ArtifactPath) -> Result<PathBuf> {
    check_dir_target(root, rel)?;
    let dir = rel.to_path(&root.dir);
    fs::create_dir_all(&dir).context(|| format!("creating artifact folder '{rel}'"))?;
    let canonical = fs::canonicalize(&dir).context(|| format!("resolving artifact folder '{rel}'"))?;
    if !root.contains(&canonical) {
        return Err(Error::invalid(format!(
            "Invalid artifact path '{rel}': it leads outside the run's artifact root"
        )));
    }
    Ok(canonical)
}

/// Write the file `rel` under `root` with what `fill` puts into it, atomically: the bytes go
/// to a fresh temporary file in the same folder, renamed over the target at the end.
pub(crate) fn write_file_with(
    root: &Root,
    rel: &ArtifactPath,
    fill: impl FnOnce(&mut fs::File) -> io::Result<()>,
) -> Result<()> {
    check_file_target(root, rel)?;
    let dir = ensure_dir(root, &rel.parent())?;
    let name = rel
        .file_name()
        .ok_or_else(|| Error::invalid("an artifact file needs a file name"))?;
    // RTRACK_DURABILITY=full: the bytes, then the rename, reach the disk before we return.
    let synced = crate::store::sqlite::Durability::from_env()? == crate::store::sqlite::Durability::Full;
    let temp = dir.join(super::stale_temp::temp_name());
    let written = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temp)
        .and_then(|mut file| {
            fill(&mut file)?;
            if synced {
                file.sync_all()?;
            }
            Ok(())
        });
    if let Err(e) = written {
        let _ = fs::remove_file(&temp);
        return Err(Error::io(format!("writing artifact '{rel}'"), e));
    }
    // Re-check just before the rename: a link or folder may have appeared meanwhile.
    let target = dir.join(name);
    if let Ok(meta) = fs::symlink_metadata(&target) {
        if meta.file_type().is_symlink() || meta.is_dir() {
            let _ = fs::remove_file(&temp);
            return Err(Error::invalid(format!(
                "Invalid artifact path '{rel}': it became a symbolic link or folder while being written"
            )));
        }
    }
    fs::rename(&temp, &target).map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io(format!("writing artifact '{rel}'"), e)
    })?;
    if synced {
        fs::File::open(&dir)
            .and_then(|folder| folder.sync_all())
            .context(|| format!("syncing the folder of artifact '{rel}'"))?;
    }
    Ok(())
}

/// One entry of a folder tree to copy, relative to the tree's top.
#[derive(Debug)]
pub(crate) struct TreeEntry {
    pub rel: ArtifactPath,
    /// Where to read it (links already resolved).
    pub source: PathBuf,
    pub is_dir: bool,
}

/// Every folder and file under `top`, parents before children, names sorted, for copying.
/// Links are followed only while they stay inside `boundary` (canonical) and do not loop back
/// to a folder being walked; any other link, an unreadable name or a device makes the whole
/// plan fail with [`Error::InvalidValue`], so nothing is copied from a tree that would leak.
pub(crate) fn plan_tree(top: &Path, boundary: &Path, boundary_label: &str) -> Result<Vec<TreeEntry>> {
    let mut plan = Vec::new();
    let mut walking = vec![fs::canonicalize(top).context(|| format!("resolving '{}'", top.display()))?];
    walk(
        top,
        &ArtifactPath::root(),
        boundary,
        boundary_label,
        &mut walking,
        &mut plan,
    )?;
    Ok(plan)
}

fn walk(
    dir: &Path,
    rel: &ArtifactPath,
    boundary: &Path,
    boundary_label: &str,
    walking: &mut Vec<PathBuf>,
    plan: &mut Vec<TreeEntry>,
) -> Result<()> {
    let mut children = fs::read_dir(dir)
        .and_then(|entries| entries.collect::<io::Result<Vec<_>>>())
        .context(|| format!("listing '{}'", dir.display()))?;
    children.sort_by_key(|child| child.file_name());
    for child in children {
        let path = child.path();
        let name = child.file_name();
        let name = name
            .to_str()
            .ok_or_else(|| Error::invalid(format!("'{}' has a name that is not valid UTF-8", path.display())))?;
        if name.starts_with(TEMP_PREFIX) {
            continue; // an unfinished write of ours
        }
        let child_rel = rel.join(name)?;
        let file_type = child.file_type().context(|| format!("reading '{}'", path.display()))?;
        let (source, meta) = if file_type.is_symlink() {
            let target = fs::canonicalize(&path)
                .map_err(|_| Error::invalid(format!("'{}' is a symbolic link to a missing target", path.display())))?;
            if !target.starts_with(boundary) {
                return Err(Error::invalid(format!(
                    "'{}' is a symbolic link to '{}', outside {boundary_label}; \
                     rtrack does not follow links out of it (copy the target in instead)",
                    path.display(),
                    target.display()
                )));
            }
            let meta = fs::metadata(&target).context(|| format!("reading '{}'", target.display()))?;
            (target, meta)
        } else {
            let meta = fs::symlink_metadata(&path).context(|| format!("reading '{}'", path.display()))?;
            (path, meta)
        };
        if meta.is_dir() {
            let canonical = fs::canonicalize(&source).context(|| format!("resolving '{}'", source.display()))?;
            if walking.contains(&canonical) {
                return Err(Error::invalid(format!(
                    "'{}' links back to a folder that contains it",
                    child.path().display()
                )));
            }
            plan.push(TreeEntry {
                rel: child_rel.clone(),
                source: source.clone(),
                is_dir: true,
            });
            walking.push(canonical);
            walk(&source, &child_rel, boundary, boundary_label, walking, plan)?;
            walking.pop();
        } else if meta.is_file() {
            plan.push(TreeEntry {
                rel: child_rel,
                source,
                is_dir: false,
            });
        } else {
            return Err(Error::invalid(format!(
                "'{}' is neither a file nor a folder",
                child.path().display()
            )));
        }
    }
    Ok(())
}
