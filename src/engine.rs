//! The one entry point: a compiled config and one user's state.
//!
//! Every step (identify, track, interaction, decide) takes the step's time
//! `now` from the caller, advances the history to it and re-evaluates the
//! stage at that time, as DESIGN requires.

use crate::code::ErrorCode;
use crate::config::CompiledConfig;
use crate::decide::eligibility::Context;
use crate::decide::interactions::{impression_horizon, ExperienceLog};
use crate::decide::preview::Forced;
use crate::decide::{Exposed, Exposure, SlotDecision};
use crate::doc::EvalDoc;
use crate::error::InputError;
use crate::json::{Json, Obj, ObjectWriter};
use crate::segment::SegmentArrays;
use crate::signal::RecordedEvent;
use crate::stage::{HeldStage, StageState, Transition};
use crate::time::{Millis, MIN_TIME};
use std::sync::Arc;

pub use crate::input::{check_event, check_time, check_user_id, event_time, time_from_f64, Identity};
use crate::input::{check_identity, truncate};
pub use crate::limits::{
    MAX_AHEAD, MAX_EVENT_NAME_CHARS, MAX_PROPS, MAX_PROP_KEY_CHARS, MAX_PROP_STRING_CHARS, MAX_TZ_OFFSET,
    MAX_USER_ID_CHARS,
};
pub use crate::user::UserState;

/// Values computed at the latest step, reused by the next read.
#[derive(Debug, Default)]
struct Scratch {
    signals: Vec<Option<f64>>,
    segments_held: Vec<bool>,
    /// The segments that hold, as a mask of config indexes.
    segments: u128,
    /// The `segments` arrays conditions see, per set.
    segment_arrays: SegmentArrays,
    /// Prompts chosen so far in the current decision.
    new_prompts: Vec<usize>,
    /// Slot indexes asked for.
    slots: Vec<usize>,
    /// Experiment assignments kept between decisions (see `decide::Records`).
    assignments: Vec<Option<Result<crate::decide::experiment::Assignment, crate::decide::experiment::NotInExperiment>>>,
    /// The time these values were computed at, while no input has changed
    /// since: a step at that same moment reuses them, so that asking twice
    /// at one moment gives the same answer and records nothing new (a
    /// stage rule reading `stage` could otherwise move again).
    evaluated_at: Option<Millis>,
    /// The stage held before that evaluation (what its conditions saw).
    stage_before: Option<HeldStage>,
    /// What the next evaluation compares with, to evaluate again only the
    /// conditions whose inputs changed (see `doc::Inputs`; the signals'
    /// values are `signals`, brought up to date by
    /// `SignalPlan::update_values`): whether attributes or entitlements
    /// changed since, the stage index its conditions saw, and each
    /// segment's and stage's result then (None: not known).
    identity_changed: bool,
    /// `SignalPlan::identity_operands` of the user's identity (None: to
    /// read again, after an identify).
    identity_operands: Option<Vec<Option<f64>>>,
    stage_seen: Option<Option<usize>>,
    /// The first stage that matched at the latest evaluation (None: not known).
    first_match: Option<Option<usize>>,
    known_segments: Vec<Option<bool>>,
    known_stages: Vec<Option<bool>>,
}

/// The moment of an engine's latest evaluation and the stage its
/// conditions saw (`Engine::evaluation_memo`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvaluationMemo {
    at: Millis,
    stage_before: Option<HeldStage>,
}

/// Something the host may want to hear about.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    StageChanged(Transition),
    Exposure(Exposure),
    /// Something an import dropped or could not do exactly.
    Warning(crate::persist::RestoreNote),
}

/// The host's report about an experience.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interaction {
    Shown,
    Dismissed,
    Converted,
}

/// The slots a decision is for.
#[derive(Clone, Copy, Debug)]
pub enum Slots<'a> {
    /// Every slot, in the order each first appears in the config.
    All,
    Named(&'a [&'a str]),
}

