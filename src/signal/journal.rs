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
use crate::time::{Millis, MAX_TIME, MINUTE};
use std::collections::VecDeque;
use std::sync::Arc;

pub const MAX_JOURNAL_ENTRIES: usize = 2_000;
/// About how many bytes of stored state the journal may take (props
/// included): with long string props, entries go before the count limit.
pub const MAX_JOURNAL_BYTES: usize = 128 * 1024;

/// About what an entry costs in the stored state (an estimate, computed
/// without writing anything: it runs for every new entry).
fn cost(e: &JournalEntry) -> usize {
    let value = |v: &Json| match v {
        Json::Str(s) => s.len() + 2,
        _ => 8,
    };
    24 + e.name.len() + e.props.iter().map(|(k, v)| k.len() + 4 + value(v)).sum::<usize>()
}

#[derive(Clone, Debug, PartialEq)]
pub struct JournalEntry {
    /// The minute the events count at.
    pub minute: Millis,
    /// The earliest and latest real times of the events (to the ms).
    pub first: Millis,
    pub last: Millis,
    /// Shared with the config's name when it reads events of this name.
    pub name: Arc<str>,
    pub props: Obj,
    pub count: u64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Journal {
    /// In minute order.
    entries: VecDeque<JournalEntry>,
    /// The latest real time of any event that left the journal.
    pub forgotten_until: Option<Millis>,
    /// The entries' `cost`, summed.
    bytes: usize,
}

impl Journal {
    /// Records an event; only its props named in `kept` are stored (the
    /// props the config reads). Compared without building anything, so a
    /// repeated event costs no allocation; `name` is shared (the config's
    /// own), so neither does a new entry without props.
    pub fn add(&mut self, minute: Millis, real: Millis, name: Arc<str>, kept: &[Box<str>], props: &Obj) {
        let same_props = |stored: &Obj| kept.iter().all(|k| stored.get(k) == props.get(k));
        // Natively (`text`), an event of a later minute than every entry
        // (most of them) has none to share: nothing searched. The
        // browser's engine searches as before (fewer bytes).
        let same =
            if cfg!(feature = "text") && self.entries.back().is_none_or(|e| e.minute < minute) {
                None
            } else {
                self.entries.iter_mut().rev().take_while(|e| e.minute >= minute).find(|e| {
                    e.minute == minute && (Arc::ptr_eq(&e.name, &name) || e.name == name) && same_props(&e.props)
                })
            };
        if let Some(e) = same {
            e.count += 1;
            e.first = e.first.min(real);
            e.last = e.last.max(real);
            return;
        }
        // `kept` names each prop once: inserted one by one, into one Vec.
        let mut stored = Obj::new();
        if !props.is_empty() {
            for k in kept {
                if let Some(v) = props.get(k) {
                    stored.insert(k.clone(), v.clone());
                }
            }
        }
        let props = stored;
        let entry = JournalEntry { minute, first: real, last: real, name, props, count: 1 };
        self.bytes += cost(&entry);
        // Events mostly come in time order: appended.
        if self.entries.back().is_none_or(|e| e.minute <= minute) {
            self.entries.push_back(entry);
        } else {
            let at = self.entries.partition_point(|e| e.minute <= minute);
            self.entries.insert(at, entry);
        }
        while self.entries.len() > MAX_JOURNAL_ENTRIES || (self.bytes > MAX_JOURNAL_BYTES && self.entries.len() > 1) {
            self.forget_front();
        }
    }

