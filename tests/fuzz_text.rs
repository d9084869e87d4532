//! Fuzzing what arrives as text: timelines for `onstage simulate`, event
//! exports for `onstage summarize`, RFC 3339 times, durations and the
//! compact codec of stored state.
//!
//! Targets: `timeline` (random and mutated JSON Lines, `advanced` steps
//! and the three reference timelines included, through
//! `onstage::simulate::simulate`, and exports through
//! `onstage::summary::summarize_export`), `time` (`parse_rfc3339`,
//! `parse_duration`), `codec` (`persist::codec::decode`, `decode_series`).
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

mod fuzz_common;

use fuzz_common::*;
use onstage::json::Json;
use onstage::persist::codec;
use onstage::simulate::{simulate, Options};
use onstage::time::{format_duration, format_rfc3339, parse_duration, parse_rfc3339, MAX_TIME, MIN_TIME};
use proptest::prelude::*;

/// The codes a replay may stop with besides a refused step's.
const TIMELINE_ONLY_CODES: &[&str] = &["invalid_json", "bad_step", "io_error", "limit_exceeded"];

/// A config whose stage rule reads `stage`: the stage moves at every
/// evaluation, so a step that re-evaluated a moment it should reuse shows.
const FLAP: &str = r#"{"version":1,"signals":{"reports":{"count":"report_created"}},
  "stages":[{"id":"b","when":{"stage":"a"}},{"id":"a","when":{}}],
  "segments":{"was_a":{"when":{"stage":"a"}}},
  "experiences":[{"id":"setup_checklist","slot":"home","kind":"checklist","when":{"segments":"was_a"},
    "items":[{"id":"r","label":"Report","done":{"signals.reports":{"$gte":1}}}]}]}"#;

fn flap() -> std::sync::Arc<onstage::CompiledConfig> {
    std::sync::Arc::new(onstage::compile(&parse(FLAP)).expect("flap").config)
}

/// Replays `text` keeping `max_live` users live, applying blocks of
/// `block_lines` lines a user at a time: the printed lines and the outcome
/// (stats or the code that stopped it).
fn replay(
    config: std::sync::Arc<onstage::CompiledConfig>,
    text: &str,
    max_live: usize,
    block_lines: usize,
) -> (String, Result<onstage::simulate::Stats, String>) {
    let mut out = Vec::new();
    let options = Options { reasons: true, max_live_users: max_live, block_lines };
    let result = simulate(config, text.as_bytes(), &mut out, options).map_err(|e| format!("{} {e}", e.code()));
    (String::from_utf8(out).expect("utf-8"), result)
}

/// An `at` text: mostly moving forward from T0, in several offsets and
/// precisions; sometimes broken.
fn at_text(t: i64, style: u8) -> String {
    let base = format_rfc3339(t.clamp(MIN_TIME, MAX_TIME));
    match style % 6 {
        0 => base,
        1 => base.replace(".000Z", "Z").replace('Z', "+00:00"),
        2 => base.replace('Z', "123456Z"),
        3 => base.replace('T', " "),
        4 => base.replace('Z', ""),
        _ => base.replace('Z', "-23:59"),
    }
}

