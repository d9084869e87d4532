//! The user's history: one state per signal, in config order.

use super::buckets::Buckets;
use super::calendar::{ActiveUnits, Unit};
use super::distinct::{value_hash, DistinctValues};
use super::funnel::{step_mask, Funnel};
use super::journal::Journal;
use super::trend::Trend;
use super::{CompiledSignal, RecordedEvent, SignalPlan, FROZEN_BEFORE};
use crate::model::SignalForm;
use crate::time::{Millis, DAY};

/// What one signal keeps.
#[derive(Clone, Debug, PartialEq)]
pub enum SignalState {
    /// `count` without a window: a running total.
    Count(u64),
    /// `sum` without a window.
    Sum(f64),
    /// `count` with a window: minute buckets inside it.
    WindowCount {
        window: Millis,
        buckets: Buckets<u64>,
    },
    /// `sum` with a window.
    WindowSum {
        window: Millis,
        buckets: Buckets<f64>,
    },
    Distinct(DistinctValues),
    Active(ActiveUnits),
    /// `days_since_first`: the earliest matching minute.
    First(Option<Millis>),
    /// `days_since_last`: the latest matching minute.
    Last(Option<Millis>),
    Trend(Trend),
    Funnel(Funnel),
    /// Computed from other values; keeps nothing.
    Ratio,
}

impl SignalState {
    pub fn new(signal: &CompiledSignal, tz: i32) -> SignalState {
        match (&signal.form, signal.window) {
            (SignalForm::Count, None) => SignalState::Count(0),
            (SignalForm::Count, Some(window)) => SignalState::WindowCount { window, buckets: Buckets::new() },
            (SignalForm::Sum { .. }, None) => SignalState::Sum(0.0),
            (SignalForm::Sum { .. }, Some(window)) => SignalState::WindowSum { window, buckets: Buckets::new() },
            (SignalForm::Distinct { .. }, window) => SignalState::Distinct(DistinctValues::new(window)),
            (SignalForm::ActiveDays, window) => {
                SignalState::Active(ActiveUnits::new(Unit::Day, window.unwrap_or(DAY), tz))
            }
            (SignalForm::ActiveWeeks, window) => {
                SignalState::Active(ActiveUnits::new(Unit::Week, window.unwrap_or(DAY), tz))
            }
            (SignalForm::DaysSinceFirst, _) => SignalState::First(None),
            (SignalForm::DaysSinceLast, _) => SignalState::Last(None),
            (SignalForm::Trend, window) => SignalState::Trend(Trend::new(window.unwrap_or(DAY))),
            (SignalForm::Funnel { steps, within }, _) => SignalState::Funnel(Funnel::new(steps.len() as u8, *within)),
            (SignalForm::Ratio { .. }, _) => SignalState::Ratio,
        }
    }

    /// The value at `now` (ratios are filled in by the plan).
    pub fn value(&self, now: Millis) -> Option<f64> {
        let days_since = |t: Millis| (now - t) as f64 / DAY as f64;
        match self {
            SignalState::Count(n) => Some(*n as f64),
            SignalState::Sum(s) => Some(*s),
            SignalState::WindowCount { buckets, .. } => Some(buckets.total() as f64),
            SignalState::WindowSum { buckets, .. } => Some(buckets.total()),
            SignalState::Distinct(d) => Some(d.value()),
            SignalState::Active(a) => Some(a.value()),
            SignalState::First(t) | SignalState::Last(t) => t.map(days_since),
            SignalState::Trend(t) => t.value(),
            SignalState::Funnel(f) => Some(f.value()),
            SignalState::Ratio => None,
        }
    }

    /// Moves every time later than minute `t` back to it.
    fn clamp_to(&mut self, t: Millis) -> bool {
        match self {
            SignalState::WindowCount { buckets, .. } => buckets.clamp_to(t),
            SignalState::WindowSum { buckets, .. } => buckets.clamp_to(t),
            SignalState::Distinct(d) => d.clamp_to(t),
            SignalState::Active(a) => a.clamp_to(t),
            SignalState::First(Some(x)) | SignalState::Last(Some(x)) if *x > t => {
                *x = t;
                true
            }
            SignalState::Trend(tr) => tr.clamp_to(t),
            SignalState::Funnel(f) => f.clamp_to(t),
            _ => false,
        }
    }

