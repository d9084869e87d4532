//! Every failure the fuzz targets (`tests/fuzz_*.rs`, `scripts/fuzz.sh`)
//! ever found, as the minimal input, kept so it never comes back.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::engine::{Engine, Identity, Slots};
use onstage::json::{parse, Json, Obj, MAX_DEPTH};
use onstage::persist::codec;
use onstage::persist::envelope::{self, StepMarks, MAX_TABS};
use std::sync::Arc;

const SAAS: &str = include_str!("../../shared/examples/saas.json");
const T0: i64 = 1_772_000_000_000;
const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;

fn saas() -> Arc<onstage::CompiledConfig> {
    Arc::new(onstage::compile(&parse(SAAS).unwrap()).unwrap().config)
}

/// A real state of a user who created a report at T0, with one field of
/// one stored signal's state replaced.
fn state_with(signal: &str, field: &str, value: Json) -> Json {
    let mut e = Engine::new(saas(), "u1").unwrap();
    e.track("report_created", &Json::Null, None, T0).unwrap();
    let mut state = e.export_state();
    let Json::Obj(o) = &mut state else { unreachable!() };
    let Some(Json::Obj(signals)) = o.get_mut("signals") else { unreachable!() };
    let Some(Json::Obj(stored)) = signals.get_mut(signal) else { unreachable!() };
    let Some(Json::Obj(inner)) = stored.get_mut("state") else { unreachable!() };
    inner.insert(field, value);
    state
}

/// A damaged stored signal must be dropped with a `part_corrupt` note (as
/// other damage is), never kept with values that break arithmetic later.
fn assert_dropped_as_corrupt(state: &Json, signal: &str) {
    let (mut e, notes) = Engine::restore(saas(), "u1", state).expect("the rest of the state is good");
    assert!(
        notes.iter().any(|n| n.code == "part_corrupt" && n.message.contains(signal)),
        "{signal} was kept: {notes:?}"
    );
    e.track("report_created", &Json::Null, None, T0 + MIN).unwrap();
    e.track("teammate_invited", &Json::Null, None, T0 + MIN).unwrap();
    let ev = e.evaluate(T0 + 2 * MIN).unwrap();
    for (id, v) in &ev.signals {
        assert!(v.is_none_or(|v| v.is_finite() && v >= 0.0 || id.contains("ratio")), "{id} = {v:?}");
    }
    e.decide(Slots::All, T0 + 2 * MIN, true).unwrap();
}

/// Found by `fuzz state`. A `days_since_first` time of -1e300 restores (it
/// is only checked to be a whole number) and saturates to `i64::MIN`; the
/// value `now - t` then overflows: a panic in debug builds and tests, a
/// wrong (negative) value in release and wasm builds.
/// Fix: `stored::time` in `src/signal/history.rs` should accept only times
/// in `MIN_TIME..=MAX_TIME` (as `persist::time_value` does).
#[test]
fn a_stored_days_since_time_out_of_range_is_dropped() {
    assert_dropped_as_corrupt(&state_with("days_since_signup", "t", Json::Num(-1e300)), "days_since_signup");
    assert_dropped_as_corrupt(&state_with("days_since_active", "t", Json::Num(1e300)), "days_since_active");
}

/// Found by `fuzz state`. A `count` total of 1e300 (or 2^64) restores,
/// saturating to `u64::MAX`; the next matching event overflows `+=`: a
/// panic in debug builds, a wrap to 0 in release and wasm builds.
/// Fix: `SignalState::from_json` should accept `n` only up to 2^53 (what
/// JSON numbers carry exactly), and the running total should saturate.
#[test]
fn a_stored_count_too_large_is_dropped() {
    assert_dropped_as_corrupt(&state_with("invites", "n", Json::Num(1e300)), "invites");
    assert_dropped_as_corrupt(&state_with("invites", "n", Json::Num(18_446_744_073_709_551_616.0)), "invites");
}

/// Found by `fuzz state`. Minute buckets whose stored amounts add up past
/// `u64::MAX` overflow the running total while being restored (windowed
/// `count`, `trend`, `active_days`/`active_weeks`): a panic in debug
/// builds, a wrong total in release and wasm builds.
/// Fix: `Buckets::<u64>::decode` should refuse amounts whose total passes
/// 2^53 (the stored form of a count is a JSON number anyway).
#[test]
fn stored_bucket_amounts_that_overflow_are_dropped() {
    let huge = codec::encode_series([(T0 - 2 * MIN, u64::MAX), (T0 - MIN, u64::MAX)]);
    assert_dropped_as_corrupt(&state_with("reports_7d", "b", Json::from(huge.clone())), "reports_7d");
    assert_dropped_as_corrupt(&state_with("activity_trend", "r", Json::from(huge.clone())), "activity_trend");
    let one = codec::encode_series([(T0 - MIN, u64::MAX)]);
    assert_dropped_as_corrupt(&state_with("core_active_weeks", "m", Json::from(one)), "core_active_weeks");
}

