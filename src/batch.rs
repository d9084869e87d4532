//! Batch evaluation: the stage, segments, signals and decisions of many
//! users at one moment, `as_of`, from their events (a warehouse table,
//! a Parquet file), one user at a time.
//!
//! # The rule
//!
//! For each user, the result is exactly what `onstage simulate` prints
//! for the timeline made of:
//!
//! 1. an `identify` step (when identify data is given) at the time of the
//!    user's first replayed event, or at `as_of` when none is replayed;
//! 2. one `track` step per replayed event, `at` its own time (no
//!    `timestamp`), in time order; events at the same time keep their
//!    input order (the sort is stable on the row number);
//! 3. `{"decide": "*"}` at `as_of`.
//!
//! The steps are applied by the timeline's own code
//! ([`crate::timeline::apply_into`]), so the two cannot drift.
//!
//! # Bad rows
//!
//! A bad row (a time out of range, an empty or too long name, props that
//! are not a flat object of scalars, bad identify data) is refused the way
//! the browser refuses a bad `track`: nothing of it is stored, and it is
//! reported beside the user's result as a [`RowError`] with its row number
//! and a stable [`ErrorCode`]. The user's row is still computed from their
//! other rows. A user id the engine refuses (empty, too long) refuses
//! every row of that user, and the user has no result row.
//!
//! Events after `as_of` are left out (as `onstage summarize` leaves them
//! out) and counted in [`UserRow::events_after_as_of`]; a bad one is
//! still reported.
//!
//! # Memory
//!
//! [`UserReplay`] takes a user's events one by one, in time order, and
//! keeps only the engine's state, which is bounded by the config (not by
//! the number of events). [`Batch::evaluate`] sorts a user's events
//! first, so it holds them; a caller with a very large user sorts them
//! itself (or reads them sorted) and streams them into a [`UserReplay`].

use crate::code::ErrorCode;
use crate::config::CompiledConfig;
use crate::engine::{Engine, Identity, Slots};
use crate::error::InputError;
use crate::json::Json;
use crate::time::Millis;
use crate::timeline::{apply_into, Step};
use std::sync::Arc;

/// One compiled config at one moment: evaluates users one at a time.
/// Cheap to clone (the config is shared).
#[derive(Clone)]
pub struct Batch {
    config: Arc<CompiledConfig>,
    as_of: Millis,
}

/// One event of a user, for [`Batch::evaluate`].
#[derive(Clone, Copy, Debug)]
pub struct Event<'a> {
    /// The row number of the event in the caller's input (reported with
    /// any error, and the tie-break between events at the same time).
    pub row: usize,
    pub name: &'a str,
    /// A flat object of scalars, or `Json::Null` for none.
    pub props: &'a Json,
    /// The event's time (ms since the Unix epoch).
    pub at: Millis,
}

/// A user's identify data, and its row number in the caller's input.
#[derive(Clone, Debug)]
pub struct Identify {
    pub row: usize,
    pub identity: Identity,
}

/// Which input a [`RowError`]'s row number counts in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Events,
    Identify,
}

impl Table {
    pub fn as_str(self) -> &'static str {
        match self {
            Table::Events => "events",
            Table::Identify => "identify",
        }
    }
}

/// A row that was refused: nothing of it counts.
#[derive(Clone, Debug, PartialEq)]
pub struct RowError {
    pub table: Table,
    /// The row number in that input (as the caller numbered it).
    pub row: usize,
    pub code: ErrorCode,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} row {}: {} [{}]", self.table.as_str(), self.row, self.message, self.code)
    }
}

/// What one slot shows (the `decide` line's `experience`, `variation`,
/// `holdout` and, for a tour, `step`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotOutcome {
    pub experience: Option<Box<str>>,
    pub variation: Option<Box<str>>,
    pub holdout: bool,
    /// For a tour, its current step.
    pub step: Option<Box<str>>,
}

/// One user's result at `as_of`.
#[derive(Clone, Debug, PartialEq)]
pub struct UserRow {
    pub user: Box<str>,
    pub stage: Option<Box<str>>,
    /// When the stage held was entered (ms).
    pub stage_since: Option<Millis>,
    /// Ids of the segments that hold, sorted.
    pub segments: Vec<Box<str>>,
    /// Every signal's value, in config order ([`Batch::signal_ids`]).
    pub signals: Vec<Option<f64>>,
    /// Every slot's decision, in config order ([`Batch::slot_ids`]).
    pub slots: Vec<SlotOutcome>,
    /// Events replayed (bad ones and those after `as_of` not included).
    pub events: u64,
    /// Events after `as_of`, left out.
    pub events_after_as_of: u64,
}

/// One user's result and the rows of theirs that were refused.
#[derive(Clone, Debug, PartialEq)]
pub struct UserResult {
    /// None only when the user id itself is refused.
    pub row: Option<UserRow>,
    /// In the order met: identify first, then events in time order.
    pub errors: Vec<RowError>,
}

impl Batch {
    /// A batch at `as_of`; refused when `as_of` is outside 1970..=9999.
    pub fn new(config: Arc<CompiledConfig>, as_of: Millis) -> Result<Batch, InputError> {
        crate::input::check_time(as_of, "as_of")?;
        Ok(Batch { config, as_of })
    }

    pub fn config(&self) -> &Arc<CompiledConfig> {
        &self.config
    }

    pub fn as_of(&self) -> Millis {
        self.as_of
    }

