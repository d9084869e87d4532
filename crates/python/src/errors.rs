//! The module's exceptions. Every error carries the core's stable code
//! (`err.code`); a refused config also carries every problem
//! (`err.problems`: dicts with severity, code, path and message), as
//! `onstage validate --json` prints them.

use onstage::problem::Problem;
use pyo3::create_exception;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

create_exception!(
    _native,
    OnstageError,
    pyo3::exceptions::PyValueError,
    "An input onstage refuses; `code` is its stable error code."
);
create_exception!(
    _native,
    ConfigError,
    OnstageError,
    "A config with errors; `problems` lists every problem with its path."
);

/// One problem as a Python dict.
pub fn problem_dict<'py>(py: Python<'py>, p: &Problem) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("severity", if p.is_error() { "error" } else { "warning" })?;
    d.set_item("code", p.code.as_str())?;
    d.set_item("path", p.path.to_string())?;
    d.set_item("message", &p.message)?;
    Ok(d)
}

pub fn problem_list<'py>(py: Python<'py>, problems: &[Problem]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for p in problems {
        list.append(problem_dict(py, p)?)?;
    }
    Ok(list)
}

/// `ConfigError` with `code = "invalid_config"` and every problem.
pub fn config_error(py: Python<'_>, problems: &[Problem]) -> PyErr {
    let errors = problems.iter().filter(|p| p.is_error()).count();
    let mut message = format!("the config has {errors} error{}:", if errors == 1 { "" } else { "s" });
    for p in problems {
        message.push_str("\n  ");
        message.push_str(&p.to_string());
    }
    let err = ConfigError::new_err(message);
    if let Err(e) = attach(py, &err, "invalid_config", problem_list(py, problems)) {
        return e;
    }
    err
}

/// `OnstageError` with its code.
pub fn coded(py: Python<'_>, code: &str, message: impl Into<String>) -> PyErr {
    let err = OnstageError::new_err(message.into());
    if let Err(e) = attach(py, &err, code, Ok(PyList::empty(py))) {
        return e;
    }
    err
}

fn attach(py: Python<'_>, err: &PyErr, code: &str, problems: PyResult<Bound<'_, PyList>>) -> PyResult<()> {
    let value = err.value(py);
    value.setattr("code", code)?;
    value.setattr("problems", problems?)?;
    Ok(())
}
