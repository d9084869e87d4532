//! Shared by the `tests/fuzz_*.rs` targets: the runner (case count from
//! `ONSTAGE_FUZZ_CASES`, seed from `ONSTAGE_FUZZ_SEED`, a report line per
//! target), JSON generators and JSON mutations.
//!
//! A target fails on a panic (proptest catches it and shrinks the input),
//! on a broken property, or on a case slower than `MAX_CASE`. `cargo test`
//! runs a few hundred cases per target with a fixed seed (the suite stays
//! reproducible); `scripts/fuzz.sh` runs many more, in release mode with
//! overflow checks on, with a fresh seed.
#![allow(dead_code)]

use onstage::json::{Json, Obj};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub const SAAS: &str = include_str!("../../../shared/examples/saas.json");
pub const POLICY: &str = include_str!("../../../shared/examples/timelines/policy.config.json");
pub const SAAS_TIMELINE: &str = include_str!("../../../shared/examples/timelines/saas.timeline.jsonl");
pub const POLICY_TIMELINE: &str = include_str!("../../../shared/examples/timelines/policy.timeline.jsonl");
pub const TOURS: &str = include_str!("../../../shared/examples/timelines/tours.config.json");
pub const TOURS_TIMELINE: &str = include_str!("../../../shared/examples/timelines/tours.timeline.jsonl");

/// A time of the reference timelines (2026-02-25).
/// Every code a step may be refused with.
pub const STEP_CODES: &[&str] = &[
    "bad_user_id",
    "bad_event_name",
    "bad_props",
    "bad_time",
    "timestamp_in_future",
    "timestamp_too_old",
    "time_went_back",
    "bad_identify",
    "unknown_experience",
    "unknown_slot",
    "unknown_tour",
    "unknown_step",
    "summary_not_recognized",
    "summary_unknown_version",
    "summary_other_user",
    "summary_corrupt",
];

pub const T0: i64 = 1_772_000_000_000;
pub const MIN: i64 = 60_000;
pub const HOUR: i64 = 60 * MIN;
pub const DAY: i64 = 24 * HOUR;

/// A case slower than this fails the target: a hang, or work that grows
/// with the input faster than it should. Debug builds are ~20x slower.
pub const MAX_CASE: Duration = if cfg!(debug_assertions) { Duration::from_secs(20) } else { Duration::from_secs(2) };

/// saas.json, compiled once.
pub fn saas() -> std::sync::Arc<onstage::CompiledConfig> {
    static CONFIG: std::sync::OnceLock<std::sync::Arc<onstage::CompiledConfig>> = std::sync::OnceLock::new();
    std::sync::Arc::clone(
        CONFIG.get_or_init(|| std::sync::Arc::new(onstage::compile(&parse(SAAS)).expect("saas").config)),
    )
}

/// The policy timeline's config, compiled once.
pub fn policy() -> std::sync::Arc<onstage::CompiledConfig> {
    static CONFIG: std::sync::OnceLock<std::sync::Arc<onstage::CompiledConfig>> = std::sync::OnceLock::new();
    std::sync::Arc::clone(
        CONFIG.get_or_init(|| std::sync::Arc::new(onstage::compile(&parse(POLICY)).expect("policy").config)),
    )
}

/// The tours timeline's config, compiled once.
pub fn tours() -> std::sync::Arc<onstage::CompiledConfig> {
    static CONFIG: std::sync::OnceLock<std::sync::Arc<onstage::CompiledConfig>> = std::sync::OnceLock::new();
    std::sync::Arc::clone(
        CONFIG.get_or_init(|| std::sync::Arc::new(onstage::compile(&parse(TOURS)).expect("tours").config)),
    )
}

/// Tour and step ids of the tours config, and ids that are not.
pub const TOUR_IDS: &[&str] = &["onboarding", "reports_tour", "filters_tour", "main_tip", "setup", "nope", ""];
pub const STEP_IDS: &[&str] = &[
    "create_project",
    "invite",
    "connect",
    "dashboard",
    "come_back",
    "open_reports",
    "build",
    "schedule",
    "share",
    "apply",
    "save_view",
    "share_view",
    "project",
    "nope",
    "",
];

pub fn parse(text: &str) -> Json {
    onstage::json::parse(text).expect("valid JSON")
}

