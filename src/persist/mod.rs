//! The user's state as stored between page loads: versioned JSON, compact
//! where it grows (minute series).
//!
//! Restoring against a config keeps the data of every signal whose id and
//! definition are unchanged (changed and new signals start empty), and the
//! stage, interactions and exposures whose ids still exist. A state that is
//! not ours, from another version or another user is refused whole (the
//! host sets it aside); a damaged part of a good state is dropped alone,
//! with a note, so nothing that can be kept is lost.

pub use crate::codec;
pub mod envelope;

use crate::code::ErrorCode;
use crate::config::CompiledConfig;
use crate::decide::experience::CompiledExperience;
use crate::decide::interactions::ExperienceLog;
use crate::decide::tour::{self, Progress};
use crate::decide::Exposed;
use crate::json::{Json, Obj};
use crate::signal::{History, SignalState};
use crate::stage::{HeldStage, StageState, Transition, MAX_TRANSITIONS};
use crate::time::{Millis, MAX_TIME, MIN_TIME};
use crate::user::UserState;

pub use crate::codec::{STATE_FORMAT, STATE_VERSION};

pub use crate::error::StateError;

/// Something restoring dropped or reset, for the host's warnings.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreNote {
    /// `signal_reset` (definition changed or new: expected after a config
    /// update), `part_corrupt` (a damaged part was dropped), `stage_dropped`.
    pub code: ErrorCode,
    pub message: String,
}

impl RestoreNote {
    /// `{code, message}` as JSON text.
    pub fn write_json(&self, out: &mut String) {
        let mut o = crate::json::ObjectWriter::new(out);
        o.str("code", self.code.as_str()).str("message", &self.message);
        o.end();
    }
}

/// A signal definition's fingerprint (kept with its stored data).
pub use crate::signal::fingerprint;

fn ms(t: Millis) -> Json {
    Json::Num(t as f64)
}

fn opt_ms(t: Option<Millis>) -> Json {
    t.map_or(Json::Null, ms)
}

/// The stored form of one signal: its definition's fingerprint and state.
pub fn signal_json(config: &CompiledConfig, history: &History, i: usize) -> Option<Json> {
    let signal = config.signals.signals.get(i)?;
    let state = history.states.get(i)?;
    Some(crate::obj! { "def" => Json::str(&signal.fingerprint), "state" => state.to_json() })
}

/// The stored signals of a history: `{id: {def, state}}`.
pub fn signals_json(config: &CompiledConfig, history: &History) -> Json {
    let mut signals = Obj::with_capacity(config.signals.len());
    for (i, s) in config.signals.signals.iter().enumerate() {
        if matches!(history.states.get(i), Some(SignalState::Ratio) | None) {
            continue;
        }
        if let Some(j) = signal_json(config, history, i) {
            signals.insert(&*s.id, j);
        }
    }
    Json::Obj(signals)
}

fn log_json(log: &ExperienceLog, exp: &CompiledExperience) -> Option<Json> {
    // Every field that differs from an empty log writes a key: no key,
    // nothing stored (not `*log == ExperienceLog::default()`, which
    // brought `VecDeque`'s `PartialEq` into the wasm for this alone).
    let mut o = Obj::new();
    if let Some(t) = log.last_shown {
        o.insert("shown", ms(t));
    }
    if log.showing {
        o.insert("showing", Json::Bool(true));
    }
    if !log.impressions.is_empty() {
        let mut list = Vec::with_capacity(log.impressions.len());
        for &t in &log.impressions {
            list.push(ms(t));
        }
        o.insert("impressions", Json::Arr(list));
    }
    if let Some(t) = log.last_dismissed {
        o.insert("dismissed", ms(t));
    }
    if log.dismissed_for_good {
        o.insert("for_good", Json::Bool(true));
    }
    if log.converted {
        o.insert("converted", Json::Bool(true));
    }
    // A tour's progress, by step id: a config update keeps it for the
    // step ids that still exist.
    let ids = |mask| {
        let mut list = Vec::new();
        for id in tour::ids_of(&exp.steps, mask) {
            list.push(Json::from(id));
        }
        Json::Arr(list)
    };
    if log.tour.advanced != 0 {
        o.insert("advanced", ids(log.tour.advanced));
    }
    if log.tour.held != 0 {
        o.insert("held", ids(log.tour.held));
    }
    if log.tour.completed {
        o.insert("completed", Json::Bool(true));
    }
    (!o.is_empty()).then_some(Json::Obj(o))
}

