//! Timeline steps (DESIGN, "Native"): the JSON form of the engine's
//! steps, shared by `onstage simulate` and the browser tests, so both
//! replay a timeline the same way.

use crate::code::ErrorCode;
use crate::engine::{Engine, Identity, Interaction, Slots};
use crate::input::slots_from_json;
use crate::json::{Json, Obj, ObjectWriter};
use crate::time::parse_rfc3339;

/// A step that could not be parsed or applied: a stable code and a message.
pub type StepError = (ErrorCode, String);

/// One parsed step of a timeline.
pub enum Step<'a> {
    Identify(Identity),
    Track {
        name: &'a str,
        props: &'a Json,
        timestamp: Option<i64>,
    },
    Interact(Interaction, &'a str),
    /// `{"advanced": tour, "step": step}`.
    Advance {
        tour: &'a str,
        step: &'a str,
    },
    /// An import summary (as `onstage summarize` writes it).
    Import(&'a Json),
    Decide(Vec<&'a str>),
}

const STEP_KEYS: &[&str] = &["identify", "track", "import", "shown", "dismissed", "converted", "advanced", "decide"];

fn input_err(e: crate::error::InputError) -> StepError {
    (e.code(), e.to_string())
}

pub fn bad(code: ErrorCode, message: impl Into<String>) -> (ErrorCode, String) {
    (code, message.into())
}

pub fn parse_step(line: &Json) -> Result<(&str, &str, Step<'_>), (ErrorCode, String)> {
    let Json::Obj(obj) = line else { return Err(bad(ErrorCode::BadStep, "a step is a JSON object")) };
    let user = match obj.get("user") {
        Some(Json::Str(u)) => u,
        Some(other) => {
            return Err(bad(ErrorCode::BadStep, format!("\"user\" must be a string, found {}", other.type_name())))
        }
        None => return Err(bad(ErrorCode::BadStep, "a step needs \"user\"")),
    };
    let at = match obj.get("at") {
        Some(Json::Str(at)) => at,
        _ => return Err(bad(ErrorCode::BadStep, "a step needs \"at\", an RFC 3339 time with an offset")),
    };
    let kinds: Vec<&str> = obj.keys().filter(|k| STEP_KEYS.contains(k)).collect();
    let (kind, allowed_extra): (&str, &[&str]) = match kinds.as_slice() {
        ["track"] => ("track", &["props", "timestamp"]),
        ["advanced"] => ("advanced", &["step"]),
        [one] => (one, &[]),
        [] => return Err(bad(ErrorCode::BadStep, format!("a step needs one of {}", STEP_KEYS.join(", ")))),
        many => return Err(bad(ErrorCode::BadStep, format!("a step has one action, found {}", many.join(" and ")))),
    };
    if let Some(unknown) =
        obj.keys().find(|k| !matches!(*k, "user" | "at") && !kinds.contains(k) && !allowed_extra.contains(k))
    {
        return Err(bad(ErrorCode::BadStep, format!("unknown field \"{unknown}\"")));
    }
    let value = obj.get(kind).unwrap_or(&Json::Null);
    let step = match kind {
        "identify" => Step::Identify(Identity::from_json(value).map_err(input_err)?),
        "track" => {
            let Json::Str(name) = value else {
                return Err(bad(ErrorCode::BadEventName, "\"track\" is the event name, a string"));
            };
            let timestamp = match obj.get("timestamp") {
                None => None,
                Some(Json::Str(t)) => Some(event_timestamp(t)?),
                Some(_) => return Err(bad(ErrorCode::BadTime, "\"timestamp\" is an RFC 3339 time")),
            };
            Step::Track { name, props: obj.get("props").unwrap_or(&Json::Null), timestamp }
        }
        "shown" | "dismissed" | "converted" => {
            let Json::Str(id) = value else {
                return Err(bad(ErrorCode::BadStep, format!("\"{kind}\" is an experience id")));
            };
            let interaction = match kind {
                "shown" => Interaction::Shown,
                "dismissed" => Interaction::Dismissed,
                _ => Interaction::Converted,
            };
            Step::Interact(interaction, id)
        }
        "advanced" => {
            let Json::Str(tour) = value else { return Err(bad(ErrorCode::BadStep, "\"advanced\" is a tour id")) };
            let Some(Json::Str(step)) = obj.get("step") else {
                return Err(bad(ErrorCode::BadStep, "an \"advanced\" step needs \"step\", the id of the tour's step"));
            };
            Step::Advance { tour, step }
        }
        "decide" => Step::Decide(slots_from_json(value).map_err(input_err)?),
        _ => Step::Import(value),
    };
    Ok((user, at, step))
}

fn event_timestamp(t: &str) -> Result<i64, StepError> {
    parse_rfc3339(t).map_err(|e| bad(ErrorCode::BadTime, format!("timestamp: {e}")))
}

/// What the steps read by [`read_step`] borrow beyond their lines, reused
/// from line to line.
#[derive(Default)]
pub struct StepStore {
    /// A track's props (those kept), an object whose entries the next
    /// track's props reuse: a prop of the same name keeps its key's
    /// allocation (and its value's when equal), so the props of most
    /// lines allocate nothing, and nothing is dropped per line.
    props: Json,
    /// The line's value, for a line read by the JSON reader.
    whole: Json,
}

/// The props of a track without an object of props.
static NO_PROPS: Json = Json::Null;

/// Reads one timeline line into its step: `(user, at, step)`, exactly as
/// [`parse_step`] reads the line's JSON value, errors included. `store`
/// holds what the step borrows beyond the line (a track's props, or the
/// whole line's value).
///
/// The two shapes almost every line of a replay has, a `track` and a
/// `decide` of `"*"` whose strings have no escapes, are read straight from
/// the text, borrowed from the line. A track's props are checked there as
/// `check_event` checks them, and only those named in `keep` (the props
/// the config reads, `SignalPlan::read_props`: all the engine looks at)
/// become a `Json` value; props that fail a check, or have anything
/// unusual, send the line to the JSON reader, so the engine refuses them
/// as it refuses them from any reader. Any other line, or anything unusual in one (an escape, a
/// key given twice, a value of another type, a syntax error), is read as a
/// whole JSON value and handed to [`parse_step`], which then reports it.
/// Measured: docs/architecture.md ("Replay speed").
pub fn read_step<'a>(
    line: &'a str,
    keep: &[Box<str>],
    store: &'a mut StepStore,
) -> Result<(&'a str, &'a str, Step<'a>), StepError> {
    let mut props = match std::mem::take(&mut store.props) {
        Json::Obj(props) => props,
        _ => Obj::new(),
    };
    let common = read_common_step(line, keep, &mut props);
    store.props = Json::Obj(props);
    match common {
        Some(Common::Track { user, at, name, props, timestamp }) => {
            let timestamp = timestamp.map(event_timestamp).transpose()?;
            let props = if props == Some(true) { &store.props } else { &NO_PROPS };
            Ok((user, at, Step::Track { name, props, timestamp }))
        }
        Some(Common::DecideAll { user, at }) => Ok((user, at, Step::Decide(vec!["*"]))),
        None => {
            store.whole = crate::json::parse(line).map_err(|e| bad(ErrorCode::InvalidJson, e))?;
            parse_step(&store.whole)
        }
    }
}

/// A line of one of the common shapes, read from its text.
enum Common<'t> {
    /// `props`: given as an object (read into the store's props, true)
    /// or as `null` (false), or not given.
    Track {
        user: &'t str,
        at: &'t str,
        name: &'t str,
        props: Option<bool>,
        timestamp: Option<&'t str>,
    },
    DecideAll {
        user: &'t str,
        at: &'t str,
    },
}

