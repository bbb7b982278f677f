//! `rtrack artifacts list|download|log-artifact|log-artifacts`, with `mlflow artifacts`'s
//! option names.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use super::options::{Command, Group, Opt, Parsed};
use super::output::{self, print_json, say, table};
use super::{format, open_tracker, required, CliError, Format, OUTPUT, TRACKING_URI};
use crate::api::ModelUri;
use crate::artifacts::{file_uri_to_path, path_to_file_uri, uri_scheme};
use crate::Tracker;

const RUN_ID: Opt = Opt::value("--run-id", Some("-r"), "ID", "the run");
const ARTIFACT_PATH: Opt = Opt::value(
    "--artifact-path",
    Some("-a"),
    "PATH",
    "a path inside the run's artifacts (default: the root)",
);

const LIST: Command = Command {
    name: "artifacts list",
    about: "List the artifacts directly under a run's artifact root, or under --artifact-path.",
    options: &[RUN_ID, ARTIFACT_PATH, OUTPUT, TRACKING_URI],
    refused: &[],
    notes: "--output json prints MLflow's list: [{\"path\": ..., \"is_dir\": ..., \"file_size\": ...}]",
};

const ARTIFACT_URI: Opt = Opt::value(
    "--artifact-uri",
    Some("-u"),
    "URI",
    "instead of --run-id: runs:/<run_id>/<path>, a file: URI or path, or an artifact URI\n\
     the tracking URI reaches (mlflow-artifacts:/... through a server)",
);
const DST_PATH: Opt = Opt::value(
    "--dst-path",
    Some("-d"),
    "DIR",
    "the folder to download into, created if missing (default: a new temporary folder)",
);

const DOWNLOAD: Command = Command {
    name: "artifacts download",
    about: "Download an artifact file or folder and print its local path.",
    options: &[RUN_ID, ARTIFACT_PATH, ARTIFACT_URI, DST_PATH, OUTPUT, TRACKING_URI],
    refused: &[],
    notes: "",
};

const LOCAL_FILE: Opt = Opt::value("--local-file", Some("-l"), "FILE", "the file to log");
const LOG_ARTIFACT: Command = Command {
    name: "artifacts log-artifact",
    about: "Log a local file as an artifact of a run (under --artifact-path if given).",
    options: &[LOCAL_FILE, RUN_ID, ARTIFACT_PATH, TRACKING_URI],
    refused: &[],
    notes: "",
};

const LOCAL_DIR: Opt = Opt::value("--local-dir", Some("-l"), "DIR", "the folder whose contents to log");
const LOG_ARTIFACTS: Command = Command {
    name: "artifacts log-artifacts",
    about: "Log the contents of a local folder as artifacts of a run.",
    options: &[LOCAL_DIR, RUN_ID, ARTIFACT_PATH, TRACKING_URI],
    refused: &[],
    notes: "",
};

const GROUP: Group = Group {
    name: "artifacts",
    about: "List, download and log the artifacts of runs of the tracking URI in force.",
    commands: &[&LIST, &DOWNLOAD, &LOG_ARTIFACT, &LOG_ARTIFACTS],
};

pub fn run(args: &[String]) -> Result<(), CliError> {
    let (command, rest) = GROUP.select(args)?;
    let parsed = command.parse(rest)?;
    let tracker = open_tracker(&parsed)?;
    let artifact_path = parsed.value(ARTIFACT_PATH.long).filter(|p| !p.is_empty());
    match command.name {
        "artifacts list" => {
            let format = format(command, &parsed, Format::Table)?;
            let files = tracker.list_artifacts(required(command, &parsed, &RUN_ID)?, artifact_path)?;
            match format {
                Format::Json => print_json(&Value::Array(files.iter().map(output::file_info).collect())),
                Format::Table => {
                    let rows: Vec<Vec<String>> = files
                        .iter()
                        .map(|file| {
                            let size = file.file_size.map(|s| s.to_string()).unwrap_or_default();
                            let kind = if file.is_dir { "dir" } else { "file" };
                            vec![file.path.clone(), kind.to_string(), size]
                        })
                        .collect();
                    say(table(&["Path", "Kind", "Size"], &rows));
                }
            }
        }
        "artifacts download" => {
            let format = format(command, &parsed, Format::Table)?;
            let local = download(command, &parsed, &tracker, artifact_path)?;
            match format {
                Format::Json => print_json(&json!({ "path": local.to_string_lossy() })),
                Format::Table => say(local.display()),
            }
        }
        "artifacts log-artifact" => {
            let run_id = required(command, &parsed, &RUN_ID)?;
            let file = Path::new(required(command, &parsed, &LOCAL_FILE)?);
            if !file.is_file() {
                return Err(crate::Error::invalid(format!("'{}' is not a file", file.display())).into());
            }
            tracker.log_artifact(run_id, file, artifact_path)?;
            say(format!(
                "Logged artifact from local file {} to artifact_path={}",
                file.display(),
                artifact_path.unwrap_or("")
            ));
        }
        "artifacts log-artifacts" => {
            let run_id = required(command, &parsed, &RUN_ID)?;
            let folder = Path::new(required(command, &parsed, &LOCAL_DIR)?);
            if !folder.is_dir() {
                return Err(crate::Error::invalid(format!("'{}' is not a folder", folder.display())).into());
            }
            tracker.log_artifacts(run_id, folder, artifact_path)?;
            say(format!(
                "Logged artifacts from local dir {} to artifact_path={}",
                folder.display(),
                artifact_path.unwrap_or("")
            ));
        }
        other => unreachable!("'{other}' is in the group but has no handler"),
    }
    tracker.flush()?;
    Ok(())
}

