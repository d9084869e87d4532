//! Signals: aggregations over the user's local history.
//!
//! A [`SignalPlan`] is compiled once from the config: signals are indexed
//! by event name so `track` touches only the signals an event feeds. A
//! [`History`] holds each signal's state, sized by the config (windows),
//! not by the traffic.

pub mod buckets;
pub mod calendar;
pub mod distinct;
pub mod funnel;
pub mod history;
pub mod journal;
pub mod trend;

pub use history::{History, SignalState};

use crate::collections::VecMap;
use crate::condition::{CompileEnv, Condition, PathRef};
use crate::doc::{number_at, DocResolver, EvalDoc, Inputs, PropsDoc, PropsResolver, Root, SignalThresholds};
use crate::json::{Json, Obj};
use crate::model::{EventSel, SignalDef, SignalForm};
use crate::problem::{ErrorCode, JsonPath, Problems};
use crate::time::{Millis, MINUTE};
use std::sync::Arc;

pub use crate::limits::MAX_LATENESS;

/// Events still to come are later than `now - FROZEN_BEFORE`: an event 24 h
/// late is floored to its minute, so up to a minute more.
pub const FROZEN_BEFORE: Millis = MAX_LATENESS + MINUTE;

#[derive(Debug)]
pub struct CompiledSignal {
    pub id: Box<str>,
    pub form: SignalForm,
    pub window: Option<Millis>,
    pub where_: Option<Condition>,
    /// For ratios: the resolved operands.
    pub ratio: Option<(PathRef, PathRef)>,
    /// The fingerprint of the definition as written (`persist::fingerprint`,
    /// computed once here): a config update keeps data only for signals
    /// whose definition is unchanged.
    pub fingerprint: Box<str>,
}

#[derive(Debug)]
pub struct SignalPlan {
    pub signals: Vec<CompiledSignal>,
    /// The signals each event name feeds. The name is shared with the
    /// journal entries of events of that name (no allocation per event).
    pub(crate) by_event: VecMap<Arc<str>, Vec<u16>>,
    pub(crate) any_event: Vec<u16>,
    /// Ratios in an order where each comes after the ratios it reads.
    pub(crate) ratio_order: Vec<u16>,
    /// The signals whose value moves with time alone (`days_since_*`).
    pub(crate) timed: Vec<u16>,
    /// The props any signal reads (`property`, `where` paths): all the
    /// journal keeps of an event's props.
    pub(crate) read_props: Vec<Box<str>>,
}

/// An event as the history records it: validated, time floored to the minute.
pub struct RecordedEvent<'a> {
    pub name: &'a str,
    pub props: &'a Obj,
    pub at: Millis,
}

impl SignalPlan {
    pub fn compile(defs: &[SignalDef], saved_groups: &Obj, problems: &mut Problems) -> SignalPlan {
        let ids = ids_of(defs);
        let doc_resolver = DocResolver { signal_ids: &ids };
        let props_env = CompileEnv { resolver: &PropsResolver, saved_groups };
        let mut by_event: VecMap<Arc<str>, Vec<u16>> = VecMap::new();
        let mut any_event = Vec::new();
        let mut signals = Vec::with_capacity(defs.len());
        for (i, def) in defs.iter().enumerate() {
            let at = JsonPath::root().key("signals").key(&def.id);
            let where_ = def.where_.as_ref().map(|w| Condition::compile(w, &at.key("where"), &props_env, problems));
            let ratio = match &def.form {
                SignalForm::Ratio { numerator, denominator } => {
                    let mut operand = |p: &str, n: usize| {
                        resolve_ratio_operand(&doc_resolver, p, &at.key("ratio").index(n), problems)
                    };
                    match (operand(numerator, 0), operand(denominator, 1)) {
                        (Some(a), Some(b)) => Some((a, b)),
                        _ => None,
                    }
                }
                _ => None,
            };
            match &def.events {
                EventSel::Any => any_event.push(i as u16),
                EventSel::Names(names) => {
                    for name in names {
                        by_event.entry_or_insert_with(Arc::from(&**name), Vec::new).push(i as u16);
                    }
                }
            }
            signals.push(CompiledSignal {
                id: def.id.clone(),
                form: def.form.clone(),
                window: def.window,
                where_,
                ratio,
                fingerprint: fingerprint(&def.source).into(),
            });
        }
        let ratio_order = order_ratios(&signals, problems);
        let timed = timed(&signals);
        let mut read_props: Vec<Box<str>> = Vec::new();
        for s in &signals {
            let property = match &s.form {
                SignalForm::Sum { property } | SignalForm::Distinct { property } => Some(property.clone()),
                _ => None,
            };
            let where_props = s.where_.iter().flat_map(|w| w.fields()).filter_map(|f| f.path.rest.first().cloned());
            for p in property.into_iter().chain(where_props) {
                if !read_props.contains(&p) {
                    read_props.push(p);
                }
            }
        }
        SignalPlan { signals, by_event, any_event, ratio_order, timed, read_props }
    }

