//! Tests of the grammar, through the public parse functions so validation is covered too.

use super::*;
use crate::search::{parse_filter, parse_order_by, Filter};

fn one(filter: &str) -> Comparison {
    let parsed = parse_filter(filter).unwrap_or_else(|e| panic!("{filter}: {e}"));
    assert_eq!(parsed.comparisons.len(), 1, "{filter}");
    parsed.comparisons.into_iter().next().unwrap()
}

fn key(filter: &str) -> (Entity, String) {
    let c = one(filter);
    (c.key.entity, c.key.name)
}

fn error(filter: &str) -> String {
    match parse_filter(filter) {
        Ok(parsed) => panic!("{filter} parsed as {parsed:?}"),
        Err(e) => {
            assert_eq!(e.error_code(), "INVALID_PARAMETER_VALUE");
            e.to_string()
        }
    }
}

fn text(s: &str) -> Value {
    Value::String(s.into())
}

#[test]
fn empty_and_blank_filters_match_everything() {
    assert_eq!(parse_filter("").unwrap(), Filter::default());
    assert_eq!(parse_filter("   ").unwrap(), Filter::default());
}

#[test]
fn every_comparator() {
    let cases = [
        ("metrics.a = 1", Comparator::Equal),
        ("metrics.a != 1", Comparator::NotEqual),
        ("metrics.a < 1", Comparator::Less),
        ("metrics.a <= 1", Comparator::LessOrEqual),
        ("metrics.a > 1", Comparator::Greater),
        ("metrics.a >= 1", Comparator::GreaterOrEqual),
        ("params.a LIKE 'x%'", Comparator::Like),
        ("params.a like 'x%'", Comparator::Like),
        ("params.a ILIKE 'x%'", Comparator::ILike),
        ("tags.a IN ('x')", Comparator::In),
        ("tags.a not in ('x')", Comparator::NotIn),
        ("tags.a IS NULL", Comparator::IsNull),
        ("tags.a is not null", Comparator::IsNotNull),
    ];
    for (filter, comparator) in cases {
        assert_eq!(one(filter).comparator, comparator, "{filter}");
    }
}

#[test]
fn values_of_every_shape() {
    assert_eq!(one("params.a = 'x y'").value, text("x y"));
    assert_eq!(one("params.a = \"x y\"").value, text("x y"));
    assert_eq!(one("params.a = ''").value, text(""));
    assert_eq!(one("metrics.a = 3").value, Value::Integer(3));
    assert_eq!(one("metrics.a = -3").value, Value::Integer(-3));
    assert_eq!(one("metrics.a = 0.25").value, Value::Float(0.25));
    assert_eq!(one("metrics.a = -2.5e-3").value, Value::Float(-2.5e-3));
    assert_eq!(one("metrics.a>=1E3").value, Value::Float(1000.0));
    assert_eq!(
        one("run_id IN ('a', \"b\",'c')").value,
        Value::List(vec!["a".into(), "b".into(), "c".into()])
    );
    assert_eq!(one("tags.a IS NULL").value, Value::Null);
}

#[test]
fn prefixes_and_their_aliases() {
    for prefix in ["metrics", "metric", "METRICS"] {
        assert_eq!(key(&format!("{prefix}.x > 1")), (Entity::Metric, "x".into()));
    }
    for prefix in ["params", "param", "parameter", "parameters"] {
        assert_eq!(key(&format!("{prefix}.x = 'a'")), (Entity::Param, "x".into()));
    }
    for prefix in ["tags", "tag"] {
        assert_eq!(key(&format!("{prefix}.x = 'a'")), (Entity::Tag, "x".into()));
    }
    for prefix in ["attributes.", "attribute.", "attr.", "run.", ""] {
        assert_eq!(
            key(&format!("{prefix}status = 'FAILED'")),
            (Entity::Attribute, "status".into())
        );
    }
}

