//! Which locations a client may hand the server: a server that later reads the files there
//! (the UI's version page, artifact downloads) must never be pointed at a folder of the
//! client's choosing.
//!
//! A model version's source follows MLflow 3's rules: a local path or proxied URI must lie
//! inside the artifacts of the run (`run_id`) or logged model (`model_id`) the request
//! names; `runs:/` and `models:/` URIs must name that same run or model; nothing may climb
//! with `..`. A new experiment's artifact location may not climb either, and on a server
//! that proxies artifacts a local one must lie under the artifact root.

use std::path::{Component, Path, PathBuf};

use super::error::{ApiError, ApiResult};
use super::AppState;
use crate::artifacts::{file_uri_to_path, uri_scheme};

/// Refuse `location` as a new experiment's artifact location when it climbs out of where it
/// points, names a host the server would fetch from, or, on a proxied server, is a local
/// folder outside the artifact root (unless new experiments default to a local root of
/// their own, `--default-artifact-root`). `location` is as the store will keep it.
pub fn check_experiment_location(state: &AppState, sent: &str, location: &str) -> ApiResult<()> {
    let decoded = fully_decoded(sent);
    let climbs = |text: &str| text.split(['/', '\\']).any(|part| part == "..");
    if decoded.contains('\0') || climbs(sent) || climbs(&decoded) {
        return Err(ApiError::invalid(format!(
            "Invalid artifact_location '{sent}': it may not contain '..' path parts or NUL characters"
        )));
    }
    if sent.starts_with("runs:") {
        return Err(ApiError::invalid(format!(
            "Artifact location cannot be a runs:/ URI. Given: '{sent}'"
        )));
    }
    let scheme = uri_scheme(location).map(str::to_ascii_lowercase);
    match scheme.as_deref() {
        Some(other @ ("http" | "https" | "ftp" | "sftp" | "hdfs" | "viewfs")) => Err(ApiError::invalid(format!(
            "Invalid value for 'artifact_location': the '{other}' scheme addresses a host other than the \
             tracking server's configured artifact storage, so the server would connect to the host named in the URI"
        ))),
        None | Some("file") if state.uris.is_proxied() && !state.local_experiment_roots => {
            let root = local_path(&state.artifact_root);
            if within(&local_path(location), &Some(root)) {
                return Ok(());
            }
            Err(ApiError::invalid(format!(
                "Invalid artifact_location '{sent}': this server proxies artifacts, so a local location must lie \
                 under its artifact root; give mlflow-artifacts:/<path>, or leave it out"
            )))
        }
        _ => Ok(()),
    }
}