/// The line as a [`Common`] step, or None when it is not one exactly.
fn read_common_step<'t>(line: &'t str, keep: &[Box<str>], into: &mut Obj) -> Option<Common<'t>> {
    if let Some(common) = read_stringified(line, keep, into) {
        return Some(common);
    }
    let mut s = LineScan { text: line, pos: 0 };
    let (mut user, mut at, mut track, mut decide, mut timestamp, mut props) = (None, None, None, None, None, None);
    s.ws();
    s.byte(b'{')?;
    loop {
        s.ws();
        let key = s.step_key()?;
        s.ws();
        s.byte(b':')?;
        s.ws();
        let slot = match key {
            StepKey::User => &mut user,
            StepKey::At => &mut at,
            StepKey::Track => &mut track,
            StepKey::Decide => &mut decide,
            StepKey::Timestamp => &mut timestamp,
            StepKey::Props => {
                if props.is_some() {
                    return None;
                }
                props = Some(s.props(keep, into)?);
                s.ws();
                if s.byte(b',').is_some() {
                    continue;
                }
                s.byte(b'}')?;
                break;
            }
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(s.plain_string()?);
        s.ws();
        if s.byte(b',').is_some() {
            continue;
        }
        s.byte(b'}')?;
        break;
    }
    s.ws();
    if s.pos != line.len() {
        return None;
    }
    match (user?, at?, track, decide) {
        (user, at, Some(name), None) => Some(Common::Track { user, at, name, props, timestamp }),
        (user, at, None, Some("*")) if props.is_none() && timestamp.is_none() => Some(Common::DecideAll { user, at }),
        _ => None,
    }
}

