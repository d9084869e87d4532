//! Fuzzing what a hostile page, a broken clock and a shared computer send
//! (issue 10).
//!
//! Targets:
//! - `envelope`: the package's stored envelope (`applied` marks and the
//!   engine's state), real ones mutated and random ones, through
//!   `envelope::open` and `Engine::restore`: never a panic, every code
//!   known, the marks bounded, what opens writes back and opens the same.
//! - `clock`: step sequences whose clock glitches (a reading years ahead,
//!   behind, at the range's ends) driven by the package's clock policy
//!   (`Clock` below: 5 minutes of tolerance, a clock behind believed after
//!   two readings): no step is ever refused for time, the state never
//!   holds a time after its last step, and it stores and restores whole.
//! - `skew`: two tabs with clocks minutes to hours apart exchange their
//!   steps in any order, with duplicates and reloads: every step of the
//!   other tab is applied exactly once, whatever the clocks.
//! - `regex`: patterns built from RE2 syntax (classes, flags, groups nested
//!   up to 120 deep, refused forms) with nested counted
//!   repetitions, in a config, evaluated on texts up to 100,000
//!   characters: a pattern is accepted or refused with a code and its
//!   path, and an accepted one is evaluated in bounded time (the runner
//!   fails a case slower than `MAX_CASE`).
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

mod fuzz_common;

use fuzz_common::*;
use onstage::engine::{Engine, Slots};
use onstage::json::Json;
use onstage::persist::envelope::{self, StepMarks, MAX_TABS};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::Arc;

const STATE_CODES: &[&str] = &["state_not_recognized", "state_unknown_version", "state_other_user", "state_corrupt"];
const NOTE_CODES: &[&str] = &["signal_reset", "part_corrupt", "stage_dropped", "import_lossy", "time_clamped"];
const MAX_TIME: i64 = 253_402_300_799_999;
const YEAR: i64 = 365 * DAY;

fn fail(why: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(why.to_string())
}

// -------------------------------------------------------------- envelope

