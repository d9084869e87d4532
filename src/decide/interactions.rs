//! What the host reported per experience: shown, dismissed, converted,
//! and for tours the steps advanced (with the steps whose `done` held).
//! Kept only as far back as frequency caps, cool-downs and the policy
//! need, plus permanent flags for conversions and for-good dismissals.

use crate::model::{ExperienceDef, Policy};
use crate::time::{Millis, DAY};
use std::collections::VecDeque;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExperienceLog {
    /// Latest `shown` (impression or continuation).
    pub last_shown: Option<Millis>,
    /// Whether the latest `shown` has not been ended by a dismissal or
    /// conversion since (on screen also needs `now < last_shown + timeout`).
    pub showing: bool,
    /// Impressions (a `shown` that is not a continuation) still inside
    /// the frequency window or the policy's day, oldest first.
    pub impressions: VecDeque<Millis>,
    pub last_dismissed: Option<Millis>,
    /// Dismissed with no cool-down configured: hidden for good.
    pub dismissed_for_good: bool,
    pub converted: bool,
    /// A tour's progress (nothing for other kinds).
    pub tour: super::tour::Progress,
}

impl ExperienceLog {
    /// `n` empty logs, one per experience (built each, not cloned: no
    /// `vec![log; n]` clone loop in the wasm).
    pub fn empty_list(n: usize) -> Vec<ExperienceLog> {
        std::iter::repeat_with(ExperienceLog::default).take(n).collect()
    }

    /// On screen at `now`: `last_shown <= now < last_shown + timeout`,
    /// unless dismissed or converted since.
    pub fn on_screen(&self, now: Millis, display_timeout: Millis) -> bool {
        self.showing && self.last_shown.is_some_and(|s| s <= now && now < s + display_timeout)
    }

    pub fn last_impression(&self) -> Option<Millis> {
        self.impressions.back().copied()
    }

    /// Records a `shown`; returns whether it was a new impression.
    pub fn shown(&mut self, now: Millis, display_timeout: Millis, keep: Millis) -> bool {
        let continuation = self.on_screen(now, display_timeout);
        self.last_shown = Some(now);
        self.showing = true;
        if !continuation {
            self.impressions.push_back(now);
        }
        self.forget_before(now, keep);
        !continuation
    }

    pub fn dismissed(&mut self, now: Millis, cooldown: Option<Millis>) {
        self.showing = false;
        self.last_dismissed = Some(now);
        if cooldown.is_none() {
            self.dismissed_for_good = true;
        }
    }

    pub fn converted(&mut self) {
        self.showing = false;
        self.converted = true;
    }

    /// Moves every time later than `t` back to `t`; returns whether any moved.
    pub fn clamp_to(&mut self, t: Millis) -> bool {
        let mut moved = false;
        let mut clamp = |time: &mut Millis| {
            if *time > t {
                *time = t;
                moved = true;
            }
        };
        // Each list by itself (was one `chain` of the three: its adapters'
        // code in the wasm for this alone).
        if let Some(time) = &mut self.last_shown {
            clamp(time);
        }
        if let Some(time) = &mut self.last_dismissed {
            clamp(time);
        }
        for time in &mut self.impressions {
            clamp(time);
        }
        moved
    }

    /// The latest time it holds.
    pub fn latest(&self) -> Option<Millis> {
        self.last_shown.max(self.last_dismissed).max(self.impressions.back().copied())
    }

    /// Drops impressions no window can see any more.
    pub fn forget_before(&mut self, now: Millis, keep: Millis) {
        while self.impressions.front().is_some_and(|&t| t <= now - keep) {
            self.impressions.pop_front();
        }
    }
}

/// How far back an experience's impressions matter: its frequency window,
/// and a day for the policy's daily limit.
pub fn impression_horizon(def: &ExperienceDef, policy: &Policy) -> Millis {
    let freq = def.frequency.as_ref().map_or(0, |f| f.per);
    let daily = if policy.max_prompts_per_day.is_some() { DAY } else { 0 };
    freq.max(daily).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    const M: Millis = 60_000;

    #[test]
    fn a_shown_while_on_screen_continues_the_impression() {
        let mut log = ExperienceLog::default();
        assert!(log.shown(0, 30 * M, DAY));
        assert!(!log.shown(29 * M, 30 * M, DAY)); // continuation extends the display
        assert!(!log.shown(58 * M, 30 * M, DAY));
        assert!(log.shown(88 * M, 30 * M, DAY)); // timed out: a new impression
        log.dismissed(89 * M, Some(M));
        assert!(!log.on_screen(89 * M, 30 * M));
        assert!(log.shown(90 * M, 30 * M, DAY));
        assert_eq!(log.impressions.len(), 3);
    }
}
