//! The browser package's stored value, the envelope:
//! `{"v": 1, "applied": [[stepId, seen]], "engine": <the engine's state>}`.
//!
//! `applied` tells which steps of other tabs (and of this tab's earlier
//! page loads) the state already holds, so that none is applied twice. A
//! tab numbers its steps `<tabId>.1`, `<tabId>.2`, … and its outbox lists
//! them in order, so one mark per tab, its latest step applied, says it
//! all: the stored value stays bounded by the number of tabs, whatever the
//! number of steps (a tab's own ids are not kept one by one).
//!
//! Every part is checked as the engine's part is: an envelope that is not
//! ours or of another version is refused whole (the package sets it
//! aside); damaged marks are dropped alone, with a `part_corrupt` note.

use super::{RestoreNote, StateError};
use crate::code::ErrorCode;
use crate::json::Json;
use crate::time::{Millis, DAY, MAX_TIME, MIN_TIME};

/// The envelope's version.
pub const ENVELOPE_VERSION: u32 = 1;

/// Most tabs whose latest step is remembered (the least recently seen go
/// first). A page load is a tab: 64 covers any real number of tabs open
/// within an outbox's life (2 minutes).
pub const MAX_TABS: usize = 64;

/// A tab's mark is forgotten this long after one of its steps was last
/// seen (by the clock of the tab that saw it). An outbox keeps a step for
/// 2 minutes; a day also covers clocks that disagree by hours.
pub const MARK_TTL: Millis = DAY;

/// Longest tab id accepted in a step id.
pub const MAX_TAB_ID_CHARS: usize = 32;

/// The largest step number: JavaScript counts them exactly up to 2^53.
const MAX_SEQ: u64 = 1 << 53;

/// A step id, `<tabId>.<n>`: the tab (1 to 32 of `0-9a-z`) and the step's
/// number (from 1, no leading zero). None for anything else.
pub fn parse_step_id(id: &str) -> Option<(&str, u64)> {
    // By bytes: `rsplit_once('.')` brought `memrchr` into the wasm for
    // this one reader (its only use), and `parse` a `Result` to unwrap.
    let dot = id.bytes().rposition(|b| b == b'.')?;
    let (tab, seq) = (id.get(..dot)?, id.get(dot + 1..)?);
    let tab_ok = !tab.is_empty()
        && tab.len() <= MAX_TAB_ID_CHARS
        && tab.bytes().all(|b| b.is_ascii_digit() || b.is_ascii_lowercase());
    let seq_ok = !seq.is_empty() && seq.len() <= 16 && !seq.starts_with('0') && seq.bytes().all(|b| b.is_ascii_digit());
    if !(tab_ok && seq_ok) {
        return None;
    }
    // At most 16 digits: no overflow.
    let n = seq.bytes().fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    (n <= MAX_SEQ).then_some((tab, n))
}

/// One tab's latest step applied, and when it was last seen.
#[derive(Clone, Debug, PartialEq)]
struct Mark {
    tab: Box<str>,
    seq: u64,
    seen: Millis,
}

/// The latest step applied of each tab (at most `MAX_TABS`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StepMarks(Vec<Mark>);

impl StepMarks {
    /// Whether step `id` is new; a new step is marked as applied at `now`.
    /// An id seen before (or earlier in its tab's order) is not new, and
    /// refreshes its tab's mark: the mark lives as long as the outbox that
    /// shows the step again. A malformed id is never new.
    pub fn accept(&mut self, id: &str, now: Millis) -> bool {
        let Some((tab, seq)) = parse_step_id(id) else { return false };
        match self.0.iter_mut().find(|m| &*m.tab == tab) {
            Some(mark) => {
                mark.seen = mark.seen.max(now);
                if seq <= mark.seq {
                    return false;
                }
                mark.seq = seq;
                true
            }
            None => {
                // Room is made among the other tabs: the mark of the step
                // being accepted stays, even when the others were seen
                // later (a tab whose clock runs ahead), or the same step
                // would be accepted again.
                if self.0.len() >= MAX_TABS {
                    self.forget_oldest();
                }
                self.0.push(Mark { tab: tab.into(), seq, seen: now });
                true
            }
        }
    }

    /// Keeps the `MAX_TABS` marks seen last.
    fn keep_latest(&mut self) {
        while self.0.len() > MAX_TABS {
            self.forget_oldest();
        }
    }

