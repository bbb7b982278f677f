//! `rtrack experiments search|get|create|rename|delete|restore`, with `mlflow experiments`'s
//! option names.

use serde_json::Value;

use super::options::{Command, Group, Opt, Parsed};
use super::output::{self, print_json, say, table};
use super::{format, open_tracker, required, CliError, Format, OUTPUT, TRACKING_URI};
use crate::artifacts::{path_to_file_uri, uri_scheme};
use crate::entities::{Experiment, ViewType};
use crate::store::ExperimentSearch;
use crate::ExperimentId;

const EXPERIMENT_ID: Opt = Opt::value("--experiment-id", Some("-x"), "ID", "the experiment's id");
const EXPERIMENT_NAME: Opt = Opt::value("--experiment-name", Some("-n"), "NAME", "the experiment's name");
const VIEW: Opt = Opt::value(
    "--view",
    Some("-v"),
    "VIEW",
    "active_only (the default), deleted_only or all",
);

pub const SEARCH: Command = Command {
    name: "experiments search",
    about: "List the experiments (id, name, artifact location).",
    options: &[
        VIEW,
        Opt::value("--max-results", None, "N", "at most this many (default: all)"),
        OUTPUT,
        TRACKING_URI,
    ],
    refused: &[],
    notes: "",
};

const GET: Command = Command {
    name: "experiments get",
    about: "Show one experiment, by id or by name.",
    options: &[EXPERIMENT_ID, EXPERIMENT_NAME, OUTPUT, TRACKING_URI],
    refused: &[],
    notes: "",
};

const ARTIFACT_LOCATION: Opt = Opt::value(
    "--artifact-location",
    Some("-l"),
    "URI",
    "where its runs keep artifacts (a folder or file: URI; default: the store's choice)",
);

const CREATE: Command = Command {
    name: "experiments create",
    about: "Create an experiment and print its id.",
    options: &[EXPERIMENT_NAME, ARTIFACT_LOCATION, OUTPUT, TRACKING_URI],
    refused: &[],
    notes: "",
};

const NEW_NAME: Opt = Opt::value("--new-name", None, "NAME", "the name it gets");

const RENAME: Command = Command {
    name: "experiments rename",
    about: "Rename an active experiment.",
    options: &[EXPERIMENT_ID, NEW_NAME, TRACKING_URI],
    refused: &[],
    notes: "",
};

const DELETE: Command = Command {
    name: "experiments delete",
    about: "Mark an experiment (and its runs) deleted; restore brings it back.",
    options: &[EXPERIMENT_ID, TRACKING_URI],
    refused: &[],
    notes: "",
};

const RESTORE: Command = Command {
    name: "experiments restore",
    about: "Restore a deleted experiment.",
    options: &[EXPERIMENT_ID, TRACKING_URI],
    refused: &[],
    notes: "",
};

const GROUP: Group = Group {
    name: "experiments",
    about: "Manage the experiments of the tracking URI in force.",
    commands: &[&SEARCH, &GET, &CREATE, &RENAME, &DELETE, &RESTORE],
};

pub fn run(args: &[String]) -> Result<(), CliError> {
    let (command, rest) = GROUP.select(args)?;
    let parsed = command.parse(rest)?;
    let tracker = open_tracker(&parsed)?;
    let id = |parsed: &Parsed| -> Result<ExperimentId, CliError> {
        Ok(ExperimentId::parse(required(command, parsed, &EXPERIMENT_ID)?)?)
    };
    match command.name {
        "experiments search" => {
            let format = format(command, &parsed, Format::Table)?;
            let view = view(command, &parsed)?;
            let max_results = match parsed.value("--max-results") {
                None => usize::MAX,
                Some(text) => text
                    .parse()
                    .map_err(|_| command.usage_error(format!("invalid --max-results '{text}': expected a number")))?,
            };
            let mut experiments = search(&tracker, view, max_results)?;
            experiments.sort_by_key(|e| e.experiment_id.0);
            match format {
                Format::Json => print_json(&Value::Array(experiments.iter().map(output::experiment).collect())),
                Format::Table => {
                    let rows: Vec<Vec<String>> = experiments
                        .iter()
                        .map(|e| vec![e.experiment_id.to_string(), e.name.clone(), e.artifact_location.clone()])
                        .collect();
                    say(table(&["Experiment Id", "Name", "Artifact Location"], &rows));
                }
            }
        }
        "experiments get" => {
            let format = format(command, &parsed, Format::Table)?;
            let experiment = match (parsed.value(EXPERIMENT_ID.long), parsed.value(EXPERIMENT_NAME.long)) {
                (Some(id), None) => tracker.get_experiment(ExperimentId::parse(id)?)?,
                (None, Some(name)) => tracker
                    .get_experiment_by_name(name)?
                    .ok_or_else(|| crate::Error::not_found(format!("Experiment with name '{name}' does not exist")))?,
                _ => {
                    return Err(
                        command.usage_error("give exactly one of --experiment-id (-x) and --experiment-name (-n)")
                    )
                }
            };
            match format {
                Format::Json => print_json(&output::experiment(&experiment)),
                Format::Table => say(describe(&experiment)),
            }
        }
        "experiments create" => {
            let format = format(command, &parsed, Format::Table)?;
            let name = required(command, &parsed, &EXPERIMENT_NAME)?;
            let location = parsed.value(ARTIFACT_LOCATION.long).map(artifact_location);
            let id = tracker.create_experiment(name, location.as_deref(), &[])?;
            match format {
                Format::Json => print_json(&output::experiment(&tracker.get_experiment(id)?)),
                Format::Table => say(format!("Created experiment '{name}' with id {id}")),
            }
        }
        "experiments rename" => {
            let id = id(&parsed)?;
            let new_name = required(command, &parsed, &NEW_NAME)?;
            tracker.rename_experiment(id, new_name)?;
            say(format!("Experiment with id {id} has been renamed to '{new_name}'."));
        }
        "experiments delete" => {
            let id = id(&parsed)?;
            tracker.delete_experiment(id)?;
            say(format!("Experiment with id {id} has been deleted."));
        }
        "experiments restore" => {
            let id = id(&parsed)?;
            tracker.restore_experiment(id)?;
            say(format!("Experiment with id {id} has been restored."));
        }
        other => unreachable!("'{other}' is in the group but has no handler"),
    }
    tracker.flush()?;
    Ok(())
}

