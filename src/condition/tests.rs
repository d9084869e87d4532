//! Compile problems, JavaScript corner cases the vectors do not pin,
//! explanations, and robustness against garbage.

use super::*;
use crate::json::{parse, MAX_DEPTH};
use crate::problem::Problem;
use proptest::prelude::*;

fn json(text: &str) -> Json {
    parse(text).unwrap_or_else(|e| panic!("bad test JSON {text}: {e}"))
}

fn groups() -> Obj {
    match json(r#"{"staff": ["ann", "bob"], "odd": 5}"#) {
        Json::Obj(o) => o,
        _ => Obj::new(),
    }
}

fn compile_with(resolver: &dyn PathResolver, condition: &str) -> (Condition, Vec<Problem>) {
    let groups = groups();
    let env = CompileEnv { resolver, saved_groups: &groups };
    let mut problems = Problems::new();
    let compiled = Condition::compile(&json(condition), &JsonPath::root().key("when"), &env, &mut problems);
    (compiled, problems.into_vec())
}

fn compile(condition: &str) -> (Condition, Vec<Problem>) {
    compile_with(&PlainResolver, condition)
}

/// Evaluates `condition` on `doc`, checking that `explain` agrees.
fn holds(condition: &str, doc: &str) -> bool {
    let (compiled, _) = compile(condition);
    let doc = json(doc);
    let held = compiled.eval(&PlainDoc(&doc));
    assert_eq!(compiled.explain(&PlainDoc(&doc)).held, held, "explain disagrees on {condition}");
    held
}

/// The problems of `condition` as `code at path` lines.
fn problems(condition: &str) -> Vec<String> {
    compile(condition).1.iter().map(|p| format!("{} at {}", p.code, p.path)).collect()
}

#[test]
fn valid_conditions_have_no_problems() {
    let all_operators = r#"{
        "a": {"$eq": 1, "$ne": 2, "$lt": 3, "$lte": 3, "$gt": 0, "$gte": 0, "$exists": true},
        "b": {"$in": [1], "$nin": [2], "$ini": ["A"], "$nini": ["B"], "$all": [1], "$alli": ["x"]},
        "c": {"$type": "string", "$regex": "^a", "$regexi": "A", "$notRegex": "z", "$notRegexi": "Z"},
        "d": {"$size": {"$gt": 1}, "$elemMatch": {"x": 1}, "$not": {"$size": 0}},
        "e": {"$veq": "1.0.0", "$vne": "1", "$vgt": "0.1", "$vgte": "0.1", "$vlt": "2", "$vlte": "2"},
        "f": {"$inGroup": "staff", "$notInGroup": "staff"},
        "$and": [{"g": 1}], "$or": [{"h": [1, 2]}], "$nor": [{"i": {"j": 1}}], "$not": {"k": null},
        "$groups": {"$elemMatch": {"$eq": "a"}}
    }"#;
    assert_eq!(problems(all_operators), Vec::<String>::new());
}