fn nested(levels: usize) -> Json {
    let mut v = Json::Num(1.0);
    for _ in 0..levels {
        let mut o = Obj::new();
        o.insert("a", v);
        v = Json::Obj(o);
    }
    v
}

/// Found by `fuzz state` and `fuzz events`. `identify` accepts attributes
/// nested 64 levels deep (`MAX_DEPTH`), and `restore` accepts any depth,
/// but the stored state holds them one level lower: its text (65 levels)
/// is refused by `onstage::json::parse` (natively) and by `json_from_js`
/// (in the browser), so the user's own state cannot be read back.
/// Fix: refuse attributes and entitlements deeper than `MAX_DEPTH - 1` in
/// `check_identity` (the wasm binding already refuses them, through the
/// identity object's own level), and drop them with a `part_corrupt` note
/// in `persist::restore` when deeper.
#[test]
fn an_accepted_identity_gives_a_state_that_reads_back() {
    let mut e = Engine::new(saas(), "u1").unwrap();
    let identity = Identity { attributes: Some(nested(64)), entitlements: None, tz_offset_minutes: None };
    if e.identify(identity, T0).is_ok() {
        let text = e.export_state().to_json_string();
        let state = parse(&text).expect("an accepted identity gives a state that parses");
        Engine::restore(saas(), "u1", &state).expect("and restores");
    }
}

/// Found by `fuzz envelope` (long run of 2026-12-06). The fix above let
/// attributes 63 levels deep through (`MAX_DEPTH - 1`, one level for the
/// stored state), but the browser's envelope holds the state one level
/// further down: its text (65 levels) could not be read back, so the next
/// load set the user's whole state aside.
/// Fix: identify and restore accept `MAX_IDENTITY_DEPTH` (`MAX_DEPTH - 2`).
#[test]
fn an_accepted_identity_gives_an_envelope_that_reads_back() {
    for levels in [MAX_DEPTH - 3, MAX_DEPTH - 2, MAX_DEPTH - 1] {
        let mut e = Engine::new(saas(), "u1").unwrap();
        let identity = Identity { attributes: Some(nested(levels)), entitlements: None, tz_offset_minutes: None };
        let accepted = e.identify(identity, T0).is_ok();
        assert_eq!(accepted, levels < MAX_DEPTH - 1, "{levels} levels");
        let text = envelope::write(&StepMarks::default(), &e.export_state().to_json_string());
        let stored = parse(&text).expect("the envelope the engine wrote parses");
        let (state, _, notes) = envelope::open(&stored).expect("and opens");
        assert!(notes.is_empty(), "{notes:?}");
        Engine::restore(saas(), "u1", state).expect("and restores");
    }
}

/// Found by `fuzz envelope` (long run of 2026-12-06). With `MAX_TABS`
/// marks stored, all seen later than now (written by a tab whose clock ran
/// ahead), the mark of a new tab's step was pushed and then dropped at once
/// as the oldest, so the same step was accepted again: a step of another
/// tab counted twice.
/// Fix: `StepMarks::accept` makes room among the other tabs first.
#[test]
fn a_step_accepted_while_the_marks_are_full_is_not_accepted_again() {
    let mut marks = StepMarks::default();
    for tab in 0..MAX_TABS {
        assert!(marks.accept(&format!("tab{tab}.1"), T0 + DAY));
    }
    assert!(marks.accept("late.1", T0), "a new tab's step is new");
    assert!(!marks.accept("late.1", T0), "and is not accepted again");
    assert_eq!(marks.len(), MAX_TABS);
}

