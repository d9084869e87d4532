//! The document conditions see: `{signals, attributes, entitlements,
//! segments, stage}` (or an event's props, for a signal's `where`).
//!
//! Paths are resolved once, when the config is compiled: `signals.<id>`
//! becomes the signal's index, so evaluating never looks up a name.

use crate::condition::{walk, Doc, PathRef, PathResolver, Value};
use crate::json::{Json, Obj};
use crate::problem::ErrorCode;

/// The roots a condition path can start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    Attributes,
    Entitlements,
    Segments,
    Stage,
    /// An event's props (inside a signal's `where`).
    Props,
    Signal(u16),
}

const SIGNAL_BASE: u32 = 16;

impl Root {
    pub fn encode(self) -> u32 {
        match self {
            Root::Attributes => 0,
            Root::Entitlements => 1,
            Root::Segments => 2,
            Root::Stage => 3,
            Root::Props => 4,
            Root::Signal(i) => SIGNAL_BASE + i as u32,
        }
    }

    pub fn decode(code: u32) -> Option<Root> {
        Some(match code {
            0 => Root::Attributes,
            1 => Root::Entitlements,
            2 => Root::Segments,
            3 => Root::Stage,
            4 => Root::Props,
            n if n >= SIGNAL_BASE => Root::Signal(u16::try_from(n - SIGNAL_BASE).ok()?),
            _ => return None,
        })
    }
}

fn path_ref(root: Root, rest: &[&str], text: &str) -> PathRef {
    PathRef { root: root.encode(), rest: rest.iter().map(|s| Box::<str>::from(*s)).collect(), text: text.into() }
}

/// Resolves paths of segment, stage and experience conditions (and ratio
/// operands and experiment hash attributes) against the config's signals.
pub struct DocResolver<'a> {
    pub signal_ids: &'a [&'a str],
}

impl PathResolver for DocResolver<'_> {
    fn resolve(&self, path: &str) -> Result<PathRef, (ErrorCode, String)> {
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["signals", id] => match self.signal_ids.iter().position(|s| s == id) {
                Some(i) => Ok(path_ref(Root::Signal(i as u16), &[], path)),
                None => Err((ErrorCode::UndefinedSignal, format!("no signal \"{id}\" is defined"))),
            },
            ["signals", ..] => Err((ErrorCode::UndefinedSignal, format!("\"{path}\": a signal is read as signals.<id>"))),
            ["attributes", rest @ ..] => Ok(path_ref(Root::Attributes, rest, path)),
            ["entitlements", rest @ ..] => Ok(path_ref(Root::Entitlements, rest, path)),
            ["segments"] => Ok(path_ref(Root::Segments, &[], path)),
            ["stage"] => Ok(path_ref(Root::Stage, &[], path)),
            ["segments" | "stage", ..] => Err((
                ErrorCode::UnknownPathRoot,
                format!("\"{path}\": segments and stage are read whole (\"segments\", \"stage\")"),
            )),
            _ => Err((
                ErrorCode::UnknownPathRoot,
                format!("\"{path}\" reads nothing: paths start with signals., attributes., entitlements., segments or stage"),
            )),
        }
    }
}

/// Resolves paths of a signal's `where`: every path reads the event's props.
pub struct PropsResolver;

impl PathResolver for PropsResolver {
    fn resolve(&self, path: &str) -> Result<PathRef, (ErrorCode, String)> {
        let parts: Vec<&str> = path.split('.').collect();
        Ok(path_ref(Root::Props, &parts, path))
    }
}

/// A user's document at one moment.
#[derive(Clone, Copy)]
pub struct EvalDoc<'a> {
    pub signals: &'a [Option<f64>],
    pub attributes: &'a Json,
    pub entitlements: &'a Json,
    /// An array of the segment ids that hold.
    pub segments: &'a Json,
    /// The stage id, or null.
    pub stage: &'a Json,
}

