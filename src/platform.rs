//! What the core takes from the platform it runs on: the text of
//! non-integer numbers (reading and writing) and the lower case of
//! non-ASCII text.
//!
//! Natively these are the Rust standard library's (the `std-text` feature,
//! on by default). The wasm binding sets the JavaScript engine's own
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
    PLATFORM.set(platform).is_ok()
}

fn get() -> &'static dyn Platform {
    *PLATFORM.get_or_init(|| &DEFAULT)
}

#[cfg(feature = "std-text")]
static DEFAULT: RustPlatform = RustPlatform;
#[cfg(not(feature = "std-text"))]
static DEFAULT: Unset = Unset;

/// The Rust standard library's number text and case folding.
#[cfg(feature = "std-text")]
#[derive(Clone, Copy, Debug, Default)]
pub struct RustPlatform;

#[cfg(feature = "std-text")]
impl Platform for RustPlatform {
    fn parse_decimal(&self, text: &str) -> f64 {
        text.parse::<f64>().unwrap_or(f64::NAN)
    }

    fn write_number(&self, n: f64, out: &mut String) {
        use std::fmt::Write;
        let abs = n.abs();
        if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
            // Exponent form: Rust's `{:e}` gives the shortest digits ("1e21",
            // "1.5e-7"); JavaScript writes an explicit `+` on positive exponents.
            let s = format!("{n:e}");
            match s.split_once('e') {
                Some((m, e)) if !e.starts_with('-') => {
                    let _ = write!(out, "{m}e+{e}");
                }
                _ => out.push_str(&s),
            }
        } else {
            // -0 prints as 0, like JavaScript.
            let _ = write!(out, "{}", if n == 0.0 { 0.0 } else { n });
        }
    }

    fn lowercase(&self, s: &str) -> String {
        s.to_lowercase()
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
    if n == n.trunc() && n.abs() < SAFE {
        write_integer(n as i64, out);
    } else {
        get().write_number(n, out);
    }
}

fn write_integer(i: i64, out: &mut String) {
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