    /// The latest time it holds.
    fn latest(&self) -> Option<Millis> {
        match self {
            SignalState::WindowCount { buckets, .. } => buckets.latest(),
            SignalState::WindowSum { buckets, .. } => buckets.latest(),
            SignalState::Distinct(d) => d.latest(),
            SignalState::Active(a) => a.minutes.latest(),
            SignalState::First(t) | SignalState::Last(t) => *t,
            SignalState::Trend(tr) => tr.latest(),
            SignalState::Funnel(f) => f.latest(),
            SignalState::Count(_) | SignalState::Sum(_) | SignalState::Ratio => None,
        }
    }

    /// The earliest `now` at which [`SignalState::advance`] has anything
    /// to let go of (`Millis::MAX`: never): before it, advancing changes
    /// nothing.
    fn due(&self) -> Millis {
        let after = |t: Option<Millis>, span: Millis| t.map_or(Millis::MAX, |t| t.saturating_add(span));
        match self {
            SignalState::WindowCount { window, buckets } => after(buckets.earliest(), *window),
            SignalState::WindowSum { window, buckets } => after(buckets.earliest(), *window),
            SignalState::Distinct(d) => d.window.map_or(Millis::MAX, |w| after(d.earliest_seen(), w)),
            SignalState::Active(a) => after(a.minutes.earliest(), a.window),
            SignalState::Trend(t) => {
                after(t.recent.earliest(), t.window).min(after(t.earlier.earliest(), t.window.saturating_mul(2)))
            }
            SignalState::Funnel(f) => {
                after(f.recent.front().map(|(t, _)| *t), FROZEN_BEFORE.saturating_add(f.within.unwrap_or(0)))
            }
            SignalState::Count(_)
            | SignalState::Sum(_)
            | SignalState::First(_)
            | SignalState::Last(_)
            | SignalState::Ratio => Millis::MAX,
        }
    }

    /// The shortest time from an item's minute to its [`SignalState::due`].
    fn span(&self) -> Millis {
        match self {
            SignalState::WindowCount { window, .. } | SignalState::WindowSum { window, .. } => *window,
            SignalState::Distinct(d) => d.window.unwrap_or(Millis::MAX),
            SignalState::Active(a) => a.window,
            SignalState::Trend(t) => t.window,
            SignalState::Funnel(f) => FROZEN_BEFORE.saturating_add(f.within.unwrap_or(0)),
            SignalState::Count(_)
            | SignalState::Sum(_)
            | SignalState::First(_)
            | SignalState::Last(_)
            | SignalState::Ratio => Millis::MAX,
        }
    }

