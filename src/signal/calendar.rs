//! `active_days` / `active_weeks`: distinct local days (weeks, Monday
//! start) with a matching event in the window.
//!
//! Minutes are kept (not days) because the day an event falls on depends
//! on the user's *current* time-zone offset, which `identify` may change.

use super::buckets::Buckets;
use crate::collections::VecMap;
use crate::time::{local_day, local_week, Millis};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Day,
    Week,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActiveUnits {
    pub unit: Unit,
    pub window: Millis,
    /// Minutes with at least one matching event, inside the window.
    pub minutes: Buckets<u64>,
    /// Local unit number -> how many stored minutes fall in it, under `tz`.
    per_unit: VecMap<i64, u32>,
    tz: i32,
}

impl ActiveUnits {
    pub fn new(unit: Unit, window: Millis, tz: i32) -> Self {
        ActiveUnits { unit, window, minutes: Buckets::new(), per_unit: VecMap::new(), tz }
    }

    fn unit_of(&self, t: Millis) -> i64 {
        match self.unit {
            Unit::Day => local_day(t, self.tz),
            Unit::Week => local_week(t, self.tz),
        }
    }

    pub fn add(&mut self, t: Millis, now: Millis) {
        if t <= now - self.window {
            return;
        }
        if self.minutes.add(t, 1) {
            let unit = self.unit_of(t);
            *self.per_unit.entry_or_insert_with(unit, || 0) += 1;
        }
    }

    /// Lets go of the minutes the window no longer holds; returns whether any left.
    pub fn advance(&mut self, now: Millis) -> bool {
        let (unit, tz) = (self.unit, self.tz);
        let per_unit = &mut self.per_unit;
        self.minutes.prune_through(now - self.window, |t, _| {
            let u = match unit {
                Unit::Day => local_day(t, tz),
                Unit::Week => local_week(t, tz),
            };
            if let Some(n) = per_unit.get_mut(&u) {
                *n -= 1;
                if *n == 0 {
                    per_unit.remove(&u);
                }
            }
        })
    }

    /// Regroups the stored minutes under a new offset.
    pub fn set_tz(&mut self, tz: i32) {
        if tz == self.tz {
            return;
        }
        self.tz = tz;
        self.per_unit.clear();
        for (t, _) in self.minutes.iter() {
            let u = match self.unit {
                Unit::Day => local_day(t, tz),
                Unit::Week => local_week(t, tz),
            };
            *self.per_unit.entry_or_insert_with(u, || 0) += 1;
        }
    }

    /// Rebuilds from stored minutes.
    pub fn from_minutes(unit: Unit, window: Millis, tz: i32, minutes: Buckets<u64>) -> Self {
        let mut a = ActiveUnits { unit, window, minutes, per_unit: VecMap::new(), tz: tz.wrapping_add(1) };
        a.set_tz(tz);
        a
    }

    /// See `Buckets::clamp_to`; the units are counted again.
    pub fn clamp_to(&mut self, t: Millis) -> bool {
        if !self.minutes.clamp_to(t) {
            return false;
        }
        let tz = self.tz;
        self.tz = tz.wrapping_add(1);
        self.set_tz(tz);
        true
    }

    pub fn value(&self) -> f64 {
        self.per_unit.len() as f64
    }
}
