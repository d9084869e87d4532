//! The compiler module (feature `compiler`): a config to its compiled
//! plan, and a config's problems. No engine.

use crate::{js_error, use_js_platform};
use js_sys::Reflect;
use onstage::config;
use onstage::problem::Problem;
use onstage::ErrorCode;
use wasm_bindgen::prelude::*;

/// Problems as JSON text, by their one writer.
fn problems_json(problems: &[Problem]) -> String {
    let mut out = String::new();
    onstage::json::write_list(problems, &mut out, Problem::write_json);
    out
}

/// Compiles a config from its JSON text (read by the core's own JSON
/// reader, which sees keys given twice: `duplicate_key`; `JSON.parse`
/// would hide them) to `{plan, warnings}`: the plan's text
/// (`onstage::plan::write`, what `onstage compile` writes) and the
/// config's warnings as JSON text `[{severity, code, path, message}]`. A
/// bad config throws an `Error` with code `invalid_config` and `problems`
/// (every problem, each with its JSON path).
#[wasm_bindgen(js_name = compileConfig)]
pub fn compile_config(text: &str) -> Result<js_sys::Object, JsValue> {
    use_js_platform();
    match config::compile_text(text) {
        Ok(c) => {
            let out = js_sys::Object::new();
            let _ = Reflect::set(&out, &"plan".into(), &onstage::plan::write(&c.config).into());
            let _ = Reflect::set(&out, &"warnings".into(), &problems_json(&c.warnings).into());
            Ok(out)
        }
        Err(problems) => {
            let errors = problems.iter().filter(|p| p.is_error()).count();
            let first = problems.iter().find(|p| p.is_error()).map(|p| p.to_string()).unwrap_or_default();
            let err = js_error(
                ErrorCode::InvalidConfig,
                &format!("the config has {errors} problem{}: {first}", if errors == 1 { "" } else { "s" }),
            );
            let list = problems_json(&problems);
            let _ = Reflect::set(&err, &"problems".into(), &js_sys::JSON::parse(&list).unwrap_or(JsValue::NULL));
            Err(err)
        }
    }
}

/// Every problem of a config given as JSON text (errors and warnings) as
/// JSON text: `[{"severity", "code", "path", "message"}]`.
#[wasm_bindgen(js_name = validateConfig)]
pub fn validate_config(text: &str) -> String {
    use_js_platform();
    problems_json(&config::validate_text(text))
}
