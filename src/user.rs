//! Everything the engine keeps about one user: what the stored state
//! saves and restores (`persist`), and what every step changes (`engine`).

use crate::decide::interactions::ExperienceLog;
use crate::decide::Exposed;
use crate::json::Json;
use crate::signal::History;
use crate::stage::StageState;
use crate::time::Millis;

/// Everything the engine keeps about one user.
#[derive(Clone, Debug)]
pub struct UserState {
    pub user_id: Box<str>,
    pub attributes: Json,
    pub entitlements: Json,
    pub history: History,
    pub stage: StageState,
    /// What the host reported, per experience (config order).
    pub interactions: Vec<ExperienceLog>,
    /// Experiment variations already exposed to this user.
    pub exposed: Exposed,
    /// The time of the user's latest step.
    pub last_step: Option<Millis>,
}

impl UserState {
    /// The latest time anything in the state holds (None for a user with
    /// no step and no data). In a state the engine made it is never after
    /// `last_step`.
    pub fn latest_time(&self) -> Option<Millis> {
        // Loops, not `map`/`filter_map`/`max` chains: one instance less
        // of each adapter in the wasm (`None` is below every time).
        let mut latest = self.last_step.max(self.history.latest()).max(self.stage.held.map(|h| h.since));
        for t in &self.stage.transitions {
            latest = latest.max(Some(t.at));
        }
        for log in &self.interactions {
            latest = latest.max(log.latest());
        }
        latest
    }

    /// Moves every time later than `t` back to `t`: the steps, events,
    /// stage and interactions a clock that ran ahead left in the future
    /// (events count in `t`'s minute). Returns whether anything moved.
    pub fn clamp_to(&mut self, t: Millis) -> bool {
        let mut moved = self.history.clamp_to(t);
        if self.last_step.is_some_and(|s| s > t) {
            self.last_step = Some(t);
            moved = true;
        }
        if let Some(held) = self.stage.held.as_mut().filter(|h| h.since > t) {
            held.since = t;
            moved = true;
        }
        for transition in &mut self.stage.transitions {
            if transition.at > t {
                transition.at = t;
                moved = true;
            }
        }
        for log in &mut self.interactions {
            moved |= log.clamp_to(t);
        }
        moved
    }
}
