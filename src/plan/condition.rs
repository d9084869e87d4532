//! Compiled conditions in a plan: the tree of `condition/tree.rs` with its
//! resolved paths, coerced operands, padded versions and compiled regex
//! programs, so that a page reading a plan runs neither the condition
//! compiler nor the regex parser.
//!
//! The encoding is positional (see the parent module), with three liberties
//! that keep plans short and shallow: a struct of one field is written as
//! that field (a `Cond` is the array of its entries, a `Condition` its
//! root); an enum variant's fields, and a struct's last enum field, are
//! written inline (`[name, operand, tag, fields...]` for an operator test);
//! and what a literal's kind follows from its JSON is not written twice.
//!
//! Reading refuses anything not as written: an unknown tag, a wrong
//! number of fields, a regex jump or class outside its program (the
//! matcher also ends on any program: it visits a state at most once a
//! character, so a refusal here is for exactness, not for safety).

use super::{fields, Plan};
use crate::condition::regex::{Inst, Look, Regex, INST_BYTES, MAX_REGEX_SIZE, RANGE_BYTES};
use crate::condition::tree::{
    Cond, ElemTest, Entry, Field, FieldPath, Literal, LiteralKind, Op, OpTest, Order, Primitive, TypeName, ValueTest,
    VersionOrder,
};
use crate::condition::{Condition, PathRef};
use crate::doc::Inputs;
use crate::json::Json;

/// Levels of a plan's JSON per level of the condition's JSON, at most:
/// `{"$not": {...}}` (one level) is `[[4, [...]]]` (two), and
/// `{"$not": {"$not": ...}}` inside a field is two levels a `$not`. A
/// condition's plan nests at most `PLAN_DEPTH_PER_LEVEL * d +
/// PLAN_DEPTH_EXTRA` deep where `d` is the depth of its JSON (`Json::depth`,
/// at most `json::MAX_DEPTH`, 64, in a config): 130 at most. By induction
/// on the tree: a value test of a value `v` levels deep is at most `2v + 2`
/// (`$not`, `$size` and `$elemMatch` add two levels a level; a literal or
/// an operand is written as it is, one level under its test; a path or a
/// regex program is two levels), so a condition object `d` deep is at most
/// `2d + 2`; the test `plan_depth_is_bounded` finds `{"$not": ...}` 64
/// deep at 130 and reads it back. An `Option<Condition>` adds one level.
pub(crate) const PLAN_DEPTH_PER_LEVEL: usize = 2;
pub(crate) const PLAN_DEPTH_EXTRA: usize = 2;
/// The deepest a condition's plan can be, from a config.
pub(crate) const MAX_CONDITION_PLAN_DEPTH: usize = PLAN_DEPTH_PER_LEVEL * crate::json::MAX_DEPTH + PLAN_DEPTH_EXTRA;

/// An enum's tag and its fields: `[tag, fields...]`.
pub(super) fn tagged(v: &Json) -> Option<(u32, &[Json])> {
    split_tag(v.as_arr()?)
}

fn split_tag(items: &[Json]) -> Option<(u32, &[Json])> {
    match items {
        [tag, rest @ ..] => Some((u32::from_plan(tag)?, rest)),
        [] => None,
    }
}

/// Each of `items` read as `T`.
fn list<T: Plan>(items: &[Json]) -> Option<Box<[T]>> {
    let mut out = Vec::new();
    for item in items {
        out.push(T::from_plan(item)?);
    }
    Some(out.into_boxed_slice())
}

/// `[tag, fields...]`, the fields already written.
fn with_tag(tag: u32, rest: impl IntoIterator<Item = Json>) -> Json {
    let mut out = vec![tag.to_plan()];
    out.extend(rest);
    Json::Arr(out)
}

fn all<T: Plan>(items: &[T]) -> impl Iterator<Item = Json> + '_ {
    items.iter().map(Plan::to_plan)
}

impl Plan for Condition {
    fn to_plan(&self) -> Json {
        self.root.to_plan()
    }
    fn from_plan(v: &Json) -> Option<Self> {
        Cond::from_plan(v).map(|root| Condition { root })
    }
}

/// `[root, [rest...], text]`.
impl Plan for PathRef {
    fn to_plan(&self) -> Json {
        crate::positional![self.root, self.rest, self.text]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        path_ref(v.as_arr()?)
    }
}

fn path_ref(items: &[Json]) -> Option<PathRef> {
    match items {
        [root, rest, text] => {
            Some(PathRef { root: u32::from_plan(root)?, rest: Plan::from_plan(rest)?, text: Plan::from_plan(text)? })
        }
        _ => None,
    }
}

/// The entries: `[entry, ...]`.
impl Plan for Cond {
    fn to_plan(&self) -> Json {
        Json::Arr(all(&self.entries).collect())
    }
    fn from_plan(v: &Json) -> Option<Self> {
        list(v.as_arr()?).map(|entries| Cond { entries })
    }
}

/// `[0, path, test, written]` a field, `[1|2|3, cond...]` `$and`, `$or`,
/// `$nor`, `[4, cond]` `$not`, `[5, op, operand]` an invalid part.
impl Plan for Entry {
    fn to_plan(&self) -> Json {
        match self {
            Entry::Field(Field { path, test, written }) => crate::positional![0u32, *path, *test, *written],
            Entry::And(conds) => with_tag(1, all(conds)),
            Entry::Or(conds) => with_tag(2, all(conds)),
            Entry::Nor(conds) => with_tag(3, all(conds)),
            Entry::Not(cond) => crate::positional![4u32, *cond],
            Entry::Invalid { op, operand } => crate::positional![5u32, *op, *operand],
        }
    }
    fn from_plan(v: &Json) -> Option<Self> {
        Some(match tagged(v)? {
            (0, [path, test, written]) => Entry::Field(Field {
                path: FieldPath::from_plan(path)?,
                test: ValueTest::from_plan(test)?,
                written: written.clone(),
            }),
            (tag @ 1..=3, conds) => {
                let conds = list(conds)?;
                match tag {
                    1 => Entry::And(conds),
                    2 => Entry::Or(conds),
                    _ => Entry::Nor(conds),
                }
            }
            (4, [cond]) => Entry::Not(Plan::from_plan(cond)?),
            (5, [op, operand]) => Entry::Invalid { op: Plan::from_plan(op)?, operand: operand.clone() },
            _ => return None,
        })
    }
}