/// Refuse `source` unless MLflow would accept it for a version of `run_id` / `model_id`.
pub fn check_version_source(
    state: &AppState,
    source: &str,
    run_id: Option<&str>,
    model_id: Option<&str>,
) -> ApiResult<()> {
    let decoded = fully_decoded(source);
    let climbs = |text: &str| text.split(['/', '\\']).any(|part| part == "..");
    let scheme = uri_scheme(source).map(str::to_ascii_lowercase);
    let local = matches!(scheme.as_deref(), None | Some("file"));
    // A local source is judged by where it leads once `..` is resolved (MLflow 3.17 does the
    // same); every other kind may not climb at all.
    if decoded.contains('\0') || (!local && (climbs(source) || climbs(&decoded))) {
        return Err(ApiError::invalid(format!(
            "Invalid model version source: '{source}'. If supplying a source as an http, https, local file path, \
             ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path \
             references present. Please provide an absolute path."
        )));
    }
    let (owner, owner_id) = match model_id {
        Some(id) => ("model_id", Some(id)),
        None => ("run_id", run_id),
    };
    let not_identified = || {
        ApiError::invalid(format!(
            "Invalid model version source: '{source}'. The {owner} request parameter must identify the \
             resource that contains the source."
        ))
    };
    match scheme.as_deref() {
        None | Some("file") => {
            let inside = match owner_id {
                Some(id) => within(&resolved(&local_path(source)), &owner_location(state, owner, id)?),
                None => false,
            };
            if inside {
                return Ok(());
            }
            Err(ApiError::invalid(format!(
                "Invalid model version source: '{source}'. To use a local path as a model version source, the \
                 {owner} request parameter has to be specified and the local path has to be contained within the \
                 artifact directory of the {} specified by the {owner}.",
                if model_id.is_some() { "model" } else { "run" }
            )))
        }
        Some("runs") => {
            let rest = &source["runs:".len()..];
            let named = rest.strip_prefix('/').filter(|r| !r.starts_with('/'));
            let named = named.and_then(|r| r.split('/').next()).filter(|id| !id.is_empty());
            match (named, model_id, run_id) {
                (Some(named), None, Some(run_id)) if named == run_id => Ok(()),
                _ => Err(not_identified()),
            }
        }
        Some("models") => {
            let rest = &source["models:".len()..];
            let Some(path) = rest.strip_prefix('/').filter(|r| !r.starts_with('/')) else {
                return Err(not_identified()); // models://<registry>/...: another registry
            };
            // One segment without an alias is a logged model's id: models:/<model_id>.
            let names_a_model = !path.contains('/') && !path.contains('@');
            match (names_a_model, model_id) {
                (false, _) => Ok(()),
                (true, Some(id)) if path == id => Ok(()),
                (true, _) => Err(not_identified()),
            }
        }
        Some("mlflow-artifacts") => match owner_id {
            Some(id) => {
                let stored = state.uris.to_store(source);
                let inside = uri_scheme(&stored).is_some_and(|s| s.eq_ignore_ascii_case("file"))
                    && within(&local_path(&stored), &owner_location(state, owner, id)?);
                inside.then_some(()).ok_or_else(not_identified)
            }
            None => Err(not_identified()),
        },
        // The server would fetch from a host the request names.
        Some(other @ ("http" | "https" | "ftp" | "sftp" | "hdfs" | "viewfs")) => Err(ApiError::invalid(format!(
            "Invalid value for 'source': the '{other}' scheme addresses a host other than the tracking \
             server's configured artifact storage, so the server would connect to the host named in the URI"
        ))),
        // Object stores: the server has no credentials of its own there and reads nothing.
        Some(_) => Ok(()),
    }
}

/// Where the run's or logged model's artifacts are, as a local folder (`None` elsewhere).
fn owner_location(state: &AppState, owner: &str, id: &str) -> ApiResult<Option<PathBuf>> {
    let location = if owner == "model_id" {
        match state.tracker.store().logged_models() {
            Some(models) => models.get_logged_model(id)?.artifact_location,
            None => return Ok(None),
        }
    } else {
        state.tracker.get_run(id)?.info.artifact_uri
    };
    let location = state.uris.to_store(&location);
    match uri_scheme(&location).map(str::to_ascii_lowercase).as_deref() {
        None | Some("file") => Ok(Some(local_path(&location))),
        _ => Ok(None),
    }
}

fn local_path(uri: &str) -> PathBuf {
    let path = file_uri_to_path(uri).unwrap_or_else(|_| PathBuf::from(uri));
    // Drop `.` so the comparison is by real parts (`..` is resolved or refused by the caller).
    path.components().filter(|c| !matches!(c, Component::CurDir)).collect()
}

/// `path` with each `..` taking off the part before it, by the text alone (a `..` above the
/// root stays, and then nothing is within anything).
fn resolved(path: &Path) -> PathBuf {
    let mut parts: Vec<Component<'_>> = Vec::new();
    for component in path.components() {
        match component {
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect()
}

fn within(path: &Path, root: &Option<PathBuf>) -> bool {
    match root {
        Some(root) => path.is_absolute() && !root.as_os_str().is_empty() && path.starts_with(root),
        None => false,
    }
}

/// `source` percent-decoded until nothing changes, so `%2e%2e` counts as `..`.
fn fully_decoded(source: &str) -> String {
    let mut text = source.to_string();
    loop {
        let next = percent_decoded(&text);
        if next == text {
            return text;
        }
        text = next;
    }
}

fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(high), Some(low)) => {
                out.push((high * 16 + low) as u8);
                i += 3;
            }
            (b'+', _, _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_climbs_are_seen() {
        assert_eq!(fully_decoded("a%252e%252e/b"), "a../b");
        assert_eq!(fully_decoded("x%2F..%2Fy"), "x/../y");
        assert!(within(Path::new("/r/a/b"), &Some(PathBuf::from("/r/a"))));
        assert!(!within(Path::new("/r/ab"), &Some(PathBuf::from("/r/a"))));
    }
}
