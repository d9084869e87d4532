//! Writing JSON text without building a tree first: the one way every
//! output (decisions, reasons, evaluations, notices, problems) is written,
//! natively and in wasm.

use super::{write_number, Json};

/// Writes one JSON object, field by field, into `out`.
pub struct ObjectWriter<'o> {
    out: &'o mut String,
    first: bool,
}

impl<'o> ObjectWriter<'o> {
    pub fn new(out: &'o mut String) -> Self {
        out.push('{');
        ObjectWriter { out, first: true }
    }

    /// Starts a field: the key, then the caller writes the value into the
    /// returned text. Natively inlined: most keys are constants, whose
    /// escape test and copy then fold to a few stores.
    #[cfg_attr(feature = "text", inline(always))]
    pub fn key(&mut self, key: &str) -> &mut String {
        // Natively, a key with nothing to escape (all of them, in practice)
        // is written in one piece: `,"key":`.
        #[cfg(feature = "text")]
        if super::is_plain(key.as_bytes()) {
            self.out.reserve(key.len() + 4);
            if !self.first {
                self.out.push(',');
            }
            self.first = false;
            self.out.push('"');
            self.out.push_str(key);
            self.out.push('"');
            self.out.push(':');
            return self.out;
        }
        if !self.first {
            self.out.push(',');
        }
        self.first = false;
        Json::write_str(key, self.out);
        self.out.push(':');
        self.out
    }

    // The field writers below are inlined natively as `key` is, so that a
    // constant key folds in each (the wasm build keeps one copy of each).
    #[cfg_attr(feature = "text", inline(always))]
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        Json::write_str(value, self.key(key));
        self
    }

    /// A string, or `null`.
    #[cfg_attr(feature = "text", inline(always))]
    pub fn opt_str(&mut self, key: &str, value: Option<&str>) -> &mut Self {
        match value {
            Some(v) => Json::write_str(v, self.key(key)),
            None => self.key(key).push_str("null"),
        }
        self
    }

    #[cfg_attr(feature = "text", inline(always))]
    pub fn num(&mut self, key: &str, value: f64) -> &mut Self {
        write_number(value, self.key(key));
        self
    }

    /// A number, or `null`.
    #[cfg_attr(feature = "text", inline(always))]
    pub fn opt_num(&mut self, key: &str, value: Option<f64>) -> &mut Self {
        match value {
            Some(v) => write_number(v, self.key(key)),
            None => self.key(key).push_str("null"),
        }
        self
    }

    #[cfg_attr(feature = "text", inline(always))]
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key).push_str(if value { "true" } else { "false" });
        self
    }

    #[cfg_attr(feature = "text", inline(always))]
    pub fn json(&mut self, key: &str, value: &Json) -> &mut Self {
        value.write_to(self.key(key));
        self
    }

    /// An array of strings.
    pub fn strs<'s>(&mut self, key: &str, values: impl IntoIterator<Item = &'s str>) -> &mut Self {
        let out = self.key(key);
        out.push('[');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            Json::write_str(v, out);
        }
        out.push(']');
        self
    }

    /// An array written item by item by `write`.
    pub fn list<T>(&mut self, key: &str, items: &[T], mut write: impl FnMut(&T, &mut String)) -> &mut Self {
        let out = self.key(key);
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write(item, out);
        }
        out.push(']');
        self
    }

    /// Ends the object.
    pub fn end(self) {
        self.out.push('}');
    }
}

/// Writes a list of values, each by `write`, as a JSON array.
pub fn write_list<T>(items: &[T], out: &mut String, mut write: impl FnMut(&T, &mut String)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out);
    }
    out.push(']');
}