/// `[0, root, [rest...], text]` a document path, `[1, [parts...], text]`
/// one inside `$elemMatch`, `[2, text]` an unresolved one.
impl Plan for FieldPath {
    fn to_plan(&self) -> Json {
        match self {
            FieldPath::Doc(p) => crate::positional![0u32, p.root, p.rest, p.text],
            FieldPath::Relative { parts, text } => crate::positional![1u32, *parts, *text],
            FieldPath::Unresolved(text) => crate::positional![2u32, *text],
        }
    }
    fn from_plan(v: &Json) -> Option<Self> {
        Some(match tagged(v)? {
            (0, items) => FieldPath::Doc(path_ref(items)?),
            (1, [parts, text]) => FieldPath::Relative { parts: Plan::from_plan(parts)?, text: Plan::from_plan(text)? },
            (2, [text]) => FieldPath::Unresolved(Plan::from_plan(text)?),
            _ => return None,
        })
    }
}

/// `[0, json]` a literal (`[0, text, as_number, lowercase]` a string: its
/// kind follows from its JSON), `[1, op_test...]` an operator object.
impl Plan for ValueTest {
    fn to_plan(&self) -> Json {
        match self {
            ValueTest::Literal(Literal { json, kind: LiteralKind::Str { as_number, lowercase, .. } }) => {
                crate::positional![0u32, *json, *as_number, *lowercase]
            }
            ValueTest::Literal(Literal { json, .. }) => crate::positional![0u32, *json],
            ValueTest::Operators(ops) => with_tag(1, all(ops)),
        }
    }
    fn from_plan(v: &Json) -> Option<Self> {
        Some(match tagged(v)? {
            (0, [json]) => {
                let kind = match json {
                    Json::Num(n) => LiteralKind::Num(*n),
                    Json::Bool(b) => LiteralKind::Bool(*b),
                    Json::Null => LiteralKind::Null,
                    Json::Arr(_) | Json::Obj(_) => LiteralKind::Structured,
                    Json::Str(_) => return None,
                };
                ValueTest::Literal(Literal { json: json.clone(), kind })
            }
            (0, [json, as_number, lowercase]) => {
                let Json::Str(text) = json else { return None };
                let kind = LiteralKind::Str {
                    text: text.clone(),
                    as_number: Plan::from_plan(as_number)?,
                    lowercase: Plan::from_plan(lowercase)?,
                };
                ValueTest::Literal(Literal { json: json.clone(), kind })
            }
            (1, ops) => ValueTest::Operators(list(ops)?),
            _ => return None,
        })
    }
}

/// `[name, operand, tag, fields...]`, the operator inline:
/// 0 `$eq`/`$ne` `[negate]`, 1 an order `[order, number]` or
/// `[order, text, number]`, 2 a version `[order, padded text]`,
/// 3 `$exists` `[bool]`, 4 `$in` and kin `[list, negate, insensitive]`,
/// 5 `$all` `[insensitive, test...]`, 6 `$size` `[test]`, 7 `$elemMatch`
/// over values `[test]`, 8 over documents `[cond]`, 9 `$not` `[test]`,
/// 10 a regex `[program, negate]`, 11 `$type` `[type]`, 12 never `[]`.
impl Plan for OpTest {
    fn to_plan(&self) -> Json {
        let OpTest { name, operand, op } = self;
        let head = [name.to_plan(), operand.clone()];
        let (tag, rest): (u32, Vec<Json>) = match op {
            Op::StrictEq { negate } => (0, vec![negate.to_plan()]),
            Op::Order { order, operand: Primitive::Num(n) } => (1, vec![order.to_plan(), n.to_plan()]),
            Op::Order { order, operand: Primitive::Str { text, number } } => {
                (1, vec![order.to_plan(), text.to_plan(), number.to_plan()])
            }
            // Units of a Rust string's UTF-16: text again without loss.
            Op::Version { order, operand } => (2, vec![order.to_plan(), Json::from(String::from_utf16_lossy(operand))]),
            Op::Exists(b) => (3, vec![b.to_plan()]),
            Op::In { list, negate, insensitive } => (4, vec![list.to_plan(), negate.to_plan(), insensitive.to_plan()]),
            Op::All { tests, insensitive } => (5, [insensitive.to_plan()].into_iter().chain(all(tests)).collect()),
            Op::Size(test) => (6, vec![test.to_plan()]),
            Op::ElemMatch(elem) => match &**elem {
                ElemTest::Value(test) => (7, vec![test.to_plan()]),
                ElemTest::Cond(cond) => (8, vec![cond.to_plan()]),
            },
            Op::Not(test) => (9, vec![test.to_plan()]),
            Op::Regex { regex, negate } => (10, vec![regex.to_plan(), negate.to_plan()]),
            Op::Type(t) => (11, vec![t.to_plan()]),
            Op::Never => (12, vec![]),
        };
        Json::Arr(head.into_iter().chain([tag.to_plan()]).chain(rest).collect())
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [name, operand, rest @ ..] = v.as_arr()? else { return None };
        let name = Plan::from_plan(name)?;
        let op = match split_tag(rest)? {
            (0, [negate]) => Op::StrictEq { negate: bool::from_plan(negate)? },
            (1, [order, operand @ ..]) => Op::Order {
                order: Plan::from_plan(order)?,
                operand: match operand {
                    [n] => Primitive::Num(f64::from_plan(n)?),
                    [text, number] => Primitive::Str { text: Plan::from_plan(text)?, number: f64::from_plan(number)? },
                    _ => return None,
                },
            },
            (2, [order, padded]) => {
                let mut units = Vec::new();
                for unit in padded.as_str()?.encode_utf16() {
                    units.push(unit);
                }
                Op::Version { order: Plan::from_plan(order)?, operand: units.into_boxed_slice() }
            }
            (3, [b]) => Op::Exists(bool::from_plan(b)?),
            (4, [items, negate, insensitive]) => Op::In {
                list: items.as_arr()?.into(),
                negate: bool::from_plan(negate)?,
                insensitive: bool::from_plan(insensitive)?,
            },
            (5, [insensitive, tests @ ..]) => {
                Op::All { tests: list(tests)?, insensitive: bool::from_plan(insensitive)? }
            }
            (tag @ (6 | 9), [test]) => {
                let test = Plan::from_plan(test)?;
                if tag == 6 {
                    Op::Size(test)
                } else {
                    Op::Not(test)
                }
            }
            (7, [test]) => Op::ElemMatch(Box::new(ElemTest::Value(Plan::from_plan(test)?))),
            (8, [cond]) => Op::ElemMatch(Box::new(ElemTest::Cond(Plan::from_plan(cond)?))),
            (10, [regex, negate]) => Op::Regex { regex: Plan::from_plan(regex)?, negate: bool::from_plan(negate)? },
            (11, [t]) => Op::Type(Plan::from_plan(t)?),
            (12, []) => Op::Never,
            _ => return None,
        };
        Some(OpTest { name, operand: operand.clone(), op })
    }
}

