//! The `rtrack` console script: Python hands its argv to the Rust command line.

use pyo3::prelude::*;

use crate::errors::PyResult;

/// Run `rtrack <args>` and return its exit code. The GIL is released for the whole
/// command, so a server started here does not hold up other Python threads.
#[pyfunction]
fn _cli(py: Python<'_>, args: Vec<String>) -> i32 {
    py.detach(|| rtrack::cli::main(&args))
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(module.add_function(wrap_pyfunction!(_cli, module)?)?)
}
