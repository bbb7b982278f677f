//! The search AST: what a filter or an order_by clause says, independent of any database.

use std::fmt;

/// A parsed filter: comparisons that must all hold (MLflow has no `OR`).
/// The empty filter matches everything.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    pub comparisons: Vec<Comparison>,
}

/// One `key comparator value` clause.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub key: Key,
    pub comparator: Comparator,
    pub value: Value,
}

/// What a key refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Entity {
    /// `metrics.<key>` (also `metric.`): the latest value of a metric.
    Metric,
    /// `params.<key>` (also `param.`, `parameter.`, `parameters.`).
    Param,
    /// `tags.<key>` (also `tag.`).
    Tag,
    /// `attributes.<name>` (also `attribute.`, `attr.`, `run.`, or no prefix at all).
    Attribute,
}

/// The left side of a comparison or an order_by clause. For attributes, `name` is the
/// canonical attribute name once validated (`created` becomes `start_time`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    pub entity: Entity,
    pub name: String,
}

impl Key {
    pub fn new(entity: Entity, name: impl Into<String>) -> Self {
        Key {
            entity,
            name: name.into(),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.entity {
            Entity::Metric => "metric",
            Entity::Param => "param",
            Entity::Tag => "tag",
            Entity::Attribute => "attribute",
        };
        write!(f, "{kind} '{}'", self.name)
    }
}

/// How a key is compared with the value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Comparator {
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    /// SQL pattern (`%` any run, `_` one character), case-sensitive.
    Like,
    /// As `Like`, ignoring ASCII case.
    ILike,
    In,
    NotIn,
    /// The run has no value for the key (params and tags only).
    IsNull,
    /// The run has some value for the key (params and tags only).
    IsNotNull,
}

impl Comparator {
    /// The comparator as written in a filter.
    pub fn as_str(self) -> &'static str {
        match self {
            Comparator::Equal => "=",
            Comparator::NotEqual => "!=",
            Comparator::Less => "<",
            Comparator::LessOrEqual => "<=",
            Comparator::Greater => ">",
            Comparator::GreaterOrEqual => ">=",
            Comparator::Like => "LIKE",
            Comparator::ILike => "ILIKE",
            Comparator::In => "IN",
            Comparator::NotIn => "NOT IN",
            Comparator::IsNull => "IS NULL",
            Comparator::IsNotNull => "IS NOT NULL",
        }
    }
}

impl fmt::Display for Comparator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The right side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    String(String),
    Integer(i64),
    Float(f64),
    /// The list of an `IN` / `NOT IN`.
    List(Vec<String>),
    /// No value: the right side of `IS NULL` / `IS NOT NULL`.
    Null,
}

/// One order_by clause: a key and a direction (ascending unless `DESC` is given).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderBy {
    pub key: Key,
    pub ascending: bool,
}
