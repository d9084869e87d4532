//! Compact text for lists of unsigned integers (minute deltas, counts,
//! masks, hashes): each number as base-32 digits, least significant first,
//! written with one of two 32-letter alphabets: the last digit of a number
//! from the first, the others from the second. Most deltas and counts fit
//! one letter, so a minute bucket costs about two bytes of stored state,
//! and the text needs no escaping in JSON.

/// The `format` of a stored state.
pub const STATE_FORMAT: &str = "onstage-state";
/// The version of the stored state this onstage writes and reads.
pub const STATE_VERSION: u32 = 1;

const LAST: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdef";
const MORE: &[u8; 32] = b"ghijklmnopqrstuvwxyz0123456789-_";

#[allow(clippy::indexing_slicing, reason = "a digit is n & 31, inside both 32-letter alphabets")]
pub fn encode(numbers: impl IntoIterator<Item = u64>) -> String {
    let mut out = String::new();
    for mut n in numbers {
        loop {
            let digit = (n & 31) as usize;
            n >>= 5;
            if n == 0 {
                out.push(LAST[digit] as char);
                break;
            }
            out.push(MORE[digit] as char);
        }
    }
    out
}

fn digit(c: u8) -> Option<(u64, bool)> {
    match c {
        b'A'..=b'Z' => Some(((c - b'A') as u64, true)),
        b'a'..=b'f' => Some(((c - b'a' + 26) as u64, true)),
        b'g'..=b'z' => Some(((c - b'g') as u64, false)),
        b'0'..=b'9' => Some(((c - b'0' + 20) as u64, false)),
        b'-' => Some((30, false)),
        b'_' => Some((31, false)),
        _ => None,
    }
}

/// Decodes what `encode` wrote; None for anything else (corrupt state).
pub fn decode(text: &str) -> Option<Vec<u64>> {
    let mut out = Vec::new();
    let (mut n, mut shift) = (0u64, 0u32);
    for c in text.bytes() {
        let (d, last) = digit(c)?;
        if shift > 60 || (shift == 60 && d > 15) {
            return None;
        }
        n |= d << shift;
        if last {
            out.push(n);
            n = 0;
            shift = 0;
        } else {
            shift += 5;
        }
    }
    (shift == 0).then_some(out)
}

/// Encodes increasing times (minute starts, in ms) as the first minute
/// then the gaps, interleaved with one value per time.
pub fn encode_series(items: impl IntoIterator<Item = (i64, u64)>) -> String {
    let mut prev = 0i64;
    let mut nums = Vec::new();
    for (t, v) in items {
        let minute = t.div_euclid(crate::time::MINUTE);
        nums.push((minute - prev).max(0) as u64);
        nums.push(v);
        prev = minute;
    }
    encode(nums)
}

/// Decodes `encode_series`: `(minute start in ms, value)`, strictly increasing.
pub fn decode_series(text: &str) -> Option<Vec<(i64, u64)>> {
    let nums = decode(text)?;
    if nums.len() % 2 != 0 {
        return None;
    }
    let mut prev = 0i64;
    let mut out = Vec::with_capacity(nums.len() / 2);
    for (i, pair) in nums.chunks_exact(2).enumerate() {
        let &[gap, value] = pair else { return None };
        let gap = i64::try_from(gap).ok()?;
        if i > 0 && gap == 0 {
            return None;
        }
        let minute = prev.checked_add(gap)?;
        if minute > crate::time::MAX_TIME / crate::time::MINUTE {
            return None;
        }
        out.push((minute * crate::time::MINUTE, value));
        prev = minute;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let nums = [0, 1, 31, 32, 1023, 1024, 29_500_000, u64::MAX];
        let text = encode(nums);
        assert_eq!(decode(&text), Some(nums.to_vec()));
        assert_eq!(encode([0, 1, 2]), "ABC");
        assert_eq!(decode("g"), None, "a number must end");
        assert_eq!(decode("A!"), None);
        assert_eq!(decode("__________________"), None, "overflow");
    }

    #[test]
    fn series_round_trip() {
        let m = crate::time::MINUTE;
        let items = vec![(29_500_000 * m, 1), (29_500_001 * m, 3), (29_500_100 * m, 1)];
        let text = encode_series(items.clone());
        assert_eq!(decode_series(&text), Some(items));
        assert!(text.len() <= 12, "{text}");
        assert_eq!(decode_series("BAAA"), None, "times must increase");
    }
}
