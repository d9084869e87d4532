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
        let _appended = match self.recent.binary_search_by_key(&t, |(m, _)| *m) {
            Ok(i) => match self.recent.get_mut(i) {
                Some((_, m)) if *m | mask == *m => return,
                Some((_, m)) => {
                    *m |= mask;
                    false
                }
                None => return,
            },
            Err(i) => {
                self.recent.insert(i, (t, mask));
                i + 1 == self.recent.len()
            }
        };
        if self.best == self.steps {
            return; // no run goes further
        }
        // A minute after every other one changes only the runs that can
        // reach it: with a deadline, those starting less than `within`
        // before it; the others reached at most `best` already. With text
        // only: the browser's engine walks every run (fewer bytes).
        #[cfg(feature = "text")]
        let first_start = match (self.within, _appended) {
            (Some(within), true) => self.recent.partition_point(|&(m, _)| t - m >= within),
            _ => 0,
        };
        #[cfg(not(feature = "text"))]
        let first_start = 0;
        self.best = self.best.max(self.best_run(first_start));
    }

    /// Raises `best` to the best run of the minutes kept (a restored state
    /// whose `best` is below them), so that `add` may walk only new runs.
    #[cfg(feature = "text")]
    pub fn settle(&mut self) {
        self.best = self.best.max(self.best_run(0));
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

    /// The most steps of a run from the kept minutes; with a deadline,
    /// of a run starting at the `first_start`-th kept minute or later.
    fn best_run(&self, first_start: usize) -> u8 {
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
                for (i, &(start, mask)) in self.recent.iter().enumerate().skip(first_start) {
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

    /// `add` walking only the runs a new last minute can reach gives what
    /// walking every run after every add gave.
    #[test]
    fn walks_only_the_runs_an_appended_minute_reaches() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for round in 0..400 {
            let steps = 1 + next(5) as u8;
            let within = if round % 4 == 0 { None } else { Some((1 + next(30) as Millis) * M) };
            let mut f = Funnel::new(steps, within);
            let mut full = 0u8;
            let mut t = 0;
            for _ in 0..60 {
                // Mostly later minutes, sometimes an earlier or the same one.
                let at = match next(6) {
                    0 => t - next(40) as Millis * M,
                    1 => t,
                    _ => {
                        t += (1 + next(8) as Millis) * M;
                        t
                    }
                };
                f.add(at, next(1 << steps) as u32);
                full = full.max(f.best_run(0));
                assert_eq!(f.best, full, "round {round}");
                if next(10) == 0 {
                    f.advance(t - 40 * M);
                }
                if next(20) == 0 {
                    f.clamp_to(t - next(5) as Millis * M);
                    full = full.max(f.best_run(0));
                    assert_eq!(f.best, full, "round {round}");
                }
            }
        }
    }
}
