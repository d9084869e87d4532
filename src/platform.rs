//! What the core takes from the platform it runs on: the text of
//! non-integer numbers (reading and writing) and the lower case of
//! non-ASCII text.
//!
//! Natively these are the Rust standard library's, non-integer numbers
//! written from `zmij`'s shortest digits (the `std-text` feature, on by
//! default). The wasm binding sets the JavaScript engine's own
//! `Number(text)`, `String(n)` and `toLowerCase()` instead: exactly what
//! GrowthBook's JavaScript SDK (the reference for conditions) and
//! `JSON.parse`/`JSON.stringify` use, and none of Rust's float formatting,
//! float parsing tables and Unicode case tables in the page's download
//! (docs/architecture.md, "What the page downloads", has the bytes).
//! Integers and ASCII text, the common case, never leave the core.

use std::sync::OnceLock;

/// The services a platform gives the core. Implementations must be exact:
/// `parse_decimal` rounds correctly (as `Number(text)`), `write_number`
/// writes the shortest text that reads back to the same number (as
/// `String(n)`), `lowercase` is `toLowerCase()`.
pub trait Platform: Sync {
    /// The number a decimal literal denotes: `[+-]digits[.digits][e[+-]digits]`
    /// or `.digits…` (the caller checked the form), correctly rounded.
    fn parse_decimal(&self, text: &str) -> f64;
    /// JavaScript's `String(n)` of a finite number.
    fn write_number(&self, n: f64, out: &mut String);
    /// JavaScript's `s.toLowerCase()`.
    fn lowercase(&self, s: &str) -> String;
}

static PLATFORM: OnceLock<&'static dyn Platform> = OnceLock::new();

/// Sets the platform, once per process (the wasm binding does, before
/// anything else). Returns false when one was already set.
pub fn set(platform: &'static dyn Platform) -> bool {
    init(platform).1
}

fn get() -> &'static dyn Platform {
    init(&DEFAULT).0
}

/// The platform set, `platform` when none was yet, and whether it was
/// `platform` that was set now: `set` and `get` share this one
/// initialization (`OnceLock::set` and `get_or_init` were one `Once::call`
/// each in the wasm).
fn init(platform: &'static dyn Platform) -> (&'static dyn Platform, bool) {
    let mut fresh = false;
    let got = *PLATFORM.get_or_init(|| {
        fresh = true;
        platform
    });
    (got, fresh)
}

#[cfg(feature = "std-text")]
static DEFAULT: RustPlatform = RustPlatform;
#[cfg(not(feature = "std-text"))]
static DEFAULT: Unset = Unset;

/// The Rust standard library's number reading and case folding, `zmij`'s
/// number text.
#[cfg(feature = "std-text")]
#[derive(Clone, Copy, Debug, Default)]
pub struct RustPlatform;

#[cfg(feature = "std-text")]
impl Platform for RustPlatform {
    fn parse_decimal(&self, text: &str) -> f64 {
        text.parse::<f64>().unwrap_or(f64::NAN)
    }

    fn write_number(&self, n: f64, out: &mut String) {
        let mut buffer = zmij::Buffer::new();
        write_shortest(buffer.format_finite(n), out);
    }

    fn lowercase(&self, s: &str) -> String {
        s.to_lowercase()
    }
}

