//! The Python extension module `rtrack._core`. Bindings only convert: Python objects to
//! rtrack values, rtrack errors to exceptions. The package in `python/rtrack` re-exports it.

mod cli;
mod client;
mod convert;
mod display;
mod entities;
mod errors;
mod fluent;
mod frame;
mod logged_models;
mod metrics;
mod models;
mod plots;
mod registry;
mod registry_entities;
mod server;
mod serving;

use pyo3::prelude::*;

/// Rust's allocations in the extension go to mimalloc: a search builds thousands of small
/// strings and maps, which it hands out and takes back markedly faster than the system
/// allocator (about 15% of a 1,000-run search). Python's own objects stay with Python.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[pymodule]
fn _core(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    errors::register(module)?;
    entities::register(module)?;
    fluent::register(module)?;
    cli::register(module)?;
    registry_entities::register(module)?;
    registry::register(module)?;
    module.add_class::<client::PyClient>()?;
    module.add_function(wrap_pyfunction!(frame::runs_to_columns, module)?)?;
    metrics::register(module)?;
    plots::register(module)?;
    display::register(module)?;
    server::register(module)?;
    models::register(module)?;
    serving::register(module)?;
    Ok(())
}
