//! rtrack errors as Python exceptions: one base class, one subclass per kind.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;

use rtrack::error::Error;

create_exception!(
    rtrack,
    RtrackError,
    PyException,
    "Base class of every error rtrack raises."
);
create_exception!(
    rtrack,
    NotFoundError,
    RtrackError,
    "A run, experiment, metric or artifact does not exist."
);
create_exception!(
    rtrack,
    InvalidValueError,
    RtrackError,
    "A value given to rtrack is not acceptable."
);
create_exception!(
    rtrack,
    AlreadyExistsError,
    RtrackError,
    "Something with that name or id exists already."
);

/// What the bindings' functions fail with: a Python exception, either raised by Python or made
/// from an rtrack error. `?` turns either into it (an `rtrack::Error` becomes the exception of
/// its kind), and pyo3 raises it. It exists because the orphan rule forbids converting
/// `rtrack::Error` into `PyErr` directly outside the rtrack crate.
pub struct BindingError(PyErr);

/// The result type of the bindings: [`BindingError`] in place of pyo3's `PyErr`.
pub type PyResult<T> = Result<T, BindingError>;

impl From<Error> for BindingError {
    fn from(error: Error) -> Self {
        BindingError(exception(error))
    }
}

impl From<PyErr> for BindingError {
    fn from(error: PyErr) -> Self {
        BindingError(error)
    }
}

impl<'a, 'py> From<pyo3::CastError<'a, 'py>> for BindingError {
    fn from(error: pyo3::CastError<'a, 'py>) -> Self {
        BindingError(error.into())
    }
}

impl From<BindingError> for PyErr {
    fn from(error: BindingError) -> PyErr {
        error.0
    }
}

/// The Python exception for an rtrack error, of the class matching its kind.
pub fn exception(error: Error) -> PyErr {
    let message = error.to_string();
    match error {
        Error::NotFound(_) => NotFoundError::new_err(message),
        Error::InvalidValue(_) => InvalidValueError::new_err(message),
        Error::AlreadyExists(_) => AlreadyExistsError::new_err(message),
        Error::Database(_) | Error::Io { .. } | Error::Internal(_) => RtrackError::new_err(message),
    }
}

pub fn register(module: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = module.py();
    for (name, class, code) in [
        ("RtrackError", py.get_type::<RtrackError>(), "INTERNAL_ERROR"),
        (
            "NotFoundError",
            py.get_type::<NotFoundError>(),
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (
            "InvalidValueError",
            py.get_type::<InvalidValueError>(),
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "AlreadyExistsError",
            py.get_type::<AlreadyExistsError>(),
            "RESOURCE_ALREADY_EXISTS",
        ),
    ] {
        class.setattr("error_code", code)?;
        module.add(name, class)?;
    }
    Ok(())
}