/// Enums without fields: their index, a number.
macro_rules! numbered {
    ($ty:ty: $($variant:ident),+) => {
        impl Plan for $ty {
            fn to_plan(&self) -> Json {
                Json::Num(f64::from(*self as u8))
            }
            fn from_plan(v: &Json) -> Option<Self> {
                const ALL: &[$ty] = &[$(<$ty>::$variant),+];
                ALL.get(usize::from_plan(v)?).copied()
            }
        }
    };
}

numbered!(Order: Lt, Lte, Gt, Gte);
numbered!(VersionOrder: Eq, Ne, Lt, Lte, Gt, Gte);
numbered!(TypeName: String, Number, Boolean, Array, Object, Null, Undefined);
numbered!(Look: Start, End, StartLf, EndLf, StartCrlf, EndCrlf, Word, NotWord, WordStart, WordEnd, WordStartHalf, WordEndHalf);

/// A compiled pattern: `[[inst...], [lo, hi, lo, hi...], start, anchored]`,
/// the instructions flat, each a tag and its numbers: `0, char, next`;
/// `1, from, to, next` (a class, ranges `from..to`); `2, a, b` (split);
/// `3, next` (goto); `4, look, next`; `5` (match). One array of numbers,
/// not one per instruction: a 30-domain alternation is 193 instructions.
/// Read back, every jump is inside the program, every class inside the
/// ranges with its ranges sorted and disjoint, characters are Unicode
/// scalar values, and the program is no larger than `MAX_REGEX_SIZE`.
impl Plan for Regex {
    fn to_plan(&self) -> Json {
        let mut insts = Vec::new();
        for inst in self.insts.iter() {
            let numbers: &[u32] = match *inst {
                Inst::Char(c, next) => &[0, c, next],
                Inst::Class { from, to, next } => &[1, from, to, next],
                Inst::Split(a, b) => &[2, a, b],
                Inst::Goto(next) => &[3, next],
                Inst::Look(look, next) => &[4, look as u32, next],
                Inst::Match => &[5],
            };
            insts.extend(numbers.iter().map(Plan::to_plan));
        }
        let ranges = self.ranges.iter().flat_map(|&(lo, hi)| [lo.to_plan(), hi.to_plan()]);
        crate::positional![Json::Arr(insts), Json::Arr(ranges.collect()), self.start, self.anchored]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [insts, flat_ranges, start, anchored] = super::arr(v)?;
        let flat_ranges = flat_ranges.as_arr()?;
        let start = u32::from_plan(start)?;
        let anchored = bool::from_plan(anchored)?;
        if flat_ranges.len() % 2 != 0 {
            return None;
        }
        let mut ranges = Vec::new();
        let mut pairs = flat_ranges.iter();
        while let (Some(lo), Some(hi)) = (pairs.next(), pairs.next()) {
            let (lo, hi) = (scalar(lo)?, scalar(hi)?);
            if lo > hi {
                return None;
            }
            ranges.push((lo, hi));
        }
        let mut program = Vec::new();
        let mut numbers = fields(insts)?;
        while let Some(tag) = numbers.raw() {
            program.push(match u32::from_plan(tag)? {
                0 => Inst::Char(scalar(numbers.raw()?)?, numbers.take()?),
                1 => {
                    let (from, to) = (numbers.take::<u32>()?, numbers.take::<u32>()?);
                    let mut last = None;
                    for &(lo, hi) in ranges.get(from as usize..to as usize)? {
                        if last.is_some_and(|last| last >= lo) {
                            return None;
                        }
                        last = Some(hi);
                    }
                    Inst::Class { from, to, next: numbers.take()? }
                }
                2 => Inst::Split(numbers.take()?, numbers.take()?),
                3 => Inst::Goto(numbers.take()?),
                4 => Inst::Look(numbers.take()?, numbers.take()?),
                5 => Inst::Match,
                _ => return None,
            });
            if program.len() * INST_BYTES + ranges.len() * RANGE_BYTES > MAX_REGEX_SIZE {
                return None;
            }
        }
        let len = program.len();
        let inside = |to: u32| (to as usize) < len;
        for inst in &program {
            let ok = match *inst {
                Inst::Char(_, to) | Inst::Class { next: to, .. } | Inst::Goto(to) | Inst::Look(_, to) => inside(to),
                Inst::Split(a, b) => inside(a) && inside(b),
                Inst::Match => true,
            };
            if !ok {
                return None;
            }
        }
        inside(start).then(|| Regex {
            insts: program.into_boxed_slice(),
            ranges: ranges.into_boxed_slice(),
            start,
            anchored,
        })
    }
}

