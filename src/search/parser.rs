//! The grammar: builds the AST (see `ast`) from tokens.
//!
//! ```text
//! filter     := "" | comparison ("AND" comparison)*
//! comparison := key comparator value
//! key        := [entity "."] name          e.g. metrics.rmse, tags.`a b`, run_name
//! comparator := = | != | < | <= | > | >= | LIKE | ILIKE | IN | NOT IN | IS NULL | IS NOT NULL
//! value      := 'string' | "string" | number | "(" string ("," string)* ")"
//! order_by   := key ["ASC" | "DESC"]
//! ```
//! Which key takes which comparator and value is checked afterwards, per search target
//! (see `keys`), so this module stays purely about shape.

use super::ast::{Comparator, Comparison, Entity, Key, OrderBy, Value};
use super::lexer::{tokenize, Problem, Token, TokenKind};

/// A comparison with the positions of its parts, for error messages during validation.
#[derive(Clone, Debug)]
pub(crate) struct Located {
    pub comparison: Comparison,
    pub key_at: usize,
    pub comparator_at: usize,
    pub value_at: usize,
}

/// Parse a whole filter into comparisons; keys are not validated yet.
pub(crate) fn parse_comparisons(input: &str) -> Result<Vec<Located>, Problem> {
    let mut parser = Parser::new(input)?;
    let mut out = Vec::new();
    let mut values = 0;
    if parser.at_end() {
        return Ok(out);
    }
    loop {
        let at = parser.peek().map_or(parser.end, |t| t.start);
        if out.len() == MAX_COMPARISONS {
            return Err(
                Problem::new(format!("more than {MAX_COMPARISONS} comparisons"), at).with_hint(format!(
                    "a filter may join at most {MAX_COMPARISONS} comparisons with AND"
                )),
            );
        }
        let comparison = parser.comparison()?;
        if let Value::List(items) = &comparison.comparison.value {
            values += items.len();
            if values > MAX_FILTER_VALUES {
                return Err(Problem::new(
                    format!("more than {MAX_FILTER_VALUES} values in IN lists"),
                    comparison.value_at,
                )
                .with_hint(format!(
                    "a filter's lists may hold at most {MAX_FILTER_VALUES} values in all"
                )));
            }
        }
        out.push(comparison);
        match parser.peek() {
            None => return Ok(out),
            Some(token) if parser.is_keyword(token, "AND") => {
                let and = parser.next().expect("peeked");
                if parser.at_end() {
                    return Err(Problem::new(
                        format!("expected a comparison after '{}'", and.raw),
                        and.end,
                    ));
                }
            }
            Some(token) if parser.is_keyword(token, "OR") => {
                return Err(Problem::new(format!("unexpected token '{}'", token.raw), token.start)
                    .with_hint("OR is not supported, only AND"));
            }
            Some(token) => {
                return Err(Problem::new(format!("unexpected token '{}'", token.raw), token.start)
                    .with_hint("join comparisons with AND"));
            }
        }
    }
}

/// Parse one order_by clause; the key is not validated yet. Returns the key's position too.
pub(crate) fn parse_order_clause(input: &str) -> Result<(OrderBy, usize), Problem> {
    let mut parser = Parser::new(input)?;
    if parser.at_end() {
        return Err(Problem::new("empty clause", 1).with_hint("expected a key such as metrics.rmse"));
    }
    let (key, key_at) = parser.key()?;
    let mut ascending = true;
    if let Some(token) = parser.peek() {
        if parser.is_keyword(token, "ASC") || parser.is_keyword(token, "DESC") {
            ascending = parser.is_keyword(token, "ASC");
            parser.next();
        }
    }
    if let Some(token) = parser.next() {
        return Err(Problem::new(format!("unexpected token '{}'", token.raw), token.start)
            .with_hint("expected ASC or DESC after the key"));
    }
    Ok((OrderBy { key, ascending }, key_at))
}

/// The most comparisons one filter may join: far more than a person writes, and few enough
/// that the SQL stays small and quick to plan (SQLite refuses expressions nested 1,000 deep).
pub const MAX_COMPARISONS: usize = 200;
/// The most values an `IN (...)` list may hold.
pub const MAX_LIST_VALUES: usize = 1_000;
/// The most values all of a filter's lists may hold together, which keeps a query's bound
/// values well under SQLite's limit (32,766).
pub const MAX_FILTER_VALUES: usize = 10_000;