#[test]
fn each_problem_names_its_code_and_path() {
    let cases = [
        (r#"{"name": {"$regx": "hello"}}"#, "unknown_operator at when.name.$regx"),
        (r#"{"a": {"$or": [{"b": 1}]}}"#, "unknown_operator at when.a.$or"),
        (r#"{"signals.x": {"$regex": "(?=a)"}}"#, r#"invalid_regex at when["signals.x"].$regex"#),
        (r#"{"a": {"$notRegexi": "("}}"#, "invalid_regex at when.a.$notRegexi"),
        (r#"{"id": {"$inGroup": "nope"}}"#, "undefined_saved_group at when.id.$inGroup"),
        (r#"{"id": {"$notInGroup": 3}}"#, "bad_operand at when.id.$notInGroup"),
        (r#"{"a": {"$in": 1}}"#, "bad_operand at when.a.$in"),
        (r#"{"a": {"$nini": "x"}}"#, "bad_operand at when.a.$nini"),
        (r#"{"a": {"$all": {}}}"#, "bad_operand at when.a.$all"),
        (r#"{"a": {"$size": [1]}}"#, "bad_operand at when.a.$size"),
        (r#"{"a": {"$elemMatch": 1}}"#, "bad_operand at when.a.$elemMatch"),
        (r#"{"a": {"$type": "int"}}"#, "bad_operand at when.a.$type"),
        (r#"{"a": {"$type": "undefined"}}"#, "bad_operand at when.a.$type"),
        (r#"{"a": {"$eq": [1]}}"#, "bad_operand at when.a.$eq"),
        (r#"{"a": {"$lt": {}}}"#, "bad_operand at when.a.$lt"),
        (r#"{"a": {"$vgt": true}}"#, "bad_operand at when.a.$vgt"),
        (r#"{"a": {"$regex": 5}}"#, "bad_operand at when.a.$regex"),
        (r#"{"$and": {}}"#, "bad_operand at when.$and"),
        (r#"{"$or": [{"a": 1}, 5]}"#, "bad_operand at when.$or[1]"),
        (r#"{"$not": 3}"#, "bad_operand at when.$not"),
        (r#"{"a": {"$elemMatch": {"b": {"$regx": 1}}}}"#, "unknown_operator at when.a.$elemMatch.b.$regx"),
        (r#"{"$nor": [{"a": {"$all": [{"$bad": 1}]}}]}"#, "unknown_operator at when.$nor[0].a.$all[0].$bad"),
        ("5", "wrong_type at when"),
    ];
    for (condition, expected) in cases {
        assert_eq!(problems(condition), vec![expected.to_string()], "{condition}");
    }
}

#[test]
fn invalid_parts_fail_and_only_them() {
    // The vectors: an unknown operator and an invalid regex fail.
    assert!(!holds(r#"{"a": {"$regx": 1}}"#, r#"{"a": 1}"#));
    assert!(!holds(r#"{"a": {"$regex": "(?=a)"}}"#, r#"{"a": "a"}"#));
    assert!(!holds(r#"{"a": {"$notRegex": "(?=a)"}}"#, r#"{"a": "b"}"#));
    // A malformed logical operator fails as a whole, even `$nor`.
    assert!(!holds(r#"{"$nor": [{"a": 2}, 5]}"#, r#"{"a": 1}"#));
    assert!(!holds(r#"{"$or": {}}"#, "{}"));
    assert!(!holds(r#"{"$not": 3}"#, "{}"));
    // The SDK negates a failing part like any other.
    assert!(holds(r#"{"$not": {"a": {"$regx": 1}}}"#, r#"{"a": 1}"#));
}

/// Resolves only `attributes.*`, to root 7.
struct AttributesOnly;

impl PathResolver for AttributesOnly {
    fn resolve(&self, path: &str) -> Result<PathRef, (ErrorCode, String)> {
        let rest =
            path.strip_prefix("attributes.").ok_or((ErrorCode::UnknownPathRoot, format!("unknown root in {path}")))?;
        Ok(PathRef { root: 7, rest: rest.split('.').map(Into::into).collect(), text: path.into() })
    }
}

/// A document with one root, 7, holding `attributes`.
struct Attributes(Json);

impl Doc for Attributes {
    fn get(&self, path: &PathRef) -> Value<'_> {
        if path.root == 7 {
            walk((&self.0).into(), &path.rest)
        } else {
            Value::Missing
        }
    }
}

#[test]
fn unresolved_paths_fail_and_keep_reporting() {
    let (compiled, found) = compile_with(&AttributesOnly, r#"{"foo.bar": {"$regx": 1}, "attributes.plan": "pro"}"#);
    let found: Vec<String> = found.iter().map(|p| format!("{} at {}", p.code, p.path)).collect();
    assert_eq!(found, ["unknown_path_root at when[\"foo.bar\"]", "unknown_operator at when[\"foo.bar\"].$regx"]);
    let doc = Attributes(json(r#"{"plan": "pro"}"#));
    assert!(!compiled.eval(&doc));
    let (compiled, _) = compile_with(&AttributesOnly, r#"{"attributes.plan": "pro", "$not": {"nope": null}}"#);
    assert!(compiled.eval(&doc), "a failing unresolved path under $not holds");
    assert_eq!(compiled.fields().len(), 1, "fields() leaves out unresolved paths");
}

fn nested_not(levels: usize) -> Json {
    let mut condition = json(r#"{"a": 1}"#);
    for _ in 0..levels {
        let mut wrapper = Obj::new();
        wrapper.insert("$not", condition);
        condition = Json::Obj(wrapper);
    }
    condition
}

#[test]
fn deep_conditions_are_refused_not_overflowed() {
    let env = CompileEnv { resolver: &PlainResolver, saved_groups: &Obj::new() };
    for levels in [MAX_DEPTH - 2, MAX_DEPTH + 10, 5 * MAX_DEPTH] {
        let mut problems = Problems::new();
        let compiled = Condition::compile(&nested_not(levels), &JsonPath::root(), &env, &mut problems);
        let refused = problems.as_slice().iter().any(|p| p.code == ErrorCode::LimitExceeded);
        assert_eq!(refused, levels >= MAX_DEPTH, "{levels} levels");
        let doc = json(r#"{"a": 1}"#);
        assert_eq!(compiled.eval(&PlainDoc(&doc)), compiled.explain(&PlainDoc(&doc)).held);
    }
    let mut deep_literal = Json::Num(1.0);
    for _ in 0..2 * MAX_DEPTH {
        deep_literal = Json::Arr(vec![deep_literal]);
    }
    let mut condition = Obj::new();
    condition.insert("a", deep_literal);
    let mut problems = Problems::new();
    let compiled = Condition::compile(&Json::Obj(condition), &JsonPath::root(), &env, &mut problems);
    assert_eq!(problems.as_slice().first().map(|p| p.code), Some(ErrorCode::LimitExceeded));
    assert!(!compiled.eval(&PlainDoc(&Json::Null)));
}

#[test]
fn missing_and_null_read_as_null_like_get_path() {
    // The DESIGN example: null compares as 0.
    assert!(holds(r#"{"trend": {"$lt": 0.5}}"#, r#"{"trend": null}"#));
    assert!(holds(r#"{"trend": {"$lt": 0.5}}"#, "{}"));
    assert!(!holds(r#"{"trend": {"$lt": 0.5, "$ne": null}}"#, r#"{"trend": null}"#));
    assert!(holds(r#"{"trend": {"$lt": 0.5, "$ne": null}}"#, r#"{"trend": 0.2}"#));
    assert!(!holds(r#"{"trend": {"$gt": -1, "$ne": null}}"#, "{}"));
    // `null * 1 === 0` and `String(null) === "null"`.
    assert!(holds(r#"{"x": 0}"#, "{}"));
    assert!(holds(r#"{"x": "null"}"#, "{}"));
    assert!(holds(r#"{"x": {"$type": "null"}}"#, "{}"));
    assert!(holds(r#"{"x": {"$exists": false}}"#, r#"{"x": null}"#));
    assert!(holds(r#"{"x": {"$in": [null]}}"#, "{}"));
}

#[test]
fn coercions_follow_javascript() {
    assert!(holds(r#"{"n": "1"}"#, r#"{"n": 1}"#));
    assert!(holds(r#"{"n": "0.5"}"#, r#"{"n": 0.5}"#));
    assert!(!holds(r#"{"n": "1.0"}"#, r#"{"n": 1}"#));
    assert!(holds(r#"{"n": 1}"#, r#"{"n": " 1 "}"#));
    assert!(holds(r#"{"n": 1}"#, r#"{"n": true}"#));
    assert!(holds(r#"{"n": 5}"#, r#"{"n": [5]}"#));
    assert!(holds(r#"{"n": "1,2"}"#, r#"{"n": [1, 2]}"#));
    assert!(holds(r#"{"b": true}"#, r#"{"b": "yes"}"#));
    assert!(!holds(r#"{"b": false}"#, "{}"));
    assert!(holds(r#"{"b": false}"#, r#"{"b": 0}"#));
    assert!(!holds(r#"{"n": {"$eq": "1"}}"#, r#"{"n": 1}"#));
    assert!(!holds(r#"{"n": {"$gt": 1}}"#, r#"{"n": "abc"}"#));
    assert!(!holds(r#"{"n": {"$lte": 1}}"#, r#"{"n": "abc"}"#));
    assert!(holds(r#"{"s": {"$lt": "b"}}"#, r#"{"s": "B"}"#));
    assert!(holds(r#"{"s": {"$gt": "10"}}"#, r#"{"s": "9"}"#));
    // Deep equality is JSON.stringify's: key order matters.
    assert!(holds(r#"{"o": {"a": 1, "b": [1, {"c": null}]}}"#, r#"{"o": {"a": 1, "b": [1, {"c": null}]}}"#));
    assert!(!holds(r#"{"o": {"a": 1, "b": 2}}"#, r#"{"o": {"b": 2, "a": 1}}"#));
    assert!(holds(r#"{"o": {}}"#, r#"{"o": {}}"#));
    assert!(!holds(r#"{"o": {}}"#, r#"{"o": []}"#));
    // Mixed keys make a literal, not operators.
    assert!(holds(r#"{"o": {"$gt": 1, "x": 2}}"#, r#"{"o": {"$gt": 1, "x": 2}}"#));
}

#[test]
fn operators_follow_the_sdk() {
    assert!(holds(r#"{"$or": []}"#, "{}"));
    assert!(!holds(r#"{"$nor": []}"#, "{}"));
    assert!(holds(r#"{"$and": [{}]}"#, "{}"));
    // $elemMatch skips only null elements (as GrowthBook's JS SDK 1.8:
    // 0, "" and false are tested); paths inside are relative.
    assert!(holds(r#"{"a": {"$elemMatch": {"$eq": 0}}}"#, r#"{"a": [0]}"#));
    assert!(holds(r#"{"attributes.tags": {"$elemMatch": {"$ne": "x"}}}"#, r#"{"attributes": {"tags": [""]}}"#));
    assert!(holds(r#"{"a": {"$elemMatch": {"$eq": false}}}"#, r#"{"a": [false]}"#));
    assert!(!holds(r#"{"a": {"$elemMatch": {"$ne": "x"}}}"#, r#"{"a": [null]}"#));
    assert!(!holds(r#"{"a": {"$elemMatch": {"$exists": false}}}"#, r#"{"a": [null]}"#));
    assert!(holds(r#"{"a": {"$elemMatch": {"b.c": {"$gt": 1}}}}"#, r#"{"a": [{"b": {"c": 2}}]}"#));
    assert!(holds(r#"{"a": {"$elemMatch": {"0": "x"}}}"#, r#"{"a": [["x"]]}"#));
    assert!(holds(r#"{"a": {"$elemMatch": {}}}"#, r#"{"a": [0, 1]}"#));
    assert!(holds(r#"{"a": {"$elemMatch": {}}}"#, r#"{"a": [0, ""]}"#));
    assert!(!holds(r#"{"a": {"$elemMatch": {}}}"#, r#"{"a": [null]}"#));
    // $all takes condition values; $alli folds case.
    assert!(holds(r#"{"a": {"$all": [{"$gt": 5}, "x"]}}"#, r#"{"a": ["x", 7]}"#));
    assert!(holds(r#"{"a": {"$all": []}}"#, r#"{"a": []}"#));
    assert!(!holds(r#"{"a": {"$all": []}}"#, r#"{"a": "x"}"#));
    assert!(holds(r#"{"a": {"$alli": ["ÉTÉ"]}}"#, r#"{"a": ["été"]}"#));
    // $ini compares lowercased strings, $in is exact.
    assert!(holds(r#"{"a": {"$ini": ["ΣΑΣ"]}}"#, r#"{"a": "σας"}"#));
    assert!(!holds(r#"{"a": {"$in": ["A"]}}"#, r#"{"a": "a"}"#));
    assert!(!holds(r#"{"a": {"$in": [[1]]}}"#, r#"{"a": [[1]]}"#));
    assert!(holds(r#"{"a": {"$nin": []}}"#, r#"{"a": 1}"#));
    // $size, and an array's length as a path.
    assert!(holds(r#"{"a": {"$size": "2"}}"#, r#"{"a": [1, 2]}"#));
    assert!(holds(r#"{"a.length": {"$gte": 2}}"#, r#"{"a": [1, 2]}"#));
    assert!(holds(r#"{"a.1": 2}"#, r#"{"a": [1, 2]}"#));
    // $regex tests String(value), unanchored.
    assert!(holds(r#"{"n": {"$regex": "^4\\d$"}}"#, r#"{"n": 42}"#));
    assert!(holds(r#"{"n": {"$regex": "ul"}}"#, "{}"));
    assert!(holds(r#"{"n": {"$notRegexi": "^X"}}"#, r#"{"n": "yx"}"#));
    // Versions: numbers are read as text, anything else as "0".
    assert!(holds(r#"{"v": {"$vgt": "1.9"}}"#, r#"{"v": 2}"#));
    assert!(holds(r#"{"v": {"$vlt": "0.0.1"}}"#, "{}"));
    assert!(holds(r#"{"v": {"$veq": "0"}}"#, r#"{"v": ""}"#));
    // $type.
    assert!(holds(r#"{"v": {"$type": "array"}}"#, r#"{"v": []}"#));
    assert!(!holds(r#"{"v": {"$type": "object"}}"#, r#"{"v": []}"#));
    assert!(!holds(r#"{"v": {"$type": "undefined"}}"#, "{}"));
    // Saved groups are copied in at compile time; a non-array group is empty.
    assert!(holds(r#"{"u": {"$inGroup": "staff"}}"#, r#"{"u": ["x", "bob"]}"#));
    assert!(!holds(r#"{"u": {"$inGroup": "odd"}}"#, r#"{"u": 5}"#));
    assert!(holds(r#"{"u": {"$notInGroup": "nope"}}"#, r#"{"u": 5}"#));
}

fn explain(condition: &str, doc: &str) -> Explanation {
    let doc = json(doc);
    compile(condition).0.explain(&PlainDoc(&doc))
}

fn leaves(nodes: &[ClauseNode]) -> Vec<&Clause> {
    let mut out = Vec::new();
    for node in nodes {
        match node {
            ClauseNode::Clause(c) => out.push(c),
            ClauseNode::Group(g) => out.extend(leaves(&g.children)),
        }
    }
    out
}

#[test]
fn explanations_list_every_clause_with_its_value() {
    let e = explain(
        r#"{"signals.reports_7d": {"$gte": 3}, "attributes.role": {"$in": ["owner", "admin"]}, "attributes.plan": "pro"}"#,
        r#"{"signals": {"reports_7d": 1}, "attributes": {"role": "viewer", "plan": "pro"}}"#,
    );
    assert!(!e.held);
    let sentences: Vec<String> = leaves(&e.clauses).iter().map(|c| c.describe()).collect();
    assert_eq!(
        sentences,
        [
            "signals.reports_7d is 1, needs >= 3",
            r#"attributes.role is "viewer", needs one of ["owner","admin"]"#,
            r#"attributes.plan is "pro": holds ($eq "pro")"#,
        ]
    );
    assert_eq!(
        explain(r#"{"t": {"$lt": 0.5}}"#, "{}").clauses.first().map(to_text),
        Some(r#"{"path":"t","op":"$lt","operand":0.5,"actual":null,"held":true}"#.to_string())
    );
}

fn to_text(node: &ClauseNode) -> String {
    node.to_json().to_json_string()
}

#[test]
fn explanations_nest_like_the_condition() {
    let e = explain(
        r#"{"$or": [{"a": 1}, {"b": {"$gt": 2, "$lt": 5}}], "c": {"$not": {"$regex": "^x"}}}"#,
        r#"{"a": 2, "b": 3, "c": "xy"}"#,
    );
    assert_eq!(
        e.to_json().to_json_string(),
        concat!(
            r#"{"held":false,"clauses":["#,
            r#"{"op":"$or","path":"","held":true,"children":["#,
            r#"{"path":"a","op":"$eq","operand":1,"actual":2,"held":false},"#,
            r#"{"op":"$and","path":"","held":true,"children":["#,
            r#"{"path":"b","op":"$gt","operand":2,"actual":3,"held":true},"#,
            r#"{"path":"b","op":"$lt","operand":5,"actual":3,"held":true}]}]},"#,
            r#"{"op":"$not","path":"c","held":false,"children":["#,
            r#"{"path":"c","op":"$regex","operand":"^x","actual":"xy","held":true}]}]}"#
        )
    );
    let e = explain(r#"{"$nor": [{"a": 1}], "$not": {"b": 1, "c": 1}, "$and": []}"#, r#"{"b": 1}"#);
    assert!(e.held);
    let ops: Vec<(&str, bool)> = e
        .clauses
        .iter()
        .filter_map(|n| match n {
            ClauseNode::Group(g) => Some((&*g.op, g.held)),
            ClauseNode::Clause(_) => None,
        })
        .collect();
    assert_eq!(ops, [("$nor", true), ("$not", true), ("$and", true)]);
}

#[test]
fn invalid_parts_explain_as_failed_clauses() {
    let e = explain(r#"{"$or": 5}"#, "{}");
    assert_eq!(
        e.clauses.first().map(to_text),
        Some(r#"{"path":"","op":"$or","operand":5,"actual":null,"held":false}"#.into())
    );
    assert_eq!(leaves(&e.clauses).first().map(|c| c.describe()), Some("$or 5 fails".into()));
}

#[test]
fn fields_lists_document_paths_as_written() {
    let (compiled, _) =
        compile(r#"{"a": 1, "$or": [{"b": {"$gt": 1}}], "$not": {"c": null}, "d": {"$elemMatch": {"e": 1}}}"#);
    let fields: Vec<String> = compiled.fields().iter().map(|f| format!("{} {}", f.path.text, f.test)).collect();
    assert_eq!(fields, ["a 1", r#"b {"$gt":1}"#, "c null", r#"d {"$elemMatch":{"e":1}}"#]);
    assert!(compile("{}").0.is_empty());
    assert!(!compile(r#"{"a": 1}"#).0.is_empty());
}

fn arb_json() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        Just("$eq"),
        Just("$ne"),
        Just("$lt"),
        Just("$gte"),
        Just("$in"),
        Just("$nin"),
        Just("$ini"),
        Just("$all"),
        Just("$alli"),
        Just("$exists"),
        Just("$type"),
        Just("$regex"),
        Just("$regexi"),
        Just("$notRegex"),
        Just("$size"),
        Just("$elemMatch"),
        Just("$not"),
        Just("$and"),
        Just("$or"),
        Just("$nor"),
        Just("$vgt"),
        Just("$veq"),
        Just("$inGroup"),
        Just("$notInGroup"),
        Just("$bogus"),
        Just("a"),
        Just("b"),
        Just("a.b"),
        Just("0"),
        Just("length"),
        Just(""),
    ];
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<f64>().prop_map(Json::Num),
        (-3i32..5).prop_map(|n| Json::Num(f64::from(n))),
        "[a-bA-B0-9.+()*?|\\[\\]^$\\\\-]{0,6}".prop_map(|s| Json::Str(s.into())),
        prop_oneof![Just("staff"), Just("string"), Just("null"), Just("1.2.3")].prop_map(Json::str),
    ];
    leaf.prop_recursive(6, 48, 4, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Arr),
            prop::collection::vec((key.clone(), inner), 0..4)
                .prop_map(|entries| Json::Obj(entries.into_iter().map(|(k, v)| (k.into(), v)).collect())),
        ]
    })
}

proptest! {
    #[test]
    fn garbage_never_panics_and_explain_agrees(condition in arb_json(), doc in arb_json()) {
        let groups = groups();
        let env = CompileEnv { resolver: &PlainResolver, saved_groups: &groups };
        let mut problems = Problems::new();
        let compiled = Condition::compile(&condition, &JsonPath::root(), &env, &mut problems);
        let held = compiled.eval(&PlainDoc(&doc));
        let explanation = compiled.explain(&PlainDoc(&doc));
        prop_assert_eq!(explanation.held, held);
        let _ = explanation.to_json().to_json_string();
        for clause in leaves(&explanation.clauses) {
            let _ = clause.describe();
        }
        let _ = compiled.fields();
        for problem in problems.as_slice() {
            let _ = problem.to_string();
        }
    }
}
