//! Reasons: why each experience of a slot was shown or lost, as typed
//! values with one writer (camelCase keys, the same for the browser and
//! `onstage simulate`). Built only when the host asks for them; the plain
//! decision never pays for explanations.

use super::eligibility::{Blocked, Context};
use super::experience::CompiledExperience;
use super::experiment::NotInExperiment;
use super::tour::{completed_by, Progress};
use crate::condition::{ClauseNode, Condition, Explanation};
use crate::json::{Json, ObjectWriter};
use crate::time::format_rfc3339;

/// Why one experience of a slot was shown or lost.
#[derive(Clone, Debug)]
pub struct Reason<'c> {
    pub experience: &'c str,
    pub detail: Detail<'c>,
    /// A tour's progress (tours only).
    pub tour: Option<TourProgress<'c>>,
}

/// A tour's progress in a reason: the current step, and each step with
/// whether it is completed and how (`advanced` by the host, or `done`: its
/// condition held).
#[derive(Clone, Debug)]
pub struct TourProgress<'c> {
    pub step: Option<&'c str>,
    pub steps: Vec<(&'c str, bool, Option<&'static str>)>,
}

/// What made the outcome, per result.
#[derive(Clone, Debug)]
pub enum Detail<'c> {
    /// Shown: the conditions that held, with their values.
    Shown { on_screen: bool, conditions: Json, experiment: Option<ExperimentReason<'c>> },
    /// Held out of its experiment: the slot fell through.
    Holdout { experiment: ExperimentReason<'c> },
    /// Eligible, but a higher-priority experience won the slot.
    LowerPriority { beaten_by: &'c str, priority: f64, winner_priority: f64 },
    /// Not eligible: the first reason found, with what makes it so.
    Blocked {
        why: Blocked,
        /// `when_failed`: the failed clauses as sentences.
        failed: Vec<String>,
        /// `when_failed`, `stopped`: the evaluated conditions.
        conditions: Option<Json>,
        /// `capped`: the frequency's window as written.
        per: Option<&'c str>,
        /// `policy_gap`: the prompt shown within the gap.
        blocked_by: Option<&'c str>,
    },
    /// Forced into its slot by a preview; `normally` is what its own rules
    /// give now (None: eligible).
    Preview { variation: Option<&'c str>, normally: Option<Box<Reason<'c>>> },
}

/// The experiment part of a reason: the assignment, or why there was none.
#[derive(Clone, Debug)]
pub struct ExperimentReason<'c> {
    pub key: &'c str,
    pub variation: Result<(&'c str, String), NotInExperiment>,
}

impl Reason<'_> {
    /// The result's name (`shown`, `when_failed`, `capped`, ...).
    pub fn result(&self) -> &'static str {
        match &self.detail {
            Detail::Shown { .. } => "shown",
            Detail::Holdout { .. } => "holdout",
            Detail::LowerPriority { .. } => "lower_priority",
            Detail::Blocked { why, .. } => why.as_str(),
            Detail::Preview { .. } => "preview",
        }
    }

    /// The reason as JSON text.
    pub fn write_json(&self, out: &mut String) {
        self.write(out, true);
    }

    fn write(&self, out: &mut String, with_experience: bool) {
        let mut o = ObjectWriter::new(out);
        if with_experience {
            o.str("experience", self.experience);
        }
        o.str("result", self.result());
        match &self.detail {
            Detail::Shown { on_screen, conditions, experiment } => {
                o.bool("onScreen", *on_screen).json("conditions", conditions);
                if let Some(x) = experiment {
                    x.write(o.key("experiment"));
                }
            }
            Detail::Holdout { experiment } => experiment.write(o.key("experiment")),
            Detail::LowerPriority { beaten_by, priority, winner_priority } => {
                o.str("beatenBy", beaten_by).num("priority", *priority).num("winnerPriority", *winner_priority);
            }
            Detail::Blocked { why, failed, conditions, per, blocked_by } => {
                if matches!(why, Blocked::WhenFailed) {
                    o.strs("failed", failed.iter().map(String::as_str));
                }
                if let Some(c) = conditions {
                    o.json("conditions", c);
                }
                match *why {
                    Blocked::CoolingDown { until } => {
                        o.str("until", &format_rfc3339(until));
                    }
                    Blocked::Capped { until, impressions, max } => {
                        o.str("until", &format_rfc3339(until));
                        o.num("impressions", impressions.into()).num("maxImpressions", max.into());
                        if let Some(per) = per {
                            o.str("per", per);
                        }
                    }
                    Blocked::PolicyGap { until, .. } => {
                        o.str("until", &format_rfc3339(until)).opt_str("blockedBy", *blocked_by);
                    }
                    Blocked::PolicyDailyLimit { until, prompts, max } => {
                        o.opt_str("until", until.map(format_rfc3339).as_deref());
                        o.num("promptsToday", prompts.into()).num("maxPromptsPerDay", max.into());
                    }
                    _ => {}
                }
            }
            Detail::Preview { variation, normally } => {
                o.opt_str("variation", *variation);
                match normally {
                    None => {
                        o.str("normally", "eligible");
                    }
                    Some(r) => r.write(o.key("normally"), false),
                }
            }
        }
        if let Some(t) = &self.tour {
            o.opt_str("step", t.step);
            o.list("steps", &t.steps, |(id, done, by), out| {
                let mut s = ObjectWriter::new(out);
                s.str("id", id).bool("done", *done);
                if let Some(by) = by {
                    s.str("by", by);
                }
                s.end();
            });
        }
        o.end();
    }
}