    /// Lets go of what its window no longer holds; returns whether
    /// anything left (otherwise its value did not change).
    fn advance(&mut self, now: Millis) -> bool {
        match self {
            SignalState::WindowCount { window, buckets } => buckets.prune_through(now - *window, |_, _| {}),
            SignalState::WindowSum { window, buckets } => buckets.prune_through(now - *window, |_, _| {}),
            SignalState::Distinct(d) => d.advance(now),
            SignalState::Active(a) => a.advance(now),
            SignalState::Trend(t) => t.advance(now),
            SignalState::Funnel(f) => f.advance(now - FROZEN_BEFORE),
            SignalState::Count(_)
            | SignalState::Sum(_)
            | SignalState::First(_)
            | SignalState::Last(_)
            | SignalState::Ratio => false,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct History {
    /// The latest time the history was advanced to.
    pub now: Millis,
    pub tz_offset_minutes: i32,
    pub states: Vec<SignalState>,
    /// The local events of the last day (for imports).
    pub journal: Journal,
    /// The states changed since the engine last read the values.
    pub changed: Changed,
    /// Each state's [`SignalState::due`], with `text` (empty: to compute
    /// again, as after the states were written from outside).
    due: Due,
}

/// [`History::due`]: bookkeeping, not content (equal histories are equal
/// whatever it holds).
#[derive(Clone, Debug)]
struct Due {
    /// By state (empty: to compute again).
    times: Vec<Millis>,
    /// The earliest of `times`.
    earliest: Millis,
}

impl Default for Due {
    fn default() -> Self {
        Due { times: Vec::new(), earliest: Millis::MIN }
    }
}

impl PartialEq for Due {
    fn eq(&self, _: &Due) -> bool {
        true
    }
}

/// The signals whose state changed since the values were last read
/// ([`History::take_changed`]): a signal outside it has the value it had
/// then, at any time (but `days_since_*`, whose value moves with time). Bookkeeping
/// of the reader, not content: histories equal in content are equal
/// whatever their `Changed`.
#[derive(Clone, Debug)]
pub struct Changed {
    /// Signals by index, the first 256.
    words: [u64; 4],
    /// Every signal (a new history, a time zone moved, times clamped, or
    /// a signal of index 256 or more).
    all: bool,
}

impl Changed {
    const ALL: Changed = Changed { words: [0; 4], all: true };

    pub fn add(&mut self, i: usize) {
        match self.words.get_mut(i / 64) {
            Some(w) => *w |= 1 << (i % 64),
            None => self.all = true,
        }
    }

    pub fn all(&self) -> bool {
        self.all
    }

    /// The signals changed, by index (only when not `all`).
    pub fn indexes(&self) -> impl Iterator<Item = usize> + '_ {
        self.words.iter().enumerate().flat_map(|(k, &w)| {
            let mut rest = w;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros() as usize;
                    rest &= rest - 1;
                    k * 64 + bit
                })
            })
        })
    }
}

impl PartialEq for Changed {
    fn eq(&self, _: &Changed) -> bool {
        true
    }
}

impl History {
    pub fn new(plan: &SignalPlan, tz: i32) -> History {
        let mut states = Vec::with_capacity(plan.signals.len());
        for s in &plan.signals {
            states.push(SignalState::new(s, tz));
        }
        History {
            now: Millis::MIN,
            tz_offset_minutes: tz,
            states,
            journal: Journal::default(),
            changed: Changed::ALL,
            due: Due::default(),
        }
    }

    /// The states changed since the last call (see [`Changed`]), and none
    /// from now on.
    pub fn take_changed(&mut self) -> Changed {
        std::mem::replace(&mut self.changed, Changed { words: [0; 4], all: false })
    }

    /// Moves the history to `now`, letting go of what windows no longer
    /// hold. Time never goes back: an earlier `now` changes nothing.
    pub fn advance(&mut self, now: Millis) {
        if now <= self.now {
            return;
        }
        self.now = now;
        if cfg!(feature = "text") {
            // A state is advanced only once it is due: most steps, most
            // windows have nothing to let go of.
            if self.due.times.len() != self.states.len() {
                self.due.times = self.states.iter().map(SignalState::due).collect();
                self.due.earliest = self.due.times.iter().copied().min().unwrap_or(Millis::MAX);
            }
            // Most steps, no state at all is due: one comparison.
            if now >= self.due.earliest {
                let mut earliest = Millis::MAX;
                for (i, (state, due)) in self.states.iter_mut().zip(&mut self.due.times).enumerate() {
                    if now >= *due {
                        if state.advance(now) {
                            self.changed.add(i);
                        }
                        *due = state.due();
                    }
                    earliest = earliest.min(*due);
                }
                self.due.earliest = earliest;
            }
        } else {
            for state in &mut self.states {
                state.advance(now);
            }
        }
        self.journal.prune_through(now - FROZEN_BEFORE);
    }

    /// Moves every time later than `t` back to `t` (events into `t`'s
    /// minute): what a clock that ran ahead left behind. Returns whether
    /// anything moved.
    pub fn clamp_to(&mut self, t: Millis) -> bool {
        let minute = crate::time::floor_minute(t);
        self.changed = Changed::ALL;
        self.due.times.clear();
        let mut moved = false;
        if self.now > t {
            self.now = t;
            moved = true;
        }
        for state in &mut self.states {
            moved |= state.clamp_to(minute);
        }
        moved | self.journal.clamp_to(minute, t)
    }

