//! Artifact paths given by users, checked once so they can never name a place outside a run's
//! artifact root. Every artifact path that reaches the file system goes through
//! [`ArtifactPath::parse`] or [`ArtifactPath::parse_file`]; these are the only place the
//! textual rules live (symbolic links are the file system's business, see `confine`).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A normalized path inside a run's artifact root, with `/` separators (`notes/readme.txt`).
/// The empty path is the root itself.
///
/// Rules (each violation is [`Error::InvalidValue`] naming the path):
/// no `..` component anywhere (even where it would stay inside), no absolute paths,
/// no backslashes or Windows drive prefixes (`C:`) in any component, no NUL bytes or other
/// control characters. Empty and `.` components are dropped (`a//./b` is `a/b`), as MLflow's
/// `normpath` does.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ArtifactPath(String);

impl ArtifactPath {
    /// The artifact root itself.
    pub fn root() -> Self {
        ArtifactPath(String::new())
    }

    /// Parse a path that may name a folder, a file, or the root (`""`).
    pub fn parse(path: &str) -> Result<Self> {
        check_whole(path)?;
        let mut normalized = String::with_capacity(path.len());
        for component in path.split('/') {
            if component.is_empty() || component == "." {
                continue;
            }
            check_component(path, component)?;
            if !normalized.is_empty() {
                normalized.push('/');
            }
            normalized.push_str(component);
        }
        Ok(ArtifactPath(normalized))
    }

    /// Parse a path that must name a file: not the root, and not ending in `/` or `.`.
    pub fn parse_file(path: &str) -> Result<Self> {
        let last = path.rsplit('/').next().unwrap_or("");
        if last.is_empty() || last == "." {
            return Err(Error::invalid(format!(
                "Invalid artifact file '{path}': it must end with a file name"
            )));
        }
        Self::parse(path)
    }

    /// `rel`'s components appended one by one, each checked as [`join`](Self::join) checks it.
    pub fn join_path(&self, rel: &ArtifactPath) -> Result<Self> {
        rel.components().try_fold(self.clone(), |path, name| path.join(name))
    }

    /// This path with one more component, itself checked (a file name from a local folder,
    /// say). Unlike [`parse`](Self::parse), `name` must be exactly one non-empty component.
    pub fn join(&self, name: &str) -> Result<Self> {
        let shown = if self.is_root() {
            name.to_string()
        } else {
            format!("{}/{name}", self.0)
        };
        check_whole(&shown)?;
        if name.is_empty() || name == "." || name.contains('/') {
            return Err(Error::invalid(format!(
                "Invalid artifact path '{shown}': '{name}' is not a file name"
            )));
        }
        check_component(&shown, name)?;
        Ok(ArtifactPath(shown))
    }

    /// The normalized text, `""` for the root.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The components, outermost first; none for the root.
    pub fn components(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|c| !c.is_empty())
    }

    /// The last component, `None` for the root.
    pub fn file_name(&self) -> Option<&str> {
        self.components().last()
    }

    /// The folder holding this path (the root for a top-level name or the root itself).
    pub fn parent(&self) -> ArtifactPath {
        match self.0.rfind('/') {
            Some(slash) => ArtifactPath(self.0[..slash].to_string()),
            None => ArtifactPath::root(),
        }
    }

    /// The prefixes of this path, shortest first: `a`, `a/b`, `a/b/c`.
    pub fn prefixes(&self) -> impl Iterator<Item = ArtifactPath> + '_ {
        self.0
            .match_indices('/')
            .map(|(at, _)| at)
            .chain((!self.is_root()).then_some(self.0.len()))
            .map(|end| ArtifactPath(self.0[..end].to_string()))
    }

    /// The path on disk under `base`. Safe to build by pushing components because each one was
    /// checked to be a plain name (no separators, prefixes or parent steps).
    pub fn to_path(&self, base: &Path) -> PathBuf {
        let mut path = base.to_path_buf();
        for component in self.components() {
            path.push(component);
        }
        path
    }
}

impl fmt::Display for ArtifactPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Rules about the path as a whole.
fn check_whole(path: &str) -> Result<()> {
    let reject = |why: &str| {
        Err(Error::invalid(format!(
            "Invalid artifact path '{}': {why}",
            path.escape_debug()
        )))
    };
    if path.contains('\0') {
        return reject("it contains a NUL byte");
    }
    if path.chars().any(|c| c.is_ascii_control()) {
        return reject("it contains a control character");
    }
    if path.contains('\\') {
        return reject("backslashes are not allowed, use '/' to separate folders");
    }
    if path.starts_with('/') {
        return reject("absolute paths are not allowed, give a path relative to the run's artifacts");
    }
    Ok(())
}

