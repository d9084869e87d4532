//! Hostile and broken inputs natively (issue 10): wide objects build in
//! linear time, regex cost is bounded at validation and at evaluation,
//! reserved keys are refused in content, stored times in the future are
//! clamped. The browser side is `tests/e2e/hardening.test.mjs`; the CLI's
//! is `crates/cli/tests/limits.rs`.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
#![cfg(not(target_arch = "wasm32"))]

use onstage::json::{parse, Json, Obj};

/// `{"k0": 0, "k1": 1, …}` with `n` keys, then `"k0"` again.
fn wide_object_text(n: usize) -> String {
    let mut text = String::from("{");
    for i in 0..n {
        text.push_str(&format!("\"k{i}\":{i},"));
    }
    text.push_str("\"k0\":\"last\"}");
    text
}

// 300,000 keys: with a lookup per insert this took minutes (45 billion key
// comparisons); building is now linear in the keys.
#[test]
fn a_wide_object_parses_in_linear_time_keeping_json_parse_semantics() {
    let n = 300_000;
    let v = parse(&wide_object_text(n)).unwrap();
    let o = v.as_obj().unwrap();
    assert_eq!(o.len(), n);
    // A repeated key: the last value wins, at the first position (JSON.parse).
    assert_eq!(o.keys().next(), Some("k0"));
    assert_eq!(o.get("k0"), Some(&Json::from("last")));
    assert_eq!(o.get(&format!("k{}", n - 1)), Some(&Json::Num((n - 1) as f64)));
}

#[test]
fn a_wide_object_collects_in_linear_time() {
    let n = 300_000;
    let pairs = (0..n).map(|i| (Box::from(format!("k{}", i % (n / 2)).as_str()), Json::Num(i as f64)));
    let o: Obj = pairs.collect();
    assert_eq!(o.len(), n / 2);
    assert_eq!(o.get("k0"), Some(&Json::Num((n / 2) as f64)), "the later duplicate wins");
    assert_eq!(o.keys().nth(1), Some("k1"), "in first-seen order");
}

// ------------------------------------------------------------------ time

mod time {
    use onstage::engine::{Engine, Slots};
    use onstage::json::{parse, Json};
    use onstage::time::{DAY, MINUTE};
    use std::sync::Arc;

    const SAAS: &str = include_str!("../../shared/examples/saas.json");
    const T0: i64 = 1_772_000_000_000;
    const YEAR: i64 = 365 * DAY;

    fn saas() -> Arc<onstage::CompiledConfig> {
        Arc::new(onstage::compile(&parse(SAAS).unwrap()).unwrap().config)
    }

    fn signal(e: &mut Engine, id: &str, now: i64) -> Option<f64> {
        let ev = e.evaluate(now).unwrap();
        ev.signals.iter().find(|(s, _)| &**s == id).and_then(|(_, v)| *v)
    }

    fn set(state: &mut Json, key: &str, value: Json) {
        if let Json::Obj(o) = state {
            o.insert(key, value);
        }
    }

    #[test]
    fn a_stage_entered_after_the_last_step_is_moved_back_on_restore() {
        let mut e = Engine::new(saas(), "u1").unwrap();
        e.track("report_created", &Json::Null, None, T0).unwrap();
        let mut state = e.export_state();
        let mut stage = state.get("stage").cloned().unwrap();
        set(&mut stage, "since", Json::Num((T0 + 10 * YEAR) as f64));
        set(&mut state, "stage", stage);
        let (restored, notes) = Engine::restore(saas(), "u1", &state).unwrap();
        assert_eq!(notes.iter().map(|n| n.code).collect::<Vec<_>>(), vec!["time_clamped"], "{notes:?}");
        assert_eq!(restored.user().stage.held.map(|h| h.since), Some(T0));
        assert_eq!(restored.user().latest_time(), Some(T0));
    }

    #[test]
    fn a_state_saved_far_ahead_of_the_clock_is_moved_back_and_keeps_working() {
        let far = 253_402_300_000_000; // 9999
        let mut e = Engine::new(saas(), "u1").unwrap();
        e.track("report_created", &Json::Null, None, far).unwrap();
        e.interact(onstage::engine::Interaction::Shown, "setup_checklist", far).unwrap();
        let (mut e, notes) = Engine::restore(saas(), "u1", &e.export_state()).unwrap();
        assert_eq!(notes, vec![]);
        // The clock says T0: steps at T0 were refused (time_went_back) for ever.
        assert_eq!(e.track("report_created", &Json::Null, None, T0).unwrap_err().code(), "time_went_back");
        let note = e.clamp_to(T0).unwrap().expect("a note");
        assert_eq!(note.code, "time_clamped");
        assert_eq!(e.user().last_step, Some(T0));
        assert_eq!(e.user().latest_time(), Some(T0));
        e.track("report_created", &Json::Null, None, T0 + MINUTE).unwrap();
        assert_eq!(signal(&mut e, "reports_7d", T0 + MINUTE), Some(2.0), "both events count");
        // Time moves again: eight days later both have left the window.
        assert_eq!(signal(&mut e, "reports_7d", T0 + 8 * DAY), Some(0.0));
        assert_eq!(e.clamp_to(T0 + 8 * DAY).unwrap(), None, "nothing is ahead any more");
    }

