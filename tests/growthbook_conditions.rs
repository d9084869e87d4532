//! Every `evalCondition` case of the GrowthBook SDK specification's test
//! vectors, read from `shared/conformance` at run time.
#![cfg(not(target_arch = "wasm32"))]

use onstage::condition::{CompileEnv, Condition, PlainDoc, PlainResolver};
use onstage::json::{self, Json, Obj};
use onstage::problem::{JsonPath, Problems};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance/growthbook-cases.json");
const EXPECTED_CASES: usize = 235;

/// Runs one case; `Err` describes how it is malformed or failed.
fn run_case(case: &Json) -> Result<(), String> {
    let parts = case.as_arr().ok_or("case is not an array")?;
    let (name, condition, attributes, expected) = match parts {
        [name, condition, attributes, expected, ..] => (name, condition, attributes, expected),
        _ => return Err(format!("case with {} elements", parts.len())),
    };
    let name = name.as_str().unwrap_or("?");
    let expected = expected.as_bool().ok_or_else(|| format!("{name}: expected is not a boolean"))?;
    let no_groups = Obj::new();
    let saved_groups = parts.get(4).and_then(Json::as_obj).unwrap_or(&no_groups);
    let env = CompileEnv { resolver: &PlainResolver, saved_groups };
    let mut problems = Problems::new();
    let compiled = Condition::compile(condition, &JsonPath::root(), &env, &mut problems);
    let doc = PlainDoc(attributes);
    let got = compiled.eval(&doc);
    let explained = compiled.explain(&doc).held;
    if got != expected || explained != expected {
        return Err(format!("{name}: expected {expected}, eval {got}, explain {explained}"));
    }
    Ok(())
}

#[test]
fn every_eval_condition_case_passes() {
    let text = std::fs::read_to_string(CASES).unwrap_or_else(|e| panic!("cannot read {CASES}: {e}"));
    let cases = json::parse(&text).unwrap_or_else(|e| panic!("cannot parse {CASES}: {e}"));
    let cases = cases.get("evalCondition").and_then(Json::as_arr).unwrap_or_else(|| panic!("no evalCondition section"));
    let failures: Vec<String> = cases.iter().filter_map(|case| run_case(case).err()).collect();
    let passed = cases.len() - failures.len();
    assert!(failures.is_empty(), "{} failing case(s):\n{}", failures.len(), failures.join("\n"));
    assert_eq!(passed, EXPECTED_CASES, "the vectors should hold {EXPECTED_CASES} cases");
}