    /// The signal ids, in config order: the order of [`UserRow::signals`].
    pub fn signal_ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.config.signals.signals.iter().map(|s| &*s.id)
    }

    /// The slot ids, in the order each first appears in the config: the
    /// order of [`UserRow::slots`].
    pub fn slot_ids(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.config.experiences.slots.iter().map(|s| &*s.id)
    }

    /// Starts a user's replay; feed it events in time order.
    pub fn user(&self, user: &str, identify: Option<Identify>) -> UserReplay {
        let (engine, refused) = match Engine::new(Arc::clone(&self.config), user) {
            Ok(engine) => (Some(engine), None),
            Err(e) => (None, Some((e.code(), format!("user \"{}\": {e}", crate::input::truncate(user, 64))))),
        };
        let mut replay = UserReplay {
            engine,
            refused,
            as_of: self.as_of,
            identify: None,
            errors: Vec::new(),
            events: 0,
            later: 0,
            first_row: None,
        };
        if let Some(identify) = identify {
            let identify_row = identify.row;
            match &replay.refused {
                Some(refused) => replay.refuse(Table::Identify, identify.row, refused.clone()),
                None => replay.identify = Some(identify),
            }
            replay.first_row = Some((Table::Identify, identify_row));
        }
        replay
    }

    /// Evaluates one user from their events in any order: sorts them by
    /// time (stable: equal times keep their order in `events`, which
    /// should be the input order), then replays them.
    pub fn evaluate(&self, user: &str, identify: Option<Identify>, events: &mut [Event]) -> UserResult {
        events.sort_by_key(|e| e.at);
        let mut replay = self.user(user, identify);
        for e in events.iter() {
            replay.track(e.row, e.name, e.props, e.at);
        }
        replay.finish()
    }
}

/// One user's replay in progress: [`UserReplay::track`] each event in time
/// order, then [`UserReplay::finish`]. Holds the engine's state only.
pub struct UserReplay {
    engine: Option<Engine>,
    /// Why the user id is refused (every row of the user is).
    refused: Option<(ErrorCode, String)>,
    as_of: Millis,
    /// Identify data not applied yet: it goes before the first event.
    identify: Option<Identify>,
    errors: Vec<RowError>,
    events: u64,
    later: u64,
    /// The user's first row: where an error of the user as a whole goes.
    first_row: Option<(Table, usize)>,
}

impl UserReplay {
    fn refuse(&mut self, table: Table, row: usize, (code, message): (ErrorCode, String)) {
        self.errors.push(RowError { table, row, code, message });
    }

    /// Replays one event at its own time. An event earlier than the one
    /// before is refused (`time_went_back`): sort first, or use
    /// [`Batch::evaluate`].
    pub fn track(&mut self, row: usize, name: &str, props: &Json, at: Millis) {
        if let Some(refused) = &self.refused {
            let refused = refused.clone();
            return self.refuse(Table::Events, row, refused);
        }
        self.first_row.get_or_insert((Table::Events, row));
        if let Err(e) = crate::input::check_time(at, "the event time") {
            return self.refuse(Table::Events, row, (e.code(), e.to_string()));
        }
        // A bad row is bad at any time: those left out after as_of and the
        // one the identify step waits for are checked here, the others by
        // the track step itself.
        if at > self.as_of || self.identify.is_some() {
            if let Err(e) = crate::input::check_event(name, props) {
                return self.refuse(Table::Events, row, (e.code(), e.to_string()));
            }
        }
        if at > self.as_of {
            self.later += 1;
            return;
        }
        // The identify step goes at the first event that is replayed.
        self.apply_identify(at);
        let Some(engine) = self.engine.as_mut() else { return };
        let mut none = String::new();
        let applied = apply_into(engine, Step::Track { name, props, timestamp: None }, at, "", false, &mut none);
        // Stage changes and exposures are for hosts: a replay keeps none.
        drop(engine.take_notices());
        match applied {
            Ok(_) => self.events += 1,
            Err(e) => self.refuse(Table::Events, row, e),
        }
    }

    fn apply_identify(&mut self, at: Millis) {
        let (Some(identify), Some(engine)) = (self.identify.take(), self.engine.as_mut()) else { return };
        let mut none = String::new();
        let applied = apply_into(engine, Step::Identify(identify.identity), at, "", false, &mut none);
        drop(engine.take_notices());
        if let Err(e) = applied {
            self.refuse(Table::Identify, identify.row, e);
        }
    }

    /// The user's result at `as_of`: `{"decide": "*"}` then the
    /// evaluation that decision left (`Engine::snapshot`).
    pub fn finish(mut self) -> UserResult {
        self.apply_identify(self.as_of);
        let Some(mut engine) = self.engine.take() else { return UserResult { row: None, errors: self.errors } };
        let slots = match engine.decide(Slots::All, self.as_of, false) {
            Ok(decision) => decision
                .slots
                .iter()
                .map(|d| SlotOutcome {
                    experience: d.experience_id().map(Box::from),
                    variation: d.variation_id().map(Box::from),
                    holdout: d.holdout,
                    step: d.step_id().map(Box::from),
                })
                .collect(),
            // Not reached: as_of is checked and no replayed event is later.
            // An error of the user as a whole goes at their first row.
            Err(e) => {
                let (table, row) = self.first_row.unwrap_or((Table::Events, 0));
                self.errors.push(RowError {
                    table,
                    row,
                    code: ErrorCode::Internal,
                    message: format!("decide at as_of: {e}"),
                });
                return UserResult { row: None, errors: self.errors };
            }
        };
        let evaluation = engine.snapshot();
        let row = UserRow {
            user: engine.user().user_id.clone(),
            stage: evaluation.stage,
            stage_since: evaluation.stage_since,
            segments: evaluation.segments,
            signals: evaluation.signals.into_iter().map(|(_, v)| v).collect(),
            slots,
            events: self.events,
            events_after_as_of: self.later,
        };
        UserResult { row: Some(row), errors: self.errors }
    }
}