fn arb_step() -> impl Strategy<Value = (u8, i64, u8, Json)> {
    // (user, dt, at style, action)
    let action = prop_oneof![
        5 => (
            prop::sample::select(&["workspace_created", "integration_connected", "report_created", "feature_used", "api_call",
                                   "project_created", "teammate_invited", "filter_applied", ""][..]),
            arb_props(),
            prop::option::of(-DAY - 2 * MIN..6 * MIN),
        )
            .prop_map(|(name, props, ts)| {
                let mut pairs = vec![("track".to_string(), Json::from(name)), ("props".to_string(), props)];
                if let Some(ts) = ts {
                    pairs.push(("timestamp".into(), Json::Num(ts as f64)));
                }
                obj_of(pairs)
            }),
        2 => prop::collection::vec(prop::sample::select(&["home", "sidebar", "banner", "main", "side", "*", "nope"][..]), 0..3)
            .prop_map(|slots| obj_of(vec![(
                "decide".into(),
                Json::Arr(slots.into_iter().map(Json::from).collect())
            )])),
        1 => Just(obj_of(vec![("decide".into(), Json::from("*"))])),
        2 => (prop::sample::select(&["shown", "dismissed", "converted"][..]),
              prop::sample::select(&["setup_checklist", "win_back", "upgrade_seats", "onboarding", "main_tip", "nope"][..]))
            .prop_map(|(k, id)| obj_of(vec![(k.into(), Json::from(id))])),
        1 => (arb_props(), prop::option::of(prop_oneof![arb_number().prop_map(Json::Num), arb_json()]))
            .prop_map(|(attributes, tz)| {
                let mut identity = vec![("attributes".to_string(), attributes)];
                if let Some(tz) = tz {
                    identity.push(("tz_offset_minutes".into(), tz));
                }
                obj_of(vec![("identify".into(), obj_of(identity))])
            }),
        2 => (prop::sample::select(TOUR_IDS), prop_oneof![3 => prop::sample::select(STEP_IDS).prop_map(Json::from), 1 => arb_json()])
            .prop_map(|(tour, step)| obj_of(vec![("advanced".into(), Json::from(tour)), ("step".into(), step)])),
        1 => prop::sample::select(TOUR_IDS).prop_map(|tour| obj_of(vec![("advanced".into(), Json::from(tour))])),
        1 => arb_json().prop_map(|j| obj_of(vec![("import".into(), j)])),
        1 => prop::collection::vec((arb_key(), arb_json()), 0..3).prop_map(obj_of),
    ];
    (0u8..3, prop_oneof![6 => 0i64..HOUR, 2 => Just(0), 1 => -HOUR..0, 1 => 0..10 * DAY], 0u8..12, action)
}

#[derive(Clone, Debug)]
enum TimelineInput {
    /// Steps of three users; with the config whose stage flaps when `.1` is 0,
    /// saas.json when 1, the tours config when 2.
    Steps(Vec<(u8, i64, u8, Json)>, u8),
    /// 0: the saas timeline, 1: policy, 2: tours.
    Mutated(u8, Vec<TextMutation>),
    Export(Vec<(u8, i64, u8, Json)>),
}

fn timeline_text(steps: &[(u8, i64, u8, Json)]) -> String {
    let mut t = T0;
    let mut out = String::new();
    for (user, dt, style, action) in steps {
        t += dt;
        let mut line = match action {
            Json::Obj(o) => o.clone(),
            _ => Default::default(),
        };
        // A numeric timestamp becomes an RFC 3339 one relative to `at`.
        if let Some(Json::Num(d)) = line.get("timestamp").cloned() {
            line.insert("timestamp", Json::from(at_text(t + d as i64, *style / 2)));
        }
        let user = Json::from(["u1", "u2", ""][*user as usize % 3]);
        // `user` first (as JSON.stringify writes a timeline's lines, and as
        // a replay groups them by user) or after the step's keys.
        let user_first = style % 2 == 1;
        if style % 11 != 10 && !user_first {
            line.insert("user", user.clone());
        }
        line.insert("at", Json::from(at_text(t, if *style < 8 { 0 } else { *style })));
        let text = Json::Obj(line).to_json_string();
        if style % 11 != 10 && user_first {
            out.push_str("{\"user\":");
            out.push_str(&user.to_json_string());
            out.push(',');
            out.push_str(text.strip_prefix('{').unwrap_or(&text));
        } else {
            out.push_str(&text);
        }
        out.push('\n');
    }
    out
}

