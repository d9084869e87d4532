//! Guided tours (DESIGN, "Experiences and slots"): a tour's progress is
//! the set of its completed steps, and it only grows. A step is completed
//! when the host reports `advanced` for it (in any order, at most once
//! counting), or once its `done` condition has held at any step of the
//! user's timeline. The current step is the first one not completed; a
//! tour whose steps are all completed counts as converted.

use super::experience::{CompiledExperience, ExperiencePlan};
use super::interactions::ExperienceLog;
use crate::condition::Condition;
use crate::doc::EvalDoc;

#[derive(Debug)]
pub struct CompiledStep {
    pub id: Box<str>,
    pub done: Option<Condition>,
}

/// One user's progress through one tour. Steps are bits (step `j` is bit
/// `j`): a tour has at most `MAX_STEPS` (32) steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Steps the host reported `advanced` for.
    pub advanced: u32,
    /// Steps whose `done` condition held at some step (sticky).
    pub held: u32,
    /// Every step was completed once: the tour counts as converted, for
    /// good (a config update that adds a step does not bring it back).
    pub completed: bool,
}

fn bit(step: usize) -> u32 {
    1u32.checked_shl(step as u32).unwrap_or(0)
}

/// The mask of a tour's `n` steps.
fn all(n: usize) -> u32 {
    if n >= 32 {
        u32::MAX
    } else {
        bit(n) - 1
    }
}

impl Progress {
    /// The completed steps.
    pub fn done(&self) -> u32 {
        self.advanced | self.held
    }

    pub fn is_done(&self, step: usize) -> bool {
        self.done() & bit(step) != 0
    }

    /// The first step not completed, of a tour of `n` steps (None when
    /// every step is).
    pub fn current(&self, n: usize) -> Option<usize> {
        let left = !self.done() & all(n);
        (left != 0).then(|| left.trailing_zeros() as usize)
    }

    /// Records `advanced(step)`; returns whether the step was not
    /// completed before.
    pub fn advance(&mut self, step: usize) -> bool {
        let new = !self.is_done(step);
        self.advanced |= bit(step);
        new
    }

    /// Whether every step of a tour of `n` steps is completed.
    pub fn all_done(&self, n: usize) -> bool {
        self.done() & all(n) == all(n)
    }
}

/// The ids of the steps in `mask` (for the stored state).
pub fn ids_of(steps: &[CompiledStep], mask: u32) -> impl Iterator<Item = &str> {
    steps.iter().enumerate().filter(move |(j, _)| mask & bit(*j) != 0).map(|(_, s)| &*s.id)
}

/// The mask of the steps named: ids the tour no longer has are dropped
/// (a config update keeps progress for the step ids that still exist).
pub fn mask_of(steps: &[CompiledStep], ids: &[&str]) -> u32 {
    let mut mask = 0;
    for &id in ids {
        if let Some(j) = steps.iter().position(|s| &*s.id == id) {
            mask |= bit(j);
        }
    }
    mask
}

/// How a step was completed, for reasons.
pub fn completed_by(progress: &Progress, step: usize) -> Option<&'static str> {
    if progress.advanced & bit(step) != 0 {
        Some("advanced")
    } else if progress.held & bit(step) != 0 {
        Some("done")
    } else {
        None
    }
}

/// Checks the `done` conditions of every step not completed yet, and
/// marks tours whose steps are all completed. Runs after each step of the
/// user's timeline (and before a decision), so a condition that held once
/// keeps its step completed even after it stops holding.
pub fn update(plan: &ExperiencePlan, logs: &mut [ExperienceLog], doc: &EvalDoc) {
    for &i in &plan.tours {
        let (Some(exp), Some(log)) = (plan.experiences.get(i), logs.get_mut(i)) else { continue };
        update_one(exp, log, doc);
    }
}

fn update_one(exp: &CompiledExperience, log: &mut ExperienceLog, doc: &EvalDoc) {
    if log.tour.completed {
        return;
    }
    for (j, step) in exp.steps.iter().enumerate() {
        if !log.tour.is_done(j) && step.done.as_ref().is_some_and(|c| c.eval(doc)) {
            log.tour.held |= bit(j);
        }
    }
    if log.tour.all_done(exp.steps.len()) {
        log.tour.completed = true;
        // Like a conversion, completion ends the display.
        log.showing = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_only_grows_and_the_current_step_is_the_first_left() {
        let mut p = Progress::default();
        assert_eq!(p.current(3), Some(0));
        assert!(p.advance(2));
        assert!(!p.advance(2), "a second advanced counts once");
        assert_eq!(p.current(3), Some(0));
        p.held |= bit(0);
        assert_eq!(p.current(3), Some(1));
        assert!(!p.all_done(3));
        p.advance(1);
        assert!(p.all_done(3));
        assert_eq!(p.current(3), None);
        assert_eq!(completed_by(&p, 0), Some("done"));
        assert_eq!(completed_by(&p, 2), Some("advanced"));
    }

    #[test]
    fn thirty_two_steps_fit() {
        let mut p = Progress::default();
        for j in 0..32 {
            assert_eq!(p.current(32), Some(j));
            p.advance(j);
        }
        assert!(p.all_done(32));
        assert_eq!(p.current(32), None);
    }
}
