//! Experiment bucketing that agrees bit for bit with GrowthBook.
//!
//! A backend running a GrowthBook SDK with the same experiment key and hash
//! value must assign the same variation as onstage does in the browser, so
//! every function here follows the JavaScript SDK (`packages/sdk-js/src/
//! util.ts`, the reference the SDK specification's test vectors come from)
//! operation for operation, including its floating-point order of
//! evaluation and its quirks (NaN slipping through the bounds checks).
//! The vectors in `shared/conformance/growthbook-cases.json` pin it down;
//! `tests/growthbook_bucketing.rs` runs them all.

const FNV32_OFFSET_BASIS: u32 = 0x811c_9dc5;
const FNV32_PRIME: u32 = 0x0100_0193;

/// 32-bit FNV-1a over UTF-16 code units.
///
/// The JS SDK hashes `str.charCodeAt(i)`, i.e. UTF-16 code units, not UTF-8
/// bytes; hashing bytes would agree on ASCII and silently disagree on any
/// other user id. Its loop body
/// `hval += (hval << 1) + (hval << 4) + (hval << 7) + (hval << 8) + (hval << 24)`
/// is a multiplication by the FNV prime `1 + 2 + 2^4 + 2^7 + 2^8 + 2^24`
/// modulo 2^32 (each shifted term is congruent to `hval * 2^k`, the exact
/// sum stays below 2^53, and the next `^=` or the final `>>> 0` reduces it
/// modulo 2^32), hence the wrapping multiply.
/// FNV-1a over the UTF-16 code units of `parts` one after the other (a
/// slice and plain loops: one copy of this code, no `Chain` adapter).
fn fnv1a32(parts: &[&str]) -> u32 {
    let mut h = FNV32_OFFSET_BASIS;
    for part in parts {
        for unit in part.encode_utf16() {
            h = (h ^ u32::from(unit)).wrapping_mul(FNV32_PRIME);
        }
    }
    h
}

/// GrowthBook's `hash(seed, value, version)`: a number in [0, 1).
///
/// - version 1 (the original, biased one): `(fnv(value + seed) % 1000) / 1000`
/// - version 2: `(fnv(String(fnv(seed + value))) % 10000) / 10000`
///
/// Any other version is unknown and gives `None` (the SDK's `null`).
pub fn hash(seed: &str, value: &str, version: u32) -> Option<f64> {
    match version {
        1 => {
            let h = fnv1a32(&[value, seed]);
            Some(f64::from(h % 1000) / 1000.0)
        }
        2 => {
            let first = fnv1a32(&[seed, value]);
            // `hashFnv32a(...) + ""`: a u32 as JavaScript writes it, which
            // is its plain decimal form (no exponent below 1e21).
            let mut text = String::new();
            crate::json::write_number(f64::from(first), &mut text);
            let h = fnv1a32(&[&text]);
            Some(f64::from(h % 10_000) / 10_000.0)
        }
        _ => None,
    }
}

/// GrowthBook's `getEqualWeights(n)`: `n` weights of `1 / n`.
///
/// The SDK returns `[]` for `n <= 0`; here `n` is unsigned, so only 0.
/// Should `n` be too large to allocate, the result is empty rather than an
/// abort (the SDK throws a RangeError there): with no ranges nobody is
/// bucketed, which is the safe side.
pub fn equal_weights(n: usize) -> Vec<f64> {
    let mut weights = Vec::new();
    if n == 0 || weights.try_reserve_exact(n).is_err() {
        return weights;
    }
    // `usize as f64` rounds only beyond 2^53 variations, where the
    // allocation above has already failed.
    weights.resize(n, 1.0 / n as f64);
    weights
}

/// GrowthBook's `getBucketRanges(numVariations, coverage, weights)`: one
/// `[start, end)` range per variation, each `coverage` of its weight wide.
///
/// As in the SDK:
/// - `coverage` is clamped to [0, 1]; NaN passes both comparisons and
///   stays NaN (its ranges then hold no bucket);
/// - weights are replaced by equal weights when absent, when their count is
///   not `n`, or when their sum is below 0.99 or above 1.01 (a NaN sum
///   passes, as in JavaScript, and its ranges hold no bucket);
/// - the sum runs left to right from 0 and each range is
///   `[cumulative, cumulative + coverage * w]`, so the floats match.
///
/// A valid config has neither (weights off by more than 0.01 are a
/// validation error, and the schema bounds coverage to [0, 1]); the
/// fallbacks are kept so that any input buckets as GrowthBook would.
pub fn bucket_ranges(n: usize, coverage: f64, weights: Option<&[f64]>) -> Vec<(f64, f64)> {
    // `clamp` keeps NaN (and -0) as they are, as the SDK's two
    // comparisons do.
    let coverage = coverage.clamp(0.0, 1.0);

    let equal;
    let weights = match weights {
        Some(w) if w.len() == n && !sum_is_off(w) => w,
        _ => {
            equal = equal_weights(n);
            &equal[..]
        }
    };

    let mut cumulative = 0.0;
    weights
        .iter()
        .map(|&w| {
            let start = cumulative;
            cumulative += w;
            (start, start + coverage * w)
        })
        .collect()
}

/// The SDK's `totalWeight < 0.99 || totalWeight > 1.01`, written the same
/// way so that a NaN sum is not "off" (JavaScript keeps such weights).
#[allow(clippy::manual_range_contains)] // `!contains` would call NaN off
fn sum_is_off(weights: &[f64]) -> bool {
    let total = weights.iter().fold(0.0, |acc, &w| acc + w);
    total < 0.99 || total > 1.01
}

