//! Timeline steps (DESIGN, "Native"): the JSON form of the engine's
//! steps, shared by `onstage simulate` and the browser tests, so both
//! replay a timeline the same way.

use crate::code::ErrorCode;
use crate::engine::{Engine, Identity, Interaction, Slots};
use crate::input::slots_from_json;
use crate::json::{Json, ObjectWriter};
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
                Some(Json::Str(t)) => {
                    Some(parse_rfc3339(t).map_err(|e| bad(ErrorCode::BadTime, format!("timestamp: {e}")))?)
                }
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
            let evaluation = engine.snapshot();
            let mut o = ObjectWriter::new(out);
            o.str("user", &engine.user().user_id).str("at", at_text).opt_str("stage", evaluation.stage.as_deref());
            o.strs("segments", evaluation.segments.iter().map(|s| &**s));
            let mut signals = ObjectWriter::new(o.key("signals"));
            for (id, v) in &evaluation.signals {
                signals.opt_num(id, *v);
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
    parse_rfc3339(at_text).map_err(|e| bad(ErrorCode::BadTime, format!("at: {e}")))
}