/// A character of a pattern: a Unicode scalar value.
fn scalar(v: &Json) -> Option<u32> {
    let c = u32::from_plan(v)?;
    char::from_u32(c).map(|_| c)
}

/// `[signals_high, signals_low, later_signals, identity, segments, stage]`:
/// the 128 signal bits as two `u64`.
impl Plan for Inputs {
    fn to_plan(&self) -> Json {
        let (high, low) = ((self.signals >> 64) as u64, self.signals as u64);
        crate::positional![high, low, self.later_signals, self.identity, self.segments, self.stage]
    }
    fn from_plan(v: &Json) -> Option<Self> {
        let [high, low, later_signals, identity, segments, stage] = super::arr(v)?;
        let (high, low) = (u64::from_plan(high)?, u64::from_plan(low)?);
        Some(Inputs {
            signals: u128::from(high) << 64 | u128::from(low),
            later_signals: Plan::from_plan(later_signals)?,
            identity: Plan::from_plan(identity)?,
            segments: Plan::from_plan(segments)?,
            stage: Plan::from_plan(stage)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::condition::{CompileEnv, PlainDoc, PlainResolver};
    use crate::json::{self, Obj};
    use crate::problem::{JsonPath, Problems};

    fn compile_with(condition: &Json, saved_groups: &Obj) -> Condition {
        let env = CompileEnv { resolver: &PlainResolver, saved_groups };
        Condition::compile(condition, &JsonPath::root(), &env, &mut Problems::new())
    }

    fn compile(text: &str) -> Condition {
        compile_with(&json::parse(text).unwrap(), &Obj::new())
    }

    fn plan_text<T: Plan>(x: &T) -> String {
        x.to_plan().to_json_string()
    }

    fn read<T: Plan>(text: &str) -> Option<T> {
        json::parse(text).ok().and_then(|v| T::from_plan(&v))
    }

    /// Writes `c`, reads it back, checks the text is a fixed point and the
    /// read-back condition decides and explains as `c` on each document.
    fn assert_round_trip(c: &Condition, docs: &[Json]) -> Condition {
        let text = plan_text(c);
        let back: Condition = read(&text).unwrap_or_else(|| panic!("refused its own plan: {text}"));
        assert_eq!(plan_text(&back), text, "not a fixed point");
        for doc in docs {
            assert_eq!(back.eval(&PlainDoc(doc)), c.eval(&PlainDoc(doc)), "{text} on {doc}");
            assert_eq!(back.explain(&PlainDoc(doc)), c.explain(&PlainDoc(doc)), "{text} on {doc}");
        }
        back
    }

    const CONDITIONS: &[&str] = &[
        r#"{"a": 1, "b": "x", "c": true, "d": null, "e": [1, {"f": 2}], "g": {"h": "-0"}}"#,
        r#"{"s": "1e3", "t": "MiXed"}"#,
        r#"{"$and": [{"a": {"$gt": 1}}, {"$or": [{"b": {"$lte": "m"}}, {"$nor": [{"c": {"$exists": false}}]}]}], "$not": {"a": {"$lt": -1}}}"#,
        r#"{"$or": [], "$and": [], "$nor": [], "$not": 3, "$and2": 1}"#,
        r#"{"v": {"$vgte": "1.2.3-rc.1+b", "$vlt": "v2", "$veq": 3, "$vne": "é😀", "$vgt": "", "$vlte": "1.0.0"}}"#,
        r#"{"r": {"$regex": "^(a|b)+[c-fx-z]?\\d\\b.$", "$notRegexi": "Z{2,3}", "$regexi": "(?m)^k$"}, "q": {"$notRegex": "["}}"#,
        r#"{"l": {"$in": [1, "A", null], "$nin": [[1]], "$ini": ["ÀB", 2], "$nini": ["x"], "$inGroup": "g", "$notInGroup": "nope"}}"#,
        r#"{"arr": {"$all": [1, {"$gt": 2}], "$alli": ["A"], "$size": {"$gte": 1}, "$elemMatch": {"x.y": 1, "$or": [{"z": 2}]}}}"#,
        r#"{"arr": {"$elemMatch": {"$gt": 1, "$type": "number"}, "$not": {"$size": 0}, "$type": "undefined"}}"#,
        r#"{"n": {"$eq": 1, "$ne": "1", "$foo": 2, "$type": "nope", "$gt": {"a": 1}, "$lt": "abc", "$gte": true, "$lte": null}}"#,
        r#"{"n": {"$in": 3, "$all": 1, "$size": [1], "$elemMatch": 1, "$regex": 5, "$and": []}, "o": {}}"#,
    ];

    fn docs() -> Vec<Json> {
        [
            r#"{}"#,
            r#"{"a": 2, "b": "a", "c": true, "s": 1000, "t": "mixed", "n": 1, "v": "1.2.3"}"#,
            r#"{"a": 1, "b": "x", "c": true, "d": null, "e": [1, {"f": 2}], "g": {"h": "-0"}}"#,
            r#"{"r": "a9 z", "q": "zz", "l": "àb", "arr": [1, 3, {"x": {"y": 1}}, "a"], "v": "v1.10.0-beta"}"#,
            r#"{"r": "b1 k\nk", "l": null, "arr": [], "n": "1", "o": {}, "v": 2}"#,
        ]
        .iter()
        .map(|t| json::parse(t).unwrap())
        .collect()
    }

    fn groups() -> Obj {
        json::parse(r#"{"g": [1, "àb", "x"]}"#).unwrap().as_obj().unwrap().clone()
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn conditions_round_trip() {
        let docs = docs();
        for text in CONDITIONS {
            let c = compile_with(&json::parse(text).unwrap(), &groups());
            assert_round_trip(&c, &docs);
        }
        // Versions and regexes read back decide as written, not only as the original.
        let back: Condition =
            read(&plan_text(&compile(r#"{"v": {"$vgte": "1.2.3-rc.1", "$vlt": "v2"}, "r": {"$regex": "^a+b$"}}"#)))
                .unwrap();
        for (doc, holds) in [
            (r#"{"v": "1.2.3", "r": "aab"}"#, true),
            (r#"{"v": "1.2.3-rc.10", "r": "ab"}"#, true),
            (r#"{"v": "1.2.3-rc.0", "r": "ab"}"#, false),
            (r#"{"v": "2.0.0", "r": "ab"}"#, false),
            (r#"{"v": "1.9.9", "r": "abc"}"#, false),
        ] {
            assert_eq!(back.eval(&PlainDoc(&json::parse(doc).unwrap())), holds, "{doc}");
        }
        // A condition that is not an object, and the empty one.
        assert_round_trip(&compile("[1]"), &docs);
        let empty: Condition = read(&plan_text(&compile("{}"))).unwrap();
        assert!(empty.is_empty());
        assert_eq!(plan_text(&Condition::default()), "[]");
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn paths_and_inputs_round_trip() {
        let path = PathRef { root: 7, rest: Box::new(["a".into(), "b.c".into()]), text: "x.a".into() };
        assert_eq!(read::<PathRef>(&plan_text(&path)), Some(path));
        let inputs =
            Inputs { signals: u128::MAX - 6, later_signals: true, identity: false, segments: true, stage: false };
        assert_eq!(read::<Inputs>(&plan_text(&inputs)), Some(inputs));
        assert_eq!(read::<Inputs>(&plan_text(&Inputs::default())), Some(Inputs::default()));
        let text = plan_text(&inputs);
        assert_eq!(text, r#"["18446744073709551615","18446744073709551609",true,false,true,false]"#);
        assert_eq!(read::<Inputs>(&text.replacen("615", "616", 1)), None, "2^64");
        assert_eq!(read::<Inputs>(&text.replacen(",false]", "]", 1)), None);
        assert_eq!(read::<PathRef>(r#"[1, ["a"]]"#), None);
    }

    /// `text` with `from` replaced by `to` (once), read as a condition.
    fn damaged(text: &str, from: &str, to: &str) -> Option<Condition> {
        assert!(text.contains(from), "{from} not in {text}");
        read(&text.replacen(from, to, 1))
    }

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn plans_not_as_written_are_refused() {
        let (regex, _) = crate::condition::regex::build("ab|[c-dx]", false).ok().unwrap();
        let program = plan_text(&regex);
        // goto 5; 'a' then 2; 'b' then 0; split 1 or 4; class [c-dx] then 0; match.
        assert_eq!(program, "[[3,5,0,97,2,0,98,0,2,1,4,1,0,2,0,5],[99,100,120,120],3,false]");
        assert!(read::<Regex>(&program).is_some_and(|r| r.is_match("zzx") && !r.is_match("zzb") && r.is_match("ab")));
        let edit = |from: &str, to: &str| {
            assert!(program.contains(from), "{from}");
            read::<Regex>(&program.replacen(from, to, 1)).is_some()
        };
        assert!(edit("[[3,5,", "[[3,4,"), "another jump inside");
        for (from, to, what) in [
            (",3,false]", ",6,false]", "start past the end"),
            ("[[3,5,", "[[3,6,", "a jump past the end"),
            ("[[3,5,", "[[2,0,-1,", "a negative jump"),
            ("[[3,5,", "[[2,0,1.5,", "a fractional jump"),
            ("[[3,5,", "[[0,55296,1,", "a surrogate is no character"),
            ("[[3,5,", "[[1,0,3,1,", "a class past the ranges"),
            ("[[3,5,", "[[1,2,1,1,", "a class ending before it starts"),
            ("[[3,5,", "[[4,12,1,", "an unknown assertion"),
            ("[[3,5,", "[[6,", "an unknown instruction"),
            (",0,5],", ",0,5,3],", "a goto without its target"),
            (",0,5],", ",0,5,1],", "a class without its fields"),
            (",0,5],", r#",0,5,"5"],"#, "an instruction that is not a number"),
            (",0,5],", ",0,5,-1],", "a negative tag last"),
            ("[99,100,120,120]", "[120,120,99,100]", "unsorted ranges of one class"),
            ("[99,100,120,120]", "[99,100,120]", "half a range"),
            ("[99,100,120,120]", "[100,99,120,120]", "a range backwards"),
            ("false]", "false,null]", "a field too many"),
            ("false]", "null]", "anchored not a boolean"),
        ] {
            assert!(!edit(from, to), "{what}");
        }
        // With its two ranges, at the limit and past it.
        let at_limit = (MAX_REGEX_SIZE - 2 * RANGE_BYTES) / INST_BYTES;
        let matches = |n: usize| format!("[{}5]", "5,".repeat(n - 1));
        assert!(edit("[3,5,0,97,2,0,98,0,2,1,4,1,0,2,0,5]", &matches(at_limit)));
        assert!(!edit("[3,5,0,97,2,0,98,0,2,1,4,1,0,2,0,5]", &matches(at_limit + 1)), "too large");

        // The tree: tags, arity, kinds.
        let text = plan_text(&compile(r#"{"a": {"$gt": 1}, "$not": {"b": "x"}}"#));
        assert_eq!(
            text,
            r#"[[0,[0,0,["a"],"a"],[1,["$gt",1,1,2,1]],{"$gt":1}],[4,[[0,[0,0,["b"],"b"],[0,"x",null,"x"],"x"]]]]"#
        );
        assert!(read::<Condition>(&text).is_some());
        assert!(damaged(&text, "[4,", "[6,").is_none(), "unknown entry");
        assert!(damaged(&text, r#"[1,["$gt",1,1,2,1]]"#, r#"[1,["$gt",1,1,4,1]]"#).is_none(), "unknown order");
        assert!(damaged(&text, r#"["$gt",1,1,2,1]"#, r#"["$gt",1,13]"#).is_none(), "unknown operator");
        assert!(damaged(&text, r#"["$gt",1,1,2,1]"#, r#"["$gt",1,1,2]"#).is_none(), "an order without operand");
        assert!(damaged(&text, r#"["$gt",1,1,2,1]"#, r#"["$gt",1,1,2,1,1,1]"#).is_none(), "too many fields");
        assert!(damaged(&text, r#"["$gt",1,1,2,1]"#, r#"["$gt",1,1,2,"1"]"#).is_none(), "a number as text");
        assert!(damaged(&text, r#"["$gt",1,1,2,1]"#, r#"["$gt",1,1,2,"x",1]"#).is_some(), "an order on text");
        assert!(damaged(&text, r#"[0,"x",null,"x"]"#, r#"[0,1,null,"x"]"#).is_none(), "string fields of a number");
        assert!(damaged(&text, r#"[0,"x",null,"x"]"#, r#"[0,"x"]"#).is_none(), "a string without its fields");
        assert!(damaged(&text, r#"[0,"x",null,"x"]"#, r#"[0,"x",[],"x"]"#).is_none(), "Some without its value");
        assert!(damaged(&text, r#"[0,0,["b"],"b"]"#, r#"[0,-1,["b"],"b"]"#).is_none(), "a negative root");
        assert!(damaged(&text, r#"[0,0,["b"],"b"]"#, r#"[3,"b"]"#).is_none(), "unknown path kind");
        assert!(damaged(&text, r#"[4,[[0,"#, r#"[4,[],[[0,"#).is_none(), "$not of two");
        assert!(damaged(&text, "[[0,", "[[],[0,").is_none(), "an entry without tag");
        assert!(damaged(&text, "[[0,", "{},[[0,").is_none(), "a condition that is not an array");
        let flipped = damaged(&text, "[4,", "[2,").unwrap();
        assert!(flipped.eval(&PlainDoc(&json::parse(r#"{"a": 2, "b": "x"}"#).unwrap())), "$or of one holding");
    }

    /// The plan's JSON depth of conditions as deep as a config holds
    /// them (`json::MAX_DEPTH`), in every shape of nesting the language has.
    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn plan_depth_is_bounded() {
        let shapes: &[(&str, &str, &str)] = &[
            (r#"{"$not":"#, r#"{"a":1}"#, "}"),
            (r#"{"$and":["#, r#"{"a":1}"#, "]}"),
            (r#"{"$or":[{"x":1},"#, r#"{"a":{"$in":[[1]]}}"#, "]}"),
            (r#"{"a":{"$not":"#, r#"{"$eq":1}"#, "}}"),
            (r#"{"$not":{"a":{"$not":"#, r#"{"$eq":1}"#, "}}}"),
            (r#"{"a":{"$elemMatch":"#, r#"{"b":1}"#, "}}"),
            (r#"{"a":{"$elemMatch":{"$elemMatch":"#, r#"{"$gt":1}"#, "}}}"),
            (r#"{"a":{"$size":{"$size":"#, r#"{"$gt":1}"#, "}}}"),
            (r#"{"a":{"$all":[{"$all":["#, "1", "]}]}}"),
            (r#"{"a":{"$not":{"$all":[{"$elemMatch":{"b":{"$size":"#, r#"{"$regex":"x"}"#, "}}}]}}}"),
            (r#"{"a":["#, "1", "]}"),
            (r#"{"a":{"$in":["#, "1", "]}}"),
            (r#"{"a":{"$eq":["#, "1", "]}}"),
            (r#"{"a":{"$foo":["#, "1", "]}}"),
            (r#"{"$or":["#, "1", "]}"),
        ];
        let mut deepest = (0, 0, String::new());
        for (open, leaf, close) in shapes {
            for n in 0.. {
                let text = format!("{}{leaf}{}", open.repeat(n), close.repeat(n));
                let Ok(condition) = json::parse(&text) else { break };
                let d = condition.depth();
                let compiled = compile(&text);
                let plan = compiled.to_plan();
                let p = plan.depth();
                // Read back at that depth (json::parse stops at 64 levels).
                let back = Condition::from_plan(&plan).unwrap_or_else(|| panic!("refused at depth {p}: {text}"));
                assert_eq!(back.to_plan(), plan);
                let doc = json::parse(r#"{"a": [{"b": 1}]}"#).unwrap();
                assert_eq!(back.eval(&PlainDoc(&doc)), compiled.eval(&PlainDoc(&doc)));
                assert!(p <= PLAN_DEPTH_PER_LEVEL * d + PLAN_DEPTH_EXTRA, "{p} levels for {d}: {text}");
                if p > deepest.0 {
                    deepest = (p, d, text);
                }
            }
        }
        eprintln!("deepest plan: {} levels for {}: {}", deepest.0, deepest.1, deepest.2);
        assert_eq!(
            deepest.0, MAX_CONDITION_PLAN_DEPTH,
            "the deepest: {} levels for {}: {}",
            deepest.0, deepest.1, deepest.2
        );
    }
}

/// Tests over the shared vectors and generated patterns: native only (they
/// read files, and proptest has no wasm32 backend).
#[cfg(test)]
#[cfg(not(target_arch = "wasm32"))]
mod native_tests {
    use super::*;
    use crate::condition::regex::{build, differential};
    use crate::condition::{CompileEnv, PlainDoc, PlainResolver};
    use crate::json::{self, Obj};
    use crate::problem::{JsonPath, Problems};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/conformance/growthbook-cases.json");

    /// Every `evalCondition` case: `[name, condition, attributes, expected, saved groups?]`.
    fn vectors() -> Vec<Json> {
        let text = std::fs::read_to_string(CASES).unwrap_or_else(|e| panic!("cannot read {CASES}: {e}"));
        let cases = json::parse(&text).unwrap();
        cases.get("evalCondition").and_then(Json::as_arr).unwrap().to_vec()
    }

    fn compile_case(case: &[Json]) -> Condition {
        let no_groups = Obj::new();
        let saved_groups = case.get(4).and_then(Json::as_obj).unwrap_or(&no_groups);
        let env = CompileEnv { resolver: &PlainResolver, saved_groups };
        Condition::compile(&case[1], &JsonPath::root(), &env, &mut Problems::new())
    }

    /// Every condition of the example configs, compiled by the config
    /// compiler (its resolver: signal, segment and stage roots): the plan
    /// is a fixed point, and what checks and the engine read of a condition
    /// (its fields, thresholds, inputs) is the same read back.
    #[test]
    fn example_configs_conditions_round_trip() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/");
        let mut seen = 0;
        for file in [
            "../shared/examples/saas.json",
            "../shared/examples/timelines/tours.config.json",
            "../shared/examples/timelines/policy.config.json",
            "docs/examples/prompts.config.json",
            "docs/examples/signals.config.json",
            "docs/examples/nulls.config.json",
            "docs/examples/experiment.config.json",
        ] {
            let text = std::fs::read_to_string(format!("{root}{file}")).unwrap_or_else(|e| panic!("{file}: {e}"));
            let config = crate::config::compile_text(&text).unwrap_or_else(|e| panic!("{file}: {e:?}")).config;
            let mut conditions: Vec<&Condition> = Vec::new();
            conditions.extend(config.signals.signals.iter().filter_map(|s| s.where_.as_ref()));
            conditions.extend(config.segments.segments.iter().map(|s| &s.when));
            conditions.extend(config.stages.stages.iter().map(|s| &s.when));
            for e in &config.experiences.experiences {
                conditions.extend([&e.when].into_iter().chain(&e.stop_when));
                conditions.extend(e.items.iter().map(|i| &i.done));
                conditions.extend(e.steps.iter().filter_map(|s| s.done.as_ref()));
            }
            for c in conditions {
                let text = c.to_plan().to_json_string();
                let back = json::parse(&text).ok().and_then(|v| Condition::from_plan(&v));
                let back = back.unwrap_or_else(|| panic!("{file}: refused {text}"));
                assert_eq!(back.to_plan().to_json_string(), text, "{file}");
                assert_eq!(format!("{:?}", back.fields()), format!("{:?}", c.fields()), "{file}: {text}");
                assert_eq!(back.field_thresholds(), c.field_thresholds(), "{file}: {text}");
                assert_eq!(Inputs::read_by(&back), Inputs::read_by(c), "{file}: {text}");
                seen += 1;
            }
            let reads = config.condition_reads;
            assert_eq!(
                json::parse(&reads.to_plan().to_json_string()).ok().and_then(|v| Inputs::from_plan(&v)),
                Some(reads)
            );
        }
        assert!(seen >= 50, "{seen} conditions");
    }

    #[test]
    fn every_vector_decides_the_same_through_a_plan() {
        let (mut regexes, mut versions) = (0, 0);
        let vectors = vectors();
        for case in &vectors {
            let case = case.as_arr().unwrap();
            let (name, attributes, expected) = (&case[0], &case[2], case[3].as_bool().unwrap());
            let compiled = compile_case(case);
            let text = compiled.to_plan().to_json_string();
            let back = json::parse(&text).ok().and_then(|v| Condition::from_plan(&v));
            let back = back.unwrap_or_else(|| panic!("{name}: refused its own plan {text}"));
            assert_eq!(back.to_plan().to_json_string(), text, "{name}: not a fixed point");
            let doc = PlainDoc(attributes);
            assert_eq!((compiled.eval(&doc), back.eval(&doc)), (expected, expected), "{name}: {text}");
            assert_eq!(back.explain(&doc), compiled.explain(&doc), "{name}");
            regexes += usize::from(text.contains(",10,[["));
            versions += usize::from(text.contains("\"$v"));
        }
        assert_eq!(vectors.len(), 235);
        assert!(regexes >= 10 && versions >= 20, "{regexes} cases with a compiled regex, {versions} with versions");
    }

    /// Runs `test` on `cases` values of `strategy`, seeded (the same values
    /// every run), and panics with the first failure.
    fn run_cases<S: Strategy>(seed: u8, cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
        let config = Config { cases, failure_persistence: None, ..Config::default() };
        let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]));
        if let Err(e) = runner.run(&strategy, test) {
            panic!("{e}");
        }
    }

    #[test]
    fn generated_patterns_match_the_same_through_a_plan() {
        let rng = std::cell::RefCell::new(TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]));
        let compiled = std::cell::Cell::new(0);
        run_cases(11, 3000, differential::arb_pattern(), |pattern| {
            for ci in [false, true] {
                let Ok((regex, _)) = build(&pattern, ci) else { continue };
                compiled.set(compiled.get() + 1);
                let text = regex.to_plan().to_json_string();
                let back = json::parse(&text).ok().and_then(|v| Regex::from_plan(&v));
                let back = back.ok_or_else(|| TestCaseError::fail(format!("{pattern:?}: refused {text}")))?;
                prop_assert_eq!(back.to_plan().to_json_string(), text.clone(), "{:?}", pattern);
                for t in differential::texts(&pattern, &mut rng.borrow_mut()) {
                    prop_assert_eq!(back.is_match(&t), regex.is_match(&t), "{:?} on {:?}", pattern, t);
                }
            }
            Ok(())
        });
        assert!(compiled.get() > 3000, "only {} patterns compiled", compiled.get());
    }

    /// Programs of generated patterns with one number of their
    /// instructions or ranges changed (to a value near the program's own):
    /// refused, or read and matched to the end of short texts.
    #[test]
    fn programs_with_a_changed_number_are_refused_or_match() {
        let (read, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        let strategy = (differential::arb_pattern(), any::<bool>(), any::<prop::sample::Index>(), 0..200u32, 0..3u8);
        run_cases(13, 3000, strategy, |(pattern, ci, at, value, part)| {
            let Ok((regex, _)) = build(&pattern, ci) else { return Ok(()) };
            let mut plan = regex.to_plan();
            let Json::Arr(fields) = &mut plan else { unreachable!() };
            let value = match part {
                // Near the program's length, where a jump stops being one.
                0 => f64::from(value % 8) + regex.insts.len() as f64 - 4.0,
                _ => f64::from(value),
            };
            if let Some(Json::Arr(numbers)) = fields.get_mut(usize::from(part % 2)) {
                if !numbers.is_empty() {
                    let i = at.index(numbers.len());
                    numbers[i] = Json::Num(value);
                }
            }
            match Regex::from_plan(&plan) {
                Some(back) => {
                    read.set(read.get() + 1);
                    for text in ["", "ab", "zzx\n9 k", "éÉ😀_-."] {
                        let _ = back.is_match(text);
                    }
                }
                None => refused.set(refused.get() + 1),
            }
            Ok(())
        });
        let (read, refused) = (read.get(), refused.get());
        eprintln!("{read} changed programs read, {refused} refused");
        assert!(read > 500 && refused > 500, "{read} read, {refused} refused");
    }

    /// A plan text with one damage: a character deleted, inserted or
    /// replaced, a number changed, or the end cut off.
    fn damage(text: &str) -> impl Strategy<Value = String> {
        let text = text.to_string();
        let len = text.len();
        let chars: &'static [char] = &['[', ']', ',', '0', '1', '5', '9', '-', '"', 'n', '.', 'e', '{', '}', ':', 't'];
        let numbers: &'static [&str] = &[
            "0",
            "1",
            "2",
            "3",
            "4",
            "5",
            "6",
            "7",
            "8",
            "9",
            "10",
            "11",
            "12",
            "13",
            "-1",
            "1.5",
            "4294967295",
            "1e9",
        ];
        (0..5u8, 0..len.max(1), prop::sample::select(chars), prop::sample::select(numbers)).prop_map(
            move |(kind, at, c, n)| {
                let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                let (head, tail) = text.split_at(at);
                match kind {
                    0 => format!("{head}{}", tail.chars().skip(1).collect::<String>()),
                    1 => format!("{head}{c}{tail}"),
                    2 => format!("{head}{c}{}", tail.chars().skip(1).collect::<String>()),
                    3 => {
                        // The number starting at or after `at`, replaced.
                        let start = tail.find(|ch: char| ch.is_ascii_digit()).unwrap_or(tail.len());
                        let end = tail[start..].find(|ch: char| !ch.is_ascii_digit()).map_or(tail.len(), |e| start + e);
                        format!("{head}{}{n}{}", &tail[..start], &tail[end..])
                    }
                    _ => head.to_string(),
                }
            },
        )
    }

    #[test]
    fn damaged_plans_are_refused_or_read_never_panicking() {
        let docs: Vec<Json> = [
            r#"{"r": "ab9 x", "v": "1.2.3", "a": [1, {"b": 2}], "n": 3, "s": "MiX"}"#,
            r#"{"r": "", "v": 2, "a": [], "n": null}"#,
        ]
        .iter()
        .map(|t| json::parse(t).unwrap())
        .collect();
        let condition = json::parse(
            r#"{"r": {"$regex": "^(a|b)+[c-fx-z]?\\d\\b.", "$notRegexi": "(?m)^k{2,3}$"},
                "v": {"$vgte": "1.2.3-rc.1", "$vne": "2"}, "$or": [{"n": {"$gt": 1, "$in": [1, 3]}}, {"s": "mix"}],
                "a": {"$elemMatch": {"b": {"$exists": true}}, "$all": [1], "$size": {"$lt": 3}, "$not": {"$type": "null"}},
                "$not": {"s": {"$ini": ["mix"], "$eq": "x"}}, "$nor": [{"x": null}]}"#,
        )
        .unwrap();
        let env = CompileEnv { resolver: &PlainResolver, saved_groups: &Obj::new() };
        let compiled = Condition::compile(&condition, &JsonPath::root(), &env, &mut Problems::new());
        let text = compiled.to_plan().to_json_string();
        assert!(Condition::from_plan(&json::parse(&text).unwrap()).is_some());
        let (read, refused) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
        run_cases(12, 4000, damage(&text), |damaged| {
            match json::parse(&damaged).ok().and_then(|v| Condition::from_plan(&v)) {
                Some(c) => {
                    read.set(read.get() + 1);
                    for doc in &docs {
                        // Evaluates (regexes on a short text) and ends.
                        let _ = (c.eval(&PlainDoc(doc)), c.explain(&PlainDoc(doc)));
                    }
                    let again = c.to_plan().to_json_string();
                    let back = json::parse(&again).ok().and_then(|v| Condition::from_plan(&v));
                    prop_assert!(back.is_some(), "read back, then refused: {}", again);
                }
                None => refused.set(refused.get() + 1),
            }
            Ok(())
        });
        // Both ways taken: the damage reaches what is checked.
        let (read, refused) = (read.get(), refused.get());
        eprintln!("{read} damaged plans read, {refused} refused");
        assert!(read > 100 && refused > 1000, "{read} read, {refused} refused");
    }
}
