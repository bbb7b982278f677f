//! Which keys a search target knows, what their values are, and which comparators they take.
//! One table per target, following MLflow's `SearchUtils` (runs) and
//! `SearchExperimentsUtils` (experiments); the registry's and logged models' tables are in
//! `model_keys`.

use super::ast::{Comparator, Comparison, Entity, Key, Value};
use super::model_keys;

/// What is being searched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Runs,
    Experiments,
    RegisteredModels,
    ModelVersions,
    LoggedModels,
}

impl Target {
    /// The searched things, for messages.
    fn plural(self) -> &'static str {
        match self {
            Target::Runs => "runs",
            Target::Experiments => "experiments",
            Target::RegisteredModels => "registered models",
            Target::ModelVersions => "model versions",
            Target::LoggedModels => "logged models",
        }
    }
}

/// The type of a key's values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Text,
    Number,
}

/// A searchable or orderable attribute: its canonical name, SQL column and value type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attribute {
    pub name: &'static str,
    pub column: &'static str,
    pub kind: Kind,
    pub nullable: bool,
}

const fn attr(name: &'static str, column: &'static str, kind: Kind, nullable: bool) -> Attribute {
    Attribute {
        name,
        column,
        kind,
        nullable,
    }
}

/// Run attributes MLflow lets a filter use (`RunInfo.get_searchable_attributes()`), which
/// are also its orderable ones.
const RUN_ATTRIBUTES: &[Attribute] = &[
    attr("run_id", "r.run_uuid", Kind::Text, false),
    attr("run_name", "r.name", Kind::Text, false),
    attr("status", "r.status", Kind::Text, false),
    attr("user_id", "r.user_id", Kind::Text, false),
    attr("artifact_uri", "r.artifact_uri", Kind::Text, false),
    attr("start_time", "r.start_time", Kind::Number, false),
    attr("end_time", "r.end_time", Kind::Number, true),
    // Not in MLflow: how long a finished run took, in milliseconds (the UI sorts by it).
    attr("duration", "(r.end_time - r.start_time)", Kind::Number, true),
];

/// MLflow's aliases of run attributes.
fn run_alias(name: &str) -> &str {
    match name {
        "created" | "Created" => "start_time",
        "run name" | "Run name" | "Run Name" => "run_name",
        other => other,
    }
}

const EXPERIMENT_FILTER_ATTRIBUTES: &[Attribute] = &[
    attr("name", "e.name", Kind::Text, false),
    attr("creation_time", "e.creation_time", Kind::Number, false),
    attr("last_update_time", "e.last_update_time", Kind::Number, false),
];

const EXPERIMENT_ORDER_ATTRIBUTES: &[Attribute] = &[
    attr("name", "e.name", Kind::Text, false),
    attr("experiment_id", "e.experiment_id", Kind::Number, false),
    attr("creation_time", "e.creation_time", Kind::Number, false),
    attr("last_update_time", "e.last_update_time", Kind::Number, false),
];

/// Why a key, comparator or value is refused, and which part of the clause to blame.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub part: Part,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Part {
    Key,
    Comparator,
    Value,
}

fn refuse(part: Part, message: String, hint: Option<String>) -> Refusal {
    Refusal { part, message, hint }
}