    #[test]
    fn one_glitch_ahead_does_not_freeze_the_user() {
        let mut e = Engine::new(saas(), "u1").unwrap();
        e.identify(onstage::engine::Identity::default(), T0).unwrap();
        e.track("report_created", &Json::Null, None, T0 + MINUTE).unwrap();
        // One reading a year ahead.
        e.track("report_created", &Json::Null, None, T0 + YEAR).unwrap();
        // The clock is right again: the package moves the state back.
        assert!(e.clamp_to(T0 + 2 * MINUTE).unwrap().is_some());
        let late = Some(T0 + MINUTE + 30_000);
        e.track("report_created", &Json::Null, late, T0 + 3 * MINUTE).expect("a late event is not too old");
        assert_eq!(signal(&mut e, "reports_7d", T0 + 3 * MINUTE), Some(2.0));
        // The glitch's event counts in the minute the clock came back to.
        let last = onstage::time::floor_minute(T0 + 2 * MINUTE);
        assert_eq!(
            signal(&mut e, "days_since_active", T0 + 3 * MINUTE),
            Some((T0 + 3 * MINUTE - last) as f64 / DAY as f64)
        );
        let d = e.decide(Slots::All, T0 + 4 * MINUTE, false).unwrap();
        assert!(!d.slots.is_empty());
        assert_eq!(e.user().latest_time(), Some(T0 + 4 * MINUTE));
    }

    #[test]
    fn a_summary_holding_events_after_its_as_of_counts_them_at_as_of() {
        let mut e = Engine::new(saas(), "u1").unwrap();
        let mut s = onstage::summary::summarize(&saas(), "u1", &[], T0).unwrap();
        // Damage: a reports_7d bucket a year after as_of.
        let later = onstage::persist::codec::encode_series([(T0 + YEAR, 3)]);
        if let Json::Obj(o) = &mut s {
            if let Some(Json::Obj(signals)) = o.get_mut("signals") {
                if let Some(Json::Obj(r)) = signals.get_mut("reports_7d") {
                    r.insert("state", onstage::obj! { "b" => later });
                }
            }
        }
        e.import_summary(&s, T0 + MINUTE).unwrap();
        let notes: Vec<_> = e.take_notices();
        assert!(format!("{notes:?}").contains("time_clamped"), "{notes:?}");
        assert_eq!(signal(&mut e, "reports_7d", T0 + MINUTE), Some(3.0));
        assert!(e.user().latest_time() <= e.user().last_step);
    }
}

// ----------------------------------------------------------------- regex

mod regex {
    use onstage::json::{parse, Json};

    const SAAS: &str = include_str!("../../shared/examples/saas.json");

    /// saas.json with extra segments `{"r<i>": {"when": {"attributes.bio": {"$regex": pattern}}}}`.
    fn with_patterns(patterns: &[&str]) -> Json {
        let mut config = parse(SAAS).unwrap();
        if let Json::Obj(o) = &mut config {
            if let Some(Json::Obj(segments)) = o.get_mut("segments") {
                for (i, p) in patterns.iter().enumerate() {
                    let when = onstage::obj! { "attributes.bio" => onstage::obj! { "$regex" => *p } };
                    segments.insert(format!("r{i}"), onstage::obj! { "when" => when });
                }
            }
        }
        config
    }

    fn problems(config: &Json) -> Vec<(String, String)> {
        onstage::config::validate(config)
            .into_iter()
            .filter(|p| p.is_error())
            .map(|p| (p.code.as_str().to_string(), p.path.to_string()))
            .collect()
    }

