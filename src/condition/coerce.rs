//! JavaScript's coercions, as the GrowthBook SDK relies on them: `===`,
//! `includes`, `<` between mixed types, `String(x)`, `x * 1`,
//! truthiness and `JSON.stringify` equality. `Missing` behaves as `null`
//! throughout, because the SDK's `getPath` returns `null` for a missing path.
//!
//! None of these allocate for strings, numbers, booleans and null; only
//! arrays turned into text (`[1,2]` → `"1,2"`) do.

use super::Value;
use crate::json::{js_number_string, Json, Obj, MAX_DEPTH};
use std::borrow::Cow;
use std::cmp::Ordering;

use super::tree::Primitive;

pub(crate) fn is_nullish(v: Value) -> bool {
    matches!(v, Value::Missing | Value::Null)
}

/// `!!v`.
pub(crate) fn truthy(v: Value) -> bool {
    match v {
        Value::Missing | Value::Null => false,
        Value::Bool(b) => b,
        Value::Num(n) => n != 0.0 && !n.is_nan(),
        Value::Str(s) => !s.is_empty(),
        Value::Arr(_) | Value::Obj(_) => true,
    }
}

/// `v === j`. Arrays and objects are compared by identity in JavaScript,
/// and an operand is never the same object as a document value.
pub(crate) fn strict_equals(v: Value, j: &Json) -> bool {
    match (v, j) {
        (Value::Missing | Value::Null, Json::Null) => true,
        (Value::Bool(a), Json::Bool(b)) => a == *b,
        (Value::Num(a), Json::Num(b)) => a == *b,
        (Value::Str(a), Json::Str(b)) => a == &**b,
        _ => false,
    }
}

/// `[j].includes(v)`: `===` except that `NaN` equals `NaN`.
pub(crate) fn same_value_zero(v: Value, j: &Json) -> bool {
    match (v, j) {
        (Value::Num(a), Json::Num(b)) if a.is_nan() && b.is_nan() => true,
        _ => strict_equals(v, j),
    }
}

/// `v * 1`: JavaScript's `ToNumber` (after `ToPrimitive` for arrays).
pub(crate) fn to_number(v: Value) -> f64 {
    match v {
        Value::Missing | Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(b)),
        Value::Num(n) => n,
        Value::Str(s) => string_to_number(s),
        Value::Arr(_) => string_to_number(&to_js_string(v)),
        Value::Obj(_) => f64::NAN,
    }
}

/// `String(v)`.
pub(crate) fn to_js_string(v: Value<'_>) -> Cow<'_, str> {
    match v {
        Value::Str(s) => Cow::Borrowed(s),
        Value::Missing | Value::Null => Cow::Borrowed("null"),
        Value::Bool(b) => Cow::Borrowed(if b { "true" } else { "false" }),
        Value::Num(n) => Cow::Owned(js_number_string(n)),
        Value::Obj(_) => Cow::Borrowed(OBJECT_TEXT),
        Value::Arr(a) => {
            let mut out = String::new();
            push_joined(a, &mut out, 0);
            Cow::Owned(out)
        }
    }
}

const OBJECT_TEXT: &str = "[object Object]";

/// `Array.prototype.join(",")`: `null` elements are empty, nested arrays
/// are joined in turn. Nesting past `MAX_DEPTH` is written as empty
/// rather than risk the stack on a hostile document.
fn push_joined(items: &[Json], out: &mut String, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match item {
            Json::Null => {}
            Json::Arr(inner) => push_joined(inner, out, depth + 1),
            other => out.push_str(&to_js_string(other.into())),
        }
    }
}

