//! Reasons: why each experience of a slot was shown or lost, as data.
//! Built only when the host asks for them; the plain decision never pays
//! for explanations.

use super::eligibility::{Blocked, Context};
use super::experience::CompiledExperience;
use super::experiment::NotInExperiment;
use super::tour::{completed_by, Progress};
use crate::condition::{ClauseNode, Condition, Explanation};
use crate::json::{Json, Obj};
use crate::time::format_rfc3339;

/// The failed clauses of an explanation as sentences, e.g.
/// `signals.reports_7d is 1, needs >= 3`.
fn failures(explanation: &Explanation) -> Vec<Json> {
    fn walk(nodes: &[ClauseNode], out: &mut Vec<Json>) {
        for node in nodes {
            match node {
                ClauseNode::Clause(c) if !c.held => out.push(Json::from(c.describe())),
                // `$not` and `$nor` fail because a child held: name those.
                ClauseNode::Group(g) if !g.held && matches!(&*g.op, "$not" | "$nor") => {
                    for child in &g.children {
                        if child.held() {
                            let what = match child {
                                ClauseNode::Clause(c) => c.describe(),
                                ClauseNode::Group(c) => format!("{} group", c.op),
                            };
                            out.push(Json::from(format!("{} fails because this holds: {what}", g.op)));
                        }
                    }
                }
                ClauseNode::Group(g) if !g.held => walk(&g.children, out),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(&explanation.clauses, &mut out);
    out
}

fn conditions(cond: &Condition, ctx: &Context<'_, '_>) -> (Json, Vec<Json>) {
    let explanation = cond.explain(ctx.doc);
    let failed = failures(&explanation);
    (explanation.to_json(), failed)
}

fn entry(exp: &CompiledExperience, result: &str) -> Obj {
    let mut o = Obj::new();
    o.insert("experience", Json::from(&*exp.def.id));
    o.insert("result", Json::from(result));
    o
}

fn time(t: crate::time::Millis) -> Json {
    Json::from(format_rfc3339(t))
}

/// Adds a tour's progress to its reason: the current step, and each step
/// with whether it is completed and how (`advanced` by the host, or its
/// `done` condition held).
pub fn with_progress(mut reason: Json, exp: &CompiledExperience, progress: &Progress) -> Json {
    if let (true, Json::Obj(o)) = (exp.is_tour, &mut reason) {
        let current = progress.current(exp.steps.len()).and_then(|j| exp.steps.get(j));
        o.insert("step", current.map_or(Json::Null, |s| Json::from(&*s.id)));
        let steps = exp
            .steps
            .iter()
            .enumerate()
            .map(|(j, step)| {
                let mut s = Obj::new();
                s.insert("id", Json::from(&*step.id));
                s.insert("done", Json::Bool(progress.is_done(j)));
                if let Some(by) = completed_by(progress, j) {
                    s.insert("by", Json::from(by));
                }
                Json::Obj(s)
            })
            .collect();
        o.insert("steps", Json::Arr(steps));
    }
    reason
}

/// The experience shown: which conditions held, with the values.
pub fn shown(exp: &CompiledExperience, ctx: &Context<'_, '_>, on_screen: bool, experiment: Option<Json>) -> Json {
    let mut o = entry(exp, "shown");
    o.insert("on_screen", Json::Bool(on_screen));
    o.insert("conditions", conditions(&exp.when, ctx).0);
    if let Some(x) = experiment {
        o.insert("experiment", x);
    }
    Json::Obj(o)
}

/// The experiment part of a reason: the assignment, or why there was none.
pub fn experiment(key: &str, variation: Result<(&str, &str), NotInExperiment>) -> Json {
    let mut o = Obj::new();
    o.insert("key", Json::from(key));
    match variation {
        Ok((id, hash_value)) => {
            o.insert("variation", Json::from(id));
            o.insert("hash_value", Json::from(hash_value));
        }
        Err(why) => {
            o.insert("variation", Json::Null);
            o.insert("not_in_experiment", Json::from(why.as_str()));
        }
    }
    Json::Obj(o)
}

/// A held-out experience: assigned a `skip` variation, so the slot fell through.
pub fn holdout(exp: &CompiledExperience, key: &str, variation: &str, hash_value: &str) -> Json {
    let mut o = entry(exp, "holdout");
    o.insert("experiment", experiment(key, Ok((variation, hash_value))));
    Json::Obj(o)
}

/// Eligible, but a higher-priority experience won the slot.
pub fn lower_priority(exp: &CompiledExperience, winner: &CompiledExperience) -> Json {
    let mut o = entry(exp, "lower_priority");
    o.insert("beaten_by", Json::from(&*winner.def.id));
    o.insert("priority", Json::Num(exp.def.priority));
    o.insert("winner_priority", Json::Num(winner.def.priority));
    Json::Obj(o)
}

/// Not eligible: the first reason found, with what makes it so.
pub fn blocked(exp: &CompiledExperience, ctx: &Context<'_, '_>, why: Blocked) -> Json {
    let mut o = entry(exp, why.as_str());
    match why {
        Blocked::WhenFailed => {
            let (explained, failed) = conditions(&exp.when, ctx);
            o.insert("failed", Json::Arr(failed));
            o.insert("conditions", explained);
        }
        Blocked::Stopped => {
            if let Some(stop) = &exp.stop_when {
                let explained = stop.explain(ctx.doc);
                o.insert("conditions", explained.to_json());
            }
        }
        Blocked::CoolingDown { until } => {
            o.insert("until", time(until));
        }
        Blocked::Capped { until, impressions, max } => {
            o.insert("until", time(until));
            o.insert("impressions", Json::Num(impressions.into()));
            o.insert("max_impressions", Json::Num(max.into()));
            if let Some(f) = &exp.def.frequency {
                o.insert("per", Json::from(&*f.per_text));
            }
        }
        Blocked::PolicyGap { until, by } => {
            o.insert("until", time(until));
            let by = ctx.plan.experiences.get(by).map_or(Json::Null, |e| Json::from(&*e.def.id));
            o.insert("blocked_by", by);
        }
        Blocked::PolicyDailyLimit { until, prompts, max } => {
            o.insert("until", until.map_or(Json::Null, time));
            o.insert("prompts_today", Json::Num(prompts.into()));
            o.insert("max_prompts_per_day", Json::Num(max.into()));
        }
        Blocked::Converted | Blocked::Completed | Blocked::Dismissed | Blocked::AllItemsDone => {}
    }
    Json::Obj(o)
}

/// A previewed experience: forced into its slot for this session (see
/// `preview`). `normally` says what the experience's own rules give now:
/// "eligible", or the reason it would not be shown, with its details.
pub fn preview(
    exp: &CompiledExperience,
    ctx: &Context<'_, '_>,
    variation: Option<&str>,
    normally: Result<bool, Blocked>,
) -> Json {
    let mut o = entry(exp, "preview");
    o.insert("variation", variation.map_or(Json::Null, Json::from));
    let normally = match normally {
        Ok(_) => Json::from("eligible"),
        Err(why) => {
            let mut detail = match blocked(exp, ctx, why) {
                Json::Obj(o) => o,
                other => return other,
            };
            detail.remove("experience");
            Json::Obj(detail)
        }
    };
    o.insert("normally", normally);
    Json::Obj(o)
}
