//! Explanations for reasons: every clause of a condition with the value it
//! saw and whether it held, nested as the condition's `$and`/`$or`/`$nor`/
//! `$not` are, so a reader can tell which branch decided.
//!
//! Each `held` is computed by the evaluator itself, so an explanation
//! never disagrees with `eval`; unlike `eval`, every clause is evaluated.

use super::eval::{eval_cond, eval_entry, eval_op, eval_test, Scope};
use super::tree::{Cond, Entry, Field, Op, ValueTest};
use super::Value;
use crate::json::{Json, Obj};

/// Whether a condition held, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Explanation {
    pub held: bool,
    /// The clauses of the condition; it holds when all of them hold.
    pub clauses: Vec<ClauseNode>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClauseNode {
    Clause(Clause),
    Group(ClauseGroup),
}

/// One operator applied to one value, e.g. `signals.reports_7d` `$gte` 3.
#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    /// The path as written; empty for a malformed logical operator.
    pub path: Box<str>,
    /// The operator as written; `$eq` for a literal (implicit equality,
    /// with the SDK's coercions: `{"n": 1}` holds for `"1"`).
    pub op: Box<str>,
    pub operand: Json,
    /// The value found at `path`; `null` when there is none.
    pub actual: Json,
    pub held: bool,
}

/// `$and`, `$or`, `$nor` or `$not` over clauses. `path` is empty at
/// condition level and names the field for a field's own `$not`
/// (`{"name": {"$not": {"$regex": "^a"}}}`).
#[derive(Clone, Debug, PartialEq)]
pub struct ClauseGroup {
    pub op: Box<str>,
    pub path: Box<str>,
    pub held: bool,
    pub children: Vec<ClauseNode>,
}

impl ClauseNode {
    pub fn held(&self) -> bool {
        match self {
            ClauseNode::Clause(c) => c.held,
            ClauseNode::Group(g) => g.held,
        }
    }

    /// `{"path", "op", "operand", "actual", "held"}` for a clause,
    /// `{"op", "path", "held", "children"}` for a group.
    pub fn to_json(&self) -> Json {
        match self {
            ClauseNode::Clause(c) => c.to_json(),
            ClauseNode::Group(g) => g.to_json(),
        }
    }
}

impl Explanation {
    /// `{"held": bool, "clauses": [...]}`.
    pub fn to_json(&self) -> Json {
        let mut obj = Obj::with_capacity(2);
        obj.insert("held", Json::Bool(self.held));
        obj.insert("clauses", nodes_json(&self.clauses));
        Json::Obj(obj)
    }
}

fn nodes_json(nodes: &[ClauseNode]) -> Json {
    let mut list = Vec::with_capacity(nodes.len());
    for node in nodes {
        list.push(node.to_json());
    }
    Json::Arr(list)
}

impl Clause {
    pub fn to_json(&self) -> Json {
        let mut obj = Obj::with_capacity(5);
        obj.insert("path", Json::Str(self.path.clone()));
        obj.insert("op", Json::Str(self.op.clone()));
        obj.insert("operand", self.operand.clone());
        obj.insert("actual", self.actual.clone());
        obj.insert("held", Json::Bool(self.held));
        Json::Obj(obj)
    }

    /// A sentence for people: `signals.reports_7d is 1, needs >= 3`, or
    /// `attributes.role is "viewer", needs $in ["owner","admin"]`; a clause
    /// that held says `meets` instead of `needs`.
    pub fn describe(&self) -> String {
        if self.path.is_empty() {
            let state = if self.held { "holds" } else { "fails" };
            return format!("{} {} {state}", self.op, self.operand);
        }
        if self.held {
            return format!("{} is {}: holds ({} {})", self.path, self.actual, self.op, self.operand);
        }
        // What the value would need to be, in words where the operator has some.
        let needs = match &*self.op {
            "$lt" => "<",
            "$lte" => "<=",
            "$gt" => ">",
            "$gte" => ">=",
            "$eq" => "to be",
            "$ne" => "not to be",
            "$in" => "one of",
            "$nin" => "none of",
            other => other,
        };
        format!("{} is {}, needs {needs} {}", self.path, self.actual, self.operand)
    }
}

