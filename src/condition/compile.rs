//! Compiles a condition document into the tree of `tree.rs`, reporting
//! every problem with the JSON path of the key or value at fault.
//!
//! Whatever is wrong still compiles to something that evaluates as the
//! SDK would (unknown operators and invalid regexes fail) or, where the
//! SDK would throw or do something meaningless, to a part that fails.

use super::coerce::{number_with_text, to_primitive, truthy};
use super::tree::{
    Cond, ElemTest, Entry, Field, FieldPath, Literal, LiteralKind, Op, OpTest, Order, TypeName, ValueTest, VersionOrder,
};
use super::{regex, version, CompileEnv};
use crate::json::{Json, Obj, MAX_DEPTH};
use crate::problem::{ErrorCode, JsonPath, Problems};

pub(crate) fn compile_root(json: &Json, at: &JsonPath, env: &CompileEnv, problems: &mut Problems) -> Cond {
    let mut compiler = Compiler { env, problems };
    if !matches!(json, Json::Obj(_)) {
        compiler.problems.push(
            ErrorCode::WrongType,
            at,
            format!("a condition must be an object, found {}", json.type_name()),
        );
        return Cond::invalid("", json);
    }
    compiler.cond(json, at, PathKind::Document, 0)
}

/// How the paths of a condition object are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PathKind {
    /// Resolved against the document by the caller's resolver.
    Document,
    /// Relative to an array element (inside `$elemMatch`).
    Element,
}

struct Compiler<'a, 'p> {
    env: &'a CompileEnv<'a>,
    problems: &'p mut Problems,
}

/// `isOperatorObject` of the SDK: a non-empty object whose keys all start
/// with `$`. Any other object is a literal compared as a whole.
fn is_operator_object(obj: &Obj) -> bool {
    !obj.is_empty() && obj.keys().all(|k| k.starts_with('$'))
}

/// Whether `json` nests deeper than `limit` levels; looks no deeper than that.
fn deeper_than(json: &Json, limit: usize) -> bool {
    match json {
        Json::Arr(items) => limit == 0 || items.iter().any(|v| deeper_than(v, limit - 1)),
        Json::Obj(obj) => limit == 0 || obj.iter().any(|(_, v)| deeper_than(v, limit - 1)),
        _ => false,
    }
}

impl Compiler<'_, '_> {
    fn too_deep(&mut self, at: &JsonPath) {
        self.problems.push(ErrorCode::LimitExceeded, at, format!("condition nested deeper than {MAX_DEPTH} levels"));
    }

    fn bad_operand(&mut self, at: &JsonPath, message: String) {
        self.problems.push(ErrorCode::BadOperand, at, message);
    }

    /// `depth` counts the arrays and objects around `json` in the
    /// condition document, as `Json::depth` counts them in a parsed one.
    fn cond(&mut self, json: &Json, at: &JsonPath, paths: PathKind, depth: usize) -> Cond {
        // An object adds a level of its own.
        if depth >= MAX_DEPTH {
            self.too_deep(at);
            return Cond::invalid("", json);
        }
        let Json::Obj(obj) = json else {
            self.bad_operand(at, format!("expected a condition object, found {}", json.type_name()));
            return Cond::invalid("", json);
        };
        // Loops with pushes here and below, not iterator chains collected:
        // fewer instances of core's generics on the config's path.
        let mut entries = Vec::with_capacity(obj.len());
        for (key, value) in obj.iter() {
            entries.push(self.entry(key, value, &at.key(key), paths, depth + 1));
        }
        Cond { entries: entries.into_boxed_slice() }
    }

    fn entry(&mut self, key: &str, value: &Json, at: &JsonPath, paths: PathKind, depth: usize) -> Entry {
        match key {
            "$and" | "$or" | "$nor" => match self.cond_list(key, value, at, paths, depth) {
                Some(list) if key == "$and" => Entry::And(list),
                Some(list) if key == "$or" => Entry::Or(list),
                Some(list) => Entry::Nor(list),
                None => Entry::Invalid { op: key.into(), operand: value.clone() },
            },
            "$not" if matches!(value, Json::Obj(_)) => Entry::Not(Box::new(self.cond(value, at, paths, depth))),
            "$not" => {
                self.bad_operand(at, format!("$not takes a condition object, found {}", value.type_name()));
                Entry::Invalid { op: key.into(), operand: value.clone() }
            }
            _ => Entry::Field(self.field(key, value, at, paths, depth)),
        }
    }

