//! The `rtrack` command, MLflow's command line for a user who knows it: `rtrack server` and
//! `rtrack ui`, `rtrack models serve`, and `rtrack experiments|runs|artifacts ...` on the
//! tracking URI in force. The Rust binary and the Python console script both hand their
//! arguments to [`main`].
//!
//! Each command group has its file; [`options`] is the parser they share, which also writes
//! each command's `--help` from the same table of options.

mod artifacts;
mod experiments;
mod models;
mod options;
mod output;
mod runs;
mod server;

use crate::api::{fluent, Tracker};

use options::{Opt, Parsed};

const USAGE: &str = "\
usage: rtrack <command> [options]

commands:
  server       MLflow's REST API and the web UI on a tracking store, e.g.
               rtrack server --backend-store-uri sqlite:///m.db --port 5000
  ui           the same server, announced as the web UI (as mlflow ui)
  experiments  search, get, create, rename, delete and restore experiments
  runs         list, describe, delete and restore runs
  artifacts    list, download and log the artifacts of a run
  models       serve a model over MLflow's scoring protocol (models serve)

experiments, runs, artifacts and models work on the tracking URI in force: --tracking-uri URI,
else RTRACK_TRACKING_URI (or MLFLOW_TRACKING_URI), else ./rtruns.
Run 'rtrack <command> --help' for a command's options.

options:
  -h, --help       show this help
  -V, --version    show the version";

/// Run the command line `args` (without the program name); returns the exit code: 0 done,
/// 1 failed, 2 the command line was wrong.
pub fn main(args: &[String]) -> i32 {
    match run(args) {
        Ok(()) => 0,
        Err(CliError::Help(text)) => {
            output::say(text);
            0
        }
        Err(CliError::Usage { command, message }) if command.is_empty() => {
            eprintln!("rtrack: {message}\n\n{USAGE}");
            2
        }
        Err(CliError::Usage { command, message }) => {
            eprintln!("rtrack {command}: {message}\n(run 'rtrack {command} --help' for its options)");
            2
        }
        Err(CliError::Failed(error)) => {
            eprintln!("rtrack: {error}");
            1
        }
    }
}

/// Why a command did not run to the end.
#[derive(Debug)]
pub(crate) enum CliError {
    /// Help was asked for: the text goes to stdout and the exit code is 0.
    Help(String),
    /// The command line is wrong; `command` is the command it was for ("" for none).
    Usage { command: String, message: String },
    /// The command ran and failed.
    Failed(crate::Error),
}

impl From<crate::Error> for CliError {
    fn from(error: crate::Error) -> Self {
        CliError::Failed(error)
    }
}

fn run(args: &[String]) -> Result<(), CliError> {
    let Some((command, rest)) = args.split_first() else {
        return Err(top_level_error("no command given"));
    };
    match command.as_str() {
        "-h" | "--help" => Err(CliError::Help(USAGE.into())),
        // `rtrack help server` is `rtrack server --help`.
        "help" if rest.is_empty() => Err(CliError::Help(USAGE.into())),
        "help" => run(&[rest, &["--help".to_string()]].concat()),
        "-V" | "--version" => {
            println!("rtrack {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        "server" | "ui" => server::run(command, rest),
        "models" => models::run(rest),
        "experiments" => experiments::run(rest),
        "runs" => runs::run(rest),
        "artifacts" => artifacts::run(rest),
        other => Err(top_level_error(format!("unknown command '{other}'"))),
    }
}

fn top_level_error(message: impl Into<String>) -> CliError {
    CliError::Usage {
        command: String::new(),
        message: message.into(),
    }
}

// ----- what the experiments, runs and artifacts commands share -----

const TRACKING_URI: Opt = Opt::value(
    "--tracking-uri",
    None,
    "URI",
    "the store to work on (default: RTRACK_TRACKING_URI, MLFLOW_TRACKING_URI, ./rtruns)",
);

const OUTPUT: Opt = Opt::value("--output", None, "FORMAT", "table (the default) or json");

/// The tracker for `--tracking-uri`, else for the tracking URI in force.
fn open_tracker(parsed: &Parsed) -> Result<Tracker, CliError> {
    let uri = match parsed.value(TRACKING_URI.long) {
        Some(uri) => uri.to_string(),
        None => fluent::get_tracking_uri(),
    };
    Ok(Tracker::open(&uri)?)
}

/// How a command prints what it found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

fn format(command: &options::Command, parsed: &Parsed, default: Format) -> Result<Format, CliError> {
    match parsed.value(OUTPUT.long) {
        None => Ok(default),
        Some("table") => Ok(Format::Table),
        Some("json") => Ok(Format::Json),
        Some(other) => Err(command.usage_error(format!("invalid --output '{other}': expected table or json"))),
    }
}

/// The value of an option the command cannot do without.
fn required<'p>(command: &options::Command, parsed: &'p Parsed, option: &Opt) -> Result<&'p str, CliError> {
    parsed.value(option.long).ok_or_else(|| {
        let name = match option.short {
            Some(short) => format!("{} ({short})", option.long),
            None => option.long.to_string(),
        };
        command.usage_error(format!("'{}' needs {name}", command.name))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn exit_codes() {
        for line in [
            "--help",
            "-h",
            "help",
            "help server",
            "server --help",
            "server -h",
            "ui --help",
            "experiments --help",
            "experiments create --help",
            "runs list -h",
            "artifacts download --help",
            "models serve --help",
            "--version",
        ] {
            assert_eq!(main(&args(line)), 0, "{line}");
        }
        for line in [
            "",
            "frobnicate",
            "experiments",
            "experiments frobnicate",
            "runs list --colour red",
        ] {
            assert_eq!(main(&args(line)), 2, "{line}");
        }
    }

    #[test]
    fn help_reaches_the_command_asked_about() {
        let help = |line: &str| match run(&args(line)) {
            Err(CliError::Help(text)) => text,
            other => panic!("{line}: {other:?}"),
        };
        assert!(help("--help").contains("--backend-store-uri"));
        assert!(help("help server").starts_with("usage: rtrack server [options]"));
        assert!(help("server -h").contains("--default-artifact-root"));
        assert!(help("experiments --help").contains("rename"));
        assert!(help("runs describe --help").contains("--run-id"));
    }

    #[test]
    fn output_formats() {
        let command = &experiments::SEARCH;
        let parsed = command.parse(&args("--output json")).unwrap();
        assert_eq!(format(command, &parsed, Format::Table).unwrap(), Format::Json);
        let parsed = command.parse(&args("")).unwrap();
        assert_eq!(format(command, &parsed, Format::Table).unwrap(), Format::Table);
        let parsed = command.parse(&args("--output yaml")).unwrap();
        assert!(matches!(
            format(command, &parsed, Format::Table),
            Err(CliError::Usage { .. })
        ));
    }
}