/// Cases per target: `ONSTAGE_FUZZ_CASES`, else `default`, scaled by
/// `weight` (cheap targets run more).
pub fn cases(default: u32, weight: f64) -> u32 {
    let base = std::env::var("ONSTAGE_FUZZ_CASES").ok().and_then(|v| v.parse::<u64>().ok());
    let n = base.map_or(default as f64, |b| b as f64 * weight);
    n.clamp(1.0, u32::MAX as f64) as u32
}

fn seed() -> [u8; 32] {
    let text = std::env::var("ONSTAGE_FUZZ_SEED").unwrap_or_else(|_| "onstage-reliability".to_string());
    let mut out = [0u8; 32];
    // FNV-1a over the text, spread over 32 bytes.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, slot) in out.iter_mut().enumerate() {
        for b in text.bytes().chain([i as u8]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        *slot = (h >> 24) as u8;
    }
    out
}

thread_local! {
    static KNOWN: RefCell<BTreeMap<&'static str, u64>> = const { RefCell::new(BTreeMap::new()) };
}

/// Notes a case that ran into a bug already reported (see
/// `tests/fuzz_regressions.rs`): the target skips its remaining checks
/// so the suite stays green, and the report line counts the hits.
pub fn known_bug(name: &'static str) {
    KNOWN.with(|k| *k.borrow_mut().entry(name).or_insert(0) += 1);
}

/// Panics of bugs reported but not fixed yet: (file, words of the
/// message, bug). Every bug found so far is fixed (their cases are in
/// `tests/fuzz_regressions.rs`), so any panic fails a target.
const KNOWN_PANICS: &[(&str, &str, &str)] = &[];

thread_local! {
    static LAST_PANIC: RefCell<Option<(String, String)>> = const { RefCell::new(None) };
    static QUIET: RefCell<bool> = const { RefCell::new(false) };
}

fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let file = info.location().map(|l| l.file().to_string()).unwrap_or_default();
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let known = KNOWN_PANICS.iter().any(|(f, m, _)| file.ends_with(f) && message.contains(m));
            LAST_PANIC.with(|p| *p.borrow_mut() = Some((file, message)));
            if !(known && QUIET.with(|q| *q.borrow())) {
                default(info);
            }
        }));
    });
}

/// Runs `f`; a panic of a known bug counts as that bug and returns
/// Ok, any other panic goes on (proptest catches it and shrinks).
fn guarded(f: impl FnOnce() -> Result<(), TestCaseError>) -> Result<(), TestCaseError> {
    install_hook();
    QUIET.with(|q| *q.borrow_mut() = true);
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| *q.borrow_mut() = false);
    match r {
        Ok(r) => r,
        Err(payload) => {
            let last = LAST_PANIC.with(|p| p.borrow_mut().take());
            if let Some((file, message)) = last {
                if let Some((_, _, bug)) =
                    KNOWN_PANICS.iter().find(|(f, m, _)| file.ends_with(f) && message.contains(m))
                {
                    known_bug(bug);
                    return Ok(());
                }
            }
            std::panic::resume_unwind(payload)
        }
    }
}

/// Runs `test` on `cases` inputs of `strategy`; panics (the test fails)
/// with the minimal failing input. Prints
/// `fuzz <name>: <n> cases passed in <s> s (slowest case <ms> ms), seed <seed>`
/// (`ONSTAGE_FUZZ_SLOWEST=1` also prints the slowest input).
pub fn run<S: Strategy>(name: &str, cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    let counter = AtomicU64::new(0);
    let slowest = AtomicU64::new(0);
    let slowest_input = std::sync::Mutex::new(String::new());
    let keep_slowest = std::env::var("ONSTAGE_FUZZ_SLOWEST").is_ok();
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 2_000,
        max_global_rejects: cases.saturating_mul(4).max(1024),
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed()));
    KNOWN.with(|k| k.borrow_mut().clear());
    let started = Instant::now();
    let result = runner.run(&strategy, |input| {
        counter.fetch_add(1, Ordering::Relaxed);
        let t = Instant::now();
        let text = if keep_slowest { format!("{input:?}") } else { String::new() };
        let r = guarded(|| test(input));
        let took = t.elapsed();
        let previous = slowest.fetch_max(took.as_micros() as u64, Ordering::Relaxed);
        if keep_slowest && took.as_micros() as u64 > previous {
            if let Ok(mut s) = slowest_input.lock() {
                *s = text.chars().take(3000).collect();
            }
        }
        r?;
        if took > MAX_CASE {
            return Err(TestCaseError::fail(format!("slow case: {took:?}")));
        }
        Ok(())
    });
    let seed_text = std::env::var("ONSTAGE_FUZZ_SEED").unwrap_or_else(|_| "onstage-reliability".into());
    let runs = counter.load(Ordering::Relaxed);
    let slowest_ms = slowest.load(Ordering::Relaxed) as f64 / 1000.0;
    let secs = started.elapsed().as_secs_f64();
    match &result {
        Ok(()) => println!(
            "fuzz {name}: {cases} cases passed in {secs:.1} s (slowest case {slowest_ms:.1} ms), seed {seed_text}"
        ),
        Err(_) => {
            println!("fuzz {name}: FAILED after {runs} runs (shrinking included) in {secs:.1} s, seed {seed_text}")
        }
    }
    if std::env::var("ONSTAGE_FUZZ_SLOWEST").is_ok() {
        println!("fuzz {name}: slowest input: {}", slowest_input.lock().map(|s| s.clone()).unwrap_or_default());
    }
    KNOWN.with(|k| {
        for (bug, n) in k.borrow().iter() {
            println!("fuzz {name}: {n} cases ran into known bug {bug}");
        }
    });
    match result {
        Ok(()) => {}
        Err(TestError::Fail(why, input)) => panic!("fuzz {name} failed: {why}\nminimal input: {input:#?}"),
        Err(TestError::Abort(why)) => panic!("fuzz {name} aborted: {why}"),
    }
}

