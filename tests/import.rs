//! Import summaries (DESIGN, "Runtime in the browser"): replaying every
//! event gives the same signals after T as importing the summary of the
//! events before T and replaying only the rest, on generated histories;
//! local events after `as_of` are kept; importing twice changes nothing.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::engine::{Engine, Identity, Slots};
use onstage::json::{parse, Json};
use onstage::summary::{summarize, ExportedEvent};
use onstage::CompiledConfig;
use proptest::prelude::*;
use std::sync::Arc;

const SAAS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples/saas.json");
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;
const T0: i64 = 1_772_000_000_000;

fn saas_doc() -> Json {
    parse(&std::fs::read_to_string(SAAS).unwrap()).unwrap()
}

fn compile(doc: &Json) -> Arc<CompiledConfig> {
    Arc::new(onstage::compile(doc).unwrap().config)
}

/// saas.json without `min_dwell`: the stage is then a function of the
/// moment's signals, so stage and decisions must agree too (with dwell,
/// the stage after T also depends on when stages were entered before T,
/// which an event summary cannot know).
fn saas_without_dwell() -> Arc<CompiledConfig> {
    let mut doc = saas_doc();
    if let Json::Obj(root) = &mut doc {
        if let Some(Json::Arr(stages)) = root.get_mut("stages") {
            for s in stages {
                if let Json::Obj(o) = s {
                    o.remove("min_dwell");
                }
            }
        }
    }
    compile(&doc)
}

#[derive(Clone, Debug)]
struct Event {
    name: &'static str,
    props: Json,
    at: i64,
}

fn event_strategy() -> impl Strategy<Value = (u8, u8, i64)> {
    (0u8..11, 0u8..6, 0i64..(40 * DAY))
}

fn make_event((kind, v, at): (u8, u8, i64)) -> Event {
    let (name, props) = match kind {
        0 => ("workspace_created", Json::Null),
        1 => ("integration_connected", onstage::obj! { "provider" => ["slack", "github", "jira"][v as usize % 3] }),
        2 => ("report_created", Json::Null),
        3 => ("dashboard_shared", onstage::obj! { "audience" => ["team", "public", "private"][v as usize % 3] }),
        4 => ("automation_run", Json::Null),
        5 => ("feature_used", onstage::obj! { "feature" => format!("f{v}") }),
        6 => ("teammate_invited", Json::Null),
        7 => ("premium_feature_blocked", Json::Null),
        8 => ("api_call", onstage::obj! { "units" => f64::from(v) * 37.5 }),
        9 => ("nps_submitted", onstage::obj! { "score" => f64::from(v) + 5.0 }),
        _ => ("page_view", Json::Null),
    };
    Event { name, props, at: T0 + at }
}