/// A common line as `JSON.stringify` writes it (the keys `user`, `at`,
/// then `track` and perhaps `props`, or `decide`, in this order, without
/// whitespace), read as the literal text between its strings; None for
/// any other line (then [`read_common_step`] reads it key by key). What it
/// reads is what that reading gives.
fn read_stringified<'t>(line: &'t str, keep: &[Box<str>], into: &mut Obj) -> Option<Common<'t>> {
    let mut s = LineScan { text: line, pos: 0 };
    s.literal(b"{\"user\":")?;
    let user = s.plain_string()?;
    s.literal(b",\"at\":")?;
    let at = s.plain_string()?;
    if s.literal(b",\"decide\":\"*\"}").is_some() {
        return (s.pos == line.len()).then_some(Common::DecideAll { user, at });
    }
    s.literal(b",\"track\":")?;
    let name = s.plain_string()?;
    let props = match s.literal(b",\"props\":") {
        Some(()) => Some(s.props(keep, into)?),
        None => None,
    };
    s.byte(b'}')?;
    (s.pos == line.len()).then_some(Common::Track { user, at, name, props, timestamp: None })
}

/// The keys of the common lines.
#[derive(Clone, Copy)]
enum StepKey {
    User,
    At,
    Track,
    Decide,
    Timestamp,
    Props,
}

struct LineScan<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> LineScan<'t> {
    /// JSON's whitespace, as the JSON reader skips it.
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.text.as_bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    fn byte(&mut self, b: u8) -> Option<()> {
        (self.text.as_bytes().get(self.pos) == Some(&b)).then(|| self.pos += 1)
    }

    /// The bytes `text`, exactly.
    #[inline]
    fn literal(&mut self, text: &[u8]) -> Option<()> {
        let rest = self.text.as_bytes().get(self.pos..)?;
        rest.starts_with(text).then(|| self.pos += text.len())
    }

    /// One of the common lines' keys, quoted, as its text has it (without
    /// an escape); None for any other key (the line is then not common).
    fn step_key(&mut self) -> Option<StepKey> {
        const KEYS: [(&[u8], StepKey); 6] = [
            (b"\"user\"", StepKey::User),
            (b"\"at\"", StepKey::At),
            (b"\"track\"", StepKey::Track),
            (b"\"props\"", StepKey::Props),
            (b"\"decide\"", StepKey::Decide),
            (b"\"timestamp\"", StepKey::Timestamp),
        ];
        let rest = self.text.as_bytes().get(self.pos..)?;
        let &(text, key) = KEYS.iter().find(|(text, _)| rest.starts_with(text))?;
        self.pos += text.len();
        Some(key)
    }

    /// A string without escapes or control characters (what the JSON
    /// reader would read as the same characters), borrowed.
    #[inline]
    fn plain_string(&mut self) -> Option<&'t str> {
        self.byte(b'"')?;
        let start = self.pos;
        let rest = self.text.as_bytes().get(start..)?;
        let len = crate::json::plain_len(rest)?;
        if rest.get(len) != Some(&b'"') {
            return None;
        }
        self.pos = start + len + 1;
        self.text.get(start..start + len)
    }
}

