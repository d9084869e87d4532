//! The compiled form of a condition. It mirrors the JavaScript SDK's
//! recursion (`evalCondition` → `evalConditionValue` →
//! `evalOperatorCondition`) with everything that can be decided from the
//! condition alone decided once: paths resolved, operands coerced,
//! regexes built, saved groups copied in.

use super::regex::Regex;
use super::{FieldView, PathRef};
use crate::json::Json;

/// A condition object: every entry must hold.
#[derive(Clone, Debug, Default)]
pub(crate) struct Cond {
    pub entries: Box<[Entry]>,
}

#[derive(Clone, Debug)]
pub(crate) enum Entry {
    Field(Field),
    And(Box<[Cond]>),
    /// Holds when any holds, and also when the list is empty (as in the SDK).
    Or(Box<[Cond]>),
    /// The negation of `Or`: an empty list fails.
    Nor(Box<[Cond]>),
    Not(Box<Cond>),
    /// A logical operator with an unusable operand, or a part nested too
    /// deep: never holds.
    Invalid {
        op: Box<str>,
        operand: Json,
    },
}

#[derive(Clone, Debug)]
pub(crate) struct Field {
    pub path: FieldPath,
    pub test: ValueTest,
    /// The field's value as written.
    pub written: Json,
}

#[derive(Clone, Debug)]
pub(crate) enum FieldPath {
    /// A top-level path, resolved by the caller's resolver.
    Doc(PathRef),
    /// A path inside `$elemMatch`, walked from the array element.
    Relative { parts: Box<[Box<str>]>, text: Box<str> },
    /// A path the resolver refused: the field never holds.
    Unresolved(Box<str>),
}

impl FieldPath {
    pub fn text(&self) -> &str {
        match self {
            FieldPath::Doc(p) => &p.text,
            FieldPath::Relative { text, .. } => text,
            FieldPath::Unresolved(text) => text,
        }
    }
}

/// What a field's value must satisfy (`evalConditionValue`).
#[derive(Clone, Debug)]
pub(crate) enum ValueTest {
    /// A literal: equality with the SDK's coercions.
    Literal(Literal),
    /// An operator object: every operator must hold.
    Operators(Box<[OpTest]>),
}

#[derive(Clone, Debug)]
pub(crate) struct Literal {
    pub json: Json,
    pub kind: LiteralKind,
}

#[derive(Clone, Debug)]
pub(crate) enum LiteralKind {
    /// `String(value) === text`. `as_number` is the number whose JavaScript
    /// text is exactly this string, so numbers compare without formatting.
    Str { text: Box<str>, as_number: Option<f64>, lowercase: Box<str> },
    /// `value * 1 === n`.
    Num(f64),
    /// `value !== null && !!value === b`.
    Bool(bool),
    /// `value === null`.
    Null,
    /// Arrays and objects that are not operator objects: equal when
    /// `JSON.stringify` gives the same text.
    Structured,
}

#[derive(Clone, Debug)]
pub(crate) struct OpTest {
    /// The operator as written, e.g. `$gte`.
    pub name: Box<str>,
    pub operand: Json,
    pub op: Op,
}

#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// `===` / `!==` against the operand.
    StrictEq {
        negate: bool,
    },
    Order {
        order: Order,
        operand: Primitive,
    },
    Version {
        order: VersionOrder,
        operand: Box<[u16]>,
    },
    Exists(bool),
    /// `$in $nin $ini $nini $inGroup $notInGroup`. For the case-insensitive
    /// forms the strings of `list` are already lowercased.
    In {
        list: Box<[Json]>,
        negate: bool,
        insensitive: bool,
    },
    All {
        tests: Box<[ValueTest]>,
        insensitive: bool,
    },
    Size(Box<ValueTest>),
    ElemMatch(Box<ElemTest>),
    Not(Box<ValueTest>),
    Regex {
        regex: Regex,
        negate: bool,
    },
    Type(TypeName),
    /// An unknown operator, an invalid regex or an unusable operand.
    Never,
}

#[derive(Clone, Debug)]
pub(crate) enum ElemTest {
    /// `{"$elemMatch": {"$gt": 1}}`: each element against operators.
    Value(ValueTest),
    /// `{"$elemMatch": {"name": "x"}}`: each element as a document.
    Cond(Cond),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    Lt,
    Lte,
    Gt,
    Gte,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VersionOrder {
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
}

/// An order operand after JavaScript's `ToPrimitive`: strings compare
/// with strings as text, everything else as numbers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Primitive {
    Num(f64),
    /// `number` is the text as a number, for when the other side is not a
    /// string.
    Str {
        text: Box<str>,
        number: f64,
    },
}

