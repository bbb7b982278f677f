//! rtrack's integration tests, one binary with a module per topic, so a change links the
//! crate into one test executable, not one per topic. linfa's tests are their own target
//! (they need the `linfa-datasets` feature).

#[path = "../common/mod.rs"]
mod common;

mod artifacts;
mod cli;
mod concurrency;
mod fidelity;
mod fluent;
mod history_pages;
mod logged_models;
mod logging;
mod models;
mod registry;
mod rest_store;
mod run_summary;
mod search;
mod server;
mod server_compat;
mod server_limits;
mod server_memory;
mod server_security;
mod storage;
mod tracking;
mod ui;
