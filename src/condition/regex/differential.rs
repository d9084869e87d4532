//! The engine against regex-lite 0.1.9 (the dependency it replaced, kept
//! as a dev-dependency for this): the same patterns accepted and refused,
//! the same `is_match` on every text, with and without `$regexi`.

use super::{build, BuildError, MAX_REGEX_SIZE};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// What regex-lite says: `Err` refused as syntax, `Ok(None)` larger than
/// its default limit (10 MiB), else the regex.
fn oracle(pattern: &str, ci: bool) -> Result<Option<regex_lite::Regex>, ()> {
    match regex_lite::RegexBuilder::new(pattern).case_insensitive(ci).build() {
        Ok(r) => Ok(Some(r)),
        Err(e) if e.to_string().contains("size limit") => Ok(None),
        Err(_) => Err(()),
    }
}

/// Compares one pattern on the texts; an error names the difference.
fn compare(pattern: &str, ci: bool, texts: &[String]) -> Result<(), String> {
    let ours = build(pattern, ci);
    let theirs = oracle(pattern, ci);
    match (&ours, &theirs) {
        // The one narrowing: group names are ASCII (no Unicode tables in the wasm).
        (Err(BuildError::Invalid(e)), Ok(_)) if e.starts_with("invalid group name") && non_ascii_name(pattern) => {
            return Ok(())
        }
        (Err(BuildError::Invalid(e)), Ok(_)) => {
            return Err(format!("{pattern:?} (ci {ci}): refused ({e}), regex-lite accepts"))
        }
        (Ok(_) | Err(BuildError::TooLarge), Err(())) => {
            return Err(format!("{pattern:?} (ci {ci}): accepted, regex-lite refuses"))
        }
        _ => {}
    }
    // A pattern regex-lite compiled within the old limit is not too large now.
    let old = regex_lite::RegexBuilder::new(pattern).case_insensitive(ci).size_limit(MAX_REGEX_SIZE).build();
    if old.is_ok() && matches!(ours, Err(BuildError::TooLarge)) {
        return Err(format!("{pattern:?} (ci {ci}): too large, regex-lite's program was within {MAX_REGEX_SIZE}"));
    }
    if let (Ok((ours, _)), Ok(Some(theirs))) = (&ours, &theirs) {
        for text in texts {
            if ours.is_match(text) != theirs.is_match(text) {
                return Err(format!(
                    "{pattern:?} (ci {ci}) on {text:?}: ours {}, regex-lite {}",
                    ours.is_match(text),
                    theirs.is_match(text)
                ));
            }
        }
    }
    Ok(())
}

/// Whether a group name of the pattern has a character past ASCII.
fn non_ascii_name(pattern: &str) -> bool {
    let names = |open: &'static str| pattern.split(open).skip(1).map(|rest| rest.split('>').next().unwrap_or(""));
    names("(?P<").chain(names("(?<")).any(|name| !name.is_ascii())
}

#[test]
fn group_names_are_ascii() {
    for pattern in ["(?<é>x)", "(?P<aé>x)", "(?<名>x)"] {
        assert!(
            matches!(build(pattern, false), Err(BuildError::Invalid(e)) if e.starts_with("invalid group name")),
            "{pattern}"
        );
        assert!(oracle(pattern, false).is_ok(), "regex-lite accepts {pattern}");
    }
    assert!(build("(?<ab_1.[x]>y)(?P<Z9>z)", false).is_ok());
}

const CHARS: &[&str] = &[
    "a", "b", "B", "z", "Z", "0", "9", "_", " ", "\n", "\r", "é", "É", "-", ".", "@", "k", "K", "\u{17F}", "\u{212A}",
    "}", "#", ",", ":", "]", "ſ", "😀",
];