    #[test]
    fn a_pattern_that_compiles_too_large_is_refused_with_its_path() {
        // Linear, but 10,000 instructions (160 KB) compiled: long per evaluation of a long value.
        for pattern in ["(?:a{100}){100}b", "(?:[a-z]{1,1000}){1,10}b"] {
            assert_eq!(
                problems(&with_patterns(&[pattern])),
                vec![("limit_exceeded".to_string(), r#"segments.r0.when["attributes.bio"].$regex"#.to_string())],
                "{pattern}"
            );
        }
        assert_eq!(problems(&with_patterns(&["^[a-z0-9._%+-]+@acme\\.com$"])), vec![]);
    }

    #[test]
    fn the_patterns_of_a_config_have_a_total_budget() {
        // Each compiles to between 8 and 16 KiB (603 instructions): sixteen fit in 256 KiB.
        let pattern = "(?:a{10}){20}b(?:c{10}){20}d(?:e{10}){20}";
        let fine = vec![pattern; 16];
        assert_eq!(problems(&with_patterns(&fine)), vec![]);
        let over = vec![pattern; 17];
        assert_eq!(
            problems(&with_patterns(&over)),
            vec![("limit_exceeded".to_string(), r#"segments.r16.when["attributes.bio"].$regex"#.to_string())]
        );
    }
}

// --------------------------------------------------------------- content

#[test]
fn reserved_keys_in_content_are_refused_with_their_path() {
    let mut config = parse(include_str!("../../shared/examples/saas.json")).unwrap();
    let Some(Json::Arr(experiences)) = config.as_obj().and_then(|o| o.get("experiences")).cloned() else { panic!() };
    let mut experiences = experiences;
    if let Some(Json::Obj(e)) = experiences.get_mut(0) {
        e.insert("content", parse(r#"{"title":"x","__proto__":{"admin":true},"list":[{"constructor":1}]}"#).unwrap());
    }
    if let Json::Obj(o) = &mut config {
        o.insert("experiences", Json::Arr(experiences));
    }
    let found: Vec<(String, String)> = onstage::config::validate(&config)
        .into_iter()
        .filter(|p| p.is_error())
        .map(|p| (p.code.as_str().to_string(), p.path.to_string()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("reserved_key".to_string(), "experiences[0].content.__proto__".to_string()),
            ("reserved_key".to_string(), "experiences[0].content.list[0].constructor".to_string()),
        ]
    );
}

// -------------------------------------------------------------- simulate

mod simulate {
    use onstage::simulate::{simulate, Options};
    use std::sync::Arc;

    fn replay(config: &str, timeline: &str, max_live_users: usize) -> String {
        let config = Arc::new(onstage::compile(&onstage::json::parse(config).unwrap()).unwrap().config);
        let mut out = Vec::new();
        simulate(
            config,
            timeline.as_bytes(),
            &mut out,
            Options { reasons: true, max_live_users, ..Options::default() },
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    // The reference timelines interleave users: with one user live at a
    // time, every switch puts a user away and takes one back.
    #[test]
    fn users_put_away_replay_the_reference_timelines_exactly() {
        let shared = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/examples/");
        for (config, name) in [
            ("saas.json", "saas"),
            ("timelines/policy.config.json", "policy"),
            ("timelines/tours.config.json", "tours"),
        ] {
            let config = std::fs::read_to_string(format!("{shared}{config}")).unwrap();
            let timeline = std::fs::read_to_string(format!("{shared}timelines/{name}.timeline.jsonl")).unwrap();
            let expected = std::fs::read_to_string(format!("{shared}timelines/{name}.expected.jsonl")).unwrap();
            let parked = replay(&config, &timeline, 1);
            assert_eq!(parked, replay(&config, &timeline, usize::MAX), "{name}");
            assert_eq!(parked.lines().count(), expected.lines().count(), "{name}");
        }
    }

    // A stage rule reading `stage` moves at every evaluation; a second
    // decide at the same moment reuses the first's. A user put away and
    // taken back between the two must reuse it too.
    #[test]
    fn a_user_taken_back_reuses_the_evaluation_of_the_same_moment() {
        let flap = r#"{"version":1,"signals":{},"stages":[{"id":"b","when":{"stage":"a"}},{"id":"a","when":{}}],
            "experiences":[{"id":"n","slot":"home","kind":"nudge","when":{}}]}"#;
        let at = "2026-03-04T12:00:00Z";
        let timeline = [
            format!(r#"{{"user":"u1","at":"{at}","decide":"*"}}"#),
            format!(r#"{{"user":"u2","at":"{at}","decide":"*"}}"#),
            format!(r#"{{"user":"u1","at":"{at}","decide":"*"}}"#),
            r#"{"user":"u1","at":"2026-03-04T12:00:01Z","decide":"*"}"#.to_string(),
        ]
        .join("\n");
        let kept = replay(flap, &timeline, usize::MAX);
        let stages: Vec<String> =
            kept.lines().map(|l| l.split(r#""stage":"#).nth(1).unwrap()[..3].to_string()).collect();
        assert_eq!(stages, vec![r#""a""#, r#""a""#, r#""a""#, r#""b""#], "the same moment reuses its evaluation");
        assert_eq!(replay(flap, &timeline, 1), kept);
    }
}
