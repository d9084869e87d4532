//! `trend`: matching events in `(now-D, now]` divided by those in
//! `(now-2D, now-D]`.

use super::buckets::Buckets;
use crate::time::Millis;

#[derive(Clone, Debug, PartialEq)]
pub struct Trend {
    pub window: Millis,
    /// Buckets in `(now-2D, now-D]`.
    pub earlier: Buckets<u64>,
    /// Buckets in `(now-D, now]`.
    pub recent: Buckets<u64>,
}

impl Trend {
    pub fn new(window: Millis) -> Self {
        Trend { window, earlier: Buckets::new(), recent: Buckets::new() }
    }

    pub fn add(&mut self, t: Millis, now: Millis) {
        if t > now - self.window {
            self.recent.add(t, 1);
        } else if t > now - 2 * self.window {
            self.earlier.add(t, 1);
        }
    }

    /// Moves what leaves the recent window to the earlier one, and lets go
    /// of what leaves that; returns whether anything moved.
    pub fn advance(&mut self, now: Millis) -> bool {
        let earlier = &mut self.earlier;
        let moved = self.recent.prune_through(now - self.window, |t, n| {
            earlier.add(t, n);
        });
        self.earlier.prune_through(now - 2 * self.window, |_, _| {}) | moved
    }

    pub fn clamp_to(&mut self, t: Millis) -> bool {
        let recent = self.recent.clamp_to(t);
        self.earlier.clamp_to(t) | recent
    }

    pub fn latest(&self) -> Option<Millis> {
        self.recent.latest().max(self.earlier.latest())
    }

    pub fn value(&self) -> Option<f64> {
        match self.earlier.total() {
            0 => None,
            e => Some(self.recent.total() as f64 / e as f64),
        }
    }
}