#[test]
fn quoted_and_dotted_keys() {
    assert_eq!(key("metrics.`val loss` < 1"), (Entity::Metric, "val loss".into()));
    assert_eq!(
        key("metrics.\"2019-04-02 error\" < 1"),
        (Entity::Metric, "2019-04-02 error".into())
    );
    assert_eq!(
        key("tags.`mlflow.runName` = 'a'"),
        (Entity::Tag, "mlflow.runName".into())
    );
    assert_eq!(
        key("tags.\"mlflow.runName\" = 'a'"),
        (Entity::Tag, "mlflow.runName".into())
    );
    assert_eq!(key("tags.mlflow.runName = 'a'"), (Entity::Tag, "mlflow.runName".into()));
    assert_eq!(key("`metrics`.x < 1"), (Entity::Metric, "x".into()));
    assert_eq!(key("metrics.val/loss < 1"), (Entity::Metric, "val/loss".into()));
    assert_eq!(
        key("attributes.`run name` = 'a'"),
        (Entity::Attribute, "run_name".into())
    );
    assert_eq!(key("`Run Name` = 'a'"), (Entity::Attribute, "run_name".into()));
    assert_eq!(key("attributes.Created > 5"), (Entity::Attribute, "start_time".into()));
}

#[test]
fn conjunctions_with_any_case_and() {
    let parsed = parse_filter("metrics.a > 1 and params.b = 'x' AND tags.c != 'y'").unwrap();
    let entities: Vec<Entity> = parsed.comparisons.iter().map(|c| c.key.entity).collect();
    assert_eq!(entities, vec![Entity::Metric, Entity::Param, Entity::Tag]);
}

#[test]
fn bad_comparator_is_named_with_its_position() {
    let err = error("metrics.rmse <> 1");
    assert!(
        err.starts_with("Invalid filter 'metrics.rmse <> 1': unexpected token '<>' at position 14"),
        "{err}"
    );
    let err = error("metrics.rmse == 1");
    assert!(err.contains("'==' at position 14"), "{err}");
    let err = error("params.a NOT LIKE 'x'");
    assert!(
        err.contains("'LIKE' at position 14") && err.contains("IN after NOT"),
        "{err}"
    );
}

#[test]
fn or_is_refused_clearly() {
    let err = error("metrics.a > 1 OR metrics.b > 1");
    assert!(
        err.contains("unexpected token 'OR' at position 15") && err.contains("OR is not supported"),
        "{err}"
    );
}

#[test]
fn trailing_garbage_and_missing_parts() {
    let err = error("metrics.a > 1 metrics.b");
    assert!(err.contains("unexpected token 'metrics.b' at position 15"), "{err}");
    let err = error("metrics.a > 1 AND");
    assert!(err.contains("expected a comparison after 'AND'"), "{err}");
    let err = error("metrics.a >");
    assert!(err.contains("unexpected end of input at position 12"), "{err}");
    let err = error("metrics.a");
    assert!(
        err.contains("at position 10") && err.contains("expected one of ="),
        "{err}"
    );
    let err = error("= 1");
    assert!(err.contains("unexpected token '=' at position 1"), "{err}");
    let err = error("(metrics.a > 1)");
    assert!(err.contains("unexpected token '(' at position 1"), "{err}");
}

#[test]
fn unterminated_strings_and_bad_lists() {
    let err = error("params.a = 'abc");
    assert!(err.contains("unterminated string 'abc at position 12"), "{err}");
    let err = error("run_id IN ()");
    assert!(err.contains("empty IN list at position 11"), "{err}");
    let err = error("run_id IN 'a'");
    assert!(err.contains("unexpected token ''a'' at position 11"), "{err}");
    let err = error("run_id IN ('a' 'b')");
    assert!(err.contains("unexpected token ''b'' at position 16"), "{err}");
    let err = error("run_id IN ('a', 1)");
    assert!(err.contains("unexpected token '1' at position 17"), "{err}");
    let err = error("params.a = ('x')");
    assert!(err.contains("lists need IN or NOT IN"), "{err}");
}

