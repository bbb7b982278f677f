//! `rtrack server` and `rtrack ui` (one server; `ui` only announces the page): the options of
//! `mlflow server`, read into a [`ServerConfig`].

use std::path::PathBuf;

use super::options::{Command, Opt, Parsed};
use super::CliError;
use crate::server::{self, ServerConfig};

const OPTIONS: &[Opt] = &[
    Opt::value(
        "--backend-store-uri",
        None,
        "URI",
        "where runs are kept: a folder, file: or sqlite:/// URI (default ./rtruns)",
    ),
    Opt::value(
        "--registry-store-uri",
        None,
        "URI",
        "accepted when it names the backend store, which holds the model registry",
    ),
    Opt::value(
        "--default-artifact-root",
        None,
        "URI",
        "where new experiments keep artifacts: a folder, a file: URI, or mlflow-artifacts:/[path]\n\
         (under --artifacts-destination); default: the artifacts destination when serving\n\
         artifacts, else the store's artifacts/. Existing experiments keep their location",
    ),
    Opt::flag(
        "--serve-artifacts",
        "proxy artifact uploads, downloads and listings (the default): clients see\n\
         mlflow-artifacts:/ URIs and never touch the server's disk",
    ),
    Opt::flag(
        "--no-serve-artifacts",
        "no proxy: clients get the artifact locations' file URIs and read and write there\n\
         themselves (a shared file system); the proxied routes answer 503",
    ),
    Opt::value(
        "--artifacts-destination",
        None,
        "URI",
        "where proxied artifacts go: a folder or file: URI (default: the store's artifacts/)",
    ),
    Opt::flag(
        "--artifacts-only",
        "serve only the proxied artifact routes (and /health, /version); the rest answers 503",
    ),
    Opt::value(
        "--host",
        Some("-h"),
        "HOST",
        "address to listen on (default 127.0.0.1); a bare -h is --help",
    ),
    Opt::value(
        "--port",
        Some("-p"),
        "PORT",
        "port to listen on (default 5000; 0 picks a free one)",
    ),
    Opt::value(
        "--workers",
        Some("-w"),
        "N",
        "accepted for MLflow's scripts: one process serves every request, with async\n\
         workers and a thread pool for the store, so no worker processes are started",
    ),
    Opt::value(
        "--static-prefix",
        None,
        "PREFIX",
        "serve the UI and every route under a path, e.g. /mlflow (clients then use\n\
         http://host:port/mlflow as the tracking URI)",
    ),
    Opt::value(
        "--allowed-hosts",
        None,
        "HOSTS",
        "comma-separated Host headers to answer besides localhost, 127.0.0.1, [::1] and the\n\
         --host address (patterns with *, e.g. mlflow.example.com,*.internal:5000; * for any);\n\
         other hosts get 403, which stops DNS rebinding",
    ),
    Opt::value(
        "--cors-allowed-origins",
        None,
        "ORIGINS",
        "comma-separated origins whose pages may change state here, besides the server's own\n\
         and localhost (e.g. https://app.example.com,https://*.example.org; * for any);\n\
         by default another site's page cannot post to the API (403)",
    ),
    Opt::value(
        "--gunicorn-opts",
        None,
        "OPTS",
        "accepted and ignored, with a note: rtrack has its own HTTP server",
    ),
    Opt::value("--uvicorn-opts", None, "OPTS", "as --gunicorn-opts"),
    Opt::value("--waitress-opts", None, "OPTS", "as --gunicorn-opts"),
];

const SECURITY_ALWAYS_ON: &str =
    "the host, origin and framing checks are always on; widen them with --allowed-hosts and --cors-allowed-origins";

const REFUSED: &[(&str, &str)] = &[
    (
        "--dev",
        "rtrack has no development mode (auto-reload, debug logging); start it without --dev",
    ),
    ("--expose-prometheus", "there is no Prometheus /metrics endpoint yet"),
    (
        "--app-name",
        "rtrack serves its own app only; server plugins are not supported",
    ),
    ("--disable-security-middleware", SECURITY_ALWAYS_ON),
    (
        "--x-frame-options",
        "the UI is sent with X-Frame-Options SAMEORIGIN and CSP frame-ancestors 'self'; other values are not supported",
    ),
    (
        "--read-replica-backend-store-uri",
        "read replicas need a database server store, which is not supported yet",
    ),
    ("--workspace-store-uri", "workspaces are not supported yet"),
    ("--enable-workspaces", "workspaces are not supported yet"),
    ("--trace-archival-config", "traces are not supported yet"),
];

const NOTES: &str = "\
The store and artifact locations are local: s3://, gs://, wasbs://, abfss://, postgresql://,
mysql:// and other schemes are refused at start, naming the scheme.";

pub const SERVER: Command = Command {
    name: "server",
    about: "Serve MLflow's REST API, the proxied artifacts and the web UI on a tracking store.",
    options: OPTIONS,
    refused: REFUSED,
    notes: NOTES,
};

