//! Import summaries: a user's signal history as of a moment, computed by
//! onstage itself (`onstage summarize`) from a backend's event export, in
//! the store's own format, so no backend reimplements the signal logic.
//!
//! Importing one supersedes the local history before its `as_of` and
//! counts the local events after it again on top (from the journal);
//! importing it twice changes nothing.

use crate::code::ErrorCode;
use crate::config::CompiledConfig;
use crate::error::InputError;
use crate::input::{check_event, event_time};
use crate::json::{Json, Obj};
use crate::persist::{check_header_of, restore_signals, signals_json, RestoreNote, StateError};
use crate::signal::{History, RecordedEvent};
use crate::time::Millis;

pub const SUMMARY_FORMAT: &str = "onstage-summary";

/// One event of a backend export.
pub struct ExportedEvent<'a> {
    pub name: &'a str,
    pub props: &'a Json,
    pub at: Millis,
}

/// The summary of `events` (any order) for `user` as of `as_of`: events
/// after `as_of` are left out. A bad event is refused with its index.
pub fn summarize(
    config: &CompiledConfig,
    user: &str,
    events: &[ExportedEvent],
    as_of: Millis,
) -> Result<Json, (usize, InputError)> {
    // Every event is checked, also those after as_of: a bad export is
    // refused whole rather than summarized in part.
    for (i, e) in events.iter().enumerate() {
        check_event(e.name, e.props).map_err(|err| (i, err))?;
    }
    let mut order: Vec<(usize, &ExportedEvent)> = events.iter().enumerate().filter(|(_, e)| e.at <= as_of).collect();
    // In time order, events at the same time in input order.
    crate::collections::heap_sort_by(&mut order, |(i, a), (j, b)| (a.at, i) < (b.at, j));
    let mut history = config.signals.new_history(0);
    let empty = Obj::new();
    for (i, e) in order {
        // Each event is recorded at its own time, in time order.
        history.advance(e.at);
        let at = event_time(None, e.at).map_err(|err| (i, err))?;
        let props = e.props.as_obj().unwrap_or(&empty);
        config.signals.feed(&mut history, &RecordedEvent { name: e.name, props, at }, 1);
    }
    history.advance(as_of);
    Ok(crate::obj! {
        "format" => SUMMARY_FORMAT,
        "version" => crate::persist::STATE_VERSION as f64,
        "user" => user,
        "as_of" => as_of as f64,
        "signals" => signals_json(config, &history),
    })
}

/// The history an import gives: the summary's signals as of `as_of`, then
/// the journal's events after it, advanced to `now`.
pub fn import(
    config: &CompiledConfig,
    local: &History,
    summary: &Json,
    user: &str,
    now: Millis,
) -> Result<(History, Vec<RestoreNote>), StateError> {
    let o = summary.as_obj().ok_or(StateError::NotAState)?;
    check_header_of(o, SUMMARY_FORMAT, Some(user))?;
    let as_of = o
        .get("as_of")
        .and_then(Json::as_f64)
        .filter(|t| t.fract() == 0.0 && (0.0..=now as f64).contains(t))
        .ok_or_else(|| StateError::Corrupt("as_of (a time in ms, not after now)".into()))? as Millis;
    let signals = o.get("signals").and_then(Json::as_obj).ok_or_else(|| StateError::Corrupt("signals".into()))?;
    let mut notes = Vec::new();
    let mut history = config.signals.new_history(local.tz_offset_minutes);
    restore_signals(config, &mut history, signals, &mut notes);
    // A summary holds nothing after its as_of: later times are damage.
    if history.latest().is_some_and(|l| l > as_of) {
        history.clamp_to(as_of);
        notes.push(RestoreNote {
            code: ErrorCode::TimeClamped,
            message: "the summary holds events after its as_of: they count at as_of".into(),
        });
    }
    history.now = as_of;
    if local.journal.forgotten_until.is_some_and(|f| f > as_of) {
        notes.push(RestoreNote {
            code: ErrorCode::ImportLossy,
            message: "the summary is older than the local journal (a day): local events between its as_of and \
                      the journal's start are superseded"
                .into(),
        });
    }
    // The local events after as_of count again on top. An entry whose
    // events straddle as_of (same minute) is kept: better once more than lost.
    for entry in local.journal.entries() {
        if entry.last > as_of {
            let event = RecordedEvent { name: &entry.name, props: &entry.props, at: entry.minute };
            config.signals.feed(&mut history, &event, entry.count);
        }
    }
    history.journal = local.journal.clone();
    history.advance(now.max(as_of));
    Ok((history, notes))
}