    /// The latest time the history holds (None when it holds none).
    pub fn latest(&self) -> Option<Millis> {
        let mut latest = (self.now != Millis::MIN).then_some(self.now).max(self.journal.latest());
        for state in &self.states {
            latest = latest.max(state.latest());
        }
        latest
    }

    /// Changes the offset that maps events to local days and weeks.
    pub fn set_tz(&mut self, tz: i32) {
        self.tz_offset_minutes = tz;
        self.changed = Changed::ALL;
        self.due.times.clear();
        for state in &mut self.states {
            if let SignalState::Active(a) = state {
                a.set_tz(tz);
            }
        }
    }

    /// Counts `times` identical events into signal `i`.
    pub(super) fn record(&mut self, i: usize, signal: &CompiledSignal, event: &RecordedEvent, times: u64) {
        let (t, now) = (event.at, self.now);
        if cfg!(feature = "text") {
            self.changed.add(i);
        }
        let Some(state) = self.states.get_mut(i) else { return };
        let property = |p: &str| event.props.get(p);
        match (&mut *state, &signal.form) {
            (SignalState::Count(n), _) => *n = n.saturating_add(times),
            (SignalState::WindowCount { window, buckets }, _) if t > now - *window => {
                buckets.add(t, times);
            }
            (SignalState::Sum(s), SignalForm::Sum { property: p }) => {
                if let Some(x) = property(p).and_then(|v| v.as_f64()) {
                    *s += x * times as f64;
                }
            }
            (SignalState::WindowSum { window, buckets }, SignalForm::Sum { property: p }) => {
                if let Some(x) = property(p).and_then(|v| v.as_f64()) {
                    if t > now - *window {
                        buckets.add(t, x * times as f64);
                    }
                }
            }
            (SignalState::Distinct(d), SignalForm::Distinct { property: p }) => {
                if let Some(h) = property(p).and_then(value_hash) {
                    d.add(h, t, now);
                }
            }
            (SignalState::Active(a), _) => a.add(t, now),
            (SignalState::First(first), _) => *first = Some(first.map_or(t, |f| f.min(t))),
            (SignalState::Last(last), _) => *last = Some(last.map_or(t, |l| l.max(t))),
            (SignalState::Trend(tr), _) => tr.add(t, now),
            (SignalState::Funnel(f), SignalForm::Funnel { steps, .. }) => f.add(t, step_mask(steps, event.name)),
            _ => {}
        }
        // What was added at `t` is due `span` later, or never (nothing
        // added): the earliest due time is kept, at worst too early.
        if let Some(due) = self.due.times.get_mut(i).filter(|_| cfg!(feature = "text")) {
            *due = (*due).min(t.saturating_add(state.span()));
            self.due.earliest = self.due.earliest.min(*due);
        }
    }
}

mod stored {
    //! The stored form of each signal's state (see `crate::persist`).
    use super::*;
    use crate::codec;
    use crate::json::Json;
    use crate::time::{MAX_TIME, MIN_TIME};

    /// The largest whole number a JSON number carries exactly (2^53).
    const MAX_EXACT: f64 = 9_007_199_254_740_992.0;

    fn time(v: Option<&Json>) -> Option<Option<Millis>> {
        match v {
            None | Some(Json::Null) => Some(None),
            Some(Json::Num(n)) if n.fract() == 0.0 && (MIN_TIME as f64..=MAX_TIME as f64).contains(n) => {
                Some(Some(*n as Millis))
            }
            _ => None,
        }
    }

    fn text(json: &Json, key: &str) -> Option<String> {
        json.get(key)?.as_str().map(str::to_string)
    }

