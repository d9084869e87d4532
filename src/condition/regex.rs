//! `$regex` patterns: RE2 syntax, compiled by `regex-lite`, which matches
//! in time linear in the text whatever the pattern (no backtracking), so
//! a pattern cannot hang the page.
//!
//! Differences from the JavaScript SDK's `new RegExp(p).test(s)` worth
//! knowing: lookaround and backreferences are refused (they cannot run in
//! linear time), `$regexi` folds case for ASCII letters only, and `.`
//! excludes only `\n` (JavaScript also excludes `\r`, U+2028, U+2029).

use super::coerce::to_js_string;
use super::Value;
use regex_lite::{Regex, RegexBuilder};

/// A longer pattern is refused: a guard on compile time and memory, far
/// beyond any real targeting rule.
pub(crate) const MAX_PATTERN_LEN: usize = 4096;

/// The compiled size of one pattern, at most (bytes of regex-lite's
/// program). Matching is linear in the text, but the factor is this size:
/// `(?:a{100}){100}b` compiles to 320 KB and took seconds on a long value.
/// Real targeting rules stay far below (a 30-domain alternation: 13.5 KB).
pub const MAX_REGEX_SIZE: usize = 16 * 1024;

/// The compiled size of all the patterns of a config, at most (each
/// counted at its size rounded up to a power of two): what one evaluation
/// of every condition may cost.
pub use crate::limits::MAX_REGEX_TOTAL;

/// A regex reads at most this many characters of a value (the longest a
/// prop string may be): the other factor of its cost.
pub const MAX_REGEX_TEXT: usize = 1024;

/// Why a pattern was refused.
#[derive(Debug)]
pub(crate) enum BuildError {
    /// Not RE2 syntax, or longer than `MAX_PATTERN_LEN`.
    Invalid(String),
    /// Compiles to more than `MAX_REGEX_SIZE` bytes.
    TooLarge,
}

/// Compiles a pattern; returns it with its compiled size, rounded up to a
/// power of two (from 512 bytes), for the config's budget.
pub(crate) fn build(pattern: &str, case_insensitive: bool) -> Result<(Regex, usize), BuildError> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(BuildError::Invalid(format!("pattern longer than {MAX_PATTERN_LEN} bytes")));
    }
    // regex-lite does not tell a program's size: compiling under growing
    // limits finds it within a factor of two (one or two tries for the
    // patterns people write; a size error is found before any program is
    // built past the limit).
    let mut limit = 512;
    loop {
        match RegexBuilder::new(pattern).case_insensitive(case_insensitive).size_limit(limit).build() {
            Ok(regex) => return Ok((regex, limit)),
            Err(e) if e.to_string().contains("size limit") => {
                if limit >= MAX_REGEX_SIZE {
                    return Err(BuildError::TooLarge);
                }
                limit *= 2;
            }
            Err(e) => return Err(BuildError::Invalid(e.to_string())),
        }
    }
}

/// `regex.test(value)`: an unanchored search in `String(value)` (its
/// first `MAX_REGEX_TEXT` characters), so `null` and a missing value are
/// searched as the text "null".
pub(crate) fn test(regex: &Regex, v: Value) -> bool {
    let text = to_js_string(v);
    let end = text.char_indices().nth(MAX_REGEX_TEXT).map_or(text.len(), |(i, _)| i);
    regex.is_match(text.get(..end).unwrap_or(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pathological_patterns_finish() {
        let text = "a".repeat(100_000);
        for pattern in ["(a+)+$", "(a|aa)*b", "(a*)*b", "(x+x+)+y"] {
            let regex = build(pattern, false);
            assert!(matches!(&regex, Ok((r, _)) if r.is_match(&text) == (pattern == "(a+)+$")), "{pattern}");
        }
    }

    #[test]
    fn refuses_what_re2_cannot_run() {
        for pattern in ["(?=a)", "(a)\\1", "/???***[)", "(?<!a)b"] {
            assert!(matches!(build(pattern, false), Err(BuildError::Invalid(_))), "{pattern}");
        }
        assert!(matches!(build(&"a".repeat(MAX_PATTERN_LEN + 1), false), Err(BuildError::Invalid(_))));
    }

    #[test]
    fn refuses_patterns_that_compile_too_large() {
        for pattern in ["(?:a{100}){100}b", "(?:[a-z]{1,1000}){1,10}b", "[a-z]{1,1000}"] {
            assert!(matches!(build(pattern, false), Err(BuildError::TooLarge)), "{pattern}");
        }
        let (_, size) = build("MOBILE", false).unwrap();
        assert_eq!(size, 512);
        let (_, size) = build("[a-z]{1,64}@[a-z]{1,64}\\.com", false).unwrap();
        assert_eq!(size, 16 * 1024);
    }

    #[test]
    fn tests_the_javascript_text_of_a_value() {
        let null = build("^null$", false);
        assert!(matches!(&null, Ok((r, _)) if test(r, Value::Missing)));
        let ci = build("MOBILE", true);
        assert!(matches!(&ci, Ok((r, _)) if test(r, Value::Str("android mobile"))));
    }

    #[test]
    fn reads_the_first_1024_characters() {
        let (end, _) = build("b$", false).unwrap();
        let (start, _) = build("^é", false).unwrap();
        let long = format!("{}b", "é".repeat(MAX_REGEX_TEXT));
        assert!(!test(&end, Value::Str(&long)), "the b is past the text a regex reads");
        assert!(test(&start, Value::Str(&long)));
        let short = format!("{}b", "é".repeat(MAX_REGEX_TEXT - 1));
        assert!(test(&end, Value::Str(&short)));
    }
}
