//! Artifacts through the Tracker: files, folders, text, dicts, images and tables land under
//! the run's artifact root, list and download like MLflow's, and paths that would leave the
//! root are refused with nothing written.

use std::fs;
use std::path::{Path, PathBuf};

use crate::common::{invalid, new_run, new_store};
use rtrack::artifacts::file_uri_to_path;
use rtrack::entities::FileInfo;
use rtrack::{ExperimentId, RunOptions, Tracker};
use serde_json::json;

/// The run's artifact folder on disk.
fn artifact_dir(tracker: &Tracker, run_id: &str) -> PathBuf {
    file_uri_to_path(&tracker.get_run(run_id).unwrap().info.artifact_uri).unwrap()
}

/// Every file and folder under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, prefix: &str, out: &mut Vec<String>) {
        let Ok(entries) = fs::read_dir(dir) else { return };
        for entry in entries {
            let entry = entry.unwrap();
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            out.push(name.clone());
            if entry.file_type().unwrap().is_dir() {
                walk(&entry.path(), &format!("{name}/"), out);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, "", &mut out);
    out.sort();
    out
}

fn file(path: &str, size: u64) -> FileInfo {
    FileInfo {
        path: path.into(),
        is_dir: false,
        file_size: Some(size),
    }
}

fn folder(path: &str) -> FileInfo {
    FileInfo {
        path: path.into(),
        is_dir: true,
        file_size: None,
    }
}

#[test]
fn files_and_folders_are_copied_under_the_run() {
    let (dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "files");
    let source = tempfile::tempdir().unwrap();
    let model = source.path().join("model.bin");
    fs::write(&model, [0u8, 1, 2, 3, 255]).unwrap();
    fs::create_dir_all(source.path().join("data/nested")).unwrap();
    fs::write(source.path().join("data/train.csv"), "a,b\n1,2\n").unwrap();
    fs::write(source.path().join("data/nested/deep.txt"), "deep").unwrap();

    tracker.log_artifact(&run_id, &model, None).unwrap();
    tracker.log_artifact(&run_id, &model, Some("models/v1")).unwrap();
    tracker
        .log_artifacts(&run_id, &source.path().join("data"), Some("dataset"))
        .unwrap();

    let root = artifact_dir(&tracker, &run_id);
    assert!(
        root.starts_with(dir.path()),
        "artifacts live inside the store folder: {}",
        root.display()
    );
    assert_eq!(
        tree(&root),
        [
            "dataset",
            "dataset/nested",
            "dataset/nested/deep.txt",
            "dataset/train.csv",
            "model.bin",
            "models",
            "models/v1",
            "models/v1/model.bin"
        ]
    );
    assert_eq!(fs::read(root.join("models/v1/model.bin")).unwrap(), [0u8, 1, 2, 3, 255]);

    let top = tracker.list_artifacts(&run_id, None).unwrap();
    assert_eq!(top, [folder("dataset"), file("model.bin", 5), folder("models")]);
    let inside = tracker.list_artifacts(&run_id, Some("dataset")).unwrap();
    assert_eq!(inside, [folder("dataset/nested"), file("dataset/train.csv", 8)]);
    assert_eq!(tracker.list_artifacts(&run_id, Some("missing")).unwrap(), []);

    let uri = tracker.get_artifact_uri(&run_id, Some("dataset/train.csv")).unwrap();
    assert_eq!(file_uri_to_path(&uri).unwrap(), root.join("dataset/train.csv"));
}

