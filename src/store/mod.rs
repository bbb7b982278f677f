//! Storage: the only place that knows how runs are kept.
pub mod sqlite;
