//! The JSON text reader of the core, natively and in wasm.
//!
//! One reader for every document that arrives as text (configs, stored
//! states, summaries, timeline lines), so the CLI and the browser read a
//! document the same way: numbers exactly as `JSON.parse` reads them
//! (`str::parse::<f64>` rounds correctly), the last of duplicate keys
//! wins as in `JSON.parse`, and every duplicate key is reported with its
//! path (a config with the same signal id twice must not pass silently;
//! `JSON.parse` in the browser would hide it). Own code rather than
//! `serde_json` in the wasm build: see docs/architecture.md ("JSON text").

use super::JsonPath;
use super::{Json, Obj, MAX_DEPTH};
use std::fmt;

/// Why a text is not JSON: what was expected, and where (1-based line and
/// column of the character at fault, as editors count characters; at the
/// end of the text, the last character).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    pub what: &'static str,
    pub line: usize,
    pub column: usize,
}

impl SyntaxError {
    /// `"<what> at line <line> column <column>"`, written without
    /// `core::fmt` (the page's module reads stored states with it).
    pub fn message(&self) -> String {
        let mut out = String::from(self.what);
        out.push_str(" at line ");
        crate::json::write_number(self.line as f64, &mut out);
        out.push_str(" column ");
        crate::json::write_number(self.column as f64, &mut out);
        out
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message())
    }
}

/// A document read from text: its value (the last of duplicate keys wins)
/// and the path of every key that appeared twice in one object.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    pub value: Json,
    pub duplicates: Vec<JsonPath>,
}

/// Reads one JSON document (surrounding whitespace allowed), nested at
/// most [`MAX_DEPTH`] deep.
pub fn read(text: &str) -> Result<Document, SyntaxError> {
    read_with_depth(text, MAX_DEPTH)
}

/// [`read`], nested at most `max_depth` deep: for compiled plans, which
/// nest deeper than the configs they are compiled from (a config stays
/// at [`MAX_DEPTH`]).
pub fn read_with_depth(text: &str, max_depth: usize) -> Result<Document, SyntaxError> {
    let mut r = Reader { text: text.as_bytes(), pos: 0, duplicates: Vec::new(), max_depth };
    r.skip_ws();
    let value = r.value(None, 0)?;
    r.skip_ws();
    if r.pos < r.text.len() {
        return Err(r.error("trailing characters"));
    }
    Ok(Document { value, duplicates: r.duplicates })
}

/// Reads the JSON value that starts at byte `pos` of `text` (no
/// whitespace before it); returns it (the last of duplicate keys wins) and
/// the position just after it. For readers of a known shape (timeline
/// lines) that read only some values as a tree.
pub(crate) fn read_value_at(text: &str, pos: usize) -> Result<(Json, usize), SyntaxError> {
    let mut r = Reader { text: text.as_bytes(), pos, duplicates: Vec::new(), max_depth: MAX_DEPTH };
    let value = r.value(None, 0)?;
    Ok((value, r.pos))
}

/// Where the value being read sits: a chain of frames on the stack, turned
/// into a [`JsonPath`] only when a duplicate is found.
enum Step<'k> {
    Key(&'k str),
    Index(usize),
}

struct Frame<'p, 'k> {
    parent: Option<&'p Frame<'p, 'k>>,
    step: Step<'k>,
}

fn path_of(frame: Option<&Frame>) -> JsonPath {
    let mut steps = Vec::new();
    let mut at = frame;
    while let Some(f) = at {
        steps.push(&f.step);
        at = f.parent;
    }
    let mut path = JsonPath::root();
    for s in steps.iter().rev() {
        match s {
            Step::Key(k) => path.push_key(k),
            Step::Index(i) => path.push_index(*i),
        }
    }
    path
}

struct Reader<'t> {
    text: &'t [u8],
    pos: usize,
    duplicates: Vec<JsonPath>,
    max_depth: usize,
}