const KEYWORDS: &[&str] = &["AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "ILIKE"];
const COMPARATOR_HINT: &str = "expected one of =, !=, <, <=, >, >=, LIKE, ILIKE, IN, NOT IN, IS NULL, IS NOT NULL";

struct Parser {
    tokens: Vec<Token>,
    index: usize,
    /// Position just past the input, where "end of input" errors point.
    end: usize,
}

impl Parser {
    fn new(input: &str) -> Result<Self, Problem> {
        Ok(Parser {
            tokens: tokenize(input)?,
            index: 0,
            end: input.chars().count() + 1,
        })
    }

    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.index)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.index).cloned();
        self.index += token.is_some() as usize;
        token
    }

    fn at_end(&self) -> bool {
        self.index >= self.tokens.len()
    }

    fn is_keyword(&self, token: &Token, keyword: &str) -> bool {
        matches!(&token.kind, TokenKind::Word(w) if w.eq_ignore_ascii_case(keyword))
    }

    fn unexpected(&self, token: Option<&Token>, expected: &str) -> Problem {
        match token {
            Some(token) => Problem::new(format!("unexpected token '{}'", token.raw), token.start),
            None => Problem::new("unexpected end of input", self.end),
        }
        .with_hint(expected.to_string())
    }

    fn comparison(&mut self) -> Result<Located, Problem> {
        let (key, key_at) = self.key()?;
        let comparator_at = self.peek().map_or(self.end, |t| t.start);
        let comparator = self.comparator()?;
        let value_at = self.peek().map_or(self.end, |t| t.start);
        let value = self.value(comparator)?;
        Ok(Located {
            comparison: Comparison { key, comparator, value },
            key_at,
            comparator_at,
            value_at,
        })
    }

    /// A key is a run of adjacent words and quoted names: `metrics.rmse`, `` tags.`a b` ``,
    /// `params."x-y"`, `run_name`. It splits at the first unquoted dot into entity and name.
    fn key(&mut self) -> Result<(Key, usize), Problem> {
        let first = match self.peek() {
            Some(
                t @ Token {
                    kind: TokenKind::Word(w),
                    ..
                },
            ) if !KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => t.clone(),
            Some(
                t @ Token {
                    kind: TokenKind::Backquoted(_) | TokenKind::Str { double: true, .. },
                    ..
                },
            ) => t.clone(),
            other => {
                return Err(self.unexpected(other, "expected a key such as metrics.rmse or params.`my key`"));
            }
        };
        let first_index = self.index;
        self.index += 1;
        // (text, quoted) segments of the key, in order.
        let mut segments = vec![segment(&first)];
        let mut end = first.end;
        while let Some(token) = self.peek() {
            let joins = token.start == end
                && match &token.kind {
                    TokenKind::Word(_) | TokenKind::Backquoted(_) => true,
                    // A double-quoted name only continues a key after a dot: tags."a.b".
                    TokenKind::Str { double: true, .. } => segments.last().is_some_and(|s| s.0.ends_with('.')),
                    _ => false,
                };
            if !joins {
                break;
            }
            segments.push(segment(token));
            end = token.end;
            self.index += 1;
        }
        // Only this key's tokens: looking through them all would make a filter's cost grow
        // with the square of its length.
        let raw: String = self.tokens[first_index..self.index]
            .iter()
            .map(|t| t.raw.as_str())
            .collect();
        split_key(&segments, &raw, first.start).map(|key| (key, first.start))
    }

    fn comparator(&mut self) -> Result<Comparator, Problem> {
        let token = self.next();
        let comparator = match token.as_ref().map(|t| &t.kind) {
            Some(TokenKind::Op(op)) => match op.as_str() {
                "=" => Some(Comparator::Equal),
                "!=" => Some(Comparator::NotEqual),
                "<" => Some(Comparator::Less),
                "<=" => Some(Comparator::LessOrEqual),
                ">" => Some(Comparator::Greater),
                ">=" => Some(Comparator::GreaterOrEqual),
                _ => None,
            },
            Some(TokenKind::Word(w)) => match w.to_ascii_uppercase().as_str() {
                "LIKE" => Some(Comparator::Like),
                "ILIKE" => Some(Comparator::ILike),
                "IN" => Some(Comparator::In),
                "NOT" => {
                    let next = self.next();
                    if next.as_ref().is_some_and(|t| self.is_keyword(t, "IN")) {
                        Some(Comparator::NotIn)
                    } else {
                        return Err(self.unexpected(next.as_ref(), "expected IN after NOT"));
                    }
                }
                "IS" => {
                    let mut next = self.next();
                    let negated = next.as_ref().is_some_and(|t| self.is_keyword(t, "NOT"));
                    if negated {
                        next = self.next();
                    }
                    if next.as_ref().is_some_and(|t| self.is_keyword(t, "NULL")) {
                        Some(if negated {
                            Comparator::IsNotNull
                        } else {
                            Comparator::IsNull
                        })
                    } else {
                        return Err(self.unexpected(next.as_ref(), "expected NULL after IS or IS NOT"));
                    }
                }
                _ => None,
            },
            _ => None,
        };
        comparator.ok_or_else(|| self.unexpected(token.as_ref(), COMPARATOR_HINT))
    }

    fn value(&mut self, comparator: Comparator) -> Result<Value, Problem> {
        match comparator {
            Comparator::IsNull | Comparator::IsNotNull => return Ok(Value::Null),
            Comparator::In | Comparator::NotIn => return self.list(comparator),
            _ => {}
        }
        let token = self.next();
        match token.as_ref().map(|t| &t.kind) {
            Some(TokenKind::Str { text, .. }) => Ok(Value::String(text.clone())),
            Some(TokenKind::Number(text)) => Ok(number(text)),
            Some(TokenKind::Word(_)) => Err(self.unexpected(token.as_ref(), "quote string values with ' or \"")),
            Some(TokenKind::LeftParen) => Err(self.unexpected(token.as_ref(), "lists need IN or NOT IN")),
            _ => Err(self.unexpected(token.as_ref(), "expected a quoted string or a number")),
        }
    }

    fn list(&mut self, comparator: Comparator) -> Result<Value, Problem> {
        let open = self.next();
        if !matches!(open.as_ref().map(|t| &t.kind), Some(TokenKind::LeftParen)) {
            return Err(self.unexpected(open.as_ref(), &format!("{comparator} takes a list like ('a', 'b')")));
        }
        let open = open.expect("checked");
        let mut items = Vec::new();
        loop {
            let token = self.next();
            match token.as_ref().map(|t| &t.kind) {
                Some(TokenKind::Str { .. }) if items.len() == MAX_LIST_VALUES => {
                    return Err(Problem::new(
                        format!("more than {MAX_LIST_VALUES} values in the {comparator} list"),
                        open.start,
                    )
                    .with_hint(format!(
                        "an {comparator} list may hold at most {MAX_LIST_VALUES} values"
                    )));
                }
                Some(TokenKind::Str { text, .. }) => items.push(text.clone()),
                Some(TokenKind::RightParen) if items.is_empty() => {
                    return Err(Problem::new(format!("empty {comparator} list"), open.start)
                        .with_hint("give at least one quoted value"));
                }
                _ => return Err(self.unexpected(token.as_ref(), "lists hold quoted strings")),
            }
            let token = self.next();
            match token.as_ref().map(|t| &t.kind) {
                Some(TokenKind::Comma) => continue,
                Some(TokenKind::RightParen) => return Ok(Value::List(items)),
                _ => return Err(self.unexpected(token.as_ref(), "expected ',' or ')' in the list")),
            }
        }
    }
}

