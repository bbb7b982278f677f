//! The local store where symbolic links lead out of, or around inside, the artifact root and
//! the folders being logged.

use std::fs;
use std::os::unix::fs::symlink;

use super::tests::{fixture, info, invalid, store, tree};
use super::TEMP_PREFIX;
use crate::artifacts::{path_to_file_uri, ArtifactStore};

#[test]
fn a_linked_folder_leading_out_is_refused_for_writes() {
    let f = fixture();
    fs::create_dir_all(&f.root_dir).unwrap();
    symlink(&f.outside, f.root_dir.join("escape")).unwrap();
    let file = f.src.join("a.txt");
    fs::write(&file, b"a").unwrap();
    fs::write(f.src.join("b.txt"), b"b").unwrap();

    let message = invalid(store().write_file(&f.root, "escape/evil.txt", b"x"));
    assert!(
        message.contains("escape/evil.txt") && message.contains("outside"),
        "{message}"
    );
    invalid(store().write_file(&f.root, "escape/new/deeper/evil.txt", b"x"));
    invalid(store().log_file(&f.root, &file, Some("escape")));
    invalid(store().log_file(&f.root, &file, Some("escape/sub")));
    invalid(store().log_dir(&f.root, &f.src, Some("escape")));
    assert_eq!(tree(&f.outside), Vec::<String>::new());
}

#[test]
fn a_linked_folder_leading_out_is_refused_for_reads() {
    let f = fixture();
    fs::create_dir_all(&f.root_dir).unwrap();
    fs::write(f.outside.join("secret.txt"), b"secret").unwrap();
    symlink(&f.outside, f.root_dir.join("escape")).unwrap();
    symlink(f.outside.join("secret.txt"), f.root_dir.join("secret.txt")).unwrap();
    let dst = tempfile::tempdir().unwrap();

    invalid(store().read_file(&f.root, "escape/secret.txt"));
    invalid(store().read_file(&f.root, "secret.txt"));
    invalid(store().list(&f.root, Some("escape")));
    invalid(store().download(&f.root, "escape/secret.txt", dst.path()));
    invalid(store().download(&f.root, "secret.txt", dst.path()));
    // Downloading everything would follow the links: refused, nothing copied.
    invalid(store().download(&f.root, "", dst.path()));
    assert_eq!(tree(dst.path()), Vec::<String>::new());
    // Listings leave the links out rather than describe what lies outside.
    assert_eq!(store().list(&f.root, None).unwrap(), []);
}

#[test]
fn writing_through_a_linked_file_is_refused_even_inside() {
    let f = fixture();
    store().write_file(&f.root, "real.txt", b"real").unwrap();
    symlink(f.root_dir.join("real.txt"), f.root_dir.join("inside-link.txt")).unwrap();
    symlink(f.outside.join("target.txt"), f.root_dir.join("dangling.txt")).unwrap();
    fs::write(f.outside.join("existing.txt"), b"keep").unwrap();
    symlink(f.outside.join("existing.txt"), f.root_dir.join("out.txt")).unwrap();

    for link in ["inside-link.txt", "dangling.txt", "out.txt"] {
        assert!(
            invalid(store().write_file(&f.root, link, b"x")).contains("symbolic link"),
            "{link}"
        );
    }
    assert_eq!(fs::read(f.root_dir.join("real.txt")).unwrap(), b"real");
    assert_eq!(fs::read(f.outside.join("existing.txt")).unwrap(), b"keep");
    assert!(!f.outside.join("target.txt").exists());
    // Reading through a link that stays inside is fine.
    assert_eq!(store().read_file(&f.root, "inside-link.txt").unwrap(), b"real");
}

#[test]
fn links_that_stay_inside_the_root_are_followed() {
    let f = fixture();
    store().write_file(&f.root, "real/a.txt", b"a").unwrap();
    symlink(f.root_dir.join("real"), f.root_dir.join("alias")).unwrap();
    store().write_file(&f.root, "alias/b.txt", b"b").unwrap();
    assert_eq!(fs::read(f.root_dir.join("real/b.txt")).unwrap(), b"b");
    assert_eq!(
        store().list(&f.root, None).unwrap(),
        [info("alias", None), info("real", None)]
    );
    assert_eq!(
        store().list(&f.root, Some("alias")).unwrap(),
        [info("alias/a.txt", Some(1)), info("alias/b.txt", Some(1))]
    );
}

#[test]
fn a_linked_root_is_trusted() {
    let f = fixture();
    let real = f.outside.join("real-root");
    fs::create_dir_all(&real).unwrap();
    symlink(&real, &f.root_dir).unwrap();
    store().write_file(&f.root, "a.txt", b"a").unwrap();
    assert_eq!(fs::read(real.join("a.txt")).unwrap(), b"a");
    assert_eq!(store().list(&f.root, None).unwrap(), [info("a.txt", Some(1))]);
}

