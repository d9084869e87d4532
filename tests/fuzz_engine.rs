//! Fuzzing the engine's steps, stored state and import summaries.
//!
//! Targets:
//! - `events`: random sequences of steps (track with any name, props and
//!   timestamp; identify; decide; shown/dismissed/converted; advanced
//!   with tour and step ids good and bad; evaluate; reload; import; a
//!   config switch between the saas, policy and tours configs), at times that mostly move forward but sometimes go
//!   back or jump to the extremes. A refused step must leave the stored
//!   state and the evaluation exactly as they were; a reload must give
//!   back the same state.
//! - `state`: mutations of real `export_state()` output and random JSON
//!   through `Engine::restore`; a state that restores must keep working.
//! - `summary`: mutations of real summaries through `Engine::import_summary`;
//!   a refused import changes nothing, a good one imported twice is the
//!   same as once.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

mod fuzz_common;

use fuzz_common::*;
use onstage::engine::{Engine, Identity, Interaction, Slots};
use onstage::json::Json;
use onstage::summary::{summarize, ExportedEvent};
use onstage::CompiledConfig;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::Arc;

const STATE_CODES: &[&str] = &["state_not_recognized", "state_unknown_version", "state_other_user", "state_corrupt"];

const NOTE_CODES: &[&str] = &["signal_reset", "part_corrupt", "stage_dropped", "import_lossy", "time_clamped"];

const EVENT_NAMES: &[&str] = &[
    "workspace_created",
    "integration_connected",
    "report_created",
    "teammate_invited",
    "dashboard_shared",
    "automation_run",
    "feature_used",
    "api_call",
    "premium_feature_blocked",
    "nps_submitted",
    "unknown_event",
];

fn arb_event_name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(EVENT_NAMES).prop_map(String::from),
        1 => arb_string(),
        1 => prop::sample::select(&[0usize, 1, 127, 128, 129, 5000][..]).prop_map(|n| "é".repeat(n)),
    ]
}