fn export_text(steps: &[(u8, i64, u8, Json)]) -> String {
    let mut t = T0 - 5 * DAY;
    let mut out = String::new();
    for (user, dt, style, action) in steps {
        t += dt;
        let name = action.get("track").cloned().unwrap_or(Json::from("report_created"));
        let props = action.get("props").cloned().unwrap_or(Json::Null);
        let line = obj_of(vec![
            ("user".into(), Json::from(["u1", "u2", ""][*user as usize % 3])),
            ("name".into(), name),
            ("at".into(), Json::from(at_text(t, if *style < 9 { 0 } else { *style }))),
            ("props".into(), props),
        ]);
        out.push_str(&line.to_json_string());
        out.push('\n');
    }
    out
}

/// Lines applied a user at a time, in blocks of any size, print what they
/// print applied one after the other (a block of one line), up to the
/// same line that stops the replay with the same error.
fn same_in_blocks(config: &std::sync::Arc<onstage::CompiledConfig>, text: &str) -> Result<(), TestCaseError> {
    let one_by_one = replay(std::sync::Arc::clone(config), text, usize::MAX, 1);
    for block_lines in [2, 7, Options::default().block_lines] {
        let grouped = replay(std::sync::Arc::clone(config), text, usize::MAX, block_lines);
        prop_assert_eq!(&grouped.0, &one_by_one.0, "blocks of {} lines changed the lines", block_lines);
        prop_assert_eq!(&grouped.1, &one_by_one.1, "blocks of {} lines changed the outcome", block_lines);
    }
    Ok(())
}

#[test]
fn fuzz_timeline() {
    let strategy = prop_oneof![
        4 => (prop::collection::vec(arb_step(), 1..25), 0u8..3).prop_map(|(s, c)| TimelineInput::Steps(s, c)),
        3 => (0u8..3, arb_text_mutations(5)).prop_map(|(p, m)| TimelineInput::Mutated(p, m)),
        2 => prop::collection::vec(arb_step(), 1..25).prop_map(TimelineInput::Export),
    ];
    run("timeline", cases(300, 1.0), strategy, |input| {
        let (config, text) = match &input {
            // The steps' slots and experiences are of saas.json and of the
            // tours config: run them against either (or the flapping one).
            TimelineInput::Steps(steps, which) => {
                let config = match which {
                    0 => flap(),
                    1 => saas(),
                    _ => tours(),
                };
                let text = timeline_text(steps);
                // Users put away after every step replay exactly as users kept live.
                let kept = replay(std::sync::Arc::clone(&config), &text, usize::MAX, Options::default().block_lines);
                let parked = replay(std::sync::Arc::clone(&config), &text, 1, Options::default().block_lines);
                prop_assert_eq!(&kept.0, &parked.0, "putting users away changed the lines");
                prop_assert_eq!(&kept.1, &parked.1, "putting users away changed the outcome");
                same_in_blocks(&config, &text)?;
                (config, text)
            }
            TimelineInput::Mutated(which, m) => {
                let (config, text) = match which {
                    0 => (saas(), mutate_text(SAAS_TIMELINE, m)),
                    1 => (policy(), mutate_text(POLICY_TIMELINE, m)),
                    _ => (tours(), mutate_text(TOURS_TIMELINE, m)),
                };
                same_in_blocks(&config, &text)?;
                (config, text)
            }
            TimelineInput::Export(steps) => {
                let text = export_text(steps);
                let mut out = Vec::new();
                match onstage::summary::summarize_export(&saas(), text.as_bytes(), &mut out, T0) {
                    Ok(users) => {
                        let lines = String::from_utf8(out).expect("utf-8");
                        prop_assert_eq!(lines.lines().count(), users);
                        // Each summary imports into a fresh engine of its user.
                        for line in lines.lines() {
                            let summary = parse(line);
                            let user = summary.get("user").and_then(Json::as_str).expect("user").to_string();
                            let mut e = onstage::Engine::new(saas(), &user).expect("engine");
                            e.import_summary(&summary, T0 + MIN).map_err(|err| {
                                proptest::test_runner::TestCaseError::fail(format!("own summary refused: {err}"))
                            })?;
                        }
                    }
                    Err(e) => prop_assert!(e.to_string().starts_with("line "), "{e}"),
                }
                return Ok(());
            }
        };
        let mut out = Vec::new();
        match simulate(config, text.as_bytes(), &mut out, Options { reasons: true, ..Options::default() }) {
            Ok(stats) => {
                let printed = String::from_utf8(out).expect("utf-8");
                prop_assert_eq!(printed.lines().count(), stats.decisions);
                for line in printed.lines() {
                    let doc = parse(line);
                    prop_assert!(doc.get("decisions").is_some());
                }
            }
            Err(e) => {
                prop_assert!(
                    STEP_CODES.contains(&e.code().as_str()) || TIMELINE_ONLY_CODES.contains(&e.code().as_str()),
                    "unknown code {}",
                    e.code()
                );
                prop_assert!(e.to_string().starts_with("line "), "{e}");
            }
        }
        Ok(())
    });
}