/// The decision for each slot asked, at one moment.
#[derive(Clone, Debug)]
pub struct Decision<'c> {
    pub at: Millis,
    pub slots: Vec<SlotDecision<'c>>,
}

/// The user's stage, segments and signals at one moment.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    pub at: Millis,
    pub stage: Option<Box<str>>,
    pub stage_since: Option<Millis>,
    /// Ids of the segments that hold, sorted.
    pub segments: Vec<Box<str>>,
    /// Every signal's value, in config order.
    pub signals: Vec<(Box<str>, Option<f64>)>,
    /// `distinct` signals whose 1,000-value cap currently limits them.
    pub capped: Vec<Box<str>>,
}

impl Evaluation {
    /// The evaluation as JSON text: `{stage, stageSince, segments, signals,
    /// capped}` (the browser's `evaluate()`).
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.opt_str("stage", self.stage.as_deref()).opt_num("stageSince", self.stage_since.map(|t| t as f64));
        o.strs("segments", self.segments.iter().map(|s| &**s));
        let signals = o.key("signals");
        let mut values = ObjectWriter::new(signals);
        for (id, v) in &self.signals {
            values.opt_num(id, *v);
        }
        values.end();
        o.strs("capped", self.capped.iter().map(|s| &**s));
        o.end();
    }
}

impl Notice {
    /// The notice as JSON text: `{type: "stage_change", from, to, at}`,
    /// `{type: "exposure", experiment, variation, variationIndex,
    /// experience, hashAttribute, hashValue}` or `{type: "warning", code,
    /// message}`.
    pub fn write_json(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        match self {
            Notice::StageChanged(t) => {
                o.str("type", "stage_change");
                t.write_fields(&mut o);
            }
            Notice::Exposure(x) => {
                o.str("type", "exposure").str("experiment", &x.experiment).str("variation", &x.variation);
                o.num("variationIndex", x.variation_index as f64).str("experience", &x.experience);
                o.str("hashAttribute", &x.hash_attribute).str("hashValue", &x.hash_value);
            }
            Notice::Warning(n) => {
                o.str("type", "warning").str("code", n.code.as_str()).str("message", &n.message);
            }
        }
        o.end();
    }
}

pub struct Engine {
    config: Arc<CompiledConfig>,
    user: UserState,
    scratch: Scratch,
    notices: Vec<Notice>,
    /// Experiences forced into their slots for this session: beside the
    /// user's state, never in it (not exported, not recorded).
    preview: Vec<Forced>,
}

impl Engine {
    pub fn new(config: Arc<CompiledConfig>, user_id: &str) -> Result<Engine, InputError> {
        check_user_id(user_id)?;
        Ok(Engine::new_unchecked(config, user_id))
    }

    fn new_unchecked(config: Arc<CompiledConfig>, user_id: &str) -> Engine {
        let user = UserState {
            user_id: user_id.into(),
            attributes: Json::Obj(Obj::new()),
            entitlements: Json::Obj(Obj::new()),
            history: config.signals.new_history(0),
            stage: StageState::default(),
            interactions: ExperienceLog::empty_list(config.experiences.experiences.len()),
            exposed: Exposed::new(),
            last_step: None,
        };
        Engine { config, user, scratch: Scratch::default(), notices: Vec::new(), preview: Vec::new() }
    }

    pub fn config(&self) -> &CompiledConfig {
        &self.config
    }

    pub fn user(&self) -> &UserState {
        &self.user
    }

    /// Validates a step's time: in range and not before the user's last step.
    fn begin_step(&self, now: Millis) -> Result<Millis, InputError> {
        check_time(now, "now")?;
        match self.user.last_step {
            Some(last) if now < last => Err(InputError::TimeWentBack { now, last }),
            _ => Ok(now),
        }
    }