    /// The operand of `$and`/`$or`/`$nor`; `None` (the entry fails) when it
    /// is not an array of condition objects.
    fn cond_list(
        &mut self,
        op: &str,
        value: &Json,
        at: &JsonPath,
        paths: PathKind,
        depth: usize,
    ) -> Option<Box<[Cond]>> {
        let Json::Arr(items) = value else {
            self.bad_operand(at, format!("{op} takes an array of conditions, found {}", value.type_name()));
            return None;
        };
        let mut all_objects = true;
        let mut list = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            all_objects &= matches!(item, Json::Obj(_));
            list.push(self.cond(item, &at.index(i), paths, depth + 1));
        }
        all_objects.then(|| list.into_boxed_slice())
    }

    fn field(&mut self, key: &str, value: &Json, at: &JsonPath, paths: PathKind, depth: usize) -> Field {
        let path = match paths {
            PathKind::Document => match self.env.resolver.resolve(key) {
                Ok(path) => FieldPath::Doc(path),
                Err((code, message)) => {
                    self.problems.push(code, at, message);
                    FieldPath::Unresolved(key.into())
                }
            },
            PathKind::Element => {
                FieldPath::Relative { parts: key.split('.').map(Into::into).collect(), text: key.into() }
            }
        };
        Field { path, test: self.value_test(value, at, depth), written: value.clone() }
    }

    fn value_test(&mut self, json: &Json, at: &JsonPath, depth: usize) -> ValueTest {
        if depth > MAX_DEPTH || deeper_than(json, MAX_DEPTH.saturating_sub(depth)) {
            self.too_deep(at);
            return never("", json);
        }
        match json {
            Json::Obj(obj) if is_operator_object(obj) => {
                let mut ops = Vec::with_capacity(obj.len());
                for (name, operand) in obj.iter() {
                    ops.push(self.op(name, operand, &at.key(name), depth + 1));
                }
                ValueTest::Operators(ops.into_boxed_slice())
            }
            _ => ValueTest::Literal(literal(json)),
        }
    }

    fn op(&mut self, name: &str, operand: &Json, at: &JsonPath, depth: usize) -> OpTest {
        let op = self.op_kind(name, operand, at, depth);
        OpTest { name: name.into(), operand: operand.clone(), op }
    }

    fn op_kind(&mut self, name: &str, operand: &Json, at: &JsonPath, depth: usize) -> Op {
        let structured = matches!(operand, Json::Arr(_) | Json::Obj(_));
        match name {
            "$eq" | "$ne" => {
                if structured {
                    self.bad_operand(
                        at,
                        format!(
                            "{name} compares arrays and objects by identity, so it never finds them equal; \
                             write the value without {name} to compare contents"
                        ),
                    );
                }
                Op::StrictEq { negate: name == "$ne" }
            }
            "$lt" | "$lte" | "$gt" | "$gte" => {
                if structured {
                    self.bad_operand(at, format!("{name} needs a number or a string, found {}", operand.type_name()));
                }
                let order = match name {
                    "$lt" => Order::Lt,
                    "$lte" => Order::Lte,
                    "$gt" => Order::Gt,
                    _ => Order::Gte,
                };
                Op::Order { order, operand: to_primitive(operand) }
            }
            "$veq" | "$vne" | "$vlt" | "$vlte" | "$vgt" | "$vgte" => {
                if !version::is_version_operand(operand) {
                    self.bad_operand(at, format!("{name} needs a version string, found {}", operand.type_name()));
                }
                let order = match name {
                    "$veq" => VersionOrder::Eq,
                    "$vne" => VersionOrder::Ne,
                    "$vlt" => VersionOrder::Lt,
                    "$vlte" => VersionOrder::Lte,
                    "$vgt" => VersionOrder::Gt,
                    _ => VersionOrder::Gte,
                };
                Op::Version { order, operand: version::padded_operand(operand) }
            }
            "$exists" => Op::Exists(truthy(operand.into())),
            "$in" | "$nin" | "$ini" | "$nini" => {
                let Json::Arr(items) = operand else {
                    self.bad_operand(at, format!("{name} needs an array, found {}", operand.type_name()));
                    return Op::Never;
                };
                let insensitive = name.ends_with('i');
                let list = if insensitive { items.iter().map(lowercased).collect() } else { items.clone().into() };
                Op::In { list, negate: name.starts_with("$n"), insensitive }
            }
            "$inGroup" | "$notInGroup" => {
                Op::In { list: self.saved_group(name, operand, at), negate: name == "$notInGroup", insensitive: false }
            }
            "$not" => Op::Not(Box::new(self.value_test(operand, at, depth))),
            "$size" => match operand {
                Json::Num(_) | Json::Str(_) | Json::Bool(_) => Op::Size(Box::new(self.value_test(operand, at, depth))),
                Json::Obj(obj) if is_operator_object(obj) => Op::Size(Box::new(self.value_test(operand, at, depth))),
                _ => {
                    self.bad_operand(
                        at,
                        format!("$size needs a number or an operator object, found {}", operand.type_name()),
                    );
                    Op::Never
                }
            },
            "$elemMatch" => match operand {
                Json::Obj(obj) if is_operator_object(obj) => {
                    Op::ElemMatch(Box::new(ElemTest::Value(self.value_test(operand, at, depth))))
                }
                Json::Obj(_) => {
                    Op::ElemMatch(Box::new(ElemTest::Cond(self.cond(operand, at, PathKind::Element, depth))))
                }
                _ => {
                    self.bad_operand(at, format!("$elemMatch needs an object, found {}", operand.type_name()));
                    Op::Never
                }
            },
            "$all" | "$alli" => {
                let Json::Arr(items) = operand else {
                    self.bad_operand(at, format!("{name} needs an array, found {}", operand.type_name()));
                    return Op::Never;
                };
                let mut tests = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    tests.push(self.value_test(item, &at.index(i), depth + 1));
                }
                Op::All { tests: tests.into_boxed_slice(), insensitive: name == "$alli" }
            }
            "$regex" | "$regexi" | "$notRegex" | "$notRegexi" => {
                let Json::Str(pattern) = operand else {
                    self.bad_operand(at, format!("{name} needs a pattern string, found {}", operand.type_name()));
                    return Op::Never;
                };
                match regex::build(pattern, name.ends_with('i')) {
                    Ok((regex, size)) if self.problems.spend_regex_bytes(size) => {
                        Op::Regex { regex, negate: name.starts_with("$not") }
                    }
                    Ok(_) => {
                        self.problems.push(
                            ErrorCode::LimitExceeded,
                            at,
                            format!(
                                "the config's patterns compile to more than {} KiB together: use fewer or simpler patterns",
                                regex::MAX_REGEX_TOTAL / 1024
                            ),
                        );
                        Op::Never
                    }
                    Err(regex::BuildError::TooLarge) => {
                        self.problems.push(
                            ErrorCode::LimitExceeded,
                            at,
                            format!(
                                "{name} pattern compiles to more than {} KiB (counted repetitions multiply its size, and \
                                 matching time with it): write it without large counted repetitions",
                                regex::MAX_REGEX_SIZE / 1024
                            ),
                        );
                        Op::Never
                    }
                    Err(regex::BuildError::Invalid(e)) => {
                        self.problems.push(
                            ErrorCode::InvalidRegex,
                            at,
                            format!("{name} pattern is not valid RE2 syntax: {e}"),
                        );
                        Op::Never
                    }
                }
            }
            "$type" => match operand.as_str().and_then(TypeName::parse) {
                Some(TypeName::Undefined) => {
                    self.bad_operand(at, "$type \"undefined\" never holds: a missing value has type \"null\"".into());
                    Op::Type(TypeName::Undefined)
                }
                Some(type_name) => Op::Type(type_name),
                None => {
                    self.bad_operand(
                        at,
                        format!(
                            "$type needs one of \"string\", \"number\", \"boolean\", \"array\", \"object\", \"null\", found {operand}"
                        ),
                    );
                    Op::Never
                }
            },
            "$and" | "$or" | "$nor" => {
                self.problems.push(
                    ErrorCode::UnknownOperator,
                    at,
                    format!("{name} combines conditions: it belongs beside paths, not among a field's operators"),
                );
                Op::Never
            }
            _ => {
                self.problems.push(ErrorCode::UnknownOperator, at, format!("unknown operator {name}"));
                Op::Never
            }
        }
    }

    /// The values of the saved group `operand` names; an unknown group is
    /// an empty list, as in the SDK (`savedGroups[id] || []`).
    fn saved_group(&mut self, name: &str, operand: &Json, at: &JsonPath) -> Box<[Json]> {
        let Json::Str(id) = operand else {
            self.bad_operand(at, format!("{name} needs a saved group id, found {}", operand.type_name()));
            return Box::new([]);
        };
        match self.env.saved_groups.get(id) {
            Some(Json::Arr(values)) => values.clone().into(),
            // A group that is not an array is reported where it is defined.
            Some(_) => Box::new([]),
            None => {
                self.problems.push(ErrorCode::UndefinedSavedGroup, at, format!("no saved group {}", Json::from(&**id)));
                Box::new([])
            }
        }
    }
}

fn never(name: &str, operand: &Json) -> ValueTest {
    ValueTest::Operators(Box::new([OpTest { name: name.into(), operand: operand.clone(), op: Op::Never }]))
}

fn literal(json: &Json) -> Literal {
    let kind = match json {
        Json::Str(text) => LiteralKind::Str {
            text: text.clone(),
            as_number: number_with_text(text),
            lowercase: crate::platform::lowercase(text).into(),
        },
        Json::Num(n) => LiteralKind::Num(*n),
        Json::Bool(b) => LiteralKind::Bool(*b),
        Json::Null => LiteralKind::Null,
        Json::Arr(_) | Json::Obj(_) => LiteralKind::Structured,
    };
    Literal { json: json.clone(), kind }
}

fn lowercased(json: &Json) -> Json {
    match json {
        Json::Str(s) => Json::Str(crate::platform::lowercase(s).into()),
        other => other.clone(),
    }
}
