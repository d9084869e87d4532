//! Model check of signals: the engine against a brute-force oracle.
//!
//! The oracle is written from DESIGN.md alone ("Signals: aggregations over
//! the local history", "Time, exactly", "Runtime in the browser"). It keeps
//! every accepted event (name, props, time floored to the minute) and
//! recomputes every signal from that raw list at each evaluation. It shares
//! no code with `src/signal/`: the config text is read by this file's own
//! small reader, and only the public `Engine` API is driven.
//!
//! A failing case prints a reproduction that can be pasted into a test of
//! this file (`Harness` calls with the config text and every step).
//!
//! `PROPTEST_CASES` sets the number of random cases (default 256).
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use onstage::json::{self, Json};
use onstage::{Engine, Identity, InputError};
use proptest::prelude::*;
use proptest::sample::{select, Index};
use proptest::test_runner::TestCaseError;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::sync::Arc;

/// Whether the generator writes `where` filters (the oracle evaluates the
/// shapes it writes: `{"kind": "x"}` and `{"n": {"$gte": x}}`).
const WHERE_ENABLED: bool = true;

/// Large prop values (1e17, 3e16) among the small ones that `sum` adds:
/// a windowed sum must forget the rounding of values that left the window
/// (see `windowed_sum_forgets_values_that_left_the_window`).
const BIG_SUM_VALUES: bool = true;

const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;
const WEEK: i64 = 7 * DAY;
/// DESIGN, Runtime in the browser: refused when more than 24 hours behind now.
const LATE_LIMIT: i64 = DAY;
/// DESIGN, Runtime in the browser: refused when more than 5 minutes ahead.
const AHEAD_LIMIT: i64 = 5 * MINUTE;
/// 2024-03-04T00:00:00Z, a Monday.
const MONDAY: i64 = 1_709_510_400_000;
/// The value cap of `distinct`.
const DISTINCT_CAP: usize = 1_000;

// ---------------------------------------------------------------------------
// The oracle's model of a config, read from the config JSON.

#[derive(Clone, Debug, PartialEq)]
enum Sel {
    Any,
    Names(Vec<String>),
}

impl Sel {
    fn matches(&self, name: &str) -> bool {
        match self {
            Sel::Any => true,
            Sel::Names(names) => names.iter().any(|n| n == name),
        }
    }

    fn to_json(&self) -> String {
        match self {
            Sel::Any => "\"*\"".into(),
            Sel::Names(n) if n.len() == 1 => format!("{:?}", n[0]),
            Sel::Names(n) => format!("[{}]", n.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(",")),
        }
    }

    fn read(j: &Json) -> Sel {
        match j {
            Json::Str(s) if &**s == "*" => Sel::Any,
            Json::Str(s) => Sel::Names(vec![s.to_string()]),
            Json::Arr(a) => Sel::Names(a.iter().map(|v| v.as_str().expect("event name").to_string()).collect()),
            other => panic!("oracle: unsupported event selector {other}"),
        }
    }
}

/// The `where` shapes the oracle understands (GrowthBook semantics).
#[derive(Clone, Debug, PartialEq)]
enum Cond {
    /// `{"kind": "x"}`: the prop equals the string (missing or null: false).
    KindIs(String),
    /// `{"n": {"$gte": x}}` with x > 0: a number >= x; `null` compares as 0
    /// (false as x > 0); missing or any other type: false.
    NAtLeast(f64),
}

impl Cond {
    fn holds(&self, props: &Json) -> bool {
        match self {
            Cond::KindIs(k) => matches!(props.get("kind"), Some(Json::Str(s)) if **s == **k),
            Cond::NAtLeast(x) => match props.get("n") {
                Some(Json::Num(n)) => *n >= *x,
                Some(Json::Null) => 0.0 >= *x,
                _ => false,
            },
        }
    }

    fn to_json(&self) -> String {
        match self {
            Cond::KindIs(k) => format!("{{\"kind\":{k:?}}}"),
            Cond::NAtLeast(x) => format!("{{\"n\":{{\"$gte\":{}}}}}", num_text(*x)),
        }
    }

    fn read(j: &Json) -> Cond {
        let o = j.as_obj().expect("where is an object");
        assert_eq!(o.len(), 1, "oracle: unsupported where {j}");
        match o.iter().next().unwrap() {
            ("kind", Json::Str(s)) => Cond::KindIs(s.to_string()),
            ("n", Json::Obj(op)) if op.len() == 1 => match op.get("$gte") {
                Some(Json::Num(x)) if *x > 0.0 => Cond::NAtLeast(*x),
                _ => panic!("oracle: unsupported where {j}"),
            },
            _ => panic!("oracle: unsupported where {j}"),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Form {
    Count,
    Sum(String),
    Distinct(String),
    ActiveDays,
    ActiveWeeks,
    DaysSinceFirst,
    DaysSinceLast,
    Trend,
    /// Steps and `within` (ms).
    Funnel(Vec<Sel>, Option<i64>),
    /// Two paths into signals, attributes or entitlements.
    Ratio(String, String),
}

#[derive(Clone, Debug)]
struct Spec {
    id: String,
    form: Form,
    /// Unused by funnels (their steps carry the names) and ratios.
    sel: Sel,
    window: Option<i64>,
    where_: Option<Cond>,
    /// The definition as written (for reports).
    text: String,
}

/// Reads a duration the way DESIGN writes them: an integer and a unit.
fn duration_ms(s: &str) -> i64 {
    let (digits, unit) = s.split_at(s.len() - 1);
    let n: i64 = digits.parse().expect("duration digits");
    n * match unit {
        "m" => MINUTE,
        "h" => HOUR,
        "d" => DAY,
        "w" => WEEK,
        _ => panic!("bad unit in {s}"),
    }
}

/// The oracle's reading of a config's `signals`, in config order.
fn read_specs(config: &Json) -> Vec<Spec> {
    let signals = config.get("signals").and_then(Json::as_obj).expect("signals");
    let mut out = Vec::new();
    for (id, def) in signals.iter() {
        let o = def.as_obj().expect("signal object");
        let window = o.get("window").map(|w| duration_ms(w.as_str().unwrap()));
        let where_ = o.get("where").map(Cond::read);
        let prop = || o.get("property").and_then(Json::as_str).expect("property").to_string();
        let mut sel = Sel::Any;
        let form = if let Some(e) = o.get("count") {
            sel = Sel::read(e);
            Form::Count
        } else if let Some(e) = o.get("sum") {
            sel = Sel::read(e);
            Form::Sum(prop())
        } else if let Some(e) = o.get("distinct") {
            sel = Sel::read(e);
            Form::Distinct(prop())
        } else if let Some(e) = o.get("active_days") {
            sel = Sel::read(e);
            Form::ActiveDays
        } else if let Some(e) = o.get("active_weeks") {
            sel = Sel::read(e);
            Form::ActiveWeeks
        } else if let Some(e) = o.get("days_since_first") {
            sel = Sel::read(e);
            Form::DaysSinceFirst
        } else if let Some(e) = o.get("days_since_last") {
            sel = Sel::read(e);
            Form::DaysSinceLast
        } else if let Some(e) = o.get("trend") {
            sel = Sel::read(e);
            Form::Trend
        } else if let Some(steps) = o.get("funnel") {
            let steps = steps.as_arr().expect("funnel steps").iter().map(Sel::read).collect();
            Form::Funnel(steps, o.get("within").map(|w| duration_ms(w.as_str().unwrap())))
        } else if let Some(Json::Arr(paths)) = o.get("ratio") {
            Form::Ratio(paths[0].as_str().unwrap().into(), paths[1].as_str().unwrap().into())
        } else {
            panic!("oracle: unknown signal form {def}");
        };
        out.push(Spec { id: id.to_string(), form, sel, window, where_, text: def.to_json_string() });
    }
    out
}

// ---------------------------------------------------------------------------
// The oracle.

#[derive(Clone, Debug)]
struct Ev {
    name: String,
    props: Json,
    /// Floored to the minute.
    t: i64,
}

#[derive(Clone, Debug, PartialEq)]
enum Refusal {
    Late,
    Ahead,
}

struct Oracle {
    specs: Vec<Spec>,
    events: Vec<Ev>,
    tz: i32,
    attributes: Json,
    entitlements: Json,
}

/// A JSON scalar as `distinct` compares it: numbers by value (so 1 and
/// 1.0, 0 and -0 are one value), strings and booleans as themselves.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum DistinctKey {
    Num(u64),
    Str(String),
    Bool(bool),
}

fn distinct_key(v: &Json) -> Option<DistinctKey> {
    match v {
        Json::Null => None,
        Json::Num(n) => Some(DistinctKey::Num(if *n == 0.0 { 0 } else { n.to_bits() })),
        Json::Str(s) => Some(DistinctKey::Str(s.to_string())),
        Json::Bool(b) => Some(DistinctKey::Bool(*b)),
        other => panic!("props are flat, found {other}"),
    }
}

/// A sum with Neumaier's compensation: as close to the exact sum as f64 allows.
fn accurate_sum(values: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut c) = (0.0f64, 0.0f64);
    for v in values {
        let t = sum + v;
        c += if sum.abs() >= v.abs() { (sum - t) + v } else { (v - t) + sum };
        sum = t;
    }
    sum + c
}

/// The local calendar day number (days since 1970-01-01 local) of `t`.
fn local_day(t: i64, tz: i32) -> i64 {
    (t + tz as i64 * MINUTE).div_euclid(DAY)
}

/// The local day number of the Monday that starts `t`'s local week.
/// 1970-01-01 was a Thursday: day d is (d + 3) mod 7 days after a Monday.
fn local_monday(t: i64, tz: i32) -> i64 {
    let d = local_day(t, tz);
    d - (d + 3).rem_euclid(7)
}

fn floor_to_minute(t: i64) -> i64 {
    t - t.rem_euclid(MINUTE)
}

impl Oracle {
    fn new(specs: Vec<Spec>) -> Oracle {
        Oracle { specs, events: Vec::new(), tz: 0, attributes: Json::Null, entitlements: Json::Null }
    }

