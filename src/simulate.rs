//! `onstage simulate`: replays a timeline (JSON Lines, one step a line,
//! users interleaved) and writes one JSON line per `decide` step.
//! The line format is a public contract (DESIGN, "Native").

use crate::block::IdHasher;
use crate::code::ErrorCode;
use crate::config::CompiledConfig;
use crate::engine::{Engine, EvaluationMemo};
use crate::lines::LineError;
use crate::timeline::{apply_into, bad, read_step, step_time_in, StepError, StepStore};
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;
use std::io::{BufRead, Write};
use std::sync::Arc;

/// A step that could not be replayed: the replay stops there.
#[derive(Debug, thiserror::Error)]
pub enum SimulateError {
    #[error("line {line}: {message}")]
    Step { line: usize, code: ErrorCode, message: String },
    #[error("line {line}: cannot read the timeline: {source}")]
    Read { line: usize, source: std::io::Error },
    #[error("cannot write the output: {0}")]
    Write(#[from] std::io::Error),
}

impl SimulateError {
    /// Whether reading the input or writing the output failed (not the content).
    pub fn is_io(&self) -> bool {
        !matches!(self, SimulateError::Step { .. })
    }

    /// The line it stopped at (none for an output that could not be written).
    pub fn line(&self) -> Option<usize> {
        match self {
            SimulateError::Step { line, .. } | SimulateError::Read { line, .. } => Some(*line),
            SimulateError::Write(_) => None,
        }
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            SimulateError::Step { code, .. } => *code,
            SimulateError::Read { .. } => ErrorCode::IoError,
            SimulateError::Write(_) => ErrorCode::IoError,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    pub steps: usize,
    pub events: usize,
    pub decisions: usize,
    pub users: usize,
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Include each decision's reasons (otherwise `"reasons": null`).
    pub reasons: bool,
    /// Users kept live at most (see `MAX_LIVE_USERS`); the others are put
    /// away exactly. The output does not depend on it.
    pub max_live_users: usize,
    /// Lines applied a user at a time, at most (see `crate::block`; 1:
    /// one line after the other). The output does not depend on it.
    pub block_lines: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { reasons: true, max_live_users: MAX_LIVE_USERS, block_lines: crate::block::BLOCK_LINES }
    }
}

/// Users whose engines a replay keeps live, at most (the default of
/// `Options::max_live_users`): the others are put away as their stored
/// state, a few hundred bytes to a few KB instead of a live engine's
/// memory, and taken back, exactly, at their next step.
pub const MAX_LIVE_USERS: usize = 10_000;

/// A user of the replay: live, or put away.
enum User {
    Live(Box<Engine>),
    /// The stored state's text, and what the next step at the same moment
    /// reuses (see `Engine::evaluation_memo`).
    Parked(Box<str>, Option<EvaluationMemo>),
}

struct Slot {
    user: User,
    /// When the user last took a step (a count of steps).
    used: u64,
}

/// The users of a replay, at most `max_live` of them live: the one that
/// took a step the longest ago is put away first. Putting away is exact:
/// the stored state restores to the same engine (the persistence tests),
/// and the evaluation memo to the same reuse of a moment.
struct Users {
    config: Arc<CompiledConfig>,
    slots: Vec<Slot>,
    /// Index into `slots` by user id.
    index: HashMap<Box<str>, usize, BuildHasherDefault<IdHasher>>,
    /// Live users (indexes into `slots`) in the order of their steps, as
    /// `(when, index)`: an entry whose user stepped again since (or was
    /// put away) is stale and skipped. A queue where an ordered map would
    /// take a search and a rebalancing per step; compacted when stale
    /// entries outnumber the live ones (amortized O(1) a step).
    live: VecDeque<(u64, usize)>,
    /// How many users are live.
    live_count: usize,
    /// Whether `live` is kept: not while the replay has no more users
    /// than `max_live` (none is ever put away then), where a push a step
    /// cost more than the lookup of the user. Built from the `used`
    /// stamps when the users first outnumber `max_live`.
    queued: bool,
    max_live: usize,
    clock: u64,
}

impl Users {
    /// The engine of `user`, live (created, or taken back).
    fn engine(&mut self, user: &str) -> Result<&mut Engine, StepError> {
        self.clock += 1;
        let used = self.clock;
        let i = match self.index.get(user) {
            Some(&i) => {
                let slot = self.slots.get_mut(i).ok_or_else(|| bad(ErrorCode::Internal, "a user without a slot"))?;
                if let User::Parked(state, memo) = &slot.user {
                    let back = take_back(&self.config, user, state, *memo)?;
                    slot.user = User::Live(Box::new(back));
                    self.live_count += 1;
                }
                slot.used = used;
                i
            }
            None => {
                let engine = Engine::new(Arc::clone(&self.config), user).map_err(|e| bad(e.code(), e.to_string()))?;
                let i = self.slots.len();
                self.slots.push(Slot { user: User::Live(Box::new(engine)), used });
                self.index.insert(user.into(), i);
                self.live_count += 1;
                i
            }
        };
        if self.queued {
            self.live.push_back((used, i));
            self.put_away(i);
        } else if self.slots.len() > self.max_live.max(1) {
            self.queue_live();
            self.put_away(i);
        }
        match self.slots.get_mut(i).map(|s| &mut s.user) {
            Some(User::Live(engine)) => Ok(engine),
            _ => Err(bad(ErrorCode::Internal, "a user taken back is not live")),
        }
    }