    /// Replaces the attributes, entitlements or time-zone offset given.
    pub fn identify(&mut self, identity: Identity, now: Millis) -> Result<(), InputError> {
        let now = self.begin_step(now)?;
        check_identity(&identity)?;
        // A hash attribute may change: assignments are computed afresh.
        self.scratch.assignments.clear();
        self.scratch.identity_changed = true;
        self.scratch.identity_operands = None;
        if let Some(a) = identity.attributes {
            self.user.attributes = a;
        }
        if let Some(e) = identity.entitlements {
            self.user.entitlements = e;
        }
        if let Some(tz) = identity.tz_offset_minutes {
            self.user.history.set_tz(tz);
        }
        self.finish_step(now, true);
        Ok(())
    }

    /// Records an event. `timestamp` is the event's own time (`now` when
    /// absent); late events up to 24 h count at their own time.
    pub fn track(
        &mut self,
        name: &str,
        props: &Json,
        timestamp: Option<Millis>,
        now: Millis,
    ) -> Result<(), InputError> {
        let now = self.begin_step(now)?;
        if let Some(t) = timestamp {
            check_time(t, "timestamp")?;
        }
        check_event(name, props)?;
        let at = event_time(timestamp, now)?;
        self.user.history.advance(now);
        let empty = Obj::new();
        let props = props.as_obj().unwrap_or(&empty);
        let real = timestamp.unwrap_or(now).min(now);
        self.config.signals.record(&mut self.user.history, &RecordedEvent { name, props, at }, real);
        self.finish_step(now, true);
        Ok(())
    }

    /// The stage, segments and signals at `now` (a step: the stage is
    /// re-evaluated first).
    pub fn evaluate(&mut self, now: Millis) -> Result<Evaluation, InputError> {
        let now = self.begin_step(now)?;
        self.finish_step(now, false);
        Ok(self.snapshot())
    }