    /// DESIGN's `track` time rules: refused more than 5 minutes ahead or
    /// more than 24 hours behind; ahead counts as now; floored to the minute.
    fn admit(timestamp: Option<i64>, now: i64) -> Result<i64, Refusal> {
        let t = timestamp.unwrap_or(now);
        if t > now + AHEAD_LIMIT {
            return Err(Refusal::Ahead);
        }
        if t < now - LATE_LIMIT {
            return Err(Refusal::Late);
        }
        Ok(floor_to_minute(if t > now { now } else { t }))
    }

    fn track(&mut self, name: &str, props: &Json, timestamp: Option<i64>, now: i64) -> Result<i64, Refusal> {
        let t = Oracle::admit(timestamp, now)?;
        self.events.push(Ev { name: name.into(), props: props.clone(), t });
        Ok(t)
    }

    fn passes(spec: &Spec, e: &Ev) -> bool {
        spec.where_.as_ref().is_none_or(|c| c.holds(&e.props))
    }

    /// Events matching the signal's selector and `where`, in `(lo, hi]`.
    fn select<'a>(&'a self, spec: &'a Spec, lo: i64, hi: i64) -> impl Iterator<Item = &'a Ev> {
        self.events
            .iter()
            .filter(move |e| spec.sel.matches(&e.name) && Oracle::passes(spec, e) && lo < e.t && e.t <= hi)
    }

    /// Events of the signal's window at `now` (everything without one).
    fn in_window<'a>(&'a self, spec: &'a Spec, now: i64) -> impl Iterator<Item = &'a Ev> {
        let lo = spec.window.map_or(i64::MIN, |d| now - d);
        self.select(spec, lo, now)
    }

    fn value_of(&self, id: &str, now: i64) -> Option<f64> {
        let spec = self.specs.iter().find(|s| s.id == id).expect("ratio operand names a signal");
        self.value(spec, now)
    }

    fn value(&self, spec: &Spec, now: i64) -> Option<f64> {
        match &spec.form {
            Form::Count => Some(self.in_window(spec, now).count() as f64),
            Form::Sum(p) => {
                Some(accurate_sum(self.in_window(spec, now).filter_map(|e| e.props.get(p).and_then(Json::as_f64))))
            }
            Form::Distinct(p) => {
                let set: HashSet<DistinctKey> =
                    self.in_window(spec, now).filter_map(|e| e.props.get(p).and_then(distinct_key)).collect();
                Some(set.len().min(DISTINCT_CAP) as f64)
            }
            Form::ActiveDays => {
                let days: HashSet<i64> = self.in_window(spec, now).map(|e| local_day(e.t, self.tz)).collect();
                Some(days.len() as f64)
            }
            Form::ActiveWeeks => {
                let weeks: HashSet<i64> = self.in_window(spec, now).map(|e| local_monday(e.t, self.tz)).collect();
                Some(weeks.len() as f64)
            }
            Form::DaysSinceFirst => self.in_window(spec, now).map(|e| e.t).min().map(|t| (now - t) as f64 / DAY as f64),
            Form::DaysSinceLast => self.in_window(spec, now).map(|e| e.t).max().map(|t| (now - t) as f64 / DAY as f64),
            Form::Trend => {
                let d = spec.window.expect("trend has a window");
                let recent = self.select(spec, now - d, now).count();
                let earlier = self.select(spec, now - 2 * d, now - d).count();
                (earlier > 0).then(|| recent as f64 / earlier as f64)
            }
            Form::Funnel(steps, within) => {
                // Every step-1 event starts a run; the earliest qualifying
                // event for each later step is the best choice for that run.
                let evs: Vec<&Ev> = self.events.iter().filter(|e| Oracle::passes(spec, e)).collect();
                let mut best = 0usize;
                for start in evs.iter().filter(|e| steps[0].matches(&e.name)) {
                    let (t0, mut prev, mut reached) = (start.t, start.t, 1usize);
                    for step in &steps[1..] {
                        let next = evs
                            .iter()
                            .filter(|e| step.matches(&e.name) && e.t > prev && within.is_none_or(|w| e.t - t0 < w))
                            .map(|e| e.t)
                            .min();
                        match next {
                            Some(t) => {
                                prev = t;
                                reached += 1;
                            }
                            None => break,
                        }
                    }
                    best = best.max(reached);
                }
                Some(best as f64)
            }
            Form::Ratio(a, b) => {
                let a = self.operand(a, now)?;
                let b = self.operand(b, now)?;
                (b != 0.0).then(|| a / b)
            }
        }
    }

    fn operand(&self, path: &str, now: i64) -> Option<f64> {
        let mut parts = path.split('.');
        let root = parts.next().unwrap();
        let mut v = match root {
            "signals" => return self.value_of(parts.next().unwrap(), now),
            "attributes" => &self.attributes,
            "entitlements" => &self.entitlements,
            _ => panic!("oracle: unknown root in {path}"),
        };
        for p in parts {
            v = v.get(p)?;
        }
        v.as_f64()
    }

    fn values(&self, now: i64) -> Vec<(String, Option<f64>)> {
        self.specs.iter().map(|s| (s.id.clone(), self.value(s, now))).collect()
    }
}

// ---------------------------------------------------------------------------
// The harness: drives the engine and the oracle side by side and logs every
// step as Rust code that replays it.

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    close_at_scale(a, b, 0.0)
}

/// Equal to 1e-9 relative (or absolute below 1), where `scale` is the size
/// of the operands that made the value (a float sum of values in the window
/// may err by a tiny fraction of their magnitudes, never of values outside).
fn close_at_scale(a: Option<f64>, b: Option<f64>, scale: f64) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(scale).max(1.0),
        _ => false,
    }
}

