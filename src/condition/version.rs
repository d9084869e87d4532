//! Version comparison as the SDK's `paddedVersionString` does it: drop a
//! leading `v` and any `+build`, split on `-` and `.`, add `~` to a plain
//! `x.y.z` (so it sorts after its prereleases), left-pad numeric parts to
//! five places with spaces, join with `-`, and compare the texts by
//! UTF-16 code units.
//!
//! The document side is streamed, never built, so a comparison does not
//! allocate for string values.

use super::Value;
use crate::json::{js_number_string, Json};
use std::cmp::Ordering;
use std::ops::ControlFlow;

const PAD_WIDTH: usize = 5;

/// The padded text of an operand, as UTF-16 code units (compile time).
pub(crate) fn padded_operand(operand: &Json) -> Box<[u16]> {
    let mut out = Vec::new();
    with_version_text(operand.into(), |text| {
        let _ = for_each_unit(text, |u| {
            out.push(u);
            ControlFlow::<()>::Continue(())
        });
    });
    out.into_boxed_slice()
}

/// Whether an operand is something `paddedVersionString` reads as a
/// version (anything else counts as "0").
pub(crate) fn is_version_operand(operand: &Json) -> bool {
    matches!(operand, Json::Str(s) if !s.is_empty()) || matches!(operand, Json::Num(_))
}

/// How the document value's padded version compares with `operand`.
pub(crate) fn compare(v: Value, operand: &[u16]) -> Ordering {
    let mut ordering = Ordering::Equal;
    with_version_text(v, |text| ordering = compare_text(text, operand));
    ordering
}

/// The text `paddedVersionString` starts from: numbers as `String(n)`,
/// other non-strings and the empty string as "0".
fn with_version_text(v: Value, f: impl FnOnce(&str)) {
    match v {
        Value::Str(s) if !s.is_empty() => f(s),
        Value::Num(n) => f(&js_number_string(n)),
        _ => f("0"),
    }
}

fn compare_text(text: &str, operand: &[u16]) -> Ordering {
    let mut seen = 0;
    let flow = for_each_unit(text, |unit| match operand.get(seen) {
        None => ControlFlow::Break(Ordering::Greater),
        Some(&expected) if unit != expected => ControlFlow::Break(unit.cmp(&expected)),
        Some(_) => {
            seen += 1;
            ControlFlow::Continue(())
        }
    });
    match flow {
        ControlFlow::Break(ordering) => ordering,
        ControlFlow::Continue(()) => seen.cmp(&operand.len()),
    }
}

/// Feeds the padded version of `text` to `f`, unit by unit.
fn for_each_unit<B>(text: &str, mut f: impl FnMut(u16) -> ControlFlow<B>) -> ControlFlow<B> {
    let core = strip_build(text.strip_prefix('v').unwrap_or(text));
    let is_separator = |c: char| c == '-' || c == '.';
    let part_count = core.split(is_separator).count();
    let mut buf = [0u16; 2];
    for (i, part) in core.split(is_separator).enumerate() {
        if i > 0 {
            f(u16::from(b'-'))?;
        }
        if !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()) {
            for _ in part.len()..PAD_WIDTH {
                f(u16::from(b' '))?;
            }
        }
        for c in part.chars() {
            for &unit in c.encode_utf16(&mut buf).iter() {
                f(unit)?;
            }
        }
    }
    if part_count == 3 {
        f(u16::from(b'-'))?;
        f(u16::from(b'~'))?;
    }
    ControlFlow::Continue(())
}

/// Removes what the SDK's `/\+.*$/` matches: from the first `+` that no
/// line terminator follows (`.` does not cross one) to the end.
fn strip_build(text: &str) -> &str {
    let last_line_break = text.rfind(['\n', '\r', '\u{2028}', '\u{2029}']);
    // After the break: U+2028 and U+2029 are three bytes long.
    let search_from =
        last_line_break.map_or(0, |i| i + text.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8));
    // `+` by bytes (ASCII: the same index as `find('+')`, without the
    // char searcher and `memchr` that were in the wasm for this alone).
    match text.get(search_from..).and_then(|rest| rest.bytes().position(|b| b == b'+')) {
        Some(i) => text.get(..search_from + i).unwrap_or(text),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn padded(text: &str) -> String {
        String::from_utf16_lossy(&padded_operand(&Json::str(text)))
    }

    #[test]
    fn pads_like_the_sdk() {
        assert_eq!(padded("v1.2.3-rc.1+build123"), "    1-    2-    3-rc-    1");
        assert_eq!(padded("1.0.0"), "    1-    0-    0-~");
        assert_eq!(padded(""), "    0");
        assert_eq!(padded("123456.1"), "123456-    1");
        assert_eq!(String::from_utf16_lossy(&padded_operand(&Json::Num(2.5))), "    2-    5");
    }

    #[test]
    fn build_after_any_line_terminator_is_stripped() {
        // As "1.0\u2028+x".replace(/\+.*$/, "") in JavaScript.
        for brk in ["\n", "\r", "\u{2028}", "\u{2029}"] {
            assert_eq!(strip_build(&format!("1.0{brk}+x")), format!("1.0{brk}"));
            assert_eq!(strip_build(&format!("1.0+a{brk}2")), format!("1.0+a{brk}2"));
        }
        assert_eq!(strip_build("1.0+x+y"), "1.0");
    }

    #[test]
    fn compares_streamed_text() {
        let op = padded_operand(&Json::str("1.0.0"));
        assert_eq!(compare(Value::Str("1.0.0-beta"), &op), Ordering::Less);
        assert_eq!(compare(Value::Str("v1.0.0+x"), &op), Ordering::Equal);
        assert_eq!(compare(Value::Str("1.0.1"), &op), Ordering::Greater);
        assert_eq!(compare(Value::Null, &op), Ordering::Less);
    }

    #[test]
    fn build_suffix_stops_at_line_breaks() {
        assert_eq!(strip_build("1+a\n2+b"), "1+a\n2");
        assert_eq!(strip_build("1+a"), "1");
        assert_eq!(strip_build("1+a\n"), "1+a\n");
    }
}