/// JavaScript's `StringToNumber`: surrounding whitespace ignored, empty is
/// 0, `0x`/`0o`/`0b` prefixes, `Infinity`, anything else malformed is NaN.
pub(crate) fn string_to_number(s: &str) -> f64 {
    let t = s.trim_matches(is_js_whitespace);
    if t.is_empty() {
        return 0.0;
    }
    let radix = match t.get(..2) {
        Some("0x" | "0X") => 16,
        Some("0o" | "0O") => 8,
        Some("0b" | "0B") => 2,
        _ => 10,
    };
    if radix != 10 {
        return t.get(2..).map_or(f64::NAN, |digits| parse_radix(digits, radix));
    }
    let (negative, unsigned) = match t.as_bytes().first() {
        Some(b'-') => (true, t.get(1..).unwrap_or("")),
        Some(b'+') => (false, t.get(1..).unwrap_or("")),
        _ => (false, t),
    };
    let magnitude = if unsigned == "Infinity" {
        f64::INFINITY
    } else if is_decimal_literal(unsigned) {
        crate::platform::parse_decimal(unsigned)
    } else {
        return f64::NAN;
    };
    if negative {
        -magnitude
    } else {
        magnitude
    }
}

/// `DecimalDigits [. DecimalDigits] [ExponentPart]` or `. DecimalDigits
/// [ExponentPart]`; Rust's parser alone would also take `inf` and `nan`.
fn is_decimal_literal(s: &str) -> bool {
    // Byte by byte: `find`, `split_once` and `strip_prefix` over chars
    // would bring core's pattern searchers onto the config's path.
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut mantissa = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        mantissa += digits(&mut i);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

fn parse_radix(digits: &str, radix: u32) -> f64 {
    if digits.is_empty() {
        return f64::NAN;
    }
    // Exact (correctly rounded) while the value fits 128 bits; beyond
    // that, accumulating in f64 is close enough for such inputs.
    if let Ok(n) = u128::from_str_radix(digits, radix) {
        return n as f64;
    }
    let mut value = 0.0;
    for c in digits.chars() {
        match c.to_digit(radix) {
            Some(d) => value = value * f64::from(radix) + f64::from(d),
            None => return f64::NAN,
        }
    }
    value
}

/// JavaScript's WhiteSpace and LineTerminator.
fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}' | '\u{2028}' | '\u{2029}' | '\u{202F}' | '\u{205F}' | '\u{3000}' | '\u{FEFF}'
    )
}

/// The number whose `String()` is exactly `text`, if any: lets
/// `String(value) === text` be decided for a number value without
/// formatting it.
pub(crate) fn number_with_text(text: &str) -> Option<f64> {
    let n = match text {
        "NaN" => f64::NAN,
        "Infinity" => f64::INFINITY,
        "-Infinity" => f64::NEG_INFINITY,
        t if is_decimal_literal(t.strip_prefix('-').unwrap_or(t)) => crate::platform::parse_decimal(t),
        _ => return None,
    };
    (js_number_string(n) == text).then_some(n)
}

/// `String(v) === text`; `as_number` is [`number_with_text`] of `text`.
pub(crate) fn string_equals(v: Value, text: &str, as_number: Option<f64>) -> bool {
    match v {
        Value::Str(s) => s == text,
        Value::Num(n) => as_number.is_some_and(|x| x == n || (x.is_nan() && n.is_nan())),
        other => to_js_string(other) == text,
    }
}

/// `s.toLowerCase() === lowercase`, where `lowercase` is already lowered.
pub(crate) fn lowercase_equals(s: &str, lowercase: &str) -> bool {
    if s.is_ascii() {
        return s.len() == lowercase.len() && s.bytes().map(|b| b.to_ascii_lowercase()).eq(lowercase.bytes());
    }
    crate::platform::lowercase(s) == lowercase
}

/// An order operand after `ToPrimitive`, decided at compile time.
pub(crate) fn to_primitive(j: &Json) -> Primitive {
    match j {
        Json::Str(s) => Primitive::Str { text: s.clone(), number: string_to_number(s) },
        Json::Arr(_) | Json::Obj(_) => {
            let text = to_js_string(j.into()).into_owned();
            let number = string_to_number(&text);
            Primitive::Str { text: text.into(), number }
        }
        other => Primitive::Num(to_number(other.into())),
    }
}

