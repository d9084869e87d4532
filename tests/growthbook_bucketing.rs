//! Runs every bucketing vector of the GrowthBook SDK specification
//! (`shared/conformance/growthbook-cases.json`), read from the file at run
//! time so that the vectors stay the single source of truth.
//!
//! Each section asserts how many cases it ran: a vector file that loses
//! cases, or a parser that skips malformed ones, must fail loudly instead
//! of passing on fewer checks.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::decide::bucket::{bucket_ranges, choose_variation, equal_weights, hash, in_namespace};
use onstage::json::{self, Json};

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance/growthbook-cases.json");
const TOLERANCE: f64 = 1e-6;

fn section(name: &str) -> Vec<Json> {
    let text = std::fs::read_to_string(CASES).unwrap_or_else(|e| panic!("reading {CASES}: {e}"));
    let doc = json::parse(&text).unwrap_or_else(|e| panic!("parsing {CASES}: {e}"));
    doc.get(name).and_then(Json::as_arr).unwrap_or_else(|| panic!("section {name} missing from {CASES}")).to_vec()
}

/// Runs `check` on every case of `name`; `check` returns the case's name
/// and an error when it fails. Panics listing every failure, or when the
/// number of cases is not `expected_count`.
fn run(name: &str, expected_count: usize, check: impl Fn(&[Json]) -> (String, Result<(), String>)) {
    let cases = section(name);
    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let items = case.as_arr().unwrap_or_else(|| panic!("{name}[{i}] is not an array: {}", case.to_json_string()));
        let (case_name, result) = check(items);
        if let Err(why) = result {
            failures.push(format!("  {name}[{i}] {case_name}: {why}"));
        }
    }
    assert!(failures.is_empty(), "{} of {} {name} cases fail:\n{}", failures.len(), cases.len(), failures.join("\n"));
    assert_eq!(cases.len(), expected_count, "{name}: ran {} cases, expected {expected_count}", cases.len());
}

fn num(v: &Json) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("expected a number, got {}", v.to_json_string()))
}

fn string(v: &Json) -> &str {
    v.as_str().unwrap_or_else(|| panic!("expected a string, got {}", v.to_json_string()))
}

fn numbers(v: &Json) -> Vec<f64> {
    v.as_arr().unwrap_or_else(|| panic!("expected an array, got {}", v.to_json_string())).iter().map(num).collect()
}

fn ranges(v: &Json) -> Vec<(f64, f64)> {
    v.as_arr()
        .unwrap_or_else(|| panic!("expected ranges, got {}", v.to_json_string()))
        .iter()
        .map(|r| match numbers(r)[..] {
            [start, end] => (start, end),
            _ => panic!("a range is two numbers, got {}", r.to_json_string()),
        })
        .collect()
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= TOLERANCE)
}

fn close_ranges(a: &[(f64, f64)], b: &[(f64, f64)]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x.0 - y.0).abs() <= TOLERANCE && (x.1 - y.1).abs() <= TOLERANCE)
}

#[test]
fn hash_cases() {
    // [seed, value, version, expected or null]
    run("hash", 15, |c| {
        let (seed, value, version) = (string(&c[0]), string(&c[1]), num(&c[2]));
        let name = format!("hash({seed:?}, {value:?}, {version})");
        // A version that is not a u32 is unknown to GrowthBook too.
        let got = if version.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&version) {
            hash(seed, value, version as u32)
        } else {
            None
        };
        let expected = if c[3].is_null() { None } else { Some(num(&c[3])) };
        // Exact: both sides are an integer divided by 1000 or 10000.
        let result = if got == expected { Ok(()) } else { Err(format!("got {got:?}, expected {expected:?}")) };
        (name, result)
    });
}

#[test]
fn get_bucket_range_cases() {
    // [name, [numVariations, coverage, weights or null], expected ranges]
    run("getBucketRange", 13, |c| {
        let name = string(&c[0]).to_owned();
        let args = c[1].as_arr().unwrap_or_else(|| panic!("{name}: arguments are not an array"));
        let n = num(&args[0]) as usize;
        let coverage = num(&args[1]);
        let weights = if args[2].is_null() { None } else { Some(numbers(&args[2])) };
        let got = bucket_ranges(n, coverage, weights.as_deref());
        let expected = ranges(&c[2]);
        let result =
            if close_ranges(&got, &expected) { Ok(()) } else { Err(format!("got {got:?}, expected {expected:?}")) };
        (name, result)
    });
}

#[test]
fn choose_variation_cases() {
    // [name, bucket, ranges, expected index or -1]
    run("chooseVariation", 13, |c| {
        let name = string(&c[0]).to_owned();
        let got = choose_variation(num(&c[1]), &ranges(&c[2]));
        let expected = num(&c[3]);
        let expected = if expected < 0.0 { None } else { Some(expected as usize) };
        let result = if got == expected { Ok(()) } else { Err(format!("got {got:?}, expected {expected:?}")) };
        (name, result)
    });
}

#[test]
fn in_namespace_cases() {
    // [name, userId, [namespace, start, end], expected]
    run("inNamespace", 16, |c| {
        let name = string(&c[0]).to_owned();
        let ns = c[2].as_arr().unwrap_or_else(|| panic!("{name}: namespace is not an array"));
        let got = in_namespace(string(&c[1]), (string(&ns[0]), num(&ns[1]), num(&ns[2])));
        let expected = c[3].as_bool().unwrap_or_else(|| panic!("{name}: expected is not a boolean"));
        let result = if got == expected { Ok(()) } else { Err(format!("got {got}, expected {expected}")) };
        (name, result)
    });
}

#[test]
fn get_equal_weights_cases() {
    // [n, expected weights]; the SDK gives [] for n <= 0, which an unsigned
    // count expresses as 0.
    run("getEqualWeights", 6, |c| {
        let n = num(&c[0]);
        let name = format!("getEqualWeights({n})");
        let got = equal_weights(if n <= 0.0 { 0 } else { n as usize });
        let expected = numbers(&c[1]);
        let result = if close(&got, &expected) { Ok(()) } else { Err(format!("got {got:?}, expected {expected:?}")) };
        (name, result)
    });
}
