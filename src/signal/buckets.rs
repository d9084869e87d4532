//! Minute buckets: per-minute amounts in time order with a running total,
//! kept only as far back as a window needs.

use crate::time::Millis;
use std::collections::VecDeque;

/// An amount a bucket holds: a count or a sum.
pub trait Amount: Copy + Default + PartialEq + std::ops::AddAssign + std::ops::SubAssign {
    /// Whether adding and subtracting this amount is exact (so a running
    /// total never drifts): counts always; sums of whole numbers below 2^53.
    fn is_exact(self) -> bool;
}
impl Amount for u64 {
    fn is_exact(self) -> bool {
        true
    }
}
impl Amount for f64 {
    fn is_exact(self) -> bool {
        self.fract() == 0.0 && self.abs() < 9_007_199_254_740_992.0
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Buckets<T: Amount> {
    /// `(minute start, amount)`, strictly increasing in time.
    items: VecDeque<(Millis, T)>,
    total: T,
    /// Buckets whose amount is not exact (see `Amount::is_exact`): while
    /// any is kept, the total is recomputed when buckets leave, since
    /// subtracting would keep the rounding of values no longer held.
    inexact: usize,
}

impl<T: Amount> Buckets<T> {
    pub fn new() -> Self {
        Buckets { items: VecDeque::new(), total: T::default(), inexact: 0 }
    }

    fn count_inexact(&mut self, before: Option<T>, after: T) {
        if before.is_some_and(|b| !b.is_exact()) {
            self.inexact -= 1;
        }
        if !after.is_exact() {
            self.inexact += 1;
        }
    }

    /// Adds `amount` at minute `t`. Returns true when the minute was new.
    /// In-order events append; late ones are inserted in place.
    pub fn add(&mut self, t: Millis, amount: T) -> bool {
        self.total += amount;
        let i = match self.items.back() {
            Some((last, _)) if *last == t => Ok(self.items.len() - 1),
            Some((last, _)) if *last > t => self.items.binary_search_by_key(&t, |(m, _)| *m),
            _ => Err(self.items.len()),
        };
        match i {
            Ok(i) => {
                let Some((_, v)) = self.items.get_mut(i) else { return false };
                let before = *v;
                *v += amount;
                let after = *v;
                self.count_inexact(Some(before), after);
                false
            }
            Err(i) => {
                self.items.insert(i, (t, amount));
                self.count_inexact(None, amount);
                true
            }
        }
    }

    /// Drops the buckets at or before `cutoff`, calling `on_drop` for each;
    /// returns whether any was dropped.
    pub fn prune_through(&mut self, cutoff: Millis, mut on_drop: impl FnMut(Millis, T)) -> bool {
        let mut dropped = false;
        let had_inexact = self.inexact > 0;
        while let Some(&(t, v)) = self.items.front() {
            if t > cutoff {
                break;
            }
            self.items.pop_front();
            self.total -= v;
            self.count_inexact(Some(v), T::default());
            dropped = true;
            on_drop(t, v);
        }
        if dropped && (had_inexact || !self.total.is_exact()) {
            self.total = T::default();
            for (_, v) in &self.items {
                self.total += *v;
            }
        }
        dropped
    }

    /// Moves every bucket later than minute `t` into `t` (times that were
    /// in the future of a clock that went back); returns whether any moved.
    pub fn clamp_to(&mut self, t: Millis) -> bool {
        let mut moved: Option<T> = None;
        while let Some(&(m, v)) = self.items.back() {
            if m <= t {
                break;
            }
            self.items.pop_back();
            self.total -= v;
            self.count_inexact(Some(v), T::default());
            let mut sum = moved.unwrap_or_default();
            sum += v;
            moved = Some(sum);
        }
        match moved {
            Some(v) => {
                self.add(t, v);
                true
            }
            None => false,
        }
    }

    /// The earliest bucket's minute.
    pub fn earliest(&self) -> Option<Millis> {
        self.items.front().map(|(t, _)| *t)
    }

    /// The latest bucket's minute.
    pub fn latest(&self) -> Option<Millis> {
        self.items.back().map(|(t, _)| *t)
    }

    pub fn total(&self) -> T {
        self.total
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (Millis, T)> + '_ {
        self.items.iter().copied()
    }
}

impl Buckets<u64> {
    /// Stored form: the compact series text.
    pub fn encode(&self) -> String {
        crate::codec::encode_series(self.iter())
    }

    /// Refuses totals past 2^53 (what a stored count can carry exactly).
    pub fn decode(text: &str) -> Option<Self> {
        let mut b = Buckets::<u64>::new();
        for (t, n) in crate::codec::decode_series(text)? {
            if b.total.checked_add(n)? > 1 << 53 {
                return None;
            }
            b.add(t, n);
        }
        Some(b)
    }
}

impl Buckets<f64> {
    /// Stored form: the times as series text (values 0), the sums as numbers.
    pub fn encode(&self) -> (String, Vec<f64>) {
        let mut values = Vec::with_capacity(self.items.len());
        for (_, v) in self.iter() {
            values.push(v);
        }
        (crate::codec::encode_series(self.iter().map(|(t, _)| (t, 0))), values)
    }

    pub fn decode(times: &str, values: &[f64]) -> Option<Self> {
        let times = crate::codec::decode_series(times)?;
        if times.len() != values.len() || values.iter().any(|v| !v.is_finite()) {
            return None;
        }
        let mut b = Buckets::new();
        for ((t, _), v) in times.into_iter().zip(values) {
            b.add(t, *v);
        }
        Some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_forget_the_rounding_of_values_that_left() {
        let mut b = Buckets::<f64>::new();
        b.add(0, 1e17);
        b.add(60_000, 1.0);
        b.prune_through(0, |_, _| {});
        assert_eq!(b.total(), 1.0);
        b.add(120_000, 0.1);
        b.add(180_000, 0.2);
        b.prune_through(60_000, |_, _| {});
        assert_eq!(b.total(), 0.1 + 0.2);
        b.prune_through(180_000, |_, _| {});
        assert_eq!(b.total(), 0.0);
    }

    #[test]
    fn merges_minutes_and_inserts_late_ones_in_order() {
        let mut b = Buckets::<u64>::new();
        assert!(b.add(120, 1));
        assert!(!b.add(120, 1));
        assert!(b.add(240, 1));
        assert!(b.add(60, 1));
        assert!(!b.add(60, 2));
        assert_eq!(b.iter().collect::<Vec<_>>(), vec![(60, 3), (120, 2), (240, 1)]);
        assert_eq!(b.total(), 6);
        let mut dropped = Vec::new();
        b.prune_through(120, |t, v| dropped.push((t, v)));
        assert_eq!(dropped, vec![(60, 3), (120, 2)]);
        assert_eq!(b.total(), 1);
    }
}