/// Found by `fuzz summary`. An event tracked 24 h late (minus a
/// millisecond) is in the journal; a minute later a summary whose `as_of`
/// is 24 h + 1 min old is imported: the first import counts the event
/// (right: it is after `as_of`) and then prunes it from the journal, so a
/// second import of the same summary drops it and reports `import_lossy`.
/// DESIGN: "importing it twice changes nothing".
/// Fix: advance the local history to `now` before importing (in
/// `Engine::import_summary`, `self.user.history.advance(now)` first), so
/// both imports see the same journal; or keep the journal by real time.
#[test]
fn importing_a_summary_twice_changes_nothing() {
    let mut e = Engine::new(saas(), "u1").unwrap();
    e.track("workspace_created", &parse("{}").unwrap(), Some(T0 - DAY + 1), T0).unwrap();
    let now = T0 + MIN;
    let as_of = now - DAY - MIN;
    let summary = onstage::summary::summarize(&saas(), "u1", &[], as_of).unwrap();
    e.take_notices();
    e.import_summary(&summary, now).unwrap();
    let first = e.take_notices();
    let once = e.export_state().to_json_string();
    e.import_summary(&summary, now).unwrap();
    assert_eq!(e.export_state().to_json_string(), once, "importing twice changes nothing");
    assert_eq!(first, e.take_notices());
}

/// Found by `fuzz envelope` (issue 10). A stored journal entry whose props
/// held an object nested 63 levels restored, and the state then written
/// back was nested deeper than a reader accepts (the envelope adds two
/// levels): a user whose state cannot be read again. Fix: the journal
/// reads its props as an event's (`check_event`: a flat object of
/// scalars); anything else drops the journal with a `part_corrupt` note.
#[test]
fn a_stored_journal_with_nested_props_is_dropped() {
    let mut e = Engine::new(saas(), "u1").unwrap();
    e.track("feature_used", &parse(r#"{"feature":"f"}"#).unwrap(), None, T0).unwrap();
    let mut state = e.export_state();
    let mut deep = Json::Num(1.0);
    for _ in 0..62 {
        let mut o = Obj::new();
        o.insert("a", deep);
        deep = Json::Obj(o);
    }
    let Json::Obj(o) = &mut state else { unreachable!() };
    let Some(Json::Obj(journal)) = o.get_mut("journal") else { unreachable!() };
    let mut props = Obj::new();
    props.insert("feature", deep);
    journal.insert("p", Json::Arr(vec![Json::Arr(vec![Json::Num(0.0), Json::Obj(props)])]));
    let (e, notes) = Engine::restore(saas(), "u1", &state).unwrap();
    assert!(notes.iter().any(|n| n.code == "part_corrupt" && n.message.contains("journal")), "{notes:?}");
    let text = onstage::persist::envelope::write(&Default::default(), &e.export_state().to_json_string());
    assert!(parse(&text).is_ok(), "the state written back reads again");
}

/// Found by `fuzz state` (issue 10). A state with no last step but a
/// `history_now` in 9999 restored; the next step (at T0) left the history
/// in 9999, after the new last step, and the state written back then
/// restored with a `time_clamped` note: not what was saved. Fix: a state
/// with times but no last step takes its latest time as the last step
/// (with a `part_corrupt` note), so no time is ever after the last step.
#[test]
fn a_state_with_times_but_no_last_step_keeps_no_time_after_its_last_step() {
    let mut state = Engine::new(saas(), "u1").unwrap().export_state();
    let Json::Obj(o) = &mut state else { unreachable!() };
    o.insert("history_now", Json::Num(253_402_300_799_999.0));
    let (mut e, notes) = Engine::restore(saas(), "u1", &state).unwrap();
    assert_eq!(notes.iter().map(|n| n.code).collect::<Vec<_>>(), vec!["part_corrupt"]);
    assert_eq!(e.user().last_step, Some(253_402_300_799_999));
    assert!(e.clamp_to(T0).unwrap().is_some(), "a host moves it back to its clock");
    e.track("report_created", &Json::Null, None, T0).unwrap();
    let (_, notes) = Engine::restore(saas(), "u1", &e.export_state()).unwrap();
    assert_eq!(notes, vec![], "what was saved restores as it was");
}

/// Found by `fuzz state` (issue 10). A `distinct` signal's `evicted` time
/// was read without a range check: 253,402,300,800,000 (one ms past 9999)
/// restored, became the last step of a state without one, and the state
/// written back was then refused whole (`last_step` out of range): the
/// user would lose it at the next load. Fix: `evicted` is a time in range,
/// like every other stored time; otherwise the signal is dropped.
#[test]
fn a_stored_distinct_evicted_time_out_of_range_is_dropped() {
    assert_dropped_as_corrupt(&state_with("features_30d", "evicted", Json::Num(253_402_300_800_000.0)), "features_30d");
    assert_dropped_as_corrupt(&state_with("features_30d", "evicted", Json::Num(-5.0)), "features_30d");
}
