//! The journal: the user's local events of the last day, as the signals
//! see them (the name and only the props the config reads), so that an
//! imported summary can supersede the history before its `as_of` and the
//! local events after it can be counted again on top.
//!
//! Identical events (same minute, name and props) share one entry with a
//! count, so a flood costs one entry; the journal also never holds more
//! than [`MAX_JOURNAL_ENTRIES`]. What leaves it is remembered only as the
//! latest time it covered, so an import can tell when it cannot be exact.

use crate::json::{Json, Obj};
use crate::time::Millis;
use std::collections::VecDeque;

pub const MAX_JOURNAL_ENTRIES: usize = 2_000;

#[derive(Clone, Debug, PartialEq)]
pub struct JournalEntry {
    /// The minute the events count at.
    pub minute: Millis,
    /// The earliest and latest real times of the events (to the ms).
    pub first: Millis,
    pub last: Millis,
    pub name: Box<str>,
    pub props: Obj,
    pub count: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Journal {
    /// In minute order.
    entries: VecDeque<JournalEntry>,
    /// The latest real time of any event that left the journal.
    pub forgotten_until: Option<Millis>,
}

impl Journal {
    /// Records an event; only its props named in `kept` are stored (the
    /// props the config reads). Compared without building anything, so a
    /// repeated event costs no allocation.
    pub fn add(&mut self, minute: Millis, real: Millis, name: &str, kept: &[Box<str>], props: &Obj) {
        let same_props = |stored: &Obj| kept.iter().all(|k| stored.get(k) == props.get(k));
        let same = self
            .entries
            .iter_mut()
            .rev()
            .take_while(|e| e.minute >= minute)
            .find(|e| e.minute == minute && &*e.name == name && same_props(&e.props));
        if let Some(e) = same {
            e.count += 1;
            e.first = e.first.min(real);
            e.last = e.last.max(real);
            return;
        }
        let props: Obj = kept.iter().filter_map(|k| props.get(k).map(|v| (k.clone(), v.clone()))).collect();
        let at = self.entries.partition_point(|e| e.minute <= minute);
        self.entries.insert(at, JournalEntry { minute, first: real, last: real, name: name.into(), props, count: 1 });
        while self.entries.len() > MAX_JOURNAL_ENTRIES {
            self.forget_front();
        }
    }

    fn forget_front(&mut self) {
        if let Some(e) = self.entries.pop_front() {
            self.forgotten_until = Some(self.forgotten_until.map_or(e.last, |f| f.max(e.last)));
        }
    }

    /// Forgets the entries at or before `cutoff` (minutes).
    pub fn prune_through(&mut self, cutoff: Millis) {
        while self.entries.front().is_some_and(|e| e.minute <= cutoff) {
            self.forget_front();
        }
    }

    pub fn entries(&self) -> impl Iterator<Item = &JournalEntry> {
        self.entries.iter()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Stored form: `{"e": [[minute, first, last, name, props, count]], "f": ms|null}`.
    pub fn to_json(&self) -> Json {
        let entries = self
            .entries
            .iter()
            .map(|e| {
                Json::Arr(vec![
                    Json::Num(e.minute as f64),
                    Json::Num(e.first as f64),
                    Json::Num(e.last as f64),
                    Json::from(&*e.name),
                    Json::Obj(e.props.clone()),
                    Json::Num(e.count as f64),
                ])
            })
            .collect();
        crate::obj! { "e" => Json::Arr(entries), "f" => self.forgotten_until.map(|t| t as f64) }
    }

    pub fn from_json(json: &Json) -> Option<Journal> {
        let int = |j: &Json| j.as_f64().filter(|n| n.fract() == 0.0 && *n >= 0.0 && *n <= crate::time::MAX_TIME as f64);
        let mut journal = Journal {
            entries: VecDeque::new(),
            forgotten_until: match json.get("f") {
                None | Some(Json::Null) => None,
                Some(v) => Some(int(v)? as Millis),
            },
        };
        for e in json.get("e")?.as_arr()? {
            let [minute, first, last, Json::Str(name), Json::Obj(props), count] = e.as_arr()? else { return None };
            let entry = JournalEntry {
                minute: int(minute)? as Millis,
                first: int(first)? as Millis,
                last: int(last)? as Millis,
                name: name.clone(),
                props: props.clone(),
                count: int(count)? as u64,
            };
            if journal.entries.back().is_some_and(|b| b.minute > entry.minute) || entry.count == 0 {
                return None;
            }
            journal.entries.push_back(entry);
        }
        (journal.entries.len() <= MAX_JOURNAL_ENTRIES).then_some(journal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    const M: Millis = 60_000;

    #[test]
    fn identical_events_share_an_entry() {
        let mut j = Journal::default();
        for i in 0..1000 {
            j.add(10 * M, 10 * M + i, "a", &[], &Obj::new());
        }
        j.add(9 * M, 9 * M + 5, "a", &[], &Obj::new());
        assert_eq!(j.len(), 2);
        let first = j.entries().next().unwrap();
        assert_eq!((first.minute, first.count), (9 * M, 1));
        let second = j.entries().nth(1).unwrap();
        assert_eq!((second.count, second.first, second.last), (1000, 10 * M, 10 * M + 999));
        j.prune_through(9 * M);
        assert_eq!(j.forgotten_until, Some(9 * M + 5));
        assert_eq!(Journal::from_json(&j.to_json()), Some(j));
    }
}