    /// Starts `live`: the live users in the order of their latest steps
    /// (what the pushes of every step would have left, stale entries
    /// aside), the user about to step last.
    fn queue_live(&mut self) {
        let mut live: Vec<(u64, usize)> = (self.slots.iter().enumerate())
            .filter(|(_, s)| matches!(s.user, User::Live(_)))
            .map(|(i, s)| (s.used, i))
            .collect();
        live.sort_unstable();
        self.live = live.into();
        self.queued = true;
    }

    /// Puts users away, the least recently used first, while more than
    /// `max_live` are live (never `keep`, the user about to step).
    fn put_away(&mut self, keep: usize) {
        while self.live_count > self.max_live.max(1) {
            let Some((used, i)) = self.live.pop_front() else { break };
            let Some(slot) = self.slots.get_mut(i) else { continue };
            if slot.used != used || i == keep {
                continue;
            }
            if let User::Live(engine) = &slot.user {
                let state = engine.export_state().to_json_string().into_boxed_str();
                slot.user = User::Parked(state, engine.evaluation_memo());
                self.live_count -= 1;
            }
        }
        if self.live.len() > 2 * self.live_count + 64 {
            let slots = &self.slots;
            self.live
                .retain(|&(used, i)| slots.get(i).is_some_and(|s| s.used == used && matches!(s.user, User::Live(_))));
        }
    }
}

fn take_back(
    config: &Arc<CompiledConfig>,
    user: &str,
    state: &str,
    memo: Option<EvaluationMemo>,
) -> Result<Engine, StepError> {
    // Our own export, just written: it always reads back.
    let internal = |e: String| bad(ErrorCode::Internal, format!("a user put away could not be taken back: {e}"));
    let json = crate::json::parse(state).map_err(internal)?;
    let (mut engine, _) = Engine::restore(Arc::clone(config), user, &json).map_err(|e| internal(e.to_string()))?;
    if let Some(memo) = memo {
        engine.resume_evaluation(memo);
    }
    Ok(engine)
}

/// Replays `input` against `config`, writing decide lines to `out`.
///
/// Lines are read a block at a time and applied a user at a time (see
/// `crate::block`); what they print (decide lines to `out`, warnings to
/// stderr) is printed in line order, up to the first line that stops the
/// replay: exactly what applying the lines one after the other prints.
pub fn simulate(
    config: Arc<CompiledConfig>,
    input: impl BufRead,
    mut out: impl Write,
    options: Options,
) -> Result<Stats, SimulateError> {
    let mut replay = Replay {
        users: Users {
            config,
            slots: Vec::new(),
            index: HashMap::default(),
            live: VecDeque::new(),
            live_count: 0,
            queued: false,
            max_live: options.max_live_users,
            clock: 0,
        },
        stats: Stats::default(),
        store: StepStore::default(),
        times: crate::time::TimeReader::default(),
        reasons: options.reasons,
        printed: Printed::default(),
    };
    let mut block = crate::block::Block::new(options.block_lines);
    let mut lines = crate::lines::lines(input);
    loop {
        block.clear();
        // A line that cannot be read stops the replay once the lines
        // before it are applied.
        let mut unreadable = None;
        let mut ended = false;
        while block.has_room() {
            let Some((line_no, line)) = lines.next_line() else {
                ended = true;
                break;
            };
            let step_err = |(code, message): (ErrorCode, String)| SimulateError::Step { line: line_no, code, message };
            match line {
                Ok(raw) if !raw.starts_with('{') && raw.trim().is_empty() => {}
                Ok(raw) => block.push(line_no, raw),
                Err(LineError::Io(source)) => unreadable = Some(SimulateError::Read { line: line_no, source }),
                Err(LineError::TooLong) => {
                    unreadable = Some(step_err(bad(ErrorCode::LimitExceeded, LineError::TooLong.to_string())))
                }
                Err(e @ LineError::NotUtf8) => unreadable = Some(step_err(bad(ErrorCode::InvalidJson, e.to_string()))),
            }
            if unreadable.is_some() {
                break;
            }
        }
        // The first line that stops the replay, by line number.
        let mut stop: Option<SimulateError> = None;
        for (line_no, raw) in block.lines_by_user() {
            // Lines after the stop are not applied (of any user): nothing
            // of theirs would be printed. Every line before it is.
            if stop.as_ref().is_some_and(|e| e.line().is_some_and(|l| l < line_no)) {
                continue;
            }
            if let Err(e) = replay.line(line_no, raw) {
                stop = Some(e);
            }
        }
        let stop = stop.or(unreadable);
        replay.printed.print(&mut out, stop.as_ref().and_then(SimulateError::line))?;
        if let Some(e) = stop {
            out.flush()?;
            return Err(e);
        }
        if ended {
            break;
        }
    }
    replay.stats.users = replay.users.slots.len();
    out.flush()?;
    Ok(replay.stats)
}

/// What the replay keeps from line to line.
struct Replay {
    users: Users,
    stats: Stats,
    /// What a step borrows beyond its line (reused).
    store: StepStore,
    times: crate::time::TimeReader,
    reasons: bool,
    printed: Printed,
}

impl Replay {
    /// Applies line `line_no`, keeping what it prints.
    fn line(&mut self, line_no: usize, raw: &str) -> Result<(), SimulateError> {
        let step_err = |(code, message): (ErrorCode, String)| SimulateError::Step { line: line_no, code, message };
        let (user, at_text, step) =
            read_step(raw, self.users.config.signals.read_props(), &mut self.store).map_err(step_err)?;
        let at = step_time_in(&mut self.times, at_text).map_err(step_err)?;
        let engine = self.users.engine(user).map_err(step_err)?;
        self.stats.steps += 1;
        self.stats.events += usize::from(matches!(step, crate::timeline::Step::Track { .. }));
        let text = &mut self.printed.text;
        let start = text.len();
        if apply_into(engine, step, at, at_text, self.reasons, text).map_err(step_err)? {
            text.push('\n');
            self.printed.lines.push((line_no, start, text.len()));
            self.stats.decisions += 1;
        }
        // Stage changes and exposures are for hosts: a replay prints
        // decisions. What an import could not do exactly goes to stderr.
        if engine.has_notices() {
            for notice in engine.take_notices() {
                if let crate::engine::Notice::Warning(note) = notice {
                    let warning = format!("line {line_no}: warning[{}]: {}", note.code, note.message);
                    self.printed.warnings.push((line_no, warning));
                }
            }
        }
        Ok(())
    }
}

/// What a block's lines print, kept to be printed in line order.
#[derive(Default)]
struct Printed {
    /// The decide lines' text, one after another.
    text: String,
    /// Each decide line: its line number, start and end in `text`.
    lines: Vec<(usize, usize, usize)>,
    warnings: Vec<(usize, String)>,
}

impl Printed {
    /// Prints what lines before `stop` printed (all, without a stop), in
    /// line order, and empties itself.
    fn print(&mut self, out: &mut impl Write, stop: Option<usize>) -> Result<(), SimulateError> {
        let before = |line: usize| stop.is_none_or(|s| line < s);
        // A line prints one decide line at most: the numbers differ.
        self.lines.sort_unstable_by_key(|&(line, _, _)| line);
        for &(line, start, end) in &self.lines {
            if before(line) {
                out.write_all(self.text.get(start..end).unwrap_or_default().as_bytes())?;
            }
        }
        // Warnings of one line keep their order.
        self.warnings.sort_by_key(|(line, _)| *line);
        for (line, warning) in &self.warnings {
            if before(*line) {
                eprintln!("{warning}");
            }
        }
        self.text.clear();
        self.lines.clear();
        self.warnings.clear();
        Ok(())
    }
}
