//! MLflow's search grammar: filter strings and order_by clauses, parsed in Rust and compiled
//! to SQLite with every user value bound as a parameter.
//!
//! A filter is comparisons joined by `AND` (`OR` is not supported, as in MLflow):
//!
//! | key | comparators | value |
//! |---|---|---|
//! | `metrics.<key>` | `= != < <= > >=` | number |
//! | `params.<key>`, `tags.<key>` | `= != LIKE ILIKE IN NOT IN`, `IS NULL`, `IS NOT NULL` | quoted string, or a list for `IN` |
//! | `attributes.run_id`, `run_name`, `status`, `user_id`, `artifact_uri` | `= != LIKE ILIKE IN NOT IN` | quoted string, or a list |
//! | `attributes.start_time`, `end_time` (alias `created`) | `= != < <= > >=` | number |
//!
//! Prefixes have MLflow's aliases (`metric.`, `param.`, `parameter.`, `tag.`, `attribute.`,
//! `attr.`, `run.`), and attributes may go without one (`status = 'FAILED'`). Names with
//! spaces or symbols go in backquotes or double quotes (`` metrics.`val loss` ``,
//! `tags."mlflow.runName"`); unquoted names may hold dots (`tags.mlflow.runName`).
//! `LIKE` is case-sensitive and `ILIKE` is not; both use `%` and `_` as wildcards.
//!
//! Experiment searches take `name`, `creation_time`, `last_update_time` and `tags.<key>`,
//! and order by `name`, `experiment_id`, `creation_time` or `last_update_time`.
//!
//! The model registry's searches have keys of their own:
//!
//! | search | filter keys | order_by keys |
//! |---|---|---|
//! | registered models | `name`, `tags.<key>` | `name`, `creation_timestamp`, `last_updated_timestamp` (alias `timestamp`) |
//! | model versions | `name`, `version_number`, `run_id`, `source_path`, `creation_timestamp`, `last_updated_timestamp`, `tags.<key>` | `name`, `version_number`, `creation_timestamp`, `last_updated_timestamp` |
//! | logged models | `name`, `model_id`, `status`, `model_type`, `source_run_id`, `artifact_location`, `creation_timestamp`, `last_updated_timestamp`, `metrics.<key>`, `params.<key>`, `tags.<key>` | the attributes and `metrics.<key>` |
//!
//! rtrack accepts a little more than MLflow: `IN` / `NOT IN` on every string key (MLflow
//! takes them on run attributes only), and `-` or `/` inside unquoted names (`metrics.val/loss`).
//!
//! Every mistake is an [`Error::InvalidValue`] that quotes the input and points at the
//! 1-based character position of the offending token:
//! `Invalid filter 'metrics.rmse <> 1': unexpected token '<>' at position 14; ...`.
//!
//! ```
//! use rtrack::entities::{ExperimentId, ViewType};
//! use rtrack::search::{parse_filter, parse_order_by, runs_sql, RunQuery};
//!
//! let filter = parse_filter("metrics.rmse < 0.7 AND params.model LIKE 'enet%'")?;
//! let order_by = [parse_order_by("metrics.rmse DESC")?];
//! let (sql, params) = runs_sql(&RunQuery {
//!     experiment_ids: &[ExperimentId(1)],
//!     view: ViewType::ActiveOnly,
//!     filter: &filter,
//!     order_by: &order_by,
//!     limit: 100,
//!     offset: 0,
//! })?;
//! assert!(sql.starts_with("SELECT r.run_uuid FROM runs r"));
//! assert!(!sql.contains("enet"), "values are bound, never pasted into the SQL");
//! assert_eq!(params.len(), 7);
//! # Ok::<(), rtrack::Error>(())
//! ```
//!
//! [`Error::InvalidValue`]: crate::Error::InvalidValue

mod ast;
mod experiments_sql;
mod keys;
mod lexer;
mod logged_models_sql;
mod model_keys;
mod parser;
mod registry_sql;
mod runs_sql;
mod sql;

pub use ast::{Comparator, Comparison, Entity, Filter, Key, OrderBy, Value};
pub use experiments_sql::{experiments_sql, ExperimentQuery};
pub use logged_models_sql::{logged_models_sql, LoggedModelQuery};
pub use registry_sql::{model_versions_sql, registered_models_sql, RegistryQuery};
pub use runs_sql::{runs_sql, runs_sql_selecting, RunQuery};
pub(crate) use sql::json_member_path;

use keys::{Part, Target};
use lexer::Problem;

use crate::error::{Error, Result};

/// Parse a run search filter (MLflow's `filter_string`). The empty string matches all runs.
///
/// ```
/// use rtrack::search::{parse_filter, Comparator, Entity, Value};
///
/// let filter = parse_filter("tags.`mlflow.runName` = 'baseline' AND created > 1700000000000")?;
/// let [tag, time] = &filter.comparisons[..] else { unreachable!() };
/// assert_eq!((tag.key.entity, tag.key.name.as_str()), (Entity::Tag, "mlflow.runName"));
/// assert_eq!(time.key.name, "start_time");
/// assert_eq!((time.comparator, &time.value), (Comparator::Greater, &Value::Integer(1700000000000)));
///
/// // Mistakes name the offending token and its 1-based position.
/// let err = parse_filter("metrics.rmse <> 1").unwrap_err();
/// assert!(matches!(err, rtrack::Error::InvalidValue(_)));
/// assert!(err.to_string().contains("'<>' at position 14"), "{err}");
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parse_filter(filter: &str) -> Result<Filter> {
    parse_filter_for(Target::Runs, filter)
}

