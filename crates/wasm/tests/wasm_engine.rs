//! The engine in headless Chromium: the contract's reference timelines
//! (saas, policy, tours) replay to the same lines as natively, and the JavaScript binding
//! refuses bad input with coded `Error`s. Both modules of the crate: the
//! page's (feature `engine`: engines from a compiled plan) and, with
//! `--features compiler` (scripts/test.sh runs it so), the compiler's
//! (`compileConfig`, `validateConfig`) and the two together.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(target_arch = "wasm32")]

#[path = "../../../tests/support/mod.rs"]
mod support;

use onstage::engine::Engine;
use onstage::json::Json;
use onstage::timeline::{apply, parse_step, step_time};
use onstage_wasm::{json_from_js, WasmConfig, WasmEngine};
use std::collections::HashMap;
use std::sync::Arc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const SAAS: &str = include_str!("../../../../shared/examples/saas.json");
const SAAS_TIMELINE: &str = include_str!("../../../../shared/examples/timelines/saas.timeline.jsonl");
const SAAS_EXPECTED: &str = include_str!("../../../../shared/examples/timelines/saas.expected.jsonl");
const POLICY: &str = include_str!("../../../../shared/examples/timelines/policy.config.json");
const POLICY_TIMELINE: &str = include_str!("../../../../shared/examples/timelines/policy.timeline.jsonl");
const POLICY_EXPECTED: &str = include_str!("../../../../shared/examples/timelines/policy.expected.jsonl");
const TOURS: &str = include_str!("../../../../shared/examples/timelines/tours.config.json");
const TOURS_TIMELINE: &str = include_str!("../../../../shared/examples/timelines/tours.timeline.jsonl");
const TOURS_EXPECTED: &str = include_str!("../../../../shared/examples/timelines/tours.expected.jsonl");

/// JSON text to the core's JSON, through the browser's own `JSON.parse`.
fn parse(text: &str) -> Json {
    json_from_js(&js_sys::JSON::parse(text).expect("valid JSON")).expect("a JSON value")
}

fn lines(text: &str) -> Vec<Json> {
    text.lines().filter(|l| !l.trim().is_empty()).map(parse).collect()
}

fn replay(config: &str, timeline: &str) -> Vec<Json> {
    replay_under(Arc::new(onstage::compile(&parse(config)).expect("valid config").config), timeline)
}

fn replay_under(config: Arc<onstage::config::CompiledConfig>, timeline: &str) -> Vec<Json> {
    let mut engines: HashMap<String, Engine> = HashMap::new();
    let mut out = Vec::new();
    for (n, step) in lines(timeline).iter().enumerate() {
        let (user, at_text, step) = parse_step(step).unwrap_or_else(|e| panic!("line {}: {e:?}", n + 1));
        let at = step_time(at_text).unwrap();
        let engine = engines.entry(user.to_string()).or_insert_with(|| Engine::new(Arc::clone(&config), user).unwrap());
        if let Some(line) = apply(engine, step, at, at_text, false).unwrap_or_else(|e| panic!("line {}: {e:?}", n + 1))
        {
            out.push(line);
        }
    }
    out
}

#[wasm_bindgen_test]
fn the_saas_timeline_replays_in_the_browser_as_natively() {
    support::assert_same_lines("saas", &lines(SAAS_EXPECTED), &replay(SAAS, SAAS_TIMELINE));
}

#[wasm_bindgen_test]
fn the_policy_timeline_replays_in_the_browser_as_natively() {
    support::assert_same_lines("policy", &lines(POLICY_EXPECTED), &replay(POLICY, POLICY_TIMELINE));
}

#[wasm_bindgen_test]
fn the_tours_timeline_replays_in_the_browser_as_natively() {
    support::assert_same_lines("tours", &lines(TOURS_EXPECTED), &replay(TOURS, TOURS_TIMELINE));
}

fn js(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap()
}

/// The plan of a config, written as `onstage compile` writes it.
fn plan_of(text: &str) -> String {
    onstage::plan::write(&onstage::config::compile_text(text).expect("a valid config").config)
}

fn config(text: &str) -> WasmConfig {
    WasmConfig::new(&plan_of(text)).expect("a valid plan")
}

fn code_of(err: JsValue) -> String {
    assert!(err.is_instance_of::<js_sys::Error>(), "a real Error");
    js_sys::Reflect::get(&err, &"code".into()).unwrap().as_string().unwrap_or_default()
}

const T0: f64 = 1_772_000_000_000.0;
const DAY: f64 = 86_400_000.0;

