//! The one JSON value type of the core.
//!
//! Objects keep their insertion order because the config's order is
//! meaningful (ties in priority, segment order, signal output order).
//! Text is read by [`read`] (natively and in wasm) and written by
//! [`Json::write_to`].

use std::fmt;

/// Deepest nesting accepted anywhere a value enters the core (configs,
/// props, stored state). Deeper input is refused instead of risking the
/// stack: in wasm a stack overflow kills the instance.
pub const MAX_DEPTH: usize = 64;

/// Keys refused in what onstage hands to JavaScript code (props, content):
/// `Object.assign` or a merge into an object would write them as the
/// object's prototype or constructor.
pub fn is_reserved_key(key: &str) -> bool {
    matches!(key, "__proto__" | "constructor" | "prototype")
}

#[derive(Clone, Debug, PartialEq, Default)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Num(f64),
    Str(Box<str>),
    Arr(Vec<Json>),
    Obj(Obj),
}

/// A JSON object with unique keys in insertion order. Lookup is linear:
/// objects in configs, props and attributes are small.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Obj(Vec<(Box<str>, Json)>);

impl Obj {
    pub fn new() -> Self {
        Obj(Vec::new())
    }

    pub fn with_capacity(n: usize) -> Self {
        Obj(Vec::with_capacity(n))
    }