pub const UI: Command = Command {
    name: "ui",
    about: "Serve the web UI (and the same API) on a tracking store; the options of rtrack server.",
    options: OPTIONS,
    refused: REFUSED,
    notes: NOTES,
};

pub fn run(name: &str, args: &[String]) -> Result<(), CliError> {
    let command = if name == "ui" { &UI } else { &SERVER };
    let parsed = command.parse(args)?;
    let (config, notes) = server_config(command, &parsed)?;
    for note in notes {
        eprintln!("rtrack {name}: note: {note}");
    }
    let store = &config.backend_store_uri;
    let prefix = config.static_prefix.clone().unwrap_or_default();
    server::serve_until_signal(&config, |address| {
        if name == "ui" {
            println!("rtrack UI at http://{address}{prefix}/ (store: {store})");
        } else {
            println!("rtrack server listening on http://{address}{prefix} (store: {store})");
            if !config.artifacts_only {
                println!("web UI at http://{address}{prefix}/");
            }
        }
        if config.artifacts_only {
            println!("serving only the proxied artifacts (--artifacts-only)");
        } else if !config.serve_artifacts {
            println!("artifacts are not proxied: clients use the artifact locations directly");
        }
        println!("press Ctrl-C to stop");
    })?;
    println!("rtrack {} stopped", if name == "ui" { "UI" } else { "server" });
    Ok(())
}

/// The server's configuration, and notes about options accepted without effect. The
/// configuration is checked here, so a location this build cannot serve is a usage error
/// before anything is opened.
fn server_config(command: &Command, parsed: &Parsed) -> Result<(ServerConfig, Vec<String>), CliError> {
    let mut config = ServerConfig::new(crate::store::location::DEFAULT_STORE_DIR);
    let mut notes = Vec::new();
    if let Some(uri) = parsed.value("--backend-store-uri") {
        config.backend_store_uri = uri.to_string();
    }
    if let Some(registry) = parsed.value("--registry-store-uri") {
        if registry != config.backend_store_uri {
            return Err(command.usage_error(format!(
                "--registry-store-uri '{registry}' differs from the backend store; rtrack keeps registered \
                 models in the backend store, and a separate registry store is not supported yet"
            )));
        }
    }
    config.default_artifact_root = parsed.value("--default-artifact-root").map(str::to_string);
    config.serve_artifacts =
        parsed.last_of(&["--serve-artifacts", "--no-serve-artifacts"]) != Some("--no-serve-artifacts");
    config.artifacts_destination = parsed.value("--artifacts-destination").map(PathBuf::from);
    config.artifacts_only = parsed.flag("--artifacts-only");
    if let Some(host) = parsed.value("--host") {
        config.host = host.to_string();
    }
    if let Some(port) = parsed.value("--port") {
        config.port = port_number(command, port)?;
    }
    config.static_prefix = parsed.value("--static-prefix").map(str::to_string);
    config.allowed_hosts = comma_list(parsed.value("--allowed-hosts"));
    config.cors_allowed_origins = comma_list(parsed.value("--cors-allowed-origins"));
    if let Some(workers) = parsed.value("--workers") {
        match workers.parse::<u32>() {
            Ok(n) if n > 0 => notes.push(format!(
                "--workers {n} is accepted for MLflow's scripts; rtrack serves every request from this one \
                 process (async workers, store work on a thread pool), so no worker processes are started"
            )),
            _ => return Err(command.usage_error(format!("invalid --workers '{workers}': expected a positive number"))),
        }
    }
    let servers: Vec<&str> = ["--gunicorn-opts", "--uvicorn-opts", "--waitress-opts"]
        .into_iter()
        .filter(|name| parsed.value(name).is_some())
        .collect();
    if servers.len() > 1 {
        return Err(command.usage_error(format!(
            "choose one of --gunicorn-opts, --uvicorn-opts and --waitress-opts (given: {})",
            servers.join(", ")
        )));
    }
    if let Some(option) = servers.first() {
        notes.push(format!(
            "{option} is ignored: rtrack runs its own HTTP server (set --host, --port instead)"
        ));
    }
    config
        .validate()
        .map_err(|error| command.usage_error(error.to_string()))?;
    Ok((config, notes))
}

/// A comma-separated option's items, as MLflow reads them (blank items dropped).
fn comma_list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

