//! `rtrack models serve`: a model over MLflow's scoring protocol (`POST /invocations`).

use super::options::{Command, Group, Opt, Parsed};
use super::server::port_number;
use super::{required, CliError, TRACKING_URI};
use crate::api::{fluent, Tracker};
use crate::serving::ServeConfig;

const MODEL_URI: Opt = Opt::value(
    "--model-uri",
    Some("-m"),
    "URI",
    "runs:/<run_id>/<path>, models:/<name>/<version>, models:/<name>@<alias>, or a folder",
);

pub const SERVE: Command = Command {
    name: "models serve",
    about: "Serve a model over MLflow's scoring protocol: GET /ping, POST /invocations.",
    options: &[
        MODEL_URI,
        Opt::value(
            "--host",
            Some("-h"),
            "HOST",
            "address to listen on (default 127.0.0.1); a bare -h is --help",
        ),
        Opt::value("--port", Some("-p"), "PORT", "port to listen on (default 5000)"),
        Opt::value(
            "--env-manager",
            None,
            "MANAGER",
            "only 'local': the model runs in the current environment",
        ),
        TRACKING_URI,
    ],
    refused: &[],
    notes: "example: rtrack models serve -m models:/HousePrices@production -p 1234",
};

const GROUP: Group = Group {
    name: "models",
    about: "Serve models.",
    commands: &[&SERVE],
};

pub fn run(args: &[String]) -> Result<(), CliError> {
    let (command, rest) = GROUP.select(args)?;
    let parsed = command.parse(rest)?;
    let (uri, config) = serve_options(command, &parsed)?;
    let scratch = std::env::temp_dir().join(format!("rtrack-serve-{}", uuid::Uuid::new_v4().simple()));
    let served = serve_model(&parsed, &uri, &config, &scratch);
    let _ = std::fs::remove_dir_all(&scratch);
    served?;
    println!("rtrack model server stopped");
    Ok(())
}

fn serve_options(command: &Command, parsed: &Parsed) -> Result<(String, ServeConfig), CliError> {
    let mut config = ServeConfig::default();
    if let Some(host) = parsed.value("--host") {
        config.host = host.to_string();
    }
    if let Some(port) = parsed.value("--port") {
        config.port = port_number(command, port)?;
    }
    match parsed.value("--env-manager") {
        None | Some("local") => {}
        Some(other) => {
            return Err(command.usage_error(format!(
                "--env-manager '{other}' is not supported: rtrack serves in the current environment (local)"
            )))
        }
    }
    Ok((required(command, parsed, &MODEL_URI)?.to_string(), config))
}

fn serve_model(parsed: &Parsed, uri: &str, config: &ServeConfig, scratch: &std::path::Path) -> Result<(), CliError> {
    std::fs::create_dir_all(scratch).map_err(|e| crate::Error::io("creating a scratch folder", e))?;
    let folder = if crate::models::is_model_uri(uri) {
        let tracker = match parsed.value(TRACKING_URI.long) {
            Some(tracking_uri) => Tracker::open(tracking_uri)?,
            None => fluent::tracker()?,
        };
        crate::models::resolve_model_dir(&tracker, uri, scratch)?
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

#[cfg(test)]
mod tests {
    use super::*;

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    fn options(line: &str) -> Result<(String, ServeConfig), CliError> {
        let parsed = SERVE.parse(&args(line))?;
        serve_options(&SERVE, &parsed)
    }

    #[test]
    fn serve_options_are_read() {
        let Ok((uri, config)) = options("-m models:/M@production -p 1234 --host 0.0.0.0 --env-manager local") else {
            panic!("options refused");
        };
        assert_eq!(
            (uri.as_str(), config.port, config.host.as_str()),
            ("models:/M@production", 1234, "0.0.0.0")
        );
        let Ok((_, config)) = options("-m x -h 10.0.0.2") else {
            panic!("-h HOST refused");
        };
        assert_eq!(config.host, "10.0.0.2");
        for bad in [
            "-p 1234",
            "-m x --port nine",
            "-m x --workers 2",
            "-m x --env-manager conda",
        ] {
            assert!(matches!(options(bad), Err(CliError::Usage { .. })), "{bad}");
        }
        assert!(matches!(options("-m x -h"), Err(CliError::Help(_))));
        assert_eq!(super::super::main(&args("models frobnicate")), 2);
        // A folder that is no model fails cleanly (exit 1), before anything listens.
        assert_eq!(super::super::main(&args("models serve -m /nonexistent/model -p 0")), 1);
    }
}
