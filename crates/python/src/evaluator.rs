//! `Evaluator`: a config compiled once, shared by every evaluation.

use crate::errors;
use onstage::CompiledConfig;
use pyo3::prelude::*;
use pyo3::types::PyList;
use std::sync::Arc;

#[pyclass(frozen, module = "onstage._native")]
pub struct Evaluator {
    config: Arc<CompiledConfig>,
    /// The config's warnings (it compiled: none is an error).
    warnings: Vec<onstage::problem::Problem>,
}

#[pymethods]
impl Evaluator {
    /// Compiles the config's JSON text; a config with any error raises
    /// `ConfigError` with every problem.
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        match onstage::config::compile_text(config_json) {
            Ok(c) => Ok(Evaluator { config: Arc::new(c.config), warnings: c.warnings }),
            Err(problems) => Err(errors::config_error(py, &problems)),
        }
    }

    /// The config's warnings, as dicts like `ConfigError.problems`.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        errors::problem_list(py, &self.warnings)
    }
}

impl Evaluator {
    pub fn config(&self) -> &Arc<CompiledConfig> {
        &self.config
    }
}

/// Every problem of a config's JSON text (errors and warnings), as
/// `onstage validate --json` lists them.
#[pyfunction]
pub fn validate<'py>(py: Python<'py>, config_json: &str) -> PyResult<Bound<'py, PyList>> {
    let problems = match onstage::config::compile_text(config_json) {
        Ok(c) => c.warnings,
        Err(problems) => problems,
    };
    errors::problem_list(py, &problems)
}