/// Writes, in JavaScript's `String(n)` form, the number a shortest
/// round-trip text (`zmij`'s: `[-]digits[.digits][e[+-]digits]`) denotes:
/// the same digits, since both are the shortest that read back to `n` and
/// the closest to it among those, placed by JavaScript's rules (decimal
/// notation from 1e-6 up to below 1e21, else `d.ddde±x`; -0 as 0).
#[cfg(feature = "std-text")]
fn write_shortest(text: &str, out: &mut String) {
    // Decimal notation with a fraction ("-12.375", "0.001") is already
    // JavaScript's: the same digits, placed the same way.
    // zmij writes an exponent as a lower case `e`, a sign and at most
    // three digits: only the last five bytes can hold it.
    let tail = text.as_bytes().get(text.len().saturating_sub(5)..).unwrap_or_default();
    if !tail.contains(&b'e') && !text.ends_with(".0") {
        out.push_str(text);
        return;
    }
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.split_once(['e', 'E']) {
        Some((m, e)) => (m, e.strip_prefix('+').unwrap_or(e).parse::<i32>().unwrap_or(0)),
        None => (text, 0),
    };
    // The significant digits and n: the number is 0.d1d2...dk × 10^n.
    let mut digits = [0u8; 40];
    let mut k = 0usize;
    let mut point = exponent;
    let mut before_point = true;
    for b in mantissa.bytes() {
        if b == b'.' {
            before_point = false;
        } else if b == b'0' && k == 0 {
            if !before_point {
                point -= 1;
            }
        } else if let Some(slot) = digits.get_mut(k) {
            *slot = b;
            k += 1;
            if before_point {
                point += 1;
            }
        }
    }
    while k > 0 && digits.get(k - 1) == Some(&b'0') {
        k -= 1;
    }
    let digits = digits.get(..k).unwrap_or_default();
    let Some((&first, rest)) = digits.split_first() else {
        out.push('0');
        return;
    };
    if negative {
        out.push('-');
    }
    let push = |out: &mut String, bytes: &[u8]| out.extend(bytes.iter().map(|&b| char::from(b)));
    let k = k as i32;
    if (k..=21).contains(&point) {
        push(out, digits);
        out.extend(std::iter::repeat_n('0', (point - k) as usize));
    } else if let Some((int, frac)) =
        (1..=21).contains(&point).then(|| digits.split_at_checked(point as usize)).flatten()
    {
        push(out, int);
        out.push('.');
        push(out, frac);
    } else if (-5..=0).contains(&point) {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        push(out, digits);
    } else {
        out.push(char::from(first));
        if !rest.is_empty() {
            out.push('.');
            push(out, rest);
        }
        let e = point - 1;
        out.push_str(if e < 0 { "e-" } else { "e+" });
        write_integer(i64::from(e.unsigned_abs()), out);
    }
}

/// Without `std-text` and before a platform is set: integers and ASCII
/// still work (they never reach the platform); anything else reads as NaN,
/// writes as `null` and keeps its case. The wasm binding sets its platform
/// before the first call, so this is never seen there.
#[cfg(not(feature = "std-text"))]
struct Unset;

#[cfg(not(feature = "std-text"))]
impl Platform for Unset {
    fn parse_decimal(&self, _: &str) -> f64 {
        f64::NAN
    }
    fn write_number(&self, _: f64, out: &mut String) {
        out.push_str("null");
    }
    fn lowercase(&self, s: &str) -> String {
        s.to_ascii_lowercase()
    }
}

/// Largest integer every f64 up to which is exact (2^53).
const SAFE: f64 = 9_007_199_254_740_992.0;

/// Writes `String(n)` for a finite `n`: integers here, others by the platform.
pub fn write_finite(n: f64, out: &mut String) {
    // `n as i64` saturates, so within ±2^53 it is `n` back exactly when
    // `n` is an integer (-0 included: written "0"). `n.trunc()` would be a
    // call to libm on x86-64's baseline.
    let i = n as i64;
    if i as f64 == n && n.abs() < SAFE {
        write_integer(i, out);
    } else {
        get().write_number(n, out);
    }
}

fn write_integer(i: i64, out: &mut String) {
    // Natively, two digits at a time from a table (most counts have one to
    // three digits); the page's build keeps the plain loop (smaller).
    if cfg!(feature = "text") {
        if i < 0 {
            out.push('-');
        }
        write_digits(i.unsigned_abs(), out);
        return;
    }
    let mut digits = [0u8; 20];
    let mut k = digits.len();
    let mut v = i.unsigned_abs();
    loop {
        k -= 1;
        if let Some(d) = digits.get_mut(k) {
            *d = b'0' + (v % 10) as u8;
        }
        v /= 10;
        if v == 0 || k == 0 {
            break;
        }
    }
    if i < 0 {
        out.push('-');
    }
    for &d in digits.get(k..).unwrap_or_default() {
        out.push(char::from(d));
    }
}