impl ExperimentReason<'_> {
    fn write(&self, out: &mut String) {
        let mut o = ObjectWriter::new(out);
        o.str("key", self.key);
        match &self.variation {
            Ok((id, hash_value)) => {
                o.str("variation", id).str("hashValue", hash_value);
            }
            Err(why) => {
                o.opt_str("variation", None).str("notInExperiment", why.as_str());
            }
        }
        o.end();
    }
}

/// The failed clauses of an explanation as sentences, e.g.
/// `signals.reports_7d is 1, needs >= 3`.
fn failures(explanation: &Explanation) -> Vec<String> {
    fn walk(nodes: &[ClauseNode], out: &mut Vec<String>) {
        for node in nodes {
            match node {
                ClauseNode::Clause(c) if !c.held => out.push(c.describe()),
                // `$not` and `$nor` fail because a child held: name those.
                ClauseNode::Group(g) if !g.held && matches!(&*g.op, "$not" | "$nor") => {
                    for child in &g.children {
                        if child.held() {
                            let what = match child {
                                ClauseNode::Clause(c) => c.describe(),
                                ClauseNode::Group(c) => format!("{} group", c.op),
                            };
                            out.push(format!("{} fails because this holds: {what}", g.op));
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

fn conditions(cond: &Condition, ctx: &Context<'_, '_>) -> (Json, Vec<String>) {
    let explanation = cond.explain(ctx.doc);
    let failed = failures(&explanation);
    (explanation.to_json(), failed)
}

fn reason<'c>(exp: &'c CompiledExperience, detail: Detail<'c>) -> Reason<'c> {
    Reason { experience: &exp.def.id, detail, tour: None }
}

/// Adds a tour's progress to its reason.
pub fn with_progress<'c>(mut reason: Reason<'c>, exp: &'c CompiledExperience, progress: &Progress) -> Reason<'c> {
    if exp.is_tour {
        let current = progress.current(exp.steps.len()).and_then(|j| exp.steps.get(j));
        let mut steps = Vec::new();
        for (j, step) in exp.steps.iter().enumerate() {
            steps.push((&*step.id, progress.is_done(j), completed_by(progress, j)));
        }
        reason.tour = Some(TourProgress { step: current.map(|s| &*s.id), steps });
    }
    reason
}

/// The experience shown: which conditions held, with the values.
pub fn shown<'c>(
    exp: &'c CompiledExperience,
    ctx: &Context<'c, '_>,
    on_screen: bool,
    experiment: Option<ExperimentReason<'c>>,
) -> Reason<'c> {
    reason(exp, Detail::Shown { on_screen, conditions: conditions(&exp.when, ctx).0, experiment })
}

/// The experiment part of a reason: the assignment, or why there was none.
pub fn experiment<'c>(key: &'c str, variation: Result<(&'c str, &str), NotInExperiment>) -> ExperimentReason<'c> {
    ExperimentReason { key, variation: variation.map(|(id, hash)| (id, hash.to_string())) }
}

/// A held-out experience: assigned a `skip` variation, so the slot fell through.
pub fn holdout<'c>(exp: &'c CompiledExperience, key: &'c str, variation: &'c str, hash_value: &str) -> Reason<'c> {
    reason(exp, Detail::Holdout { experiment: experiment(key, Ok((variation, hash_value))) })
}

/// Eligible, but a higher-priority experience won the slot.
pub fn lower_priority<'c>(exp: &'c CompiledExperience, winner: &'c CompiledExperience) -> Reason<'c> {
    reason(
        exp,
        Detail::LowerPriority {
            beaten_by: &winner.def.id,
            priority: exp.def.priority,
            winner_priority: winner.def.priority,
        },
    )
}

/// Not eligible: the first reason found, with what makes it so.
pub fn blocked<'c>(exp: &'c CompiledExperience, ctx: &Context<'c, '_>, why: Blocked) -> Reason<'c> {
    let (failed, conditions) = match why {
        Blocked::WhenFailed => {
            let (explained, failed) = conditions(&exp.when, ctx);
            (failed, Some(explained))
        }
        Blocked::Stopped => (Vec::new(), exp.stop_when.as_ref().map(|stop| stop.explain(ctx.doc).to_json())),
        _ => (Vec::new(), None),
    };
    let per = match why {
        Blocked::Capped { .. } => exp.def.frequency.as_ref().map(|f| &*f.per_text),
        _ => None,
    };
    let blocked_by = match why {
        Blocked::PolicyGap { by, .. } => ctx.plan.experiences.get(by).map(|e| &*e.def.id),
        _ => None,
    };
    reason(exp, Detail::Blocked { why, failed, conditions, per, blocked_by })
}

/// A previewed experience: forced into its slot for this session (see
/// `preview`). `normally` says what the experience's own rules give now:
/// eligible, or the reason it would not be shown, with its details.
pub fn preview<'c>(
    exp: &'c CompiledExperience,
    ctx: &Context<'c, '_>,
    variation: Option<&'c str>,
    normally: Result<bool, Blocked>,
) -> Reason<'c> {
    let normally = normally.err().map(|why| Box::new(blocked(exp, ctx, why)));
    reason(exp, Detail::Preview { variation, normally })
}
