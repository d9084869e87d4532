//! The GrowthBook-conformant condition language (SDK spec 0.7.1).
//!
//! Conditions are compiled once: paths are resolved to where they point
//! (by a [`PathResolver`] the caller supplies), regexes are compiled,
//! saved groups are looked up. Evaluating walks the compiled tree against
//! a [`Doc`] and does no parsing.

use crate::json::{Json, Obj};
use crate::problem::{Code, JsonPath, Problems};

/// Where a top-level condition path points, decided at compile time.
/// `root` is opaque to this module: the resolver chooses it and the
/// [`Doc`] interprets it. `rest` are the remaining dotted parts, walked
/// through JSON objects at evaluation time.
#[derive(Clone, Debug, PartialEq)]
pub struct PathRef {
    pub root: u32,
    pub rest: Box<[Box<str>]>,
    /// The path as written, for reasons.
    pub text: Box<str>,
}

/// Resolves a path found as a key of a condition object.
pub trait PathResolver {
    fn resolve(&self, path: &str) -> Result<PathRef, (Code, String)>;
}

/// What a condition is compiled against.
pub struct CompileEnv<'a> {
    pub resolver: &'a dyn PathResolver,
    /// `saved_groups` of the config: group id -> array of values.
    pub saved_groups: &'a Obj,
}

/// A value looked up in the evaluated document.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    Missing,
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
    Arr(&'a [Json]),
    Obj(&'a Obj),
}

impl<'a> From<&'a Json> for Value<'a> {
    fn from(j: &'a Json) -> Self {
        match j {
            Json::Null => Value::Null,
            Json::Bool(b) => Value::Bool(*b),
            Json::Num(n) => Value::Num(*n),
            Json::Str(s) => Value::Str(s),
            Json::Arr(a) => Value::Arr(a),
            Json::Obj(o) => Value::Obj(o),
        }
    }
}

/// The document a condition is evaluated against.
pub trait Doc {
    fn get(&self, path: &PathRef) -> Value<'_>;
}

/// A compiled condition.
#[derive(Clone, Debug)]
pub struct Condition {}

impl Condition {
    /// Compiles `json` (found at `at`). Every problem is pushed to
    /// `problems`; the result is still usable (invalid parts evaluate to
    /// false, as the GrowthBook vectors require).
    pub fn compile(_json: &Json, _at: &JsonPath, _env: &CompileEnv, _problems: &mut Problems) -> Condition {
        Condition {}
    }

    /// `{}`: holds for every document.
    pub fn is_empty(&self) -> bool {
        true
    }

    pub fn eval<D: Doc + ?Sized>(&self, _doc: &D) -> bool {
        true
    }
}