#[test]
fn download_copies_files_and_folders_keeping_relative_paths() {
    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "download");
    tracker.log_text(&run_id, "hello", "notes/readme.txt").unwrap();
    tracker.log_text(&run_id, "more", "notes/sub/more.txt").unwrap();
    tracker.log_text(&run_id, "top", "top.txt").unwrap();

    let dst = tempfile::tempdir().unwrap();
    let one = tracker
        .download_artifacts(&run_id, "notes/readme.txt", dst.path())
        .unwrap();
    assert_eq!(one, dst.path().join("notes/readme.txt"));
    assert_eq!(fs::read_to_string(&one).unwrap(), "hello");

    let everything = tempfile::tempdir().unwrap();
    let all = tracker.download_artifacts(&run_id, "", everything.path()).unwrap();
    assert_eq!(
        tree(&all),
        [
            "notes",
            "notes/readme.txt",
            "notes/sub",
            "notes/sub/more.txt",
            "top.txt"
        ]
    );

    let missing = tracker.download_artifacts(&run_id, "nope.txt", dst.path());
    assert!(
        matches!(missing, Err(rtrack::Error::NotFound(ref m)) if m.contains("nope.txt")),
        "{missing:?}"
    );
}

#[test]
fn text_dicts_tables_and_images_are_encoded() {
    let (_dir, tracker) = new_store();
    let run = tracker.start_run(RunOptions::default()).unwrap();
    let run_id = run.id().to_string();
    let root = artifact_dir(&tracker, &run_id);

    run.log_text("héllo\nwörld", "notes.md").unwrap();
    assert_eq!(fs::read_to_string(root.join("notes.md")).unwrap(), "héllo\nwörld");
    run.log_text("replaced", "notes.md").unwrap();
    assert_eq!(fs::read_to_string(root.join("notes.md")).unwrap(), "replaced");

    let config = json!({"alpha": 0.5, "layers": [64, 32], "name": "enet", "flag": "yes"});
    run.log_dict(&config, "config.json").unwrap();
    let back: serde_json::Value = serde_json::from_str(&fs::read_to_string(root.join("config.json")).unwrap()).unwrap();
    assert_eq!(back, config);
    run.log_dict(&config, "config.yaml").unwrap();
    let yaml = fs::read_to_string(root.join("config.yaml")).unwrap();
    assert!(yaml.contains("alpha: 0.5\n") && yaml.contains("name: enet\n"), "{yaml}");
    assert!(
        yaml.contains("- 64\n") && !yaml.trim_start().starts_with('{'),
        "block style: {yaml}"
    );
    assert!(
        yaml.contains("flag: 'yes'") || yaml.contains("flag: \"yes\""),
        "'yes' stays a string: {yaml}"
    );

    let columns = vec![
        ("x".to_string(), vec![json!(1), json!(2)]),
        ("label".to_string(), vec![json!("a"), json!("b")]),
    ];
    tracker.log_table(&run_id, columns, "tables/t.json").unwrap();
    let table: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(root.join("tables/t.json")).unwrap()).unwrap();
    assert_eq!(table, json!({"columns": ["x", "label"], "data": [[1, "a"], [2, "b"]]}));
    let uneven = vec![("x".to_string(), vec![json!(1)]), ("y".to_string(), vec![])];
    invalid(tracker.log_table(&run_id, uneven, "tables/bad.json"));

    // A 2x3 RGB gradient, then a check that it decodes to the same pixels.
    let pixels: Vec<u8> = (0..18).map(|i| i * 10).collect();
    tracker.log_image(&run_id, &pixels, 2, 3, 3, "images/grad.png").unwrap();
    let bytes = fs::read(root.join("images/grad.png")).unwrap();
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes)).read_info().unwrap();
    let mut decoded = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut decoded).unwrap();
    assert_eq!((info.width, info.height, info.color_type), (3, 2, png::ColorType::Rgb));
    assert_eq!(&decoded[..info.buffer_size()], &pixels[..]);
    invalid(tracker.log_image(&run_id, &pixels, 2, 3, 4, "images/wrong.png"));
    assert!(!root.join("images/wrong.png").exists() && !root.join("tables/bad.json").exists());
}

#[test]
fn a_store_path_with_spaces_and_unicode_still_works() {
    let parent = tempfile::tempdir().unwrap();
    let store = parent.path().join("my store ü%20");
    let tracker = Tracker::open(store.to_str().unwrap()).unwrap();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "spaces");
    tracker.log_text(&run_id, "x", "a file.txt").unwrap();
    let root = artifact_dir(&tracker, &run_id);
    assert!(root.starts_with(&store), "{}", root.display());
    assert_eq!(fs::read_to_string(root.join("a file.txt")).unwrap(), "x");
    assert_eq!(tracker.list_artifacts(&run_id, None).unwrap(), [file("a file.txt", 1)]);
}