/// JSON text for a number that keeps -0 (the repro must reproduce it).
fn num_text(n: f64) -> String {
    if n == 0.0 && n.is_sign_negative() {
        "-0.0".into()
    } else if n == n.trunc() && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

fn json_text(j: &Json) -> String {
    match j {
        Json::Num(n) => num_text(*n),
        Json::Arr(a) => format!("[{}]", a.iter().map(json_text).collect::<Vec<_>>().join(",")),
        Json::Obj(o) => format!(
            "{{{}}}",
            o.iter().map(|(k, v)| format!("{}:{}", Json::str(k), json_text(v))).collect::<Vec<_>>().join(",")
        ),
        other => other.to_json_string(),
    }
}

fn time_text(t: i64) -> String {
    onstage::time::format_rfc3339(t)
}

fn parse(text: &str) -> Json {
    json::parse(text).unwrap_or_else(|e| panic!("bad JSON {text}: {e}"))
}

/// One concrete step, as replayed.
#[derive(Clone, Debug)]
enum Step {
    Track { name: String, props: Json, timestamp: Option<i64>, now: i64 },
    Identify { tz: Option<i32>, entitlements: Option<Json>, attributes: Option<Json>, now: i64 },
    Eval { now: i64 },
}

/// What the random runs covered.
#[derive(Clone, Debug, Default)]
struct Stats {
    cases: usize,
    steps: usize,
    evaluations: usize,
    compared: usize,
    accepted: usize,
    accepted_late: usize,
    accepted_exactly_24h_late: usize,
    accepted_ahead: usize,
    refused_late: usize,
    refused_ahead: usize,
    tz_changes: usize,
    /// Evaluations where an event of a windowed signal sat exactly at now - D.
    window_edge_hits: usize,
    /// ... and at now - D + 1 minute.
    window_edge_plus_minute_hits: usize,
    /// Evaluations where an event of a trend sat exactly at now - 2D.
    trend_outer_edge_hits: usize,
    trend_non_null: usize,
    funnel_two_or_more: usize,
    funnel_complete: usize,
    ratio_non_null: usize,
    days_since_non_null: usize,
}

impl Stats {
    fn add(&mut self, o: &Stats) {
        self.cases += o.cases;
        self.steps += o.steps;
        self.evaluations += o.evaluations;
        self.compared += o.compared;
        self.accepted += o.accepted;
        self.accepted_late += o.accepted_late;
        self.accepted_exactly_24h_late += o.accepted_exactly_24h_late;
        self.accepted_ahead += o.accepted_ahead;
        self.refused_late += o.refused_late;
        self.refused_ahead += o.refused_ahead;
        self.tz_changes += o.tz_changes;
        self.window_edge_hits += o.window_edge_hits;
        self.window_edge_plus_minute_hits += o.window_edge_plus_minute_hits;
        self.trend_outer_edge_hits += o.trend_outer_edge_hits;
        self.trend_non_null += o.trend_non_null;
        self.funnel_two_or_more += o.funnel_two_or_more;
        self.funnel_complete += o.funnel_complete;
        self.ratio_non_null += o.ratio_non_null;
        self.days_since_non_null += o.days_since_non_null;
    }
}

struct Harness {
    config_text: String,
    engine: Engine,
    oracle: Oracle,
    log: Vec<String>,
    steps: Vec<Step>,
    evaluations: usize,
    stats: Stats,
}

impl Harness {
    fn new(config_text: &str) -> Harness {
        let doc = parse(config_text);
        let compiled =
            onstage::config::compile(&doc).unwrap_or_else(|p| panic!("config refused: {p:?}\n{config_text}"));
        let engine = Engine::new(Arc::new(compiled.config), "u1").unwrap();
        Harness {
            config_text: config_text.into(),
            engine,
            oracle: Oracle::new(read_specs(&doc)),
            log: Vec::new(),
            steps: Vec::new(),
            evaluations: 0,
            stats: Stats::default(),
        }
    }

    fn repro(&self, what: &str) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "{what}\n--- reproduction (paste into a #[test] of tests/signals_model.rs) ---");
        let _ = writeln!(s, "let mut h = Harness::new(r#\"{}\"#);", self.config_text);
        for l in &self.log {
            let _ = writeln!(s, "{l}");
        }
        s
    }

    fn identify(
        &mut self,
        tz: Option<i32>,
        entitlements: Option<Json>,
        attributes: Option<Json>,
        now: i64,
    ) -> Result<(), String> {
        self.log.push(format!(
            "h.identify({tz:?}, {}, {}, {now}).must(); // {}",
            entitlements.as_ref().map_or("None".into(), |e| format!("Some(parse(r#\"{}\"#))", json_text(e))),
            attributes.as_ref().map_or("None".into(), |e| format!("Some(parse(r#\"{}\"#))", json_text(e))),
            time_text(now)
        ));
        self.steps.push(Step::Identify { tz, entitlements: entitlements.clone(), attributes: attributes.clone(), now });
        self.stats.steps += 1;
        if tz.is_some_and(|tz| tz != self.oracle.tz) {
            self.stats.tz_changes += 1;
        }
        let identity =
            Identity { attributes: attributes.clone(), entitlements: entitlements.clone(), tz_offset_minutes: tz };
        if let Err(e) = self.engine.identify(identity, now) {
            return Err(self.repro(&format!("identify refused: {e}")));
        }
        if let Some(tz) = tz {
            self.oracle.tz = tz;
        }
        if let Some(e) = entitlements {
            self.oracle.entitlements = e;
        }
        if let Some(a) = attributes {
            self.oracle.attributes = a;
        }
        Ok(())
    }

    /// Tracks an event; the engine must accept exactly what the oracle
    /// accepts and refuse the rest with the matching error.
    fn track(
        &mut self,
        name: &str,
        props: &Json,
        timestamp: Option<i64>,
        now: i64,
    ) -> Result<Result<i64, Refusal>, String> {
        let expected = Oracle::admit(timestamp, now);
        let ts_note = match timestamp {
            None => "no timestamp".to_string(),
            Some(t) if t <= now => format!("timestamp now-{}ms", now - t),
            Some(t) => format!("timestamp now+{}ms", t - now),
        };
        let outcome = match &expected {
            Ok(t) => format!("counts at {}", time_text(*t)),
            Err(r) => format!("refused ({r:?})"),
        };
        let call = if expected.is_ok() { "unwrap()" } else { "unwrap_err()" };
        self.log.push(format!(
            "h.track({name:?}, &parse(r#\"{}\"#), {timestamp:?}, {now}).must().{call}; // {} {ts_note}: {outcome}",
            json_text(props),
            time_text(now)
        ));
        self.steps.push(Step::Track { name: name.into(), props: props.clone(), timestamp, now });
        self.stats.steps += 1;
        match (&expected, timestamp) {
            (Ok(_), Some(t)) if t < now => {
                self.stats.accepted_late += 1;
                if now - t == LATE_LIMIT {
                    self.stats.accepted_exactly_24h_late += 1;
                }
            }
            (Ok(_), Some(t)) if t > now => self.stats.accepted_ahead += 1,
            (Err(Refusal::Late), _) => self.stats.refused_late += 1,
            (Err(Refusal::Ahead), _) => self.stats.refused_ahead += 1,
            _ => {}
        }
        if expected.is_ok() {
            self.stats.accepted += 1;
        }
        let got = self.engine.track(name, props, timestamp, now);
        match (&expected, &got) {
            (Ok(_), Ok(())) => {}
            (Err(Refusal::Late), Err(InputError::TimestampTooOld { .. })) => {}
            (Err(Refusal::Ahead), Err(InputError::TimestampInFuture { .. })) => {}
            _ => {
                return Err(self.repro(&format!("track: the oracle expects {expected:?}, the engine returned {got:?}")));
            }
        }
        if expected.is_ok() {
            self.oracle.track(name, props, timestamp, now).unwrap();
        }
        Ok(expected)
    }

    /// Evaluates both and compares every signal; returns the values.
    fn eval(&mut self, now: i64) -> Result<Vec<(String, Option<f64>)>, String> {
        self.log.push(format!("h.eval({now}).must(); // {}", time_text(now)));
        self.steps.push(Step::Eval { now });
        self.stats.steps += 1;
        self.evaluations += 1;
        self.count_coverage(now);
        let ev = match self.engine.evaluate(now) {
            Ok(ev) => ev,
            Err(e) => return Err(self.repro(&format!("evaluate refused: {e}"))),
        };
        let want = self.oracle.values(now);
        let mut bad = String::new();
        if ev.signals.len() != want.len() {
            let _ = writeln!(bad, "engine has {} signals, the oracle {}", ev.signals.len(), want.len());
        }
        for ((gid, got), (wid, w)) in ev.signals.iter().zip(&want) {
            let spec = self.oracle.specs.iter().find(|s| &s.id == wid).unwrap();
            if **gid != **wid {
                let _ = writeln!(bad, "  order: engine has {gid} where the config has {wid}");
            } else if !close_at_scale(*got, *w, self.sum_scale(spec, now)) {
                let _ = writeln!(bad, "  {wid} {}: engine {got:?}, oracle {w:?}", spec.text);
            }
        }
        let capped: Vec<&str> = self
            .oracle
            .specs
            .iter()
            .filter(|s| matches!(s.form, Form::Distinct(_)) && self.distinct_over_cap(s, now))
            .map(|s| &*s.id)
            .collect();
        let got_capped: Vec<&str> = ev.capped.iter().map(|s| &**s).collect();
        if !capped.is_empty() || !got_capped.is_empty() {
            // Only a signal past the cap can be capped; the random cases stay below it.
            if got_capped.iter().any(|c| !capped.contains(c)) {
                let _ = writeln!(bad, "  capped: engine {got_capped:?}, signals over the cap {capped:?}");
            }
        }
        if bad.is_empty() {
            Ok(want)
        } else {
            Err(self.repro(&format!("signals differ at {now} ({}):\n{bad}", time_text(now))))
        }
    }

    /// For a `sum`: the sum of the magnitudes of the values in its window.
    fn sum_scale(&self, spec: &Spec, now: i64) -> f64 {
        let Form::Sum(p) = &spec.form else { return 0.0 };
        self.oracle.in_window(spec, now).filter_map(|e| e.props.get(p).and_then(Json::as_f64)).map(f64::abs).sum()
    }

    fn count_coverage(&mut self, now: i64) {
        let st = &mut self.stats;
        st.evaluations += 1;
        st.compared += self.oracle.specs.len();
        for spec in &self.oracle.specs {
            let at = |t: i64| self.oracle.events.iter().any(|e| e.t == t && spec.sel.matches(&e.name));
            if let Some(d) = spec.window {
                st.window_edge_hits += at(now - d) as usize;
                st.window_edge_plus_minute_hits += at(now - d + MINUTE) as usize;
                if spec.form == Form::Trend {
                    st.trend_outer_edge_hits += at(now - 2 * d) as usize;
                }
            }
            let v = self.oracle.value(spec, now);
            match &spec.form {
                Form::Trend => st.trend_non_null += v.is_some() as usize,
                Form::Ratio(..) => st.ratio_non_null += v.is_some() as usize,
                Form::DaysSinceFirst | Form::DaysSinceLast => st.days_since_non_null += v.is_some() as usize,
                Form::Funnel(steps, _) => {
                    st.funnel_two_or_more += (v >= Some(2.0)) as usize;
                    st.funnel_complete += (v == Some(steps.len() as f64) && steps.len() > 1) as usize;
                }
                _ => {}
            }
        }
    }

    /// Replays concrete steps; `Err` is the reproduction of the first difference.
    fn replay(config_text: &str, steps: &[Step]) -> Result<Harness, String> {
        let mut h = Harness::new(config_text);
        for step in steps {
            match step {
                Step::Track { name, props, timestamp, now } => {
                    let _ = h.track(name, props, *timestamp, *now)?;
                }
                Step::Identify { tz, entitlements, attributes, now } => {
                    h.identify(*tz, entitlements.clone(), attributes.clone(), *now)?
                }
                Step::Eval { now } => {
                    h.eval(*now)?;
                }
            }
        }
        Ok(h)
    }

    /// Whether more than 1,000 distinct values were ever seen (no window).
    fn distinct_over_cap(&self, spec: &Spec, _now: i64) -> bool {
        let Form::Distinct(p) = &spec.form else { return false };
        let all: HashSet<DistinctKey> = self
            .oracle
            .events
            .iter()
            .filter(|e| spec.sel.matches(&e.name) && Oracle::passes(spec, e))
            .filter_map(|e| e.props.get(p).and_then(distinct_key))
            .collect();
        all.len() > DISTINCT_CAP
    }
}

/// Unwraps a harness result, printing the reproduction as text.
trait Must<T> {
    fn must(self) -> T;
}

