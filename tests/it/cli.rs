//! The `rtrack` command as a user runs it: the real binary on temporary stores, for help on
//! every command, the experiments, runs and artifacts commands (their JSON parsed), the
//! tracking URI they pick, and `rtrack server` with MLflow's options (artifact serving modes,
//! a static prefix, locations this build cannot serve).

use crate::common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use rtrack::server::{start, ServerConfig};
use rtrack::{ExperimentId, RunOptions, RunStatus, Tracker};
use serde_json::Value;
use tempfile::TempDir;

const RTRACK: &str = env!("CARGO_BIN_EXE_rtrack");

/// A temporary working folder with a store in it; commands run there with no tracking
/// settings inherited.
pub(crate) struct Fixture {
    dir: TempDir,
}

impl Fixture {
    pub(crate) fn new() -> Fixture {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    pub(crate) fn store_uri(&self) -> String {
        common::uri_of(&self.store()).to_string()
    }

    pub(crate) fn tracker(&self) -> Tracker {
        Tracker::open(&self.store_uri()).unwrap()
    }

    /// `rtrack <args>` in the working folder, with RTRACK_TRACKING_URI naming the store.
    fn rtrack(&self, args: &[&str]) -> Output {
        self.command(args)
            .env("RTRACK_TRACKING_URI", self.store_uri())
            .output()
            .unwrap()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(RTRACK);
        command.args(args).current_dir(self.dir.path());
        for (name, _) in std::env::vars() {
            if name.starts_with("RTRACK_") || name.starts_with("MLFLOW_") {
                command.env_remove(name);
            }
        }
        command
    }

    /// What a successful command printed.
    fn ok(&self, args: &[&str]) -> String {
        succeeded(self.rtrack(args), args)
    }

    fn json(&self, args: &[&str]) -> Value {
        let text = self.ok(args);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?} printed no JSON ({e}):\n{text}"))
    }