/// One value of a strategy, for tests that want a sample.
pub fn sample<S: Strategy>(strategy: S) -> S::Value {
    let mut runner = TestRunner::deterministic();
    strategy.new_tree(&mut runner).expect("a value").current()
}

// ---------------------------------------------------------------- values

pub const NUMBERS: &[f64] = &[
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2.0,
    3.0,
    9.0,
    0.8,
    1.0000001,
    1e21,
    1e-7,
    1e308,
    -1e308,
    f64::MAX,
    f64::MIN,
    f64::MIN_POSITIVE,
    f64::EPSILON,
    9_007_199_254_740_993.0,
    18_446_744_073_709_551_616.0,
    840.0,
    841.0,
    -841.0,
    64.0,
    128.0,
    129.0,
    1000.0,
    1001.0,
    253_402_300_799_999.0,
    253_402_300_800_000.0,
    1_772_000_000_000.0,
    1_772_000_000_000.5,
    -1_772_000_000_000.0,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
];

pub const STRINGS: &[&str] = &[
    "",
    "*",
    "7d",
    "0d",
    "90m",
    "12h",
    "4w",
    "3654d",
    "99999999999999999999999w",
    "1.5d",
    "-1d",
    "1",
    "1.0",
    "true",
    "null",
    "$",
    "$eq",
    "$in",
    "$regex",
    "$and",
    "$or",
    "$not",
    "$size",
    "$elemMatch",
    "$inGroup",
    "$vgt",
    "$exists",
    "$type",
    "__proto__",
    "constructor",
    "prototype",
    "signals.invites",
    "signals.setup_steps",
    "signals.missing",
    "signals",
    "attributes.id",
    "attributes.a.b.c",
    "entitlements.seats_active",
    "segments",
    "stage",
    "onboarding",
    "at_risk",
    "home",
    "sidebar",
    "banner",
    "setup_checklist",
    "win_back",
    "upgrade_seats",
    "teammate_invited",
    "report_created",
    "integration_connected",
    "workspace_created",
    "feature_used",
    "api_call",
    "provider",
    "units",
    "feature",
    "(a+)+$",
    "(a|aa)*b",
    "(?=a)",
    "(a)\\1",
    "[",
    "\\",
    ".*",
    "^$",
    "1.2.3",
    "v1.2.3-beta+5",
    "2026-03-04T12:40:29Z",
    "2026-02-30T00:00:00Z",
    "9999-12-31T23:59:59.999Z",
    "1969-12-31T23:59:59Z",
    "é",
    "日本語",
    "\u{0}",
    "\u{1F600}",
    "a\"b",
    "onstage-state",
    "onstage-summary",
    "u1",
    "checklist",
    "nudge",
    "upgrade_prompt",
    "tour",
    "steps",
    "advanced",
    "step",
    "create_project",
];

pub fn arb_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => prop::sample::select(NUMBERS),
        2 => (-5i64..2000).prop_map(|n| n as f64),
        1 => any::<f64>(),
        1 => 0.0f64..1.0,
        1 => (-2 * DAY..2 * DAY).prop_map(|d| (T0 + d) as f64),
    ]
}

