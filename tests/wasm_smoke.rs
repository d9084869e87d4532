//! Smoke tests of the core that run both natively (`cargo test`) and in
//! headless Chromium (`cargo test --target wasm32-unknown-unknown` with
//! `wasm-bindgen-test-runner`; see `scripts/test.sh`). The same inputs must
//! give the same results on both sides.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::*;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test_configure!(run_in_browser);

use onstage::json::{js_number_string, Json, Obj};
use onstage::time::{format_duration, format_rfc3339, parse_duration, parse_rfc3339, DAY, MINUTE};

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn durations_parse_and_format() {
    assert_eq!(parse_duration("7d"), Ok(7 * DAY));
    assert_eq!(parse_duration("90m"), Ok(90 * MINUTE));
    assert!(parse_duration("0d").is_err());
    assert!(parse_duration("7x").is_err());
    assert_eq!(format_duration(14 * DAY), "2w");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn timestamps_round_trip() {
    let t = parse_rfc3339("2025-03-30T01:30:00+02:00").unwrap();
    assert_eq!(format_rfc3339(t), "2025-03-29T23:30:00.000Z");
}

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test)]
fn json_values_serialize_the_same() {
    let mut obj = Obj::new();
    obj.insert("plan", Json::str("pro"));
    obj.insert("seats", Json::Num(12.0));
    obj.insert("ratio", Json::Num(0.25));
    obj.insert("tags", Json::Arr(vec![Json::Bool(true), Json::Null]));
    let value = Json::Obj(obj);
    assert_eq!(value.get("plan").and_then(Json::as_str), Some("pro"));
    assert_eq!(value.depth(), 2);
    assert_eq!(value.to_json_string(), r#"{"plan":"pro","seats":12,"ratio":0.25,"tags":[true,null]}"#);
    assert_eq!(js_number_string(1e21), "1e+21");
    assert_eq!(js_number_string(-0.0), "0");
}

/// Only in the browser: our `String(n)` must agree with JavaScript's own.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen_test]
fn number_strings_match_javascript() {
    for n in [0.0, -0.0, 1.0, 0.1, 1.5e-7, 123456789.125, 1e21, -2.5e300, 1e-6, f64::NAN, f64::INFINITY] {
        let js: String = js_sys::Number::from(n).to_string_with_radix(10).unwrap().into();
        assert_eq!(js_number_string(n), js, "String({n})");
    }
}