/// The type names of the SDK's `getType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TypeName {
    String,
    Number,
    Boolean,
    Array,
    Object,
    Null,
    Undefined,
}

impl TypeName {
    pub fn parse(name: &str) -> Option<TypeName> {
        Some(match name {
            "string" => TypeName::String,
            "number" => TypeName::Number,
            "boolean" => TypeName::Boolean,
            "array" => TypeName::Array,
            "object" => TypeName::Object,
            "null" => TypeName::Null,
            "undefined" => TypeName::Undefined,
            _ => return None,
        })
    }
}

impl ValueTest {
    /// Pushes to `out` the numbers this test compares a value with, and
    /// returns true, when a value that is a number or null affects the
    /// test's result only through its order against those numbers (less,
    /// equal or greater, for each), whether it is null and whether it is
    /// NaN. Returns false for a test that may depend on more (a regex, a
    /// version, a structured literal).
    pub fn thresholds(&self, out: &mut Vec<f64>) -> bool {
        match self {
            ValueTest::Literal(literal) => match &literal.kind {
                // `value * 1 === n`; `String(value) === text` compares a
                // number with `as_number`; `!!value` is `value != 0`.
                LiteralKind::Num(n) => {
                    out.push(*n);
                    true
                }
                LiteralKind::Str { as_number, .. } => {
                    out.extend(*as_number);
                    true
                }
                LiteralKind::Bool(_) => {
                    out.push(0.0);
                    true
                }
                LiteralKind::Null => true,
                LiteralKind::Structured => false,
            },
            ValueTest::Operators(ops) => ops.iter().all(|t| t.op.thresholds(&t.operand, out)),
        }
    }
}

impl Op {
    /// [`ValueTest::thresholds`] of one operator.
    fn thresholds(&self, operand: &Json, out: &mut Vec<f64>) -> bool {
        match self {
            Op::StrictEq { .. } => {
                if let Json::Num(n) = operand {
                    out.push(*n);
                }
                true
            }
            Op::Order { operand: Primitive::Num(n), .. }
            | Op::Order { operand: Primitive::Str { number: n, .. }, .. } => {
                out.push(*n);
                true
            }
            Op::In { list, .. } => {
                out.extend(list.iter().filter_map(|j| match j {
                    Json::Num(n) => Some(*n),
                    _ => None,
                }));
                true
            }
            Op::Not(test) => test.thresholds(out),
            // Null-ness or type only; false for every number and null.
            Op::Exists(_) | Op::Type(_) | Op::All { .. } | Op::Size(_) | Op::ElemMatch(_) | Op::Never => true,
            Op::Version { .. } | Op::Regex { .. } => false,
        }
    }
}

impl Cond {
    /// Each top-level field with [`ValueTest::thresholds`] of its test
    /// (None when the test may depend on more than them).
    pub fn collect_thresholds<'a>(&'a self, out: &mut Vec<(&'a PathRef, Option<Vec<f64>>)>) {
        for entry in self.entries.iter() {
            match entry {
                Entry::Field(Field { path: FieldPath::Doc(path), test, .. }) => {
                    let mut numbers = Vec::new();
                    let ok = test.thresholds(&mut numbers);
                    out.push((path, ok.then_some(numbers)));
                }
                Entry::Field(_) | Entry::Invalid { .. } => {}
                Entry::And(conds) | Entry::Or(conds) | Entry::Nor(conds) => {
                    conds.iter().for_each(|c| c.collect_thresholds(out));
                }
                Entry::Not(cond) => cond.collect_thresholds(out),
            }
        }
    }

    /// A condition that never holds, for a part that could not be compiled.
    pub fn invalid(op: &str, operand: &Json) -> Cond {
        Cond { entries: Box::new([Entry::Invalid { op: op.into(), operand: operand.clone() }]) }
    }

    pub fn collect_fields<'a>(&'a self, out: &mut Vec<FieldView<'a>>) {
        for entry in self.entries.iter() {
            match entry {
                Entry::Field(Field { path: FieldPath::Doc(path), written, .. }) => {
                    out.push(FieldView { path, test: written });
                }
                Entry::Field(_) | Entry::Invalid { .. } => {}
                Entry::And(conds) | Entry::Or(conds) | Entry::Nor(conds) => {
                    conds.iter().for_each(|c| c.collect_fields(out));
                }
                Entry::Not(cond) => cond.collect_fields(out),
            }
        }
    }
}
