//! The local store against real temporary folders: MLflow's semantics, then every way a path
//! could leave the run's artifact root.

use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

use super::*;
use crate::artifacts::path_to_file_uri;

/// A temporary folder holding a run's artifact root (`<tmp>/artifacts`, not created yet), an
/// `outside` folder beside it and a `src` folder for local files.
pub(super) struct Fixture {
    pub(super) _tmp: TempDir,
    pub(super) root_dir: PathBuf,
    pub(super) root: String,
    pub(super) outside: PathBuf,
    pub(super) src: PathBuf,
}

pub(super) fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let root_dir = tmp.path().join("artifacts");
    let outside = tmp.path().join("outside");
    let src = tmp.path().join("src");
    fs::create_dir_all(&outside).unwrap();
    fs::create_dir_all(&src).unwrap();
    let root = path_to_file_uri(&root_dir);
    Fixture {
        _tmp: tmp,
        root_dir,
        root,
        outside,
        src,
    }
}

pub(super) fn store() -> LocalArtifactStore {
    LocalArtifactStore::new()
}

pub(super) fn invalid<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::InvalidValue(message)) => message,
        other => panic!("expected InvalidValue, got {other:?}"),
    }
}

fn not_found<T: std::fmt::Debug>(result: Result<T>) -> String {
    match result {
        Err(Error::NotFound(message)) => message,
        other => panic!("expected NotFound, got {other:?}"),
    }
}

