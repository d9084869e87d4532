//! Limits that hold natively: the stored history follows the config, not
//! the traffic (a million events in one minute cost what the first did);
//! `distinct` caps at 1,000 values and says so in `capped`; the stage
//! transition log keeps the last 100; the journal of recent events keeps
//! at most 2,000 entries; interactions keep only what their windows need.
//! `docs/limits.md` lists every limit; `tests/e2e/limits.test.mjs` checks
//! the browser side (wasm memory over a week, cross-tab bookkeeping).
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::engine::{Engine, Identity, Interaction, Slots};
use onstage::json::{parse, Json};
use onstage::time::{floor_minute, DAY, MINUTE};
use std::sync::Arc;

const SAAS: &str = include_str!("../../shared/examples/saas.json");
const T0: i64 = 1_772_000_000_000;

fn saas() -> Arc<onstage::CompiledConfig> {
    Arc::new(onstage::compile(&parse(SAAS).unwrap()).unwrap().config)
}

fn signal(e: &Engine, id: &str) -> Option<f64> {
    e.snapshot().signals.iter().find(|(s, _)| &**s == id).and_then(|(_, v)| *v)
}

#[test]
fn a_million_events_in_one_minute_cost_what_the_first_did() {
    let events: &[(&str, &str)] = &[
        ("workspace_created", "{}"),
        ("integration_connected", r#"{"provider":"slack"}"#),
        ("report_created", "{}"),
        ("dashboard_shared", r#"{"audience":"team"}"#),
        ("feature_used", r#"{"feature":"filters"}"#),
        ("api_call", r#"{"units":3}"#),
        ("teammate_invited", "{}"),
        ("nps_submitted", r#"{"score":10}"#),
        ("unrelated_event", r#"{"x":1}"#),
    ];
    let props: Vec<Json> = events.iter().map(|(_, p)| parse(p).unwrap()).collect();
    let mut e = Engine::new(saas(), "u1").unwrap();
    let start = floor_minute(T0) + MINUTE;
    let total: usize = 1_000_000;
    let mut after_first = None;
    let mut sizes = Vec::new();
    for i in 0..total {
        let now = start + (i as i64 * 59_999) / total as i64; // all inside one minute
        let k = i % events.len();
        e.track(events[k].0, &props[k], None, now).unwrap();
        if i + 1 == events.len() {
            after_first = Some(e.export_state().to_json_string().len());
        }
        if (i + 1) % (total / 10) == 0 {
            sizes.push((i + 1, e.export_state().to_json_string().len()));
        }
    }
    let first_len = after_first.unwrap();
    for &(n, len) in &sizes {
        // Nothing is added per event: only the counters' digits grow (in
        // the JSON numbers and the base-32 codec text), logarithmically.
        assert!(len <= first_len + 128, "after {n} events: {len} bytes, {first_len} after the first: {sizes:?}");
    }
    let (_, at_tenth) = sizes[0];
    let (_, at_end) = sizes[sizes.len() - 1];
    assert!(at_end <= at_tenth + 32, "from 100,000 to 1,000,000 events: {sizes:?}");
    assert_eq!(signal(&e, "invites"), Some((total / events.len()) as f64));
    assert_eq!(e.user().history.journal.len(), events.len(), "one journal entry per distinct event");
    println!(
        "state after the first {} events: {first_len} bytes; after each tenth of {total}: {sizes:?}",
        events.len()
    );
}

#[test]
fn distinct_caps_at_1000_values_and_says_so() {
    let mut e = Engine::new(saas(), "u1").unwrap();
    let mut now = T0;
    for i in 0..1_500 {
        now += 1_000;
        e.track("feature_used", &parse(&format!(r#"{{"feature":"f{i}"}}"#)).unwrap(), None, now).unwrap();
        e.track("integration_connected", &parse(&format!(r#"{{"provider":"p{i}"}}"#)).unwrap(), None, now).unwrap();
        if i == 999 {
            let ev = e.evaluate(now).unwrap();
            assert_eq!(signal(&e, "features_30d"), Some(1000.0));
            assert!(ev.capped.is_empty(), "exactly 1,000 values: not capped yet: {:?}", ev.capped);
        }
    }
    let ev = e.evaluate(now).unwrap();
    assert_eq!(signal(&e, "features_30d"), Some(1000.0));
    assert_eq!(signal(&e, "integrations"), Some(1000.0));
    let capped: Vec<&str> = ev.capped.iter().map(|s| &**s).collect();
    assert_eq!(capped, ["integrations", "features_30d"]);
    // The stored form keeps 1,000 hashes per signal, not 1,500 values.
    let state = e.export_state();
    let stored = |id: &str| state.get("signals").and_then(|s| s.get(id)).map(|s| s.to_json_string().len()).unwrap();
    assert!(stored("features_30d") < 16_000, "{} bytes", stored("features_30d"));
    assert!(stored("integrations") < 16_000, "{} bytes", stored("integrations"));
    // A windowed signal stops being capped when the evicted values leave its window.
    let ev = e.evaluate(now + 31 * DAY).unwrap();
    let capped: Vec<&str> = ev.capped.iter().map(|s| &**s).collect();
    assert_eq!(capped, ["integrations"], "a signal without a window stays capped");
    assert_eq!(signal(&e, "features_30d"), Some(0.0));
}

const TOGGLE: &str = r#"{
  "version": 1,
  "signals": {},
  "stages": [
    { "id": "on", "when": { "attributes.on": true } },
    { "id": "off", "when": {} }
  ],
  "experiences": [
    { "id": "x", "slot": "s", "kind": "nudge", "priority": 1, "when": {}, "content": {} }
  ]
}"#;

#[test]
fn the_stage_transition_log_keeps_the_last_100() {
    let config = Arc::new(onstage::compile(&parse(TOGGLE).unwrap()).unwrap().config);
    let mut e = Engine::new(Arc::clone(&config), "u1").unwrap();
    let mut now = T0;
    for i in 0..250 {
        now += MINUTE;
        let attributes = parse(&format!(r#"{{"on":{}}}"#, i % 2 == 0)).unwrap();
        e.identify(Identity { attributes: Some(attributes), ..Default::default() }, now).unwrap();
    }
    let changes = e.take_notices().len();
    assert_eq!(changes, 250, "every change is notified");
    let transitions = &e.user().stage.transitions;
    assert_eq!(transitions.len(), 100);
    assert_eq!(transitions.back().unwrap().at, now, "the latest is kept");
    assert_eq!(transitions.front().unwrap().at, now - 99 * MINUTE, "the oldest kept is the 100th last");
    let state = e.export_state();
    assert_eq!(state.get("transitions").and_then(Json::as_arr).map(<[Json]>::len), Some(100));
    // A stored log longer than 100 (an older version, a hand edit) keeps its last 100.
    let mut long = state.clone();
    if let Json::Obj(o) = &mut long {
        let list: Vec<Json> = (0..150).map(|i| parse(&format!(r#"["off","on",{}]"#, T0 + i)).unwrap()).collect();
        o.insert("transitions", Json::Arr(list));
    }
    let (restored, notes) = Engine::restore(config, "u1", &long).unwrap();
    assert!(notes.is_empty());
    assert_eq!(restored.user().stage.transitions.len(), 100);
    assert_eq!(restored.user().stage.transitions.front().unwrap().at, T0 + 50);
}

#[test]
fn the_journal_keeps_at_most_2000_entries_and_a_day() {
    let mut e = Engine::new(saas(), "u1").unwrap();
    let mut now = T0;
    // Distinct props the config reads make distinct entries.
    for i in 0..5_000 {
        now += 10_000;
        e.track("feature_used", &parse(&format!(r#"{{"feature":"f{i}"}}"#)).unwrap(), None, now).unwrap();
    }
    assert_eq!(e.user().history.journal.len(), onstage::signal::journal::MAX_JOURNAL_ENTRIES);
    // Props the config does not read are not kept: one entry per minute.
    let mut e = Engine::new(saas(), "u2").unwrap();
    for i in 0..600 {
        e.track("report_created", &parse(&format!(r#"{{"id":"r{i}"}}"#)).unwrap(), None, T0 + i).unwrap();
    }
    assert!(e.user().history.journal.len() <= 2, "{}", e.user().history.journal.len());
    // A day and a minute later, all of it has left the journal.
    e.evaluate(T0 + DAY + 2 * MINUTE + 600).unwrap();
    assert_eq!(e.user().history.journal.len(), 0);
}

#[test]
fn interactions_keep_only_what_their_windows_need() {
    let mut e = Engine::new(saas(), "u1").unwrap();
    let mut now = T0;
    // An impression every 31 minutes for 60 days (the display timeout is 30 minutes).
    for _ in 0..(60 * 24 * 60 / 31) {
        now += 31 * MINUTE;
        e.interact(Interaction::Shown, "setup_checklist", now).unwrap();
        e.interact(Interaction::Shown, "win_back", now).unwrap();
    }
    let logs = &e.user().interactions;
    let most = logs.iter().map(|l| l.impressions.len()).max().unwrap();
    // win_back: 2 per 7d frequency window; the policy's day: at most 7 days of impressions.
    assert!(most <= 7 * 24 * 60 / 31 + 1, "{most} impressions kept");
    let size = e.export_state().to_json_string().len();
    assert!(size < 20_000, "{size} bytes");
    e.decide(Slots::All, now, true).unwrap();
}

#[test]
fn a_week_of_activity_keeps_the_stored_state_flat() {
    // 200 events a day with a decision every 10 events, for 5 weeks: the
    // stored state after the longest window (30 days) no longer grows.
    let names =
        ["report_created", "dashboard_shared", "feature_used", "api_call", "automation_run", "teammate_invited"];
    let mut e = Engine::new(saas(), "u1").unwrap();
    let mut now = T0;
    let mut sizes = Vec::new();
    for day in 0..35 {
        for i in 0..200 {
            now += DAY / 200;
            let name = names[(i * 7 + day) % names.len()];
            let props = parse(&format!(r#"{{"feature":"f{}","units":{},"audience":"team"}}"#, i % 13, i % 5)).unwrap();
            e.track(name, &props, None, now).unwrap();
            if i % 10 == 0 {
                e.decide(Slots::All, now, false).unwrap();
            }
        }
        sizes.push(e.export_state().to_json_string().len());
    }
    let max_late = *sizes[31..].iter().max().unwrap();
    let at_30 = sizes[30];
    assert!(max_late <= at_30 + at_30 / 20, "the state keeps growing after the longest window: {sizes:?}");
    println!("stored state bytes per day: {sizes:?}");
}

#[test]
fn the_worst_case_stored_state_of_the_reference_config() {
    // The journal keeps a day of events with the props the config reads
    // (provider, feature, units, audience, score), up to 2,000 entries and
    // about 128 KB: with 1,024-character props the byte budget binds first.
    let mut e = Engine::new(saas(), "u1").unwrap();
    let long = |tag: &str, i: usize| format!("{tag}{i:05}{}", "x".repeat(1024 - 6 - tag.len()));
    let mut now = T0;
    for i in 0..3_000 {
        now += 20_000;
        let mut props = onstage::json::Obj::new();
        for key in ["provider", "feature", "audience"] {
            props.insert(key, Json::from(long(key, i)));
        }
        props.insert("score", Json::from(long("s", i)));
        props.insert("units", Json::from(long("u", i)));
        e.track("feature_used", &Json::Obj(props), None, now).unwrap();
    }
    let bytes = e.export_state().to_json_string().len();
    assert!(e.user().history.journal.len() < 200, "{}", e.user().history.journal.len());
    assert!(bytes < 300_000, "{bytes} bytes");
    println!("worst-case stored state with saas.json: {bytes} bytes");
}
