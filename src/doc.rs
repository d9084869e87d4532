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
    let mut parts = Vec::with_capacity(rest.len());
    for s in rest {
        parts.push(Box::<str>::from(*s));
    }
    PathRef { root: root.encode(), rest: parts.into_boxed_slice(), text: text.into() }
}

/// `path.split('.')` collected, by bytes: core's char searcher and
/// `Split` stay off the config's path.
fn split_dots(path: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(i) = rest.bytes().position(|b| b == b'.') {
        parts.push(rest.get(..i).unwrap_or(""));
        rest = rest.get(i + 1..).unwrap_or("");
    }
    parts.push(rest);
    parts
}

/// Resolves paths of segment, stage and experience conditions (and ratio
/// operands and experiment hash attributes) against the config's signals.
pub struct DocResolver<'a> {
    pub signal_ids: &'a [&'a str],
}

impl PathResolver for DocResolver<'_> {
    fn resolve(&self, path: &str) -> Result<PathRef, (ErrorCode, String)> {
        let parts = split_dots(path);
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
        let parts = split_dots(path);
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

    /// Every signal, and nothing else.
    pub const ALL_SIGNALS: Inputs =
        Inputs { signals: u128::MAX, later_signals: true, identity: false, segments: false, stage: false };

    /// Adds signal `i`.
    pub fn add_signal(&mut self, i: usize) {
        if i < 128 {
            self.signals |= 1u128 << i;
        } else {
            self.later_signals = true;
        }
    }

    /// The inputs of either set.
    #[cfg(feature = "text")]
    pub fn union(self, other: Inputs) -> Inputs {
        Inputs {
            signals: self.signals | other.signals,
            later_signals: self.later_signals || other.later_signals,
            identity: self.identity || other.identity,
            segments: self.segments || other.segments,
            stage: self.stage || other.stage,
        }
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

/// Per signal, the numbers that the segment and stage conditions compare
/// it with, when every test of it in them depends on a value only through
/// its order against those numbers, its null-ness and its NaN-ness (the
/// comparisons, equalities, `$in`, `$exists`: see
/// `ValueTest::thresholds`). Two values of such a signal on the same side
/// of each number give every such condition the same result, so a change
/// between them is no change of input (`Inputs`): `days_since_*` changes
/// at every millisecond, but a condition reading it is evaluated again
/// only when it crosses a number the config compares it with. A signal
/// with any other test is compared bit for bit.
#[derive(Debug, Default)]
pub struct SignalThresholds(Vec<Option<Box<[f64]>>>);

impl SignalThresholds {
    #[cfg(feature = "text")]
    pub fn new<'c>(signals: usize, conditions: impl IntoIterator<Item = &'c crate::condition::Condition>) -> Self {
        let mut per: Vec<Option<Vec<f64>>> = vec![Some(Vec::new()); signals];
        for condition in conditions {
            for (path, numbers) in condition.field_thresholds() {
                let Some(Root::Signal(i)) = Root::decode(path.root) else { continue };
                let Some(slot) = per.get_mut(usize::from(i)) else { continue };
                match (slot.as_mut(), numbers) {
                    (Some(all), Some(numbers)) => all.extend(numbers.into_iter().filter(|n| !n.is_nan())),
                    _ => *slot = None,
                }
            }
        }
        SignalThresholds(
            per.into_iter()
                .map(|numbers| {
                    numbers.map(|mut n| {
                        crate::collections::heap_sort_by(&mut n, |a, b| a.total_cmp(b).is_lt());
                        n.dedup_by(|a, b| a == b);
                        n.into_boxed_slice()
                    })
                })
                .collect(),
        )
    }

    /// Whether `a` and `b`, values of signal `i`, give every segment and
    /// stage condition the same result.
    pub fn same(&self, i: usize, a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (None, None) => true,
            (Some(x), Some(y)) if x.to_bits() == y.to_bits() => true,
            (Some(x), Some(y)) => match self.0.get(i) {
                Some(Some(numbers)) => {
                    x.is_nan() == y.is_nan() && numbers.iter().all(|t| x.partial_cmp(t) == y.partial_cmp(t))
                }
                _ => false,
            },
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::{CompileEnv, Condition};
    use crate::problem::{JsonPath, Problems};

    #[test]
    fn splits_at_dots_as_str_split() {
        for path in ["", ".", "a", "a.b", "signals.x", "a..b", ".a.", "attributes.é.ü", "a.b.c.d.e"] {
            assert_eq!(split_dots(path), path.split('.').collect::<Vec<_>>(), "{path:?}");
        }
    }

    /// Two values that `SignalThresholds` calls the same give every
    /// condition the same result; a test it cannot reason about makes the
    /// signal compared bit for bit.
    #[test]
    fn values_on_the_same_side_of_every_threshold_give_the_same_result() {
        let conditions = [
            r#"{"signals.x": {"$gte": 3}}"#,
            r#"{"signals.x": {"$lt": 0.5, "$ne": null}}"#,
            r#"{"signals.x": 2}"#,
            r#"{"signals.x": "7"}"#,
            r#"{"signals.x": true}"#,
            r#"{"signals.x": null}"#,
            r#"{"signals.x": {"$in": [1, "a", null]}}"#,
            r#"{"signals.x": {"$nin": [4]}}"#,
            r#"{"signals.x": {"$not": {"$gt": "10"}}}"#,
            r#"{"signals.x": {"$exists": true}}"#,
            r#"{"signals.x": {"$type": "number"}}"#,
            r#"{"signals.x": {"$eq": 5}, "signals.y": {"$gt": 1}}"#,
            r#"{"$or": [{"signals.x": {"$lte": -1}}, {"signals.x": {"$size": 0}}]}"#,
        ];
        let ids = ["x", "y"];
        let resolver = DocResolver { signal_ids: &ids };
        let groups = crate::json::Obj::new();
        let env = CompileEnv { resolver: &resolver, saved_groups: &groups };
        let mut problems = Problems::new();
        let compiled: Vec<Condition> = conditions
            .iter()
            .map(|c| Condition::compile(&crate::json::parse(c).unwrap(), &JsonPath::root(), &env, &mut problems))
            .collect();
        let classes = SignalThresholds::new(2, &compiled);
        let mut values = vec![None, Some(f64::NAN), Some(f64::INFINITY), Some(f64::NEG_INFINITY), Some(-0.0)];
        for t in [-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 20.0] {
            values.extend([Some(t), Some(t - 0.25), Some(t + 0.25), Some(t + 1e-9)]);
        }
        let eval = |c: &Condition, x: Option<f64>| {
            let signals = [x, Some(2.0)];
            c.eval(&EvalDoc {
                signals: &signals,
                attributes: &Json::Null,
                entitlements: &Json::Null,
                segments: &Json::Null,
                stage: &Json::Null,
            })
        };
        let mut same_pairs = 0;
        for &a in &values {
            for &b in &values {
                if classes.same(0, a, b) {
                    same_pairs += 1;
                    for (c, text) in compiled.iter().zip(conditions) {
                        assert_eq!(eval(c, a), eval(c, b), "{text} on {a:?} and {b:?}");
                    }
                }
            }
        }
        assert!(same_pairs > values.len(), "some different values share a class");
        assert!(!classes.same(0, Some(3.0), Some(2.75)));
        assert!(classes.same(0, Some(30.0), Some(31.0)));

        let regex = Condition::compile(
            &crate::json::parse(r#"{"signals.x": {"$regex": "^3"}}"#).unwrap(),
            &JsonPath::root(),
            &env,
            &mut problems,
        );
        let classes = SignalThresholds::new(2, compiled.iter().chain([&regex]));
        assert!(!classes.same(0, Some(30.0), Some(31.0)));
        assert!(classes.same(1, Some(30.0), Some(31.0)));
    }
}