/// The whole stored state of a user.
pub fn export(config: &CompiledConfig, user: &UserState) -> Json {
    let stage = user.stage.held.and_then(|h| {
        let s = config.stages.stages.get(h.index)?;
        Some(crate::obj! { "id" => &*s.id, "since" => ms(h.since) })
    });
    let name = |s: &Option<Box<str>>| s.as_deref().map_or(Json::Null, Json::from);
    let mut transitions = Vec::with_capacity(user.stage.transitions.len());
    for t in &user.stage.transitions {
        transitions.push(Json::Arr(vec![name(&t.from), name(&t.to), ms(t.at)]));
    }
    let mut interactions = Obj::new();
    for (e, log) in config.experiences.experiences.iter().zip(&user.interactions) {
        if let Some(j) = log_json(log, e) {
            interactions.insert(&*e.def.id, j);
        }
    }
    let mut exposed = Vec::with_capacity(user.exposed.len());
    for (k, v) in user.exposed.keys() {
        exposed.push(Json::Arr(vec![Json::from(&**k), Json::from(&**v)]));
    }
    crate::obj! {
        "format" => STATE_FORMAT,
        "version" => STATE_VERSION as f64,
        "user" => &*user.user_id,
        "attributes" => user.attributes.clone(),
        "entitlements" => user.entitlements.clone(),
        "tz" => user.history.tz_offset_minutes as f64,
        "last_step" => opt_ms(user.last_step),
        "history_now" => opt_ms((user.history.now != Millis::MIN).then_some(user.history.now)),
        "stage" => stage.unwrap_or(Json::Null),
        "transitions" => Json::Arr(transitions),
        "signals" => signals_json(config, &user.history),
        "journal" => user.history.journal.to_json(),
        "interactions" => Json::Obj(interactions),
        "exposed" => Json::Arr(exposed),
    }
}

fn corrupt(what: &str) -> StateError {
    StateError::Corrupt(what.to_string())
}

/// A time field: absent or null is None; anything but a whole number of
/// milliseconds in range is damage.
fn time_field(o: &Obj, key: &str) -> Result<Option<Millis>, StateError> {
    match o.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => time_value(v).map(Some).ok_or_else(|| corrupt(key)),
    }
}

fn time_value(v: &Json) -> Option<Millis> {
    let n = v.as_f64()?;
    (n.fract() == 0.0 && (MIN_TIME as f64..=MAX_TIME as f64).contains(&n)).then_some(n as Millis)
}

/// Checks that a value is a state of ours and of our version, for this user.
pub fn check_header(o: &Obj, user_id: Option<&str>) -> Result<(), StateError> {
    check_header_of(o, STATE_FORMAT, user_id)
}

/// Checks that a value is of `format` and our version, for this user.
pub fn check_header_of(o: &Obj, format: &str, user_id: Option<&str>) -> Result<(), StateError> {
    if o.get("format").and_then(Json::as_str) != Some(format) {
        return Err(StateError::NotAState);
    }
    match o.get("version") {
        Some(Json::Num(v)) if *v == STATE_VERSION as f64 => {}
        Some(other) => return Err(StateError::UnknownVersion(other.to_json_string())),
        None => return Err(StateError::UnknownVersion("none".into())),
    }
    match (user_id, o.get("user").and_then(Json::as_str)) {
        (_, None) => Err(corrupt("user")),
        (Some(expected), Some(found)) if expected != found => Err(StateError::OtherUser),
        _ => Ok(()),
    }
}

/// Rebuilds the stored signals into `history` (which must be fresh for
/// `config`): a signal keeps its data when its definition is unchanged.
pub fn restore_signals(config: &CompiledConfig, history: &mut History, signals: &Obj, notes: &mut Vec<RestoreNote>) {
    let tz = history.tz_offset_minutes;
    for (i, signal) in config.signals.signals.iter().enumerate() {
        if matches!(signal.form, crate::model::SignalForm::Ratio { .. }) {
            continue;
        }
        let Some(stored) = signals.get(&signal.id) else {
            notes.push(RestoreNote {
                code: ErrorCode::SignalReset,
                message: format!("signal {} is new: it starts empty", signal.id),
            });
            continue;
        };
        if stored.get("def").and_then(Json::as_str) != Some(&*signal.fingerprint) {
            notes.push(RestoreNote {
                code: ErrorCode::SignalReset,
                message: format!("signal {} changed definition: it starts empty", signal.id),
            });
            continue;
        }
        match stored.get("state").and_then(|s| SignalState::from_json(signal, s, tz)) {
            Some(state) => {
                if let Some(slot) = history.states.get_mut(i) {
                    *slot = state;
                }
            }
            None => notes.push(RestoreNote {
                code: ErrorCode::PartCorrupt,
                message: format!("the stored data of signal {} is damaged: it starts empty", signal.id),
            }),
        }
    }
}

