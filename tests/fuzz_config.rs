//! Fuzzing configs and condition documents: no input makes `validate`,
//! `compile` or an engine running a config that compiled panic, hang or
//! disagree with itself.
//!
//! Targets: `config` (mutations of the reference configs, random JSON and
//! broken JSON text) and `condition` (random condition documents with any
//! operator, operand and nesting, placed where a config holds conditions,
//! then evaluated against random attributes and events).
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

mod fuzz_common;

use fuzz_common::*;
use onstage::engine::{Engine, Identity, Interaction, Slots};
use onstage::json::{Json, Obj};
use onstage::problem::Severity;
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use std::sync::Arc;

/// Every problem code the validator may produce.
const PROBLEM_CODES: &[&str] = &[
    "invalid_json",
    "wrong_type",
    "missing_field",
    "unknown_field",
    "unsupported_version",
    "bad_id",
    "duplicate_id",
    "duplicate_key",
    "limit_exceeded",
    "reserved_key",
    "bad_duration",
    "out_of_range",
    "unknown_signal_form",
    "bad_event_selector",
    "field_not_allowed",
    "ratio_cycle",
    "undefined_signal",
    "undefined_segment",
    "undefined_stage",
    "undefined_saved_group",
    "unknown_path_root",
    "segment_cycle",
    "segments_without_ids",
    "unknown_operator",
    "bad_operand",
    "invalid_regex",
    "bad_weights",
    "empty_checklist",
    "empty_tour",
    "null_comparison",
    "no_catch_all_stage",
    "unreachable_stage",
    "unreachable_experience",
    "done_never_holds",
    "done_always_holds",
];

const SMALL: &str = include_str!("fixtures/good-configs/small.json");

#[derive(Clone, Debug)]
enum ConfigInput {
    Doc(Json),
    Text(String),
}

fn arb_config() -> impl Strategy<Value = ConfigInput> {
    let bases = vec![parse(SAAS), parse(POLICY), parse(SMALL), parse(TOURS)];
    let base = prop::sample::select(bases);
    prop_oneof![
        6 => (base.clone(), arb_mutations(6)).prop_map(|(b, m)| ConfigInput::Doc(mutate(&b, &m))),
        1 => arb_json().prop_map(ConfigInput::Doc),
        1 => prop::collection::vec((arb_key(), arb_json()), 0..8).prop_map(|mut fields| {
            fields.insert(0, ("version".into(), Json::Num(1.0)));
            ConfigInput::Doc(obj_of(fields))
        }),
        1 => (prop::sample::select(vec![SAAS, POLICY, SMALL, TOURS]), arb_text_mutations(4))
            .prop_map(|(t, m)| ConfigInput::Text(mutate_text(t, &m))),
        1 => prop::sample::select(&[64usize, 65, 127, 128, 129, 100_000][..])
            .prop_map(|n| ConfigInput::Text(format!("{}{}", "[".repeat(n), "]".repeat(n)))),
    ]
}

