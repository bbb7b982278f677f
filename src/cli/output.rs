//! What the commands print: plain tables for people, JSON for scripts. The JSON shapes are
//! MLflow's Python dictionaries (`Experiment`, `Run.to_dictionary()`, `FileInfo`), so a script
//! written against `mlflow ... ` output reads rtrack's.

use serde_json::{json, Map, Value};

use crate::display::format::timestamp;
use crate::entities::{Experiment, FileInfo, Run, RunInfo};
use crate::proto_json::double_to_json;

/// Columns padded to their widest cell, a rule under the header, no trailing spaces.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:width$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let mut lines = vec![
        line(headers.iter().map(|h| h.to_string()).collect()),
        line(widths.iter().map(|w| "-".repeat(*w)).collect()),
    ];
    lines.extend(rows.iter().map(|row| line(row.clone())));
    lines.join("\n")
}

/// A line on stdout. A closed pipe (`rtrack ... | head`) is not an error worth a panic.
pub fn say(text: impl std::fmt::Display) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

pub fn print_json(value: &Value) {
    say(serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string()));
}

/// Milliseconds since the epoch as a UTC date and time, or "" for none.
pub fn time(millis: Option<i64>) -> String {
    millis.map(timestamp).unwrap_or_default()
}

pub fn experiment(experiment: &Experiment) -> Value {
    json!({
        "experiment_id": experiment.experiment_id.to_string(),
        "name": experiment.name,
        "artifact_location": experiment.artifact_location,
        "lifecycle_stage": experiment.lifecycle_stage.as_str(),
        "creation_time": experiment.creation_time,
        "last_update_time": experiment.last_update_time,
        "tags": experiment.tags,
    })
}

pub fn run_info(info: &RunInfo) -> Value {
    json!({
        "run_id": info.run_id,
        "run_uuid": info.run_id,
        "run_name": info.run_name,
        "experiment_id": info.experiment_id.to_string(),
        "user_id": info.user_id,
        "status": info.status.as_str(),
        "start_time": info.start_time,
        "end_time": info.end_time,
        "artifact_uri": info.artifact_uri,
        "lifecycle_stage": info.lifecycle_stage.as_str(),
    })
}

/// A run as MLflow's `Run.to_dictionary()`: info, and data with metrics (latest values),
/// params and tags as objects. Non-finite metrics are "NaN", "Infinity", "-Infinity".
pub fn run(run: &Run) -> Value {
    let metrics: Map<String, Value> = run
        .data
        .metrics
        .iter()
        .map(|(key, metric)| (key.clone(), double_to_json(metric.value)))
        .collect();
    json!({
        "info": run_info(&run.info),
        "data": {
            "metrics": metrics,
            "params": run.data.params,
            "tags": run.data.tags,
        },
    })
}

pub fn file_info(file: &FileInfo) -> Value {
    let mut out = Map::new();
    out.insert("path".into(), json!(file.path));
    out.insert("is_dir".into(), json!(file.is_dir));
    if let Some(size) = file.file_size {
        out.insert("file_size".into(), json!(size));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_line_up() {
        let rows = vec![
            vec!["1".to_string(), "wine quality".to_string(), "x".to_string()],
            vec!["10".to_string(), "é".to_string(), "".to_string()],
        ];
        assert_eq!(
            table(&["Id", "Name", "Note"], &rows),
            "Id  Name          Note\n--  ------------  ----\n1   wine quality  x\n10  é"
        );
        assert_eq!(table(&["Id"], &[]), "Id\n--");
    }

    #[test]
    fn times_are_utc() {
        assert_eq!(time(Some(0)), "1970-01-01 00:00:00");
        assert_eq!(time(None), "");
    }
}
