//! Evaluation of the compiled tree: the SDK's `evalCondition`,
//! `evalConditionValue` and `evalOperatorCondition`, short-circuiting.
//! Nothing here allocates for scalar document values.

use super::coerce::{
    compare, is_nullish, lowercase_equals, same_value_zero, strict_equals, string_equals, stringify_equals,
    to_js_string, to_number, truthy,
};
use super::tree::{
    Cond, ElemTest, Entry, FieldPath, Literal, LiteralKind, Op, Order, TypeName, ValueTest, VersionOrder,
};
use super::{regex, version, walk, Doc, Value};
use crate::json::Json;
use std::cmp::Ordering;

/// Where the paths of a condition object are looked up: `None` when the
/// path cannot be looked up there, and the field then fails.
pub(crate) trait Scope<'a> {
    fn lookup(&self, path: &FieldPath) -> Option<Value<'a>>;
}

/// The document given to `eval`: top-level paths.
pub(crate) struct DocScope<'d, D: ?Sized>(pub &'d D);

impl<'d, D: Doc + ?Sized> Scope<'d> for DocScope<'d, D> {
    fn lookup(&self, path: &FieldPath) -> Option<Value<'d>> {
        match path {
            FieldPath::Doc(path) => Some(self.0.get(path)),
            FieldPath::Relative { .. } | FieldPath::Unresolved(_) => None,
        }
    }
}

/// An array element tested by `$elemMatch`: relative paths.
pub(crate) struct ElemScope<'a>(pub Value<'a>);

impl<'a> Scope<'a> for ElemScope<'a> {
    fn lookup(&self, path: &FieldPath) -> Option<Value<'a>> {
        match path {
            FieldPath::Relative { parts, .. } => Some(walk(self.0, parts)),
            FieldPath::Doc(_) | FieldPath::Unresolved(_) => None,
        }
    }
}

pub(crate) fn eval_cond<'a, S: Scope<'a>>(cond: &Cond, scope: &S) -> bool {
    cond.entries.iter().all(|entry| eval_entry(entry, scope))
}

pub(crate) fn eval_entry<'a, S: Scope<'a>>(entry: &Entry, scope: &S) -> bool {
    match entry {
        Entry::Field(field) => scope.lookup(&field.path).is_some_and(|v| eval_test(&field.test, v, false)),
        Entry::And(conds) => conds.iter().all(|c| eval_cond(c, scope)),
        Entry::Or(conds) => any_or_empty(conds, scope),
        Entry::Nor(conds) => !any_or_empty(conds, scope),
        Entry::Not(cond) => !eval_cond(cond, scope),
        Entry::Invalid { .. } => false,
    }
}

/// The SDK's `evalOr`: an empty list holds.
fn any_or_empty<'a, S: Scope<'a>>(conds: &[Cond], scope: &S) -> bool {
    conds.is_empty() || conds.iter().any(|c| eval_cond(c, scope))
}

/// `evalConditionValue`; `insensitive` only changes string literals (it is
/// set for the items of `$alli`).
pub(crate) fn eval_test(test: &ValueTest, v: Value, insensitive: bool) -> bool {
    match test {
        ValueTest::Literal(literal) => eval_literal(literal, v, insensitive),
        ValueTest::Operators(ops) => ops.iter().all(|t| eval_op(&t.op, &t.operand, v)),
    }
}

fn eval_literal(literal: &Literal, v: Value, insensitive: bool) -> bool {
    match &literal.kind {
        LiteralKind::Str { lowercase, .. } if insensitive => match v {
            Value::Str(s) => lowercase_equals(s, lowercase),
            other => crate::platform::lowercase(&to_js_string(other)) == **lowercase,
        },
        LiteralKind::Str { text, as_number, .. } => string_equals(v, text, *as_number),
        LiteralKind::Num(n) => to_number(v) == *n,
        LiteralKind::Bool(b) => !is_nullish(v) && truthy(v) == *b,
        LiteralKind::Null => is_nullish(v),
        LiteralKind::Structured => stringify_equals(v, &literal.json),
    }
}

/// `evalOperatorCondition`.
pub(crate) fn eval_op(op: &Op, operand: &Json, v: Value) -> bool {
    match op {
        Op::StrictEq { negate } => strict_equals(v, operand) != *negate,
        Op::Order { order, operand } => compare(v, operand).is_some_and(|o| order.holds(o)),
        Op::Version { order, operand } => order.holds(version::compare(v, operand)),
        Op::Exists(expected) => is_nullish(v) != *expected,
        Op::In { list, negate, insensitive } => is_in(v, list, *insensitive) != *negate,
        Op::All { tests, insensitive } => match v {
            Value::Arr(items) => tests.iter().all(|t| items.iter().any(|item| eval_test(t, item.into(), *insensitive))),
            _ => false,
        },
        Op::Size(test) => match v {
            Value::Arr(items) => eval_test(test, Value::Num(items.len() as f64), false),
            _ => false,
        },
        Op::ElemMatch(test) => match v {
            Value::Arr(items) => items.iter().map(Value::from).any(|item| elem_matches(test, item)),
            _ => false,
        },
        Op::Not(test) => !eval_test(test, v, false),
        Op::Regex { regex, negate } => regex::test(regex, v) != *negate,
        Op::Type(type_name) => type_of(v) == *type_name,
        Op::Never => false,
    }
}

/// One element for `$elemMatch`; only `null` elements are skipped (the
/// JavaScript SDK 1.8 skips nullish ones: `(actual[i] ?? null) !== null`;
/// 0, "" and false are tested like any other value).
pub(crate) fn elem_matches(test: &ElemTest, item: Value) -> bool {
    !matches!(item, Value::Null)
        && match test {
            ElemTest::Value(t) => eval_test(t, item, false),
            ElemTest::Cond(c) => eval_cond(c, &ElemScope(item)),
        }
}

/// The SDK's `isIn`: an array value tests intersection.
fn is_in(v: Value, list: &[Json], insensitive: bool) -> bool {
    let member = |x: Value| {
        list.iter().any(|expected| match (x, expected) {
            (Value::Str(s), Json::Str(lowercase)) if insensitive => lowercase_equals(s, lowercase),
            _ if insensitive => strict_equals(x, expected),
            _ => same_value_zero(x, expected),
        })
    };
    match v {
        Value::Arr(items) => items.iter().any(|item| member(item.into())),
        other => member(other),
    }
}

/// The SDK's `getType`; a missing path reads as `null`.
fn type_of(v: Value) -> TypeName {
    match v {
        Value::Missing | Value::Null => TypeName::Null,
        Value::Bool(_) => TypeName::Boolean,
        Value::Num(_) => TypeName::Number,
        Value::Str(_) => TypeName::String,
        Value::Arr(_) => TypeName::Array,
        Value::Obj(_) => TypeName::Object,
    }
}

impl Order {
    fn holds(self, o: Ordering) -> bool {
        match self {
            Order::Lt => o.is_lt(),
            Order::Lte => o.is_le(),
            Order::Gt => o.is_gt(),
            Order::Gte => o.is_ge(),
        }
    }
}

impl VersionOrder {
    fn holds(self, o: Ordering) -> bool {
        match self {
            VersionOrder::Eq => o.is_eq(),
            VersionOrder::Ne => o.is_ne(),
            VersionOrder::Lt => o.is_lt(),
            VersionOrder::Lte => o.is_le(),
            VersionOrder::Gt => o.is_gt(),
            VersionOrder::Gte => o.is_ge(),
        }
    }
}
