//! The validator: saas.json accepted unchanged, every problem of a broken
//! config reported at once with its path and code, warnings that do not
//! refuse.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::json::{parse, Json};
use onstage::problem::Problem;
use std::collections::BTreeSet;

const SHARED: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared");

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn saas() -> Json {
    parse(&read(&format!("{SHARED}/examples/saas.json"))).unwrap()
}

fn problems_of(doc: &Json) -> Vec<Problem> {
    onstage::validate(doc)
}

/// `(code, path)` pairs, for comparing.
fn pairs(problems: &[Problem]) -> BTreeSet<(String, String)> {
    problems.iter().map(|p| (p.code.as_str().to_string(), p.path.to_string())).collect()
}

/// Sets the value at `path` (object keys, or array indexes as text),
/// creating objects on the way.
fn set(doc: &mut Json, path: &[&str], value: Json) {
    let Some((last, parents)) = path.split_last() else { return };
    let mut cur = doc;
    for key in parents {
        cur = match cur {
            Json::Obj(o) => {
                if o.get(key).is_none() {
                    o.insert(*key, Json::Obj(Default::default()));
                }
                o.get_mut(key).unwrap()
            }
            Json::Arr(a) => &mut a[key.parse::<usize>().unwrap()],
            _ => panic!("cannot walk into {key}"),
        };
    }
    match cur {
        Json::Obj(o) => o.insert(*last, value),
        Json::Arr(a) => a[last.parse::<usize>().unwrap()] = value,
        _ => panic!("cannot set {last}"),
    }
}

/// The config is refused, with exactly these `(code, path)` problems.
fn assert_refused_with(doc: &Json, problems: &[Problem], want: &[(&str, &str)]) {
    let want: BTreeSet<(String, String)> = want.iter().map(|(c, p)| (c.to_string(), p.to_string())).collect();
    assert_eq!(pairs(problems), want, "{problems:#?}");
    assert!(onstage::compile(doc).is_err());
}

#[test]
fn the_reference_config_is_accepted_without_warnings() {
    let compiled = onstage::compile(&saas()).unwrap_or_else(|p| panic!("saas.json refused: {p:#?}"));
    assert!(compiled.warnings.is_empty(), "{:#?}", compiled.warnings);
    assert_eq!(compiled.config.signals.len(), 16);
    assert_eq!(compiled.config.stages.stages.len(), 6);
}

#[test]
fn the_policy_timeline_config_is_accepted() {
    let doc = parse(&read(&format!("{SHARED}/examples/timelines/policy.config.json"))).unwrap();
    assert_eq!(problems_of(&doc), vec![]);
}

#[test]
fn each_bad_fixture_gets_its_codes() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bad-configs");
    let expected = parse(&read(&format!("{dir}/expected.json"))).unwrap();
    let expected = expected.as_obj().unwrap();
    assert!(expected.len() >= 12);
    for (file, codes) in expected.iter() {
        let doc = parse(&read(&format!("{dir}/{file}"))).unwrap();
        let got: BTreeSet<&str> = problems_of(&doc).iter().filter(|p| p.is_error()).map(|p| p.code.as_str()).collect();
        let want: BTreeSet<&str> = codes.as_arr().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
        assert_eq!(got, want, "{file}");
    }
}

#[test]
fn a_broken_config_lists_every_problem_with_its_path() {
    let mut doc = saas();
    set(&mut doc, &["signals", "reports_7d", "window"], Json::str("7days"));
    set(&mut doc, &["signals", "bogus"], onstage::obj! { "counts" => "x" });
    set(&mut doc, &["signals", "api_usage_ratio", "window"], Json::str("7d"));
    set(
        &mut doc,
        &["segments", "power_user", "when", "segments"],
        onstage::obj! { "$in" => Json::Arr(vec![Json::str("nope")]) },
    );
    set(
        &mut doc,
        &["segments", "a"],
        onstage::obj! { "when" => onstage::obj! { "segments" => onstage::obj! { "$in" => Json::Arr(vec![Json::str("b")]) } } },
    );
    set(
        &mut doc,
        &["segments", "b"],
        onstage::obj! { "when" => onstage::obj! { "segments" => onstage::obj! { "$in" => Json::Arr(vec![Json::str("a")]) } } },
    );
    set(&mut doc, &["policy", "min_gap_between_prompts"], Json::str("10 minutes"));
    set(&mut doc, &["experiences", "0", "when", "stage"], Json::str("onbording"));
    set(&mut doc, &["experiences", "1", "extra"], Json::Num(1.0));
    set(&mut doc, &["experiences", "3", "experiment", "variations", "0", "weight"], Json::Num(0.5));
    let problems = problems_of(&doc);
    let want = [
        ("bad_duration", "signals.reports_7d.window"),
        ("unknown_signal_form", "signals.bogus"),
        ("field_not_allowed", "signals.api_usage_ratio.window"),
        ("undefined_segment", "segments.power_user.when.segments.$in[0]"),
        ("segment_cycle", "segments.a.when"),
        ("segment_cycle", "segments.b.when"),
        ("bad_duration", "policy.min_gap_between_prompts"),
        ("undefined_stage", "experiences[0].when.stage"),
        ("unknown_field", "experiences[1].extra"),
        ("bad_weights", "experiences[3].experiment.variations"),
    ];
    assert_refused_with(&doc, &problems, &want);
}