fn restore_log(v: &Json, exp: &CompiledExperience) -> Option<ExperienceLog> {
    let o = v.as_obj()?;
    let flag = |k: &str| o.get(k).map_or(Some(false), Json::as_bool);
    let time = |k: &str| match o.get(k) {
        None => Some(None),
        Some(v) => time_value(v).map(Some),
    };
    let impressions = match o.get("impressions") {
        None => Default::default(),
        Some(Json::Arr(list)) => {
            let mut times = std::collections::VecDeque::new();
            for t in list {
                times.push_back(time_value(t)?);
            }
            times
        }
        Some(_) => return None,
    };
    let steps = |k: &str| -> Option<u32> {
        match o.get(k) {
            None => Some(0),
            Some(Json::Arr(ids)) => {
                let mut strs = Vec::new();
                for id in ids {
                    strs.push(id.as_str()?);
                }
                Some(tour::mask_of(&exp.steps, &strs))
            }
            Some(_) => None,
        }
    };
    // Progress of an experience that is no longer a tour is dropped.
    let progress = match exp.is_tour {
        true => Progress { advanced: steps("advanced")?, held: steps("held")?, completed: flag("completed")? },
        false => Progress::default(),
    };
    Some(ExperienceLog {
        last_shown: time("shown")?,
        showing: flag("showing")?,
        impressions,
        last_dismissed: time("dismissed")?,
        dismissed_for_good: flag("for_good")?,
        converted: flag("converted")?,
        tour: progress,
    })
}

fn restore_transitions(v: Option<&Json>) -> Option<std::collections::VecDeque<Transition>> {
    let name = |j: &Json| match j {
        Json::Null => Some(None),
        Json::Str(s) => Some(Some(s.clone())),
        _ => None,
    };
    let list = match v {
        None => return Some(Default::default()),
        Some(v) => v.as_arr()?,
    };
    let kept = list.get(list.len().saturating_sub(MAX_TRANSITIONS)..).unwrap_or_default();
    let mut out = std::collections::VecDeque::new();
    for t in kept {
        match t.as_arr()? {
            [from, to, at] => out.push_back(Transition { from: name(from)?, to: name(to)?, at: time_value(at)? }),
            _ => return None,
        }
    }
    Some(out)
}