/// How `v` compares with the operand under JavaScript's `<`: two strings
/// compare by UTF-16 code units, anything else as numbers. `None` when a
/// side is NaN, where every one of `< <= > >=` is false.
pub(crate) fn compare(v: Value, operand: &Primitive) -> Option<Ordering> {
    let actual: Cow<str> = match v {
        Value::Str(s) => Cow::Borrowed(s),
        Value::Arr(_) | Value::Obj(_) => to_js_string(v),
        other => {
            let a = to_number(other);
            return match operand {
                Primitive::Num(b) => a.partial_cmp(b),
                Primitive::Str { number, .. } => a.partial_cmp(number),
            };
        }
    };
    match operand {
        Primitive::Str { text, .. } => Some(actual.encode_utf16().cmp(text.encode_utf16())),
        Primitive::Num(b) => string_to_number(&actual).partial_cmp(b),
    }
}

/// `JSON.stringify(v) === JSON.stringify(j)`. Recursion follows `j`, an
/// operand whose depth was bounded at compile time.
pub(crate) fn stringify_equals(v: Value, j: &Json) -> bool {
    match (v, j) {
        (Value::Missing | Value::Null, Json::Null) => true,
        (Value::Missing | Value::Null, Json::Num(b)) => !b.is_finite(),
        (Value::Num(a), Json::Null) => !a.is_finite(),
        (Value::Num(a), Json::Num(b)) => {
            if a.is_finite() {
                a == *b
            } else {
                !b.is_finite()
            }
        }
        (Value::Bool(a), Json::Bool(b)) => a == *b,
        (Value::Str(a), Json::Str(b)) => a == &**b,
        (Value::Arr(a), Json::Arr(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| stringify_equals(x.into(), y))
        }
        (Value::Obj(a), Json::Obj(b)) => objects_stringify_equal(a, b),
        _ => false,
    }
}

/// Objects stringify in JavaScript's property order: array-index keys
/// ascending first, then the other keys in insertion order.
fn objects_stringify_equal(a: &Obj, b: &Obj) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let has_index_key = |o: &Obj| o.keys().any(|k| array_index(k).is_some());
    if !has_index_key(a) && !has_index_key(b) {
        return a.iter().zip(b.iter()).all(|((ka, va), (kb, vb))| ka == kb && stringify_equals(va.into(), vb));
    }
    in_js_key_order(a)
        .into_iter()
        .zip(in_js_key_order(b))
        .all(|((ka, va), (kb, vb))| ka == kb && stringify_equals(va.into(), vb))
}

fn in_js_key_order(o: &Obj) -> Vec<(&str, &Json)> {
    let mut entries: Vec<(&str, &Json)> = Vec::with_capacity(o.len());
    for entry in o.iter() {
        entries.push(entry);
    }
    // Stable: non-index keys keep their insertion order.
    let rank = |k: &str| array_index(k).map_or((1, 0), |i| (0, i));
    crate::collections::sort_small_by(&mut entries, |a, b| rank(a.0) < rank(b.0));
    entries
}