fn arb_event_props() -> impl Strategy<Value = Json> {
    let value = prop_oneof![
        3 => arb_scalar(),
        1 => (0u32..3000).prop_map(|i| Json::from(format!("v{i}"))),
    ];
    prop_oneof![
        5 => prop::collection::vec(
            (prop::sample::select(&["provider", "feature", "units", "audience", "score", "other"][..]), value),
            0..4
        )
        .prop_map(|pairs| obj_of(pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        2 => arb_props(),
    ]
}

/// How far a step's time moves from the previous step's.
fn arb_dt() -> impl Strategy<Value = i64> {
    prop_oneof![
        6 => 0i64..10 * MIN,
        3 => 0i64..3 * DAY,
        1 => Just(0i64),
        1 => -DAY..0,
        1 => prop::sample::select(&[i64::MIN, i64::MAX, -T0, 253_402_300_799_999 - T0, 40 * DAY, 400 * DAY][..]),
    ]
}

/// An event's own time, relative to its step's.
fn arb_ts() -> impl Strategy<Value = Option<i64>> {
    prop_oneof![
        4 => Just(None),
        3 => (-DAY - 2 * MIN..6 * MIN).prop_map(Some),
        1 => prop::sample::select(&[-DAY, -DAY - 1, -DAY + 1, 5 * MIN, 5 * MIN + 1, i64::MIN, i64::MAX][..]).prop_map(Some),
    ]
}

#[derive(Clone, Debug)]
enum Op {
    Track {
        name: String,
        props: Json,
        ts: Option<i64>,
    },
    Identify {
        attributes: Option<Json>,
        entitlements: Option<Json>,
        tz: Option<i32>,
    },
    Decide(Vec<String>),
    Interact(u8, String),
    Evaluate,
    Reload,
    Import(Vec<(usize, i64)>, i64),
    /// 0: saas, 1: policy, 2: tours.
    SetConfig(u8),
    Advance(String, String),
}

fn arb_op() -> impl Strategy<Value = Op> {
    let experience = prop_oneof![
        4 => prop::sample::select(&["setup_checklist", "win_back", "try_automations", "upgrade_seats", "referral_ask"][..])
            .prop_map(String::from),
        2 => prop::sample::select(TOUR_IDS).prop_map(String::from),
        1 => arb_string(),
    ];
    let tour = prop_oneof![4 => prop::sample::select(TOUR_IDS).prop_map(String::from), 1 => arb_string()];
    let step = prop_oneof![4 => prop::sample::select(STEP_IDS).prop_map(String::from), 1 => arb_string()];
    let slot = prop_oneof![
        4 => prop::sample::select(&["home", "sidebar", "banner", "main", "side", "footer", "top", "*"][..]).prop_map(String::from),
        1 => arb_string(),
    ];
    prop_oneof![
        10 => (arb_event_name(), arb_event_props(), arb_ts()).prop_map(|(name, props, ts)| Op::Track { name, props, ts }),
        2 => (
            prop::option::of(prop_oneof![
                3 => prop::collection::vec((arb_key(), arb_scalar()), 0..4).prop_map(obj_of),
                1 => arb_json(),
            ]),
            prop::option::of(prop_oneof![
                3 => Just(parse(r#"{"seats_active":9,"seats_licensed":10,"limits":{"api_units":10}}"#)),
                1 => arb_json(),
            ]),
            prop::option::of(prop_oneof![-900i32..900, Just(i32::MIN), Just(i32::MAX)]),
        )
            .prop_map(|(attributes, entitlements, tz)| Op::Identify { attributes, entitlements, tz }),
        3 => prop::collection::vec(slot, 0..3).prop_map(Op::Decide),
        2 => (0u8..3, experience).prop_map(|(k, id)| Op::Interact(k, id)),
        1 => Just(Op::Evaluate),
        1 => Just(Op::Reload),
        1 => (prop::collection::vec((0..EVENT_NAMES.len(), 0..5 * DAY), 0..8), -2 * DAY..DAY)
            .prop_map(|(events, as_of)| Op::Import(events, as_of)),
        1 => (0u8..3).prop_map(Op::SetConfig),
        3 => (tour, step).prop_map(|(t, s)| Op::Advance(t, s)),
    ]
}

fn check_code(code: &str) -> Result<(), TestCaseError> {
    prop_assert!(STEP_CODES.contains(&code), "unknown error code {code}");
    Ok(())
}

/// What a refused step must not change.
fn fingerprint(e: &Engine) -> (String, onstage::Evaluation) {
    (e.export_state().to_json_string(), e.snapshot())
}

fn make_summary(config: &CompiledConfig, user: &str, events: &[(usize, i64)], base: i64, as_of: i64) -> Json {
    let props = parse(r#"{"provider":"a","feature":"f","units":3,"audience":"team","score":9}"#);
    let list: Vec<ExportedEvent> =
        events.iter().map(|&(i, dt)| ExportedEvent { name: EVENT_NAMES[i], props: &props, at: base + dt }).collect();
    summarize(config, user, &list, as_of).expect("good events summarize")
}

/// Applies one op at `now`; returns the error code of a refused step.
fn apply(e: &mut Engine, op: &Op, now: i64) -> Result<Option<&'static str>, TestCaseError> {
    let code = match op {
        Op::Track { name, props, ts } => {
            e.track(name, props, ts.map(|d| now.saturating_add(d)), now).err().map(|err| err.code().as_str())
        }
        Op::Identify { attributes, entitlements, tz } => {
            let identity =
                Identity { attributes: attributes.clone(), entitlements: entitlements.clone(), tz_offset_minutes: *tz };
            e.identify(identity, now).err().map(|err| err.code().as_str())
        }
        Op::Decide(slots) => {
            let names: Vec<&str> = slots.iter().map(String::as_str).collect();
            let slots = if names.is_empty() { Slots::All } else { Slots::Named(&names) };
            match e.decide(slots, now, true) {
                Ok(d) => {
                    for s in &d.slots {
                        let _ = s.to_json().to_json_string();
                    }
                    None
                }
                Err(err) => Some(err.code().as_str()),
            }
        }
        Op::Interact(k, id) => {
            let kind = [Interaction::Shown, Interaction::Dismissed, Interaction::Converted][*k as usize % 3];
            e.interact(kind, id, now).err().map(|err| err.code().as_str())
        }
        Op::Evaluate => {
            let ev = e.evaluate(now);
            if let Ok(ev) = &ev {
                for (id, v) in &ev.signals {
                    prop_assert!(v.is_none_or(|v| !v.is_nan()), "signal {id} is NaN");
                }
            }
            ev.err().map(|err| err.code().as_str())
        }
        Op::Reload => {
            let state = e.export_state();
            let text = state.to_json_string();
            let Some(reparsed) = reparse(&text) else { return Ok(None) };
            let (restored, notes) = Engine::restore(Arc::clone(&e_config(e)), &e.user().user_id, &reparsed)
                .map_err(|err| TestCaseError::fail(format!("own state refused: {err}\n{text}")))?;
            prop_assert_eq!(notes, vec![], "a reload drops nothing");
            prop_assert_eq!(restored.export_state().to_json_string(), text, "a reload gives back the same state");
            *e = restored;
            None
        }
        Op::Import(events, as_of) => {
            let config = e_config(e);
            let as_of = now.saturating_add(*as_of).clamp(0, 253_402_300_799_999);
            let summary = make_summary(&config, &e.user().user_id.clone(), events, as_of - 5 * DAY, as_of);
            match e.import_summary(&summary, now) {
                Ok(()) => {
                    for n in e.take_notices() {
                        if let onstage::engine::Notice::Warning(n) = n {
                            prop_assert!(NOTE_CODES.contains(&n.code.as_str()), "unknown note {}", n.code);
                        }
                    }
                    None
                }
                Err(err) => Some(err.code().as_str()),
            }
        }
        Op::Advance(tour, step) => e.advance(tour, step, now).err().map(|err| err.code().as_str()),
        Op::SetConfig(which) => {
            let config = config_number(*which);
            for n in e.set_config(config) {
                prop_assert!(NOTE_CODES.contains(&n.code.as_str()), "unknown note {}", n.code);
            }
            None
        }
    };
    Ok(code)
}

/// Parses an engine's own export: it must always read back (identify
/// keeps attributes one level shallower than the parser's limit).
fn reparse(text: &str) -> Option<Json> {
    match onstage::json::parse(text) {
        Ok(j) => Some(j),
        Err(e) => panic!("own export is not JSON: {e}"),
    }
}

fn config_number(which: u8) -> Arc<CompiledConfig> {
    match which % 3 {
        0 => saas(),
        1 => policy(),
        _ => tours(),
    }
}

fn e_config(e: &Engine) -> Arc<CompiledConfig> {
    // The engine holds its config in an Arc; compile-once copies are shared.
    let id = e.config() as *const CompiledConfig;
    (0..3).map(config_number).find(|c| std::ptr::eq(id, &**c)).unwrap_or_else(saas)
}

#[test]
fn fuzz_events() {
    let strategy = (prop::collection::vec((arb_dt(), arb_op()), 1..30), 0u8..3);
    run("events", cases(300, 0.5), strategy, |(ops, start)| {
        let mut e = Engine::new(config_number(start), "u1").expect("engine");
        let mut now = T0;
        for (dt, op) in &ops {
            let candidate = now.saturating_add(*dt);
            let before = fingerprint(&e);
            match apply(&mut e, op, candidate)? {
                Some(code) => {
                    check_code(code)?;
                    let after = fingerprint(&e);
                    prop_assert_eq!(&before.0, &after.0, "refused step ({}) changed the stored state", code);
                    prop_assert_eq!(&before.1, &after.1, "refused step ({}) changed the evaluation", code);
                }
                None => {
                    if (0..=253_402_300_799_999).contains(&candidate) {
                        now = now.max(candidate);
                    }
                }
            }
        }
        // Whatever happened, the state is still ours and still restores.
        let text = e.export_state().to_json_string();
        let Some(reparsed) = reparse(&text) else { return Ok(()) };
        let (restored, _) = Engine::restore(e_config(&e), "u1", &reparsed)
            .map_err(|err| TestCaseError::fail(format!("final state refused: {err}")))?;
        prop_assert_eq!(restored.export_state().to_json_string(), text);
        Ok(())
    });
}

// ----------------------------------------------------------------- state

/// A real state: a few steps of a user of the saas config, or of the tours
/// config (with tour progress) when there is an odd number of steps.
fn real_state(ops: &[(i64, Op)]) -> Json {
    let mut e = Engine::new(if ops.len() % 2 == 1 { tours() } else { saas() }, "u1").expect("engine");
    let mut now = T0;
    for (dt, op) in ops {
        let candidate = (now + (*dt).clamp(0, 3 * DAY)).min(253_402_300_799_999);
        if matches!(op, Op::SetConfig(_) | Op::Reload) {
            continue;
        }
        if let Ok(None) = apply(&mut e, op, candidate) {
            now = candidate;
        }
    }
    e.export_state()
}

#[derive(Clone, Debug)]
enum StateInput {
    Mutated(Vec<(i64, Op)>, Vec<Mutation>),
    Random(Json),
    Header(Vec<(String, Json)>),
    /// One field of one stored signal (or of another part) replaced.
    Field(Vec<(i64, Op)>, usize, String, Json),
}

/// The fields the stored parts of a state have.
const PART_FIELDS: &[&str] = &["n", "sum", "b", "t", "v", "evicted", "m", "e", "r", "anchor", "best", "def", "f"];

/// Values shaped like what a state holds: times, codec text, small lists.
fn arb_state_value() -> impl Strategy<Value = Json> {
    prop_oneof![
        2 => arb_json(),
        2 => "[A-Za-z0-9_\\-]{0,24}".prop_map(Json::from),
        2 => prop::sample::select(&[
            0.0, -1.0, 1e300, -1e300, 1.5, 253_402_300_799_999.0, 253_402_300_800_000.0,
            18_446_744_073_709_551_615.0, 9_223_372_036_854_775_807.0, -9_223_372_036_854_775_808.0,
            1_772_000_000_000.0, 1_772_000_060_000.0
        ][..]).prop_map(Json::Num),
        1 => prop::collection::vec(prop::sample::select(&[0.0, 1.0, 1e300, -1e300, 1_772_000_000_000.0][..]).prop_map(Json::Num), 0..4)
            .prop_map(Json::Arr),
    ]
}

/// One to four edits of a stored value.
fn arb_mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(
        (any::<usize>(), 0u8..8, arb_key(), arb_state_value()).prop_map(|(at, kind, key, value)| Mutation {
            at,
            kind,
            key,
            value,
        }),
        1..5,
    )
}

fn arb_state() -> impl Strategy<Value = StateInput> {
    let ops = prop::collection::vec((arb_dt(), arb_op()), 0..15);
    let state_mutations = arb_mutations();
    prop_oneof![
        6 => (ops, state_mutations).prop_map(|(o, m)| StateInput::Mutated(o, m)),
        1 => arb_json().prop_map(StateInput::Random),
        1 => prop::collection::vec(
            (prop::sample::select(&[
                "attributes", "entitlements", "tz", "last_step", "history_now", "stage", "transitions", "signals",
                "journal", "interactions", "exposed"
            ][..]).prop_map(String::from), arb_state_value()),
            0..6
        ).prop_map(StateInput::Header),
        3 => (
            prop::collection::vec((arb_dt(), arb_op()), 0..15),
            any::<usize>(),
            prop::sample::select(PART_FIELDS).prop_map(String::from),
            arb_state_value(),
        )
            .prop_map(|(o, i, k, v)| StateInput::Field(o, i, k, v)),
    ]
}

#[test]
fn fuzz_state() {
    run("state", cases(300, 0.5), arb_state(), |input| {
        let state = match &input {
            StateInput::Mutated(ops, m) => mutate(&real_state(ops), m),
            StateInput::Random(j) => j.clone(),
            StateInput::Field(ops, i, key, value) => {
                let mut state = real_state(ops);
                if let Some(Json::Obj(signals)) = state.as_obj().and_then(|o| o.get("signals")).cloned() {
                    let ids: Vec<String> = signals.keys().map(String::from).collect();
                    let id = &ids[i % ids.len()];
                    let mut signal = signals.get(id).cloned().unwrap_or_default();
                    if let Json::Obj(sig) = &mut signal {
                        if key == "def" {
                            sig.insert("def", value.clone());
                        } else if let Some(Json::Obj(st)) = sig.get_mut("state") {
                            st.insert(key.clone(), value.clone());
                        }
                    }
                    let mut signals = signals.clone();
                    signals.insert(id.clone(), signal);
                    if let Json::Obj(o) = &mut state {
                        o.insert("signals", Json::Obj(signals));
                        if i % 5 == 0 {
                            // Or the journal's forgotten time / an entry.
                            o.insert(
                                "journal",
                                obj_of(vec![("e".into(), Json::Arr(vec![])), ("f".into(), value.clone())]),
                            );
                        }
                    }
                }
                state
            }
            StateInput::Header(fields) => {
                let mut all = vec![
                    ("format".to_string(), Json::from("onstage-state")),
                    ("version".to_string(), Json::Num(1.0)),
                    ("user".to_string(), Json::from("u1")),
                ];
                all.extend(fields.iter().cloned());
                obj_of(all)
            }
        };
        for config in [saas(), policy(), tours()] {
            match Engine::restore(Arc::clone(&config), "u1", &state) {
                Err(err) => {
                    prop_assert!(STATE_CODES.contains(&err.code().as_str()), "unknown state code {}", err.code());
                    let _ = err.to_string();
                }
                Ok((mut e, notes)) => {
                    for n in &notes {
                        prop_assert!(NOTE_CODES.contains(&n.code.as_str()), "unknown note {}", n.code);
                    }
                    // The restored engine keeps working, from its own last step on.
                    let start = e.user().last_step.unwrap_or(T0).max(T0);
                    let mut now = start;
                    for name in ["workspace_created", "integration_connected", "report_created", "feature_used"] {
                        now += MIN;
                        if let Err(err) =
                            e.track(name, &parse(r#"{"provider":"x","feature":"y","units":2}"#), None, now)
                        {
                            check_code(err.code().as_str())?;
                        }
                    }
                    if let Ok(d) = e.decide(Slots::All, now, true) {
                        for s in &d.slots {
                            let _ = s.to_json().to_json_string();
                        }
                    }
                    let _ = e.evaluate(now + 30 * DAY);
                    let text = e.export_state().to_json_string();
                    let Some(reparsed) = reparse(&text) else { continue };
                    let (again, notes) = Engine::restore(Arc::clone(&config), "u1", &reparsed)
                        .map_err(|err| TestCaseError::fail(format!("re-export refused: {err}")))?;
                    prop_assert_eq!(notes, vec![]);
                    prop_assert_eq!(again.export_state().to_json_string(), text);
                }
            }
        }
        Ok(())
    });
}

// --------------------------------------------------------------- summary

#[derive(Clone, Debug)]
struct SummaryInput {
    local: Vec<(i64, Op)>,
    events: Vec<(usize, i64)>,
    as_of_back: i64,
    mutations: Vec<Mutation>,
    mutated: bool,
}

fn arb_summary() -> impl Strategy<Value = SummaryInput> {
    let mutations = arb_mutations();
    (
        prop::collection::vec((arb_dt(), arb_op()), 0..10),
        prop::collection::vec((0..EVENT_NAMES.len(), 0..10 * DAY), 0..20),
        prop_oneof![0..2 * DAY, Just(0), -HOUR..0],
        mutations,
        prop::bool::weighted(0.7),
    )
        .prop_map(|(local, events, as_of_back, mutations, mutated)| SummaryInput {
            local,
            events,
            as_of_back,
            mutations,
            mutated,
        })
}

#[test]
fn fuzz_summary() {
    run("summary", cases(300, 0.5), arb_summary(), |input| {
        let state = real_state(&input.local);
        let (mut e, _) = Engine::restore(saas(), "u1", &state).expect("own state");
        let now = e.user().last_step.unwrap_or(T0).max(T0) + MIN;
        let as_of = now - input.as_of_back;
        let good = make_summary(&saas(), "u1", &input.events, as_of - 10 * DAY, as_of);
        let summary = if input.mutated { mutate(&good, &input.mutations) } else { good };
        let before = fingerprint(&e);
        match e.import_summary(&summary, now) {
            Err(err) => {
                check_code(err.code().as_str())?;
                let after = fingerprint(&e);
                prop_assert_eq!(&before.0, &after.0, "a refused import changed the state");
                prop_assert_eq!(&before.1, &after.1, "a refused import changed the evaluation");
            }
            Ok(()) => {
                let once = e.export_state().to_json_string();
                let evaluation = e.evaluate(now).expect("evaluate");
                let second = e.import_summary(&summary, now);
                prop_assert!(second.is_ok(), "a summary imported once imports again");
                prop_assert_eq!(e.export_state().to_json_string(), once, "importing twice changes nothing");
                prop_assert_eq!(e.evaluate(now).expect("evaluate"), evaluation);
                let _ = e.decide(Slots::All, now + HOUR, true).expect("decide");
            }
        }
        Ok(())
    });
}