#[test]
fn unknown_keys_are_named() {
    let err = error("attributes.foo = 'x'");
    assert!(
        err.contains("unknown attribute 'foo' at position 1") && err.contains("run_name"),
        "{err}"
    );
    let err = error("lifecycle_stage = 'deleted'");
    assert!(
        err.contains("unknown attribute 'lifecycle_stage'") && err.contains("view type"),
        "{err}"
    );
    let err = error("foo.bar = 'x'");
    assert!(err.contains("unknown entity type 'foo'"), "{err}");
    let err = error("datasets.name = 'x'");
    assert!(err.contains("dataset filters are not supported"), "{err}");
    let err = error("metrics. > 1");
    assert!(err.contains("missing name after 'metrics.'"), "{err}");
}

#[test]
fn wrong_value_types_point_at_the_value() {
    let err = error("metrics.x = 'a'");
    assert!(
        err.contains("metric 'x' needs a number, got string 'a' at position 13"),
        "{err}"
    );
    let err = error("params.x = 1");
    assert!(
        err.contains("param 'x' needs a quoted string, got number 1 at position 12"),
        "{err}"
    );
    let err = error("start_time > '2024'");
    assert!(err.contains("attribute 'start_time' needs a number"), "{err}");
    let err = error("status = FAILED");
    assert!(
        err.contains("unexpected token 'FAILED'") && err.contains("quote string values"),
        "{err}"
    );
}

#[test]
fn unsupported_comparators_point_at_the_comparator() {
    let err = error("metrics.x LIKE '1%'");
    assert!(
        err.contains("comparator 'LIKE' is not supported for metric 'x' at position 11"),
        "{err}"
    );
    let err = error("params.x > 'a'");
    assert!(err.contains("comparator '>' is not supported for param 'x'"), "{err}");
    let err = error("start_time IN ('1')");
    assert!(
        err.contains("comparator 'IN' is not supported for attribute 'start_time'"),
        "{err}"
    );
    let err = error("metrics.x IS NULL");
    assert!(
        err.contains("comparator 'IS NULL' is not supported for metric 'x'"),
        "{err}"
    );
}

#[test]
fn order_by_clauses() {
    let parsed = |s: &str| {
        let o = parse_order_by(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        (o.key.entity, o.key.name, o.ascending)
    };
    assert_eq!(parsed("metrics.rmse DESC"), (Entity::Metric, "rmse".into(), false));
    assert_eq!(parsed("start_time"), (Entity::Attribute, "start_time".into(), true));
    assert_eq!(parsed("params.`a b` ASC"), (Entity::Param, "a b".into(), true));
    assert_eq!(
        parsed("attributes.run_name asc"),
        (Entity::Attribute, "run_name".into(), true)
    );
    assert_eq!(
        parsed("tags.mlflow.runName desc"),
        (Entity::Tag, "mlflow.runName".into(), false)
    );
    assert_eq!(parsed("created"), (Entity::Attribute, "start_time".into(), true));
}

#[test]
fn order_by_errors_have_positions() {
    let err = parse_order_by("metrics.rmse DESC x").unwrap_err().to_string();
    assert!(
        err.starts_with("Invalid order_by clause 'metrics.rmse DESC x': unexpected token 'x' at position 19"),
        "{err}"
    );
    let err = parse_order_by("metrics.rmse DOWN").unwrap_err().to_string();
    assert!(err.contains("'DOWN' at position 14"), "{err}");
    let err = parse_order_by("attributes.nope").unwrap_err().to_string();
    assert!(err.contains("unknown attribute 'nope' at position 1"), "{err}");
    let err = parse_order_by("").unwrap_err().to_string();
    assert!(err.contains("empty clause"), "{err}");
    let err = parse_order_by("params.`a b").unwrap_err().to_string();
    assert!(err.contains("unterminated quoted name"), "{err}");
}