fn identity() -> Identity {
    Identity {
        attributes: Some(onstage::obj! { "id" => "u1", "role" => "admin" }),
        entitlements: Some(parse(r#"{"seats_licensed":10,"seats_active":8,"limits":{"api_units":1000}}"#).unwrap()),
        tz_offset_minutes: Some(120),
    }
}

fn track_all(e: &mut Engine, events: &[Event]) {
    for ev in events {
        e.track(ev.name, &ev.props, None, ev.at).unwrap();
    }
}

/// What must agree after T: signals always; stage and decisions when asked.
fn observe(e: &mut Engine, at: i64, with_decisions: bool) -> Json {
    let decisions = if with_decisions {
        let d = e.decide(Slots::All, at, false).unwrap();
        Json::Arr(d.slots.iter().map(|s| s.to_json()).collect())
    } else {
        e.evaluate(at).unwrap();
        Json::Null
    };
    let ev = e.snapshot();
    let signals = Json::Arr(ev.signals.iter().map(|(_, v)| Json::from(*v)).collect());
    let stage = if with_decisions { ev.stage.as_deref().map_or(Json::Null, Json::from) } else { Json::Null };
    onstage::obj! { "signals" => signals, "stage" => stage, "decisions" => decisions }
}

fn same(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Num(x), Json::Num(y)) => (x - y).abs() <= 1e-9 * x.abs().max(1.0),
        (Json::Arr(x), Json::Arr(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Json::Obj(x), Json::Obj(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Replays everything in one engine (A) and, in another (B), imports the
/// summary of the events up to `t` at `import_at` (having tracked the
/// events up to `import_at` locally first), then tracks the rest; both
/// are observed at the same moments after `import_at`.
fn check(
    config: &Arc<CompiledConfig>,
    mut events: Vec<Event>,
    t: i64,
    lag: i64,
    with_decisions: bool,
) -> Result<(), TestCaseError> {
    events.sort_by_key(|e| e.at);
    let import_at = t + lag;
    let exported: Vec<ExportedEvent> =
        events.iter().map(|e| ExportedEvent { name: e.name, props: &e.props, at: e.at }).collect();
    let summary = summarize(config, "u1", &exported, t).unwrap();
    // The summary travels as JSON text.
    let summary = parse(&summary.to_json_string()).unwrap();

    let mut a = Engine::new(Arc::clone(config), "u1").unwrap();
    a.identify(identity(), T0 - DAY).unwrap();
    let mut b = Engine::new(Arc::clone(config), "u1").unwrap();
    b.identify(identity(), T0 - DAY).unwrap();
    let (before, after): (Vec<_>, Vec<_>) = events.iter().cloned().partition(|e| e.at <= import_at);
    track_all(&mut a, &before);
    track_all(&mut b, &before);
    b.import_summary(&summary, import_at).unwrap();
    let once = observe(&mut b, import_at, false);
    b.import_summary(&summary, import_at).unwrap();
    prop_assert!(same(&once, &observe(&mut b, import_at, false)), "importing twice changes nothing");

    let mut checkpoints: Vec<i64> = after.iter().map(|e| e.at).collect();
    checkpoints.push(import_at + 3 * DAY);
    checkpoints.sort_unstable();
    let mut next = after.iter().peekable();
    for at in checkpoints {
        while let Some(ev) = next.next_if(|e| e.at <= at) {
            a.track(ev.name, &ev.props, None, ev.at).unwrap();
            b.track(ev.name, &ev.props, None, ev.at).unwrap();
        }
        let (oa, ob) = (observe(&mut a, at, with_decisions), observe(&mut b, at, with_decisions));
        prop_assert!(
            same(&oa, &ob),
            "at T0+{}min (T = T0+{}min, import at +{}min):\nreplayed: {oa}\nimported: {ob}",
            (at - T0) / MIN,
            (t - T0) / MIN,
            lag / MIN
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Importing right at T, into an engine with no later local events.
    #[test]
    fn summary_then_rest_equals_replaying_everything(
        raw in proptest::collection::vec(event_strategy(), 1..120),
        t in 0i64..(40 * DAY),
    ) {
        let events: Vec<Event> = raw.into_iter().map(make_event).collect();
        check(&saas_without_dwell(), events, T0 + t, 0, true)?;
    }

    /// Importing up to a day after T: the local events after T (from the
    /// journal) count again on top of the summary.
    #[test]
    fn local_events_after_as_of_are_kept(
        raw in proptest::collection::vec(event_strategy(), 1..120),
        t in 0i64..(40 * DAY),
        lag in 0i64..DAY,
    ) {
        let events: Vec<Event> = raw.into_iter().map(make_event).collect();
        check(&compile(&saas_doc()), events.clone(), T0 + t, lag, false)?;
        check(&saas_without_dwell(), events, T0 + t, lag, true)?;
    }
}

#[test]
fn a_summary_of_another_user_or_format_is_refused() {
    let config = compile(&saas_doc());
    let summary = summarize(&config, "u2", &[], T0).unwrap();
    let mut e = Engine::new(Arc::clone(&config), "u1").unwrap();
    assert_eq!(e.import_summary(&summary, T0).unwrap_err().code(), "summary_other_user");
    assert_eq!(e.import_summary(&Json::Num(3.0), T0).unwrap_err().code(), "summary_not_recognized");
    let future = summarize(&config, "u1", &[], T0 + DAY).unwrap();
    assert_eq!(e.import_summary(&future, T0).unwrap_err().code(), "summary_corrupt");
}

#[test]
fn an_old_summary_over_a_long_local_history_says_it_is_lossy() {
    let config = compile(&saas_doc());
    let mut e = Engine::new(Arc::clone(&config), "u1").unwrap();
    for d in 0..5 {
        e.track("report_created", &Json::Null, None, T0 + d * DAY).unwrap();
    }
    let summary = summarize(&config, "u1", &[], T0).unwrap();
    e.import_summary(&summary, T0 + 5 * DAY).unwrap();
    let notes = e.take_notices();
    assert!(
        notes.iter().any(|n| matches!(n, onstage::engine::Notice::Warning(w) if w.code == "import_lossy")),
        "{notes:?}"
    );
}
