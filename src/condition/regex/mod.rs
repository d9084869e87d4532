//! `$regex` patterns: RE2 syntax as regex-lite 0.1.9 reads it (the
//! dependency before this engine: every pattern it accepted is accepted and
//! means the same, the `differential` tests compare them; one narrowing:
//! a group name is ASCII letters, digits and `_ . [ ]`, since Unicode's
//! letter tables cost 1.6 KB of the browser's package), matched by
//! the project's own engine: [`parse`] to a tree, [`program`] to a Thompson
//! NFA whose set of states is simulated over the text, so that the time is
//! linear in the text whatever the pattern (no backtracking) and a pattern
//! cannot hang the page. Only `is_match` is needed: no captures, and greedy
//! or lazy repetition is the same thing. One semantics everywhere (the
//! native CLI, Python, the browser); our own code rather than a crate for
//! the bytes of the browser's package (docs/architecture.md, "Where the
//! bytes go").
//!
//! Differences from the JavaScript SDK's `new RegExp(p).test(s)` worth
//! knowing: lookaround and backreferences are refused (they cannot run in
//! linear time), `$regexi` folds case for ASCII letters only, `\d\w\s\b`
//! are ASCII, and `.` excludes only `\n` (JavaScript also excludes `\r`,
//! U+2028, U+2029).

mod parse;
mod program;

pub(crate) use parse::Look;
pub(crate) use program::{Inst, INST_BYTES, RANGE_BYTES};

use super::coerce::to_js_string;
use super::Value;
pub(crate) use program::Program as Regex;

/// A longer pattern is refused: a guard on compile time and memory, far
/// beyond any real targeting rule.
pub(crate) const MAX_PATTERN_LEN: usize = 4096;

/// The compiled size of one pattern, at most, in bytes of its program:
/// 16 an instruction (a character, a class, a split, an assertion), 8 a
/// range of a class. Matching is linear in the text, but the factor is
/// the number of instructions: `(?:a{100}){100}b` compiles to 10,000
/// (160 KB). Real targeting rules stay far below (a 30-domain
/// alternation: 3 KB; `[a-z]{1,64}@[a-z]{1,64}\.com`: 5.2 KB).
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
    /// Not RE2 syntax (what is wrong, and where), or longer than
    /// `MAX_PATTERN_LEN`.
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
    let (nodes, root) = parse::parse(pattern, case_insensitive).map_err(|e| {
        let place = match pattern.get(..e.at) {
            Some(before) if e.at < pattern.len() => format!("at character {}", before.chars().count() + 1),
            _ => "at the end".into(),
        };
        BuildError::Invalid(format!("{} ({place})", e.what))
    })?;
    let (regex, size) = program::compile(&nodes, root, MAX_REGEX_SIZE).map_err(|_| BuildError::TooLarge)?;
    Ok((regex, size.next_power_of_two().max(512)))
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
    fn a_refusal_says_what_and_where() {
        let says = |pattern: &str| match build(pattern, false) {
            Err(BuildError::Invalid(e)) => e,
            _ => String::new(),
        };
        assert_eq!(says("(a"), "unclosed group (at the end)");
        assert_eq!(says("éa)b"), "unopened group (at character 3)");
        assert_eq!(says("x(?=a)"), "lookaround is not supported (at character 5)");
        assert_eq!(says("[[:^foo:]]"), "nested class (at character 2)");
    }

    #[test]
    fn refuses_patterns_that_compile_too_large() {
        for pattern in ["(?:a{100}){100}b", "(?:[a-z]{1,1000}){1,10}b", "[a-z]{1,1000}"] {
            assert!(matches!(build(pattern, false), Err(BuildError::TooLarge)), "{pattern}");
        }
        let (_, size) = build("MOBILE", false).unwrap();
        assert_eq!(size, 512);
        let (_, size) = build("[a-z]{1,64}@[a-z]{1,64}\\.com", false).unwrap();
        assert_eq!(size, 8 * 1024);
        // Exact sizes: a 30-domain alternation, 193 instructions; the address, 262 and 128 ranges.
        let domains =
            "gmail|yahoo|hotmail|outlook|icloud|aol|proton|gmx|yandex|mail|zoho|fastmail|tutanota|hey|live|msn|me|\
                       mac|comcast|verizon|att|sbcglobal|orange|free|wanadoo|laposte|web|t-online|libero|qq";
        let exact = |pattern: &str| {
            let (nodes, root) = parse::parse(pattern, false).ok().unwrap();
            program::compile(&nodes, root, MAX_REGEX_SIZE).ok().unwrap().1
        };
        assert_eq!(exact(&format!("@(?:{domains})\\.com$")), 3088);
        assert_eq!(exact("[a-z]{1,64}@[a-z]{1,64}\\.com"), 5216);
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

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
pub(crate) mod differential;