/// Parse one run order_by clause: a key, then `ASC` (the default) or `DESC`.
///
/// ```
/// use rtrack::search::{parse_order_by, Entity};
///
/// let order = parse_order_by("params.`learning rate` DESC")?;
/// assert_eq!((order.key.entity, order.key.name.as_str(), order.ascending), (Entity::Param, "learning rate", false));
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parse_order_by(clause: &str) -> Result<OrderBy> {
    parse_order_by_for(Target::Runs, clause)
}

/// Parse an experiment search filter: `name`, `creation_time`, `last_update_time`, `tags.<key>`.
pub fn parse_experiment_filter(filter: &str) -> Result<Filter> {
    parse_filter_for(Target::Experiments, filter)
}

/// Parse one experiment order_by clause: `name`, `experiment_id`, `creation_time` or
/// `last_update_time`, then `ASC` (the default) or `DESC`.
pub fn parse_experiment_order_by(clause: &str) -> Result<OrderBy> {
    parse_order_by_for(Target::Experiments, clause)
}

/// Parse a registered model search filter: `name` and `tags.<key>`.
///
/// ```
/// use rtrack::search::{parse_registered_model_filter, Entity};
///
/// let filter = parse_registered_model_filter("name LIKE 'house%' AND tags.team = 'pricing'")?;
/// assert_eq!(filter.comparisons[1].key.entity, Entity::Tag);
/// let err = parse_registered_model_filter("metrics.rmse < 1").unwrap_err().to_string();
/// assert!(err.contains("registered models cannot be searched by metric 'rmse'"), "{err}");
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parse_registered_model_filter(filter: &str) -> Result<Filter> {
    parse_filter_for(Target::RegisteredModels, filter)
}

/// Parse one registered model order_by clause: `name`, `creation_timestamp` or
/// `last_updated_timestamp` (alias `timestamp`), then `ASC` or `DESC`.
pub fn parse_registered_model_order_by(clause: &str) -> Result<OrderBy> {
    parse_order_by_for(Target::RegisteredModels, clause)
}

/// Parse a model version search filter: `name`, `version_number`, `run_id`,
/// `source_path`, the timestamps and `tags.<key>`.
///
/// ```
/// use rtrack::search::{parse_model_version_filter, Value};
///
/// let filter = parse_model_version_filter("name IN ('a', 'b') AND version_number >= 2")?;
/// assert_eq!(filter.comparisons[1].value, Value::Integer(2));
/// assert!(parse_model_version_filter("version_number = 'two'").is_err());
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parse_model_version_filter(filter: &str) -> Result<Filter> {
    parse_filter_for(Target::ModelVersions, filter)
}

/// Parse one model version order_by clause: `name`, `version_number`,
/// `creation_timestamp` or `last_updated_timestamp`, then `ASC` or `DESC`.
pub fn parse_model_version_order_by(clause: &str) -> Result<OrderBy> {
    parse_order_by_for(Target::ModelVersions, clause)
}

/// Parse a logged model search filter: attributes, `metrics.<key>`, `params.<key>`, `tags.<key>`.
///
/// ```
/// use rtrack::search::{parse_logged_model_filter, Entity};
///
/// let filter = parse_logged_model_filter("metrics.accuracy > 0.9 AND status = 'READY'")?;
/// assert_eq!(filter.comparisons[0].key.entity, Entity::Metric);
/// # Ok::<(), rtrack::Error>(())
/// ```
pub fn parse_logged_model_filter(filter: &str) -> Result<Filter> {
    parse_filter_for(Target::LoggedModels, filter)
}

/// Parse one logged model order_by clause: an attribute or `metrics.<key>`, then `ASC` or `DESC`.
pub fn parse_logged_model_order_by(clause: &str) -> Result<OrderBy> {
    parse_order_by_for(Target::LoggedModels, clause)
}

fn parse_filter_for(target: Target, input: &str) -> Result<Filter> {
    let fail = |problem: Problem| Error::invalid(problem.describe("filter", input));
    let located = parser::parse_comparisons(input).map_err(fail)?;
    let comparisons = located
        .into_iter()
        .map(|l| {
            keys::check_comparison(target, &l.comparison)
                .map(|(c, _)| c)
                .map_err(|refusal| {
                    let position = match refusal.part {
                        Part::Key => l.key_at,
                        Part::Comparator => l.comparator_at,
                        Part::Value => l.value_at,
                    };
                    fail(Problem {
                        message: refusal.message,
                        position,
                        hint: refusal.hint,
                    })
                })
        })
        .collect::<Result<_>>()?;
    Ok(Filter { comparisons })
}

fn parse_order_by_for(target: Target, input: &str) -> Result<OrderBy> {
    let fail = |problem: Problem| Error::invalid(problem.describe("order_by clause", input));
    let (order, key_at) = parser::parse_order_clause(input).map_err(fail)?;
    let resolved = keys::check_order_key(target, &order.key).map_err(|refusal| {
        fail(Problem {
            message: refusal.message,
            position: key_at,
            hint: refusal.hint,
        })
    })?;
    Ok(OrderBy {
        key: resolved.key,
        ascending: order.ascending,
    })
}
