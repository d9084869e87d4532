//! Stored state: a user's state survives a reload exactly (the reference
//! timelines give the same lines when every engine is stored and restored
//! through JSON text before each step), config updates keep what DESIGN
//! says, and bad stored values are refused or dropped part by part.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

mod support;

use onstage::engine::Engine;
use onstage::json::{parse, Json};
use onstage::timeline::{apply, parse_step, step_time};
use std::collections::HashMap;
use std::sync::Arc;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples");

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn lines(text: &str) -> Vec<Json> {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| parse(l).unwrap()).collect()
}

fn compiled(path: &str) -> Arc<onstage::CompiledConfig> {
    Arc::new(onstage::config::compile_text(&read(path)).unwrap().config)
}

/// Replays a timeline, storing and restoring each user's engine through
/// JSON text before every step.
fn replay_with_reloads(config: Arc<onstage::CompiledConfig>, timeline: &str) -> Vec<Json> {
    let mut stored: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    for step in lines(timeline) {
        let (user, at_text, step) = parse_step(&step).unwrap();
        let at = step_time(at_text).unwrap();
        let mut engine = match stored.get(user) {
            Some(text) => {
                let (engine, notes) = Engine::restore(Arc::clone(&config), user, &parse(text).unwrap()).unwrap();
                assert_eq!(notes, vec![], "a reload with the same config drops nothing");
                engine
            }
            None => Engine::new(Arc::clone(&config), user).unwrap(),
        };
        if let Some(line) = apply(&mut engine, step, at, at_text, false).unwrap() {
            out.push(line);
        }
        stored.insert(user.to_string(), engine.export_state().to_json_string());
    }
    out
}

#[test]
fn the_saas_timeline_gives_the_same_lines_across_reloads() {
    let config = compiled(&format!("{SHARED}/saas.json"));
    let got = replay_with_reloads(config, &read(&format!("{SHARED}/timelines/saas.timeline.jsonl")));
    support::assert_same_lines(
        "saas with reloads",
        &lines(&read(&format!("{SHARED}/timelines/saas.expected.jsonl"))),
        &got,
    );
}

#[test]
fn the_policy_timeline_gives_the_same_lines_across_reloads() {
    let config = compiled(&format!("{SHARED}/timelines/policy.config.json"));
    let got = replay_with_reloads(config, &read(&format!("{SHARED}/timelines/policy.timeline.jsonl")));
    support::assert_same_lines(
        "policy with reloads",
        &lines(&read(&format!("{SHARED}/timelines/policy.expected.jsonl"))),
        &got,
    );
}

#[test]
fn the_tours_timeline_gives_the_same_lines_across_reloads() {
    let config = compiled(&format!("{SHARED}/timelines/tours.config.json"));
    let got = replay_with_reloads(config, &read(&format!("{SHARED}/timelines/tours.timeline.jsonl")));
    support::assert_same_lines(
        "tours with reloads",
        &lines(&read(&format!("{SHARED}/timelines/tours.expected.jsonl"))),
        &got,
    );
}

const T0: i64 = 1_772_000_000_000;
const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn saas_engine() -> Engine {
    Engine::new(compiled(&format!("{SHARED}/saas.json")), "u1").unwrap()
}

fn track(e: &mut Engine, name: &str, props: Json, at: i64) {
    e.track(name, &props, None, at).unwrap();
}

fn signal(e: &mut Engine, id: &str, at: i64) -> Option<f64> {
    e.evaluate(at).unwrap().signals.into_iter().find(|(s, _)| &**s == id).unwrap().1
}

