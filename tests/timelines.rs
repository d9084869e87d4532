//! Replays the contract's worked examples (`shared/examples/timelines`,
//! produced by an independent model of DESIGN.md) and our own fixtures
//! through `simulate`, comparing every line field by field.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

mod support;

use onstage::json::{parse, Json};
use std::sync::Arc;

use support::{read, OURS, SHARED};

fn run(config: &str, timeline: &str, reasons: bool) -> Vec<Json> {
    let compiled = onstage::config::compile_text(&read(config)).unwrap_or_else(|p| panic!("{config}: {p:#?}"));
    let mut out = Vec::new();
    onstage::simulate::simulate(
        Arc::new(compiled.config),
        read(timeline).as_bytes(),
        &mut out,
        onstage::simulate::Options { reasons, ..Default::default() },
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

#[test]
fn the_tours_reference_timeline_replays_exactly() {
    assert_replays(
        &format!("{SHARED}/timelines/tours.config.json"),
        &format!("{SHARED}/timelines/tours.timeline.jsonl"),
        &format!("{SHARED}/timelines/tours.expected.jsonl"),
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

/// Each output has one typed value and one writer: for every decision of
/// the reference timeline, with and without reasons, the browser's form
/// (items with labels) and simulate's differ only by the labels, and the
/// written evaluation says what the typed snapshot holds (camelCase keys).
#[test]
fn decisions_written_as_text_equal_the_json_tree() {
    use onstage::engine::{Engine, Slots};
    use onstage::timeline::{apply, parse_step, step_time, Step};
    use std::collections::HashMap;
    let compiled = onstage::config::compile_text(&read(&format!("{SHARED}/saas.json"))).unwrap();
    let config = Arc::new(compiled.config);
    let mut engines: HashMap<String, Engine> = HashMap::new();
    let mut checked = 0;
    for line in read(&format!("{SHARED}/timelines/saas.timeline.jsonl")).lines() {
        let doc = parse(line).unwrap();
        let (user, at_text, step) = parse_step(&doc).unwrap();
        let at = step_time(at_text).unwrap();
        let engine = engines.entry(user.to_string()).or_insert_with(|| Engine::new(Arc::clone(&config), user).unwrap());
        if let Step::Decide(slots) = &step {
            let reasons = checked % 2 == 0;
            let decision = engine.decide(Slots::Named(slots), at, reasons).unwrap();
            for d in &decision.slots {
                let mut with_labels = d.to_json_with(true);
                if let Some(Json::Arr(items)) = with_labels.as_obj().and_then(|o| o.get("items")).cloned() {
                    let stripped: Vec<Json> = items
                        .into_iter()
                        .map(|mut item| {
                            if let Json::Obj(o) = &mut item {
                                assert!(o.remove("label").is_some(), "every browser item has a label");
                            }
                            item
                        })
                        .collect();
                    if let Json::Obj(o) = &mut with_labels {
                        o.insert("items", Json::Arr(stripped));
                    }
                }
                assert_eq!(with_labels, d.to_json());
                checked += 1;
            }
            // The evaluation as text, against the snapshot.
            let e = engine.snapshot();
            let mut text = String::new();
            e.write_json(&mut text);
            let written = parse(&text).unwrap();
            assert_eq!(written.get("stage").and_then(Json::as_str), e.stage.as_deref());
            assert_eq!(written.get("stageSince").and_then(Json::as_f64), e.stage_since.map(|t| t as f64));
            let segments: Vec<&str> =
                written.get("segments").unwrap().as_arr().unwrap().iter().filter_map(Json::as_str).collect();
            assert_eq!(segments, e.segments.iter().map(|s| &**s).collect::<Vec<_>>());
            for (id, v) in &e.signals {
                assert_eq!(written.get("signals").and_then(|s| s.get(id)), Some(&Json::from(*v)), "{id}");
            }
        }
        apply(engine, step, at, at_text, false).unwrap();
    }
    assert!(checked > 1000, "{checked}");
}
