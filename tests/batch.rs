//! The batch API (`onstage::batch`) against `onstage simulate`: for every
//! user, the batch row equals the decide line of the timeline its rule
//! describes (identify at the first replayed event, tracks at their own
//! times in stable time order, `decide "*"` at as_of). Populations are
//! generated from a seed, from the event and identify data of the
//! shared timelines; the shared timelines' own users are checked too.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::batch::{Batch, Event, Identify, RowError, Table, UserResult, UserRow};
use onstage::json::{parse, Json};
use onstage::time::{format_rfc3339, parse_rfc3339, Millis, DAY};
use onstage::{ErrorCode, Identity};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples");

/// (config, timeline) of the shared examples.
const EXAMPLES: &[(&str, &str)] = &[
    ("saas.json", "timelines/saas.timeline.jsonl"),
    ("timelines/policy.config.json", "timelines/policy.timeline.jsonl"),
    ("timelines/tours.config.json", "timelines/tours.timeline.jsonl"),
];

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{SHARED}/{path}")).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn config(path: &str) -> Arc<onstage::CompiledConfig> {
    Arc::new(onstage::config::compile_text(&read(path)).unwrap_or_else(|p| panic!("{path}: {p:#?}")).config)
}

/// One input row of a population.
#[derive(Clone)]
struct Row {
    user: String,
    name: String,
    props: Json,
    at: Millis,
    /// Made bad on purpose: the batch must refuse it.
    bad: bool,
}

struct Population {
    events: Vec<Row>,
    identify: Vec<(String, Json)>,
    as_of: Millis,
}

/// What a shared timeline holds: its events (name, props, time) per user,
/// each user's identify data (merged, the last value of each field), and
/// the time of its last step.
fn shared(timeline: &str) -> Population {
    let mut events = Vec::new();
    let mut identify: BTreeMap<String, onstage::json::Obj> = BTreeMap::new();
    let mut last = 0;
    for line in read(timeline).lines().filter(|l| !l.trim().is_empty()) {
        let step = parse(line).unwrap();
        let user = step.get("user").and_then(Json::as_str).unwrap().to_string();
        let at = parse_rfc3339(step.get("at").and_then(Json::as_str).unwrap()).unwrap();
        last = last.max(at);
        if let Some(name) = step.get("track").and_then(Json::as_str) {
            let at = step.get("timestamp").and_then(Json::as_str).map_or(at, |t| parse_rfc3339(t).unwrap());
            let props = step.get("props").cloned().unwrap_or(Json::Null);
            events.push(Row { user: user.clone(), name: name.into(), props, at, bad: false });
        }
        if let Some(Json::Obj(fields)) = step.get("identify") {
            let merged = identify.entry(user).or_default();
            for (k, v) in fields.iter() {
                merged.insert(k, v.clone());
            }
        }
    }
    let identify = identify.into_iter().map(|(u, o)| (u, Json::Obj(o))).collect();
    Population { events, identify, as_of: last }
}

