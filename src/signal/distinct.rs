//! `distinct`: how many distinct values a property took, keeping at most
//! [`MAX_DISTINCT`] values (the most recently seen).
//!
//! Values are kept as 64-bit hashes of their canonical JSON form: equality
//! is all `distinct` needs, and a hash bounds the bytes a value costs in
//! the store whatever its length (a collision among 1,000 values has a
//! probability near 1e-13).

use crate::collections::{VecMap, VecSet};
use crate::json::{js_number_string, Json};
use crate::time::Millis;

pub const MAX_DISTINCT: usize = 1_000;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct DistinctValues {
    pub window: Option<Millis>,
    /// value hash -> latest minute seen.
    last_seen: VecMap<u64, Millis>,
    /// `(latest minute seen, hash)`, oldest first: for eviction and windows.
    by_time: VecSet<(Millis, u64)>,
    /// Latest "last seen" among evicted values: while it is inside the
    /// window, the value may be undercounted and the cap is reported.
    evicted_until: Option<Millis>,
}

/// The canonical hash of a prop value; `None` for null/absent (not counted).
/// 1 and 1.0 are one value, "1" another.
pub fn value_hash(v: &Json) -> Option<u64> {
    let mut h = Fnv64::new();
    match v {
        Json::Null => return None,
        Json::Bool(b) => h.write(if *b { b"b:true" } else { b"b:false" }),
        Json::Num(n) => {
            h.write(b"n:");
            h.write(js_number_string(*n).as_bytes());
        }
        Json::Str(s) => {
            h.write(b"s:");
            h.write(s.as_bytes());
        }
        // Props are flat scalars (track refuses others); hash the text anyway.
        other => {
            h.write(b"j:");
            h.write(other.to_json_string().as_bytes());
        }
    }
    Some(h.finish())
}

struct Fnv64(u64);

impl Fnv64 {
    fn new() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl DistinctValues {
    pub fn new(window: Option<Millis>) -> Self {
        DistinctValues { window, ..Default::default() }
    }

    pub fn add(&mut self, hash: u64, t: Millis, now: Millis) {
        if self.window.is_some_and(|w| t <= now - w) {
            return;
        }
        match self.last_seen.get_mut(&hash) {
            Some(seen) if *seen >= t => return,
            Some(seen) => {
                let before = *seen;
                *seen = t;
                self.by_time.remove(&(before, hash));
            }
            None => {
                self.last_seen.insert(hash, t);
            }
        }
        self.by_time.add((t, hash));
        while self.last_seen.len() > MAX_DISTINCT {
            let Some(((seen, h), ())) = self.by_time.pop_first() else { break };
            self.last_seen.remove(&h);
            self.evicted_until = Some(self.evicted_until.map_or(seen, |e| e.max(seen)));
        }
    }

    /// Lets go of the values the window no longer holds; returns whether any left.
    pub fn advance(&mut self, now: Millis) -> bool {
        let Some(w) = self.window else { return false };
        let mut left = false;
        while let Some((&(seen, h), _)) = self.by_time.first() {
            if seen > now - w {
                break;
            }
            self.by_time.pop_first();
            self.last_seen.remove(&h);
            left = true;
        }
        left
    }

    /// Moves every time later than `t` back to `t`; returns whether any moved.
    pub fn clamp_to(&mut self, t: Millis) -> bool {
        let mut moved = false;
        if self.evicted_until.is_some_and(|e| e > t) {
            self.evicted_until = Some(t);
            moved = true;
        }
        if self.latest_seen().is_some_and(|s| s > t) {
            let mut later: Vec<(Millis, u64)> = Vec::new();
            for &(s, h) in self.by_time.keys() {
                if s > t {
                    later.push((s, h));
                }
            }
            for (seen, h) in later {
                self.by_time.remove(&(seen, h));
                self.by_time.add((t, h));
                if let Some(s) = self.last_seen.get_mut(&h) {
                    *s = t;
                }
            }
            moved = true;
        }
        moved
    }

    /// The earliest "last seen" of the values kept.
    pub fn earliest_seen(&self) -> Option<Millis> {
        self.by_time.first().map(|(&(t, _), _)| t)
    }

    fn latest_seen(&self) -> Option<Millis> {
        self.by_time.keys().next_back().map(|(t, _)| *t)
    }

    /// The latest time it holds.
    pub fn latest(&self) -> Option<Millis> {
        self.latest_seen().max(self.evicted_until)
    }

    pub fn value(&self) -> f64 {
        self.last_seen.len() as f64
    }

    /// Whether the 1,000-value cap currently limits the value.
    pub fn capped(&self, now: Millis) -> bool {
        match (self.evicted_until, self.window) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(e), Some(w)) => e > now - w,
        }
    }

    /// Stored form: `{"v": series of (minute, hash), "evicted": ms|null}`.
    /// Several values may share a minute, so the series holds gaps of 0.
    pub fn encode(&self) -> Json {
        let mut prev = 0i64;
        let mut nums = Vec::with_capacity(self.by_time.len() * 2);
        for &(t, h) in self.by_time.keys() {
            let minute = t.div_euclid(crate::time::MINUTE);
            nums.push((minute - prev).max(0) as u64);
            nums.push(h);
            prev = minute;
        }
        crate::obj! {
            "v" => crate::codec::encode(nums),
            "evicted" => self.evicted_until.map(|t| t as f64),
        }
    }

    pub fn decode(json: &Json, window: Option<Millis>) -> Option<Self> {
        let nums = crate::codec::decode(json.get("v")?.as_str()?)?;
        if nums.len() % 2 != 0 || nums.len() / 2 > MAX_DISTINCT {
            return None;
        }
        let mut d = DistinctValues::new(window);
        let mut minute = 0i64;
        for pair in nums.chunks_exact(2) {
            let &[gap, hash] = pair else { return None };
            minute = minute.checked_add(i64::try_from(gap).ok()?)?;
            let t = minute.checked_mul(crate::time::MINUTE).filter(|t| *t <= crate::time::MAX_TIME)?;
            if d.last_seen.insert(hash, t).is_some() {
                return None;
            }
            d.by_time.add((t, hash));
        }
        d.evicted_until = match json.get("evicted") {
            None | Some(Json::Null) => None,
            Some(v) => {
                Some(v.as_f64().filter(|t| t.fract() == 0.0 && (0.0..=crate::time::MAX_TIME as f64).contains(t))?
                    as Millis)
            }
        };
        Some(d)
    }
}