/// A real envelope: a user's steps, and marks of a few tabs' steps.
fn real_envelope(steps: &[(u8, i64)], tabs: &[(u8, u16)]) -> Json {
    let mut e = Engine::new(saas(), "u1").expect("engine");
    let mut now = T0;
    for (name, dt) in steps {
        now += dt.rem_euclid(DAY);
        let event = ["report_created", "teammate_invited", "feature_used", "workspace_created"][*name as usize % 4];
        let _ = e.track(event, &parse(r#"{"feature":"f","units":2}"#), None, now);
    }
    let mut marks = StepMarks::default();
    for (tab, seq) in tabs {
        marks.accept(&format!("t{tab}.{}", seq.max(&1)), now);
    }
    parse(&envelope::write(&marks, &e.export_state().to_json_string()))
}

#[derive(Clone, Debug)]
enum EnvelopeInput {
    Mutated(Vec<(u8, i64)>, Vec<(u8, u16)>, Vec<Mutation>),
    /// The applied list replaced by anything.
    Applied(Vec<(u8, i64)>, Json),
    Random(Json),
}

fn arb_applied() -> impl Strategy<Value = Json> {
    let entry = prop_oneof![
        4 => ("[a-z0-9]{1,14}", 1u64..1_000_000, prop_oneof![Just(T0), 0i64..MAX_TIME])
            .prop_map(|(tab, seq, at)| Json::Arr(vec![Json::from(format!("{tab}.{seq}")), Json::Num(at as f64)])),
        1 => arb_json(),
        1 => (arb_string(), arb_number()).prop_map(|(id, at)| Json::Arr(vec![Json::from(id), Json::Num(at)])),
    ];
    prop_oneof![
        6 => prop::collection::vec(entry, 0..80).prop_map(Json::Arr),
        1 => arb_json(),
    ]
}

#[test]
fn fuzz_envelope() {
    let steps = || prop::collection::vec((any::<u8>(), 0i64..2 * HOUR), 0..12);
    let strategy = prop_oneof![
        5 => (steps(), prop::collection::vec((0u8..100, any::<u16>()), 0..80), arb_mutations(4))
            .prop_map(|(s, t, m)| EnvelopeInput::Mutated(s, t, m)),
        3 => (steps(), arb_applied()).prop_map(|(s, a)| EnvelopeInput::Applied(s, a)),
        1 => arb_json().prop_map(EnvelopeInput::Random),
    ];
    run("envelope", cases(300, 0.5), strategy, |input| {
        let stored = match &input {
            EnvelopeInput::Mutated(steps, tabs, m) => mutate(&real_envelope(steps, tabs), m),
            EnvelopeInput::Applied(steps, applied) => {
                let mut v = real_envelope(steps, &[]);
                if let Json::Obj(o) = &mut v {
                    o.insert("applied", applied.clone());
                }
                v
            }
            EnvelopeInput::Random(j) => j.clone(),
        };
        let (state, mut marks, notes) = match envelope::open(&stored) {
            Err(e) => {
                prop_assert!(STATE_CODES.contains(&e.code().as_str()), "unknown code {}", e.code());
                return Ok(());
            }
            Ok(parts) => parts,
        };
        for n in &notes {
            prop_assert!(NOTE_CODES.contains(&n.code.as_str()), "unknown note {}", n.code);
        }
        prop_assert!(marks.len() <= MAX_TABS, "{} marks", marks.len());
        // What opened writes back and opens the same, without a note.
        let engine = match Engine::restore(saas(), "u1", state) {
            Err(e) => {
                prop_assert!(STATE_CODES.contains(&e.code().as_str()), "unknown code {}", e.code());
                return Ok(());
            }
            Ok((e, _)) => e,
        };
        let text = envelope::write(&marks, &engine.export_state().to_json_string());
        let again = match onstage::json::parse(&text) {
            Ok(v) => v,
            Err(e) => {
                let state = engine.export_state();
                let deep: Vec<(String, usize)> = state
                    .as_obj()
                    .map(|o| o.iter().map(|(k, v)| (k.to_string(), v.depth())).collect())
                    .unwrap_or_default();
                return Err(fail(format!("own envelope is not JSON: {e}; depths {deep:?}")));
            }
        };
        let (state2, marks2, notes2) = envelope::open(&again).map_err(fail)?;
        prop_assert!(notes2.is_empty(), "{notes2:?}");
        prop_assert_eq!(&marks2, &marks);
        let (engine2, notes3) = Engine::restore(saas(), "u1", state2).map_err(fail)?;
        prop_assert!(notes3.is_empty(), "{notes3:?}");
        // As text: what is stored (a NaN in a value given as JSON is written as null).
        prop_assert_eq!(engine2.export_state().to_json_string(), engine.export_state().to_json_string());
        // A step accepted once is never accepted again; marks stay bounded.
        for i in 0..(MAX_TABS as u64 + 5) {
            let id = format!("fuzzcheckfuzzcheck{}.{}", i % 70, i + 1);
            let first = marks.accept(&id, T0);
            prop_assert!(first, "{id} is new");
            prop_assert!(!marks.accept(&id, T0), "{id} accepted twice");
        }
        prop_assert!(marks.len() <= MAX_TABS);
        Ok(())
    });
}

// ----------------------------------------------------------------- clock

/// The package's clock policy (`#now` in crates/wasm/js/index.js): an
/// invalid reading is replaced by the latest step's time; a reading up to
/// 5 minutes behind takes the latest step's time; further behind, the
/// second reading in a row moves the state back to it.
struct Clock {
    last: Option<i64>,
    behind: u8,
}

const TOLERANCE: i64 = 5 * MIN;

impl Clock {
    /// The time of the step for `reading`, moving `e` back when the policy says so.
    fn now(&mut self, e: &mut Engine, reading: f64) -> Result<i64, TestCaseError> {
        let valid = reading.is_finite() && (0.0..=MAX_TIME as f64).contains(&reading);
        let Some(last) = self.last else {
            let t = if valid { reading.floor() as i64 } else { T0 };
            self.last = Some(t);
            return Ok(t);
        };
        if !valid {
            return Ok(last);
        }
        let t = reading.floor() as i64;
        if t >= last {
            self.behind = 0;
            self.last = Some(t);
        } else if last - t > TOLERANCE {
            self.behind += 1;
            if self.behind >= 2 {
                let note = e.clamp_to(t).map_err(fail)?;
                prop_assert!(note.as_ref().is_none_or(|n| n.code == "time_clamped"));
                self.behind = 0;
                self.last = Some(t);
            }
        } else {
            self.behind = 0;
        }
        Ok(self.last.unwrap_or(t))
    }
}

/// How the clock moves between readings.
fn arb_reading_step() -> impl Strategy<Value = i64> {
    prop_oneof![
        8 => 0i64..10 * MIN,
        2 => 0i64..3 * DAY,
        1 => -TOLERANCE..0,
        // Glitches: far ahead or behind, the range's ends.
        1 => prop::sample::select(&[YEAR, 10 * YEAR, -YEAR, -30 * DAY, -6 * MIN, MAX_TIME, -MAX_TIME][..]),
    ]
}

#[test]
fn fuzz_clock() {
    // (base move, a one-reading glitch?, the step's kind, invalid reading?)
    let strategy =
        prop::collection::vec((arb_reading_step(), prop::option::of(arb_reading_step()), 0u8..6, 0u8..20), 1..40);
    run("clock", cases(300, 0.5), strategy, |readings| {
        let mut e = Engine::new(saas(), "u1").expect("engine");
        let mut clock = Clock { last: None, behind: 0 };
        let mut real = T0;
        for (dt, glitch, kind, invalid) in &readings {
            real = (real + dt).clamp(0, MAX_TIME);
            let reading = match (glitch, invalid) {
                (_, 0) => f64::NAN,
                (_, 1) => 1e16,
                (Some(g), _) => (real + g) as f64,
                (None, _) => real as f64,
            };
            let now = clock.now(&mut e, reading)?;
            let result = match kind {
                0 | 1 => e.track("report_created", &Json::Null, None, now).map(|_| ()),
                2 => e.track("teammate_invited", &Json::Null, Some((now - HOUR).max(0)), now).map(|_| ()),
                3 => e.decide(Slots::All, now, true).map(|_| ()),
                4 => e.interact(onstage::engine::Interaction::Shown, "setup_checklist", now).map(|_| ()),
                _ => e.evaluate(now).map(|_| ()),
            };
            if let Err(err) = result {
                // The policy never sends a step back in time; an hour-late
                // event may be older than the user's first step only.
                prop_assert!(err.code() != "time_went_back" && err.code() != "bad_time", "{err}");
            }
            prop_assert!(e.user().latest_time() <= e.user().last_step, "a time after the last step");
        }
        let text = e.export_state().to_json_string();
        let (restored, notes) = Engine::restore(saas(), "u1", &parse(&text)).map_err(fail)?;
        prop_assert!(notes.is_empty(), "{notes:?}");
        prop_assert_eq!(restored.export_state().to_json_string(), text);
        Ok(())
    });
}

// ------------------------------------------------------------------ skew

/// One tab: its engine, marks, clock offset and the steps it published.
struct Tab {
    engine: Engine,
    marks: StepMarks,
    skew: i64,
    id: &'static str,
    seq: u64,
}

#[test]
fn fuzz_skew() {
    // (skew of tab B, ops: (which tab acts, deliver how many of the other's pending, duplicate?, reload?))
    let strategy = (
        prop_oneof![Just(0i64), -3 * HOUR..3 * HOUR, prop::sample::select(&[3 * MIN, -3 * MIN, 23 * HOUR][..])],
        prop::collection::vec((any::<bool>(), 0usize..4, any::<bool>(), 0u8..12), 1..40),
    );
    run("skew", cases(300, 0.5), strategy, |(skew, ops)| {
        let mut tabs = [
            Tab {
                engine: Engine::new(saas(), "u1").expect("a"),
                marks: StepMarks::default(),
                skew: 0,
                id: "a",
                seq: 0,
            },
            Tab { engine: Engine::new(saas(), "u1").expect("b"), marks: StepMarks::default(), skew, id: "b", seq: 0 },
        ];
        // Steps published by each tab, not yet delivered to the other: (id, event time).
        let mut outbox: [Vec<(String, i64)>; 2] = [Vec::new(), Vec::new()];
        let mut delivered: [Vec<String>; 2] = [Vec::new(), Vec::new()];
        let mut real = T0;
        for (b_acts, deliver, duplicate, reload) in &ops {
            real += 7 * 1000;
            let (me, other) = if *b_acts { (1, 0) } else { (0, 1) };
            // The acting tab tracks at its own clock (never behind its last step).
            let tab = &mut tabs[me];
            let now = (real + tab.skew).max(tab.engine.user().last_step.unwrap_or(0));
            tab.seq += 1;
            let id = format!("{}.{}", tab.id, tab.seq);
            tab.marks.accept(&id, now);
            tab.engine.track("teammate_invited", &Json::Null, None, now).map_err(fail)?;
            outbox[me].push((id, now));
            // The other tab receives some of what is pending, in order, maybe twice.
            let receiver = &mut tabs[other];
            let pending: Vec<(String, i64)> = outbox[me].iter().take(*deliver + 1).cloned().collect();
            let times = if *duplicate { 2 } else { 1 };
            for _ in 0..times {
                for (id, ts) in &pending {
                    let rnow = (real + receiver.skew).max(receiver.engine.user().last_step.unwrap_or(0));
                    if receiver.marks.accept(id, rnow) {
                        delivered[other].push(id.clone());
                        // As #applyForeign: the event counts at its own time, or now.
                        receiver
                            .engine
                            .track("teammate_invited", &Json::Null, Some((*ts).min(rnow)), rnow)
                            .map_err(|e| fail(format!("a foreign step was refused at a skew of {skew} ms: {e}")))?;
                    }
                }
            }
            // A reload of the receiver: its envelope written and opened again.
            if reload % 5 == 0 {
                let text = envelope::write(&receiver.marks, &receiver.engine.export_state().to_json_string());
                let v = parse(&text);
                let (state, marks, _) = envelope::open(&v).map_err(fail)?;
                let (engine, _) = Engine::restore(saas(), "u1", state).map_err(fail)?;
                receiver.engine = engine;
                receiver.marks = marks;
            }
        }
        for (i, list) in delivered.iter().enumerate() {
            let mut seen = list.clone();
            seen.sort();
            seen.dedup();
            prop_assert_eq!(seen.len(), list.len(), "tab {} applied a step twice", i);
        }
        // Each tab's invites: its own steps and every step of the other it received.
        for i in 0..2 {
            let own = tabs[i].seq as f64;
            let foreign = delivered[i].len() as f64;
            let now = tabs[i].engine.user().last_step.unwrap_or(T0);
            let invites = tabs[i]
                .engine
                .evaluate(now)
                .map_err(fail)?
                .signals
                .iter()
                .find(|(id, _)| &**id == "invites")
                .and_then(|(_, v)| *v);
            prop_assert_eq!(invites, Some(own + foreign));
        }
        Ok(())
    });
}

// ----------------------------------------------------------------- regex

fn arb_pattern() -> impl Strategy<Value = String> {
    let atom = prop_oneof![
        Just("a".to_string()),
        Just("[a-z]".to_string()),
        Just("\\w".to_string()),
        Just(".".to_string()),
        Just("(?i)b".to_string()),
        Just("[^x]".to_string()),
        "[a-c]{1,3}".prop_map(|s| s),
        // The rest of the syntax the engine reads (src/condition/regex/),
        // refused forms included: they must come back as invalid_regex.
        prop::sample::select(
            &[
                "\\b",
                "\\B",
                "\\d+",
                "\\S*?",
                "(?i:[[:alpha:]_-])",
                "(?x) a # b\n",
                "(?s:.)",
                "(?m)^$",
                "[^\\W\\d]",
                "(?<n>x|y|z)",
                "\\x{1F600}",
                "(?=a)",
                "(a)\\1",
                "[",
                "(?<!a)",
                "\\pL",
                "[a&&b]",
                "a{2,1}",
            ][..]
        )
        .prop_map(str::to_string),
        (1usize..120).prop_map(|n| format!("{}a{}", "(".repeat(n), ")".repeat(n))),
    ];
    atom.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), 0u32..200, 0u32..1200).prop_map(|(p, lo, extra)| format!("(?:{p}){{{lo},{}}}", lo + extra)),
            (inner.clone(), 1u32..150).prop_map(|(p, n)| format!("(?:{p}){{{n}}}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}|{b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a}{b}")),
            inner.clone().prop_map(|p| format!("(?:{p})*")),
            inner.clone().prop_map(|p| format!("(?:{p})+b$")),
        ]
    })
}