impl<T> Must<T> for Result<T, String> {
    #[track_caller]
    fn must(self) -> T {
        self.unwrap_or_else(|report| panic!("{report}"))
    }
}

fn get(values: &[(String, Option<f64>)], id: &str) -> Option<f64> {
    values.iter().find(|(i, _)| i == id).unwrap_or_else(|| panic!("no signal {id}")).1
}

// ---------------------------------------------------------------------------
// Random configs.

const NAMES: [&str; 5] = ["a", "b", "c", "d", "e"];
/// Tracked names: `f` is in no selector but `"*"`.
const TRACK_NAMES: [&str; 6] = ["a", "b", "c", "d", "e", "f"];
const WINDOWS: [&str; 18] = [
    "1m", "5m", "7m", "90m", "61m", "3h", "12h", "13h", "1d", "25h", "1441m", "2d", "3d", "1w", "7d", "2w", "4w", "30d",
];
const WITHINS: [&str; 8] = ["1m", "10m", "1h", "2h", "1d", "2d", "7d", "1441m"];
const OPERAND_PATHS: [&str; 5] =
    ["entitlements.seats", "entitlements.limits.api", "attributes.n", "entitlements.missing", "attributes.n.deeper"];

fn sel_strategy() -> impl Strategy<Value = Sel> {
    prop_oneof![
        1 => Just(Sel::Any),
        4 => select(&NAMES[..]).prop_map(|n| Sel::Names(vec![n.to_string()])),
        2 => proptest::sample::subsequence(&NAMES[..], 1..=3)
            .prop_map(|v| Sel::Names(v.into_iter().map(String::from).collect())),
    ]
}

fn where_strategy() -> BoxedStrategy<Option<Cond>> {
    if !WHERE_ENABLED {
        return Just(None).boxed();
    }
    proptest::option::weighted(
        0.35,
        prop_oneof![
            select(&["x", "y", "z"][..]).prop_map(|k| Cond::KindIs(k.into())),
            select(&[1.0, 2.0, 2.5, 4.0][..]).prop_map(Cond::NAtLeast),
        ],
    )
    .boxed()
}

/// One of the nine event forms (kind 0..9).
fn base_signal(kind: usize) -> BoxedStrategy<String> {
    let w = select(&WINDOWS[..]);
    let ow = proptest::option::weighted(0.6, select(&WINDOWS[..]));
    let win = |o: Option<&str>| o.map_or(String::new(), |w| format!(",\"window\":{w:?}"));
    let whr = |c: Option<Cond>| c.map_or(String::new(), |c| format!(",\"where\":{}", c.to_json()));
    match kind {
        0 => (sel_strategy(), ow, where_strategy())
            .prop_map(move |(e, w, c)| format!("{{\"count\":{}{}{}}}", e.to_json(), win(w), whr(c)))
            .boxed(),
        1 => (sel_strategy(), select(&["n", "v"][..]), ow, where_strategy())
            .prop_map(move |(e, p, w, c)| format!("{{\"sum\":{},\"property\":{p:?}{}{}}}", e.to_json(), win(w), whr(c)))
            .boxed(),
        2 => (sel_strategy(), select(&["v", "kind", "n"][..]), ow, where_strategy())
            .prop_map(move |(e, p, w, c)| {
                format!("{{\"distinct\":{},\"property\":{p:?}{}{}}}", e.to_json(), win(w), whr(c))
            })
            .boxed(),
        3 | 4 => (sel_strategy(), w, where_strategy())
            .prop_map(move |(e, w, c)| {
                let form = if kind == 3 { "active_days" } else { "active_weeks" };
                format!("{{{form:?}:{}{}{}}}", e.to_json(), win(Some(w)), whr(c))
            })
            .boxed(),
        5 | 6 => (sel_strategy(), where_strategy())
            .prop_map(move |(e, c)| {
                let form = if kind == 5 { "days_since_first" } else { "days_since_last" };
                format!("{{{form:?}:{}{}}}", e.to_json(), whr(c))
            })
            .boxed(),
        7 => (sel_strategy(), w, where_strategy())
            .prop_map(move |(e, w, c)| format!("{{\"trend\":{}{}{}}}", e.to_json(), win(Some(w)), whr(c)))
            .boxed(),
        _ => (
            proptest::collection::vec(sel_strategy(), 2..=4),
            proptest::option::weighted(0.7, select(&WITHINS[..])),
            where_strategy(),
        )
            .prop_map(move |(steps, within, c)| {
                let steps: Vec<String> = steps.iter().map(Sel::to_json).collect();
                let within = within.map_or(String::new(), |w| format!(",\"within\":{w:?}"));
                format!("{{\"funnel\":[{}]{within}{}}}", steps.join(","), whr(c))
            })
            .boxed(),
    }
}

/// A ratio that may read any signal generated before it (so no cycle),
/// or a path into attributes or entitlements.
fn ratio_signal(before: usize) -> BoxedStrategy<String> {
    let operand = prop_oneof![
        3 => (0..before).prop_map(|i| format!("signals.s{i}")),
        2 => select(&OPERAND_PATHS[..]).prop_map(String::from),
    ];
    (operand.clone(), operand).prop_map(|(a, b)| format!("{{\"ratio\":[{a:?},{b:?}]}}")).boxed()
}

/// A config: one signal of each event form, up to three more, one to three
/// ratios, in shuffled config order (so ratios also read later signals).
fn config_strategy() -> impl Strategy<Value = String> {
    (proptest::collection::vec(0usize..9, 0..=3), 1usize..=3)
        .prop_flat_map(|(extra, ratios)| {
            let kinds: Vec<usize> = (0..9).chain(extra).collect();
            let n = kinds.len();
            let mut all: Vec<BoxedStrategy<String>> = kinds.into_iter().map(base_signal).collect();
            for r in 0..ratios {
                all.push(ratio_signal(n + r));
            }
            all
        })
        .prop_flat_map(|defs| {
            let named: Vec<(usize, String)> = defs.into_iter().enumerate().collect();
            Just(named).prop_shuffle()
        })
        .prop_map(|named| {
            let lines: Vec<String> = named.iter().map(|(i, d)| format!("    \"s{i}\": {d}")).collect();
            format!(
                "{{\n  \"version\": 1,\n  \"signals\": {{\n{}\n  }},\n  \"stages\": [{{\"id\": \"any\", \"when\": {{}}}}]\n}}",
                lines.join(",\n")
            )
        })
}

// ---------------------------------------------------------------------------
// Random histories: abstract steps, resolved against the run as it goes so
// that times can land exactly on window edges of events already recorded.

/// Offsets around an edge: exactly on it, a millisecond or a minute either
/// side, and the last millisecond of the edge's minute.
const DELTAS: [i64; 9] = [0, 0, 1, -1, MINUTE, -MINUTE, MINUTE - 1, 30 * SECOND, -30 * SECOND];

#[derive(Clone, Debug)]
struct Edge {
    /// Which of the reachable edge times (mod their number).
    pick: Index,
    /// Pick among the four nearest edge times only.
    near: bool,
    /// 1 or 2 times the duration (2: trend's earlier window).
    mult: i64,
    delta: i64,
}

#[derive(Clone, Debug)]
enum Gap {
    Ms(i64),
    /// now = previous now + D + delta.
    Dur {
        dur: Index,
        delta: i64,
    },
    /// now = some event's time + mult * D + delta, among those not before
    /// the previous now (the previous now when there is none).
    Edge(Edge),
}

#[derive(Clone, Debug)]
enum Ts {
    Absent,
    Late(i64),
    Ahead(i64),
    /// Some event's time + mult * D + delta, among those near the
    /// admissible range (absent when there is none).
    Edge(Edge),
}