    /// Drops the mark seen first.
    fn forget_oldest(&mut self) {
        // The first of the earliest, as `min_by_key` finds it, by a loop.
        let mut oldest: Option<(usize, Millis)> = None;
        for (i, m) in self.0.iter().enumerate() {
            if oldest.is_none_or(|(_, seen)| m.seen < seen) {
                oldest = Some((i, m.seen));
            }
        }
        if let Some((i, _)) = oldest {
            self.0.remove(i);
        }
    }

    /// Forgets the marks not seen for `MARK_TTL` before `now`.
    pub fn forget_before(&mut self, now: Millis) {
        self.0.retain(|m| m.seen > now.saturating_sub(MARK_TTL));
    }

    /// Moves the times later than `now` back to it (a clock that ran ahead).
    pub fn clamp_to(&mut self, now: Millis) -> bool {
        let mut moved = false;
        for m in &mut self.0 {
            if m.seen > now {
                m.seen = now;
                moved = true;
            }
        }
        moved
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Stored form: `[["<tabId>.<n>", seen], …]`.
    pub fn to_json(&self) -> Json {
        let mut list = Vec::with_capacity(self.0.len());
        for m in &self.0 {
            // `seq` is at most 2^53 (`parse_step_id`): as an `i64` it
            // writes the same, and `u64`'s `Display` stays out of the wasm.
            list.push(Json::Arr(vec![Json::from(format!("{}.{}", m.tab, m.seq as i64)), Json::Num(m.seen as f64)]));
        }
        Json::Arr(list)
    }

    /// Reads the stored form. Damaged entries are dropped, with one
    /// `part_corrupt` note (a step they marked may be applied again). The
    /// form of earlier versions, one entry per step, reads the same: each
    /// tab keeps its latest step.
    pub fn from_json(v: Option<&Json>, notes: &mut Vec<RestoreNote>) -> StepMarks {
        let mut marks = StepMarks::default();
        let list = match v {
            None | Some(Json::Null) => return marks,
            Some(Json::Arr(list)) => list,
            Some(other) => {
                notes.push(RestoreNote {
                    code: ErrorCode::PartCorrupt,
                    message: format!(
                        "the list of steps from other tabs already applied is {}, not a list: it starts empty (a \
                         step of another tab may count twice)",
                        other.type_name()
                    ),
                });
                return marks;
            }
        };
        let mut damaged = 0usize;
        for entry in list {
            let parsed = match entry.as_arr() {
                Some([Json::Str(id), Json::Num(at)])
                    if at.fract() == 0.0 && (MIN_TIME as f64..=MAX_TIME as f64).contains(at) =>
                {
                    parse_step_id(id).map(|(tab, seq)| (tab, seq, *at as Millis))
                }
                _ => None,
            };
            let Some((tab, seq, seen)) = parsed else {
                damaged += 1;
                continue;
            };
            match marks.0.iter_mut().find(|m| &*m.tab == tab) {
                Some(m) => {
                    m.seq = m.seq.max(seq);
                    m.seen = m.seen.max(seen);
                }
                None => marks.0.push(Mark { tab: tab.into(), seq, seen }),
            }
        }
        marks.keep_latest();
        if damaged > 0 {
            notes.push(RestoreNote {
                code: ErrorCode::PartCorrupt,
                message: format!(
                    "{damaged} entr{} of the list of steps from other tabs already applied {} damaged: dropped (a step \
                     of another tab may count twice)",
                    if damaged == 1 { "y" } else { "ies" },
                    if damaged == 1 { "was" } else { "were" }
                ),
            });
        }
        marks
    }
}

/// The parts of a stored envelope: the engine's state (to restore) and
/// the marks. Refused whole: a value that is not an object or has no `v`
/// (`NotAState`), another version (`UnknownVersion`), no engine state
/// object (`Corrupt`).
pub fn open(value: &Json) -> Result<(&Json, StepMarks, Vec<RestoreNote>), StateError> {
    let o = value.as_obj().ok_or(StateError::NotAState)?;
    match o.get("v") {
        None => return Err(StateError::NotAState),
        Some(Json::Num(v)) if *v == ENVELOPE_VERSION as f64 => {}
        Some(other) => return Err(StateError::UnknownVersion(other.to_json_string())),
    }
    let engine = match o.get("engine") {
        Some(e @ Json::Obj(_)) => e,
        Some(other) => {
            return Err(StateError::Corrupt(format!("the envelope's engine state is {}", other.type_name())))
        }
        None => return Err(StateError::Corrupt("the envelope holds no engine state".into())),
    };
    let mut notes = Vec::new();
    let marks = StepMarks::from_json(o.get("applied"), &mut notes);
    Ok((engine, marks, notes))
}

/// The envelope's text, around the engine's state text.
pub fn write(marks: &StepMarks, engine: &str) -> String {
    let mut out = String::with_capacity(engine.len() + 32 + marks.len() * 40);
    out.push_str("{\"v\":");
    crate::json::write_number(f64::from(ENVELOPE_VERSION), &mut out);
    out.push_str(",\"applied\":");
    marks.to_json().write_to(&mut out);
    out.push_str(",\"engine\":");
    out.push_str(engine);
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_ids() {
        assert_eq!(parse_step_id("mwt85t76jbfk4x.5"), Some(("mwt85t76jbfk4x", 5)));
        for bad in ["", ".", "a.", ".1", "a.0", "a.01", "A.1", "a.b", "a.-1", "a.1.x", "a b.1", "a.99999999999999999"] {
            assert_eq!(parse_step_id(bad), None, "{bad:?}");
        }
        assert_eq!(parse_step_id(&format!("{}.1", "a".repeat(33))), None);
    }

    #[test]
    fn one_mark_per_tab_whatever_the_steps() {
        let mut marks = StepMarks::default();
        for n in 1..=100_000u64 {
            assert!(marks.accept(&format!("tab.{n}"), n as Millis));
        }
        assert_eq!(marks.len(), 1);
        assert!(!marks.accept("tab.99999", 5), "an earlier step of the tab was applied");
        assert!(marks.accept("other.3", 7));
        assert_eq!(marks.to_json().to_json_string(), r#"[["tab.100000",100000],["other.3",7]]"#);
    }

    #[test]
    fn at_most_max_tabs_the_least_recently_seen_go() {
        let mut marks = StepMarks::default();
        for t in 0..(MAX_TABS as Millis + 10) {
            marks.accept(&format!("t{t}.1"), 1000 + t);
        }
        assert_eq!(marks.len(), MAX_TABS);
        assert!(marks.accept("t0.1", 5000), "t0 was forgotten");
        assert!(!marks.accept("t70.1", 5000));
    }

    #[test]
    fn damaged_entries_are_dropped_with_one_note() {
        let stored = crate::json::parse(
            r#"[null, 5, {}, ["x"], ["a.1", "zz"], ["a.2", 1e300], ["b.3", 10], ["b.1", 20], ["c.1", 1.5]]"#,
        )
        .unwrap();
        let mut notes = Vec::new();
        let marks = StepMarks::from_json(Some(&stored), &mut notes);
        assert_eq!(marks.to_json().to_json_string(), r#"[["b.3",20]]"#);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].code, "part_corrupt");
        let mut notes = Vec::new();
        assert!(StepMarks::from_json(Some(&Json::from("x")), &mut notes).is_empty());
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn envelopes() {
        let ok = crate::json::parse(r#"{"v":1,"applied":[["a.1",5]],"engine":{"format":"onstage-state"}}"#).unwrap();
        let (engine, marks, notes) = open(&ok).unwrap();
        assert_eq!(engine.get("format").and_then(Json::as_str), Some("onstage-state"));
        assert_eq!((marks.len(), notes.len()), (1, 0));
        assert_eq!(write(&marks, "{}"), r#"{"v":1,"applied":[["a.1",5]],"engine":{}}"#);
        for (text, code) in [
            ("[]", "state_not_recognized"),
            (r#"{"engine":{}}"#, "state_not_recognized"),
            (r#"{"v":2,"engine":{}}"#, "state_unknown_version"),
            (r#"{"v":"1","engine":{}}"#, "state_unknown_version"),
            (r#"{"v":1}"#, "state_corrupt"),
            (r#"{"v":1,"engine":5}"#, "state_corrupt"),
        ] {
            let v = crate::json::parse(text).unwrap();
            assert_eq!(open(&v).err().map(|e| e.code().as_str()), Some(code), "{text}");
        }
    }
}
