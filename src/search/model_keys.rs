//! The attributes of the registry's searches (registered models, model versions) and of
//! logged model searches, following MLflow's `SearchModelUtils`,
//! `SearchModelVersionUtils` and logged-model search. Columns name the aliases the SQL
//! compilers use: `m` registered_models, `v` model_versions, `lm` logged_models.

use super::keys::{Attribute, Kind};

const fn attr(name: &'static str, column: &'static str, kind: Kind, nullable: bool) -> Attribute {
    Attribute {
        name,
        column,
        kind,
        nullable,
    }
}

pub(crate) const REGISTERED_MODEL_FILTER_ATTRIBUTES: &[Attribute] = &[attr("name", "m.name", Kind::Text, false)];

pub(crate) const REGISTERED_MODEL_ORDER_ATTRIBUTES: &[Attribute] = &[
    attr("name", "m.name", Kind::Text, false),
    attr("creation_timestamp", "m.creation_timestamp", Kind::Number, false),
    attr(
        "last_updated_timestamp",
        "m.last_updated_timestamp",
        Kind::Number,
        false,
    ),
];

/// MLflow orders registered models by `timestamp`, meaning the last update.
pub(crate) fn registered_model_alias(name: &str) -> &str {
    match name {
        "timestamp" => "last_updated_timestamp",
        other => other,
    }
}

pub(crate) const MODEL_VERSION_FILTER_ATTRIBUTES: &[Attribute] = &[
    attr("name", "m.name", Kind::Text, false),
    attr("version_number", "v.version", Kind::Number, false),
    attr("run_id", "v.run_id", Kind::Text, true),
    attr("source_path", "v.source", Kind::Text, false),
    attr("creation_timestamp", "v.creation_timestamp", Kind::Number, false),
    attr(
        "last_updated_timestamp",
        "v.last_updated_timestamp",
        Kind::Number,
        false,
    ),
];

pub(crate) const MODEL_VERSION_ORDER_ATTRIBUTES: &[Attribute] = &[
    attr("name", "m.name", Kind::Text, false),
    attr("version_number", "v.version", Kind::Number, false),
    attr("creation_timestamp", "v.creation_timestamp", Kind::Number, false),
    attr(
        "last_updated_timestamp",
        "v.last_updated_timestamp",
        Kind::Number,
        false,
    ),
];

/// MLflow's own names for the version columns.
pub(crate) fn model_version_alias(name: &str) -> &str {
    match name {
        "version" => "version_number",
        "source" => "source_path",
        other => other,
    }
}

/// Logged model attributes, for filtering and ordering alike.
pub(crate) const LOGGED_MODEL_ATTRIBUTES: &[Attribute] = &[
    attr("model_id", "lm.model_id", Kind::Text, false),
    attr("name", "lm.name", Kind::Text, false),
    attr("status", "lm.status", Kind::Text, false),
    attr("model_type", "lm.model_type", Kind::Text, true),
    attr("source_run_id", "lm.source_run_id", Kind::Text, true),
    attr("artifact_location", "lm.artifact_location", Kind::Text, false),
    attr("creation_timestamp", "lm.creation_timestamp", Kind::Number, false),
    attr(
        "last_updated_timestamp",
        "lm.last_updated_timestamp",
        Kind::Number,
        false,
    ),
];

/// The REST names (`_ms`) and MLflow's `creation_time` mean the same columns.
pub(crate) fn logged_model_alias(name: &str) -> &str {
    match name {
        "creation_time" | "creation_timestamp_ms" => "creation_timestamp",
        "last_updated_timestamp_ms" => "last_updated_timestamp",
        other => other,
    }
}