    /// The decision for each slot at `now`: the eligible experience of
    /// highest priority, or none. Re-evaluates the stage first (a stage
    /// change that time alone caused is recorded) and records first
    /// exposures; nothing else. With `with_reasons`, each slot explains
    /// every experience's outcome.
    pub fn decide(&mut self, slots: Slots, now: Millis, with_reasons: bool) -> Result<Decision<'_>, InputError> {
        self.decide_with(slots, now, with_reasons, true)
    }

    /// `decide`, and with `record` false a dry run for tools (an
    /// inspector, a time check): no first exposure is kept or reported.
    /// The stage is still re-evaluated at `now` (that is a fact of the
    /// moment, not of the decision).
    pub fn decide_with(
        &mut self,
        slots: Slots,
        now: Millis,
        with_reasons: bool,
        record: bool,
    ) -> Result<Decision<'_>, InputError> {
        let now = self.begin_step(now)?;
        let plan = &self.config.experiences;
        self.scratch.slots.clear();
        match slots {
            Slots::All => self.scratch.slots.extend(0..plan.slots.len()),
            Slots::Named(names) => {
                for name in names {
                    match plan.slots.iter().position(|s| &*s.id == *name) {
                        Some(i) => self.scratch.slots.push(i),
                        None if *name == "*" => self.scratch.slots.extend(0..plan.slots.len()),
                        None => return Err(InputError::UnknownSlot(truncate(name, 64))),
                    }
                }
            }
        }
        self.finish_step(now, false);
        let config = &*self.config;
        let user = &mut self.user;
        let scratch = &mut self.scratch;
        let doc = EvalDoc {
            signals: &scratch.signals,
            attributes: &user.attributes,
            entitlements: &user.entitlements,
            segments: scratch.segment_arrays.get(scratch.segments),
            stage: config.stages.stage_json(user.stage.held),
        };
        let ctx = Context {
            plan: &config.experiences,
            policy: &config.policy,
            logs: &user.interactions,
            doc: &doc,
            now,
            new_prompts: &[],
        };
        let notices = &mut self.notices;
        let mut records = crate::decide::Records {
            record,
            exposed: &mut user.exposed,
            on_exposure: &mut |e| notices.push(Notice::Exposure(e)),
            assignments: &mut scratch.assignments,
        };
        let slots = crate::decide::decide(
            &ctx,
            &scratch.slots,
            with_reasons,
            &self.preview,
            &mut records,
            &mut scratch.new_prompts,
        );
        Ok(Decision { at: now, slots })
    }

    /// Forces experiences (and variations) into their slots for this
    /// session: `(experience id, variation id)`. Replaces any earlier
    /// preview; an empty list ends it. The whole list is refused when an
    /// id is unknown or a slot is named twice. Nothing about a preview is
    /// recorded or exported.
    pub fn set_preview(&mut self, asked: &[(&str, Option<&str>)]) -> Result<(), InputError> {
        self.preview = crate::decide::preview::resolve(&self.config.experiences, asked)?;
        Ok(())
    }

    /// The experiences previewed now, as `(experience id, variation id)`.
    pub fn preview(&self) -> Vec<(&str, Option<&str>)> {
        let plan = &self.config.experiences;
        let mut out = Vec::new();
        for f in &self.preview {
            let Some(exp) = plan.experiences.get(f.experience) else { continue };
            let variation = f.variation.and_then(|v| exp.experiment.as_ref()?.def.variations.get(v));
            out.push((&*exp.def.id, variation.map(|v| &*v.id)));
        }
        out
    }

    /// Records what the host did with an experience. Returns false for a
    /// `shown` that continued an impression already on screen (nothing a
    /// decision depends on changed), true otherwise.
    ///
    /// A previewed experience records nothing: its `shown` is ignored
    /// (false), and `dismissed` or `converted` end its preview (true).
    pub fn interact(&mut self, interaction: Interaction, experience: &str, now: Millis) -> Result<bool, InputError> {
        let now = self.begin_step(now)?;
        let config = &*self.config;
        let i = config
            .experiences
            .index_of(experience)
            .ok_or_else(|| InputError::UnknownExperience(truncate(experience, 64)))?;
        if let Some(p) = self.preview.iter().position(|f| f.experience == i) {
            if interaction != Interaction::Shown {
                self.preview.remove(p);
            }
            self.finish_step(now, false);
            return Ok(interaction != Interaction::Shown);
        }
        let (Some(exp), Some(log)) = (config.experiences.experiences.get(i), self.user.interactions.get_mut(i)) else {
            return Err(InputError::UnknownExperience(truncate(experience, 64)));
        };
        let changed = match interaction {
            Interaction::Shown => {
                log.shown(now, config.policy.display_timeout, impression_horizon(&exp.def, &config.policy))
            }
            Interaction::Dismissed => {
                log.dismissed(now, exp.def.cooldown_after_dismiss);
                true
            }
            Interaction::Converted => {
                log.converted();
                true
            }
        };
        self.finish_step(now, false);
        Ok(changed)
    }

    /// Records that the user finished `step` of `tour` (the host's
    /// `advanced`): the step is completed, whatever the order, and a step
    /// completed already stays so. It is a step of the user's timeline but
    /// not a `shown`. Returns whether the step was not completed before.
    pub fn advance(&mut self, tour: &str, step: &str, now: Millis) -> Result<bool, InputError> {
        let now = self.begin_step(now)?;
        let config = &*self.config;
        let plan = &config.experiences;
        let (Some(i), Some(exp)) = (plan.index_of(tour), plan.get(tour)) else {
            return Err(InputError::UnknownTour(truncate(tour, 64)));
        };
        if !exp.is_tour {
            return Err(InputError::NotATour { id: truncate(tour, 64), kind: truncate(&exp.def.kind, 64) });
        }
        let Some(j) = exp.steps.iter().position(|s| &*s.id == step) else {
            return Err(InputError::UnknownStep { tour: truncate(tour, 64), step: truncate(step, 64) });
        };
        // A previewed tour walks its own progress: nothing is recorded,
        // and completing it ends the preview.
        if let Some(p) = self.preview.iter().position(|f| f.experience == i) {
            let steps = exp.steps.len();
            let new = self.preview.get_mut(p).is_some_and(|f| f.progress.advance(j));
            if self.preview.get(p).is_some_and(|f| f.progress.all_done(steps)) {
                self.preview.remove(p);
            }
            self.finish_step(now, false);
            return Ok(new);
        }
        let Some(log) = self.user.interactions.get_mut(i) else {
            return Err(InputError::UnknownTour(truncate(tour, 64)));
        };
        let new = log.tour.advance(j);
        self.finish_step(now, false);
        Ok(new)
    }

    /// The user's state in its stored form (see `persist`).
    pub fn export_state(&self) -> Json {
        crate::persist::export(&self.config, &self.user)
    }

    /// An engine for `user_id` from a stored state. A state of another
    /// format, version or user is refused; damaged parts are dropped with
    /// a note.
    pub fn restore(
        config: Arc<CompiledConfig>,
        user_id: &str,
        state: &Json,
    ) -> Result<(Engine, Vec<crate::persist::RestoreNote>), crate::persist::StateError> {
        let (user, notes) = crate::persist::restore(&config, state, user_id)?;
        Ok((Engine { config, user, scratch: Scratch::default(), notices: Vec::new(), preview: Vec::new() }, notes))
    }

    /// Moves every time of the user's state later than `now` back to
    /// `now`, so that steps at `now` are accepted again: for a host whose
    /// clock ran ahead (a glitch, another tab's clock, a state saved far in
    /// the future) and came back. Events in the future count in `now`'s
    /// minute; windows then move on from `now`. Returns a `time_clamped`
    /// note when something moved.
    pub fn clamp_to(&mut self, now: Millis) -> Result<Option<crate::persist::RestoreNote>, InputError> {
        let now = check_time(now, "now")?;
        let Some(latest) = self.user.latest_time().filter(|l| *l > now) else { return Ok(None) };
        self.user.clamp_to(now);
        self.scratch = Scratch::default();
        Ok(Some(crate::persist::RestoreNote {
            code: ErrorCode::TimeClamped,
            message: format!(
                "the user's stored times were up to {} ahead of the clock: they were moved back to {}",
                crate::time::format_duration_approx(latest - now),
                crate::time::format_rfc3339(now)
            ),
        }))
    }

    /// Imports a summary of the user's history from another source (see
    /// `summary`): it supersedes the local history before its `as_of` and
    /// the local events after it count again on top. A step at `now`.
    /// What the import dropped or could not do exactly comes as
    /// `Notice::Warning`s.
    pub fn import_summary(&mut self, summary: &Json, now: Millis) -> Result<(), crate::error::ImportError> {
        let now = self.begin_step(now)?;
        // The journal is read as of `now`, so that a second import of the
        // same summary sees the same journal (on a copy: a refused summary
        // changes nothing).
        let mut local = self.user.history.clone();
        local.advance(now);
        let (history, notes) = crate::summary::import(&self.config, &local, summary, &self.user.user_id, now)?;
        self.user.history = history;
        for note in notes {
            self.notices.push(Notice::Warning(note));
        }
        self.finish_step(now, true);
        Ok(())
    }

    /// Switches to another config, keeping the data of every signal whose
    /// id and definition are unchanged, and the stage, interactions and
    /// exposures whose ids still exist.
    pub fn set_config(&mut self, config: Arc<CompiledConfig>) -> Vec<crate::persist::RestoreNote> {
        let state = self.export_state();
        match crate::persist::restore(&config, &state, &self.user.user_id) {
            Ok((user, notes)) => {
                // A preview carries over by ids, where they still exist.
                let mut kept: Vec<Forced> = Vec::new();
                for p in self.preview() {
                    let Ok(resolved) = crate::decide::preview::resolve(&config.experiences, &[p]) else { continue };
                    for f in resolved {
                        if !kept.iter().any(|k| k.slot == f.slot) {
                            kept.push(f);
                        }
                    }
                }
                self.preview = kept;
                self.user = user;
                self.config = config;
                self.scratch = Scratch::default();
                notes
            }
            // Our own export always restores; should it not, keep the
            // user's identity and start their history afresh.
            Err(e) => {
                let mut fresh = Engine::new_unchecked(config, &self.user.user_id);
                fresh.user.attributes = std::mem::take(&mut self.user.attributes);
                fresh.user.entitlements = std::mem::take(&mut self.user.entitlements);
                *self = fresh;
                vec![crate::persist::RestoreNote { code: ErrorCode::PartCorrupt, message: e.to_string() }]
            }
        }
    }

    /// Records that the user was exposed to an experiment's variation
    /// elsewhere (another tab), so this engine does not report it again.
    /// Pairs the config does not have are ignored.
    pub fn mark_exposed(&mut self, experiment: &str, variation: &str) {
        if self.config.experiences.has_variation(experiment, variation) {
            self.user.exposed.add((experiment.into(), variation.into()));
        }
    }

    /// Whether `take_notices` has anything (cheap to ask on every call).
    pub fn has_notices(&self) -> bool {
        !self.notices.is_empty()
    }

    /// Hands over what happened since the last call (stage changes).
    pub fn take_notices(&mut self) -> Vec<Notice> {
        std::mem::take(&mut self.notices)
    }

    /// Ends a step at `now`: advances the history, computes signals and
    /// segments (which see the stage held before this evaluation), then
    /// applies the stage rule. `changed`: the step changed an input of the
    /// evaluation (events, identity, history); otherwise a step at the
    /// moment of the previous evaluation reuses it.
    fn finish_step(&mut self, now: Millis, changed: bool) {
        let config = &*self.config;
        let user = &mut self.user;
        let scratch = &mut self.scratch;
        user.last_step = Some(now);
        if changed || scratch.evaluated_at != Some(now) {
            scratch.evaluated_at = Some(now);
            if let Some(t) = Self::evaluate_at(config, user, scratch, now) {
                self.notices.push(Notice::StageChanged(t));
            }
        }
        // Tours: every step's `done` is checked after each step (sticky
        // once it held), with what the step left: signals, segments, stage.
        if !config.experiences.tours.is_empty() {
            let doc = EvalDoc {
                signals: &scratch.signals,
                attributes: &user.attributes,
                entitlements: &user.entitlements,
                segments: scratch.segment_arrays.get(scratch.segments),
                stage: config.stages.stage_json(user.stage.held),
            };
            crate::decide::tour::update(&config.experiences, &mut user.interactions, &doc);
        }
    }

    /// Computes signals and segments at `now` (which see the stage held
    /// before this evaluation), then applies the stage rule; returns the
    /// stage change, if any.
    fn evaluate_at(
        config: &CompiledConfig,
        user: &mut UserState,
        scratch: &mut Scratch,
        now: Millis,
    ) -> Option<Transition> {
        let first_match = Self::compute_at(config, user, scratch, now, user.stage.held);
        config.stages.step(&mut user.stage, first_match, now).cloned()
    }

    /// Signals and segments at `now`, with conditions seeing
    /// `stage_before`; returns the first stage that matches.
    fn compute_at(
        config: &CompiledConfig,
        user: &mut UserState,
        scratch: &mut Scratch,
        now: Millis,
        stage_before: Option<HeldStage>,
    ) -> Option<usize> {
        scratch.stage_before = stage_before;
        user.history.advance(now);
        let identity = scratch.identity_operands.get_or_insert_with(|| {
            let mut operands = Vec::new();
            config.signals.identity_operands(&user.attributes, &user.entitlements, &mut operands);
            operands
        });
        let mut changed = config.signals.update_values(
            &mut user.history,
            now,
            identity,
            &mut scratch.signals,
            &config.signal_classes,
        );
        changed.identity = std::mem::take(&mut scratch.identity_changed);
        let stage_index = stage_before.map(|h| h.index);
        changed.stage = scratch.stage_seen != Some(stage_index);
        scratch.stage_seen = Some(stage_index);
        // Nothing a segment or stage condition reads changed: every result
        // is the one kept (as the walks below would find, condition by
        // condition).
        if let Some(first) =
            scratch.first_match.filter(|_| cfg!(feature = "text") && !changed.meets(&config.condition_reads))
        {
            return first;
        }
        let doc = EvalDoc {
            signals: &scratch.signals,
            attributes: &user.attributes,
            entitlements: &user.entitlements,
            segments: &Json::Null,
            stage: config.stages.stage_json(stage_before),
        };
        let segments_before = scratch.segments;
        scratch.segments = config.segments.evaluate(
            &doc,
            &changed,
            &mut scratch.known_segments,
            &mut scratch.segments_held,
            &mut scratch.segment_arrays,
        );
        changed.segments = scratch.segments != segments_before;
        let segments = scratch.segment_arrays.get(scratch.segments);
        let first = config.stages.first_match_known(&EvalDoc { segments, ..doc }, &changed, &mut scratch.known_stages);
        scratch.first_match = Some(first);
        first
    }

    /// What a step at the moment of the latest evaluation reuses (see
    /// `Scratch::evaluated_at`), beyond the stored state: `simulate` keeps
    /// it with a user it puts away, so that the user's next step at that
    /// same moment gives what it gives on an engine kept live.
    pub fn evaluation_memo(&self) -> Option<EvaluationMemo> {
        self.scratch.evaluated_at.map(|at| EvaluationMemo { at, stage_before: self.scratch.stage_before })
    }

    /// Recomputes the evaluation `memo` describes (on an engine restored
    /// from the state the memo's engine exported): the same signals and
    /// segments, the stage rule not applied again.
    pub fn resume_evaluation(&mut self, memo: EvaluationMemo) {
        if self.user.last_step != Some(memo.at) {
            return;
        }
        let config = &*self.config;
        Self::compute_at(config, &mut self.user, &mut self.scratch, memo.at, memo.stage_before);
        self.scratch.evaluated_at = Some(memo.at);
    }

    /// Ids of the segments that hold at the latest step, sorted (the order
    /// of every output: `simulate`, `evaluate`, the browser's `evaluate()`).
    pub fn held_segments(&self) -> Vec<&str> {
        let config = &*self.config;
        let mut held: Vec<&str> = Vec::new();
        for (s, &is_held) in config.segments.segments.iter().zip(&self.scratch.segments_held) {
            if is_held {
                held.push(&*s.id);
            }
        }
        crate::collections::sort_small_by(&mut held, |a, b| a < b);
        held
    }

    /// The id of the stage held, if any.
    pub fn stage_id(&self) -> Option<&str> {
        let held = self.user.stage.held?;
        self.config.stages.stages.get(held.index).map(|s| &*s.id)
    }

    /// Every signal's id and value at the latest step, in config order
    /// (none for a new user that took no step yet).
    pub fn signal_values(&self) -> impl Iterator<Item = (&str, Option<f64>)> + '_ {
        self.config.signals.signals.iter().zip(&self.scratch.signals).map(|(s, v)| (&*s.id, *v))
    }

    /// Re-evaluates at `now` (a step) without building an `Evaluation`.
    pub fn step_to(&mut self, now: Millis) -> Result<(), InputError> {
        let now = self.begin_step(now)?;
        self.finish_step(now, false);
        Ok(())
    }

    /// The values computed at the latest step (a new user that took no
    /// step yet has no stage and the values of an empty history).
    pub fn snapshot(&self) -> Evaluation {
        let now = self.user.last_step.unwrap_or(MIN_TIME);
        let config = &*self.config;
        let held = self.user.stage.held;
        let boxed = |ids: Vec<&str>| {
            let mut out: Vec<Box<str>> = Vec::with_capacity(ids.len());
            for id in ids {
                out.push(id.into());
            }
            out
        };
        let mut signals = Vec::with_capacity(config.signals.signals.len());
        for (id, v) in self.signal_values() {
            signals.push((Box::from(id), v));
        }
        Evaluation {
            at: now,
            stage: self.stage_id().map(Box::from),
            stage_since: held.map(|h| h.since),
            segments: boxed(self.held_segments()),
            signals,
            capped: boxed(config.signals.capped(&self.user.history, now)),
        }
    }
}
