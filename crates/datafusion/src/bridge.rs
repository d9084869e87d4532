//! DataFusion 55 hands over Arrow 59 arrays; onstage-arrow reads and
//! writes Arrow 60. The two meet through the Arrow C data interface: an
//! array exported by one version is imported by the other without a copy
//! (the buffers are shared and released by their owner's callback).
//!
//! The C structs (`FFI_ArrowArray`, `FFI_ArrowSchema`) are `#[repr(C)]`
//! and identical in both versions, since they are the C ABI; only their
//! Rust types differ. `from_raw` moves a struct out through a pointer and
//! leaves an empty (released) one behind, so each is released once.

use arrow::array::{make_array as make_array59, ArrayRef as ArrayRef59};
use arrow::datatypes::DataType as DataType59;
use arrow::ffi as ffi59;
use arrow_array::ffi as ffi60;
use arrow_array::{make_array as make_array60, ArrayRef as ArrayRef60};
use arrow_schema::DataType as DataType60;
use datafusion_common::{DataFusionError, Result};

fn bridge_error(what: &str, e: impl std::fmt::Display) -> DataFusionError {
    DataFusionError::Internal(format!("onstage: passing {what} between Arrow versions: {e}"))
}

/// An Arrow 59 array as Arrow 60 (no copy).
pub fn array_to_60(array: &ArrayRef59) -> Result<ArrayRef60> {
    let (mut a, mut s) = ffi59::to_ffi(&array.to_data()).map_err(|e| bridge_error("an array", e))?;
    // SAFETY: both structs are the C data interface's, of one layout.
    let (a, s) = unsafe {
        (
            ffi60::FFI_ArrowArray::from_raw((&mut a as *mut ffi59::FFI_ArrowArray).cast()),
            ffi60::FFI_ArrowSchema::from_raw((&mut s as *mut ffi59::FFI_ArrowSchema).cast()),
        )
    };
    // SAFETY: `a` and `s` were exported together just above.
    let data = unsafe { ffi60::from_ffi(a, &s) }.map_err(|e| bridge_error("an array", e))?;
    Ok(make_array60(data))
}

/// An Arrow 60 array as Arrow 59 (no copy).
pub fn array_to_59(array: &ArrayRef60) -> Result<ArrayRef59> {
    let (mut a, mut s) = ffi60::to_ffi(&array.to_data()).map_err(|e| bridge_error("an array", e))?;
    // SAFETY: as in `array_to_60`.
    let (a, s) = unsafe {
        (
            ffi59::FFI_ArrowArray::from_raw((&mut a as *mut ffi60::FFI_ArrowArray).cast()),
            ffi59::FFI_ArrowSchema::from_raw((&mut s as *mut ffi60::FFI_ArrowSchema).cast()),
        )
    };
    // SAFETY: as in `array_to_60`.
    let data = unsafe { ffi59::from_ffi(a, &s) }.map_err(|e| bridge_error("an array", e))?;
    Ok(make_array59(data))
}

/// An Arrow 60 data type as Arrow 59.
pub fn type_to_59(data_type: &DataType60) -> Result<DataType59> {
    let mut s = ffi60::FFI_ArrowSchema::try_from(data_type).map_err(|e| bridge_error("a type", e))?;
    // SAFETY: as in `array_to_60`.
    let s = unsafe { ffi59::FFI_ArrowSchema::from_raw((&mut s as *mut ffi60::FFI_ArrowSchema).cast()) };
    DataType59::try_from(&s).map_err(|e| bridge_error("a type", e))
}
