//! Shared by the native and browser timeline tests: DESIGN's field-by-field
//! comparison of `simulate` output lines.
#![allow(dead_code)]

use onstage::json::Json;

/// The contract's worked examples, beside the repository.
pub const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples");
/// Our own timelines.
pub const OURS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/timelines");

/// A file's text; a test that cannot read its input fails saying which.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn close(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Num(x), Json::Num(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        _ => a == b,
    }
}

/// Compares user, at, stage, segments, every signal (to 1e-9, null must be
/// null) and, per slot, experience, step, variation, holdout, content and
/// items.
/// Reasons are not compared: their form is each implementation's own.
pub fn differences(expected: &Json, got: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for key in ["user", "at", "stage", "segments"] {
        if expected.get(key) != got.get(key) {
            out.push(format!("{key}: expected {:?}, got {:?}", expected.get(key), got.get(key)));
        }
    }
    let missing = Json::Str("<missing>".into());
    for (id, want) in expected.get("signals").and_then(Json::as_obj).into_iter().flat_map(|o| o.iter()) {
        let have = got.get("signals").and_then(|s| s.get(id)).unwrap_or(&missing);
        if !close(want, have) {
            out.push(format!("signals.{id}: expected {want}, got {have}"));
        }
    }
    fn slots(d: &Json) -> Option<Vec<&str>> {
        d.get("decisions").and_then(Json::as_obj).map(|o| o.keys().collect())
    }
    if slots(expected) != slots(got) {
        out.push(format!("decided slots: expected {:?}, got {:?}", slots(expected), slots(got)));
    }
    for (slot, want) in expected.get("decisions").and_then(Json::as_obj).into_iter().flat_map(|o| o.iter()) {
        let Some(have) = got.get("decisions").and_then(|d| d.get(slot)) else { continue };
        // `step` too: only a decision showing a tour has one.
        for key in ["experience", "step", "variation", "holdout", "content", "items"] {
            if want.get(key) != have.get(key) {
                out.push(format!("decisions.{slot}.{key}: expected {:?}, got {:?}", want.get(key), have.get(key)));
            }
        }
    }
    out
}

/// Asserts two outputs agree line by line, listing the first differences.
pub fn assert_same_lines(what: &str, expected: &[Json], got: &[Json]) {
    assert_eq!(got.len(), expected.len(), "{what}: number of decide lines");
    let mut failures = Vec::new();
    for (n, (want, have)) in expected.iter().zip(got).enumerate() {
        let diffs = differences(want, have);
        if !diffs.is_empty() {
            failures.push(format!(
                "output line {} ({} at {}):\n  {}",
                n + 1,
                want.get("user").map(Json::to_json_string).unwrap_or_default(),
                want.get("at").map(Json::to_json_string).unwrap_or_default(),
                diffs.join("\n  ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{what}: {} lines differ\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}