fn arb_time_text() -> impl Strategy<Value = String> {
    let valid = (MIN_TIME..=MAX_TIME, 0u8..6).prop_map(|(t, style)| at_text(t, style));
    prop_oneof![
        3 => (valid.clone(), arb_text_mutations(2)).prop_map(|(t, m)| mutate_text(&t, &m)),
        2 => valid,
        2 => "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{0,12})?([Zz]|[+-][0-9]{2}:[0-9]{2})?",
        1 => "[0-9T:.Zz+\\- ]{0,40}",
        1 => arb_string(),
    ]
}

fn arb_duration_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[0-9]{0,22}[mhdwsMHDW]?",
        1 => "[-+ ]?[0-9]{1,4}(\\.[0-9])?[mhdw ]{0,2}",
        1 => arb_string(),
        1 => (0u64..u64::MAX, prop::sample::select(&["m", "h", "d", "w"][..])).prop_map(|(n, u)| format!("{n}{u}")),
    ]
}

#[test]
fn fuzz_time() {
    run("time", cases(2000, 4.0), (arb_time_text(), arb_duration_text()), |(time, duration)| {
        if let Ok(t) = parse_rfc3339(&time) {
            prop_assert!((MIN_TIME..=MAX_TIME).contains(&t), "{time} -> {t}");
            prop_assert_eq!(parse_rfc3339(&format_rfc3339(t)), Ok(t), "{} round trip", time);
        }
        if let Ok(d) = parse_duration(&duration) {
            prop_assert!(d > 0 && d <= 3653 * DAY, "{duration} -> {d}");
            prop_assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
        Ok(())
    });
}

#[derive(Clone, Debug)]
enum CodecInput {
    Text(String),
    Numbers(Vec<u64>),
    Series(Vec<(u32, u64)>),
}

#[test]
fn fuzz_codec() {
    let strategy = prop_oneof![
        3 => "[A-Za-z0-9_\\-]{0,40}".prop_map(CodecInput::Text),
        1 => "[A-Za-z0-9_\\-!é ]{0,20}".prop_map(CodecInput::Text),
        1 => prop::sample::select(&["", "_", "g", "A", "__________________", "_____________P", "____________PA", "ggggggggggggggggggggggggA"][..])
            .prop_map(|s| CodecInput::Text(s.into())),
        2 => prop::collection::vec(prop_oneof![any::<u64>(), 0u64..64, Just(u64::MAX)], 0..20).prop_map(CodecInput::Numbers),
        2 => prop::collection::vec((1u32..100_000, any::<u64>()), 0..20).prop_map(CodecInput::Series),
    ];
    run("codec", cases(2000, 4.0), strategy, |input| {
        match input {
            CodecInput::Text(text) => {
                if let Some(nums) = codec::decode(&text) {
                    prop_assert_eq!(codec::decode(&codec::encode(nums.clone())), Some(nums));
                }
                if let Some(series) = codec::decode_series(&text) {
                    for pair in series.windows(2) {
                        prop_assert!(pair[0].0 < pair[1].0, "times increase");
                    }
                    prop_assert!(series.iter().all(|(t, _)| (0..=MAX_TIME).contains(t)));
                    prop_assert_eq!(codec::decode_series(&codec::encode_series(series.clone())), Some(series));
                }
            }
            CodecInput::Numbers(nums) => {
                prop_assert_eq!(codec::decode(&codec::encode(nums.clone())), Some(nums));
            }
            CodecInput::Series(gaps) => {
                let mut t = T0 / MIN * MIN;
                let items: Vec<(i64, u64)> = gaps
                    .iter()
                    .map(|&(gap, v)| {
                        t += gap as i64 * MIN;
                        (t, v)
                    })
                    .collect();
                prop_assert_eq!(codec::decode_series(&codec::encode_series(items.clone())), Some(items));
            }
        }
        Ok(())
    });
}

/// serde_json's reading of a text, in the core's JSON (None: refused).
/// Its recursion limit is 128; the core's is `MAX_DEPTH`, checked apart.
fn serde_reading(text: &str) -> Option<Json> {
    fn convert(v: &serde_json::Value) -> Json {
        match v {
            serde_json::Value::Null => Json::Null,
            serde_json::Value::Bool(b) => Json::Bool(*b),
            serde_json::Value::Number(n) => Json::Num(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Json::str(s),
            serde_json::Value::Array(a) => Json::Arr(a.iter().map(convert).collect()),
            serde_json::Value::Object(o) => {
                let mut out = onstage::json::Obj::new();
                for (k, v) in o {
                    out.insert(k.as_str(), convert(v));
                }
                Json::Obj(out)
            }
        }
    }
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    Some(convert(&value))
}

/// The core's JSON reader (`onstage::json::read`, used for configs, stored
/// states and timelines, natively and in wasm) against serde_json: every
/// text one accepts the other accepts with the same value, and both
/// refuse the same texts; no text makes it panic.
#[test]
fn fuzz_json_reader() {
    let strategy = (arb_json(), arb_text_mutations(3), any::<bool>(), 0u8..3);
    run("json", cases(2000, 4.0), strategy, |(doc, mutations, mutate, spacing)| {
        let mut text = doc.to_json_string();
        if spacing == 1 {
            // Whitespace between tokens: the pretty form.
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                text = format!(" \r\n{}\t", serde_json::to_string_pretty(&v).unwrap_or_default());
            }
        }
        if mutate {
            text = mutate_text(&text, &mutations);
        }
        let ours = onstage::json::read(&text);
        if let Ok(read) = &ours {
            prop_assert!(read.value.depth() <= onstage::json::MAX_DEPTH);
        }
        let theirs = serde_reading(&text);
        if theirs.as_ref().map_or(0, Json::depth) > onstage::json::MAX_DEPTH {
            prop_assert!(ours.is_err(), "deeper than MAX_DEPTH is refused");
        } else {
            // serde_json keeps the last duplicate key too, but at the last one's place in
            // its (sorted) map: compare as JSON values with keys in order.
            let ours_value = ours.as_ref().ok().map(|d| sorted(&d.value));
            prop_assert_eq!(ours_value, theirs.map(|v| sorted(&v)), "{}", text);
        }
        if !mutate && spacing != 1 && doc.depth() <= onstage::json::MAX_DEPTH {
            // What the core writes, it reads back (non-finite numbers are written as null).
            prop_assert_eq!(ours.map(|d| d.value.to_json_string()).ok(), Some(doc.to_json_string()));
        }
        Ok(())
    });
}

fn sorted(v: &Json) -> Json {
    match v {
        Json::Arr(a) => Json::Arr(a.iter().map(sorted).collect()),
        Json::Obj(o) => {
            let mut pairs: Vec<(&str, Json)> = o.iter().map(|(k, v)| (k, sorted(v))).collect();
            pairs.sort_by(|a, b| a.0.cmp(b.0));
            let mut out = onstage::json::Obj::new();
            for (k, v) in pairs {
                out.insert(k, v);
            }
            Json::Obj(out)
        }
        other => other.clone(),
    }
}
