//! The catalogue of bad inputs at the command line: every class of bad
//! config, step, time and export gets its code, its line and its exit
//! status. The engine's side of the catalogue is `tests/bad_inputs.rs`.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use support::{run_with_input as cli, temp};

const SAAS: &str = include_str!("../../../../shared/examples/saas.json");
const TOURS: &str = include_str!("../../../../shared/examples/timelines/tours.config.json");

#[test]
fn the_command_line_reports_bad_input_with_codes_and_exit_status() {
    let saas = temp("saas.json", SAAS);
    // validate
    let (code, out, _) = cli(&["validate", &temp("v2.json", r#"{"version":2}"#), "--json"], "");
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"unsupported_version""#), "{out}");
    let (code, out, _) = cli(&["validate", &temp("broken.json", "{\"version\":1,"), "--json"], "");
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"invalid_json""#), "{out}");
    let (code, _, err) = cli(&["validate", "/nonexistent/config.json"], "");
    assert_eq!(code, 2, "{err}");
    // simulate: each bad step is reported with its line and code, exit 1.
    let at = "2026-03-04T12:00:00Z";
    let steps: Vec<(String, &str)> = vec![
        ("not json".to_string(), "invalid_json"),
        ("[1]".to_string(), "bad_step"),
        (format!(r#"{{"user":"u1","at":"{at}"}}"#), "bad_step"),
        (format!(r#"{{"user":"u1","at":"{at}","track":"a","decide":"*"}}"#), "bad_step"),
        (format!(r#"{{"user":"u1","at":"{at}","track":"a","extra":1}}"#), "bad_step"),
        (format!(r#"{{"user":1,"at":"{at}","decide":"*"}}"#), "bad_step"),
        (r#"{"user":"u1","at":"2026-03-04T12:00:00","decide":"*"}"#.to_string(), "bad_time"),
        (format!(r#"{{"user":"","at":"{at}","decide":"*"}}"#), "bad_user_id"),
        (format!(r#"{{"user":"{}","at":"{at}","decide":"*"}}"#, "u".repeat(257)), "bad_user_id"),
        (format!(r#"{{"user":"u1","at":"{at}","track":""}}"#), "bad_event_name"),
        (format!(r#"{{"user":"u1","at":"{at}","track":7}}"#), "bad_event_name"),
        (format!(r#"{{"user":"u1","at":"{at}","track":"a","props":{{"x":[1]}}}}"#), "bad_props"),
        (
            format!(r#"{{"user":"u1","at":"{at}","track":"a","timestamp":"2026-03-04T12:05:01Z"}}"#),
            "timestamp_in_future",
        ),
        (format!(r#"{{"user":"u1","at":"{at}","track":"a","timestamp":"2026-03-03T11:59:59Z"}}"#), "timestamp_too_old"),
        (format!(r#"{{"user":"u1","at":"{at}","track":"a","timestamp":1}}"#), "bad_time"),
        (format!(r#"{{"user":"u1","at":"{at}","identify":{{"tz_offset_minutes":900}}}}"#), "bad_identify"),
        (format!(r#"{{"user":"u1","at":"{at}","identify":{{"role":"admin"}}}}"#), "bad_identify"),
        (format!(r#"{{"user":"u1","at":"{at}","identify":{{"attributes":[]}}}}"#), "bad_identify"),
        (format!(r#"{{"user":"u1","at":"{at}","decide":["nope"]}}"#), "unknown_slot"),
        (format!(r#"{{"user":"u1","at":"{at}","decide":"home"}}"#), "unknown_slot"),
        (format!(r#"{{"user":"u1","at":"{at}","shown":"nope"}}"#), "unknown_experience"),
        (format!(r#"{{"user":"u1","at":"{at}","import":{{}}}}"#), "summary_not_recognized"),
        (format!(r#"{{"user":"u1","at":"{at}","advanced":"setup_checklist","step":"workspace"}}"#), "unknown_tour"),
        (format!(r#"{{"user":"u1","at":"{at}","advanced":"nope","step":"a"}}"#), "unknown_tour"),
        (format!(r#"{{"user":"u1","at":"{at}","advanced":"setup_checklist"}}"#), "bad_step"),
        (format!(r#"{{"user":"u1","at":"{at}","advanced":"a","step":1}}"#), "bad_step"),
        (format!(r#"{{"user":"u1","at":"{at}","advanced":["a"],"step":"b"}}"#), "bad_step"),
        (format!(r#"{{"user":"u1","at":"{at}","shown":"a","step":"b"}}"#), "bad_step"),
    ];
    for (line, expected) in steps {
        // A good step first, so the bad one is on line 2.
        let timeline = format!("{{\"user\":\"u1\",\"at\":\"{at}\",\"track\":\"report_created\"}}\n{line}\n");
        let (code, _, err) = cli(&["simulate", &saas, "-"], &timeline);
        assert_eq!(code, 1, "{line}: {err}");
        assert!(
            err.contains("line 2:") && err.contains(&format!("[{expected}]")),
            "{line}: expected [{expected}], got {err}"
        );
    }
    let back = format!("{{\"user\":\"u1\",\"at\":\"{at}\",\"decide\":\"*\"}}\n{{\"user\":\"u1\",\"at\":\"2026-03-04T11:59:59Z\",\"decide\":\"*\"}}\n");
    let (code, out, err) = cli(&["simulate", &saas, "-"], &back);
    assert_eq!(code, 1);
    assert!(err.contains("line 2:") && err.contains("[time_went_back]"), "{err}");
    assert_eq!(out.lines().count(), 1, "the lines before the bad step are printed");
    // A config with tours: a step the tour lacks.
    let tours = temp("tours.json", TOURS);
    let line = format!("{{\"user\":\"u1\",\"at\":\"{at}\",\"advanced\":\"onboarding\",\"step\":\"nope\"}}\n");
    let (code, _, err) = cli(&["simulate", &tours, "-"], &line);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 1:") && err.contains("[unknown_step]"), "{err}");
    let (code, out, err) = cli(&["validate", &tours], "");
    assert_eq!((code, out.as_str(), err.trim_end().ends_with("valid (0 warnings)")), (0, "", true), "{err}");
    let (code, out, _) =
        cli(&["validate", &temp("tourless.json", TOURS.replacen("\"steps\"", "\"unused\"", 1)), "--json"], "");
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"empty_tour""#) && out.contains(r#""path":"experiences[0]""#), "{out}");
    // summarize
    let (code, _, err) = cli(&["summarize", &saas, "-", "--as-of", "yesterday"], "");
    assert_eq!(code, 2, "{err}");
    for (line, expected) in [
        (r#"{"user":"u1","name":"a","at":"2026-03-04T12:00:00Z","props":{"x":{}}}"#, "[bad_props]"),
        (r#"{"user":"u1","name":"","at":"2026-03-04T12:00:00Z"}"#, "[bad_event_name]"),
        (r#"{"user":"u1","name":"a"}"#, "line 1"),
        (r#"{"user":"","name":"a","at":"2026-03-04T12:00:00Z"}"#, "line 1"),
        (r#"{"user":"u1","name":"a","at":"noon"}"#, "line 1"),
        ("not json", "line 1"),
    ] {
        let (code, _, err) = cli(&["summarize", &saas, "-", "--as-of", "2026-03-05T00:00:00Z"], line);
        assert_eq!(code, 1, "{line}: {err}");
        assert!(err.contains(expected), "{line}: expected {expected}, got {err}");
    }
}
