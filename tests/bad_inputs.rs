//! The catalogue of bad inputs, natively: every class of bad input at
//! every entry point (engine steps, config, stored state, import summary,
//! and, in `crates/cli/tests/bad_inputs.rs`, the `onstage` command line),
//! each with the exact error code it gets.
//! For the engine's steps it also proves that nothing was stored: the
//! exported state, the evaluation and the decisions are exactly what they
//! were before the refused call, and the engine keeps working.
//!
//! The same classes go through the browser package in
//! `tests/e2e/bad_inputs.test.mjs`; `docs/errors.md` documents the codes.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::engine::{Engine, Identity, Interaction, Slots};
use onstage::json::{parse, Json, Obj};
use onstage::time::{floor_minute, DAY, HOUR, MINUTE};
use std::sync::Arc;

const SAAS: &str = include_str!("../../shared/examples/saas.json");
const T0: i64 = 1_772_000_000_000;

fn saas() -> Arc<onstage::CompiledConfig> {
    Arc::new(onstage::compile(&parse(SAAS).unwrap()).unwrap().config)
}

fn j(text: &str) -> Json {
    parse(text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn obj(pairs: Vec<(&str, Json)>) -> Json {
    let mut o = Obj::new();
    for (k, v) in pairs {
        o.insert(k, v);
    }
    Json::Obj(o)
}

/// `{"k0": 0, …}` with `n` props.
fn many_props(n: usize) -> Json {
    let mut o = Obj::new();
    for i in 0..n {
        o.insert(format!("k{i}"), Json::Num(i as f64));
    }
    Json::Obj(o)
}

fn nested(levels: usize) -> Json {
    let mut v = Json::Num(1.0);
    for _ in 0..levels {
        v = obj(vec![("a", v)]);
    }
    v
}

/// A bad step, as data.
enum Bad {
    /// `track(name, props, timestamp = now + ts)` at now.
    Track(Json, Json, Option<i64>),
    /// A step (a good track) at `now + dt` (time going back, out of range).
    TrackAt(i64),
    /// `track` with an absolute timestamp.
    TrackTs(i64),
    Identify(Option<Json>, Option<Json>, Option<i32>),
    Decide(&'static [&'static str]),
    Interact(Interaction, &'static str),
    /// `advanced(tour, step)`.
    Advance(&'static str, &'static str),
    Import(Json),
}

/// (class, expected code, the bad step)
fn catalogue() -> Vec<(&'static str, &'static str, Bad)> {
    use Bad::*;
    let name = |s: &str| Json::from(s);
    let ok = "report_created";
    let s = |n: usize| Json::from("x".repeat(n));
    vec![
        ("event name empty", "bad_event_name", Track(name(""), Json::Null, None)),
        ("event name 129 chars", "bad_event_name", Track(Json::from("e".repeat(129)), Json::Null, None)),
        ("event name 129 chars (multi-byte)", "bad_event_name", Track(Json::from("é".repeat(129)), Json::Null, None)),
        ("props an array", "bad_props", Track(name(ok), j("[1,2]"), None)),
        ("props a string", "bad_props", Track(name(ok), j(r#""x""#), None)),
        ("props a number", "bad_props", Track(name(ok), j("3"), None)),
        ("prop nested object", "bad_props", Track(name(ok), j(r#"{"a":{"b":1}}"#), None)),
        ("prop array", "bad_props", Track(name(ok), j(r#"{"a":[1]}"#), None)),
        ("prop NaN", "bad_props", Track(name(ok), obj(vec![("a", Json::Num(f64::NAN))]), None)),
        ("prop Infinity", "bad_props", Track(name(ok), obj(vec![("a", Json::Num(f64::INFINITY))]), None)),
        ("prop -Infinity", "bad_props", Track(name(ok), obj(vec![("a", Json::Num(f64::NEG_INFINITY))]), None)),
        ("prop key __proto__", "bad_props", Track(name(ok), j(r#"{"__proto__":1}"#), None)),
        ("prop key constructor", "bad_props", Track(name(ok), j(r#"{"constructor":1}"#), None)),
        ("prop key prototype", "bad_props", Track(name(ok), j(r#"{"prototype":1}"#), None)),
        ("prop key empty", "bad_props", Track(name(ok), j(r#"{"":1}"#), None)),
        ("prop key 129 chars", "bad_props", Track(name(ok), obj(vec![(&"k".repeat(129), Json::Num(1.0))]), None)),
        ("prop string 1025 chars", "bad_props", Track(name(ok), obj(vec![("a", s(1025))]), None)),
        ("65 props", "bad_props", Track(name(ok), many_props(65), None)),
        ("timestamp 5 min + 1 ms ahead", "timestamp_in_future", Track(name(ok), Json::Null, Some(5 * MINUTE + 1))),
        ("timestamp 24 h + 1 ms behind", "timestamp_too_old", Track(name(ok), Json::Null, Some(-DAY - 1))),
        ("timestamp negative", "bad_time", TrackTs(-1)),
        ("timestamp after year 9999", "bad_time", TrackTs(253_402_300_800_000)),
        ("timestamp i64::MIN", "bad_time", TrackTs(i64::MIN)),
        ("step time going back", "time_went_back", TrackAt(-1)),
        ("step time negative", "bad_time", TrackAt(-T0 - 10 * DAY - 1)),
        ("identify attributes not an object", "bad_identify", Identify(Some(j("[1]")), None, None)),
        ("identify attributes a string", "bad_identify", Identify(Some(j(r#""admin""#)), None, None)),
        ("identify entitlements null", "bad_identify", Identify(None, Some(Json::Null), None)),
        ("identify attributes nested 65 levels", "bad_identify", Identify(Some(nested(65)), None, None)),
        ("identify tz 841", "bad_identify", Identify(None, None, Some(841))),
        ("identify tz -841", "bad_identify", Identify(None, None, Some(-841))),
        ("decide unknown slot", "unknown_slot", Decide(&["nope"])),
        ("decide a known and an unknown slot", "unknown_slot", Decide(&["home", "Home"])),
        ("decide empty slot id", "unknown_slot", Decide(&[""])),
        ("shown unknown experience", "unknown_experience", Interact(Interaction::Shown, "nope")),
        ("dismissed unknown experience", "unknown_experience", Interact(Interaction::Dismissed, "")),
        ("converted unknown experience", "unknown_experience", Interact(Interaction::Converted, "SETUP_CHECKLIST")),
        ("advanced an unknown tour", "unknown_tour", Advance("nope", "workspace")),
        ("advanced a checklist", "unknown_tour", Advance("setup_checklist", "workspace")),
        ("advanced a nudge", "unknown_tour", Advance("win_back", "x")),
        ("advanced an empty id", "unknown_tour", Advance("", "")),
        ("import not an object", "summary_not_recognized", Import(j("[]"))),
        (
            "import a state, not a summary",
            "summary_not_recognized",
            Import(j(r#"{"format":"onstage-state","version":1,"user":"u1"}"#)),
        ),
        (
            "import future version",
            "summary_unknown_version",
            Import(j(r#"{"format":"onstage-summary","version":2,"user":"u1","as_of":0,"signals":{}}"#)),
        ),
        (
            "import another user's",
            "summary_other_user",
            Import(j(r#"{"format":"onstage-summary","version":1,"user":"u2","as_of":0,"signals":{}}"#)),
        ),
        (
            "import without user",
            "summary_corrupt",
            Import(j(r#"{"format":"onstage-summary","version":1,"as_of":0,"signals":{}}"#)),
        ),
        (
            "import as_of after now",
            "summary_corrupt",
            Import(j(r#"{"format":"onstage-summary","version":1,"user":"u1","as_of":9999999999999,"signals":{}}"#)),
        ),
        (
            "import as_of not whole",
            "summary_corrupt",
            Import(j(r#"{"format":"onstage-summary","version":1,"user":"u1","as_of":1.5,"signals":{}}"#)),
        ),
        (
            "import signals not an object",
            "summary_corrupt",
            Import(j(r#"{"format":"onstage-summary","version":1,"user":"u1","as_of":0,"signals":[]}"#)),
        ),
    ]
}

/// A user with some history: identified, events, a decision, an impression.
fn engine_with_history() -> (Engine, i64) {
    let mut e = Engine::new(saas(), "u1").unwrap();
    let identity = Identity {
        attributes: Some(j(r#"{"id":"u1","role":"admin"}"#)),
        entitlements: Some(j(r#"{"seats_active":3,"seats_licensed":10}"#)),
        tz_offset_minutes: Some(60),
    };
    e.identify(identity, T0).unwrap();
    let mut t = T0;
    for name in ["workspace_created", "integration_connected", "teammate_invited", "feature_used"] {
        t += MINUTE;
        e.track(name, &j(r#"{"provider":"slack","feature":"a"}"#), None, t).unwrap();
    }
    e.decide(Slots::All, t, true).unwrap();
    e.interact(Interaction::Shown, "setup_checklist", t).unwrap();
    (e, t)
}

fn decisions(e: &mut Engine, at: i64) -> String {
    let d = e.decide(Slots::All, at, true).unwrap();
    Json::Arr(d.slots.iter().map(|s| s.to_json()).collect()).to_json_string()
}

fn apply(e: &mut Engine, bad: &Bad, now: i64) -> Result<(), &'static str> {
    match bad {
        Bad::Track(name, props, ts) => {
            let name = name.as_str().unwrap();
            e.track(name, props, ts.map(|d| now + d), now).map_err(|e| e.code().as_str())
        }
        Bad::TrackAt(dt) => {
            e.track("report_created", &Json::Null, None, now - MINUTE + dt).map_err(|e| e.code().as_str())
        }
        Bad::TrackTs(ts) => e.track("report_created", &Json::Null, Some(*ts), now).map_err(|e| e.code().as_str()),
        Bad::Identify(attributes, entitlements, tz) => e
            .identify(
                Identity { attributes: attributes.clone(), entitlements: entitlements.clone(), tz_offset_minutes: *tz },
                now,
            )
            .map_err(|e| e.code().as_str()),
        Bad::Decide(slots) => e.decide(Slots::Named(slots), now, true).map(|_| ()).map_err(|e| e.code().as_str()),
        Bad::Interact(kind, id) => e.interact(*kind, id, now).map(|_| ()).map_err(|e| e.code().as_str()),
        Bad::Advance(tour, step) => e.advance(tour, step, now).map(|_| ()).map_err(|e| e.code().as_str()),
        Bad::Import(summary) => e.import_summary(summary, now).map(|_| ()).map_err(|e| e.code().as_str()),
    }
}

#[test]
fn every_bad_step_is_refused_with_its_code_and_stores_nothing() {
    let mut failures = Vec::new();
    for (class, code, bad) in catalogue() {
        let (mut e, last) = engine_with_history();
        let state = e.export_state().to_json_string();
        let snapshot = e.snapshot();
        let before = decisions(&mut e, last);
        let now = last + MINUTE;
        match apply(&mut e, &bad, now) {
            Ok(()) => failures.push(format!("{class}: accepted, expected {code}")),
            Err(got) if got != code => failures.push(format!("{class}: got {got}, expected {code}")),
            Err(_) => {}
        }
        if e.export_state().to_json_string() != state {
            failures.push(format!("{class}: the stored state changed"));
        }
        if e.snapshot() != snapshot {
            failures.push(format!("{class}: the evaluation changed"));
        }
        if decisions(&mut e, last) != before {
            failures.push(format!("{class}: the decisions changed"));
        }
        // The previous state stays in force: the next good step works and counts.
        let invites = |e: &Engine| e.snapshot().signals.iter().find(|(id, _)| &**id == "invites").and_then(|(_, v)| *v);
        let was = invites(&e);
        e.track("teammate_invited", &Json::Null, None, now).unwrap_or_else(|err| panic!("{class}: then {err}"));
        if invites(&e) != was.map(|v| v + 1.0) {
            failures.push(format!("{class}: a good step after it did not count"));
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn bad_user_ids_are_refused() {
    for (user, code) in [("", "bad_user_id"), (&*"u".repeat(257), "bad_user_id"), (&*"é".repeat(257), "bad_user_id")] {
        assert_eq!(
            Engine::new(saas(), user).err().map(|e| e.code().as_str()),
            Some(code),
            "{} chars",
            user.chars().count()
        );
    }
    // 256 characters is the limit, not over it.
    assert!(Engine::new(saas(), &"é".repeat(256)).is_ok());
}

fn signal(e: &Engine, id: &str) -> Option<f64> {
    e.snapshot().signals.iter().find(|(s, _)| &**s == id).and_then(|(_, v)| *v)
}

#[test]
fn late_and_early_events_within_bounds_count_at_their_own_time_exactly() {
    let config = saas();
    let mut e = Engine::new(Arc::clone(&config), "u1").unwrap();
    let now = T0 + 30 * DAY;
    e.track("report_created", &Json::Null, None, now).unwrap();
    // 24 h late exactly: accepted, counted at its own (floored) minute.
    let late = now - DAY;
    e.track("report_created", &Json::Null, Some(late), now).unwrap();
    assert_eq!(signal(&e, "days_since_signup"), Some((now - floor_minute(late)) as f64 / DAY as f64));
    assert_eq!(signal(&e, "reports_7d"), Some(2.0));
    // Out of order: an event between the two, later than the late one.
    e.track("report_created", &Json::Null, Some(now - 10 * HOUR), now + MINUTE).unwrap();
    assert_eq!(signal(&e, "reports_7d"), Some(3.0));
    assert_eq!(signal(&e, "days_since_signup"), Some((now + MINUTE - floor_minute(late)) as f64 / DAY as f64));
    // Exactly 7 days after the late event's minute, it leaves the 7-day window; the others stay.
    e.evaluate(floor_minute(late) + 7 * DAY).unwrap();
    assert_eq!(signal(&e, "reports_7d"), Some(2.0));
    // 5 minutes ahead exactly: accepted, counted as now.
    let mut e = Engine::new(config, "u2").unwrap();
    e.track("report_created", &Json::Null, Some(now + 5 * MINUTE), now).unwrap();
    assert_eq!(signal(&e, "days_since_active"), Some((now - floor_minute(now)) as f64 / DAY as f64));
}

// ----------------------------------------------------------------- config

fn codes_of(doc: &Json) -> Vec<&'static str> {
    let mut codes: Vec<&str> =
        onstage::validate(doc).iter().filter(|p| p.is_error()).map(|p| p.code.as_str()).collect();
    codes.dedup();
    codes
}

/// The reference config with a change at a JSON pointer-ish path.
fn saas_with(edit: impl FnOnce(&mut Obj)) -> Json {
    let mut doc = parse(SAAS).unwrap();
    if let Json::Obj(o) = &mut doc {
        edit(o);
    }
    doc
}

fn get<'a>(o: &'a mut Obj, path: &[&str]) -> &'a mut Json {
    let (first, rest) = path.split_first().unwrap();
    let mut node = o.get_mut(first).unwrap();
    for part in rest {
        node = match node {
            Json::Obj(o) => {
                // A missing last key is added (a field the reference config does not have).
                if o.get(part).is_none() {
                    o.insert(*part, Json::Null);
                }
                o.get_mut(part).unwrap()
            }
            Json::Arr(a) => &mut a[part.parse::<usize>().unwrap()],
            _ => panic!("{part}"),
        };
    }
    node
}

#[test]
fn bad_configs_are_refused_with_their_codes() {
    let deep_condition = {
        let mut c = j(r#"{"attributes.x": 1}"#);
        for _ in 0..70 {
            c = obj(vec![("$not", c)]);
        }
        c
    };
    let cases: Vec<(&str, Vec<&str>, Json)> = vec![
        ("not an object", vec!["wrong_type"], j("[]")),
        (
            "condition nested 70 levels",
            vec!["limit_exceeded"],
            saas_with(|o| *get(o, &["segments", "admin", "when"]) = deep_condition.clone()),
        ),
        (
            "config nested 100 levels",
            vec!["limit_exceeded"],
            saas_with(|o| o.insert("saved_groups", obj(vec![("g", nested(100))]))),
        ),
        (
            "257 signals",
            vec!["limit_exceeded"],
            saas_with(|o| {
                let Json::Obj(signals) = get(o, &["signals"]) else { panic!() };
                for i in 0..257 {
                    signals.insert(format!("extra_{i}"), j(r#"{"count":"x"}"#));
                }
            }),
        ),
        (
            "saved group of 10,001 values",
            vec!["limit_exceeded"],
            saas_with(|o| {
                o.insert(
                    "saved_groups",
                    obj(vec![("g", Json::Arr((0..10_001).map(|i| Json::Num(i as f64)).collect()))]),
                );
            }),
        ),
        (
            "segments in a cycle",
            vec!["segment_cycle"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"segments": {"$in": ["power_user"]}}"#);
                *get(o, &["segments", "power_user", "when"]) = j(r#"{"segments": {"$in": ["admin"]}}"#);
            }),
        ),
        (
            "a segment reading itself",
            vec!["segment_cycle"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"segments": {"$in": ["admin"]}}"#);
            }),
        ),
        (
            "ratios in a cycle",
            vec!["ratio_cycle"],
            saas_with(|o| {
                *get(o, &["signals", "api_usage_ratio"]) =
                    j(r#"{"ratio": ["signals.seat_utilization", "signals.invites"]}"#);
                *get(o, &["signals", "seat_utilization"]) =
                    j(r#"{"ratio": ["signals.api_usage_ratio", "signals.invites"]}"#);
            }),
        ),
        (
            "duplicate stage id",
            vec!["duplicate_id"],
            saas_with(|o| {
                *get(o, &["stages", "1", "id"]) = Json::from("at_risk");
            }),
        ),
        (
            "duplicate experience id",
            vec!["duplicate_id"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "id"]) = Json::from("setup_checklist");
            }),
        ),
        (
            "weights summing to 0.9",
            vec!["bad_weights"],
            saas_with(|o| {
                *get(o, &["experiences", "3", "experiment", "variations", "2", "weight"]) = Json::Num(0.1);
            }),
        ),
        (
            "weights summing to 1.02",
            vec!["bad_weights"],
            saas_with(|o| {
                *get(o, &["experiences", "3", "experiment", "variations", "2", "weight"]) = Json::Num(0.22);
            }),
        ),
        (
            "unknown operator",
            vec!["unknown_operator"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"attributes.role": {"$like": "adm%"}}"#);
            }),
        ),
        (
            "regex with lookahead",
            vec!["invalid_regex"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"attributes.role": {"$regex": "(?=a)"}}"#);
            }),
        ),
        (
            "regex with a backreference",
            vec!["invalid_regex"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"attributes.role": {"$regex": "(a)\\1"}}"#);
            }),
        ),
        (
            "regex not closed",
            vec!["invalid_regex"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"attributes.role": {"$regexi": "[a"}}"#);
            }),
        ),
        (
            "regex that compiles to more than 16 KiB",
            vec!["limit_exceeded"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"attributes.role": {"$regex": "(?:a{100}){100}b"}}"#);
            }),
        ),
        (
            "__proto__ in an experience's content",
            vec!["reserved_key"],
            saas_with(|o| {
                *get(o, &["experiences"]) = {
                    let mut list = get(o, &["experiences"]).clone();
                    if let Json::Arr(items) = &mut list {
                        if let Some(Json::Obj(e)) = items.get_mut(0) {
                            e.insert("content", j(r#"{"nested":{"__proto__":{"isAdmin":true}}}"#));
                        }
                    }
                    list
                };
            }),
        ),
        (
            "regex of 4097 bytes",
            vec!["invalid_regex"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) =
                    obj(vec![("attributes.role", obj(vec![("$regex", Json::from("a".repeat(4097)))]))]);
            }),
        ),
        (
            "undefined signal",
            vec!["undefined_signal"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"signals.nope": 1}"#);
            }),
        ),
        (
            "undefined segment",
            vec!["undefined_segment"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"segments": {"$in": ["nope"]}}"#);
            }),
        ),
        (
            "undefined saved group",
            vec!["undefined_saved_group"],
            saas_with(|o| {
                *get(o, &["segments", "admin", "when"]) = j(r#"{"attributes.id": {"$inGroup": "nope"}}"#);
            }),
        ),
        (
            "zero duration",
            vec!["bad_duration"],
            saas_with(|o| {
                *get(o, &["signals", "reports_7d", "window"]) = Json::from("0d");
            }),
        ),
        (
            "duration over 10 years",
            vec!["bad_duration"],
            saas_with(|o| {
                *get(o, &["signals", "reports_7d", "window"]) = Json::from("522w");
            }),
        ),
        ("version 2", vec!["unsupported_version"], saas_with(|o| o.insert("version", Json::Num(2.0)))),
        (
            "event name of 129 characters in a signal",
            vec!["bad_event_selector"],
            saas_with(|o| {
                *get(o, &["signals", "invites"]) = obj(vec![("count", Json::from("e".repeat(129)))]);
            }),
        ),
        (
            "checklist without items",
            vec!["empty_checklist"],
            saas_with(|o| {
                *get(o, &["experiences", "0", "items"]) = j("[]");
            }),
        ),
        (
            "tour without steps",
            vec!["empty_tour"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "kind"]) = Json::from("tour");
            }),
        ),
        (
            "tour with an empty list of steps",
            vec!["empty_tour"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "kind"]) = Json::from("tour");
                *get(o, &["experiences", "1", "steps"]) = j("[]");
            }),
        ),
        (
            "steps on a nudge",
            vec!["field_not_allowed"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "steps"]) = j(r#"[{"id":"a"}]"#);
            }),
        ),
        (
            "two steps with one id",
            vec!["duplicate_id"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "kind"]) = Json::from("tour");
                *get(o, &["experiences", "1", "steps"]) = j(r#"[{"id":"a"},{"id":"a"}]"#);
            }),
        ),
        (
            "a step's done reading an unknown signal",
            vec!["undefined_signal"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "kind"]) = Json::from("tour");
                *get(o, &["experiences", "1", "steps"]) = j(r#"[{"id":"a","done":{"signals.nope":1}}]"#);
            }),
        ),
        (
            "a step that is not an object",
            vec!["wrong_type"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "kind"]) = Json::from("tour");
                *get(o, &["experiences", "1", "steps"]) = j(r#"["a"]"#);
            }),
        ),
        (
            "33 steps",
            vec!["limit_exceeded"],
            saas_with(|o| {
                *get(o, &["experiences", "1", "kind"]) = Json::from("tour");
                let steps: Vec<Json> = (0..33).map(|i| obj(vec![("id", Json::from(format!("s{i}")))])).collect();
                *get(o, &["experiences", "1", "steps"]) = Json::Arr(steps);
            }),
        ),
        (
            "id with a space",
            vec!["bad_id"],
            saas_with(|o| {
                *get(o, &["stages", "5", "id"]) = Json::from("on boarding");
            }),
        ),
        (
            "priority NaN",
            vec!["wrong_type"],
            saas_with(|o| {
                *get(o, &["experiences", "0", "priority"]) = Json::Num(f64::NAN);
            }),
        ),
    ];
    let mut failures = Vec::new();
    for (class, expected, doc) in cases {
        let got = codes_of(&doc);
        if !expected.iter().all(|c| got.contains(c)) || got.is_empty() {
            failures.push(format!("{class}: expected {expected:?}, got {got:?}"));
        }
        if onstage::compile(&doc).is_ok() {
            failures.push(format!("{class}: compiled"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn config_text_limits_hold_without_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let problems = onstage::config::compile_text(&deep).err().unwrap();
    assert_eq!(problems[0].code.as_str(), "invalid_json");
    let huge = format!("{{\"version\":1,\"x\":\"{}\"}}", "a".repeat(1 << 20));
    let problems = onstage::config::compile_text(&huge).err().unwrap();
    assert_eq!(problems[0].code.as_str(), "limit_exceeded");
    let problems = onstage::config::compile_text("{\"version\":1,").err().unwrap();
    assert_eq!(problems[0].code.as_str(), "invalid_json");
}

#[test]
fn a_refused_config_leaves_the_engine_on_the_previous_one() {
    let (mut e, last) = engine_with_history();
    let state = e.export_state().to_json_string();
    let bad = saas_with(|o| o.insert("version", Json::Num(2.0)));
    // A refused config never becomes a CompiledConfig, so nothing can switch to it.
    assert!(onstage::compile(&bad).is_err());
    assert_eq!(e.export_state().to_json_string(), state);
    assert!(e.decide(Slots::All, last + MINUTE, false).is_ok());
}

// ----------------------------------------------------------- stored state

#[test]
fn bad_stored_states_are_refused_with_their_codes() {
    let (e, _) = engine_with_history();
    let good = e.export_state();
    let with = |key: &str, value: Json| {
        let mut s = good.clone();
        if let Json::Obj(o) = &mut s {
            o.insert(key, value);
        }
        s
    };
    let without = |key: &str| {
        let mut s = good.clone();
        if let Json::Obj(o) = &mut s {
            o.remove(key);
        }
        s
    };
    let cases: Vec<(&str, &str, Json)> = vec![
        ("not an object", "state_not_recognized", j("[]")),
        ("null", "state_not_recognized", Json::Null),
        ("another format", "state_not_recognized", with("format", Json::from("onstage-summary"))),
        ("no format", "state_not_recognized", without("format")),
        ("a future version", "state_unknown_version", with("version", Json::Num(2.0))),
        ("version as text", "state_unknown_version", with("version", Json::from("1"))),
        ("no version", "state_unknown_version", without("version")),
        ("another user's", "state_other_user", with("user", Json::from("u2"))),
        ("no user", "state_corrupt", without("user")),
        ("tz out of range", "state_corrupt", with("tz", Json::Num(900.0))),
        ("last_step not a time", "state_corrupt", with("last_step", Json::from("yesterday"))),
        ("last_step negative", "state_corrupt", with("last_step", Json::Num(-1.0))),
        ("history_now fractional", "state_corrupt", with("history_now", Json::Num(1.5))),
        ("signals not an object", "state_corrupt", with("signals", j("[]"))),
        ("attributes not an object", "state_corrupt", with("attributes", j("1"))),
        ("stage without since", "state_corrupt", with("stage", j(r#"{"id":"onboarding"}"#))),
    ];
    let mut failures = Vec::new();
    for (class, code, state) in cases {
        match Engine::restore(saas(), "u1", &state) {
            Ok(_) => failures.push(format!("{class}: restored, expected {code}")),
            Err(err) if err.code() != code => failures.push(format!("{class}: got {}, expected {code}", err.code())),
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

const TOURS: &str = include_str!("../../shared/examples/timelines/tours.config.json");

/// `advanced` on a config with tours: a step the tour lacks, a tour id of
/// another kind, a time going back; each refused with its code, nothing
/// stored, the next good `advanced` counts.
#[test]
fn a_bad_advanced_on_a_config_with_tours_stores_nothing() {
    let config = Arc::new(onstage::compile(&j(TOURS)).unwrap().config);
    let mut e = Engine::new(Arc::clone(&config), "u1").unwrap();
    e.track("project_created", &Json::Null, None, T0).unwrap();
    e.advance("onboarding", "connect", T0 + MINUTE).unwrap();
    let now = T0 + 2 * MINUTE;
    for (tour, step, at, code) in [
        ("onboarding", "nope", now, "unknown_step"),
        ("onboarding", "apply", now, "unknown_step"),
        ("onboarding", "Invite", now, "unknown_step"),
        ("onboarding", &*"x".repeat(10_000), now, "unknown_step"),
        ("setup", "project", now, "unknown_tour"),
        ("main_tip", "invite", now, "unknown_tour"),
        (&*"t".repeat(10_000), "invite", now, "unknown_tour"),
        ("onboarding", "invite", T0, "time_went_back"),
        ("onboarding", "invite", -1, "bad_time"),
    ] {
        let state = e.export_state().to_json_string();
        let err = e.advance(tour, step, at).unwrap_err();
        assert_eq!(err.code().as_str(), code, "{}/{}", tour.len(), step.len());
        assert!(err.to_string().len() < 300, "the message stays short: {err}");
        assert_eq!(e.export_state().to_json_string(), state, "{code}: stored something");
    }
    assert!(e.advance("onboarding", "invite", now).unwrap());
    let d = e.decide(Slots::Named(&["main"]), now, false).unwrap();
    assert_eq!(d.slots[0].step_id(), Some("dashboard"));
}

/// Damaged tour progress in a stored state is dropped alone; unknown step
/// ids in it are ignored (a config update removes steps).
#[test]
fn damaged_tour_progress_is_dropped_alone() {
    let config = Arc::new(onstage::compile(&j(TOURS)).unwrap().config);
    let state = |interactions: &str| {
        j(&format!(
            r#"{{"format":"onstage-state","version":1,"user":"u1","last_step":{T0},"interactions":{interactions}}}"#
        ))
    };
    for (bad, notes) in [
        (r#"{"onboarding":{"advanced":"invite"}}"#, 1),
        (r#"{"onboarding":{"advanced":[1]}}"#, 1),
        (r#"{"onboarding":{"held":{"a":1}}}"#, 1),
        (r#"{"onboarding":{"completed":"yes"}}"#, 1),
        (r#"{"onboarding":{"advanced":["gone","invite"]},"reports_tour":{"held":[null]}}"#, 1),
    ] {
        let (e, got) =
            Engine::restore(Arc::clone(&config), "u1", &state(bad)).unwrap_or_else(|err| panic!("{bad}: {err}"));
        assert_eq!(got.iter().filter(|n| n.code == "part_corrupt").count(), notes, "{bad}: {got:?}");
        if bad.contains("gone") {
            assert_eq!(e.user().interactions[0].tour.advanced, 0b10, "the known step kept, the unknown one ignored");
        }
    }
}

#[test]
fn a_damaged_part_of_a_good_state_is_dropped_alone_with_a_note() {
    let (e, _) = engine_with_history();
    let good = e.export_state();
    let mut damaged = good.clone();
    let Json::Obj(o) = &mut damaged else { panic!() };
    let Some(Json::Obj(signals)) = o.get_mut("signals") else { panic!() };
    signals.insert("invites", j(r#"{"def":"x","state":{"n":1}}"#)); // another definition: reset
    let Some(Json::Obj(features)) = signals.get_mut("features_30d") else { panic!() };
    features.insert("state", j(r#"{"v":"!!","evicted":null}"#)); // corrupt codec text
    o.insert("transitions", j(r#"[["a"]]"#));
    o.insert("interactions", j(r#"{"setup_checklist":{"shown":"noon"}}"#));
    o.insert("stage", j(r#"{"id":"retired_stage","since":1772000000000}"#));
    let (restored, notes) = Engine::restore(saas(), "u1", &damaged).unwrap();
    let mut codes: Vec<&str> = notes.iter().map(|n| n.code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["part_corrupt", "part_corrupt", "part_corrupt", "signal_reset", "stage_dropped"], "{notes:?}");
    // What was not damaged is kept.
    let state = restored.export_state();
    assert_eq!(state.get("attributes"), good.get("attributes"));
    assert_eq!(
        state.get("signals").and_then(|s| s.get("integrations")),
        good.get("signals").and_then(|s| s.get("integrations"))
    );
}
