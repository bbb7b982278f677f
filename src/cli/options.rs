//! The option parser every command shares: each command declares its options ([`Opt`]) once,
//! and the same table reads the command line and writes the command's `--help`.
//!
//! Options come as `--name value`, `--name=value`, a short alias (`-p 5000`), or a bare flag
//! (`--serve-artifacts`). `--help` asks for help wherever it stands. `-h` asks for help too,
//! except in a command whose `--host` has the short form `-h` (as `mlflow server` has): there
//! `-h` followed by a value is the host, and `-h` at the end or before another option is help.

use super::CliError;

/// One option of a command.
pub struct Opt {
    pub long: &'static str,
    pub short: Option<&'static str>,
    /// The placeholder of the value in the help (`URI`, `PORT`); `None` for a flag.
    pub value: Option<&'static str>,
    pub help: &'static str,
}

impl Opt {
    /// An option taking a value.
    pub const fn value(
        long: &'static str,
        short: Option<&'static str>,
        value: &'static str,
        help: &'static str,
    ) -> Opt {
        Opt {
            long,
            short,
            value: Some(value),
            help,
        }
    }

    /// A flag: present or not, no value.
    pub const fn flag(long: &'static str, help: &'static str) -> Opt {
        Opt {
            long,
            short: None,
            value: None,
            help,
        }
    }

    fn matches(&self, name: &str) -> bool {
        self.long == name || self.short == Some(name)
    }

    /// `--port PORT, -p PORT`, as the help shows it.
    fn synopsis(&self) -> String {
        let with_value = |name: &str| match self.value {
            Some(value) => format!("{name} {value}"),
            None => name.to_string(),
        };
        match self.short {
            Some(short) => format!("{}, {}", with_value(self.long), with_value(short)),
            None => with_value(self.long),
        }
    }
}

/// A command (`server`, `experiments create`, ...): its name, what it does, its options.
pub struct Command {
    /// The words after `rtrack`, e.g. `experiments create`.
    pub name: &'static str,
    pub about: &'static str,
    pub options: &'static [Opt],
    /// Options of MLflow's command that this one knows but refuses, each with the reason.
    pub refused: &'static [(&'static str, &'static str)],
    /// Lines shown after the options (examples, notes); may be empty.
    pub notes: &'static str,
}

impl Command {
    /// The command's help text.
    pub fn usage(&self) -> String {
        let mut text = format!("usage: rtrack {} [options]\n\n{}\n\noptions:\n", self.name, self.about);
        let width = self
            .options
            .iter()
            .map(|o| o.synopsis().len())
            .max()
            .unwrap_or(0)
            .max("-h, --help".len());
        for option in self.options {
            let synopsis = option.synopsis();
            let mut lines = option.help.lines();
            text.push_str(&format!("  {synopsis:width$}  {}\n", lines.next().unwrap_or("")));
            for line in lines {
                text.push_str(&format!("  {:width$}  {line}\n", ""));
            }
        }
        text.push_str(&format!("  {:width$}  show this help\n", "--help"));
        if !self.refused.is_empty() {
            // The names wrapped to the width of the lines above.
            let mut line = String::from("\nMLflow options refused, with the reason:");
            for (index, (name, _)) in self.refused.iter().enumerate() {
                let separator = if index + 1 < self.refused.len() { "," } else { "" };
                if line.len() + name.len() > 100 {
                    text.push_str(&line);
                    line = String::from("\n ");
                }
                line.push_str(&format!(" {name}{separator}"));
            }
            text.push_str(&line);
            text.push('\n');
        }
        if !self.notes.is_empty() {
            text.push('\n');
            text.push_str(self.notes.trim_end());
            text.push('\n');
        }
        text.trim_end().to_string()
    }

    /// A usage error of this command: the message, then how to get help.
    pub fn usage_error(&self, message: impl Into<String>) -> CliError {
        CliError::Usage {
            command: self.name.to_string(),
            message: message.into(),
        }
    }