#[test]
fn paths_leaving_the_artifact_root_are_refused_and_write_nothing() {
    let (dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "escape");
    let root = artifact_dir(&tracker, &run_id);
    let before = tree(dir.path());
    let local = tempfile::tempdir().unwrap();
    let payload = local.path().join("payload.txt");
    fs::write(&payload, "x").unwrap();

    for path in [
        "../escape.txt",
        "a/../../escape.txt",
        "/tmp/rtrack-absolute.txt",
        "..",
        "a/..",
        "C:\\x.txt",
    ] {
        let message = invalid(tracker.log_text(&run_id, "x", path));
        // Paths are quoted escaped, so control characters and backslashes show.
        assert!(message.contains(&path.escape_debug().to_string()), "{path}: {message}");
    }
    invalid(tracker.log_artifact(&run_id, &payload, Some("../up")));
    invalid(tracker.log_artifact(&run_id, &payload, Some("/abs")));
    invalid(tracker.log_artifacts(&run_id, local.path(), Some("x/../../..")));
    invalid(tracker.log_dict(&run_id, &json!({}), "../c.json"));
    invalid(tracker.log_image(&run_id, &[0], 1, 1, 1, "../i.png"));
    invalid(tracker.list_artifacts(&run_id, Some("../..")));
    invalid(tracker.download_artifacts(&run_id, "../..", local.path()));
    assert!(!Path::new("/tmp/rtrack-absolute.txt").exists());
    assert_eq!(tree(dir.path()), before, "nothing was written anywhere in the store");
    assert!(!root.exists() || tree(&root).is_empty());
}

#[cfg(unix)]
#[test]
fn symbolic_links_out_of_the_root_are_refused_and_write_nothing() {
    use std::os::unix::fs::symlink;

    let (_dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "links");
    tracker.log_text(&run_id, "inside", "ok.txt").unwrap();
    let root = artifact_dir(&tracker, &run_id);
    let outside = tempfile::tempdir().unwrap();
    fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    symlink(outside.path(), root.join("out")).unwrap();

    for path in ["out/evil.txt", "out/new/deeper/evil.txt"] {
        let message = invalid(tracker.log_text(&run_id, "x", path));
        assert!(message.contains("outside"), "{message}");
    }
    let local = tempfile::tempdir().unwrap();
    fs::write(local.path().join("a.txt"), "a").unwrap();
    invalid(tracker.log_artifact(&run_id, &local.path().join("a.txt"), Some("out")));
    invalid(tracker.log_artifacts(&run_id, local.path(), Some("out/sub")));
    invalid(tracker.download_artifacts(&run_id, "out/secret.txt", local.path()));
    assert_eq!(tree(outside.path()), ["secret.txt"], "nothing written through the link");
    assert!(!local.path().join("out").exists(), "nothing read through the link");

    // A folder being logged that holds a link out of itself is refused as a whole.
    let leaky = tempfile::tempdir().unwrap();
    fs::write(leaky.path().join("fine.txt"), "fine").unwrap();
    symlink(outside.path().join("secret.txt"), leaky.path().join("zz-leak.txt")).unwrap();
    invalid(tracker.log_artifacts(&run_id, leaky.path(), Some("leaky")));
    assert!(!root.join("leaky").exists(), "no half copy");
    assert_eq!(
        tracker.list_artifacts(&run_id, None).unwrap(),
        [file("ok.txt", 6)],
        "links are not listed"
    );
}

// ----- writes killed half way -----