#[test]
fn dangling_linked_folder_is_refused() {
    let f = fixture();
    fs::create_dir_all(&f.root_dir).unwrap();
    symlink(f.outside.join("nowhere"), f.root_dir.join("dangling")).unwrap();
    assert!(invalid(store().write_file(&f.root, "dangling/a.txt", b"x")).contains("missing target"));
    assert!(!f.outside.join("nowhere").exists());
}

#[test]
fn log_dir_refuses_links_out_of_the_source_and_copies_nothing() {
    let f = fixture();
    fs::write(f.outside.join("secret.txt"), b"secret").unwrap();
    fs::write(f.src.join("a.txt"), b"a").unwrap();
    fs::create_dir_all(f.src.join("sub")).unwrap();
    symlink(f.outside.join("secret.txt"), f.src.join("sub/leak.txt")).unwrap();
    let message = invalid(store().log_dir(&f.root, &f.src, None));
    assert!(
        message.contains("leak.txt") && message.contains("outside the folder being logged"),
        "{message}"
    );
    assert_eq!(tree(&f.root_dir), Vec::<String>::new());

    fs::remove_file(f.src.join("sub/leak.txt")).unwrap();
    symlink(&f.outside, f.src.join("sub/leakdir")).unwrap();
    invalid(store().log_dir(&f.root, &f.src, None));
    fs::remove_file(f.src.join("sub/leakdir")).unwrap();
    symlink(f.src.join("nowhere"), f.src.join("dangling")).unwrap();
    assert!(invalid(store().log_dir(&f.root, &f.src, None)).contains("missing target"));
    assert_eq!(tree(&f.root_dir), Vec::<String>::new());
}

#[test]
fn log_dir_follows_links_inside_the_source_and_refuses_cycles() {
    let f = fixture();
    fs::create_dir_all(f.src.join("data")).unwrap();
    fs::write(f.src.join("data/x.txt"), b"x").unwrap();
    symlink(f.src.join("data/x.txt"), f.src.join("x-link.txt")).unwrap();
    symlink(f.src.join("data"), f.src.join("data-link")).unwrap();
    store().log_dir(&f.root, &f.src, None).unwrap();
    assert_eq!(
        tree(&f.root_dir),
        ["data", "data-link", "data-link/x.txt", "data/x.txt", "x-link.txt"]
    );
    // Copies are real files, not links.
    assert!(!f.root_dir.join("x-link.txt").is_symlink());
    assert_eq!(fs::read(f.root_dir.join("data-link/x.txt")).unwrap(), b"x");

    symlink(&f.src, f.src.join("data/loop")).unwrap();
    let root2 = path_to_file_uri(&f.outside.join("root2"));
    assert!(invalid(store().log_dir(&root2, &f.src, None)).contains("links back"));
    assert!(!f.outside.join("root2").exists());
}

#[test]
fn log_dir_refuses_a_destination_link_before_copying_anything() {
    let f = fixture();
    fs::create_dir_all(f.src.join("sub")).unwrap();
    fs::write(f.src.join("a.txt"), b"a").unwrap();
    fs::write(f.src.join("sub/b.txt"), b"b").unwrap();
    fs::create_dir_all(&f.root_dir).unwrap();
    symlink(&f.outside, f.root_dir.join("sub")).unwrap();
    invalid(store().log_dir(&f.root, &f.src, None));
    assert_eq!(tree(&f.root_dir), ["sub"]); // a.txt was not copied either
    assert_eq!(tree(&f.outside), Vec::<String>::new());
}

#[test]
fn delete_removes_links_not_their_targets() {
    let f = fixture();
    fs::create_dir_all(&f.root_dir).unwrap();
    fs::write(f.outside.join("keep.txt"), b"keep").unwrap();
    symlink(f.outside.join("keep.txt"), f.root_dir.join("link.txt")).unwrap();
    symlink(&f.outside, f.root_dir.join("linkdir")).unwrap();
    store().delete(&f.root, Some("link.txt")).unwrap();
    store().delete(&f.root, Some("linkdir")).unwrap();
    assert_eq!(tree(&f.root_dir), Vec::<String>::new());
    symlink(&f.outside, f.root_dir.join("linkdir")).unwrap();
    invalid(store().delete(&f.root, Some("linkdir/keep.txt")));
    store().delete(&f.root, None).unwrap();
    assert_eq!(fs::read(f.outside.join("keep.txt")).unwrap(), b"keep");
}

#[test]
fn unfinished_temporary_files_are_hidden() {
    let f = fixture();
    store().write_file(&f.root, "a.txt", b"a").unwrap();
    fs::write(f.root_dir.join(format!("{TEMP_PREFIX}123")), b"partial").unwrap();
    assert_eq!(store().list(&f.root, None).unwrap(), [info("a.txt", Some(1))]);
}