const ESCAPES: &[&str] = &[
    "\\d",
    "\\D",
    "\\w",
    "\\W",
    "\\s",
    "\\S",
    "\\b",
    "\\B",
    "\\A",
    "\\z",
    "\\<",
    "\\>",
    "\\b{start}",
    "\\b{end}",
    "\\b{start-half}",
    "\\b{end-half}",
    "\\x41",
    "\\x61",
    "\\x{e9}",
    "\\x{1F600}",
    "\\u00C9",
    "\\U0000004b",
    "\\n",
    "\\r",
    "\\t",
    "\\v",
    "\\f",
    "\\a",
    "\\.",
    "\\*",
    "\\-",
    "\\[",
    "\\]",
    "\\{",
    "\\}",
    "\\#",
    "\\&",
    "\\~",
    "\\ ",
    "\\%",
    "\\/",
    "\\e",
    "\\1",
    "\\pL",
    "\\<",
    "\\é",
    "\\x{110000}",
    "\\x{D800}",
    "\\x4",
    "\\x{}",
    "\\b{",
    "\\b{foo}",
    "\\b{1}",
];

const CLASS_ITEMS: &[&str] = &[
    "a",
    "b",
    "Z",
    "a-z",
    "A-Z",
    "0-9",
    "@-a",
    "Z-a",
    "_",
    "-",
    "\\d",
    "\\W",
    "\\s",
    "\\x41-\\x5A",
    "\\n",
    "é",
    "à-ü",
    "[:alpha:]",
    "[:^digit:]",
    "[:word:]",
    "[:punct:]",
    "[:upper:]",
    "[:lower:]",
    "[:foo:]",
    "[:space:]",
    "z-a",
    "\\b",
    "&&",
    "--",
    "~~",
    "^",
    "]",
    " ",
    "#",
    "\\-",
    "k",
    "\u{212A}",
];

const FLAGS: &[&str] = &["i", "-i", "m", "s", "U", "x", "R", "u", "im", "is", "mR", "i-s", "ii", "-", "q", ""];

fn arb_class() -> impl Strategy<Value = String> {
    (any::<bool>(), prop::collection::vec(prop::sample::select(CLASS_ITEMS), 0..4))
        .prop_map(|(neg, items)| format!("[{}{}]", if neg { "^" } else { "" }, items.concat()))
}

fn arb_atom() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(CHARS).prop_map(str::to_string),
        2 => prop::sample::select(ESCAPES).prop_map(str::to_string),
        2 => arb_class(),
        1 => prop::sample::select(&[".", "^", "$", "(?m:^)", "(?m:$)", "(?mR:^)", "(?mR:$)", "(?s:.)", "(?R:.)"][..])
            .prop_map(str::to_string),
    ]
}

const REPS: &[&str] = &[
    "?", "*", "+", "??", "*?", "+?", "{2}", "{0}", "{1}", "{0,1}", "{1,3}", "{2,}", "{ 2 }", "{2,1}", "{,2}", "{",
    "{1,2}?", "**",
];

pub(crate) fn arb_pattern() -> impl Strategy<Value = String> {
    arb_atom().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (inner.clone(), prop::sample::select(REPS)).prop_map(|(p, r)| format!("{p}{r}")),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.concat()),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|v| v.join("|")),
            (
                inner.clone(),
                prop::sample::select(
                    &["(", "(?:", "(?P<n>", "(?<n2>", "(?<1>", "(?=", "(?!", "(?<=", "(?<!", "( ?:"][..]
                )
            )
                .prop_map(|(p, g)| format!("{g}{p})")),
            (inner.clone(), prop::sample::select(FLAGS)).prop_map(|(p, f)| format!("(?{f}:{p})")),
            (inner, prop::sample::select(FLAGS)).prop_map(|(p, f)| format!("(?{f}){p}")),
        ]
    })
}

/// Texts over the pattern's own characters and a few others.
pub(crate) fn texts(pattern: &str, rng: &mut TestRng) -> Vec<String> {
    let mut alphabet: Vec<char> = pattern.chars().filter(|c| !"\\()[]{}|?*+^$".contains(*c)).collect();
    alphabet.extend("aAbBkK_0 9\n\r-é.xz@É\u{212A}😀".chars());
    let mut out = vec![String::new()];
    for _ in 0..24 {
        let len = rng.random_range(0..10usize);
        out.push((0..len).filter_map(|_| alphabet.get(rng.random_range(0..alphabet.len())).copied()).collect());
    }
    out
}