pub fn arb_string() -> impl Strategy<Value = String> {
    prop_oneof![
        5 => prop::sample::select(STRINGS).prop_map(String::from),
        3 => "[a-z_]{0,12}",
        1 => "\\PC{0,16}",
        1 => any::<String>(),
        1 => prop::sample::select(&[64usize, 65, 128, 129, 256, 257, 1024, 1025, 4097, 70_000][..])
            .prop_map(|n| "x".repeat(n)),
    ]
}

pub fn arb_key() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(STRINGS).prop_map(String::from),
        3 => "[a-z_]{1,8}",
        1 => "\\PC{0,8}",
    ]
}

pub fn arb_scalar() -> impl Strategy<Value = Json> {
    prop_oneof![
        1 => Just(Json::Null),
        1 => any::<bool>().prop_map(Json::Bool),
        3 => arb_number().prop_map(Json::Num),
        3 => arb_string().prop_map(Json::from),
    ]
}

pub fn obj_of(pairs: Vec<(String, Json)>) -> Json {
    let mut o = Obj::new();
    for (k, v) in pairs {
        o.insert(k, v);
    }
    Json::Obj(o)
}

/// Any JSON value, mostly small, sometimes wide or nested.
pub fn arb_json() -> impl Strategy<Value = Json> {
    prop_oneof![
        8 => arb_scalar().prop_recursive(5, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Json::Arr),
                prop::collection::vec((arb_key(), inner), 0..6).prop_map(obj_of),
            ]
        }),
        1 => arb_deep(),
    ]
}

/// A chain nested around the depth limit (64) and past it.
pub fn arb_deep() -> impl Strategy<Value = Json> {
    (prop::sample::select(&[60usize, 63, 64, 65, 66, 100, 127, 129, 300][..]), any::<bool>(), arb_scalar()).prop_map(
        |(depth, arrays, leaf)| {
            let mut v = leaf;
            for _ in 0..depth {
                v = if arrays { Json::Arr(vec![v]) } else { obj_of(vec![("a".into(), v)]) };
            }
            v
        },
    )
}

/// A flat object of scalars (what props and attributes usually are), sometimes not.
pub fn arb_props() -> impl Strategy<Value = Json> {
    prop_oneof![
        6 => prop::collection::vec((arb_key(), arb_scalar()), 0..6).prop_map(obj_of),
        1 => Just(Json::Null),
        1 => (60usize..70).prop_map(|n| obj_of((0..n).map(|i| (format!("k{i}"), Json::Num(i as f64))).collect())),
        1 => arb_json(),
    ]
}

// ------------------------------------------------------------- mutations

#[derive(Clone, Debug)]
enum Seg {
    Key(String),
    Index(usize),
}

/// One change to a JSON document: at the node numbered `at` (pre-order,
/// modulo the node count), do `kind` with `value` / `key`.
#[derive(Clone, Debug)]
pub struct Mutation {
    pub at: usize,
    pub kind: u8,
    pub key: String,
    pub value: Json,
}

pub fn arb_mutation() -> impl Strategy<Value = Mutation> {
    (any::<usize>(), 0u8..8, arb_key(), arb_json()).prop_map(|(at, kind, key, value)| Mutation { at, kind, key, value })
}

pub fn arb_mutations(max: usize) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(arb_mutation(), 1..=max)
}