    /// Read `args` (what follows the command's name) against the command's options.
    /// A request for help anywhere wins over any mistake before or after it.
    pub fn parse(&self, args: &[String]) -> Result<Parsed, CliError> {
        let mut parsed = Parsed { given: Vec::new() };
        let mut first_error = None;
        let mut help = false;
        let mut index = 0;
        while index < args.len() {
            let arg = &args[index];
            index += 1;
            if arg == "--help" {
                help = true;
                continue;
            }
            if !arg.starts_with('-') || arg == "-" {
                first_error.get_or_insert_with(|| self.usage_error(format!("unexpected argument '{arg}'")));
                continue;
            }
            let (name, inline) = match arg.split_once('=') {
                Some((name, value)) => (name, Some(value.to_string())),
                None => (arg.as_str(), None),
            };
            let Some(option) = self.options.iter().find(|o| o.matches(name)) else {
                if name == "-h" && inline.is_none() {
                    help = true;
                } else if let Some((_, why)) = self.refused.iter().find(|(refused, _)| *refused == name) {
                    first_error
                        .get_or_insert_with(|| self.usage_error(format!("option '{name}' is not supported: {why}")));
                } else {
                    first_error.get_or_insert_with(|| self.usage_error(format!("unknown option '{name}'")));
                }
                continue;
            };
            if option.value.is_none() {
                match inline {
                    Some(_) => {
                        first_error.get_or_insert_with(|| {
                            self.usage_error(format!("option '{}' is a flag and takes no value", option.long))
                        });
                    }
                    None => parsed.given.push((option.long, None)),
                }
                continue;
            }
            let next = args.get(index).map(String::as_str);
            // `-h` is the host only when a value follows it; bare, it is help.
            if name == "-h" && inline.is_none() && next.is_none_or(|next| next.starts_with('-')) {
                help = true;
                continue;
            }
            let value = match (inline, next) {
                (Some(value), _) => value,
                (None, Some("--help")) => continue,
                (None, Some(value)) => {
                    index += 1;
                    value.to_string()
                }
                (None, None) => {
                    first_error.get_or_insert_with(|| self.usage_error(format!("option '{name}' needs a value")));
                    continue;
                }
            };
            parsed.given.push((option.long, Some(value)));
        }
        if help {
            return Err(CliError::Help(self.usage()));
        }
        match first_error {
            Some(error) => Err(error),
            None => Ok(parsed),
        }
    }
}

/// A command group (`experiments`, `runs`, ...): the subcommand is the first argument.
pub struct Group {
    pub name: &'static str,
    pub about: &'static str,
    pub commands: &'static [&'static Command],
}

impl Group {
    pub fn usage(&self) -> String {
        let mut text = format!(
            "usage: rtrack {} <command> [options]\n\n{}\n\ncommands:\n",
            self.name, self.about
        );
        let width = self.commands.iter().map(|c| self.sub_name(c).len()).max().unwrap_or(0);
        for command in self.commands {
            let about = command.about.lines().next().unwrap_or("");
            text.push_str(&format!("  {:width$}  {about}\n", self.sub_name(command)));
        }
        text.push_str(&format!(
            "\nRun 'rtrack {} <command> --help' for a command's options.",
            self.name
        ));
        text
    }

    fn sub_name<'c>(&self, command: &'c Command) -> &'c str {
        command.name.rsplit(' ').next().unwrap_or(command.name)
    }

    /// The subcommand `args` names, and the arguments after it.
    pub fn select<'a>(&self, args: &'a [String]) -> Result<(&'static Command, &'a [String]), CliError> {
        let names = || {
            let names: Vec<&str> = self.commands.iter().map(|c| self.sub_name(c)).collect();
            names.join(", ")
        };
        let usage_error = |message: String| CliError::Usage {
            command: self.name.to_string(),
            message,
        };
        match args.first().map(String::as_str) {
            None => Err(usage_error(format!("'{}' needs a command: {}", self.name, names()))),
            Some("-h" | "--help" | "help") => Err(CliError::Help(self.usage())),
            Some(name) => match self.commands.iter().find(|c| self.sub_name(c) == name) {
                Some(command) => Ok((command, &args[1..])),
                None => Err(usage_error(format!(
                    "unknown command '{name}' (expected one of: {})",
                    names()
                ))),
            },
        }
    }
}

/// The options a command line gave, in order, by their long names.
#[derive(Debug)]
pub struct Parsed {
    given: Vec<(&'static str, Option<String>)>,
}

impl Parsed {
    /// The value of an option (the last one when it was given more than once).
    pub fn value(&self, long: &str) -> Option<&str> {
        self.given
            .iter()
            .rev()
            .find(|(name, _)| *name == long)
            .and_then(|(_, value)| value.as_deref())
    }

    pub fn flag(&self, long: &str) -> bool {
        self.given.iter().any(|(name, _)| *name == long)
    }