#[test]
fn a_config_update_keeps_unchanged_signals_stage_and_interactions() {
    let mut e = saas_engine();
    track(&mut e, "report_created", Json::Null, T0);
    track(&mut e, "teammate_invited", Json::Null, T0 + MIN);
    e.interact(onstage::engine::Interaction::Shown, "setup_checklist", T0 + 2 * MIN).unwrap();
    assert_eq!(signal(&mut e, "reports_7d", T0 + 3 * MIN), Some(1.0));
    let mut doc = parse(&read(&format!("{SHARED}/saas.json"))).unwrap();
    // Change reports_7d's window; leave invites alone; add a signal.
    let Json::Obj(root) = &mut doc else { panic!() };
    let Some(Json::Obj(signals)) = root.get_mut("signals") else { panic!() };
    signals.insert("reports_7d", onstage::obj! { "count" => "report_created", "window" => "14d" });
    signals.insert("shares_ever", onstage::obj! { "count" => "dashboard_shared" });
    // Reordering a definition's keys is not a change.
    signals.insert("invites", onstage::obj! { "count" => "teammate_invited" });
    signals.insert("premium_attempts", onstage::obj! { "window" => "14d", "count" => "premium_feature_blocked" });
    let stage_before = e.snapshot().stage;
    let notes = e.set_config(Arc::new(onstage::compile(&doc).unwrap().config));
    let reset: Vec<_> = notes.iter().filter(|n| n.code == "signal_reset").map(|n| n.message.clone()).collect();
    assert_eq!(reset.len(), 2, "{reset:?}");
    assert_eq!(signal(&mut e, "reports_7d", T0 + 4 * MIN), Some(0.0), "a changed signal starts empty");
    assert_eq!(signal(&mut e, "invites", T0 + 4 * MIN), Some(1.0), "an unchanged signal keeps its data");
    assert_eq!(e.snapshot().stage, stage_before);
    assert!(e.user().interactions[0].last_shown.is_some(), "interactions carry over by id");
}

#[test]
fn stored_values_that_are_not_ours_are_refused_whole() {
    let e = saas_engine();
    let config = compiled(&format!("{SHARED}/saas.json"));
    let state = e.export_state();
    let restore = |j: &Json, user: &str| Engine::restore(Arc::clone(&config), user, j).err().map(|e| e.code().as_str());
    assert_eq!(restore(&Json::Num(1.0), "u1"), Some("state_not_recognized"));
    assert_eq!(restore(&parse(r#"{"format":"other"}"#).unwrap(), "u1"), Some("state_not_recognized"));
    let mut future = state.clone();
    if let Json::Obj(o) = &mut future {
        o.insert("version", Json::Num(2.0));
    }
    assert_eq!(restore(&future, "u1"), Some("state_unknown_version"));
    assert_eq!(restore(&state, "u2"), Some("state_other_user"));
    let mut bad = state.clone();
    if let Json::Obj(o) = &mut bad {
        o.insert("tz", Json::str("x"));
    }
    assert_eq!(restore(&bad, "u1"), Some("state_corrupt"));
}

#[test]
fn a_damaged_signal_is_dropped_alone() {
    let mut e = saas_engine();
    track(&mut e, "report_created", Json::Null, T0);
    track(&mut e, "teammate_invited", Json::Null, T0);
    let mut state = e.export_state();
    let Json::Obj(root) = &mut state else { panic!() };
    let Some(Json::Obj(signals)) = root.get_mut("signals") else { panic!() };
    let Some(Json::Obj(reports)) = signals.get_mut("reports_7d") else { panic!() };
    reports.insert("state", onstage::obj! { "b" => "!!" });
    let (mut restored, notes) = Engine::restore(compiled(&format!("{SHARED}/saas.json")), "u1", &state).unwrap();
    assert_eq!(notes.iter().map(|n| n.code).collect::<Vec<_>>(), vec!["part_corrupt"]);
    assert_eq!(signal(&mut restored, "reports_7d", T0 + MIN), Some(0.0));
    assert_eq!(signal(&mut restored, "invites", T0 + MIN), Some(1.0));
}

#[test]
fn stored_size_follows_the_config_not_the_traffic() {
    let mut e = saas_engine();
    for i in 0..20_000 {
        track(&mut e, "report_created", Json::Null, T0 + i);
    }
    let small = e.export_state().to_json_string().len();
    for day in 0..60 {
        for k in 0..10 {
            track(&mut e, "report_created", Json::Null, T0 + DAY + day * DAY + k * MIN);
        }
    }
    let sixty_days = e.export_state().to_json_string().len();
    assert!(small < 4_000, "{small}");
    // reports_7d keeps 7 days of minutes, the weekly and daily signals their windows: bounded.
    assert!(sixty_days < 6_000, "{sixty_days}");
}
