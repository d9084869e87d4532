//! Validation problems: every problem of a config at once, each with the
//! JSON path it concerns and a stable code.

pub use crate::code::ErrorCode;
pub use crate::json::JsonPath;
use std::fmt;

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

impl Problem {
    /// `{severity, code, path, message}` as JSON text (`validateConfig`,
    /// `err.problems`, `onstage validate --json`).
    pub fn write_json(&self, out: &mut String) {
        let mut o = crate::json::ObjectWriter::new(out);
        o.str("severity", if self.is_error() { "error" } else { "warning" }).str("code", self.code.as_str());
        o.str("path", &self.path.to_string()).str("message", &self.message);
        o.end();
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
        if total > crate::limits::MAX_REGEX_TOTAL {
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