    /// Which of `names` was given last, for pairs like `--serve-artifacts`/`--no-serve-artifacts`.
    pub fn last_of(&self, names: &[&str]) -> Option<&'static str> {
        self.given
            .iter()
            .rev()
            .map(|(name, _)| *name)
            .find(|name| names.contains(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVE: Command = Command {
        name: "serve",
        about: "Serve something.",
        options: &[
            Opt::value("--host", Some("-h"), "HOST", "where to listen"),
            Opt::value("--port", Some("-p"), "PORT", "the port\nsecond line"),
            Opt::flag("--quiet", "say less"),
        ],
        refused: &[("--dev", "there is no development mode")],
        notes: "example: rtrack serve -p 5000",
    };

    const LIST: Command = Command {
        name: "things list",
        about: "List things.",
        options: &[Opt::value("--run-id", Some("-r"), "ID", "the run")],
        refused: &[],
        notes: "",
    };

    fn args(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    fn parse(command: &Command, text: &str) -> Result<Parsed, CliError> {
        command.parse(&args(text))
    }

    fn is_help(result: Result<Parsed, CliError>) -> bool {
        matches!(result, Err(CliError::Help(_)))
    }

    fn usage_message(result: Result<Parsed, CliError>) -> String {
        match result {
            Err(CliError::Usage { message, .. }) => message,
            other => panic!("expected a usage error, got {other:?}"),
        }
    }

    #[test]
    fn values_in_every_form() {
        let parsed = parse(&SERVE, "--host 0.0.0.0 -p=5001 --quiet --port 5002").unwrap();
        assert_eq!(parsed.value("--host"), Some("0.0.0.0"));
        // The last of a repeated option wins.
        assert_eq!(parsed.value("--port"), Some("5002"));
        assert!(parsed.flag("--quiet"));
        let parsed = parse(&SERVE, "-h 10.0.0.1 --port=7").unwrap();
        assert_eq!(
            (parsed.value("--host"), parsed.value("--port")),
            (Some("10.0.0.1"), Some("7"))
        );
        assert!(!parsed.flag("--quiet"));
        assert_eq!(parse(&SERVE, "").unwrap().value("--host"), None);
    }

    #[test]
    fn help_is_asked_with_help_or_a_bare_h() {
        for line in [
            "--help",
            "-p 5000 --help",
            "--port --help",
            "-h",
            "-p 5000 -h",
            "-h --port 5000",
            // Help wins over mistakes on the same line.
            "--colour red --help",
            "stray -h",
        ] {
            assert!(is_help(parse(&SERVE, line)), "{line}");
        }
        // Without a `-h` option of its own, `-h` is always help.
        assert!(is_help(parse(&LIST, "-h")));
        assert!(is_help(parse(&LIST, "-r abc -h")));
        // The help text is the command's own.
        let Err(CliError::Help(text)) = parse(&SERVE, "--help") else {
            panic!("no help");
        };
        assert!(text.starts_with("usage: rtrack serve [options]"), "{text}");
        assert!(text.contains("--host HOST, -h HOST"), "{text}");
        assert!(
            text.contains("second line") && text.contains("example: rtrack serve"),
            "{text}"
        );
        assert!(
            text.contains("MLflow options refused, with the reason: --dev"),
            "{text}"
        );
    }

    #[test]
    fn mistakes_are_usage_errors_naming_the_problem() {
        assert_eq!(
            usage_message(parse(&SERVE, "--colour red")),
            "unknown option '--colour'"
        );
        assert_eq!(usage_message(parse(&SERVE, "--port")), "option '--port' needs a value");
        assert_eq!(usage_message(parse(&SERVE, "stray")), "unexpected argument 'stray'");
        assert_eq!(
            usage_message(parse(&SERVE, "--quiet=yes")),
            "option '--quiet' is a flag and takes no value"
        );
        assert_eq!(usage_message(parse(&LIST, "-x 1")), "unknown option '-x'");
        assert_eq!(
            usage_message(parse(&SERVE, "--dev")),
            "option '--dev' is not supported: there is no development mode"
        );
        // The first mistake is the one reported.
        assert_eq!(usage_message(parse(&SERVE, "--a 1 --b 2")), "unknown option '--a'");
    }

    #[test]
    fn groups_pick_their_command() {
        const GROUP: Group = Group {
            name: "things",
            about: "Things.",
            commands: &[&LIST],
        };
        let line = args("list -r abc");
        let (command, rest) = GROUP.select(&line).unwrap();
        assert_eq!((command.name, rest.len()), ("things list", 2));
        for line in ["", "frobnicate"] {
            assert!(
                matches!(GROUP.select(&args(line)), Err(CliError::Usage { .. })),
                "{line}"
            );
        }
        let Err(CliError::Help(text)) = GROUP.select(&args("--help")) else {
            panic!("no help");
        };
        assert!(text.contains("  list  List things."), "{text}");
    }

    #[test]
    fn the_last_of_a_pair_wins() {
        const PAIR: Command = Command {
            name: "pair",
            about: "",
            options: &[Opt::flag("--on", ""), Opt::flag("--off", "")],
            refused: &[],
            notes: "",
        };
        let parsed = PAIR.parse(&args("--on --off")).unwrap();
        assert_eq!(parsed.last_of(&["--on", "--off"]), Some("--off"));
        let parsed = PAIR.parse(&args("--off --on")).unwrap();
        assert_eq!(parsed.last_of(&["--on", "--off"]), Some("--on"));
        assert_eq!(PAIR.parse(&[]).unwrap().last_of(&["--on", "--off"]), None);
    }
}
