//! The only file that knows JavaScript: the wasm binding.
//!
//! State stays resident in wasm; each call crosses the boundary once.
//! Inputs arrive as plain JavaScript values and are converted to the core's
//! `Json` here (refusing functions, symbols, BigInt and cycles by depth);
//! results go back as JSON text, which the JavaScript wrapper parses with
//! the engine's native `JSON.parse`. Errors are real `Error` objects with a
//! stable `code` (and `problems` for a refused config).
//!
//! One crate, two modules (issue 11: the page downloads no config
//! compiler). The feature `engine` (default) is the page's module: its
//! engines start from a compiled plan (`onstage::plan::read`), and nothing
//! of the config compiler is reachable from its exports. The feature
//! `compiler` is the other module: `compileConfig` (a config to its plan)
//! and `validateConfig`, for editors, for pages that still pass a raw
//! config (the package loads it on demand) and for `onstage-compile`.
//! scripts/build-wasm.sh builds each with the other feature off.

use js_sys::Reflect;
use onstage::ErrorCode;
use wasm_bindgen::prelude::*;

#[cfg(feature = "compiler")]
mod compiler;
#[cfg(feature = "engine")]
mod engine;
#[cfg(feature = "compiler")]
pub use compiler::*;
#[cfg(feature = "engine")]
pub use engine::*;

/// talc instead of std's dlmalloc: 2.0 KB brotli less of the download,
/// decide and track measured no slower (docs/architecture.md "Where the
/// bytes go", the allocator table). The module is single-threaded (no
/// `atomics`), which `new_wasm_dynamic_allocator` requires; it grows the
/// wasm memory as needed and frees into its bins.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

/// Number text and lower case by the JavaScript engine (see
/// `onstage::platform`): exactly what GrowthBook's SDK and `JSON.parse`
/// use, and no float formatting, float parsing tables or Unicode case
/// tables in the download.
mod js_platform {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        #[wasm_bindgen(js_name = Number)]
        fn number(text: &str) -> f64;
        #[wasm_bindgen(js_name = String)]
        fn string(n: f64) -> String;
    }

    struct JsPlatform;

    impl onstage::platform::Platform for JsPlatform {
        fn parse_decimal(&self, text: &str) -> f64 {
            number(text)
        }
        fn write_number(&self, n: f64, out: &mut String) {
            out.push_str(&string(n));
        }
        fn lowercase(&self, s: &str) -> String {
            js_sys::JsString::from(s).to_lower_case().into()
        }
    }

    /// Sets the platform (once; every entry point calls it first).
    pub fn install() {
        onstage::platform::set(&JsPlatform);
    }
}

pub use js_platform::install as use_js_platform;

/// The library version, to check the package loaded.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// A JavaScript `Error` with a `code` property.
pub(crate) fn js_error(code: ErrorCode, message: &str) -> JsValue {
    let err = js_sys::Error::new(message);
    let _ = Reflect::set(&err, &"code".into(), &code.as_str().into());
    err.into()
}
