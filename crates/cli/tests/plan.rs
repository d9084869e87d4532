//! `onstage compile` and plans at the command line: the plan is written,
//! every command that takes a config takes it and prints the same, and
//! `validate` says whether this version reads it.
// Test code may unwrap, expect, panic and index: a failing test should panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod support;

use support::{run as cli, temp};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

fn shared(path: &str) -> String {
    format!("{ROOT}/../shared/examples/{path}")
}

fn example(path: &str) -> String {
    format!("{ROOT}/docs/examples/{path}")
}

/// The plan of a config, by `onstage compile` to standard output.
fn compile(config: &str) -> String {
    let (code, out, err) = cli(&["compile", config]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("{{\"onstage_plan\":1,\"version\":\"{}\",", env!("CARGO_PKG_VERSION"))));
    out
}

#[test]
fn compile_writes_a_plan_that_every_command_takes_as_the_config() {
    let saas = shared("saas.json");
    let plan = temp("saas.plan.json", compile(&saas));
    // -o writes the same text.
    let file = temp("out.plan.json", "");
    let (code, out, err) = cli(&["compile", &saas, "-o", &file]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), std::fs::read_to_string(&plan).unwrap());

    for args in [
        vec!["simulate", "CONFIG", &example("saas-story.timeline.jsonl")],
        vec!["simulate", "--no-reasons", "CONFIG", &example("dwell.timeline.jsonl")],
        vec!["summarize", "CONFIG", &example("export.jsonl"), "--as-of", "2026-03-01T00:00:00Z"],
        vec!["batch", "CONFIG", &example("export.jsonl"), "--as-of", "2026-03-01T00:00:00Z", "--threads", "1"],
    ] {
        let with = |config: &str| {
            let args: Vec<&str> = args.iter().map(|a| if *a == "CONFIG" { config } else { a }).collect();
            cli(&args)
        };
        let (from_config, from_plan) = (with(&saas), with(&plan));
        assert_eq!(from_config.0, 0, "{args:?}: {}", from_config.2);
        assert!(from_config.1.lines().count() > 1, "{args:?}");
        assert_eq!(from_config, from_plan, "{args:?}");
    }
    let tours = shared("timelines/tours.config.json");
    let tours_plan = temp("tours.plan.json", compile(&tours));
    let timeline = shared("timelines/tours.timeline.jsonl");
    assert_eq!(cli(&["simulate", &tours, &timeline]), cli(&["simulate", &tours_plan, &timeline]));
}

#[test]
fn validate_says_whether_this_version_reads_a_plan() {
    let plan = compile(&shared("saas.json"));
    let (code, out, err) = cli(&["validate", &temp("ok.plan.json", &plan)]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains(&format!("a valid plan for onstage {}", env!("CARGO_PKG_VERSION"))), "{err}");

    let ours = format!("\"version\":\"{}\"", env!("CARGO_PKG_VERSION"));
    let old = temp("old.plan.json", plan.replacen(&ours, "\"version\":\"0.0.1\"", 1));
    let (code, out, _) = cli(&["validate", &old, "--json"]);
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"invalid_plan""#), "{out}");
    assert!(out.contains("made by onstage 0.0.1") && out.contains("compile the config again with `onstage compile`"));
    // simulate refuses it the same way.
    let (code, _, err) = cli(&["simulate", &old, &example("dwell.timeline.jsonl")]);
    assert_eq!(code, 1);
    assert!(err.contains("invalid_plan"), "{err}");

    let damaged = temp("damaged.plan.json", plan.replacen("\"plan\":[", "\"plan\":[[", 1));
    let (code, out, _) = cli(&["validate", &damaged]);
    assert_eq!(code, 1);
    assert!(out.contains("error[invalid_plan]") && out.contains("damaged"), "{out}");
}

#[test]
fn compile_prints_warnings_and_refuses_a_bad_config_with_every_problem() {
    let (code, out, err) = cli(&["compile", &example("nulls.config.json")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("{\"onstage_plan\""));
    assert!(err.contains("warning[null_comparison]"), "{err}");

    let (code, out, err) = cli(&["compile", &example("broken-saas.json")]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(err.matches("error[").count(), 6, "{err}");
    assert!(err.contains("warning[null_comparison]"), "{err}");
    let (code, _, _) = cli(&["compile", "/nonexistent/config.json"]);
    assert_eq!(code, 2);
}

/// A plan may be larger than the config's 1 MiB: a file past it that
/// starts as a plan is read on (here, refused as damaged, not as too
/// large); a config past it is still refused at once.
#[test]
fn a_plan_past_one_mebibyte_is_read_on() {
    let big = format!(
        "{{\"onstage_plan\":1,\"version\":\"{}\",\"plan\":[\"{}\"]}}",
        env!("CARGO_PKG_VERSION"),
        "x".repeat(1 << 21)
    );
    let (code, out, _) = cli(&["validate", &temp("big.plan.json", &big), "--json"]);
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"invalid_plan""#) && out.contains("damaged"), "{out}");
    let config = format!("{{\"version\":1,\"x\":\"{}\"}}", "x".repeat(1 << 21));
    let (code, out, _) = cli(&["validate", &temp("big.json", &config), "--json"]);
    assert_eq!(code, 1);
    assert!(out.contains(r#""code":"limit_exceeded""#), "{out}");
}