/// Every path under `dir`, relative, sorted; the proof that nothing was written.
pub(super) fn tree(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries {
            let path = entry.unwrap().path();
            out.push(path.strip_prefix(base).unwrap().to_string_lossy().replace('\\', "/"));
            if path.is_dir() && !path.is_symlink() {
                walk(base, &path, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

pub(super) fn info(path: &str, size: Option<u64>) -> FileInfo {
    FileInfo {
        path: path.to_string(),
        is_dir: size.is_none(),
        file_size: size,
    }
}

// ---- MLflow semantics -------------------------------------------------------------------

#[test]
fn log_file_copies_under_the_artifact_path() {
    let f = fixture();
    let model = f.src.join("model.pkl");
    fs::write(&model, b"weights").unwrap();
    store().log_file(&f.root, &model, None).unwrap();
    store().log_file(&f.root, &model, Some("models/v1")).unwrap();
    assert_eq!(fs::read(f.root_dir.join("model.pkl")).unwrap(), b"weights");
    assert_eq!(fs::read(f.root_dir.join("models/v1/model.pkl")).unwrap(), b"weights");
    // Logging again replaces the file.
    fs::write(&model, b"new").unwrap();
    store().log_file(&f.root, &model, None).unwrap();
    assert_eq!(store().read_file(&f.root, "model.pkl").unwrap(), b"new");
}

#[test]
fn plain_absolute_roots_work_too() {
    let f = fixture();
    let root = f.root_dir.to_str().unwrap();
    store().write_file(root, "a.txt", b"x").unwrap();
    assert_eq!(store().list(root, None).unwrap(), [info("a.txt", Some(1))]);
}

#[test]
fn roots_with_spaces_and_unicode() {
    let f = fixture();
    let dir = f.outside.join("my runs/expé 1");
    let root = path_to_file_uri(&dir);
    store().write_file(&root, "a.txt", b"x").unwrap();
    assert_eq!(fs::read(dir.join("a.txt")).unwrap(), b"x");
}

#[test]
fn log_dir_copies_the_contents_not_the_folder() {
    let f = fixture();
    fs::create_dir_all(f.src.join("sub/deeper")).unwrap();
    fs::create_dir_all(f.src.join("empty")).unwrap();
    fs::write(f.src.join("a.txt"), b"a").unwrap();
    fs::write(f.src.join("sub/b.txt"), b"bb").unwrap();
    fs::write(f.src.join("sub/deeper/c.txt"), b"ccc").unwrap();
    store().log_dir(&f.root, &f.src, None).unwrap();
    store().log_dir(&f.root, &f.src, Some("copy")).unwrap();
    let expected = ["a.txt", "empty", "sub", "sub/b.txt", "sub/deeper", "sub/deeper/c.txt"];
    let mut with_copy: Vec<String> = expected.iter().map(|p| format!("copy/{p}")).collect();
    with_copy.push("copy".into());
    with_copy.extend(expected.iter().map(|p| p.to_string()));
    with_copy.sort();
    assert_eq!(tree(&f.root_dir), with_copy);
    assert_eq!(fs::read(f.root_dir.join("copy/sub/deeper/c.txt")).unwrap(), b"ccc");
}

#[test]
fn write_file_creates_folders() {
    let f = fixture();
    store().write_file(&f.root, "notes/deep/readme.txt", b"hello").unwrap();
    assert_eq!(fs::read(f.root_dir.join("notes/deep/readme.txt")).unwrap(), b"hello");
    store().write_file(&f.root, "./notes//x.txt", b"").unwrap();
    assert!(f.root_dir.join("notes/x.txt").is_file());
}

#[test]
fn list_gives_one_level_relative_to_the_root() {
    let f = fixture();
    assert_eq!(store().list(&f.root, None).unwrap(), []); // root not created yet
    store().write_file(&f.root, "model.pkl", b"12345").unwrap();
    store().write_file(&f.root, "notes/readme.txt", b"hi").unwrap();
    store().write_file(&f.root, "notes/sub/x.txt", b"x").unwrap();
    assert_eq!(
        store().list(&f.root, None).unwrap(),
        [info("model.pkl", Some(5)), info("notes", None)]
    );
    assert_eq!(
        store().list(&f.root, Some("")).unwrap(),
        store().list(&f.root, None).unwrap()
    );
    assert_eq!(
        store().list(&f.root, Some("notes")).unwrap(),
        [info("notes/readme.txt", Some(2)), info("notes/sub", None)]
    );
    assert_eq!(store().list(&f.root, Some("notes/")).unwrap().len(), 2);
    assert_eq!(store().list(&f.root, Some("missing")).unwrap(), []);
    assert_eq!(store().list(&f.root, Some("model.pkl")).unwrap(), []);
    assert_eq!(store().list(&f.root, Some("model.pkl/x")).unwrap(), []);
}

#[test]
fn download_keeps_relative_paths() {
    let f = fixture();
    store().write_file(&f.root, "notes/readme.txt", b"hi").unwrap();
    store().write_file(&f.root, "notes/sub/x.txt", b"x").unwrap();
    store().write_file(&f.root, "model.pkl", b"m").unwrap();
    let dst = tempfile::tempdir().unwrap();

    let file = store().download(&f.root, "notes/readme.txt", dst.path()).unwrap();
    assert_eq!(file, dst.path().join("notes/readme.txt"));
    assert_eq!(fs::read(&file).unwrap(), b"hi");

    let dst = tempfile::tempdir().unwrap();
    let folder = store().download(&f.root, "notes", dst.path()).unwrap();
    assert_eq!(folder, dst.path().join("notes"));
    assert_eq!(
        tree(dst.path()),
        ["notes", "notes/readme.txt", "notes/sub", "notes/sub/x.txt"]
    );

    let dst = tempfile::tempdir().unwrap();
    let all = store().download(&f.root, "", dst.path()).unwrap();
    assert_eq!(all, dst.path());
    assert_eq!(
        tree(dst.path()),
        ["model.pkl", "notes", "notes/readme.txt", "notes/sub", "notes/sub/x.txt"]
    );
}

#[test]
fn download_errors() {
    let f = fixture();
    let dst = tempfile::tempdir().unwrap();
    assert!(not_found(store().download(&f.root, "nothing.txt", dst.path())).contains("nothing.txt"));
    store().write_file(&f.root, "a.txt", b"a").unwrap();
    assert!(not_found(store().download(&f.root, "missing/b.txt", dst.path())).contains("missing/b.txt"));
    assert!(not_found(store().download(&f.root, "a.txt/b", dst.path())).contains("a.txt/b"));
    let gone = dst.path().join("gone");
    assert!(not_found(store().download(&f.root, "a.txt", &gone)).contains("gone"));
    invalid(store().download(&f.root, "a.txt", &f.root_dir.join("a.txt")));
}

#[test]
fn read_file_and_its_errors() {
    let f = fixture();
    not_found(store().read_file(&f.root, "a.txt"));
    store().write_file(&f.root, "dir/a.txt", b"abc").unwrap();
    assert_eq!(store().read_file(&f.root, "dir/a.txt").unwrap(), b"abc");
    assert!(not_found(store().read_file(&f.root, "dir/b.txt")).contains("dir/b.txt"));
    assert!(invalid(store().read_file(&f.root, "dir")).contains("folder"));
}

#[test]
fn delete_files_folders_and_everything() {
    let f = fixture();
    store().delete(&f.root, None).unwrap(); // nothing there yet
    store().write_file(&f.root, "a.txt", b"a").unwrap();
    store().write_file(&f.root, "dir/b.txt", b"b").unwrap();
    store().write_file(&f.root, "dir/c.txt", b"c").unwrap();
    store().delete(&f.root, Some("dir/b.txt")).unwrap();
    assert_eq!(tree(&f.root_dir), ["a.txt", "dir", "dir/c.txt"]);
    store().delete(&f.root, Some("dir")).unwrap();
    store().delete(&f.root, Some("missing")).unwrap();
    assert_eq!(tree(&f.root_dir), ["a.txt"]);
    invalid(store().delete(&f.root, Some("")));
    invalid(store().delete(&f.root, Some("../outside")));
    store().delete(&f.root, None).unwrap();
    assert!(!f.root_dir.exists());
}

#[test]
fn source_must_exist_and_have_the_right_kind() {
    let f = fixture();
    let missing = f.src.join("missing.txt");
    assert!(not_found(store().log_file(&f.root, &missing, None)).contains("missing.txt"));
    assert!(not_found(store().log_dir(&f.root, &f.src.join("nodir"), None)).contains("nodir"));
    assert!(invalid(store().log_file(&f.root, &f.src, None)).contains("log_artifacts"));
    fs::write(f.src.join("a.txt"), b"a").unwrap();
    assert!(invalid(store().log_dir(&f.root, &f.src.join("a.txt"), None)).contains("log_artifact "));
    assert!(!f.root_dir.exists());
}

#[test]
fn refuses_foreign_roots() {
    let f = fixture();
    fs::write(f.src.join("a.txt"), b"a").unwrap();
    invalid(store().write_file("s3://bucket/run", "a.txt", b"x"));
    invalid(store().write_file("relative/root", "a.txt", b"x"));
    invalid(store().list("file://otherhost/x", None));
}

// ---- paths that leave the root: refused, nothing written ---------------------------------

const ESCAPES: [&str; 10] = [
    "../evil.txt",
    "a/../../evil.txt",
    "a/../b.txt",
    "/tmp/evil.txt",
    "C:/evil.txt",
    "a/c:evil.txt",
    "..\\evil.txt",
    "a\\b.txt",
    "a\0b.txt",
    "a\nb.txt",
];

#[test]
fn escaping_artifact_files_write_nothing() {
    let f = fixture();
    for bad in ESCAPES {
        let message = invalid(store().write_file(&f.root, bad, b"x"));
        assert!(message.contains(&bad.escape_debug().to_string()), "{message}");
    }
    for bad in ["", "notes/", ".", "notes/."] {
        invalid(store().write_file(&f.root, bad, b"x"));
    }
    assert!(!f.root_dir.exists());
    assert_eq!(tree(&f.outside), Vec::<String>::new());
}

#[test]
fn escaping_artifact_paths_write_nothing() {
    let f = fixture();
    let file = f.src.join("a.txt");
    fs::write(&file, b"a").unwrap();
    for bad in ESCAPES {
        assert!(invalid(store().log_file(&f.root, &file, Some(bad))).contains("Invalid artifact path"));
        invalid(store().log_dir(&f.root, &f.src, Some(bad)));
    }
    assert!(!f.root_dir.exists());
    assert_eq!(tree(&f.outside), Vec::<String>::new());
}

#[test]
fn escaping_read_paths_are_refused() {
    let f = fixture();
    store().write_file(&f.root, "a.txt", b"a").unwrap();
    fs::write(f.outside.join("secret.txt"), b"secret").unwrap();
    let dst = tempfile::tempdir().unwrap();
    for bad in ["../outside/secret.txt", "/etc/passwd", "a\\..\\..\\x", "C:/x", "a\0"] {
        invalid(store().read_file(&f.root, bad));
        invalid(store().list(&f.root, Some(bad)));
        invalid(store().download(&f.root, bad, dst.path()));
        invalid(store().delete(&f.root, Some(bad)));
    }
    assert_eq!(tree(dst.path()), Vec::<String>::new());
    assert!(f.outside.join("secret.txt").exists());
}

#[test]
fn file_names_from_local_files_are_checked() {
    let f = fixture();
    #[cfg(unix)]
    {
        let odd = f.src.join("a\\b.txt"); // a legal Unix name that would mean a folder on Windows
        fs::write(&odd, b"x").unwrap();
        invalid(store().log_file(&f.root, &odd, None));
    }
    invalid(store().log_file(&f.root, Path::new("/"), None));
    assert!(!f.root_dir.exists());
}

#[test]
fn a_file_in_the_way_of_a_folder_is_refused() {
    let f = fixture();
    store().write_file(&f.root, "model.pkl", b"m").unwrap();
    assert!(invalid(store().write_file(&f.root, "model.pkl/x.txt", b"x")).contains("'model.pkl' is a file"));
    store().write_file(&f.root, "dir/a.txt", b"a").unwrap();
    assert!(invalid(store().write_file(&f.root, "dir", b"x")).contains("folder"));
    assert_eq!(tree(&f.root_dir), ["dir", "dir/a.txt", "model.pkl"]);
}
