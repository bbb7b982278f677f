//! Checks on user-given names and values, with messages that name what was wrong.
//! Limits follow MLflow's so data moves between the two without surprises.

use crate::error::{Error, Result};

pub const MAX_KEY_LENGTH: usize = 250;
pub const MAX_PARAM_VALUE_LENGTH: usize = 6000;
pub const MAX_TAG_VALUE_LENGTH: usize = 8000;
pub const MAX_EXPERIMENT_NAME_LENGTH: usize = 500;

/// Keys may hold letters, digits, `_ - . / :` and spaces, and must not climb out of a
/// folder when used as a path (`..`, a leading `/`).
fn validate_key(kind: &str, key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid(format!("Invalid {kind} name: the name is empty")));
    }
    if key.chars().count() > MAX_KEY_LENGTH {
        return Err(Error::invalid(format!(
            "Invalid {kind} name '{}...': longer than {MAX_KEY_LENGTH} characters",
            key.chars().take(40).collect::<String>()
        )));
    }
    let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | ' ' | ':');
    if let Some(bad) = key.chars().find(|c| !allowed(*c)) {
        return Err(Error::invalid(format!(
            "Invalid {kind} name '{key}': character {bad:?} is not allowed \
             (use letters, digits, '_', '-', '.', ' ', ':' and '/')"
        )));
    }
    if key.starts_with('/') || key.split('/').any(|part| part == ".." || part == ".") || key.contains("//") {
        return Err(Error::invalid(format!(
            "Invalid {kind} name '{key}': it may not start with '/' or contain '.', '..' or empty path parts"
        )));
    }
    Ok(())
}

fn validate_value_length(kind: &str, key: &str, value: &str, limit: usize) -> Result<()> {
    if value.chars().count() > limit {
        return Err(Error::invalid(format!(
            "Invalid value for {kind} '{key}': {} characters, the limit is {limit}",
            value.chars().count()
        )));
    }
    Ok(())
}

pub fn validate_metric_key(key: &str) -> Result<()> {
    validate_key("metric", key)
}

pub fn validate_param(key: &str, value: &str) -> Result<()> {
    validate_key("param", key)?;
    validate_value_length("param", key, value, MAX_PARAM_VALUE_LENGTH)
}

pub fn validate_tag_key(key: &str) -> Result<()> {
    validate_key("tag", key)
}

pub fn validate_tag(key: &str, value: &str) -> Result<()> {
    validate_tag_key(key)?;
    validate_value_length("tag", key, value, MAX_TAG_VALUE_LENGTH)
}

/// Names are shown in pages, logs and terminals and may become file names: NUL and the other
/// control characters (newlines, escapes) are refused in them, as they are in keys.
pub(crate) fn refuse_control_characters(kind: &str, name: &str) -> Result<()> {
    match name.chars().find(|c| c.is_control()) {
        Some(bad) => Err(Error::invalid(format!(
            "Invalid {kind} {:?}: control character {bad:?} is not allowed",
            name.chars().take(100).collect::<String>()
        ))),
        None => Ok(()),
    }
}

/// A run's name: a tag value (`mlflow.runName`) without control characters.
pub fn validate_run_name(name: &str) -> Result<()> {
    refuse_control_characters("run name", name)?;
    validate_value_length("tag", "mlflow.runName", name, MAX_TAG_VALUE_LENGTH)
}

pub fn validate_experiment_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("Invalid experiment name: the name is empty"));
    }
    refuse_control_characters("experiment name", name)?;
    if name.chars().count() > MAX_EXPERIMENT_NAME_LENGTH {
        return Err(Error::invalid(format!(
            "Invalid experiment name: longer than {MAX_EXPERIMENT_NAME_LENGTH} characters"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_keys_pass() {
        for key in ["loss", "val/loss", "lr schedule", "a.b-c_d:1", "Ünïcode"] {
            validate_metric_key(key).unwrap();
        }
    }

    #[test]
    fn bad_keys_are_named_in_the_error() {
        for key in ["", "../x", "/abs", "a//b", "semi;colon", "a/./b"] {
            let err = validate_param(key, "v").unwrap_err();
            assert!(matches!(err, Error::InvalidValue(_)));
            assert!(err.to_string().contains(&format!("'{key}'")) || key.is_empty(), "{err}");
        }
    }

    #[test]
    fn names_with_control_characters_are_refused() {
        for name in ["a\0b", "line\nbreak", "esc\u{1b}[31m", "tab\there"] {
            assert!(validate_experiment_name(name).is_err(), "{name:?}");
            assert!(validate_run_name(name).is_err(), "{name:?}");
            assert!(validate_tag_key(name).is_err(), "{name:?}");
        }
        validate_run_name("ridge α=0.1").unwrap();
    }

    #[test]
    fn long_values_are_rejected() {
        let long = "x".repeat(MAX_PARAM_VALUE_LENGTH + 1);
        let err = validate_param("k", &long).unwrap_err().to_string();
        assert!(err.contains("'k'") && err.contains("6000"), "{err}");
        validate_tag("k", &"x".repeat(MAX_TAG_VALUE_LENGTH)).unwrap();
    }
}