impl Doc for EvalDoc<'_> {
    fn get(&self, path: &PathRef) -> Value<'_> {
        match Root::decode(path.root) {
            Some(Root::Signal(i)) => match self.signals.get(i as usize) {
                Some(Some(n)) => Value::Num(*n),
                Some(None) => Value::Null,
                None => Value::Missing,
            },
            Some(Root::Attributes) => walk(self.attributes.into(), &path.rest),
            Some(Root::Entitlements) => walk(self.entitlements.into(), &path.rest),
            Some(Root::Segments) => Value::from(self.segments),
            Some(Root::Stage) => Value::from(self.stage),
            Some(Root::Props) | None => Value::Missing,
        }
    }
}

/// An event's props, for a signal's `where`.
pub struct PropsDoc<'a>(pub &'a Obj);

impl Doc for PropsDoc<'_> {
    fn get(&self, path: &PathRef) -> Value<'_> {
        match path.rest.split_first() {
            Some((first, rest)) => match self.0.get(first) {
                Some(v) => walk(v.into(), rest),
                None => Value::Missing,
            },
            None => Value::Missing,
        }
    }
}

/// A number read at a path, for `ratio` operands: anything but a finite
/// number is no value.
pub fn number_at(doc: &EvalDoc, path: &PathRef) -> Option<f64> {
    match doc.get(path) {
        Value::Num(n) if n.is_finite() => Some(n),
        _ => None,
    }
}

/// A set of the document's inputs: what a condition reads, or what
/// changed between two evaluations. A condition whose inputs did not
/// change gives the same result (evaluating is a pure function of the
/// values its paths read), so the engine keeps that result instead of
/// evaluating it again at every step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Inputs {
    /// Signals by index, the first 128.
    pub signals: u128,
    /// Any signal of index 128 or more.
    pub later_signals: bool,
    /// `attributes` or `entitlements`.
    pub identity: bool,
    pub segments: bool,
    pub stage: bool,
}

impl Inputs {
    /// Every input: what a condition never evaluated yet must assume.
    pub const ALL: Inputs =
        Inputs { signals: u128::MAX, later_signals: true, identity: true, segments: true, stage: true };

    /// What `condition` reads (the roots of its paths; paths inside
    /// `$elemMatch` are relative to a value read by one of them).
    pub fn read_by(condition: &crate::condition::Condition) -> Inputs {
        let mut reads = Inputs::default();
        for field in condition.fields() {
            match Root::decode(field.path.root) {
                Some(Root::Signal(i)) if i < 128 => reads.signals |= 1u128 << i,
                Some(Root::Signal(_)) => reads.later_signals = true,
                Some(Root::Attributes | Root::Entitlements) => reads.identity = true,
                Some(Root::Segments) => reads.segments = true,
                Some(Root::Stage) => reads.stage = true,
                // Props read nothing of this document (always missing).
                Some(Root::Props) => {}
                None => return Inputs::ALL,
            }
        }
        reads
    }

    /// The signals whose values differ (bit for bit) between `before` and
    /// `after`; all of them when the lists differ in length.
    pub fn signals_changed(before: &[Option<f64>], after: &[Option<f64>]) -> Inputs {
        if before.len() != after.len() {
            return Inputs { signals: u128::MAX, later_signals: true, ..Inputs::default() };
        }
        let mut changed = Inputs::default();
        for (i, (a, b)) in before.iter().zip(after).enumerate() {
            if a.map(f64::to_bits) != b.map(f64::to_bits) {
                if i < 128 {
                    changed.signals |= 1u128 << i;
                } else {
                    changed.later_signals = true;
                }
            }
        }
        changed
    }

    /// Whether the two sets share an input.
    pub fn meets(&self, other: &Inputs) -> bool {
        self.signals & other.signals != 0
            || (self.later_signals && other.later_signals)
            || (self.identity && other.identity)
            || (self.segments && other.segments)
            || (self.stage && other.stage)
    }
}
