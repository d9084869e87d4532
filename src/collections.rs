//! Small ordered collections on sorted vectors.
//!
//! The maps and sets the engine keeps are small (a window's days, a
//! signal's 1,000 distinct values, a config's event names), so a sorted
//! vector with binary search is as fast as a tree or a hash table here, and
//! one generic implementation costs far fewer bytes of wasm than std's
//! B-tree and hash map code (every byte of which the page downloads).

/// A map sorted by key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecMap<K, V>(Vec<(K, V)>);

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap(Vec::new())
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub fn new() -> Self {
        VecMap(Vec::new())
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.0.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    pub fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.find(key).ok().and_then(|i| self.0.get(i)).map(|(_, v)| v)
    }

    /// The stored key equal to `key`, and its value.
    pub fn get_key_value<Q: Ord + ?Sized>(&self, key: &Q) -> Option<(&K, &V)>
    where
        K: std::borrow::Borrow<Q>,
    {
        self.find(key).ok().and_then(|i| self.0.get(i)).map(|(k, v)| (k, v))
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: std::borrow::Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        self.0.get_mut(i).map(|(_, v)| v)
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, key: &Q) -> bool
    where
        K: std::borrow::Borrow<Q>,
    {
        self.find(key).is_ok()
    }

    /// Sets `key`; returns the previous value.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => self.0.get_mut(i).map(|slot| std::mem::replace(&mut slot.1, value)),
            Err(i) => {
                self.0.insert(i, (key, value));
                None
            }
        }
    }

    /// The value at `key`, inserted with `make` when absent.
    pub fn entry_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.find(&key) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (key, make()));
                i
            }
        };
        #[allow(clippy::indexing_slicing, reason = "i was found in, or inserted into, self.0 just above")]
        &mut self.0[i].1
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: std::borrow::Borrow<Q>,
    {
        let i = self.find(key).ok()?;
        Some(self.0.remove(i).1)
    }

    /// Removes and returns the entry with the smallest key.
    pub fn pop_first(&mut self) -> Option<(K, V)> {
        (!self.0.is_empty()).then(|| self.0.remove(0))
    }

    pub fn first(&self) -> Option<(&K, &V)> {
        self.0.first().map(|(k, v)| (k, v))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + ExactSizeIterator {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + ExactSizeIterator {
        self.0.iter().map(|(k, _)| k)
    }
}

/// A set kept sorted.
pub type VecSet<T> = VecMap<T, ()>;

impl<T: Ord> VecMap<T, ()> {
    /// Adds `value`; returns whether it was new.
    pub fn add(&mut self, value: T) -> bool {
        self.insert(value, ()).is_none()
    }
}

/// Sorts a short slice in place, stably: an insertion sort, whose code is
/// a fraction of the size of std's sorts (the engine only sorts lists of a
/// config's size: slots, prompts, segment ids).
pub fn sort_small_by<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    for i in 1..items.len() {
        let mut j = i;
        while let (Some(a), Some(b)) = (items.get(j), j.checked_sub(1).and_then(|k| items.get(k))) {
            if !less(a, b) {
                break;
            }
            items.swap(j, j - 1);
            j -= 1;
        }
    }
}

/// Sorts in place in O(n log n) whatever the order of the input (a
/// heapsort: no input can make it quadratic, and its code is small). For
/// lists an input may make long, e.g. the keys of a wide object.
#[allow(clippy::indexing_slicing, reason = "every index is below `end`, which is at most items.len()")]
pub fn heap_sort_by<T>(items: &mut [T], mut less: impl FnMut(&T, &T) -> bool) {
    let mut sift = |items: &mut [T], mut root: usize, end: usize| loop {
        let mut child = 2 * root + 1;
        if child >= end {
            break;
        }
        if child + 1 < end && less(&items[child], &items[child + 1]) {
            child += 1;
        }
        if !less(&items[root], &items[child]) {
            break;
        }
        items.swap(root, child);
        root = child;
    };
    let n = items.len();
    for i in (0..n / 2).rev() {
        sift(items, i, n);
    }
    for end in (1..n).rev() {
        items.swap(0, end);
        sift(items, 0, end);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_stays_sorted() {
        let mut m = VecMap::new();
        for k in [5, 1, 3, 1] {
            m.insert(k, k * 10);
        }
        assert_eq!(m.iter().map(|(k, v)| (*k, *v)).collect::<Vec<_>>(), vec![(1, 10), (3, 30), (5, 50)]);
        assert_eq!(m.remove(&3), Some(30));
        *m.entry_or_insert_with(7, || 0) += 1;
        assert_eq!(m.get(&7), Some(&1));
        assert_eq!(m.pop_first(), Some((1, 10)));
        let mut s: VecSet<&str> = VecSet::new();
        assert!(s.add("b") && s.add("a") && !s.add("b"));
        assert_eq!(s.keys().copied().collect::<Vec<_>>(), vec!["a", "b"]);
    }

    #[test]
    fn small_sort_is_stable() {
        let mut v = vec![(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')];
        sort_small_by(&mut v, |a, b| a.0 < b.0);
        assert_eq!(v, vec![(1, 'b'), (1, 'd'), (2, 'a'), (2, 'c')]);
    }

    #[test]
    fn heap_sort_sorts() {
        for n in [0usize, 1, 2, 3, 10, 257] {
            let mut v: Vec<u64> = (0..n as u64).map(|i| i.wrapping_mul(0x9e37_79b9_7f4a_7c15) % 97).collect();
            let mut expected = v.clone();
            expected.sort();
            heap_sort_by(&mut v, |a, b| a < b);
            assert_eq!(v, expected);
        }
    }
}
