//! The Python module `onstage._native`: a compiled config (`Evaluator`)
//! and the evaluation of every user of an Arrow stream. Arrow data crosses
//! the boundary through the Arrow PyCapsule interface (`__arrow_c_stream__`),
//! so any producer works (pyarrow, Polars, DuckDB) and no pyarrow version
//! is compiled in. The Python package around it is `python/onstage/`.

mod arrow_io;
mod errors;
mod evaluator;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("OnstageError", m.py().get_type::<errors::OnstageError>())?;
    m.add("ConfigError", m.py().get_type::<errors::ConfigError>())?;
    m.add_class::<evaluator::Evaluator>()?;
    m.add_class::<evaluator::Stream>()?;
    m.add_class::<arrow_io::ArrowStream>()?;
    m.add_function(wrap_pyfunction!(evaluator::validate, m)?)?;
    m.add_function(wrap_pyfunction!(evaluator::parse_time, m)?)?;
    Ok(())
}
