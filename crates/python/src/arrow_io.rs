//! Arrow across the boundary by the Arrow PyCapsule interface: a stream is
//! read from any object with `__arrow_c_stream__` (pyarrow, Polars, DuckDB,
//! arro3, nanoarrow), and a result is handed back as an object that has
//! one, which `pyarrow.table()` (or Polars, DuckDB) reads without a copy.

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator};
use arrow_schema::SchemaRef;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;
use std::ffi::CStr;
use std::sync::Mutex;

const STREAM: &CStr = c"arrow_array_stream";

/// Every record batch of an object with `__arrow_c_stream__`.
pub fn read_stream(what: &str, obj: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    if !obj.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "{what} must be an Arrow table or stream (an object with __arrow_c_stream__: pyarrow, Polars, DuckDB), not {}",
            obj.get_type().name()?
        )));
    }
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast::<PyCapsule>()?;
    let pointer = capsule.pointer_checked(Some(STREAM))?;
    // SAFETY: a capsule named "arrow_array_stream" holds an
    // ArrowArrayStream (the PyCapsule interface's contract); from_raw moves
    // it out and marks the capsule's copy released, so the producer's
    // destructor frees nothing twice.
    let stream = unsafe { FFI_ArrowArrayStream::from_raw(pointer.as_ptr().cast()) };
    let reader = RecordBatchStreamReader::try_new(stream).map_err(|e| PyValueError::new_err(format!("{what}: {e}")))?;
    reader.collect::<Result<Vec<_>, _>>().map_err(|e| PyValueError::new_err(format!("{what}: {e}")))
}

/// Record batches handed to Python once through `__arrow_c_stream__`.
#[pyclass(frozen, module = "onstage._native")]
pub struct ArrowStream {
    schema: SchemaRef,
    batches: Mutex<Option<Vec<RecordBatch>>>,
}

impl ArrowStream {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> ArrowStream {
        ArrowStream { schema, batches: Mutex::new(Some(batches)) }
    }
}

#[pymethods]
impl ArrowStream {
    /// The PyCapsule stream (once). A requested schema is not honoured:
    /// the consumer casts, as the protocol allows.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema;
        let batches = self
            .batches
            .lock()
            .map_err(|_| PyValueError::new_err("the result stream was poisoned"))?
            .take()
            .ok_or_else(|| PyValueError::new_err("this result was already read: a stream is read once"))?;
        let reader = RecordBatchIterator::new(batches.into_iter().map(Ok), self.schema.clone());
        let stream = FFI_ArrowArrayStream::new(Box::new(reader));
        PyCapsule::new_with_value(py, stream, STREAM)
    }
}
