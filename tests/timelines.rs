//! Replays the contract's worked examples (`shared/examples/timelines`,
//! produced by an independent model of DESIGN.md) and our own fixtures
//! through `simulate`, comparing every line field by field.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use onstage::json::{parse, Json};
use std::sync::Arc;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples");
const OURS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/timelines");

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn run(config: &str, timeline: &str, reasons: bool) -> Vec<Json> {
    let compiled = onstage::config::compile_text(&read(config)).unwrap_or_else(|p| panic!("{config}: {p:#?}"));
    let mut out = Vec::new();
    onstage::simulate::simulate(
        Arc::new(compiled.config),
        read(timeline).as_bytes(),
        &mut out,
        onstage::simulate::Options { reasons },
    )
    .unwrap_or_else(|e| panic!("{timeline}: {e}"));
    String::from_utf8(out).unwrap().lines().map(|l| parse(l).unwrap()).collect()
}

fn assert_replays(config: &str, timeline: &str, expected: &str) {
    let expected: Vec<Json> =
        read(expected).lines().filter(|l| !l.trim().is_empty()).map(|l| parse(l).unwrap()).collect();
    for reasons in [false, true] {
        support::assert_same_lines(timeline, &expected, &run(config, timeline, reasons));
    }
}

#[test]
fn the_saas_reference_timeline_replays_exactly() {
    assert_replays(
        &format!("{SHARED}/saas.json"),
        &format!("{SHARED}/timelines/saas.timeline.jsonl"),
        &format!("{SHARED}/timelines/saas.expected.jsonl"),
    );
}

#[test]
fn the_policy_reference_timeline_replays_exactly() {
    assert_replays(
        &format!("{SHARED}/timelines/policy.config.json"),
        &format!("{SHARED}/timelines/policy.timeline.jsonl"),
        &format!("{SHARED}/timelines/policy.expected.jsonl"),
    );
}

/// Our own fixtures: `<name>.timeline.jsonl` with `<name>.expected.jsonl`,
/// against the config named on the fixture's first line comment file
/// `<name>.config` (a path relative to the repository).
#[test]
fn our_timeline_fixtures_replay_exactly() {
    let Ok(dir) = std::fs::read_dir(OURS) else { panic!("{OURS} is missing") };
    let mut count = 0;
    for entry in dir.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".timeline.jsonl") else { continue };
        let config = read(&format!("{OURS}/{stem}.config")).trim().to_string();
        assert_replays(
            &format!("{}/{config}", env!("CARGO_MANIFEST_DIR")),
            &format!("{OURS}/{name}"),
            &format!("{OURS}/{stem}.expected.jsonl"),
        );
        count += 1;
    }
    assert!(count > 0, "no fixtures in {OURS}");
}