    fn forget_front(&mut self) {
        if let Some(e) = self.entries.pop_front() {
            self.bytes = self.bytes.saturating_sub(cost(&e));
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

    /// Moves entries later than minute `t` into it, and real times later
    /// than `real` back to it; returns whether anything moved.
    pub fn clamp_to(&mut self, t: Millis, real: Millis) -> bool {
        let mut moved = false;
        for e in &mut self.entries {
            if e.minute > t || e.last > real {
                e.minute = e.minute.min(t);
                e.first = e.first.min(real);
                e.last = e.last.min(real);
                moved = true;
            }
        }
        if self.forgotten_until.is_some_and(|f| f > real) {
            self.forgotten_until = Some(real);
            moved = true;
        }
        moved
    }

    /// The latest real time it holds.
    pub fn latest(&self) -> Option<Millis> {
        let mut latest = self.forgotten_until;
        for e in &self.entries {
            latest = latest.max(Some(e.last.max(e.minute)));
        }
        latest
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Stored form, compact: `{"n": [names], "e": text, "p": [[entry, props]], "f": ms|null}`.
    /// `e` is the codec's text of five numbers per entry: the minute (the
    /// first absolute, then gaps, in minutes), the first event's ms within
    /// it, the ms from first to last, the name's index in `n`, the count.
    /// `p` holds the props of the entries that have any.
    pub fn to_json(&self) -> Json {
        let mut names: Vec<&str> = Vec::new();
        let mut nums = Vec::with_capacity(self.entries.len() * 5);
        let mut props = Vec::new();
        let mut prev = 0i64;
        for (i, e) in self.entries.iter().enumerate() {
            let minute = e.minute.div_euclid(MINUTE);
            let name = match names.iter().position(|n| *n == &*e.name) {
                Some(k) => k,
                None => {
                    names.push(&e.name);
                    names.len() - 1
                }
            };
            nums.extend_from_slice(&[
                (minute - prev).max(0) as u64,
                (e.first - e.minute).max(0) as u64,
                (e.last - e.first).max(0) as u64,
                name as u64,
                e.count,
            ]);
            prev = minute;
            if !e.props.is_empty() {
                props.push(Json::Arr(vec![Json::Num(i as f64), Json::Obj(e.props.clone())]));
            }
        }
        let mut name_list = Vec::with_capacity(names.len());
        for n in names {
            name_list.push(Json::from(n));
        }
        crate::obj! {
            "n" => Json::Arr(name_list),
            "e" => crate::codec::encode(nums),
            "p" => Json::Arr(props),
            "f" => self.forgotten_until.map(|t| t as f64),
        }
    }

    pub fn from_json(json: &Json) -> Option<Journal> {
        let list = json.get("n")?.as_arr()?;
        let mut names: Vec<&str> = Vec::new();
        for n in list {
            names.push(n.as_str()?);
        }
        let nums = crate::codec::decode(json.get("e")?.as_str()?)?;
        if nums.len() % 5 != 0 || nums.len() / 5 > MAX_JOURNAL_ENTRIES {
            return None;
        }
        let mut journal = Journal {
            bytes: 0,
            entries: VecDeque::with_capacity(nums.len() / 5),
            forgotten_until: match json.get("f") {
                None | Some(Json::Null) => None,
                Some(v) => {
                    Some(v.as_f64().filter(|t| t.fract() == 0.0 && *t >= 0.0 && *t <= MAX_TIME as f64)? as Millis)
                }
            },
        };
        let mut minute = 0i64;
        for n in nums.chunks_exact(5) {
            let &[gap, first, span, name, count] = n else { return None };
            minute = minute.checked_add(i64::try_from(gap).ok()?)?;
            let start = minute.checked_mul(MINUTE).filter(|t| *t <= MAX_TIME)?;
            if first >= MINUTE as u64 || count == 0 {
                return None;
            }
            let first = start + first as i64;
            let last = first.checked_add(i64::try_from(span).ok()?).filter(|t| *t <= MAX_TIME)?;
            journal.entries.push_back(JournalEntry {
                minute: start,
                first,
                last,
                name: (*names.get(usize::try_from(name).ok()?)?).into(),
                props: Obj::new(),
                count,
            });
        }
        for pair in json.get("p")?.as_arr()? {
            let [Json::Num(i), Json::Obj(props)] = pair.as_arr()? else { return None };
            if i.fract() != 0.0 || *i < 0.0 {
                return None;
            }
            let entry = journal.entries.get_mut(*i as usize)?;
            // What the journal holds are an event's props: a flat object of
            // scalars (a nested value would also make the state deeper than
            // a reader accepts).
            let props = Json::Obj(props.clone());
            crate::input::check_event(&entry.name, &props).ok()?;
            let Json::Obj(props) = props else { return None };
            entry.props = props;
        }
        journal.bytes = journal.entries.iter().map(cost).sum();
        (journal.bytes <= MAX_JOURNAL_BYTES || journal.entries.len() <= 1).then_some(journal)
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
            j.add(10 * M, 10 * M + i, "a".into(), &[], &Obj::new());
        }
        j.add(9 * M, 9 * M + 5, "a".into(), &[], &Obj::new());
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
