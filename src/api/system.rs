//! Facts about where a run comes from: the user, the source, the git commit.

use std::path::{Path, PathBuf};

/// Where the code that starts a run lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    /// A script path or notebook name (`mlflow.source.name`).
    pub name: String,
    /// `LOCAL`, `NOTEBOOK`, `JOB` ... (`mlflow.source.type`).
    pub kind: String,
}

impl Source {
    /// The running program itself, for Rust binaries.
    pub fn current_process() -> Source {
        Source {
            name: std::env::args().next().unwrap_or_default(),
            kind: "LOCAL".into(),
        }
    }
}

static USER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Name the user once for the process (the Python package asks the OS via `getpass`).
pub fn set_current_user(name: String) {
    if !name.is_empty() {
        let _ = USER.set(name);
    }
}

/// The login name of whoever runs the process.
pub fn current_user() -> String {
    if let Some(user) = USER.get() {
        return user.clone();
    }
    ["RTRACK_USER", "USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "unknown".into())
}

/// The commit checked out in the git repository holding `start` (a file or folder), if any.
/// Reads `.git` directly so no git program is needed.
pub fn git_commit(start: &Path) -> Option<String> {
    // Runs of one process mostly share a source; look each folder up once.
    static SEEN: std::sync::OnceLock<std::sync::Mutex<std::collections::HashMap<PathBuf, Option<String>>>> =
        std::sync::OnceLock::new();
    let seen = SEEN.get_or_init(Default::default);
    if let Some(found) = seen.lock().ok()?.get(start) {
        return found.clone();
    }
    let found = read_git_commit(start);
    seen.lock().ok()?.insert(start.to_path_buf(), found.clone());
    found
}

fn read_git_commit(start: &Path) -> Option<String> {
    let start = if start.is_file() { start.parent()? } else { start };
    let start = std::fs::canonicalize(start).ok()?;
    let git_dir = start.ancestors().find_map(find_git_dir)?;
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let Some(reference) = head.strip_prefix("ref: ") else {
        return is_commit_hash(head).then(|| head.to_string());
    };
    // Worktrees keep refs in the common dir.
    let common = std::fs::read_to_string(git_dir.join("commondir"))
        .map(|c| git_dir.join(c.trim()))
        .unwrap_or_else(|_| git_dir.clone());
    for dir in [&git_dir, &common] {
        if let Ok(hash) = std::fs::read_to_string(dir.join(reference)) {
            let hash = hash.trim();
            if is_commit_hash(hash) {
                return Some(hash.to_string());
            }
        }
    }
    let packed = std::fs::read_to_string(common.join("packed-refs")).ok()?;
    packed.lines().find_map(|line| {
        let (hash, name) = line.split_once(' ')?;
        (name == reference && is_commit_hash(hash)).then(|| hash.to_string())
    })
}

fn find_git_dir(folder: &Path) -> Option<PathBuf> {
    let dot_git = folder.join(".git");
    if dot_git.is_dir() {
        return Some(dot_git);
    }
    // A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
    let pointer = std::fs::read_to_string(&dot_git).ok()?;
    let target = pointer.trim().strip_prefix("gitdir: ")?;
    Some(folder.join(target))
}

fn is_commit_hash(text: &str) -> bool {
    (text.len() == 40 || text.len() == 64) && text.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_commit_of_a_branch_and_of_a_detached_head() {
        let repo = tempfile::tempdir().unwrap();
        let git = repo.path().join(".git");
        std::fs::create_dir_all(git.join("refs/heads")).unwrap();
        std::fs::write(git.join("HEAD"), "ref: refs/heads/main\n").unwrap();
        let hash = "0123456789abcdef0123456789abcdef01234567";
        std::fs::write(git.join("refs/heads/main"), format!("{hash}\n")).unwrap();
        let nested = repo.path().join("src/deep");
        std::fs::create_dir_all(&nested).unwrap();
        assert_eq!(read_git_commit(&nested).as_deref(), Some(hash));

        std::fs::remove_file(git.join("refs/heads/main")).unwrap();
        std::fs::write(
            git.join("packed-refs"),
            format!("# pack-refs\n{hash} refs/heads/main\n"),
        )
        .unwrap();
        assert_eq!(read_git_commit(&nested).as_deref(), Some(hash));

        let detached = "fedcba9876543210fedcba9876543210fedcba98";
        std::fs::write(git.join("HEAD"), detached).unwrap();
        assert_eq!(read_git_commit(repo.path()).as_deref(), Some(detached));
    }

    #[test]
    fn no_repository_means_no_commit() {
        let folder = tempfile::tempdir().unwrap();
        // /tmp is not inside a repository on any sane machine; be robust if it is.
        if folder.path().ancestors().all(|a| !a.join(".git").exists()) {
            assert_eq!(git_commit(folder.path()), None);
        }
    }
}