    pub fn get(&self, key: &str) -> Option<&Json> {
        self.0.iter().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Json> {
        self.0.iter_mut().find(|(k, _)| &**k == key).map(|(_, v)| v)
    }

    /// Sets `key`, replacing an earlier value (the last duplicate wins, as
    /// in `JSON.parse`) but keeping the key's first position.
    pub fn insert(&mut self, key: impl Into<Box<str>>, value: Json) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// An object of `pairs`, in linear time (n log n) whatever their
    /// number: a repeated key keeps its first position and takes its last
    /// value, as in `JSON.parse`. Use it (not `insert` in a loop, which
    /// looks each key up) wherever an input decides how many keys there are.
    pub fn from_pairs(pairs: Vec<(Box<str>, Json)>) -> Obj {
        Obj::from_pairs_noting(pairs, &mut |_| {})
    }

    /// [`Obj::from_pairs`] that hands each repeated key to `repeated`
    /// (once per repetition), for readers that must report them. A `dyn`
    /// callback: one copy of this code in the wasm, not one per caller.
    pub fn from_pairs_noting(pairs: Vec<(Box<str>, Json)>, repeated: &mut dyn FnMut(&str)) -> Obj {
        if pairs.len() <= 16 {
            let mut o = Obj::with_capacity(pairs.len());
            for (k, v) in pairs {
                match o.0.iter_mut().find(|(existing, _)| *existing == k) {
                    Some(slot) => {
                        repeated(&k);
                        slot.1 = v;
                    }
                    None => o.0.push((k, v)),
                }
            }
            return o;
        }
        // For each pair, the index of the first pair with its key: sort
        // the indexes by (key, index) and read the runs of equal keys.
        let mut order: Vec<usize> = (0..pairs.len()).collect();
        let key = |i: &usize| pairs.get(*i).map_or("", |(k, _)| &**k);
        crate::collections::heap_sort_by(&mut order, |a, b| (key(a), a) < (key(b), b));
        let mut first = vec![0usize; pairs.len()];
        let mut run_start = None;
        for &i in &order {
            let start = match run_start {
                Some(s) if key(&s) == key(&i) => s,
                _ => i,
            };
            run_start = Some(start);
            if let Some(slot) = first.get_mut(i) {
                *slot = start;
            }
        }
        // Each key's position in the output, by the index of its first pair.
        let mut position = vec![0usize; pairs.len()];
        let mut out: Vec<(Box<str>, Json)> = Vec::with_capacity(pairs.len());
        for (i, (k, v)) in pairs.into_iter().enumerate() {
            let f = first.get(i).copied().unwrap_or(i);
            if f == i {
                if let Some(p) = position.get_mut(i) {
                    *p = out.len();
                }
                out.push((k, v));
            } else if let Some(slot) = position.get(f).and_then(|&p| out.get_mut(p)) {
                repeated(&k);
                slot.1 = v;
            }
        }
        Obj(out)
    }

    /// An object of pairs whose keys are known to be distinct (a
    /// JavaScript object's own keys): no lookup at all.
    pub fn from_distinct_pairs(pairs: Vec<(Box<str>, Json)>) -> Obj {
        Obj(pairs)
    }

    pub fn remove(&mut self, key: &str) -> Option<Json> {
        let i = self.0.iter().position(|(k, _)| &**k == key)?;
        Some(self.0.remove(i).1)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Json)> {
        self.0.iter().map(|(k, v)| (&**k, v))
    }

    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.0.iter().map(|(k, _)| &**k)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromIterator<(Box<str>, Json)> for Obj {
    fn from_iter<I: IntoIterator<Item = (Box<str>, Json)>>(iter: I) -> Self {
        Obj::from_pairs(iter.into_iter().collect())
    }
}

impl Json {
    pub fn str(s: &str) -> Json {
        Json::Str(s.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Json::Num(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_obj(&self) -> Option<&Obj> {
        match self {
            Json::Obj(o) => Some(o),
            _ => None,
        }
    }

    pub fn as_arr(&self) -> Option<&[Json]> {
        match self {
            Json::Arr(a) => Some(a),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The JSON type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "boolean",
            Json::Num(_) => "number",
            Json::Str(_) => "string",
            Json::Arr(_) => "array",
            Json::Obj(_) => "object",
        }
    }

    /// Field of an object, `None` for anything else.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_obj().and_then(|o| o.get(key))
    }

    /// Nesting depth: scalars are 0, `[]` and `{}` are 1.
    pub fn depth(&self) -> usize {
        match self {
            Json::Arr(a) => 1 + a.iter().map(Json::depth).max().unwrap_or(0),
            Json::Obj(o) => 1 + o.iter().map(|(_, v)| v.depth()).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// Compact JSON text. Non-finite numbers (which JSON cannot carry)
    /// are written as `null`, as `JSON.stringify` does.
    pub fn to_json_string(&self) -> String {
        let mut out = String::new();
        self.write_to(&mut out);
        out
    }

    /// Writes a JSON string literal.
    pub fn write_str(s: &str, out: &mut String) {
        write_string(s, out);
    }

    pub fn write_to(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Num(n) => write_number(*n, out),
            Json::Str(s) => write_string(s, out),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_to(out);
                }
                out.push(']');
            }
            Json::Obj(o) => {
                out.push('{');
                for (i, (k, v)) in o.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_string(k, out);
                    out.push(':');
                    v.write_to(out);
                }
                out.push('}');
            }
        }
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json_string())
    }
}

impl From<f64> for Json {
    fn from(n: f64) -> Self {
        Json::Num(n)
    }
}

impl From<Option<f64>> for Json {
    fn from(n: Option<f64>) -> Self {
        n.map_or(Json::Null, Json::Num)
    }
}

impl From<bool> for Json {
    fn from(b: bool) -> Self {
        Json::Bool(b)
    }
}

impl From<&str> for Json {
    fn from(s: &str) -> Self {
        Json::Str(s.into())
    }
}

impl From<String> for Json {
    fn from(s: String) -> Self {
        Json::Str(s.into_boxed_str())
    }
}

impl From<Obj> for Json {
    fn from(o: Obj) -> Self {
        Json::Obj(o)
    }
}

/// A number in text, as JavaScript writes it (`String(n)`): for messages,
/// so that no format string ever reaches Rust's float formatting (the wasm
/// build leaves it out; see `crate::platform`).
#[derive(Clone, Copy, Debug)]
pub struct Num(pub f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&js_number_string(self.0))
    }
}

/// Writes a number as `JSON.stringify` does (`String(n)`; `null` when not
/// finite). Non-integers are written by the platform (`crate::platform`).
pub fn write_number(n: f64, out: &mut String) {
    if n.is_finite() {
        crate::platform::write_finite(n, out);
    } else {
        out.push_str("null");
    }
}

/// JavaScript's `String(n)` for a number: used where a number is turned
/// into text, e.g. an experiment's hash value.
pub fn js_number_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity".into() } else { "-Infinity".into() };
    }
    let mut out = String::new();
    crate::platform::write_finite(n, &mut out);
    out
}

/// A byte a JSON string must escape: `"`, `\\` or a control character.
#[inline(always)]
fn is_special(b: u8) -> bool {
    b == b'"' || b == b'\\' || b < 0x20
}

/// The special bytes of a word of eight ([`is_special`]), each marked by
/// its high bit: in the word xor a byte repeated, a byte equal to it is
/// zero, and `(x - 0x01..) & !x & 0x80..` marks the zero bytes, the
/// lowest one exactly (a borrow only marks bytes above a true zero); the
/// same with the word itself and 0x20 marks the bytes below 0x20.
#[inline(always)]
fn special_bytes(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    below(w ^ (ONES * u64::from(b'"')), 1) | below(w ^ (ONES * u64::from(b'\\')), 1) | below(w, 0x20)
}

