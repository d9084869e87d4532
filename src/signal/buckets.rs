//! Minute buckets: per-minute amounts in time order with a running total,
//! kept only as far back as a window needs.

use crate::time::Millis;
use std::collections::VecDeque;

/// An amount a bucket holds: a count or a sum.
pub trait Amount: Copy + Default + PartialEq + std::ops::AddAssign + std::ops::SubAssign {}
impl Amount for u64 {}
impl Amount for f64 {}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Buckets<T: Amount> {
    /// `(minute start, amount)`, strictly increasing in time.
    items: VecDeque<(Millis, T)>,
    total: T,
}

impl<T: Amount> Buckets<T> {
    pub fn new() -> Self {
        Buckets { items: VecDeque::new(), total: T::default() }
    }

    /// Adds `amount` at minute `t`. Returns true when the minute was new.
    /// In-order events append; late ones are inserted in place.
    pub fn add(&mut self, t: Millis, amount: T) -> bool {
        self.total += amount;
        match self.items.back_mut() {
            Some((last, v)) if *last == t => {
                *v += amount;
                false
            }
            Some((last, _)) if *last > t => match self.items.binary_search_by_key(&t, |(m, _)| *m) {
                Ok(i) => {
                    if let Some((_, v)) = self.items.get_mut(i) {
                        *v += amount;
                    }
                    false
                }
                Err(i) => {
                    self.items.insert(i, (t, amount));
                    true
                }
            },
            _ => {
                self.items.push_back((t, amount));
                true
            }
        }
    }

    /// Drops the buckets at or before `cutoff`, calling `on_drop` for each.
    pub fn prune_through(&mut self, cutoff: Millis, mut on_drop: impl FnMut(Millis, T)) {
        while let Some(&(t, v)) = self.items.front() {
            if t > cutoff {
                break;
            }
            self.items.pop_front();
            self.total -= v;
            on_drop(t, v);
        }
        if self.items.is_empty() {
            // Sums of fractions drift when subtracted; an empty store is exactly zero.
            self.total = T::default();
        }
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

#[cfg(test)]
mod tests {
    use super::*;

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
