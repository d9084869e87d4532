//! `Evaluator`: a config compiled once (onstage-arrow's), evaluating every
//! user of Arrow streams of events and identify data.

use crate::arrow_io::{read_stream, ArrowStream};
use crate::errors;
use arrow_array::RecordBatch;
use onstage_arrow::{RowError, SchemaError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

#[pyclass(frozen, module = "onstage._native")]
pub struct Evaluator {
    inner: onstage_arrow::Evaluator,
}

#[pymethods]
impl Evaluator {
    /// Compiles the config's JSON text (or reads its compiled plan); a
    /// config with any error raises `ConfigError` with every problem.
    #[new]
    fn new(py: Python<'_>, config_json: &str) -> PyResult<Self> {
        match onstage_arrow::Evaluator::new(config_json) {
            Ok(inner) => Ok(Evaluator { inner }),
            Err(problems) => Err(errors::config_error(py, &problems)),
        }
    }

    /// The config's warnings, as dicts like `ConfigError.problems`.
    #[getter]
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        errors::problem_list(py, self.inner.warnings())
    }

    /// Evaluates every user at `as_of_ms` on up to `threads` threads (0:
    /// every core). Returns the result (an object with
    /// `__arrow_c_stream__`, one row per user sorted by user) and the
    /// refused rows (dicts: table, row, user, code, message). Columns that
    /// are missing, unknown or of the wrong type raise `OnstageError`.
    #[pyo3(signature = (events, as_of_ms, identify = None, threads = 0))]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        events: &Bound<'py, PyAny>,
        as_of_ms: i64,
        identify: Option<&Bound<'py, PyAny>>,
        threads: usize,
    ) -> PyResult<(ArrowStream, Bound<'py, PyList>)> {
        let events = read_stream("events", events)?;
        let identify = match identify {
            Some(obj) => read_stream("identify", obj)?,
            None => Vec::new(),
        };
        let inner = &self.inner;
        let result = py.detach(|| inner.evaluate(&events, &identify, as_of_ms, threads));
        output(py, result)
    }

    /// A stream of rows sorted by user, evaluated at `as_of_ms` in memory
    /// bounded by the config (`onstage_arrow::stream`).
    fn stream(&self, py: Python<'_>, as_of_ms: i64) -> PyResult<Stream> {
        let inner = self.inner.stream(as_of_ms).map_err(|e| errors::coded(py, e.code().as_str(), e.to_string()))?;
        Ok(Stream { inner })
    }

    /// The result's schema, as an object with `__arrow_c_stream__` holding
    /// no rows (`pyarrow.table(...).schema`).
    fn output_schema(&self) -> ArrowStream {
        ArrowStream::new(self.inner.output_schema(), Vec::new())
    }
}

/// A result and its refused rows as Python objects: an object with
/// `__arrow_c_stream__` and a list of dicts (table, row, user, code,
/// message).
fn output<'py>(
    py: Python<'py>,
    result: Result<(RecordBatch, Vec<RowError>), SchemaError>,
) -> PyResult<(ArrowStream, Bound<'py, PyList>)> {
    let (batch, refused) = result.map_err(|e| errors::coded(py, e.code().as_str(), e.to_string()))?;
    let rows = PyList::empty(py);
    for e in &refused {
        let d = PyDict::new(py);
        d.set_item("table", e.table.as_str())?;
        d.set_item("row", e.row)?;
        d.set_item("user", e.user.as_deref())?;
        d.set_item("code", e.code.as_str())?;
        d.set_item("message", &e.message)?;
        rows.append(d)?;
    }
    Ok((ArrowStream::new(batch.schema(), vec![batch]), rows))
}

/// Rows sorted by user, fed a record batch at a time: holds one user's
/// replay and the results of the users finished since the last call.
#[pyclass(module = "onstage._native")]
pub struct Stream {
    inner: onstage_arrow::stream::Stream,
}

#[pymethods]
impl Stream {
    /// Reads every batch of `rows` (an object with `__arrow_c_stream__`);
    /// returns the results of the users it finished and the rows refused.
    fn feed<'py>(&mut self, py: Python<'py>, rows: &Bound<'py, PyAny>) -> PyResult<(ArrowStream, Bound<'py, PyList>)> {
        let batches = read_stream("rows", rows)?;
        let inner = &mut self.inner;
        let result = py.detach(|| {
            for b in &batches {
                inner.feed(b)?;
            }
            inner.take()
        });
        output(py, result)
    }

    /// Ends the stream: the last user's result and the rows refused.
    fn finish<'py>(&mut self, py: Python<'py>) -> PyResult<(ArrowStream, Bound<'py, PyList>)> {
        let inner = &mut self.inner;
        let result = py.detach(|| inner.finish());
        output(py, result)
    }
}

/// Every problem of a config's JSON text (errors and warnings), as
/// `onstage validate --json` lists them; of a plan, `invalid_plan` when
/// this version cannot read it.
#[pyfunction]
pub fn validate<'py>(py: Python<'py>, config_json: &str) -> PyResult<Bound<'py, PyList>> {
    let problems = match onstage::config::load_text(config_json) {
        Ok(c) => c.warnings,
        Err(problems) => problems,
    };
    errors::problem_list(py, &problems)
}

/// Milliseconds since the Unix epoch of an RFC 3339 time with an explicit
/// offset, read as `simulate` reads `at`.
#[pyfunction]
pub fn parse_time(py: Python<'_>, text: &str) -> PyResult<i64> {
    onstage::time::parse_rfc3339(text).map_err(|e| errors::coded(py, "bad_time", format!("{text:?}: {e}")))
}