/// Events an export may hold, at most: `summarize` keeps every event
/// until the end (an export lists users in any order), about 100 bytes each.
pub const MAX_EXPORT_EVENTS: usize = 10_000_000;

/// Why an export could not be summarized.
#[cfg(feature = "text")]
#[derive(Debug)]
pub enum ExportError {
    /// A bad line or event, or a limit: the input is refused.
    Refused(String),
    /// The export could not be read or the output written.
    Io(String),
}

#[cfg(feature = "text")]
impl ExportError {
    pub fn is_io(&self) -> bool {
        matches!(self, ExportError::Io(_))
    }
}

#[cfg(feature = "text")]
impl std::fmt::Display for ExportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExportError::Refused(m) | ExportError::Io(m) => f.write_str(m),
        }
    }
}

/// Reads an event export (JSON Lines `{"user", "name", "at", "props"}`)
/// and writes one summary line per user (in user id order). Each event is
/// checked as it is read, and only the props the config reads are kept.
#[cfg(feature = "text")]
pub fn summarize_export(
    config: &CompiledConfig,
    input: impl std::io::BufRead,
    mut out: impl std::io::Write,
    as_of: Millis,
) -> Result<usize, ExportError> {
    use crate::lines::LineError;
    use std::collections::BTreeMap;
    struct Line {
        name: Box<str>,
        props: Json,
        at: Millis,
    }
    let refused = |no: usize, m: String| ExportError::Refused(format!("line {no}: {m}"));
    let read_props = config.signals.read_props();
    let mut users: BTreeMap<String, Vec<Line>> = BTreeMap::new();
    let mut events = 0usize;
    for (no, line) in crate::lines::lines(input) {
        let text = match line {
            Ok(text) => text,
            Err(LineError::Io(e)) => return Err(ExportError::Io(format!("line {no}: {e}"))),
            Err(e @ LineError::TooLong) => return Err(refused(no, format!("{e} [limit_exceeded]"))),
            Err(e @ LineError::NotUtf8) => return Err(refused(no, format!("{e} [invalid_json]"))),
        };
        if text.trim().is_empty() {
            continue;
        }
        let doc = crate::json::parse(&text).map_err(|e| refused(no, e))?;
        let field = |k: &str| doc.get(k).and_then(Json::as_str);
        let (Some(user), Some(name), Some(at)) = (field("user"), field("name"), field("at")) else {
            return Err(refused(
                no,
                "an exported event is {\"user\", \"name\", \"at\", \"props\"} with strings".into(),
            ));
        };
        crate::input::check_user_id(user).map_err(|e| refused(no, e.to_string()))?;
        let at = crate::time::parse_rfc3339(at).map_err(|e| refused(no, format!("at: {e}")))?;
        let props = doc.get("props").unwrap_or(&Json::Null);
        check_event(name, props).map_err(|e| refused(no, format!("{e} [{}]", e.code())))?;
        events += 1;
        if events > MAX_EXPORT_EVENTS {
            return Err(refused(no, format!("the export holds more than {MAX_EXPORT_EVENTS} events [limit_exceeded]")));
        }
        let kept: Obj = match props {
            Json::Obj(o) => read_props.iter().filter_map(|k| o.get(k).map(|v| (k.clone(), v.clone()))).collect(),
            _ => Obj::new(),
        };
        users.entry(user.to_string()).or_default().push(Line { name: name.into(), props: Json::Obj(kept), at });
    }
    // Nothing is written unless every user's summary could be made.
    let mut text = String::new();
    for (user, lines) in &users {
        let events: Vec<ExportedEvent> =
            lines.iter().map(|l| ExportedEvent { name: &l.name, props: &l.props, at: l.at }).collect();
        let summary = summarize(config, user, &events, as_of)
            .map_err(|(_, e)| ExportError::Refused(format!("{e} [{}]", e.code())))?;
        summary.write_to(&mut text);
        text.push('\n');
    }
    out.write_all(text.as_bytes()).and_then(|()| out.flush()).map_err(|e| ExportError::Io(e.to_string()))?;
    Ok(users.len())
}
