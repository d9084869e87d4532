//! Validation problems: every problem of a config at once, each with the
//! JSON path it concerns and a stable code.

pub use crate::code::ErrorCode;
use std::fmt;

/// A location inside a JSON document, written the way JavaScript would
/// reach it: `experiences[2].when["signals.features_30d"].$lt`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsonPath(Vec<Seg>);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Seg {
    Key(Box<str>),
    Index(usize),
}

impl JsonPath {
    pub fn root() -> Self {
        JsonPath(Vec::new())
    }

    /// This path extended by an object key.
    pub fn key(&self, key: &str) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Seg::Key(key.into()));
        p
    }

    /// This path extended by an array index.
    pub fn index(&self, i: usize) -> JsonPath {
        let mut p = self.clone();
        p.0.push(Seg::Index(i));
        p
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

fn is_identifier(key: &str) -> bool {
    let mut chars = key.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("$");
        }
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) if is_identifier(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(k)?;
                }
                Seg::Key(k) => write!(f, "[{}]", crate::json::Json::Str(k.clone()))?,
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub code: ErrorCode,
    pub path: JsonPath,
    pub message: String,
}

impl Problem {
    pub fn new(code: ErrorCode, path: &JsonPath, message: impl Into<String>) -> Self {
        Problem { code, path: path.clone(), message: message.into() }
    }

    pub fn severity(&self) -> Severity {
        if self.code.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity() == Severity::Error
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity() {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{level}[{}] at {}: {}", self.code, self.path, self.message)
    }
}

/// Collects problems while a config is read; validation never stops at
/// the first.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>, Budgets);

/// What the parts of one config may use between them, spent as it compiles.
#[derive(Debug, Default)]
struct Budgets {
    /// Compiled bytes of `$regex` patterns so far.
    regex_bytes: usize,
}

impl Problems {
    pub fn new() -> Self {
        Problems(Vec::new(), Budgets::default())
    }

    /// Spends `bytes` of the config's regex budget; false (nothing spent)
    /// when they do not fit.
    pub(crate) fn spend_regex_bytes(&mut self, bytes: usize) -> bool {
        let total = self.1.regex_bytes.saturating_add(bytes);
        if total > crate::condition::regex::MAX_REGEX_TOTAL {
            return false;
        }
        self.1.regex_bytes = total;
        true
    }

    pub fn push(&mut self, code: ErrorCode, path: &JsonPath, message: impl Into<String>) {
        self.0.push(Problem::new(code, path, message));
    }

    pub fn add(&mut self, p: Problem) {
        self.0.push(p);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Problem::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|p| p.is_error()).count()
    }

    pub fn as_slice(&self) -> &[Problem] {
        &self.0
    }

    pub fn into_vec(self) -> Vec<Problem> {
        self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_javascript() {
        let p = JsonPath::root().key("experiences").index(2).key("when").key("signals.features_30d").key("$lt");
        assert_eq!(p.to_string(), r#"experiences[2].when["signals.features_30d"].$lt"#);
        assert_eq!(JsonPath::root().to_string(), "$");
    }
}
