//! Compiled plans (`onstage::plan`): a config read back from its plan
//! replays every shared timeline exactly as the config itself; a plan is
//! a fixed point of write(read(...)); a plan of another version, a text
//! that is not a plan and a damaged plan are refused with `invalid_plan`,
//! never a panic.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

mod support;

use onstage::plan::{self, PlanError};
use onstage::{CompiledConfig, ErrorCode};
use proptest::prelude::*;
use std::sync::{Arc, OnceLock};

use support::{read, OURS, SHARED};

fn compile(path: &str) -> CompiledConfig {
    onstage::config::compile_text(&read(path)).unwrap_or_else(|p| panic!("{path}: {p:#?}")).config
}

/// The replay's output, as text.
fn replay(config: CompiledConfig, timeline: &str, reasons: bool) -> String {
    let mut out = Vec::new();
    onstage::simulate::simulate(
        Arc::new(config),
        timeline.as_bytes(),
        &mut out,
        onstage::simulate::Options { reasons, ..Default::default() },
    )
    .unwrap_or_else(|e| panic!("{e}"));
    String::from_utf8(out).unwrap()
}

/// (config, timeline) of the shared reference timelines and of ours.
fn timelines() -> Vec<(String, String)> {
    let mut out = vec![
        (format!("{SHARED}/saas.json"), format!("{SHARED}/timelines/saas.timeline.jsonl")),
        (format!("{SHARED}/timelines/policy.config.json"), format!("{SHARED}/timelines/policy.timeline.jsonl")),
        (format!("{SHARED}/timelines/tours.config.json"), format!("{SHARED}/timelines/tours.timeline.jsonl")),
    ];
    for entry in std::fs::read_dir(OURS).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(stem) = name.strip_suffix(".timeline.jsonl") else { continue };
        let config = read(&format!("{OURS}/{stem}.config")).trim().to_string();
        out.push((format!("{}/{config}", env!("CARGO_MANIFEST_DIR")), format!("{OURS}/{name}")));
    }
    out
}

#[test]
fn every_timeline_replays_from_the_plan_exactly_as_from_the_config() {
    let mut compared = 0;
    for (config, timeline) in timelines() {
        let text = plan::write(&compile(&config));
        assert!(text.starts_with(&format!("{{\"onstage_plan\":1,\"version\":\"{}\",", env!("CARGO_PKG_VERSION"))));
        assert!(plan::is_plan(&text));
        let steps = read(&timeline);
        for reasons in [false, true] {
            let from_config = replay(compile(&config), &steps, reasons);
            let from_plan = replay(plan::read(&text).unwrap_or_else(|e| panic!("{config}: {e}")), &steps, reasons);
            assert!(from_config.lines().count() > 10, "{timeline}");
            assert!(from_config == from_plan, "{timeline} (reasons {reasons}) replays otherwise from the plan");
            compared += 1;
        }
    }
    assert!(compared >= 6);
}

#[test]
fn a_plan_is_a_fixed_point_of_read_and_write() {
    let mut configs: Vec<String> = timelines().into_iter().map(|(c, _)| c).collect();
    for dir in [format!("{}/tests/fixtures/good-configs", env!("CARGO_MANIFEST_DIR")), SHARED.to_string()] {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path().to_string_lossy().to_string();
            if path.ends_with(".json") && onstage::config::compile_text(&read(&path)).is_ok() {
                configs.push(path);
            }
        }
    }
    assert!(configs.len() > 6, "{configs:?}");
    for config in configs {
        let text = plan::write(&compile(&config));
        let again = plan::write(&plan::read(&text).unwrap_or_else(|e| panic!("{config}: {e}")));
        assert!(text == again, "{config}: the plan of the plan differs");
        // A plan is read by load_text as well, with no warnings.
        let loaded = onstage::config::load_text(&format!("\n  {text}")).unwrap();
        assert!(loaded.warnings.is_empty());
        assert!(plan::write(&loaded.config) == text);
    }
}

fn saas_plan() -> &'static str {
    static PLAN: OnceLock<String> = OnceLock::new();
    PLAN.get_or_init(|| plan::write(&compile(&format!("{SHARED}/saas.json"))))
}