impl LineScan<'_> {
    /// A track's props, read as [`read_step`] says: None when they are
    /// not a flat object of valid props with plain keys given once (or
    /// `null`), or anything in them is unusual. Those kept go `into` (the
    /// previous track's, whose entries are reused: `into` only ever holds
    /// kept props), which then holds them alone: true; `null`: false.
    fn props(&mut self, keep: &[Box<str>], into: &mut Obj) -> Option<bool> {
        use crate::limits::{MAX_PROP_KEY_CHARS, MAX_PROP_STRING_CHARS};
        if self.byte(b'{').is_none() {
            let (value, end) = crate::json::read_value_at(self.text, self.pos).ok()?;
            self.pos = end;
            return matches!(value, Json::Null).then_some(false);
        }
        // Which of `keep` (by index) this line gives; with more kept
        // props than bits, nothing is reused.
        let mut given = 0u64;
        if keep.len() > 64 {
            *into = Obj::new();
        }
        // Up to 16 props (a track with more goes to the JSON reader).
        let mut seen: [&str; 16] = [""; 16];
        let mut count = 0;
        self.ws();
        if self.byte(b'}').is_none() {
            loop {
                self.ws();
                let key = self.plain_string()?;
                let earlier = seen.get(..count)?;
                if key.is_empty()
                    || (key.len() > MAX_PROP_KEY_CHARS && key.chars().count() > MAX_PROP_KEY_CHARS)
                    || crate::json::is_reserved_key(key)
                    || earlier.contains(&key)
                {
                    return None;
                }
                *seen.get_mut(count)? = key;
                count += 1;
                self.ws();
                self.byte(b':')?;
                self.ws();
                let wanted = keep.iter().position(|k| **k == *key);
                if let Some(i) = wanted {
                    given |= 1u64.checked_shl(i as u32).unwrap_or(0);
                }
                if self.text.as_bytes().get(self.pos) == Some(&b'"') {
                    let text = self.plain_string()?;
                    if text.len() > MAX_PROP_STRING_CHARS && text.chars().count() > MAX_PROP_STRING_CHARS {
                        return None;
                    }
                    if wanted.is_some() {
                        match into.get_mut(key) {
                            Some(Json::Str(same)) if **same == *text => {}
                            Some(value) => *value = Json::from(text),
                            None => into.insert(key, Json::from(text)),
                        }
                    }
                } else {
                    let value = self.scalar()?;
                    if wanted.is_some() {
                        match into.get_mut(key) {
                            Some(slot) => *slot = value,
                            None => into.insert(key, value),
                        }
                    }
                }
                self.ws();
                if self.byte(b',').is_some() {
                    continue;
                }
                self.byte(b'}')?;
                break;
            }
        }
        // The props of the previous track that this one does not give.
        if keep.len() <= 64 && into.len() > given.count_ones() as usize {
            for (i, k) in keep.iter().enumerate() {
                if given & 1u64.checked_shl(i as u32).unwrap_or(0) == 0 {
                    into.remove(k);
                }
            }
        }
        Some(true)
    }

    /// A prop's value other than a string: null, a boolean or a finite
    /// number, as the JSON reader reads it. An integer of up to 15 digits
    /// (exact as a float) is read here, without the reader's text
    /// to number conversion.
    fn scalar(&mut self) -> Option<Json> {
        let bytes = self.text.as_bytes();
        let negative = bytes.get(self.pos) == Some(&b'-');
        let start = self.pos + usize::from(negative);
        let digits = bytes.get(start..)?.iter().take(16).take_while(|b| b.is_ascii_digit()).count();
        let leading_zero = digits > 1 && bytes.get(start) == Some(&b'0');
        let end = start + digits;
        let plain_end = !matches!(bytes.get(end), Some(b'.' | b'e' | b'E' | b'0'..=b'9'));
        if (1..=15).contains(&digits) && !leading_zero && plain_end {
            let n = bytes.get(start..end)?.iter().fold(0u64, |n, &d| n * 10 + u64::from(d - b'0'));
            self.pos = end;
            // Below 2^53: exact. `-0` is -0.0, as the reader has it.
            let n = n as f64;
            return Some(Json::Num(if negative { -n } else { n }));
        }
        let (value, end) = crate::json::read_value_at(self.text, self.pos).ok()?;
        self.pos = end;
        match value {
            Json::Null | Json::Bool(_) => Some(value),
            Json::Num(n) if n.is_finite() => Some(value),
            _ => None,
        }
    }
}

/// Applies one step at `at`; a `decide` step returns its output line
/// (`at_text` is echoed as given), as a JSON value read back from
/// [`apply_into`]'s text.
pub fn apply(
    engine: &mut Engine,
    step: Step,
    at: i64,
    at_text: &str,
    reasons: bool,
) -> Result<Option<Json>, StepError> {
    let mut line = String::new();
    Ok(apply_into(engine, step, at, at_text, reasons, &mut line)?
        .then(|| crate::json::parse(&line).unwrap_or_default()))
}