#[test]
fn surprising_but_legal_configs_get_warnings_not_errors() {
    let mut doc = saas();
    // An order comparison that holds for a null trend, without a guard.
    set(&mut doc, &["stages", "1", "when", "signals.activity_trend"], onstage::obj! { "$lt" => 0.5 });
    // A last stage that is not the catch-all.
    set(&mut doc, &["stages", "5", "when"], onstage::obj! { "signals.invites" => onstage::obj! { "$gte" => 0.0 } });
    let compiled = onstage::compile(&doc).expect("warnings do not refuse");
    let got = pairs(&compiled.warnings);
    assert!(
        got.contains(&("null_comparison".into(), r#"stages[1].when["signals.activity_trend"].$lt"#.into())),
        "{got:?}"
    );
    assert!(got.contains(&("no_catch_all_stage".into(), "stages[5]".into())), "{got:?}");
}

#[test]
fn guarded_and_non_null_comparisons_do_not_warn() {
    let mut doc = saas();
    set(
        &mut doc,
        &["stages", "1", "when", "signals.activity_trend"],
        onstage::obj! { "$lt" => 0.5, "$ne" => Json::Null },
    );
    set(&mut doc, &["stages", "1", "when", "signals.days_since_active"], onstage::obj! { "$gt" => 3.0 });
    set(&mut doc, &["stages", "1", "when", "signals.reports_7d"], onstage::obj! { "$lt" => 3.0 });
    assert_eq!(onstage::compile(&doc).unwrap().warnings, vec![]);
}

#[test]
fn stages_after_the_catch_all_and_experiences_needing_them_are_flagged() {
    let mut doc = saas();
    let Json::Obj(root) = &mut doc else { panic!() };
    let mut stages = root.remove("stages").unwrap();
    if let Json::Arr(list) = &mut stages {
        list.push(onstage::obj! { "id" => "ghost", "when" => onstage::obj! { "signals.invites" => 3.0 } });
    }
    root.insert("stages", stages);
    set(&mut doc, &["experiences", "4", "when"], onstage::obj! { "stage" => "ghost" });
    let got = pairs(&onstage::compile(&doc).unwrap().warnings);
    assert!(got.contains(&("unreachable_stage".into(), "stages[6]".into())), "{got:?}");
    assert!(got.contains(&("unreachable_experience".into(), "experiences[4].when".into())), "{got:?}");
}

#[test]
fn references_cycles_and_duplicates() {
    let mut doc = saas();
    set(
        &mut doc,
        &["signals", "r1"],
        onstage::obj! { "ratio" => Json::Arr(vec![Json::str("signals.r2"), Json::str("signals.invites")]) },
    );
    set(
        &mut doc,
        &["signals", "r2"],
        onstage::obj! { "ratio" => Json::Arr(vec![Json::str("signals.r1"), Json::str("signals.invites")]) },
    );
    set(
        &mut doc,
        &["signals", "r3"],
        onstage::obj! { "ratio" => Json::Arr(vec![Json::str("signals.missing"), Json::str("stage")]) },
    );
    set(
        &mut doc,
        &["segments", "vague"],
        onstage::obj! { "when" => onstage::obj! { "segments" => onstage::obj! { "$size" => 2.0 } } },
    );
    set(&mut doc, &["experiences", "1", "id"], Json::str("setup_checklist"));
    set(&mut doc, &["experiences", "0", "items", "1", "id"], Json::str("workspace"));
    let got = pairs(&problems_of(&doc));
    for (code, path) in [
        ("ratio_cycle", "signals.r1.ratio"),
        ("ratio_cycle", "signals.r2.ratio"),
        ("undefined_signal", "signals.r3.ratio[0]"),
        ("unknown_path_root", "signals.r3.ratio[1]"),
        ("segments_without_ids", "segments.vague.when"),
        ("duplicate_id", "experiences[1].id"),
        ("duplicate_id", "experiences[0].items[1].id"),
    ] {
        assert!(got.contains(&(code.into(), path.into())), "missing {code} at {path} in {got:#?}");
    }
}

#[test]
fn a_key_given_twice_is_a_problem_at_its_path() {
    // Two signals with one id, two segments with one id, and a field given
    // twice inside a condition: JSON would keep only the last of each.
    let text = read(&format!("{SHARED}/examples/saas.json"))
        .replacen(r#""when": {"#, r#""when": {"stage": "a", "stage": "b", "#, 1)
        .replacen(r#""signals": {"#, r#""signals": {"invites": {"count": "x"}, "#, 1)
        .replacen(r#""segments": {"#, r#""segments": {"admin": {"when": {}}, "#, 1);
    let problems = onstage::config::validate_text(&text);
    let got = pairs(&problems);
    for path in ["signals.invites", "segments.admin"] {
        assert!(got.contains(&("duplicate_key".into(), path.into())), "missing duplicate_key at {path} in {got:#?}");
    }
    let in_condition: Vec<_> = problems
        .iter()
        .filter(|p| p.code.as_str() == "duplicate_key" && p.path.to_string().ends_with(".stage"))
        .collect();
    assert_eq!(in_condition.len(), 1, "{problems:#?}");
    assert!(onstage::config::compile_text(&text).is_err(), "refused");
    // The same config without the repeats is accepted.
    assert!(onstage::config::validate_text(&read(&format!("{SHARED}/examples/saas.json"))).is_empty());
}

#[test]
fn limits_are_enforced() {
    let mut doc = saas();
    let deep = (0..100).fold(Json::Num(1.0), |inner, _| onstage::obj! { "$and" => Json::Arr(vec![inner]) });
    set(&mut doc, &["segments", "deep"], onstage::obj! { "when" => deep });
    let got = problems_of(&doc);
    assert!(got.iter().any(|p| p.code.as_str() == "limit_exceeded"), "{got:#?}");
    let huge = " ".repeat(onstage::config::MAX_CONFIG_BYTES + 1);
    let err = onstage::config::compile_text(&huge).unwrap_err();
    assert_eq!(err[0].code.as_str(), "limit_exceeded");
    let err = onstage::config::compile_text("{not json").unwrap_err();
    assert_eq!(err[0].code.as_str(), "invalid_json");
}

#[test]
fn condition_problems_are_reported_with_their_paths() {
    let mut doc = saas();
    set(&mut doc, &["experiences", "0", "when", "signals.nope"], Json::Num(1.0));
    set(&mut doc, &["experiences", "0", "when", "attributes.plan"], onstage::obj! { "$foo" => 1.0 });
    set(&mut doc, &["experiences", "1", "when", "attributes.email"], onstage::obj! { "$regex" => "(a" });
    set(&mut doc, &["experiences", "1", "when", "attributes.name"], onstage::obj! { "$regex" => "^(?=x)" });
    set(&mut doc, &["experiences", "2", "when", "attributes.id"], onstage::obj! { "$inGroup" => "nobody" });
    set(&mut doc, &["experiences", "2", "when", "browser.name"], Json::str("x"));
    set(&mut doc, &["signals", "shares_30d", "where", "audience"], onstage::obj! { "$in" => "team" });
    set(&mut doc, &["segments", "admin", "when", "stage"], Json::str("onbording"));
    let got = pairs(&problems_of(&doc));
    for (code, path) in [
        ("undefined_signal", r#"experiences[0].when["signals.nope"]"#),
        ("unknown_operator", r#"experiences[0].when["attributes.plan"].$foo"#),
        ("invalid_regex", r#"experiences[1].when["attributes.email"].$regex"#),
        ("invalid_regex", r#"experiences[1].when["attributes.name"].$regex"#),
        ("undefined_saved_group", r#"experiences[2].when["attributes.id"].$inGroup"#),
        ("unknown_path_root", r#"experiences[2].when["browser.name"]"#),
        ("bad_operand", "signals.shares_30d.where.audience.$in"),
        ("undefined_stage", "segments.admin.when.stage"),
    ] {
        assert!(got.contains(&(code.into(), path.into())), "missing {code} at {path} in {got:#?}");
    }
}

/// Tours: every problem of their steps at once, with paths; the lints on
/// `done` conditions are warnings.
#[test]
fn tour_problems_are_listed_with_their_paths() {
    let doc = parse(
        r#"{"version": 1,
            "signals": {"tasks": {"count": "task_done"}, "flow": {"funnel": ["a", "b", "c"]},
                        "days": {"active_days": "task_done", "window": "7d"}},
            "segments": {"pro": {"when": {"attributes.plan": "pro"}}},
            "stages": [{"id": "any", "when": {}}],
            "experiences": [
              {"id": "t1", "slot": "top", "kind": "tour", "priority": 1, "when": {}, "content": {}},
              {"id": "t2", "slot": "top", "kind": "tour", "priority": 1, "when": {}, "content": {}, "steps": []},
              {"id": "t3", "slot": "top", "kind": "tour", "priority": 1, "when": {}, "content": {}, "steps": [
                 {"id": "a", "done": {"signals.tasks": {"$lt": 0}}},
                 {"id": "a"},
                 {"id": "b", "done": {"signals.nope": {"$gte": 1}}},
                 {"id": "c", "done": {}},
                 {"id": "d", "done": {"$and": [{"signals.flow": {"$gte": 4}}]}},
                 {"id": "e", "content": "x"},
                 {"id": "f", "done": {"segments": {"$in": ["ghost"]}, "stage": "nowhere"}},
                 {"id": "g", "done": {"signals.days": 9}},
                 {"id": "h", "label": "no labels on steps"},
                 {"done": {}},
                 {"id": "bad id"}]},
              {"id": "n", "slot": "side", "kind": "nudge", "priority": 1, "when": {}, "content": {},
               "steps": [{"id": "x"}]},
              {"id": "c", "slot": "side", "kind": "checklist", "priority": 1, "when": {}, "content": {},
               "items": [{"id": "i", "done": {"signals.tasks": 0.5}}], "steps": [{"id": "x"}]},
              {"id": "t4", "slot": "top", "kind": "tour", "priority": 1, "when": {}, "content": {},
               "items": [{"id": "i", "done": {}}], "steps": [{"id": "x"}]}
            ]}"#,
    )
    .unwrap();
    let problems = problems_of(&doc);
    let want = [
        ("empty_tour", "experiences[0]"),
        ("empty_tour", "experiences[1].steps"),
        ("done_never_holds", r#"experiences[2].steps[0].done["signals.tasks"].$lt"#),
        ("duplicate_id", "experiences[2].steps[1].id"),
        ("undefined_signal", r#"experiences[2].steps[2].done["signals.nope"]"#),
        ("done_always_holds", "experiences[2].steps[3].done"),
        ("done_never_holds", r#"experiences[2].steps[4].done.$and[0]["signals.flow"].$gte"#),
        ("wrong_type", "experiences[2].steps[5].content"),
        ("undefined_segment", "experiences[2].steps[6].done.segments.$in[0]"),
        ("undefined_stage", "experiences[2].steps[6].done.stage"),
        ("done_never_holds", r#"experiences[2].steps[7].done["signals.days"]"#),
        ("unknown_field", "experiences[2].steps[8].label"),
        ("missing_field", "experiences[2].steps[9]"),
        ("bad_id", "experiences[2].steps[10].id"),
        ("field_not_allowed", "experiences[3].steps"),
        ("field_not_allowed", "experiences[4].steps"),
        ("done_never_holds", r#"experiences[4].items[0].done["signals.tasks"]"#),
        ("field_not_allowed", "experiences[5].items"),
    ];
    assert_refused_with(&doc, &problems, &want);
}

#[test]
fn the_tours_timeline_config_is_accepted_without_warnings() {
    let doc = parse(&read(&format!("{SHARED}/examples/timelines/tours.config.json"))).unwrap();
    let compiled = onstage::compile(&doc).unwrap_or_else(|p| panic!("{p:#?}"));
    assert_eq!(compiled.warnings, vec![]);
    assert_eq!(compiled.config.experiences.tours.len(), 3);
}

#[test]
fn a_tour_of_33_steps_is_over_the_limit() {
    let steps: Vec<String> = (0..33).map(|i| format!(r#"{{"id": "s{i}"}}"#)).collect();
    let doc = parse(&format!(
        r#"{{"version": 1, "stages": [{{"id": "any", "when": {{}}}}],
            "experiences": [{{"id": "t", "slot": "top", "kind": "tour", "priority": 1, "when": {{}},
                              "content": {{}}, "steps": [{}]}}]}}"#,
        steps.join(",")
    ))
    .unwrap();
    assert_eq!(pairs(&problems_of(&doc)), [("limit_exceeded".to_string(), "experiences[0].steps".to_string())].into());
    let ok = parse(&doc.to_json_string().replace(r#",{"id":"s32"}"#, "")).unwrap();
    assert_eq!(problems_of(&ok), vec![]);
}