#[derive(Clone, Debug)]
enum Act {
    Track { name: &'static str, props: Json, ts: Ts },
    Identify { tz: Option<i32>, entitlements: Option<Json>, attributes: Option<Json> },
    Eval,
}

#[derive(Clone, Debug)]
struct AStep {
    gap: Gap,
    act: Act,
}

fn edge_strategy() -> impl Strategy<Value = Edge> {
    (any::<Index>(), any::<bool>(), prop_oneof![3 => Just(1i64), 1 => Just(2i64)], select(&DELTAS[..]))
        .prop_map(|(pick, near, mult, delta)| Edge { pick, near, mult, delta })
}

fn gap_strategy() -> impl Strategy<Value = Gap> {
    prop_oneof![
        2 => Just(Gap::Ms(0)),
        2 => (1i64..1_000).prop_map(Gap::Ms),
        4 => (1_000i64..MINUTE).prop_map(Gap::Ms),
        6 => (MINUTE..HOUR).prop_map(Gap::Ms),
        4 => (HOUR..2 * DAY).prop_map(Gap::Ms),
        1 => (DAY..10 * DAY).prop_map(Gap::Ms),
        1 => (10 * DAY..400 * DAY).prop_map(Gap::Ms),
        3 => (any::<Index>(), select(&DELTAS[..])).prop_map(|(dur, delta)| Gap::Dur { dur, delta }),
        6 => edge_strategy().prop_map(Gap::Edge),
    ]
}

fn ts_strategy() -> impl Strategy<Value = Ts> {
    prop_oneof![
        10 => Just(Ts::Absent),
        3 => (1i64..MINUTE).prop_map(Ts::Late),
        4 => (MINUTE..=LATE_LIMIT).prop_map(Ts::Late),
        1 => Just(Ts::Late(LATE_LIMIT)),
        1 => Just(Ts::Late(LATE_LIMIT - 1)),
        1 => Just(Ts::Late(LATE_LIMIT + 1)),
        1 => (LATE_LIMIT + 1..5 * DAY).prop_map(Ts::Late),
        2 => (1i64..=AHEAD_LIMIT).prop_map(Ts::Ahead),
        1 => Just(Ts::Ahead(AHEAD_LIMIT)),
        1 => Just(Ts::Ahead(AHEAD_LIMIT + 1)),
        1 => (AHEAD_LIMIT + 1..HOUR).prop_map(Ts::Ahead),
        4 => edge_strategy().prop_map(Ts::Edge),
    ]
}

/// A prop value for `v`: numbers (with -0 and fractions), numeric strings,
/// booleans, null.
fn v_strategy() -> impl Strategy<Value = Json> {
    let big = if BIG_SUM_VALUES { 1 } else { 0 };
    prop_oneof![
        big => select(&[1e17, 3e16][..]).prop_map(Json::Num),
        5 => (0i32..6).prop_map(|i| Json::Num(i as f64)),
        1 => Just(Json::Num(-0.0)),
        2 => select(&[0.5, 1.5, 2.25, -3.0, 0.1][..]).prop_map(Json::Num),
        2 => (0i32..4).prop_map(|i| Json::str(&i.to_string())),
        1 => any::<bool>().prop_map(Json::Bool),
        1 => Just(Json::Null),
    ]
}

fn props_strategy() -> impl Strategy<Value = Json> {
    let kind = prop_oneof![8 => select(&["x", "y", "z"][..]).prop_map(Json::str), 1 => Just(Json::Null)];
    let n = prop_oneof![
        8 => (0i32..6).prop_map(|i| Json::Num(i as f64)),
        2 => select(&[0.5, 2.5, -1.0][..]).prop_map(Json::Num),
        1 => Just(Json::Null),
    ];
    prop_oneof![
        1 => Just(Json::Null),
        8 => (
            proptest::option::weighted(0.85, kind),
            proptest::option::weighted(0.85, n),
            proptest::option::weighted(0.8, v_strategy()),
        )
            .prop_map(|(kind, n, v)| {
                let mut o = onstage::json::Obj::new();
                for (k, val) in [("kind", kind), ("n", n), ("v", v)] {
                    if let Some(val) = val {
                        o.insert(k, val);
                    }
                }
                Json::Obj(o)
            }),
    ]
}

fn scalar_strategy() -> impl Strategy<Value = Json> {
    prop_oneof![
        3 => select(&[0.0, 5.0, 2.5, -3.0, 100.0][..]).prop_map(Json::Num),
        1 => Just(Json::str("10")),
        1 => Just(Json::Null),
        1 => Just(Json::Bool(true)),
    ]
}

fn identify_strategy() -> impl Strategy<Value = Act> {
    let tz = prop_oneof![
        3 => select(&[0, 60, -60, 330, -45, 840, -840, 345, 545, -210, 600, -600, 1, -1][..]),
        1 => -840i32..=840,
    ];
    let ent = (proptest::option::weighted(0.8, scalar_strategy()), proptest::option::weighted(0.7, scalar_strategy()))
        .prop_map(|(seats, api)| {
            let mut o = onstage::json::Obj::new();
            if let Some(s) = seats {
                o.insert("seats", s);
            }
            if let Some(a) = api {
                let mut l = onstage::json::Obj::new();
                l.insert("api", a);
                o.insert("limits", Json::Obj(l));
            }
            Json::Obj(o)
        });
    let attr = scalar_strategy().prop_map(|n| {
        let mut o = onstage::json::Obj::new();
        o.insert("n", n);
        Json::Obj(o)
    });
    (proptest::option::weighted(0.7, tz), proptest::option::weighted(0.5, ent), proptest::option::weighted(0.3, attr))
        .prop_map(|(tz, entitlements, attributes)| Act::Identify { tz, entitlements, attributes })
}

fn step_strategy() -> impl Strategy<Value = AStep> {
    let act = prop_oneof![
        10 => (select(&TRACK_NAMES[..]), props_strategy(), ts_strategy())
            .prop_map(|(name, props, ts)| Act::Track { name, props, ts }),
        1 => identify_strategy(),
        4 => Just(Act::Eval),
    ];
    // Evaluations land on an edge more often than other steps.
    (gap_strategy(), act, proptest::option::weighted(0.5, edge_strategy())).prop_map(|(gap, act, edge)| {
        match (&act, edge) {
            (Act::Eval, Some(e)) => AStep { gap: Gap::Edge(e), act },
            _ => AStep { gap, act },
        }
    })
}

/// The durations a config's edges are made of: windows (twice for trend),
/// funnel `within`s, and the lateness and skew limits.
fn edge_durations(specs: &[Spec]) -> Vec<i64> {
    let mut out = vec![LATE_LIMIT, AHEAD_LIMIT];
    for s in specs {
        if let Some(w) = s.window {
            out.push(w);
            if s.form == Form::Trend {
                out.push(2 * w);
            }
        }
        if let Form::Funnel(_, Some(w)) = s.form {
            out.push(w);
        }
    }
    out
}

/// The edge times `event + mult * D + delta` inside `[lo, hi]`; `e` picks one.
fn edge_time(e: &Edge, events: &[Ev], durs: &[i64], lo: i64, hi: i64) -> Option<i64> {
    let mut candidates: Vec<i64> = Vec::new();
    for ev in events {
        for d in durs {
            let t = ev.t + e.mult * d + e.delta;
            if lo <= t && t <= hi {
                candidates.push(t);
            }
        }
    }
    candidates.sort_unstable();
    candidates.dedup();
    let n = if e.near { candidates.len().min(4) } else { candidates.len() };
    (n > 0).then(|| candidates[e.pick.index(n)])
}

/// Runs one random case; on a difference, returns the concrete steps run
/// up to it (for the minimizer) with the report.
fn run_case(config_text: &str, start: i64, steps: &[AStep]) -> Result<Stats, (String, Vec<Step>)> {
    let mut h = Harness::new(config_text);
    match run_steps(&mut h, start, steps) {
        Ok(()) => {
            h.stats.cases = 1;
            Ok(h.stats)
        }
        Err(report) => Err((report, h.steps)),
    }
}

fn run_steps(h: &mut Harness, start: i64, steps: &[AStep]) -> Result<(), String> {
    let durs = edge_durations(&h.oracle.specs);
    let mut now = start;
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            now = match &step.gap {
                Gap::Ms(ms) => now + ms,
                Gap::Dur { dur, delta } => now + (durs[dur.index(durs.len())] + delta).max(0),
                Gap::Edge(e) => edge_time(e, &h.oracle.events, &durs, now, now + 60 * DAY).unwrap_or(now),
            };
        }
        match &step.act {
            Act::Track { name, props, ts } => {
                let timestamp = match ts {
                    Ts::Absent => None,
                    Ts::Late(ms) => Some(now - ms),
                    Ts::Ahead(ms) => Some(now + ms),
                    Ts::Edge(e) => {
                        edge_time(e, &h.oracle.events, &durs, now - LATE_LIMIT - 2 * MINUTE, now + AHEAD_LIMIT + MINUTE)
                    }
                };
                let _ = h.track(name, props, timestamp, now)?;
            }
            Act::Identify { tz, entitlements, attributes } => {
                h.identify(*tz, entitlements.clone(), attributes.clone(), now)?;
            }
            Act::Eval => {
                h.eval(now)?;
            }
        }
    }
    h.eval(now)?;
    Ok(())
}

