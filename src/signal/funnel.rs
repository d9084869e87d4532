//! `funnel`: the most steps any run ever completed in order, each step
//! strictly after the one before, the whole run within `within` of its
//! first step.
//!
//! Events are kept per minute as a bit mask of the steps they match, only
//! while a run they belong to can still change: a late event (up to 24 h)
//! may still join it. Older runs are final and only their best level is
//! kept. The value only ever grows, so it is recomputed when an event
//! arrives, never when time passes.

use crate::model::EventSel;
use crate::time::Millis;
use std::collections::VecDeque;

#[derive(Clone, Debug, PartialEq)]
pub struct Funnel {
    pub steps: u8,
    pub within: Option<Millis>,
    /// `(minute, steps matched in it)`, in time order.
    pub recent: VecDeque<(Millis, u32)>,
    /// Without `within`: the progress `(level, last step's minute)` of the
    /// run from the earliest first step among the events no longer kept.
    /// With no deadline the earliest start does at least as well as any.
    pub anchor: Option<(u8, Millis)>,
    /// The value: most steps any run reached.
    pub best: u8,
}

impl Funnel {
    pub fn new(steps: u8, within: Option<Millis>) -> Self {
        Funnel { steps, within, recent: VecDeque::new(), anchor: None, best: 0 }
    }

    pub fn add(&mut self, t: Millis, mask: u32) {
        if mask == 0 {
            return;
        }
        match self.recent.binary_search_by_key(&t, |(m, _)| *m) {
            Ok(i) => match self.recent.get_mut(i) {
                Some((_, m)) if *m | mask == *m => return,
                Some((_, m)) => *m |= mask,
                None => return,
            },
            Err(i) => self.recent.insert(i, (t, mask)),
        }
        self.best = self.best.max(self.best_run());
    }

    /// Lets go of what can no longer change: `frozen` is the latest minute
    /// no event still to come can have (now minus the lateness allowed).
    /// Returns whether any minute left.
    pub fn advance(&mut self, frozen: Millis) -> bool {
        let cutoff = match self.within {
            // A run starting at s takes events before s + within; once that
            // is frozen, the run is final and its minutes can go.
            Some(within) => frozen - within,
            None => frozen,
        };
        let mut left = false;
        while let Some(&(t, mask)) = self.recent.front() {
            if t > cutoff {
                break;
            }
            self.recent.pop_front();
            if self.within.is_none() {
                self.anchor = step(self.anchor, t, mask, self.steps);
            }
            left = true;
        }
        left
    }

    fn best_run(&self) -> u8 {
        match self.within {
            None => {
                let mut run = self.anchor;
                for &(t, mask) in &self.recent {
                    run = step(run, t, mask, self.steps);
                }
                run.map_or(0, |(level, _)| level)
            }
            Some(within) => {
                let mut best = 0;
                for (i, &(start, mask)) in self.recent.iter().enumerate() {
                    if mask & 1 == 0 {
                        continue;
                    }
                    let mut run = Some((1u8, start));
                    for &(t, mask) in self.recent.iter().skip(i + 1) {
                        if t - start >= within {
                            break;
                        }
                        run = step(run, t, mask, self.steps);
                    }
                    best = best.max(run.map_or(0, |(level, _)| level));
                    if best == self.steps {
                        break;
                    }
                }
                best
            }
        }
    }

    /// Moves the steps later than minute `t` into `t` (as one minute: not
    /// after each other any more) and the anchor's time back to `t`.
    pub fn clamp_to(&mut self, t: Millis) -> bool {
        let mut merged = 0u32;
        while let Some(&(m, mask)) = self.recent.back() {
            if m <= t {
                break;
            }
            self.recent.pop_back();
            merged |= mask;
        }
        let mut moved = merged != 0;
        if moved {
            self.add(t, merged);
        }
        if let Some((level, at)) = self.anchor {
            if at > t {
                self.anchor = Some((level, t));
                moved = true;
            }
        }
        moved
    }

    pub fn latest(&self) -> Option<Millis> {
        self.recent.back().map(|(t, _)| *t).max(self.anchor.map(|(_, t)| t))
    }

    pub fn value(&self) -> f64 {
        self.best as f64
    }
}

/// The steps an event of this name matches, as a bit mask.
pub fn step_mask(steps: &[EventSel], name: &str) -> u32 {
    steps.iter().enumerate().filter(|(_, s)| s.matches(name)).fold(0, |m, (j, _)| m | (1 << j))
}

/// Advances a run by the events of minute `t`: one step at most, since a
/// step must come strictly after the previous one. A run that has not
/// started begins at a first-step event.
fn step(run: Option<(u8, Millis)>, t: Millis, mask: u32, steps: u8) -> Option<(u8, Millis)> {
    match run {
        None if mask & 1 != 0 => Some((1, t)),
        None => None,
        Some((level, last)) if level < steps && t > last && mask & (1 << level) != 0 => Some((level + 1, t)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const M: Millis = 60_000;

    #[test]
    fn steps_must_be_strictly_later_and_within() {
        let mut f = Funnel::new(3, Some(10 * M));
        f.add(0, 0b001);
        f.add(0, 0b010); // same minute: not after step 1
        assert_eq!(f.value(), 1.0);
        f.add(M, 0b010);
        assert_eq!(f.value(), 2.0);
        f.add(10 * M, 0b100); // t - first = within: outside
        assert_eq!(f.value(), 2.0);
        f.add(9 * M, 0b100);
        assert_eq!(f.value(), 3.0);
    }

    #[test]
    fn a_later_start_can_do_better_with_a_deadline() {
        let mut f = Funnel::new(3, Some(5 * M));
        f.add(0, 0b001);
        f.add(10 * M, 0b001);
        f.add(11 * M, 0b010);
        f.add(12 * M, 0b100);
        assert_eq!(f.value(), 3.0);
    }

    #[test]
    fn frozen_history_keeps_the_earliest_run() {
        let mut f = Funnel::new(3, None);
        f.add(0, 0b001);
        f.add(M, 0b010);
        f.advance(5 * M);
        assert!(f.recent.is_empty());
        assert_eq!(f.anchor, Some((2, M)));
        f.add(100 * M, 0b100);
        assert_eq!(f.value(), 3.0);
    }
}