impl ClauseGroup {
    pub fn to_json(&self) -> Json {
        let mut obj = Obj::with_capacity(4);
        obj.insert("op", Json::Str(self.op.clone()));
        obj.insert("path", Json::Str(self.path.clone()));
        obj.insert("held", Json::Bool(self.held));
        obj.insert("children", nodes_json(&self.children));
        Json::Obj(obj)
    }
}

pub(crate) fn explain_root<'a, S: Scope<'a>>(cond: &Cond, scope: &S) -> Explanation {
    Explanation { held: eval_cond(cond, scope), clauses: cond_nodes(cond, scope) }
}

/// The clauses of a condition object, all of which must hold.
fn cond_nodes<'a, S: Scope<'a>>(cond: &Cond, scope: &S) -> Vec<ClauseNode> {
    let mut nodes = Vec::new();
    for entry in cond.entries.iter() {
        entry_nodes(entry, scope, &mut nodes);
    }
    nodes
}

/// A condition object as one node: its clause when it has exactly one,
/// else an `$and` group of them.
fn cond_node<'a, S: Scope<'a>>(cond: &Cond, scope: &S) -> ClauseNode {
    let mut nodes = cond_nodes(cond, scope);
    if nodes.len() == 1 {
        if let Some(node) = nodes.pop() {
            return node;
        }
    }
    group("$and", "", eval_cond(cond, scope), nodes)
}

fn entry_nodes<'a, S: Scope<'a>>(entry: &Entry, scope: &S, out: &mut Vec<ClauseNode>) {
    let held = eval_entry(entry, scope);
    match entry {
        Entry::Field(field) => field_nodes(field, scope, out),
        Entry::And(conds) => out.push(group("$and", "", held, cond_list(conds, scope))),
        Entry::Or(conds) => out.push(group("$or", "", held, cond_list(conds, scope))),
        Entry::Nor(conds) => out.push(group("$nor", "", held, cond_list(conds, scope))),
        Entry::Not(cond) => out.push(group("$not", "", held, cond_nodes(cond, scope))),
        Entry::Invalid { op, operand } => out.push(ClauseNode::Clause(Clause {
            path: "".into(),
            op: op.clone(),
            operand: operand.clone(),
            actual: Json::Null,
            held,
        })),
    }
}

fn field_nodes<'a, S: Scope<'a>>(field: &Field, scope: &S, out: &mut Vec<ClauseNode>) {
    let found = scope.lookup(&field.path);
    let path = field.path.text();
    test_nodes(&field.test, found, path, out);
}

/// `found` is `None` for a path that could not be looked up: every
/// clause on it fails.
fn test_nodes(test: &ValueTest, found: Option<Value>, path: &str, out: &mut Vec<ClauseNode>) {
    let v = found.unwrap_or(Value::Missing);
    match test {
        ValueTest::Literal(literal) => out.push(ClauseNode::Clause(Clause {
            path: path.into(),
            op: "$eq".into(),
            operand: literal.json.clone(),
            actual: v.to_json(),
            held: found.is_some() && eval_test(test, v, false),
        })),
        ValueTest::Operators(ops) => {
            for t in ops.iter() {
                let held = found.is_some() && eval_op(&t.op, &t.operand, v);
                if let Op::Not(inner) = &t.op {
                    let mut children = Vec::new();
                    test_nodes(inner, found, path, &mut children);
                    out.push(group(&t.name, path, held, children));
                } else {
                    out.push(ClauseNode::Clause(Clause {
                        path: path.into(),
                        op: t.name.clone(),
                        operand: t.operand.clone(),
                        actual: v.to_json(),
                        held,
                    }));
                }
            }
        }
    }
}

/// One node per condition of a `$and`/`$or`/`$nor` list.
fn cond_list<'a, S: Scope<'a>>(conds: &[Cond], scope: &S) -> Vec<ClauseNode> {
    let mut nodes = Vec::with_capacity(conds.len());
    for c in conds {
        nodes.push(cond_node(c, scope));
    }
    nodes
}

fn group(op: &str, path: &str, held: bool, children: Vec<ClauseNode>) -> ClauseNode {
    ClauseNode::Group(ClauseGroup { op: op.into(), path: path.into(), held, children })
}