/// Look up an attribute for filtering (`for_order` false) or ordering.
pub(crate) fn attribute(target: Target, name: &str, for_order: bool) -> Result<Attribute, Refusal> {
    let (table, name) = match (target, for_order) {
        (Target::Runs, _) => (RUN_ATTRIBUTES, run_alias(name)),
        (Target::Experiments, false) => (EXPERIMENT_FILTER_ATTRIBUTES, name),
        (Target::Experiments, true) => (EXPERIMENT_ORDER_ATTRIBUTES, name),
        (Target::RegisteredModels, false) => (model_keys::REGISTERED_MODEL_FILTER_ATTRIBUTES, name),
        (Target::RegisteredModels, true) => (
            model_keys::REGISTERED_MODEL_ORDER_ATTRIBUTES,
            model_keys::registered_model_alias(name),
        ),
        (Target::ModelVersions, false) => (
            model_keys::MODEL_VERSION_FILTER_ATTRIBUTES,
            model_keys::model_version_alias(name),
        ),
        (Target::ModelVersions, true) => (
            model_keys::MODEL_VERSION_ORDER_ATTRIBUTES,
            model_keys::model_version_alias(name),
        ),
        (Target::LoggedModels, _) => (
            model_keys::LOGGED_MODEL_ATTRIBUTES,
            model_keys::logged_model_alias(name),
        ),
    };
    if let Some(found) = table.iter().find(|a| a.name == name) {
        return Ok(*found);
    }
    let valid: Vec<&str> = table.iter().map(|a| a.name).collect();
    let mut hint = format!("valid attributes are {}", valid.join(", "));
    match (target, name) {
        (Target::Runs, "lifecycle_stage") => hint = "choose active or deleted runs with the view type".into(),
        (Target::Runs, "experiment_id") => hint = "choose experiments with the experiment ids of the search".into(),
        (Target::Experiments, "lifecycle_stage") => {
            hint = "choose active or deleted experiments with the view type".into()
        }
        (Target::LoggedModels, "experiment_id") => {
            hint = "choose experiments with the experiment ids of the search".into()
        }
        _ => {}
    }
    Err(refuse(Part::Key, format!("unknown attribute '{name}'"), Some(hint)))
}

/// A key as a target understands it: canonical, typed, and for attributes, its column.
#[derive(Clone, Debug)]
pub(crate) struct Resolved {
    pub key: Key,
    pub kind: Kind,
    pub attribute: Option<Attribute>,
}

/// Resolve a key under a target, or say why the key is not allowed there.
fn resolve(target: Target, key: &Key, for_order: bool) -> Result<Resolved, Refusal> {
    let plain = |kind| {
        Ok(Resolved {
            key: key.clone(),
            kind,
            attribute: None,
        })
    };
    match (target, key.entity) {
        (Target::Runs, Entity::Metric) => plain(Kind::Number),
        (Target::Runs, Entity::Param | Entity::Tag) => plain(Kind::Text),
        (Target::Experiments | Target::RegisteredModels | Target::ModelVersions, Entity::Tag) if !for_order => {
            plain(Kind::Text)
        }
        (Target::LoggedModels, Entity::Metric) => plain(Kind::Number),
        (Target::LoggedModels, Entity::Param | Entity::Tag) if !for_order => plain(Kind::Text),
        (_, Entity::Attribute) => {
            let found = attribute(target, &key.name, for_order)?;
            Ok(Resolved {
                key: Key::new(Entity::Attribute, found.name),
                kind: found.kind,
                attribute: Some(found),
            })
        }
        (target, _) => {
            let allowed = match (target, for_order) {
                (Target::LoggedModels, false) => "attributes, metrics, params and tags",
                (Target::LoggedModels, true) => "attributes and metrics",
                (_, false) => "attributes and tags",
                (_, true) => "attributes",
            };
            let verb = if for_order { "ordered" } else { "searched" };
            Err(refuse(
                Part::Key,
                format!("{} cannot be {verb} by {key}", target.plural()),
                Some(format!("{} searches take {allowed} only", target.plural())),
            ))
        }
    }
}