/// "00" to "99".
const PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233343536373839\
                     40414243444546474849505152535455565758596061626364656667686970717273747576777879\
                     8081828384858687888990919293949596979899";

/// The decimal digits of `v`: the leading one or two, then pairs (a
/// digit computed as `v % 10` or `v / 10` of a `v < 100` is known to be
/// ASCII, so it is pushed without `char`'s multi-byte branch).
fn write_digits(v: u64, out: &mut String) {
    if v >= 100 {
        write_digits(v / 100, out);
    }
    let low = v % 100;
    if v < 10 {
        out.push(char::from(b'0' + low as u8));
    } else {
        let at = 2 * low as usize;
        out.push_str(PAIRS.get(at..at + 2).unwrap_or_default());
    }
}

/// The number a decimal literal (checked by the caller) denotes: short
/// integers here, others by the platform.
pub fn parse_decimal(text: &str) -> f64 {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, text.get(1..).unwrap_or("")),
        Some(b'+') => (false, text.get(1..).unwrap_or("")),
        _ => (false, text),
    };
    if !digits.is_empty() && digits.len() <= 15 && digits.bytes().all(|b| b.is_ascii_digit()) {
        let mut v: i64 = 0;
        for b in digits.bytes() {
            v = v * 10 + i64::from(b - b'0');
        }
        let v = v as f64;
        return if negative { -v } else { v };
    }
    get().parse_decimal(text)
}

/// `s.toLowerCase()`: ASCII here, other text by the platform.
pub fn lowercase(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        get().lowercase(s)
    }
}

#[cfg(all(test, feature = "std-text"))]
mod tests {
    use super::*;

    /// Once a platform is in use (here the default, by `get`), `set`
    /// refuses another and the one in use stays.
    #[test]
    fn a_platform_is_set_once() {
        let first = get();
        assert!(!set(&RustPlatform));
        assert!(std::ptr::addr_eq(get(), first));
    }

    fn written(n: f64) -> String {
        let mut s = String::new();
        write_finite(n, &mut s);
        s
    }