/// The index of the first special byte ([`is_special`]) in `bytes`, eight
/// bytes at a time.
pub(crate) fn plain_len(bytes: &[u8]) -> Option<usize> {
    let mut chunks = bytes.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let found = special_bytes(u64::from_le_bytes(word));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks.remainder().iter().position(|&b| is_special(b)).map(|i| at + i)
}

/// Whether `bytes` has no `"`, `\\` or control character (nothing to
/// escape): the writers' test of keys and ids, short texts. As
/// [`plain_len`], a word at a time, with no byte-by-byte tail: from 8
/// bytes on, the last word overlaps the last whole one; from 4 to 7, two
/// overlapping halves make one word (a byte tested twice is still tested
/// right: only whether any is special matters).
#[cfg(feature = "text")]
#[inline(always)]
pub(crate) fn is_plain(bytes: &[u8]) -> bool {
    let word = |b: &[u8]| <[u8; 8]>::try_from(b).map_or(0, u64::from_le_bytes);
    let half = |b: &[u8]| <[u8; 4]>::try_from(b).map_or(0, u32::from_le_bytes);
    let n = bytes.len();
    if n >= 8 {
        let last = bytes.get(n - 8..).map_or(0, |b| special_bytes(word(b)));
        bytes.chunks_exact(8).fold(last, |found, chunk| found | special_bytes(word(chunk))) == 0
    } else if n >= 4 {
        let (low, high) = (bytes.get(..4).map_or(0, half), bytes.get(n - 4..).map_or(0, half));
        special_bytes(u64::from(low) | u64::from(high) << 32) == 0
    } else {
        !bytes.iter().any(|&b| is_special(b))
    }
}

fn write_string(s: &str, out: &mut String) {
    // Natively, the common case (ids, times: nothing to escape) in one
    // copy; the page's build keeps the one loop below (smaller).
    #[cfg(feature = "text")]
    if is_plain(s.as_bytes()) {
        out.reserve(s.len() + 2);
        out.push('"');
        out.push_str(s);
        out.push('"');
        return;
    }
    out.push('"');
    // Runs of characters that need no escape are copied whole (every
    // escaped character is ASCII, so a run ends on a character boundary).
    let mut rest = s;
    #[cfg(feature = "text")]
    let plain = |rest: &str| plain_len(rest.as_bytes());
    #[cfg(not(feature = "text"))]
    let plain = |rest: &str| rest.bytes().position(is_special);
    while let Some(at) = plain(rest) {
        let (plain, tail) = rest.split_at_checked(at).unwrap_or((rest, ""));
        out.push_str(plain);
        let mut chars = tail.chars();
        match chars.next() {
            Some('"') => out.push_str("\\\""),
            Some('\\') => out.push_str("\\\\"),
            Some('\n') => out.push_str("\\n"),
            Some('\r') => out.push_str("\\r"),
            Some('\t') => out.push_str("\\t"),
            Some(c) => {
                out.push_str("\\u");
                push_hex(out, u64::from(u32::from(c)), 4);
            }
            None => {}
        }
        rest = chars.as_str();
    }
    out.push_str(rest);
    out.push('"');
}

/// The last `digits` hex digits of `v`, lowercase, zero-padded (as
/// `{v:0digits$x}` for a `v` that fits): without `core::fmt`, which would
/// otherwise run on restoring a state (the signals' fingerprints).
pub(crate) fn push_hex(out: &mut String, v: u64, digits: u32) {
    for i in (0..digits).rev() {
        let d = (v.checked_shr(4 * i).unwrap_or(0) & 0xf) as u8;
        out.push(char::from(if d < 10 { b'0' + d } else { b'a' + d - 10 }));
    }
}

mod path;
mod read;
mod write;
pub use path::JsonPath;
pub(crate) use read::read_value_at;
pub use read::{read, read_with_depth, Document, SyntaxError};
pub use write::{write_list, ObjectWriter};

/// Parses JSON text (the last of duplicate keys wins, as in `JSON.parse`;
/// nesting deeper than [`MAX_DEPTH`] is refused). [`read`] also reports
/// duplicate keys.
pub fn parse(text: &str) -> Result<Json, String> {
    read(text).map(|d| d.value).map_err(|e| e.message())
}

