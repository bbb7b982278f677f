//! The `rtrack` command: `rtrack server`, `rtrack ui`, `rtrack models serve` (and `rtrack
//! --version`). The Rust binary and the Python console script both hand their arguments to
//! [`main`].

use std::path::PathBuf;

use crate::server::{self, ServerConfig};

const USAGE: &str = "\
usage: rtrack <command> [options]

commands:
  server    serve MLflow's REST API on a tracking store
            --backend-store-uri URI       store folder, file: or sqlite:/// URI (default ./rtruns)
            --artifacts-destination DIR   where proxied artifacts go (default: the store's artifacts/)
            --host HOST                   address to listen on (default 127.0.0.1)
            --port PORT, -p PORT          port to listen on (default 5000)
  ui        the web UI (and the same API) on a tracking store; options as for server
  models serve  serve a model over MLflow's scoring protocol (POST /invocations)
            --model-uri URI, -m URI       runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias>, a folder
            --host HOST                   address to listen on (default 127.0.0.1)
            --port PORT, -p PORT          port to listen on (default 5000)

options:
  -h, --help       show this help
  -V, --version    show the version";

/// Run the command line `args` (without the program name); returns the exit code.
pub fn main(args: &[String]) -> i32 {
    match run(args) {
        Ok(()) => 0,
        Err(CliError::Usage(message)) => {
            eprintln!("rtrack: {message}\n\n{USAGE}");
            2
        }
        Err(CliError::Failed(error)) => {
            eprintln!("rtrack: {error}");
            1
        }
    }
}

enum CliError {
    Usage(String),
    Failed(crate::Error),
}

impl From<crate::Error> for CliError {
    fn from(error: crate::Error) -> Self {
        CliError::Failed(error)
    }
}

fn run(args: &[String]) -> Result<(), CliError> {
    match args.first().map(String::as_str) {
        None => Err(CliError::Usage("no command given".into())),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            Ok(())
        }
        Some("-V" | "--version") => {
            println!("rtrack {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        // The same server either way; `ui` only announces the page rather than the API.
        Some(command @ ("server" | "ui")) => {
            let config = server_config(&args[1..])?;
            let store = &config.backend_store_uri;
            server::serve_until_signal(&config, |address| {
                if command == "ui" {
                    println!("rtrack UI at http://{address}/ (store: {store})");
                } else {
                    println!("rtrack server listening on http://{address} (store: {store})");
                    println!("web UI at http://{address}/");
                }
                println!("press Ctrl-C to stop");
            })?;
            println!("rtrack {} stopped", if command == "ui" { "UI" } else { "server" });
            Ok(())
        }
        Some("models") => models_command(&args[1..]),
        Some(other) => Err(CliError::Usage(format!("unknown command '{other}'"))),
    }
}

fn server_config(args: &[String]) -> Result<ServerConfig, CliError> {
    let mut config = ServerConfig::new(crate::store::location::DEFAULT_STORE_DIR);
    let mut options = Options::new(args);
    while let Some((name, value)) = options.next()? {
        match name.as_str() {
            "--backend-store-uri" => config.backend_store_uri = value,
            "--artifacts-destination" => config.artifacts_destination = Some(PathBuf::from(value)),
            "--host" | "-h" => config.host = value,
            "--port" | "-p" => {
                config.port = value
                    .parse()
                    .map_err(|_| CliError::Usage(format!("invalid port '{value}': expected a number 0-65535")))?
            }
            other => return Err(CliError::Usage(format!("unknown option '{other}'"))),
        }
    }
    Ok(config)
}

// ----- rtrack models serve -----

fn models_command(args: &[String]) -> Result<(), CliError> {
    match args.first().map(String::as_str) {
        Some("serve") => {
            let (uri, config) = serve_options(&args[1..])?;
            let scratch = std::env::temp_dir().join(format!("rtrack-serve-{}", uuid::Uuid::new_v4().simple()));
            let served = serve_model(&uri, &config, &scratch);
            let _ = std::fs::remove_dir_all(&scratch);
            served?;
            println!("rtrack model server stopped");
            Ok(())
        }
        Some(other) => Err(CliError::Usage(format!(
            "unknown models command '{other}' (expected 'serve')"
        ))),
        None => Err(CliError::Usage("'models' needs a command: serve".into())),
    }
}

fn serve_model(uri: &str, config: &crate::serving::ServeConfig, scratch: &std::path::Path) -> Result<(), CliError> {
    std::fs::create_dir_all(scratch).map_err(|e| crate::Error::io("creating a scratch folder", e))?;
    let folder = if crate::models::is_model_uri(uri) {
        crate::models::resolve_model_dir(&crate::api::fluent::tracker()?, uri, scratch)?
    } else {
        crate::models::local_model_dir(uri)?
    };
    // linfa models are served from Rust alone when the crate is built with them.
    #[cfg(feature = "linfa")]
    crate::linfa::register_serving();
    let predictor = crate::serving::load_predictor(&folder)?;
    crate::serving::serve_until_signal(predictor, config, |address| {
        println!("rtrack serving {uri} on http://{address} (POST /invocations)");
        println!("press Ctrl-C to stop");
    })?;
    Ok(())
}

fn serve_options(args: &[String]) -> Result<(String, crate::serving::ServeConfig), CliError> {
    let (mut uri, mut config) = (None, crate::serving::ServeConfig::default());
    let mut options = Options::new(args);
    while let Some((name, value)) = options.next()? {
        match name.as_str() {
            "--model-uri" | "-m" => uri = Some(value),
            "--host" | "-h" => config.host = value,
            "--port" | "-p" => config.port = port(&value)?,
            // MLflow's flag: rtrack always serves in the current environment.
            "--env-manager" if value == "local" => {}
            other => return Err(CliError::Usage(format!("unknown option '{other}' for 'models serve'"))),
        }
    }
    let uri = uri.ok_or_else(|| CliError::Usage("'models serve' needs --model-uri (-m)".into()))?;
    Ok((uri, config))
}

fn port(value: &str) -> Result<u16, CliError> {
    value
        .parse()
        .map_err(|_| CliError::Usage(format!("invalid port '{value}': expected a number 0-65535")))
}

/// `--name value` and `--name=value` pairs; every option here takes a value.
struct Options<'a> {
    args: std::slice::Iter<'a, String>,
}

impl<'a> Options<'a> {
    fn new(args: &'a [String]) -> Self {
        Options { args: args.iter() }
    }

    fn next(&mut self) -> Result<Option<(String, String)>, CliError> {
        let Some(arg) = self.args.next() else {
            return Ok(None);
        };
        if !arg.starts_with('-') {
            return Err(CliError::Usage(format!("unexpected argument '{arg}'")));
        }
        if let Some((name, value)) = arg.split_once('=') {
            return Ok(Some((name.to_string(), value.to_string())));
        }
        match self.args.next() {
            Some(value) => Ok(Some((arg.clone(), value.clone()))),
            None => Err(CliError::Usage(format!("option '{arg}' needs a value"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn server_options_are_read_in_both_forms() {
        let Ok(config) = server_config(&args("--backend-store-uri sqlite:///m.db --port=5001 --host 0.0.0.0")) else {
            panic!("options refused");
        };
        assert_eq!(config.backend_store_uri, "sqlite:///m.db");
        assert_eq!((config.host.as_str(), config.port), ("0.0.0.0", 5001));
    }

    #[test]
    fn bad_options_are_usage_errors() {
        for bad in ["--port abc", "--port", "--colour red", "stray"] {
            assert!(matches!(server_config(&args(bad)), Err(CliError::Usage(_))), "{bad}");
        }
        assert_eq!(main(&args("frobnicate")), 2);
    }

    #[test]
    fn models_serve_options() {
        let Ok((uri, config)) = serve_options(&args("-m models:/M@production -p 1234 --host 0.0.0.0")) else {
            panic!("options refused");
        };
        assert_eq!(
            (uri.as_str(), config.port, config.host.as_str()),
            ("models:/M@production", 1234, "0.0.0.0")
        );
        for bad in ["-p 1234", "-m x --port nine", "-m x --workers 2"] {
            assert!(matches!(serve_options(&args(bad)), Err(CliError::Usage(_))), "{bad}");
        }
        assert_eq!(main(&args("models frobnicate")), 2);
        // A folder that is no model fails cleanly (exit 1), before anything listens.
        assert_eq!(main(&args("models serve -m /nonexistent/model -p 0")), 1);
    }
}
