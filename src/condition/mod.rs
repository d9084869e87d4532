//! The GrowthBook-conformant condition language (SDK spec 0.7.1).
//!
//! Conditions are compiled once: paths are resolved to where they point
//! (by a [`PathResolver`] the caller supplies), regexes are compiled,
//! saved groups are looked up. Evaluating walks the compiled tree against
//! a [`Doc`] and does no parsing.
//!
//! The semantics are those of the GrowthBook JavaScript SDK's
//! `evalCondition`, including its JavaScript coercions (see `coerce.rs`).
//! A missing path reads as `null`, as the SDK's `getPath` returns `null`.

mod coerce;
mod compile;
mod eval;
mod explain;
mod plain;
pub(crate) mod regex;
pub(crate) mod tree;
mod version;

#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod tests;

use crate::json::{Json, Obj};
use crate::problem::{ErrorCode, JsonPath, Problems};

pub use explain::{Clause, ClauseGroup, ClauseNode, Explanation};
pub use plain::{walk, PlainDoc, PlainResolver};

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
    fn resolve(&self, path: &str) -> Result<PathRef, (ErrorCode, String)>;
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

impl Value<'_> {
    /// The value as JSON; `Missing` becomes `null`.
    pub fn to_json(&self) -> Json {
        match *self {
            Value::Missing | Value::Null => Json::Null,
            Value::Bool(b) => Json::Bool(b),
            Value::Num(n) => Json::Num(n),
            Value::Str(s) => Json::str(s),
            Value::Arr(a) => Json::Arr(a.to_vec()),
            Value::Obj(o) => Json::Obj(o.clone()),
        }
    }
}

/// The document a condition is evaluated against.
pub trait Doc {
    fn get(&self, path: &PathRef) -> Value<'_>;
}

/// A compiled condition.
#[derive(Clone, Debug, Default)]
pub struct Condition {
    pub(crate) root: tree::Cond,
}

/// One field test of a condition, as written: for checks that look at
/// what a condition tests (dependencies between segments, warnings about
/// `null`) without evaluating it.
#[derive(Clone, Copy, Debug)]
pub struct FieldView<'a> {
    pub path: &'a PathRef,
    /// The field's value as written: a literal (implicit equality) or an
    /// operator object.
    pub test: &'a Json,
}

impl Condition {
    /// Compiles `json` (found at `at`). Every problem is pushed to
    /// `problems`; the result is still usable (invalid parts evaluate to
    /// false, as the GrowthBook vectors require).
    pub fn compile(json: &Json, at: &JsonPath, env: &CompileEnv, problems: &mut Problems) -> Condition {
        Condition { root: compile::compile_root(json, at, env, problems) }
    }

    /// `{}`: holds for every document.
    pub fn is_empty(&self) -> bool {
        self.root.entries.is_empty()
    }

    /// Whether the condition holds for `doc`.
    pub fn eval<D: Doc + ?Sized>(&self, doc: &D) -> bool {
        eval::eval_cond(&self.root, &eval::DocScope(doc))
    }

    /// Evaluates every clause (no short-circuit) and reports each with
    /// the value it saw, so a reason is complete.
    pub fn explain<D: Doc + ?Sized>(&self, doc: &D) -> Explanation {
        explain::explain_root(&self.root, &eval::DocScope(doc))
    }

    /// Every document field the condition tests, including those inside
    /// `$and`, `$or`, `$nor` and `$not` (but not the paths inside
    /// `$elemMatch`, which are relative to an array element). Fields whose
    /// path did not resolve are left out.
    pub fn fields(&self) -> Vec<FieldView<'_>> {
        let mut out = Vec::new();
        self.root.collect_fields(&mut out);
        out
    }

    /// Every document field of [`Condition::fields`], each with the
    /// numbers its test compares a value with when a number or null value
    /// affects the test only through its order against them, its
    /// null-ness and NaN-ness; None when the test may depend on more.
    pub fn field_thresholds(&self) -> Vec<(&PathRef, Option<Vec<f64>>)> {
        let mut out = Vec::new();
        self.root.collect_thresholds(&mut out);
        out
    }
}
