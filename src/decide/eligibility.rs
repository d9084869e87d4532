//! Whether an experience may be shown now, and if not, why: DESIGN's
//! windows, exactly.

use super::experience::ExperiencePlan;
use super::interactions::ExperienceLog;
use crate::doc::EvalDoc;
use crate::model::Policy;
use crate::time::{Millis, DAY};

/// Why an experience is not eligible, in the order they are checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Blocked {
    /// Reached its goal: never shown again.
    Converted,
    /// A tour whose steps are all completed (it counts as converted).
    Completed,
    /// Dismissed, and no cool-down is configured: hidden for good.
    Dismissed,
    WhenFailed,
    /// `stop_when` holds.
    Stopped,
    /// A checklist whose items are all done.
    AllItemsDone,
    CoolingDown {
        until: Millis,
    },
    /// `max_impressions` impressions in the last `per`.
    Capped {
        until: Millis,
        impressions: u32,
        max: u32,
    },
    /// Another prompt was shown within `min_gap_between_prompts`.
    PolicyGap {
        until: Millis,
        by: usize,
    },
    /// `max_prompts_per_day` other prompts had an impression in the last 24 h.
    /// `until` is None when the limit is 0 (no prompt ever).
    PolicyDailyLimit {
        until: Option<Millis>,
        prompts: u32,
        max: u32,
    },
}

impl Blocked {
    pub fn as_str(&self) -> &'static str {
        match self {
            Blocked::Converted => "converted",
            Blocked::Completed => "completed",
            Blocked::Dismissed => "dismissed",
            Blocked::WhenFailed => "when_failed",
            Blocked::Stopped => "stopped",
            Blocked::AllItemsDone => "all_items_done",
            Blocked::CoolingDown { .. } => "cooling_down",
            Blocked::Capped { .. } => "capped",
            Blocked::PolicyGap { .. } => "policy_gap",
            Blocked::PolicyDailyLimit { .. } => "policy_daily_limit",
        }
    }
}

/// What eligibility is judged against, for one decision.
pub struct Context<'p, 'a> {
    /// The plan outlives the decision, which borrows from it.
    pub plan: &'p ExperiencePlan,
    pub policy: &'a Policy,
    pub logs: &'a [ExperienceLog],
    pub doc: &'a EvalDoc<'a>,
    pub now: Millis,
    /// Prompts newly chosen for earlier slots of this decision: they count
    /// as shown (an impression) at `now` for the later slots.
    pub new_prompts: &'a [usize],
}

/// Ok(on screen) when eligible.
pub fn check(ctx: &Context<'_, '_>, i: usize) -> Result<bool, Blocked> {
    let (Some(exp), Some(log)) = (ctx.plan.experiences.get(i), ctx.logs.get(i)) else {
        return Err(Blocked::WhenFailed);
    };
    let now = ctx.now;
    if log.converted {
        return Err(Blocked::Converted);
    }
    if log.tour.completed {
        return Err(Blocked::Completed);
    }
    if log.dismissed_for_good {
        return Err(Blocked::Dismissed);
    }
    if !exp.when.eval(ctx.doc) {
        return Err(Blocked::WhenFailed);
    }
    if exp.stop_when.as_ref().is_some_and(|c| c.eval(ctx.doc)) {
        return Err(Blocked::Stopped);
    }
    if !exp.items.is_empty() && exp.items.iter().all(|item| item.done.eval(ctx.doc)) {
        return Err(Blocked::AllItemsDone);
    }
    if let (Some(d), Some(cooldown)) = (log.last_dismissed, exp.def.cooldown_after_dismiss) {
        if d <= now && now < d + cooldown {
            return Err(Blocked::CoolingDown { until: d + cooldown });
        }
    }
    // An experience on screen keeps its place: frequency and policy are
    // not checked for it.
    if log.on_screen(now, ctx.policy.display_timeout) {
        return Ok(true);
    }
    if let Some(f) = &exp.def.frequency {
        // Plain loops over the window's impressions (were `count` and
        // `nth` of a `filter` chain: two instances of its adapters).
        let in_window = |t: Millis| t > now - f.per && t <= now;
        let mut n = 0u32;
        for &t in &log.impressions {
            n += u32::from(in_window(t));
        }
        if n >= f.max_impressions {
            // Eligible again once enough of these leave the window.
            let mut nth = n - f.max_impressions;
            let mut until = now;
            for &t in &log.impressions {
                if in_window(t) {
                    if nth == 0 {
                        until = t + f.per;
                        break;
                    }
                    nth -= 1;
                }
            }
            return Err(Blocked::Capped { until, impressions: n, max: f.max_impressions });
        }
    }
    if exp.is_prompt {
        check_policy(ctx, i)?;
    }
    Ok(false)
}

/// The prompt policy against the other prompts, each with the time of its
/// latest `shown` and latest impression (a prompt newly chosen in this
/// decision counts as both, now): one loop over them, no iterator chain.
fn check_policy(ctx: &Context<'_, '_>, i: usize) -> Result<(), Blocked> {
    let now = ctx.now;
    let (gap, max) = (ctx.policy.min_gap_between_prompts, ctx.policy.max_prompts_per_day);
    let mut blocker: Option<(Millis, usize)> = None;
    let mut recent: Vec<Millis> = Vec::new();
    for (j, (e, log)) in ctx.plan.experiences.iter().zip(ctx.logs).enumerate() {
        if j == i || !e.is_prompt {
            continue;
        }
        let new = ctx.new_prompts.contains(&j);
        if let Some(gap) = gap {
            let shown = if new { Some(now) } else { log.last_shown };
            if let Some(t) = shown.filter(|&t| t > now - gap && t <= now) {
                blocker = blocker.max(Some((t + gap, j)));
            }
        }
        if max.is_some() {
            let impression = if new { Some(now) } else { log.last_impression() };
            if let Some(t) = impression.filter(|&t| t > now - DAY && t <= now) {
                recent.push(t);
            }
        }
    }
    if let Some((until, by)) = blocker {
        return Err(Blocked::PolicyGap { until, by });
    }
    if let Some(max) = max {
        let n = recent.len() as u32;
        if n >= max {
            crate::collections::sort_small_by(&mut recent, |a, b| a < b);
            let until = recent.get((n - max) as usize).map(|t| t + DAY);
            return Err(Blocked::PolicyDailyLimit { until: if max == 0 { None } else { until }, prompts: n, max });
        }
    }
    Ok(())
}