impl Reader<'_> {
    fn error(&self, what: &'static str) -> SyntaxError {
        let end = self.pos.min(self.text.len());
        let before = self.text.get(..end).unwrap_or_default();
        let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.iter().filter(|&&b| b & 0xC0 != 0x80).count());
        // The character at fault; at the end of the text, the last one.
        let column = column + usize::from(self.pos < self.text.len());
        SyntaxError { what, line, column }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// Consumes `word` (after its first byte was seen).
    fn literal(&mut self, word: &[u8], value: Json) -> Result<Json, SyntaxError> {
        for &expected in word {
            match self.peek() {
                Some(b) if b == expected => self.pos += 1,
                Some(_) => return Err(self.error("expected value")),
                None => return Err(self.error("EOF while parsing a value")),
            }
        }
        Ok(value)
    }

    fn value(&mut self, at: Option<&Frame>, depth: usize) -> Result<Json, SyntaxError> {
        match self.peek() {
            None => Err(self.error("EOF while parsing a value")),
            Some(b'n') => self.literal(b"null", Json::Null),
            Some(b't') => self.literal(b"true", Json::Bool(true)),
            Some(b'f') => self.literal(b"false", Json::Bool(false)),
            Some(b'"') => Ok(Json::Str(self.string()?.into_boxed_str())),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b'[') => {
                if depth >= self.max_depth {
                    return Err(self.error("nested too deeply"));
                }
                self.array(at, depth + 1)
            }
            Some(b'{') => {
                if depth >= self.max_depth {
                    return Err(self.error("nested too deeply"));
                }
                self.object(at, depth + 1)
            }
            Some(_) => Err(self.error("expected value")),
        }
    }

    fn array(&mut self, at: Option<&Frame>, depth: usize) -> Result<Json, SyntaxError> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            self.skip_ws();
            let frame = Frame { parent: at, step: Step::Index(items.len()) };
            items.push(self.value(Some(&frame), depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Json::Arr(items));
                }
                Some(_) => return Err(self.error("expected `,` or `]`")),
                None => return Err(self.error("EOF while parsing a list")),
            }
        }
    }

    fn object(&mut self, at: Option<&Frame>, depth: usize) -> Result<Json, SyntaxError> {
        self.pos += 1;
        let mut pairs: Vec<(Box<str>, Json)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(Json::Obj(Obj::new()));
        }
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'"') => {}
                Some(_) => return Err(self.error("key must be a string")),
                None => return Err(self.error("EOF while parsing an object")),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.peek() {
                Some(b':') => self.pos += 1,
                Some(_) => return Err(self.error("expected `:`")),
                None => return Err(self.error("EOF while parsing an object")),
            }
            self.skip_ws();
            let frame = Frame { parent: at, step: Step::Key(&key) };
            let value = self.value(Some(&frame), depth)?;
            pairs.push((key.into_boxed_str(), value));
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    // Linear in the number of keys however wide the object
                    // (`Obj::from_pairs`); a repeated key is reported.
                    let duplicates = &mut self.duplicates;
                    let obj = Obj::from_pairs_noting(pairs, &mut |key| {
                        let mut path = path_of(at);
                        path.push_key(key);
                        duplicates.push(path);
                    });
                    return Ok(Json::Obj(obj));
                }
                Some(_) => return Err(self.error("expected `,` or `}`")),
                None => return Err(self.error("EOF while parsing an object")),
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<Json, SyntaxError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.error("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
        }
        let text = self.text.get(start..self.pos).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
        match crate::platform::parse_decimal(text) {
            n if n.is_finite() => Ok(Json::Num(n)),
            _ => Err(self.error("number out of range")),
        }
    }

    fn hex4(&mut self) -> Result<u32, SyntaxError> {
        let mut n = 0;
        for _ in 0..4 {
            let digit = match self.peek() {
                Some(b @ b'0'..=b'9') => b - b'0',
                Some(b @ b'a'..=b'f') => b - b'a' + 10,
                Some(b @ b'A'..=b'F') => b - b'A' + 10,
                Some(_) => return Err(self.error("invalid escape")),
                None => return Err(self.error("EOF while parsing a string")),
            };
            n = n * 16 + u32::from(digit);
            self.pos += 1;
        }
        Ok(n)
    }

    fn string(&mut self) -> Result<String, SyntaxError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            // The run of plain characters up to the next quote, backslash
            // or control character is copied at once.
            let start = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            if let Some(run) = self.text.get(start..self.pos) {
                // The input is a &str and the run stops at ASCII bytes:
                // it is whole UTF-8.
                out.push_str(std::str::from_utf8(run).unwrap_or_default());
            }
            match self.peek() {
                None => return Err(self.error("EOF while parsing a string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let escaped = match self.peek() {
                        None => return Err(self.error("EOF while parsing a string")),
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            self.pos += 1;
                            out.push(self.unicode_escape()?);
                            continue;
                        }
                        Some(_) => return Err(self.error("invalid escape")),
                    };
                    self.pos += 1;
                    out.push(escaped);
                }
                Some(_) => return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string")),
            }
        }
    }

    /// The character of a `\uXXXX` escape (after `\u`), joining a
    /// surrogate pair. A lone surrogate cannot be held by a Rust string:
    /// it is refused.
    fn unicode_escape(&mut self) -> Result<char, SyntaxError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.text.get(self.pos..self.pos + 2) != Some(b"\\u") {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.error("lone leading surrogate in hex escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => return Err(self.error("lone trailing surrogate in hex escape")),
            n => n,
        };
        char::from_u32(code).ok_or_else(|| self.error("invalid escape"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> Json {
        read(text).unwrap().value
    }

    #[test]
    fn reads_every_kind_of_value() {
        let doc =
            value(r#" {"a": [1, -2.5e3, 0, "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00", null, true, false], "b": {}} "#);
        assert_eq!(doc.to_json_string(), r#"{"a":[1,-2500,0,"x\"\\/\u0008\u000c\n\r\té😀",null,true,false],"b":{}}"#);
    }

    #[test]
    fn reads_numbers_exactly() {
        for text in ["0.1", "1e-7", "123456789012345678901234567890", "2.2250738585072014e-308", "-0", "5e-324"] {
            assert_eq!(value(text), Json::Num(text.parse().unwrap()), "{text}");
        }
    }

    #[test]
    fn reports_duplicate_keys_with_their_paths() {
        let doc = read(r#"{"signals": {"a": 1, "b": 2, "a": 3}, "list": [{"x": 1, "x": 2}], "signals": {}}"#).unwrap();
        let paths: Vec<String> = doc.duplicates.iter().map(|p| p.to_string()).collect();
        assert_eq!(paths, ["signals.a", "list[0].x", "signals"]);
        // The last wins, at the first one's place, as in JSON.parse.
        assert_eq!(doc.value.to_json_string(), r#"{"signals":{},"list":[{"x":2}]}"#);
    }

    #[test]
    fn refuses_what_is_not_json() {
        for (text, what) in [
            ("", "EOF while parsing a value"),
            ("{\"a\": 1", "EOF while parsing an object"),
            ("[1, 2", "EOF while parsing a list"),
            ("\"abc", "EOF while parsing a string"),
            ("{a: 1}", "key must be a string"),
            ("[1 2]", "expected `,` or `]`"),
            ("{\"a\" 1}", "expected `:`"),
            ("01", "trailing characters"),
            ("1.", "invalid number"),
            ("-", "invalid number"),
            ("1e", "invalid number"),
            ("1e999", "number out of range"),
            ("nul", "EOF while parsing a value"),
            ("nulx", "expected value"),
            ("\"\\x\"", "invalid escape"),
            ("\"\\ud800\"", "lone leading surrogate in hex escape"),
            ("\"\\udc00\"", "lone trailing surrogate in hex escape"),
            ("\"a\nb\"", "control character (\\u0000-\\u001F) found while parsing a string"),
            ("[1] x", "trailing characters"),
            ("NaN", "expected value"),
        ] {
            assert_eq!(read(text).map_err(|e| e.what), Err(what), "{text:?}");
        }
    }

    #[test]
    fn says_where() {
        let e = read("{\n  \"é\": [1,\n  2,, 3]}").unwrap_err();
        assert_eq!((e.line, e.column), (3, 5));
        assert_eq!(e.to_string(), "expected value at line 3 column 5");
    }

    #[test]
    fn refuses_deep_nesting_without_recursing_further() {
        let ok = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
        assert!(read(&ok).is_ok());
        let deep = "[".repeat(MAX_DEPTH + 1) + &"]".repeat(MAX_DEPTH + 1);
        assert_eq!(read(&deep).unwrap_err().what, "nested too deeply");
        let very_deep = "[".repeat(1_000_000);
        assert_eq!(read(&very_deep).unwrap_err().what, "nested too deeply");
    }
}