/// Applies one step at `at`; a `decide` step writes its output line to
/// `out` (without the line break) and returns true: `{user, at, stage,
/// segments, signals, decisions}`, the decisions by their one writer.
pub fn apply_into(
    engine: &mut Engine,
    step: Step,
    at: i64,
    at_text: &str,
    reasons: bool,
    out: &mut String,
) -> Result<bool, StepError> {
    match step {
        Step::Identify(identity) => engine.identify(identity, at).map_err(input_err)?,
        Step::Track { name, props, timestamp } => engine.track(name, props, timestamp, at).map_err(input_err)?,
        Step::Interact(interaction, id) => {
            engine.interact(interaction, id, at).map_err(input_err)?;
        }
        Step::Advance { tour, step } => {
            engine.advance(tour, step, at).map_err(input_err)?;
        }
        Step::Import(summary) => {
            engine.import_summary(summary, at).map_err(|e| bad(e.code(), e.to_string()))?;
        }
        Step::Decide(slots) => {
            let mut decisions = String::with_capacity(512);
            {
                let decision = engine.decide(Slots::Named(&slots), at, reasons).map_err(input_err)?;
                let mut o = ObjectWriter::new(&mut decisions);
                for d in &decision.slots {
                    d.write_json(o.key(d.slot), false);
                }
                o.end();
            }
            // Written from the engine's state (no `Evaluation` of owned copies).
            let mut o = ObjectWriter::new(out);
            o.str("user", &engine.user().user_id).str("at", at_text).opt_str("stage", engine.stage_id());
            o.strs("segments", engine.held_segments());
            let mut signals = ObjectWriter::new(o.key("signals"));
            for (id, v) in engine.signal_values() {
                signals.opt_num(id, v);
            }
            signals.end();
            o.key("decisions").push_str(&decisions);
            o.end();
            return Ok(true);
        }
    }
    Ok(false)
}

/// Parses a step's `at`.
pub fn step_time(at_text: &str) -> Result<i64, StepError> {
    parse_rfc3339(at_text).map_err(at_error)
}

/// [`step_time`], through a reader that keeps the day of the latest time.
#[cfg(feature = "text")]
pub fn step_time_in(times: &mut crate::time::TimeReader, at_text: &str) -> Result<i64, StepError> {
    times.parse(at_text).map_err(at_error)
}

