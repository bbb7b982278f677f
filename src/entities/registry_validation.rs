//! Checks on registry names: registered model names, aliases and registry tags, with
//! MLflow's rules so models move between the two without surprises.

use crate::error::{Error, Result};

use super::validation::validate_tag_key;

pub const MAX_MODEL_NAME_LENGTH: usize = 256;
pub const MAX_ALIAS_LENGTH: usize = 255;
/// Registry tags may be far longer than run tags (MLflow keeps prompts in them).
pub const MAX_REGISTRY_TAG_VALUE_LENGTH: usize = 100_000;

/// A registered model name appears in `models:/<name>/<version>` URIs and may become a
/// folder name, so it cannot hold `/` or `:` nor be a relative path like `..`.
pub fn validate_model_name(name: &str) -> Result<()> {
    if name.trim().is_empty() {
        return Err(Error::invalid("Invalid registered model name: the name is empty"));
    }
    super::validation::refuse_control_characters("registered model name", name)?;
    if name.chars().count() > MAX_MODEL_NAME_LENGTH {
        return Err(Error::invalid(format!(
            "Invalid registered model name '{}...': longer than {MAX_MODEL_NAME_LENGTH} characters",
            name.chars().take(40).collect::<String>()
        )));
    }
    if let Some(bad) = name.chars().find(|c| matches!(c, '/' | ':')) {
        return Err(Error::invalid(format!(
            "Invalid registered model name '{name}': it may not contain {bad:?}"
        )));
    }
    if name == "." || name.starts_with("..") {
        return Err(Error::invalid(format!(
            "Invalid registered model name '{name}': it would read as a relative path"
        )));
    }
    Ok(())
}

/// Alias names: letters, digits, `_` and `-`.
pub fn validate_alias(alias: &str) -> Result<()> {
    if alias.is_empty() {
        return Err(Error::invalid("Invalid alias: the alias is empty"));
    }
    if let Some(bad) = alias.chars().find(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-'))) {
        return Err(Error::invalid(format!(
            "Invalid alias '{alias}': character {bad:?} is not allowed (use letters, digits, '_' and '-')"
        )));
    }
    if alias.chars().count() > MAX_ALIAS_LENGTH {
        return Err(Error::invalid(format!(
            "Invalid alias '{alias}': longer than {MAX_ALIAS_LENGTH} characters"
        )));
    }
    Ok(())
}

/// An alias that may be set: valid, and not one of the names model URIs give a meaning
/// of their own (`@latest`, and `v3` which reads as version 3).
pub fn validate_settable_alias(alias: &str) -> Result<()> {
    validate_alias(alias)?;
    if alias.eq_ignore_ascii_case("latest") {
        return Err(Error::invalid(format!(
            "Invalid alias '{alias}': 'latest' is reserved (in any case) for the newest version"
        )));
    }
    let version_like =
        alias.len() > 1 && alias.starts_with(['v', 'V']) && alias[1..].bytes().all(|b| b.is_ascii_digit());
    if version_like {
        return Err(Error::invalid(format!(
            "Invalid alias '{alias}': names like 'v<number>' are reserved for versions"
        )));
    }
    Ok(())
}

/// Tags of registered models and model versions.
pub fn validate_registry_tag(key: &str, value: &str) -> Result<()> {
    validate_tag_key(key)?;
    let length = value.chars().count();
    if length > MAX_REGISTRY_TAG_VALUE_LENGTH {
        return Err(Error::invalid(format!(
            "Invalid value for tag '{key}': {length} characters, the limit is {MAX_REGISTRY_TAG_VALUE_LENGTH}"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_refuse_separators_and_relative_paths() {
        for good in ["HousePrices", "house prices v2", "a.b", "ünïcode"] {
            validate_model_name(good).unwrap();
        }
        for bad in ["", "  ", "a/b", "s3:x", ".", "..", "..x"] {
            let err = validate_model_name(bad).unwrap_err();
            assert!(matches!(err, Error::InvalidValue(_)), "{bad}");
        }
        let err = validate_model_name("a/b").unwrap_err().to_string();
        assert!(err.contains("'a/b'") && err.contains("'/'"), "{err}");
    }

    #[test]
    fn aliases_follow_mlflow_rules() {
        for good in ["champion", "prod-2", "v1x", "v", "Ω"] {
            validate_settable_alias(good).unwrap();
        }
        for reserved in ["latest", "LATEST", "v1", "V42"] {
            let err = validate_settable_alias(reserved).unwrap_err().to_string();
            assert!(
                err.contains(&format!("'{reserved}'")) && err.contains("reserved"),
                "{err}"
            );
            validate_alias(reserved).unwrap();
        }
        for bad in ["", "a b", "a.b", "x;y"] {
            assert!(validate_alias(bad).is_err(), "{bad}");
        }
        assert!(validate_alias(&"a".repeat(MAX_ALIAS_LENGTH + 1)).is_err());
    }

    #[test]
    fn registry_tags_may_be_long() {
        validate_registry_tag("prompt", &"x".repeat(MAX_REGISTRY_TAG_VALUE_LENGTH)).unwrap();
        let err = validate_registry_tag("prompt", &"x".repeat(MAX_REGISTRY_TAG_VALUE_LENGTH + 1)).unwrap_err();
        assert!(err.to_string().contains("'prompt'"), "{err}");
        assert!(validate_registry_tag("../x", "v").is_err());
    }
}