/// Copy what `--run-id`/`--artifact-path` or `--artifact-uri` names into the destination
/// folder; returns the local path of the copy.
fn download(
    command: &Command,
    parsed: &Parsed,
    tracker: &Tracker,
    artifact_path: Option<&str>,
) -> Result<PathBuf, CliError> {
    // Absolute, so the path printed names the copy from anywhere (as MLflow prints it).
    let destination = match parsed.value(DST_PATH.long) {
        Some(folder) => crate::store::location::absolute(Path::new(folder))?,
        None => std::env::temp_dir().join(format!("rtrack-artifacts-{}", uuid::Uuid::new_v4().simple())),
    };
    let source = match (parsed.value(ARTIFACT_URI.long), parsed.value(RUN_ID.long)) {
        (Some(uri), None) => Source::parse(uri)?,
        (None, Some(run_id)) => Source::Run {
            run_id: run_id.to_string(),
            path: artifact_path.unwrap_or("").to_string(),
        },
        (Some(_), Some(_)) => return Err(command.usage_error("give --artifact-uri or --run-id, not both")),
        (None, None) => {
            return Err(command.usage_error("'artifacts download' needs --run-id (-r) or --artifact-uri (-u)"))
        }
    };
    std::fs::create_dir_all(&destination)
        .map_err(|e| crate::Error::io(format!("creating '{}'", destination.display()), e))?;
    let local = match source {
        Source::Run { run_id, path } => tracker.download_artifacts(&run_id, &path, &destination)?,
        Source::Uri { root, path } => tracker
            .store()
            .artifact_store(&root)?
            .download(&root, &path, &destination)?,
    };
    Ok(local)
}

/// Where an artifact to download lives.
#[derive(Debug, PartialEq, Eq)]
enum Source {
    /// A path in a run's artifacts (`""` for all of them).
    Run { run_id: String, path: String },
    /// The last part of an artifact URI, in the folder the rest names.
    Uri { root: String, path: String },
}

impl Source {
    fn parse(uri: &str) -> Result<Source, CliError> {
        if let Ok(ModelUri::Run { run_id, path }) = ModelUri::parse(uri) {
            return Ok(Source::Run { run_id, path });
        }
        let local = match uri_scheme(uri) {
            None => Some(crate::store::location::absolute(Path::new(uri))?),
            Some(scheme) if scheme.eq_ignore_ascii_case("file") => Some(file_uri_to_path(uri)?),
            Some(_) => None,
        };
        if let Some(path) = local {
            // The folder as a URI, the name as it is on disk (no percent escapes).
            return Ok(match (path.parent(), path.file_name()) {
                (Some(parent), Some(name)) => Source::Uri {
                    root: path_to_file_uri(parent),
                    path: name.to_string_lossy().into_owned(),
                },
                _ => Source::Uri {
                    root: path_to_file_uri(&path),
                    path: String::new(),
                },
            });
        }
        let trimmed = uri.trim_end_matches('/');
        Ok(match trimmed.rsplit_once('/') {
            Some((root, name)) if !name.is_empty() && !root.ends_with(':') => Source::Uri {
                root: root.to_string(),
                path: name.to_string(),
            },
            // The root of a scheme keeps its slash: `mlflow-artifacts:/`.
            _ if trimmed.ends_with(':') => Source::Uri {
                root: format!("{trimmed}/"),
                path: String::new(),
            },
            _ => Source::Uri {
                root: trimmed.to_string(),
                path: String::new(),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uris_name_a_run_path_or_a_file_in_a_folder() {
        let parse = |uri: &str| Source::parse(uri).unwrap();
        let uri = |root: &str, path: &str| Source::Uri {
            root: root.into(),
            path: path.into(),
        };
        let run = |run_id: &str, path: &str| Source::Run {
            run_id: run_id.into(),
            path: path.into(),
        };
        assert_eq!(parse("runs:/abc/model/MLmodel"), run("abc", "model/MLmodel"));
        assert_eq!(parse("runs:/abc"), run("abc", ""));
        assert_eq!(
            parse("mlflow-artifacts:/1/abc/artifacts/model/"),
            uri("mlflow-artifacts:/1/abc/artifacts", "model")
        );
        assert_eq!(parse("mlflow-artifacts:/"), uri("mlflow-artifacts:/", ""));
        // Local names are read back from the URI's escapes.
        #[cfg(unix)]
        assert_eq!(
            parse("file:///data/a%20b/notes%20x.txt"),
            uri("file:///data/a%20b", "notes x.txt")
        );
        let Source::Uri { root, path } = parse("relative dir/notes.txt") else {
            panic!("not a URI");
        };
        assert!(
            root.starts_with("file:///") && root.ends_with("/relative%20dir"),
            "{root}"
        );
        assert_eq!(path, "notes.txt");
        assert!(Source::parse("file://otherhost/a").is_err());
    }
}