/// GrowthBook's `chooseVariation(n, ranges)`: the first range with
/// `start <= n < end`, or `None` (the SDK's -1) when the bucket falls
/// outside coverage.
pub fn choose_variation(n: f64, ranges: &[(f64, f64)]) -> Option<usize> {
    ranges.iter().position(|&(start, end)| n >= start && n < end)
}

/// GrowthBook's `inNamespace(hashValue, [id, start, end])`: the version 1
/// hash of the value with seed `"__" + id` falls in `[start, end)`.
pub fn in_namespace(hash_value: &str, namespace: (&str, f64, f64)) -> bool {
    let (id, start, end) = namespace;
    let seed = format!("__{id}");
    match hash(&seed, hash_value, 1) {
        Some(n) => n >= start && n < end,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Values computed by the SDK's own `hash` under Node.js: they pin the
    /// UTF-16 code-unit hashing for accented letters, CJK, characters
    /// outside the BMP (two code units each) and NUL.
    #[test]
    fn non_ascii_matches_the_js_sdk() {
        let cases: &[(&str, &str, f64, f64)] = &[
            ("", "é", 0.94, 0.8917),
            ("exp", "日本語ユーザー", 0.153, 0.2357),
            ("upgrade-copy-2026q4", "😀user", 0.267, 0.1271),
            ("ключ", "Ω≈ç√", 0.189, 0.2939),
            ("seed", "a\u{0}b", 0.899, 0.9557),
            ("ü", "ü", 0.109, 0.2217),
            ("x", "\u{10FFFF}", 0.897, 0.4903),
        ];
        for &(seed, value, v1, v2) in cases {
            assert_eq!(hash(seed, value, 1), Some(v1), "v1 {seed:?} {value:?}");
            assert_eq!(hash(seed, value, 2), Some(v2), "v2 {seed:?} {value:?}");
        }
        assert_eq!(fnv1a32(&["upgrade-copy-2026q4😀user"]), 4_205_724_451);
        assert!(in_namespace("ünïcode", ("ns", 0.812, 0.813)));
        assert!(in_namespace("用户", ("ns", 0.497, 0.498)));
    }

    #[test]
    fn unknown_versions_have_no_hash() {
        for v in [0, 3, 99, u32::MAX] {
            assert_eq!(hash("a", "b", v), None);
        }
    }

    #[test]
    fn odd_numbers_do_not_panic() {
        let nan = f64::NAN;
        let inf = f64::INFINITY;
        for cov in [nan, inf, -inf, -0.0, 0.5] {
            for w in [None, Some(&[nan, nan][..]), Some(&[inf, -inf][..]), Some(&[0.5][..]), Some(&[][..])] {
                let ranges = bucket_ranges(2, cov, w);
                assert_eq!(ranges.len(), 2);
                for n in [nan, inf, 0.0, 0.5] {
                    let _ = choose_variation(n, &ranges);
                }
            }
        }
        assert!(bucket_ranges(0, 1.0, None).is_empty());
        assert!(bucket_ranges(0, 1.0, Some(&[])).is_empty());
        assert!(!in_namespace("u", ("ns", nan, nan)));
    }

    #[test]
    fn nan_weights_pass_through_like_javascript() {
        // JS: NaN < 0.99 and NaN > 1.01 are both false, so the weights stay
        // and every range ends at NaN: nobody is bucketed.
        let ranges = bucket_ranges(2, 1.0, Some(&[f64::NAN, 0.5]));
        assert_eq!(ranges[0].0, 0.0);
        assert!(ranges[0].1.is_nan() && ranges[1].0.is_nan());
        assert_eq!(choose_variation(0.1, &ranges), None);
        // A NaN coverage likewise keeps its NaN and matches nothing.
        let ranges = bucket_ranges(2, f64::NAN, None);
        assert_eq!(choose_variation(0.0, &ranges), None);
    }

    #[test]
    fn unallocatable_counts_give_no_ranges() {
        assert!(equal_weights(usize::MAX).is_empty());
        assert!(bucket_ranges(usize::MAX, 1.0, None).is_empty());
        assert!(bucket_ranges(usize::MAX, 1.0, Some(&[1.0])).is_empty());
    }

    proptest::proptest! {
        #[test]
        fn hashes_are_in_unit_interval(seed in ".*", value in ".*") {
            for v in [1, 2] {
                let h = hash(&seed, &value, v);
                proptest::prop_assert!(matches!(h, Some(h) if (0.0..1.0).contains(&h)));
            }
        }

        #[test]
        fn valid_weights_partition_the_unit_interval(
            raw in proptest::collection::vec(0.01f64..1.0, 1..8),
            coverage in 0.0f64..=1.0,
            bucket in 0.0f64..1.0,
        ) {
            let total: f64 = raw.iter().sum();
            let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();
            let ranges = bucket_ranges(weights.len(), 1.0, Some(&weights));
            // Full coverage: every bucket but the float-rounding edge at
            // the very top lands somewhere.
            if bucket < ranges[ranges.len() - 1].1 {
                proptest::prop_assert!(choose_variation(bucket, &ranges).is_some());
            }
            // Reduced coverage: a bucket that lands keeps its variation.
            let reduced = bucket_ranges(weights.len(), coverage, Some(&weights));
            if let Some(i) = choose_variation(bucket, &reduced) {
                proptest::prop_assert_eq!(choose_variation(bucket, &ranges), Some(i));
            }
        }
    }
}
