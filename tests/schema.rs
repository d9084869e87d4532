//! The JSON Schema in `schema/onstage.schema.json` ships with the product
//! (editors use it for completion and docs), so it must be a valid draft
//! 2020-12 schema, accept the reference configs, and refuse the bad
//! fixtures in `tests/fixtures/bad-configs/`.
//!
//! `tests/fixtures/bad-configs/expected.json` maps each bad fixture to the
//! problem codes (`ErrorCode::as_str`) that `onstage validate` reports for it:
//! the distinct codes of its errors, warnings aside. This test checks only
//! the schema side; the validator's tests read the same file.
//!
//! Each fixture is a copy of `tests/fixtures/good-configs/small.json` with
//! one defect. Besides "the schema refuses it", this test checks that
//! every schema error lies at the defect, so a fixture cannot pass by
//! failing for some unrelated reason.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::problem::ErrorCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn path(relative: &str) -> PathBuf {
    Path::new(ROOT).join(relative)
}

fn load(file: &Path) -> Value {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", file.display()))
}

fn schema() -> Value {
    load(&path("schema/onstage.schema.json"))
}

fn validator() -> jsonschema::Validator {
    jsonschema::draft202012::new(&schema()).unwrap_or_else(|e| panic!("the schema does not compile: {e}"))
}

/// Every schema error as `instance path: message`.
fn errors(validator: &jsonschema::Validator, instance: &Value) -> Vec<(String, String)> {
    validator.iter_errors(instance).map(|e| (e.instance_path().as_str().to_owned(), e.to_string())).collect()
}

/// Where each fixture's one defect is, as a JSON pointer: every schema
/// error must be reported there or below it.
const DEFECT_AT: &[(&str, &str)] = &[
    ("bad-duration-7days.json", "/signals/tasks_7d"),
    ("checklist-without-items.json", "/experiences/0"),
    ("experience-without-slot.json", "/experiences/1"),
    ("hash-version-3.json", "/experiences/1/experiment/hash_version"),
    ("max-impressions-zero.json", "/experiences/1/frequency/max_impressions"),
    ("missing-version.json", ""),
    ("stage-without-when.json", "/stages/0"),
    ("unknown-field-in-signal.json", "/signals/tasks"),
    ("unknown-signal-form.json", "/signals/tasks"),
    ("unknown-top-level-field.json", ""),
    ("weight-as-string.json", "/experiences/1/experiment/variations/0/weight"),
    ("window-on-ratio.json", "/signals/task_share"),
    ("tour-without-steps.json", "/experiences/2"),
    ("steps-on-a-prompt.json", "/experiences/1"),
    ("unknown-field-in-step.json", "/experiences/2/steps/0"),
];

/// The codes the fixtures may expect; naming them through `ErrorCode` keeps
/// `expected.json` in step with the public code strings.
const KNOWN_CODES: &[ErrorCode] = &[
    ErrorCode::UnknownField,
    ErrorCode::MissingField,
    ErrorCode::WrongType,
    ErrorCode::BadDuration,
    ErrorCode::OutOfRange,
    ErrorCode::UnknownSignalForm,
    ErrorCode::FieldNotAllowed,
    ErrorCode::EmptyChecklist,
    ErrorCode::EmptyTour,
];

#[test]
fn schema_is_valid_draft_2020_12() {
    let schema = schema();
    assert_eq!(schema.get("$schema").and_then(Value::as_str), Some("https://json-schema.org/draft/2020-12/schema"));
    if let Err(e) = jsonschema::meta::validate(&schema) {
        panic!("the schema breaks the draft 2020-12 meta-schema at {}: {e}", e.instance_path().as_str());
    }
    // Compiling also checks what the meta-schema cannot: that every `$ref`
    // resolves and every `pattern` is a valid regex.
    validator();
}

#[test]
fn reference_configs_are_accepted() {
    let validator = validator();
    for file in [
        path("../shared/examples/saas.json"),
        path("../shared/examples/timelines/policy.config.json"),
        path("../shared/examples/timelines/tours.config.json"),
        path("tests/fixtures/good-configs/small.json"),
    ] {
        let errors = errors(&validator, &load(&file));
        assert!(errors.is_empty(), "{} is refused:\n{errors:#?}", file.display());
    }
}

#[test]
fn bad_configs_are_refused_at_their_defect() {
    let validator = validator();
    let dir = path("tests/fixtures/bad-configs");
    let expected = load(&dir.join("expected.json"));
    let expected = expected.as_object().expect("expected.json is an object of file → [codes]");

    let on_disk: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json") && name != "expected.json")
        .collect();
    let listed: BTreeSet<String> = expected.keys().cloned().collect();
    assert_eq!(on_disk, listed, "expected.json must list exactly the fixtures on disk");
    let located: BTreeSet<String> = DEFECT_AT.iter().map(|(f, _)| f.to_string()).collect();
    assert_eq!(on_disk, located, "DEFECT_AT must locate exactly the fixtures on disk");

    let known: Vec<&str> = KNOWN_CODES.iter().map(|c| c.as_str()).collect();
    let mut failures = Vec::new();
    for (file, at) in DEFECT_AT {
        let codes = expected[*file].as_array().unwrap_or_else(|| panic!("{file}: codes are not an array"));
        assert!(!codes.is_empty(), "{file}: no expected code");
        for code in codes {
            let code = code.as_str().unwrap_or_else(|| panic!("{file}: a code is not a string"));
            assert!(known.contains(&code), "{file}: unknown code {code:?}");
        }

        let errors = errors(&validator, &load(&dir.join(file)));
        if errors.is_empty() {
            failures.push(format!("{file}: accepted by the schema"));
        }
        for (instance, message) in errors {
            // A pointer is at or below `at` when it equals it or continues
            // it with a `/`.
            let below = instance == *at || instance.starts_with(&format!("{at}/"));
            if !below {
                failures.push(format!("{file}: error at {instance:?}, expected at {at:?}: {message}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