    /// The exit code and stderr of a command expected to fail.
    fn fails(&self, args: &[&str]) -> (i32, String) {
        let output = self.rtrack(args);
        assert!(!output.status.success(), "{args:?} succeeded");
        (
            output.status.code().unwrap(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    }
}

fn succeeded(output: Output, args: &[&str]) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{args:?} failed ({:?}):\n{stdout}\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// A finished run in `experiment` with a param, two metric points and a tag.
fn logged_run(tracker: &Tracker, experiment: ExperimentId, name: &str, start_time: i64) -> String {
    let run = tracker
        .create_run(RunOptions {
            start_time: Some(start_time),
            ..RunOptions::default().experiment(experiment).name(name)
        })
        .unwrap();
    let run_id = run.info.run_id;
    tracker.log_param(&run_id, "alpha", 0.5).unwrap();
    tracker.log_metric(&run_id, "rmse", 0.9, Some(0), None).unwrap();
    tracker.log_metric(&run_id, "rmse", 0.7, Some(1), None).unwrap();
    tracker.set_tag(&run_id, "team", "ml").unwrap();
    tracker.set_terminated(&run_id, RunStatus::Finished, None).unwrap();
    tracker.flush().unwrap();
    run_id
}

#[test]
fn every_command_answers_help_with_its_own_usage() {
    let fx = Fixture::new();
    for (args, mentions) in [
        (&["--help"][..], "--backend-store-uri"),
        (&["server", "--help"], "--default-artifact-root"),
        (&["server", "-h"], "--serve-artifacts"),
        (&["server", "--port", "5000", "-h"], "--no-serve-artifacts"),
        (&["ui", "--help"], "--artifacts-only"),
        (&["help", "server"], "--static-prefix"),
        (&["models", "serve", "--help"], "--model-uri"),
        (&["models", "--help"], "serve"),
        (&["experiments", "--help"], "rename"),
        (&["experiments", "search", "--help"], "--view"),
        (&["experiments", "create", "-h"], "--artifact-location"),
        (&["experiments", "rename", "--help"], "--new-name"),
        (&["experiments", "delete", "--help"], "--experiment-id"),
        (&["experiments", "restore", "--help"], "--experiment-id"),
        (&["runs", "--help"], "describe"),
        (&["runs", "list", "--help"], "--experiment-id"),
        (&["runs", "describe", "--help"], "--run-id"),
        (&["runs", "delete", "--help"], "--run-id"),
        (&["artifacts", "--help"], "log-artifact"),
        (&["artifacts", "list", "--help"], "--artifact-path"),
        (&["artifacts", "download", "--help"], "--dst-path"),
        (&["artifacts", "log-artifact", "--help"], "--local-file"),
    ] {
        let out = fx.ok(args);
        assert!(out.contains(mentions), "{args:?} should mention {mentions}:\n{out}");
        // A subcommand's help is its own, not its group's.
        if let [group, sub, flag] = args {
            if *group != "help" && flag.starts_with('-') {
                assert!(
                    out.starts_with(&format!("usage: rtrack {group} {sub} [options]")),
                    "{out}"
                );
            }
        }
    }
    // Help asked for does not open (or create) a store.
    assert!(!fx.store().exists());
    assert!(!fx.dir.path().join("rtruns").exists());
}

#[test]
fn mistakes_on_the_command_line_exit_2_naming_them() {
    let fx = Fixture::new();
    for (args, mentions) in [
        (&["server", "--port", "high"][..], "invalid port 'high'"),
        (&["server", "--colour", "red"], "unknown option '--colour'"),
        (&["server", "--dev"], "no development mode"),
        (&["server", "--workers", "many"], "invalid --workers 'many'"),
        (&["experiments"], "needs a command"),
        (&["experiments", "frobnicate"], "unknown command 'frobnicate'"),
        (&["experiments", "create"], "needs --experiment-name (-n)"),
        (&["experiments", "rename", "-x", "0"], "needs --new-name"),
        (
            &["experiments", "search", "--output", "yaml"],
            "invalid --output 'yaml'",
        ),
        (&["experiments", "search", "--view", "some"], "invalid --view 'some'"),
        (&["runs", "list"], "needs --experiment-id"),
        (&["runs", "describe"], "needs --run-id"),
        (&["artifacts", "download"], "needs --run-id (-r) or --artifact-uri (-u)"),
        (&["artifacts", "list", "stray"], "unexpected argument 'stray'"),
    ] {
        let (code, stderr) = fx.fails(args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(mentions), "{args:?} should say {mentions}: {stderr}");
    }
}

#[test]
fn experiments_are_created_searched_renamed_deleted_and_restored() {
    let fx = Fixture::new();
    assert_eq!(
        fx.ok(&["experiments", "create", "-n", "wine"]).trim(),
        "Created experiment 'wine' with id 1"
    );
    let created = fx.json(&[
        "experiments",
        "create",
        "--experiment-name",
        "elsewhere",
        "--artifact-location",
        "./far away",
        "--output",
        "json",
    ]);
    assert_eq!(
        (created["experiment_id"].as_str(), created["name"].as_str()),
        (Some("2"), Some("elsewhere"))
    );
    let location = created["artifact_location"].as_str().unwrap();
    assert!(
        location.starts_with("file:///") && location.ends_with("/far%20away"),
        "{location}"
    );

    let found = fx.json(&["experiments", "search", "--output", "json"]);
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default", "wine", "elsewhere"]);
    let table = fx.ok(&["experiments", "search"]);
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("Experiment Id  Name") && lines[0].ends_with("Artifact Location"),
        "{table}"
    );
    assert!(lines[1].starts_with("-------------  "), "{table}");
    assert!(lines[3].starts_with("1              wine "), "{table}");

    assert!(fx
        .ok(&[
            "experiments",
            "rename",
            "--experiment-id",
            "1",
            "--new-name",
            "wine-quality"
        ])
        .contains("renamed to 'wine-quality'"));
    assert_eq!(
        fx.json(&["experiments", "get", "-n", "wine-quality", "--output", "json"])["experiment_id"],
        "1"
    );
    assert!(fx
        .ok(&["experiments", "delete", "-x", "2"])
        .contains("has been deleted"));
    let active = fx.json(&["experiments", "search", "--output", "json"]);
    assert_eq!(active.as_array().unwrap().len(), 2);
    let deleted = fx.json(&["experiments", "search", "--view", "deleted_only", "--output", "json"]);
    assert_eq!(deleted[0]["name"], "elsewhere");
    assert_eq!(deleted[0]["lifecycle_stage"], "deleted");
    assert_eq!(
        fx.json(&["experiments", "search", "-v", "all", "--output", "json"])
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(fx
        .ok(&["experiments", "restore", "-x", "2"])
        .contains("has been restored"));
    assert_eq!(
        fx.tracker()
            .get_experiment(ExperimentId(2))
            .unwrap()
            .lifecycle_stage
            .as_str(),
        "active"
    );
    assert_eq!(
        fx.json(&["experiments", "search", "--max-results", "1", "--output", "json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // What the store refuses fails with exit code 1 and the store's message.
    let (code, stderr) = fx.fails(&["experiments", "delete", "-x", "99"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("99"), "{stderr}");
    let (code, stderr) = fx.fails(&["experiments", "create", "-n", "wine-quality"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("already exists"), "{stderr}");
}

#[test]
fn runs_are_listed_described_deleted_and_restored() {
    let fx = Fixture::new();
    let tracker = fx.tracker();
    let experiment = tracker.set_experiment("sweep").unwrap().experiment_id;
    let older = logged_run(&tracker, experiment, "older", 1_700_000_000_000);
    let newer = logged_run(&tracker, experiment, "newer", 1_700_000_100_000);

    let listed = fx.json(&["runs", "list", "--experiment-id", "1", "--output", "json"]);
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["info"]["run_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [newer.as_str(), older.as_str()], "newest first");
    let table = fx.ok(&["runs", "list", "--experiment-id", "1"]);
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["Date", "(UTC)", "Name", "ID"]
    );
    assert!(lines[2].starts_with("2023-11-14 22:15:00  newer  "), "{table}");
    assert!(lines[3].ends_with(&older), "{table}");

    // describe prints JSON by default, as `mlflow runs describe` does.
    let run = fx.json(&["runs", "describe", "--run-id", &older]);
    assert_eq!(run["info"]["run_name"], "older");
    assert_eq!(run["info"]["status"], "FINISHED");
    assert_eq!(run["info"]["experiment_id"], "1");
    assert_eq!(run["data"]["params"]["alpha"], "0.5");
    assert_eq!(run["data"]["metrics"]["rmse"], 0.7);
    assert_eq!(run["data"]["tags"]["team"], "ml");
    let readable = fx.ok(&["runs", "describe", "--run-id", &older, "--output", "table"]);
    assert!(
        readable.contains("alpha  0.5") && readable.contains("rmse    0.7"),
        "{readable}"
    );

    assert!(fx
        .ok(&["runs", "delete", "--run-id", &older])
        .contains("has been deleted"));
    let active = fx.json(&["runs", "list", "--experiment-id", "1", "--output", "json"]);
    assert_eq!(active.as_array().unwrap().len(), 1);
    let deleted = fx.json(&[
        "runs",
        "list",
        "--experiment-id",
        "1",
        "--view",
        "deleted_only",
        "--output",
        "json",
    ]);
    assert_eq!(deleted[0]["info"]["run_id"], older.as_str());
    assert_eq!(deleted[0]["info"]["lifecycle_stage"], "deleted");
    assert!(fx
        .ok(&["runs", "restore", "--run-id", &older])
        .contains("has been restored"));
    assert_eq!(tracker.get_run(&older).unwrap().info.lifecycle_stage.as_str(), "active");

    // The experiment may come from MLflow's variable, as in `mlflow runs list`.
    let output = fx
        .command(&["runs", "list", "--output", "json"])
        .env("RTRACK_TRACKING_URI", fx.store_uri())
        .env("MLFLOW_EXPERIMENT_ID", "1")
        .output()
        .unwrap();
    let listed: Value = serde_json::from_str(&succeeded(output, &["runs", "list"])).unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 2);

    let (code, stderr) = fx.fails(&["runs", "describe", "--run-id", "nope"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("nope"), "{stderr}");
}

#[test]
fn artifacts_are_logged_listed_and_downloaded() {
    let fx = Fixture::new();
    let tracker = fx.tracker();
    let run_id = logged_run(&tracker, ExperimentId::DEFAULT, "files", 1_700_000_000_000);
    let local = fx.dir.path().join("report v1.txt");
    std::fs::write(&local, "accuracy 0.93").unwrap();
    let local = local.to_str().unwrap();

    let said = fx.ok(&[
        "artifacts",
        "log-artifact",
        "--local-file",
        local,
        "--run-id",
        &run_id,
        "-a",
        "reports",
    ]);
    assert!(said.contains("artifact_path=reports"), "{said}");
    fx.ok(&["artifacts", "log-artifact", "-l", local, "-r", &run_id]);
    let top = fx.json(&["artifacts", "list", "--run-id", &run_id, "--output", "json"]);
    assert_eq!(
        top,
        serde_json::json!([
            { "path": "report v1.txt", "is_dir": false, "file_size": 13 },
            { "path": "reports", "is_dir": true },
        ])
    );
    let inside = fx.json(&[
        "artifacts",
        "list",
        "-r",
        &run_id,
        "--artifact-path",
        "reports",
        "--output",
        "json",
    ]);
    assert_eq!(inside[0]["path"], "reports/report v1.txt");
    let table = fx.ok(&["artifacts", "list", "-r", &run_id]);
    assert!(
        table.lines().any(|l| l.starts_with("reports") && l.contains("dir")),
        "{table}"
    );

    // --run-id with --artifact-path into a folder that does not exist yet.
    let printed = fx.ok(&[
        "artifacts",
        "download",
        "-r",
        &run_id,
        "-a",
        "reports",
        "--dst-path",
        "out/a",
    ]);
    let copied = fx.dir.path().join("out/a/reports/report v1.txt");
    assert_eq!(std::fs::read_to_string(&copied).unwrap(), "accuracy 0.93");
    // The path printed is absolute, as MLflow prints it.
    assert_eq!(
        Path::new(printed.trim()),
        fx.dir.path().join("out/a/reports"),
        "{printed}"
    );
    // --artifact-uri: runs:/ URIs, and file URIs of the run's artifact root.
    let uri = format!("runs:/{run_id}/reports/report v1.txt");
    let printed = fx.json(&["artifacts", "download", "-u", &uri, "-d", "out/b", "--output", "json"]);
    let path = PathBuf::from(printed["path"].as_str().unwrap());
    assert!(path.is_absolute(), "{path:?}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "accuracy 0.93");
    let root = tracker.get_artifact_uri(&run_id, None).unwrap();
    let printed = fx.ok(&[
        "artifacts",
        "download",
        "--artifact-uri",
        &format!("{root}/report%20v1.txt"),
        "-d",
        "out/c",
    ]);
    assert_eq!(std::fs::read_to_string(printed.trim()).unwrap(), "accuracy 0.93");
    // Without --dst-path, a new folder of its own.
    let printed = fx.ok(&["artifacts", "download", "-r", &run_id]);
    let folder = PathBuf::from(printed.trim());
    assert!(folder.join("reports/report v1.txt").is_file(), "{printed}");
    std::fs::remove_dir_all(&folder).unwrap();

    let (code, stderr) = fx.fails(&["artifacts", "log-artifact", "-l", "missing.txt", "-r", &run_id]);
    assert_eq!(code, 1);
    assert!(stderr.contains("missing.txt"), "{stderr}");
    let (code, stderr) = fx.fails(&["artifacts", "download", "-r", &run_id, "-a", "../escape", "-d", "out/d"]);
    assert_eq!(code, 1, "{stderr}");
}

#[test]
fn the_tracking_uri_comes_from_the_option_then_rtrack_then_mlflow() {
    let fx = Fixture::new();
    let other = fx.dir.path().join("other");
    let other = common::uri_of(&other);
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut command = fx.command(args);
        command.envs(env.iter().copied());
        succeeded(command.output().unwrap(), args)
    };
    run(
        &["experiments", "create", "-n", "in-mlflow-store"],
        &[("MLFLOW_TRACKING_URI", other)],
    );
    run(
        &["experiments", "create", "-n", "in-rtrack-store"],
        &[("MLFLOW_TRACKING_URI", other), ("RTRACK_TRACKING_URI", &fx.store_uri())],
    );
    run(
        &["experiments", "create", "-n", "by-option", "--tracking-uri", other],
        &[("RTRACK_TRACKING_URI", &fx.store_uri())],
    );
    let names = |uri: &str| -> Vec<String> {
        let text = run(
            &["experiments", "search", "--output", "json", "--tracking-uri", uri],
            &[],
        );
        let found: Value = serde_json::from_str(&text).unwrap();
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names(other), ["Default", "in-mlflow-store", "by-option"]);
    assert_eq!(names(&fx.store_uri()), ["Default", "in-rtrack-store"]);
    // Nothing set: ./rtruns in the working folder.
    run(&["experiments", "create", "-n", "default-place"], &[]);
    assert!(fx
        .dir
        .path()
        .join("rtruns")
        .join(rtrack::store::location::DATABASE_FILE)
        .is_file());
}

#[test]
fn commands_work_against_a_tracking_server() {
    let fx = Fixture::new();
    let server = start(&ServerConfig {
        port: 0,
        ..ServerConfig::new(&fx.store_uri())
    })
    .unwrap();
    let url = server.url();
    let tracker = fx.tracker();
    let run_id = logged_run(&tracker, ExperimentId::DEFAULT, "served", 1_700_000_000_000);
    let local = fx.dir.path().join("notes.txt");
    std::fs::write(&local, "over http").unwrap();
    fx.ok(&[
        "artifacts",
        "log-artifact",
        "-l",
        local.to_str().unwrap(),
        "-r",
        &run_id,
        "--tracking-uri",
        &url,
    ]);
    let listed = fx.json(&[
        "artifacts",
        "list",
        "-r",
        &run_id,
        "--tracking-uri",
        &url,
        "--output",
        "json",
    ]);
    assert_eq!(listed[0]["path"], "notes.txt");
    let run = fx.json(&["runs", "describe", "--run-id", &run_id, "--tracking-uri", &url]);
    let artifact_uri = run["info"]["artifact_uri"].as_str().unwrap().to_string();
    assert!(artifact_uri.starts_with("mlflow-artifacts:/0/"), "{artifact_uri}");
    let uri = format!("{artifact_uri}/notes.txt");
    let printed = fx.ok(&["artifacts", "download", "-u", &uri, "--tracking-uri", &url, "-d", "dl"]);
    assert_eq!(std::fs::read_to_string(printed.trim()).unwrap(), "over http");
    fx.ok(&["experiments", "create", "-n", "remote", "--tracking-uri", &url]);
    let found = fx.json(&["experiments", "search", "--tracking-uri", &url, "--output", "json"]);
    assert_eq!(found[1]["artifact_location"], "mlflow-artifacts:/1");
    server.stop().unwrap();
}

/// `rtrack server` started as a user would, on a free port.
pub(crate) struct ServerProcess {
    pub(crate) child: Child,
    pub(crate) url: String,
    /// Kept open: the server prints more after its first line.
    _stdout: BufReader<std::process::ChildStdout>,
    stderr: std::process::ChildStderr,
}

impl ServerProcess {
    pub(crate) fn start(fx: &Fixture, extra: &[&str]) -> ServerProcess {
        let mut args = vec!["server", "--port", "0"];
        args.extend_from_slice(extra);
        let mut child = fx
            .command(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        stdout.read_line(&mut first).unwrap();
        let stderr = child.stderr.take().unwrap();
        assert!(first.contains("listening on http://"), "{first}");
        let url = first
            .split("listening on ")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string();
        ServerProcess {
            child,
            url,
            _stdout: stdout,
            stderr,
        }
    }

    /// Stop it and return what it wrote to stderr.
    pub(crate) fn stop(mut self) -> String {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
        let mut text = String::new();
        std::io::Read::read_to_string(&mut self.stderr, &mut text).unwrap();
        text
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn get(url: &str) -> (u16, String) {
    let mut response = agent().get(url).call().unwrap();
    (
        response.status().as_u16(),
        response.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn the_server_binary_takes_mlflow_options_a_prefix_and_workers() {
    let fx = Fixture::new();
    let store = fx.store_uri();
    let server = ServerProcess::start(
        &fx,
        &[
            "--backend-store-uri",
            &store,
            "--static-prefix",
            "/mlflow",
            "--workers",
            "4",
            "--gunicorn-opts",
            "-t 60",
        ],
    );
    assert!(server.url.ends_with("/mlflow"), "{}", server.url);
    let root = server.url.trim_end_matches("/mlflow").to_string();
    assert_eq!(get(&format!("{root}/mlflow/health")), (200, "OK".to_string()));
    let (status, page) = get(&format!("{root}/mlflow/"));
    assert_eq!(status, 200);
    assert!(page.contains("<!DOCTYPE html>"), "{page}");
    let (status, _) = get(&format!("{root}/mlflow/static/app.js"));
    assert_eq!(status, 200);
    // The prefix alone redirects to the page, whose URLs are relative to it.
    let response = agent().get(&format!("{root}/mlflow")).call().unwrap();
    assert_eq!(response.status().as_u16(), 308);
    assert_eq!(response.headers()["location"], "/mlflow/");
    // Outside the prefix there is nothing.
    assert_eq!(get(&format!("{root}/health")).0, 404);
    assert_eq!(get(&format!("{root}/api/2.0/mlflow/experiments/search")).0, 404);
    let (status, body) = get(&format!(
        "{root}/mlflow/api/2.0/mlflow/experiments/search?max_results=5"
    ));
    assert_eq!(status, 200, "{body}");
    // A client with the prefixed tracking URI works as on any server.
    let client = Tracker::open(&server.url).unwrap();
    client.create_experiment("behind-a-prefix", None, &[]).unwrap();
    let run = client
        .create_run(RunOptions::default().experiment(ExperimentId(1)))
        .unwrap();
    client
        .log_text(&run.info.run_id, "through the prefix", "n.txt")
        .unwrap();
    assert_eq!(client.list_artifacts(&run.info.run_id, None).unwrap()[0].path, "n.txt");
    let stderr = server.stop();
    assert!(
        stderr.contains("--workers 4") && stderr.contains("no worker processes"),
        "{stderr}"
    );
    assert!(stderr.contains("--gunicorn-opts is ignored"), "{stderr}");
    let on_disk = fx.tracker().get_run(&run.info.run_id).unwrap().info.artifact_uri;
    let folder = rtrack::artifacts::file_uri_to_path(&on_disk).unwrap();
    assert_eq!(
        std::fs::read_to_string(folder.join("n.txt")).unwrap(),
        "through the prefix"
    );
}

#[test]
fn locations_this_build_cannot_serve_are_refused_at_start() {
    let fx = Fixture::new();
    let store = fx.store_uri();
    for (args, scheme) in [
        (
            vec![
                "server",
                "--backend-store-uri",
                store.as_str(),
                "--artifacts-destination",
                "s3://bucket",
            ],
            "s3",
        ),
        (vec!["ui", "--artifacts-destination", "gs://bucket/artifacts"], "gs"),
        (
            vec![
                "server",
                "--artifacts-destination",
                "wasbs://c@account.blob.core.windows.net/a",
            ],
            "wasbs",
        ),
        (
            vec![
                "server",
                "--artifacts-destination",
                "abfss://c@account.dfs.core.windows.net/a",
            ],
            "abfss",
        ),
        (vec!["server", "--default-artifact-root", "s3://bucket/runs"], "s3"),
        (
            vec!["server", "--backend-store-uri", "postgresql://user@db:5432/mlflow"],
            "postgresql",
        ),
        (
            vec!["server", "--backend-store-uri", "postgres://db/mlflow"],
            "postgres",
        ),
        (vec!["server", "--backend-store-uri", "mysql://db/mlflow"], "mysql"),
    ] {
        let (code, stderr) = fx.fails(&args);
        assert_eq!(code, 2, "{args:?}: {stderr}");
        assert!(stderr.contains(&format!("scheme '{scheme}'")), "{args:?}: {stderr}");
        assert!(stderr.contains("file:"), "{args:?} says what is supported: {stderr}");
    }
    let (_, stderr) = fx.fails(&["server", "--artifacts-destination", "s3://bucket"]);
    assert!(stderr.contains("object stores are not supported"), "{stderr}");
    // Refused before anything was made: no store, and no folder named after the scheme.
    assert!(!fx.store().exists() && !fx.dir.path().join("rtruns").exists());
    assert!(!fx.dir.path().join("s3:").exists());
}

/// A server over a fresh store with `config`'s options, and its URL.
fn serve(fx: &Fixture, config: impl FnOnce(&mut ServerConfig)) -> rtrack::server::RunningServer {
    let mut settings = ServerConfig {
        port: 0,
        ..ServerConfig::new(&fx.store_uri())
    };
    config(&mut settings);
    start(&settings).expect("server starts")
}

fn put(url: &str, body: &str) -> (u16, String) {
    let mut response = agent().put(url).send(body).unwrap();
    (
        response.status().as_u16(),
        response.body_mut().read_to_string().unwrap(),
    )
}

#[test]
fn without_served_artifacts_clients_get_file_uris_and_the_proxy_is_off() {
    let fx = Fixture::new();
    let shared = fx.dir.path().join("shared");
    let server = serve(&fx, |c| {
        c.serve_artifacts = false;
        c.default_artifact_root = Some(shared.to_str().unwrap().to_string());
    });
    let client = Tracker::open(&server.url()).unwrap();
    let id = client.create_experiment("direct", None, &[]).unwrap();
    let location = client.get_experiment(id).unwrap().artifact_location;
    assert_eq!(location, rtrack::artifacts::path_to_file_uri(&shared.join("1")));
    // The client writes there itself.
    let run = client.create_run(RunOptions::default().experiment(id)).unwrap();
    client
        .log_text(&run.info.run_id, "written by the client", "note.txt")
        .unwrap();
    let folder = rtrack::artifacts::file_uri_to_path(&run.info.artifact_uri).unwrap();
    assert!(
        folder.starts_with(&shared) && folder.join("note.txt").is_file(),
        "{folder:?}"
    );
    let (status, body) = put(
        &format!("{}/api/2.0/mlflow-artifacts/artifacts/1/x.txt", server.url()),
        "x",
    );
    assert_eq!(status, 503, "{body}");
    let error: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(error["error_code"], "FEATURE_DISABLED");
    assert!(
        error["message"].as_str().unwrap().contains("--no-serve-artifacts"),
        "{body}"
    );
    server.stop().unwrap();
}

#[test]
fn artifacts_only_serves_the_proxy_and_nothing_else() {
    let fx = Fixture::new();
    let destination = fx.dir.path().join("destination");
    let server = serve(&fx, |c| {
        c.artifacts_only = true;
        c.artifacts_destination = Some(destination.clone());
    });
    let base = format!("{}/api/2.0/mlflow-artifacts/artifacts", server.url());
    assert_eq!(put(&format!("{base}/team/a.txt"), "proxied").0, 200);
    assert_eq!(get(&format!("{base}/team/a.txt")), (200, "proxied".to_string()));
    let (status, listing) = get(&format!("{base}?path=team"));
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<Value>(&listing).unwrap()["files"][0]["path"],
        "a.txt"
    );
    assert_eq!(
        std::fs::read_to_string(destination.join("team/a.txt")).unwrap(),
        "proxied"
    );
    assert_eq!(get(&format!("{}/health", server.url())).0, 200);
    for path in ["/api/2.0/mlflow/experiments/search", "/", "/ui-api/experiments"] {
        let (status, body) = get(&format!("{}{path}", server.url()));
        assert_eq!(status, 503, "{path}: {body}");
        assert!(body.contains("--artifacts-only"), "{body}");
    }
    server.stop().unwrap();
}

#[test]
fn the_default_artifact_root_places_new_experiments() {
    let fx = Fixture::new();
    let destination = fx.dir.path().join("destination");
    // Under the proxied destination: clients see mlflow-artifacts:/team/<id>.
    let server = serve(&fx, |c| {
        c.artifacts_destination = Some(destination.clone());
        c.default_artifact_root = Some("mlflow-artifacts:/team".into());
    });
    let client = Tracker::open(&server.url()).unwrap();
    let id = client.create_experiment("proxied", None, &[]).unwrap();
    assert_eq!(
        client.get_experiment(id).unwrap().artifact_location,
        "mlflow-artifacts:/team/1"
    );
    let run = client.create_run(RunOptions::default().experiment(id)).unwrap();
    client.log_text(&run.info.run_id, "under team", "t.txt").unwrap();
    server.stop().unwrap();
    let folder = destination.join("team/1").join(&run.info.run_id).join("artifacts");
    assert_eq!(std::fs::read_to_string(folder.join("t.txt")).unwrap(), "under team");
    // Another folder, while serving: clients are given its file URIs.
    let elsewhere = fx.dir.path().join("elsewhere");
    let server = serve(&fx, |c| {
        c.artifacts_destination = Some(destination.clone());
        c.default_artifact_root = Some(elsewhere.to_str().unwrap().to_string());
    });
    let client = Tracker::open(&server.url()).unwrap();
    let id = client.create_experiment("direct", None, &[]).unwrap();
    assert_eq!(
        client.get_experiment(id).unwrap().artifact_location,
        rtrack::artifacts::path_to_file_uri(&elsewhere.join(id.to_string()))
    );
    // Experiments made before keep their place.
    assert_eq!(
        client.get_experiment(ExperimentId(1)).unwrap().artifact_location,
        "mlflow-artifacts:/team/1"
    );
    server.stop().unwrap();
}