#[wasm_bindgen_test]
fn the_binding_walks_a_user_to_activation() {
    let mut engine = WasmEngine::new(&config(SAAS), "u1".into()).unwrap();
    engine.identify(js(r#"{"attributes":{"id":"u1","role":"admin"},"tz_offset_minutes":60}"#), T0).unwrap();
    let first = parse(&engine.evaluate(T0).unwrap());
    assert_eq!(first.get("stage"), Some(&Json::str("onboarding")));
    engine.track("workspace_created".into(), JsValue::UNDEFINED, JsValue::UNDEFINED, T0 + 60_000.0).unwrap();
    engine
        .track("integration_connected".into(), js(r#"{"provider":"slack"}"#), JsValue::UNDEFINED, T0 + 120_000.0)
        .unwrap();
    engine.track("report_created".into(), JsValue::NULL, JsValue::UNDEFINED, T0 + 180_000.0).unwrap();
    let later = parse(&engine.evaluate(T0 + DAY).unwrap());
    assert_eq!(later.get("stage"), Some(&Json::str("activation")));
    assert_eq!(later.get("signals").and_then(|s| s.get("setup_steps")), Some(&Json::Num(3.0)));
    // Sorted, as simulate prints them (config order: average_user, then admin).
    assert_eq!(later.get("segments"), Some(&Json::Arr(vec![Json::str("admin"), Json::str("average_user")])));
    let notices = parse(&engine.take_notices());
    let changes: Vec<_> = notices.as_arr().unwrap().iter().filter_map(|n| n.get("to")).collect();
    assert_eq!(changes, vec![&Json::str("onboarding"), &Json::str("activation")]);
    let decision = parse(&engine.decide("*".into(), T0 + DAY, true, true, None).unwrap().unwrap());
    assert_eq!(decision.get("sidebar").and_then(|d| d.get("experience")), Some(&Json::str("try_automations")));
    assert!(decision.get("home").and_then(|d| d.get("reasons")).is_some_and(|r| r.as_arr().is_some()));
}

/// `decide` with `reuse`: `undefined` exactly when the text would be that
/// of the previous call that took part; a call with reasons, a config
/// switch or a caller that holds nothing (`Some(false)`) gets the text.
#[wasm_bindgen_test]
fn decide_hands_back_nothing_only_when_the_text_would_be_the_same() {
    let compiled = config(SAAS);
    let mut engine = WasmEngine::new(&compiled, "u1".into()).unwrap();
    engine.identify(js(r#"{"attributes":{"id":"u1","role":"owner"}}"#), T0).unwrap();
    let events =
        ["page_view", "workspace_created", "page_view", "integration_connected", "report_created", "page_view"];
    let mut t = T0;
    let mut held: Option<String> = None;
    let (mut same, mut changed) = (0, 0);
    for name in events {
        t += 60_000.0;
        let props = if name == "integration_connected" { js(r#"{"provider":"slack"}"#) } else { JsValue::UNDEFINED };
        engine.track(name.into(), props, JsValue::UNDEFINED, t).unwrap();
        for _ in 0..3 {
            t += 1.0;
            // Without `reuse`: always the text, and the memo is left alone.
            let fresh = engine.decide("*".into(), t, false, false, None).unwrap().unwrap();
            match engine.decide("*".into(), t, false, true, Some(held.is_some())).unwrap() {
                None => {
                    assert_eq!(held.as_deref(), Some(&*fresh));
                    same += 1;
                }
                Some(text) => {
                    assert_eq!(text, fresh);
                    held = Some(text);
                    changed += 1;
                }
            }
        }
    }
    // The checklist's items moved, then it left (activation): each time a text.
    assert!(same >= 10 && changed >= 3, "same {same}, changed {changed}");
    t += 1.0;
    assert!(engine.decide("*".into(), t, false, true, Some(true)).unwrap().is_none());
    assert!(engine.decide("*".into(), t, false, true, Some(false)).unwrap().is_some());
    assert!(engine.decide("*".into(), t, true, true, Some(true)).unwrap().is_some());
    assert!(engine.decide("*".into(), t, false, true, Some(true)).unwrap().is_some());
    engine.set_config(&compiled);
    assert!(engine.decide("*".into(), t, false, true, Some(true)).unwrap().is_some());
    assert!(engine.decide("*".into(), t, false, true, Some(true)).unwrap().is_none());
}

#[wasm_bindgen_test]
fn bad_input_gets_coded_errors_and_is_not_stored() {
    let mut engine = WasmEngine::new(&config(SAAS), "u1".into()).unwrap();
    let fails = |r: Result<(), JsValue>| code_of(r.unwrap_err());
    assert_eq!(fails(engine.track("".into(), JsValue::UNDEFINED, JsValue::UNDEFINED, T0)), "bad_event_name");
    assert_eq!(fails(engine.track(JsValue::from(3), JsValue::UNDEFINED, JsValue::UNDEFINED, T0)), "bad_event_name");
    assert_eq!(
        fails(engine.track("x".repeat(129).into(), JsValue::UNDEFINED, JsValue::UNDEFINED, T0)),
        "bad_event_name"
    );
    let function = js_sys::Function::new_no_args("return 1");
    let props = js_sys::Object::new();
    js_sys::Reflect::set(&props, &"f".into(), &function).unwrap();
    assert_eq!(fails(engine.track("api_call".into(), props.into(), JsValue::UNDEFINED, T0)), "bad_props");
    assert_eq!(fails(engine.track("api_call".into(), js(r#"{"a":{"b":1}}"#), JsValue::UNDEFINED, T0)), "bad_props");
    assert_eq!(fails(engine.track("api_call".into(), js("[1]"), JsValue::UNDEFINED, T0)), "bad_props");
    assert_eq!(fails(engine.track("api_call".into(), JsValue::UNDEFINED, JsValue::from(f64::NAN), T0)), "bad_time");
    assert_eq!(
        fails(engine.track("api_call".into(), JsValue::UNDEFINED, JsValue::from(T0 + 6.0 * 60_000.0), T0)),
        "timestamp_in_future"
    );
    assert_eq!(
        fails(engine.track("api_call".into(), JsValue::UNDEFINED, JsValue::from(T0 - DAY - 1.0), T0)),
        "timestamp_too_old"
    );
    assert_eq!(
        fails(engine.track("api_call".into(), JsValue::UNDEFINED, JsValue::UNDEFINED, f64::INFINITY)),
        "bad_time"
    );
    assert_eq!(code_of(engine.shown("nope", T0).unwrap_err()), "unknown_experience");
    assert_eq!(code_of(engine.decide("footer".into(), T0, false, true, None).unwrap_err()), "unknown_slot");
    // Nothing was stored: every signal still reads as for a new user.
    let e = parse(&engine.evaluate(T0).unwrap());
    assert_eq!(e.get("signals").and_then(|s| s.get("api_units_30d")), Some(&Json::Num(0.0)));
    assert_eq!(e.get("signals").and_then(|s| s.get("days_since_active")), Some(&Json::Null));
}

#[wasm_bindgen_test]
fn a_tour_advances_through_the_binding_and_refuses_unknown_ids_with_codes() {
    let mut engine = WasmEngine::new(&config(TOURS), "u1".into()).unwrap();
    engine.identify(js(r#"{"attributes":{"id":"u1","plan":"free"}}"#), T0).unwrap();
    let main = |e: &mut WasmEngine, t: f64| {
        parse(&e.decide("main".into(), t, true, true, None).unwrap().unwrap()).get("main").cloned()
    };
    let first = main(&mut engine, T0).unwrap();
    assert_eq!(first.get("step"), Some(&Json::str("create_project")));
    // Out of order: the third step first, then the first; twice counts once.
    assert!(engine.advanced("onboarding".into(), "connect".into(), T0 + 1_000.0).unwrap());
    assert!(!engine.advanced("onboarding".into(), "connect".into(), T0 + 2_000.0).unwrap());
    assert!(engine.advanced("onboarding".into(), "create_project".into(), T0 + 3_000.0).unwrap());
    let now = main(&mut engine, T0 + 4_000.0).unwrap();
    assert_eq!(now.get("step"), Some(&Json::str("invite")));
    assert_eq!(now.get("content").and_then(|c| c.get("cta")), Some(&Json::str("Invite")));
    // A decision of another kind has no `step` key.
    let footer = parse(&engine.decide("footer".into(), T0 + 4_000.0, false, true, None).unwrap().unwrap());
    assert_eq!(footer.get("footer").and_then(|d| d.get("step")), None);
    let fails = |r: Result<bool, JsValue>| code_of(r.unwrap_err());
    assert_eq!(fails(engine.advanced("nope".into(), "x".into(), T0 + 5_000.0)), "unknown_tour");
    assert_eq!(fails(engine.advanced("main_tip".into(), "x".into(), T0 + 5_000.0)), "unknown_tour");
    assert_eq!(fails(engine.advanced(JsValue::from(5), "x".into(), T0 + 5_000.0)), "unknown_tour");
    assert_eq!(fails(engine.advanced("onboarding".into(), "nope".into(), T0 + 5_000.0)), "unknown_step");
    assert_eq!(fails(engine.advanced("onboarding".into(), JsValue::NULL, T0 + 5_000.0)), "unknown_step");
    // Progress is in the exported state and survives a restore.
    let state = engine.export_state();
    let restored = WasmEngine::restore(&config(TOURS), "u1".into(), &state).unwrap();
    assert_eq!(restored.export_state(), state);
}

#[wasm_bindgen_test]
fn the_page_module_reads_plans_only_and_refuses_anything_else_as_invalid_plan() {
    assert_eq!(code_of(WasmEngine::new(&config(SAAS), "".into()).err().unwrap()), "bad_user_id");
    let plan = plan_of(SAAS);
    assert!(plan.starts_with(r#"{"onstage_plan":1,"version":""#), "{}", &plan[..40]);
    // A raw config, garbage, a plan cut short: each refused, coded.
    for text in [SAAS, "", "{", "not json", "[]", &plan[..plan.len() / 2], r#"{"onstage_plan":1}"#] {
        let err = WasmConfig::new(text).err().unwrap_or_else(|| panic!("{text:.40} was read as a plan"));
        assert_eq!(code_of(err), "invalid_plan", "{text:.40}");
    }
}

#[cfg(feature = "compiler")]
mod compiler {
    use super::*;

    fn compiled(text: &str) -> (String, String) {
        let out = onstage_wasm::compile_config(text).map_err(code_of).unwrap();
        let get = |k: &str| js_sys::Reflect::get(&out, &k.into()).unwrap().as_string().unwrap();
        (get("plan"), get("warnings"))
    }

    #[wasm_bindgen_test]
    fn compile_config_writes_the_plan_onstage_compile_writes() {
        for text in [SAAS, POLICY, TOURS] {
            let (plan, warnings) = compiled(text);
            assert_eq!(plan, plan_of(text));
            assert_eq!(warnings, onstage_wasm::validate_config(text));
        }
    }

    /// The compiler module's plan, read back as the page's module reads
    /// it: the contract's timelines replay to the expected lines.
    #[wasm_bindgen_test]
    fn a_config_compiled_to_its_plan_decides_as_the_config_itself() {
        for (name, text, timeline, expected) in [
            ("saas", SAAS, SAAS_TIMELINE, SAAS_EXPECTED),
            ("policy", POLICY, POLICY_TIMELINE, POLICY_EXPECTED),
            ("tours", TOURS, TOURS_TIMELINE, TOURS_EXPECTED),
        ] {
            let (plan, _) = compiled(text);
            let read = Arc::new(onstage::plan::read(&plan).unwrap());
            support::assert_same_lines(name, &lines(expected), &replay_under(read, timeline));
            // The binding reads it as well (the engines above read it in the core).
            assert!(WasmConfig::new(&plan).is_ok(), "{name}");
        }
    }

    #[wasm_bindgen_test]
    fn a_bad_config_is_refused_with_every_problem() {
        let err = onstage_wasm::compile_config(r#"{"version":2,"stages":[{"id":"a","when":{"x.y":1}}],"extra":true}"#)
            .err()
            .unwrap();
        assert_eq!(code_of(err.clone()), "invalid_config");
        let problems = js_sys::Reflect::get(&err, &"problems".into()).unwrap();
        let problems = json_from_js(&problems).unwrap();
        let codes: Vec<_> = problems
            .as_arr()
            .unwrap()
            .iter()
            .filter(|p| p.get("severity") == Some(&Json::str("error")))
            .filter_map(|p| p.get("code")?.as_str())
            .collect();
        assert_eq!(codes.len(), 3, "{codes:?}");
        assert!(
            codes.contains(&"unsupported_version")
                && codes.contains(&"unknown_field")
                && codes.contains(&"unknown_path_root")
        );
        assert_eq!(onstage_wasm::validate_config(SAAS), "[]");
        // A config given as text is read in wasm: a key given twice is found,
        // where JSON.parse would have kept the last silently.
        let twice = SAAS.replacen(r#""signals": {"#, r#""signals": {"invites": {"count": "x"}, "#, 1);
        let problems = parse(&onstage_wasm::validate_config(&twice));
        let found: Vec<_> = problems
            .as_arr()
            .unwrap()
            .iter()
            .map(|p| (p.get("code").and_then(Json::as_str), p.get("path").and_then(Json::as_str)))
            .collect();
        assert_eq!(found, vec![(Some("duplicate_key"), Some("signals.invites"))]);
        assert_eq!(code_of(onstage_wasm::compile_config(&twice).err().unwrap()), "invalid_config");
    }
}

#[wasm_bindgen_test]
fn binding_reports_version() {
    assert_eq!(onstage_wasm::version(), env!("CARGO_PKG_VERSION"));
}