#[test]
#[ignore = "the child process of a_killed_writers_temporary_file_is_removed_by_the_next_open"]
fn child_logs_the_artifact_named_by_the_environment() {
    if !crate::common::is_child_test() {
        return;
    }
    let var = |name: &str| std::env::var(name).unwrap();
    let tracker = Tracker::open(&var("CHILD_STORE")).unwrap();
    let source = PathBuf::from(var("CHILD_SOURCE"));
    tracker.log_artifact(&var("CHILD_RUN"), &source, None).unwrap();
}

/// The temporary file process `pid` writes in `dir`, once it holds at least `bytes`.
fn temp_file_of(dir: &Path, pid: u32, bytes: u64) -> PathBuf {
    let prefix = format!(".rtrack-tmp-{pid}-");
    crate::common::poll(std::time::Duration::from_secs(30), || {
        fs::read_dir(dir).ok()?.flatten().find_map(|entry| {
            let named = entry.file_name().to_string_lossy().starts_with(&prefix);
            (named && entry.metadata().ok()?.len() >= bytes).then(|| entry.path())
        })
    })
    .unwrap_or_else(|| panic!("no temporary file of {pid} in {}: {:?}", dir.display(), tree(dir)))
}

#[cfg(target_os = "linux")]
#[test]
fn a_killed_writers_temporary_file_is_removed_by_the_next_open() {
    use std::io::Write;
    use std::process::{Child, Stdio};
    use std::time::{Duration, SystemTime};

    let (dir, tracker) = new_store();
    let run_id = new_run(&tracker, ExperimentId::DEFAULT, "killed");
    let artifacts = artifact_dir(&tracker, &run_id);
    let sources = tempfile::tempdir().unwrap();
    // Each child copies from a pipe, so it is mid-write for as long as the test likes.
    let start = |name: &str| -> (Child, fs::File) {
        let source = sources.path().join(name);
        assert!(std::process::Command::new("mkfifo")
            .arg(&source)
            .status()
            .unwrap()
            .success());
        let child = crate::common::child_test("artifacts::child_logs_the_artifact_named_by_the_environment")
            .env("CHILD_STORE", dir.path())
            .env("CHILD_RUN", &run_id)
            .env("CHILD_SOURCE", &source)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let pipe = fs::OpenOptions::new().write(true).open(&source).unwrap(); // waits for the child
        (child, pipe)
    };
    let chunk = vec![7u8; 1 << 20];

    let (mut killed, mut pipe) = start("model.bin");
    for _ in 0..64 {
        pipe.write_all(&chunk).unwrap();
    }
    let killed_temp = temp_file_of(&artifacts, killed.id(), 32 << 20);
    killed.kill().unwrap(); // SIGKILL, in the middle of the copy
    killed.wait().unwrap();
    drop(pipe);

    let (mut live, mut live_pipe) = start("weights.bin");
    live_pipe.write_all(&chunk).unwrap();
    let live_temp = temp_file_of(&artifacts, live.id(), 1);
    // Both look long untouched: only whose writer is gone decides.
    let long_ago = SystemTime::now() - Duration::from_secs(300);
    for temp in [&killed_temp, &live_temp] {
        fs::File::options()
            .write(true)
            .open(temp)
            .unwrap()
            .set_modified(long_ago)
            .unwrap();
    }

    let fresh = Tracker::open(crate::common::uri_of(dir.path())).unwrap();
    let removed = crate::common::poll(Duration::from_secs(10), || (!killed_temp.exists()).then_some(()));
    assert!(
        removed.is_some(),
        "the killed writer's file is left: {:?}",
        tree(&artifacts)
    );
    assert!(live_temp.exists(), "a live writer's file was removed");
    let again = rtrack::artifacts::remove_stale_temp_files(dir.path());
    assert!(again.is_empty(), "{again:?}");

    // The live writer finishes its artifact as if nothing happened.
    live_pipe.write_all(&chunk).unwrap();
    drop(live_pipe);
    assert!(live.wait().unwrap().success());
    assert_eq!(
        fresh.list_artifacts(&run_id, None).unwrap(),
        vec![file("weights.bin", 2 << 20)]
    );
    assert_eq!(tree(&artifacts), vec!["weights.bin".to_string()]);
}