/// Builds a `Json` object literal: `obj! { "a" => 1.0, "b" => "x" }`.
#[macro_export]
macro_rules! obj {
    ($($k:expr => $v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut o = $crate::json::Obj::new();
        $( o.insert($k, $crate::json::Json::from($v)); )*
        $crate::json::Json::Obj(o)
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_numbers_like_javascript() {
        assert_eq!(Json::Num(3.0).to_json_string(), "3");
        assert_eq!(Json::Num(-0.0).to_json_string(), "0");
        assert_eq!(Json::Num(0.25).to_json_string(), "0.25");
        assert_eq!(Json::Num(f64::NAN).to_json_string(), "null");
        assert_eq!(js_number_string(1e21), "1e+21");
        assert_eq!(js_number_string(1.5e-7), "1.5e-7");
        assert_eq!(js_number_string(123.0), "123");
        assert_eq!(js_number_string(0.1), "0.1");
        assert_eq!(js_number_string(0.000001), "0.000001");
    }

    #[test]
    fn writes_hex_as_core_fmt() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for v in [0, 1, 0x1f, 0xffff, u64::MAX, 0xcbf2_9ce4_8422_2325].into_iter().chain((0..2000).map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x >> (x % 64)
        })) {
            let mut out = String::new();
            push_hex(&mut out, v, 16);
            assert_eq!(out, format!("{v:016x}"));
            out.clear();
            push_hex(&mut out, v & 0xffff, 4);
            assert_eq!(out, format!("{:04x}", v & 0xffff));
        }
        assert_eq!(Json::from("a\u{1}b\u{1f}").to_json_string(), "\"a\\u0001b\\u001f\"");
    }

    #[test]
    fn round_trips_text() {
        let text = r#"{"a":[1,2.5,"x\"y",null,true],"b":{"c":{}}}"#;
        let v = parse(text).unwrap();
        assert_eq!(v.to_json_string(), text);
        assert_eq!(v.depth(), 3);
    }

    #[test]
    fn duplicate_keys_keep_the_last_value() {
        let v = parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(v.to_json_string(), r#"{"a":3,"b":2}"#);
    }

    /// The word-at-a-time search finds what a byte search finds: every
    /// byte value at every position of a word, after plain bytes and
    /// before other special ones.
    #[test]
    fn plain_len_is_a_byte_search() {
        each_with_one_byte(0..20, |mut bytes, at| {
            if at + 1 < bytes.len() {
                bytes[at + 1] = 0x01;
            }
            assert_eq!(plain_len(&bytes), bytes.iter().position(special), "{bytes:?}");
        });
    }

    /// A byte a string's writer escapes, spelled out (what the word tests
    /// must agree with).
    fn special(b: &u8) -> bool {
        *b == b'"' || *b == b'\\' || *b < 0x20
    }

    /// Each run of a filler byte of every length in `lens`, with every
    /// byte value at every place, and that place.
    fn each_with_one_byte(lens: std::ops::Range<usize>, mut check: impl FnMut(Vec<u8>, usize)) {
        let fillers = [b'a', 0x7f, 0x80, 0x9f, 0xa0, 0xc3, 0xff, b' ', b'!', b'#', b'[', b']'];
        for len in lens {
            for at in 0..len {
                for b in 0..=255u8 {
                    for &filler in &fillers {
                        let mut bytes = vec![filler; len];
                        bytes[at] = b;
                        check(bytes, at);
                    }
                }
            }
        }
    }

    /// `is_plain` is "no special byte" for every length up to three words
    /// and any one byte at any place (its words overlap differently for
    /// each length).
    #[cfg(feature = "text")]
    #[test]
    fn is_plain_is_a_byte_search() {
        assert!(is_plain(b""));
        each_with_one_byte(1..25, |bytes, _| assert_eq!(is_plain(&bytes), !bytes.iter().any(special), "{bytes:?}"));
    }

    #[test]
    fn from_pairs_is_insert_in_a_loop() {
        for n in [3usize, 16, 17, 40] {
            let pairs: Vec<(Box<str>, Json)> = (0..n)
                .map(|i| (Box::from(format!("k{}", (i * 7) % (n / 2 + 1)).as_str()), Json::Num(i as f64)))
                .collect();
            let mut expected = Obj::new();
            for (k, v) in pairs.clone() {
                expected.insert(k, v);
            }
            assert_eq!(Obj::from_pairs(pairs), expected, "{n} pairs");
        }
    }

    #[test]
    fn refuses_deep_nesting() {
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(parse(&deep).is_err());
    }
}