    impl SignalState {
        pub fn to_json(&self) -> Json {
            match self {
                SignalState::Count(n) => crate::obj! { "n" => *n as f64 },
                SignalState::Sum(s) => crate::obj! { "sum" => *s },
                SignalState::WindowCount { buckets, .. } => crate::obj! { "b" => buckets.encode() },
                SignalState::WindowSum { buckets, .. } => {
                    let (t, v) = buckets.encode();
                    let mut values = Vec::with_capacity(v.len());
                    for n in v {
                        values.push(Json::Num(n));
                    }
                    crate::obj! { "t" => t, "v" => Json::Arr(values) }
                }
                SignalState::Distinct(d) => d.encode(),
                SignalState::Active(a) => crate::obj! { "m" => a.minutes.encode() },
                SignalState::First(t) | SignalState::Last(t) => crate::obj! { "t" => t.map(|t| t as f64) },
                SignalState::Trend(tr) => crate::obj! { "e" => tr.earlier.encode(), "r" => tr.recent.encode() },
                SignalState::Funnel(f) => crate::obj! {
                    "r" => codec::encode_series(f.recent.iter().map(|&(t, m)| (t, m as u64))),
                    "anchor" => f.anchor.map_or(Json::Null, |(level, t)| Json::Arr(vec![Json::Num(level.into()), Json::Num(t as f64)])),
                    "best" => f.best as f64,
                },
                SignalState::Ratio => Json::Obj(Default::default()),
            }
        }

        /// Rebuilds a state of `signal`'s form from its stored form; None
        /// when the stored form does not fit (corrupt or another form).
        pub fn from_json(signal: &CompiledSignal, json: &Json, tz: i32) -> Option<SignalState> {
            let fresh = SignalState::new(signal, tz);
            Some(match fresh {
                SignalState::Count(_) => {
                    let n = json.get("n")?.as_f64()?;
                    (n >= 0.0 && n.fract() == 0.0 && n <= MAX_EXACT).then_some(SignalState::Count(n as u64))?
                }
                SignalState::Sum(_) => SignalState::Sum(json.get("sum")?.as_f64().filter(|s| s.is_finite())?),
                SignalState::WindowCount { window, .. } => {
                    SignalState::WindowCount { window, buckets: Buckets::<u64>::decode(&text(json, "b")?)? }
                }
                SignalState::WindowSum { window, .. } => {
                    let list = json.get("v")?.as_arr()?;
                    let mut values = Vec::with_capacity(list.len());
                    for v in list {
                        values.push(v.as_f64()?);
                    }
                    SignalState::WindowSum { window, buckets: Buckets::<f64>::decode(&text(json, "t")?, &values)? }
                }
                SignalState::Distinct(d) => SignalState::Distinct(DistinctValues::decode(json, d.window)?),
                SignalState::Active(a) => {
                    let minutes = Buckets::<u64>::decode(&text(json, "m")?)?;
                    SignalState::Active(ActiveUnits::from_minutes(a.unit, a.window, tz, minutes))
                }
                SignalState::First(_) => SignalState::First(time(json.get("t"))?),
                SignalState::Last(_) => SignalState::Last(time(json.get("t"))?),
                SignalState::Trend(tr) => SignalState::Trend(Trend {
                    window: tr.window,
                    earlier: Buckets::<u64>::decode(&text(json, "e")?)?,
                    recent: Buckets::<u64>::decode(&text(json, "r")?)?,
                }),
                SignalState::Funnel(mut f) => {
                    let limit = 1u64 << f.steps;
                    for (t, mask) in codec::decode_series(&text(json, "r")?)? {
                        if mask == 0 || mask >= limit {
                            return None;
                        }
                        f.recent.push_back((t, mask as u32));
                    }
                    f.anchor = match json.get("anchor")? {
                        Json::Null => None,
                        Json::Arr(a) => match a.as_slice() {
                            [Json::Num(level), Json::Num(t)]
                                if *level >= 1.0
                                    && *level <= f.steps as f64
                                    && (MIN_TIME as f64..=MAX_TIME as f64).contains(t) =>
                            {
                                Some((*level as u8, *t as Millis))
                            }
                            _ => return None,
                        },
                        _ => return None,
                    };
                    let best = json.get("best")?.as_f64()?;
                    if !(0.0..=f.steps as f64).contains(&best) {
                        return None;
                    }
                    f.best = best as u8;
                    #[cfg(feature = "text")]
                    f.settle();
                    SignalState::Funnel(f)
                }
                SignalState::Ratio => SignalState::Ratio,
            })
        }
    }
}