/// Shrinks a failing case to a small reproduction: keeps only the signals
/// that differ (with what their ratios read), then drops every step whose
/// removal keeps a difference, then simplifies props.
fn minimize(config_text: &str, steps: Vec<Step>, report: String) -> String {
    let fails = |cfg: &str, steps: &[Step]| Harness::replay(cfg, steps).err();
    let mut config = config_text.to_string();
    let mut best = report;
    // 1. The config: each differing signal alone (plus its ratio operands).
    let doc = parse(config_text);
    let signals = doc.get("signals").and_then(Json::as_obj).unwrap().clone();
    let ids: Vec<String> = signals.keys().map(String::from).collect();
    for id in &ids {
        if !best.contains(&format!("  {id} ")) {
            continue;
        }
        let mut keep = vec![id.clone()];
        let mut i = 0;
        while i < keep.len() {
            let def = signals.get(&keep[i]).unwrap();
            if let Some(Json::Arr(paths)) = def.get("ratio") {
                for p in paths {
                    if let Some(dep) = p.as_str().and_then(|p| p.strip_prefix("signals.")) {
                        if !keep.iter().any(|k| k == dep) {
                            keep.push(dep.to_string());
                        }
                    }
                }
            }
            i += 1;
        }
        let lines: Vec<String> = ids
            .iter()
            .filter(|i| keep.contains(i))
            .map(|i| format!("    {}: {}", Json::str(i), signals.get(i).unwrap().to_json_string()))
            .collect();
        let small = format!(
            "{{\n  \"version\": 1,\n  \"signals\": {{\n{}\n  }},\n  \"stages\": [{{\"id\": \"any\", \"when\": {{}}}}]\n}}",
            lines.join(",\n")
        );
        if let Some(r) = fails(&small, &steps) {
            config = small;
            best = r;
            break;
        }
    }
    // 2. The steps: drop chunks, then single steps, while it still fails.
    let mut steps = steps;
    let mut chunk = steps.len().div_ceil(2).max(1);
    loop {
        let mut i = 0;
        while i < steps.len() {
            let mut candidate = steps.clone();
            candidate.drain(i..(i + chunk).min(steps.len()));
            match fails(&config, &candidate) {
                Some(r) => {
                    steps = candidate;
                    best = r;
                }
                None => i += chunk,
            }
        }
        if chunk == 1 {
            break;
        }
        chunk = chunk.div_ceil(2);
    }
    // 3. Props: null, or one key fewer.
    for i in 0..steps.len() {
        let Step::Track { props: Json::Obj(o), .. } = &steps[i] else { continue };
        let mut options = vec![Json::Null];
        for k in o.keys() {
            let mut smaller = o.clone();
            smaller.remove(k);
            options.push(Json::Obj(smaller));
        }
        for option in options {
            let mut candidate = steps.clone();
            if let Step::Track { props, .. } = &mut candidate[i] {
                *props = option;
            }
            if let Some(r) = fails(&config, &candidate) {
                steps = candidate;
                best = r;
                break;
            }
        }
    }
    best
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

#[test]
fn signals_agree_with_the_oracle() {
    use proptest::test_runner::{Config, TestError, TestRunner};
    use std::cell::RefCell;
    let config = Config {
        cases: cases(),
        // The minimizer below does the fine shrinking, on concrete steps.
        max_shrink_iters: 2_000,
        source_file: Some(file!()),
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let strategy = (config_strategy(), MONDAY..MONDAY + WEEK, proptest::collection::vec(step_strategy(), 1..120));
    let total = RefCell::new(Stats::default());
    let result = runner.run(&strategy, |(config, start, steps)| match run_case(&config, start, &steps) {
        Ok(stats) => {
            total.borrow_mut().add(&stats);
            Ok(())
        }
        Err((report, _)) => Err(TestCaseError::fail(report)),
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(_, (config, start, steps))) => {
            let (report, concrete) = run_case(&config, start, &steps).expect_err("the minimal case fails");
            panic!("the engine and the oracle differ.\n{}", minimize(&config, concrete, report));
        }
        Err(e) => panic!("{e}"),
    }
    let st = total.into_inner();
    eprintln!("signals model: {st:#?}");
    // The generator must keep reaching the edges it exists for.
    if st.cases >= 200 {
        for (what, n) in [
            ("evaluations", st.evaluations),
            ("late events accepted", st.accepted_late),
            ("events exactly 24 h late", st.accepted_exactly_24h_late),
            ("events ahead accepted", st.accepted_ahead),
            ("late events refused", st.refused_late),
            ("early events refused", st.refused_ahead),
            ("tz changes", st.tz_changes),
            ("events at now - D", st.window_edge_hits),
            ("events at now - D + 1m", st.window_edge_plus_minute_hits),
            ("events at now - 2D (trend)", st.trend_outer_edge_hits),
            ("trends not null", st.trend_non_null),
            ("funnels at 2 steps or more", st.funnel_two_or_more),
            ("complete funnels", st.funnel_complete),
            ("ratios not null", st.ratio_non_null),
        ] {
            assert!(n > 0, "the generator no longer covers {what}: {st:#?}");
        }
    }
}

// ---------------------------------------------------------------------------
// Deterministic edges. Each also checks the engine against the oracle at
// every evaluation (`eval` fails on any difference).

fn cfg(signals: &str) -> String {
    format!("{{\"version\": 1, \"signals\": {{{signals}}}, \"stages\": [{{\"id\": \"any\", \"when\": {{}}}}]}}")
}

fn none() -> Json {
    Json::Null
}

/// 2024-03-06T10:00:00Z (a Wednesday), on a minute.
const T: i64 = MONDAY + 2 * DAY + 10 * HOUR;

#[test]
fn oracle_calendar_is_right() {
    // 2024-03-04 is a Monday; 2024-03-03 a Sunday.
    assert_eq!(local_monday(MONDAY, 0), local_day(MONDAY, 0));
    assert_eq!(local_monday(MONDAY - 1, 0), local_day(MONDAY, 0) - 7);
    assert_eq!(local_monday(MONDAY + WEEK - 1, 0), local_day(MONDAY, 0));
    assert_eq!(local_day(MONDAY - 30 * MINUTE, 60), local_day(MONDAY, 0));
    assert_eq!(Oracle::admit(Some(T - DAY), T), Ok(T - DAY));
    assert_eq!(Oracle::admit(Some(T - DAY - 1), T), Err(Refusal::Late));
    assert_eq!(Oracle::admit(Some(T + AHEAD_LIMIT), T + 5), Ok(T));
    assert_eq!(Oracle::admit(Some(T + AHEAD_LIMIT + 1), T), Err(Refusal::Ahead));
}

#[test]
fn window_edge_excludes_now_minus_d_and_includes_the_next_minute() {
    let mut h =
        Harness::new(&cfg(r#""c": {"count": "a", "window": "7d"}, "s": {"sum": "a", "property": "n", "window": "7d"},
           "d": {"distinct": "a", "property": "n", "window": "7d"}, "ad": {"active_days": "a", "window": "7d"},
           "c90": {"count": "a", "window": "90m"}"#));
    h.track("a", &parse(r#"{"n": 1}"#), None, T + 20 * SECOND).must().unwrap(); // counts at T
    h.track("a", &parse(r#"{"n": 2}"#), None, T + MINUTE).must().unwrap(); // counts at T + 1m
    let v = h.eval(T + 7 * DAY - 1).must();
    assert_eq!(get(&v, "c"), Some(2.0));
    let v = h.eval(T + 7 * DAY).must(); // the event at T is at now - D: out
    assert_eq!(get(&v, "c"), Some(1.0));
    assert_eq!(get(&v, "s"), Some(2.0));
    assert_eq!(get(&v, "d"), Some(1.0));
    assert_eq!(get(&v, "ad"), Some(1.0));
    let v = h.eval(T + 7 * DAY + MINUTE - 1).must();
    assert_eq!(get(&v, "c"), Some(1.0));
    let v = h.eval(T + 7 * DAY + MINUTE).must();
    assert_eq!(get(&v, "c"), Some(0.0));
    assert_eq!(get(&v, "s"), Some(0.0));

    // A short window, with an event exactly at its edge.
    let mut h = Harness::new(&cfg(r#""c90": {"count": "a", "window": "90m"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    h.track("a", &none(), None, T + MINUTE).must().unwrap();
    assert_eq!(get(&h.eval(T + 90 * MINUTE).must(), "c90"), Some(1.0));
    assert_eq!(get(&h.eval(T + 91 * MINUTE - 1).must(), "c90"), Some(1.0));
    assert_eq!(get(&h.eval(T + 91 * MINUTE).must(), "c90"), Some(0.0));
}

#[test]
fn trend_boundaries() {
    let mut h = Harness::new(&cfg(r#""t": {"trend": "a", "window": "1d"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    // (now-D, now] holds T; the earlier window is empty.
    assert_eq!(get(&h.eval(T + DAY - 1).must(), "t"), None);
    // At now = T + D, T is at now - D: in the earlier window (now-2D, now-D].
    assert_eq!(get(&h.eval(T + DAY).must(), "t"), Some(0.0));
    h.track("a", &none(), None, T + DAY + MINUTE).must().unwrap();
    h.track("a", &none(), None, T + DAY + 2 * MINUTE).must().unwrap();
    assert_eq!(get(&h.eval(T + DAY + 2 * MINUTE).must(), "t"), Some(2.0));
    // At now = T + 2D the event at T is at now - 2D: in neither window.
    assert_eq!(get(&h.eval(T + 2 * DAY - 1).must(), "t"), Some(2.0));
    assert_eq!(get(&h.eval(T + 2 * DAY).must(), "t"), None);
    // A late event lands in the earlier window.
    h.track("a", &none(), Some(T + DAY + 30 * SECOND), T + 2 * DAY + 30 * SECOND).must().unwrap();
    // (now-2D, now-D] = (T+30s, T+D+30s] now holds the late event at T + D.
    assert_eq!(get(&h.eval(T + 2 * DAY + 30 * SECOND).must(), "t"), Some(2.0));
}

#[test]
fn funnel_same_minute_is_not_strictly_after() {
    let mut h = Harness::new(&cfg(r#""f": {"funnel": ["a", "b"]}, "fw": {"funnel": ["a", "b"], "within": "1h"}"#));
    h.track("a", &none(), None, T + 10 * SECOND).must().unwrap();
    h.track("b", &none(), None, T + 50 * SECOND).must().unwrap();
    let v = h.eval(T + 50 * SECOND).must();
    assert_eq!(get(&v, "f"), Some(1.0));
    assert_eq!(get(&v, "fw"), Some(1.0));
    h.track("b", &none(), None, T + MINUTE).must().unwrap();
    let v = h.eval(T + MINUTE).must();
    assert_eq!(get(&v, "f"), Some(2.0));
    assert_eq!(get(&v, "fw"), Some(2.0));
    // The same event name for two steps needs two distinct minutes.
    let mut h = Harness::new(&cfg(r#""f": {"funnel": ["a", "a", "a"]}"#));
    for s in 0..5 {
        h.track("a", &none(), None, T + s * 10 * SECOND).must().unwrap();
    }
    assert_eq!(get(&h.eval(T + MINUTE - 1).must(), "f"), Some(1.0));
    h.track("a", &none(), Some(T + MINUTE), T + MINUTE + 59 * SECOND).must().unwrap();
    assert_eq!(get(&h.eval(T + 2 * MINUTE).must(), "f"), Some(2.0));
}

#[test]
fn funnel_within_is_exclusive() {
    let mut h = Harness::new(&cfg(r#""f": {"funnel": ["a", "b", "c"], "within": "1h"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    h.track("b", &none(), None, T + 59 * MINUTE + 59 * SECOND).must().unwrap(); // counts at T + 59m
    h.track("c", &none(), None, T + HOUR).must().unwrap(); // T + 1h - T = within: too late
    assert_eq!(get(&h.eval(T + HOUR).must(), "f"), Some(2.0));
    // A new run from a later `a` can still finish.
    h.track("a", &none(), None, T + 2 * HOUR).must().unwrap();
    h.track("b", &none(), None, T + 2 * HOUR + MINUTE).must().unwrap();
    h.track("c", &none(), None, T + 3 * HOUR - 1).must().unwrap(); // counts at T + 2h59m
    assert_eq!(get(&h.eval(T + 3 * HOUR).must(), "f"), Some(3.0));
}

#[test]
fn late_event_becomes_the_earliest_funnel_start() {
    let mut h = Harness::new(&cfg(r#""f": {"funnel": ["a", "b"], "within": "1h"}, "u": {"funnel": ["a", "b", "c"]}"#));
    h.track("a", &none(), None, T - 2 * HOUR).must().unwrap();
    h.track("b", &none(), None, T).must().unwrap();
    assert_eq!(get(&h.eval(T).must(), "f"), Some(1.0));
    // An `a` 30 minutes before the `b`, reported 31 minutes after it.
    h.track("a", &none(), Some(T - 30 * MINUTE), T + MINUTE).must().unwrap();
    assert_eq!(get(&h.eval(T + MINUTE).must(), "f"), Some(2.0));

    // A late `a` before everything starts a run that the later `b` and `c` complete.
    let mut h =
        Harness::new(&cfg(r#""u": {"funnel": ["a", "b", "c"]}, "w": {"funnel": ["a", "b", "c"], "within": "2h"}"#));
    h.track("b", &none(), None, T).must().unwrap();
    h.track("c", &none(), None, T + HOUR).must().unwrap();
    assert_eq!(get(&h.eval(T + HOUR).must(), "u"), Some(0.0));
    h.track("a", &none(), Some(T - 23 * HOUR), T + HOUR).must().unwrap();
    let v = h.eval(T + HOUR).must();
    assert_eq!(get(&v, "u"), Some(3.0));
    assert_eq!(get(&v, "w"), Some(1.0));
    h.track("a", &none(), Some(T - 30 * MINUTE), T + 2 * HOUR).must().unwrap();
    assert_eq!(get(&h.eval(T + 2 * HOUR).must(), "w"), Some(3.0));

    // A late middle step fills the gap of a run already open.
    let mut h = Harness::new(&cfg(r#""u": {"funnel": ["a", "b", "c"], "within": "1d"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    h.track("c", &none(), None, T + 20 * MINUTE).must().unwrap();
    assert_eq!(get(&h.eval(T + 20 * MINUTE).must(), "u"), Some(1.0));
    h.track("b", &none(), Some(T + 10 * MINUTE), T + 30 * MINUTE).must().unwrap();
    assert_eq!(get(&h.eval(T + 30 * MINUTE).must(), "u"), Some(3.0));
}

#[test]
fn tz_change_moves_events_across_midnight_and_monday() {
    let mut h =
        Harness::new(&cfg(r#""d": {"active_days": "*", "window": "2w"}, "w": {"active_weeks": "*", "window": "2w"}"#));
    // Sunday 2024-03-03 23:30Z and Monday 2024-03-04 00:30Z.
    h.track("a", &none(), None, MONDAY - 30 * MINUTE).must().unwrap();
    h.track("a", &none(), None, MONDAY + 30 * MINUTE).must().unwrap();
    let now = MONDAY + HOUR;
    let v = h.eval(now).must();
    assert_eq!((get(&v, "d"), get(&v, "w")), (Some(2.0), Some(2.0)));
    for (tz, days, weeks) in
        [(60, 1.0, 1.0), (-60, 1.0, 1.0), (29, 2.0, 2.0), (31, 1.0, 1.0), (-31, 1.0, 1.0), (330, 1.0, 1.0)]
    {
        h.identify(Some(tz), None, None, now).must();
        let v = h.eval(now).must();
        assert_eq!((get(&v, "d"), get(&v, "w")), (Some(days), Some(weeks)), "tz {tz}");
    }
    // ±840: a whole week's worth of edges in one step.
    for (tz, days, weeks) in [(840, 1.0, 1.0), (-840, 1.0, 1.0), (0, 2.0, 2.0), (-45, 1.0, 1.0)] {
        h.identify(Some(tz), None, None, now).must();
        let v = h.eval(now).must();
        assert_eq!((get(&v, "d"), get(&v, "w")), (Some(days), Some(weeks)), "tz {tz}");
    }
    // Saturday 23:00Z and Sunday 23:00Z: two days, one week at UTC, and at
    // +60 Sunday 00:00 and Monday 00:00: two weeks.
    let mut h =
        Harness::new(&cfg(r#""d": {"active_days": "*", "window": "2w"}, "w": {"active_weeks": "*", "window": "2w"}"#));
    h.track("a", &none(), None, MONDAY - DAY - HOUR).must().unwrap();
    h.track("a", &none(), None, MONDAY - HOUR).must().unwrap();
    let v = h.eval(MONDAY - HOUR).must();
    assert_eq!((get(&v, "d"), get(&v, "w")), (Some(2.0), Some(1.0)));
    h.identify(Some(60), None, None, MONDAY).must();
    let v = h.eval(MONDAY).must();
    assert_eq!((get(&v, "d"), get(&v, "w")), (Some(2.0), Some(2.0)));
}

#[test]
fn days_since_with_a_late_event_before_the_first() {
    let mut h = Harness::new(&cfg(r#""first": {"days_since_first": "a"}, "last": {"days_since_last": "a"}"#));
    assert_eq!(get(&h.eval(T).must(), "first"), None);
    h.track("a", &none(), None, T + 30 * SECOND).must().unwrap(); // counts at T
    let v = h.eval(T + HOUR).must();
    assert!(close(get(&v, "first"), Some(1.0 / 24.0)));
    assert!(close(get(&v, "last"), Some(1.0 / 24.0)));
    h.track("a", &none(), Some(T - 10 * HOUR), T + 2 * HOUR).must().unwrap();
    let v = h.eval(T + 2 * HOUR).must();
    assert!(close(get(&v, "first"), Some(12.0 / 24.0)), "{v:?}");
    assert!(close(get(&v, "last"), Some(2.0 / 24.0)), "{v:?}");
    // One slightly ahead counts at now, floored.
    h.track("a", &parse(r#"{}"#), Some(T + 3 * HOUR + 4 * MINUTE), T + 3 * HOUR + 30 * SECOND).must().unwrap();
    let v = h.eval(T + 3 * HOUR + 45 * SECOND).must();
    assert!(close(get(&v, "last"), Some(45.0 / 86_400.0)), "{v:?}");
    // Much later, a fractional number of days.
    let v = h.eval(T + 40 * DAY + 7 * MINUTE + 123).must();
    assert!(close(get(&v, "first"), Some((40.0 * DAY as f64 + (10 * HOUR + 7 * MINUTE + 123) as f64) / DAY as f64)));
}

#[test]
fn refusals_at_the_limits() {
    let mut h = Harness::new(&cfg(r#""c": {"count": "*"}"#));
    let now = T + 17_123;
    assert_eq!(h.track("a", &none(), Some(now - DAY), now).must(), Ok(T - DAY));
    assert_eq!(h.track("a", &none(), Some(now - DAY - 1), now).must(), Err(Refusal::Late));
    assert_eq!(h.track("a", &none(), Some(now + AHEAD_LIMIT), now).must(), Ok(T));
    assert_eq!(h.track("a", &none(), Some(now + AHEAD_LIMIT + 1), now).must(), Err(Refusal::Ahead));
    assert_eq!(get(&h.eval(now).must(), "c"), Some(2.0));
}

#[test]
fn distinct_compares_json_values() {
    let mut h = Harness::new(&cfg(r#""d": {"distinct": "*", "property": "v"}, "s": {"sum": "*", "property": "v"}"#));
    for (i, v) in ["1", "1.0", "\"1\"", "0", "-0", "-0.0", "true", "false", "null", "1e0", "0.5"].iter().enumerate() {
        h.track("a", &parse(&format!("{{\"v\": {v}}}")), None, T + i as i64 * MINUTE).must().unwrap();
    }
    h.track("a", &none(), None, T + HOUR).must().unwrap();
    h.track("a", &parse("{}"), None, T + HOUR).must().unwrap();
    // 1, "1", 0, true, false, 0.5.
    let v = h.eval(T + HOUR).must();
    assert_eq!(get(&v, "d"), Some(6.0));
    assert_eq!(get(&v, "s"), Some(3.5));
}

#[test]
fn distinct_cap_at_1000() {
    let mut h = Harness::new(&cfg(
        r#""d": {"distinct": "a", "property": "v"}, "dw": {"distinct": "a", "property": "v", "window": "1d"},
           "small": {"distinct": "b", "property": "v"}"#,
    ));
    h.track("b", &parse(r#"{"v": 1}"#), None, T).must().unwrap();
    for i in 0..1_500i64 {
        h.track("a", &parse(&format!("{{\"v\": {i}}}")), None, T + i * SECOND).must().unwrap();
    }
    let now = T + 1_500 * SECOND;
    let v = h.eval(now).must();
    assert_eq!(get(&v, "d"), Some(1000.0));
    assert_eq!(get(&v, "dw"), Some(1000.0));
    assert_eq!(get(&v, "small"), Some(1.0));
    let ev = h.engine.evaluate(now).unwrap();
    let capped: Vec<&str> = ev.capped.iter().map(|s| &**s).collect();
    assert!(capped.contains(&"d"), "capped: {capped:?}");
    assert!(!capped.contains(&"small"), "capped: {capped:?}");
    // Repeated values change nothing.
    for i in 0..10i64 {
        h.track("a", &parse(&format!("{{\"v\": {i}}}")), None, now + i).must().unwrap();
    }
    assert_eq!(get(&h.eval(now + 10).must(), "d"), Some(1000.0));
}

#[test]
fn ratio_operands() {
    let mut h = Harness::new(&cfg(r#""c": {"count": "a"}, "t": {"trend": "a", "window": "1d"},
           "r": {"ratio": ["signals.c", "entitlements.seats"]}, "rr": {"ratio": ["signals.r", "entitlements.limits.api"]},
           "rt": {"ratio": ["signals.c", "signals.t"]}, "ra": {"ratio": ["attributes.n", "signals.c"]}"#));
    let v = h.eval(T).must();
    assert_eq!((get(&v, "r"), get(&v, "rr"), get(&v, "rt"), get(&v, "ra")), (None, None, None, None));
    h.track("a", &none(), None, T).must().unwrap();
    h.track("a", &none(), None, T + MINUTE).must().unwrap();
    h.identify(None, Some(parse(r#"{"seats": 4, "limits": {"api": 0}}"#)), Some(parse(r#"{"n": 3}"#)), T + MINUTE)
        .must();
    let v = h.eval(T + MINUTE).must();
    assert_eq!((get(&v, "r"), get(&v, "rr"), get(&v, "rt"), get(&v, "ra")), (Some(0.5), None, None, Some(1.5)));
    h.identify(None, Some(parse(r#"{"seats": "4", "limits": {"api": 0.25}}"#)), None, T + MINUTE).must();
    let v = h.eval(T + MINUTE).must();
    assert_eq!((get(&v, "r"), get(&v, "rr")), (None, None));
    h.identify(None, Some(parse(r#"{"seats": 8, "limits": {"api": 0.25}}"#)), None, T + 2 * MINUTE).must();
    let v = h.eval(T + DAY + MINUTE).must();
    assert_eq!((get(&v, "r"), get(&v, "rr"), get(&v, "rt")), (Some(0.25), Some(1.0), None));
    h.track("a", &none(), None, T + DAY + MINUTE).must().unwrap();
    let v = h.eval(T + DAY + MINUTE).must();
    assert_eq!(get(&v, "rt"), Some(3.0 / 0.5));
}

#[test]
fn where_filters_events() {
    let mut h = Harness::new(&cfg(
        r#""k": {"count": "*", "where": {"kind": "x"}}, "n": {"sum": "*", "property": "n", "where": {"n": {"$gte": 2}}}"#,
    ));
    h.track("a", &parse(r#"{"kind": "x", "n": 1}"#), None, T).must().unwrap();
    h.track("a", &parse(r#"{"kind": "y", "n": 3}"#), None, T).must().unwrap();
    h.track("a", &parse(r#"{"n": null}"#), None, T).must().unwrap();
    h.track("a", &none(), None, T).must().unwrap();
    let v = h.eval(T).must();
    assert_eq!((get(&v, "k"), get(&v, "n")), (Some(1.0), Some(3.0)));
}

#[test]
fn distinct_window_counts_the_latest_sighting() {
    let mut h = Harness::new(&cfg(r#""d": {"distinct": "a", "property": "v", "window": "2h"}"#));
    h.track("a", &parse(r#"{"v": "x"}"#), None, T + 3 * HOUR).must().unwrap();
    // The same value reported late, 2h30 earlier: "x" was last seen at T + 3h.
    h.track("a", &parse(r#"{"v": "x"}"#), Some(T + 30 * MINUTE), T + 3 * HOUR).must().unwrap();
    h.track("a", &parse(r#"{"v": "y"}"#), Some(T + 30 * MINUTE), T + 3 * HOUR).must().unwrap();
    assert_eq!(get(&h.eval(T + 3 * HOUR).must(), "d"), Some(1.0));
    assert_eq!(get(&h.eval(T + 5 * HOUR - 1).must(), "d"), Some(1.0));
    assert_eq!(get(&h.eval(T + 5 * HOUR).must(), "d"), Some(0.0));
}

#[test]
fn distinct_cap_with_a_window_that_moves_on() {
    let mut h = Harness::new(&cfg(r#""dw": {"distinct": "a", "property": "v", "window": "1d"}"#));
    for i in 0..1_500i64 {
        h.track("a", &parse(&format!("{{\"v\": {i}}}")), None, T + i * MINUTE).must().unwrap();
    }
    // (now - 1d, now] holds the values 60..=1499: 1,440 of them, capped.
    assert_eq!(get(&h.eval(T + 1_499 * MINUTE).must(), "dw"), Some(1000.0));
    // 1,000 minutes on, only 1060..=1499 are in the window.
    assert_eq!(get(&h.eval(T + 2_499 * MINUTE).must(), "dw"), Some(440.0));
    assert_eq!(get(&h.eval(T + 2_939 * MINUTE).must(), "dw"), Some(0.0));
}

#[test]
fn funnel_late_middle_step_after_the_next_step_was_recorded() {
    // Unbounded: the start is 30 days old, the last step already recorded.
    let mut h =
        Harness::new(&cfg(r#""u": {"funnel": ["a", "b", "c"]}, "w": {"funnel": ["a", "b", "c"], "within": "2d"}"#));
    h.track("a", &none(), None, T - 30 * DAY).must().unwrap();
    h.track("c", &none(), None, T).must().unwrap();
    h.eval(T + 20 * HOUR).must();
    h.track("b", &none(), Some(T - 3 * HOUR), T + 20 * HOUR).must().unwrap();
    let v = h.eval(T + 20 * HOUR).must();
    assert_eq!((get(&v, "u"), get(&v, "w")), (Some(3.0), Some(1.0)));

    // Within 2d: a start 47h before a late step 2, reported 23h later.
    let mut h = Harness::new(&cfg(r#""w": {"funnel": ["a", "b", "c"], "within": "2d"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    h.track("c", &none(), None, T + 2 * DAY - 5 * MINUTE).must().unwrap();
    h.track("b", &none(), Some(T + 2 * DAY - 10 * MINUTE), T + 3 * DAY - 11 * MINUTE).must().unwrap();
    assert_eq!(get(&h.eval(T + 3 * DAY).must(), "w"), Some(3.0));
    // A late `c` exactly `within` after the start does not count.
    let mut h = Harness::new(&cfg(r#""w": {"funnel": ["a", "b", "c"], "within": "2d"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    h.track("b", &none(), None, T + DAY).must().unwrap();
    h.track("c", &none(), Some(T + 2 * DAY), T + 3 * DAY).must().unwrap();
    assert_eq!(get(&h.eval(T + 3 * DAY).must(), "w"), Some(2.0));
    let mut h = Harness::new(&cfg(r#""w": {"funnel": ["a", "b", "c"], "within": "2d"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    h.track("b", &none(), None, T + DAY).must().unwrap();
    h.track("c", &none(), Some(T + 2 * DAY - 1), T + 3 * DAY - 1).must().unwrap(); // floors to T + 2d - 1m
    assert_eq!(get(&h.eval(T + 3 * DAY).must(), "w"), Some(3.0));
}

#[test]
fn time_going_back_is_refused_and_changes_nothing() {
    let mut h = Harness::new(&cfg(r#""c": {"count": "*"}"#));
    h.track("a", &none(), None, T).must().unwrap();
    assert!(matches!(h.engine.track("a", &none(), None, T - 1), Err(InputError::TimeWentBack { .. })));
    assert!(matches!(h.engine.evaluate(T - 1), Err(InputError::TimeWentBack { .. })));
    assert_eq!(get(&h.eval(T).must(), "c"), Some(1.0));
}

/// Fails on the engine of this writing: a windowed `sum` keeps a running
/// total and subtracts what leaves the window, so a large value that left
/// leaves its rounding error behind (DESIGN: the sum of the values in the
/// window; the window here holds only 1, or only 0.001).
#[test]
fn windowed_sum_forgets_values_that_left_the_window() {
    let mut h = Harness::new(&cfg(r#""s": {"sum": "a", "property": "v", "window": "1h"}"#));
    h.track("a", &parse(r#"{"v": 1e17}"#), None, T).must().unwrap();
    h.track("a", &parse(r#"{"v": 1}"#), None, T + 30 * MINUTE).must().unwrap();
    assert_eq!(get(&h.eval(T + 30 * MINUTE).must(), "s"), Some(1e17 + 1.0));
    let ev = h.engine.evaluate(T + HOUR).unwrap();
    assert_eq!(ev.signals[0].1, Some(1.0), "1e17 left the window at T + 1h; only 1 remains");

    // Realistic magnitudes: a byte count, then a fraction.
    let mut h = Harness::new(&cfg(r#""s": {"sum": "a", "property": "v", "window": "1h"}"#));
    h.track("a", &parse(r#"{"v": 1000000000000}"#), None, T).must().unwrap();
    h.track("a", &parse(r#"{"v": 0.001}"#), None, T + 30 * MINUTE).must().unwrap();
    let ev = h.engine.evaluate(T + HOUR).unwrap();
    let s = ev.signals[0].1.unwrap();
    assert!((s - 0.001).abs() <= 1e-12, "only 0.001 remains in the window, the engine says {s}");
}