fn at_error(e: String) -> StepError {
    bad(ErrorCode::BadTime, format!("at: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The props the tests keep (as a config that reads them would).
    fn keep() -> Vec<Box<str>> {
        vec!["x".into(), "units".into(), "s".into()]
    }

    fn describe(r: Result<(&str, &str, Step), StepError>) -> String {
        match r {
            Err((code, message)) => format!("error {code:?}: {message}"),
            Ok((user, at, step)) => {
                let step = match step {
                    Step::Track { name, props, timestamp } => {
                        let kept = match props {
                            Json::Obj(o) => {
                                // In the order of their names: a store
                                // reused from line to line keeps the order
                                // its props came in first.
                                let mut kept: Vec<(Box<str>, Json)> = o
                                    .iter()
                                    .filter(|(k, _)| keep().contains(&(*k).into()))
                                    .map(|(k, v)| (k.into(), v.clone()))
                                    .collect();
                                kept.sort_by(|a, b| a.0.cmp(&b.0));
                                Json::Obj(crate::json::Obj::from_pairs(kept))
                            }
                            other => other.clone(),
                        };
                        format!("track {name} {} {timestamp:?}", kept.to_json_string())
                    }
                    Step::Decide(slots) => format!("decide {slots:?}"),
                    Step::Identify(_) => "identify".into(),
                    Step::Interact(i, id) => format!("{i:?} {id}"),
                    Step::Advance { tour, step } => format!("advance {tour} {step}"),
                    Step::Import(j) => format!("import {}", j.to_json_string()),
                };
                format!("{user} {at} {step}")
            }
        }
    }

    /// The text reader of common lines reads exactly what the JSON value
    /// reader does, errors included, on lines of every shape.
    #[test]
    fn read_step_reads_as_parse_step() {
        let lines = [
            r#"{"user":"u1","at":"2026-01-01T00:00:00Z","track":"a"}"#,
            r#"{"user":"u1","at":"2026-01-01T00:00:00Z","track":"a","props":{"x":1,"y":"z","x":2}}"#,
            r#" { "at" : "t" , "track" : "a" , "user" : "u" , "timestamp" : "2026-01-01T00:00:00Z" } "#,
            r#"{"user":"u","at":"t","track":"a","timestamp":"bad"}"#,
            r#"{"user":"u","at":"t","track":"a","timestamp":5}"#,
            r#"{"user":"u","at":"t","track":"a","props":[1,2]}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"path":"/home","x":-1.5e3,"s":"v","b":true,"n":null}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{ "units" : 40 , "y" : "z" }}"#,
            r#"{"user":"u","at":"t","track":"a","props":{}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":-0,"units":123456789012345,"s":-7}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":1234567890123456,"units":-1234567890123456789}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":00}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":-}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":0.5e1,"units":2E3,"s":true}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":7 ,"units":-0.0}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"units":12x}}"#,
            r#"{"user":"u","at":"t","track":"a","props":null}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":1e999}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"y":{"a":1}}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"y":[1]}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"__proto__":1}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"":1}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"y":1,"y":2}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"y":"a\"b"}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"y":01}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"y":1,}}"#,
            r#"{"user":"u","at":"t","track":"a","props":5}"#,
            r#"{"user":"u","at":"t","track":"a\u0062"}"#,
            r#"{"user":"u","at":"t","track":"a","user":"v"}"#,
            r#"{"\u0075ser":"u","at":"t","track":"a"}"#,
            r#"{"users":"u","at":"t","track":"a"}"#,
            r#"{"user":"u","at":"t","track":"a","timestampx":"2026-01-01T00:00:00Z"}"#,
            r#"{"user":"u","at":"t","track":1}"#,
            r#"{"user":"u","at":"t","track":"a","decide":"*"}"#,
            r#"{"user":"u","at":"t","track":"a","extra":1}"#,
            r#"{"user":"u","at":"t","track":"a"} x"#,
            r#"{"user":"u","at":"t","track":"a""#,
            r#"{"user":"u","at":"t"}"#,
            r#"{"user":"u","track":"a"}"#,
            r#"{"at":"t","track":"a"}"#,
            r#"{"user":5,"at":"t","track":"a"}"#,
            r#"{"user":"u","at":"t","decide":"*"}"#,
            r#"{"user":"u","at":"t","decide":"home"}"#,
            r#"{"user":"u","at":"t","decide":["home","*"]}"#,
            r#"{"user":"u","at":"t","decide":"*","props":{}}"#,
            r#"{"user":"u","at":"t","decide":"*"} "#,
            r#"{"user":"u","at":"t","decide":"*"}x"#,
            r#"{"user":"u","at":"t","decide":"*","decide":"*"}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":1},"user":"v"}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":1},"props":{}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":1}} "#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":1},"timestamp":"2026-01-01T00:00:00Z"}"#,
            r#"{"user":"u","at":"t","track":"a","props":null}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":"é"}}"#,
            r#"{"user":"u","at":"t","track":"a","props":{"x":1"#,
            r#"{"user":"u","at":"t","track":"a","props""#,
            r#"{"user":"u","at":"t","track""#,
            r#"{"user":"u","at":"t","decide""#,
            r#"{"user":"u","at""#,
            r#"{"user""#,
            r#"{"user":"u","at":"t","identify":{"attributes":{"a":1}}}"#,
            r#"{"user":"u","at":"t","shown":"x"}"#,
            "{\"user\":\"u\",\"at\":\"t\",\"track\":\"a\tb\"}",
            r#"{"user":"é","at":"t","track":"ü"}"#,
            r#"{}"#,
            r#"[]"#,
            r#"nope"#,
        ];
        let long_key = format!(r#"{{"user":"u","at":"t","track":"a","props":{{"{}":1}}}}"#, "k".repeat(129));
        let long_value = format!(r#"{{"user":"u","at":"t","track":"a","props":{{"s":"{}"}}}}"#, "é".repeat(1025));
        let many: Vec<String> = (0..65).map(|i| format!(r#""k{i}":1"#)).collect();
        let many = format!(r#"{{"user":"u","at":"t","track":"a","props":{{{}}}}}"#, many.join(","));
        let props = |n: usize| {
            let props: Vec<String> = (0..n).map(|i| format!(r#""k{i}":{i}"#)).collect();
            format!(r#"{{"user":"u","at":"t","track":"a","props":{{"x":1,{}}}}}"#, props.join(","))
        };
        let generated = [long_key, long_value, many, props(15), props(16), props(17)];
        // One store for every line, as a replay reuses it.
        let mut shared = StepStore::default();
        for line in lines.iter().copied().chain(generated.iter().map(String::as_str)) {
            let slow = match crate::json::parse(line) {
                Ok(doc) => describe(parse_step(&doc)),
                Err(e) => describe(Err(bad(ErrorCode::InvalidJson, e))),
            };
            assert_eq!(describe(read_step(line, &keep(), &mut shared)), slow, "{line} (after the lines above)");
            // Props read from the text passed every check of the engine.
            if let Some(Common::Track { name, .. }) = read_common_step(line, &keep(), &mut Obj::new()) {
                let whole = crate::json::parse(line).unwrap();
                let props = whole.get("props").unwrap_or(&Json::Null);
                assert!(crate::input::check_event(name, props).is_ok(), "{line}");
            }
            let mut store = StepStore::default();
            let fast = describe(read_step(line, &keep(), &mut store));
            let whole = crate::json::parse(line).map_err(|e| bad(ErrorCode::InvalidJson, e));
            let slow = match &whole {
                Ok(doc) => describe(parse_step(doc)),
                Err(e) => describe(Err(e.clone())),
            };
            assert_eq!(fast, slow, "{line}");
        }
    }

    /// Reads `line` both ways; the same description, errors included.
    fn same_both_ways(line: &str) {
        let mut store = StepStore::default();
        let fast = describe(read_step(line, &keep(), &mut store));
        // And through a store that read other props before.
        let mut used = StepStore::default();
        let before = r#"{"user":"u","at":"t","track":"a","props":{"s":"y","units":4,"x":"z"}}"#;
        let _ = read_step(before, &keep(), &mut used).is_ok();
        assert_eq!(describe(read_step(line, &keep(), &mut used)), fast, "{line}");
        let slow = match crate::json::parse(line) {
            Ok(doc) => describe(parse_step(&doc)),
            Err(e) => describe(Err(bad(ErrorCode::InvalidJson, e))),
        };
        assert_eq!(fast, slow, "{line}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]
        /// Common lines changed a few characters at a time (JSON's
        /// structural characters, whitespace, escapes, digits, letters)
        /// read the same both ways.
        #[test]
        fn mutated_lines_read_the_same(
            base in 0usize..6,
            edits in proptest::collection::vec((0usize..200, 0u8..3, 0usize..24), 0..4),
        ) {
            const BASES: [&str; 6] = [
                r#"{"user":"u00014","at":"2025-12-02T15:34:16.262Z","track":"page_view","props":{"path":"/dashboards"}}"#,
                r#"{"user":"u1","at":"2026-01-01T00:00:00.000Z","track":"api_call","props":{"units":40,"s":"x","b":true}}"#,
                r#"{"user":"u1","at":"2026-01-01T00:00:00.000Z","decide":"*"}"#,
                r#"{"user":"u1","at":"2026-01-01T00:00:00.000Z","track":"a","timestamp":"2026-01-01T00:00:00.000Z"}"#,
                r#"{"user":"u1","at":"t","track":"a","props":{"x":1.5,"n":null}}"#,
                r#" { "user" : "u" , "at" : "t" , "track" : "a" , "props" : { "x" : -1 } } "#,
            ];
            const CHARS: [char; 24] =
                ['"', '\\', '{', '}', '[', ']', ':', ',', ' ', '\t', '\n', 'a', 'x', 'u', '0', '1', '-', '.', 'e', 'n', 'é', '\u{1}', '*', '/'];
            let mut chars: Vec<char> = BASES[base].chars().collect();
            for (at, op, c) in edits {
                let at = at % (chars.len() + 1);
                match op {
                    0 if at < chars.len() => chars[at] = CHARS[c],
                    1 => chars.insert(at, CHARS[c]),
                    _ if at < chars.len() => {
                        chars.remove(at);
                    }
                    _ => {}
                }
            }
            same_both_ways(&chars.into_iter().collect::<String>());
        }
    }
}