fn segment(token: &Token) -> (String, bool) {
    match &token.kind {
        TokenKind::Word(w) => (w.clone(), false),
        TokenKind::Backquoted(text) | TokenKind::Str { text, .. } => (text.clone(), true),
        _ => unreachable!("keys are built only from words and quoted names"),
    }
}

/// Split key segments at the first unquoted dot: before is the entity, after is the name.
/// Without such a dot the whole key is an attribute name.
fn split_key(segments: &[(String, bool)], raw: &str, at: usize) -> Result<Key, Problem> {
    let split = segments.iter().enumerate().find_map(|(i, (text, quoted))| {
        if *quoted {
            None
        } else {
            text.find('.').map(|dot| (i, dot))
        }
    });
    let Some((i, dot)) = split else {
        let name: String = segments.iter().map(|s| s.0.as_str()).collect();
        return Ok(Key::new(Entity::Attribute, name));
    };
    let mut prefix: String = segments[..i].iter().map(|s| s.0.as_str()).collect();
    prefix.push_str(&segments[i].0[..dot]);
    let mut name = segments[i].0[dot + 1..].to_string();
    name.extend(segments[i + 1..].iter().map(|s| s.0.as_str()));
    let entity = entity(&prefix).ok_or_else(|| {
        let problem = Problem::new(format!("unknown entity type '{prefix}' in '{raw}'"), at);
        if prefix.eq_ignore_ascii_case("dataset") || prefix.eq_ignore_ascii_case("datasets") {
            problem.with_hint("dataset filters are not supported")
        } else {
            problem.with_hint("expected metrics., params., tags. or attributes.")
        }
    })?;
    if name.is_empty() {
        return Err(Problem::new(format!("missing name after '{raw}'"), at)
            .with_hint("quote names with spaces or symbols in backquotes, e.g. metrics.`val loss`"));
    }
    Ok(Key::new(entity, name))
}

/// MLflow's entity prefixes and their aliases (case-insensitive here).
fn entity(prefix: &str) -> Option<Entity> {
    match prefix.to_ascii_lowercase().as_str() {
        "metric" | "metrics" => Some(Entity::Metric),
        "param" | "params" | "parameter" | "parameters" => Some(Entity::Param),
        "tag" | "tags" => Some(Entity::Tag),
        "attribute" | "attributes" | "attr" | "run" => Some(Entity::Attribute),
        _ => None,
    }
}

fn number(text: &str) -> Value {
    match text.parse::<i64>() {
        Ok(integer) => Value::Integer(integer),
        // The lexer only lets through well-formed numbers, which f64 always parses.
        Err(_) => Value::Float(text.parse::<f64>().unwrap_or(f64::NAN)),
    }
}

#[cfg(test)]
#[path = "parser_tests.rs"]
mod tests;