/// A seeded generator (splitmix64): the same seed, the same population.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A population drawn from a shared timeline's events and identify data:
/// users with 0 to 120 events over 60 days before as_of (some at equal
/// times, some after as_of), in shuffled order, with bad rows mixed in.
fn generated(source: &Population, seed: u64, users: usize) -> Population {
    let mut rng = Rng(seed);
    let as_of = source.as_of + DAY;
    let mut events = Vec::new();
    let mut identify = Vec::new();
    for u in 0..users {
        let user = format!("g{seed}-u{u:03}");
        if !source.identify.is_empty() && rng.chance(70) {
            let (_, data) = &source.identify[rng.below(source.identify.len())];
            identify.push((user.clone(), data.clone()));
        }
        let start = as_of - (1 + rng.below(60)) as i64 * DAY;
        let mut at = start;
        for _ in 0..rng.below(121) {
            let sample = &source.events[rng.below(source.events.len())];
            // Mostly minutes to hours apart; sometimes the same millisecond.
            if !rng.chance(10) {
                at += (rng.below(6 * 3_600_000) as i64).min(as_of + 2 * DAY - at).max(0);
            }
            let mut row =
                Row { user: user.clone(), name: sample.name.clone(), props: sample.props.clone(), at, bad: false };
            match rng.below(100) {
                0 => (row.name, row.bad) = (String::new(), true),
                1 => (row.props, row.bad) = (parse(r#"{"nested": {"a": 1}}"#).unwrap(), true),
                2 => (row.at, row.bad) = (-5, true),
                3 => (row.name, row.bad) = ("x".repeat(129), true),
                _ => {}
            }
            events.push(row);
        }
    }
    // Shuffle (Fisher-Yates): the batch sorts.
    for i in (1..events.len()).rev() {
        let j = rng.below(i + 1);
        events.swap(i, j);
    }
    Population { events, identify, as_of }
}

/// The batch: every user of the population, sorted by user id, with the
/// rows (numbered in input order) the batch refused.
fn run_batch(config: &Arc<onstage::CompiledConfig>, p: &Population) -> BTreeMap<String, UserResult> {
    let batch = Batch::new(Arc::clone(config), p.as_of).unwrap();
    let mut by_user: BTreeMap<&str, Vec<Event>> = BTreeMap::new();
    for (row, e) in p.events.iter().enumerate() {
        by_user.entry(&e.user).or_default().push(Event { row, name: &e.name, props: &e.props, at: e.at });
    }
    let mut identify: BTreeMap<&str, Identify> = BTreeMap::new();
    for (row, (user, data)) in p.identify.iter().enumerate() {
        identify.insert(user, Identify { row, identity: Identity::from_json(data).unwrap() });
        by_user.entry(user).or_default();
    }
    by_user
        .into_iter()
        .map(|(user, mut events)| (user.to_string(), batch.evaluate(user, identify.remove(user), &mut events)))
        .collect()
}

/// The timeline the batch rule describes for every user (users one
/// after the other), from the rows the batch did not refuse.
fn timeline(p: &Population, refused: &BTreeSet<usize>) -> String {
    let mut by_user: BTreeMap<&str, Vec<(Millis, usize)>> = BTreeMap::new();
    for (row, e) in p.events.iter().enumerate() {
        by_user.entry(&e.user).or_default();
        if !refused.contains(&row) && e.at <= p.as_of {
            by_user.entry(&e.user).or_default().push((e.at, row));
        }
    }
    let identify: BTreeMap<&str, &Json> = p.identify.iter().map(|(u, d)| (u.as_str(), d)).collect();
    for user in identify.keys() {
        by_user.entry(user).or_default();
    }
    let mut out = String::new();
    let step = |out: &mut String, user: &str, at: Millis, fields: &str| {
        out.push_str(&format!(r#"{{"user":{},"at":"{}",{fields}}}"#, Json::str(user), format_rfc3339(at)));
        out.push('\n');
    };
    for (user, mut events) in by_user {
        events.sort();
        if let Some(data) = identify.get(user) {
            let at = events.first().map_or(p.as_of, |(at, _)| *at);
            step(&mut out, user, at, &format!(r#""identify":{data}"#));
        }
        for (at, row) in events {
            let e = &p.events[row];
            step(&mut out, user, at, &format!(r#""track":{},"props":{}"#, Json::str(&e.name), e.props));
        }
        step(&mut out, user, p.as_of, r#""decide":"*""#);
    }
    out
}

fn simulate(config: &Arc<onstage::CompiledConfig>, timeline: &str) -> BTreeMap<String, Json> {
    let mut out = Vec::new();
    onstage::simulate::simulate(Arc::clone(config), timeline.as_bytes(), &mut out, Default::default())
        .unwrap_or_else(|e| panic!("simulate: {e}"));
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            let line = parse(l).unwrap();
            (line.get("user").and_then(Json::as_str).unwrap().to_string(), line)
        })
        .collect()
}

/// The batch row in the decide line's form (`at` aside).
fn as_line(batch: &Batch, row: &UserRow) -> Json {
    let mut signals = onstage::json::Obj::new();
    for (id, v) in batch.signal_ids().zip(&row.signals) {
        signals.insert(id, v.map_or(Json::Null, Json::Num));
    }
    let mut decisions = onstage::json::Obj::new();
    for (slot, d) in batch.slot_ids().zip(&row.slots) {
        let mut o = onstage::json::Obj::new();
        let opt = |s: &Option<Box<str>>| s.as_deref().map_or(Json::Null, Json::str);
        o.insert("experience", opt(&d.experience));
        if d.step.is_some() {
            o.insert("step", opt(&d.step));
        }
        o.insert("variation", opt(&d.variation));
        o.insert("holdout", Json::Bool(d.holdout));
        decisions.insert(slot, Json::Obj(o));
    }
    let mut o = onstage::json::Obj::new();
    o.insert("stage", row.stage.as_deref().map_or(Json::Null, Json::str));
    o.insert("segments", Json::Arr(row.segments.iter().map(|s| Json::str(s)).collect()));
    o.insert("signals", Json::Obj(signals));
    o.insert("decisions", Json::Obj(decisions));
    Json::Obj(o)
}

/// The decide line's fields the batch gives, bit for bit (numbers as
/// written: the writer round-trips).
fn comparable(line: &Json) -> Json {
    let mut o = onstage::json::Obj::new();
    for key in ["stage", "segments", "signals"] {
        o.insert(key, line.get(key).cloned().unwrap());
    }
    let mut decisions = onstage::json::Obj::new();
    for (slot, d) in line.get("decisions").and_then(Json::as_obj).unwrap().iter() {
        let mut kept = onstage::json::Obj::new();
        for key in ["experience", "step", "variation", "holdout"] {
            if let Some(v) = d.get(key) {
                kept.insert(key, v.clone());
            }
        }
        decisions.insert(slot, Json::Obj(kept));
    }
    o.insert("decisions", Json::Obj(decisions));
    Json::Obj(o)
}

/// The stage since of each user, from the same timeline replayed step by step.
fn stage_since(config: &Arc<onstage::CompiledConfig>, timeline: &str) -> BTreeMap<String, Option<Millis>> {
    let mut engines: BTreeMap<String, onstage::Engine> = BTreeMap::new();
    for line in timeline.lines() {
        let doc = parse(line).unwrap();
        let (user, at_text, step) = onstage::timeline::parse_step(&doc).unwrap();
        let at = onstage::timeline::step_time(at_text).unwrap();
        let engine =
            engines.entry(user.to_string()).or_insert_with(|| onstage::Engine::new(Arc::clone(config), user).unwrap());
        onstage::timeline::apply(engine, step, at, at_text, false).unwrap();
    }
    engines.into_iter().map(|(u, e)| (u, e.snapshot().stage_since)).collect()
}

/// Checks the whole population; returns the rows refused.
fn assert_equivalent(what: &str, config: &Arc<onstage::CompiledConfig>, p: &Population) -> Vec<RowError> {
    let results = run_batch(config, p);
    let errors: Vec<RowError> = results.values().flat_map(|r| r.errors.clone()).collect();
    assert!(errors.iter().all(|e| e.table == Table::Events), "{what}: {errors:?}");
    let refused: BTreeSet<usize> = errors.iter().map(|e| e.row).collect();
    let bad: BTreeSet<usize> = p.events.iter().enumerate().filter(|(_, e)| e.bad).map(|(i, _)| i).collect();
    assert_eq!(refused, bad, "{what}: the rows refused are the bad ones");
    let text = timeline(p, &refused);
    let lines = simulate(config, &text);
    let since = stage_since(config, &text);
    let batch = Batch::new(Arc::clone(config), p.as_of).unwrap();
    assert_eq!(results.len(), lines.len(), "{what}: one row per user");
    for (user, result) in &results {
        let row = result.row.as_ref().unwrap_or_else(|| panic!("{what}: {user} has no row"));
        assert_eq!(&*row.user, user.as_str());
        let line = &lines[user];
        assert_eq!(as_line(&batch, row), comparable(line), "{what}: user {user}");
        assert_eq!(row.stage_since, since[user], "{what}: stage_since of {user}");
        let later = p.events.iter().filter(|e| &e.user == user && !e.bad && e.at > p.as_of).count();
        assert_eq!(row.events_after_as_of, later as u64, "{what}: {user}");
    }
    errors
}

#[test]
fn the_shared_timelines_users_evaluate_as_simulate_replays_them() {
    for (config_path, timeline_path) in EXAMPLES {
        let config = config(config_path);
        let mut p = shared(timeline_path);
        for as_of in [p.as_of, p.as_of + 3 * DAY] {
            p.as_of = as_of;
            assert_equivalent(timeline_path, &config, &p);
        }
    }
}

#[test]
fn generated_populations_evaluate_as_simulate_replays_them() {
    for (config_path, timeline_path) in EXAMPLES {
        let config = config(config_path);
        let source = shared(timeline_path);
        for seed in 1..=4 {
            let p = generated(&source, seed, 40);
            let errors = assert_equivalent(&format!("{timeline_path} seed {seed}"), &config, &p);
            // The generator makes about 4% of the rows bad: the check saw some.
            assert!(!errors.is_empty(), "{timeline_path} seed {seed}: no bad rows generated");
        }
    }
}

#[test]
fn bad_rows_are_reported_with_their_row_and_code_and_the_user_still_evaluates() {
    let config = config("saas.json");
    let t = parse_rfc3339("2026-03-04T12:00:00Z").unwrap();
    let batch = Batch::new(Arc::clone(&config), t + DAY).unwrap();
    let none = Json::Null;
    let nested = parse(r#"{"a": [1]}"#).unwrap();
    let mut events = vec![
        Event { row: 10, name: "report_created", props: &none, at: t },
        Event { row: 11, name: "", props: &none, at: t },
        Event { row: 12, name: "report_created", props: &nested, at: t },
        Event { row: 13, name: "report_created", props: &none, at: -1 },
        Event { row: 14, name: "report_created", props: &none, at: t + 2 * DAY },
    ];
    let identity = Identity { tz_offset_minutes: Some(5000), ..Default::default() };
    let result = batch.evaluate("u", Some(Identify { row: 3, identity }), &mut events);
    let got: Vec<(Table, usize, ErrorCode)> = result.errors.iter().map(|e| (e.table, e.row, e.code)).collect();
    assert_eq!(
        got,
        [
            (Table::Events, 13, ErrorCode::BadTime),
            (Table::Identify, 3, ErrorCode::BadIdentify),
            (Table::Events, 11, ErrorCode::BadEventName),
            (Table::Events, 12, ErrorCode::BadProps),
        ]
    );
    let row = result.row.unwrap();
    assert_eq!((row.events, row.events_after_as_of), (1, 1));
    assert_eq!(result.errors[0].to_string(), format!("events row 13: {} [bad_time]", result.errors[0].message));
}

#[test]
fn a_refused_user_id_refuses_every_row_of_the_user() {
    let config = config("saas.json");
    let batch = Batch::new(Arc::clone(&config), DAY).unwrap();
    let none = Json::Null;
    let mut events =
        vec![Event { row: 0, name: "a", props: &none, at: 1 }, Event { row: 1, name: "a", props: &none, at: 2 }];
    let result = batch.evaluate("", Some(Identify { row: 7, identity: Identity::default() }), &mut events);
    assert!(result.row.is_none());
    let rows: Vec<(Table, usize)> = result.errors.iter().map(|e| (e.table, e.row)).collect();
    assert_eq!(rows, [(Table::Identify, 7), (Table::Events, 0), (Table::Events, 1)]);
    assert!(result.errors.iter().all(|e| e.code == ErrorCode::BadUserId));
}

#[test]
fn as_of_out_of_range_is_refused() {
    assert!(Batch::new(config("saas.json"), -1).is_err());
}
