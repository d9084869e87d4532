//! The command line reads within limits (issue 10): a config of any size
//! and a line of any length are refused at once with a code (exit 1),
//! without reading them whole; an input that cannot be read exits 2,
//! whichever file it is (one exit-status scheme for every command).
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use std::process::Stdio;
use support::{run_with as run, temp};

const SAAS: &str = include_str!("../../../../shared/examples/saas.json");

fn dir() -> String {
    let dir = std::env::temp_dir().join(format!("onstage-cli-limits-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.to_string_lossy().into_owned()
}

// Before: `validate /dev/zero` read until memory ran out (15 GB in 20 s).
#[test]
fn a_config_of_any_size_is_refused_after_one_mebibyte() {
    let (code, out, _) = run(&["validate", "/dev/zero", "--json"], Stdio::null());
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"limit_exceeded""#), "{out}");
    let saas = temp("saas.json", SAAS.as_bytes());
    let (code, _, err) = run(&["simulate", "/dev/zero", &saas], Stdio::null());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("limit_exceeded"), "{err}");
    let (code, out, _) =
        run(&["validate", &temp("latin1.json", b"{\"version\":1,\"x\":\"\xe9\"}"), "--json"], Stdio::null());
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"invalid_json""#), "{out}");
}

#[test]
fn a_line_of_any_length_is_refused_with_its_number() {
    let saas = temp("saas.json", SAAS.as_bytes());
    let (code, _, err) = run(&["simulate", &saas, "/dev/zero"], Stdio::null());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 1:") && err.contains("[limit_exceeded]"), "{err}");
    let (code, _, err) = run(&["summarize", &saas, "/dev/zero", "--as-of", "2026-03-05T00:00:00Z"], Stdio::null());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 1:") && err.contains("[limit_exceeded]"), "{err}");
    let good = r#"{"user":"u1","at":"2026-03-04T12:00:00Z","track":"report_created"}"#;
    let long =
        format!("{good}\n{{\"user\":\"u1\",\"at\":\"2026-03-04T12:00:00Z\",\"track\":\"{}\"}}\n", "x".repeat(5 << 20));
    let (code, _, err) = run(&["simulate", &saas, &temp("long.jsonl", long.as_bytes())], Stdio::null());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 2:") && err.contains("[limit_exceeded]"), "{err}");
    let mut not_utf8 = good.as_bytes().to_vec();
    not_utf8.extend_from_slice(b"\n{\"user\":\"u\xe9\"}\n");
    let (code, _, err) = run(&["simulate", &saas, &temp("latin1.jsonl", &not_utf8)], Stdio::null());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 2:") && err.contains("[invalid_json]"), "{err}");
}

// Before: a 3.2 MB line of 200,000 props took 47 s (quadratic object building).
#[test]
fn a_wide_line_is_parsed_in_linear_time_and_refused() {
    let saas = temp("saas.json", SAAS.as_bytes());
    let props: Vec<String> = (0..200_000).map(|i| format!("\"k{i}\":{i}")).collect();
    let line = format!(
        "{{\"user\":\"u1\",\"at\":\"2026-03-04T12:00:00Z\",\"track\":\"report_created\",\"props\":{{{}}}}}\n",
        props.join(",")
    );
    assert!(line.len() > 3_000_000);
    let (code, _, err) = run(&["simulate", &saas, &temp("wide.jsonl", line.as_bytes())], Stdio::null());
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("line 1:") && err.contains("[bad_props]"), "{err}");
}

// Before: an unreadable config exited 2, an unreadable timeline 1.
#[test]
fn one_exit_status_scheme_for_every_command() {
    let saas = temp("saas.json", SAAS.as_bytes());
    let dir = dir();
    let missing = "/nonexistent/onstage/file";
    for args in [
        vec!["validate", missing],
        vec!["validate", dir.as_str()],
        vec!["simulate", missing, &saas],
        vec!["simulate", &saas, missing],
        vec!["simulate", &saas, dir.as_str()],
        vec!["summarize", &saas, missing, "--as-of", "2026-03-05T00:00:00Z"],
        vec!["summarize", &saas, dir.as_str(), "--as-of", "2026-03-05T00:00:00Z"],
        vec!["summarize", &saas, "-", "--as-of", "noon"],
        vec!["simulate", &saas],
    ] {
        let (code, _, err) = run(&args, Stdio::null());
        assert_eq!(code, 2, "{args:?}: cannot read (or usage): {err}");
    }
    let bad_config = temp("bad.json", br#"{"version":2}"#);
    let bad_step = temp("bad.jsonl", b"[1]\n");
    for args in [
        vec!["validate", bad_config.as_str()],
        vec!["simulate", &bad_config, &bad_step],
        vec!["simulate", &saas, &bad_step],
        vec!["summarize", &saas, &bad_step, "--as-of", "2026-03-05T00:00:00Z"],
    ] {
        let (code, _, err) = run(&args, Stdio::null());
        assert_eq!(code, 1, "{args:?}: refused: {err}");
    }
}