/// Rules about one component; `path` is the whole path, for the message.
fn check_component(path: &str, component: &str) -> Result<()> {
    if component == ".." {
        return Err(Error::invalid(format!(
            "Invalid artifact path '{path}': '..' is not allowed, artifact paths may not climb out of a folder"
        )));
    }
    // On Windows a component like `C:` or `C:x` replaces everything pushed before it.
    let bytes = component.as_bytes();
    if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
        return Err(Error::invalid(format!(
            "Invalid artifact path '{path}': '{component}' looks like a Windows drive"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid(result: Result<ArtifactPath>) -> String {
        match result {
            Err(Error::InvalidValue(message)) => message,
            other => panic!("expected InvalidValue, got {other:?}"),
        }
    }

    #[test]
    fn normalizes_plain_paths() {
        assert_eq!(ArtifactPath::parse("").unwrap(), ArtifactPath::root());
        assert_eq!(ArtifactPath::parse(".").unwrap().as_str(), "");
        assert_eq!(ArtifactPath::parse("a//./b/").unwrap().as_str(), "a/b");
        assert_eq!(
            ArtifactPath::parse("notes/readme.txt").unwrap().as_str(),
            "notes/readme.txt"
        );
        assert_eq!(ArtifactPath::parse("dé jà/ü.txt").unwrap().as_str(), "dé jà/ü.txt");
        assert_eq!(ArtifactPath::parse("...").unwrap().as_str(), "...");
        assert_eq!(ArtifactPath::parse("time 12:30").unwrap().as_str(), "time 12:30");
    }

    #[test]
    fn refuses_parent_steps_anywhere() {
        for bad in ["..", "../x", "a/../b", "a/..", "a/b/../../..", "./.."] {
            let message = invalid(ArtifactPath::parse(bad));
            assert!(message.contains(bad) && message.contains(".."), "{message}");
        }
    }

    #[test]
    fn refuses_absolute_and_windows_paths() {
        for bad in [
            "/etc/passwd",
            "//server/share",
            "C:/x",
            "c:x",
            "a/C:/b",
            "a\\..\\b",
            "..\\x",
            "\\x",
        ] {
            invalid(ArtifactPath::parse(bad));
        }
    }

    #[test]
    fn refuses_nul_and_control_characters() {
        assert!(invalid(ArtifactPath::parse("a\0b")).contains("NUL"));
        invalid(ArtifactPath::parse("a\nb"));
        invalid(ArtifactPath::parse("a\rb"));
    }

    #[test]
    fn file_paths_need_a_file_name() {
        for bad in ["", "notes/", "notes/.", ".", "/"] {
            invalid(ArtifactPath::parse_file(bad));
        }
        assert_eq!(
            ArtifactPath::parse_file("./notes//a.txt").unwrap().as_str(),
            "notes/a.txt"
        );
    }

    #[test]
    fn join_takes_exactly_one_name() {
        let base = ArtifactPath::parse("notes").unwrap();
        assert_eq!(base.join("a.txt").unwrap().as_str(), "notes/a.txt");
        assert_eq!(ArtifactPath::root().join("a.txt").unwrap().as_str(), "a.txt");
        for bad in ["", ".", "..", "a/b", "a\\b", "C:", "x\0"] {
            invalid(base.join(bad));
        }
    }

    #[test]
    fn parts_and_disk_paths() {
        let path = ArtifactPath::parse("a/b/c.txt").unwrap();
        assert_eq!(path.file_name(), Some("c.txt"));
        assert_eq!(path.parent().as_str(), "a/b");
        assert_eq!(path.parent().parent().parent(), ArtifactPath::root());
        let prefixes: Vec<String> = path.prefixes().map(|p| p.to_string()).collect();
        assert_eq!(prefixes, ["a", "a/b", "a/b/c.txt"]);
        assert_eq!(ArtifactPath::root().prefixes().count(), 0);
        assert_eq!(path.to_path(Path::new("/base")), Path::new("/base/a/b/c.txt"));
        assert_eq!(ArtifactPath::root().to_path(Path::new("/base")), Path::new("/base"));
    }
}