/// Compares 6,000 patterns of `strategy` (`ONSTAGE_REGEX_CASES` for more),
/// each with and without `$regexi` on texts over its own characters.
fn run_patterns(strategy: impl Strategy<Value = String>, seed: u8) {
    let cases = std::env::var("ONSTAGE_REGEX_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(6000);
    let config = Config { cases, failure_persistence: None, ..Config::default() };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]));
    let rng = std::cell::RefCell::new(TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]));
    let result = runner.run(&strategy, |pattern| {
        let texts = texts(&pattern, &mut rng.borrow_mut());
        for ci in [false, true] {
            compare(&pattern, ci, &texts).map_err(TestCaseError::fail)?;
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn grammar_patterns_match_as_regex_lite_does() {
    run_patterns(arb_pattern(), 3);
}

#[test]
fn random_metacharacter_strings_are_refused_as_regex_lite_does() {
    run_patterns("[a\\\\()\\[\\]{}|?*+.^$,:<>=!PbBdxu0-9 #&~ié-]{0,14}", 5);
}

#[test]
fn corners_match_as_regex_lite_does() {
    let nest = |open: &str, n: usize| format!("{}a{}", open.repeat(n), ")".repeat(n));
    let mut patterns: Vec<String> = [
        "",
        "a",
        "(?i)K",
        "(?i)[k]",
        "(?i)\\x4b",
        "(?i)[\\x41-Z]",
        "[\\x41-Z]",
        "(?i)[@-a]",
        "(?i)[^a-z]",
        "[^\\x00-\\x{10FFFF}]",
        "(?x) a b # comment\n c",
        "(?x)[a- #x\n]",
        "(?x)[a - z]",
        "(?x)\\x 4 1",
        "(?x)a{ 2 , 3 }",
        "a{ 2 }",
        "a{2 ,3}",
        "a{2, }",
        "a{2, 3}",
        "a{4294967295}",
        "a{4294967296}",
        "(?:){4294967295}",
        "a{0}{4294967295}",
        "\\b{2}",
        "\\b{",
        "x\\b{ start}",
        "(?x)\\b{ start }",
        "(?<n>a)(?<n>b)",
        "(?P<n>a)|(?P<m>b)",
        "(?<>a)",
        "(?<a.b[c]>x)",
        "(?<1a>x)",
        "(?<é>x)",
        "(?)",
        "(?i-)",
        "(?--i)",
        "(?ii)",
        "(?i",
        "(?i:",
        "(",
        ")",
        "a)",
        "(a",
        "[]",
        "[]a]",
        "[^]a]",
        "[-a]",
        "[a-]",
        "[--]",
        "[a-\\d]",
        "[\\d-z]",
        "[[:alpha:]-z]",
        "[[:alpha:]",
        "[[:^alpha:]]",
        "[[:foo:]]",
        "[[a]]",
        "[a&&b]",
        "[a~~b]",
        "[a--b]",
        "[&]",
        "[~]",
        "\\",
        "a\\",
        "[\\",
        "\\Q",
        "\\pL",
        "\\8",
        "^*",
        "$+",
        "\\b*",
        "**",
        "a**",
        "a*?*",
        "a{2}{3}",
        "(?U)a*?",
        "x*y*z*",
        "(?m)^a$",
        "(?mR)^a$",
        "(?s).",
        "(?R).",
        "(?sR).",
        "(?u)é",
        "\\<a\\>",
        "\\Ba\\B",
        "\\d\\D\\w\\W\\s\\S",
        "[\\s\\S]",
        "(?i)[[:upper:]]",
        "(?i)[[:^lower:]]",
        "(?i)\\W",
        "(?i)[^\\W]",
        "a|",
        "|",
        "||a",
        "(|a)+",
        "(?:a*)*",
        "(?:a|)*b",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for n in [49, 50, 51, 52] {
        patterns.push(nest("(", n));
        patterns.push(nest("(?:", n));
        patterns.push(format!("a{}", "*".repeat(n)));
        patterns.push(format!("(?:a{}){{0}}", "*".repeat(n)));
        patterns.push(format!("(?:{}){{0}}", nest("(", n)));
        patterns.push(format!("{}{}", nest("(", n / 2), "+".repeat(n / 2)));
    }
    let texts: Vec<String> =
        ["", "a", "A", "k", "K", "\u{212A}", "ab", "a b", "aa\nb", "a\r\nb", "é", "_a_", "b-a", "@", "`"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    for pattern in &patterns {
        for ci in [false, true] {
            if let Err(e) = compare(pattern, ci, &texts) {
                panic!("{e}");
            }
        }
    }
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    for open in ["(", "(?:", "(?i:", "[", "(?<n>"] {
        let pattern = format!("{}a{}", open.repeat(10_000), ")".repeat(10_000));
        assert!(matches!(build(&pattern[..4096.min(pattern.len())], false), Err(BuildError::Invalid(_))), "{open}");
    }
    assert!(matches!(build(&format!("a{}", "*".repeat(4095)), false), Err(BuildError::Invalid(_))));
}

/// Not a test: `cargo test -p onstage --release --lib regex_speed -- --ignored --nocapture`
/// prints the time of `is_match` per call, ours and regex-lite's, on rules
/// of the kind configs hold (figures in docs/architecture.md).
#[test]
#[ignore = "a measurement, run by hand"]
fn regex_speed() {
    let domains =
        "gmail|yahoo|hotmail|outlook|icloud|aol|proton|gmx|yandex|mail|zoho|fastmail|tutanota|hey|live|msn|me|mac|\
                   comcast|verizon|att|sbcglobal|orange|free|wanadoo|laposte|web|t-online|libero|qq";
    let alternation = format!("@(?:{domains})\\.com$");
    let ua = "Mozilla/5.0 (Linux; Android 14; Pixel 8 Pro) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";
    let cases: Vec<(&str, bool, &str)> = vec![
        ("@example\\.com$", false, "someone.name@example.com"),
        ("^demo", true, "Demo one"),
        ("[a-z]{1,64}@[a-z]{1,64}\\.com", false, "john.smith@acme.com"),
        (alternation.as_str(), false, "jane.doe@fastmail.com"),
        (alternation.as_str(), false, "jane.doe@company.example.org"),
        ("^[a-z0-9._%+-]+@acme\\.com$", true, "Jane.Doe+promo@ACME.com"),
        ("(iPhone|iPad|Android).*Mobile", false, ua),
        ("^Mozilla/5\\.0 \\(Windows", false, ua),
        ("\\bpro\\b", true, "plan: team-pro (annual)"),
    ];
    for (pattern, ci, text) in cases {
        let Ok((ours, _)) = build(pattern, ci) else { panic!("{pattern}") };
        let Ok(Some(theirs)) = oracle(pattern, ci) else { panic!("{pattern}") };
        assert_eq!(ours.is_match(text), theirs.is_match(text));
        let time = |f: &dyn Fn() -> bool| {
            let mut best = f64::MAX;
            for _ in 0..5 {
                let start = std::time::Instant::now();
                let mut n = 0;
                for _ in 0..20_000 {
                    n += usize::from(std::hint::black_box(f()));
                }
                std::hint::black_box(n);
                best = best.min(start.elapsed().as_nanos() as f64 / 20_000.0);
            }
            best
        };
        let a = time(&|| ours.is_match(std::hint::black_box(text)));
        let b = time(&|| theirs.is_match(std::hint::black_box(text)));
        println!(
            "{pattern:.40} ci={ci} on {} chars: ours {a:.0} ns, regex-lite {b:.0} ns, ratio {:.2}",
            text.len(),
            a / b
        );
    }
    // The worst a pattern within the limit may cost: every state live at
    // every character of the longest text read (1,024 characters).
    let text = "a".repeat(1024);
    for pattern in ["[a-z]{1,500}x", "[a-z]{1,250}x", "(?:a|b|c|d)*(?:[a-z]{1,200})x"] {
        let start = std::time::Instant::now();
        let ours = build(pattern, false).map(|(r, size)| (r.is_match(&text), size, start.elapsed()));
        let start = std::time::Instant::now();
        let theirs = regex_lite::RegexBuilder::new(pattern)
            .size_limit(MAX_REGEX_SIZE)
            .build()
            .map(|r| (r.is_match(&text), start.elapsed()));
        println!("worst case {pattern} on 1,024 chars: ours {ours:?}, regex-lite {theirs:?}");
    }
}