    #[test]
    fn writes_numbers_as_javascript_does() {
        for (n, text) in [
            (0.0, "0"),
            (-0.0, "0"),
            (3.0, "3"),
            (-42.0, "-42"),
            (9_007_199_254_740_991.0, "9007199254740991"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (0.1, "0.1"),
            (0.000001, "0.000001"),
            (123456789012345680000.0, "123456789012345680000"),
            (-2.5, "-2.5"),
            (i64::MIN as f64, "-9223372036854776000"),
        ] {
            assert_eq!(written(n), text, "{n:e}");
        }
    }

    /// `write_integer` (digits in pairs natively) writes what `to_string`
    /// does, at every length and around every power of ten.
    #[test]
    fn writes_integers_as_to_string() {
        let mut values: Vec<i64> = (-2_000..=120_000).collect();
        values.extend([i64::MIN, i64::MAX, 9_007_199_254_740_991, -9_007_199_254_740_991]);
        for e in 0..19 {
            let p = 10i64.pow(e);
            values.extend([
                p - 1,
                p,
                p + 1,
                -p,
                p.saturating_mul(7).saturating_add(3),
                p.saturating_mul(9).saturating_add(p / 2),
            ]);
        }
        for i in values {
            let mut s = String::new();
            write_integer(i, &mut s);
            assert_eq!(s, i.to_string());
        }
    }

    /// The writer before `zmij`: `core::fmt`'s shortest digits.
    fn fmt_written(n: f64) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let abs = n.abs();
        if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
            let s = format!("{n:e}");
            match s.split_once('e') {
                Some((m, e)) if !e.starts_with('-') => {
                    let _ = write!(out, "{m}e+{e}");
                }
                _ => out.push_str(&s),
            }
        } else {
            let _ = write!(out, "{}", if n == 0.0 { 0.0 } else { n });
        }
        out
    }

    fn platform_written(n: f64) -> String {
        let mut s = String::new();
        RustPlatform.write_number(n, &mut s);
        s
    }

    #[test]
    fn writes_what_core_fmt_wrote() {
        let mut values = vec![
            0.0,
            -0.0,
            1e21,
            -1e21,
            1e-7,
            1e-6,
            1e-5,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
        ];
        for n in [1e21, 1e-7, 1e-6, 1e-5, 0.1, 1.0, 9_007_199_254_740_992.0, f64::MIN_POSITIVE] {
            for d in -3i64..=3 {
                values.push(f64::from_bits((n.to_bits() as i64 + d) as u64));
            }
        }
        for e in -330..=310 {
            let p: f64 = format!("1e{e}").parse().unwrap();
            values.extend([p, -p, p * 1.5, p * 3.0, p / 3.0, p * 7.0 + 0.5]);
        }
        for i in 0..=20_000i64 {
            values.extend([i as f64 / 1000.0, i as f64 * 1e15, (i as f64).sqrt(), 1.0 / (i as f64 + 1.0)]);
        }
        for i in 0..2_000u64 {
            values.push(f64::from_bits(i)); // subnormals
            values.push(f64::from_bits(0x000F_FFFF_FFFF_FFFF - i));
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..1_000_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(f64::from_bits(x));
            values.push(f64::from_bits(x & 0x800F_FFFF_FFFF_FFFF | 0x3FF0_0000_0000_0000)); // within [1, 2)
            values.push(f64::from_bits(x >> 12 | 0x3E00_0000_0000_0000)); // about 1e-10
            let m = f64::from_bits(x >> 12 | 0x3FF0_0000_0000_0000);
            values.extend([m * 1e-7, m * 5e-7, m * 1e20, m * 5e20, m * 1e16]);
        }
        let (mut ties, mut count) = (0, 0);
        for n in values.into_iter().filter(|n| n.is_finite()) {
            count += 1;
            let (new, old) = (platform_written(n), fmt_written(n));
            if new != old {
                // `core::fmt` rounds an exact tie between two shortest texts
                // up; JavaScript takes the even last digit (Number::toString
                // step 5), as zmij does: 1658206780088562.25 is
                // "1658206780088562.2" in JavaScript. Only that may differ.
                let (digits, point) = significant(&new);
                let (exact, exact_point) = significant(&format!("{:.1100e}", n));
                assert!(digits.ends_with(['0', '2', '4', '6', '8']), "{new} {old}");
                assert_eq!((exact, exact_point), (format!("{digits}5"), point), "{new} {old}");
                assert_eq!(old.parse::<f64>().unwrap().to_bits(), n.to_bits(), "{old}");
                ties += 1;
            }
            assert_eq!(
                new.parse::<f64>().unwrap().to_bits(),
                n.abs().copysign(if n == 0.0 { 1.0 } else { n }).to_bits(),
                "{new}"
            );
        }
        assert!(ties * 1000 < count, "{ties} ties in {count}");
    }

    /// The significant digits of a number's text and n, the number being
    /// 0.d1d2...dk × 10^n (sign dropped).
    fn significant(text: &str) -> (String, i32) {
        let text = text.trim_start_matches('-');
        let (m, e) = text.split_once('e').unwrap_or((text, "0"));
        let e: i32 = e.parse().unwrap_or(i32::MAX); // fails the comparison
        let (int, frac) = m.split_once('.').unwrap_or((m, ""));
        let all = format!("{int}{frac}");
        let lead = all.len() - all.trim_start_matches('0').len();
        let digits = all.trim_start_matches('0').trim_end_matches('0').to_string();
        (digits, e + int.len() as i32 - lead as i32)
    }

    #[test]
    fn reads_decimals_exactly() {
        for text in ["0", "-0", "7", "-123456789012345", "1234567890123456789", "0.1", "1e-7", ".5", "5.", "+3"] {
            let expected: f64 = text.parse().unwrap();
            assert_eq!(parse_decimal(text).to_bits(), expected.to_bits(), "{text}");
        }
    }

    #[test]
    fn lowercases_like_javascript() {
        assert_eq!(lowercase("ÉTÉ Mobile"), "été mobile");
        assert_eq!(lowercase("ΟΔΟΣ"), "οδος"); // final sigma, as JavaScript
        assert_eq!(lowercase("ABC"), "abc");
    }
}
