//! Warnings about `done` conditions (checklist items, tour steps) that
//! are legal but cannot mean what their author meant: one that can never
//! hold (a count below zero, a funnel past its last step), or a step's
//! `{}` that holds at once (the step is completed before it is shown).

use crate::json::Json;
use crate::json::Num;
use crate::model::{Config, SignalDef, SignalForm};
use crate::problem::{ErrorCode, JsonPath, Problems};
use crate::time::{Millis, DAY, WEEK};

/// The values a signal can take, as conditions see them (`null` compares
/// as 0), when the form bounds them: `(lowest, highest, whole numbers)`.
fn range(signal: &SignalDef) -> Option<(f64, f64, bool)> {
    let spans = |unit: Millis| signal.window.map_or(f64::INFINITY, |w| (w as f64 / unit as f64).ceil() + 1.0);
    match &signal.form {
        SignalForm::Count => Some((0.0, f64::INFINITY, true)),
        SignalForm::Distinct { .. } => Some((0.0, crate::signal::distinct::MAX_DISTINCT as f64, true)),
        SignalForm::ActiveDays => Some((0.0, spans(DAY), true)),
        SignalForm::ActiveWeeks => Some((0.0, spans(WEEK), true)),
        SignalForm::Funnel { steps, .. } => Some((0.0, steps.len() as f64, true)),
        SignalForm::DaysSinceFirst | SignalForm::DaysSinceLast | SignalForm::Trend => Some((0.0, f64::INFINITY, false)),
        SignalForm::Sum { .. } | SignalForm::Ratio { .. } => None,
    }
}

/// Whether `{op: operand}` can never hold for a value in `(lo, hi, whole)`.
fn never(op: &str, operand: &Json, (lo, hi, whole): (f64, f64, bool)) -> bool {
    let outside = |n: f64| n < lo || n > hi || (whole && n.fract() != 0.0);
    match (op, operand) {
        ("$eq", Json::Num(n)) => outside(*n),
        ("$lt", Json::Num(n)) => *n <= lo,
        ("$lte", Json::Num(n)) => *n < lo,
        ("$gt", Json::Num(n)) => *n >= hi,
        ("$gte", Json::Num(n)) => *n > hi,
        ("$in", Json::Arr(list)) => list.iter().all(|v| matches!(v, Json::Num(n) if outside(*n))),
        _ => false,
    }
}

fn describe(signal: &SignalDef, (lo, hi, whole): (f64, f64, bool)) -> String {
    let kind = if whole { "whole number" } else { "number" };
    if hi.is_finite() {
        format!("signals.{} is a {kind} from {} to {}", signal.id, Num(lo), Num(hi))
    } else {
        format!("signals.{} is a {kind} of at least {}", signal.id, Num(lo))
    }
}

/// The first clause of `cond` that makes it never hold, with its path and
/// why (only `$and` and plain fields are followed: `$or`, `$nor` and
/// `$not` are left alone).
fn never_holds(cond: &Json, path: &JsonPath, signals: &[SignalDef]) -> Option<(JsonPath, String)> {
    let Json::Obj(fields) = cond else { return None };
    for (key, value) in fields.iter() {
        let at = path.key(key);
        if key == "$and" {
            for (i, sub) in value.as_arr().unwrap_or(&[]).iter().enumerate() {
                if let Some(found) = never_holds(sub, &at.index(i), signals) {
                    return Some(found);
                }
            }
            continue;
        }
        let Some(id) = key.strip_prefix("signals.") else { continue };
        let Some(signal) = signals.iter().find(|s| &*s.id == id) else { continue };
        let Some(r) = range(signal) else { continue };
        match value {
            Json::Num(_) if never("$eq", value, r) => {
                return Some((at, format!("{}, so it never equals {value}", describe(signal, r))));
            }
            Json::Obj(ops) => {
                for (op, operand) in ops.iter() {
                    if never(op, operand, r) {
                        return Some((
                            at.key(op),
                            format!("{}, so {{\"{op}\": {operand}}} never holds", describe(signal, r)),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// Warns about the `done` conditions of checklist items and tour steps.
pub fn warn_done_conditions(config: &Config, problems: &mut Problems) {
    for e in &config.experiences {
        for (j, item) in e.items.iter().enumerate() {
            let at = e.path.key("items").index(j).key("done");
            if let Some((path, why)) = never_holds(&item.done, &at, &config.signals) {
                problems.push(
                    ErrorCode::DoneNeverHolds,
                    &path,
                    format!("{why}: item \"{}\" is never done, so checklist \"{}\" never completes", item.id, e.id),
                );
            }
        }
        for (j, step) in e.steps.iter().enumerate() {
            let Some(done) = &step.done else { continue };
            let at = e.path.key("steps").index(j).key("done");
            if matches!(done, Json::Obj(o) if o.is_empty()) {
                problems.push(
                    ErrorCode::DoneAlwaysHolds,
                    &at,
                    format!(
                        "{{}} always holds: step \"{}\" of tour \"{}\" is completed at the user's first step and never shown; leave \"done\" out for a step the user finishes with advanced",
                        step.id, e.id
                    ),
                );
            } else if let Some((path, why)) = never_holds(done, &at, &config.signals) {
                problems.push(
                    ErrorCode::DoneNeverHolds,
                    &path,
                    format!(
                        "{why}: step \"{}\" of tour \"{}\" is completed only when the host reports advanced",
                        step.id, e.id
                    ),
                );
            }
        }
    }
}
