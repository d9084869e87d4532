//! Validation problems: every problem of a config at once, each with the
//! JSON path it concerns and a stable code.

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

/// Stable problem codes. Their string forms (`as_str`) are a public
/// contract: hosts and CI scripts match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Code {
    // --- document shape
    /// Not JSON, or JSON nested too deep.
    InvalidJson,
    /// A value of the wrong JSON type.
    WrongType,
    /// A required field is absent.
    MissingField,
    /// A field the format does not define.
    UnknownField,
    /// `version` is not 1.
    UnsupportedVersion,
    /// A string that must be an identifier is empty or malformed.
    BadId,
    /// Two things of one kind share an id.
    DuplicateId,
    /// A key appears twice in one JSON object (two signals with one id):
    /// the last one would silently win.
    DuplicateKey,
    /// A limit of the format was exceeded (size, count, depth).
    LimitExceeded,
    // --- values
    /// A duration that is not `<integer><m|h|d|w>`, or is zero.
    BadDuration,
    /// A number out of its allowed range.
    OutOfRange,
    // --- signals
    /// A signal object that is none of the known forms.
    UnknownSignalForm,
    /// An event selector that is not a name, a list of names or `"*"`.
    BadEventSelector,
    /// A field that the signal's form does not allow (e.g. `window` on `ratio`).
    FieldNotAllowed,
    /// `ratio` signals that read each other in a cycle.
    RatioCycle,
    // --- references
    UndefinedSignal,
    UndefinedSegment,
    UndefinedStage,
    UndefinedSavedGroup,
    /// A condition path whose root is none of signals, attributes,
    /// entitlements, segments, stage.
    UnknownPathRoot,
    /// Segments that depend on each other in a cycle.
    SegmentCycle,
    /// A segment condition that tests `segments` without naming any segment.
    SegmentsWithoutIds,
    // --- conditions
    UnknownOperator,
    /// An operator given an operand it cannot use (e.g. `$in` with a non-array).
    BadOperand,
    InvalidRegex,
    /// `__proto__`, `constructor` or `prototype` as a key of `content`.
    ReservedKey,
    // --- experiences
    /// An experiment's weights do not sum to 1 (±0.01), or do not match the variations.
    BadWeights,
    /// A checklist without items.
    EmptyChecklist,
    /// A tour without steps.
    EmptyTour,
    // --- warnings
    /// An order comparison that holds for `null` on a signal that can be null.
    NullComparison,
    /// The last stage is not the catch-all `{}`.
    NoCatchAllStage,
    /// A stage placed after a catch-all stage can never be entered.
    UnreachableStage,
    /// An experience whose `when` requires stages no user can hold.
    UnreachableExperience,
    /// A checklist item's or tour step's `done` that can never hold.
    DoneNeverHolds,
    /// A tour step's `done` that always holds (`{}`): the step is never shown.
    DoneAlwaysHolds,
}

impl Code {
    pub fn as_str(self) -> &'static str {
        match self {
            Code::InvalidJson => "invalid_json",
            Code::WrongType => "wrong_type",
            Code::MissingField => "missing_field",
            Code::UnknownField => "unknown_field",
            Code::UnsupportedVersion => "unsupported_version",
            Code::BadId => "bad_id",
            Code::DuplicateId => "duplicate_id",
            Code::DuplicateKey => "duplicate_key",
            Code::LimitExceeded => "limit_exceeded",
            Code::BadDuration => "bad_duration",
            Code::OutOfRange => "out_of_range",
            Code::UnknownSignalForm => "unknown_signal_form",
            Code::BadEventSelector => "bad_event_selector",
            Code::FieldNotAllowed => "field_not_allowed",
            Code::RatioCycle => "ratio_cycle",
            Code::UndefinedSignal => "undefined_signal",
            Code::UndefinedSegment => "undefined_segment",
            Code::UndefinedStage => "undefined_stage",
            Code::UndefinedSavedGroup => "undefined_saved_group",
            Code::UnknownPathRoot => "unknown_path_root",
            Code::SegmentCycle => "segment_cycle",
            Code::SegmentsWithoutIds => "segments_without_ids",
            Code::UnknownOperator => "unknown_operator",
            Code::BadOperand => "bad_operand",
            Code::InvalidRegex => "invalid_regex",
            Code::ReservedKey => "reserved_key",
            Code::BadWeights => "bad_weights",
            Code::EmptyChecklist => "empty_checklist",
            Code::EmptyTour => "empty_tour",
            Code::NullComparison => "null_comparison",
            Code::NoCatchAllStage => "no_catch_all_stage",
            Code::UnreachableStage => "unreachable_stage",
            Code::UnreachableExperience => "unreachable_experience",
            Code::DoneNeverHolds => "done_never_holds",
            Code::DoneAlwaysHolds => "done_always_holds",
        }
    }

    pub fn severity(self) -> Severity {
        match self {
            Code::NullComparison
            | Code::NoCatchAllStage
            | Code::UnreachableStage
            | Code::UnreachableExperience
            | Code::DoneNeverHolds
            | Code::DoneAlwaysHolds => Severity::Warning,
            _ => Severity::Error,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub code: Code,
    pub path: JsonPath,
    pub message: String,
}

impl Problem {
    pub fn new(code: Code, path: &JsonPath, message: impl Into<String>) -> Self {
        Problem { code, path: path.clone(), message: message.into() }
    }

    pub fn severity(&self) -> Severity {
        self.code.severity()
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

    pub fn push(&mut self, code: Code, path: &JsonPath, message: impl Into<String>) {
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