#[test]
fn a_plan_of_another_version_or_format_is_refused_with_compile_again() {
    let text = saas_plan();
    let ours = format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    for other in [
        text.replacen(&ours, "\"version\":\"0.0.1-old\"", 1),
        text.replacen("{\"onstage_plan\":1,", "{\"onstage_plan\":2,", 1),
        // Another version's body need not read as ours at all.
        r#"{"onstage_plan":1,"version":"0.0.1-old","plan":{"x":[[[["deep"]]]]}}"#.to_string(),
    ] {
        let err = plan::read(&other).err().unwrap();
        assert_eq!(err.code(), ErrorCode::InvalidPlan);
        assert!(matches!(err, PlanError::OtherVersion { .. }), "{err:?}");
        let message = err.to_string();
        assert!(message.contains("compile the config again with `onstage compile`"), "{message}");
        assert!(message.contains(env!("CARGO_PKG_VERSION")), "{message}");
    }
    let err = plan::read(&text.replacen(&ours, "\"version\":\"0.0.1-old\"", 1)).err().unwrap();
    assert!(err.to_string().contains("made by onstage 0.0.1-old; this is"), "{err}");
    // load_text turns it into one problem at the root.
    let problems = onstage::config::load_text(&text.replacen(&ours, "\"version\":\"9.9.9\"", 1)).err().unwrap();
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].code, ErrorCode::InvalidPlan);
    assert!(problems[0].is_error());
}

#[test]
fn what_is_not_a_plan_is_refused() {
    let config = read(&format!("{SHARED}/saas.json"));
    assert!(!plan::is_plan(&config));
    for text in [config.as_str(), "", "{}", "[]", " {\"onstage\":1}", "null"] {
        assert_eq!(plan::read(text).err(), Some(PlanError::NotAPlan), "{text}");
    }
    // A config is still compiled by load_text.
    assert!(onstage::config::load_text(&config).is_ok());
    assert!(plan::read("{\"onstage_plan\":1}").is_err());
    let text = saas_plan();
    assert_eq!(plan::read(&text.replacen("\"plan\":[", "\"plan\":[1,", 1)).err(), Some(PlanError::Damaged));
    assert_eq!(plan::read(&format!("{text} x")).err(), Some(PlanError::Damaged));
    assert_eq!(plan::read(&text[..text.len() - 1]).err(), Some(PlanError::Damaged));
}

/// The plan of saas.json with the value at `path` (indexes into the
/// positional arrays, from the body `plan`) replaced by `with`.
fn saas_plan_with(path: &[usize], with: onstage::json::Json) -> String {
    use onstage::json::Json;
    let mut doc = onstage::json::parse(saas_plan()).unwrap();
    let Json::Obj(top) = &mut doc else { panic!("a plan is an object") };
    let mut at = top.get_mut("plan").unwrap();
    for &i in path {
        let Json::Arr(items) = at else { panic!("no array at {path:?}") };
        at = &mut items[i];
    }
    *at = with;
    doc.to_json_string()
}

#[test]
fn an_index_out_of_its_list_is_refused_not_skipped() {
    use onstage::json::Json;
    // Body: [signals, segments, stages, experiences, policy]; segments are
    // [segments, order], experiences [experiences, tours, slots].
    for (path, what) in
        [(&[1usize, 1, 0][..], "a segment's place in the order"), (&[3, 2, 0, 1, 0], "a slot's experience")]
    {
        assert!(plan::read(&saas_plan_with(path, Json::Num(0.0))).is_ok(), "{what}: an index in range reads");
        let damaged = saas_plan_with(path, Json::Num(999.0));
        assert_eq!(plan::read(&damaged).err(), Some(PlanError::Damaged), "{what}");
    }
}

/// The first lines of the saas timeline: what a damaged plan that still
/// reads is run on.
fn short_timeline() -> &'static str {
    static STEPS: OnceLock<String> = OnceLock::new();
    STEPS.get_or_init(|| {
        let all = read(&format!("{SHARED}/timelines/saas.timeline.jsonl"));
        let mut out = String::new();
        for line in all.lines().take(60) {
            out.push_str(line);
            out.push('\n');
        }
        out
    })
}