#[test]
fn fuzz_regex() {
    let strategy = (arb_pattern(), prop::sample::select(&[0usize, 10, 1023, 1025, 100_000][..]), any::<bool>());
    let base = parse(SAAS);
    run("regex", cases(300, 1.0), strategy, |(pattern, len, insensitive)| {
        let op = if insensitive { "$regexi" } else { "$regex" };
        let mut config = base.clone();
        if let Json::Obj(o) = &mut config {
            if let Some(Json::Obj(segments)) = o.get_mut("segments") {
                let when = onstage::obj! { "attributes.bio" => onstage::obj! { op => pattern.as_str() } };
                segments.insert("bio", onstage::obj! { "when" => when });
            }
        }
        let compiled = match onstage::compile(&config) {
            Err(problems) => {
                for p in problems.iter().filter(|p| p.is_error()) {
                    prop_assert!(matches!(p.code.as_str(), "limit_exceeded" | "invalid_regex"), "{p}");
                    prop_assert_eq!(p.path.to_string(), format!(r#"segments.bio.when["attributes.bio"].{op}"#));
                }
                return Ok(());
            }
            Ok(c) => Arc::new(c.config),
        };
        // Accepted: evaluating it on a long value is bounded (the runner
        // fails a slow case).
        let mut e = Engine::new(compiled, "u1").expect("engine");
        let bio = "ab".repeat(len / 2 + 1);
        let identity = onstage::engine::Identity {
            attributes: Some(onstage::obj! { "bio" => bio.as_str() }),
            ..Default::default()
        };
        e.identify(identity, T0).map_err(fail)?;
        for i in 1..4 {
            e.decide(Slots::All, T0 + i * MIN, false).map_err(fail)?;
        }
        Ok(())
    });
}