/// Validate one comparison for a target; returns it with the key made canonical, and the
/// attribute it compares when it compares one.
pub(crate) fn check_comparison(
    target: Target,
    comparison: &Comparison,
) -> Result<(Comparison, Option<Attribute>), Refusal> {
    let Resolved { key, kind, attribute } = resolve(target, &comparison.key, false)?;
    use Comparator::*;
    let comparator = comparison.comparator;
    let allowed: &[Comparator] = match (kind, key.entity) {
        (Kind::Number, _) => &[Equal, NotEqual, Less, LessOrEqual, Greater, GreaterOrEqual],
        (Kind::Text, Entity::Param | Entity::Tag) => &[Equal, NotEqual, Like, ILike, In, NotIn, IsNull, IsNotNull],
        (Kind::Text, _) => &[Equal, NotEqual, Like, ILike, In, NotIn],
    };
    if !allowed.contains(&comparator) {
        let names: Vec<&str> = allowed.iter().map(|c| c.as_str()).collect();
        return Err(refuse(
            Part::Comparator,
            format!("comparator '{comparator}' is not supported for {key}"),
            Some(format!("use one of {}", names.join(", "))),
        ));
    }
    // The parser pairs each comparator with its value shape; a hand-built filter might not.
    let (shape_ok, shape) = match comparator {
        In | NotIn => (
            matches!(&comparison.value, Value::List(items) if !items.is_empty()),
            "a non-empty list",
        ),
        IsNull | IsNotNull => (comparison.value == Value::Null, "no value"),
        _ => (
            !matches!(comparison.value, Value::List(_) | Value::Null),
            "a single value",
        ),
    };
    if !shape_ok {
        return Err(refuse(Part::Value, format!("'{comparator}' takes {shape}"), None));
    }
    let value_ok = matches!(
        (&comparison.value, kind),
        (Value::Integer(_) | Value::Float(_), Kind::Number)
            | (Value::String(_) | Value::List(_) | Value::Null, Kind::Text)
    );
    if !value_ok {
        let (wanted, got) = match (kind, &comparison.value) {
            (Kind::Number, Value::String(s)) => ("a number", format!("string '{s}'")),
            (Kind::Number, other) => ("a number", format!("{other:?}")),
            (Kind::Text, Value::Integer(n)) => ("a quoted string", format!("number {n}")),
            (Kind::Text, Value::Float(n)) => ("a quoted string", format!("number {n}")),
            (Kind::Text, other) => ("a quoted string", format!("{other:?}")),
        };
        return Err(refuse(Part::Value, format!("{key} needs {wanted}, got {got}"), None));
    }
    Ok((
        Comparison {
            key,
            comparator,
            value: comparison.value.clone(),
        },
        attribute,
    ))
}

/// Validate an order_by key for a target.
pub(crate) fn check_order_key(target: Target, key: &Key) -> Result<Resolved, Refusal> {
    resolve(target, key, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comparison(entity: Entity, name: &str, comparator: Comparator, value: Value) -> Comparison {
        Comparison {
            key: Key::new(entity, name),
            comparator,
            value,
        }
    }

    #[test]
    fn run_aliases_become_canonical() {
        let c = comparison(Entity::Attribute, "Created", Comparator::Greater, Value::Integer(5));
        assert_eq!(check_comparison(Target::Runs, &c).unwrap().0.key.name, "start_time");
        let c = comparison(
            Entity::Attribute,
            "Run Name",
            Comparator::Equal,
            Value::String("a".into()),
        );
        assert_eq!(check_comparison(Target::Runs, &c).unwrap().0.key.name, "run_name");
    }

    #[test]
    fn experiment_keys_are_their_own() {
        let name = comparison(Entity::Attribute, "name", Comparator::Like, Value::String("a%".into()));
        assert!(check_comparison(Target::Experiments, &name).is_ok());
        let refusal = check_comparison(Target::Runs, &name).unwrap_err();
        assert!(
            refusal.message.contains("unknown attribute 'name'"),
            "{}",
            refusal.message
        );
        let metric = comparison(Entity::Metric, "x", Comparator::Less, Value::Integer(1));
        let refusal = check_comparison(Target::Experiments, &metric).unwrap_err();
        assert!(refusal.message.contains("metric 'x'"), "{}", refusal.message);
        assert!(check_order_key(Target::Experiments, &Key::new(Entity::Attribute, "experiment_id")).is_ok());
        assert!(check_order_key(Target::Experiments, &Key::new(Entity::Tag, "team")).is_err());
    }

    #[test]
    fn comparators_follow_the_key_type() {
        let like_metric = comparison(Entity::Metric, "x", Comparator::Like, Value::String("a".into()));
        assert_eq!(
            check_comparison(Target::Runs, &like_metric).unwrap_err().part,
            Part::Comparator
        );
        let less_param = comparison(Entity::Param, "x", Comparator::Less, Value::String("a".into()));
        assert_eq!(
            check_comparison(Target::Runs, &less_param).unwrap_err().part,
            Part::Comparator
        );
        let null_attribute = comparison(Entity::Attribute, "status", Comparator::IsNull, Value::Null);
        assert_eq!(
            check_comparison(Target::Runs, &null_attribute).unwrap_err().part,
            Part::Comparator
        );
        let null_tag = comparison(Entity::Tag, "x", Comparator::IsNull, Value::Null);
        assert!(check_comparison(Target::Runs, &null_tag).is_ok());
    }
}