/// A few steps of a user: everything an engine does with a config.
fn exercise(config: Arc<onstage::CompiledConfig>) -> Result<(), TestCaseError> {
    let mut e = Engine::new(Arc::clone(&config), "u1").expect("a good user id");
    let identity = Identity {
        attributes: Some(parse(r#"{"id":"u1","role":"admin","plan":"pro"}"#)),
        entitlements: Some(parse(r#"{"seats_active":9,"seats_licensed":10,"limits":{"api_units":100}}"#)),
        tz_offset_minutes: Some(60),
    };
    e.identify(identity, T0).expect("identify");
    let mut t = T0;
    let props = parse(r#"{"provider":"slack","feature":"x","units":5,"audience":"team","score":10}"#);
    for name in
        ["workspace_created", "integration_connected", "report_created", "teammate_invited", "other", "api_call"]
    {
        t += 7 * MIN;
        e.track(name, &props, Some(t - HOUR), t).expect("track");
    }
    let slots: Vec<Box<str>> = config.experiences.slots.iter().map(|s| s.id.clone()).collect();
    for (i, _) in slots.iter().enumerate() {
        let names: Vec<&str> = slots.iter().skip(i).map(|s| &**s).collect();
        e.decide(Slots::Named(&names), t, true).expect("decide known slots");
    }
    let ids: Vec<Box<str>> = config.experiences.experiences.iter().map(|x| x.def.id.clone()).collect();
    for id in &ids {
        t += MIN;
        e.interact(Interaction::Shown, id, t).expect("shown");
    }
    // Every step of every tour, last first; a repeated one changes nothing.
    for exp in config.experiences.experiences.iter().filter(|x| x.is_tour) {
        for step in exp.steps.iter().rev() {
            t += MIN;
            e.advance(&exp.def.id, &step.id, t).expect("advance a step of the config");
            prop_assert!(!e.advance(&exp.def.id, &step.id, t).expect("again"), "a second advanced counts once");
        }
        prop_assert!(
            e.user().interactions.iter().any(|log| log.tour.completed),
            "a tour whose steps are all advanced is completed"
        );
    }
    e.decide(Slots::All, t + 3 * DAY, true).expect("decide");
    e.evaluate(t + 40 * DAY).expect("evaluate");
    let state = e.export_state();
    let (restored, notes) = Engine::restore(Arc::clone(&config), "u1", &state).expect("own state restores");
    prop_assert_eq!(notes, vec![]);
    prop_assert_eq!(restored.export_state().to_json_string(), state.to_json_string());
    // Switching from the reference config to this one and back keeps working.
    let saas = Arc::new(onstage::compile(&parse(SAAS)).expect("saas").config);
    let mut other = Engine::new(saas, "u1").expect("engine");
    other.track("report_created", &Json::Null, None, T0).expect("track");
    other.set_config(Arc::clone(&config));
    other.decide(Slots::All, T0 + MIN, false).expect("decide after set_config");
    Ok(())
}

fn check_problems(problems: &[onstage::problem::Problem]) -> Result<(), TestCaseError> {
    for p in problems {
        prop_assert!(PROBLEM_CODES.contains(&p.code.as_str()), "unknown code {}", p.code);
        prop_assert!(!p.message.is_empty());
        let _ = p.to_string();
    }
    Ok(())
}

#[test]
fn fuzz_config() {
    run("config", cases(300, 1.0), arb_config(), |input| {
        let result = match &input {
            ConfigInput::Doc(doc) => {
                let problems = onstage::validate(doc);
                check_problems(&problems)?;
                let compiled = onstage::compile(doc);
                let has_errors = problems.iter().any(|p| p.severity() == Severity::Error);
                prop_assert_eq!(compiled.is_err(), has_errors, "compile fails exactly when validate has errors");
                compiled
            }
            ConfigInput::Text(text) => onstage::config::compile_text(text),
        };
        match result {
            Ok(c) => {
                check_problems(&c.warnings)?;
                prop_assert!(c.warnings.iter().all(|p| p.severity() == Severity::Warning));
                exercise(Arc::new(c.config))?;
            }
            Err(problems) => {
                check_problems(&problems)?;
                prop_assert!(problems.iter().any(|p| p.severity() == Severity::Error));
            }
        }
        Ok(())
    });
}

// ------------------------------------------------------------ conditions

const OPERATORS: &[&str] = &[
    "$eq",
    "$ne",
    "$lt",
    "$lte",
    "$gt",
    "$gte",
    "$in",
    "$nin",
    "$ini",
    "$nini",
    "$all",
    "$alli",
    "$exists",
    "$type",
    "$regex",
    "$regexi",
    "$notRegex",
    "$notRegexi",
    "$size",
    "$elemMatch",
    "$not",
    "$and",
    "$or",
    "$nor",
    "$veq",
    "$vne",
    "$vgt",
    "$vgte",
    "$vlt",
    "$vlte",
    "$inGroup",
    "$notInGroup",
    "$bogus",
    "$",
    "$where",
];

const PATHS: &[&str] = &[
    "signals.invites",
    "signals.ratio",
    "signals.trend",
    "signals.first",
    "signals.nope",
    "attributes.id",
    "attributes.role",
    "attributes.list",
    "attributes.version",
    "attributes.nested.deep.value",
    "attributes",
    "entitlements.seats",
    "entitlements.limits.api_units",
    "segments",
    "stage",
    "$custom",
    "other.root",
    "",
    "signals.",
    "attributes..x",
];

fn arb_operand() -> impl Strategy<Value = Json> {
    prop_oneof![
        4 => arb_scalar(),
        2 => prop::collection::vec(arb_scalar(), 0..5).prop_map(Json::Arr),
        1 => prop::sample::select(&["admin", "u1", "seg_a", "seg_b", "grp", "missing_group", "s1", "s2"][..])
            .prop_map(Json::from),
        1 => prop::sample::select(
            &["string", "number", "boolean", "array", "object", "null", "undefined", "bigint"][..]
        )
        .prop_map(Json::from),
        1 => arb_json(),
    ]
}

/// A condition document: paths to operator objects or literals, with
/// `$and`/`$or`/`$nor`/`$not` and `$elemMatch` nesting.
fn arb_condition() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        // {path: literal}
        (prop::sample::select(PATHS), arb_operand()).prop_map(|(p, v)| obj_of(vec![(p.into(), v)])),
        // {path: {$op: operand, ...}}
        (prop::sample::select(PATHS), prop::collection::vec((prop::sample::select(OPERATORS), arb_operand()), 1..3))
            .prop_map(|(p, ops)| obj_of(vec![(
                p.into(),
                obj_of(ops.into_iter().map(|(o, v)| (o.to_string(), v)).collect())
            )])),
        Just(obj_of(vec![])),
        arb_json(),
    ];
    leaf.prop_recursive(6, 40, 4, |inner| {
        prop_oneof![
            (prop::sample::select(&["$and", "$or", "$nor"][..]), prop::collection::vec(inner.clone(), 0..4))
                .prop_map(|(op, items)| obj_of(vec![(op.into(), Json::Arr(items))])),
            inner.clone().prop_map(|c| obj_of(vec![("$not".into(), c)])),
            (prop::sample::select(PATHS), inner.clone())
                .prop_map(|(p, c)| obj_of(vec![(p.into(), obj_of(vec![("$elemMatch".into(), c)]))])),
            (prop::sample::select(PATHS), prop::sample::select(&["$not", "$and", "$or"][..]), inner.clone()).prop_map(
                |(p, op, c)| {
                    let operand = if op == "$not" { c } else { Json::Arr(vec![c]) };
                    obj_of(vec![(p.into(), obj_of(vec![(op.into(), operand)]))])
                }
            ),
            prop::collection::vec(inner, 1..3).prop_map(|parts| {
                let mut o = Obj::new();
                for part in parts {
                    if let Json::Obj(p) = part {
                        for (k, v) in p.iter() {
                            o.insert(k, v.clone());
                        }
                    }
                }
                Json::Obj(o)
            }),
        ]
    })
}

/// A small config with a hole for the condition under test.
const TEMPLATE: &str = r#"{
  "version": 1,
  "saved_groups": { "grp": ["u1", "admin", 3, true] },
  "signals": {
    "invites": { "count": "invite" },
    "trend": { "trend": "*", "window": "1d" },
    "first": { "days_since_first": "*" },
    "ratio": { "ratio": ["signals.invites", "entitlements.seats"] },
    "where": { "count": "*", "where": {} }
  },
  "segments": {
    "seg_a": { "when": { "signals.invites": { "$gte": 1 } } },
    "seg_b": { "when": {} }
  },
  "stages": [
    { "id": "s1", "when": {} , "min_dwell": "1h"},
    { "id": "s2", "when": {} }
  ],
  "experiences": [
    { "id": "e1", "slot": "home", "kind": "checklist", "priority": 2, "when": {}, "content": {},
      "items": [ { "id": "i1", "done": {} } ] },
    { "id": "e2", "slot": "home", "kind": "nudge", "priority": 1, "when": {}, "content": {}, "stop_when": {} }
  ]
}"#;

/// Where the condition goes: (pointer into TEMPLATE, what it may read).
const HOLES: &[&[&str]] = &[
    &["segments", "seg_b", "when"],
    &["stages", "0", "when"],
    &["experiences", "0", "when"],
    &["experiences", "0", "items", "0", "done"],
    &["experiences", "1", "stop_when"],
    &["signals", "where", "where"],
];

fn place(condition: &Json, hole: &[&str]) -> Json {
    let mut doc = parse(TEMPLATE);
    let mut node = &mut doc;
    for part in hole {
        node = match node {
            Json::Obj(o) => o.get_mut(part).expect("template key"),
            Json::Arr(a) => &mut a[part.parse::<usize>().expect("index")],
            _ => unreachable!(),
        };
    }
    *node = condition.clone();
    doc
}

#[test]
fn fuzz_condition() {
    let strategy = (
        arb_condition(),
        0..HOLES.len(),
        prop::collection::vec((arb_key(), arb_json()), 0..5),
        prop::collection::vec((prop::sample::select(&["invite", "x", "y"][..]), arb_props()), 0..4),
    );
    run("condition", cases(300, 1.0), strategy, |(condition, hole, attrs, events)| {
        let doc = place(&condition, HOLES[hole]);
        let problems = onstage::validate(&doc);
        check_problems(&problems)?;
        let Ok(compiled) = onstage::compile(&doc) else { return Ok(()) };
        let config = Arc::new(compiled.config);
        let mut e = Engine::new(config, "u1").expect("engine");
        let mut attributes = obj_of(attrs);
        if let Json::Obj(o) = &mut attributes {
            o.insert("id", Json::from("u1"));
            o.insert("list", Json::Arr(vec![Json::from("a"), Json::Num(1.0), Json::Arr(vec![])]));
            o.insert("version", Json::from("1.2.3-rc.1"));
        }
        let identity = Identity {
            attributes: Some(attributes),
            entitlements: Some(parse(r#"{"seats":4,"limits":{"api_units":0}}"#)),
            tz_offset_minutes: None,
        };
        let _ = e.identify(identity, T0);
        let mut t = T0;
        for (name, props) in &events {
            t += MIN;
            let _ = e.track(name, props, None, t);
        }
        let d = e.decide(Slots::All, t, true).expect("decide");
        for s in &d.slots {
            let _ = s.to_json().to_json_string();
        }
        e.evaluate(t + 2 * HOUR).expect("evaluate");
        e.decide(Slots::All, t + 2 * HOUR, false).expect("decide");
        Ok(())
    });
}