/// The byte ranges of the numbers of a text (outside strings, roughly:
/// digits after `[`, `,` or `:`).
fn numbers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if matches!(bytes[i], b'[' | b',' | b':') && bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit() || *b == b'-')
        {
            let start = i + 1;
            let mut end = start + 1;
            while bytes.get(end).is_some_and(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-')) {
                end += 1;
            }
            out.push((start, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

#[derive(Debug, Clone)]
enum Damage {
    Truncate(usize),
    Byte(usize, u8),
    Swap(usize, usize),
    Number(usize, i64),
    Remove(usize, usize),
}

fn damage(text: &str, d: &Damage) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    let len = bytes.len();
    match *d {
        Damage::Truncate(at) => bytes.truncate(at % len),
        Damage::Byte(at, b) => bytes[at % len] = b,
        Damage::Remove(at, n) => {
            let at = at % len;
            bytes.drain(at..(at + n).min(len));
        }
        Damage::Swap(a, b) => {
            let nums = numbers(text);
            let (x, y) = (nums[a % nums.len()], nums[b % nums.len()]);
            let (first, second) = if x.0 <= y.0 { (x, y) } else { (y, x) };
            if first != second {
                let mut out = Vec::with_capacity(len);
                out.extend_from_slice(&bytes[..first.0]);
                out.extend_from_slice(&bytes[second.0..second.1]);
                out.extend_from_slice(&bytes[first.1..second.0]);
                out.extend_from_slice(&bytes[first.0..first.1]);
                out.extend_from_slice(&bytes[second.1..]);
                bytes = out;
            }
        }
        Damage::Number(a, n) => {
            let nums = numbers(text);
            let (start, end) = nums[a % nums.len()];
            let mut out = Vec::with_capacity(len);
            out.extend_from_slice(&bytes[..start]);
            out.extend_from_slice(n.to_string().as_bytes());
            out.extend_from_slice(&bytes[end..]);
            bytes = out;
        }
    }
    bytes
}

fn damages() -> impl Strategy<Value = Damage> {
    prop_oneof![
        any::<usize>().prop_map(Damage::Truncate),
        (
            any::<usize>(),
            prop_oneof![Just(b'0'), Just(b'9'), Just(b'['), Just(b']'), Just(b'"'), Just(b','), any::<u8>()]
        )
            .prop_map(|(a, b)| Damage::Byte(a, b)),
        (any::<usize>(), 1usize..40).prop_map(|(a, n)| Damage::Remove(a, n)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Damage::Swap(a, b)),
        (any::<usize>(), prop_oneof![-2i64..300, Just(127), Just(128), Just(255), Just(256), Just(1 << 40)])
            .prop_map(|(a, n)| Damage::Number(a, n)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn a_damaged_plan_is_refused_or_runs_without_a_panic(d in damages()) {
        let bytes = damage(saas_plan(), &d);
        let Ok(text) = String::from_utf8(bytes) else { return Ok(()) };
        match plan::read(&text) {
            Err(e) => prop_assert_eq!(e.code(), ErrorCode::InvalidPlan),
            Ok(config) => {
                let mut out = Vec::new();
                let _ = onstage::simulate::simulate(
                    Arc::new(config),
                    short_timeline().as_bytes(),
                    &mut out,
                    onstage::simulate::Options { reasons: true, ..Default::default() },
                );
            }
        }
    }
}

/// A signal's stored data is kept across a config update only while its
/// definition's fingerprint is unchanged: the fingerprint is computed once
/// at compile time and carried by the plan, with the value states stored
/// before always had (pinned here: `invites` is `{"count":
/// "teammate_invited"}`, FNV-1a of its text), so a state saved under the config restores
/// under its plan, and back, with every signal kept.
#[test]
fn stored_states_restore_across_the_config_and_its_plan() {
    use onstage::json::{parse, Json};
    use onstage::Engine;
    let config = Arc::new(compile(&format!("{SHARED}/saas.json")));
    let from_plan = Arc::new(plan::read(saas_plan()).unwrap());
    let at = onstage::time::parse_rfc3339("2026-03-01T00:00:00Z").unwrap();
    let mut e = Engine::new(Arc::clone(&config), "u1").unwrap();
    e.track("teammate_invited", &Json::Null, None, at).unwrap();
    e.track("report_created", &Json::Null, None, at).unwrap();
    let state = e.export_state();
    let def = |s: &Json| s.get("signals").and_then(|x| x.get("invites")).and_then(|x| x.get("def")).cloned();
    assert_eq!(def(&state), Some(Json::str("5b00a463c5acfd4a")));
    let (restored, notes) =
        Engine::restore(Arc::clone(&from_plan), "u1", &parse(&state.to_json_string()).unwrap()).unwrap();
    assert_eq!(notes, vec![]);
    assert!(restored.export_state() == state);
    let (back, notes) = Engine::restore(config, "u1", &restored.export_state()).unwrap();
    assert_eq!(notes, vec![]);
    assert!(back.export_state() == state);
}

/// The deepest conditions and contents a config can hold still give a
/// plan that reads (a plan nests deeper than its config: the reader's
/// depth limit is `plan::MAX_PLAN_DEPTH`, not the config's 64).
#[test]
fn the_deepest_configs_give_plans_that_read() {
    let shapes: [(&str, &str, &str); 6] = [
        ("{\"$not\":", "}", "{\"signals.invites\":{\"$gte\":1}}"),
        ("{\"$and\":[", "]}", "{\"signals.invites\":{\"$gte\":1}}"),
        ("{\"$or\":[{},", "]}", "{\"signals.invites\":{\"$gte\":1}}"),
        ("{\"attributes.a\":{\"$elemMatch\":", "}}", "{\"b\":1}"),
        ("{\"$nor\":[", "]}", "{\"attributes.a\":{\"$not\":{\"$not\":{\"$eq\":1}}}}"),
        ("{\"attributes.a\":{\"$elemMatch\":{\"$not\":", "}}}", "{\"$eq\":1}"),
    ];
    let mut deepest = 0;
    for (open, close, base) in shapes {
        let config = |n: usize, place: &str| {
            let cond = format!("{}{base}{}", open.repeat(n), close.repeat(n));
            let content = format!("{}1{}", "{\"x\":".repeat(n), "}".repeat(n));
            let (segment, item, step) = match place {
                "segment" => (cond.as_str(), "{}", "{}"),
                "item" => ("{}", cond.as_str(), "{}"),
                _ => ("{}", "{}", cond.as_str()),
            };
            format!(
                r#"{{"version":1,"signals":{{"invites":{{"count":"teammate_invited","where":{segment}}}}},
                "segments":{{"s":{{"when":{segment}}}}},"stages":[{{"id":"all","when":{{}}}}],
                "experiences":[{{"id":"c","slot":"a","kind":"checklist","priority":1,"when":{{}},"content":{{}},
                  "items":[{{"id":"i","done":{item}}}]}},
                  {{"id":"t","slot":"a","kind":"tour","priority":1,"when":{segment},"content":{{"y":{content}}},
                  "steps":[{{"id":"s1","content":{content},"done":{step}}}]}}]}}"#
            )
        };
        for place in ["segment", "item", "step"] {
            let mut n = 1;
            while onstage::config::compile_text(&config(n + 1, place)).is_ok() {
                n += 1;
            }
            assert!(n > 10, "{open}: {}", config(n, place));
            let compiled = onstage::config::compile_text(&config(n, place)).unwrap().config;
            let text = plan::write(&compiled);
            let depth = onstage::json::read_with_depth(&text, usize::MAX).unwrap().value.depth();
            deepest = deepest.max(depth);
            let back = plan::read(&text).unwrap_or_else(|e| panic!("{open} in {place} ({n} deep, plan {depth}): {e}"));
            assert!(plan::write(&back) == text);
        }
    }
    assert!(deepest <= plan::MAX_PLAN_DEPTH, "{deepest}");
    eprintln!("deepest plan: {deepest} levels (limit {})", plan::MAX_PLAN_DEPTH);
}