    /// The props some signal reads (`property`, paths in `where`).
    pub fn read_props(&self) -> &[Box<str>] {
        &self.read_props
    }

    pub fn len(&self) -> usize {
        self.signals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.signals.is_empty()
    }

    /// An empty history for this plan.
    pub fn new_history(&self, tz_offset_minutes: i32) -> History {
        History::new(self, tz_offset_minutes)
    }

    /// Whether any signal reads events of this name.
    pub fn reads(&self, name: &str) -> bool {
        !self.any_event.is_empty() || self.by_event.contains_key(name)
    }

    /// Records one event (that happened at `real`, counted at the minute
    /// `event.at`) into every signal it feeds, and into the journal.
    /// `history` must have been advanced to the step's time first.
    pub fn record(&self, history: &mut History, event: &RecordedEvent, real: Millis) {
        // A few names: scanned, lengths first (most names differ in
        // length, and each comparison of the search is a call to memcmp).
        let named = match self.by_event.len() {
            0..=32 => self.by_event.iter().find(|(k, _)| k.len() == event.name.len() && ***k == *event.name),
            _ => self.by_event.get_key_value(event.name),
        };
        if named.is_some() || !self.any_event.is_empty() {
            let name = match named {
                Some((name, _)) => Arc::clone(name),
                None => Arc::from(event.name),
            };
            history.journal.add(event.at, real, name, &self.read_props, event.props);
        }
        self.feed_into(history, event, named.map_or(&[], |(_, signals)| signals), 1);
    }

    /// Counts `times` identical events into the signals (not the journal).
    pub fn feed(&self, history: &mut History, event: &RecordedEvent, times: u64) {
        let named = self.by_event.get(event.name).map_or(&[][..], Vec::as_slice);
        self.feed_into(history, event, named, times);
    }

    /// `feed`, with the signals that read events of this name.
    fn feed_into(&self, history: &mut History, event: &RecordedEvent, named: &[u16], times: u64) {
        for &i in named.iter().chain(&self.any_event) {
            let Some(signal) = self.signals.get(i as usize) else { continue };
            if let Some(w) = &signal.where_ {
                if !w.eval(&PropsDoc(event.props)) {
                    continue;
                }
            }
            history.record(i as usize, signal, event, times);
        }
    }

    /// The ratio operands that read attributes or entitlements, two per
    /// ratio of `ratio_order` (None for one that reads a signal): they
    /// change only with the user's identity, so the engine reads them
    /// once per identity, not at every step (walking the identity's
    /// objects by name).
    pub fn identity_operands(&self, attributes: &Json, entitlements: &Json, out: &mut Vec<Option<f64>>) {
        out.clear();
        let doc = EvalDoc { signals: &[], attributes, entitlements, segments: &Json::Null, stage: &Json::Null };
        for &i in &self.ratio_order {
            let Some((a, b)) = self.signals.get(i as usize).and_then(|s| s.ratio.as_ref()) else { continue };
            for p in [a, b] {
                let reads_signal = matches!(Root::decode(p.root), Some(Root::Signal(_)));
                out.push(if reads_signal { None } else { number_at(&doc, p) });
            }
        }
    }

    /// Brings `values` (every signal's value, in config order, as this
    /// function left them) to `now`, and returns the signals whose values
    /// changed as far as the conditions can tell (see `SignalThresholds`):
    /// only the signals whose state changed since (`History::changed`),
    /// that time moves (`days_since_*`) or ratios are computed again; the
    /// others keep their values, which reading them again would give bit
    /// for bit. Every signal when `values` is not of this history's length
    /// (a new reader), and always without the `text` feature (the
    /// browser's engine, where code is bytes to download). `identity` is what [`SignalPlan::identity_operands`]
    /// gave for the user's identity.
    pub fn update_values(
        &self,
        history: &mut History,
        now: Millis,
        identity: &[Option<f64>],
        values: &mut Vec<Option<f64>>,
        classes: &SignalThresholds,
    ) -> Inputs {
        let mut states_changed = history.take_changed();
        let fresh = values.len() != history.states.len();
        let mut changed = if fresh { Inputs::ALL_SIGNALS } else { Inputs::default() };
        let mut update = |i: usize, value: Option<f64>, values: &mut Vec<Option<f64>>| {
            if let Some(slot) = values.get_mut(i) {
                if !classes.same(i, *slot, value) {
                    changed.add_signal(i);
                }
                *slot = value;
            }
        };
        // The browser's engine (without `text`) computes every value again,
        // as before: fewer bytes to download, the same values.
        if fresh || states_changed.all() || !cfg!(feature = "text") {
            values.resize(history.states.len(), None);
            for (i, state) in history.states.iter().enumerate() {
                if !matches!(state, SignalState::Ratio) {
                    update(i, state.value(now), values);
                }
            }
        } else {
            // Once each, fed or not.
            for &i in &self.timed {
                states_changed.add(usize::from(i));
            }
            for i in states_changed.indexes() {
                if let Some(state) = history.states.get(i) {
                    update(i, state.value(now), values);
                }
            }
        }
        for (k, &i) in self.ratio_order.iter().enumerate() {
            let Some((a, b)) = self.signals.get(i as usize).and_then(|s| s.ratio.as_ref()) else { continue };
            // What `number_at` reads: a finite number, or nothing.
            let operand = |p: &PathRef, at: usize, out: &[Option<f64>]| match Root::decode(p.root) {
                Some(Root::Signal(j)) => out.get(usize::from(j)).copied().flatten().filter(|n| n.is_finite()),
                _ => identity.get(at).copied().flatten(),
            };
            let value = match (operand(a, 2 * k, values), operand(b, 2 * k + 1, values)) {
                (Some(a), Some(b)) if b != 0.0 => Some(a / b),
                _ => None,
            };
            update(usize::from(i), value, values);
        }
        changed
    }