pub fn port_number(command: &Command, value: &str) -> Result<u16, CliError> {
    value
        .parse()
        .map_err(|_| command.usage_error(format!("invalid port '{value}': expected a number 0-65535")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    fn read(line: &str) -> Result<(ServerConfig, Vec<String>), CliError> {
        let parsed = SERVER.parse(&args(line))?;
        server_config(&SERVER, &parsed)
    }

    fn refusal(line: &str) -> String {
        match read(line) {
            Err(CliError::Usage { message, .. }) => message,
            other => panic!("{line}: expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn options_are_read_in_every_form() {
        let (config, notes) = read(
            "--backend-store-uri sqlite:///m.db --port=5001 -h 0.0.0.0 --no-serve-artifacts \
             --default-artifact-root /data/runs --static-prefix /mlflow",
        )
        .unwrap();
        assert_eq!(config.backend_store_uri, "sqlite:///m.db");
        assert_eq!((config.host.as_str(), config.port), ("0.0.0.0", 5001));
        assert!(!config.serve_artifacts && !config.artifacts_only);
        assert_eq!(config.default_artifact_root.as_deref(), Some("/data/runs"));
        assert_eq!(config.static_prefix.as_deref(), Some("/mlflow"));
        assert!(notes.is_empty());
        let (config, _) = read("--no-serve-artifacts --serve-artifacts --artifacts-only -p 0").unwrap();
        assert!(config.serve_artifacts && config.artifacts_only);
        let (config, _) = read("").unwrap();
        assert_eq!((config.host.as_str(), config.port), ("127.0.0.1", 5000));
        assert!(config.serve_artifacts && config.artifacts_destination.is_none());
    }

    #[test]
    fn accepted_mlflow_options_leave_a_note() {
        let (_, notes) = read("--workers 4 --gunicorn-opts --timeout=60").unwrap();
        assert_eq!(notes.len(), 2, "{notes:?}");
        assert!(
            notes[0].contains("--workers 4") && notes[0].contains("one"),
            "{}",
            notes[0]
        );
        assert!(notes[1].contains("--gunicorn-opts is ignored"), "{}", notes[1]);
        assert!(refusal("--workers none").contains("invalid --workers 'none'"));
        assert!(refusal("--workers 0").contains("positive"));
        assert!(refusal("--gunicorn-opts a --uvicorn-opts b").contains("choose one"));
    }

    #[test]
    fn locations_this_build_cannot_serve_are_refused_naming_the_scheme() {
        for (line, scheme) in [
            ("--artifacts-destination s3://bucket", "s3"),
            ("--artifacts-destination gs://bucket/a", "gs"),
            (
                "--artifacts-destination wasbs://c@acct.blob.core.windows.net/a",
                "wasbs",
            ),
            ("--artifacts-destination abfss://c@acct.dfs.core.windows.net/a", "abfss"),
            ("--default-artifact-root s3://bucket/runs", "s3"),
            ("--default-artifact-root postgresql://db/x", "postgresql"),
            ("--backend-store-uri postgresql://user@db/mlflow", "postgresql"),
            ("--backend-store-uri postgres://db/mlflow", "postgres"),
            ("--backend-store-uri mysql://db/mlflow", "mysql"),
        ] {
            let message = refusal(line);
            assert!(message.contains(&format!("scheme '{scheme}'")), "{line}: {message}");
            assert!(
                message.contains("file:") || message.contains("sqlite:///"),
                "{line} says what is supported: {message}"
            );
        }
        assert!(refusal("--artifacts-destination s3://b").contains("object stores are not supported"));
    }

    #[test]
    fn contradictions_and_bad_values_are_refused() {
        assert!(refusal("--static-prefix mlflow").contains("begin with '/'"));
        assert!(refusal("--static-prefix /mlflow/").contains("not end with '/'"));
        assert!(refusal("--static-prefix /{x}").contains("plain path"));
        assert!(refusal("--no-serve-artifacts --artifacts-only").contains("--artifacts-only"));
        assert!(refusal("--no-serve-artifacts --artifacts-destination /tmp/a").contains("--default-artifact-root"));
        assert!(refusal("--no-serve-artifacts --default-artifact-root mlflow-artifacts:/").contains("proxy"));
        assert!(refusal("--registry-store-uri sqlite:///other.db").contains("registry store"));
        assert!(read("--backend-store-uri a --registry-store-uri a").is_ok());
        assert!(refusal("--dev").contains("no development mode"));
        assert!(refusal("--disable-security-middleware").contains("always on"));
        let (config, _) = read("--allowed-hosts a.example.com,*.b:5000 --cors-allowed-origins=https://x.org,").unwrap();
        assert_eq!(config.allowed_hosts, ["a.example.com", "*.b:5000"]);
        assert_eq!(config.cors_allowed_origins, ["https://x.org"]);
        for bad in ["--port abc", "--port", "--colour red", "stray", "--serve-artifacts=yes"] {
            assert!(matches!(read(bad), Err(CliError::Usage { .. })), "{bad}");
        }
    }

    #[test]
    fn help_wins_and_a_bare_h_is_help() {
        for line in ["--help", "-h", "--port 5000 -h", "-h --port 5000", "--port abc --help"] {
            assert!(matches!(read(line), Err(CliError::Help(_))), "{line}");
        }
        let Ok((config, _)) = read("-h 10.1.2.3") else {
            panic!("-h HOST refused");
        };
        assert_eq!(config.host, "10.1.2.3");
    }
}