/// `--view`, as MLflow spells it (any case).
pub fn view(command: &Command, parsed: &Parsed) -> Result<ViewType, CliError> {
    match parsed.value("--view") {
        None => Ok(ViewType::ActiveOnly),
        Some(text) => text.parse().map_err(|_| {
            command.usage_error(format!(
                "invalid --view '{text}': expected active_only, deleted_only or all"
            ))
        }),
    }
}

/// Every experiment the view admits, up to `max_results`, following the pages.
fn search(tracker: &crate::Tracker, view: ViewType, max_results: usize) -> Result<Vec<Experiment>, CliError> {
    let mut found = Vec::new();
    let mut search = ExperimentSearch {
        view,
        ..Default::default()
    };
    while found.len() < max_results {
        search.max_results = (max_results - found.len()).min(1000);
        let page = tracker.search_experiments(&search)?;
        found.extend(page.items);
        match page.next_page_token {
            Some(token) => search.page_token = Some(token),
            None => break,
        }
    }
    Ok(found)
}

/// A local path becomes an absolute file URI, as MLflow's stores keep it; URIs stay as given.
fn artifact_location(location: &str) -> String {
    match uri_scheme(location) {
        Some(_) => location.to_string(),
        None => path_to_file_uri(std::path::Path::new(location)),
    }
}

/// `Field: value` lines, as `mlflow experiments get` prints them.
fn describe(experiment: &Experiment) -> String {
    let tags: Vec<String> = experiment.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let fields = [
        ("Experiment ID", experiment.experiment_id.to_string()),
        ("Name", experiment.name.clone()),
        ("Artifact Location", experiment.artifact_location.clone()),
        ("Lifecycle Stage", experiment.lifecycle_stage.to_string()),
        ("Creation Time", output::time(Some(experiment.creation_time))),
        ("Last Update Time", output::time(Some(experiment.last_update_time))),
        ("Tags", tags.join(", ")),
    ];
    let width = fields.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let lines: Vec<String> = fields
        .iter()
        .map(|(name, value)| format!("{name:width$}  : {value}").trim_end().to_string())
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn views_in_mlflow_spelling() {
        for (text, expected) in [
            ("", ViewType::ActiveOnly),
            ("--view active_only", ViewType::ActiveOnly),
            ("-v deleted_only", ViewType::DeletedOnly),
            ("--view ALL", ViewType::All),
        ] {
            let parsed = SEARCH.parse(&args(text)).unwrap();
            assert_eq!(view(&SEARCH, &parsed).unwrap(), expected, "{text}");
        }
        let parsed = SEARCH.parse(&args("--view everything")).unwrap();
        assert!(matches!(view(&SEARCH, &parsed), Err(CliError::Usage { .. })));
    }

    #[test]
    fn required_options_are_named() {
        let parsed = RENAME.parse(&args("-x 1")).unwrap();
        let Err(CliError::Usage { message, .. }) = required(&RENAME, &parsed, &NEW_NAME) else {
            panic!("--new-name is required");
        };
        assert_eq!(message, "'experiments rename' needs --new-name");
        let parsed = CREATE.parse(&args("-l /tmp/x")).unwrap();
        let Err(CliError::Usage { message, .. }) = required(&CREATE, &parsed, &EXPERIMENT_NAME) else {
            panic!("--experiment-name is required");
        };
        assert_eq!(message, "'experiments create' needs --experiment-name (-n)");
    }

    #[test]
    fn local_artifact_locations_become_file_uris() {
        assert_eq!(artifact_location("s3://bucket/x"), "s3://bucket/x");
        assert_eq!(artifact_location("file:///data/x"), "file:///data/x");
        let uri = artifact_location("some dir");
        assert!(uri.starts_with("file:///") && uri.ends_with("/some%20dir"), "{uri}");
    }
}