    /// Ids of `distinct` signals whose 1,000-value cap currently limits them.
    pub fn capped(&self, history: &History, now: Millis) -> Vec<&str> {
        let mut ids = Vec::new();
        for (state, s) in history.states.iter().zip(&self.signals) {
            if matches!(state, SignalState::Distinct(d) if d.capped(now)) {
                ids.push(&*s.id);
            }
        }
        ids
    }
}

fn resolve_ratio_operand(
    resolver: &DocResolver,
    path: &str,
    at: &JsonPath,
    problems: &mut Problems,
) -> Option<PathRef> {
    use crate::condition::PathResolver;
    match resolver.resolve(path) {
        Ok(p) => match Root::decode(p.root) {
            Some(Root::Signal(_) | Root::Attributes | Root::Entitlements) => Some(p),
            _ => {
                problems.push(
                    ErrorCode::UnknownPathRoot,
                    at,
                    format!("\"{path}\": a ratio reads signals., attributes. or entitlements."),
                );
                None
            }
        },
        Err((code, message)) => {
            problems.push(code, at, message);
            None
        }
    }
}

/// A 64-bit FNV-1a fingerprint of a definition, in hex. Object keys are
/// sorted first, so reordering a definition's keys keeps its data. Stored
/// with each signal's data (`persist`): computed once, when compiling.
pub fn fingerprint(definition: &Json) -> String {
    fn canonical(v: &Json) -> Json {
        match v {
            Json::Obj(o) => {
                let mut entries: Vec<(&str, &Json)> = o.iter().collect();
                crate::collections::sort_small_by(&mut entries, |a, b| a.0 < b.0);
                Json::Obj(entries.into_iter().map(|(k, v)| (Box::from(k), canonical(v))).collect())
            }
            Json::Arr(a) => Json::Arr(a.iter().map(canonical).collect()),
            other => other.clone(),
        }
    }
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in canonical(definition).to_json_string().bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut out = String::with_capacity(16);
    crate::json::push_hex(&mut out, h, 16);
    out
}

/// The signals whose value moves with time alone (`days_since_*`): read by
/// `update_values` with `text` only (empty without it). A plan does not
/// carry them: its reader computes them again, as its build needs.
pub(crate) fn timed(signals: &[CompiledSignal]) -> Vec<u16> {
    let mut timed = Vec::new();
    if cfg!(feature = "text") {
        for (i, s) in signals.iter().enumerate() {
            if matches!(s.form, SignalForm::DaysSinceFirst | SignalForm::DaysSinceLast) {
                timed.push(i as u16);
            }
        }
    }
    timed
}

/// The signals' ids, in order (what a `DocResolver` resolves against).
pub fn ids_of(defs: &[SignalDef]) -> Vec<&str> {
    let mut ids = Vec::with_capacity(defs.len());
    for d in defs {
        ids.push(&*d.id);
    }
    ids
}

/// Orders ratios so each comes after the ratios it reads; a cycle is a
/// problem at each ratio in it.
fn order_ratios(signals: &[CompiledSignal], problems: &mut Problems) -> Vec<u16> {
    let reads = |i: usize| -> Vec<usize> {
        signals
            .get(i)
            .and_then(|s| s.ratio.as_ref())
            .map(|(a, b)| {
                [a, b]
                    .iter()
                    .filter_map(|p| match Root::decode(p.root) {
                        Some(Root::Signal(j)) if signals.get(j as usize).is_some_and(|s| s.ratio.is_some()) => {
                            Some(j as usize)
                        }
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let ratios: Vec<usize> = signals.iter().enumerate().filter(|(_, s)| s.ratio.is_some()).map(|(i, _)| i).collect();
    let order = crate::graph::topological_order(&ratios, reads);
    for signal in order.cyclic.iter().filter_map(|&i| signals.get(i)) {
        problems.push(
            ErrorCode::RatioCycle,
            &JsonPath::root().key("signals").key(&signal.id).key("ratio"),
            "this ratio reads itself through other ratios",
        );
    }
    order.sorted.into_iter().map(|i| i as u16).collect()
}