/// Rebuilds a user's state for `config` from its stored form.
pub fn restore(
    config: &CompiledConfig,
    state: &Json,
    user_id: &str,
) -> Result<(UserState, Vec<RestoreNote>), StateError> {
    let o = state.as_obj().ok_or(StateError::NotAState)?;
    check_header(o, Some(user_id))?;
    let mut notes = Vec::new();
    let object = |k: &str| match o.get(k) {
        None => Ok(Json::Obj(Obj::new())),
        Some(v @ Json::Obj(_)) => Ok(v.clone()),
        Some(_) => Err(corrupt(k)),
    };
    let tz = match o.get("tz") {
        None => 0,
        Some(Json::Num(n)) if n.fract() == 0.0 && n.abs() <= crate::limits::MAX_TZ_OFFSET as f64 => *n as i32,
        Some(_) => return Err(corrupt("tz")),
    };
    let mut history = config.signals.new_history(tz);
    if let Some(now) = time_field(o, "history_now")? {
        history.now = now;
    }
    match o.get("signals") {
        None => {}
        Some(Json::Obj(signals)) => restore_signals(config, &mut history, signals, &mut notes),
        Some(_) => return Err(corrupt("signals")),
    }
    match o.get("journal").map(crate::signal::journal::Journal::from_json) {
        None => {}
        Some(Some(journal)) => history.journal = journal,
        Some(None) => notes.push(RestoreNote {
            code: ErrorCode::PartCorrupt,
            message: "the journal of recent events is damaged: a later import may count them once less".into(),
        }),
    }
    let held = match o.get("stage") {
        None | Some(Json::Null) => None,
        Some(s) => {
            let id = s.get("id").and_then(Json::as_str).ok_or_else(|| corrupt("stage"))?;
            let since = s.get("since").and_then(time_value).ok_or_else(|| corrupt("stage"))?;
            match config.stages.index_of(id) {
                Some(index) => Some(HeldStage { index, since }),
                None => {
                    notes.push(RestoreNote {
                        code: ErrorCode::StageDropped,
                        message: format!("stage {id} is no longer in the config: the stage is evaluated afresh"),
                    });
                    None
                }
            }
        }
    };
    let transitions = restore_transitions(o.get("transitions")).unwrap_or_else(|| {
        notes.push(RestoreNote {
            code: ErrorCode::PartCorrupt,
            message: "the stage history is damaged: it starts empty".into(),
        });
        Default::default()
    });
    let mut interactions = ExperienceLog::empty_list(config.experiences.experiences.len());
    if let Some(stored) = o.get("interactions").and_then(Json::as_obj) {
        for (id, v) in stored.iter() {
            let (Some(i), Some(exp)) = (config.experiences.index_of(id), config.experiences.get(id)) else { continue };
            match (restore_log(v, exp), interactions.get_mut(i)) {
                (Some(log), Some(slot)) => *slot = log,
                _ => notes.push(RestoreNote {
                    code: ErrorCode::PartCorrupt,
                    message: format!("the stored interactions of experience {id} are damaged: they start empty"),
                }),
            }
        }
    }
    let mut exposed = Exposed::new();
    // Exposures carry over where the experiment and variation still exist.
    for pair in o.get("exposed").and_then(Json::as_arr).unwrap_or(&[]) {
        if let Some([Json::Str(k), Json::Str(v)]) = pair.as_arr() {
            if config.experiences.has_variation(k, v) {
                exposed.add((k.clone(), v.clone()));
            }
        }
    }
    let mut identity = [object("attributes")?, object("entitlements")?];
    for (value, name) in identity.iter_mut().zip(["attributes", "entitlements"]) {
        // Deeper than identify accepts: the envelope could not be read back.
        if value.depth() > crate::limits::MAX_IDENTITY_DEPTH {
            *value = Json::Obj(Obj::new());
            notes.push(RestoreNote {
                code: ErrorCode::PartCorrupt,
                message: format!("the stored {name} are nested too deep: dropped"),
            });
        }
    }
    let [attributes, entitlements] = identity;
    let mut user = UserState {
        user_id: user_id.into(),
        attributes,
        entitlements,
        history,
        stage: StageState { held, transitions },
        interactions,
        exposed,
        last_step: time_field(o, "last_step")?,
    };
    // Nothing the engine records is later than the user's last step: a
    // later time (a stage entered ten years ahead) is damage, moved back.
    match (user.last_step, user.latest_time()) {
        (Some(last), Some(latest)) if latest > last => {
            user.clamp_to(last);
            notes.push(RestoreNote {
                code: ErrorCode::TimeClamped,
                message: format!(
                    "stored times up to {} after the user's last step were moved back to it",
                    crate::time::format_duration_approx(latest - last)
                ),
            });
        }
        // Times but no step: the latest is taken for the last step, so
        // that no later time is ever kept (a host moves a state far ahead
        // of its clock back with `Engine::clamp_to`, as the package does).
        (None, Some(latest)) => {
            user.last_step = Some(latest);
            notes.push(RestoreNote {
                code: ErrorCode::PartCorrupt,
                message: "the state holds times but no last step: its latest time is taken as the last step".into(),
            });
        }
        _ => {}
    }
    Ok((user, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `log_json` stores a log exactly when it differs from an empty one:
    /// each field set alone writes a key (the check that replaced
    /// `*log == ExperienceLog::default()`).
    #[test]
    fn a_log_is_stored_when_any_field_is_set() {
        let text = r#"{"version": 1, "stages": [{"id": "all", "when": {}}], "experiences": [{"id": "guide", "slot": "main", "kind": "tour",
            "when": {}, "content": {"title": "Guide"}, "steps": [{"id": "one"}, {"id": "two"}]}]}"#;
        let config = crate::config::compile_text(text).map(|c| c.config).unwrap_or_else(|p| panic!("{p:?}"));
        let exp = config.experiences.get("guide").unwrap_or_else(|| panic!("no guide"));
        assert_eq!(log_json(&ExperienceLog::default(), exp), None);
        let sets: [fn(&mut ExperienceLog); 9] = [
            |l| l.last_shown = Some(0),
            |l| l.showing = true,
            |l| l.impressions.push_back(0),
            |l| l.last_dismissed = Some(0),
            |l| l.dismissed_for_good = true,
            |l| l.converted = true,
            |l| l.tour.advanced = 1,
            |l| l.tour.held = 2,
            |l| l.tour.completed = true,
        ];
        for (i, set) in sets.iter().enumerate() {
            let mut log = ExperienceLog::default();
            set(&mut log);
            assert!(log_json(&log, exp).is_some(), "field {i} set alone is not stored");
        }
    }
}
