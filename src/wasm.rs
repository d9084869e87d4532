//! The only file that knows JavaScript: the wasm binding.
use wasm_bindgen::prelude::*;
/// The library version, to check the package loaded.
#[wasm_bindgen]
pub fn version() -> String { env!("CARGO_PKG_VERSION").to_string() }
