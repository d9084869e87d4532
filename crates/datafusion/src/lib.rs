//! The Python module `onstage_datafusion`: `onstage_evaluate` as a
//! DataFusion aggregate implemented in Rust ([`udaf::OnstageEvaluate`]),
//! handed to the `datafusion` Python package as an `FFI_AggregateUDF` in
//! a PyCapsule (`__datafusion_aggregate_udf__`), so DataFusion calls the
//! accumulator natively: no Python runs per group or per row.
//! `onstage.datafusion.register` (the `onstage` wheel) is the entry point
//! users call; docs/warehouse.md shows it.

mod accumulator;
mod bridge;
pub mod udaf;

use datafusion_expr::AggregateUDF;
use datafusion_ffi::udaf::FFI_AggregateUDF;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::sync::Arc;

/// One aggregate, ready to hand to `datafusion.udaf(...)`.
#[pyclass(frozen, module = "onstage_datafusion")]
pub struct Aggregate {
    udaf: Arc<AggregateUDF>,
}

#[pymethods]
impl Aggregate {
    /// The name SQL calls it by.
    #[getter]
    fn name(&self) -> &str {
        self.udaf.name()
    }

    fn __datafusion_aggregate_udf__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyCapsule>> {
        PyCapsule::new_with_value(py, FFI_AggregateUDF::from(Arc::clone(&self.udaf)), c"datafusion_aggregate_udf")
    }

    fn __repr__(&self) -> String {
        format!("onstage_datafusion.Aggregate({:?})", self.udaf.name())
    }
}

/// The aggregate `name` of a config (JSON text) at `as_of_ms`: over
/// events alone, or with `identify` over events and identify rows.
/// A config with errors raises `ValueError` listing them (the `onstage`
/// wheel's `Evaluator` gives them as `ConfigError.problems`).
#[pyfunction]
#[pyo3(signature = (config_json, as_of_ms, name, identify = false))]
fn aggregate(config_json: &str, as_of_ms: i64, name: &str, identify: bool) -> PyResult<Aggregate> {
    let udaf = udaf::OnstageEvaluate::new(config_json, as_of_ms, name, identify).map_err(PyValueError::new_err)?;
    Ok(Aggregate { udaf: Arc::new(AggregateUDF::new_from_impl(udaf)) })
}

/// The major version of datafusion-ffi this module speaks: the `datafusion`
/// Python package must have the same major version.
#[pyfunction]
fn ffi_version() -> u64 {
    datafusion_ffi::version()
}

#[pymodule]
fn onstage_datafusion(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Aggregate>()?;
    m.add_function(wrap_pyfunction!(aggregate, m)?)?;
    m.add_function(wrap_pyfunction!(ffi_version, m)?)?;
    Ok(())
}
