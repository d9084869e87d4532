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

pub(crate) fn build(pattern: &str, case_insensitive: bool) -> Result<Regex, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!("pattern longer than {MAX_PATTERN_LEN} bytes"));
    }
    RegexBuilder::new(pattern).case_insensitive(case_insensitive).build().map_err(|e| e.to_string())
}

/// `regex.test(value)`: an unanchored search in `String(value)`, so
/// `null` and a missing value are searched as the text "null".
pub(crate) fn test(regex: &Regex, v: Value) -> bool {
    regex.is_match(&to_js_string(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pathological_patterns_finish() {
        let text = "a".repeat(100_000);
        for pattern in ["(a+)+$", "(a|aa)*b", "(a*)*b", "(x+x+)+y"] {
            let regex = build(pattern, false);
            assert!(matches!(&regex, Ok(r) if r.is_match(&text) == (pattern == "(a+)+$")), "{pattern}");
        }
    }

    #[test]
    fn refuses_what_re2_cannot_run() {
        for pattern in ["(?=a)", "(a)\\1", "/???***[)", "(?<!a)b"] {
            assert!(build(pattern, false).is_err(), "{pattern}");
        }
        assert!(build(&"a".repeat(MAX_PATTERN_LEN + 1), false).is_err());
    }

    #[test]
    fn tests_the_javascript_text_of_a_value() {
        let null = build("^null$", false);
        assert!(matches!(&null, Ok(r) if test(r, Value::Missing)));
        let ci = build("MOBILE", true);
        assert!(matches!(&ci, Ok(r) if test(r, Value::Str("android mobile"))));
    }
}