fn paths(v: &Json, prefix: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
    out.push(prefix.clone());
    match v {
        Json::Arr(items) => {
            for (i, item) in items.iter().enumerate() {
                prefix.push(Seg::Index(i));
                paths(item, prefix, out);
                prefix.pop();
            }
        }
        Json::Obj(o) => {
            for (k, item) in o.iter() {
                prefix.push(Seg::Key(k.to_string()));
                paths(item, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn node_mut<'a>(mut v: &'a mut Json, path: &[Seg]) -> Option<&'a mut Json> {
    for seg in path {
        v = match (v, seg) {
            (Json::Arr(items), Seg::Index(i)) => items.get_mut(*i)?,
            (Json::Obj(o), Seg::Key(k)) => o.get_mut(k)?,
            _ => return None,
        };
    }
    Some(v)
}

fn tweak(v: &Json, pick: usize) -> Json {
    match v {
        Json::Num(n) => {
            let options = [n + 1.0, n - 1.0, -n, n * 1000.0, n / 7.0, n.floor() + 0.5, NUMBERS[pick % NUMBERS.len()]];
            Json::Num(options[pick % options.len()])
        }
        Json::Str(s) => {
            let options = [
                format!("{s}{s}"),
                s.chars().rev().collect(),
                s.chars().take(s.chars().count() / 2).collect(),
                format!("{s}x"),
                STRINGS[pick % STRINGS.len()].to_string(),
            ];
            Json::from(options[pick % options.len()].clone())
        }
        Json::Bool(b) => Json::Bool(!b),
        Json::Null => Json::Num(0.0),
        Json::Arr(a) => Json::Arr(a.iter().rev().cloned().collect()),
        Json::Obj(o) => {
            let mut pairs: Vec<(Box<str>, Json)> = o.iter().map(|(k, v)| (Box::from(k), v.clone())).collect();
            pairs.reverse();
            Json::Obj(pairs.into_iter().collect())
        }
    }
}

/// Applies `mutations` in turn.
pub fn mutate(doc: &Json, mutations: &[Mutation]) -> Json {
    let mut doc = doc.clone();
    for m in mutations {
        let mut all = Vec::new();
        paths(&doc, &mut Vec::new(), &mut all);
        let path = &all[m.at % all.len()];
        match m.kind {
            // Replace the node.
            0 | 1 => {
                if let Some(n) = node_mut(&mut doc, path) {
                    *n = m.value.clone();
                }
            }
            // Add a member or an item.
            2 => match node_mut(&mut doc, path) {
                Some(Json::Obj(o)) => o.insert(m.key.clone(), m.value.clone()),
                Some(Json::Arr(a)) => a.insert(m.at % (a.len() + 1), m.value.clone()),
                _ => {}
            },
            // Remove the node from its parent.
            3 => {
                if let Some((last, parent)) = path.split_last() {
                    match (node_mut(&mut doc, parent), last) {
                        (Some(Json::Obj(o)), Seg::Key(k)) => {
                            o.remove(k);
                        }
                        (Some(Json::Arr(a)), Seg::Index(i)) if *i < a.len() => {
                            a.remove(*i);
                        }
                        _ => {}
                    }
                }
            }
            // Duplicate the node next to itself (an array item twice, an
            // object member under another key).
            4 => {
                let copy = node_mut(&mut doc, path).map(|n| n.clone());
                if let (Some(copy), Some((last, parent))) = (copy, path.split_last()) {
                    match (node_mut(&mut doc, parent), last) {
                        (Some(Json::Obj(o)), Seg::Key(_)) => o.insert(m.key.clone(), copy),
                        (Some(Json::Arr(a)), Seg::Index(i)) => a.insert(*i, copy),
                        _ => {}
                    }
                }
            }
            // Rename a member.
            5 => {
                if let Some((Seg::Key(k), parent)) = path.split_last() {
                    if let Some(Json::Obj(o)) = node_mut(&mut doc, parent) {
                        if let Some(v) = o.remove(k) {
                            o.insert(m.key.clone(), v);
                        }
                    }
                }
            }
            // Nudge a scalar, reverse a list.
            _ => {
                if let Some(n) = node_mut(&mut doc, path) {
                    *n = tweak(n, m.at / 7);
                }
            }
        }
    }
    doc
}

/// Text mutations: cut, duplicate or replace a slice, at char boundaries.
#[derive(Clone, Debug)]
pub struct TextMutation {
    pub at: usize,
    pub len: usize,
    pub kind: u8,
    pub insert: String,
}

pub fn arb_text_mutations(max: usize) -> impl Strategy<Value = Vec<TextMutation>> {
    prop::collection::vec(
        (any::<usize>(), 0usize..40, 0u8..4, prop_oneof!["[{}\\[\\]\",:0-9a-z\\\\ ]{0,6}", arb_string()])
            .prop_map(|(at, len, kind, insert)| TextMutation { at, len, kind, insert }),
        1..=max,
    )
}

pub fn mutate_text(text: &str, mutations: &[TextMutation]) -> String {
    let mut s = text.to_string();
    for m in mutations {
        let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
        let start = bounds[m.at % bounds.len()];
        let end = bounds.iter().copied().find(|&b| b >= start + m.len).unwrap_or(s.len());
        match m.kind {
            0 => s.replace_range(start..end, ""),
            1 => s.insert_str(start, &m.insert),
            2 => s.replace_range(start..end, &m.insert),
            _ => {
                let slice = s[start..end].to_string();
                s.insert_str(start, &slice);
            }
        }
    }
    s
}
