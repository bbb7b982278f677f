//! `rtrack runs list|describe|delete|restore`, with `mlflow runs`'s option names.

use serde_json::Value;

use super::experiments::view;
use super::options::{Command, Group, Opt};
use super::output::{self, print_json, say, table};
use super::{format, open_tracker, required, CliError, Format, OUTPUT, TRACKING_URI};
use crate::api::fluent;
use crate::entities::Run;
use crate::store::RunSearch;
use crate::ExperimentId;

const RUN_ID: Opt = Opt::value("--run-id", None, "ID", "the run's id");

const LIST: Command = Command {
    name: "runs list",
    about: "List the runs of an experiment, newest first (date, name, id).",
    options: &[
        Opt::value(
            "--experiment-id",
            None,
            "ID",
            "the experiment (default: RTRACK_EXPERIMENT_ID or MLFLOW_EXPERIMENT_ID)",
        ),
        Opt::value(
            "--view",
            Some("-v"),
            "VIEW",
            "active_only (the default), deleted_only or all",
        ),
        OUTPUT,
        TRACKING_URI,
    ],
    refused: &[],
    notes: "",
};

const DESCRIBE: Command = Command {
    name: "runs describe",
    about: "Print a run: info, params, latest metrics and tags (JSON, as mlflow runs describe).",
    options: &[
        RUN_ID,
        Opt::value("--output", None, "FORMAT", "json (the default) or table"),
        TRACKING_URI,
    ],
    refused: &[],
    notes: "",
};

const DELETE: Command = Command {
    name: "runs delete",
    about: "Mark a run deleted; restore brings it back.",
    options: &[RUN_ID, TRACKING_URI],
    refused: &[],
    notes: "",
};

const RESTORE: Command = Command {
    name: "runs restore",
    about: "Restore a deleted run.",
    options: &[RUN_ID, TRACKING_URI],
    refused: &[],
    notes: "",
};

const GROUP: Group = Group {
    name: "runs",
    about: "Manage the runs of the tracking URI in force.",
    commands: &[&LIST, &DESCRIBE, &DELETE, &RESTORE],
};

pub fn run(args: &[String]) -> Result<(), CliError> {
    let (command, rest) = GROUP.select(args)?;
    let parsed = command.parse(rest)?;
    let tracker = open_tracker(&parsed)?;
    match command.name {
        "runs list" => {
            let format = format(command, &parsed, Format::Table)?;
            let experiment = match parsed.value("--experiment-id") {
                Some(id) => id.to_string(),
                None => fluent::env_setting(fluent::EXPERIMENT_ID_ENV)
                    .ok_or_else(|| command.usage_error("'runs list' needs --experiment-id"))?,
            };
            let mut search = RunSearch {
                experiment_ids: vec![ExperimentId::parse(&experiment)?],
                view: view(command, &parsed)?,
                order_by: vec!["attributes.start_time DESC".into()],
                ..Default::default()
            };
            let mut runs: Vec<Run> = Vec::new();
            loop {
                let page = tracker.search_runs(&search)?;
                runs.extend(page.items);
                match page.next_page_token {
                    Some(token) => search.page_token = Some(token),
                    None => break,
                }
            }
            match format {
                Format::Json => print_json(&Value::Array(runs.iter().map(output::run).collect())),
                Format::Table => {
                    let rows: Vec<Vec<String>> = runs
                        .iter()
                        .map(|run| {
                            vec![
                                output::time(Some(run.info.start_time)),
                                run.info.run_name.clone(),
                                run.info.run_id.clone(),
                            ]
                        })
                        .collect();
                    say(table(&["Date (UTC)", "Name", "ID"], &rows));
                }
            }
        }
        "runs describe" => {
            let format = format(command, &parsed, Format::Json)?;
            let run = tracker.get_run(required(command, &parsed, &RUN_ID)?)?;
            match format {
                Format::Json => print_json(&output::run(&run)),
                Format::Table => say(describe(&run)),
            }
        }
        "runs delete" => {
            let run_id = required(command, &parsed, &RUN_ID)?;
            tracker.delete_run(run_id)?;
            say(format!("Run with ID {run_id} has been deleted."));
        }
        "runs restore" => {
            let run_id = required(command, &parsed, &RUN_ID)?;
            tracker.restore_run(run_id)?;
            say(format!("Run with id {run_id} has been restored."));
        }
        other => unreachable!("'{other}' is in the group but has no handler"),
    }
    tracker.flush()?;
    Ok(())
}

/// A run as a few small tables: info, then params, metrics and tags.
fn describe(run: &Run) -> String {
    let info = &run.info;
    let duration = info
        .end_time
        .map(|end| crate::display::format::duration(end - info.start_time))
        .unwrap_or_default();
    let fields = vec![
        vec!["run id".into(), info.run_id.clone()],
        vec!["name".into(), info.run_name.clone()],
        vec!["experiment id".into(), info.experiment_id.to_string()],
        vec!["status".into(), info.status.to_string()],
        vec!["lifecycle stage".into(), info.lifecycle_stage.to_string()],
        vec!["user".into(), info.user_id.clone()],
        vec!["start time (UTC)".into(), output::time(Some(info.start_time))],
        vec!["end time (UTC)".into(), output::time(info.end_time)],
        vec!["duration".into(), duration],
        vec!["artifact uri".into(), info.artifact_uri.clone()],
    ];
    let pairs = |map: &std::collections::BTreeMap<String, String>| -> Vec<Vec<String>> {
        map.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect()
    };
    let metrics: Vec<Vec<String>> = run
        .data
        .metrics
        .iter()
        .map(|(key, m)| vec![key.clone(), m.value.to_string(), m.step.to_string()])
        .collect();
    [
        table(&["Field", "Value"], &fields),
        table(&["Param", "Value"], &pairs(&run.data.params)),
        table(&["Metric", "Latest value", "Step"], &metrics),
        table(&["Tag", "Value"], &pairs(&run.data.tags)),
    ]
    .join("\n\n")
}