/// The array index a property key denotes in JavaScript: the canonical
/// decimal text of an integer below 2^32 - 1 (`"01"` is not one).
pub(crate) fn array_index(key: &str) -> Option<u32> {
    let bytes = key.as_bytes();
    let canonical = match bytes {
        [] => false,
        [b'0'] => true,
        [first, ..] => *first != b'0' && bytes.iter().all(u8::is_ascii_digit),
    };
    if !canonical || bytes.len() > 10 {
        return None;
    }
    key.parse::<u32>().ok().filter(|&i| i != u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former `is_decimal_literal`, over `str` patterns.
    fn is_decimal_literal_by_patterns(s: &str) -> bool {
        let (mantissa, exponent) = match s.find(['e', 'E']) {
            Some(i) => (s.get(..i).unwrap_or(""), s.get(i + 1..)),
            None => (s, None),
        };
        let (int_part, frac_part) = match mantissa.split_once('.') {
            Some((i, f)) => (i, f),
            None => (mantissa, ""),
        };
        let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        let mantissa_ok =
            all_digits(int_part) && all_digits(frac_part) && !(int_part.is_empty() && frac_part.is_empty());
        let exponent_ok = match exponent {
            None => true,
            Some(e) => {
                let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
                !digits.is_empty() && all_digits(digits)
            }
        };
        mantissa_ok && exponent_ok
    }

    #[test]
    fn decimal_literals_as_before() {
        // Every string of up to 5 characters over an alphabet with each
        // kind of byte the grammar tells apart.
        let alphabet = ['0', '7', '.', 'e', 'E', '+', '-', 'x', 'é'];
        let mut strings = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last.iter().flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}"))).collect();
            strings.extend(last.iter().cloned());
        }
        let mut accepted = 0;
        for s in &strings {
            assert_eq!(is_decimal_literal(s), is_decimal_literal_by_patterns(s), "{s:?}");
            accepted += usize::from(is_decimal_literal(s));
        }
        assert!(accepted > 500, "{accepted}");
    }

    #[test]
    fn strings_become_numbers_as_in_javascript() {
        assert_eq!(string_to_number(""), 0.0);
        assert_eq!(string_to_number("  8\n"), 8.0);
        assert_eq!(string_to_number("0x1F"), 31.0);
        assert_eq!(string_to_number("0b101"), 5.0);
        assert_eq!(string_to_number("-Infinity"), f64::NEG_INFINITY);
        assert_eq!(string_to_number(".5"), 0.5);
        assert_eq!(string_to_number("5."), 5.0);
        assert_eq!(string_to_number("1e3"), 1000.0);
        for nan in ["inf", "nan", "NaN", "1_000", "-0x1", "1e", "e5", ".", "abc", "1 2"] {
            assert!(string_to_number(nan).is_nan(), "{nan}");
        }
    }

    #[test]
    fn arrays_join_like_javascript() {
        let arr = crate::json::parse(r#"[1,null,[2,[3,"x"]],true,{}]"#).unwrap_or_default();
        assert_eq!(to_js_string((&arr).into()), "1,,2,3,x,true,[object Object]");
    }

    #[test]
    fn number_text_round_trips() {
        assert_eq!(number_with_text("10"), Some(10.0));
        assert_eq!(number_with_text("10.0"), None);
        assert_eq!(number_with_text("-0"), None);
        assert_eq!(number_with_text("Infinity"), Some(f64::INFINITY));
        assert_eq!(number_with_text("inf"), None);
    }

    #[test]
    fn mixed_comparisons_follow_javascript() {
        let five = to_primitive(&Json::Num(5.0));
        assert_eq!(compare(Value::Str("8"), &five), Some(Ordering::Greater));
        assert_eq!(compare(Value::Null, &five), Some(Ordering::Less));
        assert_eq!(compare(Value::Str("x"), &five), None);
        let ten = to_primitive(&Json::str("10"));
        assert_eq!(compare(Value::Str("9"), &ten), Some(Ordering::Greater));
        assert_eq!(compare(Value::Num(9.0), &ten), Some(Ordering::Less));
    }

    #[test]
    fn index_keys_are_canonical() {
        assert_eq!(array_index("0"), Some(0));
        assert_eq!(array_index("12"), Some(12));
        assert_eq!(array_index("01"), None);
        assert_eq!(array_index("-1"), None);
        assert_eq!(array_index("4294967295"), None);
        assert_eq!(array_index("99999999999"), None);
    }

    #[test]
    fn object_equality_uses_javascript_key_order() {
        let a = crate::json::parse(r#"{"b":1,"2":true,"1":null}"#).unwrap_or_default();
        let b = crate::json::parse(r#"{"1":null,"b":1,"2":true}"#).unwrap_or_default();
        let c = crate::json::parse(r#"{"1":null,"2":true,"b":1}"#).unwrap_or_default();
        let d = crate::json::parse(r#"{"c":1,"b":1}"#).unwrap_or_default();
        let e = crate::json::parse(r#"{"b":1,"c":1}"#).unwrap_or_default();
        assert!(stringify_equals((&a).into(), &b));
        assert!(stringify_equals((&a).into(), &c));
        assert!(!stringify_equals((&d).into(), &e));
    }
}
